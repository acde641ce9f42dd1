"""How many HTTP requests this server process is serving, for work that waits for a quiet
moment (`visit_checks.VisitCheckWorker`)."""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send


class RequestActivity:
    """The count of requests in progress (waiting for a slot included). Changed only on the
    event loop; read from any thread (reading an int needs no lock)."""

    def __init__(self) -> None:
        self.in_progress = 0

    def busy(self) -> bool:
        return self.in_progress > 0


class ActivityMiddleware:
    """Counts requests in `activity` from arrival to the end of the answer (pure ASGI)."""

    def __init__(self, app: ASGIApp, activity: RequestActivity) -> None:
        self.app = app
        self.activity = activity

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        self.activity.in_progress += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.activity.in_progress -= 1

"""How many HTTP requests this server process is serving, for work that waits for a quiet
moment (`visit_checks.VisitCheckWorker`)."""

from __future__ import annotations

import os
import time
from pathlib import Path

from starlette.types import ASGIApp, Receive, Scope, Send

_PROC_STAT = Path("/proc/stat")


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


class HostLoad:
    """Whether the machine has a whole core to spare, from Linux's `/proc/stat` between two
    calls at least `window_s` apart (the last answer in between). Elsewhere, or if the file
    cannot be read, it always has: the process's own activity then decides alone.

    Background work that waits only for its own process to be quiet still takes a core from
    the other server processes and the database serving requests; on a 2-core machine that
    delayed their answers about as much as doing the work in the request."""

    def __init__(
        self, window_s: float = 0.05, *, stat: Path = _PROC_STAT, cores: int | None = None
    ) -> None:
        self._window_s = window_s
        self._stat = stat
        self._cores = max(1, cores or os.cpu_count() or 1)
        self._last: tuple[float, int, int] | None = None
        self._spare = True

    def _read(self) -> tuple[int, int] | None:
        """(idle, total) clock ticks of all cores since boot."""
        try:
            fields = self._stat.read_text(encoding="ascii").split("\n", 1)[0].split()
            ticks = [int(v) for v in fields[1:9]]
        except (OSError, ValueError, IndexError):
            return None
        return ticks[3] + ticks[4], sum(ticks)  # idle + iowait

    def has_spare_core(self) -> bool:
        """May block for `window_s` (a first reading, or one older than a second, is no
        measure of the moment)."""
        now = time.monotonic()
        if self._last is None or now - self._last[0] > 1.0:
            first = self._read()
            if first is None:
                return True
            self._last = (now, *first)
            time.sleep(self._window_s)
            now = time.monotonic()
        elif now - self._last[0] < self._window_s:
            return self._spare
        reading = self._read()
        if reading is None:
            return True
        idle, total = reading[0] - self._last[1], reading[1] - self._last[2]
        # A whole core when there are two or more; on a single core, half of it.
        self._spare = total <= 0 or idle / total * self._cores >= min(1.0, self._cores / 2)
        self._last = (now, *reading)
        return self._spare

"""FastAPI dependencies: the per-request session, the clock, the caller, the server services."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from fastapi import Depends, Path, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Engine
from sqlmodel import Session

from sync.server.attachments import AttachmentStore
from sync.server.audit import bind_keys
from sync.server.auth import Authenticator
from sync.server.authz import Principal
from sync.server.config import Settings
from sync.server.crypto import ServerKeys
from sync.server.models import utcnow

#: An object id in a path: anything else (NUL, slashes, very long) is a 422, not a lookup.
IdPath = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:\-]+$")]
#: Upper bound of integer query values that reach a BIGINT column (sequence numbers, offsets).
MAX_BIGINT = 2**63 - 1


@dataclass(frozen=True)
class ServerContext:
    """Everything a request may need that lives as long as the server process."""

    settings: Settings
    engine: Engine
    keys: ServerKeys
    authenticator: Authenticator
    attachments: AttachmentStore


def get_context(request: Request) -> ServerContext:
    context: ServerContext = request.app.state.context
    return context


ContextDep = Annotated[ServerContext, Depends(get_context)]


def get_session(context: ContextDep) -> Iterator[Session]:
    """One session per request; anything not committed is rolled back at the end."""
    with Session(context.engine, expire_on_commit=False) as session:
        bind_keys(session, context.keys)
        yield session


SessionDep = Annotated[Session, Depends(get_session)]


def get_now() -> datetime:
    """The request's clock (tests override it to move through task windows and expiries)."""
    return utcnow()


NowDep = Annotated[datetime, Depends(get_now)]

_bearer = HTTPBearer(auto_error=False, description="Access token from /v1/auth/login")


def get_principal(
    context: ContextDep,
    session: SessionDep,
    now: NowDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    token = credentials.credentials if credentials is not None else None
    return context.authenticator.authenticate(session, token, now)


PrincipalDep = Annotated[Principal, Depends(get_principal)]

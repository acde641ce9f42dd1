"""Device registration, login, token refresh, logout and "who am I"."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Response, status

from sync.protocol import (
    DeviceRegistrationRequest,
    ErrorBody,
    LoginRequest,
    MePublic,
    RefreshRequest,
    TokenPair,
)
from sync.server import accounts
from sync.server.authz import buckets_for
from sync.server.bodies import NoBodyDep, json_body, json_request
from sync.server.deps import ContextDep, NowDep, PrincipalDep, SessionDep
from sync.server.models import TokenFamily

router = APIRouter(prefix="/v1", tags=["auth"])

_ERRORS: dict[int | str, dict[str, object]] = {
    401: {"model": ErrorBody},
    403: {"model": ErrorBody},
    429: {"model": ErrorBody},
}


@router.post(
    "/auth/register-device",
    status_code=status.HTTP_201_CREATED,
    responses=_ERRORS,
    openapi_extra=json_request(DeviceRegistrationRequest),
)
def register_device(
    body: Annotated[DeviceRegistrationRequest, json_body(DeviceRegistrationRequest)],
    session: SessionDep,
    context: ContextDep,
    now: NowDep,
) -> TokenPair:
    """First contact of a laptop: checks the password, records the device's public key and
    returns the first token pair bound to the new device."""
    authenticator = context.authenticator
    user = authenticator.check_credentials(session, body.username, body.password, now)
    device = accounts.register_device(session, user, body.public_key, body.name)
    session.flush()
    pair = authenticator.issue(session, user, device, None, now)
    session.commit()
    return pair


@router.post("/auth/login", responses=_ERRORS, openapi_extra=json_request(LoginRequest))
def login(
    body: Annotated[LoginRequest, json_body(LoginRequest)],
    session: SessionDep,
    context: ContextDep,
    now: NowDep,
) -> TokenPair:
    pair = context.authenticator.login(session, body.username, body.password, body.device_id, now)
    session.commit()
    return pair


@router.post("/auth/refresh", responses=_ERRORS, openapi_extra=json_request(RefreshRequest))
def refresh(
    body: Annotated[RefreshRequest, json_body(RefreshRequest)],
    session: SessionDep,
    context: ContextDep,
    now: NowDep,
) -> TokenPair:
    pair = context.authenticator.refresh(session, body.refresh_token, body.device_id, now)
    session.commit()
    return pair


@router.post("/auth/logout", status_code=status.HTTP_204_NO_CONTENT, responses=_ERRORS)
def logout(
    principal: PrincipalDep,
    _no_body: NoBodyDep,
    session: SessionDep,
    context: ContextDep,
    now: NowDep,
) -> Response:
    family = session.get(TokenFamily, principal.family_id)
    if family is not None:
        context.authenticator.revoke_family(session, family, "logout", now)
    session.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/me", responses=_ERRORS)
def me(principal: PrincipalDep, session: SessionDep, now: NowDep) -> MePublic:
    return MePublic(
        user_id=principal.user_id,
        username=principal.username,
        role=principal.role.value,
        device_id=principal.device_id,
        buckets=sorted(buckets_for(session, principal, now)),
    )

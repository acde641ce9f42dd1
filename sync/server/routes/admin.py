"""Administrative actions over HTTP (the admin CLI calls the same service functions)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from app.domain import Role
from sync.protocol import ErrorBody
from sync.server import accounts
from sync.server.audit import verify_chain
from sync.server.authz import Principal, require_role
from sync.server.bodies import NoBodyDep
from sync.server.deps import ContextDep, IdPath, PrincipalDep, SessionDep
from sync.server.models import AuditVerifyPublic, DevicePublic, UserPublic
from sync.server.records import Actor

router = APIRouter(prefix="/v1/admin", tags=["admin"])
_ERRORS: dict[int | str, dict[str, object]] = {
    code: {"model": ErrorBody} for code in (401, 403, 404)
}


def admin_caller(principal: PrincipalDep) -> Principal:
    """The caller, if it is an admin (403 otherwise)."""
    require_role(principal, Role.ADMIN)
    return principal


AdminDep = Annotated[Principal, Depends(admin_caller)]


@router.post("/devices/{device_id}/revoke", responses=_ERRORS)
def revoke_device(
    device_id: IdPath, principal: AdminDep, _no_body: NoBodyDep, session: SessionDep
) -> DevicePublic:
    """Revoke a lost or retired laptop: it is refused (`revoked`) on its next request."""
    device = accounts.revoke_device(
        session, device_id, Actor(principal.user_id, principal.device_id)
    )
    session.commit()
    return DevicePublic(id=device.id, user_id=device.user_id, name=device.name, revoked=True)


@router.post("/users/{user_id}/revoke", responses=_ERRORS)
def revoke_user(
    user_id: IdPath, principal: AdminDep, _no_body: NoBodyDep, session: SessionDep
) -> UserPublic:
    user = accounts.revoke_user(session, user_id, Actor(principal.user_id, principal.device_id))
    session.commit()
    return UserPublic(
        id=user.id,
        username=user.username,
        role=user.role,
        agency_id=user.agency_id,
        region_id=user.region_id,
        revoked=True,
    )


@router.get("/audit/verify", responses=_ERRORS)
def verify_audit(
    principal: PrincipalDep, session: SessionDep, context: ContextDep
) -> AuditVerifyPublic:
    require_role(principal, Role.ADMIN)
    return verify_chain(session, context.keys)

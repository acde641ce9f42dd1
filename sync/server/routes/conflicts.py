"""Conflict items over HTTP: the open field clashes in a supervisor's area, and their resolution
(see `sync.server.conflicts` for the rules and who may resolve)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from sync.protocol import Entity, ErrorBody
from sync.server import conflicts
from sync.server.audit import AuditEvent, record_event
from sync.server.deps import ContextDep, IdPath, NowDep, PrincipalDep, SessionDep
from sync.server.models import SyncRecord

router = APIRouter(prefix="/v1", tags=["conflicts"])
_ERRORS: dict[int | str, dict[str, object]] = {
    code: {"model": ErrorBody} for code in (400, 401, 403, 404, 409, 422)
}


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ClashPublic(_Model):
    """One clashing field: the value the server kept and the other one (any JSON value)."""

    field: str
    kept: Any
    other: Any
    #: "incoming": the other value came with the push that lost; "server": it was on the server
    other_source: str | None
    other_device_id: str | None


class ConflictPublic(_Model):
    id: str
    household_id: str | None
    grid_id: str | None
    subject_entity: str | None
    subject_id: str | None
    status: str | None
    created_at: str
    clashes: list[ClashPublic]
    resolution: dict[str, str] | None
    resolved_by: str | None
    resolved_at: str | None


class ConflictListPublic(_Model):
    count: int
    conflicts: list[ConflictPublic]


class ResolveBody(_Model):
    """One decision per clashing field; `note` is kept with the resolution."""

    fields: list[conflicts.FieldResolution] = Field(min_length=1, max_length=50)
    note: str = Field(default="", max_length=2000)


def _public(keys: Any, record: SyncRecord) -> ConflictPublic:
    clashes = conflicts.clashes_of(keys, record)
    resolution = record.meta.get("resolution")
    return ConflictPublic(
        id=record.id,
        household_id=record.household_id,
        grid_id=record.grid_id,
        subject_entity=record.meta.get("subject_entity"),
        subject_id=record.meta.get("subject_id"),
        status=record.meta.get("status"),
        created_at=record.created_at.isoformat(),
        clashes=[
            ClashPublic(
                field=name,
                kept=clash.get("kept"),
                other=clash.get("other"),
                other_source=clash.get("other_source"),
                other_device_id=clash.get("other_device_id"),
            )
            for name, clash in sorted(clashes.items())
        ],
        resolution=(
            {str(k): str(v) for k, v in resolution.items()}
            if isinstance(resolution, dict)
            else None
        ),
        resolved_by=record.meta.get("resolved_by"),
        resolved_at=record.meta.get("resolved_at"),
    )


@router.get("/conflicts", responses=_ERRORS)
def list_conflicts(
    principal: PrincipalDep, session: SessionDep, context: ContextDep, now: NowDep
) -> ConflictListPublic:
    """Open field clashes in the supervisor's area, oldest first, with both values (an audited
    read: the values are household data)."""
    found = conflicts.open_conflicts(session, principal, now)
    items = [_public(context.keys, r) for r in found]
    record_event(
        session,
        AuditEvent(
            action="read",
            user_id=principal.user_id,
            device_id=principal.device_id,
            entity=Entity.CONFLICT.value,
            detail={"what": "open_conflicts", "count": len(items)},
        ),
    )
    session.commit()
    return ConflictListPublic(count=len(items), conflicts=items)


@router.post("/conflicts/{conflict_id}/resolve", responses=_ERRORS)
def resolve_conflict(
    conflict_id: IdPath,
    body: ResolveBody,
    principal: PrincipalDep,
    session: SessionDep,
    context: ContextDep,
    now: NowDep,
) -> ConflictPublic:
    """Settle each clashing field (the kept value, the other one, or a merged value): the
    record gets a new version with the chosen values, the conflict is marked resolved with who,
    when and how, and the server audit log records it."""
    resolved = conflicts.resolve_conflict(
        session, context.keys, principal, conflict_id, body.fields, body.note, now
    )
    result = _public(context.keys, resolved)
    session.commit()
    return result

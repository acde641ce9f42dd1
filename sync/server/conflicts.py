"""Conflict resolution (issue 7): a supervisor decides each clashing field of a conflict item.

A push that changes a field someone else changed since the pusher's base version keeps the value
with the later clock and files the other in a `conflict` record (`push._raise_conflict`): meta
`subject_entity`, `subject_id`, `fields`, status `open`; content `clashes` = {field: {kept,
other, ...}}. Resolving one here:

- takes, per clashing field, the value the server kept, the other one, or a merged value the
  supervisor typed (checked against the record's content model);
- writes the subject record's next version with the chosen values (through the common write
  path, so every laptop holding the household pulls it and they converge);
- marks the conflict `resolved` with `resolution` {field: kept|other|merged}, `resolved_by` and
  `resolved_at` (plaintext, not personal), the chosen values and the note in its content;
- appends a `conflict_resolve` entry to the server's audit chain naming the fields and choices
  (never the values).

Who may resolve: supervisors and admins whose area holds the record, nobody else — not even the
record's author for a clash on a field they wrote. A conflict is two people's edits of the same
fact; letting one of them settle it alone would make the conflict item a formality, so the
decision goes to the supervisor who also reviews the visit (the four-eyes rule of 审核).
Eligibility-mismatch flags (`kind` = `eligibility_mismatch`) are not field clashes: they are
settled by reviewing (or returning) the visit, and this module leaves them alone.
"""

from __future__ import annotations

import logging
from datetime import datetime
from enum import StrEnum
from typing import Any, Final

import pydantic
from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import Session, col, select

from app.domain import HouseholdContent, MemberContent, Role, VisitContent, VisitStatus
from sync.protocol import META_FIELDS, Entity
from sync.server.audit import AuditEvent, record_event
from sync.server.authz import (
    Principal,
    buckets_for,
    can_write,
    record_bucket_set,
    visible_record_ids,
)
from sync.server.crypto import ServerKeys
from sync.server.errors import forbidden
from sync.server.models import SyncRecord
from sync.server.records import Actor, lock_changes, open_data
from sync.server.tasks import (
    conflict_state,
    current_fields,
    invalid,
    live_record,
    readable_record,
    update_record,
)

logger = logging.getLogger(__name__)

RESOLVER_ROLES: Final = frozenset({Role.SUPERVISOR, Role.ADMIN})
OPEN: Final = "open"
RESOLVED: Final = "resolved"
#: The content model a merged value is checked against, per subject entity.
CONTENT_MODELS: Final[dict[str, type[BaseModel]]] = {
    Entity.HOUSEHOLD: HouseholdContent,
    Entity.MEMBER: MemberContent,
    Entity.VISIT: VisitContent,
}


class Choice(StrEnum):
    KEPT = "kept"  # the value the server kept when the clash happened
    OTHER = "other"  # the value that lost
    MERGED = "merged"  # a value the supervisor entered


class FieldResolution(BaseModel):
    """How one clashing field is settled; `value` only (and always) with `merged`."""

    model_config = ConfigDict(extra="forbid")

    field: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    choice: Choice
    value: Any = None


def require_resolver(principal: Principal) -> None:
    if principal.role not in RESOLVER_ROLES:
        raise forbidden("冲突处理", "conflict resolution")


def is_field_clash(record: SyncRecord) -> bool:
    return not record.meta.get("kind")


def open_conflicts(session: Session, principal: Principal, now: datetime) -> list[SyncRecord]:
    """Open field-clash conflicts in the resolver's area, oldest first."""
    require_resolver(principal)
    ids = visible_record_ids(session, buckets_for(session, principal, now), Entity.CONFLICT.value)
    if not ids:
        return []
    rows = session.exec(
        select(SyncRecord).where(
            SyncRecord.entity == Entity.CONFLICT.value,
            col(SyncRecord.id).in_(ids),
            col(SyncRecord.deleted).is_(False),
        )
    ).all()
    found = [r for r in rows if r.meta.get("status") == OPEN and is_field_clash(r)]
    found.sort(key=lambda r: (r.created_at, r.id))
    return found


def clashes_of(keys: ServerKeys, conflict: SyncRecord) -> dict[str, dict[str, Any]]:
    raw = open_data(keys, conflict).get("clashes") or {}
    return {str(k): dict(v) for k, v in raw.items() if isinstance(v, dict)}


def _merged_value(subject: SyncRecord, current: dict[str, Any], item: FieldResolution) -> Any:
    if item.field in META_FIELDS.get(subject.entity, frozenset()):
        raise invalid(
            f"“{item.field}”只能选择其中一方的值",
            f"'{item.field}' can only take one of the two values",
            field=item.field,
        )
    model = CONTENT_MODELS.get(subject.entity)
    if model is not None:
        content = {k: v for k, v in current.items() if k in model.model_fields}
        content[item.field] = item.value
        try:
            model.model_validate(content)
        except pydantic.ValidationError:
            # Pydantic's message would quote the value (a name, an ID number): name the field.
            raise invalid(
                f"“{item.field}”的合并值无效",
                f"The merged value of '{item.field}' is invalid",
                field=item.field,
            ) from None
    return item.value


def resolve_conflict(
    session: Session,
    keys: ServerKeys,
    principal: Principal,
    conflict_id: str,
    resolutions: list[FieldResolution],
    note: str,
    now: datetime,
) -> SyncRecord:
    """Settle every clashing field of one open conflict; returns the updated conflict."""
    require_resolver(principal)
    lock_changes(session)
    buckets = buckets_for(session, principal, now)
    conflict = readable_record(session, buckets, Entity.CONFLICT, conflict_id)
    if not is_field_clash(conflict):
        raise conflict_state(
            "此项为认定结果不一致提示，请在审核中处理",
            "This is an eligibility flag; settle it by reviewing the visit",
        )
    if conflict.meta.get("status") != OPEN:
        raise conflict_state("此冲突已处理", "This conflict has been resolved already")
    clashes = clashes_of(keys, conflict)
    given = [r.field for r in resolutions]
    if len(set(given)) != len(given) or set(given) != set(clashes):
        raise invalid(
            "须对每个冲突字段各作一次选择",
            "Decide every clashing field exactly once",
            fields=sorted(clashes),
        )
    entity = str(conflict.meta.get("subject_entity") or "")
    subject_id = str(conflict.meta.get("subject_id") or "")
    subject = live_record(session, Entity(entity), subject_id) if entity in set(Entity) else None
    if subject is None:
        raise conflict_state("冲突所涉记录已删除", "The record of this conflict was deleted")
    if not can_write(principal, buckets, record_bucket_set(session, entity, subject_id)):
        raise forbidden("冲突处理", "conflict resolution")
    if entity == Entity.VISIT and subject.meta.get("status") != VisitStatus.DRAFT.value:
        raise conflict_state(
            "走访记录已完成，不能修改；请退回后修订",
            "The visit is completed and cannot change; return it for a revision",
        )
    current = current_fields(keys, subject)
    values: dict[str, Any] = {}
    for item in resolutions:
        if item.choice is Choice.MERGED:
            if "value" not in item.model_fields_set:
                raise invalid("合并时须填写值", "A merged choice needs a value", field=item.field)
            values[item.field] = _merged_value(subject, current, item)
        elif item.value is not None:
            raise invalid(
                "只有合并时才填写值", "Only a merged choice takes a value", field=item.field
            )
        else:
            values[item.field] = clashes[item.field].get(item.choice.value)
    actor = Actor(principal.user_id, principal.device_id)
    changes = {k: v for k, v in values.items() if current.get(k) != v}
    if "grid_id" in changes or "household_id" in changes:
        # Moving a household changes who holds it (buckets, keys on laptops): that is the
        # admin's household move, not a field edit. Keep the current place here.
        raise conflict_state(
            "住户所属网格的冲突只能保留现值；如需迁移请由管理员办理",
            "A clash over the household's place can only keep the current value; an admin "
            "moves households",
        )
    # Always a new version, even when the kept values stand: laptops that held the losing
    # value as a pending edit get the decided one with a clock later than theirs.
    updated = update_record(session, keys, actor, subject, values)
    resolution = {r.field: r.choice.value for r in resolutions}
    resolved = update_record(
        session,
        keys,
        actor,
        conflict,
        {
            "status": RESOLVED,
            "resolution": resolution,
            "resolved_by": principal.user_id,
            "resolved_at": now.isoformat(),
            "resolved_values": values,
            "note": note,
        },
    )
    record_event(
        session,
        AuditEvent(
            action="conflict_resolve",
            user_id=principal.user_id,
            device_id=principal.device_id,
            entity=Entity.CONFLICT.value,
            entity_id=conflict.id,
            household_id=conflict.household_id,
            detail={
                "subject_entity": entity,
                "subject_id": subject_id,
                "subject_version": updated.version,
                "resolution": resolution,
                "changed": sorted(changes),
            },
        ),
    )
    logger.info("conflict resolved: %d fields", len(resolution))
    return resolved

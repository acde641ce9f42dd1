"""Clues (疑似问题线索): leads from data comparison (大数据比对) about a person, ledgered and closed
one by one (销号) as confirmed (查实) or refuted (查否) through a clue_check visit.

A clue is a replicated `clue` record in its household's buckets (meta: kind, status, member_id,
closed_at, visit_id; content: the person's name as matched, the lead's detail, source, date), so
the laptops of whoever covers the household receive it. Clues arrive by ID number; the server's
blind index (`person_index`) links each to the household member(s) holding that number, without
the number ever being stored or compared in plaintext. Closing as confirmed suspends the
household (先停保、再处理) through the same write path as a push.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, col, select

from app.domain import ClueKind, ClueStatus, HouseholdStatus, Role, VisitKind, VisitStatus
from app.idnumber import parse_id_number
from sync.protocol import Entity, split_fields
from sync.server.audit import AuditEvent, record_event
from sync.server.authz import (
    Principal,
    buckets_for,
    can_read,
    record_bucket_set,
    record_buckets,
    visible_record_ids,
)
from sync.server.crypto import ServerKeys
from sync.server.errors import forbidden, not_found
from sync.server.ids import uuid7
from sync.server.models import PersonIndex, SyncRecord, utcnow
from sync.server.records import Actor, lock_changes, record_change
from sync.server.tasks import (
    conflict_state,
    create_server_record,
    current_fields,
    invalid,
    live_record,
    missing,
    readable_record,
    server_hlc,
    update_record,
)

logger = logging.getLogger(__name__)

CLUE_MANAGERS = frozenset({Role.SUPERVISOR, Role.ADMIN})
#: Visit statuses that count as a finished check (draft does not).
FINISHED_VISIT = frozenset(s.value for s in VisitStatus if s is not VisitStatus.DRAFT)


@dataclass(frozen=True)
class MemberMatch:
    member_id: str
    household_id: str


def require_clue_manager(principal: Principal) -> None:
    if principal.role not in CLUE_MANAGERS:
        raise forbidden("线索管理", "clue management")


def members_by_id_number(session: Session, keys: ServerKeys, raw: str) -> list[MemberMatch]:
    """Members holding this ID number (via the blind index). Raises `ValidationError` with the
    parser's reason when the number itself is invalid."""
    number = parse_id_number(raw).number
    rows = session.exec(
        select(PersonIndex)
        .where(PersonIndex.blind == keys.blind_index(number))
        .order_by(col(PersonIndex.household_id), col(PersonIndex.member_id))
    ).all()
    return [MemberMatch(r.member_id, r.household_id) for r in rows]


def create_clue(
    session: Session,
    keys: ServerKeys,
    actor: Actor,
    *,
    member_id: str,
    kind: ClueKind,
    detail: str,
    source: str,
    found_on: date | None,
    clue_id: str | None = None,
) -> SyncRecord:
    """A new open clue about a member, in the member's household's buckets."""
    member = live_record(session, Entity.MEMBER, member_id)
    if member is None or member.household_id is None:
        raise missing("线索所指的家庭成员不存在", "The clue's member does not exist")
    household = live_record(session, Entity.HOUSEHOLD, member.household_id)
    if household is None:
        raise missing("线索所指的住户不存在", "The clue's household does not exist")
    member_name = str(current_fields(keys, member).get("name", ""))
    record = create_server_record(
        session,
        keys,
        actor,
        entity=Entity.CLUE,
        record_id=clue_id or uuid7(),
        household_id=household.id,
        grid_id=household.grid_id,
        fields={
            "kind": kind.value,
            "status": ClueStatus.OPEN.value,
            "member_id": member.id,
            "household_id": household.id,
            "grid_id": household.grid_id,
            "created_at": utcnow().isoformat(),
            "member_name": member_name,
            "detail": detail,
            "source": source,
            "found_on": found_on.isoformat() if found_on else None,
        },
    )
    record_event(
        session,
        AuditEvent(
            action="clue_created",
            user_id=actor.user_id,
            device_id=actor.device_id,
            entity=Entity.CLUE.value,
            entity_id=record.id,
            household_id=household.id,
            detail={"kind": kind.value},
        ),
    )
    return record


def create_clues_for_id_number(
    session: Session,
    keys: ServerKeys,
    actor: Actor,
    *,
    id_number: str,
    kind: ClueKind,
    detail: str,
    source: str,
    found_on: date | None,
) -> list[SyncRecord]:
    """One clue per member holding `id_number` (a person in two households gets two).

    Raises `ValidationError` for an invalid number and `ApiError` (422) when nobody holds it."""
    matches = members_by_id_number(session, keys, id_number)
    if not matches:
        raise missing("没有家庭成员持有此身份证号", "No household member has this ID number")
    lock_changes(session)
    return [
        create_clue(
            session,
            keys,
            actor,
            member_id=m.member_id,
            kind=kind,
            detail=detail,
            source=source,
            found_on=found_on,
        )
        for m in matches
    ]


def link_clue(
    session: Session,
    keys: ServerKeys,
    principal: Principal,
    clue_id: str,
    member_id: str,
    now: datetime,
) -> SyncRecord:
    """Link an open clue to another member (e.g. the relative the lead is really about); the
    clue follows the member's household into its buckets."""
    require_clue_manager(principal)
    lock_changes(session)
    principal_buckets = buckets_for(session, principal, now)
    clue = readable_record(session, principal_buckets, Entity.CLUE, clue_id)
    if clue.meta.get("status") != ClueStatus.OPEN.value:
        raise conflict_state("线索已销号", "The clue is already closed")
    member = readable_record(session, principal_buckets, Entity.MEMBER, member_id)
    household = live_record(session, Entity.HOUSEHOLD, member.household_id or "")
    if household is None:
        raise not_found()
    actor = Actor(principal.user_id, principal.device_id)
    fields = current_fields(keys, clue)
    fields.update(
        member_id=member.id,
        household_id=household.id,
        grid_id=household.grid_id,
        member_name=str(current_fields(keys, member).get("name", "")),
    )
    changed = ["member_id", "household_id", "grid_id", "member_name"]
    meta, data = split_fields(Entity.CLUE.value, fields)
    hlc = server_hlc()
    return record_change(
        session,
        keys,
        entity=Entity.CLUE.value,
        record_id=clue.id,
        household_id=household.id,
        grid_id=household.grid_id,
        meta=meta,
        data=data,
        buckets=record_buckets(session, household.grid_id, household.id),
        actor=actor,
        changed_fields=changed,
        hlc=hlc,
        field_hlcs={**clue.field_hlcs, **dict.fromkeys(changed, hlc)},
    )


def close_clue(
    session: Session,
    keys: ServerKeys,
    principal: Principal,
    clue_id: str,
    outcome: ClueStatus,
    visit_id: str,
    note: str,
    now: datetime,
) -> SyncRecord:
    """Close a clue as confirmed or refuted on the strength of a finished clue_check visit to
    its household. Confirmed: the household is suspended first (先停保), handled after."""
    require_clue_manager(principal)
    if outcome is ClueStatus.OPEN:
        raise invalid("销号结果须为查实或查否", "A clue closes as confirmed or refuted")
    lock_changes(session)
    principal_buckets = buckets_for(session, principal, now)
    clue = readable_record(session, principal_buckets, Entity.CLUE, clue_id)
    if clue.meta.get("status") != ClueStatus.OPEN.value:
        raise conflict_state("线索已销号", "The clue is already closed")
    visit = live_record(session, Entity.VISIT, visit_id)
    if visit is None or not can_read(
        principal_buckets, record_bucket_set(session, Entity.VISIT.value, visit_id)
    ):
        raise missing("核实走访记录不存在", "The checking visit does not exist")
    if visit.household_id != clue.household_id:
        raise conflict_state(
            "核实走访须是对该户的走访", "The visit must be to the clue's household"
        )
    if visit.meta.get("kind") != VisitKind.CLUE_CHECK.value:
        raise conflict_state("须以线索核实走访销号", "A clue is closed through a clue_check visit")
    if visit.meta.get("status") not in FINISHED_VISIT:
        raise conflict_state("核实走访尚未完成", "The checking visit is not completed yet")
    listed = current_fields(keys, visit).get("clue_ids") or []
    if listed and clue.id not in listed:
        raise conflict_state("该走访未核实此线索", "That visit did not check this clue")
    actor = Actor(principal.user_id, principal.device_id)
    closed = update_record(
        session,
        keys,
        actor,
        clue,
        {
            "status": outcome.value,
            "closed_at": now.isoformat(),
            "visit_id": visit.id,
            "closed_by": principal.user_id,
            "outcome_note": note,
        },
    )
    if outcome is ClueStatus.CONFIRMED:
        household = live_record(session, Entity.HOUSEHOLD, clue.household_id or "")
        if household is not None and household.meta.get("status") == HouseholdStatus.ACTIVE.value:
            update_record(
                session,
                keys,
                actor,
                household,
                {"status": HouseholdStatus.SUSPENDED.value},
            )
    record_event(
        session,
        AuditEvent(
            action="clue_closed",
            user_id=principal.user_id,
            device_id=principal.device_id,
            entity=Entity.CLUE.value,
            entity_id=clue.id,
            household_id=clue.household_id,
            detail={"outcome": outcome.value, "visit_id": visit.id},
        ),
    )
    return closed


def visible_clues(
    session: Session, principal: Principal, now: datetime, status: ClueStatus | None
) -> list[SyncRecord]:
    ids = visible_record_ids(session, buckets_for(session, principal, now), Entity.CLUE.value)
    if not ids:
        return []
    rows = session.exec(
        select(SyncRecord)
        .where(
            SyncRecord.entity == Entity.CLUE.value,
            col(SyncRecord.id).in_(ids),
            col(SyncRecord.deleted).is_(False),
        )
        .order_by(col(SyncRecord.id))
    ).all()
    return [r for r in rows if status is None or r.meta.get("status") == status.value]


__all__ = [
    "MemberMatch",
    "close_clue",
    "create_clue",
    "create_clues_for_id_number",
    "link_clue",
    "members_by_id_number",
    "visible_clues",
]

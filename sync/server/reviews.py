"""Reviews (审核): a supervisor approves a synced visit, or returns it to its author with
comments pinned to fields; the history of a visit's revisions and decisions.

A review is a replicated `review` record in the visit's household buckets (meta: visit_id,
decision, reviewer_id, decided_at, author_id; content: the comments and note), and the visit's
status moves to `approved` or `returned` through the same write path as a push, so the author's
laptop pulls both. A returned visit goes back to its author: if the author no longer reaches the
household (a contractor whose task closed, a worker moved to another grid), a task over that
household is opened for them so their laptop receives it again.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import Session, col, select

from app.domain import ReviewDecision, Role, VisitContent, VisitKind, VisitStatus
from sync.protocol import META_FIELDS, Entity
from sync.server import visit_checks
from sync.server.audit import AuditEvent, record_event
from sync.server.authz import (
    Principal,
    buckets_for,
    can_read,
    record_bucket_set,
    visible_record_ids,
)
from sync.server.crypto import ServerKeys
from sync.server.errors import forbidden
from sync.server.ids import uuid7
from sync.server.models import RecordVersion, SyncRecord, User
from sync.server.records import Actor, lock_changes, record_row_id
from sync.server.tasks import (
    conflict_state,
    create_server_record,
    create_task,
    current_fields,
    invalid,
    readable_record,
)
from sync.server.visits import bring_under_review, move_visit

logger = logging.getLogger(__name__)

REVIEWER_ROLES = frozenset({Role.SUPERVISOR, Role.ADMIN})
#: Visit statuses a reviewer may take up: `synced` (the server marks every completed visit it
#: accepts so) and `under_review`; plus `completed`, which only visits pushed before the server
#: took over that move still hold (read tolerantly, see `visits`).
REVIEWABLE = frozenset(
    {VisitStatus.COMPLETED.value, VisitStatus.SYNCED.value, VisitStatus.UNDER_REVIEW.value}
)
#: Field names a comment may be pinned to: the visit's content fields, its plaintext fields and
#: the laptop's eligibility result.
COMMENTABLE_FIELDS = (
    frozenset(VisitContent.model_fields) | META_FIELDS[Entity.VISIT] | {"eligibility"}
)


#: A field path: a commentable field, optionally followed by `.index`/`.name` parts.
FIELD_PATH_PATTERN = (
    "^(?:" + "|".join(sorted(COMMENTABLE_FIELDS)) + r")(?:\.[A-Za-z0-9_]{1,40}){0,4}$"
)


class FieldComment(BaseModel):
    """A comment pinned to a field of the visit (`incomes`, `incomes.2.monthly_amount`, ...)."""

    model_config = ConfigDict(extra="forbid")

    field: str = Field(min_length=1, max_length=120, pattern=FIELD_PATH_PATTERN)
    comment: str = Field(min_length=1, max_length=2000)


def top_field(path: str) -> str:
    return path.replace("[", ".").split(".", 1)[0]


def require_reviewer(principal: Principal) -> None:
    if principal.role not in REVIEWER_ROLES:
        raise forbidden("审核", "reviews")


def visit_author(session: Session, keys: ServerKeys, visit: SyncRecord) -> str | None:
    """The user who made the visit: its `author_id`, else whoever created the record."""
    author = visit.meta.get("author_id")
    if isinstance(author, str) and author:
        return author
    first = session.get(RecordVersion, (Entity.VISIT.value, visit.id, 1))
    return first.user_id if first is not None else None


def _author_principal(user: User) -> Principal:
    return Principal(
        user_id=user.id,
        username=user.username,
        role=Role(user.role),
        device_id="",
        agency_id=user.agency_id,
        region_id=user.region_id,
        family_id="",
    )


def start_review(
    session: Session, keys: ServerKeys, principal: Principal, visit_id: str, now: datetime
) -> SyncRecord:
    """Mark a synced visit as under review (the author's laptop shows it)."""
    require_reviewer(principal)
    visit_checks.settle(session, keys, [visit_id])  # see `review_visit`
    lock_changes(session)
    visit = readable_record(session, buckets_for(session, principal, now), Entity.VISIT, visit_id)
    if visit.meta.get("status") not in REVIEWABLE:
        raise conflict_state("此走访记录当前不能审核", "This visit cannot be reviewed now")
    return bring_under_review(session, keys, Actor(principal.user_id, principal.device_id), visit)


def review_visit(
    session: Session,
    keys: ServerKeys,
    principal: Principal,
    visit_id: str,
    decision: ReviewDecision,
    comments: list[FieldComment],
    note: str,
    now: datetime,
) -> SyncRecord:
    """Approve or return a visit; returns the new `review` record."""
    require_reviewer(principal)
    for item in comments:
        if top_field(item.field) not in COMMENTABLE_FIELDS:
            raise invalid(
                f"意见所指字段不存在：{item.field}",
                f"The comment names an unknown field: {item.field}",
                field=item.field,
            )
    if decision is ReviewDecision.RETURNED and not comments:
        raise invalid("退回须写明意见", "A returned visit needs at least one comment")
    # Never decided before the server's checks are made (usually they are already). Before
    # the change lock: a worker checking this visit may need that lock for a flag, and would
    # wait for us while we waited for it.
    visit_checks.settle(session, keys, [visit_id])
    lock_changes(session)
    visit = readable_record(session, buckets_for(session, principal, now), Entity.VISIT, visit_id)
    if visit.meta.get("status") not in REVIEWABLE:
        raise conflict_state("此走访记录当前不能审核", "This visit cannot be reviewed now")
    actor = Actor(principal.user_id, principal.device_id)
    # A decision is made on a visit under review: one taken straight from the queue passes
    # through that status first, so every move follows the lifecycle.
    visit = bring_under_review(session, keys, actor, visit)
    author_id = visit_author(session, keys, visit)
    decided_at = now.isoformat()
    review = create_server_record(
        session,
        keys,
        actor,
        entity=Entity.REVIEW,
        record_id=uuid7(),
        household_id=visit.household_id,
        grid_id=visit.grid_id,
        fields={
            "visit_id": visit.id,
            "decision": decision.value,
            "reviewer_id": principal.user_id,
            "decided_at": decided_at,
            "author_id": author_id,
            "status": "final",
            "visit_version": visit.version,
            "comments": [c.model_dump() for c in comments],
            "note": note,
        },
    )
    move_visit(session, keys, actor, visit, VisitStatus(decision.value))
    if decision is ReviewDecision.RETURNED and author_id is not None:
        _route_back_to_author(session, keys, actor, visit, author_id, now)
    record_event(
        session,
        AuditEvent(
            action="review",
            user_id=principal.user_id,
            device_id=principal.device_id,
            entity=Entity.VISIT.value,
            entity_id=visit.id,
            household_id=visit.household_id,
            detail={
                "decision": decision.value,
                "review_id": review.id,
                "fields": sorted({top_field(c.field) for c in comments}),
            },
        ),
    )
    logger.info("visit reviewed: %s", decision.value)
    return review


def _route_back_to_author(
    session: Session,
    keys: ServerKeys,
    actor: Actor,
    visit: SyncRecord,
    author_id: str,
    now: datetime,
) -> None:
    author = session.get(User, author_id)
    if author is None or author.revoked_at is not None:
        logger.warning("returned visit's author is gone; it stays with the supervisor")
        return
    if Role(author.role) not in (Role.FIELD_WORKER, Role.CONTRACTOR):
        return
    reach = buckets_for(session, _author_principal(author), now)
    if can_read(reach, record_bucket_set(session, Entity.VISIT.value, visit.id)):
        return
    kind = visit.meta.get("kind")
    create_task(
        session,
        keys,
        actor,
        kind=VisitKind(kind) if kind in set(VisitKind) else VisitKind.PERIODIC_REVIEW,
        household_ids=[visit.household_id or ""],
        assignee_user_id=author.id,
        title="退回修改 / returned for correction",
        source="review_return",
    )


# ----------------------------------------------------------------------------- reading


@dataclass(frozen=True)
class StatusChange:
    version: int
    status: str
    user_id: str | None
    at: datetime


def status_history(session: Session, keys: ServerKeys, visit: SyncRecord) -> list[StatusChange]:
    """Each accepted change of the visit's status, from its stored (encrypted) history."""
    rows = session.exec(
        select(RecordVersion)
        .where(
            RecordVersion.entity == Entity.VISIT.value,
            RecordVersion.record_id == visit.id,
        )
        .order_by(col(RecordVersion.version))
    ).all()
    changes: list[StatusChange] = []
    for row in rows:
        if "status" not in row.changed_fields:
            continue
        values: dict[str, Any] = keys.open(
            row.changed_ct,
            table="record_version",
            column="changed",
            row_id=record_row_id(Entity.VISIT.value, visit.id),
            version=row.version,
        )
        changes.append(
            StatusChange(
                version=row.version,
                status=str(values.get("status")),
                user_id=row.user_id,
                at=row.created_at,
            )
        )
    return changes


def revision_chain(session: Session, visit: SyncRecord) -> list[SyncRecord]:
    """The visit and every revision linked to it by `revision_of`, oldest first."""
    siblings = session.exec(
        select(SyncRecord).where(
            SyncRecord.entity == Entity.VISIT.value,
            SyncRecord.household_id == visit.household_id,
            col(SyncRecord.deleted).is_(False),
        )
    ).all()
    by_id = {v.id: v for v in siblings}
    children: dict[str, list[SyncRecord]] = {}
    for v in siblings:
        parent = v.meta.get("revision_of")
        if isinstance(parent, str):
            children.setdefault(parent, []).append(v)
    root = visit
    seen = {root.id}
    while isinstance(root.meta.get("revision_of"), str) and root.meta["revision_of"] in by_id:
        root = by_id[root.meta["revision_of"]]
        if root.id in seen:
            break
        seen.add(root.id)
    chain: list[SyncRecord] = []
    queue = [root]
    while queue:
        current = queue.pop(0)
        if current in chain:
            continue
        chain.append(current)
        queue.extend(sorted(children.get(current.id, []), key=lambda r: r.created_at))
    return chain


def reviews_of(
    session: Session, keys: ServerKeys, household_id: str | None, visit_ids: set[str]
) -> list[dict[str, Any]]:
    rows = session.exec(
        select(SyncRecord).where(
            SyncRecord.entity == Entity.REVIEW.value,
            SyncRecord.household_id == household_id,
            col(SyncRecord.deleted).is_(False),
        )
    ).all()
    reviews = [
        {"id": r.id, "version": r.version, **current_fields(keys, r)}
        for r in rows
        if r.meta.get("visit_id") in visit_ids
    ]
    reviews.sort(key=lambda r: (str(r.get("decided_at")), r["id"]))
    return reviews


def visit_history(
    session: Session, keys: ServerKeys, principal: Principal, visit_id: str, now: datetime
) -> tuple[list[SyncRecord], dict[str, list[StatusChange]], list[dict[str, Any]]]:
    """(revision chain, status changes per visit, reviews with comments) — an audited read."""
    visit = readable_record(session, buckets_for(session, principal, now), Entity.VISIT, visit_id)
    chain = revision_chain(session, visit)
    statuses = {v.id: status_history(session, keys, v) for v in chain}
    reviews = reviews_of(session, keys, visit.household_id, {v.id for v in chain})
    record_event(
        session,
        AuditEvent(
            action="read",
            user_id=principal.user_id,
            device_id=principal.device_id,
            entity=Entity.VISIT.value,
            entity_id=visit.id,
            household_id=visit.household_id,
            detail={"what": "review_history", "reviews": len(reviews)},
        ),
    )
    return chain, statuses, reviews


def review_queue(session: Session, principal: Principal, now: datetime) -> list[SyncRecord]:
    """Visits waiting for a decision in the reviewer's area, oldest first."""
    require_reviewer(principal)
    buckets = buckets_for(session, principal, now)
    if not buckets:
        return []
    ids = visible_record_ids(session, buckets, Entity.VISIT.value)
    if not ids:
        return []
    visits = session.exec(
        select(SyncRecord).where(
            SyncRecord.entity == Entity.VISIT.value,
            col(SyncRecord.id).in_(ids),
            col(SyncRecord.deleted).is_(False),
        )
    ).all()
    waiting = [v for v in visits if v.meta.get("status") in REVIEWABLE]
    waiting.sort(key=lambda v: (v.updated_at, v.id))
    return waiting

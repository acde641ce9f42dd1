"""The server's moves along the visit lifecycle (`app.domain.VISIT_TRANSITIONS`).

A laptop makes two moves itself and pushes them (draft → completed, returned → revised; see
`app.domain.DEVICE_VISIT_MOVES`). Every other move is made here, each as its own record version
through `records.record_change`, so laptops pull it and the visit's status history shows it:

- completed → synced, in the transaction of the push that brings a completed visit (a first one
  or a corrected revision): from then on the server holds it and a reviewer may take it up;
- synced → under review → approved | returned, by a reviewer (`reviews`).

Visits pushed before this server took over the move to `synced` are still `completed` in an
upgraded database. They are read tolerantly instead of rewritten by a migration (a migration has
no server keys to write the encrypted history of a new version): the review queue lists them,
and a reviewer's first action moves them to `synced` and on, through the same transitions.
"""

from __future__ import annotations

import logging
from typing import Final

from sqlmodel import Session

from app.domain import VisitStatus, check_visit_transition
from app.errors import ValidationError
from sync.protocol import Entity, split_fields
from sync.server.authz import record_buckets
from sync.server.crypto import ServerKeys
from sync.server.models import SyncRecord
from sync.server.records import Actor, PreparedChange, prepare_change, record_change
from sync.server.tasks import conflict_state, current_fields, server_hlc

logger = logging.getLogger(__name__)

#: Who makes the server's own moves (no user, no device) in the history and audit.
SERVER_ACTOR: Final = Actor(None, None)


def move_visit(
    session: Session,
    keys: ServerKeys,
    actor: Actor,
    visit: SyncRecord,
    new: VisitStatus,
    *,
    buckets: list[str] | None = None,
    again_in_transaction: bool = False,
) -> SyncRecord:
    """Write the visit's next version in status `new`, if the lifecycle allows the move.

    The caller holds the change lock. A refused move is a 409 naming both statuses.
    """
    if visit.entity != Entity.VISIT.value:
        raise ValueError("not a visit record")
    try:
        check_visit_transition(str(visit.meta.get("status")), new)
    except ValidationError as exc:
        raise conflict_state(exc.message_zh, exc.message_en) from exc
    flat = current_fields(keys, visit)
    flat["status"] = new.value
    meta, data = split_fields(Entity.VISIT.value, flat)
    hlc = server_hlc()
    # Written on top of the row in hand (`prior`): a visit pushed in this very transaction is
    # not in the database yet.
    return record_change(
        session,
        keys,
        entity=Entity.VISIT.value,
        record_id=visit.id,
        household_id=visit.household_id,
        grid_id=visit.grid_id,
        meta=meta,
        data=data,
        buckets=buckets
        if buckets is not None
        else record_buckets(session, visit.grid_id, visit.household_id),
        actor=actor,
        changed_fields=["status"],
        hlc=hlc,
        field_hlcs={**visit.field_hlcs, "status": hlc},
        prior=visit,
        again_in_transaction=again_in_transaction,
    )


def accept_completed_visit(
    session: Session, keys: ServerKeys, visit: SyncRecord, buckets: list[str] | None = None
) -> SyncRecord:
    """Mark a visit the server now holds as completed `synced` (else leave it as it is).

    `buckets`: the ones the visit was just written to in this transaction (a push), so the
    move skips their lookup; None for a visit read from the database.
    """
    if visit.deleted or visit.meta.get("status") != VisitStatus.COMPLETED.value:
        return visit
    return move_visit(
        session,
        keys,
        SERVER_ACTOR,
        visit,
        VisitStatus.SYNCED,
        buckets=buckets,
        again_in_transaction=buckets is not None,
    )


def prepare_synced(keys: ServerKeys, change: PreparedChange) -> PreparedChange | None:
    """The server's `synced` version to write right after a pushed change that completes a
    visit (None for any other change), prepared like the change itself before the push takes
    the change lock: under the lock only its rows are written. Same content, the next
    version."""
    if (
        change.entity != Entity.VISIT.value
        or change.deleted
        or change.meta.get("status") != VisitStatus.COMPLETED.value
    ):
        return None
    check_visit_transition(VisitStatus.COMPLETED.value, VisitStatus.SYNCED)
    hlc = server_hlc()
    return prepare_change(
        keys,
        entity=change.entity,
        record_id=change.record_id,
        household_id=change.household_id,
        grid_id=change.grid_id,
        meta={**change.meta, "status": VisitStatus.SYNCED.value},
        data=change.data,
        buckets=change.buckets,
        actor=SERVER_ACTOR,
        changed_fields=["status"],
        version=change.version + 1,
        hlc=hlc,
        field_hlcs={**(change.field_hlcs or {}), "status": hlc},
    )


def bring_under_review(
    session: Session, keys: ServerKeys, actor: Actor, visit: SyncRecord
) -> SyncRecord:
    """Move a visit waiting for review to `under_review` (a legacy `completed` one by way of
    `synced`); one already under review is returned as it is."""
    status = visit.meta.get("status")
    if status == VisitStatus.UNDER_REVIEW.value:
        return visit
    if status == VisitStatus.COMPLETED.value:
        logger.info("a visit pushed before the server marked visits synced is taken up")
        visit = accept_completed_visit(session, keys, visit)
    return move_visit(session, keys, actor, visit, VisitStatus.UNDER_REVIEW)

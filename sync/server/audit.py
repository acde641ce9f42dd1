"""Hash-chained audit log: every read of a household's sensitive data and every change.

Entries are staged on the session (`record_event`) and written just before the transaction
commits, so an audit entry exists exactly when the action it describes was committed, and the
chain head row is locked only for the last moments of a transaction. Each entry's `hash` is
HMAC-SHA256(audit key, previous hash + canonical entry): editing, reordering or removing any
entry, or truncating the log, breaks the chain that `verify_chain` walks; without the server
key nobody can forge a consistent replacement. Entries hold ids, actions and field names, never
names, ID numbers or other content.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session, col, select

from sync.server.bulk import insert_rows
from sync.server.crypto import ServerKeys
from sync.server.models import AuditEntry, AuditHead, AuditVerifyPublic, utcnow

logger = logging.getLogger(__name__)

_PENDING = "jiafang_audit_pending"
_KEYS = "jiafang_server_keys"
GENESIS_HASH = "0" * 64


@dataclass(frozen=True)
class AuditEvent:
    action: str
    user_id: str | None
    device_id: str | None
    entity: str | None = None
    entity_id: str | None = None
    household_id: str | None = None
    detail: dict[str, Any] = field(default_factory=dict)
    at: datetime = field(default_factory=utcnow)


def bind_keys(session: OrmSession, keys: ServerKeys) -> None:
    """Give a session the keys the commit hook needs to extend the chain."""
    session.info[_KEYS] = keys


def record_event(session: OrmSession, audit_event: AuditEvent) -> None:
    session.info.setdefault(_PENDING, []).append(audit_event)


def _entry_body(n: int, ev_at: datetime, entry: AuditEntry | AuditEvent) -> dict[str, Any]:
    return {
        "n": n,
        "at": ev_at.isoformat(),
        "user_id": entry.user_id,
        "device_id": entry.device_id,
        "action": entry.action,
        "entity": entry.entity,
        "entity_id": entry.entity_id,
        "household_id": entry.household_id,
        "detail": entry.detail,
    }


@event.listens_for(OrmSession, "before_commit")
def _write_pending(session: OrmSession) -> None:
    pending: list[AuditEvent] = session.info.pop(_PENDING, [])
    if not pending:
        return
    keys: ServerKeys | None = session.info.get(_KEYS)
    if keys is None:
        raise RuntimeError("audit events staged on a session without server keys")
    head = session.execute(
        select(AuditHead).where(AuditHead.id == 1).with_for_update()
    ).scalar_one()
    n, last_hash = head.n, head.last_hash
    rows: list[dict[str, Any]] = []
    for audit_event in pending:
        n += 1
        mac = keys.audit_mac(last_hash, _entry_body(n, audit_event.at, audit_event))
        rows.append(
            {
                "n": n,
                "at": audit_event.at,
                "user_id": audit_event.user_id,
                "device_id": audit_event.device_id,
                "action": audit_event.action,
                "entity": audit_event.entity,
                "entity_id": audit_event.entity_id,
                "household_id": audit_event.household_id,
                "detail": audit_event.detail,
                "prev_hash": last_hash,
                "hash": mac,
            }
        )
        last_hash = mac
    # One bulk insert (Core, no ORM objects): a push stages one entry per change.
    insert_rows(session.connection(), AuditEntry.__table__, rows)  # type: ignore[attr-defined]
    head.n, head.last_hash = n, last_hash
    session.add(head)
    session.flush()


@event.listens_for(OrmSession, "after_rollback")
def _drop_pending(session: OrmSession) -> None:
    session.info.pop(_PENDING, None)


def verify_chain(session: Session, keys: ServerKeys) -> AuditVerifyPublic:
    """Walk the whole chain; report the first entry that does not fit."""
    expected_prev = GENESIS_HASH
    count = 0
    statement = select(AuditEntry).order_by(col(AuditEntry.n)).execution_options(yield_per=1000)
    rows = session.exec(statement)
    try:
        for entry in rows:
            count += 1
            if entry.n != count:
                return _bad(count, entry.n, "missing_entry")
            if entry.prev_hash != expected_prev:
                return _bad(count, entry.n, "broken_link")
            if keys.audit_mac(expected_prev, _entry_body(entry.n, entry.at, entry)) != entry.hash:
                return _bad(count, entry.n, "altered_entry")
            expected_prev = entry.hash
    finally:
        rows.close()  # a server-side cursor on PostgreSQL when we stop early
    head = session.get(AuditHead, 1)
    if head is None or head.n != count or head.last_hash != expected_prev:
        return _bad(count, count + 1, "truncated")
    return AuditVerifyPublic(ok=True, entries=count, first_bad_entry=None, reason=None)


def _bad(count: int, n: int, reason: str) -> AuditVerifyPublic:
    logger.error("audit chain verification failed at entry %d: %s", n, reason)
    return AuditVerifyPublic(ok=False, entries=count, first_bad_entry=n, reason=reason)

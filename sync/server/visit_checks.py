"""The server's checks on each finished visit — the device-signature verification
(`signatures`) and the eligibility recomputation (`recompute`) — run once per visit, after the
push that brings it, off the laptop's request.

Queue. When a visit first reaches a finished status, the push that writes it adds a row to
`visit_check_pending` in its own transaction (a side effect of visit changes in
`records.SIDE_EFFECTS`), so a finished visit is never committed without either its checks or
its place in the queue. A review's later status moves queue nothing (`_settled`).

Who runs them. Each server process runs a `VisitCheckWorker`: a thread that claims a few
queued visits at a time (`run_pending`: the claim deletes their queue rows in the transaction
that records the checks, so a crash leaves them queued, and on PostgreSQL `SKIP LOCKED` keeps
several processes from claiming the same visit), and only while its process serves no request,
unless it has waited `patience_s` for a quiet moment. Whatever reads check results first
completes the pending checks of the visits it reads (`settle`): the review queue, the flag
list, the start of a review and a decision. A supervisor therefore never sees a visit without
its checks, and never approves one before they are made.

Why not in the push. Measured with 500 laptops pushing 20 completed visits each within a
minute on two cores: the checks were about 38% of the server's CPU time for those pushes
(evaluating a family under the policy, validating its content, verifying a 10 KB signed
document, writing the results). In the push they were paid while a laptop waited, in the very
seconds when most laptops came online; queued, they are paid in the gaps between requests,
and the laptop's push answers as soon as its visits are stored.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Field, Session, SQLModel, col, select

from app.domain import VisitStatus
from sync.protocol import Entity
from sync.server.audit import bind_keys
from sync.server.crypto import ServerKeys
from sync.server.models import SyncRecord, UTCDateTime, utcnow
from sync.server.records import PREFETCHERS, SIDE_EFFECTS, open_data, stage_insert

logger = logging.getLogger(__name__)

FINISHED: Final = frozenset(s.value for s in VisitStatus if s is not VisitStatus.DRAFT)

#: a check runs on (session, keys, the visit's current record, its decrypted content)
VisitCheckRun = Callable[[Session, ServerKeys, SyncRecord, dict[str, Any]], object]
#: called once per claimed batch before its checks, with every (record, content) of the batch
BatchPreparer = Callable[[Session, list[tuple[SyncRecord, dict[str, Any]]]], None]


class VisitCheckPending(SQLModel, table=True):
    """A finished visit whose checks are still to be made (one row per visit)."""

    __tablename__ = "visit_check_pending"

    visit_id: str = Field(primary_key=True, max_length=64)
    queued_at: datetime = Field(
        default_factory=utcnow, sa_type=UTCDateTime, nullable=False, index=True
    )


_PENDING: Final[sa.Table] = VisitCheckPending.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class FinishedVisitCheck:
    """One check: `run` records its result in `model`'s table, keyed by `visit_id`."""

    name: str
    model: type[SQLModel]
    visit_id: Any
    run: VisitCheckRun
    prepare_batch: BatchPreparer | None = None

    def done_among(self, session: Session, visit_ids: Iterable[str]) -> set[str]:
        ids = sorted(set(visit_ids))
        if not ids:
            return set()
        return set(session.exec(select(self.visit_id).where(col(self.visit_id).in_(ids))))


#: every check made on a finished visit, in the order they run
CHECKS: list[FinishedVisitCheck] = []


def register(check: FinishedVisitCheck) -> None:
    """Add a check (idempotent by name), and hook the queue into the write path of visits."""
    if all(c.name != check.name for c in CHECKS):
        CHECKS.append(check)
    effects = SIDE_EFFECTS.setdefault(Entity.VISIT, [])
    if _queue_finished_visit not in effects:
        effects.append(_queue_finished_visit)
    if _prefetch_settled not in PREFETCHERS:
        PREFETCHERS.append(_prefetch_settled)


# ----------------------------------------------------------------------------- the push side

_QUEUED = "jiafang_visit_checks_queued"  # visit ids queued (or found settled) in this transaction
_UNSETTLED = "jiafang_visit_checks_unsettled"  # batch visits known to be neither queued nor done
_WAKE = "jiafang_visit_checks_wake"  # this transaction queued visits: wake the worker on commit
#: called after a commit that queued visits (the process's worker registers its `wake`)
_WAKERS: list[Callable[[], None]] = []


def _settled(session: Session, visit_id: str) -> bool:
    """Whether a visit is queued already or has every check made (one lookup per table)."""
    with session.no_autoflush:  # runs in the middle of writing a record
        if session.get(VisitCheckPending, visit_id) is not None:
            return True
        return all(session.get(c.model, visit_id) is not None for c in CHECKS)


def _prefetch_settled(session: Session, existing: list[SyncRecord]) -> None:
    """Which existing visits of a push batch are neither queued nor checked, in a few queries
    (`records.prefetch`), so writing them needs no lookup of its own."""
    visit_ids = {r.id for r in existing if r.entity == Entity.VISIT}
    if not visit_ids:
        return
    queued = set(
        session.exec(
            select(VisitCheckPending.visit_id).where(
                col(VisitCheckPending.visit_id).in_(sorted(visit_ids))
            )
        )
    )
    done = set(visit_ids - queued)
    for check in CHECKS:
        done &= check.done_among(session, done)
    session.info.setdefault(_QUEUED, set()).update(queued | done)
    session.info.setdefault(_UNSETTLED, set()).update(visit_ids - queued - done)


def _queue_finished_visit(
    session: Session, _keys: ServerKeys, record: SyncRecord, _data: dict[str, Any]
) -> None:
    if record.deleted or record.meta.get("status") not in FINISHED or not CHECKS:
        return
    queued: set[str] = session.info.setdefault(_QUEUED, set())
    if record.id in queued:
        return
    # A first version was never queued; a later one was when it was completed (a review's
    # status move), unless the batch's lookup says otherwise or it is from before the queue.
    unsettled: set[str] = session.info.get(_UNSETTLED, set())
    if record.version > 1 and record.id not in unsettled and _settled(session, record.id):
        queued.add(record.id)
        return
    stage_insert(session, _PENDING, {"visit_id": record.id, "queued_at": utcnow()})
    queued.add(record.id)
    session.info[_WAKE] = True


@event.listens_for(OrmSession, "after_commit")
def _wake_workers(session: OrmSession) -> None:
    session.info.pop(_QUEUED, None)
    session.info.pop(_UNSETTLED, None)
    if session.info.pop(_WAKE, False):
        for wake in list(_WAKERS):
            wake()


@event.listens_for(OrmSession, "after_rollback")
def _forget_queued(session: OrmSession) -> None:
    for key in (_QUEUED, _UNSETTLED, _WAKE):
        session.info.pop(key, None)


# ----------------------------------------------------------------------------- running checks


def _claim(
    session: Session, visit_ids: Sequence[str] | None, limit: int | None, *, skip_locked: bool
) -> list[str]:
    """Delete queue rows and return their visit ids: the oldest `limit` (all when None), or
    those of `visit_ids`. A row another transaction claimed and has not committed is waited
    for (its checks are then visible), or passed over with `skip_locked` on PostgreSQL."""
    if visit_ids is not None:
        if not visit_ids:
            return []
        which: Any = sa.select(_PENDING.c.visit_id).where(
            _PENDING.c.visit_id.in_(sorted(set(visit_ids)))
        )
    else:
        which = (
            sa.select(_PENDING.c.visit_id)
            .where(_PENDING.c.queued_at <= utcnow())
            .order_by(_PENDING.c.queued_at, _PENDING.c.visit_id)
        )
        if limit is not None:
            which = which.limit(limit)
    if skip_locked and session.get_bind().dialect.name == "postgresql":
        which = which.with_for_update(skip_locked=True)
    claimed = session.execute(
        sa.delete(_PENDING)
        .where(_PENDING.c.visit_id.in_(which.scalar_subquery()))
        .returning(_PENDING.c.visit_id)
    )
    return sorted(str(v) for v in claimed.scalars())


def _check(session: Session, keys: ServerKeys, visit_ids: list[str]) -> None:
    """Make every check not yet recorded on those visits (their queue rows are claimed).

    A visit whose content cannot be opened, or whose check fails unexpectedly, goes back to
    the end of the queue, due again after `RETRY_AFTER` (logged with its id, which is not
    personal): one bad visit must not hold up the others, nor the supervisor's pages."""
    if not visit_ids:
        return
    if not CHECKS:  # the claim would drop the visits from the queue unchecked
        raise RuntimeError("no visit check is registered (import recompute and signatures)")
    records = session.exec(
        select(SyncRecord).where(
            SyncRecord.entity == Entity.VISIT.value, col(SyncRecord.id).in_(visit_ids)
        )
    ).all()
    batch: list[tuple[SyncRecord, dict[str, Any]]] = []
    failed: set[str] = set()
    for record in sorted(records, key=lambda r: r.id):
        if record.deleted or record.meta.get("status") not in FINISHED:
            continue
        try:
            batch.append((record, open_data(keys, record)))
        except Exception as exc:
            _failed(session, record.id, exc, failed)
    ids = [record.id for record, _ in batch]
    for check in CHECKS:
        done = check.done_among(session, ids)
        todo = [(r, data) for r, data in batch if r.id not in done and r.id not in failed]
        if todo and check.prepare_batch is not None:
            check.prepare_batch(session, todo)
        for record, data in todo:
            try:
                check.run(session, keys, record, data)
            except Exception as exc:  # the checks write only once their result is worked out
                _failed(session, record.id, exc, failed)


#: how long a visit whose check failed waits before the worker tries it again
RETRY_AFTER: Final = timedelta(minutes=5)


def _failed(session: Session, visit_id: str, exc: Exception, failed: set[str]) -> None:
    # The type only: an error's text can quote the content's values.
    logger.error("visit check failed for visit %s (%s); queued again", visit_id, type(exc).__name__)
    failed.add(visit_id)
    stage_insert(session, _PENDING, {"visit_id": visit_id, "queued_at": utcnow() + RETRY_AFTER})


def run_pending(
    session: Session,
    keys: ServerKeys,
    *,
    limit: int | None = None,
    skip_locked: bool = False,
) -> int:
    """Claim the oldest queued visits (`limit`, or all) and make their checks, in the
    caller's transaction (which commits). Returns how many visits were claimed."""
    claimed = _claim(session, None, limit, skip_locked=skip_locked)
    _check(session, keys, claimed)
    return len(claimed)


#: the most queued visits one request checks (`settle`); the worker makes the rest
SETTLE_LIMIT: Final = 50


def settle(session: Session, keys: ServerKeys, visit_ids: Iterable[str]) -> None:
    """Complete the pending checks of these visits before their results are read, in the
    caller's transaction (which commits). Visits a worker is checking right now are waited
    for; visits already checked cost one indexed lookup. Call it before taking the change
    lock: the worker may need that lock to raise a flag while it holds the visit's claim.
    At most `SETTLE_LIMIT` visits, the oldest queued (a backlog, say after an upgrade, is the
    worker's to make, not one supervisor request's)."""
    wanted = sorted(set(visit_ids))
    if not wanted:
        return
    queued = list(
        session.exec(
            select(VisitCheckPending.visit_id)
            .where(col(VisitCheckPending.visit_id).in_(wanted))
            .order_by(col(VisitCheckPending.queued_at), col(VisitCheckPending.visit_id))
            .limit(SETTLE_LIMIT)
        )
    )
    if queued:
        _check(session, keys, _claim(session, queued, None, skip_locked=False))


def make_pending_checks(engine: Engine, keys: ServerKeys) -> int:
    """Make the checks of every queued visit now, in one transaction (waiting for those a
    worker is making); returns how many visits it checked."""
    with Session(engine, expire_on_commit=False) as session:
        bind_keys(session, keys)
        claimed = run_pending(session, keys)
        session.commit()
    return claimed


def pending_count(session: Session) -> int:
    return int(session.execute(sa.select(sa.func.count()).select_from(_PENDING)).scalar_one())


def wait_until_checked(engine: Engine, timeout_s: float) -> bool:
    """Wait until the servers' workers have made the checks of every queued visit; False if
    some are still queued after `timeout_s` (a claimed batch counts as queued until its
    checks commit with the claim)."""
    deadline = time.monotonic() + timeout_s
    while True:
        with Session(engine) as session:
            if pending_count(session) == 0:
                return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.02)


# ----------------------------------------------------------------------------- the worker


class VisitCheckWorker:
    """Runs the queued checks of one server process in a background thread, in the
    process's quiet moments (see the module docstring).

    `busy` tells whether the process is serving a request. While it is, the worker waits in
    steps of `idle_wait_s`, but not longer than `patience_s` in a row, so a server that is
    never quiet still checks `batch` visits every `patience_s`. It wakes when a commit of this
    process queued visits, and every `poll_s` for those queued by another process or left
    by one that stopped."""

    def __init__(
        self,
        engine: Engine,
        keys: ServerKeys,
        busy: Callable[[], bool],
        *,
        batch: int = 10,
        patience_s: float = 5.0,
        idle_wait_s: float = 0.05,
        poll_s: float = 15.0,
        retry_s: float = 30.0,
    ) -> None:
        self._engine = engine
        self._keys = keys
        self._busy = busy
        self._batch = batch
        self._patience_s = patience_s
        self._idle_wait_s = idle_wait_s
        self._poll_s = poll_s
        self._retry_s = retry_s
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is not None:
            return
        self._stop.clear()
        _WAKERS.append(self.wake)
        self._thread = threading.Thread(target=self._run, name="visit-checks", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop after the batch in progress (an unfinished one stays queued)."""
        if self.wake in _WAKERS:
            _WAKERS.remove(self.wake)
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def wake(self) -> None:
        self._wake.set()

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.clear()
            try:
                self._drain()
            except Exception as exc:
                # The type only: a database error's text can quote the row's values.
                logger.error("visit checks failed (%s); retrying later", type(exc).__name__)
                self._stop.wait(self._retry_s)
                continue
            self._wake.wait(self._poll_s)

    def _drain(self) -> None:
        waiting_since: float | None = None
        while not self._stop.is_set():
            if self._busy():
                now = time.monotonic()
                waiting_since = now if waiting_since is None else waiting_since
                if now - waiting_since < self._patience_s:
                    self._stop.wait(self._idle_wait_s)
                    continue
            waiting_since = None
            with Session(self._engine, expire_on_commit=False) as session:
                bind_keys(session, self._keys)  # a check may write to the audit log
                claimed = run_pending(session, self._keys, limit=self._batch, skip_locked=True)
                session.commit()
            if claimed == 0:
                return
            logger.debug("visit checks made for %d visits", claimed)

"""Running a server-side check on each finished visit once: the signature verification
(`signatures`) and the eligibility recomputation (`recompute`) both hook into the write path of
visits this way.

Only the first finished version of a visit is checked (later versions of a finished visit are
status moves). Which visits were checked is remembered for the transaction, and a push batch asks
for all of its visits in one query beforehand (`records.PREFETCHERS`); the memory is dropped on
commit and on rollback (a rolled-back check must be made again).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

from sqlalchemy import event
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session, SQLModel, col, select

from app.domain import VisitStatus
from sync.protocol import Entity
from sync.server.crypto import ServerKeys
from sync.server.models import SyncRecord
from sync.server.records import PREFETCHERS, SIDE_EFFECTS

#: a visit check runs on (session, keys, the visit's record, its decrypted data)
VisitCheck = Callable[[Session, ServerKeys, SyncRecord, dict[str, Any]], object]

FINISHED: Final = frozenset(s.value for s in VisitStatus if s is not VisitStatus.DRAFT)


class FinishedVisitCheck:
    """`check` run once per finished visit; `model` is the table whose row (keyed by visit id,
    column `visit_id`) says the check was made."""

    def __init__(self, name: str, model: type[SQLModel], visit_id: Any, check: VisitCheck) -> None:
        self._checked_key = f"jiafang_{name}_checked"
        # visits of the batch known to have no check yet (no lookup needed for them)
        self._unchecked_key = f"jiafang_{name}_unchecked"
        self._model = model
        self._visit_id = visit_id
        self._check = check
        event.listen(OrmSession, "after_commit", self._forget)
        event.listen(OrmSession, "after_rollback", self._forget)

    def checked(self, session: Session) -> set[str]:
        """Visits already checked in this transaction (or found checked before it)."""
        checked: set[str] = session.info.get(self._checked_key, set())
        return checked

    def worth_preparing(self, session: Session, visit_id: str, version: int) -> bool:
        """Whether a finished version being prepared is one this check will run on, as far as
        is known without a query: a first version, or one the batch's lookup found unchecked
        (`prefetch`). A later version of a visit that was checked long ago (a review's status
        move, made under the change lock) is not worth checking ahead; should it need the
        check after all, `on_visit_change` makes it when the version is written."""
        if visit_id in self.checked(session):
            return False
        unchecked: set[str] = session.info.get(self._unchecked_key, set())
        return version == 1 or visit_id in unchecked

    def on_visit_change(
        self, session: Session, keys: ServerKeys, record: SyncRecord, data: dict[str, Any]
    ) -> None:
        if record.deleted or record.meta.get("status") not in FINISHED:
            return
        checked: set[str] = session.info.setdefault(self._checked_key, set())
        if record.id in checked:
            return
        # A first version has never been checked; a later one may have been, when it was
        # completed. The lookup must not flush: this runs in the middle of writing the record.
        unchecked: set[str] = session.info.get(self._unchecked_key, set())
        if record.version > 1 and record.id not in unchecked:
            with session.no_autoflush:
                if session.get(self._model, record.id) is not None:
                    checked.add(record.id)
                    return
        self._check(session, keys, record, data)
        checked.add(record.id)

    def prefetch(self, session: Session, existing: list[SyncRecord]) -> None:
        """Which visits of a push batch were checked already, in one query."""
        visit_ids = sorted({r.id for r in existing if r.entity == Entity.VISIT})
        if not visit_ids:
            return
        done = set(session.exec(select(self._visit_id).where(col(self._visit_id).in_(visit_ids))))
        session.info.setdefault(self._checked_key, set()).update(done)
        session.info.setdefault(self._unchecked_key, set()).update(set(visit_ids) - done)

    def _forget(self, session: OrmSession) -> None:
        session.info.pop(self._checked_key, None)
        session.info.pop(self._unchecked_key, None)

    def register(self) -> None:
        """Hook the check into the write path of visits (idempotent)."""
        effects = SIDE_EFFECTS.setdefault(Entity.VISIT, [])
        if self.on_visit_change not in effects:
            effects.append(self.on_visit_change)
        if self.prefetch not in PREFETCHERS:
            PREFETCHERS.append(self.prefetch)

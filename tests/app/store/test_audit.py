"""The audit log: every edit leaves an entry; any edit, removal, reordering, insertion or
truncation of the log is detected."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from app.domain import VisitKind
from app.services.demo import complete_signed
from app.store.audit import AuditFields, chain_hash
from app.store.local_store import LocalStore
from tests.app.store.conftest import PASSWORD, complete_visit_content, make_household


@pytest.fixture
def busy_store(store: LocalStore) -> LocalStore:
    h = store.create_household(grid_id="g1", content=make_household("曹操", serial=1))
    store.update_household(h.household_id, note="一")
    visit = store.create_visit_draft(
        h.household_id, VisitKind.APPLICATION, complete_visit_content()
    )
    complete_signed(store, visit.visit_id)
    return store


def test_edits_leave_audit_entries_without_personal_data(busy_store: LocalStore) -> None:
    entries = busy_store.audit_entries(limit=50)
    actions = [e.action for e in reversed(entries)]
    assert actions[:2] == ["store.create", "household.create"]
    assert "visit.complete" in actions
    assert all(e.user_id == "worker-1" and e.device_id == "laptop-1" for e in entries)
    assert all(
        e.at.utcoffset() is not None and e.at.utcoffset().total_seconds() == 0 for e in entries
    )
    with sqlite3.connect(busy_store.path) as conn:
        dump = "".join(str(r) for r in conn.execute("SELECT * FROM audit_log"))
    assert "曹操" not in dump
    assert busy_store.verify_audit_chain().ok


def _rows(conn: sqlite3.Connection) -> list[tuple[object, ...]]:
    return conn.execute("SELECT * FROM audit_log ORDER BY seq").fetchall()


def _edit(conn: sqlite3.Connection) -> None:
    conn.execute("UPDATE audit_log SET action = 'household.view' WHERE seq = 3")


def _delete(conn: sqlite3.Connection) -> None:
    conn.execute("DELETE FROM audit_log WHERE seq = 3")


def _reorder(conn: sqlite3.Connection) -> None:
    rows = {r[0]: r for r in _rows(conn)}
    for seq, source in ((3, 4), (4, 3)):
        conn.execute(
            "UPDATE audit_log SET at=?, user_id=?, device_id=?, action=?, entity=?, entity_id=?, "
            "prev_hash=?, hash=? WHERE seq=?",
            (*rows[source][1:], seq),
        )


def _truncate(conn: sqlite3.Connection) -> None:
    conn.execute("DELETE FROM audit_log WHERE seq > 3")


def _rewrite_whole_chain(conn: sqlite3.Connection) -> None:
    """An attacker who knows the algorithm edits entry 2 and recomputes every hash after it."""
    prev = "0" * 64
    for seq, at, user, dev, action, entity, eid, _, _ in _rows(conn):
        if seq == 2:
            user = "someone-else"
        digest = chain_hash(prev, AuditFields(seq, at, user, dev, action, entity, eid))
        conn.execute(
            "UPDATE audit_log SET user_id=?, prev_hash=?, hash=? WHERE seq=?",
            (user, prev, digest, seq),
        )
        prev = digest


def _append_forged(conn: sqlite3.Connection) -> None:
    seq, at, user, dev, _, _, _, _, last = _rows(conn)[-1]
    fields = AuditFields(seq + 1, at, user, dev, "household.create", "household", "forged")
    conn.execute(
        "INSERT INTO audit_log VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (seq + 1, at, user, dev, fields.action, fields.entity, fields.entity_id, last,
         chain_hash(str(last), fields)),
    )  # fmt: skip


@pytest.mark.parametrize(
    "tamper",
    [_edit, _delete, _reorder, _truncate, _rewrite_whole_chain, _append_forged],
    ids=["edit", "delete", "reorder", "truncate-tail", "rewrite-chain", "append-forged"],
)
def test_tampering_is_detected(
    busy_store: LocalStore, store_path: Path, tamper: Callable[[sqlite3.Connection], None]
) -> None:
    assert busy_store.verify_audit_chain().ok
    busy_store.close()
    conn = sqlite3.connect(store_path)
    with conn:
        tamper(conn)
    conn.close()
    reopened = LocalStore.open(store_path)
    reopened.unlock(PASSWORD)
    result = reopened.verify_audit_chain()
    assert not result.ok
    assert result.problem
    assert result.first_bad_seq is not None
    reopened.close()


def test_chain_survives_reopen_and_keeps_growing(busy_store: LocalStore, store_path: Path) -> None:
    count = busy_store.verify_audit_chain().entries
    busy_store.close()
    reopened = LocalStore.open(store_path)
    reopened.unlock(PASSWORD)
    reopened.create_household(grid_id="g2", content=make_household("刘备", serial=2))
    result = reopened.verify_audit_chain()
    assert result.ok
    assert result.entries == count + 2  # household and member
    reopened.close()

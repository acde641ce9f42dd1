"""Schema upgrades of an existing store keep every unsynced edit."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from app.crypto import AssociatedData, KdfParams, create_vault
from app.errors import StoreError
from app.ids import uuid7
from app.store import migrations
from app.store.local_store import LocalStore
from app.store.migrations import LATEST_SCHEMA_VERSION, apply_steps, schema_version
from tests.app.store.conftest import PASSWORD, make_id_number


def _version_1_store(path: Path) -> dict[str, str]:
    """A store as version 1 of the software wrote it: a household, a member and two pending
    outbox rows (no search entries, no outbox state column)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    header, vault = create_vault(PASSWORD, kdf=KdfParams.for_tests())
    hid, mid = uuid7(), uuid7()
    mutations = [uuid7(), uuid7()]
    number = make_id_number(123)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    apply_steps(conn, target=1)
    assert schema_version(conn) == 1
    conn.execute("BEGIN")
    conn.executemany(
        "INSERT INTO vault_meta VALUES (?, ?)",
        [("vault_header", header), ("user_id", b"worker-9"), ("device_id", b"old-laptop")],
    )
    for key_id in ("store", "index", hid):
        conn.execute(
            "INSERT INTO wrapped_key VALUES (?, ?, '2026-01-01T00:00:00+00:00')",
            (key_id, vault.new_data_key(key_id)),
        )
    household = {"head_name": "欧阳修", "address": "醉翁亭路1号", "registered_residence": "",
                 "actual_residence": "", "phone": "", "note": ""}  # fmt: skip
    member = {"member_id": mid, "name": "欧阳修", "id_number": number, "relation": "head"}
    conn.execute(
        "INSERT INTO household (id, grid_id, status, version, seq, payload) VALUES (?,?,?,?,?,?)",
        (hid, "g1", "active", 0, 0,
         vault.encrypt_json(hid, household, AssociatedData("household", "payload", hid, 0))),
    )  # fmt: skip
    blind = bytes.fromhex(vault.blind_index(number, purpose="id_number"))[:16]
    conn.execute(
        "INSERT INTO member (id, household_id, blind_index, version, seq, payload) "
        "VALUES (?,?,?,?,?,?)",
        (mid, hid, blind, 0, 0,
         vault.encrypt_json(hid, member, AssociatedData("member", "payload", mid, 0))),
    )  # fmt: skip
    for mutation_id, (entity, eid, changed) in zip(
        mutations, [("household", hid, household), ("member", mid, member)], strict=True
    ):
        conn.execute(
            "INSERT INTO outbox (mutation_id, device_id, entity, entity_id, household_id, "
            "base_version, op, fields, hlc, schema_version, created_at, payload) "
            "VALUES (?,?,?,?,?,0,'upsert',?,?,1,'2026-01-01T00:00:00+00:00',?)",
            (mutation_id, "old-laptop", entity, eid, hid, ",".join(sorted(changed)),
             f"0000018d00000000:{len(eid) % 7:04x}:old-laptop",
             vault.encrypt_json(hid, changed, AssociatedData("outbox", "payload", mutation_id, 0))),
        )  # fmt: skip
    conn.execute("COMMIT")
    conn.close()
    return {
        "household": hid,
        "member": mid,
        "number": number,
        "m1": mutations[0],
        "m2": mutations[1],
    }


def test_upgrade_from_version_1_keeps_pending_outbox_rows(tmp_path: Path) -> None:
    path = tmp_path / "profile" / "store.sqlite3"
    ids = _version_1_store(path)
    store = LocalStore.open(path)
    with sqlite3.connect(path) as conn:
        assert schema_version(conn) == LATEST_SCHEMA_VERSION
    assert not list(path.parent.glob("*.bak"))  # backup removed once the upgrade committed
    store.unlock(PASSWORD)
    pending = store.pending_mutations()
    assert [m.mutation_id for m in pending] == [ids["m1"], ids["m2"]]
    assert pending[0].changed["head_name"] == "欧阳修"
    assert pending[1].changed["id_number"] == ids["number"]
    # Data written by version 1 is readable, searchable (index rebuilt at unlock) and findable.
    assert store.get_household(ids["household"]).members[0].content.name == "欧阳修"
    assert store.search_households("欧阳")[0].household_id == ids["household"]
    assert store.find_by_id_number(ids["number"])[0].member_id == ids["member"]
    # New features of later versions work on the upgraded file.
    store.quarantine(ids["m2"], "test")
    assert [q.entry.mutation_id for q in store.quarantined_mutations()] == [ids["m2"]]
    store.update_household(ids["household"], note="升级后修改")
    assert store.pending_count() == 2
    assert store.verify_audit_chain().ok
    store.close()


def test_upgrade_to_version_4_drops_only_the_unused_household_indexes(tmp_path: Path) -> None:
    path = tmp_path / "profile" / "store.sqlite3"
    ids = _version_1_store(path)
    with sqlite3.connect(path, isolation_level=None) as conn:
        apply_steps(conn, target=3)
    LocalStore.open(path).close()
    with sqlite3.connect(path) as conn:
        assert schema_version(conn) >= 4
        indexes = {r[1] for r in conn.execute("PRAGMA index_list(household)")}
        plan = " ".join(
            r[3]
            for r in conn.execute("EXPLAIN QUERY PLAN SELECT id, grid_id, status FROM household")
        )
    conn.close()
    assert "ix_household_grid_id" not in indexes
    assert "ix_household_next_review" not in indexes
    assert "ix_household_listing" in indexes and "ix_household_listing" in plan
    store = LocalStore.open(path)
    store.unlock(PASSWORD)
    assert [h.household_id for h in store.list_households(grid_id="g1")] == [ids["household"]]
    assert store.pending_count() == 2
    store.close()


def test_failed_upgrade_restores_the_previous_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "profile" / "store.sqlite3"
    ids = _version_1_store(path)
    broken = (*migrations.STEPS[:2], (3, "CREATE TABLE conflict (id TEXT); CREATE TABLE oops ("))
    monkeypatch.setattr(migrations, "STEPS", broken)
    with pytest.raises(StoreError) as info:
        LocalStore.open(path)
    assert info.value.code == "migration_failed"
    with sqlite3.connect(path) as conn:
        assert schema_version(conn) == 1  # step 2 had committed; the backup undid it
        assert [r[0] for r in conn.execute("SELECT mutation_id FROM outbox ORDER BY seq")] == [
            ids["m1"],
            ids["m2"],
        ]
    monkeypatch.undo()
    store = LocalStore.open(path)  # the real steps still apply afterwards
    store.unlock(PASSWORD)
    assert len(store.pending_mutations()) == 2
    store.close()


def test_file_from_a_newer_version_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite3"
    conn = sqlite3.connect(path, isolation_level=None)
    apply_steps(conn)
    conn.execute(f"PRAGMA user_version = {LATEST_SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(StoreError) as info:
        LocalStore.open(path)
    assert info.value.code == "schema_too_new"


def test_a_file_that_is_not_a_store_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.sqlite3"
    sqlite3.connect(path).close()
    with pytest.raises(StoreError) as info:
        LocalStore.open(path)
    assert info.value.code == "not_a_store"

"""Partial replication ends: a contractor's closed task leaves no trace of its households on
the laptop, and a revoked device wipes itself."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from app.errors import StoreError
from tests.sync.e2e.harness import Laptop, LiveServer, household_content

LaptopFactory = Callable[[str], Laptop]
MARKER_NAME = "ZhangMarkerSanfeng"


def _profile_bytes(folder: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file())


def _secret_bytes(laptop: Laptop, household_ids: list[str]) -> list[bytes]:
    """Wrapped data keys and ciphertexts of these households as they sit in the store file."""
    conn = sqlite3.connect(f"file:{laptop.db.path}?mode=ro", uri=True)
    try:
        marks = ",".join("?" for _ in household_ids)
        found = [
            bytes(row[0])
            for query in (
                f"SELECT wrapped FROM wrapped_key WHERE key_id IN ({marks})",
                f"SELECT payload FROM household WHERE id IN ({marks})",
                f"SELECT payload FROM member WHERE household_id IN ({marks})",
            )
            for row in conn.execute(query, household_ids)
        ]
    finally:
        conn.close()
    return [blob[-32:] for blob in found]  # the tail: ciphertext and tag, unique per row


def _wrapped_keys(laptop: Laptop, household_ids: list[str]) -> int:
    conn = sqlite3.connect(f"file:{laptop.db.path}?mode=ro", uri=True)
    try:
        marks = ",".join("?" for _ in household_ids)
        row = conn.execute(
            f"SELECT count(*) FROM wrapped_key WHERE key_id IN ({marks})", household_ids
        ).fetchone()
        return int(row[0])
    finally:
        conn.close()


@pytest.mark.slow
def test_closed_contractor_task_leaves_nothing_on_the_laptop(
    server: LiveServer, laptop_factory: LaptopFactory
) -> None:
    fw1, con = laptop_factory("fw1"), laptop_factory("con")
    tasked = [
        fw1.db.create_household(
            grid_id="G1", content=household_content(f"{MARKER_NAME}{n}", n, members=2)
        ).household_id
        for n in range(3)
    ]
    other = fw1.db.create_household(grid_id="G1", content=household_content("李四", 9))
    assert fw1.engine().run_once().ok
    task_id = server.create_task(tasked)

    first = con.engine().run_once()
    assert first.ok and f"task:{task_id}" in first.buckets_added
    assert {h.household_id for h in con.db.list_households()} == set(tasked)
    assert con.db.search_households(MARKER_NAME)  # the contractor could work on them
    secrets = _secret_bytes(con, tasked)
    assert len(secrets) == 12 and _wrapped_keys(con, tasked) == 3
    before = _profile_bytes(con.folder)
    assert all(s in before for s in secrets)

    server.close_task(task_id)
    report = con.engines[0].run_once()

    assert report.ok and report.buckets_removed == [f"task:{task_id}"]
    assert report.households_purged == 3
    assert con.db.list_households() == [] and not con.db.search_households(MARKER_NAME)
    for hid in tasked:
        with pytest.raises(StoreError):
            con.db.get_household(hid)
    assert _wrapped_keys(con, tasked) == 0
    after = _profile_bytes(con.folder)
    # Marker scan: neither the data keys nor any ciphertext of those households, nor their
    # names in clear, remain in any file of the profile (store, WAL, sync bookkeeping).
    assert not [s for s in secrets if s in after]
    assert MARKER_NAME.encode() not in after
    assert other.household_id not in {h.household_id for h in con.db.list_households()}
    # The worker of the grid still has everything.
    assert fw1.engines[0].run_once().ok
    assert len(fw1.db.list_households()) == 4


@pytest.mark.slow
def test_revoked_device_wipes_itself_on_next_contact(
    server: LiveServer, laptop_factory: LaptopFactory
) -> None:
    fw1 = laptop_factory("fw1")
    fw1.db.create_household(grid_id="G1", content=household_content(MARKER_NAME, 1))
    assert fw1.engine().run_once().ok
    fw1.db.create_household(grid_id="G1", content=household_content("王五", 2))  # unsent
    server.revoke_device(fw1.device_id)

    report = fw1.engines[0].run_once()

    assert report.outcome == "wiped" and report.error_code == "revoked"
    assert not (fw1.folder / "store.sqlite3").exists()
    assert not (fw1.folder / "sync_state.sqlite3").exists()
    assert not [p for p in fw1.folder.rglob("*") if p.is_file() and p.suffix != ".json"]
    assert MARKER_NAME.encode() not in _profile_bytes(fw1.folder)
    again = fw1.engines[0].run_once()
    assert again.outcome == "wiped"
    fw1.store = None  # the wiped store closed itself


@pytest.mark.slow
def test_household_moved_to_another_grid_leaves_the_old_grids_laptops(
    server: LiveServer, laptop_factory: LaptopFactory
) -> None:
    fw1, fw3 = laptop_factory("fw1"), laptop_factory("fw3")  # fw1: G1; fw3: G1 and G2
    moving = fw1.db.create_household(grid_id="G1", content=household_content("蒋一", 1))
    staying = fw1.db.create_household(grid_id="G1", content=household_content("蒋二", 2))
    assert fw1.engine().run_once().ok and fw3.engine().run_once().ok
    fw3.db.update_household(moving.household_id, grid_id="G2")
    assert fw3.engines[0].run_once().ok
    fw1.db.update_household(moving.household_id, phone="13700000000")  # made before it moved

    report = fw1.engines[0].run_once()

    assert report.ok and report.rejected == 1  # the edit reached a household out of reach
    assert report.deleted >= 2 and report.quarantined_discarded == 1  # reported, not silent
    assert {h.household_id for h in fw1.db.list_households()} == {staying.household_id}
    assert _wrapped_keys(fw1, [moving.household_id]) == 0
    assert server.checksum("grid:G1") == fw1.engines[0].local_checksum("grid:G1")
    assert fw3.engines[0].run_once().ok  # still held by fw3 through G2
    assert fw3.db.get_household(moving.household_id).grid_id == "G2"

"""Integrity repair, version negotiation, token rotation, cancellation and reconnection."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from app.errors import VaultLockedError
from sync.client import SyncProgress
from sync.client import engine as engine_module
from tests.sync.e2e.harness import REFERENCE_RECORDS, Laptop, LiveServer, household_content
from tests.sync.faults.proxy import Fault, FaultProxy

LaptopFactory = Callable[[str], Laptop]


@pytest.mark.slow
def test_checksum_mismatch_repulls_only_that_bucket(
    server: LiveServer, laptop_factory: LaptopFactory
) -> None:
    fw1, fw3 = laptop_factory("fw1"), laptop_factory("fw3")  # fw3 holds G1 and G2
    lost = fw1.db.create_household(grid_id="G1", content=household_content("郑一", 1))
    fw1.db.create_household(grid_id="G1", content=household_content("郑二", 2))
    fw3.db.create_household(grid_id="G2", content=household_content("郑三", 3))
    assert fw1.engine().run_once().ok and fw3.engine().run_once().ok
    assert fw3.engines[0].run_once().ok
    # A household row disappears from fw3's store behind the engine's back (a damaged file,
    # a restored backup): the checkpoint says it was pulled, so a normal pull never refetches.
    conn = sqlite3.connect(fw3.db.path)
    conn.execute("DELETE FROM household WHERE id = ?", (lost.household_id,))
    conn.commit()
    conn.close()

    report = fw3.engines[0].run_once()

    assert report.ok
    assert report.checksum_mismatches == ["grid:G1"] and report.checksum_unresolved == []
    assert fw3.db.get_household(lost.household_id).content.head_name == "郑一"
    for bucket in ("grid:G1", "grid:G2"):
        assert server.checksum(bucket) == fw3.engines[0].local_checksum(bucket)


@pytest.mark.slow
def test_schema_negotiation_sends_nothing_the_server_cannot_read(
    server: LiveServer, laptop_factory: LaptopFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    fw1 = laptop_factory("fw1")
    fw1.db.create_household(grid_id="G1", content=household_content("冯一", 1))
    engine = fw1.engine()

    monkeypatch.setattr(engine_module, "SCHEMA_VERSION", 99)  # this app is newer than the server
    newer = engine.run_once()
    assert newer.outcome == "server_too_old" and newer.pending_after == 2
    assert server.records("household") == []  # nothing sent, nothing refused

    monkeypatch.setattr(engine_module, "SCHEMA_VERSION", 0)  # older than the supported window
    older = engine.run_once()
    assert older.outcome == "upgrade_required" and older.upgrade_required

    monkeypatch.undo()
    assert engine.run_once().ok
    assert len(server.records("household")) == 1
    assert fw1.db.quarantined_mutations() == []

    # The laptop locks itself (idle) while a sync is due: the run ends with a typed answer.
    fw1.db.create_household(grid_id="G1", content=household_content("冯二", 2))
    fw1.db.lock()
    locked = engine.run_once()
    assert locked.outcome == "error" and locked.error_code == VaultLockedError.code
    assert locked.pending_after == 2


@pytest.mark.slow
def test_expired_access_token_is_refreshed_and_a_lost_refresh_answer_recovers(
    tmp_path: Path,
) -> None:
    live = LiveServer(tmp_path)
    live.access_ttl_s = 1
    live.seed()
    live.start()
    proxy = FaultProxy(live.port)
    try:
        fw1 = Laptop.register(live, "fw1", tmp_path / "laptop")
        engine = fw1.engine(proxy.url)
        assert engine.run_once().ok
        first_refresh = engine._refresh_token
        time.sleep(1.2)
        fw1.db.create_household(grid_id="G1", content=household_content("陈一", 1))
        assert engine.run_once().ok
        assert engine._refresh_token != first_refresh  # rotated
        assert proxy.log.paths("POST", "/v1/auth/refresh")

        # The server rotates the token but its answer is lost: the retry presents a used
        # token, the server revokes that family (reuse detection), and the engine signs in
        # again with the password instead of failing.
        time.sleep(1.2)
        proxy.add(Fault("lose_response", "POST", "/v1/auth/refresh"))
        fw1.db.create_household(grid_id="G1", content=household_content("陈二", 2))
        report = engine.run_once()
        assert report.ok and report.applied == 2
        paths = [e.path for e in proxy.log.exchanges]
        assert paths.index("/v1/auth/login", paths.index("/v1/auth/refresh")) > 0

        # Parallel requests (photo uploads) meeting an expired token together renew it once:
        # a second refresh of the same token would make the server revoke the family.
        engine._access_token = "expired-access-token-0000000000000000"
        proxy.log.exchanges.clear()
        start = threading.Barrier(6)
        statuses: list[int] = []

        def call() -> None:
            start.wait()
            statuses.append(engine._call("GET", "/v1/sync/buckets").status)

        workers = [threading.Thread(target=call) for _ in range(6)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(30)
        assert statuses == [200] * 6
        assert len(proxy.log.paths("POST", "/v1/auth/refresh")) == 1
        assert proxy.log.paths("POST", "/v1/auth/login") == []
        fw1.close()
    finally:
        proxy.close()
        live.close()


@pytest.mark.slow
def test_a_cancelled_pull_resumes_from_its_last_page(
    server: LiveServer, laptop_factory: LaptopFactory
) -> None:
    fw1, fw2 = laptop_factory("fw1"), laptop_factory("fw2")
    for n in range(60):
        fw1.db.create_household(grid_id="G1", content=household_content(f"褚{n}", n))
    assert fw1.engine().run_once().ok
    cancel = threading.Event()

    def stop_after_two_pages(progress: SyncProgress) -> None:
        if progress.phase == "pull" and progress.done >= 20:
            cancel.set()

    engine = fw2.engine(pull_limit=10)
    first = engine.run_once(cancel, stop_after_two_pages)
    assert first.outcome == "cancelled"
    assert 20 <= first.pulled < 120  # households and their members, 10 a page
    assert 0 < fw2.db.household_count() < 60

    second = engine.run_once()
    # Nothing pulled twice (the reference bucket comes after the grid's).
    assert second.ok and second.pulled == 120 - first.pulled + REFERENCE_RECORDS
    assert fw2.db.household_count() == 60
    assert server.checksum("grid:G1") == engine.local_checksum("grid:G1")


@pytest.mark.slow
def test_engine_waits_for_the_server_and_resumes_by_itself(
    server: LiveServer, laptop_factory: LaptopFactory
) -> None:
    fw1 = laptop_factory("fw1")
    fw1.db.create_household(grid_id="G1", content=household_content("卫一", 1))
    engine = fw1.engine(max_attempts=2, backoff_base_s=0.05, backoff_max_s=0.3)
    server.kill()
    assert engine.run_once().outcome == "offline"
    assert not engine.probe()

    threading.Timer(1.0, server.start).start()
    report = engine.run_until_synced(max_wait_s=30)

    assert report.ok and report.applied == 2
    assert engine.probe()

"""The server's checks of finished visits (signature, eligibility) are queued by the push and
made after it: by the worker in a quiet moment, or by whatever reads them first (the review
queue, a review decision). Never lost: a crash mid-batch leaves the visits queued, and an
upgraded database queues the finished visits it holds that lack a check."""

from __future__ import annotations

import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlmodel import Session

from sync.server import recompute, signatures, visit_checks
from sync.server.db import MIGRATIONS_DIR, make_engine
from tests.sync.server.conftest import World
from tests.sync.server.test_recompute import visit_content
from tests.sync.server.test_tasks import visit_fields
from tests.sync.server.test_visit_signature_check import _signed_visit


def _stop_worker(world: World) -> None:
    world.app.state.visit_checks.stop()


def _push_visits(world: World, count: int) -> list[str]:
    household = world.ids["H1"]
    visit_ids = [str(uuid.uuid4()) for _ in range(count)]
    body = world.push(
        "fw_a",
        [
            _signed_visit(
                world,
                visit_id,
                visit_fields(household, **visit_content()) | {"housing_conditions": f"{n}"},
            )
            for n, visit_id in enumerate(visit_ids)
        ],
    )
    assert [r["status"] for r in body["results"]] == ["applied"] * count
    return visit_ids


def _checked(world: World, visit_ids: list[str]) -> tuple[set[str], set[str]]:
    with world.session() as session:
        return (
            set(recompute.checks_for(session, visit_ids)),
            set(signatures.checks_for(session, visit_ids)),
        )


def _worker_done(world: World) -> None:
    assert visit_checks.wait_until_checked(world.context.engine, 20.0)


def _pending(world: World) -> int:
    with world.session() as session:
        return visit_checks.pending_count(session)


def test_a_push_queues_its_finished_visits_and_the_worker_checks_them(world: World) -> None:
    _stop_worker(world)
    visit_ids = _push_visits(world, 3)
    # Stored and answered without their checks, which wait in the queue.
    assert _pending(world) == 3
    assert _checked(world, visit_ids) == (set(), set())

    worker = visit_checks.VisitCheckWorker(
        world.context.engine, world.context.keys, lambda: False, batch=2
    )
    worker.start()
    try:
        _worker_done(world)
    finally:
        worker.stop()
    assert _checked(world, visit_ids) == (set(visit_ids), set(visit_ids))


def test_the_servers_own_worker_checks_what_a_push_brings(world: World) -> None:
    """As started with the app: woken by the push's commit, within its patience even on a
    test machine with no core to spare."""
    visit_ids = _push_visits(world, 2)
    assert visit_checks.wait_until_checked(world.context.engine, 30.0)
    assert _checked(world, visit_ids) == (set(visit_ids), set(visit_ids))


def test_the_review_queue_makes_the_checks_still_pending(world: World) -> None:
    _stop_worker(world)
    [visit_id] = _push_visits(world, 1)
    queue = world.get("sup_1", "/v1/reviews/queue").json()["visits"]
    [item] = [v for v in queue if v["visit_id"] == visit_id]
    assert item["eligibility"]["outcome"] == "match"
    assert item["device_signature"]["outcome"] == "verified"
    assert _pending(world) == 0


def test_a_visit_is_never_approved_before_its_checks(world: World) -> None:
    _stop_worker(world)
    [visit_id] = _push_visits(world, 1)
    response = world.client.post(
        f"/v1/visits/{visit_id}/approve", json={"note": ""}, headers=world.accounts["sup_1"].headers
    )
    assert response.status_code == 201, response.text
    assert _checked(world, [visit_id]) == ({visit_id}, {visit_id})
    assert _pending(world) == 0


def test_a_batch_that_fails_stays_queued(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    """A crash between the claim and the commit (the transaction never commits) leaves the
    claimed visits queued."""
    _stop_worker(world)
    visit_ids = _push_visits(world, 2)
    with world.session() as session:
        assert visit_checks.run_pending(session, world.context.keys) == 2
        session.rollback()
    assert _pending(world) == 2
    with world.session() as session:
        assert visit_checks.run_pending(session, world.context.keys) == 2
        session.commit()
    assert _checked(world, visit_ids) == (set(visit_ids), set(visit_ids))


def test_a_visit_whose_check_fails_holds_up_nothing(
    world: World, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    _stop_worker(world)
    bad, *good = _push_visits(world, 3)
    evaluate = recompute._evaluate

    def failing_for_one(*args: Any, **kwargs: Any) -> Any:
        if kwargs["visit_id"] == bad:
            raise ZeroDivisionError("a bug in the policy engine")
        return evaluate(*args, **kwargs)

    monkeypatch.setattr(recompute, "_evaluate", failing_for_one)
    assert visit_checks.make_pending_checks(world.context.engine, world.context.keys) == 3
    # The others are checked; the bad one goes back to the queue, due later, so the worker
    # does not try it again at once.
    assert _checked(world, [bad, *good]) == (set(good), set(good))
    assert _pending(world) == 1
    assert visit_checks.make_pending_checks(world.context.engine, world.context.keys) == 0
    assert f"visit {bad}" in caplog.text and "ZeroDivisionError" in caplog.text
    assert "a bug in the policy engine" not in caplog.text
    # The supervisor's queue still opens (trying it once more), without that one result.
    response = world.get("sup_1", "/v1/reviews/queue")
    assert response.status_code == 200, response.text
    items = {v["visit_id"]: v for v in response.json()["visits"]}
    assert items[bad]["eligibility"] is None and items[bad]["device_signature"] is None
    assert all(items[v]["eligibility"] is not None for v in good)
    monkeypatch.undo()
    response = world.get("sup_1", "/v1/reviews/queue")  # fixed: made on the next read
    item = {v["visit_id"]: v for v in response.json()["visits"]}[bad]
    assert item["eligibility"] is not None and item["device_signature"] is not None
    assert _pending(world) == 0


def test_one_request_makes_a_bounded_number_of_checks(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    _stop_worker(world)
    monkeypatch.setattr(visit_checks, "SETTLE_LIMIT", 2)
    visit_ids = _push_visits(world, 3)
    assert world.get("sup_1", "/v1/reviews/queue").status_code == 200
    assert _pending(world) == 1  # left to the worker
    assert len(_checked(world, visit_ids)[1]) == 2


def test_a_stopped_worker_starts_again(world: World) -> None:
    worker: visit_checks.VisitCheckWorker = world.app.state.visit_checks
    worker.stop()
    worker.start()
    visit_ids = _push_visits(world, 1)
    _worker_done(world)
    assert _checked(world, visit_ids) == (set(visit_ids), set(visit_ids))


def test_the_worker_waits_for_a_quiet_moment_but_not_forever(world: World) -> None:
    _stop_worker(world)
    busy = threading.Event()
    busy.set()
    worker = visit_checks.VisitCheckWorker(
        world.context.engine, world.context.keys, busy.is_set, patience_s=2.0, idle_wait_s=0.01
    )
    _push_visits(world, 1)
    worker.start()
    try:
        time.sleep(0.4)
        assert _pending(world) == 1  # the process is serving requests: the checks wait
        started = time.monotonic()
        _worker_done(world)  # until its patience runs out
        assert time.monotonic() - started > 0.8
        _push_visits(world, 1)
        busy.clear()
        started = time.monotonic()
        _worker_done(world)  # quiet: made at once
        assert time.monotonic() - started < 1.5
    finally:
        worker.stop()


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_two_workers_never_claim_the_same_visit(world: World) -> None:
    """On PostgreSQL a claimed batch is skipped by the other processes' workers. (The visits'
    checks raise no flag, which would wait for the first transaction's change lock.)"""
    _stop_worker(world)
    _push_visits(world, 3)
    with world.session() as first, world.session() as second:
        assert visit_checks.run_pending(first, world.context.keys, limit=2, skip_locked=True) == 2
        assert visit_checks.run_pending(second, world.context.keys, skip_locked=True) == 1
        first.commit()
        second.commit()
    assert _pending(world) == 0


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_decision_waits_for_the_check_in_progress(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker holding a visit's claim may need the change lock to raise a flag; a decision
    on that visit waits for the claim before it takes the lock, so neither waits forever."""
    _stop_worker(world)
    visit_id = str(uuid.uuid4())
    # Content the server cannot evaluate: its check raises a flag.
    world.push("fw_a", [_signed_visit(world, visit_id, visit_fields(world.ids["H1"]))])
    claimed = threading.Event()
    evaluate = recompute._evaluate

    def slow_evaluate(*args: Any, **kwargs: Any) -> Any:
        claimed.set()
        time.sleep(0.5)  # the supervisor's decision arrives meanwhile
        return evaluate(*args, **kwargs)

    monkeypatch.setattr(recompute, "_evaluate", slow_evaluate)
    worker = threading.Thread(
        target=visit_checks.make_pending_checks, args=(world.context.engine, world.context.keys)
    )
    worker.start()
    assert claimed.wait(10)
    response = world.client.post(
        f"/v1/visits/{visit_id}/approve", json={"note": ""}, headers=world.accounts["sup_1"].headers
    )
    worker.join(10)
    assert response.status_code == 201, response.text
    with world.session() as session:
        check = recompute.checks_for(session, [visit_id])[visit_id]
    assert check.flag_id is not None


def _upgrade(engine: sa.Engine, revision: str) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def test_an_upgraded_database_queues_its_unchecked_finished_visits(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    _upgrade(engine, "0003")
    now = datetime.now(UTC)
    record = sa.table(
        "sync_record",
        *(sa.column(c) for c in ("entity", "id", "version", "seq", "deleted", "data_ct")),
        sa.column("meta", sa.JSON),
        sa.column("field_hlcs", sa.JSON),
        sa.column("created_at", sa.DateTime(timezone=True)),
        sa.column("updated_at", sa.DateTime(timezone=True)),
    )
    visits = {
        "unchecked": ("approved", False),
        "half-checked": ("synced", False),
        "checked": ("synced", False),
        "draft": ("draft", False),
        "deleted": ("completed", True),
    }
    with engine.begin() as connection:
        for seq, (visit_id, (status, deleted)) in enumerate(visits.items(), start=1):
            connection.execute(
                record.insert().values(
                    entity="visit",
                    id=visit_id,
                    version=1,
                    seq=seq,
                    deleted=deleted,
                    data_ct=b"",
                    meta={"status": status},
                    field_hlcs={},
                    created_at=now,
                    updated_at=now,
                )
            )
        for table, ids in (
            ("eligibility_check", ["checked", "half-checked"]),
            ("visit_signature_check", ["checked"]),
        ):
            for visit_id in ids:
                connection.execute(
                    sa.text(
                        f"INSERT INTO {table} (visit_id, visit_version, checked_at, outcome"
                        + (
                            ", differences) VALUES (:v, 1, :t, 'match', '[]')"
                            if table == "eligibility_check"
                            else ") VALUES (:v, 1, :t, 'match')"
                        )
                    ),
                    {"v": visit_id, "t": now},
                )
    _upgrade(engine, "head")
    with Session(engine) as session:
        queued = set(session.execute(sa.text("SELECT visit_id FROM visit_check_pending")).scalars())
    assert queued == {"unchecked", "half-checked"}
    engine.dispose()

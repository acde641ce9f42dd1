"""Pushes are worked out before the change lock and written under it (push.py, `_apply`): many
concurrent pushes and pulls still converge, every mutation is applied once, every clash is
filed, and a push whose records change between planning and writing is merged again."""

from __future__ import annotations

import threading
import time
import uuid
from collections import Counter
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import col, func, select

from sync.protocol import Entity, bucket_checksum, split_fields
from sync.server import push as push_module
from sync.server.app import create_app
from sync.server.authz import record_buckets
from sync.server.models import AppliedMutation, RecordVersion, SyncRecord
from sync.server.records import Actor, lock_changes, open_data, record_change
from tests.sync.server.conftest import World

on_postgres = pytest.mark.parametrize(
    "database_url", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True
)

PUSHERS = [("admin", ["H1", "H2"]), ("fw_a", ["H1"]), ("fw_b", ["H2"]), ("admin", ["H2", "H1"])]
BATCHES = 6
PULLERS = [("sup_1", "street:S1"), ("fw_a", "grid:G1"), ("fw_b", "grid:G2")]


def _pull(
    world: World,
    client: TestClient,
    name: str,
    bucket: str,
    since: int,
    state: dict[tuple[str, str], int],
) -> int:
    """Pull `bucket` from checkpoint `since` to its end into `state`; the new checkpoint."""
    while True:
        response = client.get(
            "/v1/sync/pull",
            params={"bucket": bucket, "since": since, "limit": 7},
            headers=world.accounts[name].headers,
        )
        assert response.status_code == 200, response.text
        page = response.json()
        for record in page["records"]:
            if record["deleted"]:
                state.pop((record["entity"], record["id"]), None)
            else:
                state[(record["entity"], record["id"])] = record["version"]
        for removed in page["removed"]:
            state.pop((removed["entity"], removed["id"]), None)
        since = page["next_since"]
        if not page["has_more"]:
            return since


@on_postgres
def test_concurrent_pushes_and_pulling_laptops_converge_and_apply_each_mutation_once(
    world: World,
) -> None:
    """Four laptops push through two server processes at once: new visits in shared households,
    a stale edit of the same field in every batch, and the previous batch resent. Three laptops
    keep pulling from checkpoints meanwhile."""
    second_app = create_app(world.context.settings, migrate=False)
    sent: list[tuple[dict[str, Any], dict[str, Any]]] = []  # (mutation, first answer)
    resent: list[tuple[dict[str, Any], dict[str, Any]]] = []
    errors: list[str] = []
    lock = threading.Lock()
    try:
        with TestClient(second_app) as second_client:
            clients = [world.client, second_client]

            def pusher(index: int) -> None:
                name, households = PUSHERS[index]
                client = clients[index % 2]
                previous: list[dict[str, Any]] = []
                for batch_no in range(BATCHES):
                    household = world.ids[households[batch_no % len(households)]]
                    fresh = [
                        world.mutation(
                            name,
                            "visit",
                            str(uuid.uuid4()),
                            {"status": "draft", "note": f"{index}-{batch_no}-{n}"},
                            household_id=household,
                        )
                        for n in range(3)
                    ]
                    # Every laptop last saw version 1: each phone edit after the first clashes.
                    fresh.append(
                        world.mutation(
                            name,
                            "household",
                            household,
                            {"phone": f"139{index:02d}{batch_no:06d}"},
                            base_version=1,
                        )
                    )
                    response = client.post(
                        "/v1/sync/push",
                        json={"mutations": previous + fresh},
                        headers=world.accounts[name].headers,
                    )
                    if response.status_code != 200:
                        errors.append(f"{name} {batch_no}: {response.status_code} {response.text}")
                        return
                    results = response.json()["results"]
                    with lock:
                        resent.extend(zip(previous, results[: len(previous)], strict=True))
                        sent.extend(zip(fresh, results[len(previous) :], strict=True))
                    previous = fresh

            stop = threading.Event()
            states: list[dict[tuple[str, str], int]] = [{} for _ in PULLERS]
            checkpoints = [0] * len(PULLERS)

            def puller(index: int) -> None:
                name, bucket = PULLERS[index]
                client = clients[index % 2]
                while not stop.is_set():
                    checkpoints[index] = _pull(
                        world, client, name, bucket, checkpoints[index], states[index]
                    )

            pullers = [threading.Thread(target=puller, args=(i,)) for i in range(len(PULLERS))]
            pushers = [threading.Thread(target=pusher, args=(i,)) for i in range(len(PUSHERS))]
            for thread in pullers + pushers:
                thread.start()
            for thread in pushers:
                thread.join(timeout=300)
            stop.set()
            for thread in pullers:
                thread.join(timeout=120)
            assert errors == []
            assert len(sent) == len(PUSHERS) * BATCHES * 4

            # Every laptop, pulling on from its checkpoint, holds exactly the server's bucket.
            for index, (name, bucket) in enumerate(PULLERS):
                _pull(world, world.client, name, bucket, checkpoints[index], states[index])
                server = world.get(name, "/v1/sync/checksum", bucket=bucket).json()
                mine = bucket_checksum((e, i, v) for (e, i), v in states[index].items())
                assert mine == (server["count"], server["hash"]), bucket
    finally:
        second_app.state.context.engine.dispose()

    # Each mutation was answered once; a resend gets the same answer back as a duplicate.
    assert {answer["status"] for _, answer in sent} <= {"applied", "conflict"}
    first = {mutation["mutation_id"]: answer for mutation, answer in sent}
    assert len(first) == len(sent)
    for mutation, answer in resent:
        assert answer["status"] == "duplicate"
        original = first[mutation["mutation_id"]]
        assert (answer["version"], answer["conflict_id"]) == (
            original["version"],
            original["conflict_id"],
        )
    with world.session() as session:
        applied = Counter(session.exec(select(AppliedMutation.mutation_id)).all())
        assert set(first) <= set(applied) and max(applied.values()) == 1
        written = session.exec(
            select(RecordVersion.mutation_id).where(col(RecordVersion.mutation_id).is_not(None))
        ).all()
        assert max(Counter(written).values()) == 1
        assert {m["mutation_id"] for m, a in sent if m["entity"] == "visit"} <= set(written)

        for household in ("H1", "H2"):
            household_id = world.ids[household]
            edits = [
                (mutation, answer)
                for mutation, answer in sent
                if mutation["entity"] == "household" and mutation["entity_id"] == household_id
            ]
            # Only the first edit to commit saw version 1 unchanged; every later one clashed.
            statuses = Counter(answer["status"] for _, answer in edits)
            assert statuses == {"applied": 1, "conflict": len(edits) - 1}, household
            row = session.get(SyncRecord, ("household", household_id))
            assert row is not None
            later = max(edits, key=lambda edit: edit[0]["hlc"])[0]
            assert open_data(world.context.keys, row)["phone"] == later["changed"]["phone"]
            versions = session.exec(
                select(func.count())
                .select_from(RecordVersion)
                .where(RecordVersion.entity == "household", RecordVersion.record_id == household_id)
            ).one()
            assert versions == row.version
            # Every clash is filed: a conflict item naming the mutation and the other value.
            for mutation, answer in edits:
                if answer["status"] != "conflict":
                    continue
                conflict = session.get(SyncRecord, (Entity.CONFLICT.value, answer["conflict_id"]))
                assert conflict is not None
                assert conflict.meta["mutation_id"] == mutation["mutation_id"]
                assert conflict.meta["subject_id"] == household_id
                clash = open_data(world.context.keys, conflict)["clashes"]["phone"]
                assert mutation["changed"]["phone"] in (clash["kept"], clash["other"])


@on_postgres
def test_a_record_changed_after_the_push_read_it_is_merged_again_under_the_lock(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Between working a push out and taking the change lock, a supervisor's edit of the same
    field commits. The push must not write its stale merge: it is merged again and clashes."""
    h1 = world.ids["H1"]
    edit = world.mutation("fw_a", "household", h1, {"phone": "13911112222"}, base_version=1)
    later_hlc = world.hlc("server-edit")
    real_reserve = push_module.reserve_seqs
    calls: list[int] = []

    def edit_then_reserve(session: Any, count: int) -> int:
        calls.append(count)
        if len(calls) == 1:
            with world.session() as other:
                lock_changes(other)
                row = other.get(SyncRecord, ("household", h1))
                assert row is not None
                current = {**row.meta, **open_data(world.context.keys, row), "phone": "13800009999"}
                meta, data = split_fields("household", current)
                record_change(
                    other,
                    world.context.keys,
                    entity="household",
                    record_id=h1,
                    household_id=h1,
                    grid_id=row.grid_id,
                    meta=meta,
                    data=data,
                    buckets=record_buckets(other, row.grid_id, h1),
                    actor=Actor(None, None),
                    changed_fields=["phone"],
                    field_hlcs={**row.field_hlcs, "phone": later_hlc},
                    prior=row,
                )
                other.commit()
        return real_reserve(session, count)

    monkeypatch.setattr(push_module, "reserve_seqs", edit_then_reserve)
    [answer] = world.push("fw_a", [edit])["results"]
    assert len(calls) == 2  # planned ahead, then again under the lock
    assert answer["status"] == "conflict"
    assert answer["version"] == 2 and answer["server_values"] == {"phone": "13800009999"}
    with world.session() as session:
        row = session.get(SyncRecord, ("household", h1))
        assert row is not None and row.version == 2
        assert open_data(world.context.keys, row)["phone"] == "13800009999"
        conflict = session.get(SyncRecord, (Entity.CONFLICT.value, answer["conflict_id"]))
        assert conflict is not None
        clash = open_data(world.context.keys, conflict)["clashes"]["phone"]
        assert (clash["kept"], clash["other"]) == ("13800009999", "13911112222")


def test_a_batch_changing_a_record_twice_merges_against_its_own_earlier_change(
    world: World,
) -> None:
    """Mutations later in a batch see the batch's earlier ones (planned, not yet written):
    a second edit from the same base keeps its other field, a third clashes with the first."""
    h1 = world.ids["H1"]
    older_hlc = world.hlc(world.accounts["fw_a"].device_id)
    batch = [
        world.mutation("fw_a", "household", h1, {"phone": "13900000001"}, base_version=1),
        world.mutation("fw_a", "household", h1, {"address": "No. 9 New Lane"}, base_version=1),
        world.mutation(
            "fw_a", "household", h1, {"phone": "13900000003"}, base_version=1, hlc=older_hlc
        ),
    ]
    results = world.push("fw_a", batch)["results"]
    assert [(r["status"], r["version"]) for r in results] == [
        ("applied", 2),
        ("applied", 3),
        ("conflict", 3),
    ]
    assert results[2]["server_values"] == {"phone": "13900000001"}
    household = world.get("fw_a", f"/v1/households/{h1}").json()["household"]
    assert household["version"] == 3
    assert household["data"]["phone"] == "13900000001"
    assert household["data"]["address"] == "No. 9 New Lane"
    with world.session() as session:
        versions = session.exec(
            select(RecordVersion.version).where(
                RecordVersion.entity == "household", RecordVersion.record_id == h1
            )
        ).all()
        assert sorted(versions) == [1, 2, 3]


def test_a_planner_steps_aside_while_a_thread_of_its_process_holds_the_change_lock() -> None:
    """Planning waits (never longer than the pause) while a holder is writing, and goes on as
    soon as it has committed."""
    holders = push_module._LockHolders()
    holding = threading.Event()
    done = threading.Event()

    def holder() -> None:
        holders.hold()
        holding.set()
        done.wait(timeout=5)
        holders.release()

    thread = threading.Thread(target=holder)
    thread.start()
    holding.wait(timeout=5)
    started = time.perf_counter()
    holders.step_aside()  # nobody releases: it waits out one pause, then goes on
    waited = time.perf_counter() - started
    assert holders.PAUSE_S * 0.9 <= waited < holders.PAUSE_S + 1.0
    holders.PAUSE_S = 10.0  # now only the release can end the wait early
    timer = threading.Timer(0.05, done.set)
    timer.start()
    started = time.perf_counter()
    holders.step_aside()
    assert time.perf_counter() - started < 5.0
    thread.join(timeout=5)
    started = time.perf_counter()
    holders.step_aside()  # nobody holds the lock: no wait at all
    assert time.perf_counter() - started < 1.0

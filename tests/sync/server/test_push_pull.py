"""Push idempotence, merges and conflicts, pull paging, checksums and the change sequence."""

from __future__ import annotations

import gzip
import json
import threading
import time
import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from sync.protocol import Mutation, bucket_checksum
from sync.server.app import create_app
from sync.server.models import RecordVersion, SyncRecord
from sync.server.records import Actor, record_change
from tests.sync.server.conftest import World, member_fields


def _record(world: World, name: str, household: str) -> dict[str, Any]:
    response = world.get(name, f"/v1/households/{world.ids[household]}")
    assert response.status_code == 200
    household_record: dict[str, Any] = response.json()["household"]
    return household_record


def _history(world: World, entity: str, record_id: str) -> int:
    with world.session() as session:
        statement = select(RecordVersion).where(
            RecordVersion.entity == entity, RecordVersion.record_id == record_id
        )
        return len(session.exec(statement).all())


def test_pushing_the_same_batch_twice_applies_it_once(world: World) -> None:
    visit_id = str(uuid.uuid4())
    batch = [
        world.mutation(
            "fw_a",
            "visit",
            visit_id,
            {"status": "draft", "housing_conditions": "damp"},
            household_id=world.ids["H1"],
        ),
        world.mutation(
            "fw_a",
            "visit",
            visit_id,
            {"living_conditions": "cold"},
            base_version=1,
            household_id=world.ids["H1"],
        ),
    ]
    first = world.push("fw_a", batch)
    assert [r["status"] for r in first["results"]] == ["applied", "applied"]
    second = world.push("fw_a", batch)
    assert [r["status"] for r in second["results"]] == ["duplicate", "duplicate"]
    assert [r["version"] for r in second["results"]] == [1, 2]
    assert _history(world, "visit", visit_id) == 2


def test_a_batch_whose_response_was_lost_is_resent_safely(world: World) -> None:
    m1 = world.mutation(
        "fw_a", "household", world.ids["H1"], {"phone": "13900000001"}, base_version=1
    )
    world.push("fw_a", [m1])  # the response never reached the laptop
    m2 = world.mutation("fw_a", "household", world.ids["H1"], {"note": "moved bed"}, base_version=2)
    again = world.push("fw_a", [m1, m2])
    assert [r["status"] for r in again["results"]] == ["duplicate", "applied"]
    household = _record(world, "fw_a", "H1")
    assert household["version"] == 3
    assert household["data"]["phone"] == "13900000001" and household["data"]["note"] == "moved bed"


def test_different_fields_from_two_devices_merge(world: World) -> None:
    a = world.mutation(
        "fw_a", "household", world.ids["H1"], {"phone": "13911112222"}, base_version=1
    )
    b = world.mutation(
        "sup_1", "household", world.ids["H1"], {"address": "No. 9 New Road"}, base_version=1
    )
    assert world.push("fw_a", [a])["results"][0]["status"] == "applied"
    assert world.push("sup_1", [b])["results"][0]["status"] == "applied"
    data = _record(world, "sup_1", "H1")["data"]
    assert data["phone"] == "13911112222" and data["address"] == "No. 9 New Road"


def test_same_field_clash_keeps_the_later_value_and_files_the_other(world: World) -> None:
    early = world.hlc(world.accounts["sup_1"].device_id)
    a = world.mutation("fw_a", "household", world.ids["H1"], {"phone": "111"}, base_version=1)
    assert world.push("fw_a", [a])["results"][0]["status"] == "applied"
    # The supervisor edited offline earlier (older clock) from the same base: fw_a's value stays.
    b = world.mutation(
        "sup_1",
        "household",
        world.ids["H1"],
        {"phone": "222", "note": "x"},
        base_version=1,
        hlc=early,
    )
    result = world.push("sup_1", [b])["results"][0]
    assert result["status"] == "conflict"
    assert result["server_values"] == {"phone": "111"}
    household = _record(world, "fw_a", "H1")
    assert household["data"]["phone"] == "111" and household["data"]["note"] == "x"
    # A later edit of the same field wins, and the overwritten value is filed too.
    c = world.mutation("sup_1", "household", world.ids["H1"], {"phone": "333"}, base_version=1)
    later = world.push("sup_1", [c])["results"][0]
    assert later["status"] == "conflict" and later["server_values"] == {"phone": "333"}
    # Both conflict items reach the grid's pullers, each with the value that did not win.
    page = world.get("sup_1", "/v1/sync/pull", bucket="street:S1").json()
    conflicts = {r["id"]: r for r in page["records"] if r["entity"] == "conflict"}
    assert set(conflicts) == {result["conflict_id"], later["conflict_id"]}
    assert conflicts[result["conflict_id"]]["data"]["clashes"]["phone"]["other"] == "222"
    assert conflicts[later["conflict_id"]]["data"]["clashes"]["phone"]["other"] == "111"
    assert conflicts[later["conflict_id"]]["meta"]["subject_id"] == world.ids["H1"]


def test_rejections_are_explained_and_do_not_block_the_batch(world: World) -> None:
    h1 = world.ids["H1"]
    completed_visit = str(uuid.uuid4())
    ok_before = world.mutation(
        "fw_a",
        "visit",
        completed_visit,
        {"status": "completed", "finding": "eligible"},
        household_id=h1,
    )
    cases = {
        "base_version_ahead": world.mutation(
            "fw_a", "household", h1, {"note": "a"}, base_version=9
        ),
        "unknown_record": world.mutation(
            "fw_a", "visit", str(uuid.uuid4()), {"note": "a"}, base_version=3, household_id=h1
        ),
        "entity_not_pushable": world.mutation(
            "fw_a", "task", str(uuid.uuid4()), {"status": "open"}
        ),
        "invalid_fields": world.mutation("fw_a", "household", h1, {"version": 99}, base_version=1),
        "schema_too_new": world.mutation("fw_a", "household", h1, {"note": "b"}, base_version=1)
        | {"schema_version": 99},
        "schema_unsupported": world.mutation("fw_a", "household", h1, {"note": "c"}, base_version=1)
        | {"schema_version": 0},
        "device_mismatch": world.mutation("fw_a", "household", h1, {"note": "d"}, base_version=1)
        | {"device_id": world.accounts["fw_b"].device_id},
        "unknown_household": world.mutation(
            "fw_a", "member", str(uuid.uuid4()), {"name": "n"}, household_id="nope"
        ),
        "immutable": world.mutation(
            "fw_a",
            "visit",
            completed_visit,
            {"finding": "ineligible"},
            base_version=1,
            household_id=h1,
        ),
    }
    good = world.mutation("fw_a", "household", h1, {"note": "fine"}, base_version=1)
    results = world.push("fw_a", [ok_before, *cases.values(), good])["results"]
    assert results[0]["status"] == "applied"
    for (reason, _), result in zip(cases.items(), results[1:-1], strict=True):
        assert result["status"] == "rejected", (reason, result)
        assert result["reason"] == reason
        assert result["message_en"] and result["message_zh"]
    assert results[-1]["status"] == "applied"
    # The server took the completed visit over (`synced`); moving it on is not the laptop's.
    held = world.get("fw_a", "/v1/sync/pull", bucket="grid:G1").json()["records"]
    assert {r["id"]: r for r in held}[completed_visit]["meta"]["status"] == "synced"
    moved = world.mutation(
        "fw_a", "visit", completed_visit, {"status": "under_review"}, base_version=2
    )
    refused = world.push("fw_a", [moved])["results"][0]
    assert refused["status"] == "rejected" and refused["reason"] == "immutable"
    assert "Only the server" in refused["message_en"]


def test_gzip_push_is_accepted(world: World) -> None:
    mutation = world.mutation(
        "fw_a", "household", world.ids["H1"], {"note": "zipped"}, base_version=1
    )
    body = gzip.compress(json.dumps({"mutations": [mutation]}).encode())
    response = world.client.post(
        "/v1/sync/push",
        content=body,
        headers=world.accounts["fw_a"].headers
        | {"Content-Encoding": "gzip", "Content-Type": "application/json"},
    )
    assert response.status_code == 200
    assert response.json()["results"][0]["status"] == "applied"
    assert response.json()["upgrade_required"] is False


def _pull_all(
    world: World, name: str, bucket: str, since: int, limit: int, state: dict[tuple[str, str], int]
) -> int:
    while True:
        page = world.get(name, "/v1/sync/pull", bucket=bucket, since=since, limit=limit).json()
        for record in page["records"]:
            if record["deleted"]:
                state.pop((record["entity"], record["id"]), None)
            else:
                state[(record["entity"], record["id"])] = record["version"]
        for removed in page["removed"]:
            state.pop((removed["entity"], removed["id"]), None)
        assert page["next_since"] >= since
        since = page["next_since"]
        if not page["has_more"]:
            return since


def test_pull_pages_through_a_bucket_and_matches_the_checksum(world: World) -> None:
    h1 = world.ids["H1"]
    mutations = [
        world.mutation(
            "fw_a",
            "member",
            str(uuid.uuid4()),
            member_fields(h1, f"Child {i}", ""),
            household_id=h1,
        )
        for i in range(23)
    ]
    assert {r["status"] for r in world.push("fw_a", mutations)["results"]} == {"applied"}
    pages: list[int] = []
    since = 0
    while True:
        page = world.get("fw_a", "/v1/sync/pull", bucket="grid:G1", since=since, limit=10).json()
        pages.append(len(page["records"]))
        seqs = [r["seq"] for r in page["records"]]
        assert seqs == sorted(seqs) and all(s > since for s in seqs)
        since = page["next_since"]
        if not page["has_more"]:
            break
    assert pages == [10, 10, 5]  # household + 1 member seeded + 23 new members
    state: dict[tuple[str, str], int] = {}
    _pull_all(world, "fw_a", "grid:G1", 0, 7, state)
    server = world.get("fw_a", "/v1/sync/checksum", bucket="grid:G1").json()
    count, digest = bucket_checksum((e, i, v) for (e, i), v in state.items())
    assert (count, digest) == (server["count"], server["hash"]) == (25, server["hash"])
    # An incremental pull after an edit brings exactly the changed record.
    edit = world.mutation("fw_a", "household", h1, {"note": "after"}, base_version=1)
    world.push("fw_a", [edit])
    page = world.get("fw_a", "/v1/sync/pull", bucket="grid:G1", since=since).json()
    assert [(r["entity"], r["version"]) for r in page["records"]] == [("household", 2)]


def test_a_household_moving_grid_leaves_one_bucket_and_joins_the_other(world: World) -> None:
    g1_since = _pull_all(world, "fw_a", "grid:G1", 0, 100, {})
    g2_state: dict[tuple[str, str], int] = {}
    g2_since = _pull_all(world, "fw_b", "grid:G2", 0, 100, g2_state)
    move = world.mutation("sup_1", "household", world.ids["H1"], {"grid_id": "G2"}, base_version=1)
    assert world.push("sup_1", [move])["results"][0]["status"] == "applied"
    page = world.get("fw_a", "/v1/sync/pull", bucket="grid:G1", since=g1_since).json()
    assert {r["id"] for r in page["removed"]} == {world.ids["H1"], world.ids["M1"]}
    _pull_all(world, "fw_b", "grid:G2", g2_since, 100, g2_state)
    assert ("household", world.ids["H1"]) in g2_state and ("member", world.ids["M1"]) in g2_state
    assert world.get("fw_a", "/v1/households").json()["count"] == 0


def test_a_change_committed_late_never_gets_a_smaller_seq_than_a_visible_one(world: World) -> None:
    """Transaction A takes a seq and stalls; B must wait for A's commit, so B's (larger) seq is
    never visible while A's is still missing."""
    keys = world.context.keys
    actor = Actor(None, None)
    order: list[str] = []

    def write(session_name: str, delay: float) -> None:
        with world.session() as session:
            record_change(
                session,
                keys,
                entity="region_note",
                record_id=session_name,
                household_id=None,
                grid_id="G1",
                meta={},
                data={"n": session_name},
                buckets=["grid:G1"],
                actor=actor,
                changed_fields=["n"],
            )
            time.sleep(delay)
            session.commit()
            order.append(session_name)

    slow = threading.Thread(target=write, args=("slow", 1.0))
    slow.start()
    time.sleep(0.3)  # the slow writer holds its seq
    fast = threading.Thread(target=write, args=("fast", 0.0))
    fast.start()
    fast.join(timeout=30)
    slow.join(timeout=30)
    assert order == ["slow", "fast"]
    with world.session() as session:
        slow_seq = session.get(SyncRecord, ("region_note", "slow"))
        fast_seq = session.get(SyncRecord, ("region_note", "fast"))
        assert slow_seq is not None and fast_seq is not None
        assert slow_seq.seq < fast_seq.seq


def test_concurrent_pushes_through_two_servers_and_a_puller_converge(world: World) -> None:
    """Two server instances (two engines, as two processes would have) take pushes from several
    threads while a client keeps pulling; at the end the client holds exactly the server's rows."""
    second_app = create_app(world.context.settings, migrate=False)
    try:
        with TestClient(second_app) as second_client:
            clients = [world.client, second_client]
            h1 = world.ids["H1"]
            stop = threading.Event()
            errors: list[str] = []

            def pusher(index: int) -> None:
                client = clients[index % 2]
                for batch in range(4):
                    mutations = [
                        world.mutation(
                            "fw_a",
                            "visit",
                            str(uuid.uuid4()),
                            {"status": "draft", "n": i},
                            household_id=h1,
                        )
                        for i in range(5)
                    ]
                    response = client.post(
                        "/v1/sync/push",
                        json={"mutations": mutations},
                        headers=world.accounts["fw_a"].headers,
                    )
                    if response.status_code != 200 or any(
                        r["status"] != "applied" for r in response.json()["results"]
                    ):
                        errors.append(f"{index}/{batch}: {response.text[:200]}")

            state: dict[tuple[str, str], int] = {}
            since = 0

            def puller() -> None:
                nonlocal since
                while not stop.is_set():
                    since = _pull_all(world, "sup_1", "street:S1", since, 7, state)

            pull_thread = threading.Thread(target=puller)
            pull_thread.start()
            pushers = [threading.Thread(target=pusher, args=(i,)) for i in range(4)]
            for thread in pushers:
                thread.start()
            for thread in pushers:
                thread.join(timeout=120)
            stop.set()
            pull_thread.join(timeout=60)
            since = _pull_all(world, "sup_1", "street:S1", since, 7, state)
            assert errors == []
            server = world.get("sup_1", "/v1/sync/checksum", bucket="street:S1").json()
            assert bucket_checksum((e, i, v) for (e, i), v in state.items()) == (
                server["count"],
                server["hash"],
            )
            assert server["count"] == 4 + 4 * 4 * 5
    finally:
        second_app.state.context.engine.dispose()


def test_older_schema_mutations_are_upgraded_and_the_client_told_to_upgrade(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With schema 3 current, a schema-2 mutation is upgraded (here: a renamed field) and applied;
    the answer asks the laptop to upgrade."""
    from sync import protocol
    from sync.server import push as push_module

    def rename_mobile(mutation: Mutation) -> Mutation:
        changed = dict(mutation.changed)
        if "mobile" in changed:
            changed["phone"] = changed.pop("mobile")
        return mutation.model_copy(update={"changed": changed, "schema_version": 3})

    monkeypatch.setattr(push_module, "SCHEMA_VERSION", 3)
    monkeypatch.setattr(push_module, "SUPPORTED_SCHEMA_VERSIONS", frozenset({1, 2, 3}))
    monkeypatch.setitem(push_module.UPGRADERS, 2, rename_mobile)
    old = world.mutation(
        "fw_a", "household", world.ids["H1"], {"mobile": "13700000000"}, base_version=1
    )
    assert old["schema_version"] == protocol.SCHEMA_VERSION == 2
    body = world.push("fw_a", [old])
    assert body["results"][0]["status"] == "applied"
    assert body["upgrade_required"] is True
    data = _record(world, "fw_a", "H1")["data"]
    assert data["phone"] == "13700000000" and "mobile" not in data


def test_openapi_describes_the_sync_endpoints(world: World) -> None:
    schema = world.client.get("/openapi.json").json()
    assert {
        "/v1/sync/push",
        "/v1/sync/pull",
        "/v1/sync/checksum",
        "/v1/attachments/{sha256}",
    } <= set(schema["paths"])
    push_body = schema["paths"]["/v1/sync/push"]["post"]["requestBody"]["content"][
        "application/json"
    ]
    assert push_body["schema"]["$ref"] == "#/components/schemas/PushRequest"
    assert "Mutation" in schema["components"]["schemas"]


def test_the_same_batch_pushed_twice_at_once_is_applied_once(world: World) -> None:
    """A laptop that retries while its first request is still in flight."""
    h1 = world.ids["H1"]
    batch = [
        world.mutation(
            "fw_a", "visit", str(uuid.uuid4()), {"status": "draft", "n": i}, household_id=h1
        )
        for i in range(30)
    ]
    answers: list[list[str]] = []

    def send() -> None:
        answers.append([r["status"] for r in world.push("fw_a", batch)["results"]])

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(answers) == [["applied"] * 30, ["duplicate"] * 30]
    for mutation in batch:
        assert _history(world, "visit", mutation["entity_id"]) == 1


def test_a_supervisor_resolves_a_conflict_item(world: World) -> None:
    early = "0000000000000001:0000:old-laptop"
    world.push(
        "fw_a",
        [world.mutation("fw_a", "household", world.ids["H1"], {"phone": "1"}, base_version=1)],
    )
    clash = world.mutation(
        "sup_1", "household", world.ids["H1"], {"phone": "2"}, base_version=1, hlc=early
    )
    conflict_id = world.push("sup_1", [clash])["results"][0]["conflict_id"]
    by_worker = world.mutation(
        "fw_a", "conflict", conflict_id, {"status": "resolved"}, base_version=1
    )
    assert world.push("fw_a", [by_worker])["results"][0]["reason"] == "entity_not_pushable"
    resolve = world.mutation(
        "sup_1",
        "conflict",
        conflict_id,
        {"status": "resolved", "resolution": "kept"},
        base_version=1,
    )
    assert world.push("sup_1", [resolve])["results"][0]["status"] == "applied"
    page = world.get("fw_a", "/v1/sync/pull", bucket="grid:G1").json()
    conflict = next(r for r in page["records"] if r["id"] == conflict_id)
    assert conflict["meta"]["status"] == "resolved" and conflict["version"] == 2
    assert conflict["data"]["clashes"]["phone"]["other"] == "2"  # the filed value is kept

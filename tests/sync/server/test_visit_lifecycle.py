"""The visit lifecycle on the server: a completed visit it accepts becomes `synced` (its own
move, recorded as its own version), a laptop may push only its own moves, reviews start from
`synced`, and visits an older server left `completed` are still reviewed after the upgrade."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from sync.protocol import Entity, split_fields
from sync.server.authz import record_buckets
from sync.server.records import Actor, lock_changes, record_change
from tests.sync.server.conftest import World
from tests.sync.server.test_reviews import review
from tests.sync.server.test_tasks import pull_all, push_visit, visit_fields


def _history(world: World, who: str, visit_id: str) -> list[tuple[str, str | None]]:
    response = world.get(who, f"/v1/visits/{visit_id}/reviews")
    assert response.status_code == 200, response.text
    revision = next(r for r in response.json()["revisions"] if r["visit_id"] == visit_id)
    return [(c["status"], c["user_id"]) for c in revision["status_history"]]


def _queue(world: World, who: str = "sup_1") -> set[str]:
    return {v["visit_id"] for v in world.get(who, "/v1/reviews/queue").json()["visits"]}


def test_a_pushed_completed_visit_is_marked_synced_by_the_server(world: World) -> None:
    visit_id = str(uuid.uuid4())
    h1 = world.ids["H1"]
    completion = world.mutation("fw_a", "visit", visit_id, visit_fields(h1), household_id=h1)
    answer = world.push("fw_a", [completion])["results"][0]
    # The answer names the version the laptop's mutation produced; the server's move follows.
    assert answer["status"] == "applied" and answer["version"] == 1
    pulled = pull_all(world, "fw_a", "grid:G1")["records"][("visit", visit_id)]
    assert pulled["meta"]["status"] == "synced" and pulled["version"] == 2
    author = world.accounts["fw_a"].user_id
    assert _history(world, "fw_a", visit_id) == [("completed", author), ("synced", None)]
    assert visit_id in _queue(world)
    # Sent again (its answer was lost): a duplicate, and no further move.
    again = world.push("fw_a", [completion])["results"][0]
    assert again["status"] == "duplicate" and again["version"] == 1
    assert pull_all(world, "fw_a", "grid:G1")["records"][("visit", visit_id)]["version"] == 2


def test_a_draft_completed_in_a_later_push_is_synced_too(world: World) -> None:
    visit_id = push_visit(world, "fw_a", "H1", status="draft")
    assert visit_id not in _queue(world)
    completion = world.mutation("fw_a", "visit", visit_id, {"status": "completed"}, base_version=1)
    assert world.push("fw_a", [completion])["results"][0]["version"] == 2
    pulled = pull_all(world, "fw_a", "grid:G1")["records"][("visit", visit_id)]
    assert pulled["meta"]["status"] == "synced" and pulled["version"] == 3
    assert [s for s, _ in _history(world, "fw_a", visit_id)] == ["draft", "completed", "synced"]


def test_a_batch_that_completes_a_visit_then_changes_it_sees_the_synced_version(
    world: World,
) -> None:
    visit_id = str(uuid.uuid4())
    h1 = world.ids["H1"]
    results = world.push(
        "fw_a",
        [
            world.mutation("fw_a", "visit", visit_id, visit_fields(h1), household_id=h1),
            # Later in the same batch: the server's `synced` version (2) is the one it meets.
            world.mutation("fw_a", "visit", visit_id, {"status": "draft"}, base_version=2),
            world.mutation("fw_a", "visit", visit_id, {"status": "synced"}, base_version=2),
        ],
    )["results"]
    assert [r["status"] for r in results] == ["applied", "rejected", "applied"], results
    assert results[1]["reason"] == "immutable"
    # Naming the status it has is no move, but a version of its own: after the server's 2.
    assert (results[0]["version"], results[2]["version"]) == (1, 3)
    pulled = pull_all(world, "fw_a", "grid:G1")["records"][("visit", visit_id)]
    assert pulled["meta"]["status"] == "synced" and pulled["version"] == 3


@pytest.mark.parametrize("status", ["synced", "under_review", "approved", "returned"])
def test_a_laptop_cannot_push_the_servers_moves(world: World, status: str) -> None:
    draft = push_visit(world, "fw_a", "H1", status="draft")
    accepted = push_visit(world, "fw_a", "H1")  # now synced on the server
    h1 = world.ids["H1"]
    results = world.push(
        "fw_a",
        [
            world.mutation("fw_a", "visit", draft, {"status": status}, base_version=1),
            world.mutation("fw_a", "visit", accepted, {"status": status}, base_version=2),
            world.mutation(
                "fw_a",
                "visit",
                str(uuid.uuid4()),
                visit_fields(h1, status=status),
                household_id=h1,
            ),
        ],
    )["results"]
    if status == "synced":
        # Naming the status the visit already has is no move: nothing to refuse.
        assert results.pop(1)["status"] == "applied"
    for result in results:
        assert result["status"] == "rejected" and result["reason"] == "immutable", result
        assert result["message_en"].startswith(("A visit cannot go", "Only the server")), result
        assert result["message_zh"]
    pulled = pull_all(world, "fw_a", "grid:G1")["records"]
    assert pulled[("visit", draft)]["meta"]["status"] == "draft"


def test_an_unknown_status_is_refused_by_name(world: World) -> None:
    h1 = world.ids["H1"]
    result = world.push(
        "fw_a",
        [
            world.mutation(
                "fw_a", "visit", str(uuid.uuid4()), visit_fields(h1, status="done"), household_id=h1
            )
        ],
    )["results"][0]
    assert result["status"] == "rejected"
    assert result["message_en"] == "Unknown visit status: done"


def test_a_decision_straight_from_the_queue_passes_through_under_review(world: World) -> None:
    visit_id = push_visit(world, "fw_a", "H1")
    assert review(world, "sup_1", visit_id, decision="approved").status_code == 201
    assert [s for s, _ in _history(world, "sup_1", visit_id)] == [
        "completed",
        "synced",
        "under_review",
        "approved",
    ]
    supervisor = world.accounts["sup_1"].user_id
    assert _history(world, "sup_1", visit_id)[-2:] == [
        ("under_review", supervisor),
        ("approved", supervisor),
    ]


def _visit_left_completed(world: World) -> str:
    """A completed visit as a server before this change stored it (no `synced` move)."""
    visit_id = str(uuid.uuid4())
    h1, grid = world.ids["H1"], "G1"
    fields: dict[str, Any] = visit_fields(h1)
    meta, data = split_fields(Entity.VISIT.value, fields)
    with world.session() as session:
        lock_changes(session)
        record_change(
            session,
            world.context.keys,
            entity=Entity.VISIT.value,
            record_id=visit_id,
            household_id=h1,
            grid_id=grid,
            meta=meta,
            data=data,
            buckets=record_buckets(session, grid, h1),
            actor=Actor(world.accounts["fw_a"].user_id, world.accounts["fw_a"].device_id),
            changed_fields=sorted(fields),
        )
        session.commit()
    return visit_id


def test_visits_an_older_server_left_completed_are_still_reviewed(world: World) -> None:
    approved, started = _visit_left_completed(world), _visit_left_completed(world)
    assert {approved, started} <= _queue(world)

    assert review(world, "sup_1", approved, decision="approved").status_code == 201
    assert [s for s, _ in _history(world, "sup_1", approved)] == [
        "completed",
        "synced",
        "under_review",
        "approved",
    ]
    response = world.client.post(
        f"/v1/visits/{started}/review/start", headers=world.accounts["sup_1"].headers
    )
    assert response.status_code == 200 and response.json()["status"] == "under_review"
    assert [s for s, _ in _history(world, "sup_1", started)] == [
        "completed",
        "synced",
        "under_review",
    ]
    assert _queue(world) >= {started} and approved not in _queue(world)

"""Reviews: approve, return with comments pinned to fields (the author's laptop pulls both),
history across revisions, a returned visit back to an author who lost access, and the random
spot-check draw (reproducible from its seed, turned into tasks)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from sync.server import spotcheck
from tests.sync.server.conftest import World
from tests.sync.server.test_tasks import buckets, pull_all, push_visit


def review(world: World, who: str, visit_id: str, decision: str, **body: Any) -> Any:
    action = {"approved": "approve", "returned": "return"}[decision]
    return world.client.post(
        f"/v1/visits/{visit_id}/{action}", json=body, headers=world.accounts[who].headers
    )


def test_supervisor_returns_a_visit_with_field_comments_the_author_pulls(world: World) -> None:
    visit_id = push_visit(world, "fw_a", "H1")
    queue = world.get("sup_1", "/v1/reviews/queue").json()
    assert visit_id in {v["visit_id"] for v in queue["visits"]}
    assert visit_id not in {
        v["visit_id"] for v in world.get("sup_2", "/v1/reviews/queue").json()["visits"]
    }
    started = world.client.post(
        f"/v1/visits/{visit_id}/review/start", headers=world.accounts["sup_1"].headers
    )
    assert started.status_code == 200 and started.json()["status"] == "under_review"
    comments = [
        {"field": "incomes.0.monthly_amount", "comment": "工资与银行流水不符"},
        {"field": "housing_conditions", "comment": "请补充照片"},
    ]
    response = review(world, "sup_1", visit_id, decision="returned", comments=comments, note="")
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["decision"] == "returned"
    assert body["author_id"] == world.accounts["fw_a"].user_id
    assert [c["field"] for c in body["comments"]] == [
        "incomes.0.monthly_amount",
        "housing_conditions",
    ]
    # The author's laptop receives the review and the visit's new status in its grid bucket.
    pulled = pull_all(world, "fw_a", "grid:G1")["records"]
    assert pulled[("visit", visit_id)]["meta"]["status"] == "returned"
    review_record = pulled[("review", body["id"])]
    assert review_record["meta"]["visit_id"] == visit_id
    assert review_record["meta"]["author_id"] == world.accounts["fw_a"].user_id
    assert review_record["data"]["comments"][0]["comment"] == "工资与银行流水不符"
    # No longer waiting; a second decision on the same revision is refused.
    assert visit_id not in {
        v["visit_id"] for v in world.get("sup_1", "/v1/reviews/queue").json()["visits"]
    }
    assert review(world, "sup_1", visit_id, decision="approved").status_code == 409


def test_review_rules(world: World) -> None:
    visit_id = push_visit(world, "fw_a", "H1")
    unknown_field = review(
        world,
        "sup_1",
        visit_id,
        decision="returned",
        comments=[{"field": "salary", "comment": "?"}],
    )
    assert unknown_field.status_code == 422
    assert unknown_field.json()["code"] == "invalid_request"
    assert review(world, "sup_1", visit_id, decision="returned").status_code == 422  # no comment
    for who in ("fw_a", "con_a", "aadm_a"):
        assert review(world, who, visit_id, decision="approved").status_code == 403, who
    assert review(world, "sup_2", visit_id, decision="approved").status_code == 404
    draft = push_visit(world, "fw_a", "H1", status="draft")
    assert review(world, "sup_1", draft, decision="approved").status_code == 409
    approved = review(world, "sup_1", visit_id, decision="approved", note="情况属实")
    assert approved.status_code == 201
    assert (
        pull_all(world, "fw_a", "grid:G1")["records"][("visit", visit_id)]["meta"]["status"]
        == "approved"
    )
    # An approved visit is frozen for the laptop too.
    late = world.push(
        "fw_a",
        [world.mutation("fw_a", "visit", visit_id, {"status": "returned"}, base_version=1)],
    )
    assert late["results"][0]["status"] == "rejected"


def test_history_follows_revisions_and_keeps_every_decision(world: World) -> None:
    first = push_visit(world, "fw_a", "H1")
    returned = review(
        world,
        "sup_1",
        first,
        decision="returned",
        comments=[{"field": "finding", "comment": "结论依据不足"}],
    )
    assert returned.status_code == 201
    # The author revises: a new revision naming the returned one, which becomes `revised`.
    record = pull_all(world, "fw_a", "grid:G1")["records"][("visit", first)]
    revised = world.push(
        "fw_a",
        [
            world.mutation(
                "fw_a", "visit", first, {"status": "revised"}, base_version=record["version"]
            )
        ],
    )
    assert revised["results"][0]["status"] == "applied", revised
    second = push_visit(world, "fw_a", "H1", revision_of=first, finding="doubtful")
    assert review(world, "sup_1", second, decision="approved").status_code == 201
    history = world.get("sup_1", f"/v1/visits/{second}/reviews")
    assert history.status_code == 200, history.text
    body = history.json()
    assert [r["visit_id"] for r in body["revisions"]] == [first, second]
    assert [r["decision"] for r in body["reviews"]] == ["returned", "approved"]
    assert body["reviews"][0]["comments"] == [{"field": "finding", "comment": "结论依据不足"}]
    first_history = body["revisions"][0]["status_history"]
    # Every move along the lifecycle: the server accepted the push (synced), the decision
    # passed through under_review, the author revised.
    assert [c["status"] for c in first_history] == [
        "completed",
        "synced",
        "under_review",
        "returned",
        "revised",
    ]
    assert [c["user_id"] for c in first_history][:2] == [world.accounts["fw_a"].user_id, None]
    second_history = body["revisions"][1]["status_history"]
    assert [c["status"] for c in second_history] == [
        "completed",
        "synced",
        "under_review",
        "approved",
    ]
    assert world.get("sup_2", f"/v1/visits/{second}/reviews").status_code == 404
    assert world.get("fw_a", f"/v1/visits/{second}/reviews").status_code == 200  # the author


def test_a_returned_visit_goes_back_to_a_contractor_whose_task_closed(world: World) -> None:
    visit_id = push_visit(world, "con_a", "H1", task_id=world.ids["T_open"])
    closed = world.client.post(
        f"/v1/tasks/{world.ids['T_open']}/close", headers=world.accounts["sup_1"].headers
    )
    assert closed.status_code == 200
    assert world.get("con_a", f"/v1/households/{world.ids['H1']}").status_code == 404
    response = review(
        world,
        "sup_1",
        visit_id,
        decision="returned",
        comments=[{"field": "visitors", "comment": "须两人入户"}],
    )
    assert response.status_code == 201, response.text
    # A task for the author brings the household (visit, review) back to their laptop.
    task_buckets = [b for b in buckets(world, "con_a") if b.startswith("task:")]
    assert len(task_buckets) == 1
    pulled = pull_all(world, "con_a", task_buckets[0])["records"]
    assert pulled[("visit", visit_id)]["meta"]["status"] == "returned"
    assert ("review", response.json()["id"]) in pulled


# ----------------------------------------------------------------------------- spot checks


def test_draw_is_a_pure_function_of_its_seed_and_inputs() -> None:
    population = [(f"h{i:03d}", f"g{i % 4}") for i in range(200)]
    pool = [("w1", ["g0"]), ("w2", ["g1"]), ("w3", ["g2", "g3"])]
    first = spotcheck.draw("seed-1", population, 30, pool, 2)
    assert first == spotcheck.draw("seed-1", list(reversed(population)), 30, pool[::-1], 2)
    assert first.selected != spotcheck.draw("seed-2", population, 30, pool, 2).selected
    assert len(set(first.selected)) == 30
    grid_of = dict(population)
    own = {user: set(grids) for user, grids in pool}
    for user, households in first.assignments.items():
        # Nobody checks a household of their own grid while another inspector is free of it.
        assert all(grid_of[h] not in own[user] for h in households)
    assert sorted(h for hs in first.assignments.values() for h in hs) == sorted(first.selected)
    with pytest.raises(ValueError):
        spotcheck.draw("s", population, 201, pool, 2)


def test_spot_check_draw_becomes_tasks_and_replays(world: World) -> None:
    body = {
        "region_id": "S1",
        "sample_size": 2,
        "inspector_count": 2,
        "inspector_ids": [world.accounts["fw_a"].user_id, world.accounts["fw_b"].user_id],
        "seed": "公开摇号-2026-11-23",
    }
    refused = world.client.post(
        "/v1/spot-checks", json=body, headers=world.accounts["sup_2"].headers
    )
    assert refused.status_code == 404  # not their street
    assert (
        world.client.post(
            "/v1/spot-checks", json=body, headers=world.accounts["fw_a"].headers
        ).status_code
        == 403
    )
    response = world.client.post(
        "/v1/spot-checks", json=body, headers=world.accounts["sup_1"].headers
    )
    assert response.status_code == 201, response.text
    drawn = response.json()
    assert drawn["seed"] == body["seed"] and drawn["population_size"] == 2
    assert sorted(drawn["selected"]) == sorted([world.ids["H1"], world.ids["H2"]])
    assert drawn["reproducible"] is True
    # Cross-checks: the G1 worker checks the G2 household and the other way round.
    assert drawn["assignments"] == {
        world.accounts["fw_a"].user_id: [world.ids["H2"]],
        world.accounts["fw_b"].user_id: [world.ids["H1"]],
    }
    assert len(drawn["task_ids"]) == 2
    assert any(b in buckets(world, "fw_b") for b in (f"task:{t}" for t in drawn["task_ids"]))
    assert world.get("fw_b", f"/v1/households/{world.ids['H1']}").status_code == 200
    # Recorded: listed, fetched, and the same inputs give the same result.
    assert [d["id"] for d in world.get("sup_1", "/v1/spot-checks").json()["draws"]] == [drawn["id"]]
    assert world.get("sup_2", f"/v1/spot-checks/{drawn['id']}").status_code == 404
    with world.session() as session:
        stored = session.get(spotcheck.SpotCheckDraw, drawn["id"])
        assert stored is not None and spotcheck.verify_draw(stored)
        stored.selected = list(reversed(stored.selected))
        assert not spotcheck.verify_draw(stored)  # a doctored record does not replay
    too_many = dict(body, sample_size=3, seed=str(uuid.uuid4()))
    assert (
        world.client.post(
            "/v1/spot-checks", json=too_many, headers=world.accounts["sup_1"].headers
        ).status_code
        == 409  # only 2 households in the street
    )

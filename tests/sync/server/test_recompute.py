"""Trust but verify: a completed visit's eligibility is recomputed on the server with the policy
in force; a laptop result that differs is flagged for the supervisor (queue, flag list, and a
conflict record the supervisor's laptop pulls)."""

from __future__ import annotations

from datetime import date
from typing import Any

from app.demo_data import generate_dataset, generate_visit_content
from app.policy import evaluate_visit, policy_in_force
from sync.server.recompute import EligibilityCheck
from tests.sync.server.conftest import World
from tests.sync.server.test_tasks import create_task, pull_all, push_visit

VISIT_DAY = date(2025, 6, 2)


def visit_content() -> dict[str, Any]:
    household = generate_dataset(seed=11, households=1).households[0]
    content = generate_visit_content(11, household, ("u1", "u2"))
    laptop = evaluate_visit(policy_in_force("district-x", VISIT_DAY), content, VISIT_DAY)
    fields: dict[str, Any] = content.model_dump(mode="json")
    fields["eligibility"] = laptop.to_dict()
    return fields


def check_of(world: World, visit_id: str) -> EligibilityCheck:
    world.wait_for_checks()
    with world.session() as session:
        check = session.get(EligibilityCheck, visit_id)
        assert check is not None
        return check


def test_matching_laptop_result_is_recorded_and_not_flagged(world: World) -> None:
    visit_id = push_visit(world, "fw_a", "H1", **visit_content())
    check = check_of(world, visit_id)
    assert check.outcome == "match" and check.policy_id == "district-x-2025"
    assert check.differences == [] and check.flag_id is None
    queue = world.get("sup_1", "/v1/reviews/queue").json()["visits"]
    assert [v["eligibility"]["outcome"] for v in queue if v["visit_id"] == visit_id] == ["match"]
    assert world.get("sup_1", "/v1/eligibility-flags").json()["count"] == 0


def test_a_laptop_result_that_differs_is_flagged_for_the_supervisor(world: World) -> None:
    fields = visit_content()
    laptop = dict(fields["eligibility"])
    laptop["monthly_benefit"] = str(int(float(laptop["monthly_benefit"])) + 500) + ".00"
    laptop["category"] = (
        "minimum_living" if laptop["category"] != "minimum_living" else "low_income"
    )
    fields["eligibility"] = laptop
    visit_id = push_visit(world, "fw_a", "H1", **fields)
    check = check_of(world, visit_id)
    assert check.outcome == "differs"
    assert {"category", "monthly_benefit"} <= set(check.differences)
    flags = world.get("sup_1", "/v1/eligibility-flags").json()
    assert [f["visit_id"] for f in flags["flags"]] == [visit_id]
    assert world.get("sup_2", "/v1/eligibility-flags").json()["count"] == 0
    assert world.get("fw_a", "/v1/eligibility-flags").status_code == 403
    # The flag travels as a conflict item with both results, in the household's buckets.
    pulled = pull_all(world, "sup_1", "street:S1")["records"]
    flag = pulled[("conflict", check.flag_id)]
    assert flag["meta"]["kind"] == "eligibility_mismatch"
    assert flag["meta"]["subject_id"] == visit_id
    assert flag["data"]["laptop"]["monthly_benefit"] == laptop["monthly_benefit"]
    assert flag["data"]["server"]["category"] != laptop["category"]
    # Recomputed once: a later status change (the review) does not check again.
    review = world.client.post(
        f"/v1/visits/{visit_id}/approve",
        json={},
        headers=world.accounts["sup_1"].headers,
    )
    assert review.status_code == 201
    assert check_of(world, visit_id).checked_at == check.checked_at


def test_visits_without_a_laptop_result_or_still_draft(world: World) -> None:
    fields = visit_content()
    del fields["eligibility"]
    without = push_visit(world, "fw_a", "H1", **fields)
    assert check_of(world, without).outcome == "no_client_result"
    draft = push_visit(world, "fw_a", "H1", status="draft")
    with world.session() as session:
        assert session.get(EligibilityCheck, draft) is None  # drafts are not checked
    malformed = push_visit(world, "fw_a", "H1", **{**fields, "eligibility": {"format": 99}})
    assert check_of(world, malformed).outcome == "client_result_malformed"
    assert world.get("sup_1", "/v1/eligibility-flags").json()["count"] == 1


def test_a_flag_goes_wherever_its_visit_goes_including_an_open_task(world: World) -> None:
    task = create_task(
        world,
        "sup_1",
        kind="clue_check",
        household_ids=[world.ids["H1"]],
        agency_id="A1",
        deadline="2026-12-31",
        title="核查",
    ).json()
    fields = visit_content()
    laptop = dict(fields["eligibility"])
    laptop["monthly_benefit"] = str(int(float(laptop["monthly_benefit"])) + 500) + ".00"
    fields["eligibility"] = laptop
    visit_id = push_visit(world, "fw_a", "H1", **fields)
    check = check_of(world, visit_id)
    assert check.outcome == "differs" and check.flag_id is not None
    # The task's contractor pulls the flag with the visit, as the street's supervisor does.
    for who, bucket in [("con_a", f"task:{task['id']}"), ("sup_1", "street:S1")]:
        pulled = pull_all(world, who, bucket)["records"]
        assert ("visit", visit_id) in pulled and ("conflict", check.flag_id) in pulled

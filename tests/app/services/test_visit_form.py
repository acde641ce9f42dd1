"""The visit form's typed state → VisitContent, with a reason next to every bad field."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from app.demo_data import generate_dataset, generate_visit_content
from app.domain import ClueStatus, Finding, VisitKind
from app.errors import ValidationError
from app.services.visit_form import check_form, parse_money, state_from_content

TODAY = date(2026, 11, 23)


def _state() -> dict[str, object]:
    household = generate_dataset(seed=1, households=1).households[0]
    content = generate_visit_content(1, household, ("u1", "u2"))
    return state_from_content(content, VisitKind.PERIODIC_REVIEW)


def test_a_complete_visit_round_trips() -> None:
    household = generate_dataset(seed=1, households=1).households[0]
    content = generate_visit_content(1, household, ("u1", "u2"))
    check = check_form(state_from_content(content, VisitKind.CLUE_CHECK), today=TODAY)
    assert check.ok, check.problems
    assert check.kind is VisitKind.CLUE_CHECK
    assert check.content == content


def test_bad_id_number_is_reported_on_its_field_and_the_member_left_out() -> None:
    state = _state()
    members = state["members"]
    assert isinstance(members, list)
    members[0]["id_number"] = members[0]["id_number"][:-1] + (
        "0" if members[0]["id_number"][-1] != "0" else "1"
    )
    check = check_form(state, today=TODAY)
    problem = check.problem("members.0.id_number")
    assert problem is not None
    assert "校验码" in problem.message("zh") and "check character" in problem.message("en")
    assert len(check.content.members) == len(members) - 1


def test_negative_and_malformed_incomes() -> None:
    state = _state()
    state["incomes"] = [
        {"member_id": "", "type": "wages", "monthly_amount": "-300", "note": ""},
        {"member_id": "", "type": "wages", "monthly_amount": "12.345", "note": ""},
        {"member_id": "", "type": "pension", "monthly_amount": "１２００．５", "note": ""},
    ]
    check = check_form(state, today=TODAY)
    negative = check.problem("incomes.0.monthly_amount")
    assert negative is not None and negative.message("zh") == "金额不能为负数"
    assert check.problem("incomes.1.monthly_amount") is not None
    assert [i.monthly_amount for i in check.content.incomes] == [Decimal("1200.5")]


def test_visitors_times_duplicates_and_interviews() -> None:
    state = _state()
    state["visitors"] = ["u1", "u1 "]
    state["started_at"] = "2026-11-23T10:00:00+08:00"
    state["ended_at"] = "2026-11-23T09:00:00+08:00"
    members = state["members"]
    assert isinstance(members, list)
    members.append(dict(members[0], member_id="dup"))
    state["neighbour_interviews"] = [{"name": "李女士", "relation": "邻居", "statement": ""}]
    check = check_form(state, today=TODAY)
    paths = {p.path for p in check.problems}
    assert {"visitors", "ended_at", f"members.{len(members) - 1}.id_number"} <= paths
    assert "neighbour_interviews.0" in paths


def test_finding_and_notice() -> None:
    state = _state()
    state["finding"] = "doubtful"
    state["notice_of_duties_signed"] = False
    check = check_form(state, today=TODAY)
    assert check.content.finding is Finding.DOUBTFUL
    assert not check.content.notice_of_duties_signed
    state["finding"] = ""
    assert check_form(state, today=TODAY).content.finding is None


@pytest.mark.parametrize(
    ("typed", "amount"),
    [("1,301", "1301"), ("¥ 80.5", "80.5"), ("0", "0"), ("２５０元", "250")],
)
def test_money_accepts_what_people_type(typed: str, amount: str) -> None:
    assert parse_money(typed) == Decimal(amount)


@pytest.mark.parametrize("typed", ["", "abc", "1.234", "-1", "99999999"])
def test_money_rejects(typed: str) -> None:
    with pytest.raises(ValidationError):
        parse_money(typed)


def test_clue_check_needs_an_outcome_per_clue() -> None:
    state = _state()
    state["clue_ids"] = ["c1", "c2"]
    state["clue_outcomes"] = {"c1": "refuted"}
    check = check_form(state, today=TODAY)
    assert check.clue_outcomes == {"c1": ClueStatus.REFUTED}
    assert check.problem("clue_outcomes.c2") is not None
    assert check.content.clue_ids == ("c1", "c2")

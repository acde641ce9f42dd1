"""The reviewer's diff against the household's previous visit and the choice of that visit."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal

from app.domain import Finding, IncomeItem, IncomeType, VisitContent, VisitKind, VisitStatus
from app.models.views import VisitView
from app.services.review import ReviewComment, previous_visit, visit_diff


def _visit(visit_id: str, day: int, status: VisitStatus, **content: object) -> VisitView:
    return VisitView(
        visit_id=visit_id,
        household_id="h1",
        kind=VisitKind.PERIODIC_REVIEW,
        status=status,
        revision=1,
        revision_of=None,
        visit_date=date(2026, 3, day),
        completed_at=datetime(2026, 3, day, 9, tzinfo=UTC),
        version=1,
        content=VisitContent.model_validate(content),
    )


def test_the_diff_names_the_changed_income_and_finding_only() -> None:
    before = VisitContent(
        housing_conditions="两室一厅",
        incomes=(IncomeItem(type=IncomeType.WAGES, monthly_amount=Decimal("800")),),
        finding=Finding.ELIGIBLE,
    )
    after = before.model_copy(
        update={
            "incomes": (IncomeItem(type=IncomeType.WAGES, monthly_amount=Decimal("1200")),),
            "finding": Finding.INELIGIBLE,
            "photo_ids": ("p1",),
        }
    )
    changes = {c.path: (c.before, c.after) for c in visit_diff(before, after)}
    assert changes == {
        "incomes.0.monthly_amount": ("800", "1200"),
        "finding": ("eligible", "ineligible"),
    }


def test_without_a_previous_visit_every_observed_field_is_new() -> None:
    content = VisitContent(housing_conditions="平房")
    changes = visit_diff(None, content)
    assert [(c.path, c.before, c.after) for c in changes] == [("housing_conditions", "", "平房")]


def test_previous_visit_skips_drafts_later_visits_and_the_visits_own_revisions() -> None:
    old = _visit("v1", 1, VisitStatus.APPROVED, housing_conditions="a")
    returned = _visit("v2", 5, VisitStatus.REVISED)
    draft = _visit("v0", 2, VisitStatus.DRAFT)
    later = _visit("v9", 20, VisitStatus.APPROVED)
    current = replace(_visit("v3", 6, VisitStatus.COMPLETED), revision_of="v2", revision=2)
    assert previous_visit([old, returned, draft, later, current], current) == old
    assert previous_visit([current], current) is None


def test_a_comment_knows_its_top_field() -> None:
    assert ReviewComment("incomes.0.monthly_amount", "工资条不符").top_field == "incomes"

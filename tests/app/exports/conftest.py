"""Read models built from the synthetic demo data, as the store would hand them to an export."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from app.demo_data import DemoDataset, DemoHousehold, generate_dataset, generate_visit_content
from app.domain import HouseholdStatus, RegionLevel, VisitKind, VisitStatus
from app.models.views import HouseholdView, MemberView, VisitView
from app.policy import EligibilityDecision, evaluate_visit, policy_by_id

EVALUATED_ON = date(2025, 7, 1)


@dataclass(frozen=True)
class DemoCase:
    demo: DemoHousehold
    household: HouseholdView
    visit: VisitView
    decision: EligibilityDecision
    grid_name: str
    community: str


def household_view(
    demo: DemoHousehold, status: HouseholdStatus = HouseholdStatus.ACTIVE
) -> HouseholdView:
    return HouseholdView(
        household_id=demo.household_id,
        grid_id=demo.grid_id,
        status=status,
        category=demo.category,
        next_review=demo.next_review,
        version=1,
        content=demo.content,
        members=tuple(
            MemberView(m.member_id, demo.household_id, 1, m) for m in demo.content.members
        ),
    )


def visit_view(
    demo: DemoHousehold, visit_id: str, kind: VisitKind = VisitKind.PERIODIC_REVIEW
) -> VisitView:
    content = generate_visit_content(11, demo, ("worker-1", "worker-2"))
    assert content.started_at is not None
    return VisitView(
        visit_id=visit_id,
        household_id=demo.household_id,
        kind=kind,
        status=VisitStatus.COMPLETED,
        revision=1,
        revision_of=None,
        visit_date=content.started_at.date(),
        completed_at=content.ended_at,
        version=1,
        content=content,
    )


@pytest.fixture(scope="session")
def dataset() -> DemoDataset:
    return generate_dataset(seed=5, households=12)


@pytest.fixture(scope="session")
def cases(dataset: DemoDataset) -> tuple[DemoCase, ...]:
    regions = {r.region_id: r for r in dataset.regions}
    policy = policy_by_id("district-x-2025")
    out = []
    for index, demo in enumerate(dataset.households):
        grid = regions[demo.grid_id]
        assert grid.level is RegionLevel.GRID and grid.parent_id is not None
        visit = visit_view(demo, f"visit-{index:02d}")
        out.append(
            DemoCase(
                demo=demo,
                household=household_view(demo),
                visit=visit,
                decision=evaluate_visit(policy, visit.content, EVALUATED_ON),
                grid_name=grid.name,
                community=regions[grid.parent_id].name,
            )
        )
    return tuple(out)

"""The laptop chooses its policy along the server's region chain (grid → community → street →
district), from the regions it pulls in the reference bucket, and says so when the policy it
ships is not the one the server's references name. The server here is the real application
(in process); the laptop is a real profile whose store takes the server's pull pages."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlmodel import select

from app.crypto import KdfParams
from app.domain import (
    AssistanceCategory,
    HouseholdContent,
    IncomeItem,
    IncomeType,
    MemberContent,
    Relation,
    VisitContent,
)
from app.idnumber import check_digit
from app.ids import uuid7
from app.policy import Policy, loader, policy_by_id
from app.services.profiles import ProfileDirectory
from app.services.readmodels import PolicyNotice
from app.services.session import (
    AccountService,
    AccountSession,
    Registration,
    RegistrationRequest,
)
from sync.server import reference
from sync.server.recompute import EligibilityCheck
from sync.server.records import lock_changes
from tests.sync.server.conftest import PASSWORD, World
from tests.sync.server.test_tasks import pull_all, visit_fields

DAY = date(2025, 6, 2)
SHIPPED = loader.shipped_policies()


def _community_policy() -> Policy:
    """District X's standards with a higher 低保 standard, set for community C1 only."""
    base = policy_by_id("district-x-2025")
    return base.model_copy(
        update={
            "policy": base.policy.model_copy(
                update={"id": "community-c1-2025", "title_en": "Community One, 2025"}
            ),
            "region": base.region.model_copy(update={"id": "C1", "covers": ()}),
            "dibao": base.dibao.model_copy(update={"standard": Decimal("1600")}),
        }
    )


def _ship(monkeypatch: pytest.MonkeyPatch, policies: tuple[Policy, ...]) -> None:
    """The policies both the server and the laptop ship (one process here)."""
    monkeypatch.setattr(loader, "shipped_policies", lambda: policies)
    monkeypatch.setattr(reference, "shipped_policies", lambda: policies)


def _laptop(world: World, tmp_path: Path) -> AccountSession:
    account = world.accounts["fw_a"]

    def register(request: RegistrationRequest) -> Registration:
        return Registration(
            user_id=account.user_id, device_id=account.device_id, display_name=request.account
        )

    service = AccountService(
        ProfileDirectory(tmp_path / "profiles"), register=register, kdf=KdfParams.for_tests()
    )
    return service.register("https://jiafang.example.cn", "fw_a", PASSWORD)


def _pull(world: World, laptop: AccountSession, bucket: str) -> None:
    records = pull_all(world, "fw_a", bucket)["records"]
    laptop.store.apply_pull_page(list(records.values()), bucket, 1)


def _household_on_both(world: World, laptop: AccountSession) -> tuple[str, MemberContent]:
    """A one-person household in grid G1 made on the laptop and pushed like the engine does."""
    first17 = "11010519800101003"
    head = MemberContent(
        member_id=uuid7(),
        name="孙立",
        id_number=first17 + check_digit(first17),
        relation=Relation.HEAD,
    )
    household = laptop.store.create_household(
        grid_id="G1",
        content=HouseholdContent(head_name="孙立", address="和平社区1号", members=(head,)),
    )
    entries = laptop.store.pending_mutations()
    answer = world.push("fw_a", [e.to_wire() for e in entries])
    assert {r["status"] for r in answer["results"]} == {"applied"}, answer
    laptop.store.acknowledge(e.mutation_id for e in entries)
    return household.household_id, head


def test_a_community_policy_gives_the_same_decision_on_laptop_and_server(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    community = _community_policy()
    _ship(monkeypatch, (*SHIPPED, community))
    laptop = _laptop(world, tmp_path)
    _pull(world, laptop, "reference")
    household_id, head = _household_on_both(world, laptop)

    visit = visit_fields(household_id, visit_date=DAY.isoformat())
    content = VisitContent(
        members=(head,),
        incomes=(
            IncomeItem(
                member_id=head.member_id, type=IncomeType.WAGES, monthly_amount=Decimal(1450)
            ),
        ),
    )
    decision = laptop.evaluate(household_id, content, on=DAY)
    assert decision is not None
    # 1,450 a month is under the community's standard (1,600), not the district's (1,301).
    assert decision.policy_id == "community-c1-2025"
    assert decision.category is AssistanceCategory.MINIMUM_LIVING
    assert laptop.store.region_ancestors("G1") == ("C1", "S1", "D1")  # as pulled

    visit.update(content.model_dump(mode="json", include={"members", "incomes"}))
    visit["eligibility"] = decision.to_dict()
    visit_id = uuid7()
    pushed = world.push(
        "fw_a",
        [world.mutation("fw_a", "visit", visit_id, visit, household_id=household_id)],
    )
    assert pushed["results"][0]["status"] == "applied", pushed
    world.wait_for_checks()
    with world.session() as session:
        check = session.exec(
            select(EligibilityCheck).where(EligibilityCheck.visit_id == visit_id)
        ).one()
    assert (check.outcome, check.policy_id, check.differences) == (
        "match",
        "community-c1-2025",
        [],
    )
    assert laptop.policy_notice(household_id, on=DAY) is None  # both name the same policy
    laptop.close()


def test_a_different_policy_version_on_the_server_is_noticed(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    laptop = _laptop(world, tmp_path)
    _pull(world, laptop, "reference")
    household_id, _ = _household_on_both(world, laptop)
    assert laptop.policy_notice(household_id, on=DAY) is None

    # The server is upgraded with a new version of the district's standards.
    district = policy_by_id("district-x-2025")
    newer = district.model_copy(
        update={"policy": district.policy.model_copy(update={"version": "2"})}
    )
    with world.session() as session:
        lock_changes(session)
        reference.publish_policies(session, world.context.keys, [newer])
        session.commit()
    _pull(world, laptop, "reference")

    assert laptop.policy_notice(household_id, on=DAY) == PolicyNotice(
        laptop_policy_id="district-x-2025",
        laptop_version="1",
        server_policy_id="district-x-2025",
        server_version="2",
    )
    laptop.close()

"""The synthetic demo data: reproducible, valid, plausible, and never anyone's real data."""

from __future__ import annotations

import itertools
import random
import time
from collections import Counter
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.demo_data import (
    DISTRICT_NAME,
    HOUSEHOLD_CAPACITY,
    REFERENCE_DATE,
    DemoDataset,
    DemoHousehold,
    generate_dataset,
    generate_households,
    generate_regions,
    generate_visit_content,
    generate_visit_due_for_review,
)
from app.domain import (
    AssetType,
    AssistanceCategory,
    ExpenseType,
    Finding,
    Health,
    HouseholdContent,
    IncomeType,
    LabourCapacity,
    RegionLevel,
    Relation,
    VisitContent,
)
from app.idnumber import IdNumber, parse_id_number

GRIDS = ("grid-a", "grid-b", "grid-c")
#: the day the demo is made, pinned so the dates below are the same on every run
DEMO_DAY = date(2026, 3, 2)


@pytest.fixture(scope="module")
def dataset() -> DemoDataset:
    return generate_dataset(seed=11, households=2000, today=DEMO_DAY)


def parsed_members(household: DemoHousehold) -> list[tuple[Relation, IdNumber]]:
    return [
        (m.relation, parse_id_number(m.id_number, today=REFERENCE_DATE))
        for m in household.content.members
    ]


# --- reproducibility and streaming --------------------------------------------------------------


def test_the_same_seed_gives_the_same_data() -> None:
    assert generate_dataset(seed=5, households=40) == generate_dataset(seed=5, households=40)


def test_different_seeds_give_different_data() -> None:
    first = generate_dataset(seed=5, households=40)
    second = generate_dataset(seed=6, households=40)
    assert {h.household_id for h in first.households}.isdisjoint(
        h.household_id for h in second.households
    )
    assert [h.content.head_name for h in first.households] != [
        h.content.head_name for h in second.households
    ]


def test_generation_does_not_touch_the_global_random_state() -> None:
    random.seed(1234)
    expected = random.random()
    random.seed(1234)
    generate_dataset(seed=3, households=20)
    assert random.random() == expected


def test_a_household_is_the_same_whatever_the_paging() -> None:
    whole = list(generate_households(9, 30, GRIDS))
    pages = [list(generate_households(9, 10, GRIDS, start=s)) for s in (0, 10, 20)]
    assert whole == pages[0] + pages[1] + pages[2]


def test_households_are_generated_lazily() -> None:
    started = time.perf_counter()
    stream = generate_households(2, 1_000_000, GRIDS)
    assert isinstance(stream, Iterator)
    first_three = list(itertools.islice(stream, 3))
    # a million households would take minutes; three take milliseconds
    assert time.perf_counter() - started < 1.0
    assert first_three == list(generate_households(2, 3, GRIDS))


@pytest.mark.parametrize(
    ("count", "grids", "start"),
    [(-1, GRIDS, 0), (1, GRIDS, -1), (1, (), 0), (2, GRIDS, HOUSEHOLD_CAPACITY - 1)],
)
def test_impossible_requests_are_refused(count: int, grids: tuple[str, ...], start: int) -> None:
    with pytest.raises(ValueError):
        generate_households(1, count, grids, start=start)


# --- ID numbers ---------------------------------------------------------------------------------


def test_every_id_number_is_valid_and_unique(dataset: DemoDataset) -> None:
    numbers = [m.id_number for h in dataset.households for m in h.content.members]
    for number in numbers:
        assert parse_id_number(number, today=REFERENCE_DATE).number == number
    assert len(set(numbers)) == len(numbers)


def test_id_numbers_stay_unique_across_pages_and_province_blocks() -> None:
    # 63,261 households fill the home province; pages either side of that boundary
    boundary = 891 * 71
    starts = (0, 891, 891 * 2 - 5, boundary - 300, boundary, 5 * boundary + 17)
    numbers = [
        m.id_number
        for start in starts
        for h in generate_households(4, 300, GRIDS, start=start)
        for m in h.content.members
    ]
    assert len(set(numbers)) == len(numbers)
    assert all(parse_id_number(n, today=REFERENCE_DATE) for n in numbers)


def region_and_sequence_codes(index: int) -> set[tuple[str, str]]:
    return {
        (m.id_number[:6], m.id_number[14:17])
        for h in generate_households(0, 1, GRIDS, start=index)
        for m in h.content.members
    }


COUNTIES, PER_COUNTY = 891, 71  # invented counties a province, households a county


@settings(max_examples=60, deadline=None)
@given(
    st.integers(min_value=0, max_value=HOUSEHOLD_CAPACITY - 1),
    st.integers(min_value=0, max_value=HOUSEHOLD_CAPACITY - 1),
)
def test_two_households_never_share_region_and_sequence_codes(first: int, second: int) -> None:
    # Uniqueness must not depend on birth dates happening to differ.
    if first == second:
        second = (first + 1) % HOUSEHOLD_CAPACITY
    assert region_and_sequence_codes(first).isdisjoint(region_and_sequence_codes(second))


@settings(max_examples=60, deadline=None)
@given(
    st.integers(min_value=0, max_value=HOUSEHOLD_CAPACITY // (COUNTIES * PER_COUNTY) - 1),
    st.integers(min_value=0, max_value=COUNTIES - 1),
    st.lists(
        st.integers(min_value=0, max_value=PER_COUNTY - 1), min_size=2, max_size=2, unique=True
    ),
)
def test_households_of_one_county_get_distinct_sequence_codes(
    province: int, county: int, locals_: list[int]
) -> None:
    first, second = (province * COUNTIES * PER_COUNTY + n * COUNTIES + county for n in locals_)
    codes = [region_and_sequence_codes(first), region_and_sequence_codes(second)]
    # same region code: only the sequence codes keep them apart
    assert {r for r, _ in codes[0]} == {r for r, _ in codes[1]}
    assert codes[0].isdisjoint(codes[1])


def test_region_codes_are_invented_counties_of_real_provinces(dataset: DemoDataset) -> None:
    for household in dataset.households[:300]:
        for _, parsed in parsed_members(household):
            # city parts 91-99 are not used by GB/T 2260, so no real county is impersonated
            assert 91 <= int(parsed.region_code[2:4]) <= 99
            assert parsed.region_code[4:6] != "00"


# --- plausible families -------------------------------------------------------------------------


def test_household_sizes_average_about_four(dataset: DemoDataset) -> None:
    sizes = [len(h.content.members) for h in dataset.households]
    assert min(sizes) == 1
    assert max(sizes) == 7
    assert 3.7 <= sum(sizes) / len(sizes) <= 4.3


def test_ages_fit_each_relation(dataset: DemoDataset) -> None:
    for household in dataset.households:
        members = parsed_members(household)
        relation, head = members[0]
        assert relation is Relation.HEAD
        assert [r for r, _ in members].count(Relation.HEAD) == 1
        head_age = head.age_on(REFERENCE_DATE)
        assert 25 <= head_age <= 85
        assert household.content.head_name == household.content.members[0].name
        for relation, member in members[1:]:
            age = member.age_on(REFERENCE_DATE)
            assert 0 <= age <= 100
            if relation is Relation.SPOUSE:
                assert age >= 20
                assert member.sex is not head.sex
            elif relation is Relation.CHILD:
                assert head_age - age >= 20
            elif relation is Relation.GRANDCHILD:
                assert head_age - age >= 40
            elif relation is Relation.PARENT:
                assert age - head_age >= 20


def test_relations_health_and_capacity_are_mixed(dataset: DemoDataset) -> None:
    members = [m for h in dataset.households for m in h.content.members]
    relations = Counter(m.relation for m in members)
    for relation in (Relation.SPOUSE, Relation.CHILD, Relation.PARENT, Relation.GRANDCHILD):
        assert relations[relation] > 20
    assert set(Counter(m.health for m in members)) == set(Health)
    assert set(Counter(m.labour_capacity for m in members)) == set(LabourCapacity)
    assert {m.disability_grade for m in members} == {None, 1, 2, 3, 4}
    disabled_share = sum(m.disability_grade is not None for m in members) / len(members)
    assert 0.04 <= disabled_share <= 0.12
    employed = [m for m in members if m.employed]
    assert employed
    assert all(m.employment for m in employed)
    assert any(m.schooling for m in members)
    assert any(not m.lives_with_family for m in members)
    assert any(m.has_able_supporter for m in members)


def test_children_and_the_seriously_ill_cannot_work(dataset: DemoDataset) -> None:
    for household in dataset.households[:500]:
        for member, (_, parsed) in zip(
            household.content.members, parsed_members(household), strict=True
        ):
            if parsed.age_on(REFERENCE_DATE) < 16 or member.health is Health.SERIOUS:
                assert member.labour_capacity is LabourCapacity.NONE
                assert not member.employed


def test_about_one_household_in_ten_lives_away_from_its_registration(
    dataset: DemoDataset,
) -> None:
    split = sum(h.content.residence_split for h in dataset.households)
    assert 0.06 <= split / len(dataset.households) <= 0.14
    for household in dataset.households:
        assert household.content.actual_residence == household.content.address
        if not household.content.residence_split:
            assert household.content.registered_residence == household.content.address


# --- money ---------------------------------------------------------------------------------------


def test_incomes_are_per_member_in_yuan_and_fen(dataset: DemoDataset) -> None:
    incomes = [i for h in dataset.households for i in h.incomes]
    types = Counter(i.type for i in incomes)
    for kind in (IncomeType.WAGES, IncomeType.PENSION, IncomeType.TRANSFER):
        assert types[kind] > 20
    assert any(i.monthly_amount == 0 for i in incomes)
    for income in incomes:
        assert isinstance(income.monthly_amount, Decimal)
        assert income.monthly_amount >= 0
        assert income.monthly_amount.as_tuple().exponent == -2
    for household in dataset.households:
        member_ids = {m.member_id for m in household.content.members}
        for item in (*household.incomes, *household.assets, *household.expenses):
            assert item.member_id is None or item.member_id in member_ids
        wage_earners = {i.member_id for i in household.incomes if i.type is IncomeType.WAGES}
        assert wage_earners == {m.member_id for m in household.content.members if m.employed}


def test_assets_include_deposits_vehicles_and_businesses(dataset: DemoDataset) -> None:
    assets = [a for h in dataset.households for a in h.assets]
    types = Counter(a.type for a in assets)
    assert types[AssetType.DEPOSIT] > 0.8 * len(dataset.households)
    assert types[AssetType.VEHICLE] > 0
    assert types[AssetType.BUSINESS_REGISTRATION] > 0
    assert any(a.for_disability for a in assets if a.type is AssetType.VEHICLE)
    assert any(a.type is AssetType.DEPOSIT and a.value == 0 for a in assets)
    assert all(not a.for_disability for a in assets if a.type is not AssetType.VEHICLE)


def test_expenses_follow_illness_and_schooling(dataset: DemoDataset) -> None:
    for household in dataset.households:
        by_id = {m.member_id: m for m in household.content.members}
        for expense in household.expenses:
            member = by_id[expense.member_id or ""]
            if expense.type is ExpenseType.MEDICAL:
                assert member.health is not Health.HEALTHY
            elif expense.type is ExpenseType.EDUCATION:
                assert member.schooling
    kinds = {e.type for h in dataset.households for e in h.expenses}
    assert {ExpenseType.MEDICAL, ExpenseType.EDUCATION} <= kinds


def test_categories_and_review_dates(dataset: DemoDataset) -> None:
    categories = Counter(h.category for h in dataset.households)
    assert set(categories) == set(AssistanceCategory)
    assert categories.most_common(1)[0][0] is AssistanceCategory.MINIMUM_LIVING
    for household in dataset.households:
        if household.category is AssistanceCategory.EXTREME_POVERTY:
            assert len(household.content.members) == 1


def test_reviews_fall_due_around_the_demo_day_with_a_handful_overdue(
    dataset: DemoDataset,
) -> None:
    due_in = [(h.next_review - DEMO_DAY).days for h in dataset.households]
    assert all(-30 <= days <= 366 for days in due_in)
    overdue = sum(days < 0 for days in due_in) / len(due_in)
    within_six_weeks = sum(0 <= days <= 42 for days in due_in) / len(due_in)
    assert 0.02 < overdue < 0.1
    assert 0.15 < within_six_weeks < 0.4
    later = generate_dataset(seed=11, households=50, today=DEMO_DAY + timedelta(days=400))
    shift = {(h.next_review - DEMO_DAY).days - 400 for h in later.households}
    assert shift <= set(due_in)  # the same spread, moved with the day the demo is made


# --- no real data, and ready for the store ------------------------------------------------------


def test_addresses_and_phones_are_fictional(dataset: DemoDataset) -> None:
    for household in dataset.households:
        assert household.content.address.startswith(DISTRICT_NAME)
        # 100xxxxxxxx is never issued to a subscriber
        assert household.content.phone.startswith("100")
        assert len(household.content.phone) == 11
        assert household.content.phone.isdigit()


def test_content_survives_a_json_round_trip(dataset: DemoDataset) -> None:
    for household in dataset.households[:100]:
        payload = household.content.model_dump_json()
        assert HouseholdContent.model_validate_json(payload) == household.content


def test_households_are_spread_over_the_given_grids(dataset: DemoDataset) -> None:
    used = Counter(h.grid_id for h in dataset.households)
    assert set(used) == set(dataset.grid_ids)
    assert min(used.values()) > len(dataset.households) / len(dataset.grid_ids) / 2
    ids = [h.household_id for h in dataset.households]
    members = [m.member_id for h in dataset.households for m in h.content.members]
    assert len(set(ids)) == len(ids)
    assert len(set(members)) == len(members)


# --- regions ------------------------------------------------------------------------------------


def test_regions_form_the_district_tree() -> None:
    regions = generate_regions(3, streets=3, communities_per_street=4, grids_per_community=2)
    levels = Counter(r.level for r in regions)
    assert levels == {
        RegionLevel.DISTRICT: 1,
        RegionLevel.STREET: 3,
        RegionLevel.COMMUNITY: 12,
        RegionLevel.GRID: 24,
    }
    by_id = {r.region_id: r for r in regions}
    assert len(by_id) == len(regions)
    parent_level = {
        RegionLevel.STREET: RegionLevel.DISTRICT,
        RegionLevel.COMMUNITY: RegionLevel.STREET,
        RegionLevel.GRID: RegionLevel.COMMUNITY,
    }
    seen: set[str] = set()
    for region in regions:
        if region.level is RegionLevel.DISTRICT:
            assert region.parent_id is None
            assert region.name == DISTRICT_NAME
        else:
            assert region.parent_id in seen  # parents come before their children
            assert by_id[region.parent_id].level is parent_level[region.level]
        seen.add(region.region_id)
    assert len({r.name for r in regions}) == len(regions)
    assert regions == generate_regions(
        3, streets=3, communities_per_street=4, grids_per_community=2
    )


def test_many_streets_still_get_distinct_names() -> None:
    regions = generate_regions(0, streets=9, communities_per_street=3, grids_per_community=1)
    assert len({r.name for r in regions}) == len(regions)


# --- visits -------------------------------------------------------------------------------------


def test_visit_content_describes_a_completed_visit(dataset: DemoDataset) -> None:
    household = dataset.households[0]
    visit = generate_visit_content(7, household, ("user-a", "user-b"))
    assert isinstance(visit, VisitContent)
    assert visit.visitors == ("user-a", "user-b")
    assert visit.started_at is not None and visit.ended_at is not None
    assert visit.started_at.tzinfo is not None
    assert visit.started_at < visit.ended_at
    assert household.content.head_name in visit.present
    assert visit.members == household.content.members
    assert visit.incomes == household.incomes
    assert visit.notice_of_duties_signed
    assert visit.neighbour_interviews
    assert visit.finding is not None and visit.finding_reasons
    assert generate_visit_content(7, household, ("user-a", "user-b")) == visit
    assert VisitContent.model_validate_json(visit.model_dump_json()) == visit


def test_visits_are_dated_in_the_months_before_the_demo_day(dataset: DemoDataset) -> None:
    for household in dataset.households[:200]:
        visit = generate_visit_content(3, household, ("u1", "u2"), today=DEMO_DAY)
        assert visit.started_at is not None
        assert 7 <= (DEMO_DAY - visit.started_at.date()).days <= 180
        redated = generate_visit_content(3, household, ("u1", "u2"), visited_on=date(2026, 1, 5))
        assert redated.started_at is not None and redated.started_at.date() == date(2026, 1, 5)
        assert redated.started_at.time() == visit.started_at.time()
        assert (
            redated.model_copy(update={"started_at": visit.started_at, "ended_at": visit.ended_at})
            == visit
        )


def test_a_visit_due_for_review_is_one_interval_before_the_households_due_date(
    dataset: DemoDataset,
) -> None:
    asked: list[date] = []

    def yearly(visit: VisitContent, on: date) -> int:
        asked.append(on)
        return 12

    for household in dataset.households[:200]:
        visit = generate_visit_due_for_review(
            3, household, ("u1", "u2"), today=DEMO_DAY, review_interval=yearly
        )
        assert visit.started_at is not None
        day = visit.started_at.date()
        assert day < DEMO_DAY
        if household.next_review < DEMO_DAY.replace(year=DEMO_DAY.year + 1):
            assert day.replace(year=day.year + 1) == household.next_review or (
                (day.month, day.day) == (2, 28) and household.next_review.day == 29
            )
        else:
            assert day == DEMO_DAY - timedelta(days=1)
    assert asked  # the interval came from the caller's policy engine
    ineligible = generate_visit_due_for_review(
        3, dataset.households[0], ("u1", "u2"), today=DEMO_DAY, review_interval=lambda v, d: None
    )
    assert ineligible == generate_visit_content(
        3, dataset.households[0], ("u1", "u2"), today=DEMO_DAY
    )


def test_visit_findings_follow_the_household_category(dataset: DemoDataset) -> None:
    rng = random.Random(1)
    findings = Counter()
    for household in dataset.households[:400]:
        visit = generate_visit_content(rng, household, ("u1", "u2"))
        findings[visit.finding] += 1
        if household.category is AssistanceCategory.NOT_ELIGIBLE:
            assert visit.finding is Finding.INELIGIBLE
        else:
            assert visit.finding is not Finding.INELIGIBLE
    assert findings[Finding.ELIGIBLE] > findings[Finding.DOUBTFUL] > 0

"""The engine's rules, one table per rule, boundaries included, asserted on category, amounts
and the reasons a supervisor reads."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from decimal import Decimal

import pytest

from app.domain import (
    AssetItem,
    AssetType,
    AssistanceCategory,
    ExpenseItem,
    ExpenseType,
    Health,
    IncomeItem,
    IncomeType,
    LabourCapacity,
    MemberContent,
    Relation,
    SpecialStatus,
    VisitContent,
)
from app.errors import PolicyError
from app.policy.decision import EligibilityDecision
from app.policy.engine import add_months, evaluate, evaluate_visit, money
from app.policy.model import Policy
from tests.app.policy.builders import asset, expense, income, member, variant

ON = date(2025, 6, 15)
D = Decimal
LOW = AssistanceCategory.LOW_INCOME
DIBAO = AssistanceCategory.MINIMUM_LIVING
TEKUN = AssistanceCategory.EXTREME_POVERTY
SPEND = AssistanceCategory.EXPENDITURE_HARDSHIP
NONE = AssistanceCategory.NOT_ELIGIBLE


def decide(
    policy: Policy,
    members: Sequence[MemberContent],
    incomes: Sequence[IncomeItem] = (),
    assets: Sequence[AssetItem] = (),
    expenses: Sequence[ExpenseItem] = (),
    *,
    on: date = ON,
    employment_reported_on: date | None = None,
    stable: bool | None = None,
) -> EligibilityDecision:
    return evaluate(
        policy,
        members,
        incomes,
        assets,
        expenses,
        on=on,
        employment_reported_on=employment_reported_on,
        stable=stable,
    )


def adult(member_id: str = "a", relation: Relation = Relation.HEAD, **kw: object) -> MemberContent:
    return member(member_id, date(1985, 3, 1), relation, **kw)  # type: ignore[arg-type]


def rules(decision: EligibilityDecision) -> list[str]:
    return [r.rule for r in decision.reasons]


# -- 低保: income strictly below the standard ---------------------------------------------------


@pytest.mark.parametrize(
    ("wages", "category", "benefit", "dibao_passed", "sign"),
    [
        ("0", DIBAO, "1301.00", True, "<"),
        ("1300.99", DIBAO, "0.01", True, "<"),
        # "below" the standard: exactly equal is NOT eligible for 低保 (it is 低收入 instead)
        ("1301.00", LOW, "0.00", False, "≥"),
        ("1301.01", LOW, "0.00", False, "≥"),
        ("1951.49", LOW, "0.00", False, "≥"),
        ("1951.50", NONE, "0.00", False, "≥"),  # low-income line 1301 x 1.5, also strict
    ],
)
def test_dibao_income_boundary_one_member(
    district_x: Policy,
    wages: str,
    category: AssistanceCategory,
    benefit: str,
    dibao_passed: bool,
    sign: str,
) -> None:
    decision = decide(district_x, [adult()], [income(wages, "a")])
    assert decision.category is category
    assert decision.monthly_benefit == D(benefit)
    reason = decision.reason("dibao.income")
    assert reason.passed is dibao_passed
    assert reason.text_zh == f"家庭月人均收入 {D(wages):.2f} 元 {sign} 低保标准 1301.00 元"
    assert reason.text_en == (
        f"Per-capita monthly income {D(wages):,.2f} yuan {sign} minimum-living standard"
        " 1,301.00 yuan"
    )
    assert dict(reason.values) == {"per_capita_income": f"{D(wages):.2f}", "standard": "1301.00"}


@pytest.mark.parametrize(
    ("size", "total", "per_capita", "benefit"),
    [
        (3, "3540.00", "1180.00", "363.00"),  # the example from the issue
        (3, "1000.00", "333.33", "2903.01"),  # per-capita rounded first, then the top-up
        (2, "100.01", "50.01", "2501.98"),  # 50.005 rounds HALF UP (banker's would give 50.00)
        (1, "0", "0.00", "1301.00"),
    ],
)
def test_dibao_top_up_and_rounding(
    district_x: Policy, size: int, total: str, per_capita: str, benefit: str
) -> None:
    members = [adult("a")] + [adult(f"m{i}", Relation.CHILD) for i in range(1, size)]
    decision = decide(district_x, members, [income(total, "a")])
    assert decision.category is DIBAO
    assert decision.household_size == size
    assert decision.per_capita_income == D(per_capita)
    assert decision.monthly_benefit == D(benefit)
    assert decision.reason("dibao.benefit").value("benefit") == benefit


def test_money_rounds_half_up_to_the_cent() -> None:
    assert money(D("0.005")) == D("0.01")
    assert money(D("2.675")) == D("2.68")
    assert money(D("1")) == D("1.00")


# -- ages: 60 and 18 on the evaluation date -------------------------------------------------


@pytest.mark.parametrize(
    ("born", "on", "category", "group_passed", "age"),
    [
        (date(1965, 6, 15), ON, TEKUN, True, 60),  # 60th birthday on the visit date: elderly
        (date(1965, 6, 16), ON, DIBAO, False, 59),  # one day short
        (date(2007, 6, 16), ON, TEKUN, True, 17),  # minor until the 18th birthday
        (date(2007, 6, 15), ON, DIBAO, False, 18),  # 18 on the visit date: no longer a minor
        (date(2008, 2, 29), date(2026, 2, 28), TEKUN, True, 17),  # leap-day birthday
        (date(2008, 2, 29), date(2026, 3, 1), DIBAO, False, 18),
    ],
)
def test_age_boundaries_for_extreme_poverty(
    district_x: Policy,
    born: date,
    on: date,
    category: AssistanceCategory,
    group_passed: bool,
    age: int,
) -> None:
    # someone living alone with no income and nobody to support them; the elderly person has
    # no labour capacity, the young person is able-bodied (capacity only matters for adults)
    labour = LabourCapacity.NONE if born.year < 2000 else LabourCapacity.FULL
    person = member("p", born, labour=labour)
    decision = decide(district_x, [person], on=on)
    assert decision.category is category
    group = decision.reason("tekun.group", "p")
    assert group.passed is group_passed
    assert group.value("age") == str(age)
    assert decision.members[0].age == age
    if category is TEKUN:
        assert decision.monthly_benefit == D("2255.00")
        assert decision.members[0].extreme_poverty


# -- 特困 per member ------------------------------------------------------------------------


OLD = date(1950, 1, 1)


@pytest.mark.parametrize(
    ("members", "incomes", "failed_rule", "category"),
    [
        ([member("p", OLD, labour=LabourCapacity.NONE)], [], None, TEKUN),
        (
            [member("p", OLD, labour=LabourCapacity.NONE)],
            [income("800", "p", IncomeType.PENSION)],
            "tekun.income_source",
            DIBAO,
        ),
        (
            [member("p", OLD, labour=LabourCapacity.NONE, has_able_supporter=True)],
            [],
            "tekun.supporter",
            DIBAO,
        ),
        ([member("p", OLD, labour=LabourCapacity.FULL)], [], "tekun.labour", DIBAO),
        (
            [member("p", date(1985, 1, 1), disability_grade=1, labour=LabourCapacity.NONE)],
            [],
            None,
            TEKUN,
        ),
        (
            [member("p", date(1985, 1, 1), disability_grade=3, labour=LabourCapacity.PARTIAL)],
            [],
            "tekun.labour",
            DIBAO,
        ),
        (
            [member("p", date(2012, 1, 1), special=SpecialStatus.ORPHAN)],
            [],
            "tekun.orphan",
            DIBAO,
        ),
        # assistance payments are not an income source under the policy
        (
            [member("p", OLD, labour=LabourCapacity.NONE)],
            [income("300", "p", IncomeType.ASSISTANCE)],
            None,
            TEKUN,
        ),
    ],
)
def test_extreme_poverty_conditions(
    district_x: Policy,
    members: list[MemberContent],
    incomes: list[IncomeItem],
    failed_rule: str | None,
    category: AssistanceCategory,
) -> None:
    decision = decide(district_x, members, incomes)
    assert decision.category is category
    member_rules = [r for r in decision.reasons if r.member_id == "p"]
    if failed_rule is None:
        assert all(r.passed for r in member_rules)
    else:
        # checks stop at the first failing condition, which is the last reason for the member
        assert member_rules[-1].rule == failed_rule
        assert not member_rules[-1].passed
        assert all(r.passed for r in member_rules[:-1])


def test_an_able_relative_at_home_is_a_supporter(district_x: Policy) -> None:
    grandma = member("g", OLD, Relation.PARENT, labour=LabourCapacity.NONE)
    son = adult("s", Relation.HEAD)
    decision = decide(district_x, [son, grandma], [income("1000", "s")])
    supporter = decision.reason("tekun.supporter", "g")
    assert not supporter.passed
    assert "成员1（户主）有劳动能力" in supporter.text_zh
    assert "member 1 (head), able to work" in supporter.text_en
    assert decision.category is DIBAO


def test_two_qualifying_members_each_get_the_support_standard(district_x: Policy) -> None:
    couple = [
        member("h", OLD, labour=LabourCapacity.NONE),
        member("w", date(1952, 5, 5), Relation.SPOUSE, labour=LabourCapacity.NONE),
    ]
    decision = decide(district_x, couple)
    assert decision.category is TEKUN
    assert decision.monthly_benefit == D("4510.00")
    assert [m.monthly_benefit for m in decision.members] == [D("2255.00"), D("2255.00")]
    assert "2255.00 元 × 2 人 = 4510.00 元/月" in decision.reason("tekun.household").text_zh


def test_only_the_qualifying_member_is_extreme_poverty(district_x: Policy) -> None:
    elder = member("e", OLD, labour=LabourCapacity.NONE)
    # a disabled sibling without labour capacity but with a pension: not a supporter, not 特困
    sibling = member(
        "s", date(1975, 1, 1), Relation.SIBLING, disability_grade=2, labour=LabourCapacity.NONE
    )
    decision = decide(district_x, [elder, sibling], [income("900", "s", IncomeType.PENSION)])
    assert decision.category is TEKUN
    assert decision.monthly_benefit == D("2255.00")
    assert [m.extreme_poverty for m in decision.members] == [True, False]
    others = decision.reason("tekun.other_members")
    assert not others.passed and others.value("members") == "1"


# -- assets ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("assets", "policy_change", "failed_rule", "category"),
    [
        ([], {}, None, DIBAO),
        ([asset(AssetType.VEHICLE, "30000", for_disability=True)], {}, None, DIBAO),
        ([asset(AssetType.VEHICLE, "30000")], {}, "assets.vehicle", NONE),
        ([asset(AssetType.VEHICLE, "30000")], {"vehicles_disqualify": False}, None, DIBAO),
        (
            [asset(AssetType.VEHICLE, "30000", for_disability=True)],
            {"vehicle_exempt_for_disability": False},
            "assets.vehicle",
            NONE,
        ),
        ([asset(AssetType.REAL_ESTATE)], {}, None, DIBAO),
        (
            [asset(AssetType.REAL_ESTATE), asset(AssetType.REAL_ESTATE)],
            {},
            "assets.real_estate",
            NONE,
        ),
        ([asset(AssetType.BUSINESS_REGISTRATION)], {}, "assets.business", NONE),
        (
            [asset(AssetType.BUSINESS_REGISTRATION)],
            {"business_registration_disqualifies": False},
            None,
            DIBAO,
        ),
    ],
)
def test_disqualifying_assets(
    assets: list[AssetItem],
    policy_change: dict[str, object],
    failed_rule: str | None,
    category: AssistanceCategory,
) -> None:
    policy = variant("district-x-2025.toml", assets=policy_change)
    family = [adult("a"), adult("b", Relation.SPOUSE)]
    decision = decide(policy, family, [income("2000", "a")], assets)
    assert decision.category is category
    asset_reasons = {r.rule: r for r in decision.reasons if r.rule.startswith("assets.")}
    failed = [rule for rule, r in asset_reasons.items() if not r.passed]
    assert failed == ([] if failed_rule is None else [failed_rule])
    assert decision.reason("dibao.assets").passed is (failed_rule is None)
    if failed_rule is not None:
        # the same rule also stops the low-income route under this policy
        assert not decision.reason("low_income.assets").passed


def test_disability_vehicle_is_named_in_the_reason(district_x: Policy) -> None:
    decision = decide(
        district_x,
        [adult()],
        [income("500", "a")],
        [asset(AssetType.VEHICLE, "20000", for_disability=True)],
    )
    vehicle = decision.reason("assets.vehicle")
    assert vehicle.passed
    assert "残疾人功能性补偿代步车 1 辆不影响" in vehicle.text_zh
    assert "1 vehicle(s) for a disability do not count" in vehicle.text_en


@pytest.mark.parametrize(
    ("deposit", "category", "passed"),
    [("31224.00", DIBAO, True), ("31224.01", LOW, False)],  # limit 1301 x 24, "not above"
)
def test_dibao_monetary_asset_limit(
    district_x: Policy, deposit: str, category: AssistanceCategory, passed: bool
) -> None:
    decision = decide(
        district_x, [adult()], [income("1000", "a")], [asset(AssetType.DEPOSIT, deposit)]
    )
    assert decision.category is category
    assert decision.reason("dibao.monetary_assets").passed is passed
    assert decision.reason("dibao.monetary_assets").value("limit") == "31224.00"


# -- 低收入 ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("health", "category", "benefit", "subsidy_passed"),
    [
        ((Health.HEALTHY, Health.HEALTHY), LOW, "0.00", False),
        ((Health.SERIOUS, Health.HEALTHY), LOW, "455.35", True),  # 1301 x 35%
        ((Health.SERIOUS, Health.SERIOUS), LOW, "910.70", True),
        ((Health.CHRONIC, Health.HEALTHY), LOW, "0.00", False),  # chronic is not serious
    ],
)
def test_low_income_and_sick_member_subsidy(
    district_x: Policy,
    health: tuple[Health, Health],
    category: AssistanceCategory,
    benefit: str,
    subsidy_passed: bool,
) -> None:
    family = [adult("a", health=health[0]), adult("b", Relation.SPOUSE, health=health[1])]
    decision = decide(district_x, family, [income("3000", "a")])  # 1500 per head
    assert decision.category is category
    assert decision.monthly_benefit == D(benefit)
    subsidy = decision.reason("low_income.sick_subsidy")
    assert subsidy.passed is subsidy_passed
    assert "1301.00 元 × 35% = 455.35 元/人/月" in subsidy.text_zh
    ill = [m for m in decision.members if m.seriously_ill]
    assert all(m.monthly_benefit == D("455.35") for m in ill)


@pytest.mark.parametrize(
    ("deposit", "category"),
    [("98999.98", LOW), ("99000.00", NONE)],  # 2 x 49,500.00 = 1.5 x 33,000: "below", strict
)
def test_low_income_property_line(
    district_x: Policy, deposit: str, category: AssistanceCategory
) -> None:
    family = [adult("a"), adult("b", Relation.SPOUSE)]
    decision = decide(
        district_x, family, [income("3000", "a")], [asset(AssetType.DEPOSIT, deposit)]
    )
    assert decision.category is category
    prop = decision.reason("low_income.property")
    assert prop.value("property_line") == "49500.00"
    assert "上年度城镇居民人均消费支出 33000.00 元 × 1.5" in prop.text_zh


def test_low_income_line_can_be_absolute() -> None:
    policy = variant(
        "district-x-2025.toml",
        low_income={"income_line_multiple": None, "income_line": D("1400")},
    )
    decision = decide(policy, [adult()], [income("1399.99", "a")])
    assert decision.category is LOW
    assert decision.reason("low_income.income").value("income_line") == "1400.00"


# -- 支出型 ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("medical", "category", "after"),
    [
        ("3000", SPEND, "1000.00"),
        ("2097", NONE, "1301.00"),  # exactly the standard after expenses: not below
        ("0", NONE, "2000.00"),
    ],
)
def test_expenditure_hardship(
    district_x: Policy, medical: str, category: AssistanceCategory, after: str
) -> None:
    family = [
        adult("a"),
        adult("b", Relation.SPOUSE),
        member("c", date(2015, 1, 1), Relation.CHILD),
    ]
    expenses = [expense(medical, ExpenseType.MEDICAL, "b")] if medical != "0" else []
    decision = decide(district_x, family, [income("6000", "a")], expenses=expenses)
    assert decision.category is category
    reason = decision.reason("expenditure.income_after_expenses")
    assert reason.value("per_capita_after_expenses") == after
    assert decision.monthly_benefit == D("0.00")


def test_no_rigid_expense_means_no_expenditure_hardship(district_x: Policy) -> None:
    # low income but disqualified by a car, and nothing spent on illness or school
    decision = decide(
        district_x, [adult()], [income("1000", "a")], [asset(AssetType.VEHICLE, "80000")]
    )
    assert decision.category is NONE
    reason = decision.reason("expenditure.income_after_expenses")
    assert not reason.passed and "无医疗、教育等刚性支出" in reason.text_zh


# -- income counting ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("wages", "claimed", "deduction"),
    [
        ("2000", "100", "100.00"),
        ("2000", "500", "300.00"),  # capped at 300 per member under district X
        ("80", "200", "80.00"),  # never more than the income it was earned for
        ("0", "200", "0.00"),
    ],
)
def test_employment_cost_deduction(
    district_x: Policy, wages: str, claimed: str, deduction: str
) -> None:
    decision = decide(
        district_x,
        [adult()],
        [income(wages, "a")],
        expenses=[expense(claimed, ExpenseType.EMPLOYMENT_COST, "a")],
    )
    counted = decision.reason("income.counted")
    assert counted.value("deductions") == deduction
    assert decision.counted_income == D(wages) - D(deduction)


def test_who_counts_as_living_together(district_x: Policy) -> None:
    family = [
        adult("a"),
        adult("d", Relation.SPOUSE, special=SpecialStatus.DECEASED),
        adult("p", Relation.SIBLING, special=SpecialStatus.IMPRISONED),
        adult("w", Relation.CHILD, lives_with_family=False),
    ]
    incomes = [income("1000", "a"), income("5000", "w"), income("200", None, IncomeType.ASSISTANCE)]
    decision = decide(district_x, family, incomes)
    assert decision.household_size == 1
    assert decision.per_capita_income == D("1000.00")
    assert decision.reason("income.counted").value("not_counted") == "5200.00"
    assert "另有 3 人已故、服刑或不共同生活" in decision.reason("household.members").text_zh
    assert [m.counted for m in decision.members] == [True, False, False, False]


# -- bad input ------------------------------------------------------------------------------


def _bad(code: str, *, en: str, zh: str) -> tuple[str, str, str]:
    return code, en, zh


@pytest.mark.parametrize(
    ("members", "incomes", "assets", "expenses", "expected"),
    [
        ([], [], [], [], _bad("policy_input_no_members", en="no members", zh="家庭成员为空")),
        (
            [adult(special=SpecialStatus.DECEASED)],
            [],
            [],
            [],
            _bad("policy_input_no_members", en="no member lives", zh="没有共同生活"),
        ),
        (
            [adult()],
            [income("-5", "a")],
            [],
            [],
            _bad("policy_input_negative_amount", en="-5.00 yuan", zh="负数"),
        ),
        (
            [adult()],
            [IncomeItem.model_construct(member_id="a", type=IncomeType.WAGES)],
            [],
            [],
            _bad("policy_input_missing_amount", en="income item 1 has no amount", zh="缺少金额"),
        ),
        (
            [adult()],
            [],
            [asset(AssetType.DEPOSIT, "-1")],
            [],
            _bad("policy_input_negative_amount", en="asset item 1", zh="财产第 1 项"),
        ),
        (
            [adult()],
            [],
            [],
            [expense("-10", ExpenseType.MEDICAL)],
            _bad("policy_input_negative_amount", en="expense item 1", zh="支出第 1 项"),
        ),
        (
            [adult()],
            [income("10", "ghost")],
            [],
            [],
            _bad("policy_input_unknown_member", en="not in the household", zh="不存在"),
        ),
        (
            [adult("a"), adult("a", Relation.SPOUSE)],
            [],
            [],
            [],
            _bad("policy_input_invalid", en="duplicate member id", zh="重复"),
        ),
        (
            [adult().model_copy(update={"id_number": "110105198503011230"})],
            [],
            [],
            [],
            _bad("policy_input_id_number", en="ID number of member 1", zh="身份证号无效"),
        ),
        (
            [member("b", date(2025, 6, 16))],
            [],
            [],
            [],
            _bad("policy_input_id_number", en="born after the evaluation date", zh="晚于核定日期"),
        ),
    ],
)
def test_bad_input_is_refused_with_a_bilingual_message(
    district_x: Policy,
    members: list[MemberContent],
    incomes: list[IncomeItem],
    assets: list[AssetItem],
    expenses: list[ExpenseItem],
    expected: tuple[str, str, str],
) -> None:
    code, en, zh = expected
    with pytest.raises(PolicyError) as caught:
        decide(district_x, members, incomes, assets, expenses)
    assert caught.value.code == code
    assert en in caught.value.message_en
    assert zh in caught.value.message_zh


def test_income_type_the_policy_does_not_classify_is_refused() -> None:
    policy = variant(
        "district-x-2025.toml",
        income={"counted_types": ["wages", "pension"], "excluded_types": ["assistance"]},
    )
    with pytest.raises(PolicyError) as caught:
        decide(policy, [adult()], [income("100", "a", IncomeType.OTHER)])
    assert caught.value.code == "policy_input_income_type"
    assert "'other'" in caught.value.message_en and "“other”" in caught.value.message_zh


def test_policy_not_in_force_on_the_date_is_refused(jingmen_urban: Policy) -> None:
    with pytest.raises(PolicyError) as caught:
        decide(jingmen_urban, [adult()], on=date(2017, 3, 1))
    assert caught.value.code == "policy_not_in_force"


def test_employment_reported_after_the_evaluation_date_is_refused(district_x: Policy) -> None:
    with pytest.raises(PolicyError, match="after the evaluation date"):
        decide(district_x, [adult()], employment_reported_on=date(2025, 7, 1))


# -- taper ----------------------------------------------------------------------------------


def _working_family() -> list[MemberContent]:
    return [
        adult("a", employed=True),
        adult("b", Relation.SPOUSE, labour=LabourCapacity.NONE),
        member("c", date(2015, 1, 1), Relation.CHILD),
    ]


REPORTED = date(2025, 3, 10)


@pytest.mark.parametrize(
    ("on", "month", "rate", "benefit", "category"),
    [
        (date(2025, 3, 10), 1, "1.0", "3903.00", DIBAO),  # the report day is month 1
        (ON, 4, "1.0", "3903.00", DIBAO),
        (date(2025, 9, 9), 6, "1.0", "3903.00", DIBAO),
        (date(2025, 9, 10), 7, "0.5", "1951.50", DIBAO),
        (date(2026, 3, 9), 12, "0.5", "1951.50", DIBAO),
        (date(2026, 3, 10), None, None, "0.00", NONE),  # 12 months over: decided on income
    ],
)
def test_taper_after_reported_employment(
    district_x: Policy,
    on: date,
    month: int | None,
    rate: str | None,
    benefit: str,
    category: AssistanceCategory,
) -> None:
    # no income before the job: base (1301 - 0) x 3; the 6,000 wage alone makes 2,000 a head
    decision = decide(
        district_x,
        _working_family(),
        [income("6000", "a")],
        on=on,
        employment_reported_on=REPORTED,
    )
    assert decision.category is category
    assert decision.monthly_benefit == D(benefit)
    schedule = [(t.month, t.starts_on, t.rate, t.amount) for t in decision.taper]
    assert len(schedule) == 12
    assert schedule[0] == (1, date(2025, 3, 10), D("1.0"), D("3903.00"))
    assert schedule[6] == (7, date(2025, 9, 10), D("0.5"), D("1951.50"))
    assert schedule[11] == (12, date(2026, 2, 10), D("0.5"), D("1951.50"))
    current = decision.reason("taper.current")
    assert current.passed is (month is not None)
    if month is not None:
        assert current.value("month") == str(month) and current.value("rate") == rate


def test_taper_never_pays_less_than_the_current_entitlement(district_x: Policy) -> None:
    # month 8 pays 50% of 3903.00 = 1951.50, but 600 of wages still leave 3303.00 of 低保
    decision = decide(
        district_x,
        _working_family(),
        [income("600", "a")],
        on=date(2025, 11, 1),
        employment_reported_on=REPORTED,
    )
    assert decision.category is DIBAO
    assert decision.monthly_benefit == D("3303.00")
    assert decision.reason("dibao.benefit").value("benefit") == "3303.00"


def test_no_taper_when_the_family_was_not_entitled_before_the_job(district_x: Policy) -> None:
    incomes = [income("6000", "a"), income("5000", "b", IncomeType.PENSION)]
    decision = decide(district_x, _working_family(), incomes, employment_reported_on=REPORTED)
    assert decision.taper == ()
    assert not decision.reason("taper.base").passed
    assert decision.category is NONE


def test_jingmen_taper_is_six_months_at_full_rate(jingmen_urban: Policy) -> None:
    reported = date(2017, 5, 31)
    decision = decide(
        jingmen_urban,
        _working_family(),
        [income("6000", "a")],
        on=date(2017, 11, 29),
        employment_reported_on=reported,
    )
    assert [(t.month, t.starts_on, t.rate) for t in decision.taper][-2:] == [
        (5, date(2017, 9, 30), D("1.0")),  # 31 May + 4 months is clamped to 30 September
        (6, date(2017, 10, 31), D("1.0")),
    ]
    assert decision.monthly_benefit == D("1725.00")  # 575 x 3
    ended = decide(
        jingmen_urban,
        _working_family(),
        [income("6000", "a")],
        on=date(2017, 11, 30),
        employment_reported_on=reported,
    )
    assert ended.category is NONE
    assert "已于 2017-11-30 结束" in ended.reason("taper.current").text_zh


def test_evaluate_visit_reads_the_reported_employment(district_x: Policy) -> None:
    visit = VisitContent(
        members=tuple(_working_family()),
        incomes=(income("6000", "a"),),
        employment_reported_on=REPORTED,
    )
    decision = evaluate_visit(district_x, visit, ON)
    assert decision.category is DIBAO and decision.monthly_benefit == D("3903.00")
    assert len(decision.taper) == 12


# -- review dates ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("family", "incomes", "stable", "on", "months", "next_on"),
    [
        ([adult()], [income("1000", "a")], None, ON, 12, date(2026, 6, 15)),
        # irregular income (business) and a member able to work: every half year
        ([adult()], [income("1000", "a", IncomeType.BUSINESS)], None, ON, 6, date(2025, 12, 15)),
        # irregular income but nobody able to work (62 years old): once a year
        (
            [member("o", date(1963, 1, 1))],
            [income("500", "o", IncomeType.BUSINESS)],
            None,
            ON,
            12,
            date(2026, 6, 15),
        ),
        ([adult()], [income("1000", "a")], False, ON, 6, date(2025, 12, 15)),
        ([adult()], [income("1000", "a", IncomeType.BUSINESS)], True, ON, 12, date(2026, 6, 15)),
        ([adult()], [income("1000", "a")], False, date(2025, 8, 31), 6, date(2026, 2, 28)),
        ([member("o", OLD, labour=LabourCapacity.NONE)], [], None, ON, 12, date(2026, 6, 15)),
    ],
)
def test_next_review_date(
    district_x: Policy,
    family: list[MemberContent],
    incomes: list[IncomeItem],
    stable: bool | None,
    on: date,
    months: int,
    next_on: date,
) -> None:
    decision = decide(district_x, family, incomes, on=on, stable=stable)
    assert decision.review_interval_months == months
    assert decision.next_review_on == next_on
    assert decision.reason("review.interval").value("next_review_on") == next_on.isoformat()


def test_no_review_when_not_eligible(district_x: Policy) -> None:
    decision = decide(district_x, [adult()], [income("9000", "a")])
    assert decision.category is NONE
    assert decision.next_review_on is None and decision.review_interval_months is None
    assert not decision.reason("review.interval").passed


def test_expenditure_hardship_review_interval(district_x: Policy) -> None:
    decision = decide(
        district_x,
        [adult()],
        [income("2500", "a")],
        expenses=[expense("2000", ExpenseType.EDUCATION)],
    )
    assert decision.category is SPEND
    assert decision.next_review_on == date(2025, 12, 15)


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2025, 1, 31), 1, date(2025, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2025, 11, 15), 2, date(2026, 1, 15)),
        (date(2025, 6, 15), 12, date(2026, 6, 15)),
    ],
)
def test_add_months_clamps_to_month_end(start: date, months: int, expected: date) -> None:
    assert add_months(start, months) == expected


# -- reasons and the stored decision --------------------------------------------------------


def test_reasons_cover_every_rule_in_the_order_checked(district_x: Policy) -> None:
    family = [adult("a"), member("c", date(2015, 1, 1), Relation.CHILD)]
    decision = decide(district_x, family, [income("3000", "a")])  # 1500 a head: 低收入
    assert rules(decision) == [
        "household.members",
        "income.counted",
        "income.per_capita",
        "assets.monetary",
        "assets.vehicle",
        "assets.real_estate",
        "assets.business",
        "tekun.group",  # member a: not in a 特困 group
        "tekun.group",  # member c: a minor ...
        "tekun.labour",
        "tekun.income_source",
        "tekun.supporter",  # ... but lives with an able parent
        "tekun.household",
        "dibao.income",
        "dibao.monetary_assets",
        "dibao.assets",
        "low_income.income",
        "low_income.property",
        "low_income.assets",
        "low_income.sick_subsidy",
        "review.interval",
        "decision",
    ]
    assert decision.category is LOW
    for reason in decision.reasons:
        assert reason.text_zh and reason.text_en and reason.text_zh != reason.text_en
    assert [r.passed for r in decision.reasons if r.rule == "tekun.group"] == [False, True]
    assert decision.reason("tekun.supporter").member_id == "c"


def test_reasons_never_carry_names_or_id_numbers(district_x: Policy) -> None:
    person = adult()
    decision = decide(district_x, [person], [income("1000", "a")])
    blob = json.dumps(decision.to_dict(), ensure_ascii=False)
    assert person.name not in blob and person.id_number not in blob


def test_decision_round_trips_through_json(district_x: Policy) -> None:
    decision = decide(
        district_x, _working_family(), [income("6000", "a")], employment_reported_on=REPORTED
    )
    stored = json.loads(json.dumps(decision.to_dict()))
    assert stored["monthly_benefit"] == "3903.00" and stored["category"] == "minimum_living"
    assert EligibilityDecision.from_dict(stored) == decision


@pytest.mark.parametrize(
    "damage",
    [
        lambda d: d.pop("category"),
        lambda d: d.update(monthly_benefit=3903.0),  # a float would lose cents
        lambda d: d.update(format=99),
        lambda d: d.update(evaluated_on="yesterday"),
        lambda d: d["reasons"][0].update(passed="yes"),
    ],
)
def test_malformed_stored_decision_is_refused(district_x: Policy, damage: object) -> None:
    data = decide(district_x, [adult()], [income("1000", "a")]).to_dict()
    damage(data)  # type: ignore[operator]
    with pytest.raises(PolicyError) as caught:
        EligibilityDecision.from_dict(data)
    assert caught.value.code == "decision_invalid"

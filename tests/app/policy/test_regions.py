"""The same household under district X 2025 and Jingmen 2017: different results, and the
reasons say which standard made the difference."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from app.domain import AssistanceCategory, ExpenseType, Health, LabourCapacity, Relation
from app.policy.engine import evaluate
from app.policy.model import Policy
from tests.app.policy.builders import expense, income, member

FAMILY = [
    member("m1", date(1980, 1, 1), Relation.HEAD, employed=True),
    member(
        "m2", date(1982, 3, 15), Relation.SPOUSE, health=Health.SERIOUS, labour=LabourCapacity.NONE
    ),
    member("m3", date(2010, 6, 1), Relation.CHILD),
]
INCOMES = [income("3700", "m1")]
EXPENSES = [expense("160", ExpenseType.EMPLOYMENT_COST, "m1")]


def test_district_x_grants_dibao_where_jingmen_urban_does_not(
    district_x: Policy, jingmen_urban: Policy
) -> None:
    x = evaluate(district_x, FAMILY, INCOMES, [], EXPENSES, on=date(2025, 6, 15))
    jm = evaluate(jingmen_urban, FAMILY, INCOMES, [], EXPENSES, on=date(2018, 3, 1))

    assert x.category is AssistanceCategory.MINIMUM_LIVING
    assert x.monthly_benefit == Decimal("363.00")
    assert x.reason("dibao.income").text_zh == "家庭月人均收入 1180.00 元 < 低保标准 1301.00 元"

    # Jingmen caps the employment-cost deduction at 150 (district X: 300), so a head earns
    # 3,550.00 counted; 1,183.33 a head is above both its 低保 standard and its low-income line.
    assert jm.reason("income.counted").value("deductions") == "150.00"
    assert jm.category is AssistanceCategory.NOT_ELIGIBLE
    dibao = jm.reason("dibao.income")
    assert not dibao.passed
    assert dibao.text_zh == "家庭月人均收入 1183.33 元 ≥ 低保标准 575.00 元"
    assert dibao.text_en == (
        "Per-capita monthly income 1,183.33 yuan ≥ minimum-living standard 575.00 yuan"
    )
    low = jm.reason("low_income.income")
    assert not low.passed and low.value("income_line") == "862.50"
    assert jm.monthly_benefit == Decimal("0.00") and jm.next_review_on is None


def test_low_income_sick_subsidy_follows_each_regions_standard(
    district_x: Policy, jingmen_county: Policy
) -> None:
    # a family between each region's 低保 standard and low-income line, a seriously ill spouse
    x = evaluate(district_x, FAMILY, [income("4500", "m1")], [], [], on=date(2025, 6, 15))
    county = evaluate(jingmen_county, FAMILY, [income("2100", "m1")], [], [], on=date(2018, 1, 1))
    assert x.category is county.category is AssistanceCategory.LOW_INCOME
    assert x.monthly_benefit == Decimal("455.35")  # 1301.00 x 35%
    assert county.monthly_benefit == Decimal("175.00")  # 500.00 x 35%
    assert "1301.00 元 × 35%" in x.reason("low_income.sick_subsidy").text_zh
    assert "500.00 元 × 35%" in county.reason("low_income.sick_subsidy").text_zh


def test_medical_costs_make_expenditure_hardship_only_under_the_lower_standard(
    district_x: Policy, jingmen_urban: Policy
) -> None:
    expenses = [*EXPENSES, expense("2000", ExpenseType.MEDICAL, "m2")]
    x = evaluate(district_x, FAMILY, INCOMES, [], expenses, on=date(2025, 6, 15))
    jm = evaluate(jingmen_urban, FAMILY, INCOMES, [], expenses, on=date(2018, 3, 1))
    # district X never reaches the 支出型 rule: the family already qualifies for 低保
    assert x.category is AssistanceCategory.MINIMUM_LIVING
    assert "expenditure.income_after_expenses" not in [r.rule for r in x.reasons]
    assert jm.category is AssistanceCategory.EXPENDITURE_HARDSHIP
    reason = jm.reason("expenditure.income_after_expenses")
    assert reason.passed
    assert reason.value("per_capita_after_expenses") == "516.67"  # (3550 - 2000) / 3
    assert "516.67 元 < 575.00 元" in reason.text_zh


def test_extreme_poverty_support_differs_by_region(
    district_x: Policy, jingmen_urban: Policy
) -> None:
    elder = [member("e", date(1940, 1, 1), labour=LabourCapacity.NONE)]
    x = evaluate(district_x, elder, [], [], [], on=date(2025, 6, 15))
    jm = evaluate(jingmen_urban, elder, [], [], [], on=date(2018, 3, 1))
    assert x.category is jm.category is AssistanceCategory.EXTREME_POVERTY
    assert (x.monthly_benefit, jm.monthly_benefit) == (Decimal("2255.00"), Decimal("626.00"))
    assert x.reason("tekun.household").value("standard") == "2255.00"
    assert jm.reason("tekun.household").value("standard") == "626.00"
    assert (x.policy_id, jm.policy_id) == ("district-x-2025", "jingmen-urban-2017")

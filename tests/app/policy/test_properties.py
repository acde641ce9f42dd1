"""Properties that hold for any household: what a supervisor relies on whatever the numbers."""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

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
)
from app.policy.decision import EligibilityDecision
from app.policy.engine import evaluate
from app.policy.loader import policy_by_id
from tests.app.policy.builders import member

ON = date(2025, 6, 15)
amounts = st.decimals(min_value=0, max_value=50_000, places=2, allow_nan=False)


ON_BY_POLICY = {"district-x-2025": ON, "jingmen-county-2017": date(2018, 1, 1)}


@st.composite
def households(
    draw: st.DrawFn, on: date
) -> tuple[list[MemberContent], list[IncomeItem], list[AssetItem], list[ExpenseItem]]:
    size = draw(st.integers(1, 5))
    members = [
        member(
            f"m{i}",
            on - timedelta(days=draw(st.integers(0, 95 * 365))),
            Relation.HEAD if i == 0 else draw(st.sampled_from(list(Relation)[1:])),
            health=draw(st.sampled_from(list(Health))),
            labour=draw(st.sampled_from(list(LabourCapacity))),
            disability_grade=draw(st.sampled_from([None, 1, 2, 3, 4])),
        )
        for i in range(size)
    ]
    owners = st.sampled_from([None, *(m.member_id for m in members)])
    incomes = draw(
        st.lists(
            st.builds(
                IncomeItem,
                member_id=owners,
                type=st.sampled_from(list(IncomeType)),
                monthly_amount=amounts,
            ),
            max_size=4,
        )
    )
    assets = draw(
        st.lists(
            st.builds(
                AssetItem,
                member_id=owners,
                type=st.sampled_from(list(AssetType)),
                value=amounts,
                for_disability=st.booleans(),
            ),
            max_size=3,
        )
    )
    expenses = draw(
        st.lists(
            st.builds(
                ExpenseItem,
                member_id=owners,
                type=st.sampled_from(list(ExpenseType)),
                monthly_amount=amounts,
            ),
            max_size=3,
        )
    )
    return members, incomes, assets, expenses


@settings(max_examples=150, deadline=None)
@given(
    st.sampled_from(sorted(ON_BY_POLICY)).flatmap(
        lambda pid: st.tuples(st.just(pid), households(ON_BY_POLICY[pid]))
    )
)
def test_any_household_gets_a_consistent_explained_decision(
    case: tuple[
        str, tuple[list[MemberContent], list[IncomeItem], list[AssetItem], list[ExpenseItem]]
    ],
) -> None:
    policy_id, household = case
    policy = policy_by_id(policy_id)
    on = ON_BY_POLICY[policy_id]
    members, incomes, assets, expenses = household
    decision = evaluate(policy, members, incomes, assets, expenses, on=on)

    assert decision.monthly_benefit >= 0
    assert decision.monthly_benefit == decision.monthly_benefit.quantize(Decimal("0.01"))
    assert decision.household_size == len(members)
    # the final reason states the decision; every reason is given in both languages
    final = decision.reasons[-1]
    assert final.rule == "decision" and final.passed is decision.eligible
    assert all(r.text_zh and r.text_en for r in decision.reasons)
    # the category follows from the reasons: its own rule passed, the earlier ones failed
    passed = {r.rule for r in decision.reasons if r.passed}
    expected_rule = {
        AssistanceCategory.EXTREME_POVERTY: "tekun.household",
        AssistanceCategory.MINIMUM_LIVING: "dibao.benefit",
        AssistanceCategory.LOW_INCOME: "low_income.income",
        AssistanceCategory.EXPENDITURE_HARDSHIP: "expenditure.income_after_expenses",
    }.get(decision.category)
    if expected_rule is not None:
        assert expected_rule in passed
    if decision.category is not AssistanceCategory.EXTREME_POVERTY:
        assert "tekun.household" not in passed
    # a 低保 benefit is the top-up of the reasons' own numbers
    if "dibao.benefit" in passed:
        top_up = (policy.dibao.standard - decision.per_capita_income) * decision.household_size
        assert decision.reason("dibao.benefit").value("benefit") == f"{top_up:.2f}"
    # the decision survives storage unchanged
    assert EligibilityDecision.from_dict(json.loads(json.dumps(decision.to_dict()))) == decision

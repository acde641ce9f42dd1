"""Policy engine: eligibility, benefit amounts and review dates with reasons.

Public API (see each module for details):
- `app.policy.loader`: `load_policy(path)`, `shipped_policies()`, `policy_by_id(id)`,
  `policy_in_force(region_id, on, *, ancestors=(), policies=None)`
- `app.policy.engine`: `evaluate(policy, members, incomes, assets, expenses, *, on, ...)`,
  `evaluate_visit(policy, visit, on)`
- `app.policy.decision`: `EligibilityDecision`, `Reason`, `MemberResult`, `TaperMonth`
- `app.policy.household`: `HouseholdInput`, `parse_household(data)`, `load_household(path)`
"""

from app.policy.decision import EligibilityDecision, MemberResult, Reason, TaperMonth
from app.policy.engine import evaluate, evaluate_visit
from app.policy.loader import load_policy, policy_by_id, policy_in_force, shipped_policies
from app.policy.model import Policy

__all__ = [
    "EligibilityDecision",
    "MemberResult",
    "Policy",
    "Reason",
    "TaperMonth",
    "evaluate",
    "evaluate_visit",
    "load_policy",
    "policy_by_id",
    "policy_in_force",
    "shipped_policies",
]

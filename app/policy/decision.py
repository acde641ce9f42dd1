"""The engine's result: an eligibility decision with every reason and the numbers behind it.

Decisions are stored inside a visit and recomputed on the server, so they round-trip through
plain JSON (`to_dict()` / `from_dict()`): money as strings ("1301.00"), dates as ISO strings.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from app.domain import AssistanceCategory
from app.errors import PolicyError

#: bumped when the JSON shape of a decision changes incompatibly
DECISION_FORMAT = 1

CATEGORY_LABELS: dict[AssistanceCategory, tuple[str, str]] = {
    AssistanceCategory.EXTREME_POVERTY: ("特困供养", "extreme-poverty support"),
    AssistanceCategory.MINIMUM_LIVING: ("最低生活保障（低保）", "minimum living guarantee"),
    AssistanceCategory.LOW_INCOME: ("低收入家庭", "low-income family"),
    AssistanceCategory.EXPENDITURE_HARDSHIP: (
        "支出型困难家庭",
        "expenditure-type hardship",
    ),
    AssistanceCategory.NOT_ELIGIBLE: ("不符合救助条件", "not eligible"),
}


@dataclass(frozen=True)
class Reason:
    """One rule checked: its code, whether it passed, the sentence in both languages, numbers."""

    rule: str
    passed: bool
    text_zh: str
    text_en: str
    #: the numbers in the sentence, as strings (money "1180.00", dates ISO), in sentence order
    values: tuple[tuple[str, str], ...] = ()
    #: the member the rule was checked for, when it is a per-person rule
    member_id: str | None = None

    def value(self, key: str) -> str:
        for name, value in self.values:
            if name == key:
                return value
        raise KeyError(key)

    def text(self, language: str = "zh") -> str:
        return self.text_zh if language.startswith("zh") else self.text_en

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "passed": self.passed,
            "text_zh": self.text_zh,
            "text_en": self.text_en,
            "values": dict(self.values),
            "member_id": self.member_id,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Reason:
        return cls(
            rule=str(data["rule"]),
            passed=_bool(data["passed"]),
            text_zh=str(data["text_zh"]),
            text_en=str(data["text_en"]),
            values=tuple((str(k), str(v)) for k, v in dict(data["values"]).items()),
            member_id=None if data.get("member_id") is None else str(data["member_id"]),
        )


@dataclass(frozen=True)
class MemberResult:
    member_id: str
    age: int
    #: counted among the family members living together
    counted: bool
    extreme_poverty: bool
    seriously_ill: bool
    able_to_work: bool
    #: this member's share of the monthly benefit (特困 support or sick subsidy), else 0.00
    monthly_benefit: Decimal

    def to_dict(self) -> dict[str, Any]:
        return {
            "member_id": self.member_id,
            "age": self.age,
            "counted": self.counted,
            "extreme_poverty": self.extreme_poverty,
            "seriously_ill": self.seriously_ill,
            "able_to_work": self.able_to_work,
            "monthly_benefit": str(self.monthly_benefit),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> MemberResult:
        return cls(
            member_id=str(data["member_id"]),
            age=int(data["age"]),
            counted=_bool(data["counted"]),
            extreme_poverty=_bool(data["extreme_poverty"]),
            seriously_ill=_bool(data["seriously_ill"]),
            able_to_work=_bool(data["able_to_work"]),
            monthly_benefit=_decimal(data["monthly_benefit"]),
        )


@dataclass(frozen=True)
class TaperMonth:
    """One month of the employment taper (渐退): month 1 starts on the report date."""

    month: int
    starts_on: date
    rate: Decimal
    amount: Decimal

    def to_dict(self) -> dict[str, Any]:
        return {
            "month": self.month,
            "starts_on": self.starts_on.isoformat(),
            "rate": str(self.rate),
            "amount": str(self.amount),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> TaperMonth:
        return cls(
            month=int(data["month"]),
            starts_on=date.fromisoformat(str(data["starts_on"])),
            rate=_decimal(data["rate"]),
            amount=_decimal(data["amount"]),
        )


@dataclass(frozen=True)
class EligibilityDecision:
    policy_id: str
    policy_version: str
    region_id: str
    evaluated_on: date
    category: AssistanceCategory
    #: members living together (the divisor of per-capita figures)
    household_size: int
    #: counted monthly income after deductions
    counted_income: Decimal
    per_capita_income: Decimal
    per_capita_monetary_assets: Decimal
    monthly_benefit: Decimal
    members: tuple[MemberResult, ...]
    taper: tuple[TaperMonth, ...]
    next_review_on: date | None
    review_interval_months: int | None
    reasons: tuple[Reason, ...]

    @property
    def eligible(self) -> bool:
        return self.category is not AssistanceCategory.NOT_ELIGIBLE

    def category_label(self, language: str = "zh") -> str:
        zh, en = CATEGORY_LABELS[self.category]
        return zh if language.startswith("zh") else en

    def reason(self, rule: str, member_id: str | None = None) -> Reason:
        """The first reason with this rule code (and member, for per-person rules)."""
        for reason in self.reasons:
            if reason.rule == rule and (member_id is None or reason.member_id == member_id):
                return reason
        raise KeyError(rule)

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": DECISION_FORMAT,
            "policy_id": self.policy_id,
            "policy_version": self.policy_version,
            "region_id": self.region_id,
            "evaluated_on": self.evaluated_on.isoformat(),
            "category": self.category.value,
            "household_size": self.household_size,
            "counted_income": str(self.counted_income),
            "per_capita_income": str(self.per_capita_income),
            "per_capita_monetary_assets": str(self.per_capita_monetary_assets),
            "monthly_benefit": str(self.monthly_benefit),
            "members": [m.to_dict() for m in self.members],
            "taper": [t.to_dict() for t in self.taper],
            "next_review_on": None
            if self.next_review_on is None
            else self.next_review_on.isoformat(),
            "review_interval_months": self.review_interval_months,
            "reasons": [r.to_dict() for r in self.reasons],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> EligibilityDecision:
        """Rebuild a stored decision; anything malformed is a `PolicyError`."""
        try:
            if data["format"] != DECISION_FORMAT:
                raise ValueError(f"unsupported decision format {data['format']!r}")
            review_on = data["next_review_on"]
            interval = data["review_interval_months"]
            return cls(
                policy_id=str(data["policy_id"]),
                policy_version=str(data["policy_version"]),
                region_id=str(data["region_id"]),
                evaluated_on=date.fromisoformat(str(data["evaluated_on"])),
                category=AssistanceCategory(data["category"]),
                household_size=int(data["household_size"]),
                counted_income=_decimal(data["counted_income"]),
                per_capita_income=_decimal(data["per_capita_income"]),
                per_capita_monetary_assets=_decimal(data["per_capita_monetary_assets"]),
                monthly_benefit=_decimal(data["monthly_benefit"]),
                members=tuple(MemberResult.from_dict(m) for m in data["members"]),
                taper=tuple(TaperMonth.from_dict(t) for t in data["taper"]),
                next_review_on=None if review_on is None else date.fromisoformat(str(review_on)),
                review_interval_months=None if interval is None else int(interval),
                reasons=tuple(Reason.from_dict(r) for r in data["reasons"]),
            )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise PolicyError(
                f"保存的核定结果格式不正确：{exc!r}",
                f"stored eligibility decision is malformed: {exc!r}",
                code="decision_invalid",
            ) from None


def _decimal(value: Any) -> Decimal:
    if not isinstance(value, str | int):
        raise TypeError(f"expected a decimal string, got {type(value).__name__}")
    try:
        return Decimal(value)
    except InvalidOperation:
        raise ValueError(f"not a decimal: {value!r}") from None


def _bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"expected true or false, got {type(value).__name__}")
    return value

"""The policy file's schema: every parameter the engine uses, per region and effective date.

A policy file is TOML (read with the standard library's `tomllib`, floats parsed as `Decimal`
so 0.35 stays exactly 0.35). The models forbid unknown fields, so a misspelt parameter is refused
instead of being silently ignored; `app.policy.loader` turns pydantic's errors into a
`PolicyError` naming the field in Chinese and English.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from app.domain import AssetType, ExpenseType, Health, IncomeType


def _cents(amount: Decimal) -> Decimal:
    # "1301" and "1301.0" in a file both mean 1301.00 yuan; reasons always show two decimals
    return amount.quantize(Decimal("0.01"))


NonNegativeMoney = Annotated[
    Decimal, Field(ge=0, max_digits=14, decimal_places=2), AfterValidator(_cents)
]
PositiveMoney = Annotated[
    Decimal, Field(gt=0, max_digits=14, decimal_places=2), AfterValidator(_cents)
]
Rate = Annotated[Decimal, Field(ge=0, le=1)]
Multiple = Annotated[Decimal, Field(gt=0, le=100)]
Months = Annotated[int, Field(ge=1, le=120)]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=False)


class PolicyMeta(_Section):
    """Identity and validity of one policy file."""

    id: str = Field(min_length=1, max_length=80, pattern=r"^[a-z0-9][a-z0-9._-]*$")
    version: str = Field(min_length=1, max_length=40)
    title_zh: str = Field(min_length=1)
    title_en: str = Field(min_length=1)
    effective_from: date
    #: last day the policy applies (inclusive); absent while it is the current standard
    effective_to: date | None = None
    currency: Literal["yuan"]
    #: every computed amount is rounded half-up to 0.01 yuan; the only rule implemented
    rounding: Literal["ROUND_HALF_UP_0.01"]
    sources: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _dates_in_order(self) -> PolicyMeta:
        if self.effective_to is not None and self.effective_to < self.effective_from:
            raise ValueError("effective_to is before effective_from")
        return self


class Region(_Section):
    id: str = Field(min_length=1, max_length=80)
    name_zh: str = Field(min_length=1)
    name_en: str = Field(min_length=1)
    #: further region ids (sub-districts, counties) this policy applies to
    covers: tuple[str, ...] = ()


class Ages(_Section):
    #: members younger than this are minors (特困 minors: under 18, raised from 16 — source 002)
    adult: int = Field(ge=1, le=30)
    #: members this old or older are elderly (60+)
    elderly: int = Field(ge=40, le=100)

    @model_validator(mode="after")
    def _adult_before_elderly(self) -> Ages:
        if self.adult >= self.elderly:
            raise ValueError("adult age must be below elderly age")
        return self


class Dibao(_Section):
    """低保: minimum living guarantee."""

    #: per person per month
    standard: PositiveMoney
    #: per-capita monetary assets allowed, in months of the standard (absent: no monetary limit)
    monetary_assets_months: Annotated[Decimal, Field(gt=0, le=600)] | None = None


class Tekun(_Section):
    """特困: extreme-poverty support."""

    #: basic support standard per qualifying person per month
    standard: PositiveMoney


class LowIncome(_Section):
    """低收入 family: income line, property line and the sick-member subsidy."""

    #: income line as a multiple of the 低保 standard ...
    income_line_multiple: Multiple | None = None
    #: ... or as an absolute amount per person per month (exactly one of the two)
    income_line: PositiveMoney | None = None
    #: property line = multiple x previous year's urban per-capita consumption expenditure
    property_line_multiple: Multiple | None = None
    consumption_per_capita_previous_year: PositiveMoney | None = None
    #: or an absolute per-capita property line (exactly one way of giving it)
    property_line_per_capita: PositiveMoney | None = None
    #: monthly subsidy per seriously ill member, as a share of the 低保 standard
    sick_subsidy_rate: Rate
    sick_subsidy_health: tuple[Health, ...] = (Health.SERIOUS,)

    @model_validator(mode="after")
    def _one_way_each(self) -> LowIncome:
        if (self.income_line_multiple is None) == (self.income_line is None):
            raise ValueError("give exactly one of income_line_multiple and income_line")
        derived = (self.property_line_multiple, self.consumption_per_capita_previous_year)
        if self.property_line_per_capita is None:
            if None in derived:
                raise ValueError(
                    "give property_line_multiple and consumption_per_capita_previous_year,"
                    " or property_line_per_capita"
                )
        elif derived != (None, None):
            raise ValueError(
                "give either property_line_per_capita or the multiple and consumption, not both"
            )
        return self


class TaperStep(_Section):
    months: Months
    rate: Rate


class Taper(_Section):
    """渐退: payments continued after a member finds work and reports it."""

    steps: tuple[TaperStep, ...] = Field(min_length=1)


class Review(_Section):
    tekun_months: Months
    #: 低保/低收入 families whose situation is stable
    stable_months: Months
    #: 低保/低收入 families with irregular income and a member able to work
    irregular_months: Months
    expenditure_hardship_months: Months
    #: income types that make income "irregular" when no stability is stated by the worker
    irregular_income_types: tuple[IncomeType, ...] = ()


class Deduction(_Section):
    """An expense subtracted from counted income, capped per member (e.g. 必要就业成本)."""

    expense_type: ExpenseType
    cap_per_member: NonNegativeMoney
    #: the deduction is limited to the member's counted income of these types
    from_income_types: tuple[IncomeType, ...] = Field(min_length=1)


class Income(_Section):
    counted_types: tuple[IncomeType, ...]
    excluded_types: tuple[IncomeType, ...] = ()
    deductions: tuple[Deduction, ...] = ()

    @model_validator(mode="after")
    def _types_disjoint(self) -> Income:
        both = set(self.counted_types) & set(self.excluded_types)
        if both:
            names = ", ".join(sorted(both))
            raise ValueError(f"income types both counted and excluded: {names}")
        return self


class Assets(_Section):
    """Which assets count as money and which disqualify a family outright."""

    monetary_types: tuple[AssetType, ...] = Field(min_length=1)
    vehicles_disqualify: bool
    #: a vehicle used because of a disability does not disqualify
    vehicle_exempt_for_disability: bool
    #: dwellings beyond this number disqualify
    max_real_estate: int = Field(ge=0, le=20)
    business_registration_disqualifies: bool
    #: whether the disqualifying-asset rules also apply to 低收入 (they always apply to 低保)
    apply_to_low_income: bool


class Expenditure(_Section):
    """支出型: income after rigid expenses compared with a multiple of the 低保 standard."""

    rigid_expense_types: tuple[ExpenseType, ...] = Field(min_length=1)
    income_line_multiple: Multiple


class Policy(_Section):
    """One region's social-assistance standards from one effective date."""

    policy: PolicyMeta
    region: Region
    ages: Ages
    dibao: Dibao
    tekun: Tekun
    low_income: LowIncome
    taper: Taper
    review: Review
    income: Income
    assets: Assets
    expenditure: Expenditure

    @property
    def id(self) -> str:
        return self.policy.id

    @property
    def version(self) -> str:
        return self.policy.version

    @property
    def effective_from(self) -> date:
        return self.policy.effective_from

    def applies_on(self, day: date) -> bool:
        meta = self.policy
        return meta.effective_from <= day and (
            meta.effective_to is None or day <= meta.effective_to
        )

    def covers_region(self, region_id: str) -> bool:
        return region_id == self.region.id or region_id in self.region.covers

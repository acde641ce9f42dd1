"""The eligibility engine: from a family's members, incomes, assets and expenses and a policy,
decide 特困 / 低保 / 低收入 / 支出型 / not eligible, the monthly benefit, the taper schedule and
the next review date — and say why, with the numbers, in Chinese and English.

Rules (see `shared/domain.md`, "Rules the software computes"), checked in this order; every
check adds a `Reason`, passed or failed, in the order it was made:

1. Members living together: members who live with the family and are neither deceased nor
   imprisoned. They are the divisor of every per-capita figure.
2. Counted income: income of the policy's counted types of those members, minus the policy's
   deductions (e.g. necessary employment costs, capped per member and never more than the
   member's income they were earned for). Per-capita income = counted income / members.
3. Assets: per-capita monetary assets, and the disqualifying assets (vehicles other than for a
   disability, dwellings beyond the allowed number, business registrations).
4. 特困, per member: elderly (age >= elderly age), disabled (has a disability grade) or minor
   (age < adult age); no labour capacity (minors count as without); no counted income of their
   own; no legal supporter able to support them (the worker's finding, or a working-age
   relative able to work living in the same home); orphans go to the orphan scheme instead. Each
   member's checks stop at the first that fails. If any member qualifies the household is 特困
   and each qualifying member receives the 特困 standard.
5. 低保: per-capita income strictly BELOW the standard ("below" in the rules: income exactly
   equal to the standard is not eligible), per-capita monetary assets not above the policy's
   limit, no disqualifying asset. Benefit = (standard - per-capita income) x members.
6. Employment taper (渐退), when employment was reported: the base is the 低保 entitlement
   computed without the wages of the members marked employed (the family's entitlement before
   the job). Month 1 starts on the report date; each policy step pays `rate` x base. While the
   taper runs the household stays 低保 and receives the larger of the taper amount and its
   current entitlement.
7. 低收入 (not 低保): per-capita income below the income line and per-capita monetary assets
   below the property line (and, if the policy says so, no disqualifying asset). Benefit: the
   sick-member subsidy, `sick_subsidy_rate` x the 低保 standard per seriously ill member.
8. 支出型 (none of the above): there are rigid expenses (medical, education) and counted income
   minus those expenses, per capita, is below the policy's multiple of the 低保 standard. No
   fixed cash benefit: specific assistance is decided case by case.
9. Next review date: 特困 every `tekun_months`; 低保/低收入 every `irregular_months` when the
   income is irregular and a member is able to work, else every `stable_months`; 支出型 every
   `expenditure_hardship_months`; none when not eligible. Months are calendar months, clamped
   to the last day of a shorter month.

Ages are completed years on the evaluation date, from the birth date in the ID number: a member
turns 60 (or 18) on their birthday, so on the visit date that is their birthday they already
count as 60 (or 18). Someone born on 29 February turns a year older on 1 March in common years.

Rounding: every computed amount (per-capita figures, lines derived from multiples, benefits,
taper amounts) is rounded ROUND_HALF_UP to 0.01 yuan at the end of its own computation, and
later amounts are computed from those rounded figures — so a supervisor or an appellant can redo
each step by hand from the numbers printed in the reasons and get the same result.

Bad input (no members, a negative or missing amount, an income type the policy does not
classify, an item naming an unknown member, an unreadable birth date) raises `PolicyError` with
a bilingual message; nothing is guessed.
"""

from __future__ import annotations

import calendar
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import TypeVar

from app.domain import (
    AssetItem,
    AssetType,
    AssistanceCategory,
    ExpenseItem,
    IncomeItem,
    IncomeType,
    LabourCapacity,
    MemberContent,
    Relation,
    SpecialStatus,
    VisitContent,
)
from app.errors import PolicyError, ValidationError
from app.idnumber import CODE_BIRTH_DATE_FUTURE, parse_id_number
from app.policy.decision import (
    CATEGORY_LABELS,
    EligibilityDecision,
    MemberResult,
    Reason,
    TaperMonth,
)
from app.policy.model import Policy

logger = logging.getLogger(__name__)

CENT = Decimal("0.01")
ZERO = Decimal("0.00")

RELATION_LABELS: dict[Relation, tuple[str, str]] = {
    Relation.HEAD: ("户主", "head"),
    Relation.SPOUSE: ("配偶", "spouse"),
    Relation.CHILD: ("子女", "child"),
    Relation.PARENT: ("父母", "parent"),
    Relation.GRANDCHILD: ("孙子女", "grandchild"),
    Relation.GRANDPARENT: ("祖父母", "grandparent"),
    Relation.SIBLING: ("兄弟姐妹", "sibling"),
    Relation.OTHER: ("其他", "other"),
}

INCOME_LABELS: dict[IncomeType, tuple[str, str]] = {
    IncomeType.WAGES: ("工资性收入", "wages"),
    IncomeType.BUSINESS: ("经营净收入", "business income"),
    IncomeType.PROPERTY: ("财产净收入", "property income"),
    IncomeType.PENSION: ("养老金", "pension"),
    IncomeType.TRANSFER: ("转移净收入", "transfers"),
    IncomeType.AGRICULTURE: ("农业收入", "farm income"),
    IncomeType.ASSISTANCE: ("救助金", "assistance payments"),
    IncomeType.OTHER: ("其他收入", "other income"),
}

_Item = TypeVar("_Item", IncomeItem, AssetItem, ExpenseItem)

_NOT_LIVING_TOGETHER = frozenset({SpecialStatus.DECEASED, SpecialStatus.IMPRISONED})
_ABLE = frozenset({LabourCapacity.FULL, LabourCapacity.PARTIAL})


def money(amount: Decimal) -> Decimal:
    """Round an amount to 0.01 yuan, half up (the one rounding rule of the engine)."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def yuan_zh(amount: Decimal) -> str:
    return f"{amount:.2f} 元"


def yuan_en(amount: Decimal) -> str:
    return f"{amount:,.2f} yuan"


def _pct(rate: Decimal) -> str:
    return f"{(rate * 100).normalize():f}%"


def _num(value: Decimal) -> str:
    return f"{value.normalize():f}"


def add_months(start: date, months: int) -> date:
    """`start` plus calendar months, clamped to the month's last day (31 Aug + 6 = 28/29 Feb)."""
    month_index = start.month - 1 + months
    year = start.year + month_index // 12
    month = month_index % 12 + 1
    day = min(start.day, calendar.monthrange(year, month)[1])
    return date(year, month, day)


def _input_error(zh: str, en: str, code: str = "policy_input_invalid") -> PolicyError:
    return PolicyError(zh, en, code=code)


@dataclass(frozen=True)
class _Member:
    index: int
    content: MemberContent
    age: int
    counted: bool

    @property
    def id(self) -> str:
        return self.content.member_id

    @property
    def label_zh(self) -> str:
        return f"成员{self.index}（{RELATION_LABELS[self.content.relation][0]}）"

    @property
    def label_en(self) -> str:
        return f"member {self.index} ({RELATION_LABELS[self.content.relation][1]})"


@dataclass(frozen=True)
class _IncomeCount:
    gross: Decimal
    deductions: Decimal
    not_counted: Decimal
    counted: Decimal
    by_member: dict[str | None, Decimal]


class _Evaluation:
    """One evaluation: validated inputs, the facts derived so far and the reasons in order."""

    def __init__(
        self,
        policy: Policy,
        members: Sequence[MemberContent],
        incomes: Sequence[IncomeItem],
        assets: Sequence[AssetItem],
        expenses: Sequence[ExpenseItem],
        on: date,
    ) -> None:
        self.policy = policy
        self.on = on
        self.reasons: list[Reason] = []
        self.members = self._check_members(members)
        self.counted = [m for m in self.members if m.counted]
        if not self.counted:
            raise _input_error(
                "没有共同生活的家庭成员（成员均已故、服刑或不共同生活），无法核定",
                "no member lives in the household (all deceased, imprisoned or living"
                " elsewhere): nothing to evaluate",
                code="policy_input_no_members",
            )
        self.counted_ids = {m.id for m in self.counted}
        self.size = len(self.counted)
        known = {m.id for m in self.members}
        self.incomes = self._check_amounts(incomes, "monthly_amount", "收入", "income", known)
        self.assets = self._check_amounts(assets, "value", "财产", "asset", known)
        self.expenses = self._check_amounts(expenses, "monthly_amount", "支出", "expense", known)
        classified = set(policy.income.counted_types) | set(policy.income.excluded_types)
        for number, income in enumerate(self.incomes, start=1):
            if income.type not in classified:
                raise _input_error(
                    f"收入第 {number} 项的类型“{income.type.value}”未在政策 {policy.id}"
                    " 中规定是否计入",
                    f"income item {number} has type '{income.type.value}', which policy"
                    f" {policy.id} neither counts nor excludes",
                    code="policy_input_income_type",
                )

    # -- input checks ------------------------------------------------------------------------

    def _check_members(self, members: Sequence[MemberContent]) -> list[_Member]:
        if not members:
            raise _input_error(
                "家庭成员为空：至少需要一名成员",
                "the household has no members: at least one is required",
                code="policy_input_no_members",
            )
        checked: list[_Member] = []
        seen: set[str] = set()
        for index, member in enumerate(members, start=1):
            if member.member_id in seen:
                raise _input_error(
                    f"成员编号重复（第 {index} 名成员）",
                    f"duplicate member id (member {index})",
                )
            seen.add(member.member_id)
            try:
                # the shared parser also checks the checksum and refuses a future birth date
                parsed = parse_id_number(member.id_number, today=self.on)
            except ValidationError as exc:
                if exc.code == CODE_BIRTH_DATE_FUTURE:
                    # the parser says "after today"; here "today" is the evaluation date
                    raise _input_error(
                        f"第 {index} 名成员的出生日期晚于核定日期 {self.on.isoformat()}",
                        f"member {index} was born after the evaluation date {self.on.isoformat()}",
                        code="policy_input_id_number",
                    ) from None
                raise _input_error(
                    f"第 {index} 名成员的身份证号无效：{exc.message_zh}",
                    f"the ID number of member {index} is invalid: {exc.message_en}",
                    code="policy_input_id_number",
                ) from None
            counted = member.lives_with_family and member.special_status not in _NOT_LIVING_TOGETHER
            checked.append(_Member(index, member, parsed.age_on(self.on), counted))
        return checked

    def _check_amounts(
        self, items: Sequence[_Item], field: str, zh: str, en: str, known: set[str]
    ) -> list[_Item]:
        for number, item in enumerate(items, start=1):
            amount = getattr(item, field, None)
            if not isinstance(amount, Decimal) or not amount.is_finite():
                raise _input_error(
                    f"{zh}第 {number} 项缺少金额",
                    f"{en} item {number} has no amount",
                    code="policy_input_missing_amount",
                )
            if amount < 0:
                raise _input_error(
                    f"{zh}第 {number} 项金额为负数：{yuan_zh(amount)}",
                    f"{en} item {number} has a negative amount: {yuan_en(amount)}",
                    code="policy_input_negative_amount",
                )
            if item.member_id is not None and item.member_id not in known:
                raise _input_error(
                    f"{zh}第 {number} 项指向不存在的家庭成员",
                    f"{en} item {number} names a member who is not in the household",
                    code="policy_input_unknown_member",
                )
        return list(items)

    # -- reasons -----------------------------------------------------------------------------

    def add(
        self,
        rule: str,
        passed: bool,
        zh: str,
        en: str,
        member: _Member | None = None,
        **values: Decimal | int | str | date,
    ) -> bool:
        rendered = tuple(
            (k, v.isoformat() if isinstance(v, date) else str(v)) for k, v in values.items()
        )
        if member is not None:
            zh, en = f"{member.label_zh}：{zh}", f"{member.label_en}: {en}"
        self.reasons.append(
            Reason(rule, passed, zh, en, rendered, None if member is None else member.id)
        )
        return passed

    # -- facts -------------------------------------------------------------------------------

    def count_income(self, without_wages_of: frozenset[str] = frozenset()) -> _IncomeCount:
        counted_types = set(self.policy.income.counted_types)
        gross = ZERO
        not_counted = ZERO
        by_member: dict[str | None, Decimal] = {}
        by_member_type: dict[tuple[str | None, IncomeType], Decimal] = {}
        for item in self.incomes:
            owner = item.member_id
            skip_wages = item.type is IncomeType.WAGES and owner in without_wages_of
            if (
                item.type not in counted_types
                or (owner is not None and owner not in self.counted_ids)
                or skip_wages
            ):
                not_counted += item.monthly_amount
                continue
            gross += item.monthly_amount
            by_member[owner] = by_member.get(owner, ZERO) + item.monthly_amount
            key = (owner, item.type)
            by_member_type[key] = by_member_type.get(key, ZERO) + item.monthly_amount
        deductions = ZERO
        for rule in self.policy.income.deductions:
            claimed: dict[str | None, Decimal] = {}
            for expense in self.expenses:
                owner = expense.member_id
                if expense.type is rule.expense_type and (
                    owner is None or owner in self.counted_ids
                ):
                    claimed[owner] = claimed.get(owner, ZERO) + expense.monthly_amount
            for owner, amount in claimed.items():
                earned = sum(
                    (by_member_type.get((owner, t), ZERO) for t in rule.from_income_types),
                    ZERO,
                )
                deductions += min(amount, rule.cap_per_member, earned)
        gross, deductions, not_counted = money(gross), money(deductions), money(not_counted)
        return _IncomeCount(gross, deductions, not_counted, gross - deductions, by_member)

    def per_capita(self, total: Decimal) -> Decimal:
        return money(total / self.size)


def evaluate(
    policy: Policy,
    members: Sequence[MemberContent],
    incomes: Sequence[IncomeItem],
    assets: Sequence[AssetItem],
    expenses: Sequence[ExpenseItem],
    *,
    on: date,
    employment_reported_on: date | None = None,
    stable: bool | None = None,
) -> EligibilityDecision:
    """Decide a household's assistance category, benefit, taper and next review under `policy`.

    `stable`: the worker's judgement that the family's situation is stable (True) or irregular
    (False); when None, income of one of the policy's `irregular_income_types` makes it irregular.
    """
    if not policy.applies_on(on):
        raise PolicyError(
            f"政策 {policy.id} 在 {on.isoformat()} 不生效",
            f"policy {policy.id} is not in force on {on.isoformat()}",
            code="policy_not_in_force",
        )
    if employment_reported_on is not None and employment_reported_on > on:
        raise _input_error(
            f"就业申报日期 {employment_reported_on.isoformat()} 晚于核定日期 {on.isoformat()}",
            f"employment was reported on {employment_reported_on.isoformat()}, after the"
            f" evaluation date {on.isoformat()}",
        )
    ev = _Evaluation(policy, members, incomes, assets, expenses, on)
    std = policy.dibao.standard

    # 1. members living together
    others = len(ev.members) - ev.size
    ev.add(
        "household.members",
        True,
        f"共同生活家庭成员 {ev.size} 人"
        + (f"（另有 {others} 人已故、服刑或不共同生活，不计入）" if others else ""),
        f"{ev.size} member(s) live together"
        + (f" ({others} deceased, imprisoned or living elsewhere, not counted)" if others else ""),
        members=ev.size,
        not_counted=others,
    )

    # 2. income
    income = ev.count_income()
    per_capita = ev.per_capita(income.counted)
    ev.add(
        "income.counted",
        True,
        f"家庭月计算收入 {yuan_zh(income.counted)}（计入收入 {yuan_zh(income.gross)}"
        f"，扣除 {yuan_zh(income.deductions)}；不计入的收入 {yuan_zh(income.not_counted)}）",
        f"Counted monthly income {yuan_en(income.counted)} (income {yuan_en(income.gross)}"
        f" minus deductions {yuan_en(income.deductions)}; not counted"
        f" {yuan_en(income.not_counted)})",
        counted_income=income.counted,
        gross=income.gross,
        deductions=income.deductions,
        not_counted=income.not_counted,
    )
    ev.add(
        "income.per_capita",
        True,
        f"家庭月人均收入 {yuan_zh(per_capita)} = {yuan_zh(income.counted)} ÷ {ev.size} 人",
        f"Per-capita monthly income {yuan_en(per_capita)} = {yuan_en(income.counted)}"
        f" / {ev.size} member(s)",
        per_capita_income=per_capita,
        counted_income=income.counted,
        members=ev.size,
    )

    # 3. assets
    asset_rules = policy.assets
    owned = [a for a in ev.assets if a.member_id is None or a.member_id in ev.counted_ids]
    monetary_types = set(asset_rules.monetary_types)
    monetary = money(sum((a.value for a in owned if a.type in monetary_types), ZERO))
    assets_per_capita = ev.per_capita(monetary)
    ev.add(
        "assets.monetary",
        True,
        f"家庭人均货币财产 {yuan_zh(assets_per_capita)} = {yuan_zh(monetary)} ÷ {ev.size} 人",
        f"Per-capita monetary assets {yuan_en(assets_per_capita)} = {yuan_en(monetary)}"
        f" / {ev.size} member(s)",
        per_capita_assets=assets_per_capita,
        monetary_assets=monetary,
        members=ev.size,
    )
    vehicles = [a for a in owned if a.type is AssetType.VEHICLE]
    exempt = [v for v in vehicles if v.for_disability and asset_rules.vehicle_exempt_for_disability]
    ordinary = len(vehicles) - len(exempt)
    vehicle_ok = not (asset_rules.vehicles_disqualify and ordinary > 0)
    exempt_zh = f"（残疾人功能性补偿代步车 {len(exempt)} 辆不影响）" if exempt else ""
    exempt_en = f" ({len(exempt)} vehicle(s) for a disability do not count)" if exempt else ""
    if not asset_rules.vehicles_disqualify:
        vehicle_zh, vehicle_en = (
            "本政策不因车辆取消资格",
            "This policy does not disqualify vehicles",
        )
    elif ordinary:
        vehicle_zh = f"有非残疾人用机动车 {ordinary} 辆，不符合财产条件{exempt_zh}"
        vehicle_en = f"{ordinary} vehicle(s) not for a disability: assets rule not met{exempt_en}"
    else:
        vehicle_zh = f"无非残疾人用机动车{exempt_zh}"
        vehicle_en = f"No vehicle other than for a disability{exempt_en}"
    ev.add("assets.vehicle", vehicle_ok, vehicle_zh, vehicle_en, vehicles=ordinary)
    dwellings = sum(1 for a in owned if a.type is AssetType.REAL_ESTATE)
    allowed = asset_rules.max_real_estate
    property_ok = dwellings <= allowed
    ev.add(
        "assets.real_estate",
        property_ok,
        f"房产 {dwellings} 处 {'≤' if property_ok else '>'} 允许 {allowed} 处",
        f"{dwellings} dwelling(s) {'≤' if property_ok else '>'} {allowed} allowed",
        dwellings=dwellings,
        allowed=allowed,
    )
    registrations = sum(1 for a in owned if a.type is AssetType.BUSINESS_REGISTRATION)
    business_ok = not (asset_rules.business_registration_disqualifies and registrations)
    ev.add(
        "assets.business",
        business_ok,
        f"有工商登记 {registrations} 项，不符合财产条件"
        if registrations and not business_ok
        else f"工商登记 {registrations} 项，不影响资格",
        f"{registrations} business registration(s): assets rule not met"
        if registrations and not business_ok
        else f"{registrations} business registration(s): no effect on eligibility",
        registrations=registrations,
    )
    disqualifying_ok = vehicle_ok and property_ok and business_ok

    # 4. 特困, per member
    results: dict[str, MemberResult] = {}
    tekun_members: list[_Member] = []
    sick_health = set(policy.low_income.sick_subsidy_health)
    adult, elderly = policy.ages.adult, policy.ages.elderly
    for member in ev.counted:
        if _tekun_checks(ev, member, income.by_member.get(member.id, ZERO)):
            tekun_members.append(member)
    tekun_total = money(policy.tekun.standard * len(tekun_members))
    category = AssistanceCategory.NOT_ELIGIBLE
    benefit = ZERO
    taper: tuple[TaperMonth, ...] = ()
    if tekun_members:
        category = AssistanceCategory.EXTREME_POVERTY
        benefit = tekun_total
        ev.add(
            "tekun.household",
            True,
            f"{len(tekun_members)} 名成员符合特困供养条件：基本生活供养标准"
            f" {yuan_zh(policy.tekun.standard)} × {len(tekun_members)} 人"
            f" = {yuan_zh(tekun_total)}/月",
            f"{len(tekun_members)} member(s) qualify for extreme-poverty support: support"
            f" standard {yuan_en(policy.tekun.standard)} x {len(tekun_members)}"
            f" = {yuan_en(tekun_total)} per month",
            qualifying=len(tekun_members),
            standard=policy.tekun.standard,
            benefit=tekun_total,
        )
        rest = ev.size - len(tekun_members)
        if rest:
            ev.add(
                "tekun.other_members",
                False,
                f"另有 {rest} 名共同生活成员不符合特困条件，其低保等救助需另行审核",
                f"{rest} other member(s) do not qualify for extreme-poverty support; their"
                " minimum-living or other assistance is assessed separately",
                members=rest,
            )
    else:
        ev.add(
            "tekun.household",
            False,
            "无成员符合特困供养条件",
            "No member qualifies for extreme-poverty support",
            qualifying=0,
        )

        # 5. 低保
        below = per_capita < std
        ev.add(
            "dibao.income",
            below,
            f"家庭月人均收入 {yuan_zh(per_capita)} {'<' if below else '≥'} 低保标准 {yuan_zh(std)}",
            f"Per-capita monthly income {yuan_en(per_capita)} {'<' if below else '≥'}"
            f" minimum-living standard {yuan_en(std)}",
            per_capita_income=per_capita,
            standard=std,
        )
        assets_within = _dibao_monetary_check(ev, assets_per_capita)
        _disqualifying_summary(ev, "dibao.assets", disqualifying_ok)
        dibao_ok = below and assets_within and disqualifying_ok
        entitlement = money((std - per_capita) * ev.size) if dibao_ok else ZERO
        if dibao_ok:
            category = AssistanceCategory.MINIMUM_LIVING
            benefit = entitlement
            ev.add(
                "dibao.benefit",
                True,
                f"低保金 = ({yuan_zh(std)} − {yuan_zh(per_capita)}) × {ev.size} 人"
                f" = {yuan_zh(entitlement)}/月",
                f"Minimum-living benefit = ({yuan_en(std)} - {yuan_en(per_capita)})"
                f" x {ev.size} = {yuan_en(entitlement)} per month",
                benefit=entitlement,
            )

        # 6. employment taper
        if employment_reported_on is not None:
            taper, taper_amount = _taper(
                ev, employment_reported_on, assets_within and disqualifying_ok
            )
            if taper_amount is not None and taper_amount > benefit:
                category = AssistanceCategory.MINIMUM_LIVING
                benefit = taper_amount

        # 7. 低收入
        if category is AssistanceCategory.NOT_ELIGIBLE:
            low = policy.low_income
            if low.income_line is not None:
                line = low.income_line
                line_zh, line_en = "", ""
            else:
                assert low.income_line_multiple is not None  # one of the two, by the model
                line = money(std * low.income_line_multiple)
                line_zh = f"（低保标准 {yuan_zh(std)} × {_num(low.income_line_multiple)}）"
                line_en = f" (minimum-living standard x {_num(low.income_line_multiple)})"
            under_line = per_capita < line
            ev.add(
                "low_income.income",
                under_line,
                f"家庭月人均收入 {yuan_zh(per_capita)} {'<' if under_line else '≥'}"
                f" 低收入标准 {yuan_zh(line)}{line_zh}",
                f"Per-capita monthly income {yuan_en(per_capita)} {'<' if under_line else '≥'}"
                f" low-income line {yuan_en(line)}{line_en}",
                per_capita_income=per_capita,
                income_line=line,
            )
            if low.property_line_per_capita is not None:
                prop_line = low.property_line_per_capita
                prop_zh, prop_en = "", ""
            else:
                assert low.property_line_multiple is not None
                assert low.consumption_per_capita_previous_year is not None
                consumption = low.consumption_per_capita_previous_year
                prop_line = money(consumption * low.property_line_multiple)
                prop_zh = (
                    f"（上年度城镇居民人均消费支出 {yuan_zh(consumption)}"
                    f" × {_num(low.property_line_multiple)}）"
                )
                prop_en = (
                    f" (previous year's urban consumption per head {yuan_en(consumption)}"
                    f" x {_num(low.property_line_multiple)})"
                )
            under_property = assets_per_capita < prop_line
            ev.add(
                "low_income.property",
                under_property,
                f"家庭人均货币财产 {yuan_zh(assets_per_capita)} {'<' if under_property else '≥'}"
                f" 财产标准 {yuan_zh(prop_line)}{prop_zh}",
                f"Per-capita monetary assets {yuan_en(assets_per_capita)}"
                f" {'<' if under_property else '≥'} property line {yuan_en(prop_line)}{prop_en}",
                per_capita_assets=assets_per_capita,
                property_line=prop_line,
            )
            low_assets_ok = True
            if policy.assets.apply_to_low_income:
                low_assets_ok = _disqualifying_summary(ev, "low_income.assets", disqualifying_ok)
            if under_line and under_property and low_assets_ok:
                category = AssistanceCategory.LOW_INCOME
                subsidy = money(std * low.sick_subsidy_rate)
                sick = [m for m in ev.counted if m.content.health in sick_health]
                benefit = money(subsidy * len(sick))
                ev.add(
                    "low_income.sick_subsidy",
                    bool(sick),
                    f"重病成员 {len(sick)} 人：生活补贴 {yuan_zh(std)}"
                    f" × {_pct(low.sick_subsidy_rate)}"
                    f" = {yuan_zh(subsidy)}/人/月，合计 {yuan_zh(benefit)}/月",
                    f"{len(sick)} seriously ill member(s): subsidy {yuan_en(std)} x"
                    f" {_pct(low.sick_subsidy_rate)} = {yuan_en(subsidy)} per person per month,"
                    f" total {yuan_en(benefit)} per month",
                    sick_members=len(sick),
                    subsidy=subsidy,
                    benefit=benefit,
                )
                for member in sick:
                    results[member.id] = _member_result(ev, member, subsidy, False)

        # 8. 支出型
        if category is AssistanceCategory.NOT_ELIGIBLE:
            rigid_types = set(policy.expenditure.rigid_expense_types)
            rigid = sum(
                (
                    e.monthly_amount
                    for e in ev.expenses
                    if e.type in rigid_types
                    and (e.member_id is None or e.member_id in ev.counted_ids)
                ),
                ZERO,
            )
            rigid = money(rigid)
            after = ev.per_capita(income.counted - rigid)
            exp_line = money(std * policy.expenditure.income_line_multiple)
            # with no rigid expense there is nothing that "pushes" income down: not 支出型
            below_line = after < exp_line
            hardship = rigid > 0 and below_line
            multiple = _num(policy.expenditure.income_line_multiple)
            if rigid > 0:
                exp_zh = f"扣除刚性支出 {yuan_zh(rigid)} 后"
                exp_en = f"after rigid expenses of {yuan_en(rigid)}"
            else:
                exp_zh, exp_en = "无医疗、教育等刚性支出；", "with no rigid expenses"
            ev.add(
                "expenditure.income_after_expenses",
                hardship,
                f"{exp_zh}家庭月人均收入 {yuan_zh(after)} {'<' if below_line else '≥'}"
                f" {yuan_zh(exp_line)}（低保标准 × {multiple}）",
                f"Per-capita monthly income {exp_en}: {yuan_en(after)}"
                f" {'<' if below_line else '≥'} {yuan_en(exp_line)}"
                f" (minimum-living standard x {multiple})",
                rigid_expenses=rigid,
                per_capita_after_expenses=after,
                line=exp_line,
            )
            if hardship:
                category = AssistanceCategory.EXPENDITURE_HARDSHIP
                ev.add(
                    "expenditure.assistance",
                    True,
                    "按实际需要给予医疗、教育等专项救助，不发放定额生活补贴",
                    "Specific (medical, education ...) assistance as needed; no fixed monthly"
                    " benefit",
                )

    # member results
    for member in ev.counted:
        if member.id not in results:
            share = policy.tekun.standard if member in tekun_members else ZERO
            results[member.id] = _member_result(ev, member, share, member in tekun_members)
    member_results = tuple(
        results.get(m.id) or _member_result(ev, m, ZERO, False) for m in ev.members
    )

    # 9. review
    interval = _review_interval(ev, category, stable, adult, elderly)
    next_review = None if interval is None else add_months(on, interval)

    zh_label, en_label = CATEGORY_LABELS[category]
    ev.add(
        "decision",
        category is not AssistanceCategory.NOT_ELIGIBLE,
        f"核定结果：{zh_label}，每月救助金 {yuan_zh(benefit)}",
        f"Decision: {en_label}, monthly benefit {yuan_en(benefit)}",
        category=category.value,
        benefit=benefit,
    )
    logger.debug("evaluated a household under %s: %s", policy.id, category.value)
    return EligibilityDecision(
        policy_id=policy.id,
        policy_version=policy.version,
        region_id=policy.region.id,
        evaluated_on=on,
        category=category,
        household_size=ev.size,
        counted_income=income.counted,
        per_capita_income=per_capita,
        per_capita_monetary_assets=assets_per_capita,
        monthly_benefit=benefit,
        members=member_results,
        taper=taper,
        next_review_on=next_review,
        review_interval_months=interval,
        reasons=tuple(ev.reasons),
    )


def evaluate_visit(
    policy: Policy, visit: VisitContent, on: date, *, stable: bool | None = None
) -> EligibilityDecision:
    """Evaluate the family as recorded on a visit (its employment report date included)."""
    return evaluate(
        policy,
        visit.members,
        visit.incomes,
        visit.assets,
        visit.expenses,
        on=on,
        employment_reported_on=visit.employment_reported_on,
        stable=stable,
    )


# -- rule helpers --------------------------------------------------------------------------------


def _is_able(member: _Member, adult: int, elderly: int) -> bool:
    return adult <= member.age < elderly and member.content.labour_capacity in _ABLE


def _member_result(
    ev: _Evaluation, member: _Member, share: Decimal, extreme_poverty: bool
) -> MemberResult:
    policy = ev.policy
    return MemberResult(
        member_id=member.id,
        age=member.age,
        counted=member.counted,
        extreme_poverty=extreme_poverty,
        seriously_ill=member.content.health in policy.low_income.sick_subsidy_health,
        able_to_work=_is_able(member, policy.ages.adult, policy.ages.elderly),
        monthly_benefit=share,
    )


def _tekun_checks(ev: _Evaluation, member: _Member, own_income: Decimal) -> bool:
    """The 特困 conditions for one member, stopping at the first one that fails."""
    ages = ev.policy.ages
    content = member.content
    minor = member.age < ages.adult
    elderly = member.age >= ages.elderly
    disabled = content.disability_grade is not None
    if elderly:
        zh, en = (
            f"{member.age} 岁 ≥ {ages.elderly} 岁，属老年人",
            f"aged {member.age} ≥ {ages.elderly}: elderly",
        )
    elif minor:
        zh, en = (
            f"{member.age} 岁 < {ages.adult} 岁，属未成年人",
            f"aged {member.age} < {ages.adult}: minor",
        )
    elif disabled:
        zh = f"持残疾证（{content.disability_grade} 级），属残疾人"
        en = f"disability certificate (grade {content.disability_grade}): disabled"
    else:
        zh = (
            f"{member.age} 岁，不属于老年人（≥{ages.elderly} 岁）、残疾人"
            f"或未成年人（<{ages.adult} 岁）"
        )
        en = (
            f"aged {member.age}: not elderly (≥{ages.elderly}), disabled or a minor (<{ages.adult})"
        )
    if not ev.add("tekun.group", elderly or minor or disabled, zh, en, member, age=member.age):
        return False
    if minor and content.special_status is SpecialStatus.ORPHAN:
        ev.add(
            "tekun.orphan",
            False,
            "孤儿，纳入孤儿保障政策，不按特困供养",
            "an orphan: covered by the orphan scheme, not extreme-poverty support",
            member,
        )
        return False
    no_capacity = minor or content.labour_capacity is LabourCapacity.NONE
    if minor:
        zh, en = "未成年人，视为无劳动能力", "a minor: treated as without labour capacity"
    elif no_capacity:
        zh, en = "无劳动能力", "no labour capacity"
    else:
        capacity_zh = "完全" if content.labour_capacity is LabourCapacity.FULL else "部分"
        zh, en = f"有{capacity_zh}劳动能力", f"has {content.labour_capacity.value} labour capacity"
    if not ev.add("tekun.labour", no_capacity, zh, en, member):
        return False
    no_income = own_income == 0
    if not ev.add(
        "tekun.income_source",
        no_income,
        "无收入来源" if no_income else f"有计入收入 {yuan_zh(own_income)}/月",
        "no source of income"
        if no_income
        else f"has counted income {yuan_en(own_income)} per month",
        member,
        own_income=own_income,
    ):
        return False
    if content.has_able_supporter:
        zh, en = (
            "有能够履行义务的法定义务人（经核查）",
            "has a legal supporter able to support them",
        )
        return ev.add("tekun.supporter", False, zh, en, member)
    # A working-age relative with labour capacity in the same home is a legal supporter
    # (spouse, parent, child, grandparent, sibling...), even when the form's flag was left unset.
    able_relatives = [
        other
        for other in ev.counted
        if other.id != member.id
        and Relation.OTHER not in (other.content.relation, content.relation)
        and _is_able(other, ages.adult, ages.elderly)
    ]
    if able_relatives:
        names_zh = "、".join(o.label_zh for o in able_relatives)
        names_en = ", ".join(o.label_en for o in able_relatives)
        return ev.add(
            "tekun.supporter",
            False,
            f"同住的{names_zh}有劳动能力，可履行赡养、抚养、扶养义务",
            f"lives with {names_en}, able to work and so able to support them",
            member,
        )
    return ev.add(
        "tekun.supporter",
        True,
        "无有履行能力的法定赡养、抚养、扶养义务人",
        "no legal supporter able to support them",
        member,
    )


def _dibao_monetary_check(ev: _Evaluation, assets_per_capita: Decimal) -> bool:
    months = ev.policy.dibao.monetary_assets_months
    if months is None:
        return True
    limit = money(ev.policy.dibao.standard * months)
    within = assets_per_capita <= limit
    ev.add(
        "dibao.monetary_assets",
        within,
        f"家庭人均货币财产 {yuan_zh(assets_per_capita)} {'≤' if within else '>'} 限额"
        f" {yuan_zh(limit)}（低保标准 × {_num(months)} 个月）",
        f"Per-capita monetary assets {yuan_en(assets_per_capita)} {'≤' if within else '>'}"
        f" limit {yuan_en(limit)} ({_num(months)} months of the minimum-living standard)",
        per_capita_assets=assets_per_capita,
        limit=limit,
    )
    return within


def _disqualifying_summary(ev: _Evaluation, rule: str, ok: bool) -> bool:
    return ev.add(
        rule,
        ok,
        "无取消资格的车辆、房产或工商登记" if ok else "有取消资格的车辆、房产或工商登记（见上）",
        "No disqualifying vehicle, dwelling or business registration"
        if ok
        else "A disqualifying vehicle, dwelling or business registration (see above)",
    )


def _taper(
    ev: _Evaluation, reported_on: date, assets_ok: bool
) -> tuple[tuple[TaperMonth, ...], Decimal | None]:
    """The taper schedule and this month's taper amount (None when no taper payment is due)."""
    std = ev.policy.dibao.standard
    employed = frozenset(m.id for m in ev.counted if m.content.employed)
    before = ev.count_income(without_wages_of=employed)
    base_pc = ev.per_capita(before.counted)
    eligible_before = base_pc < std and assets_ok
    if not eligible_before:
        ev.add(
            "taper.base",
            False,
            f"就业申报日 {reported_on.isoformat()}；不计就业成员工资时家庭月人均收入"
            f" {yuan_zh(base_pc)}，家庭就业前不符合低保条件，不适用渐退",
            f"Employment reported {reported_on.isoformat()}; per-capita income without the"
            f" employed members' wages {yuan_en(base_pc)}: the family was not entitled before"
            " the job, so no taper applies",
            reported_on=reported_on,
            per_capita_before=base_pc,
        )
        return (), None
    base = money((std - base_pc) * ev.size)
    ev.add(
        "taper.base",
        True,
        f"就业申报日 {reported_on.isoformat()}；渐退基数 = ({yuan_zh(std)} − 不计就业成员工资的"
        f"人均收入 {yuan_zh(base_pc)}) × {ev.size} 人 = {yuan_zh(base)}/月",
        f"Employment reported {reported_on.isoformat()}; taper base = ({yuan_en(std)} -"
        f" per-capita income without the employed members' wages {yuan_en(base_pc)})"
        f" x {ev.size} = {yuan_en(base)} per month",
        reported_on=reported_on,
        per_capita_before=base_pc,
        base=base,
    )
    schedule: list[TaperMonth] = []
    month = 0
    for step in ev.policy.taper.steps:
        amount = money(base * step.rate)
        for _ in range(step.months):
            schedule.append(
                TaperMonth(month + 1, add_months(reported_on, month), step.rate, amount)
            )
            month += 1
    ends_on = add_months(reported_on, month)
    current = next(
        (t for t in schedule if t.starts_on <= ev.on < add_months(reported_on, t.month)),
        None,
    )
    if current is None:
        ev.add(
            "taper.current",
            False,
            f"渐退期共 {month} 个月，已于 {ends_on.isoformat()} 结束",
            f"The {month}-month taper ended on {ends_on.isoformat()}",
            months=month,
            ends_on=ends_on,
        )
        return tuple(schedule), None
    ev.add(
        "taper.current",
        True,
        f"渐退期第 {current.month}/{month} 个月：按 {_pct(current.rate)} 发放"
        f" {yuan_zh(current.amount)}/月（不低于当前应得低保金）",
        f"Taper month {current.month} of {month}: {_pct(current.rate)} paid,"
        f" {yuan_en(current.amount)} per month (never less than the current entitlement)",
        month=current.month,
        rate=current.rate,
        amount=current.amount,
    )
    return tuple(schedule), current.amount


def _review_interval(
    ev: _Evaluation,
    category: AssistanceCategory,
    stable: bool | None,
    adult: int,
    elderly: int,
) -> int | None:
    review = ev.policy.review
    if category is AssistanceCategory.NOT_ELIGIBLE:
        ev.add("review.interval", False, "不符合救助条件，无需定期复核", "Not eligible: no review")
        return None
    if category is AssistanceCategory.EXTREME_POVERTY:
        months = review.tekun_months
        zh, en = "特困人员", "Extreme-poverty support"
    elif category is AssistanceCategory.EXPENDITURE_HARDSHIP:
        months = review.expenditure_hardship_months
        zh, en = "支出型困难家庭", "Expenditure-type hardship"
    else:
        able = any(_is_able(m, adult, elderly) for m in ev.counted)
        if stable is None:
            irregular_types = set(review.irregular_income_types)
            irregular = any(
                i.type in irregular_types
                and i.monthly_amount > 0
                and (i.member_id is None or i.member_id in ev.counted_ids)
                for i in ev.incomes
            )
            stable_zh = "收入不固定" if irregular else "收入稳定"
            stable_en = "irregular income" if irregular else "stable income"
        else:
            irregular = not stable
            stable_zh = "经核查情况不稳定" if irregular else "经核查情况稳定"
            stable_en = "situation judged irregular" if irregular else "situation judged stable"
        able_zh = "有劳动能力成员" if able else "无劳动能力成员"
        able_en = "a member able to work" if able else "no member able to work"
        months = review.irregular_months if irregular and able else review.stable_months
        zh, en = f"{stable_zh}、{able_zh}", f"{stable_en}, {able_en}"
    next_on = add_months(ev.on, months)
    ev.add(
        "review.interval",
        True,
        f"{zh}：每 {months} 个月复核一次，下次复核 {next_on.isoformat()}",
        f"{en}: reviewed every {months} months, next review {next_on.isoformat()}",
        months=months,
        next_review_on=next_on,
    )
    return months

"""The visit form's state as typed, and its validation into a `VisitContent`.

The desktop form edits a plain JSON-able dict (what the user typed, valid or not): that dict is
what autosave stores, so a crash or power cut brings back exactly what was on the screen. This
module turns it into the best `VisitContent` it can (invalid rows are left out, so the
eligibility result can update as data is entered) plus the list of problems, each with the
path of its field and a message in Chinese and English for the form to show next to the field.

State shape (all values are strings, bools or lists of dicts)::

    {"kind": "periodic_review", "visitors": ["u1", "u2"], "started_at": ISO|"",
     "ended_at": ISO|"", "present": "names, comma separated",
     "members": [{"member_id", "name", "id_number", "relation", "health", "disability_grade",
                  "labour_capacity", "employed", "employment", "schooling", "special_status",
                  "lives_with_family", "has_able_supporter"}],
     "incomes": [{"member_id", "type", "monthly_amount", "note"}],
     "assets": [{"member_id", "type", "value", "description", "for_disability"}],
     "expenses": [{"member_id", "type", "monthly_amount", "note"}],
     "housing_conditions", "living_conditions",
     "neighbour_interviews": [{"name", "relation", "statement"}],
     "notice_of_duties_signed": bool, "finding": ""|Finding, "finding_reasons": str,
     "clue_ids": [clue id], "clue_outcomes": {clue id: ""|"confirmed"|"refuted"}}
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from app.domain import (
    AssetItem,
    AssetType,
    ClueStatus,
    ExpenseItem,
    ExpenseType,
    Finding,
    Health,
    IncomeItem,
    IncomeType,
    LabourCapacity,
    MemberContent,
    NeighbourInterview,
    Relation,
    SpecialStatus,
    VisitContent,
    VisitKind,
)
from app.domain import missing_signatures as missing_signatures
from app.domain import required_signers as required_signers
from app.errors import ValidationError
from app.idnumber import parse_id_number

MIN_VISITORS = 2
_MONEY_RE = re.compile(r"^\d+(\.\d{1,2})?$")
#: an upper bound that catches a slipped finger (a monthly income of 10 million yuan)
MAX_MONTHLY_AMOUNT = Decimal("9999999.99")


@dataclass(frozen=True)
class FieldProblem:
    """One problem in the form: which field (e.g. "incomes.2.monthly_amount") and why."""

    path: str
    message_zh: str
    message_en: str

    def message(self, language: str = "zh") -> str:
        return self.message_zh if language.startswith("zh") else self.message_en


@dataclass(frozen=True)
class FormCheck:
    """The content built from the valid parts of the form, and every problem found."""

    content: VisitContent
    kind: VisitKind
    problems: tuple[FieldProblem, ...]
    #: the outcome chosen for each clue this visit checks (clue-check visits)
    clue_outcomes: dict[str, ClueStatus] = dataclass_field(default_factory=dict)

    def problem(self, path: str) -> FieldProblem | None:
        return next((p for p in self.problems if p.path == path), None)

    @property
    def ok(self) -> bool:
        return not self.problems


def state_from_content(content: VisitContent, kind: VisitKind) -> dict[str, Any]:
    """The form state that shows an existing visit."""

    def iso(moment: datetime | None) -> str:
        return moment.isoformat() if moment else ""

    return {
        "kind": kind.value,
        "visitors": list(content.visitors),
        "started_at": iso(content.started_at),
        "ended_at": iso(content.ended_at),
        "present": "，".join(content.present),
        "members": [
            {
                "member_id": m.member_id,
                "name": m.name,
                "id_number": m.id_number,
                "relation": m.relation.value,
                "health": m.health.value,
                "disability_grade": str(m.disability_grade or ""),
                "labour_capacity": m.labour_capacity.value,
                "employed": m.employed,
                "employment": m.employment,
                "schooling": m.schooling,
                "special_status": m.special_status.value,
                "lives_with_family": m.lives_with_family,
                "has_able_supporter": m.has_able_supporter,
            }
            for m in content.members
        ],
        "incomes": [
            {
                "member_id": i.member_id or "",
                "type": i.type.value,
                "monthly_amount": str(i.monthly_amount),
                "note": i.note,
            }
            for i in content.incomes
        ],
        "assets": [
            {
                "member_id": a.member_id or "",
                "type": a.type.value,
                "value": str(a.value),
                "description": a.description,
                "for_disability": a.for_disability,
            }
            for a in content.assets
        ],
        "expenses": [
            {
                "member_id": e.member_id or "",
                "type": e.type.value,
                "monthly_amount": str(e.monthly_amount),
                "note": e.note,
            }
            for e in content.expenses
        ],
        "housing_conditions": content.housing_conditions,
        "living_conditions": content.living_conditions,
        "neighbour_interviews": [
            {"name": n.name, "relation": n.relation, "statement": n.statement}
            for n in content.neighbour_interviews
        ],
        "notice_of_duties_signed": content.notice_of_duties_signed,
        "finding": content.finding.value if content.finding else "",
        "finding_reasons": content.finding_reasons,
        "clue_ids": list(content.clue_ids),
        "clue_outcomes": {},
    }


def check_form(
    state: dict[str, Any], *, today: date | None = None, base: VisitContent | None = None
) -> FormCheck:
    """Validate the typed state; `base` supplies what the form does not edit (photos, ...)."""
    checker = _Checker(today or date.today())
    content = checker.build(state, base or VisitContent())
    kind = _enum(VisitKind, state.get("kind"), VisitKind.PERIODIC_REVIEW)
    outcomes = checker.clue_outcomes(content.clue_ids, state.get("clue_outcomes") or {})
    return FormCheck(
        content=content, kind=kind, problems=tuple(checker.problems), clue_outcomes=outcomes
    )


def without_stale_signatures(content: VisitContent) -> VisitContent:
    """Drop signatures of visitors no longer listed (an account corrected after signing)."""
    required = set(required_signers(content))
    kept = tuple(s for s in content.signatures if s.signer in required)
    return (
        content if kept == content.signatures else content.model_copy(update={"signatures": kept})
    )


def parse_money(raw: str) -> Decimal:
    """A non-negative yuan amount with at most two decimals, from what was typed."""
    text = raw.translate(str.maketrans("０１２３４５６７８９．－，￥", "0123456789.-,¥"))
    for noise in (",", "¥", "元", " ", "\u3000"):
        text = text.replace(noise, "")
    if text.startswith("-"):
        raise ValidationError(
            "金额不能为负数", "An amount cannot be negative", code="money_negative"
        )
    if not _MONEY_RE.match(text):
        raise ValidationError(
            "请输入金额（元），最多两位小数",
            "Enter an amount in yuan with at most two decimals",
            code="money_format",
        )
    try:
        amount = Decimal(text)
    except InvalidOperation as exc:  # pragma: no cover - the pattern already excludes it
        raise ValidationError("金额格式不正确", "Invalid amount", code="money_format") from exc
    if amount > MAX_MONTHLY_AMOUNT:
        raise ValidationError("金额过大，请核对", "The amount is too large", code="money_range")
    return amount


class _Checker:
    def __init__(self, today: date) -> None:
        self.today = today
        self.problems: list[FieldProblem] = []

    def add(self, path: str, zh: str, en: str) -> None:
        self.problems.append(FieldProblem(path, zh, en))

    def build(self, state: dict[str, Any], base: VisitContent) -> VisitContent:
        visitors = tuple(
            dict.fromkeys(str(v).strip() for v in state.get("visitors", ()) if str(v).strip())
        )
        if len(visitors) < MIN_VISITORS:
            self.add(
                "visitors",
                "入户调查须至少两名工作人员",
                "A home visit needs at least two visitors",
            )
        started = self.moment(state, "started_at")
        ended = self.moment(state, "ended_at")
        if started and ended and ended < started:
            self.add("ended_at", "结束时间早于开始时间", "The visit ends before it starts")
        members = self.members(state.get("members", []))
        member_ids = {m.member_id for m in members} | {
            str(m.get("member_id", "")) for m in state.get("members", [])
        }
        present = tuple(p for p in re.split(r"[,，、;；\s]+", str(state.get("present", ""))) if p)
        finding_raw = str(state.get("finding", "") or "")
        return base.model_copy(
            update={
                "visitors": visitors,
                "started_at": started,
                "ended_at": ended,
                "present": present,
                "members": members,
                "incomes": self.incomes(state.get("incomes", []), member_ids),
                "assets": self.assets(state.get("assets", []), member_ids),
                "expenses": self.expenses(state.get("expenses", []), member_ids),
                "housing_conditions": str(state.get("housing_conditions", "")).strip(),
                "living_conditions": str(state.get("living_conditions", "")).strip(),
                "neighbour_interviews": self.interviews(state.get("neighbour_interviews", [])),
                "notice_of_duties_signed": bool(state.get("notice_of_duties_signed", False)),
                "finding": Finding(finding_raw)
                if finding_raw in Finding.__members__.values()
                else None,
                "finding_reasons": str(state.get("finding_reasons", "")).strip(),
                "clue_ids": tuple(str(c) for c in state.get("clue_ids", base.clue_ids)),
            }
        )

    def clue_outcomes(
        self, clue_ids: tuple[str, ...], raw: dict[str, Any]
    ) -> dict[str, ClueStatus]:
        outcomes: dict[str, ClueStatus] = {}
        for clue_id in clue_ids:
            value = str(raw.get(clue_id, "") or "")
            if value in (ClueStatus.CONFIRMED, ClueStatus.REFUTED):
                outcomes[clue_id] = ClueStatus(value)
            else:
                self.add(
                    f"clue_outcomes.{clue_id}",
                    "请填写线索核实结果（查实或查否）",
                    "Record whether the clue was confirmed or refuted",
                )
        return outcomes

    def moment(self, state: dict[str, Any], key: str) -> datetime | None:
        raw = str(state.get(key, "") or "")
        if not raw:
            return None
        try:
            moment = datetime.fromisoformat(raw)
        except ValueError:
            self.add(key, "时间格式不正确", "Invalid time")
            return None
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)

    def members(self, rows: list[dict[str, Any]]) -> tuple[MemberContent, ...]:
        valid: list[MemberContent] = []
        seen: dict[str, int] = {}
        for index, row in enumerate(rows):
            path = f"members.{index}"
            ok = True
            name = str(row.get("name", "")).strip()
            if not name:
                self.add(f"{path}.name", "请填写姓名", "Enter the name")
                ok = False
            number = ""
            try:
                number = parse_id_number(str(row.get("id_number", "")), today=self.today).number
            except ValidationError as exc:
                self.add(f"{path}.id_number", exc.message_zh, exc.message_en)
                ok = False
            if number and number in seen:
                self.add(
                    f"{path}.id_number",
                    f"与第 {seen[number] + 1} 位成员的身份证号重复",
                    f"Same ID number as member {seen[number] + 1}",
                )
                ok = False
            elif number:
                seen[number] = index
            grade_raw = str(row.get("disability_grade", "") or "").strip()
            grade: int | None = None
            if grade_raw:
                if grade_raw in {"1", "2", "3", "4"}:
                    grade = int(grade_raw)
                else:
                    self.add(f"{path}.disability_grade", "残疾等级为 1–4 级", "Grade is 1 to 4")
                    ok = False
            if not ok:
                continue
            valid.append(
                MemberContent(
                    member_id=str(row.get("member_id") or f"new-{index}"),
                    name=name,
                    id_number=number,
                    relation=_enum(Relation, row.get("relation"), Relation.OTHER),
                    health=_enum(Health, row.get("health"), Health.HEALTHY),
                    disability_grade=grade,
                    labour_capacity=_enum(
                        LabourCapacity, row.get("labour_capacity"), LabourCapacity.FULL
                    ),
                    employed=bool(row.get("employed", False)),
                    employment=str(row.get("employment", "")).strip(),
                    schooling=str(row.get("schooling", "")).strip(),
                    special_status=_enum(
                        SpecialStatus, row.get("special_status"), SpecialStatus.NONE
                    ),
                    lives_with_family=bool(row.get("lives_with_family", True)),
                    has_able_supporter=bool(row.get("has_able_supporter", False)),
                )
            )
        return tuple(valid)

    def amount(self, path: str, raw: object) -> Decimal | None:
        try:
            return parse_money(str(raw or ""))
        except ValidationError as exc:
            self.add(path, exc.message_zh, exc.message_en)
            return None

    def incomes(self, rows: list[dict[str, Any]], member_ids: set[str]) -> tuple[IncomeItem, ...]:
        items = []
        for index, row in enumerate(rows):
            amount = self.amount(f"incomes.{index}.monthly_amount", row.get("monthly_amount"))
            if amount is None:
                continue
            items.append(
                IncomeItem(
                    member_id=_member(row, member_ids),
                    type=_enum(IncomeType, row.get("type"), IncomeType.OTHER),
                    monthly_amount=amount,
                    note=str(row.get("note", "")).strip(),
                )
            )
        return tuple(items)

    def assets(self, rows: list[dict[str, Any]], member_ids: set[str]) -> tuple[AssetItem, ...]:
        items = []
        for index, row in enumerate(rows):
            value = self.amount(f"assets.{index}.value", row.get("value") or "0")
            if value is None:
                continue
            items.append(
                AssetItem(
                    member_id=_member(row, member_ids),
                    type=_enum(AssetType, row.get("type"), AssetType.OTHER),
                    value=value,
                    description=str(row.get("description", "")).strip(),
                    for_disability=bool(row.get("for_disability", False)),
                )
            )
        return tuple(items)

    def expenses(self, rows: list[dict[str, Any]], member_ids: set[str]) -> tuple[ExpenseItem, ...]:
        items = []
        for index, row in enumerate(rows):
            amount = self.amount(f"expenses.{index}.monthly_amount", row.get("monthly_amount"))
            if amount is None:
                continue
            items.append(
                ExpenseItem(
                    member_id=_member(row, member_ids),
                    type=_enum(ExpenseType, row.get("type"), ExpenseType.MEDICAL),
                    monthly_amount=amount,
                    note=str(row.get("note", "")).strip(),
                )
            )
        return tuple(items)

    def interviews(self, rows: list[dict[str, Any]]) -> tuple[NeighbourInterview, ...]:
        items = []
        for index, row in enumerate(rows):
            name = str(row.get("name", "")).strip()
            statement = str(row.get("statement", "")).strip()
            if not name and not statement:
                continue
            if not name or not statement:
                self.add(
                    f"neighbour_interviews.{index}",
                    "请填写被访问人和访问内容",
                    "Enter who was interviewed and what they said",
                )
                continue
            items.append(
                NeighbourInterview(
                    name=name, relation=str(row.get("relation", "")).strip(), statement=statement
                )
            )
        return tuple(items)


def _member(row: dict[str, Any], member_ids: set[str]) -> str | None:
    member_id = str(row.get("member_id", "") or "")
    return member_id if member_id in member_ids else None


def _enum(kind: Any, raw: object, default: Any) -> Any:
    try:
        return kind(str(raw))
    except ValueError:
        return default

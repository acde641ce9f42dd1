"""Importing households and clue lists from `.xlsx` and `.csv`, with a per-row report.

Each data row is checked completely before anything is written (every problem of the row is
reported, not just the first); a row with any problem is refused with its reasons, a good row is
imported whole (a household row writes the household once and the member, a clue row writes a
clue for each member holding the ID number). The whole file is written in one transaction, so
a server failure half-way leaves nothing behind. Reasons name columns and codes, never the
values (they are personal data).

Households come one row per member; rows with the same 户编号 (`household_no`) form one
household and must agree on the household columns. Headers may be the English column names or
the Chinese labels below; enumerations accept their codes or Chinese labels.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Final

import pydantic
from sqlmodel import Session, select

from app.domain import (
    AssistanceCategory,
    ClueKind,
    Health,
    HouseholdContent,
    HouseholdStatus,
    LabourCapacity,
    MemberContent,
    RegionLevel,
    Relation,
    SpecialStatus,
)
from app.errors import JiafangError, ValidationError
from app.idnumber import parse_id_number
from app.tabular import read_rows
from sync.protocol import Entity
from sync.server.authz import record_buckets
from sync.server.clues import create_clue, members_by_id_number
from sync.server.crypto import ServerKeys
from sync.server.ids import uuid7
from sync.server.models import PersonIndex, Region
from sync.server.records import Actor, lock_changes, record_change

logger = logging.getLogger(__name__)

HOUSEHOLD_COLUMNS: Final[dict[str, tuple[str, ...]]] = {
    "household_no": ("户编号", "户号"),
    "grid_id": ("网格", "网格编号"),
    "head_name": ("户主姓名", "户主"),
    "address": ("地址", "住址"),
    "registered_residence": ("户籍地",),
    "actual_residence": ("居住地", "实际居住地"),
    "phone": ("电话", "联系电话"),
    "category": ("救助类别",),
    "status": ("状态",),
    "next_review": ("下次复核日期", "下次复核"),
    "note": ("备注",),
    "name": ("姓名", "成员姓名"),
    "id_number": ("身份证号", "身份证号码", "公民身份号码"),
    "relation": ("与户主关系", "关系"),
    "health": ("健康状况",),
    "disability_grade": ("残疾等级",),
    "labour_capacity": ("劳动能力",),
    "employed": ("是否就业",),
    "employment": ("就业情况", "工作"),
    "schooling": ("在学情况", "就学"),
    "special_status": ("特殊身份",),
    "lives_with_family": ("共同生活",),
    "has_able_supporter": ("有赡养能力的法定义务人",),
}
HOUSEHOLD_REQUIRED: Final = ("household_no", "grid_id", "head_name", "address", "name", "id_number")
HOUSEHOLD_LEVEL: Final = (
    "grid_id",
    "head_name",
    "address",
    "registered_residence",
    "actual_residence",
    "phone",
    "category",
    "status",
    "next_review",
    "note",
)
CLUE_COLUMNS: Final[dict[str, tuple[str, ...]]] = {
    "id_number": ("身份证号", "身份证号码", "公民身份号码"),
    "kind": ("线索类型", "类型"),
    "detail": ("线索内容", "内容", "说明"),
    "source": ("来源", "比对来源"),
    "found_on": ("发现日期", "比对日期"),
}
CLUE_REQUIRED: Final = ("id_number", "kind")

_LABELS: Final[dict[str, dict[str, str]]] = {
    "relation": {
        "户主": "head",
        "本人": "head",
        "配偶": "spouse",
        "子女": "child",
        "子": "child",
        "女": "child",
        "父母": "parent",
        "父亲": "parent",
        "母亲": "parent",
        "孙子女": "grandchild",
        "祖父母": "grandparent",
        "兄弟姐妹": "sibling",
        "其他": "other",
    },
    "health": {"健康": "healthy", "慢病": "chronic", "慢性病": "chronic", "重病": "serious"},
    "labour_capacity": {
        "完全劳动能力": "full",
        "部分劳动能力": "partial",
        "无劳动能力": "none",
        "丧失劳动能力": "none",
    },
    "special_status": {
        "无": "none",
        "孤儿": "orphan",
        "特困": "extreme_poverty",
        "服刑": "imprisoned",
        "死亡": "deceased",
    },
    "category": {
        "特困": "extreme_poverty",
        "特困供养": "extreme_poverty",
        "低保": "minimum_living",
        "低收入": "low_income",
        "支出型": "expenditure_hardship",
        "不符合": "not_eligible",
    },
    "status": {"在保": "active", "正常": "active", "停保": "suspended", "退出": "closed"},
    "kind": {
        "工商登记": "business_registration",
        "财政供养人员亲属": "public_payroll_relative",
        "财政供养": "public_payroll_relative",
        "不动产": "real_estate",
        "房产": "real_estate",
        "车辆": "vehicle",
        "死亡": "death",
        "服刑": "imprisonment",
        "大额存款": "large_deposit",
    },
}
_ENUMS: Final[dict[str, type[Any]]] = {
    "relation": Relation,
    "health": Health,
    "labour_capacity": LabourCapacity,
    "special_status": SpecialStatus,
    "category": AssistanceCategory,
    "status": HouseholdStatus,
    "kind": ClueKind,
}
_TRUE: Final = {"1", "true", "yes", "y", "是", "有"}
_FALSE: Final = {"0", "false", "no", "n", "否", "无", ""}


class ImportFileError(JiafangError):
    """The file cannot be read as a table (not the rows' fault)."""

    code = "import_file"


@dataclass(frozen=True)
class Reason:
    code: str
    column: str | None
    message_zh: str
    message_en: str

    def to_dict(self) -> dict[str, str | None]:
        return {
            "code": self.code,
            "column": self.column,
            "message_zh": self.message_zh,
            "message_en": self.message_en,
        }


@dataclass
class RowResult:
    row: int  # the spreadsheet row number (the header is row 1)
    imported: bool
    reasons: list[Reason] = field(default_factory=list)
    record_ids: list[str] = field(default_factory=list)


@dataclass
class ImportReport:
    kind: str
    file: str
    rows: list[RowResult] = field(default_factory=list)

    @property
    def imported(self) -> int:
        return sum(1 for r in self.rows if r.imported)

    @property
    def refused(self) -> list[RowResult]:
        return [r for r in self.rows if not r.imported]

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "file": self.file,
            "rows": len(self.rows),
            "imported": self.imported,
            "refused": [
                {"row": r.row, "reasons": [x.to_dict() for x in r.reasons]} for r in self.refused
            ],
        }


# ----------------------------------------------------------------------------- reading files


def _cell_text(value: Any) -> str:
    """A cell as text (dates as ISO dates, whole numbers without a decimal point)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return str(Decimal(str(value)))
    return str(value).strip()


def read_table(path: Path) -> Iterator[tuple[int, list[Any]]]:
    """(row number, raw cells) of the first sheet or the CSV, header row included."""
    return read_rows(path, ImportFileError, "Only .xlsx and .csv files can be imported")


def _header_map(header: list[Any], columns: dict[str, tuple[str, ...]]) -> dict[int, str]:
    lookup: dict[str, str] = {}
    for name, labels in columns.items():
        lookup[name.lower()] = name
        for label in labels:
            lookup[label] = name
    mapping: dict[int, str] = {}
    for index, cell in enumerate(header):
        text = _cell_text(cell)
        column = lookup.get(text.lower()) or lookup.get(text)
        if column is not None and column not in mapping.values():
            mapping[index] = column
    return mapping


def _rows(
    path: Path, columns: dict[str, tuple[str, ...]], required: tuple[str, ...]
) -> Iterator[tuple[int, dict[str, Any]]]:
    table = read_table(path)
    try:
        _, header = next(table)
    except StopIteration:
        raise ImportFileError("文件是空的", "The file is empty") from None
    mapping = _header_map(header, columns)
    missing = [c for c in required if c not in mapping.values()]
    if missing:
        raise ImportFileError(
            f"缺少必需的列：{'、'.join(missing)}", f"Required columns missing: {', '.join(missing)}"
        )
    for number, cells in table:
        if all(_cell_text(c) == "" for c in cells):
            continue  # blank lines between blocks are common in hand-made sheets
        yield number, {name: cells[i] if i < len(cells) else None for i, name in mapping.items()}


# ----------------------------------------------------------------------------- field checks


class _Row:
    """Collects a row's values and every reason it cannot be imported."""

    def __init__(self, raw: dict[str, Any]) -> None:
        self.raw = raw
        self.reasons: list[Reason] = []

    def fail(self, code: str, column: str | None, zh: str, en: str) -> None:
        self.reasons.append(Reason(code, column, zh, en))

    def text(self, column: str, required: bool = False) -> str:
        value = _cell_text(self.raw.get(column))
        if required and not value:
            self.fail("missing", column, f"“{column}”列为空", f"Column '{column}' is empty")
        return value

    def enum(self, column: str, default: str | None = None) -> str | None:
        value = self.text(column)
        if not value:
            return default
        code = _LABELS.get(column, {}).get(value, value.lower())
        try:
            return str(_ENUMS[column](code).value)
        except ValueError:
            self.fail(
                "invalid_value",
                column,
                f"“{column}”列的取值无法识别",
                f"Column '{column}' has a value that is not recognised",
            )
            return default

    def day(self, column: str) -> date | None:
        value = self.text(column)
        if not value:
            return None
        try:
            return date.fromisoformat(value.replace("/", "-")[:10])
        except ValueError:
            self.fail(
                "invalid_date",
                column,
                f"“{column}”列不是有效日期（应为 YYYY-MM-DD）",
                f"Column '{column}' is not a date (YYYY-MM-DD)",
            )
            return None

    def flag(self, column: str, default: bool) -> bool:
        value = self.text(column).lower()
        if not value:
            return default
        if value in _TRUE:
            return True
        if value in _FALSE:
            return False
        self.fail(
            "invalid_value",
            column,
            f"“{column}”列应为是/否",
            f"Column '{column}' must be yes or no",
        )
        return default

    def grade(self, column: str) -> int | None:
        value = self.text(column).removesuffix("级")
        if not value:
            return None
        grade = {"一": 1, "二": 2, "三": 3, "四": 4}.get(value)
        if grade is None and value.isdigit():
            grade = int(value)
        if grade is None or not 1 <= grade <= 4:
            self.fail(
                "invalid_value",
                column,
                "残疾等级应为 1–4 级",
                "Disability grade must be 1 to 4",
            )
            return None
        return grade

    def id_number(self) -> str | None:
        raw = self.raw.get("id_number")
        if isinstance(raw, int | float) and not isinstance(raw, bool):
            # Excel turned the number into a float: the last digits are already lost.
            self.fail(
                "id_number_as_number",
                "id_number",
                "身份证号被 Excel 存成了数字（末几位已丢失），请把该列设为文本后重新录入",
                "Excel stored the ID number as a number (its last digits are lost); format the "
                "column as text and enter it again",
            )
            return None
        try:
            return parse_id_number(self.text("id_number")).number
        except ValidationError as exc:
            self.fail(exc.code, "id_number", exc.message_zh, exc.message_en)
            return None

    def pydantic_errors(self, exc: pydantic.ValidationError) -> None:
        for error in exc.errors(include_input=False):
            column = str(error["loc"][0]) if error.get("loc") else None
            self.fail(
                "invalid_value",
                column,
                f"“{column}”列不符合要求：{error['msg']}",
                f"Column '{column}' is not valid: {error['msg']}",
            )


# ----------------------------------------------------------------------------- households


def store_household(
    session: Session,
    keys: ServerKeys,
    actor: Actor,
    *,
    household_id: str,
    grid_id: str,
    content: HouseholdContent,
    category: str | None,
    status: str,
    next_review: date | None,
    extra_data: dict[str, Any] | None = None,
) -> list[str]:
    """Write a household and its members through `record_change` (like a laptop's push).
    Returns the written record ids (household first)."""
    buckets = record_buckets(session, grid_id, household_id)
    meta = {
        "grid_id": grid_id,
        "status": status,
        "category": category,
        "next_review": next_review.isoformat() if next_review else None,
    }
    data = {**content.model_dump(mode="json", exclude={"members"}), **(extra_data or {})}
    record_change(
        session,
        keys,
        entity=Entity.HOUSEHOLD.value,
        record_id=household_id,
        household_id=household_id,
        grid_id=grid_id,
        meta=meta,
        data=data,
        buckets=buckets,
        actor=actor,
        changed_fields=sorted({*meta, *data}),
    )
    written = [household_id]
    for member in content.members:
        written.append(store_member(session, keys, actor, household_id, grid_id, member, buckets))
    return written


def store_member(
    session: Session,
    keys: ServerKeys,
    actor: Actor,
    household_id: str,
    grid_id: str,
    member: MemberContent,
    buckets: list[str] | None = None,
) -> str:
    data = member.model_dump(mode="json")
    record_change(
        session,
        keys,
        entity=Entity.MEMBER.value,
        record_id=member.member_id,
        household_id=household_id,
        grid_id=grid_id,
        meta={"household_id": household_id},
        data=data,
        buckets=buckets if buckets is not None else record_buckets(session, grid_id, household_id),
        actor=actor,
        changed_fields=sorted({"household_id", *data}),
    )
    return member.member_id


@dataclass
class _PendingHousehold:
    """A 户编号 of the file: the first row naming it defines its household columns. Its id is
    the server household of a member already registered there (a re-import adds the missing
    members to it), else a new id when its first good row is written."""

    first_row: int
    columns: dict[str, str]
    household_id: str | None = None
    written: bool = False


def import_households(session: Session, keys: ServerKeys, actor: Actor, path: Path) -> ImportReport:
    """Import a household file; the caller commits (the report says what would be written)."""
    report = ImportReport(kind="households", file=path.name)
    grids: dict[str, bool] = {}
    households: dict[str, _PendingHousehold] = {}
    seen_numbers: dict[str, int] = {}
    lock_changes(session)
    for number, raw in _rows(path, HOUSEHOLD_COLUMNS, HOUSEHOLD_REQUIRED):
        row = _Row(raw)
        household_no = row.text("household_no", required=True)
        grid_id = row.text("grid_id", required=True)
        if grid_id and grid_id not in grids:
            region = session.get(Region, grid_id)
            grids[grid_id] = region is not None and region.level == RegionLevel.GRID.value
        if grid_id and not grids[grid_id]:
            row.fail("unknown_grid", "grid_id", "网格不存在", "The grid does not exist")
        category = row.enum("category")
        status = row.enum("status", HouseholdStatus.ACTIVE.value) or HouseholdStatus.ACTIVE.value
        next_review = row.day("next_review")
        household_columns = {c: row.text(c) for c in HOUSEHOLD_LEVEL}
        content: HouseholdContent | None = None
        try:
            content = HouseholdContent(
                head_name=row.text("head_name", required=True) or "?",
                address=row.text("address", required=True) or "?",
                registered_residence=row.text("registered_residence"),
                actual_residence=row.text("actual_residence"),
                phone=row.text("phone"),
                note=row.text("note"),
            )
        except pydantic.ValidationError as exc:
            row.pydantic_errors(exc)
        pending = households.get(household_no)
        if pending is None:
            pending = _PendingHousehold(number, household_columns)
            households[household_no] = pending
        elif pending.columns != household_columns:
            row.fail(
                "household_mismatch",
                "household_no",
                f"同一户编号的户信息与第 {pending.first_row} 行不一致",
                f"The household columns differ from row {pending.first_row} of this household",
            )
        member = _member_from_row(row)
        if member is not None:
            earlier = seen_numbers.get(member.id_number)
            registered = session.exec(_person_query(keys.blind_index(member.id_number))).first()
            if earlier is not None:
                row.fail(
                    "duplicate_in_file",
                    "id_number",
                    f"身份证号与第 {earlier} 行重复",
                    f"The ID number repeats row {earlier}",
                )
            elif registered is not None:
                row.fail(
                    "already_registered",
                    "id_number",
                    "此人已登记在某户中（重复救助核查）",
                    "This person is already registered in a household (duplicate-aid check)",
                )
                if pending.household_id is None and pending.columns == household_columns:
                    pending.household_id, pending.written = registered.household_id, True
        result = RowResult(row=number, imported=not row.reasons, reasons=row.reasons)
        report.rows.append(result)
        if row.reasons or member is None or content is None:
            continue
        seen_numbers[member.id_number] = number
        if pending.household_id is None:
            pending.household_id = uuid7()
        if not pending.written:
            result.record_ids = store_household(
                session,
                keys,
                actor,
                household_id=pending.household_id,
                grid_id=grid_id,
                content=content.model_copy(update={"members": (member,)}),
                category=category,
                status=status,
                next_review=next_review,
                extra_data={"household_no": household_no},
            )
            pending.written = True
        else:
            result.record_ids = [
                store_member(session, keys, actor, pending.household_id, grid_id, member)
            ]
    logger.info("household import: %d rows, %d refused", len(report.rows), len(report.refused))
    return report


def _person_query(blind: str) -> Any:
    return select(PersonIndex).where(PersonIndex.blind == blind)


def _member_from_row(row: _Row) -> MemberContent | None:
    number = row.id_number()
    values: dict[str, Any] = {
        "member_id": uuid7(),
        "name": row.text("name", required=True) or "?",  # reported once, as missing
        "relation": row.enum("relation", Relation.OTHER.value),
        "health": row.enum("health", Health.HEALTHY.value),
        "disability_grade": row.grade("disability_grade"),
        "labour_capacity": row.enum("labour_capacity", LabourCapacity.FULL.value),
        "employed": row.flag("employed", False),
        "employment": row.text("employment"),
        "schooling": row.text("schooling"),
        "special_status": row.enum("special_status", SpecialStatus.NONE.value),
        "lives_with_family": row.flag("lives_with_family", True),
        "has_able_supporter": row.flag("has_able_supporter", False),
    }
    if number is None:
        return None
    try:
        return MemberContent(id_number=number, **values)
    except pydantic.ValidationError as exc:
        row.pydantic_errors(exc)
        return None


# ----------------------------------------------------------------------------- clues


def import_clues(session: Session, keys: ServerKeys, actor: Actor, path: Path) -> ImportReport:
    """Import a clue list: one clue per household member holding each row's ID number."""
    report = ImportReport(kind="clues", file=path.name)
    seen: dict[tuple[str, str], int] = {}
    lock_changes(session)
    for number, raw in _rows(path, CLUE_COLUMNS, CLUE_REQUIRED):
        row = _Row(raw)
        id_number = row.id_number()
        kind = row.enum("kind")
        if kind is None and not any(r.column == "kind" for r in row.reasons):
            row.fail("missing", "kind", "“kind”列为空", "Column 'kind' is empty")
        found_on = row.day("found_on")
        matches = []
        if id_number is not None and kind is not None:
            earlier = seen.get((id_number, kind))
            if earlier is not None:
                row.fail(
                    "duplicate_in_file",
                    "id_number",
                    f"与第 {earlier} 行的线索重复",
                    f"Same clue as row {earlier}",
                )
            matches = members_by_id_number(session, keys, id_number)
            if not matches:
                row.fail(
                    "no_member",
                    "id_number",
                    "没有家庭成员持有此身份证号",
                    "No household member has this ID number",
                )
        result = RowResult(row=number, imported=not row.reasons, reasons=row.reasons)
        report.rows.append(result)
        if row.reasons or id_number is None or kind is None:
            continue
        seen[(id_number, kind)] = number
        result.record_ids = [
            create_clue(
                session,
                keys,
                actor,
                member_id=m.member_id,
                kind=ClueKind(kind),
                detail=row.text("detail"),
                source=row.text("source") or path.name,
                found_on=found_on,
            ).id
            for m in matches
        ]
    logger.info("clue import: %d rows, %d refused", len(report.rows), len(report.refused))
    return report


Importer = Callable[[Session, ServerKeys, Actor, Path], ImportReport]
IMPORTERS: Final[dict[str, Importer]] = {"households": import_households, "clues": import_clues}

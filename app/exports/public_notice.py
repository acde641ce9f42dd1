"""The public-notice list (公示): who receives assistance, posted where anyone can read it.

What may appear is fixed by the privacy rules of `domain.md`: the head's name masked
(`app.masking.mask_name`), the ID number masked to its first 6 and last 4 characters, the
community (社区/村) rather than the street address, the category, the number of members and the
monthly amount — and never health, disability or income detail.

The input type `PublicNoticeEntry` has no field for anything else, and before a single byte is
written every cell of the finished table is checked again (`check_public_cells`): a run of 15
or more digits (a full ID number, also when spaced or in full-width digits), a health or
disability word, or a house number in the area column refuses the whole export with
`PublicNoticeLeakError`. That check is the last line, not the first: it catches what a wrong
caller or a future field might let through.
"""

from __future__ import annotations

import csv
import io
import logging
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import IO, Final

from openpyxl import Workbook

from app.domain import AssistanceCategory, Relation, Role
from app.errors import ValidationError
from app.exports.gate import PublicNoticeLeakError, ensure_may_export
from app.exports.labels import CATEGORY_ZH
from app.exports.xlsx import (
    Cell,
    Column,
    ColumnKind,
    add_table,
    money_cell,
    save_atomically,
    save_workbook,
)
from app.idnumber import normalise
from app.masking import mask_id_number, mask_name
from app.models.views import HouseholdView

logger = logging.getLogger(__name__)

SHEET_TITLE: Final = "公示名单"

COLUMNS: Final[tuple[Column, ...]] = (
    Column("序号", 6, ColumnKind.INTEGER),
    Column("户主姓名", 10),
    Column("身份证号码", 22),
    Column("所在社区（村）", 20),
    Column("救助类别", 11),
    Column("家庭人口", 9, ColumnKind.INTEGER),
    Column("月救助金额（元）", 14, ColumnKind.MONEY),
)
_ID_COLUMN: Final = 2
_AREA_COLUMN: Final = 3

#: Words that would disclose health or disability (PIPL sensitive data). "病" and "残" alone
#: cover 重病/慢病/疾病/大病 and 残疾/伤残; English for a list someone fills in English.
FORBIDDEN_WORDS: Final[tuple[str, ...]] = (
    "病",
    "残",
    "疾",
    "健康",
    "诊断",
    "瘫",
    "失能",
    "精神",
    "智力",
    "肢体",
    "视力",
    "听力",
    "言语",
    "盲",
    "聋",
    "哑",
    "health",
    "disab",
    "chronic",
    "illness",
)
_LONG_DIGIT_RUN: Final = re.compile(r"\d{15,}")
_MASKED_ID: Final = re.compile(r"(\d{6}\*+[\dX]{4})|(\**)")
#: a street address, not a community: digits or house-level words
_HOUSE_LEVEL: Final = re.compile(r"\d|号|室|单元|栋|幢")


@dataclass(frozen=True)
class PublicNoticeEntry:
    """One family on the list. `head_name` and `id_number` are the full values: they are
    masked when the table is built, so no caller has to remember to."""

    head_name: str = field(repr=False)
    id_number: str = field(repr=False)
    #: the community (社区) or village (村), never the street address
    community: str
    category: AssistanceCategory
    member_count: int
    monthly_amount: Decimal


def public_notice_entry(
    household: HouseholdView,
    *,
    community: str,
    monthly_amount: Decimal,
    category: AssistanceCategory | None = None,
) -> PublicNoticeEntry:
    """The entry of a household: its head's name and ID number, and only the counts and amount.

    `category` defaults to the household's current category; a household without one cannot
    be published.
    """
    chosen = category if category is not None else household.category
    if chosen is None:
        raise PublicNoticeLeakError(
            "该家庭尚未认定救助类别，不能公示",
            "A household without an assistance category cannot be published",
            code="public_notice_no_category",
        )
    members = household.content.members or tuple(m.content for m in household.members)
    heads = [m for m in members if m.relation is Relation.HEAD]
    head = next((m for m in heads if m.name == household.content.head_name), None)
    if head is None and heads:
        head = heads[0]
    return PublicNoticeEntry(
        head_name=household.content.head_name,
        id_number="" if head is None else head.id_number,
        community=community,
        category=chosen,
        member_count=len(household.members) or len(members),
        monthly_amount=monthly_amount,
    )


def public_notice_table(entries: Iterable[PublicNoticeEntry]) -> list[tuple[Cell, ...]]:
    """The rows as published (masked), checked cell by cell; raises before anything is shown."""
    rows: list[tuple[Cell, ...]] = []
    for number, entry in enumerate(entries, start=1):
        if not isinstance(entry, PublicNoticeEntry):
            # A household view or a member record carries health and income fields: refuse
            # anything that is not the narrow public-notice type.
            raise PublicNoticeLeakError(
                "公示名单只接受公示条目，不接受完整的家庭或成员记录",
                "The public-notice list accepts only public-notice entries, "
                "not whole household or member records",
            )
        rows.append(
            (
                number,
                mask_name(entry.head_name),
                mask_id_number(entry.id_number),
                entry.community,
                CATEGORY_ZH[entry.category],
                entry.member_count,
                money_cell(entry.monthly_amount),
            )
        )
    check_public_cells(rows)
    return rows


def check_public_cells(rows: Sequence[Sequence[Cell]]) -> None:
    """Refuse a table that would publish a full ID number, health or disability, or an address.

    Messages name the row and column, never the value (it is the very thing not to spread).
    """
    for row_number, row in enumerate(rows, start=1):
        for column, value in enumerate(row):
            if value is None or isinstance(value, int | Decimal):
                continue
            text = normalise(str(value))
            header = COLUMNS[column].header if column < len(COLUMNS) else str(column + 1)
            where_zh = f"第 {row_number} 行“{header}”列"
            where_en = f"row {row_number}, column '{header}'"
            if _LONG_DIGIT_RUN.search(text):
                raise PublicNoticeLeakError(
                    f"{where_zh}含有完整的身份证号码，已拒绝导出",
                    f"{where_en} holds a full ID number; the export was refused",
                    code="public_notice_full_id",
                )
            lowered = text.casefold()
            if any(word in lowered for word in FORBIDDEN_WORDS):
                raise PublicNoticeLeakError(
                    f"{where_zh}含有健康或残疾信息，已拒绝导出",
                    f"{where_en} holds health or disability information; the export was refused",
                    code="public_notice_health",
                )
            if column == _ID_COLUMN and not _MASKED_ID.fullmatch(text):
                raise PublicNoticeLeakError(
                    f"{where_zh}的身份证号码未按规定遮蔽（前 6 位和后 4 位以外应为 *）",
                    f"{where_en} is not masked to the first 6 and last 4 characters",
                    code="public_notice_full_id",
                )
            if column == _AREA_COLUMN and _HOUSE_LEVEL.search(text):
                raise PublicNoticeLeakError(
                    f"{where_zh}应只写到社区（村），不能含门牌号",
                    f"{where_en} must name the community only, not a street address",
                    code="public_notice_address",
                )


def write_public_notice_xlsx(
    path: str | os.PathLike[str], entries: Iterable[PublicNoticeEntry], *, role: Role | str
) -> Path:
    ensure_may_export(role)
    rows = public_notice_table(entries)
    workbook = Workbook()
    add_table(workbook, SHEET_TITLE, COLUMNS, rows, first=True)
    workbook.properties.title = SHEET_TITLE
    written = save_workbook(workbook, path)
    logger.info("public-notice list exported (xlsx): %d households", len(rows))
    return written


def write_public_notice_csv(
    path: str | os.PathLike[str], entries: Iterable[PublicNoticeEntry], *, role: Role | str
) -> Path:
    """UTF-8 with a byte-order mark, so Excel on a Chinese Windows opens it without mojibake."""
    ensure_may_export(role)
    rows = public_notice_table(entries)
    text = io.StringIO(newline="")
    writer = csv.writer(text)
    writer.writerow([c.header for c in COLUMNS])
    writer.writerows([_csv_value(v) for v in row] for row in rows)
    data = text.getvalue().encode("utf-8-sig")

    def write(stream: IO[bytes]) -> None:
        stream.write(data)

    written = save_atomically(path, write)
    logger.info("public-notice list exported (csv): %d households", len(rows))
    return written


def write_public_notice(
    path: str | os.PathLike[str], entries: Iterable[PublicNoticeEntry], *, role: Role | str
) -> Path:
    """`.csv` or `.xlsx` by the file's suffix."""
    suffix = Path(path).suffix.lower()
    if suffix == ".csv":
        return write_public_notice_csv(path, entries, role=role)
    if suffix == ".xlsx":
        return write_public_notice_xlsx(path, entries, role=role)
    raise ValidationError(
        f"公示名单只能导出为 .xlsx 或 .csv 文件，不能是“{suffix}”",
        f"Public-notice lists are written as .xlsx or .csv, not '{suffix}'",
        code="export_format",
    )


def _csv_value(value: Cell) -> str:
    if value is None:
        return ""
    text = str(value)
    if text[:1] in ("=", "+", "-", "@"):
        # Excel would run it as a formula (CSV injection).
        return "'" + text
    return text

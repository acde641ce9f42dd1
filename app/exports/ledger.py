"""The household ledger (台账): one row per household with its latest visit, as `.xlsx`.

The street office keeps this sheet to see at a glance who receives what, when each family was
last visited and with what finding, and when the next review is due. Rows are built from the
store's read models with `ledger_row` (or written directly as `LedgerRow`s) and written with
`write_ledger`, which refuses roles that may not export (see `app.exports.gate`).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Final

from openpyxl import Workbook

from app.domain import AssistanceCategory, Finding, HouseholdStatus, Role
from app.exports.gate import ensure_may_export
from app.exports.labels import FINDING_ZH, HOUSEHOLD_STATUS_ZH, category_zh
from app.exports.xlsx import Column, ColumnKind, add_table, money_cell, save_workbook
from app.models.views import HouseholdView, VisitView
from app.policy.decision import EligibilityDecision

logger = logging.getLogger(__name__)

SHEET_TITLE: Final = "救助家庭台账"

COLUMNS: Final[tuple[Column, ...]] = (
    Column("序号", 6, ColumnKind.INTEGER),
    Column("网格", 18),
    Column("家庭住址", 40),
    Column("户主姓名", 10),
    Column("家庭人口", 9, ColumnKind.INTEGER),
    Column("救助类别", 11),
    Column("家庭月人均收入（元）", 14, ColumnKind.MONEY),
    Column("月救助金额（元）", 13, ColumnKind.MONEY),
    Column("最近走访日期", 13, ColumnKind.DATE),
    Column("走访结论", 9),
    Column("下次复核日期", 13, ColumnKind.DATE),
    Column("状态", 8),
)


@dataclass(frozen=True)
class LedgerRow:
    """One household on the ledger. Money is yuan; `None` leaves the cell empty."""

    household_id: str
    grid: str
    address: str = field(repr=False)
    head_name: str = field(repr=False)
    member_count: int
    category: AssistanceCategory | None
    per_capita_income: Decimal | None
    monthly_benefit: Decimal | None
    last_visit_on: date | None
    last_finding: Finding | None
    next_review: date | None
    status: HouseholdStatus


def ledger_row(
    household: HouseholdView,
    *,
    grid_name: str,
    latest_visit: VisitView | None = None,
    decision: EligibilityDecision | None = None,
) -> LedgerRow:
    """The ledger row of a household, its latest visit and the decision computed from it.

    Income and benefit come from the decision (the numbers the reasons give); without one those
    cells stay empty rather than showing a zero nobody computed.
    """
    return LedgerRow(
        household_id=household.household_id,
        grid=grid_name,
        address=household.content.address,
        head_name=household.content.head_name,
        member_count=len(household.members) or len(household.content.members),
        category=household.category,
        per_capita_income=None if decision is None else decision.per_capita_income,
        monthly_benefit=None if decision is None else decision.monthly_benefit,
        last_visit_on=None if latest_visit is None else latest_visit.visit_date,
        last_finding=None if latest_visit is None else latest_visit.content.finding,
        next_review=household.next_review,
        status=household.status,
    )


def write_ledger(
    path: str | os.PathLike[str], rows: Iterable[LedgerRow], *, role: Role | str
) -> Path:
    """Write the ledger, sorted by grid then address; returns the written path."""
    ensure_may_export(role)
    ordered = sorted(rows, key=lambda r: (r.grid, r.address, r.household_id))
    workbook = Workbook()
    add_table(
        workbook,
        SHEET_TITLE,
        COLUMNS,
        [
            (
                number,
                row.grid,
                row.address,
                row.head_name,
                row.member_count,
                category_zh(row.category),
                money_cell(row.per_capita_income),
                money_cell(row.monthly_benefit),
                row.last_visit_on,
                "" if row.last_finding is None else FINDING_ZH[row.last_finding],
                row.next_review,
                HOUSEHOLD_STATUS_ZH[row.status],
            )
            for number, row in enumerate(ordered, start=1)
        ],
        first=True,
    )
    workbook.properties.title = SHEET_TITLE
    written = save_workbook(workbook, path)
    logger.info("ledger exported: %d households", len(ordered))
    return written

"""The clue ledger (线索台账): every lead from the data comparison and how it was closed (销号).

Each clue ends `confirmed` (查实) or `refuted` (查否) through a clue-check visit; the ledger
shows which visit closed it and when, so a supervisor can trace every closure back to a visit
(third-party results that nobody can trace are one of the problems domain.md names). A second
sheet counts open and closed clues, the figure the street office reports upward.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Final

from openpyxl import Workbook

from app.domain import ClueKind, ClueStatus, Role
from app.exports.gate import ensure_may_export
from app.exports.labels import CLUE_KIND_ZH, CLUE_STATUS_ZH, VISIT_KIND_ZH
from app.exports.xlsx import Column, ColumnKind, add_table, save_workbook
from app.models.views import ClueView, VisitView

logger = logging.getLogger(__name__)

SHEET_TITLE: Final = "线索台账"
SUMMARY_TITLE: Final = "销号汇总"

COLUMNS: Final[tuple[Column, ...]] = (
    Column("序号", 6, ColumnKind.INTEGER),
    Column("网格", 18),
    Column("户主姓名", 10),
    Column("涉及成员", 10),
    Column("线索类型", 16),
    Column("线索内容", 30),
    Column("发现日期", 12, ColumnKind.DATE),
    Column("销号状态", 10),
    Column("核实走访", 16),
    Column("核实走访日期", 13, ColumnKind.DATE),
    Column("销号日期", 12, ColumnKind.DATE),
    Column("走访记录编号", 38),
)
SUMMARY_COLUMNS: Final[tuple[Column, ...]] = (
    Column("销号状态", 14),
    Column("线索数", 10, ColumnKind.INTEGER),
)


@dataclass(frozen=True)
class ClueLedgerRow:
    clue_id: str
    grid: str
    head_name: str = field(repr=False)
    member_name: str = field(repr=False)
    kind: ClueKind
    detail: str = field(repr=False)
    found_on: date | None
    status: ClueStatus
    #: the clue-check visit that closed the clue (None while open)
    closing_visit_id: str | None = None
    closing_visit_on: date | None = None
    closing_visit_kind: str = ""
    #: the day the clue was closed; the closing visit's day when not recorded separately
    closed_on: date | None = None


def clue_ledger_row(
    clue: ClueView,
    *,
    grid_name: str,
    head_name: str,
    closing_visit: VisitView | None = None,
) -> ClueLedgerRow:
    """A ledger row from the store's clue (its `data` holds member name, detail and dates)."""
    data = clue.data
    visit_id = data.get("visit_id")
    closed_on = _date(data.get("closed_on"))
    visit_on = None if closing_visit is None else closing_visit.visit_date
    return ClueLedgerRow(
        clue_id=clue.clue_id,
        grid=grid_name,
        head_name=head_name,
        member_name=str(data.get("member_name", "")),
        kind=clue.kind,
        detail=str(data.get("detail", "")),
        found_on=_date(data.get("found_on")),
        status=clue.status,
        closing_visit_id=str(visit_id) if visit_id else None,
        closing_visit_on=visit_on,
        closing_visit_kind="" if closing_visit is None else VISIT_KIND_ZH[closing_visit.kind],
        closed_on=closed_on
        if closed_on is not None or clue.status is ClueStatus.OPEN
        else visit_on,
    )


def write_clue_ledger(
    path: str | os.PathLike[str], rows: Iterable[ClueLedgerRow], *, role: Role | str
) -> Path:
    """Open clues first (oldest first: the ones to chase), then closed ones by closing date."""
    ensure_may_export(role)
    ordered = sorted(
        rows,
        key=lambda r: (
            r.status is not ClueStatus.OPEN,
            r.found_on or date.min,
            r.closed_on or date.min,
            r.clue_id,
        ),
    )
    workbook = Workbook()
    add_table(
        workbook,
        SHEET_TITLE,
        COLUMNS,
        [
            (
                number,
                row.grid,
                row.head_name,
                row.member_name,
                CLUE_KIND_ZH[row.kind],
                row.detail,
                row.found_on,
                CLUE_STATUS_ZH[row.status],
                row.closing_visit_kind,
                row.closing_visit_on,
                row.closed_on,
                row.closing_visit_id or "",
            )
            for number, row in enumerate(ordered, start=1)
        ],
        first=True,
    )
    counts = {status: 0 for status in ClueStatus}
    for row in ordered:
        counts[row.status] += 1
    add_table(
        workbook,
        SUMMARY_TITLE,
        SUMMARY_COLUMNS,
        [
            *((CLUE_STATUS_ZH[status], counts[status]) for status in ClueStatus),
            ("已销号合计", counts[ClueStatus.CONFIRMED] + counts[ClueStatus.REFUTED]),
            ("线索总数", len(ordered)),
        ],
    )
    workbook.properties.title = SHEET_TITLE
    written = save_workbook(workbook, path)
    logger.info("clue ledger exported: %d clues", len(ordered))
    return written


def _date(value: object) -> date | None:
    if isinstance(value, date):
        return value
    if isinstance(value, str) and value:
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None

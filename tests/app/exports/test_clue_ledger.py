from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from app.domain import ClueKind, ClueStatus, Role, VisitKind
from app.exports import ExportForbiddenError
from app.exports.clue_ledger import clue_ledger_row, write_clue_ledger
from app.models.views import ClueView
from tests.app.exports.conftest import DemoCase, visit_view


def _clue(
    clue_id: str, case: DemoCase, kind: ClueKind, status: ClueStatus, **data: str
) -> ClueView:
    member = case.demo.content.members[-1]
    return ClueView(
        clue_id=clue_id,
        household_id=case.demo.household_id,
        member_id=member.member_id,
        kind=kind,
        status=status,
        version=1,
        data={"member_name": member.name, **data},
    )


def test_clue_ledger_shows_closure_status_and_the_closing_visit(
    tmp_path: Path, cases: tuple[DemoCase, ...]
) -> None:
    open_case, confirmed_case, refuted_case = cases[0], cases[1], cases[2]
    check_visit = visit_view(confirmed_case.demo, "visit-check-1", VisitKind.CLUE_CHECK)
    refuting_visit = visit_view(refuted_case.demo, "visit-check-2", VisitKind.CLUE_CHECK)
    rows = [
        clue_ledger_row(
            _clue("c-3", refuted_case, ClueKind.VEHICLE, ClueStatus.REFUTED,
                  found_on="2025-01-10", visit_id="visit-check-2", closed_on="2025-02-01"),
            grid_name=refuted_case.grid_name,
            head_name=refuted_case.demo.content.head_name,
            closing_visit=refuting_visit,
        ),
        clue_ledger_row(
            _clue("c-2", confirmed_case, ClueKind.BUSINESS_REGISTRATION, ClueStatus.CONFIRMED,
                  found_on="2025-01-05", visit_id="visit-check-1", detail="名下有个体工商户"),
            grid_name=confirmed_case.grid_name,
            head_name=confirmed_case.demo.content.head_name,
            closing_visit=check_visit,
        ),
        clue_ledger_row(
            _clue("c-1", open_case, ClueKind.DEATH, ClueStatus.OPEN, found_on="2025-03-01"),
            grid_name=open_case.grid_name,
            head_name=open_case.demo.content.head_name,
        ),
    ]  # fmt: skip
    path = write_clue_ledger(tmp_path / "线索台账.xlsx", rows, role=Role.SUPERVISOR)

    workbook = load_workbook(path)
    sheet = workbook["线索台账"]
    assert sheet.freeze_panes == "A2"
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][:8] == ("序号", "网格", "户主姓名", "涉及成员", "线索类型", "线索内容",
                             "发现日期", "销号状态")  # fmt: skip
    assert len(values) == 4
    open_row, first_closed, second_closed = values[1:]
    # open clues first: they are the work still to do
    assert open_row[2] == open_case.demo.content.head_name
    assert open_row[4] == "死亡" and open_row[7] == "未销号"
    assert open_row[8:12] == (None, None, None, None)  # empty cells
    # closed ones oldest first
    assert first_closed[7] == "查实" and first_closed[4] == "工商登记"
    assert first_closed[5] == "名下有个体工商户"
    assert first_closed[8] == "比对线索核实"
    assert isinstance(first_closed[9], datetime)
    assert first_closed[9].date() == check_visit.visit_date
    # no separate closing date recorded: the closing visit's day
    assert isinstance(first_closed[10], datetime)
    assert first_closed[10].date() == check_visit.visit_date
    assert first_closed[11] == "visit-check-1"
    assert second_closed[7] == "查否"
    assert isinstance(second_closed[10], datetime)
    assert second_closed[10].date() == date(2025, 2, 1)
    assert isinstance(second_closed[6], datetime)
    assert second_closed[6].date() == date(2025, 1, 10)

    summary = dict(workbook["销号汇总"].iter_rows(min_row=2, values_only=True))
    assert summary == {"未销号": 1, "查实": 1, "查否": 1, "已销号合计": 2, "线索总数": 3}


def test_contractor_cannot_export_the_clue_ledger(tmp_path: Path) -> None:
    with pytest.raises(ExportForbiddenError):
        write_clue_ledger(tmp_path / "c.xlsx", [], role=Role.CONTRACTOR)
    assert list(tmp_path.iterdir()) == []

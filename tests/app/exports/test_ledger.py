from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from app.domain import AssistanceCategory, Finding, HouseholdStatus, Role
from app.exports import ExportForbiddenError
from app.exports.labels import CATEGORY_ZH, FINDING_ZH
from app.exports.ledger import COLUMNS, LedgerRow, ledger_row, write_ledger
from tests.app.exports.conftest import DemoCase

HEADERS = [
    "序号",
    "网格",
    "家庭住址",
    "户主姓名",
    "家庭人口",
    "救助类别",
    "家庭月人均收入（元）",
    "月救助金额（元）",
    "最近走访日期",
    "走访结论",
    "下次复核日期",
    "状态",
]


def _rows(cases: tuple[DemoCase, ...]) -> list[LedgerRow]:
    return [
        ledger_row(c.household, grid_name=c.grid_name, latest_visit=c.visit, decision=c.decision)
        for c in cases
    ]


def test_ledger_reads_back_one_row_per_household_with_its_numbers(
    tmp_path: Path, cases: tuple[DemoCase, ...]
) -> None:
    path = write_ledger(tmp_path / "台账.xlsx", _rows(cases), role=Role.SUPERVISOR)

    sheet = load_workbook(path).active
    assert sheet is not None
    values = list(sheet.iter_rows(values_only=True))
    assert list(values[0]) == HEADERS
    assert len(values) == 1 + len(cases)
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["C"].width == 40

    by_address = {row[2]: row for row in values[1:]}
    assert len(by_address) == len(cases)
    for case in cases:
        row = by_address[case.demo.content.address]
        assert row[1] == case.grid_name
        assert row[3] == case.demo.content.head_name
        assert row[4] == len(case.demo.content.members)
        assert row[5] == CATEGORY_ZH[case.demo.category]
        assert row[6] == pytest.approx(float(case.decision.per_capita_income), abs=0.001)
        assert row[7] == pytest.approx(float(case.decision.monthly_benefit), abs=0.001)
        assert isinstance(row[8], datetime) and row[8].date() == case.visit.visit_date
        assert case.visit.content.finding is not None
        assert row[9] == FINDING_ZH[case.visit.content.finding]
        assert isinstance(row[10], datetime) and row[10].date() == case.demo.next_review
        assert row[11] == "正常"
    # serial numbers run 1..n in grid order
    assert [row[0] for row in values[1:]] == list(range(1, len(cases) + 1))
    assert [row[1] for row in values[1:]] == sorted(row[1] for row in values[1:])


def test_money_and_date_cells_carry_number_and_date_formats(
    tmp_path: Path, cases: tuple[DemoCase, ...]
) -> None:
    path = write_ledger(tmp_path / "ledger.xlsx", _rows(cases[:2]), role=Role.FIELD_WORKER)
    sheet = load_workbook(path).active
    assert sheet is not None
    money_income, money_benefit = sheet["G2"], sheet["H2"]
    assert money_income.data_type == "n" and money_income.number_format == "#,##0.00"
    assert money_benefit.data_type == "n" and money_benefit.number_format == "#,##0.00"
    assert sheet["I2"].is_date and sheet["I2"].number_format == "yyyy-mm-dd"
    assert sheet["K2"].is_date
    assert len(COLUMNS) == sheet.max_column


def test_a_household_never_visited_has_empty_visit_and_money_cells(tmp_path: Path) -> None:
    row = LedgerRow(
        household_id="h-1",
        grid="桂园社区第一网格",
        address="示范区明德路1号",
        head_name="王芳",
        member_count=1,
        category=None,
        per_capita_income=None,
        monthly_benefit=None,
        last_visit_on=None,
        last_finding=None,
        next_review=None,
        status=HouseholdStatus.SUSPENDED,
    )
    path = write_ledger(tmp_path / "ledger.xlsx", [row], role=Role.ADMIN)
    sheet = load_workbook(path).active
    assert sheet is not None
    values = next(sheet.iter_rows(min_row=2, values_only=True))
    assert values == (1, "桂园社区第一网格", "示范区明德路1号", "王芳", 1, "未认定",
                      None, None, None, None, None, "停保")  # fmt: skip


def test_money_is_rounded_to_the_cent(tmp_path: Path) -> None:
    row = LedgerRow(
        household_id="h-2",
        grid="g",
        address="a",
        head_name="李明",
        member_count=3,
        category=AssistanceCategory.MINIMUM_LIVING,
        per_capita_income=Decimal("1180.005"),
        monthly_benefit=Decimal("363.00"),
        last_visit_on=date(2025, 3, 4),
        last_finding=Finding.DOUBTFUL,
        next_review=date(2026, 3, 4),
        status=HouseholdStatus.ACTIVE,
    )
    sheet = load_workbook(write_ledger(tmp_path / "l.xlsx", [row], role=Role.ADMIN)).active
    assert sheet is not None
    assert sheet["G2"].value == 1180.01  # half-up, as the policy engine rounds
    assert sheet["H2"].value == 363.0
    assert sheet["J2"].value == "存疑"


def test_contractor_cannot_export_the_ledger_and_no_file_appears(
    tmp_path: Path, cases: tuple[DemoCase, ...]
) -> None:
    target = tmp_path / "ledger.xlsx"
    with pytest.raises(ExportForbiddenError):
        write_ledger(target, _rows(cases), role=Role.CONTRACTOR)
    assert list(tmp_path.iterdir()) == []

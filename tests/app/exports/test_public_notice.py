from __future__ import annotations

import csv
import io
import re
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from app.domain import AssistanceCategory, Relation, Role
from app.exports import ExportForbiddenError, PublicNoticeLeakError
from app.exports.public_notice import (
    FORBIDDEN_WORDS,
    PublicNoticeEntry,
    check_public_cells,
    public_notice_entry,
    write_public_notice,
)
from tests.app.exports.conftest import DemoCase

#: an ID number anywhere in a cell: 17 digits and a digit or X, or an old 15-digit number
FULL_ID = re.compile(r"\d{17}[\dXx]|\d{15}")
HEALTH_WORDS = ("残疾", "重病", "慢病", "健康", "疾病", "伤残", "劳动能力", "人均收入")


def _entries(cases: tuple[DemoCase, ...]) -> list[PublicNoticeEntry]:
    return [
        public_notice_entry(
            c.household, community=c.community, monthly_amount=c.decision.monthly_benefit
        )
        for c in cases
    ]


def _head_id(case: DemoCase) -> str:
    return next(m.id_number for m in case.demo.content.members if m.relation is Relation.HEAD)


def _xlsx_cells(path: Path) -> list[list[object]]:
    sheet = load_workbook(path).active
    assert sheet is not None
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def _csv_cells(path: Path) -> list[list[str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "Excel needs the BOM to read UTF-8 Chinese"
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_public_notice_has_no_full_id_number_and_no_health_detail(
    tmp_path: Path, cases: tuple[DemoCase, ...], suffix: str
) -> None:
    # The demo families include seriously ill and disabled members: none of it may show.
    assert any(
        m.disability_grade is not None or m.health.value != "healthy"
        for c in cases
        for m in c.demo.content.members
    )
    path = write_public_notice(tmp_path / f"公示{suffix}", _entries(cases), role=Role.SUPERVISOR)
    cells = _xlsx_cells(path) if suffix == ".xlsx" else _csv_cells(path)

    assert len(cells) == 1 + len(cases)
    for row in cells:
        for value in row:
            text = "" if value is None else str(value)
            assert not FULL_ID.search(text), "a full ID number reached the public list"
            assert not any(word in text for word in HEALTH_WORDS)
    # no income detail: the per-capita incomes behind the amounts appear nowhere
    incomes = {f"{c.decision.per_capita_income}" for c in cases} - {"0.00"}
    assert not any(str(v) in incomes for row in cells for v in row)
    # no address below the community either
    addresses = {c.demo.content.address for c in cases}
    assert not any(str(v) in addresses for row in cells for v in row)


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_masked_values_are_the_rule_of_domain_md(
    tmp_path: Path, cases: tuple[DemoCase, ...], suffix: str
) -> None:
    path = write_public_notice(tmp_path / f"list{suffix}", _entries(cases), role=Role.ADMIN)
    cells = _xlsx_cells(path) if suffix == ".xlsx" else _csv_cells(path)
    header, rows = cells[0], cells[1:]
    assert header == ["序号", "户主姓名", "身份证号码", "所在社区（村）", "救助类别", "家庭人口",
                      "月救助金额（元）"]  # fmt: skip
    for case, row in zip(cases, rows, strict=True):
        number = _head_id(case)
        assert row[2] == f"{number[:6]}********{number[-4:]}"
        name = case.demo.content.head_name
        assert row[1] == (
            name[0] + "*" if len(name) == 2 else name[0] + "*" * (len(name) - 2) + name[-1]
        )
        assert row[3] == case.community
        assert str(row[5]) == str(len(case.demo.content.members))
        assert Decimal(str(row[6])).quantize(Decimal("0.01")) == case.decision.monthly_benefit


def test_a_full_id_number_slipped_into_another_field_refuses_the_whole_list(
    tmp_path: Path, cases: tuple[DemoCase, ...]
) -> None:
    leaked = PublicNoticeEntry(
        head_name="王芳",
        id_number=_head_id(cases[0]),
        community=f"桂园社区 {_head_id(cases[1])}",
        category=AssistanceCategory.MINIMUM_LIVING,
        member_count=2,
        monthly_amount=Decimal("300.00"),
    )
    target = tmp_path / "list.xlsx"
    with pytest.raises(PublicNoticeLeakError) as caught:
        write_public_notice(target, [*_entries(cases), leaked], role=Role.SUPERVISOR)
    assert caught.value.code == "public_notice_full_id"
    assert _head_id(cases[1]) not in str(caught.value), "the message must not repeat the number"
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("community", "code"),
    [
        ("残疾人之家", "public_notice_health"),
        ("重病 桂园社区", "public_notice_health"),
        ("示范区明德路12号3栋", "public_notice_address"),
        ("chronic illness", "public_notice_health"),
    ],
)
def test_health_disability_and_street_addresses_are_refused(
    tmp_path: Path, community: str, code: str
) -> None:
    entry = PublicNoticeEntry("李明", "", community, AssistanceCategory.LOW_INCOME, 1, Decimal(0))
    with pytest.raises(PublicNoticeLeakError) as caught:
        write_public_notice(tmp_path / "l.csv", [entry], role=Role.SUPERVISOR)
    assert caught.value.code == code
    assert not (tmp_path / "l.csv").exists()


def test_spaced_or_full_width_id_numbers_are_caught_too() -> None:
    for disguised in ("110105 1949 1231 0021", "１１０１０５１９４９１２３１００２１"):
        with pytest.raises(PublicNoticeLeakError):
            check_public_cells([(1, "王*", "110105********0021", disguised, "低保", 2, None)])
    check_public_cells([(1, "王*", "110105********0021", "桂园社区", "低保", 2, None)])


def test_an_unmasked_id_column_is_refused() -> None:
    with pytest.raises(PublicNoticeLeakError):
        check_public_cells([(1, "王*", "1101051949", "桂园社区", "低保", 2, None)])


def test_a_whole_household_record_is_not_accepted(
    tmp_path: Path, cases: tuple[DemoCase, ...]
) -> None:
    with pytest.raises(PublicNoticeLeakError):
        write_public_notice(tmp_path / "l.xlsx", [cases[0].household], role=Role.ADMIN)  # type: ignore[list-item]


def test_forbidden_words_include_disability_and_illness() -> None:
    assert "残" in FORBIDDEN_WORDS and "病" in FORBIDDEN_WORDS


def test_contractor_cannot_export_the_public_notice(
    tmp_path: Path, cases: tuple[DemoCase, ...]
) -> None:
    with pytest.raises(ExportForbiddenError):
        write_public_notice(tmp_path / "l.csv", _entries(cases), role=Role.CONTRACTOR)
    assert list(tmp_path.iterdir()) == []

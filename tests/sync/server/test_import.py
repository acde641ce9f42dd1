"""Importing households and clue lists from Excel and CSV: every bad row is reported with its
reasons (an invalid ID number with the parser's reason), every good row is imported whole, no
row is half-imported, and the laptops pull what was imported."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from app.idnumber import check_digit
from sync.server.importer import ImportFileError, ImportReport, import_clues, import_households
from sync.server.records import Actor
from tests.sync.server.conftest import MARKER_ID, World
from tests.sync.server.test_tasks import pull_all

HEADER = [
    "户编号",
    "网格",
    "户主姓名",
    "地址",
    "救助类别",
    "下次复核日期",
    "姓名",
    "身份证号",
    "与户主关系",
    "健康状况",
    "残疾等级",
    "劳动能力",
]


def id_number(seq: int, birth: str = "19700101") -> str:
    first17 = f"420191{birth}{seq:03d}"
    return first17 + check_digit(first17)


def bad_check_digit(number: str) -> str:
    return number[:17] + ("0" if number[17] != "0" else "1")


def write_xlsx(path: Path, rows: list[list[Any]]) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def run(world: World, importer: Any, path: Path) -> ImportReport:
    with world.session() as session:
        report: ImportReport = importer(session, world.context.keys, Actor(None, "test"), path)
        session.commit()
    return report


def reasons_by_row(report: ImportReport) -> dict[int, set[str]]:
    return {r.row: {x.code for x in r.reasons} for r in report.refused}


def test_excel_import_reports_bad_rows_and_imports_the_good_ones(
    world: World, tmp_path: Path
) -> None:
    good_a1, good_a2, good_b = id_number(1), id_number(2, "19981212"), id_number(3)
    rows: list[list[Any]] = [
        # row 2, 3: household A, two good members
        [
            "A",
            "G1",
            "Chen Yi",
            "1 Road",
            "低保",
            "2026-05-01",
            "Chen Yi",
            good_a1,
            "户主",
            "重病",
            "",
            "无劳动能力",
        ],
        [
            "A",
            "G1",
            "Chen Yi",
            "1 Road",
            "低保",
            "2026-05-01",
            "Chen Er",
            good_a2,
            "子女",
            "健康",
            "二级",
            "",
        ],
        # row 4: household A again, but its household columns disagree
        [
            "A",
            "G1",
            "Chen Yi",
            "2 Road",
            "低保",
            "2026-05-01",
            "Chen San",
            id_number(4),
            "子女",
            "",
            "",
            "",
        ],
        # row 5: household B, invalid ID number (check digit) -> B is not created at all
        [
            "B",
            "G2",
            "Li Si",
            "5 Lane",
            "低收入",
            "",
            "Li Si",
            bad_check_digit(id_number(5)),
            "户主",
            "",
            "",
            "",
        ],
        # row 6: unknown grid, bad relation, bad disability grade: every reason reported
        ["C", "G9", "Wu Liu", "6 Lane", "", "", "Wu Liu", id_number(6), "邻居", "", "七级", ""],
        # row 7: the same person as row 2
        ["D", "G2", "Zhao Qi", "7 Lane", "", "", "Chen Yi", good_a1, "户主", "", "", ""],
        # row 8: an ID number Excel stored as a number (digits lost)
        ["E", "G2", "Qian Ba", "8 Lane", "", "", "Qian Ba", 420191197001010090, "户主", "", "", ""],
        # row 9: household F, good; row 10: a person already on the server (the world's M1)
        ["F", "G2", "Sun Jiu", "9 Lane", "特困", "", "Sun Jiu", good_b, "户主", "", "", ""],
        ["F", "G2", "Sun Jiu", "9 Lane", "特困", "", "Zhang", MARKER_ID, "配偶", "", "", ""],
        # row 11: missing name and a date that is not one
        ["G", "G1", "Zhou Shi", "10 Lane", "", "next May", "", id_number(7), "户主", "", "", ""],
    ]
    path = write_xlsx(tmp_path / "households.xlsx", rows)
    report = run(world, import_households, path)
    assert len(report.rows) == 10
    assert [r.row for r in report.rows if r.imported] == [2, 3, 9]
    refused = reasons_by_row(report)
    assert refused[4] == {"household_mismatch"}
    assert refused[5] == {"id_check_digit"}
    assert refused[6] == {"unknown_grid", "invalid_value"}
    assert len(next(r for r in report.refused if r.row == 6).reasons) == 3
    assert refused[7] == {"duplicate_in_file"}
    assert refused[8] == {"id_number_as_number"}
    assert refused[10] == {"already_registered"}
    assert refused[11] == {"missing", "invalid_date"}
    check_reason = next(r for r in report.refused if r.row == 5).reasons[0]
    assert "校验码" in check_reason.message_zh and "check character" in check_reason.message_en
    # No personal value appears in the report.
    text = str(report.to_dict())
    assert good_a1 not in text and "Chen" not in text
    # The laptops receive the imported households, each member once, and nothing of B.
    g1 = pull_all(world, "fw_a", "grid:G1")["records"]
    imported = [
        r
        for (entity, _), r in g1.items()
        if entity == "household" and r["data"].get("household_no") == "A"
    ]
    assert len(imported) == 1
    household_a = imported[0]
    assert household_a["meta"]["category"] == "minimum_living"
    assert household_a["meta"]["next_review"] == "2026-05-01"
    members = [
        r
        for (entity, _), r in g1.items()
        if entity == "member" and r["household_id"] == household_a["id"]
    ]
    assert sorted(m["data"]["name"] for m in members) == ["Chen Er", "Chen Yi"]
    chen_er = next(m for m in members if m["data"]["name"] == "Chen Er")
    assert chen_er["data"]["disability_grade"] == 2 and chen_er["data"]["relation"] == "child"
    g2 = pull_all(world, "fw_b", "grid:G2")["records"]
    g2_households = {r["data"].get("household_no") for (e, _), r in g2.items() if e == "household"}
    assert "B" not in g2_households and "D" not in g2_households and "F" in g2_households
    # Importing the same file again imports nobody twice.
    again = run(world, import_households, path)
    assert again.imported == 0
    # A corrected row, re-imported with an already registered member of its household, joins
    # that household instead of creating a second one.
    fixed = write_xlsx(tmp_path / "fixed.xlsx", [rows[0], [*rows[2][:3], "1 Road", *rows[2][4:]]])
    assert [r.imported for r in run(world, import_households, fixed).rows] == [False, True]
    g1 = pull_all(world, "fw_a", "grid:G1")["records"]
    households_a = [
        r for (e, _), r in g1.items() if e == "household" and r["data"].get("household_no") == "A"
    ]
    assert len(households_a) == 1
    family = [
        r for (e, _), r in g1.items() if e == "member" and r["household_id"] == household_a["id"]
    ]
    assert sorted(m["data"]["name"] for m in family) == ["Chen Er", "Chen San", "Chen Yi"]


def test_csv_with_chinese_windows_encoding_and_clue_list(world: World, tmp_path: Path) -> None:
    households = tmp_path / "h.csv"
    with households.open("w", encoding="gb18030", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerow(
            ["Z1", "G2", "王五", "示范路1号", "低保", "", "王五", id_number(11), "户主", "", "", ""]
        )
    report = run(world, import_households, households)
    assert report.imported == 1, report.to_dict()

    clues = tmp_path / "clues.csv"
    with clues.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["身份证号", "线索类型", "线索内容", "来源", "发现日期"])
        writer.writerow([MARKER_ID, "工商登记", "个体工商户", "市场监管局", "2026-10-01"])
        writer.writerow([id_number(11), "车辆", "名下小轿车", "公安交管", "2026-10-02"])
        writer.writerow([bad_check_digit(id_number(12)), "车辆", "", "", ""])
        writer.writerow([id_number(13), "车辆", "", "", ""])  # valid, but nobody holds it
        writer.writerow([id_number(11), "飞机", "", "", ""])  # unknown kind
        writer.writerow([MARKER_ID, "工商登记", "again", "", ""])  # duplicate of row 2
    report = run(world, import_clues, clues)
    assert [r.row for r in report.rows if r.imported] == [2, 3]
    assert reasons_by_row(report) == {
        4: {"id_check_digit"},
        5: {"no_member"},
        6: {"invalid_value"},
        7: {"duplicate_in_file"},
    }
    g1 = pull_all(world, "fw_a", "grid:G1")["records"]
    [clue] = [r for (e, _), r in g1.items() if e == "clue"]
    assert clue["meta"]["kind"] == "business_registration"
    assert clue["meta"]["member_id"] == world.ids["M1"]
    assert clue["data"]["found_on"] == "2026-10-01"


def test_unreadable_files_are_refused_as_a_whole(world: World, tmp_path: Path) -> None:
    missing_columns = tmp_path / "m.csv"
    missing_columns.write_text("姓名,地址\nA,B\n", encoding="utf-8")
    with pytest.raises(ImportFileError) as excinfo:
        run(world, import_households, missing_columns)
    assert "id_number" in excinfo.value.message_en
    other = tmp_path / "x.ods"
    other.write_bytes(b"nope")
    with pytest.raises(ImportFileError):
        run(world, import_households, other)
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a workbook")
    with pytest.raises(ImportFileError):
        run(world, import_clues, broken)

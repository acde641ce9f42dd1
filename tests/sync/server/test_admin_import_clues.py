"""`python -m sync.server.admin import-clues` as a real subprocess, on SQLite and PostgreSQL: an
Excel and a CSV clue list with good and bad rows, the exit code, the per-row report (printed and
as JSON), and exactly the good rows' clues in the database, on the right members."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from sqlmodel import Session, col, select

from sync.server import admin
from sync.server.config import load_settings
from sync.server.crypto import ServerKeys
from sync.server.db import make_engine
from sync.server.models import SyncRecord
from sync.server.records import open_data
from tests.sync.server.test_import import HEADER, bad_check_digit, id_number

REPO_ROOT = Path(__file__).resolve().parents[3]
CLUE_HEADER = ["身份证号", "线索类型", "线索内容", "来源", "发现日期"]
#: Three households in grid G, one member each, holding these ID numbers.
HOLDERS = {"Hu": id_number(31), "Ma": id_number(32), "Lu": id_number(33)}


def run_admin(data_dir: Path, url: str, *argv: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("JIAFANG_")}
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "sync.server.admin",
            *argv,
            "--data-dir",
            str(data_dir),
            "--database-url",
            url,
        ],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def site(database_url: str, tmp_path: Path) -> Path:
    """A server data directory with a grid and the three households (set up in-process; the
    import under test runs as a subprocess on the same database and master key)."""
    data = tmp_path / "srv"
    for argv in (
        ("create-region", "D", "--level", "district", "--name", "区"),
        ("create-region", "S", "--level", "street", "--name", "街道", "--parent", "D"),
        ("create-region", "C", "--level", "community", "--name", "社区", "--parent", "S"),
        ("create-region", "G", "--level", "grid", "--name", "网格", "--parent", "C"),
    ):
        assert admin.main([*argv, "--data-dir", str(data), "--database-url", database_url]) == 0
    households = tmp_path / "households.xlsx"
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(HEADER)
    for n, (name, number) in enumerate(HOLDERS.items(), start=1):
        sheet.append([str(n), "G", name, f"Road {n}", "低保", "", name, number, "户主", "", "", ""])
    workbook.save(households)
    done = run_admin(data, database_url, "import-households", str(households))
    assert done.returncode == 0, done.stdout + done.stderr
    return data


def clues_in_database(data: Path, url: str) -> list[dict[str, Any]]:
    """Every clue: its kind, the name of the member it is on, and its decrypted content."""
    settings = load_settings(data, url, env={})
    keys = ServerKeys.from_master(settings.master_key)
    engine = make_engine(settings.database_url)
    try:
        with Session(engine) as session:
            members = {
                m.id: open_data(keys, m)["name"]
                for m in session.exec(select(SyncRecord).where(SyncRecord.entity == "member"))
            }
            clues = session.exec(
                select(SyncRecord).where(SyncRecord.entity == "clue").order_by(col(SyncRecord.id))
            ).all()
            found = [
                {
                    "kind": c.meta["kind"],
                    "status": c.meta["status"],
                    "member": members[c.meta["member_id"]],
                    **{k: open_data(keys, c).get(k) for k in ("detail", "source", "found_on")},
                }
                for c in clues
            ]
    finally:
        engine.dispose()
    return sorted(found, key=lambda c: (c["member"], c["kind"]))


def test_import_clues_from_xlsx_and_csv_reports_each_bad_row_and_imports_the_good_ones(
    site: Path, database_url: str, tmp_path: Path
) -> None:
    sheet_path = tmp_path / "比对线索.xlsx"
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(CLUE_HEADER)
    sheet.append([HOLDERS["Hu"], "车辆", "名下小轿车一辆", "公安交管", "2026-10-02"])  # row 2
    sheet.append([bad_check_digit(HOLDERS["Ma"]), "车辆", "", "", ""])  # 3: check character
    sheet.append([HOLDERS["Ma"], "飞机", "", "", ""])  # 4: unknown kind
    sheet.append([int(HOLDERS["Lu"][:15]), "房产", "", "", ""])  # 5: Excel number, digits lost
    sheet.append([HOLDERS["Ma"], "工商登记", "个体工商户", "市场监管局", "2026-13-40"])  # 6: date
    sheet.append([HOLDERS["Lu"], "", "", "", ""])  # 7: kind missing
    sheet.append([HOLDERS["Ma"], "工商登记", "个体工商户", "市场监管局", "2026-10-01"])  # row 8
    workbook.save(sheet_path)
    xlsx_report = tmp_path / "xlsx-report.json"

    done = run_admin(
        site, database_url, "import-clues", str(sheet_path), "--report", str(xlsx_report)
    )

    assert done.returncode == 2, done.stdout + done.stderr  # rows refused, the good ones in
    out = done.stdout
    assert "比对线索.xlsx: 7 rows, 2 imported, 5 refused" in out
    assert "row 3 [id_number]" in out and "check character" in out
    assert "row 4 [kind]" in out
    assert "row 5 [id_number]" in out and "Excel stored the ID number as a number" in out
    assert "row 6 [found_on]" in out
    assert "row 7 [kind]" in out and "Column 'kind' is empty" in out
    assert "row 2" not in out and "row 8" not in out
    assert HOLDERS["Hu"] not in out + done.stderr  # ID numbers are never printed
    report = json.loads(xlsx_report.read_text(encoding="utf-8"))
    assert report["rows"] == 7 and report["imported"] == 2
    assert {r["row"]: [x["code"] for x in r["reasons"]] for r in report["refused"]} == {
        3: ["id_check_digit"],
        4: ["invalid_value"],
        5: ["id_number_as_number"],
        6: ["invalid_date"],
        7: ["missing"],
    }
    assert clues_in_database(site, database_url) == [
        {
            "kind": "vehicle",
            "status": "open",
            "member": "Hu",
            "detail": "名下小轿车一辆",
            "source": "公安交管",
            "found_on": "2026-10-02",
        },
        {
            "kind": "business_registration",
            "status": "open",
            "member": "Ma",
            "detail": "个体工商户",
            "source": "市场监管局",
            "found_on": "2026-10-01",
        },
    ]

    csv_path = tmp_path / "clues.csv"
    with csv_path.open("w", encoding="gb18030", newline="") as handle:  # as Excel saves it
        writer = csv.writer(handle)
        writer.writerow(CLUE_HEADER)
        writer.writerow([HOLDERS["Lu"], "不动产", "商品房一套", "", ""])  # row 2: good
        writer.writerow([id_number(39), "车辆", "", "", ""])  # 3: nobody holds it
        writer.writerow([HOLDERS["Lu"], "不动产", "again", "", ""])  # 4: same clue as row 2

    done = run_admin(site, database_url, "import-clues", str(csv_path))

    assert done.returncode == 2, done.stdout + done.stderr
    assert "clues.csv: 3 rows, 1 imported, 2 refused" in done.stdout
    assert "row 3 [id_number]" in done.stdout and "No household member" in done.stdout
    assert "row 4 [id_number]" in done.stdout and "Same clue as row 2" in done.stdout
    clues = clues_in_database(site, database_url)
    assert [(c["member"], c["kind"]) for c in clues] == [
        ("Hu", "vehicle"),
        ("Lu", "real_estate"),
        ("Ma", "business_registration"),
    ]
    lu = clues[1]
    assert lu["detail"] == "商品房一套" and lu["source"] == "clues.csv"  # the file by default

    # A file with only good rows exits 0; one that is no table at all exits 1, importing nothing.
    good = tmp_path / "good.csv"
    good.write_text("身份证号,线索类型\n" + HOLDERS["Hu"] + ",大额存款\n", encoding="utf-8-sig")
    done = run_admin(site, database_url, "import-clues", str(good))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 rows, 1 imported, 0 refused" in done.stdout
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a workbook")
    done = run_admin(site, database_url, "import-clues", str(broken))
    assert done.returncode == 1 and "error (import_file)" in done.stderr, done.stderr
    assert len(clues_in_database(site, database_url)) == 4

    # Every import was audited and the chain is intact.
    env = {k: v for k, v in os.environ.items() if not k.startswith("JIAFANG_")}
    command = [sys.executable, "-m", "sync.server", "verify-audit", "--data-dir", str(site)]
    verify = subprocess.run(
        [*command, "--database-url", database_url],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert verify.returncode == 0 and "intact" in verify.stdout, verify.stdout + verify.stderr

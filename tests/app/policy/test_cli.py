"""The policy command line, end to end: what an appeals officer or a policy editor sees."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from app.policy.cli import main
from app.resources import resource_path
from tests.app.policy.builders import shipped_policy_data

EXAMPLE = resource_path("policies", "examples", "household-three-members.json")
REPO = Path(__file__).resolve().parents[3]


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_evaluate_example_with_its_own_region_in_chinese(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(["evaluate", str(EXAMPLE)], capsys)
    assert code == 0
    assert "结论：最低生活保障（低保）" in out
    assert "每月救助金：363.00 元" in out
    assert "[符合] 家庭月人均收入 1180.00 元 < 低保标准 1301.00 元  (dibao.income)" in out
    assert "下次复核：2026-06-15" in out


def test_evaluate_under_another_region_in_english(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        [
            "evaluate",
            str(EXAMPLE),
            "--region",
            "jingmen-urban",
            "--date",
            "2018-03-01",
            "--lang",
            "en",
        ],
        capsys,
    )
    assert code == 0
    assert "Decision: expenditure-type hardship" in out
    assert (
        "[fail] Per-capita monthly income 1,183.33 yuan ≥ minimum-living standard 575.00 yuan"
        in out
    )


def test_evaluate_with_a_policy_file_as_json(capsys: pytest.CaptureFixture[str]) -> None:
    policy = resource_path("policies", "jingmen-county-2017.toml")
    code, out, _ = run(
        ["evaluate", str(EXAMPLE), "--policy", str(policy), "--date", "2018-01-01", "--json"],
        capsys,
    )
    assert code == 0
    decision = json.loads(out)
    assert decision["policy_id"] == "jingmen-county-2017"
    assert decision["evaluated_on"] == "2018-01-01"
    assert decision["per_capita_income"] == "1183.33"
    assert [r["rule"] for r in decision["reasons"]][:3] == [
        "household.members",
        "income.counted",
        "income.per_capita",
    ]


def test_taper_schedule_is_printed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    data["employment_reported_on"] = "2025-05-01"
    data["incomes"][0]["monthly_amount"] = "9000.00"
    household = tmp_path / "h.json"
    household.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    code, out, _ = run(["evaluate", str(household)], capsys)
    assert code == 0
    assert "渐退安排：" in out
    assert "第 7 个月（2025-11-01 起） 50%" in out


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.pop("members"), "field `members` missing"),
        (lambda d: d["incomes"][0].pop("monthly_amount"), "`incomes[0].monthly_amount` missing"),
        (lambda d: d["incomes"][0].update(monthly_amount="-1.00"), "negative amount"),
        (lambda d: d["incomes"][0].update(type="lottery"), "`incomes[0].type`"),
        (lambda d: d.update(members=[]), "no members"),
        (lambda d: d.update(surprise=1), "field `surprise` is not a known household field"),
    ],
)
def test_bad_household_exits_non_zero_with_a_clear_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], change: object, message: str
) -> None:
    data = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    change(data)  # type: ignore[operator]
    household = tmp_path / "bad.json"
    household.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    code, out, err = run(["evaluate", str(household)], capsys)
    assert code == 1
    assert out == ""
    assert message in err and "错误 / error" in err


def test_not_json_and_no_region(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text("{", encoding="utf-8")
    assert run(["evaluate", str(broken)], capsys)[0] == 1
    data = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    del data["region_id"]
    household = tmp_path / "h.json"
    household.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    code, _, err = run(["evaluate", str(household)], capsys)
    assert code == 2 and "--region" in err


def test_check_accepts_a_good_policy(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["check", str(resource_path("policies", "district-x-2025.toml"))], capsys)
    assert code == 0
    assert out.startswith("OK district-x-2025 v1") and "低保 1301.00" in out


def test_check_refuses_a_policy_naming_the_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = resource_path("policies", "district-x-2025.toml").read_text(encoding="utf-8")
    broken = tmp_path / "district-x-2026.toml"
    broken.write_text(text.replace("standard = 1301.00", 'standard = "n/a"'), encoding="utf-8")
    code, out, err = run(["check", str(broken)], capsys)
    assert code == 1 and out == ""
    assert "policy district-x-2026.toml: field `dibao.standard` has an invalid value" in err
    assert "政策文件 district-x-2026.toml：字段 `dibao.standard` 的值无效" in err
    assert shipped_policy_data("district-x-2025.toml")["dibao"]["standard"] == 1301


def test_list_shows_shipped_policies(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["list"], capsys)
    assert code == 0
    assert {line.split("\t")[0] for line in out.splitlines()} >= {
        "district-x-2025",
        "jingmen-urban-2017",
        "jingmen-county-2017",
    }


def test_python_dash_m_app_policy(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "app.policy", "evaluate", str(EXAMPLE), "--lang", "en"],
        cwd=REPO,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "Decision: minimum living guarantee" in result.stdout
    bad = subprocess.run(
        [sys.executable, "-m", "app.policy.cli", "check", str(tmp_path / "missing.toml")],
        cwd=REPO,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
        check=False,
    )
    assert bad.returncode == 1 and "cannot read policy file missing.toml" in bad.stderr

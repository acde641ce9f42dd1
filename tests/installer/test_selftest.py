"""`--self-test` and `--measure-startup` from a checkout (the bundle runs the same module; the
slow build test runs them on the built bundle)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.installer.conftest import ROOT

# Each test starts the client in a fresh interpreter (vault KDF, Qt): a few seconds apiece.
pytestmark = pytest.mark.slow

ENTRY = ROOT / "resources" / "packaging" / "pyinstaller" / "jiafang_main.py"
STEPS = ("resources", "vault", "encryption", "read-back", "policy", "window")


def _run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
        env={**os.environ, **(env or {})},
    )


def test_self_test_passes_every_step_through_the_bundle_entry_point(tmp_path: Path) -> None:
    # Without a display and whatever platform the caller asked for: it forces offscreen.
    result = _run(str(ENTRY), "--self-test", env={"QT_QPA_PLATFORM": "xcb", "DISPLAY": ""})
    assert result.returncode == 0, result.stdout + result.stderr
    passed = [line.split()[1] for line in result.stdout.splitlines() if line.startswith("ok ")]
    assert passed == list(STEPS)
    assert "self-test passed" in result.stdout


def test_app_command_runs_the_self_test_and_leaves_no_profile_behind(tmp_path: Path) -> None:
    # `python -m ui` is the `jiafang` console script of a pip install
    env = {"TMPDIR": str(tmp_path)}
    result = _run("-m", "ui", "--self-test", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert not [p for p in tmp_path.iterdir() if p.name.startswith("jiafang-selftest-")]


def test_self_test_names_the_failed_step_when_the_profile_folder_cannot_be_made(
    tmp_path: Path,
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    out_file = tmp_path / "result.txt"
    result = _run(
        "-m",
        "ui.selftest",
        "--self-test",
        "--profile-dir",
        str(blocker / "profiles"),
        "--output-file",
        str(out_file),
    )
    assert result.returncode == 1
    assert "self-test FAILED at step 'vault'" in result.stderr
    assert "Traceback" not in result.stderr
    assert "self-test FAILED at step 'vault'" in out_file.read_text(encoding="utf-8")


def test_kept_profile_opens_the_unlock_page_and_cannot_be_reused(tmp_path: Path) -> None:
    profile = tmp_path / "profile"
    first = _run("-m", "ui.selftest", "--self-test", "--profile-dir", str(profile))
    assert first.returncode == 0, first.stdout + first.stderr

    again = _run("-m", "ui.selftest", "--self-test", "--profile-dir", str(profile))
    assert again.returncode == 1
    assert "must be new and empty" in again.stderr

    measured = _run(
        "-m",
        "ui.selftest",
        "--measure-startup",
        "--profile-dir",
        str(profile),
        env={"QT_QPA_PLATFORM": "offscreen"},
    )
    assert measured.returncode == 0, measured.stdout + measured.stderr
    report = json.loads(measured.stdout.strip().splitlines()[-1])
    assert report["screen"] == "unlock"
    assert report["platform"] == "offscreen"
    assert 0 < report["login_shown_s"] < 60


def test_a_fresh_laptop_measures_the_registration_page(tmp_path: Path) -> None:
    measured = _run(
        "-m",
        "ui.selftest",
        "--measure-startup",
        "--profile-dir",
        str(tmp_path / "empty"),
        env={"QT_QPA_PLATFORM": "offscreen"},
    )
    assert measured.returncode == 0, measured.stdout + measured.stderr
    assert json.loads(measured.stdout.strip().splitlines()[-1])["screen"] == "registration"


def test_without_a_console_the_results_go_to_the_output_file(tmp_path: Path) -> None:
    # A Windows GUI build has no console: sys.stdout and sys.stderr are None there.
    out_file = tmp_path / "result.txt"
    script = (
        "import sys\n"
        "sys.stdout = sys.stderr = None\n"
        "from ui.selftest import main\n"
        f"raise SystemExit(main(['--self-test', '--output-file', {str(out_file)!r}]))\n"
    )
    result = _run("-c", script)
    assert result.returncode == 0
    assert result.stdout == ""
    lines = out_file.read_text(encoding="utf-8").splitlines()
    assert [line.split()[1] for line in lines if line.startswith("ok ")] == list(STEPS)
    assert lines[-1].startswith("jiafang self-test passed")

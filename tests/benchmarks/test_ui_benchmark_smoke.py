"""The GUI responsiveness benchmark runs end to end on a tiny data set (real server, real app)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.sync.e2e.harness import REPO_ROOT

pytestmark = pytest.mark.slow


def test_benchmark_pulls_every_household_and_reports_the_stalls(tmp_path: Path) -> None:
    out = tmp_path / "ui.json"
    done = subprocess.run(
        [sys.executable, "-m", "tests.benchmarks.ui", "--households", "300", "--json", str(out)],
        cwd=REPO_ROOT,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(out.read_text())
    metrics = {name: m["value"] for name, m in result["metrics"].items()}
    assert metrics["households_listed"] == 300
    assert result["notes"]["run"].startswith("300 households pulled")
    # Heartbeats were recorded through the pull, and no stall was long enough to notice.
    assert 0 <= metrics["ui_p99_stall_ms"] <= metrics["ui_max_stall_ms"] < 1_000
    assert metrics["pull_records_per_s"] > 0

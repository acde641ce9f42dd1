"""A process killed with kill -9 while the user types gets its draft back on the next start."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.services.profiles import ProfileInfo
from tests.ui.conftest import PASSWORD
from ui.shell import MainWindow

WindowFactory = Callable[..., MainWindow]
REPO = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow


def test_kill_9_while_typing_keeps_the_draft(
    qtbot: QtBot, make_window: WindowFactory, demo_profile: ProfileInfo, profile_dir: Path
) -> None:
    text = "东墙裂缝，屋顶漏雨，冬季无取暖"
    child = subprocess.Popen(
        [sys.executable, "-m", "tests.ui.typing_child", str(profile_dir), PASSWORD, text],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    try:
        assert child.stdout is not None
        line = child.stdout.readline()  # blocks until the child's autosave is on disk
        assert line.strip() == b"AUTOSAVED"
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
        if child.stdout is not None:
            child.stdout.close()
    assert child.returncode == -signal.SIGKILL

    window = make_window()
    with qtbot.wait_signal(window.visit_opened, timeout=15_000):
        window.unlock_page.password_edit.setText(PASSWORD)
        qtbot.mouseClick(window.unlock_page.unlock_button, Qt.MouseButton.LeftButton)
    form = window.workspace.visit_form
    assert form.conditions.housing_edit.toPlainText() == text
    assert form.save_state_label.text() == "已恢复未保存的修改"

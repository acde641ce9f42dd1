"""Home: my tasks with deadline and progress, and the reviews falling due."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.services.profiles import ProfileInfo
from tests.ui.conftest import PASSWORD, make_accounts
from ui.shell import MainWindow

WindowFactory = Callable[..., MainWindow]


def test_home_shows_task_progress_and_due_reviews(
    qtbot: QtBot, make_window: WindowFactory, demo_profile: ProfileInfo, profile_dir: Path
) -> None:
    session = make_accounts(profile_dir).open(demo_profile.profile_id)
    session.unlock(PASSWORD)
    households = [i.household_id for i in session.households()][:4]
    visited = sum(1 for h in households if session.household_file(h).visits)
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    session.store.apply_pull_page(
        [
            {
                "entity": "task",
                "id": "t-1",
                "version": 1,
                "seq": 700,
                "household_id": None,
                "grid_id": None,
                "deleted": False,
                "meta": {"kind": "periodic_review", "status": "open", "deadline": yesterday},
                "data": {"title": "低保年度复核", "household_ids": households},
            }
        ],
        "task:t-1",
        700,
    )
    due = len(session.home().reviews_due)
    session.close()

    window = make_window()
    with qtbot.wait_signal(window.households_loaded, timeout=10_000):
        window.unlock_page.password_edit.setText(PASSWORD)
        qtbot.mouseClick(window.unlock_page.unlock_button, Qt.MouseButton.LeftButton)
    home = window.workspace.home_page
    assert home.isVisible()
    tasks = home.tasks_table
    # The demo data brings its own task; ours is overdue, so it comes first.
    assert tasks.rowCount() == 2
    assert tasks.item(0, 0).text() == f"{yesterday} （已逾期）"
    assert tasks.item(0, 1).text() == "低保年度复核"
    assert tasks.item(0, 2).text() == "定期复核"
    percent = round(100 * visited / 4)
    assert tasks.item(0, 3).text() == f"已走访 {visited}/4 户（{percent}%）"
    assert home.tiles[3].number.text() == "2"
    assert home.due_table.rowCount() == due == int(home.tiles[1].number.text())


def test_opening_a_task_lists_its_households(
    qtbot: QtBot, make_window: WindowFactory, demo_profile: ProfileInfo
) -> None:
    window = make_window()
    with qtbot.wait_signal(window.households_loaded, timeout=10_000):
        window.unlock_page.password_edit.setText(PASSWORD)
        qtbot.mouseClick(window.unlock_page.unlock_button, Qt.MouseButton.LeftButton)
    home = window.workspace.home_page
    assert home.tasks_table.rowCount() == 1  # the demo data's task over 12 households
    home.tasks_table.cellActivated.emit(0, 1)
    page = window.workspace.household_list
    assert page.isVisible()
    assert page.model.rowCount() == 12
    assert page.task_filter_label.text().startswith("任务：")
    assert page.count_label.text() == "显示 12 户，共 40 户"
    qtbot.mouseClick(page.clear_task_button, Qt.MouseButton.LeftButton)
    assert page.model.rowCount() == 40
    assert not page.task_filter_label.isVisible()

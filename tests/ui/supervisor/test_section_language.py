"""The supervision section in the offline demo window: shown by role, locked away with the rest,
and every text switching between Chinese and English."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.services.profiles import ProfileInfo
from tests.ui.conftest import PASSWORD
from ui.i18n import LanguageManager
from ui.jobs import JobRunner
from ui.shell import MainWindow
from ui.supervisor.bars import nice_top
from ui.supervisor.dashboard_page import DashboardPage
from ui.supervisor.review_page import ReviewQueuePage
from ui.supervisor.spotcheck_page import SpotCheckPage
from ui.supervisor.tasks_page import TasksPage

WindowFactory = Callable[..., MainWindow]


def test_a_field_worker_gets_the_returned_visits_section_in_both_languages(
    qtbot: QtBot,
    make_window: WindowFactory,
    demo_profile: ProfileInfo,
    language: LanguageManager,
) -> None:
    window = make_window()
    section = window.supervision
    nav = window.workspace.navigation.item(section.nav_row)
    assert nav.isHidden()  # nobody signed in yet
    with qtbot.wait_signal(window.households_loaded, timeout=10_000):
        window.unlock_page.password_edit.setText(PASSWORD)
        qtbot.mouseClick(window.unlock_page.unlock_button, Qt.MouseButton.LeftButton)
    assert not nav.isHidden() and nav.text() == "退回修改"
    window.workspace.show_section(section.nav_row)
    page = section.returned_page
    assert window.workspace.pages.currentWidget() is section.tabs
    assert page.title.text() == "退回修改"
    qtbot.wait_until(lambda: not page.revise_button.isEnabled(), timeout=5_000)  # none returned
    language.install("en")
    assert nav.text() == "Returned visits"
    assert section.tabs.tabText(0) == "Returned visits"
    assert page.revise_button.text() == "Revise"
    language.install("zh_CN")
    assert page.revise_button.text() == "修改"
    window.lock()
    assert nav.isHidden()


def test_the_supervisor_pages_switch_language(
    qtbot: QtBot, language: LanguageManager, qapp: object
) -> None:
    runner = JobRunner()
    try:
        pages = (
            ReviewQueuePage(runner),
            DashboardPage(runner),
            TasksPage(runner),
            SpotCheckPage(runner),
        )
        for page in pages:
            qtbot.addWidget(page)
        review, dashboard, tasks, spot = pages
        assert (review.title.text(), dashboard.title.text()) == ("审核", "工作进度")
        assert (tasks.title.text(), spot.title.text()) == ("核查任务", "双随机抽查")
        assert review.visit_title.text() == "请从左侧列表选择一条走访记录。"
        language.install("en")
        assert (review.title.text(), dashboard.title.text()) == ("Reviews", "Progress")
        assert (tasks.title.text(), spot.title.text()) == ("Tasks", "Random spot checks")
        assert review.approve_button.text() == "Approve"
        assert review.field_combo.itemText(0) == "Incomes"
        assert spot.seed_label.text() == "Seed: –"
    finally:
        runner.shutdown()


def test_chart_axes_use_whole_numbers_with_round_steps() -> None:
    assert nice_top(0) == (4, 1)
    assert nice_top(3) == (4, 1)
    assert nice_top(11) == (15, 5)
    assert nice_top(61) == (80, 20)

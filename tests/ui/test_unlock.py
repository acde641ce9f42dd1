"""Unlock with the right and wrong password, the visible back-off, registration, idle lock."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.services.backoff import BackoffPolicy
from app.services.profiles import ProfileInfo
from tests.ui.conftest import PASSWORD, SERVER
from ui.shell import MainWindow

WindowFactory = Callable[..., MainWindow]


def _unlock(qtbot: QtBot, window: MainWindow, password: str) -> None:
    page = window.unlock_page
    page.password_edit.setText(password)
    qtbot.mouseClick(page.unlock_button, Qt.MouseButton.LeftButton)


def test_right_password_opens_the_households(
    qtbot: QtBot, make_window: WindowFactory, demo_profile: ProfileInfo
) -> None:
    window = make_window()
    assert window.stack.currentWidget() is window.unlock_page
    assert window.unlock_page.profile_combo.count() == 1
    with qtbot.wait_signal(window.households_loaded, timeout=10_000) as loaded:
        _unlock(qtbot, window, PASSWORD)
    assert loaded.args == [40]
    assert window.stack.currentWidget() is window.workspace
    assert window.workspace.household_list.model.rowCount() == 40
    assert "王芳" in window.workspace.user_label.text()


def test_wrong_password_says_so_and_the_wait_grows_visibly(
    qtbot: QtBot, make_window: WindowFactory, demo_profile: ProfileInfo
) -> None:
    window = make_window(backoff=BackoffPolicy(free_attempts=2, base_wait_seconds=60))
    page = window.unlock_page
    with qtbot.wait_signal(window.unlock_failed, timeout=10_000) as failed:
        _unlock(qtbot, window, "not my password")
    assert failed.args == ["wrong_password"]
    assert page.error_label.isVisible() and page.error_label.text() == "密码错误。"
    assert not page.wait_label.isVisible()
    assert page.unlock_button.isEnabled()

    with qtbot.wait_signal(window.unlock_failed, timeout=10_000):
        _unlock(qtbot, window, "still wrong")
    assert page.wait_label.isVisible()
    assert "60 秒后再试" in page.wait_label.text()
    assert not page.unlock_button.isEnabled()
    # Pressing Enter with the right password during the wait does nothing.
    page.password_edit.setText(PASSWORD)
    qtbot.keyClick(page.password_edit, Qt.Key.Key_Return)
    assert window.stack.currentWidget() is page
    assert window.session is None or not window.session.is_unlocked


def test_the_wait_survives_a_restart_of_the_app(
    qtbot: QtBot, make_window: WindowFactory, demo_profile: ProfileInfo
) -> None:
    policy = BackoffPolicy(free_attempts=1, base_wait_seconds=120)
    first = make_window(backoff=policy)
    with qtbot.wait_signal(first.unlock_failed, timeout=10_000):
        _unlock(qtbot, first, "wrong")
    first.close()
    second = make_window(backoff=policy)
    assert second.unlock_page.wait_label.isVisible()
    assert not second.unlock_page.unlock_button.isEnabled()
    assert 110 <= second.unlock_page.wait_seconds_left() <= 120


def test_lock_out_asks_for_online_sign_in(
    qtbot: QtBot, make_window: WindowFactory, demo_profile: ProfileInfo
) -> None:
    window = make_window(backoff=BackoffPolicy(free_attempts=5, max_failures=1))
    with qtbot.wait_signal(window.unlock_failed, timeout=10_000):
        _unlock(qtbot, window, "wrong")
    page = window.unlock_page
    assert "联网登录" in page.wait_label.text()
    # Only the online sign-in remains: no offline attempt is possible any more.
    assert not page.unlock_button.isVisible() and page.online_button.isVisible()


def test_idle_lock_hides_data_and_the_password_restores_it(
    qtbot: QtBot, make_window: WindowFactory, demo_profile: ProfileInfo
) -> None:
    window = make_window(idle_lock_seconds=0.5)
    with qtbot.wait_signal(window.households_loaded, timeout=10_000):
        _unlock(qtbot, window, PASSWORD)
    household_id = window.workspace.household_list.visible_household_ids()[0]
    with qtbot.wait_signal(window.household_file_loaded, timeout=10_000):
        window.workspace.open_household(household_id)
    assert window.workspace.household_file_view.members_table.rowCount() > 0
    assert window.workspace.home_page.clues_table.rowCount() > 0  # names of heads and members

    with qtbot.wait_signal(window.locked, timeout=5_000):
        pass  # no input: the idle timer fires
    assert window.stack.currentWidget() is window.unlock_page
    assert window.unlock_page.locked_mode
    assert window.unlock_page.title.text() == "已锁定"
    assert not window.workspace.isVisible()
    assert window.workspace.household_list.model.rowCount() == 0
    assert window.workspace.household_file_view.household_file is None
    assert window.workspace.household_file_view.members_table.rowCount() == 0
    assert window.workspace.home_page.due_table.rowCount() == 0
    assert window.workspace.home_page.clues_table.rowCount() == 0
    assert window.workspace.home_page.returned_table.rowCount() == 0
    qtbot.wait_until(lambda: window.session is not None and not window.session.is_unlocked)

    window.idle_policy.timeout_seconds = 300
    with qtbot.wait_signal(window.households_loaded, timeout=10_000):
        _unlock(qtbot, window, PASSWORD)
    assert window.stack.currentWidget() is window.workspace
    assert window.workspace.household_list.model.rowCount() == 40


def test_lock_now_button(
    qtbot: QtBot, make_window: WindowFactory, demo_profile: ProfileInfo
) -> None:
    window = make_window()
    with qtbot.wait_signal(window.households_loaded, timeout=10_000):
        _unlock(qtbot, window, PASSWORD)
    with qtbot.wait_signal(window.locked, timeout=2_000):
        qtbot.mouseClick(window.workspace.lock_button, Qt.MouseButton.LeftButton)
    assert window.workspace.household_list.model.rowCount() == 0


def test_first_run_registers_and_opens_an_empty_workspace(
    qtbot: QtBot, make_window: WindowFactory, profile_dir: Path
) -> None:
    window = make_window()
    page = window.registration_page
    assert window.stack.currentWidget() is page
    qtbot.keyClicks(page.server_edit, SERVER)
    qtbot.keyClicks(page.account_edit, "lijun")
    qtbot.keyClicks(page.password_edit, "secret password")
    qtbot.keyClicks(page.confirm_edit, "secret passwrd")
    qtbot.mouseClick(page.register_button, Qt.MouseButton.LeftButton)
    assert page.error_label.text() == "两次输入的密码不一致。"
    page.confirm_edit.setText("secret password")
    with qtbot.wait_signal(window.households_loaded, timeout=10_000) as loaded:
        qtbot.mouseClick(page.register_button, Qt.MouseButton.LeftButton)
    assert loaded.args == [0]
    assert window.stack.currentWidget() is window.workspace
    assert page.password_edit.text() == ""
    assert any(p.account == "lijun" for p in window.accounts.profiles())

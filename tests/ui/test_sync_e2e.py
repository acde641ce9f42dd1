"""The app against the real server on loopback: register, pull a household another laptop
made, complete a visit, sync it, and the status bar says so."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image
from PySide6.QtCore import QPoint, Qt
from pytestqt.qtbot import QtBot

from app.crypto import KdfParams
from app.idnumber import check_digit
from app.services.backoff import BackoffPolicy
from app.services.profiles import ProfileDirectory
from app.services.session import AccountService
from tests.sync.e2e.harness import PASSWORD, Laptop, LiveServer, household_content
from ui.app import server_password_check, server_registration
from ui.i18n import LanguageManager
from ui.shell import MainWindow
from ui.sync_controller import SyncController

pytestmark = pytest.mark.slow


@pytest.fixture
def window(qtbot: QtBot, language: LanguageManager, tmp_path: Path) -> Iterator[MainWindow]:
    accounts = AccountService(
        ProfileDirectory(tmp_path / "profiles"),
        register=server_registration,
        kdf=KdfParams.for_tests(),
    )
    window = MainWindow(accounts, language, sync=SyncController(interval_ms=3_600_000))
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.start()
    window.show()
    yield window
    window.close()
    gc.collect()  # on the GUI thread (see ui/gcpolicy.py)


def test_register_pull_visit_and_push_through_the_real_server(
    qtbot: QtBot,
    window: MainWindow,
    server: LiveServer,
    tmp_path: Path,
) -> None:
    assert window.sync is not None
    page = window.registration_page
    page.server_edit.setText(server.url)
    page.account_edit.setText("fw1")
    page.password_edit.setText(PASSWORD)
    page.confirm_edit.setText(PASSWORD)
    with qtbot.wait_signal(window.sync.sync_finished, timeout=30_000) as first_sync:
        qtbot.mouseClick(page.register_button, Qt.MouseButton.LeftButton)
    assert first_sync.args[0].outcome == "ok"
    assert gc.isenabled()  # paused only while the run lasted
    status = window.sync_status_widget
    assert status.state_label.text() == "● 在线"
    assert status.last_sync_label.text().startswith("上次同步 ")

    # A colleague's laptop records a household in the same grid and syncs it.
    colleague = Laptop.register(server, "fw2", tmp_path / "fw2")
    try:
        colleague.db.create_household(grid_id="G1", content=household_content("赵秀英", 1, 2))
        assert colleague.engine().run_once().ok
    finally:
        colleague.close()

    with qtbot.wait_signal(
        window.households_loaded, timeout=30_000, check_params_cb=lambda count: count == 1
    ):
        qtbot.mouseClick(window.workspace.sync_page.sync_button, Qt.MouseButton.LeftButton)
    households = window.workspace.household_list
    assert [households.model.item(0).head_name] == ["赵秀英"]

    # A visit: open the household, fill what a completed visit needs, complete it.
    with qtbot.wait_signal(window.household_file_loaded, timeout=10_000):
        window.workspace.open_household(households.model.item(0).household_id)
    with qtbot.wait_signal(window.visit_opened, timeout=10_000):
        qtbot.mouseClick(
            window.workspace.household_file_view.new_visit_button, Qt.MouseButton.LeftButton
        )
    form = window.workspace.visit_form
    form.basics.visitor_edits[1].setText("fw3")
    # A new member with a mistyped ID number, and a negative income: both refused inline.
    form.go_to_step(1)
    qtbot.mouseClick(form.members.add_button, Qt.MouseButton.LeftButton)
    form.members.name_edit.setText("赵小军")
    good_id = "11010520100101001" + check_digit("11010520100101001")
    bad_id = good_id[:-1] + ("0" if good_id[-1] != "0" else "1")
    qtbot.keyClicks(form.members.id_edit, bad_id)
    assert "校验码" in form.members.id_status.text()
    form.members.id_edit.setText(good_id)
    assert form.members.id_status.text().startswith("出生 2010-01-01")
    form.go_to_step(2)
    qtbot.mouseClick(form.incomes.add_button, Qt.MouseButton.LeftButton)
    amount = form.incomes.row_widget(form.incomes.row_count - 1, "monthly_amount")
    qtbot.keyClicks(amount, "-800")
    error = form.incomes.row_error(form.incomes.row_count - 1)
    qtbot.wait_until(lambda: error.text() == "金额不能为负数", timeout=5_000)
    amount.setText("800")
    qtbot.wait_until(lambda: not error.isVisible(), timeout=5_000)
    # A photo and the household's signature.
    form.go_to_step(6)
    photo = tmp_path / "room.jpg"
    Image.effect_noise((900, 600), 40).convert("RGB").save(photo, format="JPEG")
    with qtbot.wait_signal(window.photos_loaded, timeout=10_000, check_params_cb=lambda n: n == 1):
        form.photos.photos_import_requested.emit([str(photo)])
    pad = form.photos.pads["household"]
    pad.draw_stroke([QPoint(20, 60), QPoint(110, 30), QPoint(200, 40)])
    with qtbot.wait_signal(window.visit_saved, timeout=10_000):
        qtbot.mouseClick(form.photos.keep_buttons["household"], Qt.MouseButton.LeftButton)
    form.finding.notice_check.setChecked(True)
    form.finding.finding_combo.setCurrentIndex(form.finding.finding_combo.findData("eligible"))
    with qtbot.wait_signal(window.visit_completed, timeout=10_000) as completed:
        qtbot.mouseClick(form.complete_button, Qt.MouseButton.LeftButton)
    visit_id = completed.args[0]
    qtbot.wait_until(lambda: status.waiting_label.text() != "无待上传", timeout=10_000)

    with qtbot.wait_signal(window.sync.sync_finished, timeout=30_000) as pushed:
        window.workspace.show_section(3)
        qtbot.mouseClick(window.workspace.sync_page.sync_button, Qt.MouseButton.LeftButton)
    assert pushed.args[0].outcome == "ok"
    assert pushed.args[0].attachments_uploaded == 2  # the photo and the signature
    assert status.waiting_label.text() == "无待上传"
    assert visit_id in {record.id for record in server.records("visit")}

    # Closing and reopening the app finds everything, still synced.
    profile_dir = window.accounts.directory.base_dir
    window.close()
    again = MainWindow(
        AccountService(
            ProfileDirectory(profile_dir), register=server_registration, kdf=KdfParams.for_tests()
        ),
        window.language,
        sync=SyncController(interval_ms=3_600_000),
    )
    qtbot.addWidget(again)
    again.start()
    again.show()
    try:
        assert again.sync is not None
        with qtbot.wait_signal(again.sync.sync_finished, timeout=30_000):
            again.unlock_page.password_edit.setText(PASSWORD)
            qtbot.mouseClick(again.unlock_page.unlock_button, Qt.MouseButton.LeftButton)
        with qtbot.wait_signal(again.household_file_loaded, timeout=10_000):
            again.workspace.open_household(
                again.workspace.household_list.model.item(0).household_id
            )
        view = again.workspace.household_file_view
        assert view.members_table.rowCount() == 3
        assert view.visits_table.rowCount() == 1
        assert view.visits_table.item(0, 4).text() == "符合"
        # The server took the completed visit over: the laptop shows it as synced.
        assert view.visits_table.item(0, 2).text() == "已同步"
        assert again.sync_status_widget.waiting_label.text() == "无待上传"
    finally:
        again.close()


def test_a_refused_registration_says_why_and_leaves_no_profile(
    qtbot: QtBot, window: MainWindow, server: LiveServer
) -> None:
    page = window.registration_page
    page.server_edit.setText(server.url)
    page.account_edit.setText("fw1")
    page.password_edit.setText("not the password")
    page.confirm_edit.setText("not the password")
    with qtbot.wait_signal(window.registration_failed, timeout=30_000) as failed:
        qtbot.mouseClick(page.register_button, Qt.MouseButton.LeftButton)
    assert failed.args[0] == "server_invalid_credentials"
    assert page.error_label.isVisible()
    assert page.error_label.text() == "用户名或密码错误"
    assert page.register_button.isEnabled()
    assert window.accounts.profiles() == []
    assert window.stack.currentWidget() is page


def test_a_revoked_laptop_erases_its_data_and_returns_to_registration(
    qtbot: QtBot, window: MainWindow, server: LiveServer
) -> None:
    assert window.sync is not None
    page = window.registration_page
    page.server_edit.setText(server.url)
    page.account_edit.setText("fw2")
    page.password_edit.setText(PASSWORD)
    page.confirm_edit.setText(PASSWORD)
    with qtbot.wait_signal(window.sync.sync_finished, timeout=30_000):
        qtbot.mouseClick(page.register_button, Qt.MouseButton.LeftButton)
    assert window.session is not None
    profile = window.session.profile
    server.revoke_device(profile.device_id)
    with qtbot.wait_signal(window.device_wiped, timeout=30_000):
        window.sync.sync_now()
    assert window.session is None
    assert window.workspace.household_list.model.rowCount() == 0
    qtbot.wait_until(lambda: not profile.path.exists(), timeout=10_000)
    assert window.stack.currentWidget() is window.registration_page
    assert "已被管理员撤销" in window.statusBar().currentMessage()


def test_after_the_lock_out_signing_in_online_unlocks(
    qtbot: QtBot, language: LanguageManager, tmp_path: Path, server: LiveServer
) -> None:
    accounts = AccountService(
        ProfileDirectory(tmp_path / "profiles"),
        register=server_registration,
        kdf=KdfParams.for_tests(),
        backoff_policy=BackoffPolicy(free_attempts=5, max_failures=2),
    )
    window = MainWindow(accounts, language, online_check=server_password_check)
    qtbot.addWidget(window)
    window.start()
    window.show()
    try:
        page = window.registration_page
        page.server_edit.setText(server.url)
        page.account_edit.setText("fw3")
        page.password_edit.setText(PASSWORD)
        page.confirm_edit.setText(PASSWORD)
        with qtbot.wait_signal(window.households_loaded, timeout=30_000):
            qtbot.mouseClick(page.register_button, Qt.MouseButton.LeftButton)
        with qtbot.wait_signal(window.locked, timeout=5_000):
            qtbot.mouseClick(window.workspace.lock_button, Qt.MouseButton.LeftButton)
        unlock = window.unlock_page
        for guess in ("guess one", "guess two"):
            with qtbot.wait_signal(window.unlock_failed, timeout=10_000):
                unlock.password_edit.setText(guess)
                qtbot.mouseClick(unlock.unlock_button, Qt.MouseButton.LeftButton)
        assert unlock.online_button.isVisible() and not unlock.unlock_button.isVisible()
        assert "联网" in unlock.wait_label.text()
        # A wrong password online is refused by the server and the lock-out stays.
        with qtbot.wait_signal(window.unlock_failed, timeout=30_000) as refused:
            unlock.password_edit.setText("still wrong")
            qtbot.mouseClick(unlock.online_button, Qt.MouseButton.LeftButton)
        assert refused.args == ["server_invalid_credentials"]
        assert unlock.online_button.isVisible()
        with qtbot.wait_signal(window.unlocked, timeout=30_000):
            unlock.password_edit.setText(PASSWORD)
            qtbot.mouseClick(unlock.online_button, Qt.MouseButton.LeftButton)
        assert window.stack.currentWidget() is window.workspace
    finally:
        window.close()

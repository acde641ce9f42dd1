"""The app against the real server on loopback: a working day (unlock a registered laptop,
open a task from Home, a visit with its mistakes fixed, sync, reopen), a refused registration,
a revoked laptop, and the online sign-in after a lock-out."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from PIL import Image
from PySide6.QtCore import QPoint, Qt
from pytestqt.qtbot import QtBot

from app.crypto import KdfParams
from app.domain import VisitKind
from app.idnumber import check_digit
from app.services.backoff import BackoffPolicy
from app.services.profiles import ProfileDirectory
from app.services.session import AccountService
from sync.server import tasks
from sync.server.records import Actor
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


def _registered_profile(profile_dir: Path, server: LiveServer, account: str) -> None:
    """The laptop as it is on a working morning: registered days ago, locked."""
    accounts = AccountService(
        ProfileDirectory(profile_dir), register=server_registration, kdf=KdfParams.for_tests()
    )
    accounts.register(server.url, account, PASSWORD).close()


def _assign_task(server: LiveServer, household_ids: list[str], account: str) -> str:
    with server.session() as session:
        task = tasks.create_task(
            session,
            server.keys,
            Actor(None, None),
            kind=VisitKind.PERIODIC_REVIEW,
            household_ids=household_ids,
            assignee_user_id=server.user_ids[account],
            deadline=date.today() + timedelta(days=14),
            title="低保年度复核（第一批）",
        )
        session.commit()
        return task.id


def _window(profile_dir: Path, language: LanguageManager, qtbot: QtBot) -> MainWindow:
    accounts = AccountService(
        ProfileDirectory(profile_dir), register=server_registration, kdf=KdfParams.for_tests()
    )
    window = MainWindow(accounts, language, sync=SyncController(interval_ms=3_600_000))
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.start()
    window.show()
    return window


def test_a_working_day_unlock_task_visit_sync_and_reopen(
    qtbot: QtBot, language: LanguageManager, server: LiveServer, tmp_path: Path
) -> None:
    profile_dir = tmp_path / "profiles"
    _registered_profile(profile_dir, server, "fw1")
    # The colleague's laptop recorded two households of the grid; the district assigns a
    # review task over them to fw1.
    colleague = Laptop.register(server, "fw2", tmp_path / "fw2")
    try:
        first = colleague.db.create_household(
            grid_id="G1", content=household_content("赵秀英", 1, 2)
        )
        second = colleague.db.create_household(
            grid_id="G1", content=household_content("钱志强", 4, 1)
        )
        assert colleague.engine().run_once().ok
    finally:
        colleague.close()
    _assign_task(server, [first.household_id, second.household_id], "fw1")

    window = _window(profile_dir, language, qtbot)
    try:
        assert window.sync is not None
        with qtbot.wait_signal(window.sync.sync_finished, timeout=30_000) as first_sync:
            window.unlock_page.password_edit.setText(PASSWORD)
            qtbot.mouseClick(window.unlock_page.unlock_button, Qt.MouseButton.LeftButton)
        assert first_sync.args[0].outcome == "ok"
        qtbot.wait_until(
            lambda: window.workspace.home_page.tasks_table.rowCount() == 1, timeout=10_000
        )
        status = window.sync_status_widget
        assert status.state_label.text() == "● 在线"

        # Home: open the task; its two households are listed.
        home = window.workspace.home_page
        assert home.tasks_table.item(0, 1).text() == "低保年度复核（第一批）"
        assert home.tasks_table.item(0, 3).text() == "已走访 0/2 户（0%）"
        home.tasks_table.cellActivated.emit(0, 1)
        households = window.workspace.household_list
        assert households.isVisible() and households.model.rowCount() == 2
        row = next(
            r for r in range(2) if households.model.item(r).household_id == first.household_id
        )
        imported_review = households.model.item(row).next_review

        # A new visit for one of them.
        with qtbot.wait_signal(window.household_file_loaded, timeout=10_000):
            households.table.activated.emit(
                households.model.index(row, 0)
            )  # Enter or a double click
        with qtbot.wait_signal(window.visit_opened, timeout=10_000):
            qtbot.mouseClick(
                window.workspace.household_file_view.new_visit_button, Qt.MouseButton.LeftButton
            )
        form = window.workspace.visit_form
        assert form.title.text().endswith("赵秀英")
        qtbot.keyClicks(form.basics.visitor_edits[1], "fw3")
        # A new member with a mistyped ID number, and a negative income: both refused inline.
        form.go_to_step(1)
        qtbot.mouseClick(form.members.add_button, Qt.MouseButton.LeftButton)
        form.members.name_edit.setText("赵小军")  # typed through an input method
        good_id = "11010520100101001" + check_digit("11010520100101001")
        bad_id = good_id[:-1] + ("0" if good_id[-1] != "0" else "1")
        qtbot.keyClicks(form.members.id_edit, bad_id)
        assert "校验码" in form.members.id_status.text()
        assert form.members.id_status.objectName() == "Error"
        form.members.id_edit.clear()
        qtbot.keyClicks(form.members.id_edit, good_id)
        assert form.members.id_status.text().startswith("出生 2010-01-01")
        form.go_to_step(2)
        qtbot.mouseClick(form.incomes.add_button, Qt.MouseButton.LeftButton)
        amount = form.incomes.row_widget(form.incomes.row_count - 1, "monthly_amount")
        qtbot.keyClicks(amount, "-800")
        error = form.incomes.row_error(form.incomes.row_count - 1)
        qtbot.wait_until(lambda: error.text() == "金额不能为负数", timeout=5_000)
        amount.clear()
        qtbot.keyClicks(amount, "800")
        qtbot.wait_until(lambda: not error.isVisible(), timeout=5_000)
        qtbot.wait_until(lambda: form.problems_label.text() == "", timeout=5_000)

        # A photo, then the household and both visitors sign.
        form.go_to_step(6)
        photo = tmp_path / "room.jpg"
        Image.effect_noise((900, 600), 40).convert("RGB").save(photo, format="JPEG")
        with qtbot.wait_signal(
            window.photos_loaded, timeout=10_000, check_params_cb=lambda n: n == 1
        ):
            form.photos.photos_import_requested.emit([str(photo)])
        assert window.session is not None
        signers = ["household", window.session.profile.user_id, "fw3"]
        assert form.photos.signers == signers
        for seed, signer in enumerate(signers):
            form.photos.pads[signer].draw_stroke(
                [QPoint(20, 60 - seed * 5), QPoint(110, 30), QPoint(200, 40 + seed * 5)]
            )
            with qtbot.wait_signal(window.visit_saved, timeout=10_000):
                qtbot.mouseClick(form.photos.keep_buttons[signer], Qt.MouseButton.LeftButton)
        form.go_to_step(7)
        form.finding.notice_check.setChecked(True)
        form.finding.finding_combo.setCurrentIndex(form.finding.finding_combo.findData("eligible"))
        with qtbot.wait_signal(window.visit_completed, timeout=10_000) as completed:
            qtbot.mouseClick(form.complete_button, Qt.MouseButton.LeftButton)
        visit_id = completed.args[0]
        qtbot.wait_until(lambda: status.waiting_label.text() != "无待上传", timeout=10_000)
        # The household's next review is now the policy engine's, not the imported date.
        recorded = window.session.visit(visit_id).content.eligibility
        assert recorded is not None and recorded["next_review_on"]
        engine_review = date.fromisoformat(recorded["next_review_on"])
        qtbot.wait_until(
            lambda: any(
                i.household_id == first.household_id and i.next_review == engine_review
                for i in (households.model.item(r) for r in range(households.model.rowCount()))
            ),
            timeout=10_000,
        )
        assert engine_review != imported_review

        # Sync now, against the real server on loopback: the status bar says synced.
        with qtbot.wait_signal(window.sync.sync_finished, timeout=30_000) as pushed:
            window.workspace.show_section(3)
            qtbot.mouseClick(window.workspace.sync_page.sync_button, Qt.MouseButton.LeftButton)
        assert pushed.args[0].outcome == "ok"
        assert pushed.args[0].attachments_uploaded == 4  # the photo and three signatures
        assert status.waiting_label.text() == "无待上传"
        assert status.last_sync_label.text().startswith("上次同步 ")
        assert visit_id in {record.id for record in server.records("visit")}
        # The server holds the engine's review date too (for the supervisor, other laptops).
        [on_server] = [r for r in server.records("household") if r.id == first.household_id]
        assert on_server.meta["next_review"] == engine_review.isoformat()
        assert status.state_label.text() == "● 在线"
    finally:
        window.close()

    # Closing and reopening the app finds everything, still synced.
    again = _window(profile_dir, language, qtbot)
    try:
        assert again.sync is not None
        with qtbot.wait_signal(again.sync.sync_finished, timeout=30_000):
            again.unlock_page.password_edit.setText(PASSWORD)
            qtbot.mouseClick(again.unlock_page.unlock_button, Qt.MouseButton.LeftButton)
        qtbot.wait_until(
            lambda: again.workspace.home_page.tasks_table.rowCount() == 1, timeout=10_000
        )
        assert again.workspace.home_page.tasks_table.item(0, 3).text() == "已走访 1/2 户（50%）"
        with qtbot.wait_signal(again.household_file_loaded, timeout=10_000):
            again.workspace.open_household(first.household_id)
        view = again.workspace.household_file_view
        assert view.members_table.rowCount() == 3
        assert view.visits_table.rowCount() == 1
        assert view.visits_table.item(0, 4).text() == "符合"
        # The server took the completed visit over: the laptop shows it as synced.
        assert view.visits_table.item(0, 2).text() == "已同步"
        assert again.sync_status_widget.waiting_label.text() == "无待上传"
        visit = again.session.visit(visit_id) if again.session is not None else None
        assert visit is not None and len(visit.content.photo_ids) == 1
        assert sorted(s.signer for s in visit.content.signatures) == sorted(signers)
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

"""The supervision section inside the real main window, by role, against the real server:
a field worker revises a returned visit with the comment shown at the income field; a
contractor sees exactly its task's households (ID numbers masked) and nothing after the task
closes, down to the bytes of its profile folder."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.crypto import KdfParams
from app.domain import IncomeItem, IncomeType, VisitKind
from app.services.demo import complete_signed
from app.services.profiles import ProfileDirectory
from app.services.session import AccountService
from sync.client.supervisor import FieldComment
from tests.sync.e2e.harness import PASSWORD, Laptop, LiveServer, household_content, visit_content
from tests.ui.supervisor.conftest import Account
from ui.app import server_registration
from ui.i18n import LanguageManager
from ui.shell import MainWindow
from ui.supervisor.comments import ReviewCommentsBar
from ui.sync_controller import SyncController

pytestmark = pytest.mark.slow
MARKER_NAME = "欧阳标记"


@pytest.fixture
def open_window(
    qtbot: QtBot, language: LanguageManager, server: LiveServer, tmp_path: Path
) -> Iterator[Callable[[str], MainWindow]]:
    windows: list[MainWindow] = []

    def make(user: str) -> MainWindow:
        accounts = AccountService(
            ProfileDirectory(tmp_path / f"app-{user}"),
            register=server_registration,
            kdf=KdfParams.for_tests(),
        )
        window = MainWindow(accounts, language, sync=SyncController(interval_ms=3_600_000))
        qtbot.addWidget(window)
        window.resize(1366, 768)
        window.start()
        window.show()
        windows.append(window)
        page = window.registration_page
        page.server_edit.setText(server.url)
        page.account_edit.setText(user)
        page.password_edit.setText(PASSWORD)
        page.confirm_edit.setText(PASSWORD)
        assert window.sync is not None
        with qtbot.wait_signal(window.sync.sync_finished, timeout=30_000) as first:
            qtbot.mouseClick(page.register_button, Qt.MouseButton.LeftButton)
        assert first.args[0].outcome == "ok"
        return window

    yield make
    for window in windows:
        window.close()


def _sync(qtbot: QtBot, window: MainWindow) -> None:
    assert window.sync is not None
    with qtbot.wait_signal(window.sync.sync_finished, timeout=30_000) as done:
        window.sync.sync_now()
    assert done.args[0].outcome == "ok"


def test_the_worker_revises_a_returned_visit_from_the_app(
    qtbot: QtBot, open_window: Callable[[str], MainWindow], accounts: dict[str, Account]
) -> None:
    window = open_window("fw1")
    section = window.supervision
    nav = window.workspace.navigation.item(section.nav_row)
    assert not nav.isHidden() and nav.text() == "退回修改"
    assert window.session is not None
    store = window.session.store
    made = household_content("赵秀英", 1, 2)
    household = store.create_household(grid_id="G1", content=made)
    content = visit_content().model_copy(
        update={
            "members": made.members,
            "incomes": (IncomeItem(type=IncomeType.WAGES, monthly_amount=Decimal("800")),),
        }
    )
    visit = store.create_visit_draft(household.household_id, VisitKind.PERIODIC_REVIEW, content)
    complete_signed(store, visit.visit_id)
    _sync(qtbot, window)

    supervisor = accounts["sup"]
    supervisor.api.return_visit(
        visit.visit_id, [FieldComment("incomes.0.monthly_amount", "请核对工资条")]
    )
    _sync(qtbot, window)

    page = section.returned_page
    window.workspace.show_section(section.nav_row)
    qtbot.wait_until(lambda: page.table.rowCount() == 1, timeout=10_000)
    with (
        qtbot.wait_signal(section.revision_opened, timeout=10_000),
        qtbot.wait_signal(section.comments_shown, timeout=10_000) as shown,
    ):
        qtbot.mouseClick(page.revise_button, Qt.MouseButton.LeftButton)
    assert shown.args == [1]
    form = window.workspace.visit_form
    bar = form.findChild(ReviewCommentsBar)
    assert bar is not None
    form.go_to_step(2)
    assert bar.isVisible()
    assert bar.text_label.text() == "⚑ 收入 第1项 月金额：请核对工资条"
    assert form.incomes.row_widget(0, "monthly_amount").toolTip() == "请核对工资条"
    # The supervisor's section is not offered to a field worker.
    assert section.tabs.count() == 1 and section.tabs.widget(0) is page
    # Locking drops the comments with every other decrypted value.
    window.lock()
    assert bar.comments == () and not bar.isVisible()


def _ciphertext_tails(store_path: Path, household_ids: list[str]) -> list[bytes]:
    conn = sqlite3.connect(f"file:{store_path}?mode=ro", uri=True)
    try:
        marks = ",".join("?" for _ in household_ids)
        rows = [
            bytes(row[0])
            for query in (
                f"SELECT wrapped FROM wrapped_key WHERE key_id IN ({marks})",
                f"SELECT payload FROM household WHERE id IN ({marks})",
                f"SELECT payload FROM member WHERE household_id IN ({marks})",
            )
            for row in conn.execute(query, household_ids)
        ]
    finally:
        conn.close()
    return [blob[-32:] for blob in rows]


def _profile_bytes(folder: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file())


def test_a_contractor_sees_only_its_task_and_nothing_after_it_closes(
    qtbot: QtBot,
    open_window: Callable[[str], MainWindow],
    server: LiveServer,
    accounts: dict[str, Account],
    tmp_path: Path,
) -> None:
    worker = Laptop.register(server, "fw2", tmp_path / "fw2")
    try:
        tasked = worker.db.create_household(
            grid_id="G1", content=household_content(f"{MARKER_NAME}甲", 7, members=2)
        )
        worker.db.create_household(grid_id="G1", content=household_content("李四", 9))
        assert worker.engine().run_once().ok
    finally:
        worker.close()
    task = accounts["sup"].api.create_task(
        kind="periodic_review", household_ids=[tasked.household_id], agency_id="A1"
    )

    window = open_window("con")
    households = window.workspace.household_list
    qtbot.wait_until(lambda: households.model.rowCount() == 1, timeout=10_000)
    assert households.model.item(0).household_id == tasked.household_id
    # No export, no supervision pages for agency staff.
    assert window.supervision.tabs.count() == 1
    assert window.supervision.tabs.widget(0) is window.supervision.returned_page
    # The household file masks the ID numbers.
    with qtbot.wait_signal(window.household_file_loaded, timeout=10_000):
        window.workspace.open_household(tasked.household_id)
    table = window.workspace.household_file_view.members_table
    shown = [table.item(r, 2).text() for r in range(table.rowCount())]
    assert len(shown) == 2 and all("********" in number for number in shown)
    full_numbers = [m.id_number for m in household_content(f"{MARKER_NAME}甲", 7, 2).members]
    assert not set(shown) & set(full_numbers)

    assert window.session is not None
    profile = window.session.profile
    secrets = _ciphertext_tails(profile.store_path, [tasked.household_id])
    assert secrets and all(s in _profile_bytes(profile.path) for s in secrets)

    accounts["sup"].api.close_task(task.task_id)
    _sync(qtbot, window)
    qtbot.wait_until(lambda: households.model.rowCount() == 0, timeout=10_000)
    after = _profile_bytes(profile.path)
    assert not [s for s in secrets if s in after]
    assert MARKER_NAME.encode() not in after
    assert not any(number.encode() in after for number in full_numbers)

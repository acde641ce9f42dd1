"""The sync page lists conflicts with both values and the changes the server refused."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.services.profiles import ProfileInfo
from tests.ui.conftest import PASSWORD, make_accounts
from ui.shell import MainWindow

WindowFactory = Callable[..., MainWindow]


def test_conflicts_and_refusals_are_shown(
    qtbot: QtBot, make_window: WindowFactory, demo_profile: ProfileInfo, profile_dir: Path
) -> None:
    session = make_accounts(profile_dir).open(demo_profile.profile_id)
    session.unlock(PASSWORD)
    household = session.households()[0]
    session.store.apply_pull_page(
        [
            {
                "entity": "conflict",
                "id": "c-1",
                "version": 1,
                "seq": 900,
                "household_id": household.household_id,
                "grid_id": household.grid_id,
                "deleted": False,
                "meta": {
                    "target_entity": "household",
                    "target_id": household.household_id,
                    "status": "open",
                },
                "data": {"clashes": {"phone": {"kept": "10012345678", "other": "10087654321"}}},
            }
        ],
        "grid:test",
        900,
    )
    first = session.store.pending_mutations()[0]
    session.store.quarantine(first.mutation_id, "forbidden")  # the server's code
    session.close()

    window = make_window()
    with qtbot.wait_signal(window.households_loaded, timeout=10_000):
        window.unlock_page.password_edit.setText(PASSWORD)
        qtbot.mouseClick(window.unlock_page.unlock_button, Qt.MouseButton.LeftButton)
    window.workspace.show_section(3)
    page = window.workspace.sync_page
    conflicts = page.conflicts_table
    assert conflicts.rowCount() == 1
    assert [conflicts.item(0, c).text() for c in range(5)] == [
        household.head_name,
        "家庭",
        "电话",  # the field's name, not its key
        "10012345678",
        "10087654321",
    ]
    assert page.rejected_table.rowCount() == 1
    assert page.rejected_table.item(0, 3).text() == "无权修改此记录"
    assert "_" not in page.rejected_table.item(0, 2).text()
    assert window.sync_status_widget.conflict_label.text() == "1 项冲突待处理"
    assert window.sync_status_widget.rejected_label.text() == "1 项修改被拒绝"

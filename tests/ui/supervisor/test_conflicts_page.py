"""Conflict resolution through the supervisor's conflicts page, on the real server over
loopback: a worker and the supervisor change the same two fields offline; the page shows both
values side by side; the supervisor takes the worker's phone number and types a merged address;
after the next sync both laptops hold the decided values and the item is closed everywhere."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from sync.client.supervisor import MERGE, OTHER
from tests.sync.e2e.harness import LiveServer, household_content
from tests.ui.supervisor.conftest import Account
from ui.i18n import LanguageManager
from ui.jobs import JobRunner
from ui.supervisor.conflicts_page import (
    KEPT_COLUMN,
    OTHER_COLUMN,
    ConflictsPage,
)

pytestmark = pytest.mark.slow


def test_the_supervisor_resolves_a_clash_and_every_laptop_converges(
    qtbot: QtBot,
    language: LanguageManager,
    server: LiveServer,
    accounts: dict[str, Account],
    runner: JobRunner,
) -> None:
    worker, supervisor = accounts["fw1"], accounts["sup"]
    household_id = worker.session.store.create_household(
        grid_id="G1", content=household_content("钱桂兰", 7)
    ).household_id
    worker.sync()
    supervisor.sync()
    # Both change the phone and the address before either syncs; the supervisor's edits are
    # later, so the server keeps them and files the worker's in a conflict item.
    worker.session.store.update_household(
        household_id, phone="13811112222", address="幸福里3号楼201"
    )
    supervisor.session.store.update_household(
        household_id, phone="13933334444", address="幸福里3号楼202"
    )
    worker.sync()
    supervisor.sync()
    assert server.records("conflict"), "the clash was not filed"

    page = ConflictsPage(runner)
    qtbot.addWidget(page)
    page.resize(1366, 700)
    page.show()
    page.attach(supervisor.session, supervisor.api)
    with qtbot.wait_signal(page.conflicts_loaded, timeout=20_000):
        qtbot.mouseClick(page.refresh_button, Qt.MouseButton.LeftButton)
    [item] = page.items
    assert page.conflicts_table.item(0, 1).text() == "钱桂兰"
    page.conflicts_table.selectRow(0)
    assert page.opened_conflict_id == item.conflict_id
    table = page.fields_table
    rows = {table.item(r, 0).text(): r for r in range(table.rowCount())}
    assert set(rows) == {"电话", "住址"}
    phone, address = rows["电话"], rows["住址"]
    # Both values side by side: what the server kept and what the other side had entered.
    assert table.item(phone, KEPT_COLUMN).text() == "13933334444"
    assert table.item(phone, OTHER_COLUMN).text() == "13811112222"
    assert table.item(address, OTHER_COLUMN).text() == "幸福里3号楼201"

    page.choice_box(phone).setCurrentIndex(page.choice_box(phone).findData(OTHER))
    assert not page.merged_edit(address).isEnabled()
    page.choice_box(address).setCurrentIndex(page.choice_box(address).findData(MERGE))
    assert page.merged_edit(address).isEnabled()
    page.merged_edit(address).insert("幸福里3号楼201（原登记202）")  # as typed (an IME)
    page.note_edit.setText("电话问过户主")
    with qtbot.wait_signal(page.resolved, timeout=20_000) as resolved:
        qtbot.mouseClick(page.resolve_button, Qt.MouseButton.LeftButton)
    assert resolved.args == [item.conflict_id]
    assert page.items == [] and page.conflicts_table.rowCount() == 0

    # Both laptops pull the decided record and the closed item.
    worker.sync()
    supervisor.sync()
    for account in (worker, supervisor):
        content = account.session.store.get_household(household_id).content
        assert (content.phone, content.address) == ("13811112222", "幸福里3号楼201（原登记202）")
        assert account.session.conflict_items() == []
    [record] = [r for r in server.records("conflict") if r.id == item.conflict_id]
    assert record.meta["status"] == "resolved"
    assert record.meta["resolution"] == {"phone": "other", "address": "merged"}
    assert record.meta["resolved_by"] == server.user_ids["sup"]
    with qtbot.wait_signal(page.conflicts_loaded, timeout=20_000) as loaded:
        qtbot.mouseClick(page.refresh_button, Qt.MouseButton.LeftButton)
    assert loaded.args == [0]

"""Household list search and filters, and the household file, driven through the widgets."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication, QLineEdit
from pytestqt.qtbot import QtBot

from app.domain import AssistanceCategory
from app.services.profiles import ProfileInfo
from tests.ui.conftest import PASSWORD
from ui.models.household_table import HouseholdColumn, ItemRole
from ui.shell import MainWindow

WindowFactory = Callable[..., MainWindow]


@pytest.fixture
def window(qtbot: QtBot, make_window: WindowFactory, demo_profile: ProfileInfo) -> MainWindow:
    window = make_window()
    with qtbot.wait_signal(window.households_loaded, timeout=10_000):
        window.unlock_page.password_edit.setText(PASSWORD)
        qtbot.mouseClick(window.unlock_page.unlock_button, Qt.MouseButton.LeftButton)
    window.workspace.show_section(1)
    return window


def _type(qtbot: QtBot, edit: QLineEdit, text: str) -> None:
    """Type like a user: keys for ASCII, an input-method commit for Chinese (as with pinyin)."""
    if text.isascii():
        qtbot.keyClicks(edit, text)
        return
    edit.setFocus()
    event = QInputMethodEvent()
    event.setCommitString(text)
    QApplication.sendEvent(edit, event)


def _visible_heads(window: MainWindow) -> list[str]:
    proxy = window.workspace.household_list.model
    return [proxy.data(proxy.index(r, 0), ItemRole).head_name for r in range(proxy.rowCount())]


def test_search_by_name_filters_as_you_type(qtbot: QtBot, window: MainWindow) -> None:
    page = window.workspace.household_list
    target = page.model.item(5)
    _type(qtbot, page.search_edit, target.head_name)
    heads = _visible_heads(window)
    assert target.head_name in heads
    assert len(heads) < page.model.total_count()
    assert page.search_edit.text() == target.head_name
    assert page.count_label.text().startswith(f"显示 {len(heads)} 户")
    page.search_edit.clear()
    assert page.model.rowCount() == 40


def test_search_by_address_fragment(qtbot: QtBot, window: MainWindow) -> None:
    page = window.workspace.household_list
    target = page.model.item(3)
    fragment = target.address[-8:]
    _type(qtbot, page.search_edit, fragment)
    visible = [
        page.model.data(page.model.index(r, 0), ItemRole) for r in range(page.model.rowCount())
    ]
    assert target in visible
    assert all(fragment in item.address for item in visible)


def test_search_by_id_number_finds_the_family(qtbot: QtBot, window: MainWindow) -> None:
    page = window.workspace.household_list
    target = page.model.item(10)
    assert window.session is not None
    member = window.session.household_file(target.household_id).members[-1]
    with qtbot.wait_signal(page.lookup_requested, timeout=3_000):
        qtbot.keyClicks(page.search_edit, member.content.id_number)
    qtbot.wait_until(lambda: page.visible_household_ids() == [target.household_id], timeout=5_000)
    # A well-formed number of nobody shows nothing.
    page.search_edit.setText("110105194912310021")
    qtbot.wait_until(lambda: page.model.rowCount() == 0, timeout=5_000)


def test_category_filter_and_sorting(qtbot: QtBot, window: MainWindow) -> None:
    page = window.workspace.household_list
    combo = page.category_combo
    combo.setCurrentIndex(combo.findData(AssistanceCategory.MINIMUM_LIVING))
    proxy = page.model
    categories = {proxy.data(proxy.index(r, 0), ItemRole).category for r in range(proxy.rowCount())}
    assert categories == {AssistanceCategory.MINIMUM_LIVING}
    assert 0 < proxy.rowCount() < 40
    page.table.sortByColumn(HouseholdColumn.MEMBERS, Qt.SortOrder.DescendingOrder)
    counts = [proxy.data(proxy.index(r, 0), ItemRole).member_count for r in range(proxy.rowCount())]
    assert counts == sorted(counts, reverse=True)


def test_overdue_filter_shows_only_overdue_reviews(qtbot: QtBot, window: MainWindow) -> None:
    page = window.workspace.household_list
    page.due_combo.setCurrentIndex(page.due_combo.findData(0))
    proxy = page.model
    items = [proxy.data(proxy.index(r, 0), ItemRole) for r in range(proxy.rowCount())]
    assert items, "the demo data has overdue reviews"
    assert all(i.next_review is not None and i.next_review <= page._today for i in items)


def test_opening_a_household_shows_its_file(qtbot: QtBot, window: MainWindow) -> None:
    page = window.workspace.household_list
    index = page.model.index(0, HouseholdColumn.HEAD)
    item = page.model.data(index, ItemRole)
    with qtbot.wait_signal(window.household_file_loaded, timeout=10_000) as loaded:
        page.table.activated.emit(index)
    assert loaded.args == [item.household_id]
    view = window.workspace.household_file_view
    assert view.isVisible()
    assert view.head_label.text() == item.head_name
    assert view.members_table.rowCount() == item.member_count
    assert view.members_table.item(0, 0).text()
    qtbot.mouseClick(view.back_button, Qt.MouseButton.LeftButton)
    assert page.isVisible()


def test_household_file_shows_eligibility_reasons(qtbot: QtBot, window: MainWindow) -> None:
    assert window.session is not None
    session = window.session
    visited = next(
        i.household_id
        for i in session.households()
        if session.household_file(i.household_id).eligibility is not None
    )
    with qtbot.wait_signal(window.household_file_loaded, timeout=10_000):
        window.workspace.open_household(visited)
    view = window.workspace.household_file_view
    assert view.visits_table.rowCount() >= 1
    assert view.reasons_list.count() > 0
    assert view.eligibility_summary.text().startswith("核定结果：")


def test_a_family_found_in_the_field_is_recorded_and_visited(
    qtbot: QtBot, window: MainWindow
) -> None:
    page = window.workspace.household_list
    qtbot.mouseClick(page.discovery_button, Qt.MouseButton.LeftButton)
    dialog = window.discovery_dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.grid_combo.count() >= 1
    dialog.head_edit.setText("刘桂芬")
    dialog.buttons.button(dialog.buttons.StandardButton.Ok).click()
    assert dialog.isVisible() and dialog.error_label.text() == "请填写户主姓名和住址。"
    dialog.address_edit.setText("示范区幸福路 1 号")
    with qtbot.wait_signal(window.visit_opened, timeout=10_000):
        dialog.buttons.button(dialog.buttons.StandardButton.Ok).click()
    form = window.workspace.visit_form
    assert form.isVisible()
    assert form.basics.kind_combo.currentData() == "discovery"
    assert form.title.text() == "走访：刘桂芬"
    qtbot.wait_until(lambda: page.model.rowCount() == 41, timeout=10_000)


def test_locking_closes_the_discovery_dialog(qtbot: QtBot, window: MainWindow) -> None:
    page = window.workspace.household_list
    qtbot.mouseClick(page.discovery_button, Qt.MouseButton.LeftButton)
    dialog = window.discovery_dialog
    assert dialog is not None
    dialog.head_edit.setText("刘桂芬")
    with qtbot.wait_signal(window.locked, timeout=3_000):
        window.lock(idle=True)
    assert not dialog.isVisible()

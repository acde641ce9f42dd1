"""A household that left the worker's tasks (a closed task) but still has a visit form's
autosaved typing: after unlocking, the form comes back with a clear message and can be finished
or its typing discarded; the household itself is gone from the lists."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.services.profiles import ProfileInfo
from tests.ui.conftest import PASSWORD, make_accounts
from tests.ui.test_visit_form import _reopened, _typed_then_crashed, _unlock
from ui.shell import MainWindow

WindowFactory = Callable[..., MainWindow]


def _typed_then_withdrawn(
    qtbot: QtBot, make_window: WindowFactory, demo_profile: ProfileInfo
) -> tuple[str, str]:
    visit_id, household_id = _typed_then_crashed(qtbot, make_window)
    # Meanwhile a sync found the task closed and withdrew the household (it kept the typing).
    session = make_accounts(demo_profile.path.parent.parent).open(demo_profile.profile_id)
    session.unlock(PASSWORD)
    session.store.withdraw_households([household_id])
    session.close()
    return visit_id, household_id


def test_the_form_of_a_withdrawn_household_comes_back_with_a_clear_message(
    qtbot: QtBot, make_window: WindowFactory, demo_profile: ProfileInfo
) -> None:
    visit_id, household_id = _typed_then_withdrawn(qtbot, make_window, demo_profile)

    window = _reopened(qtbot, make_window)

    form = window.workspace.visit_form
    assert form.isVisible() and form.visit_id == visit_id
    assert form.conditions.housing_edit.toPlainText() == "roof leaks"
    assert "此户已不在您的任务中" in window.statusBar().currentMessage()
    assert "同步后" in window.statusBar().currentMessage()
    assert form.discard_button.isVisible()
    model = window.workspace.household_list.model
    listed = {model.item(row).household_id for row in range(model.rowCount())}
    assert household_id not in listed and len(listed) == 39


def test_discarding_the_typing_of_a_withdrawn_household_lets_it_go(
    qtbot: QtBot, make_window: WindowFactory, demo_profile: ProfileInfo
) -> None:
    visit_id, _household_id = _typed_then_withdrawn(qtbot, make_window, demo_profile)
    window = _reopened(qtbot, make_window)
    form = window.workspace.visit_form

    with qtbot.wait_signal(window.visit_discarded, timeout=10_000):
        qtbot.mouseClick(form.discard_button, Qt.MouseButton.LeftButton)

    assert not form.isVisible() and form.visit_id == ""
    assert "下次同步时将从本机删除此户" in window.statusBar().currentMessage()
    session = window.session
    assert session is not None
    assert visit_id not in {d.visit_id for d in session.recovered_drafts()}
    assert session.recovered_drafts() == []


def test_an_ordinary_recovered_form_offers_no_discard(
    qtbot: QtBot, make_window: WindowFactory, demo_profile: ProfileInfo
) -> None:
    _typed_then_crashed(qtbot, make_window)
    window = _reopened(qtbot, make_window)
    assert not window.workspace.visit_form.discard_button.isVisible()
    assert window.statusBar().currentMessage() == "已恢复一份未保存的走访草稿。"


def test_a_refused_change_of_a_withdrawn_household_is_explained_and_can_be_dismissed(
    qtbot: QtBot, make_window: WindowFactory, demo_profile: ProfileInfo
) -> None:
    session = make_accounts(demo_profile.path.parent.parent).open(demo_profile.profile_id)
    session.unlock(PASSWORD)
    store = session.store
    household_id = store.list_households()[0].household_id
    store.update_household(household_id, phone="13900001234")
    refused = store.pending_mutations()[0].mutation_id
    # What a sync does once the task closed: the server refused the change, the household
    # left the user's reach and waits only for the refusal to be seen.
    store.quarantine(refused, "forbidden")
    store.withdraw_households([household_id])
    session.close()

    window = make_window()
    _unlock(qtbot, window)
    page = window.workspace.sync_page
    assert page.rejected_table.rowCount() == 1
    reason = page.rejected_table.item(0, 3).text()
    assert "此户已不在您的任务中" in reason and "从本机删除" in reason
    assert not page.dismiss_button.isEnabled()

    page.rejected_table.selectRow(0)
    assert page.dismiss_button.isEnabled()
    with qtbot.wait_signal(window.rejected_dismissed, timeout=10_000):
        qtbot.mouseClick(page.dismiss_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.rejected_table.rowCount() == 0, timeout=10_000)
    current = window.session
    assert current is not None
    assert current.sync_counts()[2] == 0  # nothing refused is left
    assert current.store.quarantined_mutations() == []

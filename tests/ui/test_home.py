"""Home: my tasks with deadline and progress, returned visits, open clues and the reviews
falling due."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.domain import VisitContent, VisitStatus
from app.services.profiles import ProfileInfo
from app.services.session import AccountSession
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


def _pull_returned_visit(
    session: AccountSession,
    household_id: str,
    visitors: tuple[str, ...] = ("user-wangfang", "user-lijun"),
    n: int = 1,
) -> str:
    """A completed visit that the reviewer returned with two comments, as the next sync brings
    it (by default one this laptop's worker made)."""
    visit_id = f"0193b7a0-0000-7000-8000-00000000a00{n}"
    completed = datetime(2026, 11, 2, 9, 30, tzinfo=UTC).isoformat()
    content = VisitContent(visitors=visitors, notice_of_duties_signed=True)
    session.store.apply_pull_page(
        [
            {
                "entity": "visit",
                "id": visit_id,
                "version": 3,
                "seq": 801,
                "household_id": household_id,
                "grid_id": None,
                "deleted": False,
                "meta": {
                    "kind": "periodic_review",
                    "status": "returned",
                    "revision": 1,
                    "revision_of": None,
                    "visit_date": "2026-11-02",
                    "completed_at": completed,
                },
                "data": content.model_dump(mode="json"),
            },
            {
                "entity": "review",
                "id": f"0193b7a0-0000-7000-8000-00000000b00{n}",
                "version": 1,
                "seq": 802,
                "household_id": household_id,
                "grid_id": None,
                "deleted": False,
                "meta": {"visit_id": visit_id, "decision": "returned", "reviewed_at": completed},
                "data": {
                    "decided_at": completed,
                    "comments": [
                        {"field": "incomes", "comment": "工资条显示每月1200元"},
                        {"field": "members", "comment": "缺少次子"},
                    ],
                },
            },
        ],
        f"household:returned-{n}",
        802,
    )
    return visit_id


def test_home_lists_returned_visits_and_open_clues_and_opens_them(
    qtbot: QtBot, make_window: WindowFactory, demo_profile: ProfileInfo, profile_dir: Path
) -> None:
    session = make_accounts(profile_dir).open(demo_profile.profile_id)
    session.unlock(PASSWORD)
    household = session.households()[3]
    visit_id = _pull_returned_visit(session, household.household_id)
    # A colleague's returned visit of a household in the same grid is theirs to correct.
    _pull_returned_visit(session, household.household_id, ("user-lijun", "user-zhaomin"), 2)
    assert len(session.store.list_visits_with_status(VisitStatus.RETURNED)) == 2
    open_clues = session.open_clues()
    session.close()
    assert open_clues

    window = make_window()
    with qtbot.wait_signal(window.households_loaded, timeout=10_000):
        window.unlock_page.password_edit.setText(PASSWORD)
        qtbot.mouseClick(window.unlock_page.unlock_button, Qt.MouseButton.LeftButton)
    home = window.workspace.home_page
    returned = home.returned_table
    assert returned.rowCount() == 1
    assert returned.item(0, 0).text() == "2026-11-02"
    assert returned.item(0, 1).text() == household.head_name
    assert returned.item(0, 3).text() == "2 条意见"
    clues = home.clues_table
    assert clues.rowCount() == len(open_clues) == int(home.tiles[2].number.text())
    assert clues.item(0, 2).text() == open_clues[0].head_name

    # An open clue opens the clue ledger with that clue selected, ready to be checked.
    clues.cellActivated.emit(0, 0)
    ledger = window.workspace.clues_page
    assert ledger.isVisible()
    selected = ledger.selected_clue()
    assert selected is not None and selected.clue_id == open_clues[0].clue_id
    assert ledger.check_button.isEnabled()

    # The returned visit opens in the visit form as its new revision, the comments shown.
    window.workspace.show_section(0)
    with qtbot.wait_signal(window.supervision.comments_shown, timeout=10_000) as shown:
        returned.cellActivated.emit(0, 1)
    assert shown.args == [2]
    form = window.workspace.visit_form
    assert form.isVisible()
    assert form.title.text().endswith(household.head_name)
    assert window.session is not None
    revision = window.session.visit(form.visit_id)
    assert revision.revision_of == visit_id and revision.revision == 2
    assert window.session.visit(visit_id).status is VisitStatus.REVISED
    # Corrected visits leave Home's list once their revision is started.
    with qtbot.wait_signal(window.households_loaded, timeout=10_000):
        window.reload_data()
    assert returned.rowCount() == 0

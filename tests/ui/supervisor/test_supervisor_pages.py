"""Dashboards, tasks (with exports) and the spot-check draw against the real server."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.crypto import KdfParams
from app.domain import Role, VisitKind
from app.services.demo import complete_signed
from app.services.profiles import ProfileDirectory
from app.services.session import AccountService
from sync.server import accounts as server_accounts
from tests.sync.e2e.harness import PASSWORD, LiveServer, household_content, visit_content
from tests.sync.e2e.serve import TEST_ARGON2
from tests.ui.supervisor.conftest import Account
from ui.app import server_registration
from ui.i18n import LanguageManager
from ui.jobs import JobRunner
from ui.supervisor.dashboard_page import DashboardPage
from ui.supervisor.spotcheck_page import SpotCheckPage
from ui.supervisor.tasks_page import TasksPage, split_evenly
from ui.sync_controller import default_engine_factory

pytestmark = pytest.mark.slow


def _visited_household(worker: Account, head: str, serial: int) -> tuple[str, str]:
    store = worker.session.store
    made = household_content(head, serial, 2)
    household = store.create_household(grid_id="G1", content=made)
    visit = store.create_visit_draft(
        household.household_id,
        VisitKind.PERIODIC_REVIEW,
        # visited today, so inside the dashboards' six-month window
        visit_content().model_copy(
            update={
                "members": made.members,
                "started_at": datetime.now(UTC) - timedelta(hours=1),
                "ended_at": datetime.now(UTC),
            }
        ),
    )
    complete_signed(store, visit.visit_id)
    return household.household_id, visit.visit_id


def test_dashboard_counts_the_regions_visits_and_the_servers_queue(
    qtbot: QtBot,
    language: LanguageManager,
    accounts: dict[str, Account],
    runner: JobRunner,
) -> None:
    worker, supervisor = accounts["fw1"], accounts["sup"]
    _visited_household(worker, "赵秀英", 1)
    worker.session.store.create_household(grid_id="G1", content=household_content("钱多多", 2))
    worker.sync()
    supervisor.sync()
    page = DashboardPage(runner)
    qtbot.addWidget(page)
    page.attach(supervisor.session, supervisor.api)
    with qtbot.wait_signal(page.dashboard_loaded, timeout=20_000) as loaded:
        qtbot.mouseClick(page.refresh_button, Qt.MouseButton.LeftButton)
    board = loaded.args[0]
    assert [(p.name, p.planned, p.done) for p in board.per_grid] == [("G1", 1, 1)]
    assert board.reviews_due == 1
    assert sum(m.first for m in board.findings) == 1
    assert page.reviews_due_label.text() == "待审核：1"
    assert page.ineligible_label.text() == "认定不符合：0.0%"
    grid_chart = page.charts[0]
    assert grid_chart.categories == ["G1"]
    assert [values for _, _, values in grid_chart.series] == [[1.0], [1.0]]  # planned, done
    assert grid_chart.grab().width() > 0  # it paints
    assert [chart.title for chart in page.charts] == [
        "各网格走访：已完成 / 计划",
        "机构任务：已走访 / 已分派",
        "各月核查结论",
        "各月线索：新增 / 销号",
    ]


def test_a_task_from_a_filter_the_ledger_export_and_no_exports_for_contractors(
    qtbot: QtBot,
    language: LanguageManager,
    server: LiveServer,
    accounts: dict[str, Account],
    runner: JobRunner,
    tmp_path: Path,
) -> None:
    worker, supervisor = accounts["fw1"], accounts["sup"]
    _visited_household(worker, "赵秀英", 1)
    _visited_household(worker, "孙二娘", 2)
    worker.sync()
    supervisor.sync()
    page = TasksPage(runner)
    qtbot.addWidget(page)
    page.attach(supervisor.session, supervisor.api)
    assert page.export_box.isVisibleTo(page) and page.new_box.isVisibleTo(page)
    qtbot.wait_until(lambda: page.grid_combo.count() == 1, timeout=10_000)
    page.assign_combo.setCurrentIndex(page.assign_combo.findData("agency"))
    page.assignee_edit.setText("A1")
    page.title_edit.setText("第三方核查")
    with qtbot.wait_signal(page.tasks_loaded, timeout=20_000):
        qtbot.mouseClick(page.create_button, Qt.MouseButton.LeftButton)
    assert [(t.title, t.households, t.agency_id) for t in page.tasks] == [("第三方核查", 2, "A1")]
    assert page.table.item(0, 2).text() == "机构 A1"
    assert page.table.item(0, 4).text() == "0/2"

    target = tmp_path / "台账.xlsx"
    page.choose_path = lambda parent, caption, suggested: str(target)
    with qtbot.wait_signal(page.export_finished, timeout=20_000):
        qtbot.mouseClick(page.export_buttons["ledger"], Qt.MouseButton.LeftButton)
    rows = list(load_workbook(target).active.iter_rows(values_only=True))
    assert sorted(str(r[3]) for r in rows[1:] if r[3]) == ["孙二娘", "赵秀英"]

    contractor_page = TasksPage(runner)
    qtbot.addWidget(contractor_page)
    contractor_page.attach(accounts["con"].session, accounts["con"].api)
    assert not contractor_page.export_box.isVisibleTo(contractor_page)
    assert not contractor_page.new_box.isVisibleTo(contractor_page)


def test_split_deals_households_out_in_turn() -> None:
    assert split_evenly(["h1", "h2", "h3"], ["u1", "u2"]) == {"u1": ["h1", "h3"], "u2": ["h2"]}
    assert split_evenly(["h1"], ["u1", "u2"]) == {"u1": ["h1"]}


def test_a_spot_check_draw_shows_its_seed_and_makes_a_task(
    qtbot: QtBot,
    language: LanguageManager,
    accounts: dict[str, Account],
    runner: JobRunner,
) -> None:
    worker, supervisor = accounts["fw1"], accounts["sup"]
    household_id, visit_id = _visited_household(worker, "赵秀英", 1)
    worker.sync()
    supervisor.api.approve(visit_id)
    page = SpotCheckPage(runner)
    qtbot.addWidget(page)
    page.attach(supervisor.api, "S1")
    page.sample_spin.setValue(1)
    page.inspectors_spin.setValue(1)
    page.seed_edit.setText("20260302-street")
    with qtbot.wait_signal(page.draw_finished, timeout=20_000) as drawn:
        qtbot.mouseClick(page.draw_button, Qt.MouseButton.LeftButton)
    record = drawn.args[0]
    assert record.selected == (household_id,)
    assert page.seed_label.text() == "随机种子：20260302-street"
    assert "同一样本" in page.result_label.text()
    assert len(record.task_ids) == 1
    with qtbot.wait_signal(page.draws_loaded, timeout=20_000):
        qtbot.mouseClick(page.refresh_button, Qt.MouseButton.LeftButton)
    assert page.table.item(0, 2).text() == "20260302-street"


def test_the_agency_admin_splits_an_agency_task_among_staff(
    qtbot: QtBot,
    language: LanguageManager,
    server: LiveServer,
    accounts: dict[str, Account],
    runner: JobRunner,
    tmp_path: Path,
) -> None:
    with server.session() as session:
        server_accounts.create_user(
            session,
            username="aa1",
            password=PASSWORD,
            role=Role.AGENCY_ADMIN,
            argon2=TEST_ARGON2,
            agency_id="A1",
        )
        session.commit()
    service = AccountService(
        ProfileDirectory(tmp_path / "aa1"), register=server_registration, kdf=KdfParams.for_tests()
    )
    admin_session = service.register(server.url, "aa1", PASSWORD)
    admin = Account(
        admin_session, default_engine_factory(admin_session, PASSWORD, admin_session.initial_tokens)
    )
    try:
        worker = accounts["fw1"]
        first, _ = _visited_household(worker, "赵秀英", 1)
        second, _ = _visited_household(worker, "孙二娘", 2)
        worker.sync()
        task = accounts["sup"].api.create_task(
            kind="periodic_review", household_ids=[first, second], agency_id="A1"
        )
        admin.sync()
        page = TasksPage(runner)
        qtbot.addWidget(page)
        page.attach(admin.session, admin.api)
        assert not page.export_box.isVisibleTo(page)  # agency staff: no exports
        assert not page.new_box.isVisibleTo(page)  # tasks come from the street office
        with qtbot.wait_signal(page.tasks_loaded, timeout=20_000):
            qtbot.mouseClick(page.refresh_button, Qt.MouseButton.LeftButton)
        assert [t.task_id for t in page.tasks] == [task.task_id]
        page.table.selectRow(0)
        page.staff_edit.setText(server.user_ids["con"])
        with qtbot.wait_signal(page.tasks_loaded, timeout=20_000):
            qtbot.mouseClick(page.split_button, Qt.MouseButton.LeftButton)
        shares = [t for t in page.tasks if t.parent_task_id == task.task_id]
        assert [(t.assignee_user_id, t.households) for t in shares] == [(server.user_ids["con"], 2)]
    finally:
        admin.engine.close()
        admin.session.close()

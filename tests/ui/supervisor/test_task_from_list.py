"""A supervisor makes a verification task from an imported list in the desktop app: rows of ID
numbers or household ids are resolved against the area's synced households; a list with any
unusable row is refused row by row and creates nothing; a clean one creates the task."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from tests.sync.e2e.harness import LiveServer, household_content, id_number
from tests.ui.supervisor.conftest import Account
from ui.i18n import LanguageManager
from ui.jobs import JobRunner
from ui.supervisor.tasks_page import TasksPage

pytestmark = pytest.mark.slow


def _households(worker: Account) -> list[str]:
    store = worker.session.store
    return [
        store.create_household(
            grid_id="G1", content=household_content(head, serial, 2)
        ).household_id
        for serial, head in ((1, "赵秀英"), (2, "孙二娘"), (3, "李大嘴"))
    ]


def _server_tasks(supervisor: Account) -> list[tuple[str, tuple[str, ...]]]:
    return [(t.title, t.household_ids) for t in supervisor.api.tasks()]


def test_a_list_with_bad_rows_is_refused_then_a_clean_one_becomes_a_task(
    qtbot: QtBot,
    language: LanguageManager,
    server: LiveServer,
    accounts: dict[str, Account],
    runner: JobRunner,
    tmp_path: Path,
) -> None:
    worker, supervisor = accounts["fw1"], accounts["sup"]
    first, second, third = _households(worker)
    worker.sync()
    supervisor.sync()
    page = TasksPage(runner)
    qtbot.addWidget(page)
    page.attach(supervisor.session, supervisor.api)
    page.show()
    page.assign_combo.setCurrentIndex(page.assign_combo.findData("user"))
    page.assignee_edit.setText(server.user_ids["fw1"])
    page.title_edit.setText("审计抽查名单")

    # A CSV from Excel on Chinese Windows (GBK): header, a good ID number (the second member of
    # household 1), a household id, an ID number with a wrong check digit, an unknown household
    # id and a valid ID number of nobody in the area.
    good_member = id_number(1 * 7 + 1)
    wrong_check = id_number(2 * 7)[:-1] + ("0" if id_number(2 * 7)[-1] != "0" else "1")
    nobody = id_number(500)
    bad = tmp_path / "名单.csv"
    bad.write_bytes(
        "\n".join(
            ["身份证号", good_member, second, wrong_check, "no-such-household", nobody]
        ).encode("gb18030")
    )
    page.choose_list_path = lambda parent, caption, suggested: str(bad)
    with qtbot.wait_signal(page.list_refused, timeout=20_000) as refused:
        qtbot.mouseClick(page.import_button, Qt.MouseButton.LeftButton)
    assert refused.args == [3]
    problems = page.list_problems
    assert [p.split("：")[0] for p in problems] == ["第 4 行", "第 5 行", "第 6 行"]
    assert "无效" in problems[0] and wrong_check not in problems[0]  # shown masked
    assert "no-such-household" in problems[1]
    assert "没有身份证号为" in problems[2]
    assert page.problems_list.isVisible() and page.message_label.isVisible()
    assert "未创建任务" in page.message_label.text()
    assert _server_tasks(supervisor) == []  # nothing half-created

    # The corrected list, as an Excel file: same households, one named twice.
    good = tmp_path / "名单.xlsx"
    book = Workbook()
    sheet = book.active
    for value in ("户编号", good_member, second, third, first):
        sheet.append([value])
    book.save(good)
    page.choose_list_path = lambda parent, caption, suggested: str(good)
    with qtbot.wait_signal(page.task_created, timeout=20_000):
        qtbot.mouseClick(page.import_button, Qt.MouseButton.LeftButton)
    qtbot.wait_until(lambda: len(page.tasks) == 1, timeout=20_000)
    assert not page.problems_list.isVisible()
    assert page.status_label.text() == "任务已创建，共 3 户。"
    [(title, household_ids)] = _server_tasks(supervisor)
    assert title == "审计抽查名单"
    assert set(household_ids) == {first, second, third}

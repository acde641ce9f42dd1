"""The review screen states the server's verdict on each visit's device signature: verified
with the signing device for an intact visit, a red warning for one altered after signing."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.domain import VisitKind
from app.services.demo import complete_signed
from tests.sync.e2e.harness import LiveServer, household_content, visit_content
from tests.ui.supervisor.conftest import Account
from ui.i18n import LanguageManager
from ui.jobs import JobRunner
from ui.supervisor.review_page import SIGNATURE_COLUMN, ReviewQueuePage

pytestmark = pytest.mark.slow


def _complete(worker: Account, serial: int) -> str:
    store = worker.session.store
    household = store.create_household(
        grid_id="G1", content=household_content(f"户主{serial}", serial)
    )
    visit = store.create_visit_draft(
        household.household_id,
        VisitKind.PERIODIC_REVIEW,
        visit_content(),
        visit_date=date(2026, 3, 2),
    )
    complete_signed(store, visit.visit_id)
    return visit.visit_id


def _open(qtbot: QtBot, page: ReviewQueuePage, visit_id: str) -> None:
    row = [i.visit_id for i in page.items].index(visit_id)
    with qtbot.wait_signal(
        page.detail_loaded, timeout=20_000, check_params_cb=lambda v: v == visit_id
    ):
        page.queue_table.selectRow(row)


def test_good_and_tampered_visits_show_their_signature_status(
    qtbot: QtBot,
    language: LanguageManager,
    server: LiveServer,
    accounts: dict[str, Account],
    runner: JobRunner,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    worker, supervisor = accounts["fw1"], accounts["sup"]
    good, bad = _complete(worker, 1), _complete(worker, 2)
    wire = worker.engine._wire

    def tamper(entry: Any) -> dict[str, Any]:
        mutation = wire(entry)
        if mutation["entity_id"] == bad:
            mutation["changed"]["finding_reasons"] = "已由他人改写"
        return mutation

    monkeypatch.setattr(worker.engine, "_wire", tamper)
    worker.sync()
    supervisor.sync()
    device = worker.session.profile.device_id

    page = ReviewQueuePage(runner)
    qtbot.addWidget(page)
    page.resize(1366, 700)
    page.show()
    page.attach(supervisor.session, supervisor.api)
    with qtbot.wait_signal(page.queue_loaded, timeout=20_000):
        qtbot.mouseClick(page.refresh_button, Qt.MouseButton.LeftButton)

    # The queue already marks the altered visit.
    rows = {i.visit_id: r for r, i in enumerate(page.items)}
    assert page.queue_table.item(rows[good], SIGNATURE_COLUMN).text() == "已验证 ✔"
    bad_cell = page.queue_table.item(rows[bad], SIGNATURE_COLUMN)
    assert bad_cell.text() == "未通过验证"
    assert bad_cell.foreground().color() == Qt.GlobalColor.red

    _open(qtbot, page, good)
    text, warning = page.signature_status
    assert text == f"设备签名已验证 ✔（设备 {device}）"
    assert not warning and page.device_signature_label.isVisible()

    _open(qtbot, page, bad)
    text, warning = page.signature_status
    assert warning
    assert "设备签名不符" in text and device in text

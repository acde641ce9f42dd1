"""The whole review loop with the real server on loopback, through the review screen and the
visit form: the worker completes and syncs a visit; the supervisor returns it with a comment on
the income field; the worker sees the comment at that field, revises and syncs; the supervisor
approves. Every step is in the server's hash-chained audit log."""

from __future__ import annotations

import subprocess
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlmodel import col, select

from app.domain import IncomeItem, IncomeType, VisitKind, VisitStatus
from app.services.demo import complete_signed
from app.services.review import review_comments, revise_returned
from app.services.visit_form import FormCheck, required_signers
from sync.server.audit import verify_chain
from sync.server.models import AuditEntry
from tests.sync.e2e.harness import LiveServer, household_content, visit_content
from tests.ui.supervisor.conftest import Account
from ui.i18n import LanguageManager
from ui.jobs import JobRunner
from ui.printing import demo_signature_png
from ui.supervisor.comments import ReviewCommentsBar
from ui.supervisor.review_page import FIELD_PATH_ROLE, ReviewQueuePage
from ui.widgets.visit_form import VisitFormPage

pytestmark = pytest.mark.slow

INCOME_PATH = "incomes.0.monthly_amount"


def _complete_first_visit(worker: Account) -> tuple[str, str]:
    store = worker.session.store
    made = household_content("赵秀英", 1, 2)
    household = store.create_household(grid_id="G1", content=made)
    content = visit_content().model_copy(
        update={
            "members": made.members,
            "incomes": (IncomeItem(type=IncomeType.WAGES, monthly_amount=Decimal("800")),),
        }
    )
    visit = store.create_visit_draft(
        household.household_id, VisitKind.PERIODIC_REVIEW, content, visit_date=date(2026, 3, 2)
    )
    complete_signed(store, visit.visit_id)
    return household.household_id, visit.visit_id


def _open_in_queue(qtbot: QtBot, page: ReviewQueuePage, visit_id: str) -> None:
    with qtbot.wait_signal(page.queue_loaded, timeout=20_000):
        qtbot.mouseClick(page.refresh_button, Qt.MouseButton.LeftButton)
    row = [i.visit_id for i in page.items].index(visit_id)
    with qtbot.wait_signal(
        page.detail_loaded, timeout=20_000, check_params_cb=lambda v: v == visit_id
    ):
        page.queue_table.selectRow(row)


def test_return_with_an_income_comment_revise_and_approve(
    qtbot: QtBot,
    language: LanguageManager,
    server: LiveServer,
    accounts: dict[str, Account],
    runner: JobRunner,
    tmp_path: Path,
) -> None:
    worker, supervisor = accounts["fw1"], accounts["sup"]
    household_id, visit_id = _complete_first_visit(worker)
    worker.sync()
    assert worker.session.visit(visit_id).status is VisitStatus.SYNCED  # the server has it
    supervisor.sync()  # the visit's content reaches the supervisor's laptop

    page = ReviewQueuePage(runner)
    qtbot.addWidget(page)
    page.resize(1366, 700)
    page.show()
    page.attach(supervisor.session, supervisor.api)
    _open_in_queue(qtbot, page, visit_id)
    assert page.visit_title.text().startswith("赵秀英 · 2026-03-02")
    decision = page.eligibility.decision
    assert decision is not None  # the laptop's result, with reasons
    # The reviewer reads each rule with its numbers, in Chinese, as the engine stated it.
    shown = [
        page.eligibility.reasons_list.item(r).text()
        for r in range(page.eligibility.reasons_list.count())
    ]
    assert len(shown) == len(decision.reasons) > 0
    assert [text[2:] for text in shown] == [reason.text("zh") for reason in decision.reasons]
    assert any("元" in text for text in shown)
    # The income's amount is a row of the data; choosing it pins the comment there.
    paths = [
        page.data_table.item(r, 0).data(FIELD_PATH_ROLE) for r in range(page.data_table.rowCount())
    ]
    row = paths.index(INCOME_PATH)
    assert page.data_table.item(row, 1).text() == "800"
    assert page.data_table.item(row, 0).text() == "收入 第1项 月金额"
    # The signature images come to a supervisor's laptop on demand: opening the visit fetched
    # them, so the page shows each signer's image and nothing is missing.
    signers = {ref.signer for ref in supervisor.session.visit(visit_id).content.signatures}
    shown_items = [page.photos_list.item(i).text() for i in range(page.photos_list.count())]
    assert len([t for t in shown_items if t.startswith("签名")]) == len(signers) >= 3
    assert not any("尚未" in t or "not on this laptop" in t for t in shown_items)
    # The printable form of the visit under review, as a Chinese PDF, with those signatures.
    pdf = tmp_path / "走访表.pdf"
    page.choose_path = lambda parent, caption, suggested: str(pdf)
    with qtbot.wait_signal(page.printed, timeout=30_000):
        qtbot.mouseClick(page.print_button, Qt.MouseButton.LeftButton)
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    assert "赵秀英" in text and "800" in text
    page.data_table.selectRow(row)
    assert page.field_combo.currentData() == INCOME_PATH
    assert not page.return_button.isEnabled()  # a return needs a comment
    page.comment_edit.setText("工资条显示每月1200元")  # (keyClicks types ASCII only)
    qtbot.mouseClick(page.add_comment_button, Qt.MouseButton.LeftButton)
    assert page.comments_list.item(0).text() == "收入 第1项 月金额：工资条显示每月1200元"
    with qtbot.wait_signal(page.decision_made, timeout=20_000) as returned:
        qtbot.mouseClick(page.return_button, Qt.MouseButton.LeftButton)
    assert returned.args == [visit_id, "returned"]
    assert page.items == []

    # The worker's laptop pulls the decision; the revision shows the comment at the income.
    worker.sync()
    assert worker.session.visit(visit_id).status is VisitStatus.RETURNED
    revision = revise_returned(worker.session, visit_id)
    comments = review_comments(worker.session, revision.visit_id)
    assert [(c.field, c.comment) for c in comments] == [(INCOME_PATH, "工资条显示每月1200元")]
    form = VisitFormPage()
    qtbot.addWidget(form)
    form.resize(1366, 700)
    form.show()
    form.open_visit(
        visit_id=revision.visit_id,
        household_id=household_id,
        head_name="赵秀英",
        kind=revision.kind,
        content=revision.content,
    )
    bar = ReviewCommentsBar.pin(form, comments)
    form.go_to_step(2)
    assert bar.isVisible()
    assert "收入 第1项 月金额：工资条显示每月1200元" in bar.text_label.text()
    amount = form.incomes.row_widget(0, "monthly_amount")
    assert amount.toolTip() == "工资条显示每月1200元"
    assert form.steps_list.item(2).toolTip() == "审核人员对此步骤提出了意见"
    form.go_to_step(0)
    assert "1 条意见在其他步骤" in bar.text_label.text()
    form.go_to_step(2)
    amount.setText("1200")
    # The household signs the corrected record again (the returned one's signature stays
    # with it), as does each visitor, then the worker completes the revision.
    for seed, signer in enumerate(required_signers(form.current_check().content)):
        signed = worker.session.add_signature(revision.visit_id, signer, demo_signature_png(seed))
    form.update_base(signed.content)
    form.finding.notice_check.setChecked(True)
    with qtbot.wait_signal(form.complete_requested, timeout=10_000) as completing:
        qtbot.mouseClick(form.complete_button, Qt.MouseButton.LeftButton)
    check: FormCheck = completing.args[1]
    assert check.content.incomes[0].monthly_amount == Decimal("1200")
    worker.session.complete_visit(revision.visit_id, check.content)
    worker.sync()

    # Back in the queue: the supervisor sees the change against the returned revision's
    # predecessor visit and approves.
    supervisor.sync()
    _open_in_queue(qtbot, page, revision.visit_id)
    history_text = "\n".join(
        page.history_list.item(i).text() for i in range(page.history_list.count())
    )
    assert "退回" in history_text and "工资条显示每月1200元" in history_text
    with qtbot.wait_signal(page.decision_made, timeout=20_000) as approved:
        qtbot.mouseClick(page.approve_button, Qt.MouseButton.LeftButton)
    assert approved.args == [revision.visit_id, "approved"]
    worker.sync()
    assert worker.session.visit(revision.visit_id).status is VisitStatus.APPROVED

    # Every step in the server's audit log, and the chain intact.
    with server.session() as session:
        entries = session.exec(select(AuditEntry).order_by(col(AuditEntry.n))).all()
        chain = verify_chain(session, server.keys)
    assert chain.ok
    users = {v: k for k, v in server.user_ids.items()}

    def steps_for(visit: str) -> list[tuple[str, str]]:
        return [(users.get(e.user_id or "", ""), e.action) for e in entries if e.entity_id == visit]

    # signed, completed and pushed by the worker, marked synced by the server ("") as it took
    # the visit, opened (under review, history read) and returned by the supervisor, then
    # marked revised by the worker's revision
    assert steps_for(visit_id) == [
        ("fw1", "create"),
        ("fw1", "change"),
        ("fw1", "change"),
        ("", "change"),
        ("sup", "change"),
        ("sup", "read"),
        ("sup", "change"),
        ("sup", "review"),
        ("fw1", "change"),
    ]
    assert steps_for(revision.visit_id) == [
        ("fw1", "create"),
        *[("fw1", "change")] * 3,  # signed by the household and the two visitors
        ("fw1", "change"),  # the corrected income
        ("fw1", "change"),  # completed
        ("", "change"),  # synced
        ("sup", "change"),
        ("sup", "read"),
        ("sup", "change"),
        ("sup", "review"),
    ]
    decisions = [
        (e.entity_id, e.detail["decision"], e.detail["fields"])
        for e in entries
        if e.action == "review"
    ]
    assert decisions == [
        (visit_id, "returned", ["incomes"]),
        (revision.visit_id, "approved", []),
    ]

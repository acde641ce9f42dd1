"""The supervisor's review queue (审核): synced visits waiting, one opened with its data, photos,
signatures, eligibility and the diff against the household's previous visit; approve, or return
with comments pinned to fields; the history of decisions.

Every server call and every store read runs in the page's `JobRunner` (the shell's, so store
access stays serialised with the rest of the app); the widgets only show what comes back.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QEvent, QSize, Qt, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.domain import VisitContent, VisitKind, VisitStatus
from app.errors import JiafangError
from app.models.views import VisitView
from app.services.review import (
    ReviewDetail,
    head_names,
    printable_visit_form,
    review_detail,
)
from app.services.session import AccountSession
from sync.client.supervisor import (
    FieldComment,
    QueueItem,
    ReviewHistory,
    SignatureCheck,
    SupervisorApi,
)
from ui.jobs import JobContext, JobRunner
from ui.labels import visit_kind_label, visit_status_label
from ui.printing import print_visit_form
from ui.supervisor.fields import field_label, field_value
from ui.widgets.common import current_language, error_text, label, make_table
from ui.widgets.visit_form import EligibilityPanel

logger = logging.getLogger(__name__)

VISIT_ID_ROLE = Qt.ItemDataRole.UserRole + 1
FIELD_PATH_ROLE = Qt.ItemDataRole.UserRole + 2
THUMB_SIZE = 120
#: the queue column with the server's verdict on the device signature
SIGNATURE_COLUMN = 5
#: outcomes of the server's eligibility recomputation (sync.server.recompute.Outcome)
MATCH, DIFFERS = "match", "differs"


def _pdf_path(parent: QWidget, caption: str, suggested: str) -> str:
    path, _ = QFileDialog.getSaveFileName(parent, caption, suggested, "PDF (*.pdf)")
    return path


@dataclass(frozen=True)
class _Opened:
    detail: ReviewDetail
    history: ReviewHistory


def _kind_text(raw: str | None) -> str:
    return visit_kind_label(VisitKind(raw)) if raw in set(VisitKind) else (raw or "")


def _status_text(raw: str | None) -> str:
    return visit_status_label(VisitStatus(raw)) if raw in set(VisitStatus) else (raw or "")


def _fetch_attachments(api: SupervisorApi, visit: VisitView) -> int:
    """Bring a visit's photos and signature images to this laptop (they come on demand, not
    with the pull); offline or refused, the page says how many are missing instead."""
    ids = [*visit.content.photo_ids, *(s.attachment_id for s in visit.content.signatures)]
    try:
        return api.keep_attachments(ids)
    except JiafangError as exc:
        logger.info("attachments of a visit under review not fetched: %s", exc.code)
        return 0


def _content_rows(content: VisitContent) -> list[tuple[str, str]]:
    """(field path, value) of the visit's observations, one row per leaf value."""
    from app.services.review import visit_diff

    return [(c.path, c.after) for c in visit_diff(VisitContent(), content)]


class ReviewQueuePage(QWidget):
    queue_loaded = Signal(int)
    """The queue was fetched from the server (number of visits waiting)."""
    detail_loaded = Signal(str)
    """A visit was opened in the detail view (its id)."""
    decision_made = Signal(str, str)
    """The server recorded a decision (visit id, `approved` / `returned`)."""
    failed = Signal(str)
    """A call failed (the error code; the message is shown on the page)."""
    printed = Signal(str)
    """The visit form was written as a PDF (its path)."""

    def __init__(self, runner: JobRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._runner = runner
        self._session: AccountSession | None = None
        self._api: SupervisorApi | None = None
        self._items: list[QueueItem] = []
        self._opened: _Opened | None = None
        self._comments: list[FieldComment] = []
        self._heads: dict[str, str] = {}

        self.title = label(name="Title")
        self.refresh_button = QPushButton()
        self.message_label = label(name="Error", wrap=True)
        self.queue_table = make_table(["", "", "", "", "", ""])
        self.queue_table.setMinimumWidth(420)

        self.visit_title = label(name="SectionTitle", wrap=True)
        self.check_label = label(wrap=True)
        self.device_signature_label = label(name="Muted", wrap=True)
        self.data_table = make_table(["", ""])
        self.diff_table = make_table(["", "", ""])
        self.photos_list = QListWidget()
        self.photos_list.setViewMode(QListWidget.ViewMode.IconMode)
        self.photos_list.setIconSize(QSize(THUMB_SIZE, THUMB_SIZE))
        self.photos_list.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.history_list = QListWidget()
        self.tabs = QTabWidget()
        self.tabs.addTab(self.data_table, "")
        self.tabs.addTab(self.diff_table, "")
        self.tabs.addTab(self.photos_list, "")
        self.tabs.addTab(self.history_list, "")
        self.eligibility = EligibilityPanel()

        self.field_combo = QComboBox()
        self.field_combo.setMinimumWidth(160)
        self.comment_edit = QLineEdit()
        self.add_comment_button = QPushButton()
        self.comments_list = QListWidget()
        self.comments_list.setMaximumHeight(70)
        self.note_edit = QLineEdit()
        self.approve_button = QPushButton()
        self.approve_button.setObjectName("Primary")
        self.return_button = QPushButton()
        self.print_button = QPushButton()
        self.choose_path: Callable[[QWidget, str, str], str] = _pdf_path

        heading = QHBoxLayout()
        heading.addWidget(self.title)
        heading.addStretch(1)
        heading.addWidget(self.refresh_button)

        detail = QWidget()
        detail_layout = QVBoxLayout(detail)
        detail_layout.setContentsMargins(0, 0, 0, 0)
        detail_layout.addWidget(self.visit_title)
        detail_layout.addWidget(self.check_label)
        detail_layout.addWidget(self.device_signature_label)
        middle = QHBoxLayout()
        middle.addWidget(self.tabs, 1)
        middle.addWidget(self.eligibility)
        detail_layout.addLayout(middle, 1)
        comment_row = QHBoxLayout()
        self.field_caption = label()
        comment_row.addWidget(self.field_caption)
        comment_row.addWidget(self.field_combo)
        comment_row.addWidget(self.comment_edit, 1)
        comment_row.addWidget(self.add_comment_button)
        detail_layout.addLayout(comment_row)
        detail_layout.addWidget(self.comments_list)
        decision_row = QHBoxLayout()
        self.note_caption = label()
        decision_row.addWidget(self.note_caption)
        decision_row.addWidget(self.note_edit, 1)
        decision_row.addWidget(self.print_button)
        decision_row.addWidget(self.return_button)
        decision_row.addWidget(self.approve_button)
        detail_layout.addLayout(decision_row)

        splitter = QSplitter()
        splitter.addWidget(self.queue_table)
        splitter.addWidget(detail)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([450, 810])
        layout = QVBoxLayout(self)
        layout.addLayout(heading)
        layout.addWidget(self.message_label)
        layout.addWidget(splitter, 1)

        self.refresh_button.clicked.connect(self.refresh)
        self.queue_table.itemSelectionChanged.connect(self._on_queue_table_selection_changed)
        self.data_table.itemSelectionChanged.connect(self._on_data_table_selection_changed)
        self.diff_table.itemSelectionChanged.connect(self._on_diff_table_selection_changed)
        self.add_comment_button.clicked.connect(self._on_add_comment_clicked)
        self.comment_edit.returnPressed.connect(self._on_add_comment_clicked)
        self.approve_button.clicked.connect(self._on_approve_clicked)
        self.return_button.clicked.connect(self._on_return_clicked)
        self.print_button.clicked.connect(self._on_print_clicked)
        self.message_label.hide()
        self.retranslate()
        self._show_detail(None)

    # -- wiring -------------------------------------------------------------------------------

    def attach(self, session: AccountSession | None, api: SupervisorApi | None) -> None:
        """Work with this account's store and server connection (None: signed out)."""
        self._session, self._api = session, api
        self._items = []
        self._opened = None
        self.queue_table.setRowCount(0)
        self._show_detail(None)

    @property
    def items(self) -> list[QueueItem]:
        return list(self._items)

    @property
    def comments(self) -> list[FieldComment]:
        return list(self._comments)

    @property
    def opened_visit_id(self) -> str | None:
        return self._opened.detail.visit.visit_id if self._opened else None

    # -- texts --------------------------------------------------------------------------------

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.title.setText(self.tr("Reviews"))
        self.refresh_button.setText(self.tr("Refresh"))
        self.queue_table.setHorizontalHeaderLabels(
            [
                self.tr("Visit date"),
                self.tr("Head of household"),
                self.tr("Kind"),
                self.tr("Status"),
                self.tr("Server check"),
                self.tr("Signature"),
            ]
        )
        self.data_table.setHorizontalHeaderLabels([self.tr("Field"), self.tr("Value")])
        self.diff_table.setHorizontalHeaderLabels(
            [self.tr("Field"), self.tr("Previous visit"), self.tr("This visit")]
        )
        self.tabs.setTabText(0, self.tr("Data"))
        self.tabs.setTabText(1, self.tr("Changes"))
        self.tabs.setTabText(2, self.tr("Photos and signatures"))
        self.tabs.setTabText(3, self.tr("History"))
        self.field_caption.setText(self.tr("Comment on"))
        self.comment_edit.setPlaceholderText(self.tr("What must the author check or correct?"))
        self.add_comment_button.setText(self.tr("Add comment"))
        self.note_caption.setText(self.tr("Note"))
        self.approve_button.setText(self.tr("Approve"))
        self.return_button.setText(self.tr("Return for correction"))
        self.print_button.setText(self.tr("Print form (PDF)"))
        self._fill_field_combo()
        self._fill_queue()
        self._render_detail()

    def _fill_field_combo(self) -> None:
        current = self.field_combo.currentData()
        self.field_combo.clear()
        for name in (
            "incomes",
            "assets",
            "expenses",
            "members",
            "housing_conditions",
            "living_conditions",
            "neighbour_interviews",
            "visitors",
            "signatures",
            "photo_ids",
            "finding",
            "finding_reasons",
            "eligibility",
        ):
            self.field_combo.addItem(field_label(name), name)
        if current:
            self._select_field(str(current))

    def _select_field(self, path: str) -> None:
        index = self.field_combo.findData(path)
        if index < 0:
            self.field_combo.addItem(field_label(path), path)
            index = self.field_combo.count() - 1
        self.field_combo.setCurrentIndex(index)

    # -- queue --------------------------------------------------------------------------------

    def refresh(self) -> None:
        api, session = self._api, self._session
        if api is None:
            return

        def load(ctx: JobContext) -> tuple[list[QueueItem], dict[str, str]]:
            items = api.review_queue()
            if session is None:
                return items, {}
            return items, head_names(session, (item.household_id for item in items))

        self._runner.run(
            load,
            finished=self._on_queue_loaded,
            failed=self._on_job_failed,
            name="review-queue",
        )

    def _on_queue_loaded(self, result: tuple[list[QueueItem], dict[str, str]]) -> None:
        items, self._heads = result
        self._items = items
        self.message_label.hide()
        self._fill_queue()
        self.queue_loaded.emit(len(items))

    def _fill_queue(self) -> None:
        table = self.queue_table
        table.blockSignals(True)
        table.setRowCount(len(self._items))
        for row, item in enumerate(self._items):
            check = item.check
            if check is None or check.outcome not in (MATCH, DIFFERS):
                check_text = self.tr("Not compared")
            elif check.outcome == MATCH:
                check_text = self.tr("Agrees")
            else:
                check_text = self.tr("Differs")
            signature = item.signature
            if signature is None:
                signature_text = self.tr("Not checked")
            elif signature.verified:
                signature_text = self.tr("Verified ✔")
            else:
                signature_text = self.tr("Not verified")
            values = [
                item.visit_date.isoformat() if item.visit_date else "",
                self._heads.get(item.household_id or "", self.tr("(not synced yet)")),
                _kind_text(item.kind),
                _status_text(item.status),
                check_text,
                signature_text,
            ]
            for column, value in enumerate(values):
                cell = QTableWidgetItem(value)
                cell.setData(VISIT_ID_ROLE, item.visit_id)
                if column == 4 and check is not None and check.outcome == DIFFERS:
                    cell.setForeground(Qt.GlobalColor.red)
                if column == SIGNATURE_COLUMN and signature is not None and not signature.verified:
                    cell.setForeground(Qt.GlobalColor.red)
                table.setItem(row, column, cell)
        table.resizeColumnsToContents()
        table.blockSignals(False)

    def _on_queue_table_selection_changed(self) -> None:
        rows = self.queue_table.selectionModel().selectedRows()
        if not rows:
            return
        self.open_visit(self._items[rows[0].row()].visit_id)

    # -- detail -------------------------------------------------------------------------------

    def open_visit(self, visit_id: str) -> None:
        session, api = self._session, self._api
        if session is None or api is None:
            return

        def load(ctx: JobContext) -> _Opened:
            detail = review_detail(session, visit_id)
            if detail.missing_attachments and _fetch_attachments(api, detail.visit):
                detail = review_detail(session, visit_id)
            ctx.raise_if_cancelled()
            if detail.visit.status in (VisitStatus.COMPLETED, VisitStatus.SYNCED):
                api.start_review(visit_id)  # the author's laptop then shows 审核中
            return _Opened(detail, api.history(visit_id))

        self._runner.run(
            load, finished=self._on_visit_loaded, failed=self._on_job_failed, name="review-open"
        )

    def _on_visit_loaded(self, opened: _Opened) -> None:
        self._opened = opened
        self._comments = []
        self.comment_edit.clear()
        self.note_edit.clear()
        self.message_label.hide()
        self._show_detail(opened)
        self.detail_loaded.emit(opened.detail.visit.visit_id)

    def _show_detail(self, opened: _Opened | None) -> None:
        enabled = opened is not None
        for widget in (
            self.approve_button,
            self.return_button,
            self.add_comment_button,
            self.comment_edit,
            self.field_combo,
            self.note_edit,
            self.print_button,
        ):
            widget.setEnabled(enabled)
        self._render_detail()

    def _render_detail(self) -> None:
        opened = self._opened
        self.comments_list.clear()
        for comment in self._comments:
            self.comments_list.addItem(f"{field_label(comment.field)}：{comment.comment}")
        self.return_button.setEnabled(opened is not None and bool(self._comments))
        if opened is None:
            self.visit_title.setText(self.tr("Choose a visit from the queue."))
            self.check_label.setText("")
            self.device_signature_label.setText("")
            self.data_table.setRowCount(0)
            self.diff_table.setRowCount(0)
            self.photos_list.clear()
            self.history_list.clear()
            self.eligibility.set_decision(None)
            return
        detail = opened.detail
        visit = detail.visit
        self.visit_title.setText(
            self.tr("%1 · %2 · %3 · revision %4")
            .replace("%1", detail.head_name)
            .replace("%2", visit.visit_date.isoformat() if visit.visit_date else "")
            .replace("%3", visit_kind_label(visit.kind))
            .replace("%4", str(visit.revision))
        )
        item = next((i for i in self._items if i.visit_id == visit.visit_id), None)
        check = item.check if item else None
        if check is None:
            self.check_label.setText(self.tr("The server has not recomputed this visit yet."))
        elif check.outcome == MATCH:
            self.check_label.setText(self.tr("The server's recomputation agrees with the laptop."))
        elif check.outcome == "no_client_result":
            self.check_label.setText(
                self.tr("The laptop sent no eligibility result; the server could not compare.")
            )
        elif check.outcome != DIFFERS:
            self.check_label.setText(
                self.tr("The server could not recompute this visit (%1).").replace(
                    "%1", check.outcome
                )
            )
        else:
            self.check_label.setText(
                self.tr("The server's recomputation differs: %1").replace(
                    "%1", "、".join(field_label(d) for d in check.differences) or check.outcome
                )
            )
        self._show_signature(item.signature if item else None)
        names = {m.member_id: m.name for m in visit.content.members}
        # A row's member is shown by name; the member records' own ids are bookkeeping.
        rows = [
            (path, names.get(value, value) if path.endswith(".member_id") else value)
            for path, value in _content_rows(visit.content)
            if not (path.startswith("members.") and path.endswith(".member_id"))
        ]
        self.data_table.setRowCount(len(rows))
        for row, (path, value) in enumerate(rows):
            name = QTableWidgetItem(field_label(path))
            name.setData(FIELD_PATH_ROLE, path)
            self.data_table.setItem(row, 0, name)
            self.data_table.setItem(row, 1, QTableWidgetItem(field_value(path, value)))
        self.data_table.resizeColumnToContents(0)
        self.diff_table.setRowCount(len(detail.changes))
        for row, change in enumerate(detail.changes):
            name = QTableWidgetItem(field_label(change.path))
            name.setData(FIELD_PATH_ROLE, change.path)
            self.diff_table.setItem(row, 0, name)
            self.diff_table.setItem(
                row, 1, QTableWidgetItem(field_value(change.path, change.before))
            )
            self.diff_table.setItem(
                row, 2, QTableWidgetItem(field_value(change.path, change.after))
            )
        self.diff_table.resizeColumnToContents(0)
        if detail.previous is None:
            self.tabs.setTabText(1, self.tr("Changes (first visit)"))
        else:
            self.tabs.setTabText(1, self.tr("Changes"))
        self.photos_list.clear()
        for _photo_id, data in detail.photos:
            self.photos_list.addItem(self._thumb(data, self.tr("Photo")))
        for signer, data in detail.signatures:
            who = self.tr("Household") if signer == "household" else signer
            self.photos_list.addItem(self._thumb(data, self.tr("Signature: %1").replace("%1", who)))
        if detail.missing_attachments:
            self.photos_list.addItem(
                self.tr("%n attachment(s) not on this laptop yet", "", detail.missing_attachments)
            )
        self.history_list.clear()
        for revision in opened.history.revisions:
            for change in revision.status_history:
                self.history_list.addItem(
                    self.tr("%1  revision %2: %3")
                    .replace("%1", change.at[:16].replace("T", " "))
                    .replace("%2", revision.visit_id[-6:])
                    .replace("%3", _status_text(change.status))
                )
        for review in opened.history.reviews:
            decision = self.tr("Approved") if review.decision == "approved" else self.tr("Returned")
            text = f"{review.decided_at[:16].replace('T', ' ')}  {decision}"
            for comment in review.comments:
                text += f"\n    {field_label(comment.field)}：{comment.comment}"
            if review.note:
                text += f"\n    {review.note}"
            self.history_list.addItem(text)
        self.eligibility.set_decision(detail.eligibility)

    def _show_signature(self, check: SignatureCheck | None) -> None:
        """The server's verdict on the visit's device signature: green when verified, a red
        warning otherwise (the record may not be what the laptop completed)."""
        device = (check.device_id if check else None) or self.tr("unknown")
        if check is not None and check.verified:
            text = self.tr("Device signature verified ✔ (device %1)").replace("%1", device)
            name = "Verified"
        elif check is None:
            text = self.tr("Device signature: not checked by the server yet.")
            name = "Muted"
        elif check.outcome == "invalid":
            text = self.tr(
                "Warning: the device signature does not match. This visit may have been altered "
                "after it was completed on device %1; do not approve it without checking."
            ).replace("%1", device)
            name = "Error"
        elif check.outcome == "unsigned":
            text = self.tr(
                "Warning: this visit carries no device signature; it cannot be traced to a laptop."
            )
            name = "Error"
        elif check.outcome == "unknown_device":
            text = self.tr(
                "Warning: the visit is signed by device %1, which the server does not know."
            ).replace("%1", device)
            name = "Error"
        else:
            text = self.tr("Warning: the device signature could not be verified (%1).").replace(
                "%1", check.outcome
            )
            name = "Error"
        label = self.device_signature_label
        label.setText(text)
        if label.objectName() != name:
            label.setObjectName(name)
            label.style().unpolish(label)
            label.style().polish(label)

    @property
    def signature_status(self) -> tuple[str, bool]:
        """(the signature line as shown, whether it is shown as a warning)."""
        label = self.device_signature_label
        return label.text(), label.objectName() == "Error"

    @staticmethod
    def _thumb(data: bytes, caption: str) -> QListWidgetItem:
        pixmap = QPixmap()
        pixmap.loadFromData(data)
        item = QListWidgetItem(caption)
        if not pixmap.isNull():
            item.setIcon(
                pixmap.scaled(
                    THUMB_SIZE,
                    THUMB_SIZE,
                    Qt.AspectRatioMode.KeepAspectRatio,
                    Qt.TransformationMode.SmoothTransformation,
                )
            )
        return item

    def _on_data_table_selection_changed(self) -> None:
        self._pick_field(self.data_table)

    def _on_diff_table_selection_changed(self) -> None:
        self._pick_field(self.diff_table)

    def _pick_field(self, table: QTableWidget) -> None:
        rows = table.selectionModel().selectedRows()
        if rows:
            cell = table.item(rows[0].row(), 0)
            if cell is not None:
                self._select_field(str(cell.data(FIELD_PATH_ROLE)))

    def _on_print_clicked(self) -> None:
        session, opened, api = self._session, self._opened, self._api
        if session is None or opened is None:
            return
        visit = opened.detail.visit
        suggested = (
            f"走访表-{visit.visit_date.isoformat() if visit.visit_date else visit.visit_id}.pdf"
        )
        path = self.choose_path(self, self.tr("Save the visit form"), suggested)
        if not path:
            return
        visit_id, role = visit.visit_id, session.profile.role

        def write(ctx: JobContext) -> Path:
            if api is not None:  # the signature images it prints, if still on the server
                _fetch_attachments(api, session.visit(visit_id))
            return print_visit_form(printable_visit_form(session, visit_id), path, role=role)

        self._runner.run(
            write, finished=self._on_printed, failed=self._on_job_failed, name="print-visit-form"
        )

    def _on_printed(self, path: Path) -> None:
        self.printed.emit(str(path))

    # -- decisions ----------------------------------------------------------------------------

    def add_comment(self, path: str, text: str) -> None:
        """Pin a comment to a field (the buttons call it; tests may too)."""
        if not text.strip() or self._opened is None:
            return
        self._comments.append(FieldComment(path, text.strip()))
        self._render_detail()

    def _on_add_comment_clicked(self) -> None:
        path = self.field_combo.currentData()
        if path:
            self.add_comment(str(path), self.comment_edit.text())
            self.comment_edit.clear()

    def _on_approve_clicked(self) -> None:
        self._decide(lambda api, visit_id: api.approve(visit_id, self.note_edit.text().strip()))

    def _on_return_clicked(self) -> None:
        comments = list(self._comments)
        note = self.note_edit.text().strip()
        if not comments:
            return
        self._decide(lambda api, visit_id: api.return_visit(visit_id, comments, note))

    def _decide(self, call: Callable[[SupervisorApi, str], object]) -> None:
        api, opened = self._api, self._opened
        if api is None or opened is None:
            return
        visit_id = opened.detail.visit.visit_id
        self.approve_button.setEnabled(False)
        self.return_button.setEnabled(False)

        def decide(ctx: JobContext) -> tuple[str, str]:
            record = call(api, visit_id)
            return visit_id, str(getattr(record, "decision", ""))

        self._runner.run(
            decide, finished=self._on_decided, failed=self._on_job_failed, name="review-decide"
        )

    def _on_decided(self, result: tuple[str, str]) -> None:
        visit_id, decision = result
        self._items = [i for i in self._items if i.visit_id != visit_id]
        self._opened = None
        self._comments = []
        self._fill_queue()
        self._show_detail(None)
        self.decision_made.emit(visit_id, decision)

    def _on_job_failed(self, error: BaseException) -> None:
        code = error.code if isinstance(error, JiafangError) else "unexpected"
        if not isinstance(error, JiafangError):
            logger.error("review job failed: %s", type(error).__name__)
        self.message_label.setText(error_text(error, current_language()))
        self.message_label.show()
        self._show_detail(self._opened)
        self.failed.emit(code)


__all__ = ["ReviewQueuePage"]

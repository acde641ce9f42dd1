"""Conflict items (冲突处理): the open field clashes of the supervisor's area, each with the value
the server kept and the other value side by side; per field the supervisor keeps one, takes the
other or enters a merged value, and the server writes the decided record (every laptop then
pulls it) and records who resolved it, when and how.

Server calls and store reads run in the shell's `JobRunner`; the widgets only show results.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.errors import JiafangError, ValidationError
from app.services.review import head_names
from app.services.session import AccountSession
from sync.client.supervisor import (
    KEEP,
    MERGE,
    OTHER,
    ConflictClash,
    ConflictRecord,
    FieldDecision,
    SupervisorApi,
)
from ui.jobs import JobContext, JobRunner
from ui.supervisor.fields import field_label, field_value
from ui.widgets.common import current_language, error_text, label, make_table

logger = logging.getLogger(__name__)

CONFLICT_ID_ROLE = Qt.ItemDataRole.UserRole + 1
#: columns of the field table
FIELD_COLUMN, KEPT_COLUMN, OTHER_COLUMN, CHOICE_COLUMN, MERGED_COLUMN = range(5)


def _shown(path: str, value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, str):
        return field_value(path, value)
    if isinstance(value, bool):
        return field_value(path, str(value))
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _is_text(clash: ConflictClash) -> bool:
    return all(isinstance(v, str) or v is None for v in (clash.kept, clash.other))


class ConflictsPage(QWidget):
    conflicts_loaded = Signal(int)
    """The open conflicts came from the server (how many)."""
    resolved = Signal(str)
    """The server recorded a resolution (conflict id)."""
    failed = Signal(str)
    """A call failed or a decision was refused (error code; the message is on the page)."""

    def __init__(self, runner: JobRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._runner = runner
        self._session: AccountSession | None = None
        self._api: SupervisorApi | None = None
        self._items: list[ConflictRecord] = []
        self._heads: dict[str, str] = {}
        self._opened: ConflictRecord | None = None

        self.title = label(name="Title")
        self.explain_label = label(name="Muted", wrap=True)
        self.refresh_button = QPushButton()
        self.message_label = label(name="Error", wrap=True)
        self.conflicts_table = make_table(["", "", "", ""])
        self.conflicts_table.setMinimumWidth(330)
        self.detail_title = label(name="SectionTitle", wrap=True)
        self.fields_table = make_table(["", "", "", "", ""])
        header = self.fields_table.horizontalHeader()
        for column in (FIELD_COLUMN, KEPT_COLUMN, OTHER_COLUMN):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        # Sized to the choice boxes (cell widgets do not count for ResizeToContents).
        header.setSectionResizeMode(CHOICE_COLUMN, QHeaderView.ResizeMode.Fixed)
        header.setSectionResizeMode(MERGED_COLUMN, QHeaderView.ResizeMode.Stretch)
        self.note_edit = QLineEdit()
        self.resolve_button = QPushButton()
        self.resolve_button.setObjectName("Primary")

        heading = QHBoxLayout()
        heading.addWidget(self.title)
        heading.addStretch(1)
        heading.addWidget(self.refresh_button)
        detail = QWidget()
        detail_layout = QVBoxLayout(detail)
        detail_layout.setContentsMargins(0, 0, 0, 0)
        detail_layout.addWidget(self.detail_title)
        detail_layout.addWidget(self.fields_table, 1)
        decision_row = QHBoxLayout()
        self.note_caption = label()
        decision_row.addWidget(self.note_caption)
        decision_row.addWidget(self.note_edit, 1)
        decision_row.addWidget(self.resolve_button)
        detail_layout.addLayout(decision_row)
        splitter = QSplitter()
        splitter.addWidget(self.conflicts_table)
        splitter.addWidget(detail)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([380, 880])
        layout = QVBoxLayout(self)
        layout.addLayout(heading)
        layout.addWidget(self.explain_label)
        layout.addWidget(self.message_label)
        layout.addWidget(splitter, 1)

        self.refresh_button.clicked.connect(self.refresh)
        self.conflicts_table.itemSelectionChanged.connect(self._on_conflicts_selection_changed)
        self.resolve_button.clicked.connect(self._on_resolve_clicked)
        self.message_label.hide()
        self.retranslate()
        self._show(None)

    # -- wiring -------------------------------------------------------------------------------

    def attach(self, session: AccountSession | None, api: SupervisorApi | None) -> None:
        """Work with this account's store and server connection (None: signed out)."""
        self._session, self._api = session, api
        self._items, self._heads, self._opened = [], {}, None
        self.conflicts_table.setRowCount(0)
        self._show(None)

    @property
    def items(self) -> list[ConflictRecord]:
        return list(self._items)

    @property
    def opened_conflict_id(self) -> str | None:
        return self._opened.conflict_id if self._opened else None

    # -- texts --------------------------------------------------------------------------------

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.title.setText(self.tr("Conflicts"))
        self.explain_label.setText(
            self.tr(
                "Two people changed the same field before their laptops synced. For each field "
                "keep the value the server kept, take the other one, or enter a merged value; "
                "every laptop then receives the decided record."
            )
        )
        self.refresh_button.setText(self.tr("Refresh"))
        self.conflicts_table.setHorizontalHeaderLabels(
            [self.tr("Raised"), self.tr("Head of household"), self.tr("Record"), self.tr("Fields")]
        )
        self.fields_table.setHorizontalHeaderLabels(
            [
                self.tr("Field"),
                self.tr("Value the server kept"),
                self.tr("Other value"),
                self.tr("Decision"),
                self.tr("Merged value"),
            ]
        )
        self.note_caption.setText(self.tr("Note"))
        self.resolve_button.setText(self.tr("Resolve"))
        self._fill_list()
        if self._opened is not None:
            self._show(self._opened)

    def _entity_text(self, entity: str | None) -> str:
        names = {
            "household": self.tr("Household"),
            "member": self.tr("Family member"),
            "visit": self.tr("Visit"),
        }
        return names.get(entity or "", entity or "")

    # -- list ---------------------------------------------------------------------------------

    def refresh(self) -> None:
        api, session = self._api, self._session
        if api is None:
            return

        def load(ctx: JobContext) -> tuple[list[ConflictRecord], dict[str, str]]:
            items = api.conflicts()
            if session is None:
                return items, {}
            return items, head_names(session, (item.household_id for item in items))

        self._runner.run(
            load, finished=self._on_loaded, failed=self._on_job_failed, name="conflicts"
        )

    def _on_loaded(self, result: tuple[list[ConflictRecord], dict[str, str]]) -> None:
        self._items, self._heads = result
        self.message_label.hide()
        if self._opened is not None and self._opened.conflict_id not in {
            i.conflict_id for i in self._items
        }:
            self._opened = None
        self._fill_list()
        self._show(self._opened)
        self.conflicts_loaded.emit(len(self._items))

    def _fill_list(self) -> None:
        table = self.conflicts_table
        table.blockSignals(True)
        table.setRowCount(len(self._items))
        for row, item in enumerate(self._items):
            values = [
                item.created_at[:16].replace("T", " "),
                self._heads.get(item.household_id or "", self.tr("(not synced yet)")),
                self._entity_text(item.subject_entity),
                "、".join(field_label(c.field) for c in item.clashes),
            ]
            for column, value in enumerate(values):
                cell = QTableWidgetItem(value)
                cell.setData(CONFLICT_ID_ROLE, item.conflict_id)
                table.setItem(row, column, cell)
        table.resizeColumnsToContents()
        table.blockSignals(False)

    def _on_conflicts_selection_changed(self) -> None:
        rows = self.conflicts_table.selectionModel().selectedRows()
        if rows:
            self.open_conflict(self._items[rows[0].row()].conflict_id)

    # -- detail -------------------------------------------------------------------------------

    def open_conflict(self, conflict_id: str) -> None:
        self._opened = next((i for i in self._items if i.conflict_id == conflict_id), None)
        self.message_label.hide()
        self.note_edit.clear()
        self._show(self._opened)

    def _show(self, item: ConflictRecord | None) -> None:
        table = self.fields_table
        self.resolve_button.setEnabled(item is not None)
        self.note_edit.setEnabled(item is not None)
        if item is None:
            self.detail_title.setText(self.tr("Choose a conflict from the list."))
            table.setRowCount(0)
            return
        head = self._heads.get(item.household_id or "", self.tr("(not synced yet)"))
        self.detail_title.setText(f"{head} · {self._entity_text(item.subject_entity)}")
        table.setRowCount(len(item.clashes))
        choice_width = 0
        for row, clash in enumerate(item.clashes):
            table.setItem(row, FIELD_COLUMN, QTableWidgetItem(field_label(clash.field)))
            table.setItem(row, KEPT_COLUMN, QTableWidgetItem(_shown(clash.field, clash.kept)))
            table.setItem(row, OTHER_COLUMN, QTableWidgetItem(_shown(clash.field, clash.other)))
            choice = QComboBox()
            choice.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
            choice.addItem(self.tr("Keep the server's value"), KEEP)
            choice.addItem(self.tr("Take the other value"), OTHER)
            choice.addItem(self.tr("Enter a merged value"), MERGE)
            # room for the longest choice and the drop-down arrow (the box is not styled yet)
            metrics = self.fontMetrics()
            longest = max(metrics.horizontalAdvance(choice.itemText(i)) for i in range(3))
            choice_width = max(choice_width, longest + 56)
            merged = QLineEdit()
            merged.setEnabled(False)
            merged.setPlaceholderText(
                self.tr("Merged value") if _is_text(clash) else self.tr("Merged value (JSON)")
            )
            choice.currentIndexChanged.connect(
                lambda _i, c=choice, m=merged: m.setEnabled(c.currentData() == MERGE)
            )
            table.setCellWidget(row, CHOICE_COLUMN, choice)
            table.setCellWidget(row, MERGED_COLUMN, merged)
        table.setColumnWidth(CHOICE_COLUMN, choice_width)
        table.resizeRowsToContents()

    def choice_box(self, row: int) -> QComboBox:
        widget = self.fields_table.cellWidget(row, CHOICE_COLUMN)
        assert isinstance(widget, QComboBox)
        return widget

    def merged_edit(self, row: int) -> QLineEdit:
        widget = self.fields_table.cellWidget(row, MERGED_COLUMN)
        assert isinstance(widget, QLineEdit)
        return widget

    def decisions(self) -> list[FieldDecision]:
        """The decisions as entered; `ValidationError` for a merged value that does not parse."""
        item = self._opened
        if item is None:
            return []
        decisions: list[FieldDecision] = []
        for row, clash in enumerate(item.clashes):
            choice = str(self.choice_box(row).currentData())
            value: Any = None
            if choice == MERGE:
                text = self.merged_edit(row).text().strip()
                if _is_text(clash):
                    value = text
                else:
                    try:
                        value = json.loads(text)
                    except ValueError:
                        raise ValidationError(
                            f"“{field_label(clash.field)}”的合并值不是有效的 JSON",
                            f"The merged value of '{field_label(clash.field)}' is not valid JSON",
                            code="merged_value",
                        ) from None
            decisions.append(FieldDecision(clash.field, choice, value))
        return decisions

    def _on_resolve_clicked(self) -> None:
        api, item = self._api, self._opened
        if api is None or item is None:
            return
        try:
            decisions = self.decisions()
        except ValidationError as error:
            self._on_job_failed(error)
            return
        note = self.note_edit.text().strip()
        conflict_id = item.conflict_id
        self.resolve_button.setEnabled(False)

        def resolve(ctx: JobContext) -> ConflictRecord:
            return api.resolve_conflict(conflict_id, decisions, note)

        self._runner.run(
            resolve, finished=self._on_resolved, failed=self._on_job_failed, name="resolve"
        )

    def _on_resolved(self, record: ConflictRecord) -> None:
        self._items = [i for i in self._items if i.conflict_id != record.conflict_id]
        self._opened = None
        self.message_label.hide()
        self._fill_list()
        self._show(None)
        self.resolved.emit(record.conflict_id)

    def _on_job_failed(self, error: BaseException) -> None:
        code = error.code if isinstance(error, JiafangError) else "unexpected"
        if not isinstance(error, JiafangError):
            logger.error("conflict job failed: %s", type(error).__name__)
        self.message_label.setText(error_text(error, current_language()))
        self.message_label.show()
        self.resolve_button.setEnabled(self._opened is not None)
        self.failed.emit(code)


__all__ = ["ConflictsPage"]

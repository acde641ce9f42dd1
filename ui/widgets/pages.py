"""Home, clue ledger and sync pages of the workspace."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QEvent, Signal
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from app.domain import VisitKind
from app.services.readmodels import (
    ClueListItem,
    ConflictItem,
    HomeSummary,
    RejectedItem,
    SyncStatus,
)
from ui.labels import (
    clue_kind_label,
    clue_status_label,
    rejection_reason_label,
    visit_kind_label,
)
from ui.supervisor.fields import field_label
from ui.widgets.common import card, fill_table, label, make_table
from ui.widgets.sync_status import _format_time


def _task_kind_label(kind: str) -> str:
    try:
        return visit_kind_label(VisitKind(kind))
    except ValueError:
        return kind


class _CountTile(QFrame):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Card")
        self.number = QLabel("0")
        self.number.setObjectName("Title")
        self.caption = label(name="Muted", wrap=True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.addWidget(self.number)
        layout.addWidget(self.caption)


class HomePage(QWidget):
    household_activated = Signal(str)
    """A due review was opened (household id)."""
    task_activated = Signal(object)
    """A task was opened (its `TaskItem`)."""
    returned_visit_activated = Signal(str)
    """A returned visit was opened to correct it (visit id)."""
    clue_activated = Signal(str)
    """An open clue was opened (clue id)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._summary: HomeSummary | None = None
        self._display_name = ""
        self.title = label(name="Title")
        self.tiles = [_CountTile() for _ in range(4)]
        tiles = QGridLayout()
        tiles.setHorizontalSpacing(12)
        for i, tile in enumerate(self.tiles):
            tiles.addWidget(tile, 0, i)
        self.tasks_title = label(name="SectionTitle")
        self.tasks_table = make_table(["", "", "", ""])
        self.tasks_table.setObjectName("TasksTable")
        self.tasks_table.setMaximumHeight(150)
        self.tasks_table.cellActivated.connect(self._on_tasks_table_activated)
        self.returned_title = label(name="SectionTitle")
        self.returned_table = make_table(["", "", "", ""])
        self.returned_table.setObjectName("ReturnedTable")
        self.returned_table.setMaximumHeight(150)
        self.returned_table.cellActivated.connect(self._on_returned_table_activated)
        self.clues_title = label(name="SectionTitle")
        self.clues_table = make_table(["", "", "", ""])
        self.clues_table.setObjectName("OpenCluesTable")
        self.clues_table.setMaximumHeight(150)
        self.clues_table.cellActivated.connect(self._on_clues_table_activated)
        self.due_title = label(name="SectionTitle")
        self.due_table = make_table(["", "", ""])
        self.due_table.cellActivated.connect(self._on_due_table_activated)
        # Returned visits and open clues side by side: both are short lists of things to act on.
        pair = QGridLayout()
        pair.setHorizontalSpacing(12)
        pair.addWidget(self.returned_title, 0, 0)
        pair.addWidget(self.returned_table, 1, 0)
        pair.addWidget(self.clues_title, 0, 1)
        pair.addWidget(self.clues_table, 1, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addLayout(tiles)
        layout.addSpacing(8)
        layout.addWidget(self.tasks_title)
        layout.addWidget(self.tasks_table)
        layout.addLayout(pair)
        layout.addWidget(self.due_title)
        layout.addWidget(self.due_table, 1)
        self.retranslate()

    def set_summary(self, summary: HomeSummary | None, *, display_name: str = "") -> None:
        self._summary = summary
        self._display_name = display_name
        self._render()

    def clear(self) -> None:
        self.set_summary(None)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        captions = [
            self.tr("Households in my grids"),
            self.tr("Reviews due within 30 days"),
            self.tr("Open clues"),
            self.tr("Open tasks"),
        ]
        for tile, caption in zip(self.tiles, captions, strict=True):
            tile.caption.setText(caption)
        self.due_title.setText(self.tr("Reviews falling due"))
        self.returned_title.setText(self.tr("Returned for correction"))
        self.returned_table.setHorizontalHeaderLabels(
            [
                self.tr("Visit date"),
                self.tr("Head of household"),
                self.tr("Kind"),
                self.tr("Comments"),
            ]
        )
        self.clues_title.setText(self.tr("Open clues"))
        self.clues_table.setHorizontalHeaderLabels(
            [self.tr("Found on"), self.tr("Clue"), self.tr("Head of household"), self.tr("Member")]
        )
        self.tasks_title.setText(self.tr("My tasks"))
        self.tasks_table.setHorizontalHeaderLabels(
            [self.tr("Deadline"), self.tr("Task"), self.tr("Kind"), self.tr("Progress")]
        )
        self.due_table.setHorizontalHeaderLabels(
            [self.tr("Next review"), self.tr("Head of household"), self.tr("Address")]
        )
        self._render()

    def _render(self) -> None:
        summary = self._summary
        if self._display_name:
            self.title.setText(self.tr("Welcome, %1").replace("%1", self._display_name))
        else:
            self.title.setText(self.tr("Home"))
        counts = (
            [
                summary.household_count,
                len(summary.reviews_due),
                summary.open_clue_count,
                len(summary.tasks),
            ]
            if summary
            else [0] * 4
        )
        for tile, count in zip(self.tiles, counts, strict=True):
            tile.number.setText(str(count))
        task_rows = []
        for task in summary.tasks if summary is not None else ():
            deadline = task.deadline.isoformat() if task.deadline else "—"
            if task.overdue(date.today()):
                deadline += " " + self.tr("(overdue)")
            percent = round(100 * task.done / task.total) if task.total else 0
            task_rows.append(
                [
                    deadline,
                    task.title or "—",
                    _task_kind_label(task.kind),
                    self.tr("%1 of %2 households visited (%3%)")
                    .replace("%1", str(task.done))
                    .replace("%2", str(task.total))
                    .replace("%3", str(percent)),
                ]
            )
        fill_table(self.tasks_table, task_rows)
        fill_table(
            self.returned_table,
            [
                [
                    item.visit_date.isoformat() if item.visit_date else "—",
                    item.head_name,
                    visit_kind_label(item.kind),
                    self.tr("%n comment(s)", "", item.comment_count),
                ]
                for item in (summary.returned if summary is not None else ())
            ],
        )
        fill_table(
            self.clues_table,
            [
                [
                    item.found_on.isoformat() if item.found_on else "—",
                    clue_kind_label(item.kind),
                    item.head_name,
                    item.member_name or "—",
                ]
                for item in (summary.open_clues if summary is not None else ())
            ],
        )
        rows = []
        if summary is not None:
            for item in summary.reviews_due:
                due = item.next_review.isoformat() if item.next_review else "—"
                rows.append([due, item.head_name, item.address])
        fill_table(self.due_table, rows)

    def _on_tasks_table_activated(self, row: int, _column: int) -> None:
        if self._summary is not None and 0 <= row < len(self._summary.tasks):
            self.task_activated.emit(self._summary.tasks[row])

    def _on_returned_table_activated(self, row: int, _column: int) -> None:
        if self._summary is not None and 0 <= row < len(self._summary.returned):
            self.returned_visit_activated.emit(self._summary.returned[row].visit_id)

    def _on_clues_table_activated(self, row: int, _column: int) -> None:
        if self._summary is not None and 0 <= row < len(self._summary.open_clues):
            self.clue_activated.emit(self._summary.open_clues[row].clue_id)

    def _on_due_table_activated(self, row: int, _column: int) -> None:
        if self._summary is not None and 0 <= row < len(self._summary.reviews_due):
            self.household_activated.emit(self._summary.reviews_due[row].household_id)


class CluesPage(QWidget):
    household_activated = Signal(str)
    """A clue's household was opened (household id)."""
    clue_check_requested = Signal(str, str)
    """Start a clue-check visit: (household id, clue id)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._items: list[ClueListItem] = []
        self.title = label(name="Title")
        self.hint = label(name="Muted", wrap=True)
        self.table: QTableWidget = make_table([""] * 6)
        self.table.cellActivated.connect(self._on_table_activated)
        self.check_button = QPushButton()
        self.check_button.setObjectName("Primary")
        self.check_button.setEnabled(False)
        self.table.itemSelectionChanged.connect(self._on_table_selection_changed)
        self.check_button.clicked.connect(self._on_check_clicked)
        heading = QHBoxLayout()
        heading.addWidget(self.title)
        heading.addStretch(1)
        heading.addWidget(self.check_button)
        layout = QVBoxLayout(self)
        layout.addLayout(heading)
        layout.addWidget(self.hint)
        layout.addWidget(self.table, 1)
        self.retranslate()

    def set_clues(self, items: list[ClueListItem]) -> None:
        self._items = list(items)
        self._render()

    def clear(self) -> None:
        self.set_clues([])

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.title.setText(self.tr("Clue ledger"))
        self.check_button.setText(self.tr("Check this clue…"))
        self.hint.setText(
            self.tr(
                "Leads from data comparison about members of my households. Each one is closed "
                "as confirmed or refuted through a clue-check visit."
            )
        )
        self.table.setHorizontalHeaderLabels(
            [
                self.tr("Found on"),
                self.tr("Clue"),
                self.tr("Head of household"),
                self.tr("Member"),
                self.tr("Status"),
                self.tr("Address"),
            ]
        )
        self._render()

    def _render(self) -> None:
        rows = [
            [
                item.found_on.isoformat() if item.found_on else "—",
                clue_kind_label(item.kind),
                item.head_name,
                item.member_name or "—",
                clue_status_label(item.status),
                item.address,
            ]
            for item in self._items
        ]
        fill_table(self.table, rows)

    def _on_table_activated(self, row: int, _column: int) -> None:
        if 0 <= row < len(self._items):
            self.household_activated.emit(self._items[row].household_id)

    def select_clue(self, clue_id: str) -> None:
        """Select a clue's row (opened from Home), ready for "Check this clue…"."""
        row = next((r for r, c in enumerate(self._items) if c.clue_id == clue_id), -1)
        if row >= 0:
            self.table.selectRow(row)

    def clue(self, clue_id: str) -> ClueListItem | None:
        return next((c for c in self._items if c.clue_id == clue_id), None)

    def selected_clue(self) -> ClueListItem | None:
        row = self.table.currentRow()
        selected = self.table.selectionModel().hasSelection()
        return self._items[row] if selected and 0 <= row < len(self._items) else None

    def _on_table_selection_changed(self) -> None:
        self.check_button.setEnabled(self.selected_clue() is not None)

    def _on_check_clicked(self) -> None:
        item = self.selected_clue()
        if item is not None:
            self.clue_check_requested.emit(item.household_id, item.clue_id)


class SyncPage(QWidget):
    sync_requested = Signal()
    """The user pressed "Sync now"."""
    dismiss_rejected_requested = Signal(str)
    """The user has seen a refused change and lets it go: mutation id."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._status = SyncStatus()
        self.title = label(name="Title")
        frame, inner = card(self)
        self.state_label = label(name="SectionTitle", wrap=True)
        self.detail_label = label(wrap=True)
        self.sync_button = QPushButton()
        self.sync_button.setObjectName("Primary")
        inner.addWidget(self.state_label)
        inner.addWidget(self.detail_label)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.sync_button)
        inner.addLayout(row)
        self._conflicts: list[ConflictItem] = []
        self._rejected: list[RejectedItem] = []
        self.conflicts_title = label(name="SectionTitle")
        self.conflicts_table = make_table([""] * 5)
        self.conflicts_table.setObjectName("ConflictsTable")
        self.rejected_title = label(name="SectionTitle")
        self.rejected_table = make_table([""] * 4)
        self.rejected_table.setObjectName("RejectedTable")
        self.dismiss_button = QPushButton()
        self.dismiss_button.setEnabled(False)
        rejected_row = QHBoxLayout()
        rejected_row.addWidget(self.rejected_title, 1)
        rejected_row.addWidget(self.dismiss_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(frame)
        layout.addWidget(self.conflicts_title)
        layout.addWidget(self.conflicts_table, 1)
        layout.addLayout(rejected_row)
        layout.addWidget(self.rejected_table, 1)
        self.sync_button.clicked.connect(self.sync_requested)
        self.dismiss_button.clicked.connect(self._on_dismiss_clicked)
        self.rejected_table.itemSelectionChanged.connect(self._on_rejected_selection_changed)
        self.retranslate()

    def set_problems(self, conflicts: list[ConflictItem], rejected: list[RejectedItem]) -> None:
        """Conflicts (both values) and changes the server refused (with its reason)."""
        self._conflicts = list(conflicts)
        self._rejected = list(rejected)
        self._render_problems()

    def clear(self) -> None:
        self.set_problems([], [])

    def selected_rejected(self) -> RejectedItem | None:
        row = self.rejected_table.currentRow()
        selected = self.rejected_table.selectionModel().hasSelection()
        return self._rejected[row] if selected and 0 <= row < len(self._rejected) else None

    def _on_rejected_selection_changed(self) -> None:
        self.dismiss_button.setEnabled(self.selected_rejected() is not None)

    def _on_dismiss_clicked(self) -> None:
        item = self.selected_rejected()
        if item is not None:
            self.dismiss_rejected_requested.emit(item.mutation_id)

    def _render_problems(self) -> None:
        rows = []
        for conflict in self._conflicts:
            for clash in conflict.clashes or ():
                rows.append(
                    [
                        conflict.head_name or "—",
                        self._entity_label(conflict.entity),
                        field_label(clash.name),
                        clash.kept,
                        clash.other,
                    ]
                )
        fill_table(self.conflicts_table, rows)
        fill_table(
            self.rejected_table,
            [
                [
                    item.head_name or "—",
                    self._entity_label(item.entity),
                    "、".join(field_label(name) for name in item.fields),
                    self.tr(
                        "The household is no longer in your tasks; dismiss the change to "
                        "remove it from this laptop"
                    )
                    if item.withdrawn
                    else rejection_reason_label(item.reason),
                ]
                for item in self._rejected
            ],
        )

    def set_status(self, status: SyncStatus) -> None:
        self._status = status
        self._render()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.title.setText(self.tr("Sync"))
        self.sync_button.setText(self.tr("Sync now"))
        self.conflicts_title.setText(self.tr("Conflicts: the same field changed in two places"))
        self.conflicts_table.setHorizontalHeaderLabels(
            [
                self.tr("Household"),
                self.tr("Record"),
                self.tr("Field"),
                self.tr("Value kept by the server"),
                self.tr("Other value"),
            ]
        )
        self.rejected_title.setText(self.tr("Changes the server refused"))
        self.dismiss_button.setText(self.tr("Dismiss the selected change"))
        self.rejected_table.setHorizontalHeaderLabels(
            [self.tr("Household"), self.tr("Record"), self.tr("Fields"), self.tr("Reason")]
        )
        self._render()
        if hasattr(self, "_conflicts"):
            self._render_problems()

    def _entity_label(self, entity: str) -> str:
        return {
            "household": self.tr("Household"),
            "member": self.tr("Member"),
            "visit": self.tr("Visit"),
            "clue": self.tr("Clue"),
            "attachment": self.tr("Photo or signature"),
        }.get(entity, entity)

    def _render(self) -> None:
        status = self._status
        if status.syncing:
            state = self.tr("Syncing with the server…")
        elif status.online:
            state = self.tr("The server is reachable.")
        else:
            state = self.tr("Working offline. Changes are kept on this laptop until the next sync.")
        self.state_label.setText(state)
        last = _format_time(status.last_synced_at) if status.last_synced_at else self.tr("never")
        lines = [
            self.tr("Changes waiting to be sent: %1").replace("%1", str(status.waiting)),
            self.tr("Conflicts to resolve: %1").replace("%1", str(status.conflicts)),
            self.tr("Rejected changes: %1").replace("%1", str(status.rejected)),
            self.tr("Last synced: %1").replace("%1", last),
        ]
        self.detail_label.setText("\n".join(lines))
        self.sync_button.setEnabled(status.online and not status.syncing)

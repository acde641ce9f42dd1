"""Household list: search by name / ID number / address, filters, sortable table."""

from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtCore import QEvent, QModelIndex, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.domain import AssistanceCategory, HouseholdStatus
from app.services.readmodels import HouseholdListItem
from ui.labels import category_label, household_status_label
from ui.models.household_table import (
    HouseholdColumn,
    HouseholdTableModel,
    ItemRole,
)
from ui.widgets.common import label

#: "review due" filter choices: days ahead of today (0 = overdue or due today)
DUE_WITHIN_DAYS: tuple[int, ...] = (0, 30, 90)


class HouseholdListPage(QWidget):
    household_activated = Signal(str)
    """The user opened a household (double-click or Enter): household id."""
    lookup_requested = Signal(str)
    """The search text settled: ask the store for ID-number and member-name matches."""
    discovery_requested = Signal()
    """The user wants to record a newly found family (主动发现)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._today = date.today()
        self._grid_names: dict[str, str] = {}
        self.title = label(name="Title")
        self.count_label = label(name="Muted")
        self.search_edit = QLineEdit()
        self.search_edit.setObjectName("HouseholdSearch")
        self.search_edit.setClearButtonEnabled(True)
        self.grid_combo = QComboBox()
        self.category_combo = QComboBox()
        self.status_combo = QComboBox()
        self.due_combo = QComboBox()
        for combo in (self.grid_combo, self.category_combo, self.status_combo, self.due_combo):
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)

        self.model = HouseholdTableModel(self)
        self.table = QTableView()
        self.table.setObjectName("HouseholdTable")
        self.table.setModel(self.model)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(HouseholdColumn.NEXT_REVIEW, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(28)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(HouseholdColumn.ADDRESS, QHeaderView.ResizeMode.Stretch)
        for column, width in (
            (HouseholdColumn.HEAD, 135),
            (HouseholdColumn.MEMBERS, 80),
            (HouseholdColumn.CATEGORY, 165),
            (HouseholdColumn.STATUS, 90),
            (HouseholdColumn.NEXT_REVIEW, 110),
            (HouseholdColumn.CLUES, 90),
        ):
            self.table.setColumnWidth(column, width)

        self.discovery_button = QPushButton()
        self.discovery_button.setObjectName("Primary")
        self.discovery_button.clicked.connect(self.discovery_requested)
        self.task_filter_label = label(name="SectionTitle")
        self.task_filter_label.setObjectName("TaskFilter")
        self.clear_task_button = QPushButton()
        self.clear_task_button.clicked.connect(self.clear_task_filter)
        self._task_title: str | None = None
        heading = QHBoxLayout()
        heading.addWidget(self.title)
        heading.addSpacing(16)
        heading.addWidget(self.task_filter_label)
        heading.addWidget(self.clear_task_button)
        heading.addStretch(1)
        heading.addWidget(self.count_label)
        heading.addSpacing(12)
        heading.addWidget(self.discovery_button)
        filters = QHBoxLayout()
        filters.addWidget(self.search_edit, 1)
        for combo in (self.grid_combo, self.category_combo, self.status_combo, self.due_combo):
            filters.addWidget(combo)
        layout = QVBoxLayout(self)
        layout.addLayout(heading)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)

        # The list filters on every keystroke; the store lookup waits for typing to pause.
        self._lookup_timer = QTimer(self)
        self._lookup_timer.setSingleShot(True)
        self._lookup_timer.setInterval(250)
        self._lookup_timer.timeout.connect(self._on_lookup_timer_timeout)
        self.search_edit.textChanged.connect(self._on_search_text_changed)
        self.grid_combo.currentIndexChanged.connect(self._on_filter_changed)
        self.category_combo.currentIndexChanged.connect(self._on_filter_changed)
        self.status_combo.currentIndexChanged.connect(self._on_filter_changed)
        self.due_combo.currentIndexChanged.connect(self._on_filter_changed)
        self.table.activated.connect(self._on_table_activated)
        self.model.rowsInserted.connect(self._update_count)
        self.model.rowsRemoved.connect(self._update_count)
        self.model.modelReset.connect(self._update_count)
        self.model.layoutChanged.connect(self._update_count)
        self.retranslate()

    def set_households(
        self,
        items: list[HouseholdListItem],
        *,
        grid_names: dict[str, str] | None = None,
        today: date | None = None,
    ) -> None:
        self._today = today or date.today()
        self._grid_names = dict(grid_names or {})
        self._fill_grid_combo(sorted({item.grid_id for item in items}))
        self._apply_filters(refresh=False)
        self.model.set_items(items, today=self._today)  # one pass over the rows
        self._update_count()

    def set_task_filter(self, title: str, household_ids: tuple[str, ...]) -> None:
        """Show only a task's households (opened from the home page)."""
        self._task_title = title
        self.model.set_only(frozenset(household_ids))
        self._render_task_filter()
        self._update_count()

    def clear_task_filter(self) -> None:
        self._task_title = None
        self.model.set_only(None)
        self._render_task_filter()
        self._update_count()

    def _render_task_filter(self) -> None:
        active = self._task_title is not None
        self.task_filter_label.setVisible(active)
        self.clear_task_button.setVisible(active)
        if active:
            self.task_filter_label.setText(
                self.tr("Task: %1").replace("%1", self._task_title or "")
            )

    def clear(self) -> None:
        self.clear_task_filter()
        self.search_edit.clear()
        self.model.clear()
        self._fill_grid_combo([])

    def visible_household_ids(self) -> list[str]:
        ids = []
        for row in range(self.model.rowCount()):
            item = self.model.data(self.model.index(row, 0), ItemRole)
            ids.append(item.household_id)
        return ids

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.title.setText(self.tr("Households"))
        self.discovery_button.setText(self.tr("Family found in the field…"))
        self.clear_task_button.setText(self.tr("Show all households"))
        self._render_task_filter()
        self.search_edit.setPlaceholderText(self.tr("Search name, ID number or address"))
        self._fill_combo(
            self.category_combo,
            self.tr("All categories"),
            [(category_label(c), c) for c in AssistanceCategory],
        )
        self._fill_combo(
            self.status_combo,
            self.tr("All statuses"),
            [(household_status_label(s), s) for s in HouseholdStatus],
        )
        self._fill_combo(
            self.due_combo,
            self.tr("Any review date"),
            [
                (self.tr("Review overdue"), 0),
                (self.tr("Review within 30 days"), 30),
                (self.tr("Review within 90 days"), 90),
            ],
        )
        self._fill_grid_combo(self._current_grid_ids())
        self.model.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(HouseholdColumn) - 1)
        self._update_count()

    def grid_choices(self) -> list[tuple[str, str]]:
        """(grid id, shown name) of the grids in the list."""
        return [
            (str(self.grid_combo.itemData(i)), self.grid_combo.itemText(i))
            for i in range(self.grid_combo.count())
            if self.grid_combo.itemData(i) is not None
        ]

    def _current_grid_ids(self) -> list[str]:
        return [
            str(self.grid_combo.itemData(i))
            for i in range(self.grid_combo.count())
            if self.grid_combo.itemData(i) is not None
        ]

    def _fill_grid_combo(self, grid_ids: list[str]) -> None:
        # Region names arrive with sync; until then a grid is shown by its place in the list
        # (its id is an opaque UUID nobody can read).
        choices: list[tuple[str, object]] = [
            (self._grid_names.get(g) or self.tr("Grid %1").replace("%1", str(i + 1)), g)
            for i, g in enumerate(grid_ids)
        ]
        self._fill_combo(self.grid_combo, self.tr("All grids"), choices)

    @staticmethod
    def _fill_combo(combo: QComboBox, everything: str, choices: list[tuple[str, object]]) -> None:
        current = combo.currentData()
        combo.blockSignals(True)
        combo.clear()
        combo.addItem(everything, None)
        for text, value in choices:
            combo.addItem(text, value)
        index = combo.findData(current) if current is not None else 0
        combo.setCurrentIndex(max(index, 0))
        combo.blockSignals(False)

    def set_lookup_result(self, query: str, household_ids: frozenset[str]) -> None:
        """Apply a store lookup, unless the user has typed something else meanwhile."""
        if query == self.search_edit.text():
            self.model.set_extra_matches(household_ids)
            self._update_count()

    def _on_search_text_changed(self, text: str) -> None:
        self.model.set_query(text)
        self._update_count()
        if text.strip():
            self._lookup_timer.start()
        else:
            self._lookup_timer.stop()

    def _on_lookup_timer_timeout(self) -> None:
        self.lookup_requested.emit(self.search_edit.text())

    def _on_filter_changed(self) -> None:
        self._apply_filters()
        self._update_count()

    def _apply_filters(self, *, refresh: bool = True) -> None:
        grid = self.grid_combo.currentData()
        days = self.due_combo.currentData()
        self.model.set_filters(
            grid_id=None if grid is None else str(grid),
            category=self.category_combo.currentData(),
            status=self.status_combo.currentData(),
            due_by=None if days is None else self._today + timedelta(days=int(days)),
            refresh=refresh,
        )

    def _update_count(self) -> None:
        self.count_label.setText(
            self.tr("%1 of %2 households")
            .replace("%1", str(self.model.rowCount()))
            .replace("%2", str(self.model.total_count()))
        )

    def _on_table_activated(self, index: QModelIndex) -> None:
        item = self.model.data(index, ItemRole)
        if isinstance(item, HouseholdListItem):
            self.household_activated.emit(item.household_id)

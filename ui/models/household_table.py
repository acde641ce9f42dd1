"""The household list: a table model over `HouseholdListItem`s and a proxy for search/filters."""

from __future__ import annotations

from datetime import date
from enum import IntEnum
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QBrush, QColor

from app.domain import AssistanceCategory, HouseholdStatus
from app.services.readmodels import HouseholdListItem
from ui.labels import category_label, household_status_label

#: the read model of a row (for views and the household file)
ItemRole = Qt.ItemDataRole.UserRole + 1
#: a sortable key (dates as ISO strings, counts as ints)
SortRole = Qt.ItemDataRole.UserRole + 2

_AnyIndex = QModelIndex | QPersistentModelIndex


class HouseholdColumn(IntEnum):
    HEAD = 0
    ADDRESS = 1
    MEMBERS = 2
    CATEGORY = 3
    STATUS = 4
    NEXT_REVIEW = 5
    CLUES = 6


class HouseholdTableModel(QAbstractTableModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._items: list[HouseholdListItem] = []
        self._today = date.today()

    def set_items(self, items: list[HouseholdListItem], *, today: date | None = None) -> None:
        self.beginResetModel()
        self._items = list(items)
        self._today = today or date.today()
        self.endResetModel()

    def clear(self) -> None:
        self.set_items([])

    def item(self, row: int) -> HouseholdListItem:
        return self._items[row]

    def rowCount(self, parent: _AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._items)

    def columnCount(self, parent: _AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(HouseholdColumn)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        return {
            HouseholdColumn.HEAD: QCoreApplication.translate(
                "HouseholdTableModel", "Head of household"
            ),
            HouseholdColumn.ADDRESS: QCoreApplication.translate("HouseholdTableModel", "Address"),
            HouseholdColumn.MEMBERS: QCoreApplication.translate("HouseholdTableModel", "Members"),
            HouseholdColumn.CATEGORY: QCoreApplication.translate("HouseholdTableModel", "Category"),
            HouseholdColumn.STATUS: QCoreApplication.translate("HouseholdTableModel", "Status"),
            HouseholdColumn.NEXT_REVIEW: QCoreApplication.translate(
                "HouseholdTableModel", "Next review"
            ),
            HouseholdColumn.CLUES: QCoreApplication.translate("HouseholdTableModel", "Open clues"),
        }[HouseholdColumn(section)]

    def data(self, index: _AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._items):
            return None
        item = self._items[index.row()]
        column = HouseholdColumn(index.column())
        if role == ItemRole:
            return item
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(item, column)
        if role == SortRole:
            return self._sort_key(item, column)
        if role == Qt.ItemDataRole.ForegroundRole:
            if column == HouseholdColumn.NEXT_REVIEW and item.review_due_by(self._today):
                return QBrush(QColor("#b3261e"))
            if column == HouseholdColumn.CLUES and item.open_clues:
                return QBrush(QColor("#b3261e"))
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (
            HouseholdColumn.MEMBERS,
            HouseholdColumn.CLUES,
        ):
            return int(Qt.AlignmentFlag.AlignCenter)
        return None

    def _display(self, item: HouseholdListItem, column: HouseholdColumn) -> str:
        if column == HouseholdColumn.HEAD:
            return item.head_name
        if column == HouseholdColumn.ADDRESS:
            return item.address
        if column == HouseholdColumn.MEMBERS:
            return str(item.member_count)
        if column == HouseholdColumn.CATEGORY:
            return category_label(item.category)
        if column == HouseholdColumn.STATUS:
            return household_status_label(item.status)
        if column == HouseholdColumn.NEXT_REVIEW:
            return item.next_review.isoformat() if item.next_review else "—"
        return str(item.open_clues) if item.open_clues else ""

    def _sort_key(self, item: HouseholdListItem, column: HouseholdColumn) -> Any:
        if column == HouseholdColumn.MEMBERS:
            return item.member_count
        if column == HouseholdColumn.CLUES:
            return item.open_clues
        if column == HouseholdColumn.NEXT_REVIEW:
            return item.next_review.isoformat() if item.next_review else "9999"
        return self._display(item, column)


class HouseholdFilterProxy(QSortFilterProxyModel):
    """Search text (name / address / ID number) plus grid, category, status and due-date filters."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._query = ""
        self._grid_id: str | None = None
        self._category: AssistanceCategory | None = None
        self._status: HouseholdStatus | None = None
        self._due_by: date | None = None
        self._extra_matches: frozenset[str] = frozenset()
        self._only: frozenset[str] | None = None
        self.setSortRole(SortRole)
        self.setSortLocaleAware(True)

    def set_query(self, text: str) -> None:
        self._begin_filter_change()
        self._query = text
        self._extra_matches = frozenset()
        self._end_filter_change()

    def set_grid(self, grid_id: str | None) -> None:
        self._begin_filter_change()
        self._grid_id = grid_id
        self._end_filter_change()

    def set_category(self, category: AssistanceCategory | None) -> None:
        self._begin_filter_change()
        self._category = category
        self._end_filter_change()

    def set_status(self, status: HouseholdStatus | None) -> None:
        self._begin_filter_change()
        self._status = status
        self._end_filter_change()

    def set_due_by(self, due_by: date | None) -> None:
        self._begin_filter_change()
        self._due_by = due_by
        self._end_filter_change()

    def set_only(self, household_ids: frozenset[str] | None) -> None:
        """Show only these households (a task's), or everything again with None."""
        self._begin_filter_change()
        self._only = household_ids
        self._end_filter_change()

    def set_extra_matches(self, household_ids: frozenset[str]) -> None:
        """Households the store found for the current query (exact ID number, member names)."""
        self._begin_filter_change()
        self._extra_matches = household_ids
        self._end_filter_change()

    def _begin_filter_change(self) -> None:
        # Qt 6.9 replaced invalidateFilter() (now deprecated) by a begin/end pair.
        if hasattr(self, "beginFilterChange"):
            self.beginFilterChange()

    def _end_filter_change(self) -> None:
        if hasattr(self, "endFilterChange"):
            self.endFilterChange()
        else:
            self.invalidateFilter()

    def filterAcceptsRow(self, source_row: int, source_parent: _AnyIndex) -> bool:
        model = self.sourceModel()
        item = model.data(model.index(source_row, 0, source_parent), ItemRole)
        if not isinstance(item, HouseholdListItem):
            return False
        if self._only is not None and item.household_id not in self._only:
            return False
        if self._grid_id is not None and item.grid_id != self._grid_id:
            return False
        if self._category is not None and item.category != self._category:
            return False
        if self._status is not None and item.status != self._status:
            return False
        if self._due_by is not None and not item.review_due_by(self._due_by):
            return False
        return item.household_id in self._extra_matches or item.matches(self._query)

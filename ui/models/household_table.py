"""The household list: a table model over `HouseholdListItem`s that searches, filters and sorts.

A district holds 100,000 households. A QSortFilterProxyModel asks the model for every row it
filters and for two rows in every comparison it sorts, each a call from C++ into Python: 11 s
of a frozen window after a big pull. Here the rows are plain Python lists, filtered with one
comprehension and sorted with `sorted` (tens of milliseconds), and the view is told once.
Names and addresses sort in pinyin order by keys the loader works out off the GUI thread
(`HouseholdListItem.head_sort_key`, pypinyin), so a sort of 100,000 rows compares plain strings
and stays quick enough for the GUI thread.
"""

from __future__ import annotations

from datetime import date
from enum import IntEnum
from operator import attrgetter
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QBrush, QColor

from app.domain import AssistanceCategory, HouseholdStatus
from app.services.readmodels import HouseholdListItem, normalise_query
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


_ATTRIBUTE_KEYS = {
    HouseholdColumn.HEAD: attrgetter("head_sort_key"),
    HouseholdColumn.ADDRESS: attrgetter("address_sort_key"),
    HouseholdColumn.MEMBERS: attrgetter("member_count"),
    HouseholdColumn.NEXT_REVIEW: attrgetter("review_key"),
    HouseholdColumn.CLUES: attrgetter("open_clues"),
}


class HouseholdTableModel(QAbstractTableModel):
    """Every household loaded (`set_items`) and the rows shown: those that pass the search and
    the filters, in the chosen order."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._all: list[HouseholdListItem] = []
        self._items: list[HouseholdListItem] = []
        self._today = date.today()
        self._query = ""
        self._grid_id: str | None = None
        self._category: AssistanceCategory | None = None
        self._status: HouseholdStatus | None = None
        self._due_by: date | None = None
        self._extra_matches: frozenset[str] = frozenset()
        self._only: frozenset[str] | None = None
        self._sort_column: HouseholdColumn | None = None
        self._sort_order = Qt.SortOrder.AscendingOrder

    # ------------------------------------------------------------------ contents

    def set_items(self, items: list[HouseholdListItem], *, today: date | None = None) -> None:
        self._all = list(items)
        self._today = today or date.today()
        self._refresh()

    def clear(self) -> None:
        self.set_items([])

    def item(self, row: int) -> HouseholdListItem:
        return self._items[row]

    def total_count(self) -> int:
        """Households loaded, shown or not."""
        return len(self._all)

    # ------------------------------------------------------------------ search and filters

    def set_query(self, text: str) -> None:
        self._query = normalise_query(text)
        self._extra_matches = frozenset()
        self._refresh()

    def set_extra_matches(self, household_ids: frozenset[str]) -> None:
        """Households the store found for the current query (exact ID number, member names)."""
        self._extra_matches = household_ids
        self._refresh()

    def set_filters(
        self,
        *,
        grid_id: str | None,
        category: AssistanceCategory | None,
        status: HouseholdStatus | None,
        due_by: date | None,
        refresh: bool = True,
    ) -> None:
        """All the combo-box filters at once: one pass over the rows, not four (none with
        `refresh=False`, when new rows follow anyway)."""
        self._grid_id, self._category, self._status, self._due_by = (
            grid_id,
            category,
            status,
            due_by,
        )
        if refresh:
            self._refresh()

    def set_only(self, household_ids: frozenset[str] | None) -> None:
        """Show only these households (a task's), or everything again with None."""
        self._only = household_ids
        self._refresh()

    def _shown(self) -> list[HouseholdListItem]:
        needle, extra, only = self._query, self._extra_matches, self._only
        grid, category, status, due = self._grid_id, self._category, self._status, self._due_by
        return [
            item
            for item in self._all
            if (only is None or item.household_id in only)
            and (grid is None or item.grid_id == grid)
            and (category is None or item.category == category)
            and (status is None or item.status == status)
            and (due is None or item.review_due_by(due))
            and (not needle or needle in item.search_text or item.household_id in extra)
        ]

    # ------------------------------------------------------------------ order

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self._sort_column = HouseholdColumn(column) if 0 <= column < len(HouseholdColumn) else None
        self._sort_order = order
        self.layoutAboutToBeChanged.emit()
        before = list(self._items)
        self._order(self._items)
        # Selection and current row follow their households to the new rows.
        rows = {id(item): row for row, item in enumerate(self._items)}
        for old in self.persistentIndexList():
            if old.row() < len(before):
                new_row = rows[id(before[old.row()])]
                self.changePersistentIndex(old, self.index(new_row, old.column()))
        self.layoutChanged.emit()

    def _order(self, items: list[HouseholdListItem]) -> None:
        if self._sort_column is None:
            return
        column = self._sort_column
        reverse = self._sort_order == Qt.SortOrder.DescendingOrder
        if column == HouseholdColumn.CATEGORY:
            labels = {c: category_label(c) for c in {i.category for i in items}}
            items.sort(key=lambda item: labels[item.category], reverse=reverse)
        elif column == HouseholdColumn.STATUS:
            names = {s: household_status_label(s) for s in {i.status for i in items}}
            items.sort(key=lambda item: names[item.status], reverse=reverse)
        elif column in _ATTRIBUTE_KEYS:
            # attrgetter runs in C: a third of the time of a Python key function on 100,000 rows
            items.sort(key=_ATTRIBUTE_KEYS[column], reverse=reverse)
        else:
            items.sort(key=lambda item: self._sort_key(item, column), reverse=reverse)

    def _refresh(self) -> None:
        shown = self._shown()
        self._order(shown)
        self.beginResetModel()
        self._items = shown
        self.endResetModel()

    # ------------------------------------------------------------------ Qt model

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
            return item.review_key
        return self._display(item, column)

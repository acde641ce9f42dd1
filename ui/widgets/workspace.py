"""The unlocked workspace: navigation (Home / Households / Clues / Sync) and its pages."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QEvent, QSize, Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.services.readmodels import (
    ClueListItem,
    HomeSummary,
    HouseholdFile,
    HouseholdListItem,
    LeaseStatus,
    SyncStatus,
    TaskItem,
)
from ui.widgets.household_file import HouseholdFileView
from ui.widgets.household_list import HouseholdListPage
from ui.widgets.lease import LeaseLapsedBanner
from ui.widgets.pages import CluesPage, HomePage, SyncPage
from ui.widgets.visit_form import VisitFormPage


class Section:
    HOME = 0
    HOUSEHOLDS = 1
    CLUES = 2
    SYNC = 3


class WorkspaceWidget(QWidget):
    household_requested = Signal(str)
    """A household's file should be loaded (household id)."""
    lock_requested = Signal()
    """The user pressed "Lock now"."""
    section_changed = Signal(int)
    """The navigation moved to another section (a `Section` value)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.navigation = QListWidget()
        self.navigation.setObjectName("Navigation")
        self.navigation.setFixedWidth(170)
        self.navigation.setIconSize(QSize(18, 18))
        for _ in range(4):
            self.navigation.addItem("")
        self.user_label = QLabel()
        self.user_label.setObjectName("NavUser")
        self.user_label.setStyleSheet("color: #c9d1d9; padding: 6px 12px;")
        self.user_label.setWordWrap(True)
        self.lock_button = QPushButton()
        self.lock_button.setObjectName("LockNow")

        self.home_page = HomePage()
        self.household_list = HouseholdListPage()
        self.household_file_view = HouseholdFileView()
        self.households_stack = QStackedWidget()
        self.households_stack.addWidget(self.household_list)
        self.households_stack.addWidget(self.household_file_view)
        self.visit_form = VisitFormPage()
        self.households_stack.addWidget(self.visit_form)
        self.clues_page = CluesPage()
        self.sync_page = SyncPage()
        self.lease_banner = LeaseLapsedBanner()
        self.pages = QStackedWidget()
        self.pages.setObjectName("Pages")
        for page in (self.home_page, self.households_stack, self.clues_page, self.sync_page):
            self.pages.addWidget(page)

        side = QWidget()
        side.setObjectName("Side")
        side.setStyleSheet("QWidget#Side { background: #24292f; }")
        side.setFixedWidth(170)
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 0, 10)
        side_layout.addWidget(self.navigation, 1)
        side_layout.addWidget(self.user_label)
        lock_row = QHBoxLayout()
        lock_row.setContentsMargins(10, 0, 10, 0)
        lock_row.addWidget(self.lock_button)
        side_layout.addLayout(lock_row)
        content = QVBoxLayout()
        content.setContentsMargins(16, 12, 16, 8)
        content.addWidget(self.lease_banner)
        content.addWidget(self.pages)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(side)
        layout.addLayout(content, 1)

        self.navigation.currentRowChanged.connect(self._on_navigation_row_changed)
        self.lock_button.clicked.connect(self.lock_requested)
        self.household_list.household_activated.connect(self.open_household)
        self.home_page.household_activated.connect(self.open_household)
        self.home_page.task_activated.connect(self.open_task)
        self.home_page.clue_activated.connect(self.open_clue)
        self.clues_page.household_activated.connect(self.open_household)
        self.household_file_view.back_requested.connect(self.show_household_list)
        self.navigation.setCurrentRow(Section.HOME)
        self.retranslate()

    # -- data in -----------------------------------------------------------------------------

    def set_user(self, display_name: str) -> None:
        self._display_name = display_name
        self.retranslate()

    def set_households(self, items: list[HouseholdListItem], *, today: date | None = None) -> None:
        self.household_list.set_households(items, today=today)

    def set_home(self, summary: HomeSummary) -> None:
        self.home_page.set_summary(summary, display_name=getattr(self, "_display_name", ""))

    def set_clues(self, items: list[ClueListItem]) -> None:
        self.clues_page.set_clues(items)

    def set_household_file(self, household_file: HouseholdFile) -> None:
        self.household_file_view.set_file(household_file)
        self.households_stack.setCurrentWidget(self.household_file_view)

    def set_sync_status(self, status: SyncStatus) -> None:
        self.sync_page.set_status(status)

    def show_lease_lapsed(self, status: LeaseStatus, *, purged: int = 0, kept: int = 0) -> None:
        """The offline lease lapsed: no household data until a sync renews it."""
        self.clear_data()
        self.lease_banner.show_lapsed(status, purged=purged, kept=kept)

    def hide_lease_lapsed(self) -> None:
        self.lease_banner.hide_banner()

    def clear_data(self) -> None:
        """Drop every decrypted value the widgets hold (called on lock)."""
        self.home_page.clear()
        self.household_list.clear()
        self.household_file_view.clear()
        self.visit_form.clear()
        self.clues_page.clear()
        self.sync_page.clear()
        self.households_stack.setCurrentWidget(self.household_list)

    # -- navigation --------------------------------------------------------------------------

    def show_section(self, section: int) -> None:
        self.navigation.setCurrentRow(section)

    def current_section(self) -> int:
        return self.navigation.currentRow()

    def open_household(self, household_id: str) -> None:
        self.show_section(Section.HOUSEHOLDS)
        self.household_requested.emit(household_id)

    def open_task(self, task: TaskItem) -> None:
        """A task's households, in the household list."""
        self.show_section(Section.HOUSEHOLDS)
        self.show_household_list()
        self.household_list.set_task_filter(task.title or task.kind, task.household_ids)

    def open_clue(self, clue_id: str) -> None:
        """The clue ledger with this clue selected."""
        self.show_section(Section.CLUES)
        self.clues_page.select_clue(clue_id)

    def show_visit_form(self) -> None:
        self.show_section(Section.HOUSEHOLDS)
        self.households_stack.setCurrentWidget(self.visit_form)

    def show_household_list(self) -> None:
        self.households_stack.setCurrentWidget(self.household_list)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        names = [self.tr("Home"), self.tr("Households"), self.tr("Clues"), self.tr("Sync")]
        for row, name in enumerate(names):
            item = self.navigation.item(row)
            item.setText(name)
            item.setTextAlignment(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft)
        name = getattr(self, "_display_name", "")
        self.user_label.setText(self.tr("Signed in: %1").replace("%1", name) if name else "")
        self.lock_button.setText(self.tr("Lock now"))

    def _on_navigation_row_changed(self, row: int) -> None:
        if row >= 0:
            self.pages.setCurrentIndex(row)
            self.section_changed.emit(row)

"""The supervision section of the main window, by role.

- supervisors and administrators: review queue, conflicts, dashboards, tasks (with exports), spot
  checks;
- agency admins: tasks (to split their agency's tasks among staff), no exports;
- field workers and contractors: their returned visits, to revise with the comments shown.

`install_supervision(window)` adds the section to the workspace's navigation from outside (the
shell only calls it once), follows the window into and out of the workspace, and drops every
value it shows when the window locks.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QListWidgetItem,
    QPushButton,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.domain import Role
from app.masking import mask_id_number
from app.models.views import VisitView
from app.services.review import returned_visits, review_comments, revise_returned
from app.services.session import AccountSession
from sync.client.errors import OfflineError
from sync.client.supervisor import SupervisorApi
from sync.client.transport import Answer
from ui.jobs import JobContext
from ui.labels import visit_kind_label
from ui.supervisor.comments import ReviewCommentsBar
from ui.supervisor.conflicts_page import ConflictsPage
from ui.supervisor.dashboard_page import DashboardPage
from ui.supervisor.review_page import ReviewQueuePage
from ui.supervisor.spotcheck_page import SpotCheckPage
from ui.supervisor.tasks_page import TasksPage
from ui.widgets.common import current_language, error_text, label, make_table

if TYPE_CHECKING:
    from ui.shell import MainWindow

logger = logging.getLogger(__name__)

REVIEWER_ROLES = frozenset({Role.SUPERVISOR.value, Role.ADMIN.value})
AUTHOR_ROLES = frozenset({Role.FIELD_WORKER.value, Role.CONTRACTOR.value})
#: column of the member's ID number in the household file's member table
ID_NUMBER_COLUMN = 2


class _WindowEngineCall:
    """Calls through whatever sync engine the window holds at the moment of the call (the
    engine is made on unlock and dropped on lock)."""

    def __init__(self, window: MainWindow) -> None:
        self._window = window

    def __call__(self, method: str, path: str, **kwargs: Any) -> Answer:
        sync = self._window.sync
        engine = getattr(sync, "_engine", None) if sync is not None else None
        if engine is None:
            raise OfflineError("no sync engine")
        return SupervisorApi.for_engine(engine)._call(method, path, **kwargs)

    def keep_attachments(self, attachment_ids: list[str]) -> int:
        sync = self._window.sync
        engine = getattr(sync, "_engine", None) if sync is not None else None
        if engine is None:
            raise OfflineError("no sync engine")
        return SupervisorApi.for_engine(engine).keep_attachments(attachment_ids)


class ReturnedVisitsPage(QWidget):
    """The author's returned visits: revise one to open its new revision in the visit form."""

    revise_requested = Signal(str)
    """The user asked to revise a returned visit (its id)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = label(name="Title")
        self.explain_label = label(name="Muted", wrap=True)
        self.table = make_table(["", "", ""])
        self.revise_button = QPushButton()
        self.revise_button.setObjectName("Primary")
        self._visits: list[VisitView] = []
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.revise_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.explain_label)
        layout.addWidget(self.table, 1)
        layout.addLayout(row)
        self.revise_button.clicked.connect(self._on_revise_clicked)
        self.retranslate()

    def set_visits(self, visits: list[VisitView]) -> None:
        self._visits = visits
        self.table.setRowCount(len(visits))
        for r, visit in enumerate(visits):
            values = [
                visit.visit_date.isoformat() if visit.visit_date else "",
                visit_kind_label(visit.kind),
                self.tr("revision %1").replace("%1", str(visit.revision)),
            ]
            for c, value in enumerate(values):
                self.table.setItem(r, c, QTableWidgetItem(value))
        self.table.resizeColumnsToContents()
        self.revise_button.setEnabled(bool(visits))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.title.setText(self.tr("Returned visits"))
        self.explain_label.setText(
            self.tr(
                "A reviewer sent these visits back with comments. Revising one opens a new "
                "revision with the comments shown at their fields; the returned one is kept."
            )
        )
        self.table.setHorizontalHeaderLabels(
            [self.tr("Visit date"), self.tr("Kind"), self.tr("Revision")]
        )
        self.revise_button.setText(self.tr("Revise"))

    def _on_revise_clicked(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        index = rows[0].row() if rows else 0
        if 0 <= index < len(self._visits):
            self.revise_requested.emit(self._visits[index].visit_id)


class SupervisionSection(QObject):
    """Owns the pages and keeps them in step with the window's session."""

    revision_opened = Signal(str)
    """A returned visit's new revision is open in the visit form (its id)."""
    comments_shown = Signal(int)
    """The visit form shows the reviewer's comments (how many; 0 hides the bar)."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        runner = window.runner
        engine_call = _WindowEngineCall(window)
        self.api = SupervisorApi(engine_call, keep=engine_call.keep_attachments)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("SupervisionTabs")
        self.review_page = ReviewQueuePage(runner)
        self.conflicts_page = ConflictsPage(runner)
        self.dashboard_page = DashboardPage(runner)
        self.tasks_page = TasksPage(runner)
        self.spotcheck_page = SpotCheckPage(runner)
        self.returned_page = ReturnedVisitsPage()
        # Owned by the tab widget even while a role shows none of them: a page left without a
        # parent outlives the window and PySide deletes it at exit, after its runner is gone,
        # which crashes the process.
        for page in self._pages():
            page.setParent(self.tabs)
            page.hide()
        self._role = ""
        #: the pages were emptied by a lapsed lease and wait for the data to come back
        self._lapsed = False
        workspace = window.workspace
        self.nav_row = workspace.navigation.count()
        workspace.navigation.addItem(QListWidgetItem(""))
        workspace.pages.addWidget(self.tabs)
        workspace.navigation.item(self.nav_row).setHidden(True)
        window.stack.currentChanged.connect(self._on_window_stack_changed)
        window.visit_opened.connect(self._on_window_visit_opened)
        workspace.section_changed.connect(self._on_workspace_section_changed)
        window.household_file_loaded.connect(self._on_window_household_file_loaded)
        window.lease_lapsed.connect(self._on_window_lease_lapsed)
        window.households_loaded.connect(self._on_window_data_loaded)
        self.returned_page.revise_requested.connect(self.revise)
        self.tabs.installEventFilter(self)
        self.retranslate()

    def _pages(self) -> tuple[QWidget, ...]:
        return (
            self.review_page,
            self.conflicts_page,
            self.dashboard_page,
            self.tasks_page,
            self.spotcheck_page,
            self.returned_page,
        )

    # -- role and session ---------------------------------------------------------------------

    def _set_tabs(self, role: str) -> None:
        self.tabs.clear()
        if role in REVIEWER_ROLES:
            self.tabs.addTab(self.review_page, "")
            self.tabs.addTab(self.conflicts_page, "")
            self.tabs.addTab(self.dashboard_page, "")
            self.tabs.addTab(self.tasks_page, "")
            self.tabs.addTab(self.spotcheck_page, "")
        elif role == Role.AGENCY_ADMIN.value:
            self.tabs.addTab(self.tasks_page, "")
        elif role in AUTHOR_ROLES:
            self.tabs.addTab(self.returned_page, "")
        self.window.workspace.navigation.item(self.nav_row).setHidden(self.tabs.count() == 0)
        self.retranslate()

    def _on_window_stack_changed(self, _index: int) -> None:
        window = self.window
        session = window.session if window.stack.currentWidget() is window.workspace else None
        self.attach(session)

    def attach(self, session: AccountSession | None) -> None:
        """Show this account's pages (None: locked or signed out, every value dropped)."""
        if session is None:
            self._lapsed = False
        role = session.profile.role if session is not None else ""
        api = self.api if session is not None else None
        if role != self._role or session is None:
            self._role = role
            self._set_tabs(role)
        self.review_page.attach(session if role in REVIEWER_ROLES else None, api)
        self.conflicts_page.attach(session if role in REVIEWER_ROLES else None, api)
        self.dashboard_page.attach(session if role in REVIEWER_ROLES else None, api)
        self.tasks_page.attach(session, api)
        self.spotcheck_page.attach(api)
        self.returned_page.set_visits([])
        if session is None:
            self._drop_comments()

    def _drop_comments(self) -> None:
        # The reviewer's comments may quote personal details: gone with the rest.
        bar = self.window.workspace.visit_form.findChild(ReviewCommentsBar)
        if bar is not None:
            ReviewCommentsBar.pin(self.window.workspace.visit_form, ())

    def _on_window_lease_lapsed(self, _purged: int) -> None:
        """The offline lease lapsed: every value the pages show goes, as on lock. The pages
        stay with the session, so a refresh after the renewing sync fills them again."""
        self._lapsed = True
        self.attach(self.window.session)
        self._drop_comments()

    def _on_window_data_loaded(self, _households: int) -> None:
        if self._lapsed and self.window.session is not None:
            self._lapsed = False
            self.attach(self.window.session)  # renewed: what the pages load on attach, again

    def _on_workspace_section_changed(self, section: int) -> None:
        if section != self.nav_row or self.window.session is None:
            return
        if self._role in REVIEWER_ROLES:
            self.review_page.refresh()
            self.conflicts_page.refresh()
            self.tasks_page.refresh()
        elif self._role == Role.AGENCY_ADMIN.value:
            self.tasks_page.refresh()
        elif self._role in AUTHOR_ROLES:
            self.load_returned()

    # -- contractor scope ---------------------------------------------------------------------

    def _on_window_household_file_loaded(self, _household_id: str) -> None:
        """Contractors see ID numbers masked in the household file; the visit form keeps the
        full number, which the check of a member's identity needs."""
        if self._role != Role.CONTRACTOR.value:
            return
        table = self.window.workspace.household_file_view.members_table
        for row in range(table.rowCount()):
            item = table.item(row, ID_NUMBER_COLUMN)
            if item is not None and item.text():
                item.setText(mask_id_number(item.text()))

    # -- the author's side --------------------------------------------------------------------

    def load_returned(self) -> None:
        session = self.window.session
        if session is None:
            return
        self.window.runner.run(
            lambda ctx: returned_visits(session),
            finished=self.returned_page.set_visits,
            failed=self._on_failed,
            name="returned-visits",
        )

    def revise(self, visit_id: str) -> None:
        session = self.window.session
        if session is None:
            return

        def start(ctx: JobContext) -> tuple[VisitView, str]:
            revision = revise_returned(session, visit_id)
            head = session.records.get_household(revision.household_id).content.head_name
            return revision, head

        self.window.runner.run(start, finished=self._on_revision_started, failed=self._on_failed)

    def _on_revision_started(self, result: tuple[VisitView, str]) -> None:
        revision, head_name = result
        # The shell opens drafts this way from the household file too.
        self.window._open_visit_form(revision, head_name)
        self.revision_opened.emit(revision.visit_id)

    def _on_window_visit_opened(self, visit_id: str) -> None:
        session = self.window.session
        if session is None:
            return
        self.window.runner.run(
            lambda ctx: (visit_id, review_comments(session, visit_id)),
            finished=self._on_comments_loaded,
            failed=self._on_failed,
            name="review-comments",
        )

    def _on_comments_loaded(self, result: tuple[str, Any]) -> None:
        visit_id, comments = result
        form = self.window.workspace.visit_form
        if form.visit_id != visit_id:
            return  # another visit was opened meanwhile
        ReviewCommentsBar.pin(form, comments)
        self.comments_shown.emit(len(comments))

    def _on_failed(self, error: BaseException) -> None:
        self.window.statusBar().showMessage(error_text(error, current_language()), 10_000)

    # -- texts --------------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.tabs and event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        return super().eventFilter(watched, event)

    def retranslate(self) -> None:
        names = {
            self.review_page: self.tr("Reviews"),
            self.conflicts_page: self.tr("Conflicts"),
            self.dashboard_page: self.tr("Dashboards"),
            self.tasks_page: self.tr("Tasks"),
            self.spotcheck_page: self.tr("Spot checks"),
            self.returned_page: self.tr("Returned visits"),
        }
        for index in range(self.tabs.count()):
            page = self.tabs.widget(index)
            self.tabs.setTabText(index, names.get(page, ""))
        item = self.window.workspace.navigation.item(self.nav_row)
        if item is not None:
            item.setText(
                self.tr("Returned visits") if self._role in AUTHOR_ROLES else self.tr("Supervision")
            )
            item.setTextAlignment(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft)


def install_supervision(window: MainWindow) -> SupervisionSection:
    """Add the supervision section to `window` (once, right after it is built)."""
    section = window.findChild(SupervisionSection)
    return section if section is not None else SupervisionSection(window)

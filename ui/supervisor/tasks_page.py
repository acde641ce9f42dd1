"""Verification tasks (核查任务): create one from a filter over the region's households or from an
imported list (.xlsx/.csv of ID numbers or household ids), assign it to a worker or an agency,
split an agency task among staff, close it; the export buttons."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date
from pathlib import Path

from PySide6.QtCore import QDate, QEvent, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QPushButton,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.domain import Role, VisitKind
from app.errors import JiafangError
from app.exports.gate import EXPORT_ROLES
from app.services.session import AccountSession
from app.services.supervisor_exports import (
    export_clue_ledger,
    export_ledger,
    export_public_notice,
)
from app.services.task_import import TaskList, read_task_list
from sync.client.supervisor import SupervisorApi, TaskRecord
from ui.jobs import JobContext, JobRunner
from ui.labels import visit_kind_label
from ui.widgets.common import current_language, error_text, label, make_table

logger = logging.getLogger(__name__)

#: (export kind) -> (suggested file name, writer)
_EXPORTS: dict[str, tuple[str, Callable[[AccountSession, Path], Path]]] = {
    "ledger": ("台账.xlsx", export_ledger),
    "public_notice": ("公示名单.xlsx", export_public_notice),
    "clue_ledger": ("线索台账.xlsx", export_clue_ledger),
}

#: (caption, suggested name) -> chosen path or "" (a file dialog; tests put a function here)
PathChooser = Callable[[QWidget, str, str], str]


def _dialog_path(parent: QWidget, caption: str, suggested: str) -> str:
    path, _ = QFileDialog.getSaveFileName(parent, caption, suggested, "Excel (*.xlsx)")
    return path


def _open_list_path(parent: QWidget, caption: str, _suggested: str) -> str:
    path, _ = QFileDialog.getOpenFileName(parent, caption, "", "Excel / CSV (*.xlsx *.xlsm *.csv)")
    return path


def split_evenly(household_ids: list[str], staff: list[str]) -> dict[str, list[str]]:
    """Deal the households out to the staff in turn (an agency admin's quick split)."""
    shares: dict[str, list[str]] = {user: [] for user in staff}
    for index, household_id in enumerate(household_ids):
        shares[staff[index % len(staff)]].append(household_id)
    return {user: ids for user, ids in shares.items() if ids}


class TasksPage(QWidget):
    tasks_loaded = Signal(int)
    """The task list came from the server (number of tasks)."""
    task_created = Signal(str)
    """A task was created (its id)."""
    list_refused = Signal(int)
    """An imported list had unusable rows (how many); no task was created."""
    export_finished = Signal(str)
    """An export was written (its path)."""
    failed = Signal(str)
    """A call failed (error code)."""

    def __init__(self, runner: JobRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._runner = runner
        self._session: AccountSession | None = None
        self._api: SupervisorApi | None = None
        self._tasks: list[TaskRecord] = []
        self.choose_path: PathChooser = _dialog_path
        self.choose_list_path: PathChooser = _open_list_path

        self.title = label(name="Title")
        self.refresh_button = QPushButton()
        self.message_label = label(name="Error", wrap=True)
        self.status_label = label(name="Muted", wrap=True)
        self.table = make_table(["", "", "", "", "", ""])

        self.new_box = QGroupBox()
        self.grid_combo = QComboBox()
        self.due_check = QCheckBox()
        self.kind_combo = QComboBox()
        self.assign_combo = QComboBox()
        self.assignee_edit = QLineEdit()
        self.deadline_edit = QDateEdit()
        self.deadline_edit.setCalendarPopup(True)
        self.deadline_edit.setDate(QDate.currentDate().addDays(42))
        self.title_edit = QLineEdit()
        self.create_button = QPushButton()
        self.create_button.setObjectName("Primary")
        self.import_button = QPushButton()
        self.problems_list = QListWidget()
        self.problems_list.setMaximumHeight(110)
        self.problems_list.hide()
        self._captions = [label() for _ in range(5)]
        form = QGridLayout(self.new_box)
        form.addWidget(self._captions[0], 0, 0)
        form.addWidget(self.grid_combo, 0, 1)
        form.addWidget(self.due_check, 0, 2, 1, 2)
        form.addWidget(self._captions[1], 1, 0)
        form.addWidget(self.kind_combo, 1, 1)
        form.addWidget(self._captions[2], 1, 2)
        form.addWidget(self.deadline_edit, 1, 3)
        form.addWidget(self._captions[3], 2, 0)
        form.addWidget(self.assign_combo, 2, 1)
        form.addWidget(self.assignee_edit, 2, 2, 1, 2)
        form.addWidget(self._captions[4], 3, 0)
        form.addWidget(self.title_edit, 3, 1, 1, 2)
        form.addWidget(self.create_button, 3, 3)
        form.addWidget(self.import_button, 4, 3)
        form.addWidget(self.problems_list, 5, 0, 1, 4)

        self.selected_box = QGroupBox()
        self.staff_edit = QLineEdit()
        self.split_button = QPushButton()
        self.close_button = QPushButton()
        actions = QHBoxLayout(self.selected_box)
        actions.addWidget(self.staff_edit, 1)
        actions.addWidget(self.split_button)
        actions.addWidget(self.close_button)

        self.export_box = QGroupBox()
        self.export_buttons = {kind: QPushButton() for kind in _EXPORTS}
        exports = QHBoxLayout(self.export_box)
        for button in self.export_buttons.values():
            exports.addWidget(button)
        exports.addStretch(1)

        heading = QHBoxLayout()
        heading.addWidget(self.title)
        heading.addStretch(1)
        heading.addWidget(self.refresh_button)
        lower = QHBoxLayout()
        lower.addWidget(self.new_box, 3)
        side = QVBoxLayout()
        side.addWidget(self.selected_box)
        side.addWidget(self.export_box)
        side.addStretch(1)
        lower.addLayout(side, 2)
        layout = QVBoxLayout(self)
        layout.addLayout(heading)
        layout.addWidget(self.message_label)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.status_label)
        layout.addLayout(lower)
        self.message_label.hide()

        self.refresh_button.clicked.connect(self.refresh)
        self.create_button.clicked.connect(self._on_create_clicked)
        self.import_button.clicked.connect(self._on_import_clicked)
        self.split_button.clicked.connect(self._on_split_clicked)
        self.close_button.clicked.connect(self._on_close_clicked)
        for kind, button in self.export_buttons.items():
            button.clicked.connect(lambda _=False, k=kind: self.export(k))
        self.retranslate()

    # -- wiring -------------------------------------------------------------------------------

    def attach(self, session: AccountSession | None, api: SupervisorApi | None) -> None:
        self._session, self._api = session, api
        self._tasks = []
        self.table.setRowCount(0)
        role = session.profile.role if session is not None else ""
        # Agency staff may neither export nor print personal data (app.exports.gate): no buttons.
        may_export = role in {r.value for r in EXPORT_ROLES}
        self.export_box.setVisible(may_export)
        self.new_box.setVisible(role in (Role.SUPERVISOR.value, Role.ADMIN.value))
        self.grid_combo.clear()
        if session is not None:
            self._runner.run(
                lambda ctx: session.grid_ids(),
                finished=self._on_grids_loaded,
                failed=self._on_failed,
                name="task-grids",
            )

    def _on_grids_loaded(self, grids: list[str]) -> None:
        self.grid_combo.clear()
        for grid in grids:
            self.grid_combo.addItem(grid, grid)

    @property
    def tasks(self) -> list[TaskRecord]:
        return list(self._tasks)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.title.setText(self.tr("Tasks"))
        self.refresh_button.setText(self.tr("Refresh"))
        self.table.setHorizontalHeaderLabels(
            [
                self.tr("Title"),
                self.tr("Kind"),
                self.tr("Assigned to"),
                self.tr("Deadline"),
                self.tr("Visited"),
                self.tr("Status"),
            ]
        )
        self.new_box.setTitle(self.tr("New task from a filter"))
        for caption, text in zip(
            self._captions,
            [
                self.tr("Grid"),
                self.tr("Kind"),
                self.tr("Deadline"),
                self.tr("Assign to"),
                self.tr("Title"),
            ],
            strict=True,
        ):
            caption.setText(text)
        self.due_check.setText(self.tr("Only households due for review"))
        kind = self.kind_combo.currentData()
        self.kind_combo.clear()
        for value in (VisitKind.PERIODIC_REVIEW, VisitKind.CLUE_CHECK, VisitKind.WELFARE_VISIT):
            self.kind_combo.addItem(visit_kind_label(value), value.value)
        if kind:
            self.kind_combo.setCurrentIndex(max(0, self.kind_combo.findData(kind)))
        assign = self.assign_combo.currentIndex()
        self.assign_combo.clear()
        self.assign_combo.addItem(self.tr("A worker (user id)"), "user")
        self.assign_combo.addItem(self.tr("An agency (agency id)"), "agency")
        self.assign_combo.setCurrentIndex(max(0, assign))
        self.create_button.setText(self.tr("Create task"))
        self.import_button.setText(self.tr("Create from a list (.xlsx/.csv)…"))
        self.import_button.setToolTip(
            self.tr(
                "One ID number or household id per row (first column); the task is created "
                "only when every row names a household of your area."
            )
        )
        self.selected_box.setTitle(self.tr("Selected task"))
        self.staff_edit.setPlaceholderText(self.tr("Staff user ids, separated by commas"))
        self.split_button.setText(self.tr("Split among staff"))
        self.close_button.setText(self.tr("Close task"))
        self.export_box.setTitle(self.tr("Exports"))
        self.export_buttons["ledger"].setText(self.tr("Ledger (Excel)"))
        self.export_buttons["public_notice"].setText(self.tr("Public-notice list"))
        self.export_buttons["clue_ledger"].setText(self.tr("Clue ledger"))
        self._fill()

    # -- list ---------------------------------------------------------------------------------

    def refresh(self) -> None:
        api = self._api
        if api is None:
            return
        self._runner.run(
            lambda ctx: api.tasks(), finished=self._on_tasks, failed=self._on_failed, name="tasks"
        )

    def _on_tasks(self, tasks: list[TaskRecord]) -> None:
        self._tasks = tasks
        self.message_label.hide()
        self._fill()
        self.tasks_loaded.emit(len(tasks))

    def _fill(self) -> None:
        self.table.setRowCount(len(self._tasks))
        for row, task in enumerate(self._tasks):
            kind = VisitKind(task.kind) if task.kind in set(VisitKind) else None
            who = task.assignee_user_id or (
                self.tr("Agency %1").replace("%1", task.agency_id) if task.agency_id else ""
            )
            values = [
                task.title,
                visit_kind_label(kind) if kind else task.kind,
                who,
                task.deadline.isoformat() if task.deadline else "",
                f"{task.visited}/{task.households}",
                self.tr("Closed") if task.status == "closed" else self.tr("Open"),
            ]
            for column, value in enumerate(values):
                self.table.setItem(row, column, QTableWidgetItem(value))
        self.table.resizeColumnsToContents()

    def _selected(self) -> TaskRecord | None:
        rows = self.table.selectionModel().selectedRows()
        return self._tasks[rows[0].row()] if rows else None

    # -- actions ------------------------------------------------------------------------------

    def _on_create_clicked(self) -> None:
        session, api = self._session, self._api
        assignee = self.assignee_edit.text().strip()
        grid = self.grid_combo.currentData()
        if session is None or api is None or not assignee or not grid:
            self._show(self.tr("Choose a grid and whom to assign the task to."))
            return
        due_only = self.due_check.isChecked()
        to_user = self.assign_combo.currentData() == "user"
        kind = str(self.kind_combo.currentData())
        deadline = self.deadline_edit.date().toPython()
        title = self.title_edit.text().strip()

        def create(ctx: JobContext) -> TaskRecord:
            today = date.today()
            ids = [
                h.household_id
                for h in session.households()
                if h.grid_id == grid and (not due_only or h.review_due_by(today))
            ]
            if not ids:
                raise _NoHouseholdsError(
                    "筛选条件下没有家庭", "No household matches the filter", code="task_empty"
                )
            return api.create_task(
                kind=kind,
                household_ids=ids,
                user_id=assignee if to_user else None,
                agency_id=None if to_user else assignee,
                deadline=deadline if isinstance(deadline, date) else None,
                title=title,
            )

        self._runner.run(create, finished=self._on_created, failed=self._on_failed, name="task")

    def _on_import_clicked(self) -> None:
        session, api = self._session, self._api
        assignee = self.assignee_edit.text().strip()
        if session is None or api is None or not assignee:
            self._show(self.tr("Choose whom to assign the task to."))
            return
        path = self.choose_list_path(self, self.tr("Open a list of ID numbers or households"), "")
        if not path:
            return
        to_user = self.assign_combo.currentData() == "user"
        kind = str(self.kind_combo.currentData())
        deadline = self.deadline_edit.date().toPython()
        title = self.title_edit.text().strip() or Path(path).stem
        source = Path(path)
        self.problems_list.clear()
        self.problems_list.hide()

        def create(ctx: JobContext) -> TaskList | TaskRecord:
            listed = read_task_list(session, source)
            if not listed.ok:
                return listed  # nothing is created while any row is unusable
            return api.create_task(
                kind=kind,
                household_ids=list(listed.household_ids),
                user_id=assignee if to_user else None,
                agency_id=None if to_user else assignee,
                deadline=deadline if isinstance(deadline, date) else None,
                title=title,
            )

        self._runner.run(
            create, finished=self._on_list_done, failed=self._on_failed, name="task-list"
        )

    def _on_list_done(self, result: TaskList | TaskRecord) -> None:
        if isinstance(result, TaskRecord):
            self._on_created(result)
            return
        language = current_language()
        for problem in result.problems:
            self.problems_list.addItem(problem.message(language))
        self.problems_list.setVisible(bool(result.problems))
        self._show(
            self.tr(
                "No task was created: %n row(s) of the list cannot be used. Correct them and "
                "import the list again.",
                "",
                len(result.problems),
            )
        )
        self.list_refused.emit(len(result.problems))

    @property
    def list_problems(self) -> list[str]:
        """The unusable rows of the last imported list, as shown."""
        return [self.problems_list.item(i).text() for i in range(self.problems_list.count())]

    def _on_created(self, task: TaskRecord) -> None:
        self.problems_list.clear()
        self.problems_list.hide()
        self._show(self.tr("Task created with %n household(s).", "", task.households), error=False)
        self.task_created.emit(task.task_id)
        self.refresh()

    def _on_split_clicked(self) -> None:
        task, api = self._selected(), self._api
        staff = [s.strip() for s in self.staff_edit.text().split(",") if s.strip()]
        if task is None or api is None or not staff:
            self._show(self.tr("Choose a task and enter the staff to share it among."))
            return
        shares = split_evenly(list(task.household_ids), staff)
        self._runner.run(
            lambda ctx: api.split_task(task.task_id, shares),
            finished=lambda _: self.refresh(),
            failed=self._on_failed,
            name="task-split",
        )

    def _on_close_clicked(self) -> None:
        task, api = self._selected(), self._api
        if task is None or api is None:
            return
        self._runner.run(
            lambda ctx: api.close_task(task.task_id),
            finished=lambda _: self.refresh(),
            failed=self._on_failed,
            name="task-close",
        )

    def export(self, kind: str) -> None:
        session = self._session
        if session is None:
            return
        suggested, writer = _EXPORTS[kind]
        path = self.choose_path(self, self.tr("Save export"), suggested)
        if not path:
            return
        target = Path(path)
        self._runner.run(
            lambda ctx: writer(session, target),
            finished=self._on_exported,
            failed=self._on_failed,
            name=f"export-{kind}",
        )

    def _on_exported(self, path: Path) -> None:
        self._show(self.tr("Saved: %1").replace("%1", path.name), error=False)
        self.export_finished.emit(str(path))

    def _show(self, text: str, *, error: bool = True) -> None:
        target = self.message_label if error else self.status_label
        target.setText(text)
        target.show()
        if not error:
            self.message_label.hide()

    def _on_failed(self, error: BaseException) -> None:
        self._show(error_text(error, current_language()))
        self.failed.emit(error.code if isinstance(error, JiafangError) else "unexpected")


class _NoHouseholdsError(JiafangError):
    code = "task_empty"

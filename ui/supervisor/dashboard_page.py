"""Progress dashboards with charts: visits done vs planned per grid and per agency, the
found-ineligible rate by month, reviews due, clues opened vs closed (销号) by month."""

from __future__ import annotations

import logging
from datetime import date

from PySide6.QtCore import QEvent, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from app.errors import JiafangError
from app.services.session import AccountSession
from app.services.supervisor_dashboard import Dashboard, TaskProgress, build_dashboard
from sync.client.supervisor import SupervisorApi
from ui.jobs import JobContext, JobRunner
from ui.supervisor.bars import BarChart
from ui.widgets.common import current_language, error_text, label

logger = logging.getLogger(__name__)

_PLANNED = QColor("#c9d1d9")
_DONE = QColor("#1f6feb")
_BAD = QColor("#cf222e")
_CLOSED = QColor("#2da44e")


def _short(name: str) -> str:
    """Category labels fit under a bar: long ids (a deployment's grid UUIDs) are cut."""
    return name if len(name) <= 10 else name[:8] + "…"


class DashboardPage(QWidget):
    dashboard_loaded = Signal(object)
    """New figures are on screen (the `Dashboard`)."""
    failed = Signal(str)
    """Loading failed (error code)."""

    def __init__(self, runner: JobRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._runner = runner
        self._session: AccountSession | None = None
        self._api: SupervisorApi | None = None
        self.dashboard: Dashboard | None = None
        #: the day the six-month window ends (None: today); the screenshots pin it
        self.today: date | None = None
        self.title = label(name="Title")
        self.refresh_button = QPushButton()
        self.message_label = label(name="Error", wrap=True)
        self.reviews_due_label = label(name="SectionTitle")
        self.ineligible_label = label(name="SectionTitle")
        self.open_clues_label = label(name="SectionTitle")
        self.note_label = label(name="Muted", wrap=True)
        self.charts = [BarChart() for _ in range(4)]
        heading = QHBoxLayout()
        heading.addWidget(self.title)
        heading.addStretch(1)
        heading.addWidget(self.refresh_button)
        figures = QHBoxLayout()
        for widget in (self.reviews_due_label, self.ineligible_label, self.open_clues_label):
            figures.addWidget(widget)
            figures.addSpacing(24)
        figures.addStretch(1)
        grid = QGridLayout()
        for index, chart in enumerate(self.charts):
            grid.addWidget(chart, index // 2, index % 2)
        layout = QVBoxLayout(self)
        layout.addLayout(heading)
        layout.addWidget(self.message_label)
        layout.addLayout(figures)
        layout.addLayout(grid, 1)
        layout.addWidget(self.note_label)
        self.message_label.hide()
        self.refresh_button.clicked.connect(self.refresh)
        self.retranslate()

    def attach(self, session: AccountSession | None, api: SupervisorApi | None) -> None:
        self._session, self._api = session, api
        self.dashboard = None
        self._render()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.title.setText(self.tr("Progress"))
        self.refresh_button.setText(self.tr("Refresh"))
        self.note_label.setText(
            self.tr(
                "Grids, findings and clues: from the region's records synced to this laptop "
                "(last six months). Agencies and reviews due: from the server."
            )
        )
        self._render()

    def refresh(self) -> None:
        session, api = self._session, self._api
        if session is None or api is None:
            return

        today = self.today

        def load(ctx: JobContext) -> Dashboard:
            tasks = [
                TaskProgress(
                    agency_id=t.agency_id,
                    assignee=t.assignee_user_id,
                    households=t.households,
                    visited=t.visited,
                    is_subtask=t.parent_task_id is not None,
                    open=t.status != "closed",
                )
                for t in api.tasks()
            ]
            due = len(api.review_queue())
            ctx.raise_if_cancelled()
            return build_dashboard(session, tasks=tasks, reviews_due=due, today=today)

        self._runner.run(
            load, finished=self._on_loaded, failed=self._on_failed, name="dashboard-load"
        )

    def _on_loaded(self, dashboard: Dashboard) -> None:
        self.dashboard = dashboard
        self.message_label.hide()
        self._render()
        self.dashboard_loaded.emit(dashboard)

    def _on_failed(self, error: BaseException) -> None:
        self.message_label.setText(error_text(error, current_language()))
        self.message_label.show()
        self.failed.emit(error.code if isinstance(error, JiafangError) else "unexpected")

    def _render(self) -> None:
        board = self.dashboard
        if board is None:
            self.reviews_due_label.setText(self.tr("Reviews due: –"))
            self.ineligible_label.setText(self.tr("Found ineligible: –"))
            self.open_clues_label.setText(self.tr("Open clues: –"))
            for chart in self.charts:
                chart.clear()
            return
        self.reviews_due_label.setText(
            self.tr("Reviews due: %1").replace("%1", str(board.reviews_due))
        )
        self.ineligible_label.setText(
            self.tr("Found ineligible: %1%").replace("%1", f"{board.ineligible_rate * 100:.1f}")
        )
        self.open_clues_label.setText(
            self.tr("Open clues: %1").replace("%1", str(board.open_clues))
        )
        planned, done = self.tr("Planned"), self.tr("Done")
        contents = [
            (
                [p.name for p in board.per_grid],
                [
                    (planned, _PLANNED, [float(p.planned) for p in board.per_grid]),
                    (done, _DONE, [float(p.done) for p in board.per_grid]),
                ],
                self.tr("Visits per grid: done vs planned"),
            ),
            (
                [p.name for p in board.per_agency],
                [
                    (planned, _PLANNED, [float(p.planned) for p in board.per_agency]),
                    (done, _DONE, [float(p.done) for p in board.per_agency]),
                ],
                self.tr("Agency tasks: households visited vs assigned"),
            ),
            (
                [m.month for m in board.findings],
                [
                    (
                        self.tr("Visits with a finding"),
                        _PLANNED,
                        [float(m.first) for m in board.findings],
                    ),
                    (self.tr("Found ineligible"), _BAD, [float(m.second) for m in board.findings]),
                ],
                self.tr("Findings by month"),
            ),
            (
                [m.month for m in board.clues],
                [
                    (self.tr("Opened"), _BAD, [float(m.first) for m in board.clues]),
                    (self.tr("Closed"), _CLOSED, [float(m.second) for m in board.clues]),
                ],
                self.tr("Clues opened vs closed by month"),
            ),
        ]
        for chart, (categories, sets, title) in zip(self.charts, contents, strict=True):
            chart.set_data(title, [_short(c) for c in categories], sets)

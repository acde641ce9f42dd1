"""Random spot checks (双随机): draw approved households and inspectors at random on the server,
show and keep the seed (the draw can be replayed from it), and the tasks it created."""

from __future__ import annotations

import logging
from datetime import date

from PySide6.QtCore import QDate, QEvent, Qt, Signal
from PySide6.QtWidgets import (
    QDateEdit,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.errors import JiafangError
from sync.client.supervisor import SpotCheckRecord, SupervisorApi
from ui.jobs import JobContext, JobRunner
from ui.widgets.common import current_language, error_text, label, make_table

logger = logging.getLogger(__name__)


class SpotCheckPage(QWidget):
    draw_finished = Signal(object)
    """A draw was made and recorded (the `SpotCheckRecord`)."""
    draws_loaded = Signal(int)
    """The recorded draws came from the server."""
    failed = Signal(str)
    """A call failed (error code)."""

    def __init__(self, runner: JobRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._runner = runner
        self._api: SupervisorApi | None = None
        self._draws: list[SpotCheckRecord] = []
        self.last_draw: SpotCheckRecord | None = None
        self.title = label(name="Title")
        self.explain_label = label(name="Muted", wrap=True)
        self.message_label = label(name="Error", wrap=True)
        self.box = QGroupBox()
        self.region_edit = QLineEdit()
        self.sample_spin = QSpinBox()
        self.sample_spin.setRange(1, 10_000)
        self.sample_spin.setValue(20)
        self.inspectors_spin = QSpinBox()
        self.inspectors_spin.setRange(1, 100)
        self.inspectors_spin.setValue(2)
        self.seed_edit = QLineEdit()
        self.deadline_edit = QDateEdit()
        self.deadline_edit.setCalendarPopup(True)
        self.deadline_edit.setDate(QDate.currentDate().addDays(30))
        self.draw_button = QPushButton()
        self.draw_button.setObjectName("Primary")
        self._captions = [label() for _ in range(5)]
        form = QGridLayout(self.box)
        for row, widget in enumerate(
            (self.region_edit, self.sample_spin, self.inspectors_spin, self.seed_edit)
        ):
            form.addWidget(self._captions[row], row // 2, (row % 2) * 2)
            form.addWidget(widget, row // 2, (row % 2) * 2 + 1)
        form.addWidget(self._captions[4], 2, 0)
        form.addWidget(self.deadline_edit, 2, 1)
        form.addWidget(self.draw_button, 2, 3)
        self.result_box = QGroupBox()
        self.seed_label = label(name="SectionTitle")
        self.seed_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.result_label = label(wrap=True)
        result = QVBoxLayout(self.result_box)
        result.addWidget(self.seed_label)
        result.addWidget(self.result_label)
        self.refresh_button = QPushButton()
        self.table = make_table(["", "", "", "", "", ""])
        heading = QHBoxLayout()
        heading.addWidget(self.title)
        heading.addStretch(1)
        heading.addWidget(self.refresh_button)
        top = QHBoxLayout()
        top.addWidget(self.box, 3)
        top.addWidget(self.result_box, 2)
        layout = QVBoxLayout(self)
        layout.addLayout(heading)
        layout.addWidget(self.explain_label)
        layout.addWidget(self.message_label)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        self.message_label.hide()
        self.draw_button.clicked.connect(self._on_draw_clicked)
        self.refresh_button.clicked.connect(self.refresh)
        self.retranslate()

    def attach(self, api: SupervisorApi | None, region_id: str = "") -> None:
        self._api = api
        self._draws = []
        self.last_draw = None
        if region_id:
            self.region_edit.setText(region_id)
        self._render()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.title.setText(self.tr("Random spot checks"))
        self.explain_label.setText(
            self.tr(
                "Approved households and inspectors are both drawn at random on the server. "
                "The seed is recorded with the draw, so anyone can replay it and get the same "
                "sample; each inspector's share becomes a task."
            )
        )
        self.box.setTitle(self.tr("New draw"))
        for caption, text in zip(
            self._captions,
            [
                self.tr("Region"),
                self.tr("Households"),
                self.tr("Inspectors"),
                self.tr("Seed (blank: random)"),
                self.tr("Deadline"),
            ],
            strict=True,
        ):
            caption.setText(text)
        self.draw_button.setText(self.tr("Draw"))
        self.result_box.setTitle(self.tr("Result"))
        self.refresh_button.setText(self.tr("Refresh"))
        self.table.setHorizontalHeaderLabels(
            [
                self.tr("Drawn at"),
                self.tr("Region"),
                self.tr("Seed"),
                self.tr("Sample"),
                self.tr("Tasks"),
                self.tr("Reproducible"),
            ]
        )
        self._render()

    def refresh(self) -> None:
        api = self._api
        if api is None:
            return
        self._runner.run(
            lambda ctx: api.spot_checks(),
            finished=self._on_draws,
            failed=self._on_failed,
            name="spot-checks",
        )

    def _on_draws(self, draws: list[SpotCheckRecord]) -> None:
        self._draws = draws
        self._render()
        self.draws_loaded.emit(len(draws))

    def _on_draw_clicked(self) -> None:
        api = self._api
        region = self.region_edit.text().strip()
        if api is None or not region:
            self.message_label.setText(self.tr("Enter the region to draw from."))
            self.message_label.show()
            return
        sample, inspectors = self.sample_spin.value(), self.inspectors_spin.value()
        seed = self.seed_edit.text().strip() or None
        deadline = self.deadline_edit.date().toPython()

        def draw(ctx: JobContext) -> SpotCheckRecord:
            return api.spot_check(
                region_id=region,
                sample_size=sample,
                inspector_count=inspectors,
                seed=seed,
                deadline=deadline if isinstance(deadline, date) else None,
            )

        self.draw_button.setEnabled(False)
        self._runner.run(draw, finished=self._on_drawn, failed=self._on_failed, name="spot-draw")

    def _on_drawn(self, record: SpotCheckRecord) -> None:
        self.draw_button.setEnabled(True)
        self.message_label.hide()
        self.last_draw = record
        self._draws = [record, *[d for d in self._draws if d.draw_id != record.draw_id]]
        self._render()
        self.draw_finished.emit(record)

    def _on_failed(self, error: BaseException) -> None:
        self.draw_button.setEnabled(True)
        self.message_label.setText(error_text(error, current_language()))
        self.message_label.show()
        self.failed.emit(error.code if isinstance(error, JiafangError) else "unexpected")

    def _render(self) -> None:
        record = self.last_draw
        if record is None:
            self.seed_label.setText(self.tr("Seed: –"))
            self.result_label.setText("")
        else:
            self.seed_label.setText(self.tr("Seed: %1").replace("%1", record.seed))
            self.result_label.setText(
                self.tr(
                    "%1 of %2 approved households drawn, %3 inspector(s), %4 task(s) created. "
                    "Replayed from the seed: %5"
                )
                .replace("%1", str(len(record.selected)))
                .replace("%2", str(record.population_size))
                .replace("%3", str(len(record.assignments)))
                .replace("%4", str(len(record.task_ids)))
                .replace(
                    "%5", self.tr("same sample") if record.reproducible else self.tr("DIFFERS")
                )
            )
        self.table.setRowCount(len(self._draws))
        for row, draw in enumerate(self._draws):
            values = [
                draw.drawn_at[:16].replace("T", " "),
                draw.region_id,
                draw.seed,
                str(len(draw.selected)),
                str(len(draw.task_ids)),
                "✔" if draw.reproducible else "✘",
            ]
            for column, value in enumerate(values):
                self.table.setItem(row, column, QTableWidgetItem(value))
        self.table.resizeColumnsToContents()

"""The visit form as steps, with inline validation and the eligibility result as you type.

The form edits a plain state dict (see `app.services.visit_form`): each step loads its part of
the state and writes it back. After every change (debounced) the state is checked: problems
appear next to their fields, and the content built from the valid parts is sent for an
eligibility evaluation. A few seconds after the last change the raw state is autosaved, so a
crash brings back what was on the screen. All service calls go through the shell's job runner.
"""

from __future__ import annotations

import copy
import dataclasses
from datetime import UTC, date, datetime
from typing import Any

from PySide6.QtCore import QDateTime, QEvent, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QIcon, QImage, QPixmap, QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QFileDialog,
    QFormLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.domain import (
    AssetType,
    ClueKind,
    ClueStatus,
    ExpenseType,
    Finding,
    Health,
    IncomeType,
    LabourCapacity,
    Relation,
    Sex,
    VisitContent,
    VisitKind,
)
from app.errors import ValidationError
from app.idnumber import parse_id_number
from app.ids import uuid7
from app.policy.decision import EligibilityDecision
from app.services.readmodels import PolicyNotice
from app.services.visit_form import (
    MIN_VISITORS,
    FormCheck,
    check_form,
    missing_signatures,
    state_from_content,
    without_stale_signatures,
)
from ui.labels import (
    clue_kind_label,
    clue_status_label,
    finding_label,
    health_label,
    labour_label,
    relation_label,
    sex_label,
    visit_kind_label,
)
from ui.widgets.common import current_language, label
from ui.widgets.signature_pad import SignaturePad

CHECK_DELAY_MS = 300
AUTOSAVE_DELAY_MS = 3000


def _error_label() -> QLabel:
    widget = label(name="Error", wrap=True)
    widget.setVisible(False)
    return widget


def _show_problem(widget: QLabel, check: FormCheck | None, path: str) -> None:
    problem = check.problem(path) if check is not None else None
    widget.setText(problem.message(current_language()) if problem else "")
    widget.setVisible(problem is not None)


def _set_combo(combo: QComboBox, value: object) -> None:
    index = combo.findData(value)
    combo.setCurrentIndex(max(index, 0))


class _Step(QWidget):
    """One step of the form. The four hooks below are abstract: Shiboken's metaclass rules out
    `abc.ABC` on a QWidget, so tests/ui/test_visit_form_steps.py checks instead that every
    step on the form overrides each of them."""

    changed = Signal()
    """The user changed something on this step."""

    def load(self, state: dict[str, Any]) -> None:
        raise NotImplementedError

    def store(self, state: dict[str, Any]) -> None:
        raise NotImplementedError

    def show_problems(self, check: FormCheck | None) -> None:
        raise NotImplementedError

    def retranslate(self) -> None:
        raise NotImplementedError

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)


class BasicsStep(_Step):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kind_combo = QComboBox()
        self.visitor_edits: list[QLineEdit] = []
        self._visitor_labels: list[QLabel] = []
        self.visitors_box = QWidget()
        self.visitors_form = QFormLayout(self.visitors_box)
        self.visitors_form.setContentsMargins(0, 0, 0, 0)
        self.visitors_form.setVerticalSpacing(8)
        self.add_visitor_button = QPushButton()
        self.add_visitor_button.setObjectName("AddVisitor")
        self.visitors_error = _error_label()
        self.started_edit = QDateTimeEdit()
        self.ended_edit = QDateTimeEdit()
        for edit in (self.started_edit, self.ended_edit):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.ended_error = _error_label()
        self.present_edit = QLineEdit()
        self.form = QFormLayout(self)
        self.form.setVerticalSpacing(8)
        self._labels = [QLabel() for _ in range(4)]
        self.form.addRow(self._labels[0], self.kind_combo)
        self.form.addRow(self.visitors_box)
        add_row = QHBoxLayout()
        add_row.addWidget(self.add_visitor_button)
        add_row.addStretch(1)
        self.form.addRow("", add_row)
        self.form.addRow("", self.visitors_error)
        self.form.addRow(self._labels[1], self.started_edit)
        self.form.addRow(self._labels[2], self.ended_edit)
        self.form.addRow("", self.ended_error)
        self.form.addRow(self._labels[3], self.present_edit)
        for _ in range(MIN_VISITORS):
            self._add_visitor_edit()
        self.kind_combo.currentIndexChanged.connect(self.changed)
        self.present_edit.textChanged.connect(self.changed)
        self.started_edit.dateTimeChanged.connect(self.changed)
        self.ended_edit.dateTimeChanged.connect(self.changed)
        self.add_visitor_button.clicked.connect(self._on_add_visitor_clicked)
        self.retranslate()

    def _add_visitor_edit(self) -> QLineEdit:
        edit = QLineEdit()
        if len(self.visitor_edits) == 1:
            edit.setObjectName("SecondVisitor")
        caption = QLabel()
        self.visitor_edits.append(edit)
        self._visitor_labels.append(caption)
        self.visitors_form.addRow(caption, edit)
        edit.textChanged.connect(self.changed)
        return edit

    def _on_add_visitor_clicked(self) -> None:
        edit = self._add_visitor_edit()
        self.retranslate()
        edit.setFocus()

    def retranslate(self) -> None:
        current = self.kind_combo.currentData()
        self.kind_combo.blockSignals(True)
        self.kind_combo.clear()
        for kind in VisitKind:
            self.kind_combo.addItem(visit_kind_label(kind), kind.value)
        _set_combo(self.kind_combo, current)
        self.kind_combo.blockSignals(False)
        texts = [
            self.tr("Kind of visit"),
            self.tr("Started"),
            self.tr("Ended"),
            self.tr("People present"),
        ]
        for widget, text in zip(self._labels, texts, strict=True):
            widget.setText(text)
        for number, caption in enumerate(self._visitor_labels, start=1):
            caption.setText(self.tr("Visitor %1").replace("%1", str(number)))
        for edit in self.visitor_edits[1:]:
            edit.setPlaceholderText(self.tr("Account of another visitor"))
        self.add_visitor_button.setText(self.tr("Add visitor"))
        self.present_edit.setPlaceholderText(self.tr("Names, separated by commas"))

    def load(self, state: dict[str, Any]) -> None:
        _set_combo(self.kind_combo, state.get("kind"))
        visitors = [str(v) for v in state.get("visitors", [])]
        # Back to two rows (a previous visit may have listed more), then as many as listed.
        while len(self.visitor_edits) > MIN_VISITORS:
            self._visitor_labels.pop()
            self.visitors_form.removeRow(self.visitor_edits.pop())
        while len(self.visitor_edits) < len(visitors):
            self._add_visitor_edit()
        self.retranslate()
        for index, edit in enumerate(self.visitor_edits):
            edit.setText(visitors[index] if index < len(visitors) else "")
        now = QDateTime.currentDateTime()
        for edit, key in ((self.started_edit, "started_at"), (self.ended_edit, "ended_at")):
            raw = str(state.get(key) or "")
            moment = QDateTime.fromString(raw, Qt.DateFormat.ISODate) if raw else now
            edit.setDateTime(moment.toLocalTime() if moment.isValid() else now)
        self.present_edit.setText(str(state.get("present", "")))

    def store(self, state: dict[str, Any]) -> None:
        state["kind"] = self.kind_combo.currentData()
        state["visitors"] = [e.text().strip() for e in self.visitor_edits if e.text().strip()]
        for edit, key in ((self.started_edit, "started_at"), (self.ended_edit, "ended_at")):
            moment = edit.dateTime().toPython()
            state[key] = moment.astimezone(UTC).isoformat()
        state["present"] = self.present_edit.text()

    def show_problems(self, check: FormCheck | None) -> None:
        _show_problem(self.visitors_error, check, "visitors")
        _show_problem(self.ended_error, check, "ended_at")


class MembersStep(_Step):
    """The family as found: a list on the left, the selected member's fields on the right."""

    members_changed = Signal()
    """Members were added, removed or renamed (income rows offer them)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._rows: list[dict[str, Any]] = []
        self._current = -1
        self._loading = False
        self._today = date.today()
        self.member_list = QListWidget()
        self.member_list.setFixedWidth(210)
        self.add_button = QPushButton()
        self.remove_button = QPushButton()
        self.name_edit = QLineEdit()
        self.name_edit.setObjectName("MemberName")
        self.name_error = _error_label()
        self.id_edit = QLineEdit()
        self.id_edit.setObjectName("MemberIdNumber")
        self.id_edit.setMaxLength(24)
        self.id_status = label(wrap=True)
        self.id_status.setObjectName("IdStatus")
        self.relation_combo = QComboBox()
        self.health_combo = QComboBox()
        self.disability_combo = QComboBox()
        self.labour_combo = QComboBox()
        self.employed_check = QCheckBox()
        self.lives_check = QCheckBox()
        self.supporter_check = QCheckBox()

        left = QVBoxLayout()
        left.addWidget(self.member_list, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        left.addLayout(buttons)
        self.editor = QWidget()
        self.form = QFormLayout(self.editor)
        self.form.setVerticalSpacing(8)
        self._labels = [QLabel() for _ in range(6)]
        self.form.addRow(self._labels[0], self.name_edit)
        self.form.addRow("", self.name_error)
        self.form.addRow(self._labels[1], self.id_edit)
        self.form.addRow("", self.id_status)
        self.form.addRow(self._labels[2], self.relation_combo)
        self.form.addRow(self._labels[3], self.health_combo)
        self.form.addRow(self._labels[4], self.disability_combo)
        self.form.addRow(self._labels[5], self.labour_combo)
        self.form.addRow("", self.employed_check)
        self.form.addRow("", self.lives_check)
        self.form.addRow("", self.supporter_check)
        layout = QHBoxLayout(self)
        layout.addLayout(left)
        layout.addSpacing(12)
        layout.addWidget(self.editor, 1)

        self.member_list.currentRowChanged.connect(self._on_member_list_row_changed)
        self.add_button.clicked.connect(self._on_add_clicked)
        self.remove_button.clicked.connect(self._on_remove_clicked)
        self.name_edit.textChanged.connect(self._on_editor_changed)
        self.id_edit.textChanged.connect(self._on_editor_changed)
        for combo in (
            self.relation_combo,
            self.health_combo,
            self.disability_combo,
            self.labour_combo,
        ):
            combo.currentIndexChanged.connect(self._on_editor_changed)
        for box in (self.employed_check, self.lives_check, self.supporter_check):
            box.toggled.connect(self._on_editor_changed)
        self.retranslate()

    def retranslate(self) -> None:
        self._loading = True
        for combo, values, labeller in (
            (self.relation_combo, list(Relation), relation_label),
            (self.health_combo, list(Health), health_label),
            (self.labour_combo, list(LabourCapacity), labour_label),
        ):
            current = combo.currentData()
            combo.clear()
            for value in values:
                combo.addItem(labeller(value), value.value)
            _set_combo(combo, current)
        current = self.disability_combo.currentData()
        self.disability_combo.clear()
        self.disability_combo.addItem(self.tr("No disability"), "")
        for grade in range(1, 5):
            self.disability_combo.addItem(self.tr("Grade %1").replace("%1", str(grade)), str(grade))
        _set_combo(self.disability_combo, current)
        self._loading = False
        texts = [
            self.tr("Name"),
            self.tr("ID number"),
            self.tr("Relation to head"),
            self.tr("Health"),
            self.tr("Disability"),
            self.tr("Labour capacity"),
        ]
        for widget, text in zip(self._labels, texts, strict=True):
            widget.setText(text)
        self.add_button.setText(self.tr("Add member"))
        self.remove_button.setText(self.tr("Remove"))
        self.employed_check.setText(self.tr("Employed"))
        self.lives_check.setText(self.tr("Lives with the family"))
        self.supporter_check.setText(self.tr("Has a legal supporter able to support them"))
        self._update_id_status()
        self._refresh_list()

    def member_choices(self) -> list[tuple[str, str]]:
        return [(str(r.get("member_id", "")), str(r.get("name", ""))) for r in self._rows]

    def select(self, index: int) -> None:
        self.member_list.setCurrentRow(index)

    def load(self, state: dict[str, Any]) -> None:
        self._rows = copy.deepcopy(list(state.get("members", [])))
        self._current = -1
        self._refresh_list()
        if self._rows:
            self.member_list.setCurrentRow(0)
        else:
            self._show_member(None)

    def store(self, state: dict[str, Any]) -> None:
        state["members"] = copy.deepcopy(self._rows)

    def show_problems(self, check: FormCheck | None) -> None:
        self._check = check
        index = self._current
        _show_problem(self.name_error, check, f"members.{index}.name")
        for row in range(self.member_list.count()):
            item = self.member_list.item(row)
            bad = check is not None and any(
                p.path.startswith(f"members.{row}.") for p in check.problems
            )
            item.setForeground(Qt.GlobalColor.red if bad else Qt.GlobalColor.black)
        self._update_id_status()

    def _refresh_list(self) -> None:
        self.member_list.blockSignals(True)
        current = self.member_list.currentRow()
        self.member_list.clear()
        for row in self._rows:
            name = str(row.get("name") or "") or self.tr("(no name)")
            relation = Relation(row.get("relation", Relation.OTHER.value))
            self.member_list.addItem(f"{name} · {relation_label(relation)}")
        if 0 <= current < self.member_list.count():
            self.member_list.setCurrentRow(current)
        self.member_list.blockSignals(False)
        self.remove_button.setEnabled(bool(self._rows))
        self.editor.setEnabled(bool(self._rows))

    def _show_member(self, row: dict[str, Any] | None) -> None:
        self._loading = True
        row = row or {}
        self.name_edit.setText(str(row.get("name", "")))
        self.id_edit.setText(str(row.get("id_number", "")))
        _set_combo(self.relation_combo, row.get("relation", Relation.OTHER.value))
        _set_combo(self.health_combo, row.get("health", Health.HEALTHY.value))
        _set_combo(self.disability_combo, str(row.get("disability_grade", "") or ""))
        _set_combo(self.labour_combo, row.get("labour_capacity", LabourCapacity.FULL.value))
        self.employed_check.setChecked(bool(row.get("employed", False)))
        self.lives_check.setChecked(bool(row.get("lives_with_family", True)))
        self.supporter_check.setChecked(bool(row.get("has_able_supporter", False)))
        self._loading = False
        self._update_id_status()

    def _update_id_status(self) -> None:
        """Validate the ID number as it is typed and show what it says, or why it is wrong."""
        raw = self.id_edit.text()
        if not raw.strip():
            self.id_status.setText("")
            self.id_edit.setProperty("invalid", False)
            return
        try:
            parsed = parse_id_number(raw, today=self._today)
        except ValidationError as exc:
            self.id_status.setObjectName("Error")
            self.id_status.setText(exc.message(current_language()))
            self.id_edit.setProperty("invalid", True)
        else:
            self.id_status.setObjectName("IdStatus")
            self.id_status.setText(
                self.tr("Born %1 · %2 · %3 years old")
                .replace("%1", parsed.birth_date.isoformat())
                .replace("%2", sex_label(parsed.sex is Sex.MALE))
                .replace("%3", str(parsed.age_on(self._today)))
            )
            self.id_edit.setProperty("invalid", False)
        # Re-polish so the stylesheet picks up the changed object name / property.
        for widget in (self.id_status, self.id_edit):
            widget.style().unpolish(widget)
            widget.style().polish(widget)

    def _on_member_list_row_changed(self, row: int) -> None:
        self._current = row
        self._show_member(self._rows[row] if 0 <= row < len(self._rows) else None)
        self.show_problems(getattr(self, "_check", None))

    def _on_add_clicked(self) -> None:
        self._rows.append(
            {
                "member_id": uuid7(),
                "name": "",
                "id_number": "",
                "relation": Relation.OTHER.value,
                "health": Health.HEALTHY.value,
                "disability_grade": "",
                "labour_capacity": LabourCapacity.FULL.value,
                "employed": False,
                "lives_with_family": True,
                "has_able_supporter": False,
            }
        )
        self._refresh_list()
        self.member_list.setCurrentRow(len(self._rows) - 1)
        self.name_edit.setFocus()
        self.members_changed.emit()
        self.changed.emit()

    def _on_remove_clicked(self) -> None:
        row = self.member_list.currentRow()
        if 0 <= row < len(self._rows):
            del self._rows[row]
            self._current = -1
            self._refresh_list()
            self.member_list.setCurrentRow(min(row, len(self._rows) - 1))
            if not self._rows:
                self._show_member(None)
            self.members_changed.emit()
            self.changed.emit()

    def _on_editor_changed(self) -> None:
        if self._loading or not 0 <= self._current < len(self._rows):
            self._update_id_status()
            return
        row = self._rows[self._current]
        renamed = row.get("name") != self.name_edit.text()
        row.update(
            {
                "name": self.name_edit.text(),
                "id_number": self.id_edit.text(),
                "relation": self.relation_combo.currentData(),
                "health": self.health_combo.currentData(),
                "disability_grade": self.disability_combo.currentData() or "",
                "labour_capacity": self.labour_combo.currentData(),
                "employed": self.employed_check.isChecked(),
                "lives_with_family": self.lives_check.isChecked(),
                "has_able_supporter": self.supporter_check.isChecked(),
            }
        )
        self._update_id_status()
        self._refresh_list()
        if renamed:
            self.members_changed.emit()
        self.changed.emit()


class _Column:
    def __init__(self, key: str, kind: str, width: int = 0, choices: list[Any] | None = None):
        self.key = key
        self.kind = kind  # "member" | "enum" | "money" | "text" | "bool"
        self.width = width
        self.choices = choices or []


class RowsStep(_Step):
    """An editable list of rows (incomes, assets, expenses, interviews) with a message per row."""

    def __init__(
        self,
        state_key: str,
        columns: list[_Column],
        problem_keys: tuple[str, ...],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.state_key = state_key
        self.columns = columns
        self.problem_keys = problem_keys
        self._members: list[tuple[str, str]] = []
        self._rows: list[dict[str, Any]] = []
        self._row_widgets: list[tuple[dict[str, QWidget], QLabel]] = []
        self._loading = False
        self.header = QWidget()
        self.header_layout = QGridLayout(self.header)
        self.header_layout.setContentsMargins(0, 0, 0, 0)
        self._header_labels = [label(name="Muted") for _ in columns]
        for i, widget in enumerate(self._header_labels):
            self.header_layout.addWidget(widget, 0, i)
        self.rows_box = QVBoxLayout()
        self.rows_box.setSpacing(4)
        self.add_button = QPushButton()
        self.total_label = label(name="SectionTitle")
        layout = QVBoxLayout(self)
        layout.addWidget(self.header)
        layout.addLayout(self.rows_box)
        bottom = QHBoxLayout()
        bottom.addWidget(self.add_button)
        bottom.addStretch(1)
        bottom.addWidget(self.total_label)
        layout.addLayout(bottom)
        layout.addStretch(1)
        self.add_button.clicked.connect(self._on_add_clicked)

    # Subclass hooks: texts per column (abstract, checked like _Step's) and the enum labels.
    def column_titles(self) -> list[str]:
        raise NotImplementedError

    def choice_label(self, column: _Column, value: Any) -> str:
        return str(value)

    def add_text(self) -> str:
        raise NotImplementedError

    def retranslate(self) -> None:
        for widget, text in zip(self._header_labels, self.column_titles(), strict=True):
            widget.setText(text)
        self.add_button.setText(self.add_text())
        self._rebuild()

    def set_members(self, members: list[tuple[str, str]]) -> None:
        self._members = members
        self._rebuild()

    def load(self, state: dict[str, Any]) -> None:
        self._rows = copy.deepcopy(list(state.get(self.state_key, [])))
        self._rebuild()

    def store(self, state: dict[str, Any]) -> None:
        state[self.state_key] = copy.deepcopy(self._rows)

    def show_problems(self, check: FormCheck | None) -> None:
        for index, (_, error) in enumerate(self._row_widgets):
            problem = None
            if check is not None:
                for key in self.problem_keys:
                    path = f"{self.state_key}.{index}{'.' + key if key else ''}"
                    problem = problem or check.problem(path)
            error.setText(problem.message(current_language()) if problem else "")
            error.setVisible(problem is not None)

    def row_widget(self, index: int, key: str) -> QWidget:
        return self._row_widgets[index][0][key]

    def row_error(self, index: int) -> QLabel:
        return self._row_widgets[index][1]

    @property
    def row_count(self) -> int:
        return len(self._rows)

    def new_row(self) -> dict[str, Any]:
        row: dict[str, Any] = {}
        for column in self.columns:
            if column.kind == "bool":
                row[column.key] = False
            elif column.kind == "enum":
                row[column.key] = column.choices[0].value
            else:
                row[column.key] = ""
        return row

    def _rebuild(self) -> None:
        self._loading = True
        while self.rows_box.count():
            item = self.rows_box.takeAt(0)
            widget = item.widget()
            if widget is not None:
                # Detach now: deleteLater() alone leaves the old row painted until the event
                # loop gets round to deferred deletes.
                widget.hide()
                widget.setParent(None)
                widget.deleteLater()
        self._row_widgets = []
        for index, row in enumerate(self._rows):
            container = QWidget()
            grid = QGridLayout(container)
            grid.setContentsMargins(0, 0, 0, 0)
            widgets: dict[str, QWidget] = {}
            for col, column in enumerate(self.columns):
                widget = self._make_widget(column, row.get(column.key), index)
                widgets[column.key] = widget
                grid.addWidget(widget, 0, col)
            remove = QPushButton("×")
            remove.setObjectName("RowRemove")
            remove.setFixedWidth(32)
            remove.setToolTip(self.tr("Remove this row"))
            remove.clicked.connect(lambda _=False, i=index: self._on_remove_clicked(i))
            grid.addWidget(remove, 0, len(self.columns))
            error = _error_label()
            grid.addWidget(error, 1, 0, 1, len(self.columns) + 1)
            for col, column in enumerate(self.columns):
                grid.setColumnStretch(col, 0 if column.width else 1)
                self.header_layout.setColumnStretch(col, 0 if column.width else 1)
                self.header_layout.setColumnMinimumWidth(col, column.width)
                grid.setColumnMinimumWidth(col, column.width)
            self.header_layout.setColumnMinimumWidth(len(self.columns), 32)
            self.rows_box.addWidget(container)
            self._row_widgets.append((widgets, error))
        self.header.setVisible(bool(self._rows))
        self._loading = False
        self._update_total()

    def _make_widget(self, column: _Column, value: Any, index: int) -> QWidget:
        widget: QWidget
        if column.kind in ("member", "enum"):
            combo = QComboBox()
            if column.kind == "member":
                combo.addItem(self.tr("Whole household"), "")
                for member_id, name in self._members:
                    combo.addItem(name or self.tr("(no name)"), member_id)
            else:
                for choice in column.choices:
                    combo.addItem(self.choice_label(column, choice), choice.value)
            _set_combo(combo, value or "")
            combo.currentIndexChanged.connect(
                lambda _=0, c=combo, i=index, k=column.key: self._on_value_changed(
                    i, k, c.currentData()
                )
            )
            widget = combo
        elif column.kind == "bool":
            box = QCheckBox(self.choice_label(column, None))
            box.setChecked(bool(value))
            box.toggled.connect(
                lambda checked, i=index, k=column.key: self._on_value_changed(i, k, checked)
            )
            widget = box
        else:
            edit = QLineEdit(str(value or ""))
            if column.kind == "money":
                edit.setPlaceholderText(self.tr("yuan"))
                edit.setAlignment(Qt.AlignmentFlag.AlignRight)
            edit.textChanged.connect(
                lambda text, i=index, k=column.key: self._on_value_changed(i, k, text)
            )
            widget = edit
        if column.width:
            widget.setFixedWidth(column.width)
        return widget

    def _on_value_changed(self, index: int, key: str, value: Any) -> None:
        if self._loading or not 0 <= index < len(self._rows):
            return
        self._rows[index][key] = value
        self._update_total()
        self.changed.emit()

    def _on_add_clicked(self) -> None:
        self._rows.append(self.new_row())
        self._rebuild()
        first = self._row_widgets[-1][0][self.columns[0].key]
        first.setFocus()
        self.changed.emit()

    def _on_remove_clicked(self, index: int) -> None:
        if 0 <= index < len(self._rows):
            del self._rows[index]
            self._rebuild()
            self.changed.emit()

    def _update_total(self) -> None:
        self.total_label.setText("")


class IncomesStep(RowsStep):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(
            "incomes",
            [
                _Column("member_id", "member", 150),
                _Column("type", "enum", 170, list(IncomeType)),
                _Column("monthly_amount", "money", 130),
                _Column("note", "text"),
            ],
            ("monthly_amount",),
            parent,
        )
        self.retranslate()

    def column_titles(self) -> list[str]:
        return [
            self.tr("Member"),
            self.tr("Kind of income"),
            self.tr("Per month (yuan)"),
            self.tr("Note"),
        ]

    def add_text(self) -> str:
        return self.tr("Add income")

    def choice_label(self, column: _Column, value: Any) -> str:
        return {
            IncomeType.WAGES: self.tr("Wages"),
            IncomeType.BUSINESS: self.tr("Business income"),
            IncomeType.PROPERTY: self.tr("Property income"),
            IncomeType.PENSION: self.tr("Pension"),
            IncomeType.TRANSFER: self.tr("Transfers (support from relatives)"),
            IncomeType.AGRICULTURE: self.tr("Farming"),
            IncomeType.ASSISTANCE: self.tr("Assistance payments"),
            IncomeType.OTHER: self.tr("Other"),
        }[value]


class AssetsStep(RowsStep):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(
            "assets",
            [
                _Column("member_id", "member", 150),
                _Column("type", "enum", 150, list(AssetType)),
                _Column("value", "money", 130),
                _Column("description", "text"),
                _Column("for_disability", "bool", 150),
            ],
            ("value",),
            parent,
        )
        self.retranslate()

    def column_titles(self) -> list[str]:
        return [
            self.tr("Member"),
            self.tr("Kind of asset"),
            self.tr("Value (yuan)"),
            self.tr("Description"),
            "",
        ]

    def add_text(self) -> str:
        return self.tr("Add asset")

    def choice_label(self, column: _Column, value: Any) -> str:
        if column.kind == "bool":
            return self.tr("Used for a disability")
        return {
            AssetType.DEPOSIT: self.tr("Bank deposit"),
            AssetType.SECURITIES: self.tr("Securities"),
            AssetType.VEHICLE: self.tr("Vehicle"),
            AssetType.REAL_ESTATE: self.tr("Real estate"),
            AssetType.BUSINESS_REGISTRATION: self.tr("Business registration"),
            AssetType.OTHER: self.tr("Other"),
        }[value]


class ExpensesStep(RowsStep):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(
            "expenses",
            [
                _Column("member_id", "member", 150),
                _Column("type", "enum", 170, list(ExpenseType)),
                _Column("monthly_amount", "money", 130),
                _Column("note", "text"),
            ],
            ("monthly_amount",),
            parent,
        )
        self.retranslate()

    def column_titles(self) -> list[str]:
        return [
            self.tr("Member"),
            self.tr("Kind of expense"),
            self.tr("Per month (yuan)"),
            self.tr("Note"),
        ]

    def add_text(self) -> str:
        return self.tr("Add expense")

    def choice_label(self, column: _Column, value: Any) -> str:
        return {
            ExpenseType.MEDICAL: self.tr("Medical"),
            ExpenseType.EDUCATION: self.tr("Education"),
            ExpenseType.EMPLOYMENT_COST: self.tr("Necessary cost of working"),
        }[value]


class InterviewsEditor(RowsStep):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(
            "neighbour_interviews",
            [
                _Column("name", "text", 120),
                _Column("relation", "text", 120),
                _Column("statement", "text"),
            ],
            ("",),
            parent,
        )
        self.retranslate()

    def new_row(self) -> dict[str, Any]:
        return {"name": "", "relation": "", "statement": ""}

    def column_titles(self) -> list[str]:
        return [self.tr("Interviewed"), self.tr("Relation"), self.tr("What they said")]

    def add_text(self) -> str:
        return self.tr("Add interview")


class ConditionsStep(_Step):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.housing_edit = QPlainTextEdit()
        self.living_edit = QPlainTextEdit()
        for edit in (self.housing_edit, self.living_edit):
            edit.setFixedHeight(80)
            edit.textChanged.connect(self.changed)
        self.interviews = InterviewsEditor()
        self.interviews.changed.connect(self.changed)
        self._titles = [label(name="SectionTitle") for _ in range(3)]
        layout = QVBoxLayout(self)
        layout.addWidget(self._titles[0])
        layout.addWidget(self.housing_edit)
        layout.addWidget(self._titles[1])
        layout.addWidget(self.living_edit)
        layout.addWidget(self._titles[2])
        layout.addWidget(self.interviews)
        layout.addStretch(1)
        self.retranslate()

    def retranslate(self) -> None:
        self._titles[0].setText(self.tr("Housing conditions"))
        self._titles[1].setText(self.tr("Living conditions"))
        self._titles[2].setText(self.tr("Neighbour interviews"))
        self.housing_edit.setPlaceholderText(
            self.tr("Structure, size, ownership, state of repair…")
        )
        self.living_edit.setPlaceholderText(self.tr("Furniture, appliances, food, heating…"))

    def load(self, state: dict[str, Any]) -> None:
        self.housing_edit.setPlainText(str(state.get("housing_conditions", "")))
        self.living_edit.setPlainText(str(state.get("living_conditions", "")))
        self.interviews.load(state)

    def store(self, state: dict[str, Any]) -> None:
        state["housing_conditions"] = self.housing_edit.toPlainText()
        state["living_conditions"] = self.living_edit.toPlainText()
        self.interviews.store(state)

    def show_problems(self, check: FormCheck | None) -> None:
        self.interviews.show_problems(check)


class PhotosStep(_Step):
    """Photos (imported from files; EXIF/GPS stripped by the services) and the signatures."""

    photos_import_requested = Signal(list)
    """Photos to import: file paths chosen, or JPEG bytes taken with the camera."""
    signature_saved = Signal(str, bytes)
    """A signature was drawn and kept: (signer, PNG bytes)."""

    THUMB = 120

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._titles = [label(name="SectionTitle") for _ in range(2)]
        self.import_button = QPushButton()
        self.camera_button = QPushButton()
        self.camera_button.setObjectName("TakePhoto")
        self.camera_button.setVisible(False)  # until a camera is found (`refresh_camera`)
        self.camera_dialog: QDialog | None = None
        self.thumbnails = QListWidget()
        self.thumbnails.setObjectName("PhotoThumbnails")
        self.thumbnails.setViewMode(QListWidget.ViewMode.IconMode)
        self.thumbnails.setIconSize(QSize(self.THUMB, self.THUMB))
        self.thumbnails.setFixedHeight(self.THUMB + 36)
        self.thumbnails.setMovement(QListWidget.Movement.Static)
        self.photo_hint = label(name="Muted", wrap=True)
        #: by signer: "household" or a visitor's account as entered in the basics step
        self.pads: dict[str, SignaturePad] = {}
        self.pad_labels: dict[str, QLabel] = {}
        self.keep_buttons: dict[str, QPushButton] = {}
        self.clear_buttons: dict[str, QPushButton] = {}
        self.signed_labels: dict[str, QLabel] = {}
        self._pad_boxes: dict[str, QWidget] = {}
        self._placeholders: list[QLabel] = []
        #: the visitors listed in the basics step, in order ("" for a slot not filled in yet)
        self._visitor_slots: list[str] = ["", ""]
        self.signatures_error = _error_label()
        self.signatures_error.setObjectName("Error")
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        top.addWidget(self._titles[0])
        top.addStretch(1)
        top.addWidget(self.camera_button)
        top.addWidget(self.import_button)
        layout.addLayout(top)
        layout.addWidget(self.photo_hint)
        layout.addWidget(self.thumbnails)
        layout.addWidget(self._titles[1])
        layout.addWidget(self.signatures_error)
        self.pads_grid = QGridLayout()
        layout.addLayout(self.pads_grid)
        layout.addStretch(1)
        self._signed: set[str] = set()
        self._rebuild_pads()
        self.import_button.clicked.connect(self._on_import_clicked)
        self.camera_button.clicked.connect(self._on_camera_clicked)
        self.retranslate()

    def retranslate(self) -> None:
        self._titles[0].setText(self.tr("Photos"))
        self._titles[1].setText(self.tr("Signatures"))
        self.import_button.setText(self.tr("Import photos…"))
        self.camera_button.setText(self.tr("Take photo…"))
        self.photo_hint.setText(
            self.tr(
                "Location and camera data are removed and photos are reduced to a few "
                "hundred KB before they are stored, encrypted."
            )
        )
        for signer in self.pads:
            self.keep_buttons[signer].setText(self.tr("Keep signature"))
            self.clear_buttons[signer].setText(self.tr("Clear"))
        self._render_pad_labels()
        self._render_signed()

    def set_visitors(self, visitors: list[str]) -> None:
        """One pad per visitor listed in the basics step (at least two slots), plus the
        household's; a pad already drawn on stays as it is. Blank entries are skipped."""
        listed = list(dict.fromkeys(v for v in visitors if v))  # typed twice: signs once
        slots = [*listed, *[""] * (MIN_VISITORS - len(listed))]
        if slots != self._visitor_slots:
            self._visitor_slots = slots
            self._rebuild_pads()

    @property
    def signers(self) -> list[str]:
        """Who must sign: the household, then each visitor listed so far."""
        return ["household", *(v for v in self._visitor_slots if v)]

    def _rebuild_pads(self) -> None:
        wanted = self.signers
        while self.pads_grid.count():
            item = self.pads_grid.takeAt(0)
            widget = item.widget()
            if widget is not None:
                widget.hide()
                widget.setParent(None)
        for signer in [s for s in self.pads if s not in wanted]:
            box = self._pad_boxes.pop(signer)
            for table in (
                self.pads,
                self.pad_labels,
                self.keep_buttons,
                self.clear_buttons,
                self.signed_labels,
            ):
                table.pop(signer)
            box.deleteLater()
        self._placeholders = []
        cells: list[QWidget] = []
        for signer in wanted:
            if signer not in self.pads:
                self._pad_boxes[signer] = self._make_pad(signer)
            cells.append(self._pad_boxes[signer])
        for index, visitor in enumerate(self._visitor_slots):
            if not visitor:
                placeholder = label(name="Muted", wrap=True)
                placeholder.setProperty("slot", index + 1)
                self._placeholders.append(placeholder)
                cells.append(placeholder)
        for index, cell in enumerate(cells):
            self.pads_grid.addWidget(cell, index // 2, index % 2)
            cell.show()
        self._render_pad_labels()
        self._render_signed()

    def _make_pad(self, signer: str) -> QWidget:
        box = QWidget()
        pad = SignaturePad()
        pad.setObjectName(f"Pad-{signer}")
        keep = QPushButton(self.tr("Keep signature"))
        clear = QPushButton(self.tr("Clear"))
        signed = label(name="Muted")
        self.pads[signer] = pad
        self.pad_labels[signer] = QLabel()
        self.keep_buttons[signer] = keep
        self.clear_buttons[signer] = clear
        self.signed_labels[signer] = signed
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.pad_labels[signer])
        column.addWidget(pad)
        row = QHBoxLayout()
        row.addWidget(signed, 1)
        row.addWidget(clear)
        row.addWidget(keep)
        column.addLayout(row)
        keep.clicked.connect(lambda _=False, s=signer: self._on_keep_clicked(s))
        clear.clicked.connect(pad.clear)
        return box

    def _render_pad_labels(self) -> None:
        for signer, widget in self.pad_labels.items():
            if signer == "household":
                widget.setText(self.tr("Signature of the household"))
            else:
                widget.setText(self.tr("Signature of visitor %1").replace("%1", signer))
        for placeholder in self._placeholders:
            placeholder.setText(
                self.tr("Visitor %1: enter their account in step 1 to sign here.").replace(
                    "%1", str(placeholder.property("slot"))
                )
            )

    def show_missing(self, signers: list[str]) -> None:
        """Say whose signature is still missing (empty: hide the message)."""
        names = [self.tr("the household") if s == "household" else s for s in signers]
        self.signatures_error.setText(
            self.tr("Still to sign and keep: %1").replace("%1", "、".join(names)) if names else ""
        )
        self.signatures_error.setVisible(bool(names))

    def showEvent(self, event: QShowEvent) -> None:
        self.refresh_camera()  # a USB camera may have been plugged in since
        super().showEvent(event)

    def refresh_camera(self) -> None:
        """Offer "Take photo" only when the laptop has a camera."""
        self.camera_button.setVisible(bool(_available_cameras()))

    def _on_camera_clicked(self) -> None:
        from ui.widgets.camera import CameraDialog, default_camera

        dialog = CameraDialog(default_camera(), self)
        dialog.photo_taken.connect(self.add_captured_photo)
        dialog.finished.connect(dialog.deleteLater)
        self.camera_dialog = dialog
        dialog.open()

    def add_captured_photo(self, jpeg: bytes) -> None:
        """A photo taken with the camera: imported like a file (metadata dropped, downscaled)."""
        if jpeg:
            self.photos_import_requested.emit([jpeg])

    def set_photos(self, photos: list[tuple[str, bytes]]) -> None:
        """Thumbnails from decrypted photo bytes (built here, on the GUI thread)."""
        self.thumbnails.clear()
        for attachment_id, data in photos:
            image = QImage.fromData(data)
            pixmap = QPixmap.fromImage(
                image.scaled(
                    self.THUMB,
                    self.THUMB,
                    Qt.AspectRatioMode.KeepAspectRatio,
                    Qt.TransformationMode.SmoothTransformation,
                )
            )
            item = QListWidgetItem(QIcon(pixmap), "")
            item.setData(Qt.ItemDataRole.UserRole, attachment_id)
            self.thumbnails.addItem(item)

    def set_signed(self, signers: set[str]) -> None:
        self._signed = set(signers)
        self._render_signed()

    def _render_signed(self) -> None:
        for signer, widget in self.signed_labels.items():
            widget.setText(self.tr("Signed") if signer in self._signed else "")
        if not self.signatures_error.isHidden():
            self.show_missing([s for s in self.signers if s not in self._signed])

    def load(self, state: dict[str, Any]) -> None:
        self.show_missing([])
        self.set_visitors([str(v).strip() for v in state.get("visitors", []) if str(v).strip()])
        for pad in self.pads.values():
            pad.clear()

    def store(self, state: dict[str, Any]) -> None:
        return

    def show_problems(self, check: FormCheck | None) -> None:
        return

    def _on_import_clicked(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(
            self, self.tr("Import photos"), "", self.tr("Pictures (*.jpg *.jpeg *.png *.heic)")
        )
        if paths:
            self.photos_import_requested.emit(list(paths))

    def _on_keep_clicked(self, signer: str) -> None:
        pad = self.pads[signer]
        if not pad.is_empty:
            self.signature_saved.emit(signer, pad.png_bytes())


def _available_cameras() -> list[object]:
    """The laptop's cameras; none where QtMultimedia cannot load (no PulseAudio client
    library): the form then offers the file import only."""
    try:
        from ui.widgets.camera import available_cameras
    except ImportError:
        return []
    return list(available_cameras())


class FindingStep(_Step):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.notice_text = label(wrap=True)
        self.notice_frame = QFrame()
        self.notice_frame.setObjectName("Card")
        notice_layout = QVBoxLayout(self.notice_frame)
        notice_layout.addWidget(self.notice_text)
        self.notice_check = QCheckBox()
        self.notice_check.setObjectName("NoticeSigned")
        self.finding_combo = QComboBox()
        self.reasons_edit = QPlainTextEdit()
        self.reasons_edit.setFixedHeight(90)
        self._titles = [label(name="SectionTitle") for _ in range(4)]
        self._clues: dict[str, tuple[ClueKind, str]] = {}
        self._clue_ids: list[str] = []
        self._clue_rows: dict[str, tuple[QLabel, QComboBox, QLabel]] = {}
        self.clues_box = QWidget()
        self.clues_layout = QGridLayout(self.clues_box)
        self.clues_layout.setContentsMargins(0, 0, 0, 0)
        layout = QVBoxLayout(self)
        layout.addWidget(self._titles[3])
        layout.addWidget(self.clues_box)
        layout.addWidget(self._titles[0])
        layout.addWidget(self.notice_frame)
        layout.addWidget(self.notice_check)
        layout.addSpacing(8)
        layout.addWidget(self._titles[1])
        layout.addWidget(self.finding_combo)
        layout.addWidget(self._titles[2])
        layout.addWidget(self.reasons_edit)
        layout.addStretch(1)
        self.notice_check.toggled.connect(self.changed)
        self.finding_combo.currentIndexChanged.connect(self.changed)
        self.reasons_edit.textChanged.connect(self.changed)
        self.retranslate()

    def retranslate(self) -> None:
        self._titles[0].setText(self.tr("Notice of duties"))
        self._titles[1].setText(self.tr("Finding"))
        self._titles[2].setText(self.tr("Reasons for the finding"))
        self._titles[3].setText(self.tr("Outcome of the clues checked"))
        self._rebuild_clues()
        self.notice_text.setText(
            self.tr(
                "The household was told in writing: any change in family members, income or "
                "property must be reported within one month; obtaining assistance by fraud is "
                "prosecuted according to law."
            )
        )
        self.notice_check.setText(self.tr("The notice of duties was read and signed"))
        current = self.finding_combo.currentData()
        self.finding_combo.blockSignals(True)
        self.finding_combo.clear()
        self.finding_combo.addItem(finding_label(None), "")
        for finding in Finding:
            self.finding_combo.addItem(finding_label(finding), finding.value)
        _set_combo(self.finding_combo, current or "")
        self.finding_combo.blockSignals(False)

    def set_clues(self, clues: dict[str, tuple[ClueKind, str]]) -> None:
        """What each clue of a clue-check visit is about: (kind, member name)."""
        self._clues = dict(clues)
        self._rebuild_clues()

    def _rebuild_clues(self, outcomes: dict[str, str] | None = None) -> None:
        if outcomes is None:
            outcomes = {cid: row[1].currentData() or "" for cid, row in self._clue_rows.items()}
        while self.clues_layout.count():
            item = self.clues_layout.takeAt(0)
            widget = item.widget()
            if widget is not None:
                widget.hide()
                widget.setParent(None)
                widget.deleteLater()
        self._clue_rows = {}
        for row, clue_id in enumerate(self._clue_ids):
            kind, member = self._clues.get(clue_id, (None, ""))
            text = clue_kind_label(kind) if kind is not None else self.tr("Clue")
            if member:
                text += f" · {member}"
            name = QLabel(text)
            combo = QComboBox()
            combo.setObjectName("ClueOutcome")
            combo.addItem(self.tr("Not decided"), "")
            combo.addItem(clue_status_label(ClueStatus.CONFIRMED), ClueStatus.CONFIRMED.value)
            combo.addItem(clue_status_label(ClueStatus.REFUTED), ClueStatus.REFUTED.value)
            _set_combo(combo, outcomes.get(clue_id, ""))
            combo.currentIndexChanged.connect(self.changed)
            error = _error_label()
            self.clues_layout.addWidget(name, row * 2, 0)
            self.clues_layout.addWidget(combo, row * 2, 1)
            self.clues_layout.addWidget(error, row * 2 + 1, 0, 1, 2)
            self._clue_rows[clue_id] = (name, combo, error)
        visible = bool(self._clue_ids)
        self.clues_box.setVisible(visible)
        self._titles[3].setVisible(visible)

    def clue_outcome_combo(self, clue_id: str) -> QComboBox:
        return self._clue_rows[clue_id][1]

    def load(self, state: dict[str, Any]) -> None:
        self._clue_ids = [str(c) for c in state.get("clue_ids", [])]
        self._rebuild_clues(dict(state.get("clue_outcomes") or {}))
        self.notice_check.setChecked(bool(state.get("notice_of_duties_signed", False)))
        _set_combo(self.finding_combo, state.get("finding") or "")
        self.reasons_edit.setPlainText(str(state.get("finding_reasons", "")))

    def store(self, state: dict[str, Any]) -> None:
        state["notice_of_duties_signed"] = self.notice_check.isChecked()
        state["finding"] = self.finding_combo.currentData() or ""
        state["finding_reasons"] = self.reasons_edit.toPlainText()
        state["clue_ids"] = list(self._clue_ids)
        state["clue_outcomes"] = {
            clue_id: row[1].currentData() or "" for clue_id, row in self._clue_rows.items()
        }

    def show_problems(self, check: FormCheck | None) -> None:
        for clue_id, (_, _, error) in self._clue_rows.items():
            _show_problem(error, check, f"clue_outcomes.{clue_id}")


class EligibilityPanel(QFrame):
    """The eligibility result of the data entered so far, with its reasons."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Card")
        self.setFixedWidth(330)
        self._decision: EligibilityDecision | None = None
        self._policy_notice: PolicyNotice | None = None
        self.title = label(name="Muted")
        # Shown when this app's policy differs from the server's for the household's region.
        self.policy_label = label(name="Error", wrap=True)
        self.policy_label.hide()
        self.category_label = label(name="SectionTitle", wrap=True)
        self.numbers_label = label(wrap=True)
        self.reasons_list = QListWidget()
        self.reasons_list.setObjectName("LiveReasons")
        self.reasons_list.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.category_label)
        layout.addWidget(self.numbers_label)
        layout.addWidget(self.reasons_list, 1)
        layout.addWidget(self.policy_label)
        self.retranslate()

    def set_decision(self, decision: EligibilityDecision | None) -> None:
        self._decision = decision
        self._render()

    def set_policy_notice(self, notice: PolicyNotice | None) -> None:
        self._policy_notice = notice
        self._render_policy_notice()

    @property
    def policy_notice(self) -> PolicyNotice | None:
        return self._policy_notice

    def _render_policy_notice(self) -> None:
        notice = self._policy_notice
        if notice is None:
            self.policy_label.hide()
            self.policy_label.setText("")
            return
        unknown = self.tr("none")
        laptop = (
            f"{notice.laptop_policy_id} v{notice.laptop_version}"
            if notice.laptop_policy_id
            else unknown
        )
        server = (
            f"{notice.server_policy_id} v{notice.server_version}"
            if notice.server_policy_id
            else unknown
        )
        self.policy_label.setText(
            self.tr(
                "This app's policy (%1) differs from the server's (%2): the server will "
                "recompute the result. Update the app."
            )
            .replace("%1", laptop)
            .replace("%2", server)
        )
        self.policy_label.show()

    @property
    def decision(self) -> EligibilityDecision | None:
        return self._decision

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.title.setText(self.tr("Eligibility as entered"))
        self._render()
        self._render_policy_notice()

    def _render(self) -> None:
        self.reasons_list.clear()
        decision = self._decision
        if decision is None:
            self.category_label.setText(self.tr("Enter the family members to see the result."))
            self.numbers_label.setText("")
            return
        language = current_language()
        category = decision.category_label(language)
        self.category_label.setText(category[:1].upper() + category[1:])
        self.numbers_label.setText(
            self.tr("Per-capita income %1 yuan/month\nMonthly benefit %2 yuan")
            .replace("%1", str(decision.per_capita_income))
            .replace("%2", str(decision.monthly_benefit))
        )
        for reason in decision.reasons:
            item = QListWidgetItem(("✔ " if reason.passed else "✘ ") + reason.text(language))
            item.setForeground(Qt.GlobalColor.darkGreen if reason.passed else Qt.GlobalColor.red)
            self.reasons_list.addItem(item)


def _step_of(path: str) -> int:
    """The step showing a problem's field."""
    for step, starts in enumerate(
        (
            ("visitors", "started_at", "ended_at"),
            ("members.",),
            ("incomes.",),
            ("assets.",),
            ("expenses.",),
            ("neighbour_interviews.",),
        )
    ):
        if path.startswith(starts):
            return step
    return VisitFormPage.STEP_COUNT - 1


class VisitFormPage(QWidget):
    evaluate_requested = Signal(object)
    """The content entered so far should be evaluated (a `VisitContent`)."""
    autosave_requested = Signal(str, object)
    """Autosave the raw form state: (visit id, state dict)."""
    save_requested = Signal(str, object)
    """Save the draft: (visit id, `VisitContent`)."""
    complete_requested = Signal(str, object)
    """Complete and lock the visit: (visit id, `FormCheck` with content and clue outcomes)."""
    close_requested = Signal(str)
    """Leave the form (household id); the shell saves the draft first."""
    discard_requested = Signal(str)
    """Drop this form's unsaved typing without saving it (visit id): offered only for a
    household no longer in the user's tasks, which then leaves the laptop at the next sync."""
    photos_import_requested = Signal(str, list)
    """Import photos into the visit: (visit id, file paths or camera JPEG bytes)."""
    signature_saved = Signal(str, str, bytes)
    """Keep a signature: (visit id, signer, PNG bytes)."""

    STEP_COUNT = 8

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.visit_id = ""
        self.household_id = ""
        self._head_name = ""
        self._state: dict[str, Any] = {}
        self._base = VisitContent()
        self._check: FormCheck | None = None
        self._loading = False
        self._dirty = False
        self.today = date.today()

        self.title = label(name="Title")
        self.save_state_label = label(name="Muted")
        self.steps_list = QListWidget()
        self.steps_list.setObjectName("VisitSteps")
        self.steps_list.setFixedWidth(178)
        self.steps_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.steps_list.setTextElideMode(Qt.TextElideMode.ElideRight)
        for _ in range(self.STEP_COUNT):
            self.steps_list.addItem("")
        self.basics = BasicsStep()
        self.members = MembersStep()
        self.incomes = IncomesStep()
        self.assets = AssetsStep()
        self.expenses = ExpensesStep()
        self.conditions = ConditionsStep()
        self.photos = PhotosStep()
        self.finding = FindingStep()
        self.steps: list[_Step] = [
            self.basics,
            self.members,
            self.incomes,
            self.assets,
            self.expenses,
            self.conditions,
            self.photos,
            self.finding,
        ]
        self.pages = QStackedWidget()
        for step in self.steps:
            scroll = QScrollArea()
            scroll.setWidgetResizable(True)
            scroll.setFrameShape(QFrame.Shape.NoFrame)
            scroll.setWidget(step)
            self.pages.addWidget(scroll)
            step.changed.connect(self._on_step_changed)
        self.eligibility = EligibilityPanel()
        self.problems_label = label(name="Error", wrap=True)
        self.back_button = QPushButton()
        self.next_button = QPushButton()
        self.save_button = QPushButton()
        self.complete_button = QPushButton()
        self.complete_button.setObjectName("Primary")
        self.close_button = QPushButton()
        self.discard_button = QPushButton()
        self.discard_button.setVisible(False)

        heading = QHBoxLayout()
        heading.addWidget(self.title)
        heading.addStretch(1)
        heading.addWidget(self.save_state_label)
        heading.addWidget(self.discard_button)
        heading.addWidget(self.close_button)
        middle = QHBoxLayout()
        middle.addWidget(self.steps_list)
        middle.addWidget(self.pages, 1)
        middle.addWidget(self.eligibility)
        buttons = QHBoxLayout()
        buttons.addWidget(self.problems_label, 1)
        for button in (self.back_button, self.next_button, self.save_button, self.complete_button):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(heading)
        layout.addLayout(middle, 1)
        layout.addLayout(buttons)

        self._check_timer = QTimer(self)
        self._check_timer.setSingleShot(True)
        self._check_timer.setInterval(CHECK_DELAY_MS)
        self._check_timer.timeout.connect(self._on_check_timer_timeout)
        self._autosave_timer = QTimer(self)
        self._autosave_timer.setSingleShot(True)
        self._autosave_timer.setInterval(AUTOSAVE_DELAY_MS)
        self._autosave_timer.timeout.connect(self._on_autosave_timer_timeout)
        self.steps_list.currentRowChanged.connect(self._on_steps_list_row_changed)
        self.members.members_changed.connect(self._on_members_changed)
        self.photos.photos_import_requested.connect(self._on_photos_import_requested)
        self.photos.signature_saved.connect(self._on_signature_saved)
        self.basics.changed.connect(self._on_basics_changed)
        self.back_button.clicked.connect(self._on_back_clicked)
        self.next_button.clicked.connect(self._on_next_clicked)
        self.save_button.clicked.connect(self._on_save_clicked)
        self.complete_button.clicked.connect(self._on_complete_clicked)
        self.close_button.clicked.connect(self._on_close_clicked)
        self.discard_button.clicked.connect(self._on_discard_clicked)
        self.steps_list.setCurrentRow(0)
        self.retranslate()

    # -- opening and state -----------------------------------------------------------------

    def open_visit(
        self,
        *,
        visit_id: str,
        household_id: str,
        head_name: str,
        kind: VisitKind,
        content: VisitContent,
        recovered_state: dict[str, Any] | None = None,
        clues: dict[str, tuple[ClueKind, str]] | None = None,
        withdrawn: bool = False,
    ) -> None:
        """Show a draft; `recovered_state` is an autosaved form found after a crash; `clues`
        describes the clues a clue-check visit resolves; `withdrawn`: the household is no longer
        in the user's tasks (the typing may then be discarded)."""
        self.discard_button.setVisible(withdrawn)
        self.visit_id = visit_id
        self.household_id = household_id
        self._head_name = head_name
        self._base = content
        state = recovered_state or state_from_content(content, kind)
        self.finding.set_clues(clues or {})
        self.update_base(content)
        self._loading = True
        for step in self.steps:
            step.load(state)
        self._loading = False
        self._on_members_changed()
        self._state = state
        self._dirty = recovered_state is not None
        self.steps_list.setCurrentRow(0)
        self.eligibility.set_decision(None)
        self.retranslate()
        self._set_save_text(
            self.tr("Recovered unsaved changes") if recovered_state else self.tr("Saved")
        )
        self._run_check()

    def clear(self) -> None:
        self._check_timer.stop()
        self._autosave_timer.stop()
        empty = state_from_content(VisitContent(), VisitKind.PERIODIC_REVIEW)
        self._loading = True
        for step in self.steps:
            step.load(empty)
        self._loading = False
        self.visit_id = ""
        self.household_id = ""
        self._head_name = ""
        self._state = {}
        self._check = None
        self.discard_button.setVisible(False)
        self.eligibility.set_decision(None)

    def current_state(self) -> dict[str, Any]:
        state: dict[str, Any] = dict(self._state)
        for step in self.steps:
            step.store(state)
        return state

    def current_check(self) -> FormCheck:
        return check_form(self.current_state(), today=self.today, base=self._base)

    @property
    def dirty(self) -> bool:
        return self._dirty

    def set_eligibility(
        self, decision: EligibilityDecision | None, notice: PolicyNotice | None = None
    ) -> None:
        self.eligibility.set_decision(decision)
        self.eligibility.set_policy_notice(notice)

    def mark_saved(self) -> None:
        self._dirty = False
        self._autosave_timer.stop()
        self._set_save_text(self.tr("Saved %1").replace("%1", datetime.now().strftime("%H:%M:%S")))

    def mark_autosaved(self) -> None:
        self._set_save_text(
            self.tr("Draft autosaved %1").replace("%1", datetime.now().strftime("%H:%M:%S"))
        )

    def show_error(self, text: str) -> None:
        self.problems_label.setText(text)

    def go_to_step(self, index: int) -> None:
        self.steps_list.setCurrentRow(index)

    # -- texts -------------------------------------------------------------------------------

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        names = [
            self.tr("1 Basics"),
            self.tr("2 Members"),
            self.tr("3 Incomes"),
            self.tr("4 Assets"),
            self.tr("5 Expenses"),
            self.tr("6 Living conditions"),
            self.tr("7 Photos and signatures"),
            self.tr("8 Finding"),
        ]
        for row, name in enumerate(names):
            self.steps_list.item(row).setText(name)
        self.title.setText(self.tr("Visit: %1").replace("%1", self._head_name))
        self.back_button.setText(self.tr("Back"))
        self.next_button.setText(self.tr("Next"))
        self.save_button.setText(self.tr("Save draft"))
        self.complete_button.setText(self.tr("Complete visit"))
        self.close_button.setText(self.tr("Close"))
        self.discard_button.setText(self.tr("Discard typing"))
        if self._check is not None:
            self._show_problems(self._check)

    def _set_save_text(self, text: str) -> None:
        self.save_state_label.setText(text)

    # -- changes -----------------------------------------------------------------------------

    def _on_step_changed(self) -> None:
        if self._loading:
            return
        self._dirty = True
        self._set_save_text(self.tr("Unsaved changes"))
        self._check_timer.start()
        self._autosave_timer.start()

    def _on_basics_changed(self) -> None:
        self.photos.set_visitors([e.text().strip() for e in self.basics.visitor_edits])

    def _on_members_changed(self) -> None:
        choices = self.members.member_choices()
        for step in (self.incomes, self.assets, self.expenses):
            step.set_members(choices)
        if self._check is not None:
            self._show_problems(self._check)

    def _on_check_timer_timeout(self) -> None:
        self._run_check()

    def _run_check(self) -> None:
        check = self.current_check()
        self._check = check
        self._show_problems(check)
        self.evaluate_requested.emit(check.content)

    def _show_problems(self, check: FormCheck) -> None:
        for step in self.steps:
            step.show_problems(check)
        bad_steps = {_step_of(p.path) for p in check.problems}
        for row in range(self.STEP_COUNT):
            bad = row in bad_steps
            item = self.steps_list.item(row)
            item.setForeground(Qt.GlobalColor.red if bad else Qt.GlobalColor.black)
        count = len(check.problems)
        self.problems_label.setText(self.tr("%n field(s) to correct", "", count) if count else "")

    def _on_autosave_timer_timeout(self) -> None:
        if self.visit_id and self._dirty:
            self.autosave_requested.emit(self.visit_id, self.current_state())

    # -- navigation and buttons ----------------------------------------------------------------

    def _on_steps_list_row_changed(self, row: int) -> None:
        if row >= 0:
            self.pages.setCurrentIndex(row)
            self.back_button.setEnabled(row > 0)
            self.next_button.setEnabled(row < self.STEP_COUNT - 1)

    def _on_back_clicked(self) -> None:
        self.steps_list.setCurrentRow(max(0, self.steps_list.currentRow() - 1))

    def _on_next_clicked(self) -> None:
        self.steps_list.setCurrentRow(min(self.STEP_COUNT - 1, self.steps_list.currentRow() + 1))

    def _on_save_clicked(self) -> None:
        check = self.current_check()
        self._check = check
        self._show_problems(check)
        self.save_requested.emit(self.visit_id, check.content)

    def _on_complete_clicked(self) -> None:
        check = self.current_check()
        self._check = check
        self._show_problems(check)
        if not check.ok:
            self.go_to_step(_step_of(check.problems[0].path))
            return
        missing = missing_signatures(check.content)
        self.photos.show_missing(missing)
        if missing:
            self.problems_label.setText(self.tr("%n signature(s) missing", "", len(missing)))
            self.go_to_step(self.steps.index(self.photos))
            return
        content = without_stale_signatures(check.content)
        self.complete_requested.emit(self.visit_id, dataclasses.replace(check, content=content))

    def _on_photos_import_requested(self, photos: list[str | bytes]) -> None:
        if self.visit_id:
            self.photos_import_requested.emit(self.visit_id, photos)

    def _on_signature_saved(self, signer: str, png: bytes) -> None:
        if self.visit_id:
            self.signature_saved.emit(self.visit_id, signer, png)

    def update_base(self, content: VisitContent) -> None:
        """Photos and signatures were stored into the draft: keep them in what the form saves."""
        self._base = self._base.model_copy(
            update={"photo_ids": content.photo_ids, "signatures": content.signatures}
        )
        self.photos.set_signed({s.signer for s in content.signatures})

    def _on_close_clicked(self) -> None:
        self.close_requested.emit(self.household_id)

    def _on_discard_clicked(self) -> None:
        self._autosave_timer.stop()  # no autosave may bring the typing back
        self.discard_requested.emit(self.visit_id)

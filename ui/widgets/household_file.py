"""The household file: head, addresses, members, visit history, clues, last eligibility result."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.domain import Relation, Sex
from app.errors import ValidationError
from app.idnumber import parse_id_number
from app.services.readmodels import HouseholdFile
from ui.labels import (
    category_label,
    clue_kind_label,
    clue_status_label,
    finding_label,
    health_label,
    household_status_label,
    labour_label,
    relation_label,
    sex_label,
    visit_kind_label,
    visit_status_label,
)
from ui.widgets.common import current_language, fill_table, label, make_table


class HouseholdFileView(QWidget):
    back_requested = Signal()
    """The user wants to return to the household list."""
    new_visit_requested = Signal(str)
    """The user wants to start a visit to this household (household id)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._file: HouseholdFile | None = None
        self._today = date.today()

        self.back_button = QPushButton()
        self.new_visit_button = QPushButton()
        self.new_visit_button.setObjectName("Primary")
        self.head_label = label(name="Title")
        self.category_badge = label(name="SectionTitle")
        self.facts = QGridLayout()
        self.facts.setHorizontalSpacing(18)
        self.facts.setVerticalSpacing(4)
        self._fact_names: list[QLabel] = [QLabel() for _ in range(6)]
        self._fact_values: list[QLabel] = [label(wrap=True) for _ in range(6)]
        for i, (name, value) in enumerate(zip(self._fact_names, self._fact_values, strict=True)):
            name.setObjectName("Muted")
            self.facts.addWidget(name, i // 2, (i % 2) * 2, Qt.AlignmentFlag.AlignTop)
            self.facts.addWidget(value, i // 2, (i % 2) * 2 + 1, Qt.AlignmentFlag.AlignTop)
        self.facts.setColumnStretch(1, 1)
        self.facts.setColumnStretch(3, 1)

        self.tabs = QTabWidget()
        self.members_table = make_table([""] * 8)
        self.visits_table = make_table([""] * 5)
        self.clues_table = make_table([""] * 4)
        self.eligibility_page = QWidget()
        self.eligibility_summary = label(name="SectionTitle", wrap=True)
        self.eligibility_numbers = label(wrap=True)
        self.reasons_list = QListWidget()
        self.reasons_list.setObjectName("Reasons")
        self.reasons_list.setWordWrap(True)
        eligibility_layout = QVBoxLayout(self.eligibility_page)
        eligibility_layout.addWidget(self.eligibility_summary)
        eligibility_layout.addWidget(self.eligibility_numbers)
        eligibility_layout.addWidget(self.reasons_list, 1)
        self.tabs.addTab(self.members_table, "")
        self.tabs.addTab(self.visits_table, "")
        self.tabs.addTab(self.clues_table, "")
        self.tabs.addTab(self.eligibility_page, "")

        top = QHBoxLayout()
        top.addWidget(self.back_button)
        top.addStretch(1)
        top.addWidget(self.new_visit_button)
        heading = QHBoxLayout()
        heading.addWidget(self.head_label)
        heading.addSpacing(16)
        heading.addWidget(self.category_badge)
        heading.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(heading)
        layout.addLayout(self.facts)
        layout.addWidget(self.tabs, 1)

        self.back_button.clicked.connect(self.back_requested)
        self.new_visit_button.clicked.connect(self._on_new_visit_clicked)
        self.retranslate()

    @property
    def household_file(self) -> HouseholdFile | None:
        return self._file

    def set_file(self, household_file: HouseholdFile | None, *, today: date | None = None) -> None:
        self._file = household_file
        self._today = today or date.today()
        self._render()

    def clear(self) -> None:
        self.set_file(None)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.back_button.setText("← " + self.tr("Household list"))
        self.new_visit_button.setText(self.tr("New visit"))
        names = [
            self.tr("Address"),
            self.tr("Status"),
            self.tr("Registered residence"),
            self.tr("Actual residence"),
            self.tr("Phone"),
            self.tr("Next review"),
        ]
        for widget, text in zip(self._fact_names, names, strict=True):
            widget.setText(text)
        self.members_table.setHorizontalHeaderLabels(
            [
                self.tr("Name"),
                self.tr("Relation"),
                self.tr("ID number"),
                self.tr("Sex"),
                self.tr("Age"),
                self.tr("Health"),
                self.tr("Disability"),
                self.tr("Labour capacity"),
            ]
        )
        self.visits_table.setHorizontalHeaderLabels(
            [
                self.tr("Date"),
                self.tr("Kind"),
                self.tr("Status"),
                self.tr("Revision"),
                self.tr("Finding"),
            ]
        )
        self.clues_table.setHorizontalHeaderLabels(
            [self.tr("Clue"), self.tr("Member"), self.tr("Status"), self.tr("Detail")]
        )
        self.tabs.setTabText(0, self.tr("Members"))
        self.tabs.setTabText(1, self.tr("Visits"))
        self.tabs.setTabText(2, self.tr("Clues"))
        self.tabs.setTabText(3, self.tr("Eligibility"))
        self._render()

    def _render(self) -> None:
        household_file = self._file
        self.new_visit_button.setEnabled(household_file is not None)
        if household_file is None:
            self.head_label.setText("")
            self.category_badge.setText("")
            for value in self._fact_values:
                value.setText("")
            for table in (self.members_table, self.visits_table, self.clues_table):
                table.setRowCount(0)
            self.reasons_list.clear()
            self.eligibility_summary.setText("")
            self.eligibility_numbers.setText("")
            return
        household = household_file.household
        content = household.content
        self.head_label.setText(content.head_name)
        self.category_badge.setText(category_label(household.category))
        split = content.residence_split
        actual = content.actual_residence or "—"
        if split:
            actual += "  " + self.tr("(lives away from registered residence)")
        values = [
            content.address,
            household_status_label(household.status),
            content.registered_residence or "—",
            actual,
            content.phone or "—",
            household.next_review.isoformat() if household.next_review else "—",
        ]
        for widget, text in zip(self._fact_values, values, strict=True):
            widget.setText(text)
        self._render_members(household_file)
        self._render_visits(household_file)
        self._render_clues(household_file)
        self._render_eligibility(household_file)

    def _render_members(self, household_file: HouseholdFile) -> None:
        rows = []
        relation_order = list(Relation)
        members = sorted(
            household_file.members, key=lambda m: relation_order.index(m.content.relation)
        )
        for member in members:
            c = member.content
            sex, age = "—", "—"
            try:
                parsed = parse_id_number(c.id_number, today=self._today)
            except ValidationError:
                pass
            else:
                sex = sex_label(parsed.sex is Sex.MALE)
                age = str(parsed.age_on(self._today))
            disability = (
                self.tr("Grade %1").replace("%1", str(c.disability_grade))
                if c.disability_grade
                else "—"
            )
            rows.append(
                [
                    c.name,
                    relation_label(c.relation),
                    c.id_number,
                    sex,
                    age,
                    health_label(c.health),
                    disability,
                    labour_label(c.labour_capacity),
                ]
            )
        fill_table(self.members_table, rows)

    def _render_visits(self, household_file: HouseholdFile) -> None:
        rows = []
        for visit in household_file.visits:
            when = visit.visit_date.isoformat() if visit.visit_date else "—"
            rows.append(
                [
                    when,
                    visit_kind_label(visit.kind),
                    visit_status_label(visit.status),
                    str(visit.revision),
                    finding_label(visit.content.finding),
                ]
            )
        fill_table(self.visits_table, rows)

    def _render_clues(self, household_file: HouseholdFile) -> None:
        names = {m.member_id: m.content.name for m in household_file.members}
        rows = []
        for clue in household_file.clues:
            detail = str(clue.data.get("detail") or clue.data.get("description") or "")
            rows.append(
                [
                    clue_kind_label(clue.kind),
                    names.get(clue.member_id or "", "—"),
                    clue_status_label(clue.status),
                    detail,
                ]
            )
        fill_table(self.clues_table, rows)

    def _render_eligibility(self, household_file: HouseholdFile) -> None:
        self.reasons_list.clear()
        decision = household_file.eligibility
        if decision is None:
            self.eligibility_summary.setText(self.tr("No visit with family data yet."))
            self.eligibility_numbers.setText("")
            return
        language = current_language()
        self.eligibility_summary.setText(
            self.tr("Result: %1 (as of %2)")
            .replace("%1", _capitalised(decision.category_label(language)))
            .replace("%2", decision.evaluated_on.isoformat())
        )
        self.eligibility_numbers.setText(
            self.tr("Per-capita income %1 yuan/month · monthly benefit %2 yuan · policy %3")
            .replace("%1", str(decision.per_capita_income))
            .replace("%2", str(decision.monthly_benefit))
            .replace("%3", decision.policy_id)
        )
        for reason in decision.reasons:
            item = QListWidgetItem(("✔ " if reason.passed else "✘ ") + reason.text(language))
            item.setForeground(Qt.GlobalColor.darkGreen if reason.passed else Qt.GlobalColor.red)
            self.reasons_list.addItem(item)

    def _on_new_visit_clicked(self) -> None:
        if self._file is not None:
            self.new_visit_requested.emit(self._file.household.household_id)


def _capitalised(text: str) -> str:
    """The policy engine's English labels are lower-case phrases; a heading starts upper-case."""
    return text[:1].upper() + text[1:]

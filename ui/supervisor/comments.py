"""The author's side of a return: the reviewer's comments shown at their fields in the visit form.

The visit form is owned by the field-app screens; this module hooks onto it from outside (a bar
above the steps that shows the comments of the step on screen, the steps carrying comments
marked in the step list, the commented row's fields highlighted) so the form needs no knowledge
of reviews. `ReviewCommentsBar.pin(form, comments)` is the one call the shell makes.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QEvent
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QFrame, QLabel, QVBoxLayout, QWidget

from app.services.review import ReviewComment
from ui.supervisor.fields import field_label
from ui.widgets.visit_form import RowsStep, VisitFormPage

#: top-level visit field -> index of the form step that edits it
_STEP_OF_FIELD = {
    "visitors": 0,
    "started_at": 0,
    "ended_at": 0,
    "present": 0,
    "visit_date": 0,
    "kind": 0,
    "members": 1,
    "incomes": 2,
    "assets": 3,
    "expenses": 4,
    "housing_conditions": 5,
    "living_conditions": 5,
    "neighbour_interviews": 5,
    "photo_ids": 6,
    "signatures": 6,
}
_FINDING_STEP = VisitFormPage.STEP_COUNT - 1
_MARK = QColor("#fff1c2")


def step_of_field(path: str) -> int:
    """The form step where a commented field is edited (the finding step for the rest)."""
    return _STEP_OF_FIELD.get(path.split(".", 1)[0], _FINDING_STEP)


class ReviewCommentsBar(QFrame):
    """Above the form's steps: the reviewer's comments for the step on screen."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ReviewComments")
        self.setStyleSheet(
            "QFrame#ReviewComments { background: #fff8e1; border: 1px solid #e3b341;"
            " border-radius: 6px; }"
        )
        self.title_label = QLabel()
        self.title_label.setObjectName("Wait")
        self.text_label = QLabel()
        self.text_label.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 6)
        layout.addWidget(self.title_label)
        layout.addWidget(self.text_label)
        self._form: VisitFormPage | None = None
        self._comments: tuple[ReviewComment, ...] = ()
        self.hide()

    @classmethod
    def pin(cls, form: VisitFormPage, comments: Sequence[ReviewComment]) -> ReviewCommentsBar:
        """Show `comments` on `form` (replacing any shown before); returns the bar."""
        bar = form.findChild(ReviewCommentsBar)
        if bar is None:
            bar = cls(form)
            layout = form.layout()
            if isinstance(layout, QVBoxLayout):
                layout.insertWidget(1, bar)
            form.steps_list.currentRowChanged.connect(bar._on_form_step_changed)
        bar._form = form
        bar._comments = tuple(comments)
        bar._mark_steps()
        bar._on_form_step_changed(form.steps_list.currentRow())
        return bar

    @property
    def comments(self) -> tuple[ReviewComment, ...]:
        return self._comments

    def comments_at_step(self, step: int) -> list[ReviewComment]:
        return [c for c in self._comments if step_of_field(c.field) == step]

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange and self._form is not None:
            self._on_form_step_changed(self._form.steps_list.currentRow())
        super().changeEvent(event)

    def _mark_steps(self) -> None:
        form = self._form
        if form is None:
            return
        marked = {step_of_field(c.field) for c in self._comments}
        for index in range(form.steps_list.count()):
            item = form.steps_list.item(index)
            if index in marked:
                item.setBackground(QBrush(_MARK))
                item.setToolTip(self.tr("The reviewer commented on this step"))
            else:
                item.setBackground(QBrush())
                item.setToolTip("")

    def _on_form_step_changed(self, step: int) -> None:
        form = self._form
        if form is None or not self._comments:
            self.hide()
            return
        here = self.comments_at_step(step)
        others = len(self._comments) - len(here)
        self.title_label.setText(
            self.tr("Returned by the reviewer: correct the marked fields and complete again")
        )
        lines = [f"⚑ {field_label(c.field)}：{c.comment}" for c in here]
        if others:
            lines.append(
                self.tr("%n more comment(s) on other steps (marked in yellow)", "", others)
            )
        self.text_label.setText("\n".join(lines))
        self.show()
        if 0 <= step < len(form.steps):
            self._highlight_rows(form, step, here)

    @staticmethod
    def _highlight_rows(form: VisitFormPage, step: int, comments: list[ReviewComment]) -> None:
        page = form.steps[step]
        if not isinstance(page, RowsStep):
            return
        for comment in comments:
            parts = comment.field.split(".")
            if len(parts) < 2 or not parts[1].isdigit() or int(parts[1]) >= page.row_count:
                continue
            keys = [parts[2]] if len(parts) > 2 else [c.key for c in page.columns]
            for key in keys:
                try:
                    widget = page.row_widget(int(parts[1]), key)
                except KeyError:
                    continue
                widget.setProperty("invalid", True)
                widget.setToolTip(comment.comment)
                widget.style().unpolish(widget)
                widget.style().polish(widget)


__all__ = ["ReviewCommentsBar", "step_of_field"]

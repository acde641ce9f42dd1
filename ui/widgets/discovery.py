"""主动发现: a small dialog to record a family found in hardship in the field."""

from __future__ import annotations

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from ui.widgets.common import label


class DiscoveryDialog(QDialog):
    """Asks for the grid, the head of household and the address; the rest goes in the visit."""

    def __init__(self, grids: list[tuple[str, str]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMinimumWidth(460)
        self.intro = label(name="Muted", wrap=True)
        self.grid_combo = QComboBox()
        for grid_id, name in grids:
            self.grid_combo.addItem(name, grid_id)
        self.head_edit = QLineEdit()
        self.head_edit.setObjectName("DiscoveryHead")
        self.address_edit = QLineEdit()
        self.address_edit.setObjectName("DiscoveryAddress")
        self.registered_edit = QLineEdit()
        self.actual_edit = QLineEdit()
        self.phone_edit = QLineEdit()
        self.error_label = label(name="Error", wrap=True)
        self.error_label.setVisible(False)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self._labels = [QLabel() for _ in range(6)]
        form = QFormLayout()
        for row_label, widget in zip(
            self._labels,
            (
                self.grid_combo,
                self.head_edit,
                self.address_edit,
                self.registered_edit,
                self.actual_edit,
                self.phone_edit,
            ),
            strict=True,
        ):
            form.addRow(row_label, widget)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)
        self.buttons.accepted.connect(self._on_accepted)
        self.buttons.rejected.connect(self.reject)
        self.retranslate()

    def values(self) -> dict[str, str]:
        return {
            "grid_id": str(self.grid_combo.currentData() or ""),
            "head_name": self.head_edit.text().strip(),
            "address": self.address_edit.text().strip(),
            "registered_residence": self.registered_edit.text().strip(),
            "actual_residence": self.actual_edit.text().strip(),
            "phone": self.phone_edit.text().strip(),
        }

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Record a family found in the field"))
        self.intro.setText(
            self.tr(
                "A family in hardship that is not yet on the list. After saving, a discovery "
                "visit opens to record its members, incomes and living conditions."
            )
        )
        texts = [
            self.tr("Grid"),
            self.tr("Head of household"),
            self.tr("Address"),
            self.tr("Registered residence"),
            self.tr("Actual residence"),
            self.tr("Phone"),
        ]
        for widget, text in zip(self._labels, texts, strict=True):
            widget.setText(text)
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText(self.tr("Record and start the visit"))
        cancel = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        cancel.setText(self.tr("Cancel"))

    def _on_accepted(self) -> None:
        values = self.values()
        if not values["grid_id"]:
            self._show_error(self.tr("No grid is assigned to this account yet; sync first."))
        elif not values["head_name"] or not values["address"]:
            self._show_error(self.tr("Enter the head of household's name and the address."))
        else:
            self.accept()

    def _show_error(self, text: str) -> None:
        self.error_label.setText(text)
        self.error_label.setVisible(True)

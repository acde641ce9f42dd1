"""First run: register this laptop with the server and create the account's encrypted vault."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ui.widgets.common import card, label

MIN_PASSWORD_LENGTH = 8


class RegistrationPage(QWidget):
    registration_requested = Signal(str, str, str)
    """The user asked to register: (server address, account, password)."""
    cancel_requested = Signal()
    """The user wants to go back to the unlock screen (only when profiles exist)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = label(name="Title")
        self.subtitle = label(name="Subtitle", wrap=True)
        self.server_edit = QLineEdit()
        self.server_edit.setObjectName("ServerAddress")
        self.account_edit = QLineEdit()
        self.account_edit.setObjectName("Account")
        self.password_edit = QLineEdit()
        self.password_edit.setObjectName("Password")
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.confirm_edit = QLineEdit()
        self.confirm_edit.setObjectName("ConfirmPassword")
        self.confirm_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.hint_label = label(name="Muted", wrap=True)
        self.error_label = label(name="Error", wrap=True)
        self.error_label.setVisible(False)
        self.register_button = QPushButton()
        self.register_button.setObjectName("Primary")
        self.register_button.setDefault(True)
        self.cancel_button = QPushButton()
        self.cancel_button.setVisible(False)

        frame, inner = card(self, width=520)
        inner.addWidget(self.title)
        inner.addWidget(self.subtitle)
        inner.addSpacing(8)
        self.form = QFormLayout()
        self.form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        self.form.setHorizontalSpacing(12)
        self.form.setVerticalSpacing(10)
        self._server_label = QLabel()
        self._account_label = QLabel()
        self._password_label = QLabel()
        self._confirm_label = QLabel()
        self.form.addRow(self._server_label, self.server_edit)
        self.form.addRow(self._account_label, self.account_edit)
        self.form.addRow(self._password_label, self.password_edit)
        self.form.addRow(self._confirm_label, self.confirm_edit)
        inner.addLayout(self.form)
        inner.addWidget(self.hint_label)
        inner.addWidget(self.error_label)
        buttons = QHBoxLayout()
        buttons.addWidget(self.cancel_button)
        buttons.addStretch(1)
        buttons.addWidget(self.register_button)
        inner.addLayout(buttons)

        outer = QVBoxLayout(self)
        outer.addStretch(1)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(frame)
        row.addStretch(1)
        outer.addLayout(row)
        outer.addStretch(2)

        self.register_button.clicked.connect(self._on_register_clicked)
        self.confirm_edit.returnPressed.connect(self._on_register_clicked)
        self.cancel_button.clicked.connect(self.cancel_requested)
        self.retranslate()

    def retranslate(self) -> None:
        self.title.setText(self.tr("Register this laptop"))
        self.subtitle.setText(
            self.tr(
                "Sign in once with your work account while online. Your data on this laptop "
                "is then encrypted with your password and works offline."
            )
        )
        self._server_label.setText(self.tr("Server address"))
        self._account_label.setText(self.tr("Account"))
        self._password_label.setText(self.tr("Password"))
        self._confirm_label.setText(self.tr("Repeat password"))
        self.server_edit.setPlaceholderText("https://")
        self.hint_label.setText(
            self.tr("There is no way to recover data if the password is forgotten.")
        )
        self.register_button.setText(self.tr("Register and create vault"))
        self.cancel_button.setText(self.tr("Back"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def set_can_cancel(self, can_cancel: bool) -> None:
        self.cancel_button.setVisible(can_cancel)

    def set_busy(self, busy: bool) -> None:
        for widget in (self.server_edit, self.account_edit, self.password_edit, self.confirm_edit):
            widget.setEnabled(not busy)
        self.register_button.setEnabled(not busy)
        if busy:
            self.register_button.setText(self.tr("Registering…"))
        else:
            self.register_button.setText(self.tr("Register and create vault"))

    def show_error(self, text: str) -> None:
        self.error_label.setText(text)
        self.error_label.setVisible(bool(text))

    def clear_secrets(self) -> None:
        self.password_edit.clear()
        self.confirm_edit.clear()

    def _on_register_clicked(self) -> None:
        server = self.server_edit.text().strip()
        account = self.account_edit.text().strip()
        password = self.password_edit.text()
        if not server or not account:
            self.show_error(self.tr("Enter the server address and your account."))
            return
        if len(password) < MIN_PASSWORD_LENGTH:
            self.show_error(
                self.tr("The password needs at least %1 characters.").replace(
                    "%1", str(MIN_PASSWORD_LENGTH)
                )
            )
            return
        if password != self.confirm_edit.text():
            self.show_error(self.tr("The two passwords differ."))
            return
        self.show_error("")
        self.registration_requested.emit(server, account, password)

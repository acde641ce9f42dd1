"""Unlock (offline, with the vault password) and the idle-lock screen.

The same page serves both: at start-up the user picks their account on a shared laptop; after
an idle lock the account is fixed and the page says why it is locked. Wrong passwords show how
long the next attempt must wait, counting down, and a lock-out needing online sign-in.
"""

from __future__ import annotations

import math
import time

from PySide6.QtCore import QEvent, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.services.backoff import BackoffStatus
from app.services.profiles import ProfileInfo
from ui.widgets.common import card, label


class UnlockPage(QWidget):
    unlock_requested = Signal(str, str)
    """The user entered a password: (profile id, password)."""
    add_account_requested = Signal()
    """The user wants to register another account on this laptop."""
    profile_selected = Signal(str)
    """Another account was picked in the list (profile id)."""
    online_signin_requested = Signal(str, str)
    """After the lock-out: check the password with the server, then unlock (profile, password)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._locked_mode = False
        self._idle_minutes: int | None = None
        self._wait_until = 0.0
        self._reauth_required = False
        self._busy = False

        self.title = label(name="Title")
        self.subtitle = label(name="Subtitle", wrap=True)
        self.profile_combo = QComboBox()
        self.profile_combo.setObjectName("ProfileChooser")
        self.password_edit = QLineEdit()
        self.password_edit.setObjectName("Password")
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.error_label = label(name="Error", wrap=True)
        self.error_label.setVisible(False)
        self.wait_label = label(name="Wait", wrap=True)
        self.wait_label.setVisible(False)
        self.unlock_button = QPushButton()
        self.unlock_button.setObjectName("Primary")
        self.unlock_button.setDefault(True)
        self.add_account_button = QPushButton()
        self.add_account_button.setFlat(True)
        self.online_button = QPushButton()
        self.online_button.setObjectName("Primary")
        self.online_button.setVisible(False)

        frame, inner = card(self, width=460)
        inner.addWidget(self.title)
        inner.addWidget(self.subtitle)
        inner.addSpacing(6)
        inner.addWidget(self.profile_combo)
        inner.addWidget(self.password_edit)
        inner.addWidget(self.error_label)
        inner.addWidget(self.wait_label)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_account_button)
        buttons.addStretch(1)
        buttons.addWidget(self.online_button)
        buttons.addWidget(self.unlock_button)
        inner.addLayout(buttons)

        outer = QVBoxLayout(self)
        outer.addStretch(1)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(frame)
        row.addStretch(1)
        outer.addLayout(row)
        outer.addStretch(2)

        self._countdown = QTimer(self)
        self._countdown.setInterval(250)
        self._countdown.timeout.connect(self._on_countdown_timeout)
        self.unlock_button.clicked.connect(self._on_unlock_clicked)
        self.password_edit.returnPressed.connect(self._on_unlock_clicked)
        self.add_account_button.clicked.connect(self.add_account_requested)
        self.online_button.clicked.connect(self._on_online_clicked)
        self.profile_combo.currentIndexChanged.connect(self._on_profile_combo_changed)
        self.retranslate()

    # -- state set by the shell ------------------------------------------------------------

    def set_profiles(self, profiles: list[ProfileInfo], selected_id: str | None = None) -> None:
        self.profile_combo.blockSignals(True)
        self.profile_combo.clear()
        for profile in profiles:
            who = profile.display_name
            if profile.account != profile.display_name:
                who = f"{who}（{profile.account}）"
            self.profile_combo.addItem(f"{who} · {profile.server_url}", profile.profile_id)
        if selected_id is not None:
            self.profile_combo.setCurrentIndex(max(0, self.profile_combo.findData(selected_id)))
        self.profile_combo.blockSignals(False)

    def selected_profile_id(self) -> str | None:
        value = self.profile_combo.currentData()
        return str(value) if value is not None else None

    def set_locked_mode(self, locked: bool, *, idle_minutes: int | None = None) -> None:
        """Locked session: the account is fixed; `idle_minutes` says it locked by itself."""
        self._locked_mode = locked
        self._idle_minutes = idle_minutes
        self.profile_combo.setEnabled(not locked)
        self.add_account_button.setVisible(not locked)
        self.retranslate()

    @property
    def locked_mode(self) -> bool:
        return self._locked_mode

    def set_busy(self, busy: bool) -> None:
        self._busy = busy
        self._update_enabled()
        self.unlock_button.setText(self.tr("Unlocking…") if busy else self.tr("Unlock"))

    def show_error(self, text: str) -> None:
        self.error_label.setText(text)
        self.error_label.setVisible(bool(text))

    def show_backoff(self, status: BackoffStatus) -> None:
        """Show the wait (counting down) or the lock-out from the back-off state."""
        self._reauth_required = status.reauth_required
        self._wait_until = time.monotonic() + status.wait_remaining
        if status.reauth_required or status.wait_remaining > 0:
            self._countdown.start()
        self._render_wait()

    def reset(self) -> None:
        self.password_edit.clear()
        self.show_error("")
        self.show_backoff(BackoffStatus(0, 0.0, False))

    def wait_seconds_left(self) -> int:
        return max(0, math.ceil(self._wait_until - time.monotonic()))

    # -- texts -------------------------------------------------------------------------------

    def retranslate(self) -> None:
        if self._locked_mode:
            self.title.setText(self.tr("Locked"))
            if self._idle_minutes is None:
                self.subtitle.setText(
                    self.tr("Jiafang is locked. Enter your password to continue.")
                )
            else:
                self.subtitle.setText(
                    self.tr(
                        "Jiafang locked itself after %n minute(s) without use. "
                        "Enter your password to continue.",
                        "",
                        self._idle_minutes,
                    )
                )
        else:
            self.title.setText(self.tr("Unlock Jiafang"))
            self.subtitle.setText(
                self.tr("Choose your account and enter your password. No network is needed.")
            )
        self.password_edit.setPlaceholderText(self.tr("Password"))
        self.unlock_button.setText(self.tr("Unlocking…") if self._busy else self.tr("Unlock"))
        self.add_account_button.setText(self.tr("Register another account…"))
        self.online_button.setText(self.tr("Sign in online"))
        self._render_wait()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    # -- internals ---------------------------------------------------------------------------

    def _render_wait(self) -> None:
        seconds = self.wait_seconds_left()
        if self._reauth_required:
            self.wait_label.setText(
                self.tr(
                    "Too many wrong passwords. Connect to the network and sign in online "
                    "with your password to unlock this laptop."
                )
            )
            self.wait_label.setVisible(True)
        elif seconds > 0:
            self.wait_label.setText(
                self.tr("Too many wrong passwords. Try again in %n second(s).", "", seconds)
            )
            self.wait_label.setVisible(True)
        else:
            self.wait_label.setVisible(False)
            self._countdown.stop()
        self._update_enabled()

    def _update_enabled(self) -> None:
        blocked = self._busy or self._reauth_required or self.wait_seconds_left() > 0
        self.unlock_button.setEnabled(not blocked)
        self.unlock_button.setVisible(not self._reauth_required)
        self.online_button.setVisible(self._reauth_required)
        self.online_button.setEnabled(not self._busy)
        self.password_edit.setEnabled(not self._busy)

    def _on_countdown_timeout(self) -> None:
        self._render_wait()

    def _on_unlock_clicked(self) -> None:
        profile_id = self.selected_profile_id()
        if profile_id is None or not self.unlock_button.isEnabled():
            if self._reauth_required and not self._busy:
                self._on_online_clicked()  # Enter in the password field after the lock-out
            return
        password = self.password_edit.text()
        if not password:
            self.show_error(self.tr("Enter your password."))
            return
        self.show_error("")
        self.unlock_requested.emit(profile_id, password)

    def _on_online_clicked(self) -> None:
        profile_id = self.selected_profile_id()
        password = self.password_edit.text()
        if profile_id is None:
            return
        if not password:
            self.show_error(self.tr("Enter your password."))
            return
        self.show_error("")
        self.online_signin_requested.emit(profile_id, password)

    def _on_profile_combo_changed(self, _index: int) -> None:
        profile_id = self.selected_profile_id()
        if profile_id is not None:
            self.password_edit.clear()
            self.show_error("")
            self.profile_selected.emit(profile_id)

"""The banner the workspace shows once the offline lease has lapsed: household data stays
hidden until a sync renews the lease, and "Sync now" is one click away."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from app.services.readmodels import LeaseStatus
from ui.widgets.common import label


class LeaseLapsedBanner(QFrame):
    sync_requested = Signal()
    """The user pressed "Sync now" on the banner."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("LeaseBanner")
        self.setStyleSheet(
            "QFrame#LeaseBanner { background: #fff4e5; border: 1px solid #f0b35a;"
            " border-radius: 6px; }"
        )
        self._status = LeaseStatus()
        self._purged = 0
        self._kept = 0
        self.title_label = label(name="SectionTitle", wrap=True)
        self.message_label = label(wrap=True)
        self.sync_button = QPushButton()
        self.sync_button.setObjectName("Primary")
        text = QVBoxLayout()
        text.addWidget(self.title_label)
        text.addWidget(self.message_label)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(16, 10, 16, 10)
        layout.addLayout(text, 1)
        layout.addWidget(self.sync_button)
        self.sync_button.clicked.connect(self.sync_requested)
        self.setVisible(False)
        self.retranslate()

    @property
    def status(self) -> LeaseStatus:
        return self._status

    def show_lapsed(self, status: LeaseStatus, *, purged: int = 0, kept: int = 0) -> None:
        """`purged` households of a contractor's tasks were removed, `kept` stay (locked)
        until their unsent work is synced."""
        self._status = status
        self._purged = purged
        self._kept = kept
        self.retranslate()
        self.setVisible(True)

    def hide_banner(self) -> None:
        self._status = LeaseStatus()
        self._purged = 0
        self._kept = 0
        self.setVisible(False)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.sync_button.setText(self.tr("Sync now"))
        if self._status.state == "clock_turned_back":
            self.title_label.setText(self.tr("This laptop's clock was turned back"))
            lines = [
                self.tr(
                    "The clock shows a time earlier than this laptop has already seen, so "
                    "household data is locked. Correct the date and time, then sync."
                )
            ]
        else:
            self.title_label.setText(self.tr("Offline lease lapsed"))
            lines = [
                self.tr(
                    "This laptop has not synced for too long, so household data is locked "
                    "until it syncs with the server again."
                )
            ]
        if self._purged:
            lines.append(
                self.tr(
                    "%n household(s) of your tasks were removed from this laptop.",
                    "",
                    self._purged,
                )
            )
        if self._kept:
            lines.append(
                self.tr(
                    "Kept on this laptop, locked, until their unsent work is synced (then "
                    "removed): %n household(s) of your tasks.",
                    "",
                    self._kept,
                )
            )
        elif self._status.purges_on_lapse and not self._purged:
            lines.append(self.tr("No household of your tasks is left on this laptop."))
        self.message_label.setText(" ".join(lines))

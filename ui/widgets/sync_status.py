"""The always-visible sync status area of the status bar."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QWidget

from app.services.readmodels import SyncStatus

DISPLAY_ZONE = ZoneInfo("Asia/Shanghai")


class SyncStatusWidget(QWidget):
    """Offline / syncing with progress / n waiting / last synced / conflicts, from `SyncStatus`."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("SyncStatus")
        self._status = SyncStatus()
        self.state_label = QLabel(self)
        self.state_label.setObjectName("SyncState")
        self.progress_bar = QProgressBar(self)
        self.progress_bar.setFixedWidth(140)
        self.progress_bar.setTextVisible(False)
        self.waiting_label = QLabel(self)
        self.last_sync_label = QLabel(self)
        self.conflict_label = QLabel(self)
        self.conflict_label.setObjectName("Error")
        self.rejected_label = QLabel(self)
        self.rejected_label.setObjectName("Error")
        self.lease_label = QLabel(self)
        self.lease_label.setObjectName("LeaseState")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 0, 6, 0)
        layout.setSpacing(14)
        # Extra width (the area grows while conflicts show) goes to the left, not between items.
        layout.addStretch(1)
        for widget in (
            self.state_label,
            self.progress_bar,
            self.waiting_label,
            self.conflict_label,
            self.rejected_label,
            self.last_sync_label,
            self.lease_label,
        ):
            layout.addWidget(widget)
        self.set_status(self._status)

    @property
    def status(self) -> SyncStatus:
        return self._status

    def set_status(self, status: SyncStatus) -> None:
        self._status = status
        self._render()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self._render()
        super().changeEvent(event)

    def _render(self) -> None:
        status = self._status
        if status.syncing:
            self.state_label.setText("⟳ " + self.tr("Syncing…"))
        elif status.online:
            self.state_label.setText("● " + self.tr("Online"))
        else:
            self.state_label.setText("○ " + self.tr("Offline"))
        if status.syncing and status.progress is not None:
            done, total = status.progress
            self.progress_bar.setRange(0, max(total, 1))
            self.progress_bar.setValue(done)
            self.progress_bar.setVisible(True)
        elif status.syncing:
            self.progress_bar.setRange(0, 0)  # busy indicator: total not known yet
            self.progress_bar.setVisible(True)
        else:
            self.progress_bar.setVisible(False)
        if status.waiting:
            self.waiting_label.setText(self.tr("%n change(s) waiting", "", status.waiting))
        else:
            self.waiting_label.setText(self.tr("Nothing waiting"))
        self.conflict_label.setVisible(status.conflicts > 0)
        self.conflict_label.setText(self.tr("%n conflict(s) to resolve", "", status.conflicts))
        self.rejected_label.setVisible(status.rejected > 0)
        self.rejected_label.setText(self.tr("%n change(s) refused", "", status.rejected))
        if status.last_synced_at is None:
            self.last_sync_label.setText(self.tr("Never synced"))
        else:
            self.last_sync_label.setText(
                self.tr("Last synced %1").replace("%1", _format_time(status.last_synced_at))
            )
        self._render_lease(status)

    def _render_lease(self, status: SyncStatus) -> None:
        lapsed = status.lease_state in ("expired", "clock_turned_back")
        self.lease_label.setVisible(lapsed or status.lease_expires_at is not None)
        # The lapsed state in the error colour; a valid lease in the normal one.
        self.lease_label.setStyleSheet("color: #b42318; font-weight: 600;" if lapsed else "")
        if lapsed:
            self.lease_label.setText(self.tr("Offline lease lapsed: sync to continue"))
        elif status.lease_expires_at is not None:
            self.lease_label.setText(
                self.tr("Offline lease until %1").replace(
                    "%1", self._format_day(status.lease_expires_at)
                )
            )

    def _format_day(self, moment: datetime) -> str:
        local = _local(moment)
        # Month and day in the user's language: "12月13日 18:00" / "13 Dec 18:00".
        pattern = self.tr("{day} {month_name} {time}")
        return pattern.format(
            month=local.month,
            day=local.day,
            month_name=local.strftime("%b"),
            time=local.strftime("%H:%M"),
        )


def _local(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(DISPLAY_ZONE)


def _format_time(moment: datetime) -> str:
    return _local(moment).strftime("%Y-%m-%d %H:%M")

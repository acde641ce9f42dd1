"""The status bar's sync area shows each state from a plain SyncStatus."""

from __future__ import annotations

from datetime import UTC, datetime

from pytestqt.qtbot import QtBot

from app.services.readmodels import SyncStatus
from ui.i18n import LanguageManager
from ui.widgets.sync_status import SyncStatusWidget


def test_each_sync_state_is_shown(qtbot: QtBot, language: LanguageManager) -> None:
    widget = SyncStatusWidget()
    qtbot.addWidget(widget)
    widget.show()
    assert widget.state_label.text() == "○ 离线"
    assert widget.last_sync_label.text() == "尚未同步"
    assert not widget.progress_bar.isVisible()

    widget.set_status(SyncStatus(online=True, syncing=True, progress=(30, 120), waiting=4))
    assert widget.state_label.text() == "⟳ 同步中…"
    assert widget.progress_bar.isVisible()
    assert (widget.progress_bar.value(), widget.progress_bar.maximum()) == (30, 120)
    assert widget.waiting_label.text() == "4 项待上传"

    synced_at = datetime(2026, 3, 1, 2, 5, tzinfo=UTC)
    widget.set_status(SyncStatus(online=True, last_synced_at=synced_at, conflicts=2))
    assert not widget.progress_bar.isVisible()
    assert widget.waiting_label.text() == "无待上传"
    # Shown in China time (UTC+8).
    assert widget.last_sync_label.text() == "上次同步 2026-03-01 10:05"
    assert widget.conflict_label.isVisible()
    assert widget.conflict_label.text() == "2 项冲突待处理"

    language.install("en")
    assert widget.conflict_label.text() == "2 conflicts to resolve"
    assert widget.state_label.text() == "● Online"

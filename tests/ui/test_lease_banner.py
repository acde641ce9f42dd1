"""The lapsed banner of a contractor says what happened to their households: how many were
removed and how many stay, locked, until their unsent work is synced (both languages)."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from app.services.readmodels import LeaseStatus
from ui.i18n import LanguageManager
from ui.widgets.lease import LeaseLapsedBanner

_CONTRACTOR = LeaseStatus(state="expired", purges_on_lapse=True)


def _banner(qtbot: QtBot) -> LeaseLapsedBanner:
    banner = LeaseLapsedBanner()
    qtbot.addWidget(banner)
    return banner


def test_every_household_kept_is_not_reported_as_removed(
    qtbot: QtBot, language: LanguageManager
) -> None:
    banner = _banner(qtbot)
    banner.show_lapsed(_CONTRACTOR, purged=0, kept=3)
    text = banner.message_label.text()
    assert "3 户因有未上传的工作暂留本机" in text
    assert "清除任务中的" not in text and "已从本机清除" not in text

    language.install("en")
    text = banner.message_label.text()
    assert "until their unsent work is synced" in text and "3 households" in text
    assert "removed from this laptop" not in text


def test_removed_and_kept_households_are_both_counted(
    qtbot: QtBot, language: LanguageManager
) -> None:
    banner = _banner(qtbot)
    banner.show_lapsed(_CONTRACTOR, purged=2, kept=1)
    text = banner.message_label.text()
    assert "已从本机清除任务中的 2 户" in text and "1 户因有未上传的工作暂留本机" in text

    language.install("en")
    text = banner.message_label.text()
    assert "2 households of your tasks were removed from this laptop" in text
    assert "1 household of your tasks" in text


def test_nothing_removed_nothing_kept_says_so(qtbot: QtBot, language: LanguageManager) -> None:
    banner = _banner(qtbot)
    banner.show_lapsed(_CONTRACTOR)
    assert "本机已没有您任务中的户" in banner.message_label.text()
    banner.show_lapsed(LeaseStatus(state="expired"))  # a field worker's data only locks
    locked_only = "本机太久未同步，户数据已锁定，与服务器同步后即可继续使用。"
    assert banner.message_label.text() == locked_only

"""Automatic collection is moved to the GUI thread while the app runs."""

from __future__ import annotations

import gc

from pytestqt.qtbot import QtBot

from ui.gcpolicy import GuiThreadCollector


def test_collection_happens_on_the_gui_thread_timer(qtbot: QtBot) -> None:
    assert gc.isenabled()
    collector = GuiThreadCollector()
    collector.start()
    try:
        assert not gc.isenabled()
        before = gc.get_stats()[1]["collections"]
        qtbot.wait_until(lambda: gc.get_stats()[1]["collections"] > before, timeout=5_000)
    finally:
        collector.stop()
    assert gc.isenabled()

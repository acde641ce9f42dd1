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


def test_a_burst_of_loaded_data_is_frozen_not_walked() -> None:
    from ui.gcpolicy import BULK_YOUNG_OBJECTS

    # The tick itself, called directly: other collectors' timers (earlier tests' windows) must
    # not collect in between.
    collector = GuiThreadCollector()
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        gc.collect()  # nothing young left: the next freeze can only be of what follows
        frozen_before = gc.get_freeze_count()
        # Lists are always tracked by the collector (small dicts of plain values may not be).
        loaded = [[n] for n in range(BULK_YOUNG_OBJECTS + 10_000)]  # like a big list load
        collections_before = gc.get_stats()[1]["collections"]
        collector._on_timer_timeout()
        assert gc.get_freeze_count() >= frozen_before + len(loaded)
        assert gc.get_stats()[1]["collections"] == collections_before  # frozen, not walked
        collector._on_timer_timeout()  # the next tick collects as usual
        assert gc.get_stats()[1]["collections"] == collections_before + 1
    finally:
        gc.unfreeze()
        if was_enabled:
            gc.enable()

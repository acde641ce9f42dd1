"""Garbage collection only on the GUI thread.

Closed windows, dialogs and rebuilt form rows leave reference cycles (a widget, the lambda
connected to its signal, the widget again) whose Qt objects must be destroyed on the GUI
thread. Python's automatic collector runs on whichever thread happens to allocate when a
threshold is crossed, so a collection inside a background job could delete widgets off their
thread and crash the process (seen in the test suite: a print job on a worker thread collected
widgets of earlier tests and segfaulted). With this policy automatic collection is off and a
GUI-thread timer collects instead: the young generations often (cheap), a full collection now
and then (its pause is shortened by the `gc.freeze()` after each sync run).

A burst of new objects since the last tick (loading 100,000 households makes some 300,000)
is frozen instead of traversed: those are the data the window is about to show, long-lived and
acyclic (refcounting frees them when they are replaced), and walking them took 140 ms of a
frozen window. Cycles made in the same two seconds wait in the frozen set; they are few (a
closed dialog or two) and the memory is small next to the data.
"""

from __future__ import annotations

import gc
import logging

from PySide6.QtCore import QObject, QTimer

logger = logging.getLogger(__name__)

YOUNG_INTERVAL_MS = 2_000
#: every this many young collections, a full one
FULL_EVERY = 30
#: more new container objects than this since the last tick: a data load, frozen (see above)
BULK_YOUNG_OBJECTS = 50_000


class GuiThreadCollector(QObject):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._ticks = 0
        self._timer = QTimer(self)
        self._timer.setInterval(YOUNG_INTERVAL_MS)
        self._timer.timeout.connect(self._on_timer_timeout)
        self._was_enabled = gc.isenabled()

    def start(self) -> None:
        gc.disable()
        self._timer.start()
        logger.info("automatic garbage collection moved to the GUI thread")

    def stop(self) -> None:
        self._timer.stop()
        gc.collect()
        if self._was_enabled:
            gc.enable()

    def _on_timer_timeout(self) -> None:
        self._ticks += 1
        if gc.get_count()[0] > BULK_YOUNG_OBJECTS:
            gc.freeze()
            return
        gc.collect(2 if self._ticks % FULL_EVERY == 0 else 1)

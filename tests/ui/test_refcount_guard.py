"""The app survives many Qt calls on Python 3.11 (PySide6 6.12 reference-count bug guard)."""

from __future__ import annotations

import sys

from PySide6.QtCore import QCoreApplication, QObject, Signal
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

import ui  # noqa: F401  (importing ui applies the guard)


class _Emitter(QObject):
    fired = Signal(object)


def test_many_void_calls_and_emits_do_not_exhaust_none_or_true(qtbot: QtBot) -> None:
    label = QLabel()
    qtbot.addWidget(label)
    emitter = _Emitter()
    received: list[object] = []
    emitter.fired.connect(received.append)
    # Far more calls than None (about 4,500) or True (a few hundred) had references at start:
    # without the guard this loop aborts the interpreter.
    for i in range(20_000):
        label.setText(str(i))
        label.setVisible(False)
        emitter.fired.emit(None)
        QCoreApplication.processEvents()
    assert len(received) == 20_000
    assert sys.getrefcount(None) > 1_000_000
    assert sys.getrefcount(True) > 1_000_000

"""Qt's own warnings end up in Python logging."""

from __future__ import annotations

import logging

import pytest
from PySide6.QtCore import qWarning

from ui.qtlog import install_qt_message_handler, uninstall_qt_message_handler


def test_qt_warnings_are_logged(caplog: pytest.LogCaptureFixture, qapp: object) -> None:
    caplog.set_level(logging.DEBUG, logger="qt")
    install_qt_message_handler()
    try:
        qWarning("palette missing a colour role")
    finally:
        uninstall_qt_message_handler()
    records = [r for r in caplog.records if r.name.startswith("qt.")]
    assert [(r.name, r.levelno, r.getMessage()) for r in records] == [
        ("qt.default", logging.WARNING, "palette missing a colour role")
    ]

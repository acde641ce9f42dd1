"""Route Qt's own messages (qDebug, qWarning ...) into Python logging, once."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QMessageLogContext, QtMsgType, qInstallMessageHandler

_LEVELS = {
    QtMsgType.QtDebugMsg: logging.DEBUG,
    QtMsgType.QtInfoMsg: logging.INFO,
    QtMsgType.QtWarningMsg: logging.WARNING,
    QtMsgType.QtCriticalMsg: logging.ERROR,
    QtMsgType.QtFatalMsg: logging.CRITICAL,
}

_installed = False
_previous: Callable[..., Any] | None = None


def handle_qt_message(kind: QtMsgType, context: QMessageLogContext, message: str) -> None:
    """Log a Qt message under the logger `qt.<category>` at the matching level."""
    category = context.category or "default"
    logging.getLogger(f"qt.{category}").log(_LEVELS.get(kind, logging.WARNING), "%s", message)


def install_qt_message_handler() -> None:
    global _installed, _previous
    if not _installed:
        _previous = qInstallMessageHandler(handle_qt_message)
        _installed = True


def uninstall_qt_message_handler() -> None:
    """Give the previous handler back (tests, where pytest-qt captures Qt messages itself)."""
    global _installed, _previous
    if _installed:
        qInstallMessageHandler(_previous)
        _installed = False
        _previous = None

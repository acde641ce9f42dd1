"""A grouped bar chart drawn with QPainter: categories along the bottom, one bar per series,
whole-number ticks, a legend. Plain widget painting keeps the dashboards free of QtCharts'
scene objects (their ownership between Python and C++ is easy to get wrong)."""

from __future__ import annotations

import math

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

_AXIS = QColor("#8c959f")
_GRID = QColor("#eaeef2")
_TEXT = QColor("#1b1f24")


def nice_top(value: float) -> tuple[int, int]:
    """(axis maximum, tick step) for counts up to `value`: at least 0..4, steps of 1, 2, 5 ×10ⁿ."""
    top = max(4.0, value * 1.1)  # a little headroom above the tallest bar
    raw = top / 4
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    step = max(1, int(step))
    return int(math.ceil(top / step) * step), step


class BarChart(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = ""
        self.categories: list[str] = []
        #: (name, colour, one value per category)
        self.series: list[tuple[str, QColor, list[float]]] = []
        self.setMinimumHeight(200)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def sizeHint(self) -> QSize:
        return QSize(480, 240)

    def set_data(
        self, title: str, categories: list[str], series: list[tuple[str, QColor, list[float]]]
    ) -> None:
        self.title, self.categories, self.series = title, categories, series
        self.update()

    def clear(self) -> None:
        self.set_data("", [], [])

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), QColor("white"))
        metrics = QFontMetrics(self.font())
        line = metrics.height()
        bold = QFont(self.font())
        bold.setBold(True)
        painter.setPen(_TEXT)
        painter.setFont(bold)
        painter.drawText(
            QRectF(0, 4, self.width(), line + 4), Qt.AlignmentFlag.AlignHCenter, self.title
        )
        painter.setFont(self.font())
        values = [v for _, _, vs in self.series for v in vs]
        top, step = nice_top(max(values, default=0.0))
        left = metrics.horizontalAdvance(str(top)) + 14
        plot = QRectF(left, line + 14, self.width() - left - 12, self.height() - 3 * line - 34)
        if plot.height() < 20 or plot.width() < 20:
            painter.end()
            return
        for tick in range(0, top + 1, step):
            y = plot.bottom() - plot.height() * tick / top
            painter.setPen(QPen(_GRID if tick else _AXIS, 1))
            painter.drawLine(int(plot.left()), int(y), int(plot.right()), int(y))
            painter.setPen(_TEXT)
            painter.drawText(
                QRectF(0, y - line / 2, left - 6, line),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                str(tick),
            )
        count = max(1, len(self.categories))
        slot = plot.width() / count
        bars = max(1, len(self.series))
        bar_width = min(36.0, slot * 0.7 / bars)
        for index, category in enumerate(self.categories):
            start = plot.left() + slot * index + (slot - bar_width * bars) / 2
            for number, (_name, colour, series_values) in enumerate(self.series):
                value = series_values[index] if index < len(series_values) else 0.0
                height = plot.height() * value / top
                painter.fillRect(
                    QRectF(start + number * bar_width, plot.bottom() - height, bar_width, height),
                    colour,
                )
            label = metrics.elidedText(category, Qt.TextElideMode.ElideRight, int(slot) - 2)
            painter.setPen(_TEXT)
            painter.drawText(
                QRectF(plot.left() + slot * index, plot.bottom() + 4, slot, line),
                Qt.AlignmentFlag.AlignHCenter,
                label,
            )
        # Legend, centred under the axis.
        widths = [metrics.horizontalAdvance(name) + 30 for name, _, _ in self.series]
        x = (self.width() - sum(widths)) / 2
        y = plot.bottom() + line + 12
        for (name, colour, _), width in zip(self.series, widths, strict=True):
            painter.fillRect(QRectF(x, y + line / 2 - 5, 10, 10), colour)
            painter.setPen(_TEXT)
            painter.drawText(QRectF(x + 14, y, width - 14, line), Qt.AlignmentFlag.AlignLeft, name)
            x += width
        painter.end()

"""A signature pad: draw with the mouse, pen or finger; export as PNG bytes."""

from __future__ import annotations

import itertools

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPoint, QSize, Qt, Signal
from PySide6.QtGui import QColor, QImage, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget


class SignaturePad(QWidget):
    changed = Signal()
    """A stroke was drawn or the pad was cleared."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMinimumSize(QSize(280, 110))
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setAttribute(Qt.WidgetAttribute.WA_StaticContents)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self._image = QImage(self.minimumSize(), QImage.Format.Format_RGB32)
        self._image.fill(QColor("white"))
        self._last: QPoint | None = None
        self._strokes = 0

    @property
    def is_empty(self) -> bool:
        return self._strokes == 0

    def clear(self) -> None:
        self._image.fill(QColor("white"))
        self._strokes = 0
        self.update()
        self.changed.emit()

    def draw_stroke(self, points: list[QPoint]) -> None:
        """One pen stroke through the points (touch input and scripted demos)."""
        if len(points) < 2:
            return
        self._strokes += 1
        for start, end in itertools.pairwise(points):
            self.draw_line(start, end)
        self.changed.emit()

    def draw_line(self, start: QPoint, end: QPoint) -> None:
        painter = QPainter(self._image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(QColor("#111111"), 2.6, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
        painter.drawLine(start, end)
        painter.end()
        self.update()

    def png_bytes(self) -> bytes:
        data = QByteArray()
        buffer = QBuffer(data)
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        self._image.convertToFormat(QImage.Format.Format_Grayscale8).save(buffer, "PNG")
        buffer.close()
        return bytes(data.data())

    def resizeEvent(self, event: object) -> None:
        if self.width() > self._image.width() or self.height() > self._image.height():
            bigger = QImage(
                max(self.width(), self._image.width()),
                max(self.height(), self._image.height()),
                QImage.Format.Format_RGB32,
            )
            bigger.fill(QColor("white"))
            painter = QPainter(bigger)
            painter.drawImage(QPoint(0, 0), self._image)
            painter.end()
            self._image = bigger

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.drawImage(event.rect(), self._image, event.rect())
        painter.setPen(QPen(QColor("#c9d1d9"), 1, Qt.PenStyle.DashLine))
        baseline = self.height() - 24
        painter.drawLine(12, baseline, self.width() - 12, baseline)
        painter.setPen(QPen(QColor("#c9d1d9"), 1))
        painter.drawRect(0, 0, self.width() - 1, self.height() - 1)
        painter.end()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._last = event.position().toPoint()
            self._strokes += 1

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._last is not None and event.buttons() & Qt.MouseButton.LeftButton:
            point = event.position().toPoint()
            self.draw_line(self._last, point)
            self._last = point

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._last is not None:
            self.draw_line(self._last, event.position().toPoint())
            self._last = None
            self.changed.emit()

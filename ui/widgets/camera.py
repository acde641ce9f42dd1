"""Taking photos with the laptop's camera (QtMultimedia).

A captured frame never touches the disk: it becomes JPEG bytes in memory and goes through the
same import as a photo file (`AccountSession.add_photo` → `prepare_photo`: metadata dropped,
downscaled, stored encrypted). QtMultimedia needs PulseAudio's client library on Linux
(Debian `libpulse0`, in the .deb's Depends); where it cannot load, there is no camera to offer
and the form keeps its file import.
"""

from __future__ import annotations

from PySide6.QtCore import QBuffer, QByteArray, QEvent, QIODevice, Signal
from PySide6.QtGui import QCloseEvent, QImage, QShowEvent
from PySide6.QtMultimedia import (
    QCamera,
    QCameraDevice,
    QImageCapture,
    QMediaCaptureSession,
    QMediaDevices,
)
from PySide6.QtMultimediaWidgets import QVideoWidget
from PySide6.QtWidgets import QDialog, QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from ui.widgets.common import label

#: JPEG quality of a captured frame before the import re-encodes it (kept high: it is
#: recompressed once more after downscaling)
CAPTURE_QUALITY = 92


def available_cameras() -> list[QCameraDevice]:
    """The cameras present now (an empty list on a laptop without one)."""
    return list(QMediaDevices.videoInputs())


def default_camera() -> QCameraDevice:
    return QMediaDevices.defaultVideoInput()


def jpeg_bytes(image: QImage, quality: int = CAPTURE_QUALITY) -> bytes:
    """A captured frame as JPEG bytes, in memory only."""
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.convertToFormat(QImage.Format.Format_RGB32).save(buffer, "JPEG", quality)
    buffer.close()
    return bytes(data.data())


class CameraDialog(QDialog):
    """A viewfinder and a shutter button; each photo taken is handed on at once."""

    photo_taken = Signal(bytes)
    """A frame was captured (JPEG bytes)."""

    def __init__(self, device: QCameraDevice, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setModal(True)
        self.resize(720, 560)
        self.camera = QCamera(device, self)
        self.capture = QImageCapture(self)
        self.session = QMediaCaptureSession(self)
        self.viewfinder = QVideoWidget()
        self.viewfinder.setMinimumSize(640, 420)
        self.session.setCamera(self.camera)
        self.session.setImageCapture(self.capture)
        self.session.setVideoOutput(self.viewfinder)
        self.status_label = label(name="Muted", wrap=True)
        self.shutter_button = QPushButton()
        self.shutter_button.setObjectName("Primary")
        self.close_button = QPushButton()
        self._taken = 0
        buttons = QHBoxLayout()
        buttons.addWidget(self.status_label, 1)
        buttons.addWidget(self.close_button)
        buttons.addWidget(self.shutter_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.viewfinder, 1)
        layout.addLayout(buttons)
        self.capture.readyForCaptureChanged.connect(self.shutter_button.setEnabled)
        self.capture.imageCaptured.connect(self._on_image_captured)
        self.capture.errorOccurred.connect(self._on_capture_error)
        self.camera.errorOccurred.connect(self._on_camera_error)
        self.shutter_button.clicked.connect(self._on_shutter_clicked)
        self.close_button.clicked.connect(self.accept)
        self.shutter_button.setEnabled(self.capture.isReadyForCapture())
        self.retranslate()

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Take photos"))
        self.shutter_button.setText(self.tr("Take photo"))
        self.close_button.setText(self.tr("Done"))
        self._render_status()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def showEvent(self, event: QShowEvent) -> None:
        self.camera.start()
        super().showEvent(event)

    def done(self, result: int) -> None:
        self.camera.stop()  # the camera light goes off with the dialog
        super().done(result)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.camera.stop()
        super().closeEvent(event)

    def _render_status(self) -> None:
        self.status_label.setText(
            self.tr("%n photo(s) taken", "", self._taken) if self._taken else ""
        )

    def _on_shutter_clicked(self) -> None:
        self.capture.capture()

    def _on_image_captured(self, _request_id: int, image: QImage) -> None:
        if image.isNull():
            return
        self._taken += 1
        self._render_status()
        self.photo_taken.emit(jpeg_bytes(image))

    def _on_capture_error(self, _request_id: int, _error: object, message: str) -> None:
        self.status_label.setText(
            self.tr("The photo could not be taken: %1").replace("%1", message)
        )

    def _on_camera_error(self, _error: object, message: str) -> None:
        self.shutter_button.setEnabled(False)
        self.status_label.setText(self.tr("The camera cannot be used: %1").replace("%1", message))

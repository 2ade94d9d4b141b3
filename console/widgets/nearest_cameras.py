"""附近摄像头: the nearest cameras of the selected case, closest first, with distance and status word.

The seat reads them off the UI thread (SeatController.load_nearest_cameras: a spatial index in
geodesic metres); the map rings the same cameras.  Enter or a double click asks to watch one.
"""
from __future__ import annotations

from typing import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QLabel, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from console.services.read_models import CameraInfo
from console.widgets import labels
from console.widgets.theme import WORKSTATION, Theme

NEAREST_N = 9  # a 3x3 wall's worth
NEAREST_RADIUS_M = 500.0


class NearestCamerasPanel(QWidget):
    """The cameras near a case, listed by distance."""

    sig_watch = Signal(object)
    """CameraInfo: the operator asked to watch this camera."""

    def __init__(self, *, theme: Theme = WORKSTATION, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("nearest_cameras")
        self._theme = theme
        self.heading = QLabel(self.tr("附近摄像头"))
        self.list = QListWidget()
        self.list.setObjectName("nearest_camera_list")
        self.list.itemActivated.connect(self._activated)
        box = QVBoxLayout(self)
        box.setContentsMargins(4, 4, 4, 4)
        box.addWidget(self.heading)
        box.addWidget(self.list, 1)
        self.cameras: list[CameraInfo] = []

    def set_cameras(self, cameras: Sequence[CameraInfo], radius_m: float = NEAREST_RADIUS_M) -> None:
        self.cameras = list(cameras)
        self.list.clear()
        self.heading.setText(self.tr("附近摄像头（{m} 米内 {n} 个）").format(m=f"{radius_m:.0f}", n=len(self.cameras)))
        for rank, cam in enumerate(self.cameras, start=1):
            text = self.tr("{rank}. {name} · {metres} 米 · {mark} {status}").format(
                rank=rank, name=cam.name, metres=f"{cam.distance_m or 0:.0f}",
                mark=labels.CAMERA_STATUS_MARKS.get(cam.status, "?"), status=labels.camera_status_label(cam.status))
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, cam.id)
            item.setForeground(QColor(self._theme.cameras.get(cam.status, self._theme.cameras["offline"])))
            item.setToolTip(cam.id)
            self.list.addItem(item)

    def _activated(self, item: QListWidgetItem) -> None:
        wanted = item.data(Qt.ItemDataRole.UserRole)
        for cam in self.cameras:
            if cam.id == wanted:
                self.sig_watch.emit(cam)

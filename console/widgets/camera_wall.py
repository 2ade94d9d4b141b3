"""The camera wall (视频墙): a 2x2 or 3x3 grid of video views for the wall's rotation or a workstation.

Given camera read models and the seat's VideoService; takes a theme (WALL: dark, large type).
Cameras beyond the grid are left out (the caller pages through them); each view gives its
player back when the wall is cleared or closed.
"""
from __future__ import annotations

from typing import Sequence

from PySide6.QtWidgets import QGridLayout, QLabel, QVBoxLayout, QWidget

from console.services.read_models import CameraInfo
from console.services.video import VideoService
from console.widgets.theme import WORKSTATION, Theme
from console.widgets.video_view import VideoView

GRIDS = {4: 2, 9: 3}  # cells -> columns


class CameraWall(QWidget):
    """Up to `cells` (4 or 9) cameras playing at once."""

    def __init__(self, service: VideoService, *, cells: int = 9, theme: Theme = WORKSTATION, compact: bool = True,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        if cells not in GRIDS:
            raise ValueError(f"camera wall of {cells} cells: 4 (2x2) or 9 (3x3)")
        self.setObjectName("camera_wall")
        self._service, self._theme, self.cells = service, theme, cells
        self.heading = QLabel(self.tr("视频监控"))
        self.heading.setObjectName("camera_wall_heading")
        self.heading.setStyleSheet(f"color: {theme.text['ink']}; font-size: {theme.large_size}px; font-weight: bold;")
        self._grid = QGridLayout()
        self._grid.setSpacing(6)
        box = QVBoxLayout(self)
        box.addWidget(self.heading)
        box.addLayout(self._grid, 1)
        self.setStyleSheet(f"#camera_wall {{ background: {theme.text['background']}; }}")
        self.views: list[VideoView] = []
        columns = GRIDS[cells]
        for i in range(cells):
            view = VideoView(service, theme=theme, compact=compact)
            self._grid.addWidget(view, i // columns, i % columns)
            self.views.append(view)

    def set_cameras(self, cameras: Sequence[CameraInfo]) -> None:
        """Show the first `cells` cameras (empty cells stay blank)."""
        shown = list(cameras)[: self.cells]
        for i, view in enumerate(self.views):
            view.set_camera(shown[i] if i < len(shown) else None)

    def set_status(self, camera_id: str, status: str) -> None:
        """A camera's status changed (the feed)."""
        for view in self.views:
            if view.camera is not None and view.camera.id == camera_id:
                view.set_status(status)

    @property
    def frames(self) -> int:
        return sum(v.source.frames for v in self.views if v.source is not None)

    def clear(self) -> None:
        for view in self.views:
            view.set_camera(None)

    def closeEvent(self, event) -> None:  # noqa: ANN001, N802 - Qt override
        self.clear()
        super().closeEvent(event)

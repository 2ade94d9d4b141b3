"""视频巡查 from a camera view: the new-case dialog preset from the camera, filed with the snapshot.

`connect_video_patrol(view, controller)` makes the view's F9 / report button open the
dialog; the seat files the case (source 视频, located at the camera, its ID on the case)
and attaches the snapshot as evidence, off the UI thread.
"""
from __future__ import annotations

from datetime import datetime, timezone

import shiboken6
from PySide6.QtWidgets import QWidget

from console.services.read_models import CameraInfo
from console.services.seat import CommandDone, CommandRefused, SeatController
from console.domain.video import Frame
from console.widgets.dialogs import PENDING, VideoPatrolDialog
from console.widgets.video_view import VideoView


class VideoPatrol:
    """Opens the 视频巡查 dialog for a view's camera and files what the operator enters."""

    def __init__(self, controller: SeatController, parent: QWidget | None = None) -> None:
        self.controller, self.parent = controller, parent
        self._waiting: dict[int, VideoPatrolDialog] = {}
        self.filed: list[CommandDone] = []
        self.dialog: VideoPatrolDialog | None = None
        controller.sig_command_done.connect(self._done)
        controller.sig_command_refused.connect(self._refused)

    def attach(self, view: VideoView) -> None:
        view.sig_report.connect(self.open)

    def open(self, camera: CameraInfo, grab: Frame) -> None:
        def show(answer: tuple) -> None:
            categories, _centre = answer
            dialog = VideoPatrolDialog(list(categories), camera_id=camera.id, camera_name=camera.name,
                                       lon=camera.lon, lat=camera.lat, snapshot_png=grab.png, parent=self.parent)
            dialog.setObjectName("dialog_video_patrol")
            dialog.submit = lambda: self._file(dialog, camera, grab)
            dialog.finished.connect(dialog.deleteLater)
            self.dialog = dialog
            dialog.open()

        self.controller.load_new_case_form(show)

    def _file(self, dialog: VideoPatrolDialog, camera: CameraInfo, grab: Frame) -> object:
        value = dialog.value()
        request = self.controller.reserve()
        self._waiting[request] = dialog
        self.controller.report_from_camera(datetime.now(timezone.utc), camera.id, grab, request=request,
                                           category_code=value.category_code, description=value.description,
                                           address=value.address)
        return PENDING

    def _done(self, done: CommandDone) -> None:
        dialog = self._waiting.pop(done.request, None)
        if dialog is not None:
            self.filed.append(done)
            if shiboken6.isValid(dialog):
                dialog.submit_answered(None)

    def _refused(self, refused: CommandRefused) -> None:
        dialog = self._waiting.pop(refused.request, None)
        if dialog is not None and shiboken6.isValid(dialog):
            dialog.submit_answered(refused.message)

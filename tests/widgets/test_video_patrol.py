"""视频巡查: from a camera view, F9 opens the new-case dialog preset from the camera; Enter files a
video case at the camera with its ID, and the snapshot is kept as evidence (hash, audit row)."""
from __future__ import annotations

import hashlib

import pytest
import shiboken6
from PySide6.QtCore import Qt
from sqlalchemy import select

from console.data import models as m
from console.data.cameras import camera, evidence_of
from console.data.importers import import_cameras
from console.services.seat import SeatController
from console.services.session import Seat, Session
from console.services.video import PLAYING, VideoService
from console.widgets.video_patrol import VideoPatrol
from console.widgets.video_view import VideoView
from tests.clips import QT_VIDEO_LOG_IGNORE, make_clip

pytestmark = pytest.mark.qt_log_ignore(*QT_VIDEO_LOG_IGNORE)
CAM = "35040200081320000001"


def test_f9_files_a_video_case_with_the_snapshot(db, qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("URBAN_CONSOLE_EVIDENCE", str(tmp_path / "evidence"))
    clip = make_clip(tmp_path / "clip.mp4", seconds=3.0)
    csv = tmp_path / "cams.csv"
    csv.write_text(f"id,name,lon,lat,stream_url\n{CAM},列东路口,117.605,26.265,{clip}\n", encoding="utf-8")
    import_cameras(db, csv)
    session = Session(db=db, username="张受理", display_name="张受理", role="intake", seat_name="受理席1",
                      seat=Seat("operator"))
    controller = SeatController(session)
    service = VideoService()
    view = VideoView(service)
    qtbot.addWidget(view)
    view.show()
    patrol = VideoPatrol(controller, parent=view)
    patrol.attach(view)
    try:
        view.set_camera(camera(db, CAM))
        qtbot.waitUntil(lambda: view.source.state == PLAYING and view.source.frames >= 5, timeout=6000)
        view.setFocus()
        qtbot.keyClick(view, Qt.Key.Key_F9)
        qtbot.waitUntil(lambda: patrol.dialog is not None and patrol.dialog.isVisible(), timeout=5000)
        dialog = patrol.dialog
        assert dialog.source.currentData() == "video" and not dialog.source.isEnabled()
        assert (dialog.lon.value(), dialog.lat.value()) == (117.605, 26.265) and CAM in dialog.camera.text()
        assert not dialog.snapshot.pixmap().isNull()
        dialog.search.setText("暴露垃圾")
        dialog.description.setPlainText("路口暴露垃圾")  # (QTest types ASCII only)
        qtbot.keyClick(dialog.description, Qt.Key.Key_Return)  # Enter submits (the dialogs' rule)
        qtbot.waitUntil(lambda: bool(patrol.filed), timeout=10000)
        number = patrol.filed[0].number
        with db.read() as s:
            case = s.scalars(select(m.Case).where(m.Case.number == number)).one()
        assert (case.source, case.camera_id, case.lon, case.lat) == ("video", CAM, 117.605, 26.265)
        assert case.description == "路口暴露垃圾" and case.category_code == "06010"
        [kept] = evidence_of(db, number)
        data = (tmp_path / "evidence" / kept.path).read_bytes()
        assert kept.camera_id == CAM and hashlib.sha256(data).hexdigest() == kept.sha256 == kept.sha256
        assert case.photos == [kept.path]
        qtbot.waitUntil(lambda: not shiboken6.isValid(dialog) or not dialog.isVisible(), timeout=5000)
    finally:
        view.shutdown()
        service.deleteLater()
        controller.stop()
        qtbot.waitUntil(lambda: controller.idle, timeout=5000)
        controller.deleteLater()

"""The camera view and the camera wall play the test clip; credentials never show; snapshots refuse blanks."""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton

from console.services.read_models import CameraInfo
from console.services.video import PLAYING, VideoService
from console.widgets.camera_wall import CameraWall
from console.widgets.theme import WALL, WORKSTATION
from console.widgets.video_view import VideoView
from tests.clips import QT_VIDEO_LOG_IGNORE, closed_port, make_clip

pytestmark = pytest.mark.qt_log_ignore(*QT_VIDEO_LOG_IGNORE)
SHOTS = os.environ.get("UC_SHOTS")  # a folder: the tests save what they render there, to look at
SECRET = "Pa55w0rd-xyz"


@pytest.fixture(scope="module")
def clip(tmp_path_factory):
    return make_clip(tmp_path_factory.mktemp("clips") / "clip.mp4", seconds=4.0, size=(320, 180))


def cam(i: int, url: str, status: str = "online") -> CameraInfo:
    return CameraInfo(f"350402000813200000{i:02d}", f"列东路{i}号监控点", 117.605, 26.265, "wgs84", status, "dome",
                      "区城管局", None, "350402001001001", "350402001", url)


@pytest.fixture
def service(qtbot):
    svc = VideoService(max_players=9, network_timeout_ms=3000)
    yield svc
    svc.release_all()
    svc.deleteLater()


def save(widget, name: str) -> None:
    if SHOTS:
        widget.grab().save(str(Path(SHOTS) / name))


def texts(widget) -> str:
    return " ".join(w.text() for w in widget.findChildren(QLabel) + widget.findChildren(QPushButton)) + widget.toolTip()


def test_a_view_plays_and_snapshots_the_clip(qtbot, service, clip):
    view = VideoView(service)
    qtbot.addWidget(view)
    view.resize(480, 400)
    view.show()
    view.set_camera(cam(1, str(clip)))
    qtbot.waitUntil(lambda: view.source.state == PLAYING and view.source.frames >= 10, timeout=6000)
    assert "在线" in view.status.text() and "播放中" in view.status.text()
    assert "城市管理接入" in view.id_fields.text() and "类型编码 132" in view.id_fields.text()
    with qtbot.waitSignal(view.sig_snapshot, timeout=2000) as blocker:
        qtbot.keyClick(view, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    camera, grab = blocker.args
    assert camera.id == cam(1, "").id and not grab.blank and grab.width == 320
    save(view, "video_view.png")


def test_credentials_never_show_and_an_unreachable_camera_says_why(qtbot, service):
    url = f"rtsp://admin:{SECRET}@127.0.0.1:{closed_port()}/ch1?token={SECRET}"
    view = VideoView(service)
    qtbot.addWidget(view)
    view.set_camera(cam(2, url, "fault"))
    qtbot.waitUntil(lambda: "cannot open the stream" in view.error.text(), timeout=4000)
    assert SECRET not in texts(view) and "rtsp://***@127.0.0.1" in view.url.text()
    assert "故障" in view.status.text() and "✕" in view.status.text()
    assert SECRET not in repr(view.camera)
    view.take_snapshot()
    assert "no picture yet" in view.error.text()


@pytest.mark.parametrize("theme, cells", [(WORKSTATION, 9), (WALL, 9), (WALL, 4)], ids=["light-3x3", "wall-3x3", "wall-2x2"])
def test_the_camera_wall_plays_every_cell(qtbot, service, clip, theme, cells):
    wall = CameraWall(service, cells=cells, theme=theme)
    qtbot.addWidget(wall)
    wall.resize(1280, 800)
    wall.show()
    statuses = ["online", "online", "fault", "online", "offline", "online", "online", "online", "online", "online"]
    wall.set_cameras([cam(i, str(clip), statuses[i]) for i in range(10)])
    assert service.playing == cells  # the tenth camera is left out
    qtbot.waitUntil(lambda: all(v.source.frames >= 5 for v in wall.views), timeout=15000)
    wall.set_status(cam(0, "").id, "fault")
    assert "故障" in wall.views[0].status.text()
    save(wall, f"camera_wall_{theme.name}_{cells}.png")
    wall.close()
    assert service.playing == 0

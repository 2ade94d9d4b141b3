"""A camera's stream credentials (rtsp://user:pass@host/...) never leave the player: not in a widget's
text, a log line, a Qt message, FFmpeg's own output, an export file, the settings, the CLI's output."""
from __future__ import annotations

import logging
import zipfile
from pathlib import Path

import pytest
from PySide6.QtWidgets import QAbstractButton, QLabel, QWidget

from console.cli import main
from console.data.cameras import Snapshot, camera, report_video_case
from console.data.commands import Actor
from console.services import settings
from console.services.settings import SeatSettings
from console.services.video import VideoService
from console.widgets.camera_wall import CameraWall
from console.widgets.video_view import VideoView
from console.domain.video import Frame
from tests.clips import QT_VIDEO_LOG_IGNORE, closed_port
from tests.data.test_cameras import CAM1, picture_png

pytestmark = pytest.mark.qt_log_ignore(*QT_VIDEO_LOG_IGNORE)
USER, PASSWORD, TOKEN = "opsadmin7", "Zq8-pass-word", "Tk5-token"


def secret_url(port: int) -> str:
    return f"rtsp://{USER}:{PASSWORD}@127.0.0.1:{port}/cam/realmonitor?channel=1&token={TOKEN}"


def assert_clean(where: str, text: str) -> None:
    for secret in (PASSWORD, TOKEN, f"{USER}:"):
        assert secret not in text, f"{where} shows {secret!r}: {text[:300]}"


def every_text(widget: QWidget) -> str:
    parts = [widget.windowTitle(), widget.toolTip()]
    for child in widget.findChildren(QWidget):
        parts += [child.toolTip(), child.statusTip(), child.accessibleName(), child.windowTitle()]
        if isinstance(child, (QLabel, QAbstractButton)):
            parts.append(child.text())
    return "\n".join(parts)


def test_no_place_shows_the_stream_password(db, qtbot, tmp_path, capfd, caplog, qtlog, user_settings, monkeypatch):
    caplog.set_level(logging.DEBUG)
    monkeypatch.setenv("URBAN_CONSOLE_EVIDENCE", str(tmp_path / "evidence"))
    url = secret_url(closed_port())
    catalogue = tmp_path / "cams.csv"
    catalogue.write_text(f"id,name,lon,lat,stream_url\n{CAM1},列东路口,117.605,26.265,{url}\n", encoding="utf-8")
    assert main(["import", "cameras", str(catalogue), "--db", db.url]) == 0
    bad = tmp_path / "bad.csv"
    bad.write_text(f"id,name,lon,lat,stream_url\n{CAM1},列东路口,东经,26.265,{url}\n", encoding="utf-8")
    assert main(["import", "cameras", str(bad), "--db", db.url]) != 0  # a refused row is named, the URL is not

    info = camera(db, CAM1)
    assert info.stream_url == url  # the player still gets it
    service = VideoService(network_timeout_ms=2000)
    view = VideoView(service)
    wall = CameraWall(service, cells=4)
    for w in (view, wall):
        qtbot.addWidget(w)
        w.show()
    view.set_camera(info)
    wall.set_cameras([info])
    qtbot.waitUntil(lambda: "cannot open the stream" in view.error.text()
                    and "cannot open the stream" in wall.views[0].error.text(), timeout=5000)
    assert_clean("the camera view", every_text(view))
    assert_clean("the camera wall", every_text(wall))
    assert_clean("a read model's repr", repr(info) + str(info))

    png, samples = picture_png()
    report_video_case(db, Actor("张受理", "intake", seat="受理席1"), CAM1, Snapshot(CAM1, Frame(png, samples, None)),
                      category_code="06010", description="视频巡查")
    for fmt, name in (("csv", "cases.csv"), ("geojson", "cases.geojson"), ("open311", "cases.json"), ("xlsx", "cases.xlsx")):
        out = tmp_path / name
        assert main(["export", "cases", "--format", fmt, "--out", str(out), "--db", db.url]) == 0
        text = out.read_bytes().decode("utf-8", "replace")
        if fmt == "xlsx":
            with zipfile.ZipFile(out) as z:
                text = "\n".join(z.read(n).decode("utf-8", "replace") for n in z.namelist())
        assert_clean(f"the {fmt} export", text)

    seat_settings = SeatSettings("张受理", "operator")
    seat_settings.set(settings.VIDEO_MAX_PLAYERS, 4)
    seat_settings.sync()
    stored = "\n".join(p.read_text("utf-8", "replace") for p in Path(user_settings).rglob("*") if p.is_file())
    assert "max_players" in stored
    assert_clean("the settings", stored)

    view.shutdown()
    wall.clear()
    service.deleteLater()
    out, err = capfd.readouterr()
    assert_clean("stdout and stderr (FFmpeg's own log too)", out + err)
    assert_clean("the log", "\n".join(r.getMessage() for r in caplog.records))
    assert_clean("Qt's messages", "\n".join(r.message for r in qtlog.records))

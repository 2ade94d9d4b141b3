"""Video sources: a file and a loopback HTTP stream play (frames counted), an unreachable URL
fails within the timeout and retries with back-off, the cap on players holds."""
from __future__ import annotations

import pytest

from console.services.video import FAILED, PLAYING, RETRYING, VideoService, VideoSource, image_grab
from tests.clips import QT_VIDEO_LOG_IGNORE, closed_port, decode_frames, http_server, make_clip, rtsp_server

pytestmark = pytest.mark.qt_log_ignore(*QT_VIDEO_LOG_IGNORE)


@pytest.fixture(scope="module")
def clips(tmp_path_factory):
    folder = tmp_path_factory.mktemp("clips")
    return make_clip(folder / "clip.mp4"), make_clip(folder / "clip.ts", fmt="mpegts")


@pytest.fixture
def source(qtbot):
    src = VideoSource(network_timeout_ms=3000)
    yield src
    src.close()
    src.deleteLater()


def test_a_file_plays_every_frame(qtbot, source, clips):
    mp4, _ts = clips
    assert decode_frames(mp4) == 50
    with qtbot.waitSignal(source.sig_first_frame, timeout=5000):
        source.open(str(mp4))
    assert source.state == PLAYING and source.first_frame_s < 3.0
    qtbot.waitUntil(lambda: source.frames >= 45, timeout=5000)
    grab = source.grab()
    assert grab is not None and not grab.blank and grab.png.startswith(b"\x89PNG") and (grab.width, grab.height) == (160, 120)


@pytest.mark.parametrize("name", ["clip.mp4", "clip.ts"])
def test_a_loopback_http_stream_plays(qtbot, source, clips, name):
    folder = clips[0].parent
    with http_server(folder) as (base, ranges):
        with qtbot.waitSignal(source.sig_first_frame, timeout=8000):
            source.open(f"{base}/{name}")
        qtbot.waitUntil(lambda: source.frames >= 25, timeout=8000)
        source.stop()
    assert source.frames >= 25
    if name.endswith(".mp4"):
        assert ranges, "FFmpeg asked for byte ranges of the MP4"


def test_a_loopback_rtsp_stream_plays(qtbot, clips):
    source = VideoSource(network_timeout_ms=8000, max_retries=0)
    try:
        with rtsp_server(clips[0].parent) as base:
            with qtbot.waitSignal(source.sig_first_frame, timeout=10000):
                source.open(f"{base}/clip.mp4?play_count=0")
            qtbot.waitUntil(lambda: source.frames >= 25, timeout=8000)
            grab = source.grab()
            source.stop()
        assert source.frames >= 25 and grab is not None and not grab.blank
    finally:
        source.close()
        source.deleteLater()


def test_an_unreachable_stream_says_so_within_the_timeout_and_retries(qtbot, source):
    url = f"rtsp://admin:Secret99@127.0.0.1:{closed_port()}/live"
    errors: list[str] = []
    source.sig_error.connect(errors.append)
    with qtbot.waitSignal(source.sig_error, timeout=source.network_timeout_ms + 1000):
        source.open(url)
    assert source.state == RETRYING and source.retry_delay_ms == 1000 and source.next_retry_ms() > 0
    assert "cannot open the stream" in errors[0] and "Secret99" not in errors[0] and "127.0.0.1" in errors[0]
    with qtbot.waitSignal(source.sig_error, timeout=source.network_timeout_ms + 2000):
        pass  # the first retry, 1 s later, fails the same way
    assert source.retries == 1 and source.retry_delay_ms == 2000  # then 2 s


def test_a_silent_server_times_out(qtbot):
    """A port that accepts and never answers: our own timer ends the wait."""
    import socket

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(4)
    src = VideoSource(network_timeout_ms=1500, max_retries=0)
    try:
        with qtbot.waitSignal(src.sig_error, timeout=4000) as blocker:
            src.open(f"http://127.0.0.1:{listener.getsockname()[1]}/live.ts")
        assert "no picture within 1.5 s" in blocker.args[0] and src.state == FAILED
    finally:
        src.close()
        src.deleteLater()
        listener.close()


def test_no_url_is_a_clear_failure(qtbot, source):
    with qtbot.waitSignal(source.sig_error, timeout=1000) as blocker:
        source.open("")
    assert "no stream URL" in blocker.args[0] and source.state == FAILED


def test_the_service_caps_players(qtbot):
    service = VideoService(max_players=2)
    refused: list[str] = []
    service.sig_refused.connect(refused.append)
    a, b, c = service.acquire(), service.acquire(), service.acquire()
    assert a and b and c is None and "at most 2 players" in refused[0]
    service.release(a)
    assert service.playing == 1 and service.acquire() is not None
    service.release_all()
    assert service.playing == 0
    service.deleteLater()


def test_a_uniform_image_is_blank():
    from PySide6.QtGui import QColor, QImage

    image = QImage(64, 48, QImage.Format.Format_RGB32)
    image.fill(QColor("#808080"))
    assert image_grab(image).blank


def test_the_cap_comes_from_the_halls_setting(qtbot, tmp_path):
    from PySide6.QtCore import QSettings

    from console.services.settings import VIDEO_MAX_PLAYERS, SeatSettings

    seat_settings = SeatSettings("张受理", store=QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    default = VideoService.from_settings(seat_settings)
    assert default.max_players == 9  # the default: a 3x3 wall
    default.deleteLater()
    seat_settings.set(VIDEO_MAX_PLAYERS, 4)
    service = VideoService.from_settings(seat_settings)
    assert service.max_players == 4 and [service.acquire() is not None for _ in range(5)] == [True] * 4 + [False]
    service.release_all()
    service.deleteLater()

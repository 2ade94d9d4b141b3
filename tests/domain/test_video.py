"""Video rules without Qt: redacted URLs, PTZ types, the ID's fields, back-off, blank frames."""
from __future__ import annotations

import itertools

import pytest

from console.domain.codes import CodeError
from console.domain.video import (camera_id_fields, is_live_stream, looks_blank, ptz_type_of, redact_url, retry_delays_ms,
                                  stream_scheme)


@pytest.mark.parametrize("url, shown", [
    ("rtsp://admin:12345@10.1.2.3:554/h264/ch1", "rtsp://***@10.1.2.3:554/h264/ch1"),
    ("rtsp://admin@10.1.2.3/live", "rtsp://***@10.1.2.3/live"),
    ("rtsp://a:p%40ss@word@host/x", "rtsp://***@host/x"),  # an unencoded @ in the password
    ("http://127.0.0.1:8080/live.flv?token=abc&app=rtp", "http://127.0.0.1:8080/live.flv?token=***&app=rtp"),
    ("https://wvp/api?access_token=zz&sign=1", "https://wvp/api?access_token=***&sign=***"),
    ("rtsp://u:p@[::1:554/x", "rtsp://***@[::1:554/x"),  # unreadable by urlsplit: redacted by pattern
    ("/data/clip.mp4", "/data/clip.mp4"),
    ("", ""), (None, ""),
])
def test_redact_url_never_shows_credentials(url, shown):
    assert redact_url(url) == shown


def test_ptz_types_by_number_and_word():
    assert [ptz_type_of(v) for v in (0, "1", "半球", "固定枪机", "遥控枪机", 5, None, True, "否")] == [0, 1, 2, 3, 4, 5, 0, 1, 3]
    with pytest.raises(ValueError, match="PTZ type"):
        ptz_type_of("7")


def test_camera_id_fields_follow_the_standard():
    fields = camera_id_fields("35040200081320000001")
    assert [(f.key, f.digits) for f in fields] == [
        ("centre", "35040200"), ("industry", "08"), ("type", "132"), ("network", "0"), ("sequence", "000001")]
    assert fields[1].meaning == "城市管理接入" and "IPC" in fields[2].meaning and "350402" in fields[0].meaning
    with pytest.raises(CodeError):
        camera_id_fields("123")


def test_back_off_doubles_to_a_cap():
    assert list(itertools.islice(retry_delays_ms(1000, 8000), 6)) == [1000, 2000, 4000, 8000, 8000, 8000]


def test_blank_frames_say_nothing():
    assert looks_blank(None) and looks_blank([]) and looks_blank([200] * 100)
    assert looks_blank([100, 101, 99, 100] * 25)  # noise on a grey card
    assert not looks_blank(list(range(0, 250, 5)) * 4)


def test_stream_schemes():
    assert [stream_scheme(u) for u in ("rtsp://h/x", "http://h/x", "/tmp/a.mp4", "C:/a.mp4")] == [
        "rtsp", "http", "file", "file"]


def test_live_streams_are_told_from_recorded_files():
    assert [is_live_stream(u) for u in ("rtsp://h/x", "http://h/live/cam1.flv", "http://h/hls/a.m3u8",
                                        "http://h/clip.mp4", "/tmp/a.mp4", "https://h/api/stream")] == [
        True, True, True, False, False, True]

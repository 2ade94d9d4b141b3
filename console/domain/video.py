"""Video points (视频点位): what the console knows of a camera without Qt or a database.

* `redact_url`: the one way a stream URL is shown, logged, exported or saved;
  credentials (rtsp://user:pass@host/...) and secret query parameters never leave it.
* `PTZ_TYPES`: the camera's mount (云台类型), WVP-GB28181-pro ``ptzType`` 0..5.
* `camera_id_fields`: the GB/T 28181 ID cut into its fields, for the UI.
* `retry_delays_ms`: the back-off of a broken stream (1 s, 2 s, 4 s ... capped).
* `looks_blank`: a uniform frame (a platform's "default image", or none yet) is never evidence.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Final, Iterable, Sequence
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from console.domain.codes import CameraId
from console.domain.vocabulary import QT_TRANSLATE_NOOP

__all__ = [
    "PTZ_TYPES", "PTZ_LABELS", "ptz_type_of", "redact_url", "camera_id_fields", "CameraIdField",
    "retry_delays_ms", "looks_blank", "BLANK_SPREAD", "STREAM_SCHEMES", "stream_scheme", "is_live_stream",
]

# WVP-GB28181-pro DeviceChannel.ptzType (GB/T 28181 附录 A PTZType): 0 unknown.
PTZ_TYPES: Final[dict[int, str]] = {
    0: "unknown", 1: "dome", 2: "half_dome", 3: "fixed_bullet", 4: "ptz_bullet", 5: "ptz_half_dome",
}
PTZ_LABELS: Final[dict[str, str]] = {
    "unknown": QT_TRANSLATE_NOOP("PtzType", "未知"),
    "dome": QT_TRANSLATE_NOOP("PtzType", "球机"),
    "half_dome": QT_TRANSLATE_NOOP("PtzType", "半球"),
    "fixed_bullet": QT_TRANSLATE_NOOP("PtzType", "固定枪机"),
    "ptz_bullet": QT_TRANSLATE_NOOP("PtzType", "遥控枪机"),
    "ptz_half_dome": QT_TRANSLATE_NOOP("PtzType", "遥控半球"),
}
# Words a catalogue writes for the mount, besides the WVP number.
_PTZ_WORDS: Final[dict[str, int]] = {
    "球机": 1, "dome": 1, "半球": 2, "half_dome": 2, "固定枪机": 3, "枪机": 3, "fixed_bullet": 3, "bullet": 3,
    "遥控枪机": 4, "ptz_bullet": 4, "遥控半球": 5, "ptz_half_dome": 5, "未知": 0, "unknown": 0, "": 0,
    # the old boolean column: a PTZ camera without a known mount is a dome, a fixed one a bullet
    "true": 1, "yes": 1, "是": 1, "false": 3, "no": 3, "否": 3,
}


def ptz_type_of(value: object) -> int:
    """The WVP ptzType (0..5) of a catalogue cell: a number or a word; ValueError names it otherwise."""
    if isinstance(value, bool):
        return 1 if value else 3
    if value is None:
        return 0
    if isinstance(value, int) and value in PTZ_TYPES:
        return value
    text = str(value).strip().lower()
    if text.isdigit() and int(text) in PTZ_TYPES:
        return int(text)
    if text in _PTZ_WORDS:
        return _PTZ_WORDS[text]
    raise ValueError(f"云台类型 {str(value)[:20]!r} 无效 (PTZ type: 0..5 or 球机/半球/固定枪机/遥控枪机/遥控半球)")


# --------------------------------------------------------------------------- stream URLs

STREAM_SCHEMES: Final = ("rtsp", "rtsps", "rtmp", "http", "https", "file")
_SECRET_PARAMS = re.compile(r"(pass|pwd|token|secret|key|sign|auth|credential)", re.I)
_REDACTED = "***"
# user:pass@ written by hand inside a string that urlsplit cannot read (kept as a fallback)
_USERINFO = re.compile(r"(?P<scheme>[a-z][a-z0-9+.-]*://)(?P<info>[^/@\s]*@)", re.I)


def redact_url(url: str | None) -> str:
    """The stream URL as anyone may see it: no user, no password, no secret query value.

    ``rtsp://admin:12345@10.1.2.3:554/h264?token=abc`` -> ``rtsp://***@10.1.2.3:554/h264?token=***``.
    """
    if not url:
        return ""
    text = str(url).strip()
    try:
        parts = urlsplit(text)
        netloc = parts.netloc
        if "@" in netloc:
            netloc = _REDACTED + "@" + netloc.rsplit("@", 1)[1]
        query = parts.query
        if query:
            pairs = parse_qsl(query, keep_blank_values=True)
            query = urlencode([(k, _REDACTED if _SECRET_PARAMS.search(k) else v) for k, v in pairs], safe="*")
        return urlunsplit((parts.scheme, netloc, parts.path, query, ""))
    except ValueError:  # e.g. a bad port or bracket: redact by pattern, never show it raw
        return _USERINFO.sub(lambda m: m.group("scheme") + _REDACTED + "@", text.split("#", 1)[0])


def stream_scheme(url: str) -> str:
    """The scheme a player needs (rtsp, http, file ...); a bare path is a file."""
    scheme = urlsplit(url).scheme.lower()
    return scheme if len(scheme) > 1 else "file"


_LIVE_SCHEMES = frozenset({"rtsp", "rtsps", "rtmp", "rtmps", "srt", "rtp", "udp"})
_RECORDED_SUFFIXES = (".mp4", ".mov", ".mkv", ".avi", ".m4v")


def is_live_stream(url: str) -> bool:
    """A live camera stream (RTSP, RTMP, HTTP-FLV/TS/HLS) rather than a recorded file.

    Qt's LowLatencyStreaming intent suits the first and costs a recorded MP4 over HTTP about
    a second before its first frame (measured, bench_video), so only live streams get it.
    """
    scheme = stream_scheme(url)
    if scheme in _LIVE_SCHEMES:
        return True
    if scheme in ("http", "https"):
        return not urlsplit(url).path.lower().endswith(_RECORDED_SUFFIXES)
    return False


# --------------------------------------------------------------------------- GB/T 28181 IDs


@dataclass(frozen=True)
class CameraIdField:
    key: str  # centre | industry | type | network | sequence
    label: str  # the field's name (QT_TRANSLATE_NOOP context "CameraIdField")
    digits: str
    meaning: str  # what the digits say, e.g. "132 网络摄像机(IPC)"


CAMERA_ID_FIELD_LABELS: Final[dict[str, str]] = {
    "centre": QT_TRANSLATE_NOOP("CameraIdField", "中心编码"),
    "industry": QT_TRANSLATE_NOOP("CameraIdField", "行业编码"),
    "type": QT_TRANSLATE_NOOP("CameraIdField", "类型编码"),
    "network": QT_TRANSLATE_NOOP("CameraIdField", "网络标识"),
    "sequence": QT_TRANSLATE_NOOP("CameraIdField", "设备序号"),
}
# 行业编码 (GB/T 28181 附录 D), the ones a city hall meets
INDUSTRIES: Final[dict[str, str]] = {
    "00": "社会治安路面接入", "01": "社会治安社区接入", "02": "社会治安内部接入", "03": "社会治安其他接入",
    "04": "交通路面接入", "05": "交通卡口接入", "06": "交通内部接入", "07": "交通其他接入",
    "08": "城市管理接入", "09": "卫生环保接入", "10": "商检海关接入", "11": "教育部门接入",
}


def camera_id_fields(camera_id: str | CameraId) -> tuple[CameraIdField, ...]:
    """The ID's five fields with what each says (CodeError for a malformed ID)."""
    cid = camera_id if isinstance(camera_id, CameraId) else CameraId.parse(camera_id)
    rows = (
        ("centre", cid.center, f"行政区划 {cid.admin_code} · 基层单位 {cid.center[6:]}"),
        ("industry", cid.industry, INDUSTRIES.get(cid.industry, "")),
        ("type", cid.type_code, cid.type_name),
        ("network", cid.network, cid.network_name),
        ("sequence", cid.sequence, ""),
    )
    return tuple(CameraIdField(k, CAMERA_ID_FIELD_LABELS[k], d, meaning) for k, d, meaning in rows)


# --------------------------------------------------------------------------- playback rules


def retry_delays_ms(first_ms: int = 1000, cap_ms: int = 30_000) -> Iterable[int]:
    """1 s, 2 s, 4 s ... doubling up to ``cap_ms``, then ``cap_ms`` for ever."""
    delay = first_ms
    while True:
        yield delay
        delay = min(cap_ms, delay * 2)


@dataclass(frozen=True)
class Frame:
    """One picture from a camera as evidence candidate: PNG bytes, grey samples (the blank check), when.

    The player grabs it, the operator keeps it: a snapshot is a camera's frame (data.cameras.Snapshot).
    """

    png: bytes
    samples: tuple[int, ...]
    taken_at: datetime | None  # None: now, when it is kept
    width: int = 0
    height: int = 0

    @property
    def blank(self) -> bool:
        """No picture to keep: empty, or uniform (a platform's default image)."""
        return not self.png or looks_blank(self.samples)


BLANK_SPREAD: Final = 6.0  # grey-level standard deviation below which a frame says nothing


def looks_blank(samples: Sequence[int] | None, spread: float = BLANK_SPREAD) -> bool:
    """True when a frame's grey samples (0..255) are uniform or absent: no picture to keep.

    A platform's default image (ZLMediaKit's ``getSnap`` on failure, a black or grey
    "no signal" card) is one colour: its grey values barely spread.
    """
    if not samples:
        return True
    n = len(samples)
    mean = sum(samples) / n
    var = sum((v - mean) ** 2 for v in samples) / n
    return math.sqrt(var) < spread

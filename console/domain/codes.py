"""Codes of the hall: unit grids (单元网格), components (部件) and cameras (GB/T 28181).

All codes are **strings**, never integers: leading zeros and letter segments must
survive every round trip (domain.md §11.8).

Unit-grid code (单元网格编码, GB/T 30428.1 / GB/T 47678.3 lineage, domain.md §2)::

    350402 001 001 007        15 characters [0-9A-Z]
    |      |   |   +-- grid sequence   (网格顺序码, 3)
    |      |   +------ community       (社区/村, 3)
    |      +---------- street / town   (街道/乡镇, 3)
    +----------------- admin division  (区县行政区划码 GB/T 2260, 6)

    street code    = admin + street               (9 characters)
    community code = admin + street + community   (12 characters)

The segment lengths are a `CodeLayout` (a city with 14-digit codes uses
``CodeLayout(grid=2)``).

Component ID (部件标识码, GB/T 30428.2): 16 digits = 6 admin + 2 major + 2 minor +
6 sequence, e.g. ``3205080101000001`` (姑苏区, 公用设施, 上水井盖, #1).
The GB/T 47678.5-2026 form has 17 digits (3-digit minor, matching the 5-digit
catalogue code ``MMmmm``); `ComponentId.parse` accepts both and records which one
it saw in ``.standard``.

Camera / device ID (GB/T 28181): 20 digits = 8 centre code (6 admin + 2 base unit)
+ 2 industry + 3 type + 1 network + 6 sequence, e.g. ``35040200001320000001``
(centre 35040200, industry 00, type 132 = IPC, network 0, sequence 000001).

Every wrong code raises `CodeError` (a ``ValueError``) whose message names the code
and what is wrong with it: total length, the bad segment, or the bad characters.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

__all__ = [
    "CodeError",
    "CodeLayout",
    "DEFAULT_LAYOUT",
    "GridCode",
    "StreetCode",
    "CommunityCode",
    "street_code_of",
    "community_code_of",
    "ComponentId",
    "CameraId",
    "CAMERA_TYPE_NAMES",
    "CAMERA_NETWORKS",
    "VIDEO_TYPES",
]

ALNUM = "[0-9A-Z]"  # characters allowed in grid / street / community codes
DIGITS = "[0-9]"    # characters allowed in component and camera IDs
_ALNUM_RE = re.compile(r"[0-9A-Z]*")
_DIGITS_RE = re.compile(r"[0-9]*")


class CodeError(ValueError):
    """A code that does not follow its layout; the message names code and segment."""


# --------------------------------------------------------------------------- helpers


def _require_str(code: object, what: str) -> str:
    if not isinstance(code, str):
        raise CodeError(
            f"{what} must be a string, got {type(code).__name__} {code!r} "
            "(codes are never numbers: leading zeros would be lost)"
        )
    return code


def _bad_chars(text: str, allowed: re.Pattern[str]) -> str:
    return "".join(ch for ch in text if not allowed.fullmatch(ch))


def _check_segment(name: str, value: object, length: int, code: str, what: str,
                   allowed: re.Pattern[str], charset: str) -> str:
    """Check one segment given on its own (constructor path)."""
    if not isinstance(value, str):
        raise CodeError(
            f"{name} segment {value!r} of {what} '{code}' must be a string of "
            f"{length} characters {charset}, got {type(value).__name__}"
        )
    if len(value) != length or not allowed.fullmatch(value):
        raise CodeError(
            f"{name} segment '{value}' of {what} '{code}' must be {length} "
            f"characters {charset}"
        )
    return value


def _split(code: str, names: tuple[str, ...], lengths: tuple[int, ...], what: str,
           allowed: re.Pattern[str], charset: str) -> tuple[str, ...]:
    """Check a whole code (parse path) and cut it into its segments."""
    total = sum(lengths)
    recipe = " + ".join(f"{n} {n_len}" for n, n_len in zip(names, lengths))
    if len(code) != total:
        raise CodeError(
            f"{what} '{code}' has {len(code)} characters, expected {total} ({recipe})"
        )
    parts: list[str] = []
    start = 0
    for name, length in zip(names, lengths):
        part = code[start:start + length]
        bad = _bad_chars(part, allowed)
        if bad:
            raise CodeError(
                f"{name} segment '{part}' of {what} '{code}' has bad characters "
                f"{bad!r} (positions {start + 1}-{start + length}); allowed {charset}"
            )
        parts.append(part)
        start += length
    return tuple(parts)


# --------------------------------------------------------------------------- layout


@dataclass(frozen=True)
class CodeLayout:
    """Segment lengths of the unit-grid code (单元网格编码)."""

    admin: int = 6      # 区县行政区划码
    street: int = 3     # 街道/乡镇
    community: int = 3  # 社区/村
    grid: int = 3       # 网格顺序码

    def __post_init__(self) -> None:
        for name in ("admin", "street", "community", "grid"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise CodeError(f"code layout: {name} length must be a positive int, got {value!r}")

    @property
    def street_length(self) -> int:
        return self.admin + self.street

    @property
    def community_length(self) -> int:
        return self.street_length + self.community

    @property
    def grid_length(self) -> int:
        return self.community_length + self.grid


DEFAULT_LAYOUT = CodeLayout()

_GRID_NAMES = ("admin", "street", "community", "grid")


# --------------------------------------------------------------------------- grid codes


@dataclass(frozen=True)
class StreetCode:
    """Street / town code (街道编码) = admin + street (9 characters by default)."""

    admin: str
    street: str
    layout: CodeLayout = field(default=DEFAULT_LAYOUT, repr=False)

    def __post_init__(self) -> None:
        code = f"{self.admin}{self.street}"
        for name, length in zip(_GRID_NAMES[:2], (self.layout.admin, self.layout.street)):
            _check_segment(name, getattr(self, name), length, code, "street code", _ALNUM_RE, ALNUM)

    @classmethod
    def parse(cls, text: str, layout: CodeLayout = DEFAULT_LAYOUT) -> StreetCode:
        code = _require_str(text, "street code")
        admin, street = _split(code, _GRID_NAMES[:2], (layout.admin, layout.street),
                               "street code", _ALNUM_RE, ALNUM)
        return cls(admin, street, layout)

    @property
    def street_code(self) -> str:
        return str(self)

    def __str__(self) -> str:
        return f"{self.admin}{self.street}"


@dataclass(frozen=True)
class CommunityCode:
    """Community / village code (社区编码) = admin + street + community (12 by default)."""

    admin: str
    street: str
    community: str
    layout: CodeLayout = field(default=DEFAULT_LAYOUT, repr=False)

    def __post_init__(self) -> None:
        code = f"{self.admin}{self.street}{self.community}"
        lengths = (self.layout.admin, self.layout.street, self.layout.community)
        for name, length in zip(_GRID_NAMES[:3], lengths):
            _check_segment(name, getattr(self, name), length, code, "community code", _ALNUM_RE, ALNUM)

    @classmethod
    def parse(cls, text: str, layout: CodeLayout = DEFAULT_LAYOUT) -> CommunityCode:
        code = _require_str(text, "community code")
        lengths = (layout.admin, layout.street, layout.community)
        admin, street, community = _split(code, _GRID_NAMES[:3], lengths,
                                          "community code", _ALNUM_RE, ALNUM)
        return cls(admin, street, community, layout)

    @property
    def street_code(self) -> str:
        return f"{self.admin}{self.street}"

    @property
    def community_code(self) -> str:
        return str(self)

    def __str__(self) -> str:
        return f"{self.admin}{self.street}{self.community}"


@dataclass(frozen=True)
class GridCode:
    """Unit-grid code (单元网格编码): admin + street + community + grid (15 by default)."""

    admin: str
    street: str
    community: str
    grid: str
    layout: CodeLayout = field(default=DEFAULT_LAYOUT, repr=False)

    def __post_init__(self) -> None:
        code = f"{self.admin}{self.street}{self.community}{self.grid}"
        lengths = (self.layout.admin, self.layout.street, self.layout.community, self.layout.grid)
        for name, length in zip(_GRID_NAMES, lengths):
            _check_segment(name, getattr(self, name), length, code, "grid code", _ALNUM_RE, ALNUM)

    @classmethod
    def parse(cls, text: str, layout: CodeLayout = DEFAULT_LAYOUT) -> GridCode:
        code = _require_str(text, "grid code")
        lengths = (layout.admin, layout.street, layout.community, layout.grid)
        admin, street, community, grid = _split(code, _GRID_NAMES, lengths,
                                                "grid code", _ALNUM_RE, ALNUM)
        return cls(admin, street, community, grid, layout)

    @classmethod
    def format(cls, admin: str, street: str, community: str, grid: str,
               layout: CodeLayout = DEFAULT_LAYOUT) -> str:
        """The full code from its segments (each checked)."""
        return str(cls(admin, street, community, grid, layout))

    @classmethod
    def is_valid(cls, text: object, layout: CodeLayout = DEFAULT_LAYOUT) -> bool:
        try:
            cls.parse(text, layout)  # type: ignore[arg-type]
        except CodeError:
            return False
        return True

    @property
    def street_code(self) -> str:
        return f"{self.admin}{self.street}"

    @property
    def community_code(self) -> str:
        return f"{self.admin}{self.street}{self.community}"

    def __str__(self) -> str:
        return f"{self.admin}{self.street}{self.community}{self.grid}"


def _prefix_of(code: str | GridCode | CommunityCode | StreetCode, length: int,
               layout: CodeLayout, what: str) -> str:
    if isinstance(code, (GridCode, CommunityCode, StreetCode)):
        code = str(code)
    text = _require_str(code, "code")
    parsers = {layout.grid_length: GridCode, layout.community_length: CommunityCode,
               layout.street_length: StreetCode}
    parser = parsers.get(len(text))
    if parser is None or len(text) < length:
        raise CodeError(
            f"cannot take the {what} of '{text}': {len(text)} characters, expected a "
            f"code of {', '.join(str(n) for n in sorted(parsers) if n >= length)} characters"
        )
    parser.parse(text, layout)
    return text[:length]


def street_code_of(code: str | GridCode | CommunityCode | StreetCode,
                   layout: CodeLayout = DEFAULT_LAYOUT) -> str:
    """Street code (9) of a grid (15), community (12) or street (9) code."""
    return _prefix_of(code, layout.street_length, layout, "street code")


def community_code_of(code: str | GridCode | CommunityCode,
                      layout: CodeLayout = DEFAULT_LAYOUT) -> str:
    """Community code (12) of a grid (15) or community (12) code."""
    return _prefix_of(code, layout.community_length, layout, "community code")


# --------------------------------------------------------------------------- components

_COMPONENT_NAMES = ("admin", "major", "minor", "sequence")
_COMPONENT_FORMS = {16: ("GB/T 30428.2", 2), 17: ("GB/T 47678.5", 3)}


@dataclass(frozen=True)
class ComponentId:
    """Component ID (部件标识码): admin 6 + major 2 + minor 2|3 + sequence 6 digits.

    A 2-digit minor is the GB/T 30428.2 form (16 digits); a 3-digit minor is the
    GB/T 47678.5-2026 form (17 digits) whose major+minor is the catalogue code.
    """

    admin: str
    major: str
    minor: str
    sequence: str

    def __post_init__(self) -> None:
        code = f"{self.admin}{self.major}{self.minor}{self.sequence}"
        minor_len = len(self.minor) if isinstance(self.minor, str) and len(self.minor) == 3 else 2
        for name, length in zip(_COMPONENT_NAMES, (6, 2, minor_len, 6)):
            _check_segment(name, getattr(self, name), length, code, "component ID", _DIGITS_RE, DIGITS)

    @classmethod
    def parse(cls, text: str) -> ComponentId:
        code = _require_str(text, "component ID")
        form = _COMPONENT_FORMS.get(len(code))
        if form is None:
            raise CodeError(
                f"component ID '{code}' has {len(code)} characters, expected 16 "
                "(GB/T 30428.2: admin 6 + major 2 + minor 2 + sequence 6) or 17 "
                "(GB/T 47678.5: minor 3)"
            )
        parts = _split(code, _COMPONENT_NAMES, (6, 2, form[1], 6), "component ID", _DIGITS_RE, DIGITS)
        return cls(*parts)

    @classmethod
    def format(cls, admin: str, major: str, minor: str, sequence: str | int) -> str:
        """The full ID; an int sequence is zero-padded to 6 digits."""
        if isinstance(sequence, int) and not isinstance(sequence, bool):
            if not 0 <= sequence <= 999_999:
                raise CodeError(f"sequence segment {sequence} of component ID must be 0..999999")
            sequence = f"{sequence:06d}"
        return str(cls(admin, major, minor, sequence))

    @property
    def standard(self) -> str:
        return _COMPONENT_FORMS[16 if len(self.minor) == 2 else 17][0]

    @property
    def category_code(self) -> str:
        """major + minor: 4 digits (30428.2) or the 5-digit 47678.5 catalogue code."""
        return f"{self.major}{self.minor}"

    def __str__(self) -> str:
        return f"{self.admin}{self.major}{self.minor}{self.sequence}"


# --------------------------------------------------------------------------- cameras

# GB/T 28181 type codes (类型编码, tech-notes §10), the ones a hall meets.
CAMERA_TYPE_NAMES: dict[str, str] = {
    "111": "DVR",
    "112": "视频服务器",
    "113": "编码器",
    "114": "解码器",
    "118": "NVR",
    "121": "卡口",
    "131": "摄像机",
    "132": "网络摄像机(IPC)",
    "134": "报警输入设备",
    "138": "移动传输设备",
    "200": "中心信令控制服务器",
    "215": "业务分组",
    "216": "虚拟组织",
    "300": "中心用户",
    "400": "终端用户",
}
# The camera layer holds points an operator can watch: each of these types is one
# video source at one place (a camera, an IPC, a checkpoint camera, a mobile unit).
# Recorders (111 DVR, 118 NVR) hold other devices' channels, so a catalogue lists
# their 131/132 channels instead; 134 alarm inputs carry no video; 200 and up are
# servers, groups and users, not devices.
VIDEO_TYPES = frozenset({"121", "131", "132", "138"})
_CAMERA_TYPES = VIDEO_TYPES
# 网络标识 (the digit after the type code)
CAMERA_NETWORKS: dict[str, str] = {
    **{d: "监控报警专网" for d in "01234"},
    "5": "公安信息网", "6": "政务网", "7": "Internet", "8": "社会资源接入网", "9": "预留",
}
_CAMERA_NAMES = ("centre", "industry", "type", "network", "sequence")
_CAMERA_LENGTHS = (8, 2, 3, 1, 6)


@dataclass(frozen=True)
class CameraId:
    """GB/T 28181 device / channel ID: centre 8 + industry 2 + type 3 + network 1 + sequence 6."""

    center: str    # 中心编码: admin 6 + base unit 2
    industry: str  # 行业编码, e.g. 08 城市管理接入
    type_code: str # 类型编码, e.g. 132 IPC
    network: str   # 网络标识, e.g. 6 政务网
    sequence: str  # 设备序号

    def __post_init__(self) -> None:
        code = "".join(self._segments())
        for name, value, length in zip(_CAMERA_NAMES, self._segments(), _CAMERA_LENGTHS):
            _check_segment(name, value, length, code, "camera ID", _DIGITS_RE, DIGITS)

    def _segments(self) -> tuple[str, ...]:
        return (self.center, self.industry, self.type_code, self.network, self.sequence)

    @classmethod
    def parse(cls, text: str) -> CameraId:
        code = _require_str(text, "camera ID")
        return cls(*_split(code, _CAMERA_NAMES, _CAMERA_LENGTHS, "camera ID", _DIGITS_RE, DIGITS))

    @classmethod
    def format(cls, center: str, industry: str, type_code: str, sequence: str | int, network: str = "0") -> str:
        """The full 20-digit ID; an int sequence is zero-padded to 6 digits."""
        if isinstance(sequence, int) and not isinstance(sequence, bool):
            if not 0 <= sequence <= 999_999:
                raise CodeError(f"sequence segment {sequence} of camera ID must be 0..999999")
            sequence = f"{sequence:06d}"
        return str(cls(center, industry, type_code, network, sequence))

    @property
    def admin_code(self) -> str:
        """The 6-digit administrative division (行政区划) inside the centre code."""
        return self.center[:6]

    @property
    def type_name(self) -> str:
        return CAMERA_TYPE_NAMES.get(self.type_code, f"类型{self.type_code}")

    @property
    def network_name(self) -> str:
        return CAMERA_NETWORKS[self.network]

    @property
    def is_camera(self) -> bool:
        """A video source (VIDEO_TYPES): what the camera layer may hold."""
        return self.type_code in _CAMERA_TYPES

    def require_video(self) -> CameraId:
        """self, or CodeError naming the type when this ID is no video device."""
        if not self.is_camera:
            accepted = ", ".join(f"{t} {CAMERA_TYPE_NAMES[t]}" for t in sorted(VIDEO_TYPES))
            raise CodeError(
                f"camera ID '{self}' 的类型码 {self.type_code} ({self.type_name}) 不是视频设备 "
                f"(type code is no video device; accepted: {accepted})"
            )
        return self

    def __str__(self) -> str:
        return "".join(self._segments())

"""The seat's settings (设置): one typed, versioned store per user and seat.

Every remembered choice of a console goes through :class:`SeatSettings`: the
operator's camera layer, the queue's sort, the heat mode, the window layout, the
basemap.  Keys are declared once (:data:`KEYS`) with their type and default, so
a value stored as text by the INI backend ("true", "3") comes back typed, and a
value that does not parse falls back to the default instead of half-applying.

Window layouts (geometry and dock state) are saved with :data:`LAYOUT_VERSION`:
a layout saved by another version of the docks is dropped, never restored into
a different arrangement of panels.  Bump the version whenever a screen's docks
or central widget change.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QByteArray, QSettings

T = TypeVar("T")

ORGANISATION, APPLICATION = "urban-console", "console"
SETTINGS_VERSION = 1  # the layout of the keys below; a store of another version is migrated or reset
LAYOUT_VERSION = 2  # docks and central widgets of every screen (1: the pre-settings workstation)


@dataclass(frozen=True)
class Key(Generic[T]):
    """One remembered choice: its name, type and default, and whether each user has their own."""

    name: str
    type: type
    default: T
    per_user: bool = True


def _key(name: str, kind: type, default: Any, *, per_user: bool = True) -> Key:
    key = Key(name, kind, default, per_user)
    KEYS[name] = key
    return key


KEYS: dict[str, Key] = {}
CAMERAS_SHOWN = _key("map/cameras", bool, None)  # None: the seat's default (off on an operator seat)
HEAT_MODE = _key("map/heat", str, "open")  # open | overdue
QUEUE_SORT = _key("queue/sort", str, "")  # "column,order" as the queue's header reports it
ALERT_SOUND = _key("alerts/sound", bool, False)
BASEMAP = _key("map/basemap", str, "", per_user=False)  # the hall's basemap: an XYZ URL or an MBTiles path
LANGUAGE = _key("ui/language", str, "", per_user=False)  # "" = the system locale
VIDEO_MAX_PLAYERS = _key("video/max_players", int, 9, per_user=False)  # players at once on this seat (a 3x3 wall)
WALL_SCREEN = _key("wall/screen", str, "", per_user=False)  # the wall's screen, by name ("" = the primary)
WALL_DWELL_S = _key("wall/dwell_s", int, 30, per_user=False)  # seconds on each view of the rotation
WALL_IDLE_S = _key("wall/idle_s", int, 120, per_user=False)  # a paused rotation resumes after this idle time


def _typed(key: Key[T], raw: Any) -> T:
    """The stored value as the key's type; the default when it does not parse."""
    if raw is None:
        return key.default
    if key.type is bool:
        if isinstance(raw, bool):
            return raw  # type: ignore[return-value]
        text = str(raw).strip().lower()
        if text in ("true", "1"):
            return True  # type: ignore[return-value]
        if text in ("false", "0"):
            return False  # type: ignore[return-value]
        return key.default
    if key.type is int:
        try:
            return int(raw)  # type: ignore[return-value]
        except (TypeError, ValueError):
            return key.default
    return key.type(raw)


class SeatSettings:
    """The settings of one user at one seat kind (operator, street, leader, wall)."""

    def __init__(self, username: str = "", seat: str = "operator", *, store: QSettings | None = None) -> None:
        self.username, self.seat = username, seat
        self._store = store if store is not None else QSettings(ORGANISATION, APPLICATION)
        self._check_version()

    def _check_version(self) -> None:
        stored = _typed(Key("settings_version", int, 0), self._store.value("settings_version"))
        if stored != SETTINGS_VERSION:
            # an older store's keys meant other things: start clean rather than misread them
            self._store.clear()
            self._store.setValue("settings_version", SETTINGS_VERSION)

    def _path(self, key: Key | str, *, per_user: bool = True) -> str:
        name = key.name if isinstance(key, Key) else key
        per_user = key.per_user if isinstance(key, Key) else per_user
        return f"users/{self.username or '-'}/{self.seat}/{name}" if per_user else f"hall/{name}"

    def get(self, key: Key[T]) -> T:
        return _typed(key, self._store.value(self._path(key)))

    def set(self, key: Key[T], value: T) -> None:
        if value is not None and not isinstance(value, key.type):
            raise TypeError(f"setting {key.name} takes {key.type.__name__}, not {type(value).__name__}")
        self._store.setValue(self._path(key), value if value is not None else "")

    # --- window layouts -------------------------------------------------------------------

    def layout(self, window: str) -> tuple[QByteArray, QByteArray] | None:
        """(geometry, dock state) saved for this window at this layout version, else None."""
        base = self._path(f"layout/{window}")
        version = _typed(Key("v", int, 0), self._store.value(f"{base}/version"))
        geometry, state = self._store.value(f"{base}/geometry"), self._store.value(f"{base}/state")
        if version != LAYOUT_VERSION or not isinstance(state, QByteArray) or not isinstance(geometry, QByteArray):
            return None  # another arrangement of docks: dropped, not half-applied
        return geometry, state

    def save_layout(self, window: str, geometry: QByteArray, state: QByteArray) -> None:
        base = self._path(f"layout/{window}")
        self._store.setValue(f"{base}/version", LAYOUT_VERSION)
        self._store.setValue(f"{base}/geometry", geometry)
        self._store.setValue(f"{base}/state", state)

    def sync(self) -> None:
        self._store.sync()

"""The wall's (大屏) services: one shared read of every tile, chart, ticker and map layer, throttled;
the screen saver inhibitor.

The wall reads everything it shows in one job on the seat's worker (`read_board`), at most once per
`ThrottledRead.interval_ms` however many changes the feed brings (Grafana's refresh storms: every
panel refreshing at once).  Numbers come from console.services.figures only, so the wall agrees with
the leader seat and the brief.  Nothing here carries a caller's name or phone.
"""
from __future__ import annotations

import logging
import random
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Callable

from PySide6.QtCore import QObject, QTimer, Signal

from console.data.db import Database
from console.data.map_layers import CaseMarker, grid_case_counts, open_case_markers
from console.domain.evaluation import period_of
from console.services import figures
from console.services.figures import Comparison, OverdueCase, RankingRow

log = logging.getLogger(__name__)

# The tiles of screens.md's wall, in order: 上报 立案 派遣 结案 按期结案率 超期未结
WALL_KPIS: tuple[str, ...] = ("reported", "filed", "dispatched", "closed", "on_time_close_rate", "overdue_open")
TOP_CATEGORIES = 10
TICKER_CASES = 30
THROTTLE_MS = 5000  # the shortest time between two board reads
PERIODIC_MS = 60_000  # read again without changes too: lights turn red and hours pass by themselves


@dataclass(frozen=True)
class WallBoard:
    """Everything the wall shows at one moment (no caller data in any field)."""

    read_at: datetime
    today: Comparison  # today against yesterday
    hours: tuple[int, ...]  # today's intake per local hour
    usual_hours: tuple[float, ...]  # the same weekday's mean over the four weeks before
    categories: tuple[tuple[str, str, int], ...]  # top 10 today (code, name, n)
    overdue_departments: tuple[tuple[str, int], ...]
    streets: tuple[RankingRow, ...]  # the month's street ranking, best first
    overdue: tuple[OverdueCase, ...]  # the ticker, newest overdue first
    markers: tuple[CaseMarker, ...]
    heat: dict[str, int]  # open cases per grid


def read_board(db: Database, now: datetime | None = None) -> WallBoard:
    """The whole board in one job (blocks on the database: run it on the seat's worker, which pauses
    the collector meanwhile: services.seat.collector_paused)."""
    now = now or datetime.now(timezone.utc)
    day = period_of("day", now)
    today = figures.compare(db, "day", now)
    return WallBoard(
        read_at=now,
        today=today,
        hours=figures.intake_by_hour(db, day),
        usual_hours=figures.intake_by_hour_usual(db, day),
        categories=figures.top_categories(db, day, limit=TOP_CATEGORIES),
        # so far, as the tiles: the overdue by department add up to the 超期未结 tile
        overdue_departments=figures.overdue_by_department(db, today.current.window),
        streets=figures.ranking(db, "street", figures.so_far("month", now)),
        overdue=_newest_overdue(db, now),
        markers=tuple(open_case_markers(db, now=now)),
        heat=grid_case_counts(db, "open", now=now),
    )


def _newest_overdue(db: Database, now: datetime) -> tuple[OverdueCase, ...]:
    """The ticker's cases: those overdue most recently first (新超期), the figures' own list re-ordered."""
    cases = figures.overdue_cases(db, now)
    return tuple(sorted(cases, key=lambda c: c.red_at, reverse=True)[:TICKER_CASES])


class ThrottledRead(QObject):
    """Asks for a read at most every `interval_ms`, and never while one is in flight.

    `request()` on every change; the read runs `interval_ms` (plus a little jitter, so walls
    started together do not read together) after the first change of a quiet spell, and once more
    after it answers if changes came meanwhile.  `throttle=False` reads at every request (the
    benchmark's baseline).
    """

    sig_read = Signal()
    """Time to read: the owner starts its read and calls done() when it answers."""

    def __init__(self, interval_ms: int = THROTTLE_MS, *, periodic_ms: int = PERIODIC_MS, throttle: bool = True,
                 jitter: float = 0.1, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.interval_ms, self.throttle = interval_ms, throttle
        self.in_flight = False
        self.dirty = False  # a change came that the last read did not see
        self.reads = 0
        self._jitter = jitter
        self._timer = QTimer(self, singleShot=True)
        self._timer.timeout.connect(self._fire)
        self._periodic = QTimer(self)
        self._periodic.setInterval(periodic_ms)
        self._periodic.timeout.connect(self.request)

    def start(self) -> None:
        self._periodic.start()
        self.now()

    def stop(self) -> None:
        self._timer.stop()
        self._periodic.stop()

    def now(self) -> None:
        """Read as soon as no read is in flight (start, resync)."""
        self.dirty = True
        self._timer.stop()
        if not self.in_flight:
            self._fire()

    def request(self) -> None:
        self.dirty = True
        if not self.throttle:
            if not self.in_flight:
                self._fire()
            return
        if not self.in_flight and not self._timer.isActive():
            self._timer.start(self._delay())

    def done(self) -> None:
        """The read answered (or failed): another one follows if changes came meanwhile."""
        self.in_flight = False
        if self.dirty:
            if self.throttle:
                self._timer.start(self._delay())
            else:
                self._fire()

    def _delay(self) -> int:
        return int(self.interval_ms * (1 + random.uniform(0, self._jitter)))

    def _fire(self) -> None:
        if self.in_flight:
            return
        self.in_flight, self.dirty = True, False
        self.reads += 1
        self.sig_read.emit()


class ScreenSaverInhibitor:
    """Keeps the hall screen awake: org.freedesktop.ScreenSaver.Inhibit over the session bus, or on
    Windows ``SetThreadExecutionState`` (display and system required, for as long as the wall runs).

    Where there is neither (offscreen, a kiosk without D-Bus) it does nothing and says so in
    `reason`; it never starts a bus of its own.
    """

    SERVICE, PATH, INTERFACE = "org.freedesktop.ScreenSaver", "/org/freedesktop/ScreenSaver", "org.freedesktop.ScreenSaver"
    # winbase.h: the state stays until changed (CONTINUOUS); keep the display and the system on
    ES_CONTINUOUS, ES_SYSTEM_REQUIRED, ES_DISPLAY_REQUIRED = 0x80000000, 0x00000001, 0x00000002
    WINDOWS_COOKIE = 0  # the execution state has no cookie: 0 marks "held"

    def __init__(self, app_name: str = "urban-console", why: str = "指挥中心大屏 (wall display)",
                 bus: Callable[[], Any] | None = None, kernel32: Any = None) -> None:
        self.app_name, self.why = app_name, why
        self._bus = bus or _session_bus
        self._kernel32 = kernel32 if kernel32 is not None else _windows_kernel32()
        self.cookie: int | None = None
        self.reason = ""

    @property
    def active(self) -> bool:
        return self.cookie is not None

    def inhibit(self) -> bool:
        if self._kernel32 is not None:
            return self._hold_windows_awake()
        bus = self._bus()
        if bus is None or not bus.isConnected():
            self.reason = "no session bus: nothing to inhibit"
            return False
        from PySide6.QtDBus import QDBusInterface, QDBusMessage

        iface = QDBusInterface(self.SERVICE, self.PATH, self.INTERFACE, bus)
        if not iface.isValid():
            self.reason = "no screen saver service on the session bus"
            return False
        reply = iface.call("Inhibit", self.app_name, self.why)
        if reply.type() != QDBusMessage.MessageType.ReplyMessage or not reply.arguments():
            self.reason = f"Inhibit refused: {reply.errorMessage()}"
            return False
        self.cookie = int(reply.arguments()[0])
        self.reason = ""
        return True

    def _hold_windows_awake(self) -> bool:
        flags = self.ES_CONTINUOUS | self.ES_SYSTEM_REQUIRED | self.ES_DISPLAY_REQUIRED
        if not self._kernel32.SetThreadExecutionState(flags):  # returns the previous state; 0 is failure
            self.reason = "SetThreadExecutionState refused"
            return False
        self.cookie, self.reason = self.WINDOWS_COOKIE, ""
        return True

    def release(self) -> None:
        if self.cookie is None:
            return
        if self._kernel32 is not None:
            self._kernel32.SetThreadExecutionState(self.ES_CONTINUOUS)  # back to the ordinary power policy
            self.cookie = None
            return
        bus = self._bus()
        if bus is not None and bus.isConnected():
            from PySide6.QtDBus import QDBusInterface

            QDBusInterface(self.SERVICE, self.PATH, self.INTERFACE, bus).call("UnInhibit", self.cookie)
        self.cookie = None


def _windows_kernel32():  # noqa: ANN202 - ctypes' kernel32, or None off Windows
    import sys

    if sys.platform != "win32":
        return None
    import ctypes

    return ctypes.windll.kernel32


def _session_bus():  # noqa: ANN202 - a QDBusConnection or None
    import os

    if not os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
        return None  # asking Qt would try to autolaunch a bus
    try:
        from PySide6.QtDBus import QDBusConnection
    except ImportError:  # a Qt built without D-Bus (Windows wheels)
        return None
    return QDBusConnection.sessionBus()


__all__ = ["PERIODIC_MS", "THROTTLE_MS", "WALL_KPIS", "ScreenSaverInhibitor", "ThrottledRead", "WallBoard",
           "read_board"]

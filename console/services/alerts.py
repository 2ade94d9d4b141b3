"""The alert clock: recompute lights every few seconds, raise an alert when a light changes.

An alert is an event, "case X went yellow/red at T", not the standing state of
every red case: the seat raises one when it sees a case's running step clock
(round) reach yellow or red.  At start-up only changes of the last `RECENT`
are news; older yellow and red cases are the standing stock the seat counts
(and filters the queue to), not a list to work through.  A paused clock (挂账)
cannot change its light, so a hung case raises nothing while paused, and an
alert whose case no longer shows that light (extended, moved on, hung)
leaves the banner by itself.  Acknowledgements live in the database, so they
hold for every seat and across restarts.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Callable, Iterable, Mapping, Optional

from PySide6.QtCore import QObject, QTimer, Signal

from console.data.alerts import AlertKey, acknowledge, acknowledged
from console.data.commands import Actor
from console.data.db import Database

RECENT = timedelta(hours=1)  # a light that changed this long before the seat started is still news


@dataclass(frozen=True)
class Alert:
    key: AlertKey
    number: str
    category: str
    grid_code: str
    street: str
    department: str
    light: str  # yellow | red
    remaining_minutes: Optional[float]  # work minutes left on the step's clock (< 0: overdue); the banner words it
    raised_at: datetime  # when the light changed
    street_code: str = ""


@dataclass(frozen=True)
class Lit:
    """A case whose running clock shows yellow or red now, and since when (its mark)."""

    key: AlertKey
    since: Optional[datetime]


@dataclass(frozen=True)
class AlertFilter:
    """Which alerts the banner lists and 全部确认 acknowledges; None means any."""

    street_code: Optional[str] = None
    light: Optional[str] = None

    def matches(self, alert: Alert) -> bool:
        return (self.street_code is None or alert.street_code == self.street_code) and (
            self.light is None or alert.light == self.light)


Describe = Callable[[Lit, datetime], Optional[Alert]]


class AlertClock(QObject):
    """Ticks every `interval_ms`; keeps the open (unacknowledged) alerts of this seat."""

    sig_tick = Signal(object)
    """The time of a tick (aware datetime): recompute lights now."""
    sig_alerts_changed = Signal(list)
    """The open (unacknowledged) alerts, red first, newest first."""
    sig_new_alert = Signal(object)
    """One alert just raised (for the sound and the ticker)."""

    def __init__(self, db: Database, actor: Actor, *, interval_ms: int = 3000,
                 clock: Callable[[], datetime] | None = None, recent: timedelta = RECENT,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._db, self._actor = db, actor
        self._now = clock or (lambda: datetime.now(timezone.utc))
        self._recent = recent
        self._open: dict[AlertKey, Alert] = {}
        self._seen: dict[int, AlertKey] = {}  # case id -> the light change last seen
        self._watching = False  # False until the first observation (start-up)
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.tick)

    def start(self) -> None:
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def now(self) -> datetime:
        return self._now()

    def tick(self) -> None:
        self.sig_tick.emit(self._now())

    @property
    def alerts(self) -> list[Alert]:
        return sorted(self._open.values(), key=lambda a: (a.light != "red", -a.raised_at.timestamp()))

    def matching(self, alert_filter: AlertFilter) -> list[Alert]:
        return [a for a in self.alerts if alert_filter.matches(a)]

    def news(self, lit: Mapping[int, Lit]) -> list[AlertKey]:
        """The keys `observe` would look up acknowledgements for (a seat reads them off the UI thread)."""
        now = self._now()
        changed = [v for cid, v in lit.items() if self._seen.get(cid) != v.key]
        return [v.key for v in changed
                if self._watching or (v.since is not None and now - v.since <= self._recent)]

    def observe(self, lit: Mapping[int, Lit], describe: Describe, done: Iterable[AlertKey] | None = None) -> list[Alert]:
        """Compare the cases lit now with those seen before; raise the changes. Returns the raised alerts.

        `lit` holds every case of the seat whose running clock is yellow or red; `done`, the
        acknowledged keys among `news(lit)` when the caller read them already.
        If the acknowledgements cannot be read, nothing is marked seen: the next call retries.
        """
        now = self._now()
        keys = set(self.news(lit))
        news = [v for v in lit.values() if v.key in keys]
        if done is None:
            done = acknowledged(self._db, [v.key for v in news]) if news else {}
        done = set(done)
        self._watching = True
        self._seen = {cid: v.key for cid, v in lit.items()}
        stale = [k for k in self._open if self._seen.get(k.case_id) != k]
        for key in stale:
            del self._open[key]
        raised = [a for a in (describe(v, v.since or now) for v in news if v.key not in done) if a is not None]
        for alert in raised:
            self._open[alert.key] = alert
            self.sig_new_alert.emit(alert)
        if raised or stale:
            self.sig_alerts_changed.emit(self.alerts)
        return raised

    def acknowledge(self, keys: Iterable[AlertKey], *, note: str = "") -> int:
        """One acknowledgement command for `keys`; they leave the banner. Returns how many were new."""
        keys = list(keys)
        count = acknowledge(self._db, self._actor, keys, note=note, at=self._now())
        self._drop(keys)
        return count

    def acknowledge_matching(self, alert_filter: AlertFilter, note: str) -> int:
        """全部确认: every open alert the filter matches, in one command."""
        return self.acknowledge([a.key for a in self.matching(alert_filter)], note=note)

    def refresh_acknowledged(self) -> None:
        """Another seat acknowledged alerts: drop those of ours it covered."""
        if self._open:
            self._drop(acknowledged(self._db, list(self._open)))

    @property
    def open_keys(self) -> list[AlertKey]:
        return list(self._open)

    def drop(self, keys: Iterable[AlertKey]) -> None:
        """These alerts were acknowledged (by this seat's command or another seat): they leave the banner."""
        self._drop(list(keys))

    def forget_cases(self, case_ids: Iterable[int]) -> None:
        """Cases that left the queue (closed, out of scope) drop their alerts."""
        ids = set(case_ids)
        for case_id in ids:
            self._seen.pop(case_id, None)
        self._drop([k for k in self._open if k.case_id in ids])

    def _drop(self, keys: Iterable[AlertKey]) -> None:
        gone = [k for k in keys if self._open.pop(k, None) is not None]
        if gone:
            self.sig_alerts_changed.emit(self.alerts)

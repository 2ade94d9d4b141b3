"""The alert clock: recompute lights every few seconds, raise yellow/red alerts.

Lights come from the queue model's `refresh_lights(now)` (two comparisons per
open case on precomputed marks); a case that turns yellow or red becomes an
alert unless that (case, step, round, light) was already acknowledged, which
is looked up in the database so acknowledgements survive restarts.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Callable, Iterable

from PySide6.QtCore import QObject, QTimer, Signal

from console.data.alerts import AlertKey, acknowledge, acknowledged
from console.data.commands import Actor
from console.data.db import Database


@dataclass(frozen=True)
class Alert:
    key: AlertKey
    number: str
    category: str
    grid_code: str
    street: str
    department: str
    light: str  # yellow | red
    remaining: str  # "超时 1:20" / "剩余 0:12" in work time, as the queue shows it
    raised_at: datetime
    acked_by: str | None = None


class AlertClock(QObject):
    """Ticks every `interval_ms`; keeps the open alerts of this seat."""

    sig_tick = Signal(object)
    """The time of a tick (aware datetime): recompute lights now."""
    sig_alerts_changed = Signal(list)
    """The open (unacknowledged) alerts, newest first."""
    sig_new_alert = Signal(object)
    """One alert just raised (for the sound and the ticker)."""

    def __init__(self, db: Database, actor: Actor, *, interval_ms: int = 3000,
                 clock: Callable[[], datetime] | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._db, self._actor = db, actor
        self._now = clock or (lambda: datetime.now(timezone.utc))
        self._open: dict[AlertKey, Alert] = {}
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

    def raise_alerts(self, candidates: Iterable[Alert]) -> list[Alert]:
        """Keep the candidates not yet acknowledged; returns the newly raised ones."""
        fresh = [a for a in candidates if a.key not in self._open]
        if not fresh:
            return []
        done = acknowledged(self._db, [a.key for a in fresh])
        raised = [a for a in fresh if a.key not in done]
        for alert in raised:
            # a red alert replaces the yellow one of the same step
            self._open.pop(AlertKey(alert.key.case_id, alert.key.step, alert.key.round, "yellow"), None)
            self._open[alert.key] = alert
            self.sig_new_alert.emit(alert)
        if raised:
            self.sig_alerts_changed.emit(self.alerts)
        return raised

    def acknowledge(self, key: AlertKey) -> None:
        acknowledge(self._db, self._actor, key, at=self._now())
        if self._open.pop(key, None) is not None:
            self.sig_alerts_changed.emit(self.alerts)

    def forget_cases(self, case_ids: Iterable[int]) -> None:
        """Cases that left the queue (closed, out of scope) drop their alerts."""
        ids = set(case_ids)
        before = len(self._open)
        self._open = {k: a for k, a in self._open.items() if k.case_id not in ids}
        if len(self._open) != before:
            self.sig_alerts_changed.emit(self.alerts)

"""The seat's presence (正在处理) on the case it has open, and what other seats are on it.

`PresenceTracker` lives in the Qt loop of one seat.  `open(case_id)` registers
the seat on the case (releasing the previous one), a `QTimer` heart-beats every
10 s so the row stays alive, and `stop()` releases everything when the seat
closes.  A seat that dies without `stop()` stops heart-beating and vanishes
from other seats after the ttl.

Other seats on the same case: after every heartbeat, every `refresh()`, and
every change-feed batch touching the case (`on_changes`), the tracker asks the
data layer who else is on it and emits `sig_presence_changed(case_id, text)`
when the text changed, e.g. ``"正在处理: 张三 @ 受理席1"`` ("" when nobody).
"""
from __future__ import annotations

import logging
from datetime import datetime, timezone
from typing import Callable

from PySide6.QtCore import QObject, QTimer, Signal
from sqlalchemy.exc import SQLAlchemyError

from console.data import presence as data
from console.data.commands import Actor, CommandError
from console.data.db import Database

log = logging.getLogger(__name__)


Runner = Callable[[Callable[[], object], Callable[[object], None]], None]


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


class PresenceTracker(QObject):
    """One seat's presence: open/close a case, heartbeat, and watch the others on it."""

    sig_presence_changed = Signal(object, str)  # case_id, "正在处理: ..." ("" when nobody else)

    HEARTBEAT_MS = 10_000

    def __init__(self, db: Database, actor: Actor, *, parent: QObject | None = None,
                 clock: Callable[[], datetime] = _utc_now, ttl_s: float = data.DEFAULT_TTL_S,
                 interval_ms: int | None = None, runner: Runner | None = None) -> None:
        super().__init__(parent)
        # where database calls run: inline by default; a seat passes its worker (SeatController.run_presence)
        self._run: Runner = runner or (lambda call, done: done(call()))
        data.seat_of(actor)  # no seat: CommandError now, not at the first open()
        self.db = db
        self.actor = actor
        self.ttl_s = ttl_s
        self._clock = clock
        self._case_id: int | None = None
        self._text = ""
        self.heartbeats = 0
        self.last_error: str | None = None
        self._timer = QTimer(self)
        self._timer.setInterval(self.HEARTBEAT_MS if interval_ms is None else interval_ms)
        self._timer.timeout.connect(self.beat)

    @property
    def case_id(self) -> int | None:
        return self._case_id

    @property
    def text(self) -> str:
        """Who else is on the open case, as last emitted."""
        return self._text

    @property
    def timer(self) -> QTimer:
        return self._timer

    def open(self, case_id: int) -> None:
        """The seat now has `case_id` open (the previous case, if another, is released)."""
        if self._case_id is not None and self._case_id != case_id:
            self._release(self._case_id)
        # Out of jurisdiction or no such case: CommandError, raised to the caller (inline runner).
        at = self._clock()
        self._run(lambda: self._guard(lambda: data.open_case(self.db, self.actor, case_id, at=at)),
                  lambda _result: self._opened(case_id, refresh=True))
        self._opened(case_id, refresh=False)  # at once, while a worker still registers it

    def _opened(self, case_id: int, *, refresh: bool) -> None:
        if self._case_id != case_id:
            self._case_id, self._text = case_id, ""
        if not self._timer.isActive():
            self._timer.start()
        if refresh and self._case_id == case_id:
            self.refresh(force=True)

    def close(self) -> None:
        """The seat closed its case (the detail panel shows nothing)."""
        if self._case_id is None:
            return
        case_id, self._case_id = self._case_id, None
        self._release(case_id)
        if self._text:
            self._text = ""
            self.sig_presence_changed.emit(case_id, "")

    def stop(self) -> None:
        """The seat closes: stop heart-beating and release every case it had open."""
        self._timer.stop()
        self._case_id = None
        self._text = ""
        at = self._clock()
        self._run(lambda: self._guard(lambda: data.leave_all(self.db, self.actor.seat, operator=self.actor.name, at=at)),
                  lambda _result: None)

    def leave_all_now(self) -> None:
        """Release every case of this seat, here and now (a seat's worker calls it as its last job)."""
        self._guard(lambda: data.leave_all(self.db, self.actor.seat, operator=self.actor.name, at=self._clock()))

    def beat(self) -> None:
        """One heartbeat (the timer's slot): keep our rows alive, then look at the others."""
        at = self._clock()
        self._run(lambda: self._guard(lambda: data.heartbeat(self.db, self.actor.seat, at=at)), self._beaten)

    def _beaten(self, result: object) -> None:
        if result is not None:
            self.heartbeats += 1
        self.refresh()

    def refresh(self, *, force: bool = False) -> str:
        """Ask who else is on the open case; emit when the text changed (or when forced)."""
        case_id = self._case_id
        if case_id is None:
            return ""
        now = self._clock()
        self._run(lambda: self._guard(lambda: data.presence_text(data.who_is_on(
            self.db, case_id, exclude_seat=self.actor.seat, now=now, ttl_s=self.ttl_s,
            scope=self.actor.street_code))), lambda text: self._show(case_id, text, force))
        return self._text

    def _show(self, case_id: int, text: object, force: bool) -> None:
        if text is None or case_id != self._case_id:
            return  # unreadable now, or the seat moved on to another case
        if force or text != self._text:
            self._text = str(text)
            self.sig_presence_changed.emit(case_id, self._text)

    def on_changes(self, batch) -> None:  # noqa: ANN001 - a console.services.feed.ChangeBatch
        """Slot for ChangeFeed.sig_changed: refresh when the open case's presence or case changed."""
        if self._case_id is None:
            return
        key = str(self._case_id)
        if key in batch.ids("presence") or key in batch.ids("case"):
            self.refresh()

    def _release(self, case_id: int) -> None:
        at = self._clock()

        def release() -> None:
            try:
                self._guard(lambda: data.close_case(self.db, self.actor, case_id, at=at))
            except CommandError as exc:  # the case is gone or out of reach: nothing of ours to release
                self.last_error = str(exc)

        self._run(release, lambda _result: None)

    def _guard(self, call: Callable[[], object]) -> object | None:
        """Presence is a courtesy: a database hiccup must not break the seat (the feed reports health)."""
        try:
            result = call()
        except SQLAlchemyError as exc:
            self.last_error = self.db.redact(str(exc).strip().splitlines()[0]) if str(exc).strip() else type(exc).__name__
            log.warning("presence: %s", self.last_error)
            return None
        self.last_error = None
        return result


__all__ = ["PresenceTracker"]

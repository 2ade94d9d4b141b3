"""One seat's controller: the database, the change feed, alerts, presence and the signed-in operator.

Every read (queue, options, map layers, a case's detail, a dialog's choices) and
every command (act, report, acknowledge) runs on the seat's worker thread, one
after another, so a slow or hung database never blocks the UI thread.  Answers
come back as plain read models by ``sig_`` signals.  Each request carries an id;
a detail answer for a case the seat no longer shows is dropped.

A request unanswered for ``stall_ms`` puts the seat into "stalled" (the stale
banner); a command unanswered for ``command_timeout_ms`` is refused with
"数据库无响应" so the operator's form stays open (should the late answer still be
a success, sig_command_done follows and the views update).
"""
from __future__ import annotations

import gc
import itertools
import sys
import threading
import time
from contextlib import contextmanager
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable, Iterable, Iterator, Optional

from PySide6.QtCore import QObject, QThread, QTimer, Signal, Slot

from console.data import map_layers as map_data
from console.data import queue_and_detail as queries
from console.data.alerts import AlertKey, acknowledge, acknowledged
from console.data.commands import ActionParams, CommandError, StaleVersion, act, report_case
from console.data.db import Database, DatabaseUnavailable
from console.data.routing import suggest_department
from console.domain.workflow import Action
from console.services.read_models import CaseDetail, CaseRow, FilterOptions, MapLayers
from console.services.session import Session

STALL_MS = 2000  # a request this late shows the stale banner
COMMAND_TIMEOUT_MS = 10_000  # a command this late is refused in its form
NO_ANSWER = "数据库无响应，操作可能未执行，请稍后重试（输入已保留）"
_RUNNING: list[QThread] = []  # workers still blocked on a hung connection at shutdown: kept alive, not destroyed


@dataclass(frozen=True)
class QueueSnapshot:
    """A full reload: the filter options and every open case of the seat."""

    options: FilterOptions
    rows: tuple[CaseRow, ...]
    prepared: Any = None  # what the caller's `prepare(rows)` built on the worker (None without one)


@dataclass(frozen=True)
class CasesChanged:
    """A delta: these rows are new or changed, these ids left the seat's queue."""

    rows: tuple[CaseRow, ...]
    gone: frozenset[int]


@dataclass(frozen=True)
class DetailAnswer:
    case_id: int
    detail: Optional[CaseDetail]


@dataclass(frozen=True)
class ActionChoices:
    """What an action's dialog offers: filing conditions, departments (and the suggested one), categories."""

    action: Action
    case_id: int
    conditions: tuple = ()
    departments: tuple = ()
    suggested_department: Optional[int] = None
    categories: tuple = ()
    conditions_by_category: dict = field(default_factory=dict)


@dataclass(frozen=True)
class CommandDone:
    request: int
    case_id: int
    number: str


@dataclass(frozen=True)
class CommandRefused:
    request: int
    message: str
    stale: bool = False  # another seat acted first: the case is reloaded


@dataclass
class _Pending:
    kind: str
    started: float
    on_ok: Callable[[Any], None]
    on_error: Callable[[BaseException], None]
    command: bool = False
    timed_out: bool = False


# --- keeping the UI thread's share of the GIL ----------------------------------------------------------

GIL_SWITCH_S = 0.001  # a worker's job hands the GIL back this often while a seat runs (Python's default: 5 ms)
_tuning = threading.Lock()
_collector_pauses = 0  # jobs running now with the collector paused
_collector_was_on = False
_seats_running = 0
_switch_interval_before: float | None = None


@contextmanager
def collector_paused() -> Iterator[None]:
    """The garbage collector off while a seat's job builds its (cycle-free) rows.

    A read makes tens of thousands of tuples; they would start a full collection, which
    holds the GIL, so the UI thread, for 50+ ms.  Counted: the collector is back on once
    the last of the jobs running at once (worker, builder) has ended.
    """
    global _collector_pauses, _collector_was_on
    with _tuning:
        if _collector_pauses == 0:
            _collector_was_on = gc.isenabled()
            gc.disable()
        _collector_pauses += 1
    try:
        yield
    finally:
        with _tuning:
            _collector_pauses -= 1
            if _collector_pauses == 0 and _collector_was_on:
                gc.enable()


def _seat_started() -> None:
    """The first running seat of the process shortens the GIL switch interval (measured on the wall:
    the longest UI stall during a board read 50 -> 31 ms); the last one to stop restores it."""
    global _seats_running, _switch_interval_before
    with _tuning:
        if _seats_running == 0:
            _switch_interval_before = sys.getswitchinterval()
            sys.setswitchinterval(GIL_SWITCH_S)
        _seats_running += 1


def _seat_stopped() -> None:
    global _seats_running
    with _tuning:
        _seats_running -= 1
        if _seats_running == 0 and _switch_interval_before is not None:
            sys.setswitchinterval(_switch_interval_before)


def _off_ui(call: Callable[[], Any]) -> Any:
    with collector_paused():
        return call()


class _Worker(QObject):
    """Runs the seat's jobs in its thread's event loop, in order."""

    sig_answer = Signal(object)
    """(request id, ok, value or exception) for one job."""

    @Slot(object)
    def run(self, job: tuple[int, Callable[[], Any]]) -> None:
        request, call = job
        try:
            value, ok = _off_ui(call), True
        except Exception as exc:  # noqa: BLE001 - every failure goes back to the UI thread as an answer
            value, ok = exc, False
        self.sig_answer.emit((request, ok, value))


class SeatController(QObject):
    """The seat's one door to the database: reads and commands off the UI thread."""

    sig_queue_loaded = Signal(object)
    """A QueueSnapshot: the full queue and its filter options."""
    sig_cases_changed = Signal(object)
    """A CasesChanged delta (rows new or changed, ids gone)."""
    sig_detail = Signal(object)
    """A DetailAnswer for the case the seat shows now (late answers are dropped)."""
    sig_map_layers = Signal(object)
    """The seat's MapLayers (districts, grids, cameras)."""
    sig_map_page = Signal(object)
    """(MapLayers, what load_map_layers' `build` made of them on the worker: the map page)."""
    sig_choices = Signal(object)
    """ActionChoices for an action's dialog."""
    sig_command_done = Signal(object)
    """CommandDone: a command succeeded."""
    sig_command_refused = Signal(object)
    """CommandRefused: a command failed, was refused or got no answer in time."""
    sig_stalled = Signal(bool)
    """True while some request has waited longer than stall_ms; False once all answered."""
    sig_read_failed = Signal(str)
    """A read failed (the database said why, in one line)."""
    sig_calendar_changed = Signal(object)
    """The seat's rules after another seat changed the calendar."""

    _sig_job = Signal(object)  # (request id, callable) to the worker
    _sig_built = Signal(object)  # (request id, ok, value) from the builder thread

    def __init__(self, session: Session, *, feed=None, stall_ms: int = STALL_MS,  # noqa: ANN001
                 command_timeout_ms: int = COMMAND_TIMEOUT_MS, threaded: bool = True,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.threaded = threaded  # False: every job runs inline (tests written for the synchronous seat)
        self.session, self.db, self.feed = session, session.db, feed
        self.scope = session.street_code
        self.stall_ms, self.command_timeout_ms = stall_ms, command_timeout_ms
        self._ids = itertools.count(1)
        self._pending: dict[int, _Pending] = {}
        self._detail_request = 0  # the newest detail request: older answers are dropped
        self.stalled = False
        self._running = False  # between start() and stop()
        self.dropped = 0  # late answers dropped (for tests and the log)
        self._thread = QThread()
        self._thread.setObjectName(f"seat-worker-{session.username}")
        self._worker = _Worker()
        self._worker.sig_answer.connect(self._answer)
        self._sig_job.connect(self._worker.run)
        if threaded:
            self._worker.moveToThread(self._thread)
            self._thread.start()
        # pure work (no database: the map page's HTML) runs beside the worker, not in its queue
        self._builder = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"seat-builder-{session.username}")
        self._sig_built.connect(self._answer)
        self._watch = QTimer(self)
        self._watch.setInterval(max(50, min(stall_ms, command_timeout_ms) // 4))
        self._watch.timeout.connect(self._check_late)

    # --- plumbing ---------------------------------------------------------------------------

    @property
    def idle(self) -> bool:
        """No request outstanding."""
        return not self._pending

    def run(self, kind: str, call: Callable[[], Any], on_ok: Callable[[Any], None],
            on_error: Callable[[BaseException], None] | None = None, *, command: bool = False,
            request: int | None = None, pure: bool = False) -> int:
        """Run `call` on the worker; `on_ok(value)` / `on_error(exc)` later on the UI thread. Returns the request id.

        `pure`: `call` reads no database; it runs on the builder thread, beside the worker's queue.
        """
        request = request or next(self._ids)
        self._pending[request] = _Pending(kind, time.monotonic(), on_ok, on_error or self._read_failed, command)
        if not self._watch.isActive():
            self._watch.start()
        if not self.threaded:
            self._worker.run((request, call))  # answered at once, on this thread
            return request
        if pure:
            self._builder.submit(self._build, request, call)
            return request
        self._sig_job.emit((request, call))  # queued into the worker thread's event loop
        return request

    def _build(self, request: int, call: Callable[[], Any]) -> None:
        try:
            answer = (request, True, _off_ui(call))
        except Exception as exc:  # noqa: BLE001 - answered like the worker's jobs
            answer = (request, False, exc)
        try:
            self._sig_built.emit(answer)  # queued to the UI thread
        except RuntimeError:
            pass  # the seat was closed meanwhile

    def _answer(self, answer: tuple[int, bool, Any]) -> None:
        request, ok, value = answer
        pending = self._pending.pop(request, None)
        if pending is None:
            return
        if not self._pending:
            self._watch.stop()
            self._set_stalled(False)
        if pending.timed_out and not ok:
            return  # the operator already read "no answer"; the real reason would only repeat it
        (pending.on_ok if ok else pending.on_error)(value)

    def _check_late(self) -> None:
        now = time.monotonic()
        late = False
        for request, pending in list(self._pending.items()):  # a slot may send a new request
            waited = (now - pending.started) * 1000
            late = late or waited >= self.stall_ms
            if pending.command and not pending.timed_out and waited >= self.command_timeout_ms:
                pending.timed_out = True
                self.sig_command_refused.emit(CommandRefused(request, NO_ANSWER))
        self._set_stalled(late)

    def _set_stalled(self, stalled: bool) -> None:
        if stalled != self.stalled:
            self.stalled = stalled
            self.sig_stalled.emit(stalled)

    def _read_failed(self, exc: BaseException) -> None:
        self.sig_read_failed.emit(_message(exc))

    def start(self) -> None:
        if not self._running:
            self._running = True
            _seat_started()
        if self.feed is not None:
            self.feed.start()

    def stop(self, last: Callable[[], Any] | None = None) -> None:
        """Stop the feed and the worker; `last` (e.g. releasing presence) runs on the worker after every queued job."""
        if self._running:
            self._running = False
            _seat_stopped()
        if self.feed is not None:
            self.feed.stop()
        self._watch.stop()
        self._builder.shutdown(wait=False, cancel_futures=True)
        if not self._thread.isRunning():
            if last is not None:
                last()
            return
        thread = self._thread

        def finish() -> None:
            try:
                if last is not None:
                    last()
            finally:
                thread.quit()

        self._sig_job.emit((0, finish))  # after every job queued before it
        if not thread.wait(3000):
            _RUNNING.append(thread)  # blocked on a hung connection: destroying it would abort the process
            _RUNNING.append(self._worker)  # type: ignore[arg-type]
        self._pending.clear()

    # --- reads ------------------------------------------------------------------------------

    def reload(self, prepare: Callable[[tuple[CaseRow, ...]], Any] | None = None) -> int:
        """The full queue and its options (sig_queue_loaded); `prepare(rows)` (pure) also runs on the worker."""
        db, scope = self.db, self.scope

        def load() -> QueueSnapshot:
            rows = tuple(queries.load_queue(db, scope=scope))
            return QueueSnapshot(queries.filter_options(db, scope), rows, prepare(rows) if prepare else None)

        return self.run("queue", load, self.sig_queue_loaded.emit)

    def load_cases(self, ids: Iterable[int], on_error: Callable[[BaseException], None] | None = None) -> int:
        """Reload only these cases (sig_cases_changed with those gone from the queue).

        `on_error(exc)` is told of a failed read besides sig_read_failed (a caller waiting for the answer).
        """
        ids, db, scope = frozenset(ids), self.db, self.scope

        def load() -> CasesChanged:
            rows = tuple(queries.load_queue(db, scope=scope, ids=ids))
            return CasesChanged(rows, ids - {r.id for r in rows})

        def failed(exc: BaseException) -> None:
            if on_error is not None:
                on_error(exc)
            self._read_failed(exc)

        return self.run("cases", load, self.sig_cases_changed.emit, failed)

    def load_detail(self, case_id: int) -> int:
        """The case's detail (sig_detail); an answer for an earlier request is dropped."""
        db, scope = self.db, self.scope
        request = self._detail_request = next(self._ids)
        return self.run("detail", lambda: DetailAnswer(case_id, queries.load_case_detail(db, case_id, scope=scope)),
                        lambda answer: self._deliver_detail(request, answer), request=request)

    def _deliver_detail(self, request: int, answer: DetailAnswer) -> None:
        if request != self._detail_request:
            self.dropped += 1  # the operator has moved on to another case
            return
        self.sig_detail.emit(answer)

    def load_figures(self, kind: str, call: Callable[[Database], Any], on_ok: Callable[[Any], None]) -> int:
        """A figures read (console.services.figures: headline, ranking, flags ...) on the worker, `call(db)`;
        `on_ok(read model)` on the UI thread.  `kind` names it for the stall watch and the log."""
        db = self.db
        return self.run(f"figures:{kind}", lambda: call(db), on_ok)

    def load_map_layers(self, build: Callable[[MapLayers], Any] | None = None) -> int:
        """The seat's map layers (sig_map_layers); with `build` (pure), sig_map_page with what it built of them."""
        db, scope = self.db, self.scope
        if build is None:
            return self.run("map", lambda: map_data.map_layers(db, scope), self.sig_map_layers.emit)

        def built_from(layers: MapLayers) -> None:  # the worker goes on with the queue meanwhile
            self.run("map_page", lambda: (layers, build(layers)), self.sig_map_page.emit, pure=True)

        return self.run("map", lambda: map_data.map_layers(db, scope), built_from)

    def load_choices(self, action: Action, case_id: int, category_code: str | None, street_code: str | None) -> int:
        """What the action's dialog offers (sig_choices)."""
        db, scope = self.db, self.scope

        def load() -> ActionChoices:
            if action == Action.FILE:
                return ActionChoices(action, case_id, conditions=tuple(queries.filing_conditions(db, category_code or "")))
            if action == Action.DISPATCH:
                dept = suggest_department(db, category_code, street_code) if category_code else None
                return ActionChoices(action, case_id, departments=tuple(queries.departments(db)),
                                     suggested_department=dept.id if dept else None)
            if action == Action.RECLASSIFY:
                categories = tuple(queries.filter_options(db, scope).categories)
                return ActionChoices(action, case_id, categories=categories, conditions_by_category={
                    c.code: tuple(queries.filing_conditions(db, c.code)) for c in categories})
            return ActionChoices(action, case_id)

        return self.run("choices", load, self.sig_choices.emit)

    def load_new_case_form(self, on_ok: Callable[[tuple], None]) -> int:
        """(categories, district centre) for the new-case form."""
        db, scope = self.db, self.scope
        return self.run("new_case_form", lambda: (tuple(queries.filter_options(db, scope).categories),
                                                  _district_centre(map_data.map_layers(db, scope))), on_ok)

    def reload_rules(self) -> int:
        """Another seat changed the calendar: the rules again (sig_calendar_changed)."""
        db = self.db

        def load():  # noqa: ANN202 - Rules
            db.invalidate_rules()
            return db.rules()

        return self.run("rules", load, self.sig_calendar_changed.emit)

    def acknowledged(self, keys: Iterable[AlertKey], on_ok: Callable[[Any], None]) -> int:
        keys, db = list(keys), self.db
        return self.run("acknowledged", lambda: acknowledged(db, keys), on_ok, lambda _exc: None)

    # --- commands ---------------------------------------------------------------------------

    def act(self, number: str, action: Action, *, version: int, note: str, params: ActionParams,
            at: datetime, request: int | None = None) -> int:
        """One workflow action on the version the operator saw (sig_command_done / sig_command_refused)."""
        db, actor = self.db, self.session.actor
        request = request or next(self._ids)
        return self.run("act", lambda: act(db, actor, number, action, expected_version=version, note=note, at=at,
                                              params=params),
                           lambda ref: self.sig_command_done.emit(CommandDone(request, ref.id, ref.number)),
                           lambda exc: self._refuse(request, exc), command=True, request=request)

    def reserve(self) -> int:
        """A request id to register an answer's receiver before the request is sent."""
        return next(self._ids)

    def report_case(self, at: datetime, request: int | None = None, **fields: Any) -> int:
        db, actor = self.db, self.session.actor
        request = request or next(self._ids)
        return self.run("report", lambda: report_case(db, actor, at=at, **fields),
                           lambda ref: self.sig_command_done.emit(CommandDone(request, ref.id, ref.number)),
                           lambda exc: self._refuse(request, exc), command=True, request=request)

    def report_from_camera(self, at: datetime, camera_id: str, grab: Any, request: int | None = None,
                           **fields: Any) -> int:
        """视频巡查: a case filed from a camera with its snapshot (`grab`: the player's domain.video.Frame)."""
        from console.data.cameras import Snapshot, report_video_case

        db, actor = self.db, self.session.actor
        request = request or next(self._ids)
        snap = Snapshot(camera_id, grab)
        return self.run("report", lambda: report_video_case(db, actor, camera_id, snap, at=at, **fields),
                        lambda ref: self.sig_command_done.emit(CommandDone(request, ref.id, ref.number)),
                        lambda exc: self._refuse(request, exc), command=True, request=request)

    def attach_snapshot(self, number: str, camera_id: str, grab: Any, request: int | None = None) -> int:
        """Keep a camera frame as evidence of case `number` (audited)."""
        from console.data.cameras import Snapshot, attach_snapshot

        db, actor = self.db, self.session.actor
        request = request or next(self._ids)
        snap = Snapshot(camera_id, grab)
        return self.run("attach_snapshot", lambda: attach_snapshot(db, actor, number, snap),
                        lambda ref: self.sig_command_done.emit(CommandDone(request, ref.case_id, ref.number)),
                        lambda exc: self._refuse(request, exc), command=True, request=request)

    def set_camera_status(self, camera_id: str, status: str, on_ok: Callable[[int], None]) -> int:
        from console.data.cameras import set_camera_status

        db, actor = self.db, self.session.actor
        return self.run("camera_status", lambda: set_camera_status(db, actor, camera_id, status), on_ok, command=True)

    def load_cameras(self, ids: Iterable[str] | None, on_ok: Callable[[list], None]) -> int:
        """The seat's cameras (all, or the named ones: a feed delta) as CameraInfo read models."""
        from console.data import cameras as camera_data

        db, scope, wanted = self.db, self.scope, list(ids) if ids is not None else None
        return self.run("cameras", lambda: camera_data.cameras(db, scope) if wanted is None
                        else camera_data.camera_points(db, wanted), on_ok)

    def load_nearest_cameras(self, lon: float, lat: float, n: int, radius_m: float,
                             on_ok: Callable[[list], None]) -> int:
        """The n cameras nearest a point within radius_m metres, closest first (CameraInfo with distance_m)."""
        from console.data.cameras import nearest_cameras

        db, scope = self.db, self.scope
        return self.run("nearest_cameras", lambda: nearest_cameras(db, lon, lat, n=n, radius_m=radius_m, scope=scope),
                        on_ok)

    def acknowledge(self, keys: Iterable[AlertKey], note: str, at: datetime, on_ok: Callable[[int], None],
                    request: int | None = None) -> int:
        keys, db, actor = list(keys), self.db, self.session.actor
        request = request or next(self._ids)
        return self.run("acknowledge", lambda: acknowledge(db, actor, keys, note=note, at=at), on_ok,
                           lambda exc: self._refuse(request, exc), command=True, request=request)

    def _refuse(self, request: int, exc: BaseException) -> None:
        self.sig_command_refused.emit(CommandRefused(request, _message(exc), stale=isinstance(exc, StaleVersion)))


def _message(exc: BaseException) -> str:
    if isinstance(exc, (CommandError, DatabaseUnavailable, ValueError)):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"


def _district_centre(layers: MapLayers) -> tuple[float, float]:
    """A point inside the seat's district (the new-case form's default position)."""
    geoms = [a.geometry for a in layers.streets] or [a.geometry for a in layers.grids]
    if not geoms:
        return 117.6, 26.26
    import shapely

    point = shapely.union_all(geoms).representative_point()
    return point.x, point.y


__all__ = ["ActionChoices", "CasesChanged", "CommandDone", "CommandRefused", "DetailAnswer", "NO_ANSWER",
           "QueueSnapshot", "SeatController", "CommandError", "Database", "DatabaseUnavailable", "ActionParams"]

"""The live change feed (变更推送): every committed change reaches every seat as a delta.

One path for every change (architecture.md): a data command appends a row to
``change_log`` (and, on PostgreSQL, NOTIFYs in the same transaction); a
:class:`ChangeFeed` in the Qt loop reads the log past the last revision it saw and
emits :attr:`ChangeFeed.sig_changed` with the changed ids.  Views apply deltas.

Two backends behind one interface (tech-notes §3):

* :class:`PgChangeFeed`: a dedicated ``psycopg`` connection (outside SQLAlchemy's
  pool), served by a thread of its own, LISTENs on
  :data:`console.data.db.NOTIFY_CHANNEL` and reads the log there; its answers reach
  the Qt loop as queued signals.  Notifications are hints only: the change log is
  the truth, so notifications that arrive during a read give one more read.
* :class:`SqliteChangeFeed`: a ``QFileSystemWatcher`` on the database file, its
  ``-wal`` and their directory wakes the loop when another connection writes; a
  dedicated ``sqlite3`` connection then checks ``PRAGMA data_version`` (it changes
  when any *other* connection, this process's SQLAlchemy pool included, commits)
  and reads the log.  A 1 s poll of ``data_version`` covers missed file events.

The SQL and the dedicated connections live in :mod:`console.data.change_log`.

Freshness (数据新鲜度): a heartbeat query (``SELECT max(rev)``) every second proves
we talked to the database, so a quiet database stays ``live``.  A broken
connection is ``down`` at once; a connection that has not answered for more than
:attr:`ChangeFeed.STALE_AFTER_S` seconds is ``stale``.  Seats show the stale
banner whenever ``health.state != "live"``.  The feed retries with back-off
(0.5 s, 1 s, then every 2 s) and, once back, emits :attr:`ChangeFeed.sig_resync`:
consumers reload everything, because changes made meanwhile were not delivered.

Revisions and holes.  On PostgreSQL revisions come from a sequence: a transaction
that took rev 10 may commit after the one that took rev 11, and a rolled-back
transaction leaves rev 10 missing for ever.  The feed therefore remembers the
missing revisions below the last one it saw ("holes") and re-reads them with every
read for :attr:`ChangeFeed.HOLE_GRACE_S` seconds; a late commit is delivered as
an ordinary delta, a hole older than that is taken as a rollback and forgotten.
A full resync happens only on reconnect, when the log's top revision goes
backwards (a restored database), or when more than :attr:`ChangeFeed.MAX_BATCH`
rows are pending at once.

On PostgreSQL no call to the server runs in the Qt thread: a hung server (one that
takes the bytes and never answers, which no TCP timeout notices) makes the feed
``stale`` and, after :attr:`PgChangeFeed.HUNG_AFTER_S`, reconnect; the window keeps
painting.  SQLite's reads run in the Qt thread: a local file answers in
microseconds, and the busy timeout (2 s) bounds a locked one.
"""
from __future__ import annotations

import json
import math
import os
import queue
import select
import socket
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable, Iterable, Sequence

from PySide6.QtCore import QFileSystemWatcher, QObject, Qt, QTimer, Signal

from console.data import change_log
from console.data.change_log import ChangeRow
from console.data.db import Database, redact

LIVE, STALE, DOWN = "live", "stale", "down"
# Entities that belong to a street: a street seat sees only its own street's rows
# of these.  Rows of other entities without a street (calendar, grid, settings...)
# concern every seat.
STREET_ENTITIES = frozenset({"case"})


@dataclass(frozen=True)
class ChangeBatch:
    """Changes delivered together: ``entities`` maps entity -> ids (deduplicated, in order)."""

    rev: int  # highest revision in the batch
    entities: dict[str, tuple[str, ...]]
    ops: tuple[tuple[str, str, str], ...] = ()  # (entity, id, op) per change-log row, in order

    def ids(self, entity: str) -> tuple[str, ...]:
        return self.entities.get(entity, ())

    def __len__(self) -> int:
        return len(self.ops)


@dataclass(frozen=True)
class FeedHealth:
    """How fresh a seat's data is (数据新鲜度)."""

    state: str  # live | stale | down
    last_ok_at: datetime | None  # wall clock (UTC) of the last successful contact
    message: str = ""  # for the log: Chinese with English, the database's own words after a colon
    last_ok_mono: float | None = field(default=None, compare=False)  # same instant, monotonic
    clock: Callable[[], float] = field(default=time.monotonic, compare=False, repr=False)
    reason: str = ""  # not_started | stopped | silent | unreachable | lost (vocabulary FEED_REASON_LABELS)
    detail: str = ""  # the database's reason, as it said it (redacted)

    @property
    def is_live(self) -> bool:
        return self.state == LIVE

    def age_seconds(self) -> float:
        """Seconds since the feed last talked to the database (inf if never)."""
        if self.last_ok_mono is None:
            return math.inf
        return max(0.0, self.clock() - self.last_ok_mono)


class ChangeFeed(QObject):
    """Base of both backends: revisions, holes, scope, health, reconnect.

    Signals carry plain data.  Create with :meth:`for_database`, connect the signals,
    then :meth:`start`; :meth:`stop` ends every timer, notifier and connection.
    """

    sig_changed = Signal(object)
    """A :class:`ChangeBatch` of changes committed since the previous one."""
    sig_resync = Signal(int)
    """Reload everything: deltas were lost (reconnect, restored database). Carries the rev now current."""
    sig_health = Signal(object)
    """A :class:`FeedHealth`, emitted when the state or message changes."""

    STALE_AFTER_S = 5.0
    HEARTBEAT_MS = 1000
    BACKOFF_S = (0.5, 1.0, 2.0)  # then 2 s for ever: back within 5 s of the server's return
    HOLE_GRACE_S = 10.0
    MAX_HOLES = 1000
    MAX_BATCH = 5000
    ERRORS: tuple[type[BaseException], ...] = (OSError,)

    def __init__(self, *, scope: str | None = None, parent: QObject | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__(parent)
        self.scope = scope  # None: every change; a street code: that street's (街道席)
        self._clock = clock
        self._last_rev = 0
        self._holes: dict[int, float] = {}  # missing rev -> when first missed
        self._started = False
        self._connected = False
        self._ever_connected = False
        self._from_rev: int | None = None
        self._attempt = 0
        self._last_ok_mono: float | None = None
        self._last_ok_at: datetime | None = None
        self._health = FeedHealth(DOWN, None, "未启动 (not started)", clock=clock, reason="not_started")
        self.heartbeats = 0  # successful heartbeats, for tests and diagnostics
        self._read_timer = self._timer(0, self._read_changes, single=True)
        self._heartbeat = self._timer(self.HEARTBEAT_MS, self._on_heartbeat)
        self._retry = self._timer(0, self._try_connect, single=True)

    # --- public API ------------------------------------------------------------------

    @staticmethod
    def for_database(db: Database, *, scope: str | None = None, parent: QObject | None = None) -> ChangeFeed:
        """The feed for this database's backend; ``scope`` is a street code or None (all)."""
        if db.is_postgres:
            return PgChangeFeed(db, scope=scope, parent=parent)
        if db.dialect == "sqlite":
            return SqliteChangeFeed(db, scope=scope, parent=parent)
        raise ValueError(f"变更推送不支持此数据库 (no change feed for dialect {db.dialect!r}): {db!r}")

    @property
    def last_rev(self) -> int:
        return self._last_rev

    @property
    def health(self) -> FeedHealth:
        return self._health

    @property
    def running(self) -> bool:
        return self._started

    def age_seconds(self) -> float:
        """Seconds since the feed last talked to the database (inf if never)."""
        if self._last_ok_mono is None:
            return math.inf
        return max(0.0, self._clock() - self._last_ok_mono)

    def start(self, from_rev: int | None = None) -> None:
        """Connect and follow the log.

        Without ``from_rev`` the feed starts at the log's current top (the caller has
        just loaded everything); with it, rows after ``from_rev`` are delivered first.
        """
        if self._started:
            return
        self._started = True
        self._from_rev = from_rev
        self._heartbeat.start()
        self._try_connect()

    def stop(self) -> None:
        """Stop every timer, notifier and connection; the feed can be started again."""
        self._started = False
        for timer in (self._read_timer, self._heartbeat, self._retry):
            timer.stop()
        self._disconnect()
        self._connected = False
        self._set_health(DOWN, "已停止 (stopped)", "stopped")

    def refresh_health(self) -> FeedHealth:
        """Re-evaluate freshness now (a widget may call it from its own clock tick)."""
        if not self._started:
            return self._health
        if not self._connected:
            self._set_health(DOWN, self._health.message, self._health.reason, self._health.detail)
        elif self.age_seconds() > self.STALE_AFTER_S:
            self._set_health(STALE, f"超过 {self.STALE_AFTER_S:g} 秒未收到数据库应答 (database silent)", "silent",
                             f"{self.STALE_AFTER_S:g}")
        else:
            self._set_health(LIVE, "")
        return self._health

    # --- backend hooks -----------------------------------------------------------------

    def _connect(self) -> None:
        """Open the dedicated connection (and LISTEN / start polling)."""
        raise NotImplementedError

    def _disconnect(self) -> None:
        """Close the connection and its notifier/poller; never raises."""
        raise NotImplementedError

    def _fetch(self, after: int, holes: Sequence[int], limit: int) -> list[ChangeRow]:
        raise NotImplementedError

    def _max_rev(self) -> int:
        raise NotImplementedError

    def _describe(self) -> str:
        return type(self).__name__

    # --- connection life ---------------------------------------------------------------

    def _timer(self, interval_ms: int, slot: Callable[[], None], *, single: bool = False) -> QTimer:
        timer = QTimer(self)
        timer.setInterval(interval_ms)
        timer.setSingleShot(single)
        timer.timeout.connect(slot)
        return timer

    def _try_connect(self) -> None:
        if not self._started or self._connected:
            return
        try:
            self._connect()
            top = self._max_rev()
        except self.ERRORS as exc:
            self._connect_failed(exc)
            return
        self._connected_at(top)

    def _connect_failed(self, exc: BaseException) -> None:
        self._disconnect()
        self._set_health(DOWN, f"无法连接数据库，正在重试 (cannot reach the database, retrying): {_reason(exc)}",
                         "unreachable", _reason(exc))
        self._schedule_retry()

    def _connected_at(self, top: int) -> None:
        """The connection is up and the log's top revision is `top`."""
        self._connected = True
        self._attempt = 0
        first = not self._ever_connected
        self._ever_connected = True
        self._mark_ok()
        if first and self._from_rev is not None and self._from_rev <= top:
            self._last_rev = self._from_rev
            self._schedule_read()
        elif first:
            self._last_rev = top
        else:
            self._resync(top)

    def _schedule_retry(self) -> None:
        delay = self.BACKOFF_S[min(self._attempt, len(self.BACKOFF_S) - 1)]
        self._attempt += 1
        self._retry.start(int(delay * 1000))

    def _lost(self, exc: BaseException) -> None:
        """The connection broke: report it, drop it, retry with back-off."""
        self._connected = False
        self._read_timer.stop()
        self._disconnect()
        self._set_health(DOWN, f"与数据库的连接中断，正在重连 (connection lost, reconnecting): {_reason(exc)}", "lost",
                         _reason(exc))
        if self._started and not self._retry.isActive():
            self._schedule_retry()

    def _resync(self, top: int) -> None:
        self._last_rev = top
        self._holes.clear()
        self.sig_resync.emit(top)

    # --- reading -----------------------------------------------------------------------

    def _schedule_read(self) -> None:
        """Coalesce: many wake-ups in one loop iteration give one query."""
        if self._connected and not self._read_timer.isActive():
            self._read_timer.start()

    def _read_changes(self) -> None:
        if not self._connected:
            return
        try:
            rows = self._fetch(self._last_rev, sorted(self._holes), self.MAX_BATCH + 1)
            top = self._max_rev() if self._overflows(rows) else None
        except self.ERRORS as exc:
            self._lost(exc)
            return
        self._rows_read(rows, top)

    def _overflows(self, rows: Sequence[ChangeRow]) -> bool:
        """More new rows than one delta carries: the consumers reload instead."""
        return _overflows(rows, self._last_rev, self.MAX_BATCH)

    def _rows_read(self, rows: Sequence[ChangeRow], top: int | None) -> None:
        """Deliver what a read found; `top` (the log's top revision) is read only when the rows overflow."""
        self._mark_ok()
        if self._overflows(rows):
            self._resync(top if top is not None else max(r.rev for r in rows))
            return
        delivered = self._absorb(rows)
        batch = self._batch(delivered)
        if batch is not None:
            self.sig_changed.emit(batch)

    def _absorb(self, rows: Iterable[ChangeRow]) -> list[ChangeRow]:
        """Advance the revision, track holes, and return the rows not yet delivered."""
        now = self._clock()
        delivered: list[ChangeRow] = []
        for row in sorted(rows, key=lambda r: r.rev):
            if self._holes.pop(row.rev, None) is not None:
                delivered.append(row)
            elif row.rev > self._last_rev:
                gap = row.rev - self._last_rev - 1
                if 0 < gap <= self.MAX_HOLES:
                    self._holes.update(dict.fromkeys(range(self._last_rev + 1, row.rev), now))
                self._last_rev = row.rev
                delivered.append(row)
        if len(self._holes) > self.MAX_HOLES:
            for rev in sorted(self._holes, key=self._holes.__getitem__)[: len(self._holes) - self.MAX_HOLES]:
                del self._holes[rev]
        return delivered

    def _in_scope(self, row: ChangeRow) -> bool:
        if self.scope is None:
            return True
        if row.street_code is None:
            return row.entity not in STREET_ENTITIES
        return row.street_code == self.scope

    def _batch(self, rows: Iterable[ChangeRow]) -> ChangeBatch | None:
        rows = [r for r in rows if self._in_scope(r)]
        if not rows:
            return None
        entities: dict[str, dict[str, None]] = {}
        for row in rows:
            entities.setdefault(row.entity, {})[row.entity_id] = None
        return ChangeBatch(
            rev=max(r.rev for r in rows),
            entities={entity: tuple(ids) for entity, ids in entities.items()},
            ops=tuple((r.entity, r.entity_id, r.op) for r in rows),
        )

    # --- heartbeat and health ----------------------------------------------------------

    def _on_heartbeat(self) -> None:
        if self._connected:
            try:
                top = self._max_rev()
                self._check_alive()
            except self.ERRORS as exc:
                self._lost(exc)
                return
            self._beat_answered(top)
        self.refresh_health()

    def _beat_answered(self, top: int) -> None:
        self.heartbeats += 1
        self._mark_ok()
        self._expire_holes()
        if top < self._last_rev:  # the log went backwards: a restored or rebuilt database
            self._resync(top)
        elif top > self._last_rev or self._holes:  # a lost hint, or a late commit
            self._schedule_read()

    def _check_alive(self) -> None:
        """Backend hook: raise if the connection is valid but points at the wrong thing."""

    def _expire_holes(self) -> None:
        limit = self._clock() - self.HOLE_GRACE_S
        for rev in [r for r, since in self._holes.items() if since < limit]:
            del self._holes[rev]  # a rolled-back transaction: the revision never comes

    def _mark_ok(self) -> None:
        self._last_ok_mono = self._clock()
        self._last_ok_at = datetime.now(timezone.utc)
        self.refresh_health()

    def _set_health(self, state: str, message: str, reason: str = "", detail: str = "") -> None:
        health = FeedHealth(state, self._last_ok_at, message, self._last_ok_mono, self._clock, reason, detail)
        changed = (health.state, health.message) != (self._health.state, self._health.message)
        self._health = health
        if changed:
            self.sig_health.emit(health)


def _overflows(rows: Sequence[ChangeRow], after: int, max_batch: int) -> bool:
    return sum(1 for r in rows if r.rev > after) > max_batch


def _rev_of(payload: str) -> int | None:
    """The revision a NOTIFY payload names (None: not one of ours, read the log to be sure)."""
    try:
        return int(json.loads(payload)["rev"])
    except (ValueError, KeyError, TypeError):
        return None


def _reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return redact(text[0]) if text else type(exc).__name__


# --- PostgreSQL: LISTEN/NOTIFY on a thread of its own -------------------------------------------


class _Relay(QObject):
    """Carries the link thread's answers into the feed's (Qt) thread, queued."""

    sig_answer = Signal(int, str, object)  # generation, kind, value


class _PgLink:
    """The feed's PostgreSQL connection, owned by one thread: LISTEN, read the log, answer heartbeats.

    Nothing here touches the feed's state: requests come in a queue, answers go out
    through the relay as (generation, kind, value) and the feed applies them in its
    own thread.  So a slow or hung server blocks this thread, never the seat's
    window.  Kinds: ``connected`` (top rev), ``failed`` / ``lost`` (the exception),
    ``rows`` ((rows, top or None): a requested read), ``top`` (rev), ``pushed``
    ((rows, top or None): read at once on a notification, past the highest revision
    this link has read), ``notified`` (payloads of revisions below that one: perhaps
    a late commit filling a hole, for the feed to judge).
    """

    def __init__(self, dsn: str, options: dict, generation: int, relay: _Relay, max_batch: int) -> None:
        self.generation = generation
        self._dsn, self._options, self._relay, self._max_batch = dsn, options, relay, max_batch
        # the highest revision read on this link; None until the feed's first read says where it stands
        self._read_to: int | None = None
        self._requests: queue.SimpleQueue = queue.SimpleQueue()
        self._wake_r, self._wake_w = socket.socketpair()
        self._stop = threading.Event()
        self._fd_lock = threading.Lock()
        self._fd: int | None = None  # the connection's socket while it is open
        self.thread = threading.Thread(target=self._run, name=f"change-feed-pg-{generation}", daemon=True)

    def start(self) -> None:
        self.thread.start()

    def request(self, *what: Any) -> None:
        self._requests.put(what)
        self._wake()

    def stop(self) -> None:
        """End the thread without waiting for it: a call blocked on a hung server is cut off."""
        self._stop.set()
        with self._fd_lock:
            if self._fd is not None:  # the thread may sit in a read the server never answers
                with socket.socket(fileno=os.dup(self._fd)) as sock:
                    try:
                        sock.shutdown(socket.SHUT_RDWR)
                    except OSError:
                        pass  # already gone
        self._wake()

    def _wake(self) -> None:
        try:
            self._wake_w.send(b"x")
        except OSError:
            pass  # the thread has ended and closed its end

    def _answer(self, kind: str, value: Any) -> None:
        if self._stop.is_set():
            return  # given up: the feed no longer listens to this link
        try:
            self._relay.sig_answer.emit(self.generation, kind, value)
        except RuntimeError:  # the feed (and its relay) is gone: nobody listens any more
            self._stop.set()

    def _run(self) -> None:
        conn = None
        try:
            try:
                conn = change_log.open_listener(self._dsn, **self._options)
                with self._fd_lock:
                    self._fd = conn.fileno()
                top = change_log.max_rev(conn)
            except change_log.PG_ERRORS as exc:
                self._answer("failed", exc)
                return
            self._answer("connected", top)
            self._serve(conn)
        except change_log.PG_ERRORS as exc:
            if not self._stop.is_set():
                self._answer("lost", exc)
        finally:
            with self._fd_lock:
                self._fd = None
                if conn is not None:
                    try:
                        conn.close()
                    except Exception:  # noqa: BLE001 - closing a broken connection may fail; it is gone either way
                        pass
            self._wake_r.close()
            self._wake_w.close()

    def _serve(self, conn: Any) -> None:
        sock = conn.fileno()
        while not self._stop.is_set():
            self._notified(conn)
            try:
                what = self._requests.get_nowait()
            except queue.Empty:
                readable, _, _ = select.select([sock, self._wake_r], [], [])
                if self._wake_r in readable:
                    self._wake_r.recv(4096)
                continue
            if what[0] == "fetch":
                self._answer("rows", self._read(conn, *what[1:]))
            elif what[0] == "beat":
                self._answer("top", change_log.max_rev(conn))

    def _read(self, conn: Any, after: int, holes: Sequence[int], limit: int) -> tuple[list[ChangeRow], int | None]:
        rows = change_log.fetch_after(conn, after, holes, limit)
        top = change_log.max_rev(conn) if _overflows(rows, after, self._max_batch) else None
        self._read_to = max(after, self._read_to or 0, *(r.rev for r in rows))
        return rows, top

    def _notified(self, conn: Any) -> None:
        """Read at once what a notification announces, without a round trip through the Qt thread."""
        payloads = change_log.take_notifies(conn)
        if not payloads:
            return
        if self._read_to is None:  # the feed has not read yet (it may start below the top): it judges
            self._answer("notified", payloads)
            return
        revs = [_rev_of(p) for p in payloads]
        below = [p for p, rev in zip(payloads, revs) if rev is not None and rev <= self._read_to]
        if len(below) < len(payloads):
            self._answer("pushed", self._read(conn, self._read_to, (), self._max_batch + 1))
        if below:
            self._answer("notified", below)


class PgChangeFeed(ChangeFeed):
    """PostgreSQL: LISTEN on a dedicated autocommit connection, served by a thread of its own.

    The feed's logic (revisions, holes, health, reconnect) stays in the Qt thread;
    every call to the server runs on the link's thread (:class:`_PgLink`).  One read
    and one heartbeat at most are out at a time: a wake-up during a read reads
    again once it is answered, and a heartbeat still unanswered is not sent twice,
    so a hung server makes the feed ``stale`` (the banner), never a frozen window.
    A server silent for :attr:`HUNG_AFTER_S` is given up and reconnected.
    """

    ERRORS = change_log.PG_ERRORS
    HUNG_AFTER_S = 15.0
    CONNECT_OPTIONS = dict(
        connect_timeout=2, tcp_user_timeout=3000,
        keepalives=1, keepalives_idle=5, keepalives_interval=1, keepalives_count=3,
        application_name="urban-console feed",
    )

    def __init__(self, db: Database, *, scope: str | None = None, parent: QObject | None = None,
                 dsn: str | None = None, clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__(scope=scope, parent=parent, clock=clock)
        self._dsn = dsn or change_log.pg_dsn(db.url)
        self._where = redact(db.url)
        self._relay = _Relay(self)
        self._relay.sig_answer.connect(self._on_answer, Qt.ConnectionType.QueuedConnection)
        self._link: _PgLink | None = None
        self._threads: list[threading.Thread] = []  # every link thread still running, the given-up included
        self._generation = 0
        self._reading = self._read_again = self._beating = False
        self._out: dict[str, float] = {}  # the unanswered requests ("connect", "fetch", "beat"): when each went out

    def _describe(self) -> str:
        return f"PgChangeFeed({self._where})"

    @property
    def link_threads(self) -> list[threading.Thread]:
        """The link threads still running: after :meth:`stop` they end by themselves (tests join them)."""
        self._threads = [t for t in self._threads if t.is_alive()]
        return list(self._threads)

    # the requests: each is answered later, in _on_answer

    def _try_connect(self) -> None:
        if not self._started or self._connected or self._link is not None:
            return
        self._generation += 1
        self._link = _PgLink(self._dsn, self.CONNECT_OPTIONS, self._generation, self._relay, self.MAX_BATCH)
        self._out = {"connect": self._clock()}  # a connect that never answers is given up like a hung read
        self._link.start()
        self._threads = [*self.link_threads, self._link.thread]

    def _disconnect(self) -> None:
        link, self._link = self._link, None
        self._reading = self._read_again = self._beating = False
        self._out = {}
        if link is not None:
            link.stop()

    def _read_changes(self) -> None:
        if not self._connected:
            return
        if self._reading:
            self._read_again = True
            return
        self._reading = True
        self._ask("fetch", self._last_rev, sorted(self._holes), self.MAX_BATCH + 1)

    @property
    def waited_s(self) -> float:
        """How long the oldest unanswered request has waited (0 when none is out)."""
        return self._clock() - min(self._out.values()) if self._out else 0.0

    def _on_heartbeat(self) -> None:
        if self._link is not None and self.waited_s > self.HUNG_AFTER_S:
            self._give_up()
            return
        if self._connected and not self._beating:
            self._beating = True
            self._ask("beat")
        self.refresh_health()

    def _give_up(self) -> None:
        """The server has not answered for HUNG_AFTER_S: drop this connection and make a new one."""
        exc = OSError(f"数据库 {self.HUNG_AFTER_S:g} 秒未应答 (no answer in {self.HUNG_AFTER_S:g} s)")
        if self._connected:
            self._lost(exc)
        else:
            self._connect_failed(exc)

    def _ask(self, *what: Any) -> None:
        self._out.setdefault(what[0], self._clock())  # a read asked again while one is out keeps the first time
        self._link.request(*what)

    # the answers, in the feed's thread

    def _on_answer(self, generation: int, kind: str, value: Any) -> None:
        if generation != self._generation or self._link is None:
            return  # from a link given up since (a reconnect, a stop)
        if kind == "failed":
            self._link = None  # its thread has ended
            self._connect_failed(value)
        elif kind == "lost":
            self._lost(value)
        elif kind == "connected":
            self._out.pop("connect", None)
            self._connected_at(value)
        elif kind == "notified":
            self._notified(value)
        elif kind == "pushed":
            if self._connected:
                self._rows_read(*value)
        else:
            self._answered(kind, value)

    def _answered(self, kind: str, value: Any) -> None:
        if kind == "rows":
            self._reading = False
            self._out.pop("fetch", None)
        else:
            self._beating = False
            self._out.pop("beat", None)  # the other request still out keeps its own time
        if kind == "top":
            self._beat_answered(value)
        else:
            self._rows_read(*value)
            if self._read_again and self._connected:
                self._read_again = False
                self._schedule_read()

    def _notified(self, payloads: list[str]) -> None:
        if not self._connected:
            return
        self._mark_ok()
        if any(self._wanted(p) for p in payloads):
            self._schedule_read()

    def _wanted(self, payload: str) -> bool:
        rev = _rev_of(payload)
        return rev is None or rev > self._last_rev or rev in self._holes


# --- SQLite: a file watcher on the database and its WAL, and a slower poll ---------------------


class SqliteChangeFeed(ChangeFeed):
    """SQLite: woken when the database or its ``-wal`` file is written, confirmed by ``PRAGMA data_version``.

    A ``QFileSystemWatcher`` (inotify on Linux) watches the file, its ``-wal`` and
    their directory.  A watcher can miss events (network filesystems, a ``-wal``
    created after the watch began, a file replaced under its name), so the
    directory's changes re-add the paths and a fallback poll still checks
    ``data_version`` every :attr:`FALLBACK_POLL_MS`.  A WAL write becomes visible
    to other connections only once the writer has updated the shared index
    (``-shm``, written through mmap: no event), so a wake-up that finds nothing
    new looks once more after :attr:`SETTLE_MS`.
    """

    FALLBACK_POLL_MS = 1000
    SETTLE_MS = 5
    ERRORS = change_log.SQLITE_ERRORS

    def __init__(self, db: Database, *, scope: str | None = None, parent: QObject | None = None,
                 clock: Callable[[], float] = time.monotonic, watch: bool = True,
                 poll_ms: int | None = None) -> None:
        path = change_log.sqlite_path(db.url)
        if path is None:
            raise ValueError(f"变更推送需要数据库文件 (the change feed needs a database file, not memory): {db!r}")
        super().__init__(scope=scope, parent=parent, clock=clock)
        self.path = path
        self._conn = None
        self._identity: tuple[int, int] | None = None
        self._version: int | None = None
        self._watch = watch  # False: poll only (the benchmark's baseline, the old 250 ms feed)
        self._watcher: QFileSystemWatcher | None = None  # made on connect: its inotify notifier lives while connected
        self._retired: QFileSystemWatcher | None = None
        self._poll = self._timer(poll_ms or self.FALLBACK_POLL_MS, self._on_poll)
        self._wake = self._timer(0, self._on_wake, single=True)  # coalesces a burst of file events
        self._settle = self._timer(self.SETTLE_MS, self._on_poll, single=True)
        self.wakeups = 0  # watcher wake-ups that were checked, for tests and diagnostics

    def _describe(self) -> str:
        return f"SqliteChangeFeed({self.path})"

    @property
    def watched(self) -> list[str]:
        """The paths the watcher follows now."""
        if self._watcher is None:
            return []
        return [*self._watcher.files(), *self._watcher.directories()]

    def _connect(self) -> None:
        conn = change_log.open_sqlite_reader(self.path)
        self._conn = conn
        self._identity = self._file_identity()
        self._version = change_log.data_version(conn)
        if self._watch:
            self._start_watching()
        self._poll.start()

    def _start_watching(self) -> None:
        self._watcher = QFileSystemWatcher(self)
        self._watcher.fileChanged.connect(self._on_file_changed)
        self._watcher.directoryChanged.connect(self._on_directory_changed)
        self._rewatch()

    def _disconnect(self) -> None:
        for timer in (self._poll, self._wake, self._settle):
            timer.stop()
        self._stop_watching()
        if self._conn is not None:
            conn, self._conn = self._conn, None
            try:
                conn.close()
            except self.ERRORS:
                pass

    def _stop_watching(self) -> None:
        if self._watcher is None:
            return
        watcher, self._watcher = self._watcher, None
        watcher.fileChanged.disconnect(self._on_file_changed)
        watcher.directoryChanged.disconnect(self._on_directory_changed)
        watcher.setParent(None)  # off the feed now; gone with its notifier at the next loop turn
        watcher.deleteLater()
        self._retired = watcher  # alive until then: _disconnect may run inside one of its signals

    def _watch_paths(self) -> list[str]:
        return [str(self.path), f"{self.path}-wal", str(self.path.parent)]

    def _rewatch(self) -> None:
        """Watch every path that exists and is not watched yet (a new ``-wal``, a replaced file)."""
        if self._watcher is None:
            return
        watched = set(self.watched)
        missing = [p for p in self._watch_paths() if p not in watched and os.path.exists(p)]
        if missing:
            self._watcher.addPaths(missing)

    def _on_file_changed(self, path: str) -> None:
        if self._watcher is not None and path not in self._watcher.files():  # deleted or renamed: Qt dropped it
            self._rewatch()
        self._wake_up()

    def _on_directory_changed(self, _path: str) -> None:
        self._rewatch()
        self._wake_up()

    def _wake_up(self) -> None:
        if self._connected and not self._wake.isActive():
            self._wake.start()

    def _file_identity(self) -> tuple[int, int]:
        st = os.stat(self.path)
        return st.st_dev, st.st_ino

    def _check_alive(self) -> None:
        # An open descriptor keeps reading a deleted or moved file: look at the path.
        if self._file_identity() != self._identity:
            raise OSError(f"数据库文件已被替换 (database file replaced): {self.path}")

    def _fetch(self, after: int, holes: Sequence[int], limit: int) -> list[ChangeRow]:
        return change_log.fetch_after(self._conn, after, holes, limit)

    def _max_rev(self) -> int:
        return change_log.max_rev(self._conn)

    def _on_wake(self) -> None:
        self.wakeups += 1
        if not self._on_poll() and self._connected:
            self._settle.start()  # the writer may not have published the commit yet

    def _on_poll(self) -> bool:
        """Check ``data_version``; True (and a read scheduled) when another connection committed."""
        if not self._connected:
            return False
        try:
            version = change_log.data_version(self._conn)
        except self.ERRORS as exc:
            self._lost(exc)
            return False
        if version == self._version:
            return False
        self._version = version
        self._schedule_read()
        return True

"""Benchmarks: cold start to a usable workstation, and the longest UI stall (issue 9).

cold start: from an accepted sign-in (the Session exists) until the queue is filled and the
            map's lights are drawn (the page reports every queue case on its canvas).
            Baseline in the same run: the bare reads of that start (filter options, the queue,
            the map layers) timed directly, without any window.  Targets: city 2 s, metro 3 s.
UI stall:   the longest gap between two ticks of a 5 ms UI-thread QTimer while the queue
            reloads (the seat's worker) and while the database hangs (PostgreSQL through a
            loopback proxy that stops forwarding).  Baseline in the same run: the same reload
            on a synchronous seat (threaded=False), i.e. on the UI thread.  Target < 50 ms.

Run: ``python -m console.bench.bench_start [--scale city|metro] [--tiny]`` (prints one JSON line);
``urban-console bench`` runs it too.  Generating metro takes long: run it once by hand.
"""
from __future__ import annotations

import argparse
import json
import os
import socket
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any, Callable

TICK_MS = 5


class _Ticks:
    """A 5 ms UI-thread timer's longest gap between ticks (ms) since `reset()`."""

    def __init__(self) -> None:
        from PySide6.QtCore import QTimer

        self.timer = QTimer()
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(self._tick)
        self.reset()
        self.timer.start()

    def reset(self) -> None:
        self.last, self.longest, self.count = time.perf_counter(), 0.0, 0

    def _tick(self) -> None:
        now = time.perf_counter()
        self.longest = max(self.longest, (now - self.last) * 1000)
        self.last, self.count = now, self.count + 1


def _wait(condition: Callable[[], bool], timeout_s: float = 120.0) -> None:
    from PySide6.QtCore import QCoreApplication, QEvent, QEventLoop

    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("benchmark: the workstation did not get there in time")
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 5)
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)  # deleteLater outside a loop


def _close(window) -> None:  # noqa: ANN001
    """Stop and delete the window, and wait until its map page (then its profile) is gone."""
    import shiboken6

    window.stop()
    window.close()
    window.deleteLater()
    _wait(lambda: not shiboken6.isValid(window), timeout_s=30)


def _session(db):  # noqa: ANN001, ANN202
    from console.services.session import Seat, Session

    return Session(db=db, username="bench", display_name="bench", role="leader", seat_name="指挥长席",
                   seat=Seat("operator"))


def _bare_reads_ms(db) -> float:  # noqa: ANN001
    from console.data import map_layers, queue_and_detail

    t0 = time.perf_counter()
    queue_and_detail.filter_options(db)
    queue_and_detail.load_queue(db)
    map_layers.map_layers(db)
    return (time.perf_counter() - t0) * 1000


def cold_start(db, *, with_map: bool = True) -> dict[str, Any]:  # noqa: ANN001
    """Session → queue filled and the map's lights drawn, against the bare reads of the same start."""
    from console.widgets.workstation import Workstation

    bare_ms = _bare_reads_ms(db)
    db.invalidate_rules()
    t0 = time.perf_counter()
    window = Workstation(_session(db), with_map=with_map, alert_interval_ms=3_600_000)
    window.resize(1600, 900)
    window.show()
    _wait(lambda: window.controller.idle and window._last_data_at is not None)  # the first full reload shown
    queue_ms = (time.perf_counter() - t0) * 1000
    drawn: dict[str, Any] = {}
    rows = len(window.queue.model.all_ids())
    if window.map is not None:
        def ask() -> bool:
            if window.map.ready and not drawn.get("asking"):
                drawn["asking"] = True
                window.map.js_state(lambda state: drawn.update(cases=state.get("cases"), asking=False))
            return drawn.get("cases") == rows

        _wait(ask)
    start_ms = (time.perf_counter() - t0) * 1000
    _close(window)
    return {"cases": rows, "cold_start_ms": round(start_ms, 1), "queue_filled_ms": round(queue_ms, 1),
            "bare_reads_ms": round(bare_ms, 1), "ratio_to_bare_reads": round(start_ms / bare_ms, 2) if bare_ms else None}


def reload_stall(db) -> dict[str, Any]:  # noqa: ANN001
    """The longest UI gap while the queue reloads: the seat's worker against the same reload on the UI thread."""
    from console.widgets.workstation import Workstation

    result: dict[str, Any] = {}
    for label, threaded in (("worker", True), ("ui_thread_baseline", False)):
        window = Workstation(_session(db), with_map=False, alert_interval_ms=3_600_000, threaded=threaded)
        _wait(lambda w=window: w.controller.idle)
        ticks = _Ticks()
        _wait(lambda: ticks.count >= 3)
        ticks.reset()
        window.reload_all()
        _wait(lambda w=window: w.controller.idle)
        _wait(lambda: ticks.count >= 2)  # a tick after the reload closes the last gap
        result[f"{label}_longest_gap_ms"] = round(ticks.longest, 1)
        ticks.timer.stop()
        _close(window)
    base = result["ui_thread_baseline_longest_gap_ms"]
    result["ratio_worker_to_baseline"] = round(result["worker_longest_gap_ms"] / base, 3) if base else None
    return result


class _HangingProxy:
    """Loopback TCP proxy whose pipes can hold every byte (hang) until released."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target, self.flowing = target, threading.Event()
        self.flowing.set()
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.sockets: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target, timeout=5)
            upstream.settimeout(None)
            self.sockets += [client, upstream]
            for src, dst in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(src, dst), daemon=True).start()

    def _pipe(self, src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                self.flowing.wait()
                dst.sendall(data)
        except OSError:
            pass

    def close(self) -> None:
        self.flowing.set()
        self.listener.close()
        for sock in self.sockets:
            try:
                sock.close()
            except OSError:
                pass


def hung_stall(pg_url: str, hang_s: float = 3.0) -> dict[str, Any]:
    """The longest UI gap while the seat's PostgreSQL hangs for `hang_s` under a reload (and after)."""
    from sqlalchemy.engine import make_url

    from console.data.db import Database
    from console.services.feed import ChangeFeed
    from console.widgets.workstation import Workstation

    url = make_url(pg_url)
    proxy = _HangingProxy((url.host or "127.0.0.1", url.port or 5432))
    db = Database(url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False))
    try:
        # with its change feed, as a hall seat runs: the feed's heartbeat talks to the hung server too
        window = Workstation(_session(db), feed=ChangeFeed.for_database(db), with_map=False,
                             alert_interval_ms=3_600_000)
        window.start()
        _wait(lambda: window.controller.idle and window.feed.health.is_live)
        ticks = _Ticks()
        _wait(lambda: ticks.count >= 3)
        proxy.flowing.clear()
        ticks.reset()
        window.reload_all()
        hung_until = time.monotonic() + hang_s
        _wait(lambda: time.monotonic() > hung_until)
        banner = not window.stale_banner.isHidden()  # the window is not shown: asked of the widget itself
        proxy.flowing.set()
        _wait(lambda: window.controller.idle)
        _wait(lambda: ticks.count >= 2)
        longest, count = ticks.longest, ticks.count
        ticks.timer.stop()
        _close(window)
        return {"hang_s": hang_s, "longest_gap_ms": round(longest, 1), "ticks": count,
                "expected_ticks": int(hang_s * 1000 / TICK_MS), "stale_banner_shown": banner}
    finally:
        db.dispose()
        proxy.close()


def _with_pg_copy(make: Callable[[str], None], fn: Callable[[str], Any], admin_url: str) -> Any:
    from sqlalchemy import text

    from console.data.db import make_engine

    admin = make_engine(admin_url, isolation_level="AUTOCOMMIT")
    name = f"uc_bench_start_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = admin_url.rsplit("/", 1)[0] + "/" + name
    try:
        make(url)
        return fn(url)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _fill(url: str, scale: str | None) -> None:
    """An upgraded database holding the demo at `scale`, or the tests' tiny city (None)."""
    from console.data.db import Database
    from console.data.schema import upgrade

    db = Database(url)
    try:
        upgrade(db)
        if scale is None:
            from console.data.demo.tiny import seed_tiny_city

            seed_tiny_city(db)
            _report_some(db, 20)
        else:
            from console.data.demo import generate

            generate(db, scale)
    finally:
        db.dispose()


def _report_some(db, n: int) -> None:  # noqa: ANN001
    """A few open cases for the tiny city (it has none of its own)."""
    from console.data.commands import Actor, report_case

    actor = Actor("bench", "inspector", seat="城管通")
    for i in range(n):
        report_case(db, actor, source="inspector", lon=117.601 + (i % 5) / 1000, lat=26.261 + (i // 5) / 1000,
                    category_code="06010")


def run(*, scales: tuple[str | None, ...] = ("city",), with_map: bool = True, hang_s: float = 3.0,
        pg_admin: str | None = None, db_path: str | None = None) -> dict[str, Any]:
    """Cold start and reload stall per scale (SQLite; None = the tiny city), then the hung-PostgreSQL stall.

    `db_path`: a demo city generated earlier (e.g. metro) is measured instead of generating the scales.
    """
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from console.app import make_application
    from console.data.db import Database

    make_application()
    result: dict[str, Any] = {}
    if db_path is not None:
        db = Database(f"sqlite:///{Path(db_path).resolve()}")
        try:
            result[Path(db_path).stem] = {"cold_start": cold_start(db, with_map=with_map), "reload": reload_stall(db)}
        finally:
            db.dispose()
        scales = ()
    with tempfile.TemporaryDirectory() as tmp:
        for scale in scales:
            name = scale or "tiny"
            url = f"sqlite:///{Path(tmp) / (name + '.db')}"
            _fill(url, scale)
            db = Database(url)
            try:
                result[name] = {"cold_start": cold_start(db, with_map=with_map), "reload": reload_stall(db)}
            finally:
                db.dispose()
    admin = pg_admin or os.environ.get("URBAN_CONSOLE_BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    result["hung_postgresql"] = _with_pg_copy(lambda url: _fill(url, None), lambda url: hung_stall(url, hang_s), admin)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", action="append", choices=["small", "city", "metro"],
                        help="demo scale(s) to start on (default: city)")
    parser.add_argument("--tiny", action="store_true", help="the tests' tiny city only (seconds, not minutes)")
    parser.add_argument("--no-map", action="store_true", help="without the map page (no QtWebEngine)")
    parser.add_argument("--hang", type=float, default=3.0, help="seconds the database hangs (default 3)")
    parser.add_argument("--db", help="an SQLite demo city generated earlier (e.g. /tmp/feed_metro/metro.db), "
                                     "measured instead of generating --scale")
    args = parser.parse_args(argv)
    if args.db and not Path(args.db).is_file():
        parser.error(f"--db {args.db!r}: no such SQLite file")
    scales: tuple[str | None, ...] = (None,) if args.tiny else tuple(args.scale or ["city"])
    print(json.dumps(run(scales=scales, with_map=not args.no_map, hang_s=args.hang, db_path=args.db),
                     ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

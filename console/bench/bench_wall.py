"""Benchmark: the wall (大屏) while `simulate` feeds it; its memory over an accelerated soak.

Refresh: a wall (offscreen, with its map page and change feed) shows the small demo city while
another process runs ``console.data.simulate.Simulator`` at ``rate`` reports per second.  Measured
in the wall's process: its CPU share (process CPU time / elapsed), the longest UI stall (the
largest lateness of a 10 ms heartbeat timer on the UI thread) and the board reads.  Baselines in
the same run: the same wall idle (no simulate) and the same wall with the throttle off (a read per
change batch).

Soak: the same wall with a fast throttle and the map page recycled every ``recycle_s`` while
simulate runs with the open cases held level (``Simulator(open_level=...)``: a steady hall, so
data growth is not mistaken for a leak); resident memory (this process and QtWebEngine's) after
a garbage collection and heap trim.  "Start" is taken after a warm-up (a map recycle and a few
rotation loops: caches filled, pages built once); the cold figure before it is reported too.
The soak runs on a hall clock (`HallClock`): simulate files its reports and the wall reads its
board at hall time, which runs ``hall_speed`` times faster than the real one, so the hall's days
end (the day's tiles reset, the hour chart rolls) and the day's cases stay a hall's day, not the
whole soak's.  Its hall hours are the hall clock's, and, beside them, the board reads it made × the
hall's 5 s throttle (17,280 reads: the reads of a real 24 hours).

Run: ``python -m console.bench.bench_wall [--db URL] [--rate 50] [--seconds 20] [--soak-seconds 60]``
or ``--soak-only [--soak-seconds N] [--soak-throttle-ms 100] [--soak-rate 10]``.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

HEARTBEAT_MS = 10
HALL_THROTTLE_S = 5  # the hall's board refresh: one board read per 5 s at most
SOAK_RATE = 1.0  # simulated reports per real second in the soak (its open cases held level)
HALL_SPEED = 36.0  # the soak's hall clock: a hall day in 40 minutes, 2,400 reports a hall day at SOAK_RATE
SOAK_THROTTLE_MS = 100  # the soak's board throttle: up to 50 hall-seconds a second (the read's own time bounds it)


def _cpu_s() -> float:
    t = os.times()
    return t.user + t.system


class StallMeter:
    """The longest lateness of a 10 ms timer on the UI thread (a stall of the wall's loop)."""

    def __init__(self) -> None:
        from PySide6.QtCore import QTimer

        self.worst_ms = 0.0
        self._last = time.perf_counter()
        self._timer = QTimer(interval=HEARTBEAT_MS)
        self._timer.timeout.connect(self._beat)

    def start(self) -> None:
        self.worst_ms, self._last = 0.0, time.perf_counter()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def _beat(self) -> None:
        now = time.perf_counter()
        self.worst_ms = max(self.worst_ms, (now - self._last) * 1000 - HEARTBEAT_MS)
        self._last = now


@dataclass(frozen=True)
class HallClock:
    """Hall time: `speed` hall seconds a real second since `real_origin` (epoch seconds), from `hall_origin`.

    Epoch seconds, not a monotonic clock, so that the writer's process and the wall's read the same time.
    """

    real_origin: float
    hall_origin: float
    speed: float = 1.0

    @classmethod
    def starting_now(cls, speed: float) -> HallClock:
        now = time.time()
        return cls(now, now, speed)

    def __call__(self) -> datetime:
        return datetime.fromtimestamp(self.hall_origin + (time.time() - self.real_origin) * self.speed, timezone.utc)

    def hours_since(self, start: datetime) -> float:
        return (self() - start).total_seconds() / 3600

    def argv(self) -> list[str]:
        return ["--hall-clock", repr(self.real_origin), repr(self.hall_origin), repr(self.speed)]


def _writer(url: str, rate: float, seconds: float, level: int | None = None,
            clock: HallClock | None = None) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "console.bench.bench_wall", "--writer", url, str(rate),
                             str(seconds), str(-1 if level is None else level), *(clock.argv() if clock else [])],
                            stdout=subprocess.DEVNULL)


def write(url: str, rate: float, seconds: float, level: int | None = None, clock: HallClock | None = None) -> None:
    """simulate, one action a report; with `level`, as many as keep the open cases at `level`;
    with `clock`, at hall time."""
    from console.data.db import Database
    from console.data.simulate import Simulator

    db = Database(url)
    try:
        simulator = Simulator(db, seed=int(time.time()) % 1000, open_level=level)
        simulator.run(rate=rate, duration=seconds, **({"now": clock} if clock else {}))
    finally:
        db.dispose()


def _simulate_for(url: str, rate: float, seconds: float, level: int | None = None,
                  clock: HallClock | None = None) -> dict:
    """Simulate at `rate` for `seconds` of wall-clock time (the writer stopped then, however far it got),
    the wall's loop running meanwhile; the rate reached, from the cases written."""
    from console.bench.bench_memory import _settle, _wait

    before = _cases(url)
    writer = _writer(url, rate, seconds, level, clock)
    _wait(lambda: writer.poll() is not None, seconds)
    if writer.poll() is None:
        writer.terminate()
        _wait(lambda: writer.poll() is not None, 10)
    _settle(0.1)
    written = _cases(url) - before
    return {"asked_rate": rate, "reports": written, "reached_rate": round(written / seconds, 1)}


def _cases(url: str, *, open_only: bool = False) -> int:
    from sqlalchemy import func, select

    from console.data import models as m
    from console.data.db import Database

    db = Database(url)
    try:
        with db.read() as s:
            q = select(func.count()).select_from(m.Case)
            return int(s.scalar(q.where(m.Case.is_open) if open_only else q))
    finally:
        db.dispose()


def _open_wall(url: str, **kw):  # noqa: ANN003, ANN202
    from console.data.db import Database
    from console.services.feed import ChangeFeed
    from console.services.session import wall_session
    from console.widgets.wall import WallWindow

    db = Database(url)
    feed = ChangeFeed.for_database(db)
    wall = WallWindow(wall_session(db), feed=feed, **kw)
    wall.resize(1920, 1080)
    wall.show()
    wall.start()
    return db, wall


def _close(db, wall) -> None:  # noqa: ANN001
    from console.bench.bench_memory import _settle

    wall.close()
    wall.deleteLater()
    _settle(0.5)
    db.dispose()


def phase(url: str, *, seconds: float, rate: float | None, **kw) -> dict:  # noqa: ANN003
    """One wall for `seconds` (simulate at `rate`, or idle): CPU share, worst stall, reads."""
    from console.bench.bench_memory import _settle, _wait

    db, wall = _open_wall(url, **kw)
    try:
        _wait(lambda: wall.board is not None and (wall.map is None or wall.map.ready), 60)
        _settle(2.0)
        meter = StallMeter()
        reads0, cpu0, t0 = wall.refresh.reads, _cpu_s(), time.perf_counter()
        meter.start()
        written = _simulate_for(url, rate, seconds) if rate else _settle(seconds)
        elapsed, cpu = time.perf_counter() - t0, _cpu_s() - cpu0
        meter.stop()
        return {"seconds": round(elapsed, 1), **(written or {}), "cpu_share": round(cpu / elapsed, 3),
                "worst_stall_ms": round(meter.worst_ms, 1), "board_reads": wall.refresh.reads - reads0,
                "feed_rev": wall.feed.last_rev}
    finally:
        _close(db, wall)


def soak(url: str, *, seconds: float, rate: float = SOAK_RATE, throttle_ms: int = SOAK_THROTTLE_MS,
         recycle_s: float, warmup_s: float | None = None, hall_speed: float = HALL_SPEED,
         trace_heap: bool = False, periodic_ms: int | None = None) -> dict:
    """Memory after a warm-up and at the end of an accelerated soak on a steady hall (see the module's docstring).

    `trace_heap`: Python's allocations traced from the warm-up on (tracemalloc: slower, and its own
    bookkeeping adds to the heap), and the source lines whose memory grew most between the start and
    the end reported as `heap_trace` (what grew that Python allocated; the rest is Qt's own).
    `periodic_ms`: the wall's read without changes (default: its minute in hall time; the throttle's
    value makes it read as often as the busiest hall, 17,280 times a hall day).
    """
    import tracemalloc

    from console.services.wall import PERIODIC_MS

    from console.bench.bench_memory import _settle, _wait

    level = _cases(url, open_only=True)  # the hall stays at the open cases it had
    warmup_s = max(recycle_s * 1.5, 30.0) if warmup_s is None else warmup_s
    clock = HallClock.starting_now(hall_speed)
    periodic_ms = periodic_ms or max(throttle_ms, int(PERIODIC_MS / hall_speed))
    db, wall = _open_wall(url, throttle_ms=throttle_ms, recycle_ms=int(recycle_s * 1000), dwell_ms=2000,
                          idle_ms=2000, clock=clock, periodic_ms=periodic_ms)
    try:
        _wait(lambda: wall.board is not None and wall.map is not None and wall.map.ready, 60)
        _settle(5.0)
        cold = _memory()
        if trace_heap:
            tracemalloc.start(1)
        warm = _simulate_for(url, rate, warmup_s, level, clock)  # caches fill, the page is recycled once
        _settle(5.0)
        before = {**_memory(), "markers": len(wall.board.markers)}
        traced = tracemalloc.take_snapshot() if trace_heap else None
        reads0, recycles0, hall_start = wall.refresh.reads, wall.recycles, clock()
        first = _simulate_for(url, rate, seconds / 2, level, clock)
        _settle(5.0)
        half = _memory()
        second = _simulate_for(url, rate, seconds / 2, level, clock)
        _settle(5.0)
        after = {**_memory(), "markers": len(wall.board.markers)}
        grew = _heap_growth(traced, tracemalloc.take_snapshot()) if trace_heap else None
        reads = wall.refresh.reads - reads0
        stages = (("cold", cold), ("before", before), ("half", half), ("after", after))
        total = {k: m["rss_mb"] + m["children_mb"] for k, m in stages}

        def growth(a: float, b: float) -> float:
            return round(b / a - 1, 3)

        return {"seconds": seconds, "warmup_s": warmup_s, "asked_rate": rate,
                "reports": first["reports"] + second["reports"], "warmup_reports": warm["reports"],
                "reached_rate": round((first["reports"] + second["reports"]) / seconds, 1),
                "throttle_ms": throttle_ms, "periodic_ms": periodic_ms, "recycle_s": recycle_s,
                "board_reads": reads, "map_recycles": wall.recycles - recycles0,
                "hall_speed": hall_speed, "hall_hours": round(clock.hours_since(hall_start), 2),
                "hall_start": hall_start.isoformat(timespec="seconds"),
                "equivalent_hall_hours": round(reads * HALL_THROTTLE_S / 3600, 2),  # in board reads
                "open_level": level, "open_cases_before": before["markers"], "open_cases_after": after["markers"],
                "cold_mb": {k: round(v, 1) for k, v in cold.items()},
                "before_mb": {k: round(v, 1) for k, v in before.items() if k != "markers"},
                "half_mb": {k: round(v, 1) for k, v in half.items()},
                "after_mb": {k: round(v, 1) for k, v in after.items() if k != "markers"},
                # file pages: mostly the SQLite file, mapped, which simulate keeps growing (not a leak)
                "process_growth": growth(before["rss_mb"], after["rss_mb"]),
                "heap_growth": growth(before["heap_mb"], after["heap_mb"]),
                "webengine_growth": growth(before["children_mb"], after["children_mb"]),
                "total_growth": growth(total["before"], total["after"]),  # the target: under 5 %
                "second_half_total_growth": growth(total["half"], total["after"]),
                "total_growth_from_cold": growth(total["cold"], total["after"]),
                **({"heap_trace": grew} if grew is not None else {})}
    finally:
        if trace_heap:
            tracemalloc.stop()
        _close(db, wall)


def _heap_growth(start, end, top: int = 15) -> dict:  # noqa: ANN001 - tracemalloc snapshots
    """The source lines whose Python allocations grew most from `start` to `end`, and the traced totals."""
    import tracemalloc

    keep = [tracemalloc.Filter(False, tracemalloc.__file__)]
    diff = end.filter_traces(keep).compare_to(start.filter_traces(keep), "lineno")
    lines = [{"where": f"{d.traceback[0].filename}:{d.traceback[0].lineno}", "grew_kb": round(d.size_diff / 1024, 1),
              "blocks_grew": d.count_diff} for d in diff[:top]]
    total = [sum(t.size for t in snap.traces) / 2**20 for snap in (start, end)]
    return {"traced_mb": [round(v, 1) for v in total], "lines": lines}


def _memory() -> dict[str, float]:
    from console.bench.bench_memory import children_rss_mb, rss_mb

    return {"rss_mb": rss_mb(), "children_mb": children_rss_mb(), "heap_mb": rss_mb(field="RssAnon"),
            "file_mb": rss_mb(field="RssFile")}


def run(url: str | None = None, *, rate: float = 50, seconds: float = 20, soak_seconds: float = 60) -> dict:
    from console.app import make_application

    make_application()
    with tempfile.TemporaryDirectory(prefix="bench_wall_") as folder:
        if url is None:
            url = f"sqlite:///{Path(folder) / 'wall.db'}"
            _demo(url)
        idle = phase(url, seconds=seconds, rate=None)
        live = phase(url, seconds=seconds, rate=rate)
        storm = phase(url, seconds=seconds, rate=rate, throttle=False)
        recycle_s = max(10.0, soak_seconds / 4)
        warmup_s = min(recycle_s * 1.5, max(2.0, soak_seconds / 4))
        memory = soak(url, seconds=soak_seconds, recycle_s=recycle_s, warmup_s=warmup_s)
    return {"rate": rate, "idle": idle, "throttled": live, "unthrottled": storm,
            "cpu_vs_idle": round(live["cpu_share"] / idle["cpu_share"], 2) if idle["cpu_share"] else None,
            "cpu_vs_unthrottled": round(live["cpu_share"] / storm["cpu_share"], 2) if storm["cpu_share"] else None,
            "reads_vs_unthrottled": round(live["board_reads"] / storm["board_reads"], 3) if storm["board_reads"] else None,
            "soak": memory}


def soak_only(url: str | None = None, *, rate: float = SOAK_RATE, seconds: float = 120,
              throttle_ms: int = SOAK_THROTTLE_MS, recycle_s: float | None = None,
              hall_speed: float = HALL_SPEED, trace_heap: bool = False, periodic_ms: int | None = None) -> dict:
    from console.app import make_application

    make_application()
    with tempfile.TemporaryDirectory(prefix="bench_wall_") as folder:
        if url is None:
            url = f"sqlite:///{Path(folder) / 'wall.db'}"
            _demo(url)
        return soak(url, seconds=seconds, rate=rate, throttle_ms=throttle_ms, hall_speed=hall_speed,
                    trace_heap=trace_heap, periodic_ms=periodic_ms,
                    recycle_s=recycle_s or max(10.0, min(seconds / 4, 300.0)))


def _demo(url: str) -> None:
    from console.data.db import Database
    from console.data.demo import generate
    from console.data.schema import upgrade

    db = Database(url)
    upgrade(db)
    generate(db, "small", seed=1, history_days=35, progress=lambda _m: None)
    db.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writer", nargs=4, metavar=("URL", "RATE", "SECONDS", "LEVEL"), help=argparse.SUPPRESS)
    parser.add_argument("--soak-only", action="store_true", help="only the memory soak")
    parser.add_argument("--db", help="a demo city with a wall account (default: the small demo, built here)")
    parser.add_argument("--rate", type=float, default=50.0, help="simulated reports per second")
    parser.add_argument("--seconds", type=float, default=20.0, help="length of each refresh phase")
    parser.add_argument("--soak-seconds", type=float, default=60.0, help="length of the accelerated soak")
    parser.add_argument("--soak-rate", type=float, default=SOAK_RATE, help="simulated reports per second in the soak")
    parser.add_argument("--soak-throttle-ms", type=int, default=SOAK_THROTTLE_MS, help="the soak's board throttle")
    parser.add_argument("--recycle-s", type=float, help="the soak's map page recycling period")
    parser.add_argument("--hall-speed", type=float, default=HALL_SPEED, help="the soak's hall seconds per real second")
    parser.add_argument("--soak-periodic-ms", type=int, help="the soak wall's read without changes")
    parser.add_argument("--trace-heap", action="store_true", help="the soak traces Python's allocations (tracemalloc)")
    parser.add_argument("--hall-clock", nargs=3, type=float, metavar=("REAL", "HALL", "SPEED"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.writer:
        url, rate, seconds, level = args.writer
        write(url, float(rate), float(seconds), None if int(level) < 0 else int(level),
              HallClock(*args.hall_clock) if args.hall_clock else None)
        return 0
    if args.soak_only:
        print(json.dumps(soak_only(args.db, rate=args.soak_rate, seconds=args.soak_seconds,
                                   throttle_ms=args.soak_throttle_ms, recycle_s=args.recycle_s,
                                   hall_speed=args.hall_speed, trace_heap=args.trace_heap,
                                   periodic_ms=args.soak_periodic_ms), ensure_ascii=False))
        return 0
    print(json.dumps(run(args.db, rate=args.rate, seconds=args.seconds, soak_seconds=args.soak_seconds),
                     ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

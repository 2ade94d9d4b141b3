"""Benchmark: resident memory of a workstation before and after an hour of `simulate`.

An operator workstation (``console.widgets.workstation.Workstation``, offscreen, with
its change feed) opens a demo city and is measured (RSS of this process, and of its
child processes such as QtWebEngine's renderer when the map is on).  Another process
then runs ``console.data.simulate.Simulator`` as fast as the database takes it for an
hour-equivalent of reports and workflow actions; every change reaches the seat
through the feed, as in a hall.  Once the feed has caught up with the log's top,
the seat is measured again.  RSS is reported whole and as its private heap
(``RssAnon``): SQLite memory-maps the database (``mmap_size``), so the file pages
in RSS rise and fall with what the queries touched; a leak shows in the heap.

Every measurement follows a garbage collection and ``malloc_trim`` (glibc), so RSS
counts memory in use, not heap a load once took and freed.  Baseline in the same
run: this process with Qt and the database open but no workstation yet; growth is reported in MB and in MB per 1,000 changes, over the
whole run and per phase (the run in equal parts: growth in the first may be caches
filling, growth that goes on in the later ones is a leak).

An hour-equivalent is the city's busiest hour: ``cases_per_day`` of ``--scale``
times the busiest hour's share of the demo's day (``HOUR_WEIGHTS``) reports, each
followed by ``--actions`` workflow actions, as ``urban-console simulate`` does.

Run: ``python -m console.bench.bench_memory --db sqlite:///metro.db [--scale metro] [--hours 1]
[--phases 2] [--no-map]`` (prints one JSON line).  Without ``--db`` it builds the tests' tiny city
in a temporary folder.
"""
from __future__ import annotations

import argparse
import ctypes
import gc
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

SETTLE_S = 2.0  # the loop runs this long before each measurement: deferred deletes, late paints
CATCH_UP_S = 60.0  # the feed must reach the log's top within this after the writer ends


def hour_reports(scale: str, hours: float = 1.0) -> int:
    """Reports in `hours` of the city's busiest hour (at least one)."""
    from console.data.demo.scales import SCALES
    from console.data.demo.stories import HOUR_WEIGHTS

    if scale not in SCALES:
        raise ValueError(f"未知的规模 (unknown scale) {scale!r}: one of {', '.join(SCALES)}")
    share = float(HOUR_WEIGHTS.max() / HOUR_WEIGHTS.sum())
    return max(1, round(SCALES[scale].cases_per_day * share * hours))


# --- memory ---------------------------------------------------------------------------------------


def rss_mb(pid: int | str = "self", field: str = "VmRSS") -> float:
    """A process's resident memory in MB (Linux /proc; 0.0 when it cannot be read).

    ``VmRSS`` is all of it; ``RssAnon`` its private heap (where a leak shows);
    ``RssFile`` file pages, here mostly SQLite's memory-mapped database, which
    come and go with what the queries touched.
    """
    try:
        for line in Path(f"/proc/{pid}/status").read_text(encoding="ascii").splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1]) / 1024
    except (OSError, ValueError):
        pass
    return 0.0


def _sample(window, feed) -> dict:  # noqa: ANN001
    return {"rss_mb": rss_mb(), "anon_mb": rss_mb(field="RssAnon"), "file_mb": rss_mb(field="RssFile"),
            "children_rss_mb": children_rss_mb(), "queue_rows": window.queue.model.rowCount(),
            "rev": feed.last_rev}


def children_rss_mb() -> float:
    """Resident memory of this process's descendants (QtWebEngine's processes), in MB."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text(encoding="ascii").rsplit(")", 1)[1].split()
            parents[int(stat.parent.name)] = int(fields[1])
        except (OSError, ValueError, IndexError):
            continue
    ours, found = {os.getpid()}, True
    while found:
        found = False
        for pid, ppid in parents.items():
            if ppid in ours and pid not in ours:
                ours.add(pid)
                found = True
    return sum(rss_mb(pid) for pid in ours - {os.getpid()})


def _trim_heap() -> None:
    """Give freed heap back to the system (glibc), so RSS counts live memory, not what a load once took."""
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: RSS then includes freed but kept heap
        pass


def _settle(seconds: float = SETTLE_S) -> None:
    """Run the Qt loop for a while (deferred deletes, paints), collect garbage, trim the heap."""
    from PySide6.QtCore import QCoreApplication, QEvent, QEventLoop, QTimer

    loop = QEventLoop()
    QTimer.singleShot(int(seconds * 1000), loop.quit)
    loop.exec()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    gc.collect()
    _trim_heap()


def _wait(done: Callable[[], bool], timeout_s: float) -> bool:
    """Run the Qt loop until `done()` or the timeout; whether it was done."""
    from PySide6.QtCore import QEventLoop, QTimer

    deadline = time.monotonic() + timeout_s
    loop = QEventLoop()
    ticker = QTimer()
    ticker.setInterval(50)
    ticker.timeout.connect(lambda: (done() or time.monotonic() > deadline) and loop.quit())
    ticker.start()
    if not done():
        loop.exec()
    ticker.stop()
    return done()


# --- the writer (a separate process) --------------------------------------------------------------


def write_simulation(url: str, reports: int, actions: int, seed: int, out: str) -> None:
    """`reports` ticks of the simulator as fast as the database takes them; its summary to `out`."""
    from console.data.db import Database
    from console.data.simulate import MAX_RATE, Simulator

    db = Database(url)
    try:
        simulator = Simulator(db, seed=seed, actions_per_report=actions)
        result = simulator.run(rate=MAX_RATE, duration=reports / MAX_RATE)
        Path(out).write_text(json.dumps(result.as_dict(), ensure_ascii=False), encoding="utf-8")
    finally:
        db.dispose()


# --- the seat (this process) ------------------------------------------------------------------------


def _top_rev(db) -> int:  # noqa: ANN001
    from sqlalchemy import func, select

    from console.data import models as m

    with db.read() as s:
        return int(s.scalar(select(func.coalesce(func.max(m.ChangeLog.rev), 0))))


def measure(url: str, *, reports: int, actions: int = 1, with_map: bool = True, seed: int = 1,
            phases: int = 1) -> dict:
    """RSS of a workstation on `url` before and after `reports` simulated reports reach it by the feed.

    The reports run in `phases` equal parts, measured after each: growth that goes on in
    the later parts is a leak, growth in the first one may be caches filling.
    """
    from console.app import make_application
    from console.data.db import Database
    from console.services.feed import ChangeFeed
    from console.services.session import Seat, Session
    from console.widgets.workstation import Workstation

    make_application()
    db = Database(url)
    db.rules()
    _settle(0.2)
    baseline = {"rss_mb": rss_mb(), "anon_mb": rss_mb(field="RssAnon")}
    session = Session(db=db, username="bench-memory", display_name="内存压测席", role="leader",
                      seat_name="观察席", seat=Seat("operator"))
    feed = ChangeFeed.for_database(db)
    window = Workstation(session, feed=feed, with_map=with_map)
    try:
        window.show()
        window.start()
        _settle(SETTLE_S * (3 if with_map else 1))  # the map page loads in its own process
        before = _sample(window, feed)
        steps, caught_up, runs = [], True, []
        for phase in range(phases):
            runs.append(_simulate(url, max(1, reports // phases), actions, seed + phase))
            top = _top_rev(db)
            caught_up = _wait(lambda: feed.last_rev >= top, CATCH_UP_S) and caught_up
            _settle()
            steps.append(_sample(window, feed))
        after = steps[-1]
        run = {key: sum(r[key] for r in runs) for key in ("reports", "actions", "seconds")}
    finally:
        window.stop()
        window.close()
        window.deleteLater()
        _settle(0.2)
        db.dispose()
    phased = _phases(before, steps)
    steady = phased[-1]["heap_growth_mb_per_1000_changes"] if len(phased) > 1 else None
    return {**_figures(baseline, before, after, run, caught_up, with_map),
            "steady_heap_growth_mb_per_1000_changes": steady,  # the last phase: past the first load's caches
            "phases": phased}


def _phases(before: dict, steps: list[dict]) -> list[dict]:
    """Changes and growth (all RSS, and the heap) of each part of the run."""
    out, previous = [], before
    for step in steps:
        out.append({"changes": step["rev"] - previous["rev"], "rss_mb": round(step["rss_mb"], 1),
                    "anon_mb": round(step["anon_mb"], 1), **_growth(previous, step)})
        previous = step
    return out


def _growth(before: dict, after: dict) -> dict:
    changes = after["rev"] - before["rev"]
    rss, heap = after["rss_mb"] - before["rss_mb"], after["anon_mb"] - before["anon_mb"]
    return {"growth_mb": round(rss, 1), "heap_growth_mb": round(heap, 1),
            "growth_mb_per_1000_changes": round(rss / changes * 1000, 2) if changes else None,
            "heap_growth_mb_per_1000_changes": round(heap / changes * 1000, 2) if changes else None}


def _simulate(url: str, reports: int, actions: int, seed: int) -> dict:
    """The writer process; the seat's loop keeps running (and applying deltas) meanwhile."""
    out = Path(tempfile.mkstemp(prefix="bench_memory_", suffix=".json")[1])
    try:
        proc = subprocess.Popen([sys.executable, "-m", "console.bench.bench_memory", "--writer", url,
                                 str(reports), str(actions), str(seed), str(out)])
        _wait(lambda: proc.poll() is not None, 24 * 3600)
        if proc.returncode:
            raise RuntimeError(f"simulate writer failed with exit code {proc.returncode}")
        return json.loads(out.read_text(encoding="utf-8"))
    finally:
        out.unlink(missing_ok=True)


def _figures(baseline: dict, before: dict, after: dict, run: dict, caught_up: bool, with_map: bool) -> dict:
    return {
        "with_map": with_map,
        "reports": run["reports"], "actions": run["actions"], "simulate_s": run["seconds"],
        "changes": after["rev"] - before["rev"], "caught_up": caught_up,
        "rss_without_workstation_mb": round(baseline["rss_mb"], 1),
        "heap_without_workstation_mb": round(baseline["anon_mb"], 1),
        "rss_before_mb": round(before["rss_mb"], 1), "rss_after_mb": round(after["rss_mb"], 1),
        "heap_before_mb": round(before["anon_mb"], 1), "heap_after_mb": round(after["anon_mb"], 1),
        "mapped_files_before_mb": round(before["file_mb"], 1), "mapped_files_after_mb": round(after["file_mb"], 1),
        "workstation_mb": round(before["rss_mb"] - baseline["rss_mb"], 1),
        **_growth(before, after),
        "after_vs_before": round(after["rss_mb"] / before["rss_mb"], 3) if before["rss_mb"] else None,
        "children_rss_before_mb": round(before["children_rss_mb"], 1),
        "children_rss_after_mb": round(after["children_rss_mb"], 1),
        "queue_rows_before": before["queue_rows"], "queue_rows_after": after["queue_rows"],
    }


def run(url: str | None = None, *, scale: str = "metro", hours: float = 1.0, actions: int = 1,
        with_map: bool = True, reports: int | None = None, phases: int = 2) -> dict:
    """Measure on `url` (a demo city at `scale`), or on the tiny city in a temporary folder.

    The hours run in `phases` parts (see :func:`measure`).
    """
    count = reports or hour_reports(scale, hours)
    kw = dict(reports=count, actions=actions, with_map=with_map, phases=phases)
    if url is not None:
        return {"city": scale, "hour_of": scale, "hours": hours, **measure(url, **kw)}
    from console.data.db import Database
    from console.data.demo.tiny import seed_tiny_city
    from console.data.schema import upgrade

    with tempfile.TemporaryDirectory(prefix="bench_memory_") as folder:
        tiny = f"sqlite:///{Path(folder) / 'console.db'}"
        db = Database(tiny)
        upgrade(db)
        seed_tiny_city(db)
        db.dispose()
        return {"city": "tiny", "hour_of": scale, "hours": hours, **measure(tiny, **kw)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writer", nargs=5, metavar=("URL", "REPORTS", "ACTIONS", "SEED", "OUT"),
                        help=argparse.SUPPRESS)
    parser.add_argument("--db", help="a demo city generated earlier (default: the tiny city, built here)")
    parser.add_argument("--scale", default="metro", help="the scale the city was generated at (sets the hour)")
    parser.add_argument("--hours", type=float, default=1.0, help="hour-equivalents of simulate")
    parser.add_argument("--actions", type=int, default=1, help="workflow actions per report")
    parser.add_argument("--phases", type=int, default=2, help="parts of the run, measured after each")
    parser.add_argument("--no-map", action="store_true", help="a workstation without its map page")
    args = parser.parse_args(argv)
    if args.writer:
        url, reports, actions, seed, out = args.writer
        write_simulation(url, int(reports), int(actions), int(seed), out)
        return 0
    if args.phases < 1 or not 0 < args.hours <= 24:
        parser.error(f"--phases {args.phases} / --hours {args.hours:g}: at least one phase, hours in (0, 24]")
    result = run(args.db, scale=args.scale, hours=args.hours, actions=args.actions, with_map=not args.no_map,
                 phases=args.phases)
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

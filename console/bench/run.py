"""The performance suite: `urban-console bench [--quick] [--json]`.

Every figure is measured in one run beside its baseline, and reported as a
ratio where there is one; tests never assert times.  Full runs generate the
`metro` demo (1,000,000 cases) on SQLite and on PostgreSQL: expect tens of
minutes on a 2-core machine.  `--quick` uses the `small` city.  `--on URL`
times the open-case queue on a database generated earlier (generates nothing).
"""
from __future__ import annotations

import os
import statistics
import tempfile
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator

from sqlalchemy import select, text

from console.data.db import make_engine

DEFAULT_PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def timed(fn: Callable[[], Any], repeat: int) -> dict[str, Any]:
    """Median, fastest and slowest of `repeat` timed runs (after one warm-up), and the last result."""
    result = fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - t0) * 1000)
    return {"median": statistics.median(times), "min": min(times), "max": max(times), "result": result}


@contextmanager
def fresh_demo(scale: str, name: str = "demo") -> Iterator[tuple[str, float, dict[str, Any]]]:
    """A demo city at `scale` generated on SQLite in a temporary directory: (URL, seconds to generate, summary);
    the directory is removed afterwards."""
    from console.data.db import Database
    from console.data.demo import generate
    from console.data.schema import upgrade

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/{name}.db"
        db = Database(url)
        try:
            upgrade(db)
            t0 = time.perf_counter()
            summary = generate(db, scale=scale, seed=1)
            generate_s = round(time.perf_counter() - t0, 1)
        finally:
            db.dispose()
        yield url, generate_s, summary


def _timed(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    """Median wall time in ms over `repeat` runs (after one warm-up), and the last result."""
    run = timed(fn, repeat)
    return run["median"], run["result"]


def bench_lights(n: int) -> dict[str, Any]:
    from console.bench.bench_lights import run

    return run(n=n)


def _open_queue_naive(db) -> list[int]:  # noqa: ANN001
    """Baseline: read every case's state and filter in Python."""
    from console.data import models as m
    from console.data.commands import OPEN_STATES

    with db.read() as s:
        return [cid for cid, state in s.execute(select(m.Case.id, m.Case.state)) if state in OPEN_STATES]


def bench_database(label: str, url: str, scale: str, seed: int = 1) -> dict[str, Any]:
    """Generate the demo at `scale`, then time the open-case queue against a naive scan."""
    from console.data.db import Database
    from console.data.demo import generate
    from console.data.schema import upgrade

    db = Database(url)
    upgrade(db)
    t0 = time.perf_counter()
    summary = generate(db, scale=scale, seed=seed, progress=lambda _msg: None)
    generate_s = time.perf_counter() - t0
    db.dispose()
    from console.bench.bench_alerts import run as bench_alerts
    from console.bench.bench_evaluation import run as bench_evaluation
    from console.bench.bench_leader import run as bench_leader

    return {"database": label, "scale": scale, "cases": summary.get("cases"), "generate_s": round(generate_s, 1),
            **measure_database(url), "alerts": bench_alerts(url),
            "evaluation": bench_evaluation(url),  # a month of every scope family against the naive count
            "leader_seat": bench_leader(url)}  # the leader seat's first paint against its figures' own time


def measure_database(url: str, repeat: int = 15) -> dict[str, Any]:
    """Time the open-case queue, the naive scan and the light counts on a database as it is."""
    from console.data.db import Database
    from console.data.figures import count_by_light
    from console.data.queue_and_detail import load_queue

    db = Database(url)
    try:
        queue = timed(lambda: load_queue(db), repeat)
        naive_ms, naive = _timed(lambda: _open_queue_naive(db), repeat=1)
        lights_ms, lights = _timed(lambda: count_by_light(db), repeat=5)
        rows = queue["result"]
        return {
            "size_mb": round(_database_size(db) / 1e6, 1),
            "open_cases": len(rows),
            "open_queue_ms": round(queue["median"], 1),
            "open_queue_range_ms": [round(queue["min"], 1), round(queue["max"], 1)],
            "open_queue_runs": repeat,
            "naive_scan_ms": round(naive_ms, 1),
            "queue_speedup": round(naive_ms / queue["median"], 1) if queue["median"] else None,
            "lights_count_ms": round(lights_ms, 1),
            "lights": lights,
            "naive_agrees": sorted(r.id for r in rows) == sorted(naive),
        }
    finally:
        db.dispose()


def _database_size(db) -> int:  # noqa: ANN001
    if db.dialect == "sqlite":
        path = Path(db.engine.url.database)
        return sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))
    with db.engine.connect() as conn:
        return conn.execute(text("SELECT pg_database_size(current_database())")).scalar()


def run_all(*, quick: bool = False, db_url: str | None = None, pg_url: str | None = None) -> dict[str, Any]:
    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # the Qt benchmarks draw offscreen
    from console.bench import bench_crs, bench_feed, bench_map, bench_queue, bench_sign_in, bench_start

    scale = "small" if quick else "metro"
    result: dict[str, Any] = {"lights": bench_lights(20_000 if quick else 100_000)}
    result["queue_model"] = bench_queue.run(n_rows=2_000 if quick else 10_000, changes=200 if quick else 1_000)
    result["map"] = bench_map.run(n=2_000 if quick else 10_000)
    result["crs"] = bench_crs.run(points=1_000 if quick else 5_000, queries=50 if quick else 200)
    result["feed"] = bench_feed.run(seconds=3 if quick else 10, rate=50)
    result["second_seat"] = bench_feed.run(seconds=3 if quick else 10, rate=50, seat=True)  # the 50 reports/s
    # and as simulate writes: each report followed by a workflow action (two changes a report)
    result["second_seat_simulate"] = bench_feed.run(seconds=3 if quick else 10, rate=50, seat=True, actions=True)
    result["sign_in_flood"] = bench_sign_in.run(seconds=3 if quick else 8)
    from console.bench import bench_video

    # open-to-first-frame (file, loopback HTTP), snapshot, CPU of a 3x3 camera wall: issue 11
    result["video"] = bench_video.run(seconds=2 if quick else 5, repeat=3 if quick else 7)
    from console.bench import bench_wall  # the wall under simulate (throttled vs idle / unthrottled), its soak

    result["wall"] = bench_wall.run(rate=50, seconds=5 if quick else 20, soak_seconds=20 if quick else 300)
    # cold start to a usable workstation and the longest UI stall (reload, hung PostgreSQL): issue 9
    result["seat_start"] = bench_start.run(scales=("small",) if quick else ("city", "metro"),
                                           pg_admin=pg_url or os.environ.get("URBAN_CONSOLE_BENCH_PG"))
    with tempfile.TemporaryDirectory() as tmp:
        sqlite_url = db_url if db_url and db_url.startswith("sqlite") else f"sqlite:///{tmp}/bench.db"
        result["sqlite"] = bench_database("sqlite", sqlite_url, scale)
        result["memory"] = bench_memory_on(sqlite_url, scale)
    admin_url = pg_url or os.environ.get("URBAN_CONSOLE_BENCH_PG", DEFAULT_PG_ADMIN)
    result["postgresql"] = _with_pg_database(admin_url, lambda url: bench_database("postgresql", url, scale))
    from console.bench import bench_roads

    result["roads"] = bench_roads.run(scale="small" if quick else "city")  # `roads score` vs a naive count
    from console.bench import bench_brief

    result["brief"] = bench_brief.run(scale="small" if quick else "city")  # a day's brief vs its figures alone
    return result


def _with_pg_database(admin_url: str, fn: Callable[[str], Any]) -> Any:
    admin = make_engine(admin_url, isolation_level="AUTOCOMMIT")  # bounded connect, like every engine
    name = f"uc_bench_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        return fn(admin_url.rsplit("/", 1)[0] + "/" + name)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def bench_memory_on(url: str, scale: str) -> dict[str, Any]:
    """A workstation's resident memory on the city just generated, before and after an hour of simulate."""
    from console.bench.bench_memory import run

    return run(url, scale=scale)

"""The wall benchmark runs end to end on the tiny city and reports every figure (no times asserted)."""
from __future__ import annotations

import shutil
import time
from pathlib import Path
from datetime import datetime, timedelta, timezone

from sqlalchemy import func, select

from console.bench import bench_wall
from console.data import models as m
from console.data.accounts import add_user
from console.data.db import Database


def test_bench_wall_quick_run_reports_the_phases_and_the_soak(sqlite_template, tmp_path, qapp):
    path = tmp_path / "wall.db"
    shutil.copy(sqlite_template, path)
    db = Database(f"sqlite:///{path}")
    add_user(db, "wall1", "wall", password="Wall-Display-2026")
    db.dispose()
    result = bench_wall.run(f"sqlite:///{path}", rate=10, seconds=2, soak_seconds=4)
    for phase in ("idle", "throttled", "unthrottled"):
        assert {"cpu_share", "worst_stall_ms", "board_reads"} <= set(result[phase])
    assert result["throttled"]["reports"] > 0 and result["unthrottled"]["board_reads"] > 0
    soak = result["soak"]
    for key in ("total_growth", "total_growth_from_cold", "second_half_total_growth", "heap_growth",
                "webengine_growth", "equivalent_hall_hours", "open_level", "warmup_reports"):
        assert key in soak, key
    for stage in ("cold_mb", "before_mb", "half_mb", "after_mb"):
        assert {"rss_mb", "heap_mb", "children_mb", "file_mb"} <= set(soak[stage]) and soak[stage]["heap_mb"] > 0
    assert soak["board_reads"] > 0 and soak["reports"] > 0
    assert soak["hall_speed"] == bench_wall.HALL_SPEED and soak["hall_hours"] > 0  # the soak ran on hall time
    # the hall is held level: the simulated reports are closed about as fast as they come
    assert soak["open_cases_after"] <= soak["open_level"] + 2


def test_the_hall_clock_runs_speed_times_faster_from_its_origin():
    real = time.time() - 10  # ten real seconds ago
    clock = bench_wall.HallClock(real_origin=real, hall_origin=real + 86400, speed=360)
    hall = clock().timestamp()
    assert real + 86400 + 3600 <= hall <= real + 86400 + 3600 + 360 * 5  # an hour on, give or take this test's own time
    assert bench_wall.HallClock(*[float(v) for v in clock.argv()[1:]]) == clock  # what the writer's command line carries


def test_the_soak_writer_files_its_reports_at_hall_time(sqlite_template, tmp_path):
    path = tmp_path / "wall.db"
    shutil.copy(sqlite_template, path)
    url = f"sqlite:///{path}"
    three_days_on = bench_wall.HallClock(time.time(), time.time() + 3 * 86400, 1.0)
    writer = bench_wall._writer(url, 20, 0.5, None, three_days_on)
    assert writer.wait(timeout=60) == 0
    db = Database(url)
    try:
        with db.read() as s:
            newest = s.scalar(select(func.max(m.Case.created_at)))
    finally:
        db.dispose()
    ahead = newest.replace(tzinfo=timezone.utc) - datetime.now(timezone.utc)
    assert timedelta(days=2, hours=23) < ahead < timedelta(days=3, hours=1)


def test_the_heap_trace_names_the_line_whose_allocations_grew():
    import tracemalloc

    tracemalloc.start(1)
    try:
        start = tracemalloc.take_snapshot()
        kept = [bytes(1000) + bytes([i % 256]) for i in range(2000)]  # ~2 MB held on this line
        end = tracemalloc.take_snapshot()
    finally:
        tracemalloc.stop()
    grew = bench_wall._heap_growth(start, end)
    top = grew["lines"][0]
    assert top["where"].endswith(f"test_bench_wall.py:{_line_of('kept = [bytes(1000)')}") and top["grew_kb"] > 1900
    assert top["blocks_grew"] >= 2000 and grew["traced_mb"][1] - grew["traced_mb"][0] > 1.8
    assert len(kept) == 2000


def _line_of(text: str) -> int:
    lines = Path(__file__).read_text(encoding="utf-8").splitlines()
    return next(n for n, line in enumerate(lines, 1) if text in line and "_line_of" not in line)

"""The wall benchmark runs end to end on the tiny city and reports every figure (no times asserted)."""
from __future__ import annotations

import shutil

from console.bench import bench_wall
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
    for key in ("heap_before_mb", "heap_after_mb", "file_before_mb", "file_after_mb", "second_half_heap_growth",
                "second_half_webengine_growth", "equivalent_hall_hours"):
        assert key in soak, key
    assert soak["heap_before_mb"] > 0 and soak["board_reads"] > 0

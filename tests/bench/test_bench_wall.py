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
    for key in ("total_growth", "total_growth_from_cold", "second_half_total_growth", "heap_growth",
                "webengine_growth", "equivalent_hall_hours", "open_level", "warmup_reports"):
        assert key in soak, key
    for stage in ("cold_mb", "before_mb", "half_mb", "after_mb"):
        assert {"rss_mb", "heap_mb", "children_mb", "file_mb"} <= set(soak[stage]) and soak[stage]["heap_mb"] > 0
    assert soak["board_reads"] > 0 and soak["reports"] > 0
    # the hall is held level: the simulated reports are closed about as fast as they come
    assert soak["open_cases_after"] <= soak["open_level"] + 2

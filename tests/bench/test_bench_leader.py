"""The leader seat's benchmark runs on the hand-built month (both backends): figures and first paint timed,
the ratio computed in the same run (never asserted against a wall-clock limit)."""
from __future__ import annotations

import json

from console.bench import bench_leader
from console.data.accounts import add_user
from tests.data.test_evaluation import build_month
from tests.widgets.test_leader import NOW


def test_the_benchmark_times_the_figures_and_the_first_paint(db, qapp):
    build_month(db)
    add_user(db, "leader1", "leader", password="Leader-pass-1")
    result = bench_leader.run(db.url, kind="week", repeat=1, now=NOW)
    assert result["database"] == db.dialect and result["kind"] == "week"
    assert result["streets"] == 2 and result["departments"] >= 2
    assert result["figures_ms"] > 0 and result["first_paint_ms"] > 0 and result["first_paint_cold_ms"] > 0
    assert abs(result["ratio"] - result["first_paint_ms"] / result["figures_ms"]) < 0.05  # both of this run
    json.dumps(result)  # one JSON line

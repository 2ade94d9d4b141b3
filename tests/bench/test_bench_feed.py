"""The feed benchmark runs on both backends and reports figures beside its baseline (no times asserted)."""
from __future__ import annotations

from console.bench import bench_feed


def test_bench_feed_quick_run_reports_both_backends_and_their_baselines(qapp):
    result = bench_feed.run(seconds=1, rate=20)
    for backend in ("sqlite", "postgresql"):
        figures = result[backend]
        assert figures["changes"] == 20 and figures["missing"] == 0
        assert figures["baseline"]["delivered"] == 20 and figures["baseline"]["strategy"]
        assert {"p50_ms", "p95_ms", "max_ms"} <= set(figures) and {"p50_ms", "p95_ms", "max_ms"} <= set(figures["baseline"])
    assert result["met"]["complete"] is True
    assert set(result["verdict"]) == {"sqlite_p95", "postgresql_p95", "stall"}
    assert all(v.startswith(("pass: ", "FAIL: ")) for v in result["verdict"].values())


def test_bench_feed_second_seat_follows_reports_and_simulate_actions(qapp):
    """`--seat --with-actions`: a whole workstation follows reports each followed by a workflow action."""
    figures = bench_feed.run_sqlite(1, 10, seat=True, actions=True)
    assert figures["with_actions"] is True and figures["changes"] == 10 and figures["missing"] == 0
    assert figures["cpu_ms_per_change"] > 0 and figures["baseline"]["delivered"] == 10

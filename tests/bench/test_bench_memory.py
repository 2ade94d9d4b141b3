"""The memory benchmark runs a workstation through simulated changes on the tiny city (no sizes asserted)."""
from __future__ import annotations

import pytest

from console.bench import bench_memory


def test_bench_memory_runs_a_seat_through_simulate_on_the_tiny_city(qapp):
    result = bench_memory.run(None, scale="small", reports=6, with_map=False, phases=2)
    assert result["city"] == "tiny" and result["reports"] == 6 and result["actions"] >= 1
    assert [p["changes"] > 0 for p in result["phases"]] == [True, True]
    assert sum(p["changes"] for p in result["phases"]) == result["changes"]
    assert result["caught_up"] is True and result["changes"] >= result["reports"]
    assert result["queue_rows_after"] > result["queue_rows_before"]  # the deltas reached the seat's queue
    assert result["rss_before_mb"] > 0 and result["rss_after_mb"] > 0
    rounding = 0.05 * 1000 / result["changes"] + 0.01  # growth_mb is rounded to 0.1 MB
    assert result["growth_mb_per_1000_changes"] == pytest.approx(result["growth_mb"] / result["changes"] * 1000,
                                                                 abs=rounding)


def test_an_hour_is_the_busiest_hour_of_the_scale():
    assert bench_memory.hour_reports("metro") > bench_memory.hour_reports("city") > bench_memory.hour_reports("small")
    assert bench_memory.hour_reports("metro", hours=2) == pytest.approx(2 * bench_memory.hour_reports("metro"), abs=1)
    with pytest.raises(ValueError, match="unknown scale"):
        bench_memory.hour_reports("megacity")

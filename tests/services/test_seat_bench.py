"""The seat benchmarks run and print their figures (tiny city, short hang): no timing is asserted."""
from __future__ import annotations

import json

from console.bench import bench_start
from tests.conftest import PG_ADMIN_URL


def test_the_start_and_stall_benchmarks_run_on_the_tiny_city(qapp, capsys, monkeypatch):
    monkeypatch.setenv("URBAN_CONSOLE_BENCH_PG", PG_ADMIN_URL)
    assert bench_start.main(["--tiny", "--hang", "2.5"]) == 0
    figures = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    start, reload = figures["tiny"]["cold_start"], figures["tiny"]["reload"]
    assert start["cases"] == 20 and start["cold_start_ms"] > 0 and start["bare_reads_ms"] > 0
    assert set(reload) == {"worker_longest_gap_ms", "ui_thread_baseline_longest_gap_ms", "ratio_worker_to_baseline"}
    hung = figures["hung_postgresql"]
    assert hung["stale_banner_shown"] is True and hung["ticks"] > 0 and hung["longest_gap_ms"] > 0

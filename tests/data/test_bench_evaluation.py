"""The evaluation benchmark runs on the tiny city (both backends): every family timed, the naive count agreeing."""
from __future__ import annotations

import json

from console.bench import bench_evaluation
from console.bench.bench_evaluation import FAMILIES, last_whole_month

from tests.data.test_evaluation import build_month


def test_the_benchmark_times_every_family_and_agrees_with_the_naive_count(db, capsys):
    build_month(db)
    assert last_whole_month(db) == "2026-10"  # the newest case is of November
    assert bench_evaluation.main([db.url, "--period", "2026-11", "--repeat", "1"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["period"] == "2026-11" and result["month_cases"] == 11
    assert tuple(result["families"]) == FAMILIES
    for family, figures in result["families"].items():
        assert figures["agrees"], family
        assert figures["evaluate_s"] > 0 and figures["naive_s"] > 0
    assert result["families"]["street"]["scopes"] == 2 and result["families"]["dispatcher"]["scopes"] == 1


def test_the_table_names_each_family(db, capsys):
    build_month(db)
    assert bench_evaluation.main([db.url, "--period", "2026-11", "--repeat", "1", "--table"]) == 0
    out = capsys.readouterr().out
    assert all(family in out for family in FAMILIES) and "naive/eval" in out

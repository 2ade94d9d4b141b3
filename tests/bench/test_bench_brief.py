"""The brief benchmark: a day's brief end to end beside its baselines, measured in the same run (no times asserted)."""
from __future__ import annotations

from console.bench import bench_brief
from tests.data.test_evaluation import build_month


def test_bench_brief_reports_the_brief_beside_the_figures_alone(sqlite_template, tmp_path, qapp):
    import shutil

    from console.data.db import Database

    shutil.copy(sqlite_template, tmp_path / "b.db")
    url = f"sqlite:///{tmp_path / 'b.db'}"
    db = Database(url)
    build_month(db)
    db.dispose()
    result = bench_brief.measure(url, day="2026-11-26", repeat=1)
    assert result["day"] == "2026-11-26" and result["pages"] >= 3 and result["pdf_bytes"] > 10_000
    assert set(result["median_ms"]) == {"figures", "pdf_no_pictures", "brief"}
    assert result["brief_over_figures"] > 0 and result["brief_over_pdf_no_pictures"] > 0
    assert isinstance(result["under_target"], bool)

"""Benchmark: a day's brief end to end (figures, map, charts, PDF and workbook) against baselines in the same run.

after:     console.reports.write_brief: the shared figures, the grid-heat map and the charts drawn at
           300 dpi, every page painted to PDF, the same tables to Excel.
baselines: the figures alone (content.brief: every query the brief makes, no Qt), and the PDF of the
           same report without its pictures (what the map and the charts cost).
The target is a brief under 5 s on the metro demo; the suite measures the city (`--on URL` for another).

Run: ``python -m console.bench.bench_brief [--scale small|city] [--on URL] [--date YYYY-MM-DD]`` (one JSON line).
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import os
import tempfile
from datetime import timedelta
from pathlib import Path
from typing import Any

from console.bench.run import fresh_demo, timed

TARGET_S = 5.0


def _last_full_day(db: Any) -> str:
    from sqlalchemy import func, select

    from console.data import models as m
    from console.domain.evaluation import SHANGHAI

    with db.read() as s:
        newest = s.scalar(select(func.max(m.Case.created_at)))
    if newest is None:
        raise ValueError("数据库中没有案件 (no cases: nothing to brief)")
    return (newest.astimezone(SHANGHAI) - timedelta(days=1)).date().isoformat()


def measure(url: str, day: str | None = None, repeat: int = 3) -> dict[str, Any]:
    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from console.data.db import Database
    from console.reports import content, gui, write_brief
    from console.reports.files import write_report
    from console.reports.model import Chart, HeatMap

    gui()
    db = Database(url)
    day = day or _last_full_day(db)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        figures = timed(lambda: content.brief(db, day), repeat)
        report = figures["result"]
        text_only = tuple(b for b in report.blocks if not isinstance(b, (Chart, HeatMap)))
        bare = dataclasses.replace(report, blocks=text_only)
        no_pictures = timed(lambda: (content.brief(db, day), write_report(bare, out / "bare.pdf")), repeat)
        brief = timed(lambda: write_brief(db, day, out / "brief.pdf", xlsx=out / "brief.xlsx"), repeat)
        pages = brief["result"]
        size = (out / "brief.pdf").stat().st_size
    db.dispose()
    ms = {name: round(t["median"], 1) for name, t in (("figures", figures), ("pdf_no_pictures", no_pictures),
                                                       ("brief", brief))}
    ratio = lambda base: round(ms["brief"] / ms[base], 2) if ms[base] else None  # noqa: E731
    return {"day": day, "pages": pages, "pdf_bytes": size, "median_ms": ms,
            "brief_over_figures": ratio("figures"), "brief_over_pdf_no_pictures": ratio("pdf_no_pictures"),
            "target_s": TARGET_S, "under_target": ms["brief"] / 1000 < TARGET_S}


def run(scale: str = "city", repeat: int = 3) -> dict[str, Any]:
    """Generate the demo at `scale` on SQLite in a temporary directory and measure a day's brief on it."""
    with fresh_demo(scale, "brief") as (url, generate_s, _summary):
        return {"scale": scale, "generate_s": generate_s, **measure(url, repeat=repeat)}


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m console.bench.bench_brief")
    parser.add_argument("--scale", choices=["small", "city", "metro"], default="city")
    parser.add_argument("--on", metavar="URL", help="an existing database (generates nothing)")
    parser.add_argument("--date", help="YYYY-MM-DD (default: the day before its latest case)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    result = measure(args.on, args.date, args.repeat) if args.on else run(args.scale, args.repeat)
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()

"""Benchmark: `roads score` for a month (issue 10) against a naive Python baseline in the same run.

after:    console.data.roads.score_month: one GROUP BY per kind of deduction, segments and
          chiefs aggregated in Python (hundreds of rows), flags recorded.
baseline: load the month's cases, 处置 clocks, events, 督办 and findings as rows and count
          per segment in Python, then the same domain scores.

Both run on the same database; the figure is the ratio baseline / after and whether the
two agree on every segment's counts.  Default: a fresh `city` demo on SQLite in a temporary
directory; `--on URL` measures a database generated earlier (e.g. a metro demo).

Run: ``python -m console.bench.bench_roads [--scale small|city|metro] [--on URL]`` (one JSON line).
"""
from __future__ import annotations

import argparse
import json
from collections import Counter
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import select

from console.bench.run import fresh_demo, timed
from console.data import models as m
from console.domain.roads import DEDUCTIONS, parse_month


def _median_ms(fn, repeat: int) -> tuple[float, Any]:  # noqa: ANN001
    times = timed(fn, repeat)  # after one warm-up
    return times["median"], times["result"]


def naive_counts(db, month: str, now: datetime) -> dict[int, Counter]:  # noqa: ANN001
    """The baseline: the month's rows into Python, counted per segment in loops."""
    w = parse_month(month)
    inside = lambda t: t is not None and w.start <= t < w.end  # noqa: E731
    out: dict[int, Counter] = {}
    with db.read() as s:
        findings = s.execute(select(m.RoadFinding.segment_id, m.RoadFinding.found_at, m.RoadFinding.case_id)).all()
        from_finding = {case_id for _seg, _at, case_id in findings if case_id}
        segment_of = {}
        for cid, seg, created, condition, state in s.execute(select(
                m.Case.id, m.Case.road_segment_id, m.Case.created_at, m.Case.condition_code, m.Case.state)
                .where(m.Case.road_segment_id.is_not(None))):
            segment_of[cid] = seg
            if inside(created) and condition is not None and state != "cancelled" and cid not in from_finding:
                out.setdefault(seg, Counter())["problems"] += 1
        for seg, at, _case in findings:
            if inside(at):
                out.setdefault(seg, Counter())["problems"] += 1
        late = set()  # (case, department): a case overdue at two departments in turn is two overdue disposals
        for cid, dept, red_since, red_at, stopped in s.execute(select(
                m.CaseStepClock.case_id, m.CaseStepClock.department_id, m.CaseStepClock.red_since,
                m.CaseStepClock.red_at, m.CaseStepClock.stopped_at).where(m.CaseStepClock.step == "dispose")):
            running_red = red_since is None and stopped is None and red_at is not None and w.start <= red_at < min(w.end, now)
            if cid in segment_of and (inside(red_since) or running_red):
                late.add((cid, dept))
        for cid, _dept in late:
            out.setdefault(segment_of[cid], Counter())["overdue_disposals"] += 1
        for cid, at in s.execute(select(m.CaseEvent.case_id, m.CaseEvent.at).where(m.CaseEvent.action == "check_fail")):
            if cid in segment_of and inside(at):
                out.setdefault(segment_of[cid], Counter())["reworks"] += 1
        for cid, at in s.execute(select(m.UrgeRecord.case_id, m.UrgeRecord.at).where(m.UrgeRecord.kind == "supervise")):
            if cid in segment_of and inside(at):
                out.setdefault(segment_of[cid], Counter())["supervisions"] += 1
    return out


def measure(url: str, month: str | None = None, repeat: int = 3) -> dict[str, Any]:
    """Time `roads score` and the baseline on the database at `url` as it is."""
    from console.data.db import Database
    from console.data.roads import score_month

    db = Database(url)
    try:
        with db.read() as s:
            cases = s.scalar(select(m.Case.id).order_by(m.Case.id.desc()).limit(1)) or 0
            latest = s.scalar(select(m.Case.created_at).order_by(m.Case.created_at.desc()).limit(1))
        now = latest or datetime.now(timezone.utc)
        month = month or _last_full_month(now)
        after_ms, scored = _median_ms(lambda: score_month(db, month, now=now), repeat)
        naive_ms, naive = _median_ms(lambda: naive_counts(db, month, now), max(1, repeat // 2))
        ours = {int(r.code): {k: r.details[k] for k in DEDUCTIONS} for r in scored.tables["segments"]}
        agrees = all(ours[seg] == {k: naive.get(seg, Counter())[k] for k in DEDUCTIONS} for seg in ours)
        return {"month": month, "cases": cases, "segments": len(ours), "score_ms": round(after_ms, 1),
                "naive_ms": round(naive_ms, 1), "speedup": round(naive_ms / after_ms, 2) if after_ms else None,
                "naive_agrees": agrees,
                "flags": sum(1 for t in ("streets", "second_chiefs", "units") for r in scored.tables[t] if r.flag)}
    finally:
        db.dispose()


def _last_full_month(now: datetime) -> str:
    from console.domain.evaluation import SHANGHAI

    first = now.astimezone(SHANGHAI).replace(day=1)
    return (first - timedelta(days=1)).strftime("%Y-%m")


def run(scale: str = "city", repeat: int = 3) -> dict[str, Any]:
    """Generate the demo at `scale` on SQLite in a temporary directory and measure it."""
    with fresh_demo(scale, "roads") as (url, generate_s, summary):
        return {"scale": scale, "generate_s": generate_s, "cases_on_segments": summary.get("cases_on_segments"),
                "road_findings": summary.get("road_findings"), **measure(url, repeat=repeat)}


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m console.bench.bench_roads")
    parser.add_argument("--scale", choices=["small", "city", "metro"], default="city")
    parser.add_argument("--on", metavar="URL", help="an existing database (generates nothing)")
    parser.add_argument("--month", help="YYYY-MM (default: the last full month before its latest case)")
    args = parser.parse_args()
    result = measure(args.on, args.month) if args.on else run(args.scale)
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()

"""Benchmark: a month's evaluation of every scope family, against a naive count in Python.

For each family (department, street, community, grid, inspector, intake, shift_lead,
dispatcher) `evaluate` runs its SQL aggregates over the month; the baseline, in the
same run on the same database, loads the month's cases and events and counts them in
Python.  The baseline counts only the figures it can from those rows (reports, the
action counts, step clocks stopped and on time), so it does less than `evaluate`
(no hung / overdue at the month's end, no 漏报); both sides' shared figures must agree.

Run: ``python -m console.bench.bench_evaluation URL [--period 2026-11] [--repeat 3]`` (prints one JSON
line); the period defaults to the last whole month before the newest case.
"""
from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from datetime import date
from typing import Any, Callable, Mapping

from sqlalchemy import func, or_, select

from console.bench.run import timed
from console.data import models as m
from console.data.db import Database
from console.data.evaluation import ACTION_COUNTS, PEOPLE, STEP_ACTIONS, evaluate
from console.domain.evaluation import SHANGHAI, Window, parse_period

FAMILIES = ("department", "street", "community", "grid", "inspector", "intake", "shift_lead", "dispatcher")
# The figures both sides count (the baseline's share of evaluation.md).
SHARED = ("reported", "valid_reports", *ACTION_COUNTS, "fed_back_on_time",
          *(f"{step}_steps" for step in STEP_ACTIONS), *(f"{step}_steps_on_time" for step in STEP_ACTIONS))
_CASE_KEY = {"department": "department_id", "street": "street_code", "community": "community_code",
             "grid": "grid_code", "inspector": "reporter_staff_id"}


def last_whole_month(db: Database) -> str:
    """The last local month that ended before the newest case (a demo's history ends today)."""
    with db.read() as s:
        newest = s.scalar(select(func.max(m.Case.created_at)))
    if newest is None:
        raise ValueError("数据库中没有案件，无法评价 (no cases to evaluate)")
    day = newest.astimezone(SHANGHAI).date().replace(day=1)
    last = date(day.year - (day.month == 1), (day.month - 2) % 12 + 1, 1)
    return f"{last.year:04d}-{last.month:02d}"


def naive(db: Database, scope: str, w: Window) -> dict[str, Counter]:
    """The baseline: the month's cases and events as rows, counted in Python."""
    c, e = m.Case, m.CaseEvent
    out: dict[str, Counter] = defaultdict(Counter)
    with db.read() as s:
        cases = {row.id: row for row in s.execute(select(
            c.id, c.street_code, c.community_code, c.grid_code, c.department_id, c.reporter_staff_id,
            c.condition_code, c.state, c.source, c.created_at)
            .where(c.created_at < w.end, or_(c.closed_at.is_(None), c.closed_at >= w.start)))}
        events = s.execute(select(e.case_id, e.action, e.stopped_late, e.staff_id, e.operator_name, e.role)
                           .where(e.at >= w.start, e.at < w.end)).all()
    if scope not in PEOPLE:
        for row in cases.values():
            if w.start <= row.created_at < w.end:
                counts = out[str(getattr(row, _CASE_KEY[scope]))]
                counts["reported"] += 1
                valid = row.condition_code is not None and row.state != "cancelled"
                counts["valid_reports"] += valid and (scope != "inspector" or row.source == "inspector")
    for ev in events:
        if scope in PEOPLE:
            if ev.role != scope:
                continue
            key = ev.operator_name
        elif scope == "inspector":
            key = ev.staff_id
        else:
            key = getattr(cases[ev.case_id], _CASE_KEY[scope])
        _count_event(out[str(key)], ev)
    return out


def _count_event(counts: Counter, ev: Any) -> None:
    for name, actions in ACTION_COUNTS.items():
        counts[name] += ev.action in actions
    counts["fed_back_on_time"] += ev.action == "feedback" and ev.stopped_late is False
    for step, actions in STEP_ACTIONS.items():
        if ev.action in actions:
            counts[f"{step}_steps"] += 1
            counts[f"{step}_steps_on_time"] += ev.stopped_late is False


def _agrees(sql: Mapping[str, Mapping[str, int]], python: Mapping[str, Counter]) -> bool:
    codes = (set(sql) | set(python)) - {"None"}
    return all(sql.get(code, {}).get(f, 0) == python.get(code, Counter()).get(f, 0) for code in codes for f in SHARED)


def _seconds(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    """Median seconds of `repeat` runs after one warm-up, and the last result."""
    times = timed(fn, repeat)
    return times["median"] / 1000, times["result"]


def run(url: str, *, period: str | None = None, repeat: int = 3, families: tuple[str, ...] = FAMILIES) -> dict[str, Any]:
    db = Database(url)
    try:
        period = period or last_whole_month(db)
        window = parse_period(period)
        with db.read() as s:
            month_cases = s.scalar(select(func.count()).select_from(m.Case)
                                   .where(m.Case.created_at >= window.start, m.Case.created_at < window.end))
        result: dict[str, Any] = {"database": db.dialect, "period": period, "month_cases": month_cases, "families": {}}
        for family in families:
            sql_s, rows = _seconds(lambda: evaluate(db, family, window), repeat)
            naive_s, counted = _seconds(lambda: naive(db, family, window), 1)
            result["families"][family] = {
                "scopes": len(rows), "evaluate_s": round(sql_s, 3), "naive_s": round(naive_s, 3),
                "ratio": round(naive_s / sql_s, 1) if sql_s else None,
                "agrees": _agrees({r.code: r.counts for r in rows}, counted),
            }
        return result
    finally:
        db.dispose()


def _table(result: Mapping[str, Any]) -> str:
    lines = [f"{result['database']} {result['period']}: {result['month_cases']} cases reported in the month",
             f"  {'family':<12}{'scopes':>7}{'evaluate s':>12}{'naive s':>10}{'naive/eval':>12}  agrees"]
    for family, f in result["families"].items():
        lines.append(f"  {family:<12}{f['scopes']:>7}{f['evaluate_s']:>12.3f}{f['naive_s']:>10.3f}"
                     f"{f['ratio'] if f['ratio'] is not None else '—':>12}  {f['agrees']}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m console.bench.bench_evaluation", description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("--period", help="2026-11 (default: the last whole month before the newest case)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--table", action="store_true", help="a table for people instead of JSON")
    args = parser.parse_args(argv)
    result = run(args.url, period=args.period, repeat=args.repeat)
    print(_table(result) if args.table else json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())

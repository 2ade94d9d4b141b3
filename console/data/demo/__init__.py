"""The demo city: a deterministic synthetic district with its people, cameras and case history.

    generate(db, "city", seed=1)

builds, in an empty upgraded database, a district shaped like 三明市三元区: an
irregular outline split hierarchically (Voronoi cells of seeded points, clipped
to the parent) into streets (街道/镇/乡), communities (社区/村) and unit grids
(单元网格), so coverage is complete, nothing overlaps and every grid lies in its
community.  Then responsibility grids, departments, routing rules, grid staff,
roads with segments and road chiefs, cameras, operator accounts, and a history
of cases.

Each case is played through the workflow in memory with the same domain rules
the commands use (`workflow.plan`, `StepClock` on the city's `WorkCalendar`),
so states, clocks, pending requests, counters and audit events are what the
commands would have written; the rows are then inserted in bulk.  A case whose
next action would fall after `now` stays open where it is, so the last days'
cases are open at every stage, some yellow, some red.

The same scale, seed, history and `now` give the same database contents.

The package, by concern: `scales` (sizes, shared constants), `geography` (district,
streets, communities, unit grids), `city` (departments, routing, staff, roads,
cameras), `accounts` (the hall's operators), `stories` (each case played through
the workflow), `writer` (the bulk load), `names` (the words), `tiny` (the smallest
city, for tests and benchmarks).
"""
from __future__ import annotations

import dataclasses
import random
import time as _time
from datetime import datetime, time, timedelta, timezone
from typing import Any, Callable

import numpy as np
from sqlalchemy import func, select

from console.data import models as m
from console.data.commands import log_change
from console.data.db import Database
from console.data.demo.accounts import DEMO_ACCOUNTS, _add_accounts
from console.data.demo.city import _write_city, build_city
from console.data.demo.geography import build_geography
from console.data.demo.roads import finish_roads
from console.data.demo.scales import DEMO_PASSWORD, SCALES, DemoError, Scale, _UTC
from console.data.demo.writer import _analyze, _reset_sequences, _simulate_and_write
from console.data.reference import demo_catalogue, demo_rules, install_catalogue, install_settings
from console.data.rules import Rules
from console.domain.calendar import WorkCalendar

__all__ = ["SCALES", "Scale", "DEMO_ACCOUNTS", "DEMO_PASSWORD", "DemoError", "build_geography", "generate"]


def generate(db: Database, scale: str = "city", seed: int = 1, *, history_days: int | None = None,
             now: datetime | None = None, progress: Callable[[str], None] | None = None,
             workers: int | None = None) -> dict[str, Any]:
    """Build the demo city in an empty, upgraded database; returns a summary of what was written.

    `history_days` defaults to the scale's (small 14, city 90, metro 365); the history ends at `now`
    (default: the current time). `progress(message)` is called now and then. `workers`: processes that
    simulate cases (None: one per core for large histories where fork is available; 0 or 1: in-process);
    the result does not depend on it.
    """
    if scale not in SCALES:
        raise DemoError(f"unknown demo scale {scale!r}; choose one of {', '.join(SCALES)}")
    params = SCALES[scale]
    days = params.history_days if history_days is None else int(history_days)
    if days < 0:
        raise DemoError(f"history days must be >= 0, got {days}")
    now = (now or datetime.now(_UTC)).astimezone(_UTC)
    say = progress or (lambda _msg: None)
    started = _time.perf_counter()
    _require_empty(db)

    say(f"demo {scale}: seed {seed}, {days} days of history up to {now.isoformat(timespec='minutes')}")
    catalogue = demo_catalogue()
    with db.write() as s:
        installed = s.scalars(select(m.CatalogueVersion).where(m.CatalogueVersion.version == catalogue.version))
        if installed.first() is None:
            install_catalogue(s, catalogue)
        install_settings(s, demo_rules())
    db.invalidate_rules()
    rules = db.rules()

    rng = np.random.default_rng([seed, 1])
    rnd = random.Random(f"demo-{seed}")
    say("geography: district, streets, communities, unit grids")
    geo = build_geography(params, rng, rnd)
    city = build_city(params, geo, catalogue, rng, rnd)
    say(f"writing {len(geo.grids)} grids, {len(city.staff)} staff, {len(city.cameras)} cameras, "
        f"{len(city.segments)} road segments")
    _write_city(db, geo, city)
    accounts = _add_accounts(db, city)
    counts = _simulate_and_write(db, params, seed, days, now, geo, city, catalogue, _fast_rules(rules, now, days),
                                 accounts, say, workers)
    counts.update(finish_roads(db, city.segments, seed, now, days))
    with db.write() as s:
        log_change(s, "demo", scale, "generated", operator="demo", at=now)
    _reset_sequences(db)
    _analyze(db)
    seconds = round(_time.perf_counter() - started, 2)
    summary = {
        "scale": scale, "seed": seed, "history_days": days, "now": now.isoformat(),
        "area_km2": round(geo.area_km2, 2), "streets": len(geo.streets), "communities": len(geo.communities),
        "grids": len(geo.grids), "responsibility_grids": len(city.patrols), "departments": len(city.departments),
        "staff": len(city.staff), "roads": len(city.roads), "road_segments": len(city.segments),
        "road_chiefs": len(city.chiefs), "cameras": len(city.cameras), "operators": len(accounts.all),
        **counts, "seconds": seconds,
    }
    say(f"done in {seconds:.1f} s: {counts['cases']} cases ({counts['open_cases']} open), "
        f"{counts['events']} events, {counts['clocks']} clocks")
    return summary


def _fast_rules(rules: Rules, now: datetime, days: int) -> Rules:
    """The same rules on a fixed-offset copy of the calendar when the zone's offset never changes over the
    history (Asia/Shanghai has had no DST since 1991): identical instants, computed about twice as fast."""
    cal = rules.calendar
    start = now - timedelta(days=days + 2)
    probes = [start + timedelta(days=i) for i in range(0, days + 800, 7)]
    offsets = {p.astimezone(cal.tz).utcoffset() for p in probes}
    if len(offsets) != 1:
        return rules
    fixed = WorkCalendar(schedule=cal.schedule, overrides=dict(cal.overrides), tz=timezone(offsets.pop()))
    return dataclasses.replace(rules, calendar=fixed)


def _require_empty(db: Database) -> None:
    with db.read() as s:
        district = s.scalars(select(m.District.code)).first()
        cases = s.scalar(select(func.count()).select_from(m.Case))
    if district is not None or cases:
        raise DemoError(
            f"数据库已有城市数据 (district {district or '-'}, {cases} cases): the demo city needs an empty database; "
            "create a new one (urban-console db upgrade on a fresh file) and run demo again"
        )

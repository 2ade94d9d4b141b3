"""The demo city generator: counts, codes, grid layers, workflow consistency, determinism, both backends."""
from __future__ import annotations

import hashlib
import json
import uuid
from collections import Counter, defaultdict
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest
import shapely
from sqlalchemy import func, select, text

from console.data import demo
from console.data import models as m
from console.data.accounts import authenticate
from console.data.commands import Actor, act, report_case
from console.data.db import Database
from console.data.figures import stats
from console.data.schema import upgrade
from console.domain.spatial import validate_layers
from console.domain.workflow import STEP_OF_STATE, State

from tests.conftest import RUN_ID, pg_admin, pg_url

SH = ZoneInfo("Asia/Shanghai")
# a Wednesday morning: the last day's cases are open at every stage
NOW = datetime(2026, 11, 25, 10, 30, tzinfo=SH)
SEED = 7


def _new_sqlite(path) -> Database:
    db = Database(f"sqlite:///{path}")
    upgrade(db)
    return db


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    db = _new_sqlite(tmp_path_factory.mktemp("demo") / "small.db")
    messages: list[str] = []
    summary = demo.generate(db, "small", seed=SEED, now=NOW, progress=messages.append)
    summary["digest"] = digest(db)  # before any test applies a command
    summary["every_row"], summary["stats"] = every_row_digest(db), stats(db, now=NOW)
    yield db, summary, messages
    db.dispose()


def digest(db: Database) -> str:
    """Grid codes + geometries and every case row, in order."""
    h = hashlib.sha256()
    with db.read() as s:
        for code, wkb in s.execute(select(m.UnitGrid.code, m.UnitGrid.geom_wkb).order_by(m.UnitGrid.code)):
            h.update(code.encode() + bytes(wkb))
        case_cols = [c for c in m.Case.__table__.columns]
        for row in s.execute(select(*case_cols).order_by(m.Case.id)):
            h.update(repr(tuple(row)).encode())
        for row in s.execute(select(m.CaseEvent.case_id, m.CaseEvent.at, m.CaseEvent.action, m.CaseEvent.version,
                                    m.CaseEvent.operator_name, m.CaseEvent.data, m.CaseEvent.staff_id,
                                    m.CaseEvent.stopped_late).order_by(m.CaseEvent.id)):
            h.update(repr(tuple(row)).encode())
        for row in s.execute(select(m.CaseStepClock.case_id, m.CaseStepClock.step, m.CaseStepClock.round,
                                    m.CaseStepClock.consumed_minutes, m.CaseStepClock.total_minutes,
                                    m.CaseStepClock.due_at, m.CaseStepClock.outcome,
                                    m.CaseStepClock.red_since).order_by(m.CaseStepClock.id)):
            h.update(repr(tuple(row)).encode())
    return h.hexdigest()


def table_counts(db: Database) -> dict[str, int]:
    with db.read() as s:
        return {t.name: s.scalar(select(func.count()).select_from(t)) for t in m.Base.metadata.sorted_tables}


# --- the city ---------------------------------------------------------------------------------


def test_small_counts_match_scale_and_summary(small):
    db, summary, messages = small
    counts = table_counts(db)
    assert counts["districts"] == 1
    assert counts["streets"] == summary["streets"] == 3
    assert counts["communities"] == summary["communities"] == 12
    assert counts["unit_grids"] == summary["grids"] == 48
    assert counts["staff"] == summary["staff"] == demo.SCALES["small"].staff
    assert counts["cameras"] == summary["cameras"] == demo.SCALES["small"].cameras
    assert counts["cases"] == summary["cases"]
    assert 300 <= summary["cases"] <= 700  # "a few hundred"
    assert counts["case_events"] == summary["events"]
    assert counts["case_step_clocks"] == summary["clocks"]
    assert counts["urge_records"] == summary["urge_records"]
    assert counts["responsibility_grids"] == summary["responsibility_grids"] > 0
    assert counts["road_segments"] > 0 and counts["roads"] == demo.SCALES["small"].roads
    assert summary["area_km2"] == pytest.approx(demo.SCALES["small"].area_km2, rel=0.02)
    assert messages and any("done" in msg for msg in messages)
    with db.read() as s:
        assert s.scalars(select(m.ChangeLog).where(m.ChangeLog.entity == "demo")).one().op == "generated"
        levels = set(s.scalars(select(m.RoadChief.level)))
        kinds = set(s.scalars(select(m.Department.kind)))
        routing = s.scalar(select(func.count()).select_from(m.RoutingRule))
    assert levels == {"general", "first", "street_head", "second"}  # seed 004; the 路段长 is derived
    assert kinds == {"professional", "street"}
    assert routing > 0


def test_codes_nest_and_run_in_order(small):
    db = small[0]
    with db.read() as s:
        streets = {r.code: r for r in s.scalars(select(m.Street))}
        communities = {r.code: r for r in s.scalars(select(m.Community))}
        grids = list(s.scalars(select(m.UnitGrid)))
        cameras = list(s.scalars(select(m.Camera)))
        patrols = list(s.scalars(select(m.ResponsibilityGrid)))
    assert all(len(c) == 9 and c.startswith("350402") for c in streets)
    for code, row in communities.items():
        assert len(code) == 12 and code[:9] == row.street_code and row.street_code in streets
        assert row.name.endswith(("社区", "村"))
    by_community = defaultdict(list)
    for g in grids:
        assert len(g.code) == 15 and g.code[:12] == g.community_code and g.code[:9] == g.street_code
        assert g.area_m2 > 0 and g.valid_to is None
        by_community[g.community_code].append(g.code[-3:])
    assert set(by_community) == set(communities)
    for seqs in by_community.values():  # 001, 002, ... without gaps
        assert sorted(seqs) == [f"{i:03d}" for i in range(1, len(seqs) + 1)]
    grid_codes = {g.code for g in grids}
    assert all(len(c.id) == 20 and c.id.isdigit() and c.id[10:13] == "132" and c.grid_code in grid_codes
               for c in cameras)
    assert {c.status for c in cameras} <= {"online", "offline", "fault"}
    covered = [code for p in patrols for code in p.unit_grid_codes]
    assert sorted(covered) == sorted(grid_codes)  # every unit grid in exactly one patrol area


def test_grid_layers_are_valid_irregular_polygons(small):
    db = small[0]
    with db.read() as s:
        district = s.scalars(select(m.District)).one()
        streets = {r.code: r.geometry for r in s.scalars(select(m.Street))}
        communities = {r.code: r.geometry for r in s.scalars(select(m.Community))}
        grids = {r.code: r.geometry for r in s.scalars(select(m.UnitGrid))}
    for geom in [*streets.values(), *communities.values(), *grids.values()]:
        assert geom.geom_type == "Polygon" and geom.is_valid
    assert validate_layers(district.geometry, streets, communities, grids) == []
    # not a chessboard: grids are not all axis-aligned rectangles
    rectangles = sum(1 for g in grids.values() if shapely.equals(g, shapely.box(*g.bounds)))
    assert rectangles < len(grids) / 4


def test_points_lie_in_their_grids(small):
    db = small[0]
    with db.read() as s:
        grids = {r.code: r.geometry for r in s.scalars(select(m.UnitGrid))}
        cases = s.execute(select(m.Case.grid_code, m.Case.lon, m.Case.lat)).all()
        cameras = s.execute(select(m.Camera.grid_code, m.Camera.lon, m.Camera.lat)).all()
    for code, lon, lat in [*cases, *cameras]:
        assert grids[code].covers(shapely.Point(lon, lat))


def test_accounts_can_sign_in(small):
    db = small[0]
    user = authenticate(db, "intake1", demo.DEMO_PASSWORD)
    assert user.role == "intake"
    with db.read() as s:
        operators = {o.username: o for o in s.scalars(select(m.Operator))}
        streets = list(s.scalars(select(m.Street.code)))
    assert {"intake1", "shift1", "dispatch1", "leader1", "admin1", "dept_hw"} <= set(operators)
    for code in streets:
        assert operators[f"street_{code}"].role == "street_seat"
        assert operators[f"street_{code}"].street_code == code


# --- the case history ---------------------------------------------------------------------------


def _cases_clocks_events(db):
    with db.read() as s:
        cases = list(s.scalars(select(m.Case).order_by(m.Case.id)))
        clocks = defaultdict(list)
        for c in s.scalars(select(m.CaseStepClock).order_by(m.CaseStepClock.id)):
            clocks[c.case_id].append(c)
        events = defaultdict(list)
        for e in s.scalars(select(m.CaseEvent).order_by(m.CaseEvent.id)):
            events[e.case_id].append(e)
    return cases, clocks, events


def test_states_and_clocks_agree(small):
    cases, clocks, _ = _cases_clocks_events(small[0])
    for case in cases:
        step_clocks = [c for c in clocks[case.id] if c.step != "supervise_reply"]
        open_clocks = [c for c in step_clocks if c.open]
        if not case.is_open:
            assert case.state in ("closed", "cancelled") and case.closed_at is not None
            assert not [c for c in clocks[case.id] if c.open], case.number
            continue
        assert case.closed_at is None
        step = STEP_OF_STATE[State(case.state)]
        assert [c.step for c in open_clocks] == [step], (case.number, case.state)
        clock = open_clocks[0]
        if case.state == "hung":
            assert clock.paused and not clock.running and clock.due_at is None
        else:
            assert clock.running and clock.due_at is not None and clock.yellow_at <= clock.due_at
        if case.state == "disposing":
            assert clock.department_id == case.department_id
    for rows in clocks.values():  # rounds count up per step
        per_step = defaultdict(list)
        for c in rows:
            per_step[c.step].append(c.round)
        assert all(r == list(range(1, len(r) + 1)) for r in per_step.values())


def test_events_tell_each_story(small):
    cases, clocks, events = _cases_clocks_events(small[0])
    for case in cases:
        story = events[case.id]
        assert story[0].action in ("report", "report_self_handled") and story[0].version == 1
        assert story[0].at == case.created_at
        assert [e.version for e in story] == list(range(1, len(story) + 1)) == list(range(1, case.version + 1))
        assert all(a.at <= b.at for a, b in zip(story, story[1:]))
        assert story[-1].to_state == case.state and story[-1].at == case.updated_at
        actions = Counter(e.action for e in story)
        assert case.rework_count == actions["check_fail"]
        assert case.return_count == actions["approve_return"]
        assert case.extension_count == actions["approve_extension"]
        if case.state == "closed":
            assert case.close_type == ("self_handled" if case.self_handled else story[-1].data["close_type"])
        if case.pending:
            assert actions[f"request_{case.pending}"] > 0
        assert case.number == f"{case.created_at.year}{case.id:08d}"


def test_history_has_a_realistic_mix(small):
    db = small[0]
    cases, clocks, events = _cases_clocks_events(db)
    states = Counter(c.state for c in cases)
    assert states["closed"] > len(cases) * 0.6
    assert states["cancelled"] > 0
    assert 0 < sum(1 for c in cases if c.is_open) < len(cases) * 0.3
    sources = Counter(c.source for c in cases)
    assert 0.75 < sources["inspector"] / len(cases) < 0.95 and sources["hotline"] > 0
    hours = Counter(c.created_at.astimezone(SH).hour for c in cases)
    assert sum(hours[h] for h in range(0, 6)) < 0.08 * len(cases)
    assert sum(hours[h] for h in (9, 10, 14, 15)) > 0.3 * len(cases)
    outcomes = Counter(c.outcome for rows in clocks.values() for c in rows)
    assert outcomes["on_time"] > outcomes["late"] > 0
    assert any(c.self_handled and c.close_type == "self_handled" for c in cases)
    assert Counter(c.category_code for c in cases).most_common(1)[0][1] > len(cases) * 0.05
    assert max(c.created_at for c in cases) <= NOW


def test_refuses_a_database_that_is_not_empty(small):
    with pytest.raises(demo.DemoError, match="empty"):
        demo.generate(small[0], "small", seed=SEED, now=NOW)


def test_unknown_scale_is_refused(empty_db):
    with pytest.raises(demo.DemoError, match="scale"):
        demo.generate(empty_db, "galaxy")


def test_a_generated_case_takes_real_commands(small):
    db = small[0]
    with db.read() as s:
        case = s.scalars(select(m.Case).where(m.Case.state == "reported", ~m.Case.self_handled)
                         .order_by(m.Case.id)).first()
        max_event = s.scalar(select(func.max(m.CaseEvent.id)))
    assert case is not None
    intake = Actor("林晓燕", "intake", seat="受理席1")
    ref = act(db, intake, case.number, "forward", expected_version=case.version, at=NOW)
    assert ref.state == "to_file" and ref.version == case.version + 1
    new = report_case(db, intake, source="hotline", lon=case.lon, lat=case.lat, category_code="06010", at=NOW)
    assert new.number.endswith(f"{table_counts(db)['cases']:08d}")
    with db.read() as s:
        assert s.scalar(select(func.max(m.CaseEvent.id))) == max_event + 2


# --- determinism ---------------------------------------------------------------------------------


def test_same_seed_same_city_other_seed_other_city(small, tmp_path):
    summary = small[1]
    again = _new_sqlite(tmp_path / "again.db")
    other = _new_sqlite(tmp_path / "other.db")
    try:
        s2 = demo.generate(again, "small", seed=SEED, now=NOW)
        s3 = demo.generate(other, "small", seed=SEED + 1, now=NOW)
        strip = lambda d: {k: v for k, v in d.items() if k not in ("seconds", "digest", "every_row", "stats")}  # noqa: E731
        assert strip(s2) == strip(summary)
        assert digest(again) == summary["digest"]
        assert digest(other) != digest(again)
        assert s3["grids"] == s2["grids"] == 48  # same scale, another city
    finally:
        again.dispose()
        other.dispose()


# Written by the clock or salted, so never the same twice: left out of the fixed digest.
VOLATILE = {"operators": {"password_hash", "created_at"}, "change_log": {"at"}}
# Computed once with the single-module generator (6f61ff9 plus its fix: road-name pools drawn in
# first-appearance order, not set order, which varied with PYTHONHASHSEED); the split into
# data/demo/ must not change one row of the small demo for this seed and `now`.  Re-pinned since for
# migration 0010's settings row `calendar_revision` (without that row the digest is the single
# module's cccb3a35...4fa11), then for areas and metres per degree from pyproj.Geod (the stored
# area_m2 of every grid and the lon/lat of every vertex move by millimetres; the counts below stay),
# then for migration 0011 (new nullable columns in every clock, event and case row; the clocks'
# overdue_minutes filled) and the `evaluation` rules row from rules.json (counts unchanged), then for
# the demo filling 0011's columns as the commands do (red_since latched by commands.clock_after, events'
# stopped_late and staff_id of the inspector of record, cases' road_segment_id by commands.nearest_of):
# sharing clock_after also keeps a reworked round late when its first round was (clock outcomes late
# 94 -> 96, on_time 1996 -> 1995, open 49 -> 48; close types normal 265 -> 264, overdue 32 -> 33);
# the states, lights and every other count below are unchanged; then for
# migration 0012's 路长制 (seed 004's hierarchy: units, street-level chiefs, no stored 路段长; the cases
# snapped to their segments, the 路长办's findings, the `roads` rules row; the case counts unchanged);
# then for the department formula's 督办按时回复率 term in the `evaluation` rules row (rows otherwise unchanged);
# then for migration 0013's camera catalogue columns (every camera's ptz_type and group, every case's camera_id).
# then for the wall account wall1 (issue 11: one more operators row after admin1, so the department and
# street accounts' ids and the events naming them move by one; every count unchanged).
BEFORE_SPLIT_STATS = {
    "streets": 3, "communities": 12, "grids": 48, "staff": 160, "cameras": 40, "departments": 17,
    "area_km2": 8.0, "calendar": {"unconfirmed_years": [], "warning": None},
    "cases": {"total": 429, "by_light": {"green": 38, "yellow": 2, "red": 8},
              "by_state": {"cancelled": 24, "closed": 357, "disposing": 39, "hung": 5, "reported": 1,
                           "to_check": 2, "to_file": 1}},
}
BEFORE_SPLIT_DIGEST = "116693b436efe9c288384b79c8f6d6ce272cd063ba92edecf2d15f73ffc39f04"


def every_row_digest(db: Database) -> str:
    """Every row of every table, in key order, without the VOLATILE columns."""
    h = hashlib.sha256()
    with db.read() as s:
        for table in m.Base.metadata.sorted_tables:
            cols = [c for c in table.columns if c.name not in VOLATILE.get(table.name, ())]
            h.update(table.name.encode())
            for row in s.execute(select(*cols).order_by(*table.primary_key.columns)):
                h.update(repr(tuple(row)).encode())
    return h.hexdigest()


def test_the_split_generator_writes_what_the_single_module_wrote(small):
    summary = small[1]
    assert json.loads(json.dumps(summary["stats"])) == BEFORE_SPLIT_STATS  # what `stats --json` prints
    assert summary["every_row"] == BEFORE_SPLIT_DIGEST


def test_forked_workers_write_the_same_rows(small, tmp_path):
    db = _new_sqlite(tmp_path / "forked.db")
    try:
        summary = demo.generate(db, "small", seed=SEED, now=NOW, workers=2)
        assert summary["cases"] == small[1]["cases"]
        assert digest(db) == small[1]["digest"]
    finally:
        db.dispose()


def test_the_fixed_offset_calendar_changes_nothing(small, tmp_path, monkeypatch):
    """The simulation's fast calendar (fixed +08:00) gives exactly the rows of the city's zone calendar."""
    monkeypatch.setattr(demo, "_fast_rules", lambda rules, now, days: rules)
    db = _new_sqlite(tmp_path / "zoneinfo.db")
    try:
        demo.generate(db, "small", seed=SEED, now=NOW)
        assert digest(db) == small[1]["digest"]
    finally:
        db.dispose()


# --- PostgreSQL ------------------------------------------------------------------------------------


def test_postgres_same_city_and_commands_work(small):
    admin = pg_admin()
    name = f"uc_demo_{RUN_ID}_{uuid.uuid4().hex[:6]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    pg = Database(pg_url(name))
    try:
        upgrade(pg)
        summary = demo.generate(pg, "small", seed=SEED, now=NOW)
        assert summary["cases"] == table_counts(pg)["cases"] == small[1]["cases"]
        assert digest(pg) == small[1]["digest"]  # the same rows as on SQLite
        with pg.read() as s:
            case = s.scalars(select(m.Case).where(m.Case.state == "to_file").order_by(m.Case.id)).first()
        lead = Actor("王建国", "shift_lead", seat="值班长席")
        with pg.read() as s:
            condition = s.scalars(select(m.FilingCondition.code)
                                  .where(m.FilingCondition.category_code == case.category_code)).first()
        from console.data.commands import ActionParams

        ref = act(pg, lead, case.number, "file", expected_version=case.version, at=NOW,
                  params=ActionParams(condition_code=condition))
        assert ref.state == "to_dispatch"
        inspector = Actor("巡查员", "inspector", seat="城管通")
        new = report_case(pg, inspector, source="inspector", lon=case.lon, lat=case.lat, category_code="06010",
                          at=NOW)
        assert new.number == f"2026{summary['cases'] + 1:08d}"
    finally:
        pg.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


# --- the seeds' city ---------------------------------------------------------------------------------


@pytest.mark.slow
def test_city_scale_matches_the_seeds(tmp_path):
    db = _new_sqlite(tmp_path / "city.db")
    try:
        summary = demo.generate(db, "city", seed=1, history_days=20, now=NOW)
        counts = table_counts(db)
        assert counts["unit_grids"] == summary["grids"] == 702
        assert counts["communities"] == summary["communities"] == 168
        assert counts["staff"] == summary["staff"] == 2331
        assert counts["cameras"] == 600
        assert 150.0 <= summary["area_km2"] <= 160.0
        with db.read() as s:
            assert 150.0 <= s.scalars(select(m.District.area_km2)).one() <= 160.0
            streets = list(s.scalars(select(m.Street.name)))
        assert len(streets) == 12 and "列东街道" in streets
        # a city's day: several hundred reports, a few hundred open at the end
        assert 300 * 20 <= summary["cases"] <= 500 * 21
        assert 100 <= summary["open_cases"] <= 1500
        cases, clocks, events = _cases_clocks_events(db)
        actions = Counter(e.action for story in events.values() for e in story)
        for action in ("approve_return", "approve_extension", "approve_hold", "check_fail", "refuse",
                       "refuse_filing", "verify_false", "approve_self_handled", "urge", "supervise",
                       "approve_cancel"):
            assert actions[action] > 0, action
        states = Counter(c.state for c in cases if c.is_open)
        assert {"reported", "to_file", "to_dispatch", "disposing", "to_check", "hung"} <= set(states)
        close_types = Counter(c.close_type for c in cases if c.state == "closed")
        assert close_types["normal"] > close_types["overdue"] > 0
        running = [c for rows in clocks.values() for c in rows if c.running]
        now = NOW.astimezone(timezone.utc)
        red = sum(1 for c in running if c.due_at < now)
        yellow = sum(1 for c in running if c.yellow_at <= now < c.due_at)
        assert red > 0 and yellow > 0
    finally:
        db.dispose()


def test_bench_on_an_existing_database_measures_without_generating(small, capsys):
    """`urban-console bench --on URL`: the metro figures can be re-measured without regenerating."""
    from console.cli import main

    db = small[0]
    with db.read() as s:
        open_cases = s.scalar(select(func.count()).select_from(m.Case).where(m.Case.is_open))
        cases = s.scalar(select(func.count()).select_from(m.Case))
    url = db.engine.url.render_as_string(hide_password=False)
    assert main(["bench", "--on", url, "--json"]) == 0
    figures = json.loads(capsys.readouterr().out)[url]
    assert figures["open_cases"] == open_cases > 0 and figures["naive_agrees"]
    assert figures["open_queue_runs"] == 15
    low, high = figures["open_queue_range_ms"]
    assert 0 < low <= figures["open_queue_ms"] <= high
    assert sum(figures["lights"].values()) <= open_cases
    with db.read() as s:  # nothing was generated or written
        assert s.scalar(select(func.count()).select_from(m.Case)) == cases

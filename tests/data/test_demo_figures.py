"""The small demo city in figures: its rows carry what the live commands would have written, and
`evaluate` on it gives plausible, nonzero on-time counts (migration 0011's columns are filled)."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from console.data import demo
from console.data import models as m
from console.data.commands import nearest_segment
from console.data.db import Database
from console.data.evaluation import STEP_ACTIONS, evaluate, evaluation_rules
from console.data.schema import upgrade
from console.domain.evaluation import parse_period

NOW = datetime(2026, 11, 25, 10, 30, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    db = Database(f"sqlite:///{tmp_path_factory.mktemp('demo-figures') / 'small.db'}")
    upgrade(db)
    demo.generate(db, "small", seed=7, now=NOW)
    yield db
    db.dispose()


def test_a_stop_is_late_exactly_when_its_clock_had_turned_red(city):
    """stopped_late of the event that last stopped a clock == (red_since is set and not after the stop)."""
    with city.read() as s:
        clocks = s.execute(select(m.CaseStepClock.case_id, m.CaseStepClock.stopped_at, m.CaseStepClock.red_since,
                                  m.CaseStepClock.outcome)
                           .where(m.CaseStepClock.stopped_at.is_not(None),
                                  m.CaseStepClock.outcome != "cancelled")).all()
        stops = {(e.case_id, e.at): e.stopped_late for e in s.execute(
            select(m.CaseEvent.case_id, m.CaseEvent.at, m.CaseEvent.stopped_late)
            .where(m.CaseEvent.stopped_late.is_not(None)))}
    assert len(clocks) > 1000
    late = 0
    for k in clocks:
        stopped_late = stops[(k.case_id, k.stopped_at)]
        assert stopped_late == (k.red_since is not None and k.red_since <= k.stopped_at), k
        assert stopped_late == (k.outcome == "late"), k
        late += stopped_late
    assert 0 < late < len(clocks) / 5  # some late, most on time


def test_field_steps_name_the_inspector_of_record_and_cases_their_segment(city):
    with city.read() as s:
        rules = city.rules()
        field = s.execute(select(m.CaseEvent.staff_id, m.CaseEvent.operator_name, m.Staff.name)
                          .outerjoin(m.Staff, m.Staff.id == m.CaseEvent.staff_id)
                          .where(m.CaseEvent.role == "inspector")).all()
        hall = s.scalars(select(m.CaseEvent.staff_id).where(m.CaseEvent.role != "inspector")).all()
        cases = s.execute(select(m.Case.lon, m.Case.lat, m.Case.road_segment_id).order_by(m.Case.id)).all()
        segments = [nearest_segment(s, c.lon, c.lat, rules) for c in cases]
    assert field and all(r.staff_id is not None and r.name == r.operator_name for r in field)
    assert set(hall) == {None}
    assert [c.road_segment_id for c in cases] == segments  # what report_case would have chosen
    assert 0 < sum(seg is not None for seg in segments) < len(cases)


def test_evaluate_on_the_demo_gives_nonzero_on_time_counts(city):
    window = parse_period("2026-11")
    [district] = evaluate(city, "district", window)
    c = district.counts
    assert 0 < c["fed_back_on_time"] < c["fed_back"]
    for step in STEP_ACTIONS:
        assert 0 < c[f"{step}_steps_on_time"] <= c[f"{step}_steps"], step
    assert 0 < c["closed_on_time"] <= c["closed"]
    figure = district.figure(evaluation_rules(city))
    assert 0.5 < figure["on_time_dispose_rate"] < 1 and 0.5 < figure["close_rate"] <= 1
    inspectors = evaluate(city, "inspector", window)
    assert sum(r.counts.get("check_steps_on_time", 0) for r in inspectors) > 0
    assert sum(r.counts.get("verify_steps", 0) for r in inspectors) > 0

"""Every figure of a hand-built month against an independent count over the same rows, on both backends.

The history goes through the real commands with explicit times: on time, late, returned,
extended before and after the deadline, hung, reworked, cancelled after filing, refused,
self-handled, and one left overdue open.
"""
from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import shapely
from sqlalchemy import func, select, text

from console.data import models as m
from console.data.commands import ActionParams, Actor, act, report_case
from console.data.evaluation import (
    STEP_ACTIONS, evaluate, evaluation_rules, evaluation_rules_data, set_evaluation_rules,
)
from console.domain.evaluation import EvaluationError, parse_period

SH = ZoneInfo("Asia/Shanghai")
MON = datetime(2026, 11, 23, 9, 0, tzinfo=SH)  # a working Monday
LON, LAT = 117.605, 26.265  # grid 350402001001001, street 350402001
GRID, STREET = "350402001001001", "350402001"
WEST_LON = 117.625  # grid 350402002001001, street 350402002 (列西)
STAFF_ID = 501
INTAKE = Actor("张受理", "intake", seat="受理席1")
SHIFT = Actor("李值班", "shift_lead", seat="值班长席")
DISPATCH = Actor("赵派遣", "dispatcher", seat="派遣席1")
FIELD = Actor("王监督", "inspector", seat="城管通", staff_id=STAFF_ID)
HW = Actor("环卫处", "department", seat="环卫处", department_id=2)
SZ = Actor("市政", "department", seat="市政", department_id=1)


class Case:
    def __init__(self, db, at, source="inspector", self_handled=False, lon=LON):
        self.db = db
        ref = report_case(db, FIELD if source == "inspector" else INTAKE, source=source, lon=lon, lat=LAT,
                          category_code="06010", at=at, self_handled=self_handled,
                          reporter_staff_id=STAFF_ID if source == "inspector" else None)
        self.number, self.version, self.at = ref.number, ref.version, at

    def __call__(self, actor, action, minutes=5, **params):
        self.at += timedelta(minutes=minutes)
        reason = "理由" if action.startswith(("request_", "approve_", "check_fail", "refuse")) else ""
        ref = act(self.db, actor, self.number, action, expected_version=self.version, at=self.at, note=reason,
                  params=ActionParams(**params))
        self.version = ref.version
        return self

    def dispatched(self, department=2):
        condition = _condition(self.db)
        return self(INTAKE, "forward")(SHIFT, "file", condition_code=condition, urgency="normal")(
            DISPATCH, "dispatch", department_id=department)

    def closed(self, dept=HW, feedback_after=60):
        return self(dept, "feedback", feedback_after)(FIELD, "check_pass")(SHIFT, "close")


def _condition(db):
    with db.read() as s:
        return s.scalars(select(m.FilingCondition.code).where(m.FilingCondition.category_code == "06010")
                         .order_by(m.FilingCondition.code)).first()


def build_month(db):
    with db.write() as s:
        s.add(m.Staff(id=STAFF_ID, name="王监督", kind="inspector", street_code=STREET, grid_code=GRID))
    day = timedelta(days=1)
    Case(db, MON).dispatched().closed()  # on time
    Case(db, MON).dispatched().closed(feedback_after=60 * 24)  # late: the next day, past 4 work hours
    Case(db, MON).dispatched()(HW, "request_return")(DISPATCH, "approve_return")(
        DISPATCH, "dispatch", department_id=1).closed(dept=SZ)  # returned, then on time elsewhere
    Case(db, MON + day).dispatched()(HW, "request_extension", extension="2wh")(
        DISPATCH, "approve_extension").closed(feedback_after=60 * 5)  # extended before the deadline
    Case(db, MON + day).dispatched()(HW, "request_extension", 60 * 24, extension="2wh")(
        DISPATCH, "approve_extension").closed(feedback_after=10)  # extended after it: late stays late
    Case(db, MON + 2 * day).dispatched()(HW, "request_hold")(DISPATCH, "approve_hold")  # hung
    Case(db, MON + 2 * day).dispatched()(HW, "feedback", 30)(FIELD, "check_fail")(
        HW, "feedback", 30)(FIELD, "check_pass")(SHIFT, "close")  # reworked once, on time
    Case(db, MON + 3 * day).dispatched()(DISPATCH, "request_cancel")(SHIFT, "approve_cancel")  # cancelled
    Case(db, MON + 3 * day, source="hotline")(INTAKE, "refuse")  # refused (never valid)
    Case(db, MON + 3 * day, self_handled=True)(INTAKE, "approve_self_handled")  # self-handled
    Case(db, MON + 3 * day, source="hotline").dispatched()  # left open: red by the month's end
    Case(db, MON - 30 * day).dispatched().closed()  # October: outside the window


def independent_counts(db, window, key_of_case):
    """The same figures counted in Python over plain rows (no shared code with console.data.evaluation)."""
    with db.read() as s:
        cases = {c.id: c for c in s.scalars(select(m.Case))}
        events = sorted(s.scalars(select(m.CaseEvent)), key=lambda e: e.id)
        clocks = list(s.scalars(select(m.CaseStepClock)))
    inside = lambda t: window.start <= t < window.end  # noqa: E731
    late_dispose = {k.case_id for k in clocks if k.step == "dispose" and k.outcome == "late"}
    out: dict = {}

    def add(case_id, name):
        counts = out.setdefault(str(key_of_case(cases[case_id])), Counter())
        counts[name] += 1

    filed_cases = {e.case_id for e in events if e.action == "file"}
    for c in cases.values():
        if inside(c.created_at):
            add(c.id, "reported")
            if c.id in filed_cases and c.state != "cancelled":
                add(c.id, "valid_reports")
    seen_check = set()
    for e in events:
        if not inside(e.at):
            continue
        for name, action in (("filed", "file"), ("dispatched", "dispatch"), ("returned", "approve_return"),
                             ("extended", "approve_extension"), ("fed_back", "feedback"), ("reworked", "check_fail"),
                             ("closed", "close"), ("closed_self_handled", "approve_self_handled"),
                             ("cancelled_after_filing", "approve_cancel")):
            if e.action == action:
                add(e.case_id, name)
        if e.action in ("check_pass", "check_fail"):
            add(e.case_id, "checked")
            if e.case_id not in seen_check:
                add(e.case_id, "first_checks")
                if e.action == "check_pass":
                    add(e.case_id, "first_checks_passed")
            seen_check.add(e.case_id)
        if e.action == "close" and e.case_id not in late_dispose:
            add(e.case_id, "closed_on_time")
        for step, actions in STEP_ACTIONS.items():
            if e.action in actions:
                add(e.case_id, f"{step}_steps")
                if e.stopped_late is False:
                    add(e.case_id, f"{step}_steps_on_time")
                    if e.action == "feedback":
                        add(e.case_id, "fed_back_on_time")
        if e.action == "feedback" and e.stopped_late is False:
            add(e.case_id, "fed_back_on_time")
    for c in cases.values():  # as the case stood at the window's end: hung, or open with a red 处置 clock
        if c.created_at >= window.end or (c.closed_at is not None and c.closed_at < window.end):
            continue
        before = [e for e in events if e.case_id == c.id and e.at < window.end]
        state = max(before, key=lambda e: (e.at, e.id)).to_state
        dispose = [k for k in clocks if k.case_id == c.id and k.step == "dispose" and k.started_at < window.end]
        if state == "hung":
            add(c.id, "hung")
        elif any(_red_at(k, window.end) for k in dispose):
            add(c.id, "overdue_open")
    return out


def _red_at(k, end):
    """A 处置 clock red at `end`: running past its mark, or latched red before `end` and not stopped before it."""
    running_red = k.stopped_at is None and k.running and k.red_at is not None and k.red_at < end
    latched = (k.stopped_at is None or k.stopped_at >= end) and k.red_since is not None and k.red_since < end
    return running_red or latched


FIGURES = ("reported", "valid_reports", "hung", "filed", "dispatched", "returned", "extended", "fed_back",
           "fed_back_on_time", "checked", "reworked", "closed", "closed_self_handled", "closed_on_time",
           "cancelled_after_filing", "first_checks", "first_checks_passed", "overdue_open",
           *(f"{s}_steps" for s in STEP_ACTIONS), *(f"{s}_steps_on_time" for s in STEP_ACTIONS))


@pytest.mark.parametrize("scope, key", [
    ("district", lambda c: "350403"),
    ("street", lambda c: c.street_code),
    ("department", lambda c: c.department_id),
])
def test_every_figure_matches_an_independent_count(db, scope, key):
    build_month(db)
    window = parse_period("2026-11")
    got = {row.code: row.counts for row in evaluate(db, scope, window)}
    with db.read() as s:
        district = s.scalar(select(m.District.code))
    expected = independent_counts(db, window, key if scope != "district" else (lambda c: district))
    assert set(expected) - {"None"} <= set(got)
    for code, counts in expected.items():
        if code == "None":  # never dispatched: no department to rate
            continue
        for figure in FIGURES:
            assert got[code].get(figure, 0) == counts.get(figure, 0), (scope, code, figure)


def test_first_checks_stay_right_when_an_index_on_case_and_action_exists(db):
    """SQLite 3.40 miscounts "no earlier check" (NOT EXISTS ... id < e.id) through such an index; a hall's DBA
    may well add one, so the first 核查 must not depend on which indexes exist."""
    build_month(db)
    with db.write() as s:
        s.execute(text("CREATE INDEX ix_test_events_case_action ON case_events (case_id, action)"))
        s.execute(text("ANALYZE case_events"))
        if db.dialect == "sqlite":  # a metro's statistics (6M events, 6 a case), so the planner takes the index
            s.execute(text("UPDATE sqlite_stat1 SET stat = '6000000 6 2' WHERE idx = 'ix_test_events_case_action'"))
            s.execute(text("ANALYZE sqlite_schema"))  # reload them
    window = parse_period("2026-11")
    [district] = evaluate(db, "district", window)
    [expected] = independent_counts(db, window, lambda c: "district").values()
    assert (district.counts["first_checks"], district.counts["first_checks_passed"]) == (
        expected["first_checks"], expected["first_checks_passed"]) == (6, 5)


def test_the_month_in_figures(db):
    build_month(db)
    [district] = evaluate(db, "district", parse_period("2026-11"))
    c = district.counts
    assert (c["reported"], c["closed"], c["closed_self_handled"], c["hung"], c["overdue_open"]) == (11, 6, 1, 1, 1)
    assert (c["returned"], c["extended"], c["reworked"], c["cancelled_after_filing"]) == (1, 2, 1, 1)
    assert c["closed_on_time"] == 4  # on time, returned-then-on-time, extended before, reworked (not the late two)
    figure = district.figure(evaluation_rules(db))
    assert figure["due_to_close"] == 7 and figure["close_rate"] == pytest.approx(6 / 7)
    assert figure["on_time_close_rate"] == pytest.approx(4 / 7)
    assert figure["grade"] in "ABCDE"


def test_people_and_the_inspector_of_record(db):
    build_month(db)
    window = parse_period("2026-11")
    dispatchers = {r.code: r.counts for r in evaluate(db, "dispatcher", window)}
    assert dispatchers["赵派遣"]["dispatch_steps"] == 10  # 9 cases + 1 re-dispatch; the October case is outside
    [inspector] = [r for r in evaluate(db, "inspector", window) if r.code == str(STAFF_ID)]
    assert inspector.name == "王监督"
    assert inspector.counts["check_steps"] == 7  # 5 passes + a fail and its pass: 核查 by the field staff member of record
    with db.read() as s:
        staff_ids = set(s.scalars(select(m.CaseEvent.staff_id).where(m.CaseEvent.action == "check_pass")))
    assert staff_ids == {STAFF_ID}


def test_an_inspectors_missed_reports_match_an_independent_count(db):
    """漏报: the valid public reports of the window in the inspector's grid, over every case filed there."""
    build_month(db)
    with db.write() as s:  # a second inspector, of a grid without cases
        s.add(m.Staff(id=STAFF_ID + 1, name="钱监督", kind="inspector", street_code=STREET, grid_code="350402001001002"))
    window = parse_period("2026-11")
    with db.read() as s:
        cases = list(s.scalars(select(m.Case).where(m.Case.grid_code == GRID)))
        filed = set(s.scalars(select(m.CaseEvent.case_id).where(m.CaseEvent.action == "file")))
    month = [c for c in cases if window.start <= c.created_at < window.end and c.id in filed]
    missed = [c for c in month if c.state != "cancelled" and c.source != "inspector"]
    got = {r.code: r.counts for r in evaluate(db, "inspector", window)}
    assert (got[str(STAFF_ID)]["missed"], got[str(STAFF_ID)]["filed_in_grid"]) == (len(missed), len(month))
    assert (len(missed), len(month)) == (1, 9)  # the open hotline case; the October case is outside
    assert got[str(STAFF_ID + 1)].get("filed_in_grid", 0) == 0


def test_stopped_clocks_keep_their_overdue(db):
    build_month(db)
    with db.read() as s:
        rows = s.execute(select(m.CaseStepClock.outcome, m.CaseStepClock.red_since, m.CaseStepClock.overdue_minutes)
                         .where(m.CaseStepClock.step == "dispose", m.CaseStepClock.open.is_(False))).all()
    late = [r for r in rows if r.outcome == "late"]
    assert late and all(r.red_since is not None for r in late)
    assert all(r.overdue_minutes == 0 for r in rows if r.outcome == "on_time")


def test_a_report_takes_the_nearest_road_segment_within_reach(db):
    with db.write() as s:
        road = m.Road(id=1, name="列东街", level="主干道")
        s.add(road)
        s.flush()
        for sid, offset in ((1, 0.0002), (2, 0.002)):  # ~20 m and ~200 m north of the point
            seg = m.RoadSegment(id=sid, road_id=1, street_code=STREET, name=f"段{sid}")
            seg.set_geometry(shapely.LineString([(LON - 0.001, LAT + offset), (LON + 0.001, LAT + offset)]))
            s.add(seg)
    near = report_case(db, INTAKE, source="hotline", lon=LON, lat=LAT, at=MON)
    far = report_case(db, INTAKE, source="hotline", lon=LON, lat=LAT - 0.003, at=MON)
    with db.read() as s:
        assert s.scalar(select(m.Case.road_segment_id).where(m.Case.number == near.number)) == 1
        assert s.scalar(select(m.Case.road_segment_id).where(m.Case.number == far.number)) is None


def build_past_week(db):
    """Week 47 (16-22 Nov): one case hung over the week's end, one red over it, one closed inside it; all
    three are closed in week 48, so their current state says nothing of week 47."""
    with db.write() as s:
        s.add(m.Staff(id=STAFF_ID, name="王监督", kind="inspector", street_code=STREET, grid_code=GRID))
    monday = MON - timedelta(days=7)
    Case(db, monday).dispatched()(HW, "request_hold")(DISPATCH, "approve_hold")(
        DISPATCH, "resume", 60 * 24 * 8).closed()  # hung from Monday to the next Tuesday
    Case(db, monday).dispatched().closed(feedback_after=60 * 24 * 8)  # red on Monday, fed back a week later
    Case(db, monday).dispatched().closed()  # on time inside the week


@pytest.mark.parametrize("period, hung, overdue_open, closed", [("2026-W47", 1, 1, 1), ("2026-W48", 0, 0, 2)])
def test_a_past_window_counts_hung_and_overdue_as_they_stood_at_its_end(db, period, hung, overdue_open, closed):
    build_past_week(db)
    window = parse_period(period)
    [district] = evaluate(db, "district", window)
    c = district.counts
    assert (c.get("hung", 0), c.get("overdue_open", 0), c.get("closed", 0)) == (hung, overdue_open, closed)
    with db.read() as s:
        assert set(s.scalars(select(m.Case.state))) == {"closed"}  # today none is hung or open
        code = s.scalar(select(m.District.code))
    expected = independent_counts(db, window, lambda case: code)[code]
    assert (expected["hung"], expected["overdue_open"]) == (hung, overdue_open)


@pytest.mark.parametrize("scope, key", [("street", lambda c: c.street_code), ("department", lambda c: c.department_id),
                                        ("grid", lambda c: c.grid_code)])
def test_a_street_counts_only_its_cases(db, scope, key):
    build_month(db)
    Case(db, MON, lon=WEST_LON).dispatched().closed()  # in 列西: left out of 列东's figures
    Case(db, MON, lon=WEST_LON).dispatched()
    window = parse_period("2026-11")
    got = {row.code: row.counts for row in evaluate(db, scope, window, street=STREET)}
    everything = independent_counts(db, window, lambda c: f"{key(c)}|{c.street_code}")
    expected = {code.split("|")[0]: v for code, v in everything.items() if code.endswith(f"|{STREET}")}
    assert any(code.endswith("|350402002") for code in everything)  # the other street has figures ...
    assert "350402002" not in got and "350402002001001" not in got  # ... not shown here
    for code, counts in expected.items():
        if code == "None":
            continue
        for figure in FIGURES:
            assert got[code].get(figure, 0) == counts.get(figure, 0), (scope, code, figure)


def test_an_unknown_street_is_named(db):
    with pytest.raises(EvaluationError, match="999999999"):
        evaluate(db, "street", parse_period("2026-11"), street="999999999")


def test_rules_are_changed_whole_in_one_audited_transaction(db):
    data = evaluation_rules_data(db)
    data["grades"] = [["A", 95], ["B", 80], ["C", 60], ["D", 40], ["E", 0]]
    data["formulas"]["department"]["source"] = "2026 年考核办法（区数字城管中心）"
    rules = set_evaluation_rules(db, data, by="考核科")
    assert rules.grade(92) == "B" and evaluation_rules(db).grade(92) == "B"
    assert evaluation_rules(db).formula("department").source == "2026 年考核办法（区数字城管中心）"
    with db.read() as s:
        log = s.execute(select(m.ChangeLog.entity, m.ChangeLog.entity_id, m.ChangeLog.op, m.ChangeLog.operator_name)
                        .order_by(m.ChangeLog.rev.desc())).first()
    assert tuple(log) == ("rules", "evaluation", "set", "考核科")


def _bad(data, change):
    change(data)
    return data


@pytest.mark.parametrize("change, needle", [
    (lambda d: d["formulas"]["department"]["terms"][0].update(weight=0.5), "权重之和"),
    (lambda d: d.update(grades=[["A", 60], ["B", 75], ["E", 0]]), "从高到低"),
    (lambda d: d["formulas"]["inspector"].update(source=" "), "来源"),
    (lambda d: d["formulas"]["inspector"].pop("source"), "来源"),
    (lambda d: d["formulas"]["inspector"]["terms"][0].update(figure="happiness"), "happiness"),
    (lambda d: d["formulas"].update(mayor=d["formulas"]["inspector"]), "mayor"),
    (lambda d: d.pop("grades"), "grades"),
])
def test_bad_rules_are_refused_and_nothing_is_written(db, change, needle):
    before = evaluation_rules_data(db)
    with db.read() as s:
        revs = s.scalar(select(func.count()).select_from(m.ChangeLog))
    with pytest.raises(EvaluationError, match=needle):
        set_evaluation_rules(db, _bad(evaluation_rules_data(db), change), by="考核科")
    db.invalidate_rules()
    assert evaluation_rules_data(db) == before
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(m.ChangeLog)) == revs


def test_a_rules_change_names_who_made_it(db):
    with pytest.raises(EvaluationError, match="修改人"):
        set_evaluation_rules(db, evaluation_rules_data(db), by=" ")

"""路长制 in the database, on both backends: a hand-built month through the real commands, scored and checked
against counts written here over plain rows; findings and their cases; flags recorded idempotently; accountability."""
from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

import pytest
import shapely
from sqlalchemy import func, select

from console.data import models as m
from console.data.commands import Actor, CommandError, act
from console.data.roads import add_finding, finding_to_case, flag_history, list_findings, score_month
from console.domain.roads import parse_month
from tests.data.test_evaluation import DISPATCH, FIELD, HW, INTAKE, LAT, LON, MON, SH, SHIFT, STAFF_ID, STREET, Case

LEADER = Actor("陈指挥", "leader", seat="指挥长席")
OFFICE = Actor("路长办", "leader", seat="路长办")
WEST = "350402002"
AFTER = datetime(2026, 12, 3, 9, 0, tzinfo=SH)  # scored after the month


def build_roads(db):
    """Road 1 (主干道, class 3): segment 1 by the test point in 列东 (unit A1), segment 2 in 列西 (no unit);
    road 2 (支路, class 1): segment 3 in 列东 (unit B1).  二级路长: 101 for both roads in 列东, 102 in 列西."""
    with db.write() as s:
        s.add_all([m.Staff(id=STAFF_ID, name="王监督", kind="inspector", street_code=STREET),
                   m.Staff(id=101, name="东副主任", kind="official", street_code=STREET),
                   m.Staff(id=102, name="西副主任", kind="official", street_code=WEST),
                   m.Staff(id=103, name="甲局长", kind="official"), m.Staff(id=104, name="乙局长", kind="official")])
        s.flush()
        s.add_all([m.Road(id=1, name="列东大道", level="主干道"), m.Road(id=2, name="小巷", level="支路")])
        s.add_all([m.RoadUnit(id=1, code="A1", name="甲局", unit_group="A", head_staff_id=103),
                   m.RoadUnit(id=2, code="B1", name="乙局", unit_group="B", head_staff_id=104)])
        s.flush()
        for sid, road, street, cls, unit, (x, y) in (
                (1, 1, STREET, 3, 1, (LON, LAT + 0.0002)), (2, 1, WEST, 3, None, (117.625, LAT + 0.0002)),
                (3, 2, STREET, 1, 2, (LON, LAT + 0.006))):
            seg = m.RoadSegment(id=sid, road_id=road, street_code=street, name=f"段{sid}", difficulty_class=cls,
                                unit_id=unit)
            seg.set_geometry(shapely.LineString([(x - 0.001, y), (x + 0.001, y)]))
            s.add(seg)
        s.flush()
        s.add_all([m.RoadChief(staff_id=101, level="second", street_code=STREET, road_id=1),
                   m.RoadChief(staff_id=101, level="second", street_code=STREET, road_id=2),
                   m.RoadChief(staff_id=102, level="second", street_code=WEST, road_id=1)])


def build_month(db):
    build_roads(db)
    day = timedelta(days=1)
    Case(db, MON).dispatched().closed()  # a valid problem on segment 1
    Case(db, MON).dispatched().closed(feedback_after=60 * 24)  # late: an overdue 处置
    Case(db, MON + day).dispatched()(HW, "feedback", 30)(FIELD, "check_fail")(HW, "feedback", 30)(
        FIELD, "check_pass")(SHIFT, "close")  # a rework
    Case(db, MON + day).dispatched()(LEADER, "supervise", reason="市民反映强烈")  # 督办
    Case(db, MON + 2 * day).dispatched()(DISPATCH, "request_cancel")(SHIFT, "approve_cancel")  # cancelled: no problem
    Case(db, MON + 2 * day, source="hotline")  # never filed: no problem
    Case(db, MON - 30 * day).dispatched().closed()  # October
    first = add_finding(db, OFFICE, segment_id=2, problem="占道经营", found_by="督查组", photo="photos/f1.jpg",
                        found_at=MON + 3 * day)
    add_finding(db, OFFICE, segment_id=2, problem="垃圾堆放", found_by="督查组", found_at=MON + 3 * day)
    add_finding(db, OFFICE, segment_id=3, problem="井盖破损", found_by="督查组", found_at=MON - 30 * day)  # October
    ref = finding_to_case(db, INTAKE, first.id, category_code="06010", at=MON + 3 * day + timedelta(hours=1))
    return first, ref


def independent_counts(db, window, now):
    """Per segment, in Python over plain rows (no code shared with console.data.roads)."""
    with db.read() as s:
        cases = {c.id: c for c in s.scalars(select(m.Case))}
        events = list(s.scalars(select(m.CaseEvent)))
        clocks = list(s.scalars(select(m.CaseStepClock)))
        urges = list(s.scalars(select(m.UrgeRecord)))
        findings = list(s.scalars(select(m.RoadFinding)))
    inside = lambda t: t is not None and window.start <= t < window.end  # noqa: E731
    from_finding = {f.case_id for f in findings if f.case_id}
    filed = {e.case_id for e in events if e.action == "file"}
    out: dict[int, Counter] = {}

    def add(segment, name):
        out.setdefault(segment, Counter())[name] += 1

    for c in cases.values():
        if c.road_segment_id and inside(c.created_at) and c.id in filed and c.state != "cancelled" \
                and c.id not in from_finding:
            add(c.road_segment_id, "problems")
    for f in findings:
        if inside(f.found_at):
            add(f.segment_id, "problems")
    late = {k.case_id for k in clocks if k.step == "dispose" and (
        inside(k.red_since) or (k.red_since is None and k.stopped_at is None and k.red_at is not None
                                and window.start <= k.red_at < min(window.end, now)))}
    for case_id in late:
        if cases[case_id].road_segment_id:
            add(cases[case_id].road_segment_id, "overdue_disposals")
    for e in events:
        if e.action == "check_fail" and inside(e.at) and cases[e.case_id].road_segment_id:
            add(cases[e.case_id].road_segment_id, "reworks")
    for u in urges:
        if u.kind == "supervise" and inside(u.at) and cases[u.case_id].road_segment_id:
            add(cases[u.case_id].road_segment_id, "supervisions")
    return out


def test_a_month_scores_against_independent_counts(db):
    build_month(db)
    result = score_month(db, "2026-11", now=AFTER)
    expected = independent_counts(db, parse_month("2026-11"), AFTER)
    by_id = {int(r.code): r for r in result.tables["segments"]}
    for seg_id, row in by_id.items():
        counts = expected.get(seg_id, Counter())
        assert {k: row.details[k] for k in ("problems", "overdue_disposals", "reworks", "supervisions")} == \
            {k: counts[k] for k in ("problems", "overdue_disposals", "reworks", "supervisions")}, seg_id
        deduction = counts["problems"] + 2 * counts["overdue_disposals"] + counts["reworks"] + 3 * counts["supervisions"]
        assert row.score == max(0, 100 - deduction)
    # the hand-built month itself on segment 1: 4 valid cases, 2 overdue 处置 (the late one, and the supervised
    # one still undisposed and red before the month ended), 1 rework, 1 督办; 2 findings on segment 2
    assert expected[1] == Counter(problems=4, overdue_disposals=2, reworks=1, supervisions=1)
    assert expected[2] == Counter(problems=2) and 3 not in expected
    s1, s2, s3 = by_id[1].score, by_id[2].score, by_id[3].score
    assert (s1, s2, s3) == (88.0, 98.0, 100.0)
    streets = {r.code: r for r in result.tables["streets"]}
    assert streets[STREET].score == round((3 * s1 + 1 * s3) / 4, 2)  # weighted by difficulty class
    assert streets[WEST].score == s2 and streets[WEST].flag == "red" and streets[STREET].flag == "black"
    roads = {r.code: r.score for r in result.tables["roads"]}
    assert roads == {"1": round((3 * s1 + 3 * s2) / 6, 2), "2": s3}
    seconds = {r.code: r for r in result.tables["second_chiefs"]}
    assert seconds["101"].score == streets[STREET].score and seconds["102"].score == s2
    units = {r.code: (r.score, r.group) for r in result.tables["units"]}
    assert units == {"A1": (s1, "A"), "B1": (s3, "B")}  # segment 2 has no unit: its 二级路长 is its 路段长
    departments = {r.code: r for r in result.tables["departments"]}
    assert departments["2"].score == s1  # 环卫处 handled every case on segment 1; the findings' case too (seg 2)
    assert {r.code: r.grade for r in result.tables["streets"]} == {STREET: "良好", WEST: "良好"}


def test_a_finding_becomes_one_case_counted_once(db):
    first, ref = build_month(db)
    with db.read() as s:
        case = s.get(m.Case, ref.id)
        assert case.road_segment_id == 2 and case.source == "leader" and case.description == "占道经营"
        assert s.get(m.RoadFinding, first.id).case_id == ref.id
        assert s.scalar(select(func.count()).select_from(m.ChangeLog).where(
            m.ChangeLog.entity == "road_finding")) == 4  # three recorded, one turned into a case
    with pytest.raises(CommandError, match="已转为案件"):
        finding_to_case(db, INTAKE, first.id)
    listed = list_findings(db, window=parse_month("2026-11"))
    assert [(f.segment_id, f.case_number) for f in listed] == [(2, ref.number), (2, None)]
    assert listed[0].photo == "photos/f1.jpg" and listed[0].recorded_by == "路长办"


@pytest.mark.parametrize("bad, message", [({"segment_id": 99}, "路段 99 不存在"), ({"problem": " "}, "写明问题"),
                                          ({"found_by": ""}, "发现人")])
def test_a_bad_finding_is_refused_and_nothing_written(db, bad, message):
    build_roads(db)
    args = {"segment_id": 1, "problem": "占道", "found_by": "督查组", **bad}
    with pytest.raises(CommandError, match=message):
        add_finding(db, OFFICE, **args)
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(m.RoadFinding)) == 0


def test_rescoring_replaces_the_months_flags_and_accountability_reads_the_year(db):
    build_month(db)
    with db.write() as s:  # the history: 列东 black in September and October already
        for month in ("2026-09", "2026-10"):
            s.add(m.RoadFlag(month=month, sequence="street", subject=STREET, name="列东街道", flag="black", score=80,
                             rank=2, recorded_at=AFTER))
    first = score_month(db, "2026-11", now=AFTER)
    again = score_month(db, "2026-11", now=AFTER)
    november = [f for f in flag_history(db, year="2026") if f["month"] == "2026-11"]
    assert november == [f for f in flag_history(db) if f["month"] == "2026-11"]
    expected = sorted((r.code, r.flag) for t in ("streets", "second_chiefs", "units") for r in first.tables[t] if r.flag)
    assert sorted((f["subject"], f["flag"]) for f in november) == expected
    assert len(november) == len(expected)  # re-scoring replaced, never added
    warning = [w for w in again.accountability if w["code"] == STREET]
    assert warning and "连续 3" in warning[0]["reason"] and warning[0]["black_months"] == ["2026-09", "2026-10", "2026-11"]
    funding = {f["code"]: f for f in again.funding}
    assert funding["A1"]["units"] == 1 and funding["A1"]["amount"] == 11  # 88 points: one full 3 above 85, group A base 10


def test_bench_roads_runs_and_agrees_with_its_naive_baseline(db):
    from console.bench.bench_roads import measure

    build_month(db)
    result = measure(db.url, "2026-11", repeat=1)
    assert result["naive_agrees"] is True and result["segments"] == 3
    assert result["score_ms"] > 0 and result["naive_ms"] > 0 and result["speedup"] is not None

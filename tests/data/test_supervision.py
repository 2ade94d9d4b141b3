"""督办 and 催办 replies on both backends: the street seat supervises its own street's cases, a reply deadline
in work time, the department's reply to a 催办, and the replies on time / late / missing counted for the
department (evaluation.md: 督办数 with replies on time / late / missing) and listed with their status."""
from __future__ import annotations

from datetime import timedelta, timezone

import pytest
from sqlalchemy import func, select

from console.data import models as m
from console.data.breakdowns import supervisions
from console.data.commands import Actor, CommandError, JurisdictionError
from console.data.evaluation import evaluate
from console.domain.calendar import Limit
from console.domain.evaluation import parse_period
from tests.data.test_evaluation import GRID, HW, MON, STAFF_ID, STREET, Case

STREET_SEAT = Actor("列东指挥席", "street_seat", seat="街道指挥席 · 列东街道", street_code=STREET)
WEST_SEAT = Actor("列西指挥席", "street_seat", seat="街道指挥席 · 列西街道", street_code="350402002")
LEADER = Actor("陈指挥", "leader", seat="指挥长席")


@pytest.fixture(autouse=True)
def _inspector(db):
    with db.write() as s:
        s.add(m.Staff(id=STAFF_ID, name="王监督", kind="inspector", street_code=STREET, grid_code=GRID))


def _aware(value):
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def _records(db, kind):
    with db.read() as s:
        return list(s.scalars(select(m.UrgeRecord).where(m.UrgeRecord.kind == kind).order_by(m.UrgeRecord.id)))


def test_the_street_seat_supervises_its_own_streets_cases_with_a_work_time_deadline(db):
    case = Case(db, MON).dispatched()
    case(STREET_SEAT, "supervise", reason="市民反映强烈", reply_within="8wh")
    [record] = _records(db, "supervise")
    assert record.seat == "街道指挥席 · 列东街道" and record.note == "市民反映强烈"
    due = db.rules().calendar.deadline(case.at, Limit.parse("8wh"))
    assert _aware(record.reply_due_at) == due
    with db.read() as s:
        clock = s.scalars(select(m.CaseStepClock).where(m.CaseStepClock.step == "supervise_reply")).one()
    assert clock.limit == "8wh"
    with pytest.raises(JurisdictionError, match="outside jurisdiction"):
        case(WEST_SEAT, "supervise", reason="越界")


@pytest.mark.parametrize("within, needle", [("2d", "work time"), ("abc", "督办回复时限")])
def test_a_bad_reply_deadline_is_refused_and_nothing_is_written(db, within, needle):
    case = Case(db, MON).dispatched()
    with pytest.raises(CommandError, match=needle):
        case(LEADER, "supervise", reason="督办", reply_within=within)
    assert _records(db, "supervise") == []
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(m.CaseStepClock).where(
            m.CaseStepClock.step == "supervise_reply")) == 0


def test_the_department_answers_a_urge_and_the_answer_is_kept(db):
    case = Case(db, MON).dispatched()
    with pytest.raises(CommandError, match="no open urge"):
        case(HW, "reply_urge", reason="无催办可回复")
    case(STREET_SEAT, "urge", reason="请尽快处置")(STREET_SEAT, "urge", 30, reason="再次催办")
    case(HW, "reply_urge", 10, reason="已安排人员，今日处理")
    first, second = _records(db, "urge")
    assert first.reply_note == "已安排人员，今日处理" and first.replied_at is not None
    assert second.replied_at is None  # the oldest unanswered 催办 is the one answered
    with db.read() as s:
        actions = [e.action for e in s.scalars(select(m.CaseEvent).order_by(m.CaseEvent.id))]
    assert actions[-3:] == ["urge", "urge", "reply_urge"]  # audited like every action


def test_replies_on_time_late_and_missing_are_counted_for_the_department(db):
    on_time, late, missing = (Case(db, MON).dispatched() for _ in range(3))
    for case in (on_time, late, missing):
        case(LEADER, "supervise", reason="督办", reply_within="2wh")
    on_time(HW, "reply_supervise", 30, reason="已处理")
    late(HW, "reply_supervise", 60 * 24, reason="迟复")  # the next day: past 2 work hours
    window = parse_period("2026-11")
    [hw] = [r for r in evaluate(db, "department", window) if r.code == str(HW.department_id)]
    got = {k: hw.counts.get(k, 0) for k in ("supervised", "supervise_replied_on_time", "supervise_replied_late",
                                             "supervise_reply_missing")}
    records = _records(db, "supervise")  # the independent count over plain rows
    expected = {"supervised": len(records),
                "supervise_replied_on_time": sum(1 for r in records if r.replied_at and r.replied_at <= r.reply_due_at),
                "supervise_replied_late": sum(1 for r in records if r.replied_at and r.replied_at > r.reply_due_at),
                "supervise_reply_missing": sum(1 for r in records if r.replied_at is None)}
    assert got == expected == {"supervised": 3, "supervise_replied_on_time": 1, "supervise_replied_late": 1,
                               "supervise_reply_missing": 1}
    listed = supervisions(db, window.end)
    assert sorted(s.status for s in listed) == ["late", "missing", "on_time"]
    [open_one] = [s for s in listed if s.status == "missing"]
    assert open_one.remaining_minutes < 0 and open_one.department and open_one.reason == "督办"
    assert supervisions(db, window.end, street="350402002") == ()
    before = supervisions(db, MON + timedelta(minutes=30))
    assert {s.status for s in before if s.replied_at is None} == {"waiting"}

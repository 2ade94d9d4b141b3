"""Workflow commands on SQLite and PostgreSQL: one transaction each, audited, versioned."""
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from console.data import models as m
from console.data.commands import (
    ActionParams,
    Actor,
    CommandError,
    JurisdictionError,
    NotFound,
    StaleVersion,
    act,
    report_case,
)
from console.data.case_record import case_clocks, timeline, urge_records
from console.data.figures import count_by_light, stats

SH = ZoneInfo("Asia/Shanghai")
# Monday 2026-11-23 09:00, a working day.
T0 = datetime(2026, 11, 23, 9, 0, tzinfo=SH)

INSPECTOR = Actor("王监督", "inspector", seat="城管通")
INTAKE = Actor("张受理", "intake", seat="受理席1", operator_id=None)
SHIFT = Actor("李值班", "shift_lead", seat="值班长席")
DISPATCH = Actor("赵派遣", "dispatcher", seat="派遣席1")
DEPT = Actor("环卫处", "department", seat="环卫处", department_id=2)
LEADER = Actor("陈指挥", "leader", seat="指挥长席")
STREET_EAST = Actor("列东指挥席", "street_seat", seat="列东", street_code="350402001")
STREET_WEST = Actor("列西指挥席", "street_seat", seat="列西", street_code="350402002")

# A point in grid 350402001001001 (street 350402001 列东街道).
LON, LAT = 117.605, 26.265
GARBAGE = "06010"  # 暴露垃圾


def garbage_condition(db) -> str:
    with db.read() as s:
        return s.scalars(
            select(m.FilingCondition.code).where(m.FilingCondition.category_code == GARBAGE).order_by(m.FilingCondition.code)
        ).first()


def new_case(db, at=T0, **kw) -> tuple[str, int]:
    ref = report_case(db, INSPECTOR, source="inspector", lon=LON, lat=LAT, category_code=GARBAGE,
                      description="路边暴露垃圾一堆", address="列东街 12 号", at=at, **kw)
    return ref.number, ref.version


def step(db, actor, number, version, action, minutes=5, at=None, **params):
    at = at or T0 + timedelta(minutes=minutes)
    return act(db, actor, number, action, expected_version=version, at=at, params=ActionParams(**params))


def to_disposing(db) -> tuple[str, int]:
    number, v = new_case(db)
    v = step(db, INTAKE, number, v, "forward", 5).version
    v = step(db, SHIFT, number, v, "file", 10, condition_code=garbage_condition(db), urgency="normal").version
    v = step(db, DISPATCH, number, v, "dispatch", 15, department_id=2).version
    return number, v


def test_report_assigns_grid_number_and_intake_clock(db):
    number, version = new_case(db)
    with db.read() as s:
        case = s.scalars(select(m.Case).where(m.Case.number == number)).one()
        assert case.state == "reported"
        assert case.grid_code == "350402001001001"
        assert case.community_code == "350402001001"
        assert case.street_code == "350402001"
        assert case.kind == "event"
        assert version == 1
    clocks = case_clocks(db, case.id)
    assert [(c.step, c.running, c.limit) for c in clocks] == [("intake", True, "30wmin")]
    # 30 working minutes from 09:00 on a Monday: due 09:30, yellow from 09:24.
    assert clocks[0].due_at.astimezone(SH) == T0 + timedelta(minutes=30)
    assert clocks[0].yellow_at.astimezone(SH) == T0 + timedelta(minutes=24)
    assert number.startswith("2026")


def test_full_lifecycle_with_return_extension_rework(db):
    number, v = to_disposing(db)
    v = step(db, DEPT, number, v, "request_return", 20, reason="不属本部门").version
    v = step(db, DISPATCH, number, v, "approve_return", 25).version
    v = step(db, DISPATCH, number, v, "dispatch", 30, department_id=2).version
    v = step(db, DEPT, number, v, "request_extension", 40, extension="2wh", reason="需调车").version
    v = step(db, DISPATCH, number, v, "approve_extension", 45).version
    v = step(db, DEPT, number, v, "feedback", 60).version
    v = step(db, INSPECTOR, number, v, "check_fail", 70, reason="仍有垃圾").version
    v = step(db, DEPT, number, v, "feedback", 90).version
    v = step(db, INSPECTOR, number, v, "check_pass", 100).version
    ref = step(db, SHIFT, number, v, "close", 110)
    assert ref.state == "closed"

    with db.read() as s:
        case = s.scalars(select(m.Case).where(m.Case.number == number)).one()
        assert (case.return_count, case.extension_count, case.rework_count) == (1, 1, 1)
        assert case.close_type == "normal" and not case.is_open and case.department_id == 2
    clocks = case_clocks(db, case.id)
    assert all(not c.open for c in clocks)
    dispose = [c for c in clocks if c.step == "dispose"]
    assert [c.outcome for c in dispose] == ["returned", "on_time"]
    # 4wh limit + 2wh extension; one clock across the rework round.
    assert dispose[1].total_minutes == 6 * 60
    events = timeline(db, number)
    assert [e.action for e in events] == [
        "report", "forward", "file", "dispatch", "request_return", "approve_return", "dispatch",
        "request_extension", "approve_extension", "feedback", "check_fail", "feedback", "check_pass", "close",
    ]
    assert [e.version for e in events] == list(range(1, 15))
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(m.ChangeLog).where(m.ChangeLog.entity == "case")) == 14


def test_rework_continues_dispose_clock_without_check_time(db):
    number, v = to_disposing(db)  # dispatched at 09:15, 4wh
    v = step(db, DEPT, number, v, "feedback", 75).version  # 60 min used
    v = step(db, INSPECTOR, number, v, "check_fail", 135, reason="仍有垃圾").version  # 60 min in 核查: not counted
    with db.read() as s:
        case_id = s.scalar(select(m.Case.id).where(m.Case.number == number))
    dispose = [c for c in case_clocks(db, case_id) if c.step == "dispose"]
    assert len(dispose) == 1 and dispose[0].running
    assert dispose[0].consumed_minutes == pytest.approx(60)
    # 180 working minutes left from 11:15: 45 before lunch, 135 after 14:00 -> 16:15.
    assert dispose[0].due_at.astimezone(SH) == T0.replace(hour=16, minute=15)


def test_hold_pauses_and_resume_moves_deadline(db):
    number, v = to_disposing(db)
    v = step(db, DEPT, number, v, "request_hold", 45, reason="需规划审批").version
    v = step(db, LEADER, number, v, "approve_hold", 75).version  # 60 min used at 10:15
    with db.read() as s:
        case = s.scalars(select(m.Case).where(m.Case.number == number)).one()
        assert case.state == "hung" and case.pending is None
    resume_at = datetime(2026, 11, 24, 9, 0, tzinfo=SH)
    step(db, DISPATCH, number, v, "resume", at=resume_at)
    dispose = [c for c in case_clocks(db, case.id) if c.step == "dispose"][0]
    assert dispose.running and dispose.consumed_minutes == pytest.approx(60)
    assert dispose.due_at.astimezone(SH) == resume_at.replace(hour=12, minute=0)  # 180 min: 09:00-12:00


def test_stale_version_names_who_acted(db):
    number, v = new_case(db)
    step(db, INTAKE, number, v, "forward", 5)
    with pytest.raises(StaleVersion) as err:
        step(db, INTAKE, number, v, "refuse", 6)
    assert "张受理" in str(err.value) and "受理席1" in str(err.value)
    assert err.value.by == "张受理" and err.value.current_version == v + 1
    with db.read() as s:
        assert s.scalar(select(m.Case.state).where(m.Case.number == number)) == "to_file"
        assert s.scalar(select(func.count()).select_from(m.CaseEvent)) == 2


def test_illegal_action_and_role_change_nothing(db):
    number, v = new_case(db)
    with pytest.raises(CommandError, match="dispatch"):
        step(db, DISPATCH, number, v, "dispatch", department_id=1)
    with pytest.raises(CommandError, match="intake|受理员"):
        step(db, INTAKE, number, v, "close")
    with pytest.raises(NotFound):
        step(db, INTAKE, "2026999", 1, "forward")
    with db.read() as s:
        assert s.scalar(select(m.Case.version).where(m.Case.number == number)) == 1
        assert s.scalar(select(func.count()).select_from(m.CaseEvent)) == 1
        assert s.scalar(select(func.count()).select_from(m.ChangeLog)) == 1


def test_bad_parameters_are_refused_by_name(db):
    number, v = new_case(db)
    v = step(db, INTAKE, number, v, "forward").version
    with pytest.raises(CommandError, match="立案条件"):
        step(db, SHIFT, number, v, "file")
    with pytest.raises(CommandError, match="9999"):
        step(db, SHIFT, number, v, "file", condition_code="9999")
    v = step(db, SHIFT, number, v, "file", condition_code=garbage_condition(db)).version
    with pytest.raises(CommandError, match="部门|department"):
        step(db, DISPATCH, number, v, "dispatch", department_id=99)


@pytest.mark.parametrize("source", ["public", "", "HOTLINE", "hotline "])
def test_an_unknown_source_is_refused_and_nothing_is_written(db, source):
    with pytest.raises(CommandError, match="案件来源.*hotline"):
        report_case(db, INTAKE, source=source, lon=LON, lat=LAT, category_code=GARBAGE, at=T0)
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(m.Case)) == 0
        assert s.scalar(select(func.count()).select_from(m.CaseEvent)) == 0


def test_street_seat_urges_only_its_own_street(db):
    number, v = new_case(db)
    with pytest.raises(JurisdictionError, match="350402001"):
        step(db, STREET_WEST, number, v, "urge", reason="请尽快")
    ref = step(db, STREET_EAST, number, v, "urge", reason="请尽快")
    assert ref.state == "reported" and ref.version == v + 1
    records = urge_records(db, ref.id)
    assert [(r.kind, r.operator_name, r.note) for r in records] == [("urge", "列东指挥席", "请尽快")]


def test_supervise_and_reply(db):
    number, v = to_disposing(db)
    v = step(db, LEADER, number, v, "supervise", 20, reason="市民反映强烈").version
    with db.read() as s:
        case_id = s.scalar(select(m.Case.id).where(m.Case.number == number))
    record = urge_records(db, case_id)[0]
    assert record.kind == "supervise" and record.reply_due_at is not None
    step(db, DEPT, number, v, "reply_supervise", 30, reason="已安排清运")
    record = urge_records(db, case_id)[0]
    assert record.replied_at is not None and record.reply_note == "已安排清运"


def test_department_acts_only_on_its_cases(db):
    number, v = to_disposing(db)
    other = Actor("市政中心", "department", seat="市政", department_id=1)
    with pytest.raises(JurisdictionError):
        step(db, other, number, v, "feedback", 30)


def test_idempotency_key_applies_once(db):
    number, v = new_case(db)
    first = act(db, INTAKE, number, "forward", expected_version=v, at=T0, idempotency_key="k-1")
    again = act(db, INTAKE, number, "forward", expected_version=v, at=T0, idempotency_key="k-1")
    assert first.applied and not again.applied and again.version == first.version
    assert len(timeline(db, number)) == 2


def test_lights_and_stats(db):
    number, v = new_case(db)  # intake clock 30wmin from 09:00
    assert count_by_light(db, T0 + timedelta(minutes=10)) == {"green": 1, "yellow": 0, "red": 0}
    assert count_by_light(db, T0 + timedelta(minutes=25)) == {"green": 0, "yellow": 1, "red": 0}
    assert count_by_light(db, T0 + timedelta(minutes=31)) == {"green": 0, "yellow": 0, "red": 1}
    result = stats(db, now=T0 + timedelta(minutes=31))
    assert result["streets"] == 2 and result["communities"] == 4 and result["grids"] == 8
    assert result["cases"] == {"total": 1, "by_state": {"reported": 1}, "by_light": {"green": 0, "yellow": 0, "red": 1}}
    assert stats(db, scope="350402002")["cases"]["total"] == 0


def test_cancel_request_and_approval(db):
    number, v = to_disposing(db)
    v = step(db, DISPATCH, number, v, "request_cancel", 20, reason="重复案件").version
    ref = step(db, SHIFT, number, v, "approve_cancel", 25)
    assert ref.state == "cancelled"
    with db.read() as s:
        case_id = s.scalar(select(m.Case.id).where(m.Case.number == number))
    assert all(not c.open and c.outcome in ("cancelled", "on_time", "late") for c in case_clocks(db, case_id))


def test_self_handled_report_closes_on_approval(db):
    ref = report_case(db, INSPECTOR, source="inspector", lon=LON, lat=LAT, category_code=GARBAGE,
                      self_handled=True, photos=["after.jpg"], at=T0)
    closed = act(db, INTAKE, ref.number, "approve_self_handled", expected_version=ref.version, at=T0 + timedelta(minutes=3))
    assert closed.state == "closed"
    with db.read() as s:
        assert s.scalar(select(m.Case.close_type).where(m.Case.number == ref.number)) == "self_handled"


def test_report_outside_every_grid_is_kept_without_grid(db):
    ref = report_case(db, INTAKE, source="hotline", lon=118.5, lat=27.0, category_code=GARBAGE,
                      caller_name="刘先生", caller_phone="13900001234", at=T0)
    with db.read() as s:
        case = s.get(m.Case, ref.id)
        assert case.grid_code is None and case.caller_phone == "13900001234"


def test_naive_time_is_refused(db):
    with pytest.raises(CommandError, match="时区|zone"):
        report_case(db, INSPECTOR, source="inspector", lon=LON, lat=LAT, at=datetime(2026, 1, 1, 9))

"""Time limits that cannot be gamed (issue 8), on SQLite and PostgreSQL.

Extensions after red keep the overdue, are capped per case, and are converted in the
clock's own time family; a return after red is recorded overdue; reclassification
before dispatch; the hung cancel; reasons are never empty; case numbers take the
local year; `calendar set` recomputes the running clocks' marks in its transaction.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from console.data import models as m
from console.data.calendar_admin import set_day, unconfirmed_years_in_use
from console.data.case_record import case_clocks, timeline
from console.data.commands import Actor, CommandError, act, report_case
from console.data.figures import stats
from console.domain.workflow import REASON_ACTIONS, Action
from tests.data.test_commands import (
    DEPT, DISPATCH, GARBAGE, INSPECTOR, INTAKE, LAT, LEADER, LON, SH, SHIFT, T0, new_case, step, to_disposing,
)

# to_disposing: dispatched Mon 2026-11-23 09:15 on 0601001 normal 4wh -> due 15:15.
DUE = T0.replace(hour=15, minute=15)


def mins(t: datetime) -> int:
    return int((t - T0).total_seconds() // 60)


def case_of(db, number: str) -> m.Case:
    with db.read() as s:
        return s.scalars(select(m.Case).where(m.Case.number == number)).one()


def dispose_clocks(db, number: str) -> list[m.CaseStepClock]:
    return [c for c in case_clocks(db, case_of(db, number).id) if c.step == "dispose"]


def events(db) -> int:
    with db.read() as s:
        return s.scalar(select(func.count()).select_from(m.CaseEvent))


def extend(db, number: str, v: int, request_at: datetime, approve_at: datetime, *, by: Actor = DISPATCH,
           extension: str = "2wh") -> int:
    v = step(db, DEPT, number, v, "request_extension", at=request_at, extension=extension, reason="需调车").version
    return step(db, by, number, v, "approve_extension", at=approve_at).version


def finish(db, number: str, v: int, feedback_at: datetime) -> m.Case:
    v = step(db, DEPT, number, v, "feedback", at=feedback_at).version
    v = step(db, INSPECTOR, number, v, "check_pass", at=feedback_at + timedelta(minutes=5)).version
    step(db, SHIFT, number, v, "close", at=feedback_at + timedelta(minutes=10))
    return case_of(db, number)


# -- extensions ------------------------------------------------------------------------------


def test_extension_approved_after_red_keeps_the_round_overdue(db):
    number, v = to_disposing(db)
    assert dispose_clocks(db, number)[0].due_at.astimezone(SH) == DUE
    v = extend(db, number, v, DUE - timedelta(minutes=15), DUE + timedelta(minutes=45))  # approved when red
    clock = dispose_clocks(db, number)[0]
    assert clock.running and clock.outcome == "late"  # recorded at once, while the light turns back
    assert clock.due_at.astimezone(SH) == T0.replace(hour=17, minute=15)
    # feedback inside the extended total: the round is still overdue, and so is the close
    case = finish(db, number, v, DUE + timedelta(minutes=75))
    assert dispose_clocks(db, number)[0].outcome == "late"
    assert case.close_type == "overdue"


def test_extension_approved_in_time_ends_on_time(db):
    number, v = to_disposing(db)
    v = extend(db, number, v, DUE - timedelta(minutes=15), DUE - timedelta(minutes=5))
    case = finish(db, number, v, DUE + timedelta(minutes=75))
    assert dispose_clocks(db, number)[0].outcome == "on_time" and case.close_type == "normal"


def test_overdue_survives_rework(db):
    number, v = to_disposing(db)
    v = extend(db, number, v, DUE - timedelta(minutes=15), DUE + timedelta(minutes=30))
    v = step(db, DEPT, number, v, "feedback", at=DUE + timedelta(minutes=40)).version
    v = step(db, INSPECTOR, number, v, "check_fail", at=DUE + timedelta(minutes=50), reason="仍有垃圾").version
    assert dispose_clocks(db, number)[0].running and dispose_clocks(db, number)[0].outcome == "late"
    case = finish(db, number, v, DUE + timedelta(minutes=60))
    assert dispose_clocks(db, number)[0].outcome == "late" and case.close_type == "overdue"


def test_extensions_are_capped_unless_a_leader_approves(db):
    number, v = to_disposing(db)
    for k in range(2):  # the demo city's cap: 2
        v = extend(db, number, v, T0 + timedelta(minutes=20 + 10 * k), T0 + timedelta(minutes=25 + 10 * k))
    v = step(db, DEPT, number, v, "request_extension", 50, extension="1wh", reason="再需调车").version
    before = events(db)
    with pytest.raises(CommandError, match="已延期 2 次，达到上限 2 次.*指挥长.*extension cap 2"):
        step(db, DISPATCH, number, v, "approve_extension", 55)
    assert events(db) == before and case_of(db, number).extension_count == 2  # nothing written
    step(db, LEADER, number, v, "approve_extension", 56)
    assert case_of(db, number).extension_count == 3
    assert dispose_clocks(db, number)[0].total_minutes == 240 + 120 + 120 + 60


def test_the_cap_is_data(db):
    with db.write() as s:
        s.get(m.Setting, "max_extensions").value = 1  # the demo city ships 2
    db.invalidate_rules()
    number, v = to_disposing(db)
    v = extend(db, number, v, T0 + timedelta(minutes=20), T0 + timedelta(minutes=25))
    v = step(db, DEPT, number, v, "request_extension", 30, extension="1wh", reason="再需调车").version
    with pytest.raises(CommandError, match="上限 1 次"):
        step(db, DISPATCH, number, v, "approve_extension", 35)


def test_natural_day_extension_of_a_work_clock_is_converted_at_the_deadline(db):
    number, v = to_disposing(db)
    extend(db, number, v, T0 + timedelta(minutes=20), T0 + timedelta(minutes=25), extension="1d")
    clock = dispose_clocks(db, number)[0]
    # Mon 15:15 -> Tue 15:15 holds 135 + 210 + 75 = 420 work minutes (never 1440)
    assert clock.total_minutes == 240 + 420
    assert clock.due_at.astimezone(SH) == DUE + timedelta(days=1)


def test_extension_that_adds_nothing_is_refused_and_nothing_written(db):
    number, v = late_dispatch(db, 17)  # Mon 17:00 + 4wh: 30 min Monday, due Tue 12:00
    assert marks(db, number)[0] == datetime(2026, 11, 24, 12, 0, tzinfo=SH)
    before = events(db)
    # one natural hour after Tue 12:00 is 13:00, lunch: no work time to add; refused at the request
    with pytest.raises(CommandError, match="延期 1h 无效.*must add time"):
        step(db, DEPT, number, v, "request_extension", at=T0.replace(hour=17, minute=10), extension="1h",
             reason="夜间施工")
    assert events(db) == before and case_of(db, number).pending is None
    assert dispose_clocks(db, number)[0].total_minutes == 240


@pytest.mark.parametrize("extension", ["9999999d", "99999999wd", "40000000wh"])
def test_absurd_extensions_are_refused_in_one_line(db, extension):
    number, v = to_disposing(db)
    with pytest.raises(CommandError, match=f"延期时长无效: 时限 '{extension}' 超出上限") as refused:  # Limit.parse's bound
        step(db, DEPT, number, v, "request_extension", 20, extension=extension, reason="无限期")
    assert len(str(refused.value).splitlines()) == 1
    assert case_of(db, number).version == v


# -- returns ---------------------------------------------------------------------------------


def test_return_after_red_records_the_round_overdue(db):
    number, v = to_disposing(db)
    v = step(db, DEPT, number, v, "request_return", at=DUE + timedelta(minutes=10), reason="不属本部门").version
    step(db, DISPATCH, number, v, "approve_return", at=DUE + timedelta(minutes=20))
    assert [c.outcome for c in dispose_clocks(db, number)] == ["late"]


def test_return_in_time_is_recorded_returned(db):
    number, v = to_disposing(db)
    v = step(db, DEPT, number, v, "request_return", at=DUE - timedelta(minutes=20), reason="不属本部门").version
    step(db, DISPATCH, number, v, "approve_return", at=DUE - timedelta(minutes=10))
    assert [c.outcome for c in dispose_clocks(db, number)] == ["returned"]


# -- reclassification ------------------------------------------------------------------------


def filed(db) -> tuple[str, int]:
    number, v = new_case(db)
    v = step(db, INTAKE, number, v, "forward", 5).version
    return number, step(db, SHIFT, number, v, "file", 10, condition_code="0601001", urgency="normal").version


def test_shift_lead_reclassifies_before_dispatch_and_the_new_limit_applies(db):
    number, v = filed(db)
    v = step(db, SHIFT, number, v, "reclassify", 12, category_code="06011", condition_code="0601101",
             reason="现场为建筑渣土").version
    case = case_of(db, number)
    assert (case.category_code, case.condition_code, case.urgency, case.state) == ("06011", "0601101", "normal",
                                                                                  "to_dispatch")
    event = timeline(db, number)[-1]
    assert event.action == "reclassify" and event.role == "shift_lead"
    assert event.data["previous"] == {"category_code": GARBAGE, "condition_code": "0601001", "urgency": "normal"}
    assert (event.data["condition_code"], event.data["reason"]) == ("0601101", "现场为建筑渣土")
    step(db, DISPATCH, number, v, "dispatch", 20, department_id=2)
    assert dispose_clocks(db, number)[0].limit == "4wd"  # 0601101 normal, not 0601001's 4wh


@pytest.mark.parametrize(("actor", "params", "message"), [
    (DISPATCH, {"condition_code": "0601002", "reason": "改"}, "值班长"),
    (SHIFT, {"condition_code": "0601002"}, "需要填写理由"),
    (SHIFT, {"reason": "改"}, "需要选择立案条件"),
    (SHIFT, {"condition_code": "0601101", "category_code": GARBAGE, "reason": "改"}, "与案件类别 06010 不符"),
    (SHIFT, {"condition_code": "0601001", "reason": "改"}, "无需重新分类"),
    (SHIFT, {"condition_code": "0601002", "urgency": "dire", "reason": "改"}, "紧急程度"),
    (SHIFT, {"category_code": "99999", "condition_code": "0601002", "reason": "改"}, "类别 99999"),
])
def test_bad_reclassification_is_refused_and_nothing_written(db, actor, params, message):
    number, v = filed(db)
    before = events(db)
    with pytest.raises(CommandError, match=message):
        step(db, actor, number, v, "reclassify", 12, **params)
    assert events(db) == before and case_of(db, number).condition_code == "0601001"


def test_reclassify_before_filing_lets_the_shift_lead_file_in_the_right_category(db):
    number, v = new_case(db)  # reported as 暴露垃圾
    v = step(db, INTAKE, number, v, "forward", 5).version
    with pytest.raises(CommandError, match="与案件类别 06010 不符"):
        step(db, SHIFT, number, v, "file", 8, condition_code="0601101")
    v = step(db, SHIFT, number, v, "reclassify", 9, category_code="06011", condition_code="0601101",
             reason="实为建筑渣土").version
    assert case_of(db, number).state == "to_file"
    v = step(db, SHIFT, number, v, "file", 10, condition_code="0601101").version
    step(db, DISPATCH, number, v, "dispatch", 15, department_id=2)
    assert dispose_clocks(db, number)[0].limit == "4wd"


def test_no_reclassification_after_dispatch(db):
    number, v = to_disposing(db)
    with pytest.raises(CommandError, match="重新分类.*待派遣"):
        step(db, SHIFT, number, v, "reclassify", 20, condition_code="0601002", reason="改")


# -- the hung cancel -------------------------------------------------------------------------


def hung(db) -> tuple[str, int]:
    number, v = to_disposing(db)
    v = step(db, DEPT, number, v, "request_hold", 20, reason="待拆迁").version
    return number, step(db, DISPATCH, number, v, "approve_hold", 25).version


def test_shift_lead_cancels_a_hung_case_with_a_reason(db):
    number, v = hung(db)
    ref = step(db, SHIFT, number, v, "cancel_hung", 30, reason="拆迁完成，问题已不存在")
    assert ref.state == "cancelled"
    case = case_of(db, number)
    assert not case.is_open and case.closed_at is not None
    assert all(not c.open for c in case_clocks(db, case.id))
    assert dispose_clocks(db, number)[0].outcome == "cancelled"
    event = timeline(db, number)[-1]
    assert (event.action, event.from_state, event.to_state, event.data["reason"]) == (
        "cancel_hung", "hung", "cancelled", "拆迁完成，问题已不存在")


@pytest.mark.parametrize(("actor", "reason", "message"), [
    (DISPATCH, "不再处理", "值班长"), (SHIFT, "", "需要填写理由"), (SHIFT, "  \u3000\u200b ", "需要填写理由"),
])
def test_hung_cancel_refused_without_shift_lead_or_reason(db, actor, reason, message):
    number, v = hung(db)
    with pytest.raises(CommandError, match=message):
        step(db, actor, number, v, "cancel_hung", 30, reason=reason)
    assert case_of(db, number).state == "hung"


# -- reasons ---------------------------------------------------------------------------------


def test_reason_actions_cover_the_issue_list():
    assert {Action.URGE, Action.SUPERVISE, Action.REQUEST_RETURN, Action.REQUEST_CANCEL, Action.REFUSE_FILING,
            Action.REFUSE, Action.CANCEL_HUNG, Action.RECLASSIFY} <= REASON_ACTIONS


@pytest.mark.parametrize("blank", ["", "   ", "\u3000\u3000", "\u200b", "\n\t"])
@pytest.mark.parametrize(("setup", "actor", "action"), [
    ("reported", INTAKE, "urge"), ("reported", LEADER, "supervise"), ("reported", INTAKE, "refuse"),
    ("to_file", SHIFT, "refuse_filing"), ("disposing", DEPT, "request_return"),
    ("disposing", DISPATCH, "request_cancel"), ("disposing", DEPT, "request_hold"),
])
def test_every_reason_action_refuses_an_empty_reason(db, setup, actor, action, blank):
    if setup == "reported":
        number, v = new_case(db)
    elif setup == "to_file":
        number, v = new_case(db)
        v = step(db, INTAKE, number, v, "forward", 5).version
    else:
        number, v = to_disposing(db)
    before = events(db)
    with pytest.raises(CommandError, match="需要填写理由 .*a reason is required"):
        act(db, actor, number, action, expected_version=v, note=blank, at=T0 + timedelta(minutes=40))
    assert events(db) == before and case_of(db, number).version == v


def test_the_reason_is_stored_stripped(db):
    number, v = new_case(db)
    step(db, INTAKE, number, v, "urge", 10, reason="  请尽快\u3000 ")
    assert timeline(db, number)[-1].data["reason"] == "请尽快"


# -- case numbers ----------------------------------------------------------------------------


def test_case_number_takes_the_local_year(db):
    new_year_night = datetime(2026, 12, 31, 16, 30, tzinfo=timezone.utc)  # 2027-01-01 00:30 in Shanghai
    ref = report_case(db, INSPECTOR, source="inspector", lon=LON, lat=LAT, category_code=GARBAGE, at=new_year_night)
    assert ref.number.startswith("2027")
    ref = report_case(db, INSPECTOR, source="inspector", lon=LON, lat=LAT, category_code=GARBAGE,
                      at=datetime(2026, 12, 31, 23, 59, tzinfo=SH))
    assert ref.number.startswith("2026")


# -- calendar set ----------------------------------------------------------------------------

TUESDAY = date(2026, 11, 24)


def marks(db, number: str, step_name: str = "dispose") -> tuple:
    clock = [c for c in case_clocks(db, case_of(db, number).id) if c.step == step_name][-1]
    return tuple(t.astimezone(SH) if t else None for t in (clock.due_at, clock.yellow_at, clock.red_at))


def late_dispatch(db, hour: int) -> tuple[str, int]:
    """A case dispatched Monday at *hour*:00 on 4wh."""
    start = T0.replace(hour=hour)
    number, v = new_case(db, at=start - timedelta(minutes=15))
    v = step(db, INTAKE, number, v, "forward", at=start - timedelta(minutes=10)).version
    v = step(db, SHIFT, number, v, "file", at=start - timedelta(minutes=5), condition_code="0601001").version
    return number, step(db, DISPATCH, number, v, "dispatch", at=start, department_id=2).version


def case_changes(db, since_rev: int) -> list[tuple[str, str, str]]:
    with db.read() as s:
        return [tuple(r) for r in s.execute(select(m.ChangeLog.entity, m.ChangeLog.entity_id, m.ChangeLog.op)
                              .where(m.ChangeLog.rev > since_rev).order_by(m.ChangeLog.rev))]


def last_rev(db) -> int:
    with db.read() as s:
        return s.scalar(select(func.max(m.ChangeLog.rev)))


def test_calendar_set_recomputes_the_marks_of_the_clocks_the_day_touches(db):
    touched, _ = late_dispatch(db, 16)  # Mon 16:00 + 4wh: 90 min Monday, due Tue 11:00
    untouched, _ = to_disposing(db)  # due Mon 15:15, red Mon 15:15+: the Tuesday cannot move it
    assert marks(db, touched)[0] == datetime(2026, 11, 24, 11, 0, tzinfo=SH)
    before_untouched = marks(db, untouched)
    rev = last_rev(db)

    assert set_day(db, TUESDAY, workday=False, note="防台风停工", by="admin1") == 1
    due, yellow, red = marks(db, touched)
    assert due == datetime(2026, 11, 25, 11, 0, tzinfo=SH)  # Tuesday off: Wednesday 11:00
    assert yellow == datetime(2026, 11, 25, 10, 12, tzinfo=SH)  # 80 % of 240 = 192 min: 90 Mon + 102 Wed
    assert red > due
    assert marks(db, untouched) == before_untouched
    changes = case_changes(db, rev)
    assert ("calendar", "2026-11-24", "set") in changes
    assert ("case", str(case_of(db, touched).id), "calendar") in changes
    assert all(c[1] != str(case_of(db, untouched).id) for c in changes)
    # the lights a seat reads from the marks follow at once
    assert stats(db, now=datetime(2026, 11, 24, 11, 30, tzinfo=SH))["cases"]["by_light"]["red"] == 1  # untouched

    assert set_day(db, TUESDAY, workday=True, by="admin1") == 1  # and back
    assert marks(db, touched)[0] == datetime(2026, 11, 24, 11, 0, tzinfo=SH)


def test_next_command_after_calendar_set_uses_the_new_calendar(db):
    number, v = late_dispatch(db, 16)
    set_day(db, TUESDAY, workday=False, by="admin1")
    # a seat in another process with the old rules cached: the stamp makes it reload
    db.rules()  # cache now
    with db.write() as s:
        s.get(m.CalendarOverride, TUESDAY).workday = True  # as another process would, revision bumped below
        row = s.get(m.Setting, "calendar_revision")
        row.value = {"revision": row.value["revision"] + 1}
    v = step(db, DEPT, number, v, "request_hold", at=T0.replace(hour=16, minute=30), reason="待协调").version
    v = step(db, DISPATCH, number, v, "approve_hold", at=T0.replace(hour=16, minute=40)).version
    step(db, DISPATCH, number, v, "resume", at=T0.replace(hour=16, minute=50))
    # 40 min used on Monday, 200 left from 16:50: 40 Monday + 160 Tuesday (a workday again) -> Tue 11:10
    assert marks(db, number)[0] == datetime(2026, 11, 24, 11, 10, tzinfo=SH)


def test_natural_time_clocks_are_left_alone(db):
    number, v = new_case(db)
    v = step(db, INTAKE, number, v, "forward", 5).version
    v = step(db, SHIFT, number, v, "file", 10, condition_code="0601001", urgency="critical").version  # 1h natural
    step(db, DISPATCH, number, v, "dispatch", at=T0.replace(hour=23), department_id=2)
    before = marks(db, number)
    assert set_day(db, TUESDAY, workday=False, by="admin1") == 0
    assert marks(db, number) == before


def test_unconfirmed_years_in_use_follow_the_running_clocks(db):
    assert unconfirmed_years_in_use(db, now=T0) == []
    report_case(db, INSPECTOR, source="inspector", lon=LON, lat=LAT, category_code=GARBAGE,
                at=datetime(2026, 12, 31, 17, 15, tzinfo=SH))  # 30wmin: 15 left for Mon 4 Jan 2027 (元旦 off)
    assert unconfirmed_years_in_use(db, now=T0) == [2027]
    result = stats(db, now=T0)["calendar"]
    assert result["unconfirmed_years"] == [2027] and "2027" in result["warning"]


def test_calendar_set_racing_commands_leaves_no_clock_on_the_old_calendar(db):
    """Holds and resumes (each stamps new marks) run while `calendar set` flips a day, in parallel."""
    import threading

    from console.data.commands import clock_columns
    from console.data.commands import _clock as domain_clock
    from console.data.rules import load_rules

    cases = [late_dispatch(db, 16) for _ in range(4)]
    errors: list[BaseException] = []

    def hall() -> None:
        try:
            for number, v in cases:
                for k in range(3):
                    at = T0.replace(hour=16, minute=10 + 12 * k)
                    v = step(db, DEPT, number, v, "request_hold", at=at, reason="待协调").version
                    v = step(db, DISPATCH, number, v, "approve_hold", at=at + timedelta(minutes=2)).version
                    v = step(db, DISPATCH, number, v, "resume", at=at + timedelta(minutes=4)).version
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            errors.append(exc)

    def admin() -> None:
        try:
            for k in range(8):
                set_day(db, TUESDAY, workday=k % 2 == 1, by="admin1")
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=hall), threading.Thread(target=admin)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == [] and not any(t.is_alive() for t in threads)
    with db.read() as s:
        rules = load_rules(s)
        running = list(s.scalars(select(m.CaseStepClock).where(m.CaseStepClock.running)))
        assert len(running) == len(cases)
        for row in running:
            expected = clock_columns(domain_clock(row), rules)
            assert (row.due_at, row.yellow_at, row.red_at) == (expected["due_at"], expected["yellow_at"],
                                                               expected["red_at"])
    # the last flip made Tuesday a workday again
    assert all(marks(db, number)[0].date() == TUESDAY for number, _ in cases)

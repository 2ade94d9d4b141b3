from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from console.domain.calendar import Limit, TimeKind, WorkCalendar
from console.domain.clocks import (
    DEFAULT_STEP_LIMITS,
    ClockError,
    Light,
    LightMarks,
    Step,
    StepClock,
    Thresholds,
    count_lights,
    epoch_us,
    light_from_marks,
    light_of_ratio,
    lights_array,
    lights_for,
    remaining_from_due,
    worst_light,
)

SH = ZoneInfo("Asia/Shanghai")
CAL = WorkCalendar()
US = timedelta(microseconds=1)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SH)


def dispose(limit: str = "4wh", start: str = "2026-03-10 09:00") -> StepClock:
    return StepClock.start(Step.DISPOSE, Limit.parse(limit), at(start), CAL)


# -- enums and data ------------------------------------------------------------
def test_steps_and_labels() -> None:
    assert [s.value for s in Step] == [
        "intake", "verify", "file", "dispatch", "dispose", "check", "close", "supervise_reply",
    ]
    assert Step.DISPOSE.label == "处置"
    assert Step.SUPERVISE_REPLY.label == "督办回复"
    assert Light.RED.label == "红灯"


def test_default_step_limits_follow_the_workflow() -> None:
    assert str(DEFAULT_STEP_LIMITS[Step.INTAKE]) == "30wmin"
    assert str(DEFAULT_STEP_LIMITS[Step.VERIFY]) == "60wmin"
    assert str(DEFAULT_STEP_LIMITS[Step.SUPERVISE_REPLY]) == "1wd"
    assert Step.DISPOSE not in DEFAULT_STEP_LIMITS  # comes from the filing condition


def test_worst_light() -> None:
    assert worst_light([Light.GREEN, Light.RED, Light.YELLOW]) is Light.RED
    assert worst_light([Light.GREEN, Light.YELLOW]) is Light.YELLOW
    assert worst_light([]) is None


@pytest.mark.parametrize(
    ("yellow", "red", "message"),
    [(0, 1.0, "0 < yellow <= red"), (0.9, 0.8, "0 < yellow <= red"), (float("nan"), 1.0, "finite"),
     (0.8, "1", "finite"), (-0.1, 1.0, "0 < yellow")],
)
def test_threshold_validation(yellow: float, red: float, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Thresholds(yellow=yellow, red=red)


# -- start / deadline ----------------------------------------------------------
def test_start_sets_total_and_due() -> None:
    clock = dispose("4wh", "2026-03-10 16:30")
    assert clock.total_minutes == 240
    assert clock.state == "running"
    assert clock.kind is TimeKind.WORK
    assert clock.started_at == clock.run_started_at == at("2026-03-10 16:30")
    assert clock.due_at(CAL) == at("2026-03-11 11:30")
    assert clock.yellow_at(CAL) == at("2026-03-11 10:42")  # 192 work minutes


def test_natural_clock_ignores_the_schedule() -> None:
    clock = dispose("6h", "2026-03-07 22:00")  # Saturday night
    assert clock.due_at(CAL) == at("2026-03-08 04:00")
    assert clock.elapsed(at("2026-03-08 01:00"), CAL) == 180


def test_naive_times_are_rejected() -> None:
    with pytest.raises(ValueError, match="naive"):
        StepClock.start(Step.INTAKE, Limit.parse("30wmin"), datetime(2026, 3, 10, 9), CAL)
    paused = dispose().pause(at("2026-03-10 10:00"), CAL)
    with pytest.raises(ValueError, match="naive"):
        paused.light(datetime(2026, 3, 10, 11), CAL)


def test_zero_limit_clock_is_rejected() -> None:
    with pytest.raises(ClockError, match="dispose .处置. clock: total time must be > 0"):
        dispose("0wh")


# -- pause / resume (挂账) -------------------------------------------------------
def test_pause_and_resume_move_the_deadline_by_paused_work_time() -> None:
    clock = dispose("4wh", "2026-03-10 09:00")
    assert clock.due_at(CAL) == at("2026-03-10 15:00")
    paused = clock.pause(at("2026-03-10 10:00"), CAL)
    assert paused.paused and paused.state == "paused"
    assert paused.consumed_minutes == 60
    assert paused.due_at(CAL) is None and paused.yellow_at(CAL) is None and paused.marks(CAL) is None
    assert paused.elapsed(at("2026-03-12 10:00"), CAL) == 60  # paused time does not count
    resumed = paused.resume(at("2026-03-11 10:00"))  # one working day (420 min) later
    assert resumed.due_at(CAL) == at("2026-03-11 15:00")
    paused_work = CAL.work_minutes_between(at("2026-03-10 10:00"), at("2026-03-11 10:00"))
    assert CAL.work_minutes_between(clock.due_at(CAL), resumed.due_at(CAL)) == paused_work


def test_paused_clock_shows_the_light_of_its_consumed_time() -> None:
    paused = dispose("4wh", "2026-03-10 08:30").pause(at("2026-03-10 11:50"), CAL)  # 200 min
    assert paused.light(at("2026-03-20 10:00"), CAL) is Light.YELLOW
    assert paused.remaining(at("2026-03-20 10:00"), CAL) == 40


@pytest.mark.parametrize(
    ("action", "message"),
    [
        (lambda c: c.resume(at("2026-03-10 10:00")), "cannot resume .* it is running, expected paused"),
        (lambda c: c.reopen(at("2026-03-10 10:00")), "cannot reopen .* it is running, expected stopped"),
        (lambda c: c.pause(at("2026-03-10 10:00"), CAL).pause(at("2026-03-10 11:00"), CAL),
         "cannot pause the dispose .处置. clock: it is paused"),
        (lambda c: c.stop(at("2026-03-10 10:00"), CAL).stop(at("2026-03-10 11:00"), CAL),
         "cannot stop .* it is stopped"),
        (lambda c: c.stop(at("2026-03-10 10:00"), CAL).extend(Limit.parse("1wh"), CAL),
         "cannot extend .* it is stopped"),
        (lambda c: c.pause(at("2026-03-10 08:00"), CAL), "before its run started"),
        (lambda c: c.stop(at("2026-03-10 10:00"), CAL).reopen(at("2026-03-10 09:30")), "before it stopped"),
        (lambda c: c.extend(Limit.parse("0wh"), CAL), "extension must add time"),
        (lambda c: c.on_time, "cannot judge in-time .* it is running"),
    ],
)
def test_wrong_actions_raise_clear_errors(action, message: str) -> None:
    with pytest.raises(ClockError, match=message):
        action(dispose("4wh", "2026-03-10 09:00"))


def test_inconsistent_clock_data_is_rejected() -> None:
    with pytest.raises(ClockError, match="either running .* or paused"):
        StepClock(Step.CHECK, Limit.parse("60wmin"), 60, started_at=at("2026-03-10 09:00"))
    with pytest.raises(ClockError, match="neither running nor paused"):
        StepClock(Step.CHECK, Limit.parse("60wmin"), 60, started_at=at("2026-03-10 09:00"),
                  stopped_at=at("2026-03-10 10:00"), paused=True)
    with pytest.raises(ClockError, match="consumed minutes must be >= 0"):
        StepClock(Step.CHECK, Limit.parse("60wmin"), 60, consumed_minutes=-1,
                  run_started_at=at("2026-03-10 09:00"), started_at=at("2026-03-10 09:00"))


# -- extension (延期) ------------------------------------------------------------
def test_extension_moves_the_deadline() -> None:
    clock = dispose("4wh", "2026-03-10 09:00").extend(Limit.parse("2wh"), CAL)
    assert clock.total_minutes == 360
    assert clock.due_at(CAL) == at("2026-03-10 17:00")
    assert clock.limit == Limit.parse("4wh")
    twice = clock.extend(Limit.parse("1wd"), CAL)
    assert twice.total_minutes == 360 + 420
    assert twice.due_at(CAL) == at("2026-03-11 17:00")


def test_extension_of_a_paused_clock_applies_after_resume() -> None:
    paused = dispose("4wh", "2026-03-10 09:00").pause(at("2026-03-10 10:00"), CAL)
    resumed = paused.extend(Limit.parse("1wh"), CAL).resume(at("2026-03-10 10:00"))
    assert resumed.due_at(CAL) == at("2026-03-10 16:00")


def test_extension_of_the_other_family_is_converted_at_the_deadline() -> None:
    # natural 6h from Tue 09:00 is due 15:00; 2wh after 15:00 is 17:00: +120 natural minutes
    natural = dispose("6h", "2026-03-10 09:00").extend(Limit.parse("2wh"), CAL)
    assert natural.total_minutes == 480
    assert natural.due_at(CAL) == at("2026-03-10 17:00")
    assert natural == dispose("6h", "2026-03-10 09:00").extend("2wh", CAL)  # text is accepted too
    # work 4wh from Tue 09:00 is due Tue 15:00; one natural day on is Wed 15:00:
    # 150 + 210 + 60 = 420 work minutes, never 1440 raw minutes
    work = dispose("4wh", "2026-03-10 09:00").extend(Limit.parse("1d"), CAL)
    assert work.total_minutes == 240 + 420
    assert work.due_at(CAL) == at("2026-03-11 15:00")


def test_natural_day_on_a_friday_deadline_adds_only_fridays_work_time() -> None:
    friday = dispose("4wh", "2026-03-13 10:30")  # due Fri 16:30 (90 + 150 min)
    assert friday.due_at(CAL) == at("2026-03-13 16:30")
    extended = friday.extend(Limit.parse("1d"), CAL)  # Fri 16:30 -> Sat 16:30: 60 work minutes
    assert extended.total_minutes == 240 + 60
    assert extended.due_at(CAL) == at("2026-03-13 17:30")


def test_extension_that_adds_no_time_in_the_clocks_family_is_refused() -> None:
    at_close = dispose("7wh", "2026-03-13 08:30")  # due Fri 17:30
    with pytest.raises(ClockError, match="must add time in the clock's own time family"):
        at_close.extend(Limit.parse("1h"), CAL)  # Fri 17:30 -> 18:30: no work time


def test_paused_clock_takes_only_an_extension_of_its_own_family() -> None:
    paused = dispose("4wh", "2026-03-10 09:00").pause(at("2026-03-10 10:00"), CAL)
    with pytest.raises(ClockError, match="paused .* has none"):
        paused.extend(Limit.parse("1d"), CAL)
    assert paused.extend(Limit.parse("1wd"), CAL).total_minutes == 240 + 420


# -- stop / rework (返工) ----------------------------------------------------------
def test_stop_records_consumed_and_on_time() -> None:
    done = dispose("4wh", "2026-03-10 08:30").stop(at("2026-03-10 14:30"), CAL)
    assert done.consumed_minutes == 240
    assert done.stopped_at == at("2026-03-10 14:30")
    assert done.on_time
    assert done.light(at("2026-04-01 10:00"), CAL) is Light.YELLOW
    late = dispose("4wh", "2026-03-10 08:30").stop(at("2026-03-10 14:31"), CAL)
    assert not late.on_time
    assert late.on_time_with(Thresholds(yellow=0.8, red=1.1))
    assert late.light(at("2026-04-01 10:00"), CAL) is Light.RED


def test_stop_while_paused_keeps_consumed() -> None:
    done = dispose().pause(at("2026-03-10 10:00"), CAL).stop(at("2026-03-12 10:00"), CAL)
    assert done.consumed_minutes == 60 and done.state == "stopped"


def test_rework_continues_the_consumed_time() -> None:
    first = dispose("4wh", "2026-03-10 09:00").stop(at("2026-03-10 11:00"), CAL)  # 120 min used
    again = first.reopen(at("2026-03-12 09:00"))  # 核查 failed two days later
    assert again.state == "running" and again.started_at == at("2026-03-10 09:00")
    assert again.elapsed(at("2026-03-12 09:00"), CAL) == 120
    assert again.elapsed(at("2026-03-12 10:00"), CAL) == 180
    assert again.due_at(CAL) == at("2026-03-12 11:00")
    second = again.stop(at("2026-03-12 11:30"), CAL)
    assert second.consumed_minutes == 270
    assert not second.on_time


def test_reopen_of_an_overdue_clock_is_red_at_once() -> None:
    late = dispose("30wmin", "2026-03-10 09:00").stop(at("2026-03-10 10:00"), CAL)
    again = late.reopen(at("2026-03-10 20:00"))
    assert again.light(at("2026-03-10 20:00"), CAL) is Light.RED
    assert again.marks(CAL) == LightMarks(at("2026-03-10 20:00"), at("2026-03-10 20:00"))
    assert again.remaining(at("2026-03-11 08:00"), CAL) == -30


# -- lights ----------------------------------------------------------------------
def test_lights_at_the_default_thresholds() -> None:
    clock = dispose("4wh", "2026-03-10 08:30")  # yellow at 192 min = 11:42, due 240 min = 14:30
    assert clock.light(at("2026-03-10 11:42") - US, CAL) is Light.GREEN
    assert clock.light(at("2026-03-10 11:42"), CAL) is Light.YELLOW
    assert clock.light(at("2026-03-10 14:30"), CAL) is Light.YELLOW  # up to and including 100 %
    assert clock.light(at("2026-03-10 14:30") + US, CAL) is Light.RED
    assert clock.ratio(at("2026-03-10 11:42"), CAL) == pytest.approx(0.8)


def test_configurable_thresholds() -> None:
    clock = dispose("4wh", "2026-03-10 08:30")
    strict = Thresholds(yellow=0.5, red=0.75)  # yellow at 120 min, red past 180 min
    assert clock.light(at("2026-03-10 10:29"), CAL, strict) is Light.GREEN
    assert clock.light(at("2026-03-10 10:30"), CAL, strict) is Light.YELLOW
    assert clock.light(at("2026-03-10 11:30"), CAL, strict) is Light.YELLOW
    assert clock.light(at("2026-03-10 11:31"), CAL, strict) is Light.RED
    assert clock.light(at("2026-03-10 11:31"), CAL) is Light.GREEN
    assert clock.marks(CAL, strict) == LightMarks(at("2026-03-10 10:30"), at("2026-03-10 11:30") + US)


def test_limit_used_up_at_end_of_day_stays_yellow_overnight() -> None:
    clock = dispose("210wmin", "2026-03-10 13:30")  # counts from 14:00, due 17:30
    assert clock.due_at(CAL) == at("2026-03-10 17:30")
    assert clock.light(at("2026-03-10 22:00"), CAL) is Light.YELLOW
    assert clock.light(at("2026-03-11 08:31"), CAL) is Light.RED
    marks = clock.marks(CAL)
    assert marks is not None and marks.red_at == at("2026-03-11 08:30") + US
    assert light_from_marks(at("2026-03-10 22:00"), *marks) is Light.YELLOW


def test_remaining_is_negative_when_overdue() -> None:
    clock = dispose("4wh", "2026-03-10 08:30")
    assert clock.remaining(at("2026-03-10 09:30"), CAL) == 180
    assert clock.remaining(at("2026-03-10 15:30"), CAL) == -60
    assert clock.remaining(at("2026-03-10 08:00"), CAL) == 240  # before its start


def test_light_of_ratio() -> None:
    assert light_of_ratio(0.79) is Light.GREEN
    assert light_of_ratio(0.8) is Light.YELLOW
    assert light_of_ratio(1.0) is Light.YELLOW
    assert light_of_ratio(1.01) is Light.RED


# -- fast path -------------------------------------------------------------------
def test_epoch_us_and_numpy_lights() -> None:
    assert epoch_us(datetime(1970, 1, 1, 8, tzinfo=SH)) == 0
    now = at("2026-03-10 12:00")
    marks = [(now + timedelta(minutes=1), now + timedelta(minutes=2)), (now, now + US), (now - US, now)]
    assert lights_for(now, marks) == [Light.GREEN, Light.YELLOW, Light.RED]
    yellow = np.array([epoch_us(y) for y, _ in marks])
    red = np.array([epoch_us(r) for _, r in marks])
    assert lights_array(now, yellow, red).tolist() == [0, 1, 2]
    assert count_lights(now, yellow, red) == {Light.GREEN: 1, Light.YELLOW: 1, Light.RED: 1}


limit_texts = st.sampled_from(
    ["30wmin", "60wmin", "2wh", "4wh", "1wd", "0.5wd", "15wd", "30min", "6h", "36h", "2d"]
)
instants = st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2027, 2, 1), timezones=st.just(SH))
thresholds = st.tuples(
    st.floats(min_value=0.05, max_value=1.5), st.floats(min_value=0.05, max_value=1.5)
).map(lambda pair: Thresholds(*sorted(pair)))


@st.composite
def running_clocks(draw: st.DrawFn) -> StepClock:
    clock = StepClock.start(Step.DISPOSE, Limit.parse(draw(limit_texts)), draw(instants), CAL)
    assert clock.run_started_at is not None
    for _ in range(draw(st.integers(0, 2))):
        gap = timedelta(minutes=draw(st.integers(1, 5 * 1440)))
        stop_at = clock.run_started_at + gap
        if draw(st.booleans()):
            clock = clock.pause(stop_at, CAL).resume(stop_at + gap)
        else:
            clock = clock.stop(stop_at, CAL).reopen(stop_at + gap)
        assert clock.run_started_at is not None
    if draw(st.booleans()):
        try:
            clock = clock.extend(Limit.parse(draw(limit_texts)), CAL)
        except ClockError:
            pass  # converted at the deadline, an extension of the other family may add nothing
    return clock


@settings(max_examples=300, deadline=None)
@given(clock=running_clocks(), th=thresholds, offset=st.integers(0, 30 * 24 * 60 * 60 * 10**6))
def test_fast_path_agrees_with_naive_path(clock: StepClock, th: Thresholds, offset: int) -> None:
    marks = clock.marks(CAL, th)
    assert marks is not None
    assert clock.run_started_at is not None
    probes = [clock.run_started_at + timedelta(microseconds=offset)]
    for mark in marks:  # the boundaries themselves
        probes += [mark - US, mark, mark + US]
    probes = [p for p in probes if p >= clock.run_started_at]
    naive = [clock.light(now, CAL, th) for now in probes]
    assert [light_from_marks(now, *marks) for now in probes] == naive
    codes = [lights_array(now, np.array([epoch_us(marks.yellow_at)]), np.array([epoch_us(marks.red_at)]))[0]
             for now in probes]
    assert [Light(("green", "yellow", "red")[c]) for c in codes] == naive


@settings(max_examples=100, deadline=None)
@given(clock=running_clocks())
def test_due_at_is_when_the_total_is_used_up(clock: StepClock) -> None:
    due = clock.due_at(CAL)
    assert due is not None
    if clock.consumed_minutes < clock.total_minutes:
        assert clock.elapsed(due, CAL) == pytest.approx(clock.total_minutes, abs=1e-6)
        assert clock.light(due, CAL) is Light.YELLOW
    assert clock.remaining(due, CAL) <= 1e-6



@settings(max_examples=300, deadline=None)
@given(clock=running_clocks(), offset=st.integers(0, 30 * 24 * 60 * 60 * 10**6))
def test_remaining_from_due_agrees_with_the_clock(clock: StepClock, offset: int) -> None:
    """The queue's remaining time (from due_at alone) equals the clock's own, overdue-on-resume included."""
    due = clock.due_at(CAL)
    assert due is not None and clock.run_started_at is not None
    probes = [clock.run_started_at, clock.run_started_at + timedelta(microseconds=offset), due - US, due, due + US]
    for now in (p for p in probes if p >= clock.run_started_at):
        fast = remaining_from_due(now, due, total_minutes=clock.total_minutes,
                                  consumed_minutes=clock.consumed_minutes, kind=clock.kind, calendar=CAL)
        assert fast == pytest.approx(clock.remaining(now, CAL), abs=1e-6)


def test_bench_lights_runs_and_agrees() -> None:
    # A smoke run of the benchmark (it asserts fast == naive itself); speed is
    # reported by `urban-console bench`, never asserted in tests.
    from console.bench.bench_lights import run

    result = run(n=2_000)
    assert result["cases"] == 2_000
    assert set(result) >= {"naive_cases_per_s", "fast_cases_per_s", "speedup"}
    assert sum(result["lights"].values()) == 2_000
    assert Counter(result["lights"]).keys() <= {"green", "yellow", "red"}


# --- the queue row's clock helpers (moved here from widgets/queue_model.py) -----------------------

def test_format_remaining_words_and_rounding():
    from console.domain.clocks import format_remaining

    assert format_remaining(80) == "1:20"
    assert format_remaining(-35.4) == "超时 0:35"
    assert format_remaining(190, paused=True, paused_word="Paused") == "Paused 3:10"
    assert format_remaining(-5, overdue_word="Overdue") == "Overdue 0:05"
    assert format_remaining(None) == ""


def test_clock_light_from_marks_or_consumed_time():
    from datetime import datetime, timedelta, timezone

    from console.domain.clocks import Light, clock_light

    t = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)
    marks = dict(yellow_at=t + timedelta(hours=1), red_at=t + timedelta(hours=2))
    assert clock_light(t, **marks, consumed_minutes=None, total_minutes=None) == Light.GREEN
    assert clock_light(t + timedelta(hours=1), **marks, consumed_minutes=None, total_minutes=None) == Light.YELLOW
    assert clock_light(t + timedelta(hours=3), **marks, consumed_minutes=None, total_minutes=None) == Light.RED
    paused = dict(yellow_at=None, red_at=None, total_minutes=100)
    assert clock_light(t, **paused, consumed_minutes=50) == Light.GREEN
    assert clock_light(t, **paused, consumed_minutes=90) == Light.YELLOW
    assert clock_light(t, yellow_at=None, red_at=None, consumed_minutes=None, total_minutes=None) is None

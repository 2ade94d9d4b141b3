from __future__ import annotations

import time as wallclock
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from console.domain.calendar import (
    DEFAULT_SCHEDULE,
    Limit,
    LimitUnit,
    Schedule,
    TimeKind,
    WorkCalendar,
    default_calendar,
    statutory_holidays,
    unconfirmed_warning,
)

SH = ZoneInfo("Asia/Shanghai")
CAL = WorkCalendar()


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SH)


# -- limits --------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "value", "unit", "is_work"),
    [
        ("4wh", 4, LimitUnit.WORK_HOUR, True),
        ("15wd", 15, LimitUnit.WORK_DAY, True),
        ("30wmin", 30, LimitUnit.WORK_MINUTE, True),
        ("2d", 2, LimitUnit.DAY, False),
        ("6h", 6, LimitUnit.HOUR, False),
        ("45min", 45, LimitUnit.MINUTE, False),
        ("0.5wd", 0.5, LimitUnit.WORK_DAY, True),
    ],
)
def test_limit_parse_and_round_trip(text: str, value: float, unit: LimitUnit, is_work: bool) -> None:
    limit = Limit.parse(text)
    assert limit.value == value
    assert limit.unit is unit
    assert limit.is_work is is_work
    assert limit.kind is (TimeKind.WORK if is_work else TimeKind.NATURAL)
    assert str(limit) == text
    assert Limit.parse(str(limit)) == limit


def test_limit_parse_normalises_whitespace_and_integral_floats() -> None:
    assert str(Limit.parse(" 2.0 h ")) == "2h"
    assert Limit(3.0, "wh") == Limit(3, LimitUnit.WORK_HOUR)


@pytest.mark.parametrize("text", ["", "4", "wh", "4 hours", "4wk", "-4wh", "4whh", "1e3min", "4 w h"])
def test_bad_limit_names_text_and_units(text: str) -> None:
    with pytest.raises(ValueError) as err:
        Limit.parse(text)
    message = str(err.value)
    assert repr(text) in message
    for unit in ("wd", "wh", "wmin", "d", "h", "min"):
        assert unit in message


def test_bad_limit_constructor_values() -> None:
    with pytest.raises(ValueError, match="unit 'weeks'"):
        Limit(1, "weeks")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=">= 0"):
        Limit(-1, LimitUnit.HOUR)
    with pytest.raises(ValueError, match="not a number"):
        Limit("4", LimitUnit.HOUR)  # type: ignore[arg-type]


def test_limit_minutes_per_unit() -> None:
    assert CAL.limit_minutes(Limit.parse("1wd")) == 420
    assert CAL.limit_minutes(Limit.parse("15wd")) == 15 * 420
    assert CAL.limit_minutes(Limit.parse("0.5wd")) == 210
    assert CAL.limit_minutes(Limit.parse("4wh")) == 240
    assert CAL.limit_minutes(Limit.parse("30wmin")) == 30
    assert CAL.limit_minutes(Limit.parse("2d")) == 2880
    assert CAL.limit_minutes(Limit.parse("6h")) == 360
    assert CAL.limit_minutes(Limit.parse("45min")) == 45
    eight_hours = WorkCalendar(Schedule(((time(8), time(12)), (time(14), time(18)))))
    assert eight_hours.limit_minutes(Limit.parse("1wd")) == 480


# -- schedule ------------------------------------------------------------------
def test_default_schedule_has_420_minutes() -> None:
    assert DEFAULT_SCHEDULE.minutes_per_day == 420
    assert CAL.minutes_per_day == 420


@pytest.mark.parametrize(
    ("periods", "message"),
    [
        ((), "no working periods"),
        (((time(12), time(8, 30)),), "start must be before end"),
        (((time(8), time(8)),), "start must be before end"),
        (((time(14), time(17)), (time(8), time(12))), "ordered"),
        (((time(8), time(12)), (time(11), time(17))), "non-overlapping"),
        (((time(8, 0, 30), time(12)),), "whole minutes"),
        (((time(8),),), "pair"),
    ],
)
def test_schedule_validation(periods: tuple, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Schedule(periods=periods)


def test_touching_periods_are_allowed() -> None:
    schedule = Schedule(((time(8), time(12)), (time(12), time(13))))
    assert schedule.minutes_per_day == 300


# -- days ----------------------------------------------------------------------
def test_weekends_are_off_and_weekdays_on() -> None:
    assert CAL.is_workday(date(2026, 3, 6))  # Friday
    assert not CAL.is_workday(date(2026, 3, 7))  # Saturday
    assert not CAL.is_workday(date(2026, 3, 8))  # Sunday
    assert CAL.is_workday(date(2026, 3, 9))  # Monday


def test_national_day_2026_is_off() -> None:
    for day in range(1, 8):
        assert not CAL.is_workday(date(2026, 10, day)), f"2026-10-0{day}"
    assert CAL.is_workday(date(2026, 10, 8))


def test_make_up_saturday_is_a_workday() -> None:  # 调休
    assert date(2026, 2, 14).weekday() == 5
    assert CAL.is_workday(date(2026, 2, 14))
    assert CAL.is_workday(date(2026, 10, 10))


def test_override_wins_both_ways() -> None:
    cal = WorkCalendar(overrides={date(2026, 3, 7): True, date(2026, 3, 9): False, date(2026, 10, 1): True})
    assert cal.is_workday(date(2026, 3, 7))  # Saturday made a workday
    assert not cal.is_workday(date(2026, 3, 9))  # Monday made a holiday
    assert cal.is_workday(date(2026, 10, 1))  # statutory holiday made a workday
    assert not CAL.is_workday(date(2026, 3, 7))  # other calendars unaffected


def test_bad_overrides_are_rejected() -> None:
    with pytest.raises(ValueError, match="True \\(workday\\) or False"):
        WorkCalendar(overrides={date(2026, 3, 7): "workday"})  # type: ignore[dict-item]
    with pytest.raises(ValueError, match="datetime.date"):
        WorkCalendar(overrides={"2026-03-07": True})  # type: ignore[dict-item]


def test_unknown_year_falls_back_and_is_unconfirmed() -> None:
    cal = WorkCalendar(overrides={date(2027, 1, 1): False})
    assert cal.year_confirmed(2026)
    assert not cal.year_confirmed(2027)
    assert cal.unconfirmed_years(date(2025, 6, 1), date(2028, 2, 1)) == [2027, 2028]
    assert cal.unconfirmed_years(at("2026-01-01 00:00"), at("2026-12-31 23:00")) == []
    assert not cal.is_workday(date(2027, 1, 1))  # override
    assert cal.is_workday(date(2027, 1, 4))  # Monday
    assert not cal.is_workday(date(2027, 1, 9))  # Saturday
    # Friday 2027-01-08 16:30 + 4wh -> Monday 11:30, no crash
    assert cal.deadline(at("2027-01-08 16:30"), Limit.parse("4wh")) == at("2027-01-11 11:30")


# chinese_calendar's names for the festivals of 全国年节及纪念日放假办法
_PACKAGE_NAMES = {"元旦": "New Year's Day", "春节": "Spring Festival", "清明": "Tomb-sweeping Day",
                  "劳动节": "Labour Day", "端午": "Dragon Boat Festival", "中秋": "Mid-autumn Festival",
                  "国庆": "National Day"}


@pytest.mark.parametrize("year", [2025, 2026])
def test_statutory_days_agree_with_the_published_notices(year: int) -> None:
    """The lunar package's 13 fixed days are holidays of the same festival in chinesecalendar."""
    import chinese_calendar

    days = statutory_holidays(year)
    assert len(days) == 13  # 1 + 4 + 1 + 2 + 1 + 1 + 3 (2025 revision)
    for day, name in days.items():
        is_holiday, festival = chinese_calendar.get_holiday_detail(day)
        assert is_holiday and festival == _PACKAGE_NAMES[name], (day, name, festival)
    for name, count in {"春节": 4, "劳动节": 2, "国庆": 3, "元旦": 1, "清明": 1, "端午": 1, "中秋": 1}.items():
        assert list(days.values()).count(name) == count


def test_spring_festival_starts_on_new_years_eve() -> None:
    # 2025: 除夕 28 Jan, 初一 29 Jan; 2026: 除夕 16 Feb, 初一 17 Feb (notices of the State Council)
    assert min(d for d, n in statutory_holidays(2025).items() if n == "春节") == date(2025, 1, 28)
    assert min(d for d, n in statutory_holidays(2026).items() if n == "春节") == date(2026, 2, 16)


def test_unknown_year_keeps_the_law_but_stays_unconfirmed() -> None:
    """2027 has no notice yet: the fixed days are off, the weekdays around them work, still unconfirmed."""
    cal = WorkCalendar()
    days = statutory_holidays(2027)
    assert {d for d, n in days.items() if n == "春节"} == {date(2027, 2, d) for d in (5, 6, 7, 8)}
    assert days[date(2027, 4, 5)] == "清明" and days[date(2027, 6, 9)] == "端午" and days[date(2027, 9, 15)] == "中秋"
    assert not cal.is_workday(date(2027, 2, 5))  # 除夕, a Friday
    assert not cal.is_workday(date(2027, 2, 8))  # 初三, a Monday
    assert cal.is_workday(date(2027, 2, 9))  # Tuesday after: no notice, so no bridge yet
    assert not cal.is_workday(date(2027, 10, 1)) and cal.is_workday(date(2027, 10, 4))
    assert not cal.year_confirmed(2027)
    # Thursday 2027-02-04 16:30 + 4wh skips 除夕 .. 初三 and the weekend: Tuesday 11:30
    assert cal.deadline(at("2027-02-04 16:30"), Limit.parse("4wh")) == at("2027-02-09 11:30")


def test_override_still_wins_over_the_statutory_fallback() -> None:
    cal = WorkCalendar(overrides={date(2027, 2, 8): True})  # a city keeps 初三 open
    assert cal.is_workday(date(2027, 2, 8))


def test_statutory_holidays_refuse_years_outside_the_lunar_tables() -> None:
    for bad in (1800, 2200, True, "2027"):
        with pytest.raises(ValueError, match="1901-2099"):
            statutory_holidays(bad)  # type: ignore[arg-type]


def test_unconfirmed_warning_names_the_years() -> None:
    assert unconfirmed_warning([]) is None
    text = unconfirmed_warning([2028, 2027, 2027])
    assert text is not None and "2027、2028" in text and "调休" in text and "unconfirmed" in text


def test_calendar_without_workdays_fails_clearly() -> None:
    start = date(2026, 3, 1)
    holidays = {start + timedelta(days=i): False for i in range(366 * 4)}
    cal = WorkCalendar(overrides=holidays)
    with pytest.raises(ValueError, match="no workday found"):
        cal.deadline(at("2026-03-01 09:00"), Limit.parse("1wh"))


def test_workday_answers_are_cached() -> None:
    cal = WorkCalendar()
    cal.is_workday(date(2026, 5, 1))
    assert cal._workday_cache[date(2026, 5, 1)] is False


def test_is_workday_accepts_aware_datetimes_in_other_zones() -> None:
    # 2026-03-06 20:00 UTC is Saturday 04:00 in Shanghai
    assert not CAL.is_workday(datetime(2026, 3, 6, 20, 0, tzinfo=timezone.utc))


# -- times ---------------------------------------------------------------------
def test_naive_datetimes_are_rejected() -> None:
    with pytest.raises(ValueError, match="naive"):
        CAL.deadline(datetime(2026, 3, 6, 9, 0), Limit.parse("4wh"))
    with pytest.raises(ValueError, match="naive"):
        CAL.work_minutes_between(at("2026-03-06 09:00"), datetime(2026, 3, 6, 10, 0))


def test_other_zones_are_converted() -> None:
    start = datetime(2026, 3, 6, 8, 30, tzinfo=timezone.utc)  # 16:30 Shanghai
    result = CAL.deadline(start, Limit.parse("4wh"))
    assert result == at("2026-03-09 11:30")
    assert result.tzinfo == SH


def test_worked_example_1630_plus_4wh_is_1130_next_day() -> None:
    assert CAL.deadline(at("2026-03-10 16:30"), Limit.parse("4wh")) == at("2026-03-11 11:30")


def test_friday_dispatch_lands_on_monday() -> None:
    assert CAL.deadline(at("2026-03-06 16:30"), Limit.parse("4wh")) == at("2026-03-09 11:30")


def test_friday_dispatch_lands_on_make_up_saturday() -> None:
    assert CAL.deadline(at("2026-02-13 16:30"), Limit.parse("4wh")) == at("2026-02-14 11:30")


def test_deadline_across_national_day() -> None:
    assert CAL.deadline(at("2026-09-30 16:30"), Limit.parse("4wh")) == at("2026-10-08 11:30")
    assert CAL.work_minutes_between(at("2026-09-30 17:00"), at("2026-10-08 09:00")) == 60


def test_deadline_across_lunch_break() -> None:
    assert CAL.deadline(at("2026-03-10 11:00"), Limit.parse("2wh")) == at("2026-03-10 15:00")
    assert CAL.deadline(at("2026-03-10 11:00"), Limit.parse("60wmin")) == at("2026-03-10 12:00")
    assert CAL.work_minutes_between(at("2026-03-10 11:00"), at("2026-03-10 15:30")) == 150


def test_start_outside_hours_counts_from_next_period() -> None:
    assert CAL.deadline(at("2026-03-10 12:30"), Limit.parse("30wmin")) == at("2026-03-10 14:30")
    assert CAL.deadline(at("2026-03-10 19:00"), Limit.parse("30wmin")) == at("2026-03-11 09:00")
    assert CAL.deadline(at("2026-03-07 10:00"), Limit.parse("30wmin")) == at("2026-03-09 09:00")
    assert CAL.deadline(at("2026-03-10 06:00"), Limit.parse("1wd")) == at("2026-03-10 17:30")


def test_deadline_work_day_units() -> None:
    assert CAL.deadline(at("2026-03-10 08:30"), Limit.parse("1wd")) == at("2026-03-10 17:30")
    assert CAL.deadline(at("2026-03-10 16:30"), Limit.parse("1wd")) == at("2026-03-11 16:30")
    assert CAL.deadline(at("2026-03-10 10:00"), Limit.parse("0.5wd")) == at("2026-03-10 15:30")
    # 15wd from Tuesday 2026-03-10 16:30: three weeks later, same time
    assert CAL.deadline(at("2026-03-10 16:30"), Limit.parse("15wd")) == at("2026-03-31 16:30")


def test_deadline_natural_units_are_plain_timedelta() -> None:
    start = at("2026-03-06 16:30")
    assert CAL.deadline(start, Limit.parse("6h")) == start + timedelta(hours=6)
    assert CAL.deadline(start, Limit.parse("2d")) == start + timedelta(days=2)
    assert CAL.deadline(start, Limit.parse("45min")) == start + timedelta(minutes=45)
    assert CAL.elapsed(start, start + timedelta(hours=36), Limit.parse("36h")) == 36 * 60


def test_zero_limit_is_the_start() -> None:
    start = at("2026-03-07 10:00")
    assert CAL.deadline(start, Limit.parse("0wh")) == start


def test_add_work_minutes_and_between() -> None:
    start = at("2026-03-10 16:30")
    assert CAL.add_work_minutes(start, 90) == at("2026-03-11 09:00")
    assert CAL.add_work_minutes(start, 0.5) == at("2026-03-10 16:30:30")
    assert CAL.work_minutes_between(start, at("2026-03-11 09:00")) == 90
    assert CAL.work_minutes_between(at("2026-03-11 09:00"), start) == -90
    assert CAL.work_minutes_between(at("2026-03-07 09:00"), at("2026-03-08 17:00")) == 0
    with pytest.raises(ValueError, match=">= 0"):
        CAL.add_work_minutes(start, -1)


def test_elapsed_by_kind() -> None:
    start, end = at("2026-03-06 16:30"), at("2026-03-09 09:30")
    assert CAL.elapsed(start, end, TimeKind.WORK) == 120
    assert CAL.elapsed(start, end, "natural") == (end - start).total_seconds() / 60
    assert CAL.elapsed(start, end, Limit.parse("4wh")) == 120
    with pytest.raises(ValueError, match="time kind 'weekly'"):
        CAL.elapsed(start, end, "weekly")


def test_big_limits_skip_whole_days_quickly() -> None:
    cal = WorkCalendar()
    begin = wallclock.perf_counter()
    for hour in range(200):
        cal.deadline(at("2026-01-05 09:00") + timedelta(hours=hour), Limit.parse("300wh"))
        cal.deadline(at("2026-01-05 09:00") + timedelta(hours=hour), Limit.parse("15wd"))
    assert wallclock.perf_counter() - begin < 2.0


def test_next_working_moment_and_is_working_time() -> None:
    assert CAL.next_working_moment(at("2026-03-10 12:15")) == at("2026-03-10 14:00")
    assert CAL.next_working_moment(at("2026-03-10 10:00")) == at("2026-03-10 10:00")
    assert CAL.next_working_moment(at("2026-03-06 18:00")) == at("2026-03-09 08:30")
    assert CAL.is_working_time(at("2026-03-10 08:30"))
    assert not CAL.is_working_time(at("2026-03-10 12:00"))
    assert not CAL.is_working_time(at("2026-03-07 10:00"))


def test_default_calendar_is_shared() -> None:
    assert default_calendar() is default_calendar()
    assert default_calendar().tz == SH


# -- properties ------------------------------------------------------------------
starts = st.datetimes(
    min_value=datetime(2025, 12, 1), max_value=datetime(2027, 3, 1), timezones=st.just(SH)
)
work_limits = st.builds(
    Limit,
    st.integers(min_value=0, max_value=400),
    st.sampled_from([LimitUnit.WORK_MINUTE, LimitUnit.WORK_HOUR, LimitUnit.WORK_DAY]),
)
natural_limits = st.builds(
    Limit,
    st.integers(min_value=0, max_value=2000),
    st.sampled_from([LimitUnit.MINUTE, LimitUnit.HOUR, LimitUnit.DAY]),
)


@settings(max_examples=200, deadline=None)
@given(start=starts, limit=work_limits)
def test_elapsed_to_deadline_is_the_limit(start: datetime, limit: Limit) -> None:
    result = CAL.deadline(start, limit)
    assert CAL.elapsed(start, result, limit) == CAL.limit_minutes(limit)


@settings(max_examples=200, deadline=None)
@given(start=starts, limit=work_limits)
def test_deadline_is_inside_working_time(start: datetime, limit: Limit) -> None:
    result = CAL.deadline(start, limit)
    if CAL.limit_minutes(limit) == 0:
        assert result == start
        return
    # in (period start, period end] of a workday
    assert CAL.is_workday(result.date())
    tod = result.timetz().replace(tzinfo=None)
    assert any(a < tod <= b for a, b in CAL.schedule.periods)
    assert CAL.is_working_time(result - timedelta(microseconds=1))


@settings(max_examples=200, deadline=None)
@given(start=starts, a=st.integers(0, 9000), b=st.integers(0, 9000), unit=st.sampled_from(list(LimitUnit)))
def test_deadline_is_monotonic_in_the_limit(start: datetime, a: int, b: int, unit: LimitUnit) -> None:
    small, big = sorted((a, b))
    assert CAL.deadline(start, Limit(small, unit)) <= CAL.deadline(start, Limit(big, unit))


@settings(max_examples=100, deadline=None)
@given(start=starts, limit=natural_limits)
def test_natural_units_are_plain_timedelta(start: datetime, limit: Limit) -> None:
    result = CAL.deadline(start, limit)
    assert result == start + timedelta(minutes=CAL.limit_minutes(limit))
    assert CAL.elapsed(start, result, limit) == CAL.limit_minutes(limit)


@settings(max_examples=100, deadline=None)
@given(start=starts, minutes=st.floats(min_value=0, max_value=20_000, allow_nan=False))
def test_add_then_measure_work_minutes(start: datetime, minutes: float) -> None:
    result = CAL.add_work_minutes(start, minutes)
    assert CAL.work_minutes_between(start, result) == pytest.approx(minutes, abs=1e-6)


@settings(max_examples=100, deadline=None)
@given(a=starts, b=starts, c=starts)
def test_work_minutes_are_additive(a: datetime, b: datetime, c: datetime) -> None:
    first, middle, last = sorted((a, b, c))
    whole = CAL.elapsed_microseconds(first, last, TimeKind.WORK)
    parts = CAL.elapsed_microseconds(first, middle, TimeKind.WORK) + CAL.elapsed_microseconds(
        middle, last, TimeKind.WORK
    )
    assert whole == parts

"""Work calendar (工作日历) and time limits (时限).

Pure Python. The calendar answers three questions for the case clocks:

* is a date a workday (工作日)? Weekends are off, statutory holidays (法定节假日)
  and 调休 make-up workdays come from ``chinese_calendar`` (PyPI
  ``chinesecalendar``), and local overrides always win. A year the package does
  not know yet still has the holidays the law fixes (全国年节及纪念日放假办法,
  2025 revision: :func:`statutory_holidays`, computed with ``lunar_python``) plus
  weekends and the overrides; its 调休 is unknown, so the year is reported by
  :meth:`WorkCalendar.year_confirmed` / :meth:`WorkCalendar.unconfirmed_years`
  and every output that uses it carries :func:`unconfirmed_warning`.
* how much work time (工作时间) lies between two instants?
* when is a limit such as ``4wh`` (4 工作时) used up?

Limits are written ``<number><unit>``: work time ``wd`` (工作日: one schedule-day
of work time, i.e. N x the schedule's minutes per day, never 24 h), ``wh``,
``wmin``; natural time (自然时间) ``d``, ``h``, ``min``.

Time handling:

* every datetime must be timezone-aware (a naive one raises ``ValueError``);
  any zone is accepted and converted to the calendar's zone (Asia/Shanghai by
  default); results are returned in the calendar's zone;
* the schedule is wall-clock time in the calendar's zone;
* work time is computed exactly in integer microseconds and reported in
  (float) minutes; natural time is plain absolute ``timedelta`` arithmetic;
* a start outside working hours counts from the next working period.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from enum import StrEnum
from functools import cache
from types import MappingProxyType
from typing import Final
from zoneinfo import ZoneInfo

import chinese_calendar
from lunar_python import Lunar, Solar

__all__ = [
    "DEFAULT_SCHEDULE",
    "DEFAULT_TZ",
    "Limit",
    "LimitUnit",
    "Schedule",
    "TimeKind",
    "WorkCalendar",
    "default_calendar",
    "require_aware",
    "statutory_holidays",
    "unconfirmed_warning",
]

DEFAULT_TZ: Final = ZoneInfo("Asia/Shanghai")

US_PER_MINUTE: Final = 60_000_000
US_PER_DAY: Final = 24 * 60 * US_PER_MINUTE
_ONE_US: Final = timedelta(microseconds=1)
# Guard against a calendar with no workday in sight (e.g. overrides marking
# years as holidays): this many days in a row without work is a configuration error.
_MAX_DAYS_WITHOUT_WORK: Final = 366 * 3


class TimeKind(StrEnum):
    """Which clock a limit runs on."""

    WORK = "work"  # 工作时间: only scheduled minutes on workdays count
    NATURAL = "natural"  # 自然时间: every minute counts


class LimitUnit(StrEnum):
    """Units of a time limit, as written after the number."""

    WORK_DAY = "wd"  # 工作日 = one schedule-day of work time
    WORK_HOUR = "wh"  # 工作时
    WORK_MINUTE = "wmin"  # 工作分钟
    DAY = "d"  # 自然日 = 24 h
    HOUR = "h"  # 自然小时
    MINUTE = "min"  # 自然分钟

    @property
    def kind(self) -> TimeKind:
        return TimeKind.WORK if self in _WORK_UNITS else TimeKind.NATURAL

    @property
    def fixed_minutes(self) -> int | None:
        """Minutes per unit, or None for ``wd`` (depends on the schedule)."""
        return _UNIT_MINUTES.get(self)


_WORK_UNITS: Final = frozenset({LimitUnit.WORK_DAY, LimitUnit.WORK_HOUR, LimitUnit.WORK_MINUTE})
_UNIT_MINUTES: Final = {
    LimitUnit.WORK_HOUR: 60,
    LimitUnit.WORK_MINUTE: 1,
    LimitUnit.DAY: 24 * 60,
    LimitUnit.HOUR: 60,
    LimitUnit.MINUTE: 1,
}
_ALLOWED_UNITS_TEXT: Final = ", ".join(u.value for u in LimitUnit)
_LIMIT_RE: Final = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(wd|wh|wmin|d|h|min)\s*$")
# The largest limit a text may give, per unit: about ten years.  Beyond that it is a typo
# (`99999999wd`), and computing its deadline would run for hours or overflow the date.
LIMIT_MAX: Final = {
    LimitUnit.WORK_DAY: 2_500,
    LimitUnit.WORK_HOUR: 25_000,
    LimitUnit.WORK_MINUTE: 1_500_000,
    LimitUnit.DAY: 3_660,
    LimitUnit.HOUR: 87_840,
    LimitUnit.MINUTE: 5_270_400,
}


@dataclass(frozen=True, slots=True)
class Limit:
    """A time limit (时限) such as ``4wh``, ``15wd``, ``6h`` or ``0.5wd``."""

    value: int | float
    unit: LimitUnit

    def __post_init__(self) -> None:
        try:
            unit = LimitUnit(self.unit)
        except ValueError:
            raise ValueError(
                f"time limit unit {self.unit!r} is not allowed; use one of {_ALLOWED_UNITS_TEXT}"
            ) from None
        value = self.value
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"time limit value {value!r} is not a number")
        if not math.isfinite(value) or value < 0:
            raise ValueError(f"time limit value {value!r} must be a finite number >= 0")
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        object.__setattr__(self, "unit", unit)
        object.__setattr__(self, "value", value)

    @classmethod
    def parse(cls, text: str) -> Limit:
        """Parse ``"<number><unit>"``, e.g. ``"4wh"``, ``"15wd"``, ``"0.5wd"``, ``"6h"``."""
        match = _LIMIT_RE.match(text) if isinstance(text, str) else None
        if match is None:
            raise ValueError(
                f"时限 {text!r} 无效，应写作 <数字><单位> (bad time limit {text!r}): write <number><unit> with unit one of "
                f"{_ALLOWED_UNITS_TEXT} (e.g. '4wh', '15wd', '6h')"
            )
        number, unit_text = match.groups()
        unit = LimitUnit(unit_text)
        most = LIMIT_MAX[unit]
        # compare the digits before converting: a 5,000-digit number is too large, not an int() error
        if len(number.partition(".")[0].lstrip("0")) > len(str(most)) or float(number) > most:
            shown = text.strip() if len(text.strip()) <= 24 else f"{text.strip()[:20]}…"
            raise ValueError(f"时限 {shown!r} 超出上限 {most}{unit.value}（约十年）"
                             f"(time limit {shown!r} too large: at most {most}{unit.value})")
        value: int | float = float(number) if "." in number else int(number)
        return cls(value, unit)

    def __str__(self) -> str:
        return f"{self.value}{self.unit.value}"

    @property
    def kind(self) -> TimeKind:
        return self.unit.kind

    @property
    def is_work(self) -> bool:
        return self.unit.kind is TimeKind.WORK


def _minute_of_day(t: time) -> int:
    return t.hour * 60 + t.minute


@dataclass(frozen=True, slots=True)
class Schedule:
    """Daily working periods (作息时间), wall-clock, ordered and non-overlapping.

    Bounds are whole minutes; a period ends after it starts on the same day.
    Periods may touch (12:00-12:00) but not overlap.
    """

    periods: tuple[tuple[time, time], ...] = ((time(8, 30), time(12, 0)), (time(14, 0), time(17, 30)))
    _periods_us: tuple[tuple[int, int], ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        periods = tuple(tuple(p) for p in self.periods)
        if not periods:
            raise ValueError("schedule has no working periods; give at least one (start, end)")
        for index, period in enumerate(periods):
            _check_period(index, period)
        for index in range(1, len(periods)):
            prev_end, start = periods[index - 1][1], periods[index][0]
            if start < prev_end:
                raise ValueError(
                    f"schedule period {index} ({_fmt(periods[index])}) starts before period "
                    f"{index - 1} ({_fmt(periods[index - 1])}) ends; periods must be ordered "
                    "and non-overlapping"
                )
        object.__setattr__(self, "periods", periods)
        periods_us = tuple(
            (_minute_of_day(a) * US_PER_MINUTE, _minute_of_day(b) * US_PER_MINUTE) for a, b in periods
        )
        object.__setattr__(self, "_periods_us", periods_us)

    @property
    def minutes_per_day(self) -> int:
        return sum(_minute_of_day(b) - _minute_of_day(a) for a, b in self.periods)

    @property
    def periods_us(self) -> tuple[tuple[int, int], ...]:
        """Periods as (start, end) microseconds since local midnight."""
        return self._periods_us


def _fmt(period: tuple[time, ...]) -> str:
    return "-".join(t.strftime("%H:%M") if isinstance(t, time) else repr(t) for t in period)


def _check_period(index: int, period: tuple[object, ...]) -> None:
    if len(period) != 2 or not all(isinstance(t, time) for t in period):
        raise ValueError(f"schedule period {index} {period!r} must be a (start, end) pair of datetime.time")
    start, end = period
    for t in (start, end):
        if t.second or t.microsecond or t.tzinfo is not None:
            raise ValueError(
                f"schedule period {index} ({_fmt(period)}): bounds must be whole minutes without tzinfo"
            )
    if not start < end:
        raise ValueError(f"schedule period {index} ({_fmt(period)}): start must be before end")


DEFAULT_SCHEDULE: Final = Schedule()


def require_aware(value: datetime, what: str = "datetime") -> datetime:
    """Return *value* if it is a timezone-aware datetime, else raise ValueError."""
    if not isinstance(value, datetime):
        raise ValueError(f"{what} must be a datetime, got {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(
            f"{what} {value.isoformat()} is naive; give a timezone-aware datetime "
            "(e.g. tzinfo=ZoneInfo('Asia/Shanghai'))"
        )
    return value


def _tod_us(value: datetime) -> int:
    return ((value.hour * 60 + value.minute) * 60 + value.second) * 1_000_000 + value.microsecond


def _coerce_overrides(overrides: Mapping[date, bool] | None) -> dict[date, bool]:
    result: dict[date, bool] = {}
    for day, is_workday in (overrides or {}).items():
        if isinstance(day, datetime) or not isinstance(day, date):
            raise ValueError(f"calendar override key {day!r} must be a datetime.date")
        if not isinstance(is_workday, bool):
            raise ValueError(
                f"calendar override for {day.isoformat()} must be True (workday) or False (holiday), "
                f"got {is_workday!r}"
            )
        result[day] = is_workday
    return result


class WorkCalendar:
    """Workdays + daily schedule + zone; computes work time and deadlines.

    ``overrides`` maps a date to True (workday, 上班) or False (holiday, 休息)
    and wins over the holiday package and the weekend rule.
    Per-day answers are cached; the calendar is immutable after construction.
    """

    def __init__(
        self,
        schedule: Schedule = DEFAULT_SCHEDULE,
        overrides: Mapping[date, bool] | None = None,
        tz: tzinfo | str = DEFAULT_TZ,
    ) -> None:
        if not isinstance(schedule, Schedule):
            raise ValueError(f"schedule must be a Schedule, got {type(schedule).__name__}")
        self._schedule = schedule
        self._overrides = MappingProxyType(_coerce_overrides(overrides))
        self._tz = ZoneInfo(tz) if isinstance(tz, str) else tz
        if not isinstance(self._tz, tzinfo):
            raise ValueError(f"tz must be a tzinfo or a zone name, got {tz!r}")
        self._periods_us = schedule.periods_us
        self._day_us = schedule.minutes_per_day * US_PER_MINUTE
        self._workday_cache: dict[date, bool] = {}
        self._year_cache: dict[int, bool] = {}

    # -- configuration -------------------------------------------------
    @property
    def schedule(self) -> Schedule:
        return self._schedule

    @property
    def overrides(self) -> Mapping[date, bool]:
        return self._overrides

    @property
    def tz(self) -> tzinfo:
        return self._tz

    @property
    def minutes_per_day(self) -> int:
        return self._schedule.minutes_per_day

    def __repr__(self) -> str:
        return (
            f"WorkCalendar(schedule={self._schedule.periods!r}, overrides={len(self._overrides)} dates, "
            f"tz={self._tz!s})"
        )

    # -- days ------------------------------------------------------------
    def year_confirmed(self, year: int) -> bool:
        """True when the holiday package has official data for *year*."""
        known = self._year_cache.get(year)
        if known is None:
            try:
                chinese_calendar.is_workday(date(year, 6, 1))
                known = True
            except NotImplementedError:
                known = False
            self._year_cache[year] = known
        return known

    def unconfirmed_years(self, start: date | datetime, end: date | datetime) -> list[int]:
        """Years in [start, end] (inclusive) without official holiday data."""
        first, last = self._as_date(start), self._as_date(end)
        if last < first:
            first, last = last, first
        return [y for y in range(first.year, last.year + 1) if not self.year_confirmed(y)]

    def is_workday(self, day: date | datetime) -> bool:
        """Workday (工作日)? Overrides win, then the holiday package, then weekends."""
        day = self._as_date(day)
        answer = self._workday_cache.get(day)
        if answer is None:
            answer = self._compute_workday(day)
            self._workday_cache[day] = answer
        return answer

    def _compute_workday(self, day: date) -> bool:
        override = self._overrides.get(day)
        if override is not None:
            return override
        if self.year_confirmed(day.year):
            return bool(chinese_calendar.is_workday(day))
        return day.weekday() < 5 and day not in statutory_holidays(day.year)

    def _as_date(self, value: date | datetime) -> date:
        if isinstance(value, datetime):
            return self.local(value).date()
        if isinstance(value, date):
            return value
        raise ValueError(f"expected a date or datetime, got {type(value).__name__}")

    # -- instants ------------------------------------------------------
    def local(self, value: datetime, what: str = "datetime") -> datetime:
        """*value* converted to the calendar's zone (naive -> ValueError)."""
        return require_aware(value, what).astimezone(self._tz)

    def _at(self, day: date, tod_us: int) -> datetime:
        return datetime.combine(day, time(0), tzinfo=self._tz) + timedelta(microseconds=tod_us)

    def is_working_time(self, at: datetime) -> bool:
        """True when *at* lies inside a working period (start inclusive, end exclusive)."""
        local = self.local(at)
        if not self.is_workday(local.date()):
            return False
        tod = _tod_us(local)
        return any(ps <= tod < pe for ps, pe in self._periods_us)

    def next_working_moment(self, at: datetime) -> datetime:
        """*at* itself if it is working time, else the start of the next working period."""
        return self._advance_work(self.local(at), 0, strict=False, zero_is_start=False)

    # -- limits ------------------------------------------------------------
    def limit_minutes(self, limit: Limit) -> int:
        """Minutes in the limit's own kind (``wd`` uses the schedule's minutes per day)."""
        per_unit = limit.unit.fixed_minutes
        if per_unit is None:
            per_unit = self.minutes_per_day
        return round(limit.value * per_unit)

    def deadline(self, start: datetime, limit: Limit) -> datetime:
        """The instant at which *limit*, started at *start*, is used up."""
        minutes = self.limit_minutes(limit)
        return self.advance(start, minutes * US_PER_MINUTE, limit.kind)

    def add_work_minutes(self, start: datetime, minutes: float) -> datetime:
        """*start* plus *minutes* of work time (earliest instant they are used up)."""
        if not math.isfinite(minutes) or minutes < 0:
            raise ValueError(f"work minutes to add must be a finite number >= 0, got {minutes!r}")
        return self.advance(start, round(minutes * US_PER_MINUTE), TimeKind.WORK)

    def work_minutes_between(self, start: datetime, end: datetime) -> float:
        """Work minutes from *start* to *end* (negative when end is before start)."""
        return self.elapsed_microseconds(start, end, TimeKind.WORK) / US_PER_MINUTE

    def elapsed(self, start: datetime, end: datetime, limit_or_kind: Limit | TimeKind | str) -> float:
        """Minutes from *start* to *end* in the kind of the limit (or the kind given)."""
        return self.elapsed_microseconds(start, end, _kind_of(limit_or_kind)) / US_PER_MINUTE

    # -- exact microsecond API (used by the step clocks) -------------------
    def elapsed_microseconds(self, start: datetime, end: datetime, kind: TimeKind | str) -> int:
        """Exact elapsed microseconds of *kind* from *start* to *end* (signed)."""
        kind = _kind_of(kind)
        start_local, end_local = self.local(start, "start"), self.local(end, "end")
        if kind is TimeKind.NATURAL:
            return _natural_us(start_local, end_local)
        if end_local < start_local:
            return -self._work_us_between(end_local, start_local)
        return self._work_us_between(start_local, end_local)

    def advance(
        self, start: datetime, microseconds: int, kind: TimeKind | str, *, strict: bool = False
    ) -> datetime:
        """Earliest instant at which elapsed time of *kind* since *start* reaches
        *microseconds* (``strict=True``: first exceeds it).

        A non-positive amount gives *start* itself (except ``strict`` with exactly
        0, which gives the first instant after any work/natural time has passed).
        """
        kind = _kind_of(kind)
        start_local = self.local(start, "start")
        if kind is TimeKind.NATURAL:
            if microseconds < 0:
                return start_local
            extra = microseconds + (1 if strict else 0)
            return (start_local.astimezone(timezone.utc) + timedelta(microseconds=extra)).astimezone(self._tz)
        return self._advance_work(start_local, microseconds, strict=strict, zero_is_start=True)

    def _advance_work(
        self, start: datetime, amount_us: int, *, strict: bool, zero_is_start: bool
    ) -> datetime:
        if amount_us < 0 or (amount_us == 0 and zero_is_start and not strict):
            return start
        need = amount_us + (1 if strict else 0)
        day, tod = start.date(), _tod_us(start)
        days_without_work = 0
        while days_without_work <= _MAX_DAYS_WITHOUT_WORK:
            days_without_work += 1
            if self.is_workday(day):
                days_without_work = 0
                if tod == 0 and need > self._day_us:
                    need -= self._day_us  # skip a whole workday at once
                else:
                    for ps, pe in self._periods_us:
                        if pe <= tod:
                            continue
                        begin = max(ps, tod)
                        available = pe - begin
                        if need <= available:
                            return self._at(day, begin + need)
                        need -= available
            day += timedelta(days=1)
            tod = 0
        raise ValueError(
            f"no workday found in {_MAX_DAYS_WITHOUT_WORK} days in a row up to {day.isoformat()} "
            f"(counting from {start.isoformat()}); check the calendar overrides"
        )

    def _work_us_between(self, start: datetime, end: datetime) -> int:
        first, last = start.date(), end.date()
        if first == last:
            return self._day_work_us(first, _tod_us(start), _tod_us(end))
        total = self._day_work_us(first, _tod_us(start), US_PER_DAY)
        total += self._day_work_us(last, 0, _tod_us(end))
        day = first + timedelta(days=1)
        while day < last:
            if self.is_workday(day):
                total += self._day_us
            day += timedelta(days=1)
        return total

    def _day_work_us(self, day: date, begin: int, end: int) -> int:
        if end <= begin or not self.is_workday(day):
            return 0
        total = 0
        for ps, pe in self._periods_us:
            overlap = min(end, pe) - max(begin, ps)
            if overlap > 0:
                total += overlap
        return total

    def workdays(self, start: date, end: date) -> Iterable[date]:
        """Workdays in [start, end] (inclusive)."""
        day = start
        while day <= end:
            if self.is_workday(day):
                yield day
            day += timedelta(days=1)


def _natural_us(start: datetime, end: datetime) -> int:
    return (end.astimezone(timezone.utc) - start.astimezone(timezone.utc)) // _ONE_US


def _kind_of(value: Limit | TimeKind | str) -> TimeKind:
    if isinstance(value, Limit):
        return value.kind
    try:
        return TimeKind(value)
    except ValueError:
        raise ValueError(
            f"time kind {value!r} is not allowed; use a Limit or one of "
            f"{', '.join(k.value for k in TimeKind)}"
        ) from None


# -- the law before the year's notice ------------------------------------------------
def _solar_date(solar: Solar) -> date:
    return date(solar.getYear(), solar.getMonth(), solar.getDay())


def _lunar_day(year: int, month: int, day: int) -> date:
    """Gregorian date of lunar *month*/*day* in the lunar year starting in *year*."""
    return _solar_date(Lunar.fromYmd(year, month, day).getSolar())


@cache
def statutory_holidays(year: int) -> Mapping[date, str]:
    """The days 全国年节及纪念日放假办法 (2025 revision) fixes as holidays in *year*.

    元旦 1 Jan; 春节 除夕 to 初三 (4 days); 清明 (the solar term); 劳动节 1-2 May;
    端午 (5/5 lunar); 中秋 (8/15 lunar); 国庆 1-3 Oct.  Only the fixed days: the
    bridges and 调休 Saturdays come with the State Council's notice each year.
    """
    if isinstance(year, bool) or not isinstance(year, int) or not 1901 <= year <= 2099:
        raise ValueError(f"statutory holidays are computed for years 1901-2099, got {year!r}")
    spring = _lunar_day(year, 1, 1)
    qingming = _solar_date(Solar.fromYmd(year, 4, 1).getLunar().getJieQiTable()["清明"])
    days = {date(year, 1, 1): "元旦"}
    days.update({spring + timedelta(days=n): "春节" for n in range(-1, 3)})  # 除夕 = the day before 初一
    days[qingming] = "清明"
    days.update({date(year, 5, d): "劳动节" for d in (1, 2)})
    days[_lunar_day(year, 5, 5)] = "端午"
    days[_lunar_day(year, 8, 15)] = "中秋"
    days.update({date(year, 10, d): "国庆" for d in (1, 2, 3)})
    return MappingProxyType(dict(sorted(days.items())))


def unconfirmed_warning(years: Iterable[int]) -> str | None:
    """The one line every output computed on an unconfirmed year carries (None: all confirmed)."""
    listed = "、".join(str(y) for y in sorted(set(years)))
    if not listed:
        return None
    return (f"注意：{listed} 年的调休安排尚未公布，按法定节假日、周末和本地设置计算 "
            f"(year {listed} unconfirmed: statutory days and weekends only, 调休 not yet published)")


_DEFAULT_CALENDAR: WorkCalendar | None = None


def default_calendar() -> WorkCalendar:
    """The shared default calendar (08:30-12:00, 14:00-17:30, Asia/Shanghai, no overrides)."""
    global _DEFAULT_CALENDAR
    if _DEFAULT_CALENDAR is None:
        _DEFAULT_CALENDAR = WorkCalendar()
    return _DEFAULT_CALENDAR

"""Step clocks (环节计时) and warning lights (红黄绿灯).

One :class:`StepClock` per case step. A clock may run several times:

* 挂账 (hold) pauses it, 挂账恢复 resumes it;
* 返工 (rework after a failed 核查) reopens the *same* clock, which continues
  from the time it had consumed; time between stop and reopen does not count;
* 延期 (extension) adds time to its total.

Elapsed time is counted in the kind of the clock's limit (work time for
``wd``/``wh``/``wmin``, natural time for ``d``/``h``/``min``), minus paused time.

Lights (thresholds are data, default yellow 0.8, red 1.0 of the total):
green while elapsed < yellow x total, yellow from yellow x total up to and
including red x total, red past it. A paused or stopped clock shows the light of
its consumed time.

Fast lights for many open cases: for every *running* clock store its
:meth:`StepClock.marks` (``yellow_at``, ``red_at``), the first instants at which
the clock turns yellow and red. Then :func:`light_from_marks` is two
comparisons and agrees exactly with :meth:`StepClock.light` (all arithmetic is
in integer microseconds). ``red_at`` is not the displayed deadline ``due_at``:
with the default thresholds it is ``due_at`` moved past any non-working gap plus
one microsecond, because a work-time clock whose limit is used up at 17:30 has
elapsed exactly its limit (yellow) until work resumes the next morning.
Marks must be recomputed whenever the clock or the thresholds change.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from enum import StrEnum
from typing import Final, NamedTuple, Optional

import numpy as np

from console.domain.calendar import US_PER_MINUTE, Limit, TimeKind, WorkCalendar, require_aware
from console.domain.vocabulary import QT_TRANSLATE_NOOP

__all__ = [
    "DEFAULT_STEP_LIMITS",
    "DEFAULT_THRESHOLDS",
    "LIGHT_ICONS",
    "LIGHT_MEANINGS",
    "LIGHT_NAMES",
    "LIGHT_WORDS",
    "STEP_LABELS",
    "ClockError",
    "Light",
    "LightMarks",
    "Step",
    "StepClock",
    "Thresholds",
    "count_lights",
    "clock_light",
    "epoch_us",
    "format_remaining",
    "limit_kind",
    "remaining_minutes",
    "light_from_marks",
    "light_of_ratio",
    "lights_array",
    "lights_for",
    "worst_light",
]


class Step(StrEnum):
    """Case steps that carry a clock."""

    INTAKE = "intake"  # 受理
    VERIFY = "verify"  # 核实
    FILE = "file"  # 立案
    DISPATCH = "dispatch"  # 派遣
    DISPOSE = "dispose"  # 处置 (the headline clock)
    CHECK = "check"  # 核查
    CLOSE = "close"  # 结案
    SUPERVISE_REPLY = "supervise_reply"  # 督办回复

    @property
    def label(self) -> str:
        return STEP_LABELS[self]


STEP_LABELS: Final[dict[str, str]] = {
    Step.INTAKE: QT_TRANSLATE_NOOP("Step", "受理"),
    Step.VERIFY: QT_TRANSLATE_NOOP("Step", "核实"),
    Step.FILE: QT_TRANSLATE_NOOP("Step", "立案"),
    Step.DISPATCH: QT_TRANSLATE_NOOP("Step", "派遣"),
    Step.DISPOSE: QT_TRANSLATE_NOOP("Step", "处置"),
    Step.CHECK: QT_TRANSLATE_NOOP("Step", "核查"),
    Step.CLOSE: QT_TRANSLATE_NOOP("Step", "结案"),
    Step.SUPERVISE_REPLY: QT_TRANSLATE_NOOP("Step", "督办回复"),
}

# workflow.md "Default step limits"; 处置 comes from the filing condition x urgency.
DEFAULT_STEP_LIMITS: Final = {
    Step.INTAKE: Limit.parse("30wmin"),
    Step.VERIFY: Limit.parse("60wmin"),
    Step.FILE: Limit.parse("30wmin"),
    Step.DISPATCH: Limit.parse("30wmin"),
    Step.CHECK: Limit.parse("60wmin"),
    Step.CLOSE: Limit.parse("30wmin"),
    Step.SUPERVISE_REPLY: Limit.parse("1wd"),
}


class Light(StrEnum):
    GREEN = "green"  # 绿灯
    YELLOW = "yellow"  # 黄灯
    RED = "red"  # 红灯 (超时)

    @property
    def label(self) -> str:
        return LIGHT_NAMES[self]

    @property
    def word(self) -> str:
        """The one-character word that always goes with the colour (绿/黄/红)."""
        return LIGHT_WORDS[self]

    @property
    def severity(self) -> int:
        return _SEVERITY[self]


# A light is never colour alone (screens.md): its name, its word, what it means and its icon's
# name; the colour is the theme's (console/widgets/theme.py).
LIGHT_NAMES: Final[dict[str, str]] = {
    Light.GREEN: QT_TRANSLATE_NOOP("Light", "绿灯"),
    Light.YELLOW: QT_TRANSLATE_NOOP("Light", "黄灯"),
    Light.RED: QT_TRANSLATE_NOOP("Light", "红灯"),
}
LIGHT_WORDS: Final[dict[str, str]] = {
    Light.GREEN: QT_TRANSLATE_NOOP("LightWord", "绿"),
    Light.YELLOW: QT_TRANSLATE_NOOP("LightWord", "黄"),
    Light.RED: QT_TRANSLATE_NOOP("LightWord", "红"),
}
LIGHT_MEANINGS: Final[dict[str, str]] = {
    Light.GREEN: QT_TRANSLATE_NOOP("LightMeaning", "正常"),
    Light.YELLOW: QT_TRANSLATE_NOOP("LightMeaning", "将到期"),
    Light.RED: QT_TRANSLATE_NOOP("LightMeaning", "超时"),
}
LIGHT_ICONS: Final[dict[str, str]] = {Light.GREEN: "light-green", Light.YELLOW: "light-yellow", Light.RED: "light-red"}


_SEVERITY: Final = {Light.GREEN: 0, Light.YELLOW: 1, Light.RED: 2}
_BY_CODE: Final = (Light.GREEN, Light.YELLOW, Light.RED)


def worst_light(lights: Iterable[Light]) -> Light | None:
    """The most severe light (a case's light is the worst of its open steps)."""
    return max(lights, key=_SEVERITY.__getitem__, default=None)


@dataclass(frozen=True, slots=True)
class Thresholds:
    """Light thresholds as fractions of a clock's total time (per city, data)."""

    yellow: float = 0.8
    red: float = 1.0

    def __post_init__(self) -> None:
        for name in ("yellow", "red"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
                raise ValueError(f"light threshold {name}={value!r} must be a finite number")
        if not 0 < self.yellow <= self.red:
            raise ValueError(
                f"light thresholds must satisfy 0 < yellow <= red, got yellow={self.yellow}, red={self.red}"
            )

    def yellow_us(self, total_minutes: int) -> int:
        return _fraction_us(total_minutes, self.yellow)

    def red_us(self, total_minutes: int) -> int:
        return _fraction_us(total_minutes, self.red)


DEFAULT_THRESHOLDS: Final = Thresholds()


def _fraction_us(total_minutes: int, fraction: float) -> int:
    return round(total_minutes * fraction * US_PER_MINUTE)


def _minutes_to_us(minutes: float) -> int:
    return round(minutes * US_PER_MINUTE)


def _light_of_us(elapsed_us: int, total_minutes: int, thresholds: Thresholds) -> Light:
    if elapsed_us < thresholds.yellow_us(total_minutes):
        return Light.GREEN
    if elapsed_us <= thresholds.red_us(total_minutes):
        return Light.YELLOW
    return Light.RED


def light_of_ratio(ratio: float, thresholds: Thresholds = DEFAULT_THRESHOLDS) -> Light:
    """Light for elapsed/total (for display; clocks use exact microseconds)."""
    if ratio < thresholds.yellow:
        return Light.GREEN
    return Light.YELLOW if ratio <= thresholds.red else Light.RED


class ClockError(ValueError):
    """An action that does not fit the clock's state."""


def _as_limit(limit: Limit | str) -> Limit:
    return Limit.parse(limit) if isinstance(limit, str) else limit


class LightMarks(NamedTuple):
    """First instants at which a running clock turns yellow and red."""

    yellow_at: datetime
    red_at: datetime


@dataclass(frozen=True, slots=True)
class StepClock:
    """One step's clock; immutable, every action returns a new clock.

    ``total_minutes`` = limit + extensions, in the limit's kind.
    ``consumed_minutes`` = time used by finished runs (before the current run).
    ``run_started_at`` is None when paused or stopped.
    """

    step: Step
    limit: Limit
    total_minutes: int
    consumed_minutes: float = 0.0
    run_started_at: datetime | None = None
    started_at: datetime | None = None
    stopped_at: datetime | None = None
    paused: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "step", Step(self.step))
        where = f"{self.step.value} ({self.step.label}) clock"
        if not isinstance(self.limit, Limit):
            raise ClockError(f"{where}: limit must be a Limit, got {self.limit!r}")
        if self.total_minutes <= 0:
            raise ClockError(f"{where}: total time must be > 0 minutes, got {self.total_minutes}")
        if not math.isfinite(self.consumed_minutes) or self.consumed_minutes < 0:
            raise ClockError(f"{where}: consumed minutes must be >= 0, got {self.consumed_minutes}")
        for name in ("run_started_at", "started_at", "stopped_at"):
            value = getattr(self, name)
            if value is not None:
                require_aware(value, f"{where} {name}")
        if self.started_at is None:
            raise ClockError(f"{where}: started_at is required")
        running = self.run_started_at is not None
        if self.stopped_at is not None and (running or self.paused):
            raise ClockError(f"{where}: a stopped clock can be neither running nor paused")
        if self.stopped_at is None and running == self.paused:
            raise ClockError(f"{where}: an open clock is either running (run_started_at set) or paused")

    # -- state ----------------------------------------------------------------
    @property
    def kind(self) -> TimeKind:
        return self.limit.kind

    @property
    def is_running(self) -> bool:
        return self.run_started_at is not None

    @property
    def is_open(self) -> bool:
        return self.stopped_at is None

    @property
    def state(self) -> str:
        if self.stopped_at is not None:
            return "stopped"
        return "paused" if self.paused else "running"

    def _error(self, action: str, expected: str) -> ClockError:
        return ClockError(
            f"cannot {action} the {self.step.value} ({self.step.label}) clock: it is {self.state}, "
            f"expected {expected}"
        )

    def _run_us(self, at: datetime, calendar: WorkCalendar, action: str) -> int:
        assert self.run_started_at is not None
        if require_aware(at, f"{action} time") < self.run_started_at:
            raise ClockError(
                f"cannot {action} the {self.step.value} ({self.step.label}) clock at {at.isoformat()}: "
                f"before its run started at {self.run_started_at.isoformat()}"
            )
        return calendar.elapsed_microseconds(self.run_started_at, at, self.kind)

    # -- actions ----------------------------------------------------------------
    @classmethod
    def start(cls, step: Step, limit: Limit | str, at: datetime, calendar: WorkCalendar) -> StepClock:
        """Start a clock for *step* with *limit* (a Limit or text like ``"4wh"``) at *at*."""
        require_aware(at, "clock start time")
        limit = _as_limit(limit)
        return cls(
            step=Step(step),
            limit=limit,
            total_minutes=calendar.limit_minutes(limit),
            run_started_at=at,
            started_at=at,
        )

    def pause(self, at: datetime, calendar: WorkCalendar) -> StepClock:
        """挂账: bank the current run and stop counting."""
        if not self.is_running:
            raise self._error("pause", "running")
        used_us = self._run_us(at, calendar, "pause")
        return dataclasses.replace(
            self, consumed_minutes=self._consumed_plus(used_us), run_started_at=None, paused=True
        )

    def resume(self, at: datetime) -> StepClock:
        """挂账恢复: count again from *at*."""
        if self.stopped_at is not None or not self.paused:
            raise self._error("resume", "paused")
        return dataclasses.replace(self, run_started_at=require_aware(at, "resume time"), paused=False)

    def stop(self, at: datetime, calendar: WorkCalendar) -> StepClock:
        """Stop a running or paused clock (step done, returned, cancelled)."""
        if self.stopped_at is not None:
            raise self._error("stop", "running or paused")
        consumed = self.consumed_minutes
        if self.is_running:
            consumed = self._consumed_plus(self._run_us(at, calendar, "stop"))
        require_aware(at, "stop time")
        return dataclasses.replace(
            self, consumed_minutes=consumed, run_started_at=None, stopped_at=at, paused=False
        )

    def reopen(self, at: datetime) -> StepClock:
        """返工: run again from the consumed time; stop..reopen does not count."""
        if self.stopped_at is None:
            raise self._error("reopen", "stopped")
        require_aware(at, "reopen time")
        if at < self.stopped_at:
            raise ClockError(
                f"cannot reopen the {self.step.value} ({self.step.label}) clock at {at.isoformat()}: "
                f"before it stopped at {self.stopped_at.isoformat()}"
            )
        return dataclasses.replace(self, stopped_at=None, run_started_at=at)

    def extend(self, extra: Limit | str, calendar: WorkCalendar) -> StepClock:
        """延期: add *extra* to the total, converted in the clock's own time family.

        An extension of the clock's kind adds its minutes (``2wh`` on a work clock:
        120 work minutes). One of the other kind is converted by the calendar at the
        current deadline: ``1d`` on a work-time clock due Friday 16:30 adds the work
        time between Friday 16:30 and Saturday 16:30 (60 minutes), never 1440 raw
        minutes; ``2wh`` on a natural clock adds the natural time from the deadline
        to the moment two work hours after it. Only running or paused clocks can be
        extended (a paused one only by its own kind: it has no deadline); the
        extension must add time.
        """
        if self.stopped_at is not None:
            raise self._error("extend", "running or paused")
        extra = _as_limit(extra)
        if extra.kind is self.kind:
            minutes = calendar.limit_minutes(extra)
        else:
            minutes = self._converted_minutes(extra, calendar)
        if minutes <= 0:
            raise ClockError(
                f"cannot extend the {self.step.value} ({self.step.label}) clock by {extra}: "
                "an extension must add time in the clock's own time family"
            )
        return dataclasses.replace(self, total_minutes=self.total_minutes + minutes)

    def _converted_minutes(self, extra: Limit, calendar: WorkCalendar) -> int:
        """Minutes of this clock's kind between its deadline and the deadline moved by *extra*."""
        due = self.due_at(calendar)
        if due is None:
            raise ClockError(
                f"cannot extend the paused {self.step.value} ({self.step.label}) clock by {extra}: "
                f"a {extra.kind.value}-time extension of a {self.kind.value}-time clock is converted at "
                "the deadline, and a paused clock has none"
            )
        moved = calendar.deadline(due, extra)
        return int(calendar.elapsed_microseconds(due, moved, self.kind) // US_PER_MINUTE)

    def _consumed_plus(self, used_us: int) -> float:
        return (_minutes_to_us(self.consumed_minutes) + max(used_us, 0)) / US_PER_MINUTE

    # -- queries ---------------------------------------------------------------
    def elapsed_us(self, now: datetime, calendar: WorkCalendar) -> int:
        """Exact elapsed microseconds (a *now* before the run start counts 0)."""
        require_aware(now, "now")
        consumed = _minutes_to_us(self.consumed_minutes)
        if self.run_started_at is None:
            return consumed
        run = calendar.elapsed_microseconds(self.run_started_at, now, self.kind)
        return consumed + max(run, 0)

    def elapsed(self, now: datetime, calendar: WorkCalendar) -> float:
        """Elapsed minutes in the clock's kind."""
        return self.elapsed_us(now, calendar) / US_PER_MINUTE

    def ratio(self, now: datetime, calendar: WorkCalendar) -> float:
        return self.elapsed(now, calendar) / self.total_minutes

    def remaining(self, now: datetime, calendar: WorkCalendar) -> float:
        """Minutes left before the total is used up; negative when overdue."""
        return self.total_minutes - self.elapsed(now, calendar)

    def light(
        self, now: datetime, calendar: WorkCalendar, thresholds: Thresholds = DEFAULT_THRESHOLDS
    ) -> Light:
        return _light_of_us(self.elapsed_us(now, calendar), self.total_minutes, thresholds)

    @property
    def on_time(self) -> bool:
        """For a stopped clock: consumed <= total (default red threshold 1.0)."""
        return self.on_time_with(DEFAULT_THRESHOLDS)

    def on_time_with(self, thresholds: Thresholds) -> bool:
        """For a stopped clock: consumed <= total x red threshold."""
        if self.stopped_at is None:
            raise self._error("judge in-time for", "stopped")
        return _minutes_to_us(self.consumed_minutes) <= thresholds.red_us(self.total_minutes)

    def due_at(self, calendar: WorkCalendar) -> datetime | None:
        """Deadline of a running clock (None unless running)."""
        return self._mark(calendar, _minutes_to_us(self.total_minutes), strict=False)

    def yellow_at(
        self, calendar: WorkCalendar, thresholds: Thresholds = DEFAULT_THRESHOLDS
    ) -> datetime | None:
        """First instant a running clock is yellow (None unless running)."""
        return self._mark(calendar, thresholds.yellow_us(self.total_minutes), strict=False)

    def red_at(self, calendar: WorkCalendar, thresholds: Thresholds = DEFAULT_THRESHOLDS) -> datetime | None:
        """First instant a running clock is red (None unless running)."""
        return self._mark(calendar, thresholds.red_us(self.total_minutes), strict=True)

    def marks(self, calendar: WorkCalendar, thresholds: Thresholds = DEFAULT_THRESHOLDS) -> LightMarks | None:
        """(yellow_at, red_at) for the fast path; None unless running."""
        if self.run_started_at is None:
            return None
        yellow = self.yellow_at(calendar, thresholds)
        red = self.red_at(calendar, thresholds)
        assert yellow is not None and red is not None
        return LightMarks(yellow, red)

    def _mark(self, calendar: WorkCalendar, threshold_us: int, *, strict: bool) -> datetime | None:
        if self.run_started_at is None:
            return None
        left = threshold_us - _minutes_to_us(self.consumed_minutes)
        return calendar.advance(self.run_started_at, left, self.kind, strict=strict)


def remaining_from_due(
    now: datetime, due_at: datetime, *, total_minutes: int, consumed_minutes: float, kind: TimeKind | str,
    calendar: WorkCalendar,
) -> float:
    """Minutes left on a *running* clock from its stored ``due_at``; negative when overdue.

    Equals :meth:`StepClock.remaining` (from the run start on) without reading the run
    start, so a queue of thousands of cases reads one timestamp fewer per row.  A clock
    resumed already past its total has ``due_at`` at the run start; its overrun is added back.
    """
    overrun_us = min(_minutes_to_us(total_minutes) - _minutes_to_us(consumed_minutes), 0)
    return (overrun_us + calendar.elapsed_microseconds(now, due_at, kind)) / US_PER_MINUTE


# -- fast lights ---------------------------------------------------------------
def light_from_marks(now: datetime, yellow_at: datetime, red_at: datetime) -> Light:
    """Light of a running clock from its stored marks (see module doc)."""
    if now < yellow_at:
        return Light.GREEN
    return Light.YELLOW if now < red_at else Light.RED


def lights_for(now: datetime, marks: Sequence[tuple[datetime, datetime]]) -> list[Light]:
    """Batch :func:`light_from_marks`. Comparisons are fastest when *now* and the
    marks share one tzinfo object (pass *now* in the calendar's zone)."""
    require_aware(now, "now")
    green, yellow, red = Light.GREEN, Light.YELLOW, Light.RED
    return [green if now < y else (yellow if now < r else red) for y, r in marks]


_EPOCH: Final = datetime(1970, 1, 1, tzinfo=timezone.utc)


def epoch_us(value: datetime) -> int:
    """Microseconds since the Unix epoch, for storing marks as integers."""
    return (require_aware(value, "mark") - _EPOCH) // timedelta(microseconds=1)


def lights_array(now: datetime | int, yellow_us: np.ndarray, red_us: np.ndarray) -> np.ndarray:
    """Vectorised lights as int8 codes (0 green, 1 yellow, 2 red) from epoch-µs marks."""
    now_us = now if isinstance(now, int) else epoch_us(now)
    yellow = np.asarray(yellow_us, dtype=np.int64)
    red = np.asarray(red_us, dtype=np.int64)
    return (now_us >= yellow).astype(np.int8) + (now_us >= red).astype(np.int8)


def count_lights(now: datetime | int, yellow_us: np.ndarray, red_us: np.ndarray) -> dict[Light, int]:
    """How many clocks show each light, from epoch-µs marks."""
    counts = np.bincount(lights_array(now, yellow_us, red_us), minlength=3)
    return {light: int(counts[code]) for code, light in enumerate(_BY_CODE)}


# -- a queue row's open clock (the queue, the detail and the alerts read the same) -----------
_KIND_CACHE: dict[str, TimeKind] = {}


def limit_kind(limit: str) -> TimeKind:
    """Work or natural time, for a limit text like ``4wh`` (cached: the queue asks per row)."""
    kind = _KIND_CACHE.get(limit)
    if kind is None:
        kind = _KIND_CACHE[limit] = Limit.parse(limit).kind
    return kind


def clock_light(now: datetime, *, yellow_at: Optional[datetime], red_at: Optional[datetime],
                consumed_minutes: Optional[float], total_minutes: Optional[int],
                thresholds: Thresholds = DEFAULT_THRESHOLDS) -> Optional[Light]:
    """A running clock's light from its marks; a paused one's from the time it had used."""
    if yellow_at is not None and red_at is not None:
        return light_from_marks(now, yellow_at, red_at)
    if total_minutes:
        return light_of_ratio((consumed_minutes or 0.0) / total_minutes, thresholds)
    return None


def remaining_minutes(now: datetime, calendar: WorkCalendar, *, limit: Optional[str], total_minutes: Optional[int],
                      consumed_minutes: Optional[float], due_at: Optional[datetime]) -> Optional[float]:
    """Minutes (in the limit's kind: work or natural) left on an open clock; negative when overdue.

    A running clock counts down to its stored `due_at`; a paused one (no `due_at`) keeps
    what it had left when it stopped.
    """
    if not limit or not total_minutes:
        return None
    if due_at is None:
        return total_minutes - (consumed_minutes or 0.0)
    return remaining_from_due(now, due_at, total_minutes=total_minutes, consumed_minutes=consumed_minutes or 0.0,
                              kind=limit_kind(limit), calendar=calendar)


def format_remaining(minutes: Optional[float], *, paused: bool = False, overdue_word: str = "超时",
                     paused_word: str = "暂停") -> str:
    """'1:20', '超时 0:35', '暂停 3:10'; whole minutes, hours not folded into days.

    The words are the caller's (translated on the widget side); the defaults are the hall's.
    """
    if minutes is None:
        return ""
    whole = int(abs(minutes))  # whole minutes, rounded towards zero
    text = f"{whole // 60}:{whole % 60:02d}"
    if minutes < 0:
        text = f"{overdue_word} {text}"
    return f"{paused_word} {text}" if paused else text

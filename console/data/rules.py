"""The rules a city edits, read from the database into domain objects.

Time limits, light thresholds and the working schedule are data (settings,
calendar_overrides, time_limits), never constants in code.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import time
from typing import Any, Mapping

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from console.domain.calendar import Limit, Schedule, WorkCalendar
from console.domain.clocks import Thresholds
from console.data import models as m

DEFAULT_STEP_LIMITS = {
    "intake": "30wmin",
    "verify": "60wmin",
    "file": "30wmin",
    "dispatch": "30wmin",
    "check": "60wmin",
    "close": "30wmin",
    "supervise_reply": "1wd",
}
DEFAULT_LIGHTS = {"yellow": 0.8, "red": 1.0}
DEFAULT_MAX_EXTENSIONS = 2
DEFAULT_SCHEDULE = {"periods": [["08:30", "12:00"], ["14:00", "17:30"]]}


@dataclass(frozen=True)
class Rules:
    calendar: WorkCalendar
    thresholds: Thresholds
    step_limits: Mapping[str, Limit]
    settings: Mapping[str, Any] = field(default_factory=dict)
    calendar_stamp: tuple[Any, ...] = ()  # (override count, last set_at): tells a stale cache

    @property
    def max_extensions(self) -> int:
        """延期 approvals per case before a leader must approve another (data; default 2)."""
        return int(self.settings.get("max_extensions", DEFAULT_MAX_EXTENSIONS))

    def step_limit(self, step: str) -> Limit:
        try:
            return self.step_limits[step]
        except KeyError:
            raise KeyError(f"no time limit configured for step {step!r} (settings 'step_limits')") from None


def _parse_time(text: str) -> time:
    hour, minute = text.split(":")
    return time(int(hour), int(minute))


def schedule_from_setting(value: Mapping[str, Any]) -> Schedule:
    periods = tuple((_parse_time(a), _parse_time(b)) for a, b in value["periods"])
    return Schedule(periods=periods)


CALENDAR_REVISION = "calendar_revision"  # settings key `calendar set` bumps in its transaction


def calendar_stamp(session: Session, *, share: bool = False) -> tuple[Any, ...]:
    """Changes whenever `calendar set` writes: compared before a command trusts cached rules.

    ``share=True`` (a case command) takes a shared lock on the revision row, so on
    PostgreSQL a `calendar set` waits for running commands and they wait for it:
    no clock is stamped on a calendar that is being replaced.
    """
    revision = select(m.Setting.value).where(m.Setting.key == CALENDAR_REVISION)
    if share:
        revision = revision.with_for_update(read=True)
    # one statement, one round trip: every case command asks this
    query = select(revision.scalar_subquery(), func.count(), func.max(m.CalendarOverride.set_at))
    return tuple(session.execute(query.select_from(m.CalendarOverride)).one())


def load_rules(session: Session) -> Rules:
    settings = {row.key: row.value for row in session.scalars(select(m.Setting))}
    overrides = {row.day: row.workday for row in session.scalars(select(m.CalendarOverride))}
    calendar = WorkCalendar(
        schedule=schedule_from_setting(settings.get("schedule", DEFAULT_SCHEDULE)),
        overrides=overrides,
    )
    lights = settings.get("lights", DEFAULT_LIGHTS)
    step_limits = {**DEFAULT_STEP_LIMITS, **settings.get("step_limits", {})}
    return Rules(
        calendar=calendar,
        thresholds=Thresholds(yellow=float(lights["yellow"]), red=float(lights["red"])),
        step_limits={step: Limit.parse(text) for step, text in step_limits.items()},
        settings=settings,
        calendar_stamp=calendar_stamp(session),
    )

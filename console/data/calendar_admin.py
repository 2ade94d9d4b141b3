"""Local work-calendar overrides (调休, local holidays): they win over the built-in table."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from console.data import models as m
from console.data.commands import log_change, refresh_marks
from console.data.db import Database
from console.data.rules import CALENDAR_REVISION, load_rules
from console.domain.calendar import Limit, unconfirmed_warning

_SHANGHAI = ZoneInfo("Asia/Shanghai")


def set_day(db: Database, day: date, *, workday: bool, note: str | None = None, by: str | None = None) -> int:
    """Mark one day a workday or a holiday, whatever chinesecalendar says.

    In the same transaction, every running work-time clock whose run the day can
    touch gets its due / yellow / red marks recomputed on the new calendar, and its
    case goes into the change log, so every seat's feed redraws its light.
    Returns how many clocks were recomputed.
    """
    now = datetime.now(timezone.utc)
    with db.write() as s:
        # first: the exclusive lock on the revision waits for commands in flight (calendar_stamp)
        revision = s.scalars(select(m.Setting).where(m.Setting.key == CALENDAR_REVISION).with_for_update()).one()
        revision.value = {"revision": int((revision.value or {}).get("revision", 0)) + 1}
        row = s.get(m.CalendarOverride, day)
        if row is None:
            s.add(m.CalendarOverride(day=day, workday=workday, note=note, set_by=by, set_at=now))
        else:
            row.workday, row.note, row.set_by, row.set_at = workday, note, by, now
        log_change(s, "calendar", day.isoformat(), "set", operator=by, at=now)
        s.flush()
        recomputed = _recompute_marks(s, day, now, by)
    db.invalidate_rules()
    return recomputed


def _recompute_marks(s, day: date, now: datetime, by: str | None) -> int:  # noqa: ANN001 - a Session
    """Running clocks started before the day ends and not red before it begins can move."""
    rules = load_rules(s)  # sees the override just written
    day_start = datetime.combine(day, time(0), tzinfo=_SHANGHAI)
    day_end = day_start + timedelta(days=1)
    rows = s.execute(
        select(m.CaseStepClock, m.Case.street_code)
        .join(m.Case, m.Case.id == m.CaseStepClock.case_id)
        .where(m.CaseStepClock.open, m.CaseStepClock.running,
               m.CaseStepClock.run_started_at < day_end, m.CaseStepClock.red_at >= day_start)
        .order_by(m.CaseStepClock.case_id)
    ).all()
    cases: dict[int, str | None] = {}
    work_clocks = [(clock, street) for clock, street in rows if Limit.parse(clock.limit).is_work]
    for clock, street in work_clocks:  # natural time ignores the calendar
        refresh_marks(clock, rules)
        cases[clock.case_id] = street
    for case_id, street in cases.items():
        log_change(s, "case", str(case_id), "calendar", street_code=street, operator=by, at=now)
    return len(work_clocks)


def unconfirmed_years_in_use(db: Database, *, since: datetime | None = None, until: datetime | None = None,
                             now: datetime | None = None) -> list[int]:
    """Years without a published holiday notice that figures computed now depend on.

    The span runs from the earliest running clock's start (or *since*) to the
    latest red mark (or *until*), and always includes *now*.
    """
    now = now or datetime.now(timezone.utc)
    with db.read() as s:
        first, last = s.execute(
            select(func.min(m.CaseStepClock.run_started_at), func.max(m.CaseStepClock.red_at))
            .where(m.CaseStepClock.open, m.CaseStepClock.running)
        ).one()
    instants = [t for t in (now, since, until, first, last) if t is not None]
    return db.rules().calendar.unconfirmed_years(min(instants), max(instants))


def calendar_warning(db: Database, **span: datetime | None) -> str | None:
    """The one warning line for an output computed on an unconfirmed year (None when none is)."""
    return unconfirmed_warning(unconfirmed_years_in_use(db, **span))

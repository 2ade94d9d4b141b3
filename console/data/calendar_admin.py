"""Local work-calendar overrides (调休, local holidays): they win over the built-in table."""
from __future__ import annotations

from datetime import date, datetime, timezone

from console.data import models as m
from console.data.commands import log_change
from console.data.db import Database


def set_day(db: Database, day: date, *, workday: bool, note: str | None = None, by: str | None = None) -> None:
    """Mark one day a workday or a holiday, whatever chinesecalendar says."""
    now = datetime.now(timezone.utc)
    with db.write() as s:
        row = s.get(m.CalendarOverride, day)
        if row is None:
            s.add(m.CalendarOverride(day=day, workday=workday, note=note, set_by=by, set_at=now))
        else:
            row.workday, row.note, row.set_by, row.set_at = workday, note, by, now
        log_change(s, "calendar", day.isoformat(), "set", operator=by, at=now)
    db.invalidate_rules()

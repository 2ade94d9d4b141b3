"""The breakdowns the wall, the leader and the brief draw as charts and lists: intake by hour, by
source, top categories, hot-spot grids, the overdue cases.  One GROUP BY each (never a loop over
cases); times are stored UTC and grouped by local (Asia/Shanghai, UTC+8 all year) hour."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, literal_column, or_, select

from console.data import models as m
from console.data.db import Database
from console.data.evaluation import _red_dispose_at, open_at
from console.data.queue_and_detail import _active_version_id
from console.domain.evaluation import Window

LOCAL_OFFSET_HOURS = 8  # Asia/Shanghai has kept UTC+8 without daylight saving since 1991


def _local_hour(db: Database, column: Any) -> Any:
    if db.is_postgres:
        return func.extract("hour", column + literal_column(f"interval '{LOCAL_OFFSET_HOURS} hours'"))
    return func.cast(func.strftime("%H", column, f"+{LOCAL_OFFSET_HOURS} hours"), m.Integer)


def _reported(w: Window, street: str | None) -> Any:
    c = m.Case
    where = [c.created_at >= w.start, c.created_at < w.end]
    if street:
        where.append(c.street_code == street)
    return and_(*where)


def intake_by_hour(db: Database, window: Window, *, street: str | None = None) -> tuple[int, ...]:
    """Cases reported in each local hour 0..23 of the window (summed over its days)."""
    hour = _local_hour(db, m.Case.created_at).label("hour")
    out = [0] * 24
    with db.read() as s:
        for h, n in s.execute(select(hour, func.count()).where(_reported(window, street)).group_by(hour)):
            out[int(h) % 24] += int(n)
    return tuple(out)


def by_source(db: Database, window: Window, *, street: str | None = None) -> dict[str, int]:
    """Cases reported in the window per source (inspector, hotline, video, ...)."""
    c = m.Case
    with db.read() as s:
        rows = s.execute(select(c.source, func.count()).where(_reported(window, street)).group_by(c.source))
        return {str(source): int(n) for source, n in rows}


def top_categories(db: Database, window: Window, *, limit: int = 10,
                   street: str | None = None) -> tuple[tuple[str, str, int], ...]:
    """(category code, name, cases reported) of the window's most frequent categories, most first."""
    c, cat = m.Case, m.Category
    n = func.count().label("n")
    query = (select(c.category_code, n).where(_reported(window, street), c.category_code.is_not(None))
             .group_by(c.category_code).order_by(n.desc(), c.category_code).limit(limit))
    with db.read() as s:
        rows = s.execute(query).all()
        names = dict(s.execute(select(cat.code, cat.name).where(
            cat.code.in_([r[0] for r in rows]), cat.version_id == _active_version_id(s))).all())
    return tuple((code, names.get(code, code), int(count)) for code, count in rows)


def hot_grids(db: Database, window: Window, *, limit: int = 10,
              street: str | None = None) -> tuple[tuple[str, str, int], ...]:
    """(grid code, street name, cases reported) of the window's busiest unit grids (高发网格), most first."""
    c = m.Case
    n = func.count().label("n")
    query = (select(c.grid_code, c.street_code, n).where(_reported(window, street), c.grid_code.is_not(None))
             .group_by(c.grid_code, c.street_code).order_by(n.desc(), c.grid_code).limit(limit))
    with db.read() as s:
        rows = s.execute(query).all()
        streets = dict(s.execute(select(m.Street.code, m.Street.name)).all())
    return tuple((grid, streets.get(street_code, street_code or ""), int(count)) for grid, street_code, count in rows)


@dataclass(frozen=True)
class OverdueCase:
    """An open case whose 处置 clock is red at `at`: what a list of 超期案件 shows (no caller data)."""

    number: str
    category: str
    street: str
    department: str
    address: str
    red_at: datetime  # when the 处置 clock went red (its latest round)


def overdue_cases(db: Database, at: datetime, *, street: str | None = None, limit: int | None = None) -> tuple[OverdueCase, ...]:
    """The open overdue cases at `at` (the same test as the figure 超期未结案数), longest overdue first."""
    c, k, cat, d, st = m.Case, m.CaseStepClock, m.Category, m.Department, m.Street
    red_from = (select(func.max(func.coalesce(k.red_since, k.red_at))).where(k.case_id == c.id, k.step == "dispose")
                .scalar_subquery())
    hung = select(m.CaseEvent.to_state).where(m.CaseEvent.case_id == c.id, m.CaseEvent.at < at).order_by(
        m.CaseEvent.at.desc(), m.CaseEvent.id.desc()).limit(1).scalar_subquery() == "hung"
    query = (select(c.number, cat.name, st.name, d.name, c.address, red_from.label("red_from")).select_from(c)
             .outerjoin(cat, and_(cat.code == c.category_code, cat.version_id == _active_version()))
             .outerjoin(d, d.id == c.department_id)
             .outerjoin(st, st.code == c.street_code)
             .where(c.created_at < at, open_at(at), ~hung, _red_dispose_at(at))
             .order_by(red_from, c.number))
    if street:
        query = query.where(c.street_code == street)
    if limit:
        query = query.limit(limit)
    with db.read() as s:
        rows = s.execute(query).all()
    return tuple(OverdueCase(number, category or "", street_name or "", dept or "", address or "", _aware(red))
                 for number, category, street_name, dept, address, red in rows)


def _active_version() -> Any:
    v = m.CatalogueVersion
    return select(v.id).where(v.active).order_by(v.id.desc()).limit(1).scalar_subquery()


def _aware(value: datetime) -> datetime:
    from datetime import timezone

    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


SUPERVISION_STATUSES = ("waiting", "on_time", "late", "missing")  # 待回复 / 按时回复 / 超时回复 / 未回复


@dataclass(frozen=True)
class Supervision:
    """One 督办 and its reply (the leader's and the street seat's 督办 list)."""

    id: int
    case_number: str
    category: str
    street: str
    department: str
    reason: str
    by: str
    at: datetime
    due_at: datetime | None
    replied_at: datetime | None
    reply_note: str
    status: str  # one of SUPERVISION_STATUSES at `now`
    remaining_minutes: float | None  # work minutes to the reply deadline (negative: past it); None once replied


def supervision_status(due_at: datetime | None, replied_at: datetime | None, now: datetime) -> str:
    if replied_at is not None:
        return "late" if due_at is not None and replied_at > due_at else "on_time"
    return "missing" if due_at is not None and due_at < now else "waiting"


def supervisions(db: Database, now: datetime, *, since: datetime | None = None,
                 street: str | None = None) -> tuple[Supervision, ...]:
    """The 督办 records made since `since` and every one still unanswered, soonest deadline first."""
    u, c, cat, d, st = m.UrgeRecord, m.Case, m.Category, m.Department, m.Street
    recent = u.at >= since if since is not None else u.at.is_not(None)
    query = (select(u.id, c.number, cat.name, st.name, d.name, u.note, u.operator_name, u.at, u.reply_due_at,
                    u.replied_at, u.reply_note)
             .select_from(u).join(c, c.id == u.case_id)
             .outerjoin(cat, and_(cat.code == c.category_code, cat.version_id == _active_version()))
             .outerjoin(d, d.id == u.department_id).outerjoin(st, st.code == c.street_code)
             .where(u.kind == "supervise", or_(recent, u.replied_at.is_(None)))
             .order_by(u.replied_at.is_not(None), u.reply_due_at, u.id))
    if street:
        query = query.where(c.street_code == street)
    calendar = db.rules().calendar
    with db.read() as s:
        rows = s.execute(query).all()
    out = []
    for (id_, number, category, street_name, dept, note, by, at, due, replied, reply_note) in rows:
        at, due, replied = _aware(at), due and _aware(due), replied and _aware(replied)
        remaining = None
        if replied is None and due is not None:
            remaining = (calendar.work_minutes_between(now, due) if due >= now
                         else -calendar.work_minutes_between(due, now))
        out.append(Supervision(id_, number, category or "", street_name or "", dept or "", note or "", by, at, due,
                               replied, reply_note or "", supervision_status(due, replied, now), remaining))
    return tuple(out)
def issuing_names(db: Database) -> tuple[str, dict[str, str]]:
    """(the district's name, {street code: street name}): who issues a report and of which street."""
    with db.read() as s:
        district = s.scalar(select(m.District.name).order_by(m.District.code).limit(1))
        streets = dict(s.execute(select(m.Street.code, m.Street.name)).all())
    return district or "", streets

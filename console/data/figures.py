"""The hall's figures: light counts, the `stats` object, the per-street summary.

`scope` is a street code (a liaison seat) or None (the whole district); it
is applied here, where data is read, never in the widgets.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import case as sql_case
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from console.data import models as m
from console.data.db import Database

SHANGHAI = ZoneInfo("Asia/Shanghai")
LIGHTS = ("green", "yellow", "red")
# Steps whose clock gives a case its light (督办回复 is an overlay's clock, not the case's).
CASE_STEPS = ("intake", "verify", "file", "dispatch", "dispose", "check", "close")


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _light_rank(now: datetime, yellow: float, red: float):
    """SQL for the light of one open clock: 0 green, 1 yellow, 2 red.

    A running clock compares `now` with its precomputed marks; a paused one
    (挂账) keeps the light of the time it had consumed.
    """
    c = m.CaseStepClock
    return sql_case(
        (c.running & (c.red_at <= now), 2),
        (c.running & (c.yellow_at <= now), 1),
        (c.running, 0),
        (c.consumed_minutes > c.total_minutes * red, 2),
        (c.consumed_minutes >= c.total_minutes * yellow, 1),
        else_=0,
    )


def case_light_ranks(session: Session, db: Database, now: datetime | None = None,
                     scope: str | None = None) -> dict[int, int]:
    """Worst light rank of the open steps of every open case: {case_id: 0|1|2}."""
    now = now or _now()
    t = db.rules().thresholds
    c = m.CaseStepClock
    q = (
        select(c.case_id, func.max(_light_rank(now, t.yellow, t.red)))
        .where(c.open, c.step.in_(CASE_STEPS))
        .group_by(c.case_id)
    )
    if scope:
        q = q.join(m.Case, m.Case.id == c.case_id).where(m.Case.street_code == scope)
    return dict(session.execute(q).all())


def count_by_light(db: Database, now: datetime | None = None, scope: str | None = None) -> dict[str, int]:
    with db.read() as s:
        ranks = case_light_ranks(s, db, now, scope)
    counts = dict.fromkeys(LIGHTS, 0)
    for rank in ranks.values():
        counts[LIGHTS[rank]] += 1
    return counts


def stats(db: Database, now: datetime | None = None, scope: str | None = None) -> dict[str, Any]:
    """The `stats --json` object (architecture.md, command-line contract)."""
    now = now or _now()
    today = now.astimezone(SHANGHAI).date()
    with db.read() as s:
        def count(model, *where) -> int:  # noqa: ANN001
            return s.scalar(select(func.count()).select_from(model).where(*where)) or 0

        street_filter = (lambda col: col == scope) if scope else (lambda col: True)
        area = (
            s.scalar(select(func.sum(m.UnitGrid.area_m2)).where(m.UnitGrid.valid_on(today), street_filter(m.UnitGrid.street_code)))
            or 0.0
        ) / 1e6
        by_state = dict(
            s.execute(
                select(m.Case.state, func.count()).where(street_filter(m.Case.street_code)).group_by(m.Case.state)
            ).all()
        )
        result = {
            "streets": count(m.Street, street_filter(m.Street.code)),
            "communities": count(m.Community, street_filter(m.Community.street_code)),
            "grids": count(m.UnitGrid, m.UnitGrid.valid_on(today), street_filter(m.UnitGrid.street_code)),
            "staff": count(m.Staff, street_filter(m.Staff.street_code)),
            "cameras": count(m.Camera, street_filter(m.Camera.street_code)),
            "departments": count(m.Department),
            "area_km2": round(area, 2),
        }
    result["cases"] = {
        "total": sum(by_state.values()),
        "by_state": by_state,
        "by_light": count_by_light(db, now, scope),
    }
    result["calendar"] = _calendar_state(db, now)
    return result


@dataclass(frozen=True)
class StreetFigures:
    """One street's line of the `stats` summary."""

    code: str
    name: str
    communities: int
    grids: int
    cases: int
    open: int


def street_summary(db: Database, now: datetime | None = None, scope: str | None = None) -> list[StreetFigures]:
    """Per street, by code: its communities, current grids, cases and open cases."""
    today = (now or _now()).astimezone(SHANGHAI).date()

    def per_street(column, *where) -> dict[str, int]:  # noqa: ANN001
        return dict(s.execute(select(column, func.count()).where(*where).group_by(column)).all())

    with db.read() as s:
        q = select(m.Street.code, m.Street.name).order_by(m.Street.code)
        streets = s.execute(q.where(m.Street.code == scope) if scope else q).all()
        communities = per_street(m.Community.street_code)
        grids = per_street(m.UnitGrid.street_code, m.UnitGrid.valid_on(today))
        cases = per_street(m.Case.street_code)
        open_cases = per_street(m.Case.street_code, m.Case.is_open)
    return [StreetFigures(code, name, communities.get(code, 0), grids.get(code, 0), cases.get(code, 0),
                          open_cases.get(code, 0)) for code, name in streets]


def _calendar_state(db: Database, now: datetime) -> dict[str, Any]:
    """The lights above stand on these years' calendars: say which lack the holiday notice."""
    from console.data.calendar_admin import unconfirmed_years_in_use
    from console.domain.calendar import unconfirmed_warning

    years = unconfirmed_years_in_use(db, now=now)
    return {"unconfirmed_years": years, "warning": unconfirmed_warning(years)}

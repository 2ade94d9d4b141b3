"""The leader seat's read models (指挥长席): one board of the district's figures, and a scope's open cases.

Everything is read through console.services.figures (one implementation of every figure)
and console.data.queue_and_detail; these functions block on the database, so the seat
calls them on its worker (`SeatController.load_figures`).  Widgets see only the frozen
records defined here.
"""
from __future__ import annotations

from console.domain.workflow import parse_reply_within  # noqa: F401 - the dialogs' and the seat's one parser

from dataclasses import dataclass
from datetime import datetime, timezone

from console.data import queue_and_detail as queries
from console.data.db import Database
from console.domain.clocks import Light, clock_light
from console.domain.evaluation import period_of
from console.services.figures import (
    Comparison, Flags, RankingRow, Supervision, compare, month_flags, overdue_of, ranking, supervisions,
)
from console.services.read_models import CaseRow

PERIODS = ("day", "week", "month")  # 今日 / 本周 / 本月
# The tiles of the seat's top row (screens.md: 上报 立案 结案 按期结案率 超期未结 督办).
TILES = ("reported", "filed", "closed", "on_time_close_rate", "overdue_open", "supervised")
# The department ranking's columns besides score and grade (督办按时回复率 is in the department formula).
DEPARTMENT_COLUMNS = ("close_rate", "on_time_dispose_rate", "rework_rate", "supervise_reply_on_time_rate")
STREET_COLUMNS = ("reported", "on_time_close_rate", "overdue_open")
# 督办 reply deadlines the seat offers (work time), the rules' own 1wd first among equals.


@dataclass(frozen=True)
class LeaderBoard:
    """What the leader seat shows for one period kind at one moment."""

    kind: str  # day | week | month
    at: datetime
    comparison: Comparison
    streets: tuple[RankingRow, ...]
    departments: tuple[RankingRow, ...]
    overdue: tuple[tuple[str, int], ...]  # (department, open overdue cases), most first
    supervisions: tuple[Supervision, ...]
    flags: Flags


def load_board(db: Database, kind: str, now: datetime) -> LeaderBoard:
    """The whole board in one worker job (the leader sees every street: no scope)."""
    comparison = compare(db, kind, now)
    window = comparison.current.window
    month = period_of("month", now)
    flags = month_flags(db, month.period, now=now)
    departments = ranking(db, "department", window)
    return LeaderBoard(
        kind, now, comparison,
        ranking(db, "street", window, flags=flags.of("street")),
        departments,
        overdue_of(departments),  # from the ranking's own counts: one evaluation of the departments, not two
        supervisions(db, now, since=min(window.start, month.start)),  # this month's and every unanswered one
        flags,
    )


@dataclass(frozen=True)
class ScopeCases:
    """The open cases of one street or department (a ranking row opened), red first, then by deadline."""

    scope: str  # street | department
    code: str
    name: str
    rows: tuple[CaseRow, ...]
    lights: tuple[Light | None, ...] = ()  # each row's light at the read (None: no running step clock)


_LIGHT_ORDER = {Light.RED: 0, Light.YELLOW: 1, Light.GREEN: 2, None: 3}
_NEVER = datetime.max.replace(tzinfo=timezone.utc)


def scope_cases(db: Database, scope: str, code: str, name: str = "", *, now: datetime | None = None) -> ScopeCases:
    """Open cases of a street (its code) or a department (its id as text), the worst light first."""
    if scope == "street":
        rows = queries.load_queue(db, scope=code)
    elif scope == "department":
        rows = [r for r in queries.load_queue(db) if str(r.department_id) == code]
    else:
        raise ValueError(f"未知的排名范围 {scope!r} (scope must be street or department)")
    now, thresholds = now or datetime.now(timezone.utc), db.rules().thresholds
    lit = [(clock_light(now, yellow_at=r.yellow_at, red_at=r.red_at, consumed_minutes=r.consumed_minutes,
                        total_minutes=r.total_minutes, thresholds=thresholds) if r.has_clock else None, r)
           for r in rows]
    lit.sort(key=lambda p: (_LIGHT_ORDER[p[0]], p[1].due_at or _NEVER, p[1].id))
    return ScopeCases(scope, code, name, tuple(r for _l, r in lit), tuple(light for light, _r in lit))


__all__ = ["DEPARTMENT_COLUMNS", "LeaderBoard", "PERIODS", "STREET_COLUMNS", "ScopeCases", "TILES",
           "load_board", "parse_reply_within", "scope_cases"]

"""The figures every seat and report shows, as frozen read models (one implementation).

The leader seat, the street seat, the wall, the daily brief and the bulletins all
read their headline figures, rankings, overdue-by-department and flags here; the
counts come from console.data.evaluation (one SQL aggregate per family), the rates,
scores, grades and changes from console.domain.evaluation.  These functions block
on the database: a seat calls them on its worker (`SeatController.load_figures`),
a report on its own thread.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Iterable, Mapping

from console.data.breakdowns import (
    SUPERVISION_STATUSES, OverdueCase, Supervision, by_source, hot_grids, intake_by_hour, issuing_names, overdue_cases,
    supervisions, top_categories,
)
from console.data.db import Database
from console.data.map_layers import MapLayers, map_layers as _map_layers
from console.data.evaluation import evaluate, evaluation_rules
from console.data.roads import score_month
from console.domain.evaluation import (
    COUNTS, RATES, Window, change, derived_counts, format_change, format_rate, period_of, previous_period, rates,
    same_weekday_last_week,
)

# The headline of the hall (screens.md: leader, wall, brief), in the order they are shown.
HEADLINE: tuple[str, ...] = ("reported", "valid_reports", "filed", "dispatched", "closed", "on_time_close_rate",
                             "overdue_open", "returned", "reworked", "urged", "supervised")
# Where fewer go up in the world (an arrow up is bad news for these).
LOWER_IS_BETTER = frozenset({"overdue_open", "returned", "reworked", "rework_rate"})
# Volumes that are neither good nor bad news by themselves (more reports may be better discovery).
NEUTRAL = frozenset({"reported", "valid_reports", "filed", "dispatched", "urged", "supervised"})


def label(figure_id: str) -> str:
    """The figure's Chinese name from evaluation.md (上报数, 按期结案率 ...)."""
    if figure_id in RATES:
        return RATES[figure_id].label
    return COUNTS.get(figure_id, "应结案数" if figure_id == "due_to_close" else figure_id)


def is_rate(figure_id: str) -> bool:
    return figure_id in RATES


@dataclass(frozen=True)
class Headline:
    """One scope's counts and rates over a window (`street` None: the district)."""

    window: Window
    street: str | None
    values: Mapping[str, float | None]

    def value(self, figure_id: str) -> float | None:
        return self.values.get(figure_id)

    def text(self, figure_id: str) -> str:
        value = self.values.get(figure_id)
        return format_rate(value, 1) if is_rate(figure_id) else str(int(value or 0))


@dataclass(frozen=True)
class Comparison:
    """A period against the one before it (today/yesterday, this week/last week ...)."""

    current: Headline
    previous: Headline

    def change(self, figure_id: str) -> float | None:
        return change(self.current.value(figure_id), self.previous.value(figure_id), rate=is_rate(figure_id))

    def change_text(self, figure_id: str) -> str:
        return format_change(self.change(figure_id), rate=is_rate(figure_id))

    def worse(self, figure_id: str) -> bool | None:
        """True when the change is bad news (more overdue, a lower rate); None without a change."""
        value = self.change(figure_id)
        if not value or figure_id in NEUTRAL:
            return None
        return (value > 0) == (figure_id in LOWER_IS_BETTER)


@dataclass(frozen=True)
class RankingRow:
    """One street / department / person of a ranking, best first."""

    rank: int | None  # None: no score (no case in the window)
    scope: str
    code: str
    name: str
    score: float | None
    grade: str | None
    values: Mapping[str, float | None] = field(default_factory=dict)
    flag: str | None = None  # 红旗 / 黑旗 of the month (路长制), streets only

    def text(self, figure_id: str) -> str:
        value = self.values.get(figure_id)
        return format_rate(value, 1) if is_rate(figure_id) else str(int(value or 0))

    @property
    def score_text(self) -> str:
        return "—" if self.score is None else f"{self.score:.1f}"


@dataclass(frozen=True)
class FlagRow:
    """A red or black flag of the month: streets, 二级路长, 路段责任单位 (seed 004)."""

    sequence: str  # street | second | unit
    code: str
    name: str
    flag: str  # red | black
    score: float | None
    rank: int | None


@dataclass(frozen=True)
class Flags:
    month: str
    flags: tuple[FlagRow, ...]
    warnings: tuple[Mapping[str, Any], ...]  # 问责预警: 3 consecutive or 4 black flags in the year

    def of(self, sequence: str) -> dict[str, str]:
        return {f.code: f.flag for f in self.flags if f.sequence == sequence}


def _values(counts: Mapping[str, int]) -> dict[str, float | None]:
    """Every count (0 where none) and every rate (None where no denominator)."""
    return {**dict.fromkeys(COUNTS, 0), **derived_counts(counts), **rates(counts)}


def headline(db: Database, window: Window, *, street: str | None = None) -> Headline:
    """The district's (or one street's) figures over `window`."""
    rows = evaluate(db, "street" if street else "district", window, street=street)
    row = next((r for r in rows if r.code == street), None) if street else (rows[0] if rows else None)
    return Headline(window, street, _values(row.counts if row else {}))


def compare(db: Database, kind: str, now: datetime, *, street: str | None = None) -> Comparison:
    """This day / week / month (kind) so far against the same span of the one before it: today until 10:42
    against yesterday until 10:42, so a morning never reads as a collapse; 超期未结 is counted as it stood at
    each window's end (now, and this time yesterday), never at a midnight still to come."""
    current, before = so_far(kind, now), previous_period(period_of(kind, now))
    previous = Window(before.period, before.start, min(before.end, before.start + (current.end - current.start)))
    return Comparison(headline(db, current, street=street), headline(db, previous, street=street))


def so_far(kind: str, now: datetime) -> Window:
    """This day / week / month until `now`: every live board counts in it, so that 超期未结 is what stands
    now, not what will stand at a midnight still to come (a case due to turn red this evening)."""
    period = period_of(kind, now)
    end = min(now + timedelta(seconds=1), period.end)  # [start, end): what happened at `now` itself counts
    return Window(period.period, period.start, end)


def ranking(db: Database, by: str, window: Window, *, street: str | None = None,
            flags: Mapping[str, str] | None = None) -> tuple[RankingRow, ...]:
    """Every scope of `by` scored and graded by the city's rules, best first; competition ranks (1, 2, 2, 4)."""
    rules = evaluation_rules(db)
    scored = [(row, rules.score(row.scope, row.counts)) for row in evaluate(db, by, window, street=street)]
    scored.sort(key=lambda p: (p[1].score is None, -(p[1].score or 0), p[0].code))
    ranks = _competition_ranks([score.score for _row, score in scored])
    return tuple(RankingRow(rank, row.scope, row.code, row.name, score.score, score.grade, _values(row.counts),
                            (flags or {}).get(row.code)) for rank, (row, score) in zip(ranks, scored))


def _competition_ranks(scores: list[float | None]) -> list[int | None]:
    """1, 2, 2, 4 ... over scores sorted best first; None for no score."""
    out, rank, last = [], 0, None
    for place, score in enumerate(scores, start=1):
        if score is not None and score != last:
            rank, last = place, score
        out.append(rank if score is not None else None)
    return out


def overdue_by_department(db: Database, window: Window, *, street: str | None = None) -> tuple[tuple[str, int], ...]:
    """(department name, open overdue cases at the window's end), most first; departments without any left out."""
    return overdue_of(ranking(db, "department", window, street=street))


def overdue_of(departments: Iterable[RankingRow]) -> tuple[tuple[str, int], ...]:
    """The overdue list of a department ranking already read (the leader's board reads the month once)."""
    pairs = [(r.name, int(r.values.get("overdue_open") or 0)) for r in departments]
    return tuple(sorted((p for p in pairs if p[1]), key=lambda p: (-p[1], p[0])))


def month_flags(db: Database, month: str, *, now: datetime | None = None) -> Flags:
    """The month's red and black flags, computed from the month's scores (not recorded: a seat only reads)."""
    return _flags_of(month, score_month(db, month, now=now, record=False))


def _flags_of(month: str, scores: Any) -> Flags:
    rows = [FlagRow(seq, r.code, r.name, r.flag, r.score, r.rank)
            for table, seq in (("streets", "street"), ("second_chiefs", "second"), ("units", "unit"))
            for r in scores.tables.get(table, ()) if r.flag]
    return Flags(month, tuple(rows), tuple(scores.accountability))


# The breakdowns (console.data.breakdowns) are re-exported for the widgets and reports, which see read models
# through the services only: intake_by_hour, by_source, top_categories, hot_grids, overdue_cases, supervisions.


def intake_by_hour_usual(db: Database, day: Window, *, weeks: int = 4,
                         street: str | None = None) -> tuple[float, ...]:
    """The usual intake of each local hour for this weekday: the mean of the same weekday over the `weeks`
    weeks before `day` (the wall's and the brief's "平均日" line under today's bars)."""
    totals, window = [0] * 24, day
    for _ in range(weeks):
        window = same_weekday_last_week(window)
        totals = [a + b for a, b in zip(totals, intake_by_hour(db, window, street=street))]
    return tuple(t / weeks for t in totals) if weeks else tuple(0.0 for _ in totals)


__all__ = ["HEADLINE", "LOWER_IS_BETTER", "Comparison", "Flags", "FlagRow", "Headline", "OverdueCase", "RankingRow",
           "by_source", "compare", "headline", "hot_grids", "intake_by_hour", "intake_by_hour_usual", "is_rate", "label", "month_flags",
           "overdue_by_department", "overdue_cases", "overdue_of", "ranking", "so_far", "top_categories", "SUPERVISION_STATUSES",
           "Supervision", "supervisions"]


# --- what the printed reports need besides the figures (issue 12): read models, no SQL here -------------

@dataclass(frozen=True)
class Issuer:
    """Who issues a report: the district's 数字城管监督指挥中心, and the street names by code."""

    district: str
    streets: Mapping[str, str]

    @property
    def centre(self) -> str:
        return f"{self.district}数字城管监督指挥中心"


def issuer(db: Database) -> Issuer:
    district, streets = issuing_names(db)
    return Issuer(district, streets)


def work_days_overdue(db: Database, red_at: datetime, at: datetime) -> float:
    """Work days from `red_at` to `at` on the city's calendar (schedule, holidays, local overrides)."""
    calendar = db.rules().calendar
    if at <= red_at:
        return 0.0
    return calendar.work_minutes_between(red_at, at) / calendar.minutes_per_day


def district_map(db: Database, street: str | None = None, day: Any = None) -> MapLayers:
    """The streets, communities and unit grids a report draws (the same read model as the seat's map)."""
    return _map_layers(db, street, day)


@dataclass(frozen=True)
class RoadMonth:
    """One month of 路长制: every segment ranked by its score (best first) and the month's flags."""

    month: str
    segments: tuple[RankingRow, ...]
    flags: Flags


def road_month(db: Database, month: str, *, now: datetime | None = None, street: str | None = None) -> RoadMonth:
    """Segments ranked (competition ranks) and the red/black flags, from one scoring of `month` (not recorded)."""
    scores = score_month(db, month, now=now, record=False)
    rows = [r for r in scores.tables.get("segments", ()) if not street or r.details.get("street_code") == street]
    rows.sort(key=lambda r: (r.score is None, -(r.score or 0), r.code))
    ranked = tuple(RankingRow(rank, "segment", r.code, r.name, r.score, r.grade,
                              {k: v for k, v in r.details.items() if isinstance(v, (int, float))})
                   for rank, r in zip(_competition_ranks([r.score for r in rows]), rows))
    return RoadMonth(month, ranked, _flags_of(month, scores))


__all__ += ["Issuer", "MapLayers", "RoadMonth", "district_map", "issuer", "road_month", "work_days_overdue"]

"""What the daily brief (日报) and the bulletins (周报 / 月报) say, gathered from the shared figures.

Every number comes from console.services.figures (one implementation for the wall, the seats,
the brief and the exports); this module only chooses and orders them.  It blocks on the
database: the CLI calls it directly, the 报表 menu on the seat's worker.
"""
from __future__ import annotations

import dataclasses
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from typing import Any, Callable

from console.domain.evaluation import (
    SHANGHAI, EvaluationError, Window, format_change, parse_period, previous_period, same_weekday_last_week,
)
from console.domain.sources import SOURCE_LABELS
from console.reports.model import Chart, Heading, HeatMap, Note, Report, Table
from console.services import figures as f

DEPARTMENT_FIGURES = ("dispatched", "closed", "due_to_close", "close_rate", "on_time_dispose_rate", "rework_rate",
                      "overdue_open")
REGION_FIGURES = ("reported", "closed", "due_to_close", "close_rate", "on_time_close_rate", "overdue_open")
SEQUENCES = {"street": "街道总路长", "second": "二级路长", "unit": "路段责任单位"}
FLAG_WORDS = {"red": "红旗", "black": "黑旗"}
WORST_GRIDS = 10
READ_THREADS = 3  # the reads of one report that may overlap (the hall's database serves the seats too)


class ReportError(ValueError):
    """Bad input for a report (date, period, street); the message names what was wrong."""


def _window(text: str, kind: str, option: str) -> Window:
    try:
        window = parse_period(text)
    except EvaluationError as exc:
        raise ReportError(f"{option}: {exc}") from None
    if _kind_of(window) != kind:
        wanted = {"day": "2026-11-30", "week": "2026-W48", "month": "2026-11"}[kind]
        raise ReportError(f"{option}: {text!r} 不是{ {'day': '日期', 'week': '周', 'month': '月份'}[kind] }，"
                          f"应写作 {wanted} ({option} expects a {kind} like {wanted})")
    return window


def _kind_of(window: Window) -> str:
    days = (window.end - window.start).days
    return "day" if days == 1 else "week" if days == 7 and "W" in window.period else "month"


def _street(issuer: f.Issuer, street: str | None) -> str | None:
    if street is None:
        return None
    if street not in issuer.streets:
        raise ReportError(f"--street: 未知的街道代码 {street!r} (unknown street code; the district has "
                          f"{', '.join(sorted(issuer.streets)[:6])}{' …' if len(issuer.streets) > 6 else ''})")
    return issuer.streets[street]


def _concurrently(calls: dict[str, Callable[[], Any]]) -> dict[str, Any]:
    """Run independent figure reads on a few threads (each opens its own session); the first error is raised."""
    with ThreadPoolExecutor(max_workers=READ_THREADS, thread_name_prefix="report-read") as pool:
        jobs = {name: pool.submit(call) for name, call in calls.items()}
        return {name: job.result() for name, job in jobs.items()}


def _now(now: datetime | None) -> datetime:
    return (now or datetime.now(timezone.utc)).astimezone(SHANGHAI)


# --- tables shared by the brief and the bulletins ----------------------------------------------------------

def headline_table(title: str, name: str, current: f.Headline, others: list[tuple[str, f.Headline]]) -> Table:
    """The headline figures of `current` beside each other period, and the change against each."""
    columns = ("指标", name, *(name for name, _h in others), *(f"较{name}" for name, _h in others))
    kinds = ("text", "mixed", *("mixed" for _ in others), *("change" for _ in others))
    rows = []
    for fid in f.HEADLINE:
        kind = "rate" if f.is_rate(fid) else "count"
        changes = [format_change(f.Comparison(current, h).change(fid), rate=f.is_rate(fid)) for _n, h in others]
        rows.append((f.label(fid), (kind, current.value(fid)), *((kind, h.value(fid)) for _n, h in others), *changes))
    return Table(title, "指标", columns, kinds, tuple(rows))


def source_table(counts: dict[str, int]) -> Table:
    total = sum(counts.values())
    rows = tuple((SOURCE_LABELS.get(code, code), n, n / total if total else None)
                 for code, n in sorted(counts.items(), key=lambda p: (-p[1], p[0])))
    return Table("案件来源", "来源", ("来源", "上报数", "占比"), ("text", "count", "rate"),
                 rows + (("合计", total, 1.0 if total else None),))


def ranking_table(title: str, sheet: str, rows: tuple[f.RankingRow, ...], figures: tuple[str, ...],
                  what: str, flags: bool = False) -> Table:
    columns = ("名次", what, *(f.label(x) for x in figures), "得分", "等级", *(("旗",) if flags else ()))
    kinds = ("count", "text", *("rate" if f.is_rate(x) else "count" for x in figures), "score", "text",
             *(("text",) if flags else ()))
    body = tuple((r.rank, r.name, *(r.values.get(x) for x in figures), r.score, r.grade or "—",
                  *((FLAG_WORDS.get(r.flag or "", ""),) if flags else ())) for r in rows)
    return Table(title, sheet, columns, kinds, body)


def flags_tables(flags: f.Flags, whole: str = "") -> list[Any]:
    """The month's red/black flags and accountability warnings; `whole` says they are the district's
    (a street's brief shows the district's flags: 路长制 ranks every street together)."""
    order = {seq: i for i, seq in enumerate(SEQUENCES)}
    ordered = sorted(flags.flags, key=lambda x: (order.get(x.sequence, len(order)), x.flag != "red", x.rank or 0))
    rows = tuple((SEQUENCES.get(x.sequence, x.sequence), x.name, FLAG_WORDS.get(x.flag, x.flag), x.rank, x.score)
                 for x in ordered)
    out: list[Any] = [Table(f"路长制红黑旗（{whole}{flags.month}）", "红黑旗", ("序列", "名称", "旗", "名次", "得分"),
                            ("text", "text", "text", "count", "score"), rows, empty="本月无红黑旗")]
    warnings = tuple((SEQUENCES.get(w["sequence"], w["sequence"]), w["name"], "、".join(w["black_months"]), w["reason"])
                     for w in flags.warnings)
    title = f"问责预警（{whole.strip()}）" if whole else "问责预警"
    out.append(Table(title, "问责预警", ("序列", "名称", "黑旗月份", "原因"), ("text", "text", "text", "text"),
                     warnings, empty="无问责预警"))
    return out


# --- the daily brief ---------------------------------------------------------------------------------

def brief(db: Any, day: str, *, street: str | None = None, now: datetime | None = None) -> Report:
    """The day's brief of the district (or of one street): screens.md "Daily brief"."""
    window = _window(day, "day", "--date")
    issuer = f.issuer(db)
    street_name = _street(issuer, street)
    at = window.end  # the brief's moment: the day's end (the headline's overdue figure is counted there too)
    got = _concurrently({  # independent reads, the slow ones first: they overlap on the database's threads
        "flags": lambda: f.month_flags(db, window.period[:7], now=at),
        "departments": lambda: f.ranking(db, "department", window, street=street),
        "today": lambda: f.headline(db, window, street=street),
        "yesterday": lambda: f.headline(db, previous_period(window), street=street),
        "last_week": lambda: f.headline(db, same_weekday_last_week(window), street=street),
        "overdue": lambda: f.overdue_cases(db, at, street=street),
        "heat": lambda: f.hot_grids(db, window, street=street, limit=None),
        "map": lambda: f.district_map(db, street, window.start.date()),
    })
    today, yesterday, last_week = got["today"], got["yesterday"], got["last_week"]
    departments, overdue, flags = got["departments"], got["overdue"], got["flags"]
    heat = {code: n for code, _street_name, n in got["heat"]}
    hours = f.intake_by_hour(db, window, street=street)
    categories = f.top_categories(db, window, street=street)
    hot = f.hot_grids(db, window, street=street)
    scope = street_name or issuer.district
    blocks: list[Any] = [
        headline_table("主要指标", "当日", today, [("前一日", yesterday), ("上周同日", last_week)]),
        source_table(f.by_source(db, window, street=street)),
        HeatMap(f"{scope}单元网格案件热力（当日上报）", got["map"], heat),
        Heading("受理与高发", new_page=True),
        Chart("分时段上报（当日）", "分时段", tuple(f"{h:02d}" for h in range(24)), hours, "小时"),
        Chart("高发问题类别", "高发类别", tuple(name for _c, name, _n in categories),
              tuple(n for _c, _name, n in categories), "类别", horizontal=True),
        Table("高发问题类别", "高发类别表", ("名次", "类别代码", "类别", "上报数"), ("count", "text", "text", "count"),
              tuple((i, code, name, n) for i, (code, name, n) in enumerate(categories, start=1))),
        Table("高发网格", "高发网格", ("名次", "单元网格", "街道", "上报数"), ("count", "text", "text", "count"),
              tuple((i, code, name, n) for i, (code, name, n) in enumerate(hot, start=1))),
        Heading("部门与超期", new_page=True),
        ranking_table("专业部门考核（当日）", "部门", departments, DEPARTMENT_FIGURES, "部门"),
        Table(f"超期未结案件（{len(overdue)} 件，截至当日 24:00）", "超期案件",
              ("案件号", "类别", "街道", "处置部门", "地址", "超期工作日"), ("text",) * 5 + ("days",),
              tuple((c.number, c.category, c.street, c.department, c.address, f.work_days_overdue(db, c.red_at, at))
                    for c in overdue), empty="无超期未结案件"),
        *flags_tables(flags, "全区 " if street else ""),
    ]
    title = f"{street_name}数字城管日报" if street_name else "数字城管日报"
    return Report("brief", title, window.period, issuer.centre, _now(now), tuple(blocks))


# --- the bulletins ----------------------------------------------------------------------------------

def bulletin(db: Any, *, week: str | None = None, month: str | None = None, now: datetime | None = None) -> Report:
    """The week's or month's bulletin (通报): figures against the previous period, rankings, flags, worst grids."""
    if (week is None) == (month is None):
        raise ReportError("bulletin 需要 --week 或 --month 之一 (bulletin needs exactly one of --week, --month)")
    window = _window(week, "week", "--week") if week else _window(month or "", "month", "--month")
    issuer = f.issuer(db)
    road_month = window.period if month else _local_month(window)
    got = _concurrently({
        "roads": lambda: f.road_month(db, road_month, now=min(window.end, _now(now))),
        "grids": lambda: f.ranking(db, "grid", window),
        "departments": lambda: f.ranking(db, "department", window),
        "streets": lambda: f.ranking(db, "street", window),
        "current": lambda: f.headline(db, window),
        "previous": lambda: f.headline(db, previous_period(window)),
    })
    current, previous, roads, departments = got["current"], got["previous"], got["roads"], got["departments"]
    flag_of_street = roads.flags.of("street")
    streets = tuple(dataclasses.replace(r, flag=flag_of_street.get(r.code)) for r in got["streets"])
    grids = [r for r in got["grids"] if r.score is not None][-WORST_GRIDS:][::-1]
    name = "周报" if week else "月报"
    blocks: list[Any] = [
        Note(f"{issuer.district} · {window.period}（{_span(window)}）"),
        headline_table("主要指标", "本期", current, [("上期", previous)]),
        ranking_table("街道考核排名", "街道排名", streets, REGION_FIGURES, "街道", flags=True),
        ranking_table("专业部门考核排名", "部门排名", departments, DEPARTMENT_FIGURES, "部门"),
        Heading(f"路长制（{road_month}）", new_page=True),
        Table(f"路段得分排名（{road_month}）", "路段排名", ("名次", "路段", "得分", "等级"),
              ("count", "text", "score", "text"),
              tuple((r.rank, r.name, r.score, r.grade or "—") for r in roads.segments)),
        *flags_tables(roads.flags),
        ranking_table(f"考核得分最低的 {WORST_GRIDS} 个单元网格", "后进网格", tuple(grids), REGION_FIGURES, "单元网格"),
    ]
    return Report("bulletin", f"数字城管{name}", window.period, issuer.centre, _now(now), tuple(blocks))


def _local_month(window: Window) -> str:
    last_day = (window.end.astimezone(SHANGHAI)).date().toordinal() - 1
    from datetime import date

    d = date.fromordinal(last_day)
    return f"{d.year:04d}-{d.month:02d}"


def _span(window: Window) -> str:
    from datetime import timedelta

    last = (window.end - timedelta(days=1)).date()
    return f"{window.start.date().isoformat()} 至 {last.isoformat()}"

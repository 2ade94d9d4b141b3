"""The seats' and reports' figures (console.services.figures) on both backends: the headline equals an
independent count, comparisons take the period before, rankings are best first with competition ranks,
and the month's flags and warnings read without writing the history."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from console.data import models as m
from console.data.evaluation import evaluation_rules
from console.data.roads import flag_history
from console.domain.evaluation import parse_period
from console.services.figures import (
    HEADLINE, compare, headline, label, month_flags, overdue_by_department, ranking,
)
from tests.data import test_evaluation as month
from tests.data import test_roads as roads

SH = month.SH


def test_the_headline_is_the_independent_count_of_the_district_and_of_a_street(db):
    month.build_month(db)
    window = parse_period("2026-W48")
    expected = month.independent_counts(db, window, lambda c: "all")["all"]
    got = headline(db, window)
    for figure in ("reported", "valid_reports", "filed", "dispatched", "closed", "returned", "reworked",
                   "overdue_open", "closed_on_time"):
        assert got.value(figure) == expected.get(figure, 0), figure
    due = expected["closed"] + expected["overdue_open"]
    assert got.value("on_time_close_rate") == pytest.approx(expected["closed_on_time"] / due)
    street = month.independent_counts(db, window, lambda c: c.street_code)
    west = headline(db, window, street="350402002")
    assert west.value("reported") == street.get("350402002", {}).get("reported", 0)
    assert headline(db, window, street=month.STREET).value("reported") == street[month.STREET]["reported"]


def test_a_period_is_compared_with_the_one_before(db):
    month.build_month(db)
    now = datetime(2026, 11, 24, 15, 0, tzinfo=SH)  # Tuesday of W48
    day = compare(db, "day", now)
    assert (day.current.window.period, day.previous.window.period) == ("2026-11-24", "2026-11-23")
    # so far against the same span: Tuesday until 15:00 against Monday until 15:00
    span = timedelta(seconds=1)  # [start, now] as [start, now + 1 s)
    assert day.current.window.end == now + span and day.previous.window.end == now - timedelta(days=1) + span
    with db.read() as s:
        def reported(w):
            return s.scalar(select(func.count()).select_from(m.Case).where(
                m.Case.created_at >= w.start, m.Case.created_at < w.end))
        assert day.current.value("reported") == reported(day.current.window)
        assert day.previous.value("reported") == reported(day.previous.window)
    week = compare(db, "week", now)
    assert week.previous.window.period == "2026-W47" and week.previous.value("reported") == 0
    assert week.change_text("reported") == "—"  # nothing the week before: no base, never +100 %
    assert compare(db, "month", now).previous.window.period == "2026-10"
    monday, tuesday = day.previous.value("reported"), day.current.value("reported")
    assert day.change("reported") == pytest.approx((tuesday - monday) / monday)


def test_rankings_are_best_first_with_grades_of_the_rules(db):
    month.build_month(db)
    rows = ranking(db, "street", parse_period("2026-11"))
    rules = evaluation_rules(db)
    scored = [r for r in rows if r.score is not None]
    assert scored and [r.score for r in scored] == sorted((r.score for r in scored), reverse=True)
    assert all(r.grade == rules.grade(r.score) for r in scored)
    assert [r.rank for r in scored][0] == 1 and all(r.rank is None for r in rows if r.score is None)
    assert rows[0].name.endswith("街道")


def test_overdue_by_department_names_each_department_with_open_overdue_cases(db):
    month.build_month(db)
    window = parse_period("2026-11")
    got = overdue_by_department(db, window)
    expected = month.independent_counts(db, window, lambda c: c.department_id)
    with db.read() as s:
        names = dict(s.execute(select(m.Department.id, m.Department.name)).all())
    assert got == tuple(sorted(((names[int(k)], v["overdue_open"]) for k, v in expected.items()
                                if k != "None" and v.get("overdue_open")), key=lambda p: (-p[1], p[0])))
    assert got  # the hand-built month leaves one case overdue


def test_the_leaders_board_evaluates_the_departments_once_and_lists_the_same_overdue(db, monkeypatch):
    from console.services import figures, leader

    month.build_month(db)
    now = datetime(2026, 11, 30, 18, tzinfo=SH)  # the month so far holds the hand-built week
    window = leader.compare(db, "month", now).current.window
    expected = overdue_by_department(db, window)
    calls = []
    real = figures.evaluate
    monkeypatch.setattr(figures, "evaluate", lambda db_, by, w, **kw: calls.append(by) or real(db_, by, w, **kw))
    board = leader.load_board(db, "month", now)
    assert board.overdue == expected and board.overdue
    assert calls.count("department") == 1


def test_the_months_flags_and_warnings_are_read_without_writing_the_history(db):
    roads.build_month(db)
    with db.write() as s:
        for period in ("2026-09", "2026-10"):
            s.add(m.RoadFlag(month=period, sequence="street", subject=roads.STREET, name="列东街道", flag="black",
                             score=80, rank=2, recorded_at=roads.AFTER))
    flags = month_flags(db, "2026-11", now=roads.AFTER)
    assert [f for f in flag_history(db) if f["month"] == "2026-11"] == []  # a seat reads: nothing recorded
    from console.data.roads import score_month
    scored = score_month(db, "2026-11", now=roads.AFTER)  # recording gives the same flags and warnings
    recorded = sorted((r.code, r.flag) for t in ("streets", "second_chiefs", "units") for r in scored.tables[t] if r.flag)
    assert sorted((f.code, f.flag) for f in flags.flags) == recorded
    assert [w["code"] for w in flags.warnings] == [w["code"] for w in scored.accountability]
    assert roads.STREET in flags.of("street") or flags.of("street") == {}


def test_every_headline_figure_has_its_chinese_name():
    assert [label(f) for f in HEADLINE][:3] == ["上报数", "有效上报数", "立案数"]
    assert label("on_time_close_rate") == "按期结案率"


def test_the_breakdowns_equal_counts_over_plain_rows(db):
    from collections import Counter

    from console.services.figures import by_source, hot_grids, intake_by_hour, overdue_cases, top_categories

    month.build_month(db)
    window = parse_period("2026-11")
    with db.read() as s:
        cases = [c for c in s.scalars(select(m.Case)) if window.start <= c.created_at < window.end]
    local = [c.created_at.astimezone(SH) for c in cases]
    assert intake_by_hour(db, window) == tuple(Counter(t.hour for t in local).get(h, 0) for h in range(24))
    assert by_source(db, window) == dict(Counter(c.source for c in cases))
    assert [(code, n) for code, _, n in top_categories(db, window)] == [("06010", len(cases))]
    assert top_categories(db, window)[0][1]  # the category's name, not its code
    assert sum(n for *_, n in hot_grids(db, window)) == len(cases)
    assert intake_by_hour(db, window, street="350402002") == (0,) * 24
    end = window.end
    overdue = overdue_cases(db, end)
    assert len(overdue) == headline(db, window).value("overdue_open") == 1
    assert overdue[0].department and overdue[0].red_at < end
    assert overdue_cases(db, end, street="350402002") == ()


def test_a_volume_is_neither_good_nor_bad_news_but_overdue_and_rates_are(db):
    month.build_month(db)
    now = datetime(2026, 11, 24, 15, 0, tzinfo=SH)
    day = compare(db, "day", now)
    assert day.change("reported") is not None and day.worse("reported") is None
    overdue = day.change("overdue_open")
    assert day.worse("overdue_open") is (None if not overdue else overdue > 0)

"""The wall's one board read on both backends: the hall's figures, the usual day, the throttle."""
from __future__ import annotations

import dataclasses
from datetime import timedelta

from console.data.commands import report_case
from console.data.map_layers import grid_case_counts, open_case_markers
from console.domain.evaluation import period_of
from console.services.figures import compare, intake_by_hour_usual, overdue_cases
from console.services.wall import ThrottledRead, WallBoard, read_board
from tests.data.test_commands import GARBAGE
from tests.widgets.test_map_view import INSPECTOR, NOW, seed_cases_and_cameras

SH_HOUR = NOW.hour  # NOW is written in Asia/Shanghai: its local hour


def _report(db, at) -> None:  # noqa: ANN001
    report_case(db, INSPECTOR, source="inspector", lon=117.605, lat=26.265, category_code=GARBAGE,
                description="路边暴露垃圾", address="列东街", at=at)


def test_the_usual_day_is_the_mean_of_the_same_weekday_over_four_weeks(db):
    for weeks, n in ((1, 3), (2, 1), (4, 4), (5, 8)):  # the fifth week back is not one of the four
        for _ in range(n):
            _report(db, NOW - timedelta(weeks=weeks))
    _report(db, NOW - timedelta(days=1))  # yesterday: another weekday
    usual = intake_by_hour_usual(db, period_of("day", NOW))
    assert len(usual) == 24 and usual[SH_HOUR] == (3 + 1 + 0 + 4) / 4
    assert sum(usual) == usual[SH_HOUR]


def test_the_board_is_the_halls_figures_and_carries_no_caller_field(db):
    seed_cases_and_cameras(db)
    board = read_board(db, NOW)
    assert board.today == compare(db, "day", NOW)
    assert list(board.markers) == open_case_markers(db, now=NOW)
    assert board.heat == grid_case_counts(db, "open", now=NOW)
    assert board.overdue == tuple(sorted(overdue_cases(db, NOW), key=lambda c: c.red_at, reverse=True))
    assert board.hours[SH_HOUR] == sum(board.hours) == 4  # the four reports of 09:00-09:30
    names = {f.name for f in dataclasses.fields(WallBoard)}
    assert not {n for n in names if "caller" in n or "phone" in n}


def test_throttle_asks_once_for_a_burst_and_once_more_after(qtbot):
    throttle = ThrottledRead(100, periodic_ms=3_600_000)
    asked: list[int] = []
    throttle.sig_read.connect(lambda: asked.append(1))
    throttle.start()
    assert asked == [1] and throttle.in_flight
    for _ in range(100):
        throttle.request()  # changes while the first read is in flight
    throttle.done()
    assert asked == [1]  # not at once: after the interval
    qtbot.waitUntil(lambda: len(asked) == 2, timeout=2000)
    throttle.done()
    for _ in range(100):
        throttle.request()
    qtbot.waitUntil(lambda: len(asked) == 3, timeout=2000)
    throttle.done()
    assert not throttle.dirty
    throttle.stop()


def test_overdue_by_department_adds_up_to_the_tile_even_before_an_evening_red(db):
    """A case due to turn red this evening is not overdue yet: not on the tile, not on the department chart."""
    from console.data import models as m
    from tests.data.test_commands import to_disposing

    number, _version = to_disposing(db)  # dispatched at T0 + 15 min
    with db.read() as s:
        red_at = s.query(m.CaseStepClock.red_at).join(m.Case, m.Case.id == m.CaseStepClock.case_id).filter(
            m.Case.number == number, m.CaseStepClock.step == "dispose").scalar()
    day = period_of("day", NOW)
    assert NOW < red_at < day.end  # red later today: the day's end would already count it
    for at, overdue in ((NOW, 0), (red_at + timedelta(minutes=1), 1)):
        board = read_board(db, at)
        assert board.today.current.value("overdue_open") == overdue
        assert sum(n for _name, n in board.overdue_departments) == overdue

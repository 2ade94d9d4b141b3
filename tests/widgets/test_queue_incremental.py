"""The queue model's incremental order: deltas and time keep exactly the order of a full sort.

A model that applied deltas (changes, new cases, removals) must show the same rows in the
same order as a fresh model given the final rows, for every sortable column, both orders,
with ties and missing values; time (refresh_lights) likewise, across the evening when
natural-time and work-time clocks drift apart.  A delta of one case computes O(1) keys.
"""
from __future__ import annotations

import dataclasses
import random
from datetime import datetime, timedelta

import pytest
from PySide6.QtCore import Qt

from console.data.queue_and_detail import CaseRow
from console.domain.calendar import default_calendar
from console.domain.clocks import remaining_minutes
from console.widgets.queue_model import HEADERS, CaseQueueModel, Column

from tests.widgets.test_queue_model import NOW, make_row

ORDERS = (Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder)
EVENING = NOW.replace(hour=19, minute=10)  # work clocks stand still, natural ones run on


def natural_row(case_id: int, *, started_min_ago: float, total: int, **fields) -> CaseRow:
    """A running natural-time (4h-like) clock started `started_min_ago` minutes before NOW."""
    start = NOW - timedelta(minutes=started_min_ago)
    return dataclasses.replace(
        make_row(case_id, **fields), limit=f"{total}min", total_minutes=total,
        yellow_at=start + timedelta(minutes=total * 0.8), red_at=start + timedelta(minutes=total, microseconds=1),
        due_at=start + timedelta(minutes=total))


def population(seed: int, ids: range) -> list[CaseRow]:
    """Rows drawn from small pools: many ties on every column, some values missing."""
    rng = random.Random(seed)
    rows = []
    for case_id in ids:
        kind = rng.choice(("work", "work", "natural", "paused", "none"))
        common = dict(
            state=rng.choice(("reported", "disposing", "to_check", "hung")),
            street=rng.choice(("350402001", "350402002")), community=rng.choice((1, 2)), grid=rng.choice((1, 2)),
            category=rng.choice((("06010", "暴露垃圾"), ("01010", "上水井盖"))),
            source=rng.choice(("inspector", "hotline", "video")),
            department=rng.choice(((2, "环卫处"), (1, "市政公用事业服务中心"), None)),
            created=NOW - timedelta(hours=rng.choice((1, 2, 3))), address=rng.choice(("列东街 1 号", "列西路 8 号")))
        started, total = rng.choice((5, 25, 40, 100, 230)), rng.choice((30, 240))
        if kind == "natural":
            row = natural_row(case_id, started_min_ago=started, total=total, **common)
        elif kind == "paused":
            row = make_row(case_id, paused=True, consumed=rng.choice((10.0, 200.0)), total=total, **common)
        else:
            row = make_row(case_id, started_min_ago=started, total=total, limit=f"{total}wmin", **common)
            if kind == "none":  # no clock: no light, no remaining time
                row = dataclasses.replace(row, step=None, limit=None, total_minutes=None, yellow_at=None,
                                          red_at=None, due_at=None)
        if rng.random() < 0.2:
            row = dataclasses.replace(row, category_name=None, category_code=None, grid_code=None)
        rows.append(row)
    return rows


def fresh(rows: list[CaseRow], column: int, order: Qt.SortOrder, *, now: datetime = NOW,
          stage: str = "all") -> CaseQueueModel:
    model = CaseQueueModel(calendar=default_calendar(), now=now)
    model.sort(column, order)
    model.set_stage(stage)
    model.reset_rows(rows)
    return model


def assert_consistent(model: CaseQueueModel) -> None:
    shown = model.visible_ids()
    assert [model.row_for_id(case_id) for case_id in shown] == list(range(len(shown)))
    assert [model.case_at(i).id for i in range(model.rowCount())] == shown


@pytest.mark.parametrize("order", ORDERS, ids=("asc", "desc"))
@pytest.mark.parametrize("column", range(len(HEADERS)), ids=[f"col{c}" for c in range(len(HEADERS))])
@pytest.mark.parametrize("stage", ("all", "disposing"))
def test_deltas_keep_the_order_of_a_full_sort(qtbot, column, order, stage):
    rows = {r.id: r for r in population(column * 10 + order.value, range(1, 61))}
    model = fresh(list(rows.values()), column, order, stage=stage)
    rng = random.Random(column)
    later = population(column + 100, range(1, 91))  # new values for old ids, and 30 new cases
    for step in range(6):
        changed = rng.sample(later, 12)
        gone = rng.sample(sorted(rows), 3)
        model.apply_rows(changed)
        model.remove_ids(gone)
        rows.update({r.id: r for r in changed})
        for case_id in gone:
            rows.pop(case_id, None)
        assert_consistent(model)
        reference = fresh(list(rows.values()), column, order, stage=stage)
        assert model.visible_ids() == reference.visible_ids(), f"step {step}"
        assert model.tab_counts() == reference.tab_counts()


@pytest.mark.parametrize("order", ORDERS, ids=("asc", "desc"))
@pytest.mark.parametrize("column", (Column.LIGHT, Column.REMAINING), ids=("light", "remaining"))
def test_time_keeps_the_order_of_a_full_sort(qtbot, column, order):
    rows = population(7, range(1, 81))
    model = fresh(rows, column, order)
    for now in (NOW + timedelta(minutes=3), NOW + timedelta(hours=2), EVENING, EVENING + timedelta(days=1),
                NOW + timedelta(minutes=30)):  # the last one goes back in time
        model.refresh_lights(now)
        assert_consistent(model)
        assert model.visible_ids() == fresh(rows, column, order, now=now).visible_ids(), now


def test_a_delta_between_ticks_moves_only_changed_lights_and_the_tick_makes_it_exact(qtbot):
    rows = population(11, range(1, 81))
    model = fresh(rows, Column.LIGHT, Qt.SortOrder.DescendingOrder)
    moved = []
    model.layoutChanged.connect(lambda *_: moved.append("layout"))
    model.refresh_lights(EVENING, resort=False)  # a delta: no layout change, rows whose light changed move
    assert moved == []
    assert_consistent(model)
    model.refresh_lights(EVENING)  # the tick at the same moment re-keys everything
    assert model.visible_ids() == fresh(rows, Column.LIGHT, Qt.SortOrder.DescendingOrder, now=EVENING).visible_ids()


def test_remaining_time_agrees_with_the_clocks_to_the_microsecond(qtbot):
    rows = population(3, range(1, 61))
    calendar = default_calendar()
    model = fresh(rows, Column.NUMBER, Qt.SortOrder.AscendingOrder)
    for now in (NOW, NOW.replace(hour=12, minute=15), EVENING, NOW + timedelta(days=5, hours=3),  # lunch, Saturday
                NOW - timedelta(days=2)):
        model.refresh_lights(now)
        for row in rows:
            expected = remaining_minutes(now, calendar, limit=row.limit, total_minutes=row.total_minutes,
                                         consumed_minutes=row.consumed_minutes, due_at=row.due_at)
            assert model.remaining_of(row.id) == expected, (row.id, now)


def test_rows_prepared_on_the_worker_equal_a_reset_here_and_stale_ones_are_redone(qtbot):
    rows = population(5, range(1, 61))
    model = CaseQueueModel(calendar=default_calendar(), now=NOW)
    model.sort(Column.REMAINING, Qt.SortOrder.AscendingOrder)
    model.reset_rows(model.preparer()(rows))
    assert model.visible_ids() == fresh(rows, Column.REMAINING, Qt.SortOrder.AscendingOrder).visible_ids()
    prepared = model.preparer()(rows)
    model.sort(Column.ADDRESS, Qt.SortOrder.DescendingOrder)  # the sort changed while the worker prepared
    model.set_stage("reported")
    model.reset_rows(prepared)
    assert model.visible_ids() == fresh(rows, Column.ADDRESS, Qt.SortOrder.DescendingOrder,
                                        stage="reported").visible_ids()
    assert_consistent(model)


def test_one_changed_case_computes_a_couple_of_keys_in_a_big_queue(qtbot):
    rows = population(13, range(1, 3001))
    model = fresh(rows, Column.LIGHT, Qt.SortOrder.DescendingOrder)
    keyed, lit, wholesale = [], [], []
    key, light = model._key, model._light
    model._key = lambda case_id: keyed.append(case_id) or key(case_id)  # noqa: SLF001 - counting its work
    model._light = lambda row: lit.append(row.id) or light(row)  # noqa: SLF001
    for signal in (model.layoutChanged, model.modelReset):
        signal.connect(lambda *_: wholesale.append(True))
    model.apply_rows([dataclasses.replace(rows[1500], address="列东街 9 号"),
                      make_row(5000, started_min_ago=1, limit="30wmin", total=30)])
    assert len(keyed) == 2 and len(lit) == 2 and not wholesale
    keyed.clear()
    lit.clear()
    later = NOW + timedelta(seconds=90)
    model.refresh_lights(later, resort=False)  # a delta's refresh between ticks
    passed = {r.id for r in rows if r.yellow_at and any(NOW < m <= later for m in (r.yellow_at, r.red_at))}
    assert set(lit) == passed and not wholesale  # only the cases whose mark passed meanwhile
    assert_consistent(model)

"""Benchmark: single-case changes to the case queue, deltas vs model resets.

A `CaseQueueModel` holding `n_rows` open cases, sorted by 上报时间 and shown in
a QTableView (offscreen), receives `changes` single-case changes (state moves,
re-dispatches, new deadlines).  Two ways, same data, same process:

delta: `apply_rows([row])` per change (dataChanged / move / insert / remove);
reset: `reset_rows(all rows)` per change (what a "reload on every change" UI
       does); timed over `reset_samples` changes and reported per change.

Also timed: one full reset with the final data.  Both arms run twice: with
`processEvents()` after each change (the view repaints: on an offscreen
1400x700 view a repaint costs a few ms and dominates the delta arm), and
without (the model's own work).  Both arms must end with the same visible rows.

Run: ``python -m console.bench.bench_queue`` (prints one JSON line).
"""
from __future__ import annotations

import dataclasses
import json
import os
import random
import time
from datetime import datetime, timedelta, timezone
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from console.data.queue_and_detail import CaseRow  # noqa: E402
from console.domain.calendar import default_calendar  # noqa: E402

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=timezone.utc)
STATES = ("reported", "verifying", "to_file", "to_dispatch", "disposing", "disposing", "disposing", "to_check",
          "to_close", "hung")
DEPARTMENTS = [(i, f"部门{i:02d}") for i in range(1, 21)]


def make_rows(n: int, seed: int = 20261123) -> list[CaseRow]:
    rng = random.Random(seed)
    rows = []
    for i in range(1, n + 1):
        street = f"3504020{rng.randrange(1, 13):02d}"
        grid = f"{street}{rng.randrange(1, 15):03d}{rng.randrange(1, 9):03d}"
        start = NOW - timedelta(minutes=rng.randrange(0, 4 * 24 * 60))
        total = rng.choice((30, 60, 120, 240, 420, 2100))
        dept = rng.choice(DEPARTMENTS)
        rows.append(CaseRow(
            id=i, number=f"2026{i:08d}", state=rng.choice(STATES), pending=None, version=1, source="inspector",
            kind="event", category_code="06010", category_name="暴露垃圾", condition_code="0601001",
            urgency="normal", address=f"某某路 {rng.randrange(1, 500)} 号附近", lon=117.6, lat=26.26, grid_code=grid,
            community_code=grid[:12], street_code=street, street_name=f"街道{street[-2:]}", department_id=dept[0],
            department_name=dept[1], created_at=start - timedelta(minutes=rng.randrange(0, 600)),
            step="dispose", limit=f"{total}wmin", total_minutes=total, consumed_minutes=0.0,
            paused=False, yellow_at=start + timedelta(minutes=total * 0.8), red_at=start + timedelta(minutes=total),
            due_at=start + timedelta(minutes=total),
        ))
    return rows


def make_changes(rows: list[CaseRow], count: int, seed: int = 7) -> list[CaseRow]:
    """Single-case changes: a state move, a re-dispatch, or a restarted clock."""
    rng = random.Random(seed)
    changes = []
    for _ in range(count):
        row = rng.choice(rows)
        kind = rng.random()
        if kind < 0.5:
            row = dataclasses.replace(row, state=rng.choice(STATES), version=row.version + 1)
        elif kind < 0.8:
            dept = rng.choice(DEPARTMENTS)
            row = dataclasses.replace(row, department_id=dept[0], department_name=dept[1], version=row.version + 1)
        else:
            start = NOW - timedelta(minutes=rng.randrange(0, 60))
            row = dataclasses.replace(row, limit="30wmin", total_minutes=30, consumed_minutes=0.0,
                                      yellow_at=start + timedelta(minutes=24), red_at=start + timedelta(minutes=30),
                                      due_at=start + timedelta(minutes=30), version=row.version + 1)
        changes.append(row)
    return changes


def _view(model):  # noqa: ANN001, ANN202
    from PySide6.QtWidgets import QHeaderView, QTableView

    view = QTableView()
    view.setModel(model)
    view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    view.resize(1400, 700)
    view.show()
    return view


def _arms(rows: list[CaseRow], updates: list[CaseRow], reset_samples: int, paint: bool) -> dict[str, Any]:
    """Time both arms; with `paint`, processEvents() after every change lets the view repaint."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    from console.widgets.queue_model import CaseQueueModel, Column

    app = QApplication.instance() or QApplication([])
    calendar = default_calendar()
    settle = app.processEvents if paint else (lambda: None)

    def fresh() -> tuple[CaseQueueModel, Any]:
        model = CaseQueueModel(calendar=calendar, now=NOW)
        model.sort(Column.CREATED, Qt.SortOrder.DescendingOrder)
        model.set_stage("disposing")
        model.reset_rows(rows)
        view = _view(model)
        app.processEvents()
        return model, view

    model, view = fresh()
    t0 = time.perf_counter()
    for row in updates:
        model.apply_rows([row])
        settle()
    delta_s = time.perf_counter() - t0
    delta_ids = model.visible_ids()
    view.close()

    model, view = fresh()
    current = {r.id: r for r in rows}
    samples = min(reset_samples, len(updates))
    t0 = time.perf_counter()
    for row in updates[:samples]:
        current[row.id] = row
        model.reset_rows(current.values())
        settle()
    reset_per_change_s = (time.perf_counter() - t0) / samples if samples else 0.0
    for row in updates[samples:]:
        current[row.id] = row
    t0 = time.perf_counter()
    model.reset_rows(current.values())
    settle()
    full_reset_s = time.perf_counter() - t0
    same = model.visible_ids() == delta_ids
    view.close()
    app.processEvents()

    delta_per_change = delta_s / len(updates) if updates else 0.0
    return {
        "visible_rows": len(delta_ids),
        "delta_total_ms": round(delta_s * 1000, 1),
        "delta_per_change_ms": round(delta_per_change * 1000, 3),
        "reset_per_change_ms": round(reset_per_change_s * 1000, 2),
        "reset_each_change_total_ms_est": round(reset_per_change_s * len(updates) * 1000, 1),
        "full_reset_once_ms": round(full_reset_s * 1000, 1),
        "speedup_vs_reset_each": round(reset_per_change_s / delta_per_change, 1) if delta_per_change else None,
        "same_final_rows": same,
    }


def run(n_rows: int = 10_000, changes: int = 1_000, reset_samples: int = 50) -> dict[str, Any]:
    """Both arms twice: with the view repainting after each change, and model work alone."""
    rows = make_rows(n_rows)
    updates = make_changes(rows, changes)
    return {
        "rows": n_rows,
        "changes": changes,
        "reset_samples": min(reset_samples, changes),
        "with_repaint": _arms(rows, updates, reset_samples, paint=True),
        "model_only": _arms(rows, updates, reset_samples, paint=False),
    }


if __name__ == "__main__":
    print(json.dumps(run()))

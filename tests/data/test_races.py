"""Many seats, one truth: seats racing on the same cases lose no update and break no rule.

Two seats on one case: exactly one wins, the other is told who acted and sees
the refreshed case.  Then four seat *processes* race conflicting actions on
100 cases (2,500 on PostgreSQL, 400 on SQLite): every success is one audit row,
every case's versions go up by exactly one per audit row, every audited
sequence replays through the workflow, and conflicts really happened.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections import Counter, defaultdict
from pathlib import Path

import pytest
from sqlalchemy import func, select

from console.data import models as m
from console.data.case_record import find_case, timeline
from console.data.commands import Actor, CommandError, StaleVersion, act, report_case
from console.domain.workflow import Transition, plan
from tests.data.test_commands import GARBAGE, INSPECTOR, LAT, LON, T0, new_case, step

ROOT = Path(__file__).resolve().parents[2]
SEATS = 4
CASES = 100
ACTIONS = {"postgresql": 2500, "sqlite": 400}

SEAT_A = Actor("张三", "intake", seat="受理席1")
SEAT_B = Actor("李四", "intake", seat="受理席2")


# --- two seats, one case ------------------------------------------------------------------------


def test_two_seats_one_case_one_wins_other_sees_who_and_refreshed_case(db):
    number, v = new_case(db)
    # Both seats show version v; A clicks first.
    won = step(db, SEAT_A, number, v, "forward", 5)
    with pytest.raises(StaleVersion) as lost:
        step(db, SEAT_B, number, v, "refuse", 6)
    err = lost.value
    assert (err.by, err.seat, err.action, err.current_version) == ("张三", "受理席1", "forward", won.version)
    assert "张三 @ 受理席1" in str(err) and str(won.version) in str(err)
    refreshed = find_case(db, number)
    assert (refreshed.state, refreshed.version, refreshed.updated_by, refreshed.updated_seat) == (
        "to_file", won.version, "张三", "受理席1")
    # B, now looking at the refreshed case, can act on it.
    with pytest.raises(CommandError, match="refuse"):
        step(db, SEAT_B, number, refreshed.version, "refuse", 7)  # no longer legal in 待立案
    assert [e.action for e in timeline(db, number)] == ["report", "forward"]


def test_two_seats_clicking_at_the_same_instant(db):
    """Threads released together: the row lock (PostgreSQL) or BEGIN IMMEDIATE (SQLite) picks one."""
    number, v = new_case(db)
    barrier = threading.Barrier(2)
    outcomes: dict[str, object] = {}

    def seat(actor: Actor, action: str) -> None:
        barrier.wait()
        try:
            outcomes[actor.seat] = act(db, actor, number, action, expected_version=v, note="同时")
        except StaleVersion as exc:
            outcomes[actor.seat] = exc

    threads = [threading.Thread(target=seat, args=(SEAT_A, "forward")),
               threading.Thread(target=seat, args=(SEAT_B, "send_verify"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    winners = [o for o in outcomes.values() if not isinstance(o, StaleVersion)]
    losers = [o for o in outcomes.values() if isinstance(o, StaleVersion)]
    assert len(winners) == 1 and len(losers) == 1, outcomes
    events = timeline(db, number)
    assert len(events) == 2 and events[-1].version == winners[0].version == v + 1
    assert (losers[0].by, losers[0].seat) == (events[-1].operator_name, events[-1].seat)
    assert find_case(db, number).state == winners[0].state


# --- four processes, a hundred cases ------------------------------------------------------------


def _seed(db) -> list[str]:
    numbers = []
    for i in range(CASES):
        ref = report_case(db, INSPECTOR, source="inspector", lon=LON + (i % 10) * 0.0004, lat=LAT,
                          category_code=GARBAGE, description=f"竞争测试 {i}", at=T0)
        numbers.append(ref.number)
    return numbers


def _race(db, numbers: list[str], actions: int) -> list[dict]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    per_seat = actions // SEATS
    procs = [
        subprocess.Popen([sys.executable, "-m", "tests.data.race_worker", db.url, f"S{k}", str(1000 + k),
                          str(per_seat), *numbers],
                         cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for k in range(1, SEATS + 1)
    ]
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=240)
        assert proc.returncode == 0, f"seat process failed:\n{err}"
        results.append(json.loads(out.strip().splitlines()[-1]))
    return results


def _replay(events: list[m.CaseEvent]) -> None:
    """Each audited sequence is a legal walk of the workflow from the first report."""
    state, pending, self_handled = None, None, False
    for version, event in enumerate(events, start=1):
        assert event.version == version, f"case {event.case_id}: audit versions {[e.version for e in events]}"
        assert event.from_state == state, f"case {event.case_id} event {version}: from {event.from_state} != {state}"
        t: Transition = plan(state, event.action, event.role, pending=pending, self_handled=self_handled)
        assert t.to_state.value == event.to_state
        state = t.to_state.value
        pending = t.pending_after.value if t.pending_after else None
        self_handled = t.self_handled


@pytest.mark.slow
def test_four_seat_processes_race_without_lost_updates(db, capsys):
    numbers = _seed(db)
    results = _race(db, numbers, ACTIONS[db.dialect])

    total = Counter()
    for r in results:
        assert r["errors"] == [], r
        total.update({k: r[k] for k in ("ok", "conflict", "refused", "illegal_refused", "illegal_applied",
                                         "stale_without_who")})
    assert total["ok"] + total["conflict"] + total["refused"] == ACTIONS[db.dialect]

    with db.read() as s:
        events = list(s.scalars(select(m.CaseEvent).order_by(m.CaseEvent.id)))
        cases = {c.id: c for c in s.scalars(select(m.Case))}
        case_log = s.scalar(select(func.count()).select_from(m.ChangeLog).where(m.ChangeLog.entity == "case"))
        urges = s.scalar(select(func.count()).select_from(m.UrgeRecord))
    by_case: dict[int, list[m.CaseEvent]] = defaultdict(list)
    for e in events:
        by_case[e.case_id].append(e)

    # audit rows equal successful actions (plus the 100 reports that seeded the cases)
    assert len(events) - CASES == total["ok"]
    assert case_log == len(events)
    assert urges == sum(1 for e in events if e.action == "urge")
    # zero lost updates: each case's version is its number of audit rows, versions 1..n
    for case_id, case in cases.items():
        history = by_case[case_id]
        assert case.version == len(history), f"case {case.number}: version {case.version}, {len(history)} events"
        assert case.state == history[-1].to_state
        assert case.pending == _pending_after(history)
        # zero illegal transitions
        _replay(history)
    # refusals wrote nothing, illegal attempts never went through, conflicts named who acted
    assert total["illegal_applied"] == 0 and total["illegal_refused"] > 0
    assert total["stale_without_who"] == 0
    assert total["conflict"] > 0, "the seats never collided: the race was not a race"
    assert len({e.seat for e in events if e.action != "report"}) > SEATS  # every seat's roles acted

    with capsys.disabled():
        print(f"\n[race {db.dialect}] {ACTIONS[db.dialect]} attempts by {SEATS} processes on {CASES} cases: "
              f"ok={total['ok']} conflicts={total['conflict']} refused={total['refused']} "
              f"(illegal refused {total['illegal_refused']}) "
              f"seconds={max(r['seconds'] for r in results)}")


def _pending_after(history: list[m.CaseEvent]) -> str | None:
    pending, state, self_handled = None, None, False
    for e in history:
        t = plan(state, e.action, e.role, pending=pending, self_handled=self_handled)
        state, self_handled = t.to_state.value, t.self_handled
        pending = t.pending_after.value if t.pending_after else None
    return pending

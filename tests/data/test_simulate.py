"""`simulate` drives real commands: reports, actions, conflicts counted, audit consistent."""
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from console.data import models as m
from console.data.commands import CommandError
from console.data.simulate import Simulator

SH = ZoneInfo("Asia/Shanghai")


def test_simulation_reports_and_advances_cases(db):
    fake = {"t": 0.0}
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        fake["t"] += seconds

    start = datetime(2026, 11, 23, 9, 0, tzinfo=SH)
    ticks = iter(range(10_000))
    sim = Simulator(db, seed=7, actions_per_report=3)
    result = sim.run(rate=20, duration=2, clock=lambda: fake["t"], sleep=sleep,
                     now=lambda: start + timedelta(seconds=next(ticks)))
    assert result.reports == 40
    assert result.actions + result.conflicts + result.refused > 0 and result.actions > 40
    assert len(waits) == 39 and all(w == pytest.approx(0.05) for w in waits)  # paced at 20/s
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(m.Case)) == 40
        events = s.scalar(select(func.count()).select_from(m.CaseEvent))
        states = dict(s.execute(select(m.Case.state, func.count()).group_by(m.Case.state)).all())
    assert events == result.reports + result.actions  # one audit row per successful action
    assert len(states) > 2, states


def test_rate_must_be_positive(db):
    with pytest.raises(CommandError, match="rate"):
        Simulator(db, seed=1).run(rate=0, duration=1)

"""The alert clock at scale: a large standing stock of yellow/red cases raises nothing; light changes do."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.engine import make_url

from console.data.alerts import AlertKey
from console.data.commands import Actor
from console.data.db import Database, DatabaseUnavailable
from console.services.alerts import Alert, AlertClock, AlertFilter, Lit
from tests.data.test_commands import T0
from tests.services.tcp_proxy import TcpProxy

SHIFT = Actor("李值班", "shift_lead", seat="值班长席")
NOW = T0 + timedelta(hours=3)
STANDING = 1_510  # the metro demo's yellow/red cases: the old banner listed every one


def describe(lit: Lit, since) -> Alert:  # noqa: ANN001
    street = "350402001" if lit.key.case_id % 2 else "350402002"
    return Alert(key=lit.key, number=f"2026{lit.key.case_id:08d}", category="暴露垃圾", grid_code="-", street=street,
                 department="", light=lit.key.light, remaining_minutes=None, raised_at=since, street_code=street)


def lit(case_id: int, light: str, minutes_ago: float, step: str = "dispose", round_: int = 1) -> Lit:
    return Lit(AlertKey(case_id, step, round_, light), NOW - timedelta(minutes=minutes_ago))


def test_a_standing_stock_raises_nothing_only_changes_do(db, qtbot):
    now = {"t": NOW}
    clock = AlertClock(db, SHIFT, clock=lambda: now["t"])
    standing = {i: lit(i, "red" if i % 3 else "yellow", 120 + i % 500) for i in range(1, STANDING + 1)}
    recent = {10_001: lit(10_001, "red", 5), 10_002: lit(10_002, "yellow", 59)}
    with qtbot.waitSignals([clock.sig_new_alert, clock.sig_new_alert], timeout=1000):
        raised = clock.observe({**standing, **recent}, describe)
    assert sorted(a.key.case_id for a in raised) == [10_001, 10_002]
    assert [a.key.case_id for a in clock.alerts] == [10_001, 10_002]  # red first

    # an hour later, 30 of the standing yellow cases turned red and 3 new cases turned yellow: 33 alerts more
    now["t"] = NOW + timedelta(hours=1)
    turned = {i: lit(i, "red", -50) for i in list(standing)[:90] if i % 3 == 0}
    fresh = {20_000 + i: lit(20_000 + i, "yellow", -55) for i in range(3)}
    raised = clock.observe({**standing, **recent, **turned, **fresh}, describe)
    assert len(turned) == 30 and len(raised) == 33 and len(clock.alerts) == 35
    assert clock.observe({**standing, **recent, **turned, **fresh}, describe) == []  # seen once, raised once

    # 10_001 went green (an extension), 10_002 was hung (no running light): both leave the banner
    everything = {**standing, **turned, **fresh}
    clock.observe(everything, describe)
    assert len(clock.alerts) == 33
    assert {a.street_code for a in clock.matching(AlertFilter(light="yellow"))} <= {"350402001", "350402002"}
    assert len(clock.matching(AlertFilter(light="yellow"))) == 3


@pytest.mark.parametrize("db", ["postgresql"], indirect=True)
def test_a_change_seen_while_the_database_is_cut_off_is_raised_once_it_is_back(db, qtbot):
    """A real broken connection (a proxy the test cuts); the shared server keeps running."""
    url = make_url(db.url)
    with TcpProxy((url.host or "127.0.0.1", url.port or 5432)) as proxy:
        seat = Database(url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False))
        clock = AlertClock(seat, SHIFT, clock=lambda: NOW)
        clock.observe({}, describe)  # watching
        proxy.cut()
        with pytest.raises(DatabaseUnavailable):
            clock.observe({1: lit(1, "red", 5)}, describe)
        assert clock.alerts == []
        proxy.restore()
        assert [a.key.case_id for a in clock.observe({1: lit(1, "red", 5)}, describe)] == [1]  # not lost
        seat.dispose()

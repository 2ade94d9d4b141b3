"""`simulate` drives real commands: reports, actions, conflicts counted, audit consistent."""
from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.engine import make_url
from sqlalchemy.pool import Pool

from console.data import models as m
from console.data.commands import CommandError
from console.data.simulate import Simulator
from tests.services.tcp_proxy import TcpProxy

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


# --- bad rates, and a run cut short: Ctrl-C, a lost connection, a full disk -----------------------


@pytest.mark.parametrize("rate, duration", [
    (float("nan"), 1), (float("inf"), 1), (float("-inf"), 1), (-1, 1), (0, 1), (1e6, 1),
    (1, float("nan")), (1, float("inf")), (1, 0),
])
def test_non_finite_or_absurd_pace_is_refused_before_writing(db, rate, duration):
    with pytest.raises(CommandError, match="finite"):
        Simulator(db, seed=1).run(rate=rate, duration=duration)
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(m.Case)) == 0


def cases_in(db) -> int:
    with db.read() as s:
        return s.scalar(select(func.count()).select_from(m.Case))


def start_cli(url: str) -> subprocess.Popen:
    """`urban-console simulate` in its own process; returns once it has written its first report."""
    child = subprocess.Popen([sys.executable, "-m", "console.cli", "simulate", "--rate", "20", "--duration", "600",
                              "--seed", "3", "--db", url],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             # a runner started as a background job ignores SIGINT, and children inherit that
                             preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    for line in child.stderr:  # blocks until the child reports progress
        if "已上报" in line:
            return child
    raise AssertionError(f"simulate never reported: {child.communicate(timeout=60)}")


def finish(child: subprocess.Popen) -> tuple[int, dict, list[str]]:
    out, err = child.communicate(timeout=120)
    try:
        summary = json.loads(out)
    except json.JSONDecodeError:  # say what the child did say (a flake seen once under heavy load)
        raise AssertionError(f"simulate printed no summary (exit {child.returncode}): {err[-2000:]}") from None
    return child.returncode, summary, err.strip().splitlines()


def test_ctrl_c_prints_what_was_written(db):
    child = start_cli(db.url)
    child.send_signal(signal.SIGINT)
    code, summary, err = finish(child)
    assert code == 130 and "interrupted" in err[-1] and "Traceback" not in "".join(err)
    assert summary["stopped"] and summary["reports"] >= 1
    assert cases_in(db) == summary["reports"]  # exactly what the summary says: no report half-written


def test_a_lost_connection_prints_what_was_written(pg_db):
    url = make_url(pg_db.url)
    with TcpProxy((url.host or "127.0.0.1", url.port or 5432)) as proxy:
        child = start_cli(url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False))
        proxy.cut()
        code, summary, err = finish(child)
    assert code == 1 and "数据库连接中断" in err[-1] and "Traceback" not in "".join(err)
    assert summary["reports"] >= 1 and "database unreachable" in summary["stopped"]
    # A commit whose answer the cut swallowed may have landed: at most that one report more.
    assert cases_in(pg_db) - summary["reports"] in (0, 1)


def test_a_full_disk_prints_what_was_written(capsys, sqlite_template, tmp_path):
    import shutil

    from console.cli import main
    from console.data.db import Database

    path = tmp_path / "hall.db"
    shutil.copy(sqlite_template, path)
    pages = sqlite3.connect(path).execute("PRAGMA page_count").fetchone()[0]

    def ceiling(dbapi_conn, _record) -> None:  # noqa: ANN001 - SQLite's own size limit: SQLITE_FULL past it
        if isinstance(dbapi_conn, sqlite3.Connection):
            dbapi_conn.execute(f"PRAGMA max_page_count={pages + 4}")

    event.listen(Pool, "connect", ceiling)
    try:
        code = main(["simulate", "--rate", "1000", "--duration", "60", "--seed", "5", "--db", str(path)])
    finally:
        event.remove(Pool, "connect", ceiling)
    out, err = capsys.readouterr()
    summary = json.loads(out)
    assert code == 1 and "disk is full" in err.strip().splitlines()[-1] and str(path) in err
    assert summary["reports"] >= 1 and "disk is full" in summary["stopped"]
    db = Database(str(path), create=False)
    assert cases_in(db) == summary["reports"]
    with db.read() as s:  # every report that counts has its audit row, none has half of one
        assert s.scalar(select(func.count()).select_from(m.CaseEvent).where(m.CaseEvent.action == "report")) == summary["reports"]
    db.dispose()


def test_an_open_level_keeps_the_hall_steady(db):
    """A soak's simulate: cases close about as fast as they open, so the open count stays level."""
    start = datetime(2026, 11, 23, 9, 0, tzinfo=SH)
    ticks = iter(range(100_000))
    fake = {"t": 0.0}
    sim = Simulator(db, seed=3, open_level=5)

    def sleep(seconds: float) -> None:
        fake["t"] += seconds

    result = sim.run(rate=20, duration=3, clock=lambda: fake["t"], sleep=sleep,
                     now=lambda: start + timedelta(minutes=next(ticks)))
    assert result.reports == 60 and result.actions > 60  # more than one action a report was needed
    assert sim.open_cases() <= 5 + 1  # the last tick may end one above, at its action limit
    with db.read() as s:
        closed = s.scalar(select(func.count()).select_from(m.Case).where(~m.Case.is_open))
    assert closed >= 60 - 6

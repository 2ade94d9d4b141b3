"""A database that is broken, locked, full, read-only, hung or handed too long a value.

Each gives one DatabaseUnavailable / ValueTooLong line naming the file or value, and
nothing is half-written.  Real conditions throughout: a truncated copy, a second
writer holding the lock, SQLite's own page limit (SQLITE_FULL), a file the process
may not write, a loopback listener that accepts and never answers.
"""
from __future__ import annotations

import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import pytest
from sqlalchemy import event, func, select, text

from console.cli import open_db
from console.data import models as m
from console.data.calendar_admin import set_day
from console.data.commands import act, report_case
from console.data.db import SEAT_STATEMENT_TIMEOUT_S, Database, DatabaseUnavailable
from console.data.models import ValueTooLong
from tests.cli.running import run
from tests.data.test_commands import INSPECTOR, INTAKE, T0

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def copy(sqlite_template, tmp_path) -> Path:
    path = tmp_path / "hall.db"
    shutil.copy(sqlite_template, path)
    return path


def one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


def count(db: Database, model) -> int:  # noqa: ANN001
    with db.read() as s:
        return s.scalar(select(func.count()).select_from(model))


# --- broken files -------------------------------------------------------------------------------


def test_a_truncated_file_is_named_on_read_and_write(capsys, copy):
    copy.write_bytes(copy.read_bytes()[: copy.stat().st_size // 3])
    before = copy.read_bytes()
    for argv in (("stats", "--json"), ("calendar", "set", "2027-02-06", "workday"),
                 ("export", "cases", "--format", "csv", "--out", str(copy.parent / "x.csv"))):
        code, out, err = run(capsys, *argv, "--db", str(copy))
        line = one_line(err)
        assert code != 0 and out == "" and str(copy) in line and "corrupted or truncated" in line
    assert copy.read_bytes() == before and not (copy.parent / "x.csv").exists()


def test_a_corrupted_page_is_named_and_refused(copy):
    data = bytearray(copy.read_bytes())
    data[4096:] = b"\xa5" * (len(data) - 4096)  # every page but the first overwritten: header and schema intact
    copy.write_bytes(bytes(data))
    db = Database(f"sqlite:///{copy}", create=False)
    with pytest.raises(DatabaseUnavailable) as caught:
        with db.read() as s:
            for model in (m.Case, m.UnitGrid, m.Street, m.Setting, m.Category, m.Department):
                s.scalar(select(func.count()).select_from(model))
    assert "corrupted" in str(caught.value) and str(copy) in str(caught.value)
    db.dispose()


# --- a second writer, a full disk, a read-only file ----------------------------------------------


def test_locked_past_the_busy_timeout_is_one_line_and_writes_nothing(capsys, copy):
    holder = sqlite3.connect(copy, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another writer holds the lock
    try:
        code, _, err = run(capsys, "calendar", "set", "2027-02-06", "workday",
                           "--db", f"sqlite:///{copy}?timeout=0.2")
        db = Database(f"sqlite:///{copy}", busy_timeout=0.2, create=False)
        with pytest.raises(DatabaseUnavailable, match="locked by another writer past the 0.2 s busy timeout"):
            set_day(db, T0.date(), workday=False, note="锁", by="test")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    line = one_line(err)
    assert code != 0 and str(copy) in line and "locked" in line
    assert count(db, m.CalendarOverride) == 0  # neither write happened
    db.dispose()


def limit_pages(db: Database, extra: int) -> None:
    """SQLite's own ceiling on the file: `extra` pages more than it has now, then SQLITE_FULL."""
    with db.engine.connect() as conn:
        pages = conn.exec_driver_sql("PRAGMA page_count").scalar()
    db.engine.dispose()

    @event.listens_for(db.engine, "connect")
    def _ceiling(dbapi_conn, _record):  # noqa: ANN001
        dbapi_conn.execute(f"PRAGMA max_page_count={pages + extra}")


def test_a_full_disk_stops_the_write_whole(copy):
    db = Database(f"sqlite:///{copy}", create=False)
    limit_pages(db, extra=3)
    written = 0
    with pytest.raises(DatabaseUnavailable) as caught:
        for _ in range(10_000):
            report_case(db, INSPECTOR, source="inspector", lon=117.605, lat=26.265, category_code="06010",
                        description="满" * 1500, at=T0)
            written += 1
    assert "disk is full" in str(caught.value) and str(copy) in str(caught.value)
    db.dispose()
    fresh = Database(f"sqlite:///{copy}", create=False)
    assert count(fresh, m.Case) == written  # the failed report left no case ...
    assert count(fresh, m.CaseEvent) == written  # ... and no audit row without its case
    assert count(fresh, m.ChangeLog) == written
    fresh.dispose()


def _as_nobody() -> None:  # pragma: no cover - runs in the child
    os.setgid(65534)
    os.setuid(65534)


def test_a_read_only_file_is_named_and_left_as_it_was(sqlite_template):
    """The child runs as `nobody` when the suite runs as root (root may write any file)."""
    folder = Path(tempfile.mkdtemp(prefix="uc-readonly-", dir="/tmp"))  # reachable for `nobody`
    try:
        folder.chmod(0o777)  # SQLite may make its -wal and -shm beside the file
        path = folder / "hall.db"
        shutil.copy(sqlite_template, path)
        path.chmod(0o444)
        before = path.read_bytes()

        def cli(*argv: str) -> subprocess.CompletedProcess:
            return subprocess.run([sys.executable, "-m", "console.cli", *argv, "--db", str(path)], cwd=folder,
                                  capture_output=True, text=True, timeout=120,
                                  env={**os.environ, "HOME": str(folder)},
                                  preexec_fn=_as_nobody if os.geteuid() == 0 else None)

        write = cli("calendar", "set", "2027-02-06", "workday")
        line = one_line(write.stderr)
        assert write.returncode != 0 and "read-only" in line and str(path) in line
        read = cli("calendar", "due", "2025-09-30T16:30", "4wh")
        assert read.returncode == 0 and read.stdout.strip() == "2025-10-09T11:30+08:00", read.stderr
        assert path.read_bytes() == before
    finally:
        shutil.rmtree(folder)


# --- length limits, the same on both backends -----------------------------------------------------


def test_too_long_values_are_refused_before_the_write(db):
    logged = count(db, m.ChangeLog)
    with pytest.raises(ValueTooLong, match=r"cases\.address.*201 > 200"):
        report_case(db, INTAKE, source="hotline", lon=117.605, lat=26.265, address="路" * 201, at=T0)
    with pytest.raises(ValueTooLong, match=r"cases\.description.*2001 > 2000"):
        report_case(db, INTAKE, source="hotline", lon=117.605, lat=26.265, description="x" * 2001, at=T0)
    assert count(db, m.Case) == 0 and count(db, m.ChangeLog) == logged  # nothing half-written
    ref = report_case(db, INTAKE, source="hotline", lon=117.605, lat=26.265, address="路" * 200,
                      description="述" * 2000, at=T0)  # at the limit: accepted on both
    with pytest.raises(ValueTooLong, match=r"case_events\.note.*1001 > 1000"):
        act(db, INTAKE, ref.number, "forward", expected_version=ref.version, note="注" * 1001, at=T0)
    with db.read() as s:
        case = s.scalars(select(m.Case)).one()
    assert case.state == "reported" and case.version == ref.version and len(case.address) == 200


# --- PostgreSQL: a server that never answers, a statement that never ends -------------------------


class SilentServer:
    """Accepts TCP connections on loopback and never says a word."""

    def __enter__(self) -> SilentServer:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.held: list[socket.socket] = []
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()
        return self

    def _accept(self) -> None:
        while True:
            try:
                self.held.append(self.sock.accept()[0])
            except OSError:
                return

    def __exit__(self, *exc) -> None:
        self.sock.close()
        for conn in self.held:
            conn.close()
        self.thread.join(timeout=5)


def test_a_server_that_never_answers_gives_one_line(capsys):
    with SilentServer() as server:
        db = Database(f"postgresql://postgres@127.0.0.1:{server.port}/hall")  # the default 5 s
        with pytest.raises(DatabaseUnavailable, match="connection timeout expired") as caught:
            db.check()
        assert f"127.0.0.1:{server.port}" in str(caught.value)
        code, out, err = run(capsys, "stats", "--json", "--db",
                             f"postgresql://postgres@127.0.0.1:{server.port}/hall?connect_timeout=2")
    line = one_line(err)
    assert code != 0 and out == "" and "cannot reach" in line and "timeout" in line
    assert server.held  # it really connected, and got no answer


def test_a_seat_bounds_every_statement(pg_db):
    seat = open_db(pg_db.url, seat=True)
    with seat.read() as s:
        assert s.scalar(text("SHOW statement_timeout")) == f"{SEAT_STATEMENT_TIMEOUT_S}s"
    batch = open_db(pg_db.url)  # demo, import, bench: long statements are theirs to run
    with batch.read() as s:
        assert s.scalar(text("SHOW statement_timeout")) == "0"
    short = Database(pg_db.url, statement_timeout=1)
    with pytest.raises(DatabaseUnavailable, match="statement timeout") as caught:
        with short.read() as s:
            s.execute(text("SELECT pg_sleep(30)"))
    assert "1 秒" in str(caught.value)
    with short.read() as s:  # the pool recovers: the next read works
        assert s.scalar(select(func.count()).select_from(m.Street)) == 2
    for each in (seat, batch, short):
        each.dispose()

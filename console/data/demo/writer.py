"""The bulk writer: the days of case stories simulated (in forked workers for large histories) and
inserted as the driver takes them, indexes dropped and rebuilt around the load on SQLite."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Callable, Iterable, Iterator

import numpy as np
from sqlalchemy import JSON, insert, select, text

from console.data import models as m
from console.data.db import Database
from console.data.demo.accounts import Accounts
from console.data.demo.city import City
from console.data.demo.geography import Geography
from console.data.demo.scales import Scale, _UTC
from console.data.demo.stories import EVENT_COLUMNS, HOUR_WEIGHTS, _context, _daily_counts, _simulate_day
from console.data.rules import Rules
from console.domain.catalogue import Catalogue


def _analyze(db: Database) -> None:
    """Fresh planner statistics after a bulk load, or the open-case queries scan a million rows.

    PostgreSQL also vacuums, as its autovacuum would soon after: the visibility map lets a month's counts read
    the events' covering index alone (metro: intake 0.56 s -> 0.24 s)."""
    if db.is_postgres:
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM (ANALYZE)"))
        return
    with db.engine.begin() as conn:
        conn.execute(text("ANALYZE"))


_TABLES = {"cases": m.Case.__table__, "clocks": m.CaseStepClock.__table__, "events": m.CaseEvent.__table__,
           "urges": m.UrgeRecord.__table__}


class _Rows:
    """Rows as the database driver takes them: tuples of bound values, processed as SQLAlchemy would.

    Cases carry their ids (case numbers are made from them); clocks, events and
    urge records get theirs from the database, in insertion order.
    """

    def __init__(self, dialect: Any) -> None:
        self.dialect = dialect
        self.positional = dialect.positional
        self.columns: dict[str, tuple[str, ...]] = {}
        self.sql: dict[str, str] = {}
        self.procs: dict[str, list[tuple[int, Callable[[Any], Any]]]] = {}
        for key, table in _TABLES.items():
            cols = EVENT_COLUMNS if key == "events" else tuple(
                c.name for c in table.columns if key == "cases" or c.name != "id")
            compiled = insert(table).compile(dialect=dialect, column_keys=list(cols))
            if self.positional and tuple(compiled.positiontup) != cols:
                raise RuntimeError(f"unexpected column order for {table.name}: {compiled.positiontup}")
            self.columns[key] = cols
            self.sql[key] = compiled.string
            procs = []
            for i, name in enumerate(cols):
                proc = _processor(table.c[name].type, dialect)
                if proc is not None:
                    if isinstance(table.c[name].type, JSON):
                        proc = _memo_json(proc)
                    procs.append((i, proc))
            self.procs[key] = procs

    def convert(self, key: str, rows: Iterable[Any]) -> list[tuple]:
        cols, procs = self.columns[key], self.procs[key]
        out = []
        for row in rows:
            # .get: a nullable column the generator does not fill (e.g. migration 0011's) is NULL
            values = list(row) if isinstance(row, tuple) else [row.get(c) for c in cols]
            for i, proc in procs:
                values[i] = proc(values[i])
            out.append(tuple(values))
        return out

    def write(self, conn: Any, key: str, rows: list[tuple]) -> None:
        if not rows:
            return
        if not self.positional:
            cols = self.columns[key]
            rows = [dict(zip(cols, r)) for r in rows]
        conn.exec_driver_sql(self.sql[key], rows)


def _sqlite_utc(value: datetime | None) -> str | None:
    """UtcDateTime on SQLite, as SQLAlchemy stores it ('YYYY-MM-DD HH:MM:SS.ffffff', UTC), twice as fast."""
    if value is None:
        return None
    if value.tzinfo is None:
        raise ValueError(f"naive datetime {value.isoformat()} given to the database; times must carry a zone")
    return value.astimezone(_UTC).isoformat(" ", "microseconds")[:26]


def _memo_sqlite_utc() -> Callable[[datetime | None], str | None]:
    """One instant is often stored three times (event, clock stop, next clock start): convert it once."""
    memo: dict[datetime, str] = {}

    def process(value: datetime | None) -> str | None:
        hit = memo.get(value)
        if hit is None:
            if value is None:
                return None
            hit = memo[value] = _sqlite_utc(value)
            if len(memo) > 200_000:
                memo.clear()
        return hit

    return process


def _memo_json(proc: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """JSON values repeat a lot (sources, conditions, departments): serialise each distinct one once."""
    memo: dict[Any, Any] = {}

    def process(value: Any) -> Any:
        try:
            key = None if value is None else tuple(value.items())
            hit = memo.get(key)
        except (AttributeError, TypeError):
            return proc(value)
        if hit is None:
            hit = memo[key] = proc(value)
            if len(memo) > 100_000:
                memo.clear()
        return hit

    return process


def _processor(column_type: Any, dialect: Any) -> Callable[[Any], Any] | None:
    proc = column_type.dialect_impl(dialect).bind_processor(dialect)
    if dialect.name == "sqlite" and isinstance(column_type, m.UtcDateTime) and proc is not None:
        samples = [datetime(2026, 1, 2, 3, 4, 5, tzinfo=_UTC), datetime(1999, 12, 31, 23, 59, 59, 999, tzinfo=_UTC)]
        if all(proc(v) == _sqlite_utc(v) for v in samples) and proc(None) is None:
            return _memo_sqlite_utc()
    return proc


@dataclass
class _Batch:
    rows: dict[str, list[tuple]]
    cases: int = 0
    open_cases: int = 0
    last_day: date | None = None


_WORKER: dict[str, Any] = {}  # the context a forked worker inherits


def _run_day(job: tuple[date, int, int]) -> _Batch:
    ctx, seed, conv = _WORKER["ctx"], _WORKER["seed"], _WORKER["rows"]
    day, count, first_id = job
    cases, clocks, events, urges = _simulate_day(ctx, seed, day, count, first_id)
    rows = {"cases": conv.convert("cases", cases), "clocks": conv.convert("clocks", clocks),
            "events": conv.convert("events", events), "urges": conv.convert("urges", urges)}
    return _Batch(rows, len(cases), sum(1 for c in cases if c["is_open"]), day)


def _simulate_and_write(db: Database, params: Scale, seed: int, days: int, now: datetime, geo: Geography,
                        city: City, catalogue: Catalogue, rules: Rules, accounts: Accounts,
                        say: Callable[[str], None], workers: int | None = None) -> dict[str, int]:
    ctx = _context(params, seed, now, geo, city, catalogue, rules, accounts)
    local_now = now.astimezone(rules.calendar.tz)
    first_day = local_now.date() - timedelta(days=days)
    today_fraction = float(HOUR_WEIGHTS[: local_now.hour].sum() + HOUR_WEIGHTS[local_now.hour] * local_now.minute / 60)
    today_fraction /= float(HOUR_WEIGHTS.sum())
    rng = np.random.default_rng([seed, 5])
    counts = _daily_counts(rng, ctx, first_day, days, params.cases_per_day, today_fraction,
                           (params.surge_days, params.surge_factor))
    jobs, next_id = [], 1
    for i, count in enumerate(counts):
        if count:
            jobs.append((first_day + timedelta(days=i), count, next_id))
            next_id += count
    total = next_id - 1
    _WORKER.update(ctx=ctx, seed=seed, rows=_Rows(db.engine.dialect))
    workers = _worker_count(total) if workers is None else workers
    say(f"cases: {total} reports over {len(counts)} days ({workers or 1} process{'es' if workers > 1 else ''})")
    totals = {"cases": 0, "open_cases": 0, "events": 0, "clocks": 0, "urge_records": 0}
    writer = _Writer(db, _WORKER["rows"])
    if workers > 1:
        db.engine.dispose()  # no pooled connection crosses the fork
    indexes = _drop_indexes(db) if total >= 20_000 else []
    try:
        for n, batch in enumerate(_batches(jobs, workers), start=1):
            writer.add(batch)
            totals["cases"] += batch.cases
            totals["open_cases"] += batch.open_cases
            totals["events"] += len(batch.rows["events"])
            totals["clocks"] += len(batch.rows["clocks"])
            totals["urge_records"] += len(batch.rows["urges"])
            if n % max(1, len(jobs) // 10) == 0 or n == len(jobs):
                say(f"cases: up to {batch.last_day.isoformat()} ({totals['cases']}/{total})")
        writer.flush()
    finally:
        _WORKER.clear()
        if indexes:
            say(f"cases: rebuilding {len(indexes)} indexes")
            _restore_indexes(db, indexes)
    return totals


def _drop_indexes(db: Database) -> list[str]:
    """SQLite: drop the history tables' secondary indexes for the bulk load (rebuilt after, same SQL)."""
    if db.dialect != "sqlite":
        return []
    tables = [t.name for t in _TABLES.values()]
    with db.write() as s:
        rows = s.execute(text(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN "
            f"({', '.join(repr(t) for t in tables)}) ORDER BY name")).all()
        for name, _sql in rows:
            s.execute(text(f'DROP INDEX "{name}"'))
    return [sql for _name, sql in rows]


def _restore_indexes(db: Database, statements: list[str]) -> None:
    with db.write() as s:
        for sql in statements:
            s.execute(text(sql))


def _worker_count(total_cases: int) -> int:
    """Simulate in forked processes when it pays (large histories, a fork-capable OS)."""
    import multiprocessing
    import os

    if total_cases < 20_000 or "fork" not in multiprocessing.get_all_start_methods():
        return 0
    return max(0, min(os.cpu_count() or 1, 4))


def _batches(jobs: list[tuple[date, int, int]], workers: int) -> Iterator[_Batch]:
    if workers <= 1:
        for job in jobs:
            yield _run_day(job)
        return
    import multiprocessing

    with multiprocessing.get_context("fork").Pool(workers) as pool:
        yield from pool.imap(_run_day, jobs, chunksize=1)


class _Writer:
    """Inserts converted rows in transactions of about BATCH rows."""

    BATCH = 50_000

    def __init__(self, db: Database, rows: _Rows) -> None:
        self.db = db
        self.rows = rows
        self.pending: dict[str, list[tuple]] = {key: [] for key in _TABLES}
        self.size = 0

    def add(self, batch: _Batch) -> None:
        for key, rows in batch.rows.items():
            self.pending[key].extend(rows)
            self.size += len(rows)
        if self.size >= self.BATCH:
            self.flush()

    def flush(self) -> None:
        if not self.size:
            return
        with self.db.write() as s:
            conn = s.connection()
            for key in _TABLES:  # cases first: the others refer to them
                self.rows.write(conn, key, self.pending[key])
                self.pending[key] = []
        self.size = 0


def _reset_sequences(db: Database) -> None:
    """After inserts with explicit ids, move PostgreSQL's sequences past them."""
    if not db.is_postgres:
        return
    tables = ["unit_grids", "departments", "staff", "roads", "road_segments", "road_chiefs", "routing_rules",
              "cases", "case_step_clocks", "case_events", "urge_records"]
    with db.write() as s:
        for table in tables:
            s.execute(text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)"
            ))


def content_digest(db: Database) -> str:
    """A hash of the generated city's grids (codes + geometries) and case rows: same seed, same digest."""
    h = hashlib.sha256()
    with db.read() as s:
        for code, wkb in s.execute(select(m.UnitGrid.code, m.UnitGrid.geom_wkb).order_by(m.UnitGrid.code)):
            h.update(code.encode())
            h.update(bytes(wkb))
        cols = [m.Case.id, m.Case.number, m.Case.state, m.Case.pending, m.Case.version, m.Case.source,
                m.Case.category_code, m.Case.condition_code, m.Case.urgency, m.Case.lon, m.Case.lat,
                m.Case.grid_code, m.Case.department_id, m.Case.rework_count, m.Case.return_count,
                m.Case.extension_count, m.Case.close_type, m.Case.created_at, m.Case.updated_at, m.Case.closed_at]
        for row in s.execute(select(*cols).order_by(m.Case.id)):
            h.update(repr(tuple(row)).encode())
        for row in s.execute(select(m.CaseEvent.case_id, m.CaseEvent.at, m.CaseEvent.action, m.CaseEvent.version,
                                    m.CaseEvent.operator_name).order_by(m.CaseEvent.id)):
            h.update(repr(tuple(row)).encode())
        for row in s.execute(select(m.CaseStepClock.case_id, m.CaseStepClock.step, m.CaseStepClock.round,
                                    m.CaseStepClock.consumed_minutes, m.CaseStepClock.due_at)
                             .order_by(m.CaseStepClock.id)):
            h.update(repr(tuple(row)).encode())
    return h.hexdigest()

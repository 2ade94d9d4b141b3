"""Engine and sessions: embedded SQLite by default, a hall's PostgreSQL by URL."""
from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, InterfaceError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

ENV_DB = "URBAN_CONSOLE_DB"
NOTIFY_CHANNEL = "urban_console_changes"


class DatabaseUnavailable(RuntimeError):
    """The database cannot be reached or opened; the message says which and why."""


def default_db_path() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("urban-console", appauthor=False)) / "console.db"


def default_url() -> str:
    return os.environ.get(ENV_DB) or f"sqlite:///{default_db_path()}"


def normalise_url(url: str) -> str:
    """Accept plain `postgresql://` and a bare file path; pick our drivers."""
    if "://" not in url:
        return f"sqlite:///{Path(url).expanduser().absolute()}"
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise DatabaseUnavailable(f"数据库地址无法解析 (bad database URL): {url!r}") from exc
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def redact(url: str) -> str:
    """The URL as shown to people and logs: never a password in clear text."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<bad url>"


def make_engine(url: str, **kwargs) -> Engine:
    url = normalise_url(url)
    if url.startswith("sqlite"):
        return _sqlite_engine(url, **kwargs)
    return create_engine(url, pool_pre_ping=True, **kwargs)


def _sqlite_engine(url: str, **kwargs) -> Engine:
    path = make_url(url).database
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    # Let SQLAlchemy, not pysqlite, emit BEGIN, so writers can BEGIN IMMEDIATE:
    # the write lock is taken before the version check, not after it.
    engine = create_engine(url, connect_args={"isolation_level": None, "timeout": 30}, **kwargs)

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn, _record):  # noqa: ANN001
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA synchronous=NORMAL")
        # The open-case queue reads ~10,000 rows scattered over a large file: a bigger
        # page cache and memory-mapped reads keep that in memory between refreshes.
        cur.execute("PRAGMA cache_size=-65536")
        cur.execute("PRAGMA mmap_size=268435456")
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn):  # noqa: ANN001
        mode = "IMMEDIATE" if conn.get_execution_options().get("write") else "DEFERRED"
        conn.exec_driver_sql(f"BEGIN {mode}")

    return engine


def _first_line(exc: DBAPIError) -> str:
    text = str(exc.orig if exc.orig is not None else exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _is_connection_error(exc: DBAPIError) -> bool:
    """Lost or refused connections, as opposed to e.g. a SQLite 'database is locked'."""
    text = str(exc.orig or exc).lower()
    return any(word in text for word in (
        "connection", "server closed", "could not connect", "terminating", "unable to open database",
        "disk i/o error", "no such file",
    ))


class Database:
    """One database: its engine, a read session factory and a write session factory."""

    def __init__(self, url: str | None = None, *, engine: Engine | None = None) -> None:
        self.url = normalise_url(url or default_url())
        self.engine = engine or make_engine(self.url)
        self._reader = sessionmaker(self.engine, expire_on_commit=False)
        self._writer = sessionmaker(self.engine.execution_options(write=True), expire_on_commit=False)
        self._rules = None

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @property
    def is_postgres(self) -> bool:
        return self.dialect == "postgresql"

    def __repr__(self) -> str:
        return f"Database({redact(self.url)})"

    @contextmanager
    def read(self) -> Iterator[Session]:
        # close() ends the transaction without expiring what was loaded, so
        # rows read here stay readable after the block.
        with self._unavailable_as_error(), self._reader() as session:
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One transaction: commit on success, roll back everything on any error."""
        with self._unavailable_as_error(), self._writer() as session, session.begin():
            yield session

    @contextmanager
    def _unavailable_as_error(self) -> Iterator[None]:
        """A lost connection becomes one clear DatabaseUnavailable, not a driver traceback."""
        try:
            yield
        except (OperationalError, InterfaceError) as exc:
            if isinstance(exc, DBAPIError) and not exc.connection_invalidated and not _is_connection_error(exc):
                raise
            raise DatabaseUnavailable(
                f"数据库连接中断，操作未执行，请稍后重试 (database unreachable: {redact(self.url)}): {_first_line(exc)}"
            ) from exc

    def check(self) -> None:
        """Connect once; a clear DatabaseUnavailable instead of a driver traceback."""
        try:
            with self.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except OperationalError as exc:
            reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
            raise DatabaseUnavailable(f"无法连接数据库 (cannot reach the database) {redact(self.url)}: {reason}") from exc

    def rules(self):  # -> console.data.rules.Rules
        """The city's rules (calendar, limits, thresholds), cached until invalidated."""
        if self._rules is None:
            from console.data.rules import load_rules

            with self.read() as session:
                self._rules = load_rules(session)
        return self._rules

    def invalidate_rules(self) -> None:
        self._rules = None

    def dispose(self) -> None:
        self.engine.dispose()

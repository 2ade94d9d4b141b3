"""Engine and sessions: embedded SQLite by default, a hall's PostgreSQL by URL."""
from __future__ import annotations

import os
import re
import sqlite3
from contextlib import contextmanager
from pathlib import Path
from typing import Iterable, Iterator
from urllib.parse import quote, unquote

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, InterfaceError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from console.data.models import check_lengths

ENV_DB = "URBAN_CONSOLE_DB"
NOTIFY_CHANNEL = "urban_console_changes"
# Query parameters of a URL that carry secrets (libpq connection keywords).
SECRET_QUERY_KEYS = frozenset({"password", "sslpassword"})
# Every blocking wait is bounded; a URL's own connect_timeout= / timeout= wins.
CONNECT_TIMEOUT_S = 5  # PostgreSQL: establishing a connection
BUSY_TIMEOUT_S = 30  # SQLite: waiting for another writer's lock
SEAT_STATEMENT_TIMEOUT_S = 15  # PostgreSQL: one statement of a seat (a hung query never pins it)


class DatabaseUnavailable(RuntimeError):
    """The database cannot be reached, opened or written; the message says which and why."""


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
        raise DatabaseUnavailable(f"数据库地址无法解析 (bad database URL): {redact(url)!r}") from exc
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise DatabaseUnavailable(f"只支持 SQLite 和 PostgreSQL 数据库 (only sqlite:// and postgresql:// URLs): {redact(url)!r}")
    return parsed.render_as_string(hide_password=False)


# Greedy to the last "@" of the word: an unencoded "@" in a password is still masked.
_USERINFO_SECRET = re.compile(r"(?P<head>\b[A-Za-z][A-Za-z0-9+.-]*://[^:/@\s'\"]*):[^\s'\"]*@")
_KEYWORD_SECRET = re.compile(
    r"(?i)(?P<key>\b(?:%s)\s*=\s*)(?!\*\*\*)(?:'(?:[^'\\]|\\.)*'|[^&\s'\",;)]*)" % "|".join(sorted(SECRET_QUERY_KEYS)))


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """Any text shown to people or logs (a URL, a DSN, a driver's message) with its passwords masked.

    Masks the user-info password of every URL in it, every `password=` / `sslpassword=`
    (URL query or libpq keyword), and each of `secrets` wherever it appears.
    """
    text = _USERINFO_SECRET.sub(r"\g<head>:***@", str(text))
    text = _KEYWORD_SECRET.sub(r"\g<key>***", text)
    for secret in secrets:
        if secret and len(secret) >= 4:  # a shorter one would mask ordinary letters of the message
            text = text.replace(secret, "***")
    return text


def url_secrets(url: str) -> tuple[str, ...]:
    """The passwords a URL carries (user info and query), raw and percent-decoded."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return ()
    values = [parsed.password] + [v for k, v in parsed.query.items() if k.lower() in SECRET_QUERY_KEYS]
    flat = [str(x) for v in values if v for x in (v if isinstance(v, tuple) else (v,))]
    return tuple({*flat, *(unquote(x) for x in flat), *(quote(x, safe="") for x in flat)})


def make_engine(url: str, *, create: bool = True, connect_timeout: float | None = None,
                statement_timeout: float | None = None, busy_timeout: float | None = None, **kwargs) -> Engine:
    """The engine; `create=False` never creates a SQLite file (a typo stays a typo)."""
    url = normalise_url(url)
    if url.startswith("sqlite"):
        return _sqlite_engine(url, create=create, busy_timeout=busy_timeout, **kwargs)
    return _pg_engine(url, connect_timeout=connect_timeout, statement_timeout=statement_timeout, **kwargs)


def _pg_engine(url: str, *, connect_timeout: float | None, statement_timeout: float | None, **kwargs) -> Engine:
    query = make_url(url).query
    connect_args: dict = dict(kwargs.pop("connect_args", {}))
    if "connect_timeout" not in query:
        connect_args.setdefault("connect_timeout", max(1, round(connect_timeout or CONNECT_TIMEOUT_S)))
    if statement_timeout:
        # A server-side bound on every statement, set at connect: no extra round trip per read.
        options = f"{connect_args.get('options', '')} -c statement_timeout={int(statement_timeout * 1000)}"
        connect_args["options"] = options.strip()
    return create_engine(url, pool_pre_ping=True, connect_args=connect_args, **kwargs)


def busy_seconds(url: str, busy_timeout: float | None = None) -> float:
    """How long SQLite waits for another writer: the argument, else the URL's `timeout=`, else 30 s."""
    value = busy_timeout or make_url(url).query.get("timeout") or BUSY_TIMEOUT_S
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        seconds = float("nan")
    if not 0 <= seconds <= 3600:  # NaN too
        raise DatabaseUnavailable(f"等待时限 timeout={value!r} 无效，应为 0 到 3600 秒 (bad busy timeout): {redact(url)}")
    return seconds


def _sqlite_engine(url: str, *, create: bool = True, busy_timeout: float | None = None, **kwargs) -> Engine:
    path = make_url(url).database
    busy = busy_seconds(url, busy_timeout)
    connect_args = {"isolation_level": None, "timeout": busy}
    if path and path != ":memory:":
        if create:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        else:
            file = Path(path).absolute()
            if not file.is_file():
                raise DatabaseUnavailable(f"数据库文件不存在 (no such database file): {file}")
            # mode=rw: should the file vanish after this check, SQLite refuses instead of creating it.
            kwargs["creator"] = lambda: sqlite3.connect(f"{file.as_uri()}?mode=rw", uri=True, isolation_level=None,
                                                        timeout=busy, check_same_thread=False)
    # Let SQLAlchemy, not pysqlite, emit BEGIN, so writers can BEGIN IMMEDIATE:
    # the write lock is taken before the version check, not after it.
    engine = create_engine(url, connect_args=connect_args, **kwargs)

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn, _record):  # noqa: ANN001
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout={int(busy * 1000)}")
        # Switching to WAL writes a header into an empty file; a file we may not create stays untouched.
        if create or cur.execute("PRAGMA page_count").fetchone()[0] > 0:
            cur.execute("PRAGMA journal_mode=WAL")
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


def _first_line(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None)
    text = str(orig if orig is not None else exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _is_connection_error(exc: DBAPIError) -> bool:
    """Lost or refused connections, as opposed to e.g. a SQLite 'database is locked'."""
    text = str(exc.orig or exc).lower()
    return any(word in text for word in (
        "connection", "server closed", "could not connect", "terminating", "unable to open database",
        "disk i/o error", "no such file", "timeout expired",
    ))


# SQLite result codes (sqlite3.Error.sqlite_errorname) -> what the operator reads.
_SQLITE_REASONS = (
    (("SQLITE_BUSY", "SQLITE_LOCKED"), "数据库被其他写入者锁定，等待 {busy:g} 秒后放弃，操作未执行 "
                                       "(database locked by another writer past the {busy:g} s busy timeout)"),
    (("SQLITE_FULL",), "磁盘已满或数据库已达大小上限，操作未执行 (database or disk is full)"),
    (("SQLITE_READONLY",), "数据库文件只读，无法写入，操作未执行 (read-only database)"),
    (("SQLITE_NOTADB",), "文件不是 SQLite 数据库 (file is not a database)"),
    (("SQLITE_CORRUPT",), "数据库文件已损坏或被截断 (database file corrupted or truncated)"),
    (("SQLITE_CANTOPEN",), "无法打开数据库文件 (cannot open the database file)"),
    (("SQLITE_IOERR",), "读写数据库文件出错，操作未执行 (disk I/O error)"),
    (("SQLITE_PERM", "SQLITE_AUTH"), "没有访问数据库文件的权限 (permission denied)"),
)
# PostgreSQL SQLSTATEs a command cannot fix by itself.
_PG_REASONS = {
    "57014": "查询超过 {statement:g} 秒未完成，已取消 (statement timeout)",
    "53100": "数据库服务器磁盘已满，操作未执行 (disk full on the server)",
    "53200": "数据库服务器内存不足，操作未执行 (out of memory on the server)",
    "25006": "数据库只读，无法写入，操作未执行 (read-only transaction)",
}


def database_problem(exc: BaseException, where: str, *, busy: float = BUSY_TIMEOUT_S,
                     statement: float = SEAT_STATEMENT_TIMEOUT_S, connecting: bool = False) -> str | None:
    """One line naming the database and what is wrong with it, or None when it is not the database's fault."""
    orig = getattr(exc, "orig", exc)
    name = getattr(orig, "sqlite_errorname", None) or ""
    for prefixes, reason in _SQLITE_REASONS:
        if name.startswith(prefixes):
            return f"{reason.format(busy=busy)}: {where}"
    sqlstate = getattr(orig, "sqlstate", None)
    if sqlstate in _PG_REASONS:
        return f"{_PG_REASONS[sqlstate].format(statement=statement)}: {where}"
    if connecting and isinstance(exc, DBAPIError):
        return f"无法连接数据库 (cannot reach the database) {where}: {_first_line(exc)}"
    if isinstance(exc, (OperationalError, InterfaceError)) and (
            (isinstance(exc, DBAPIError) and exc.connection_invalidated) or _is_connection_error(exc)):
        return f"数据库连接中断，操作未执行，请稍后重试 (database unreachable: {where}): {_first_line(exc)}"
    return None


class Database:
    """One database: its engine, a read session factory and a write session factory.

    `create=False` opens only an existing SQLite file; `statement_timeout` (seconds,
    PostgreSQL) bounds every statement, as a seat's reads need.
    """

    def __init__(self, url: str | None = None, *, engine: Engine | None = None, create: bool = True,
                 connect_timeout: float | None = None, statement_timeout: float | None = None,
                 busy_timeout: float | None = None) -> None:
        self.url = normalise_url(url or default_url())
        self.where = redact(self.url)
        self.secrets = url_secrets(self.url)
        self.busy_timeout = busy_seconds(self.url, busy_timeout) if self.url.startswith("sqlite") else BUSY_TIMEOUT_S
        self.statement_timeout = statement_timeout
        self.engine = engine or make_engine(self.url, create=create, connect_timeout=connect_timeout,
                                            statement_timeout=statement_timeout, busy_timeout=busy_timeout)
        self._reader = sessionmaker(self.engine, expire_on_commit=False)
        self._writer = sessionmaker(self.engine.execution_options(write=True), expire_on_commit=False)
        event.listen(self._writer, "before_flush", check_lengths)
        event.listen(self._reader, "before_flush", check_lengths)
        self._rules = None

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @property
    def is_postgres(self) -> bool:
        return self.dialect == "postgresql"

    def __repr__(self) -> str:
        return f"Database({self.where})"

    def redact(self, text: str) -> str:
        """`text` without this database's password, in any form it might appear."""
        return redact(text, self.secrets)

    @contextmanager
    def read(self) -> Iterator[Session]:
        # close() ends the transaction without expiring what was loaded, so
        # rows read here stay readable after the block.
        with self.guard(), self._reader() as session:
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One transaction: commit on success, roll back everything on any error."""
        with self.guard(), self._writer() as session, session.begin():
            yield session

    @contextmanager
    def guard(self) -> Iterator[None]:
        """A lost connection, a locked, full, read-only or broken file: one clear DatabaseUnavailable."""
        try:
            yield
        except DBAPIError as exc:
            problem = self.problem(exc)
            if problem is None:
                raise
            raise DatabaseUnavailable(problem) from exc

    def problem(self, exc: BaseException, *, connecting: bool = False) -> str | None:
        """What `exc` says is wrong with this database, as one redacted line (None: not the database)."""
        problem = database_problem(exc, self.where, busy=self.busy_timeout, connecting=connecting,
                                   statement=self.statement_timeout or SEAT_STATEMENT_TIMEOUT_S)
        return self.redact(problem) if problem else None

    def check(self) -> None:
        """Connect and read the schema once; a clear DatabaseUnavailable instead of a driver traceback."""
        probe = "SELECT count(*) FROM sqlite_master" if self.dialect == "sqlite" else "SELECT 1"
        try:
            with self.engine.connect() as conn:
                conn.execute(text(probe))
        except DBAPIError as exc:
            raise DatabaseUnavailable(self.problem(exc, connecting=True)) from exc

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

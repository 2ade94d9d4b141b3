"""The change log as the live feed reads it: its SQL and its dedicated connections.

The feed (console.services.feed) keeps one connection of its own outside SQLAlchemy's
pool: psycopg for LISTEN on PostgreSQL, sqlite3 for ``PRAGMA data_version`` on
SQLite.  This module opens them and holds every query the feed runs, written once
for both backends (only the placeholder differs), so no SQL text lives above the
data layer.  Rows come back as plain :class:`ChangeRow` tuples.
"""
from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any, NamedTuple, Sequence

import psycopg
from sqlalchemy.engine import make_url

from console.data.db import NOTIFY_CHANNEL

# What a broken or refused connection raises, per backend: the feed's "down".
PG_ERRORS: tuple[type[BaseException], ...] = (psycopg.Error, OSError)
SQLITE_ERRORS: tuple[type[BaseException], ...] = (sqlite3.Error, OSError)

# The channel is our own constant identifier, so it is quoted, not bound.
LISTEN_SQL = f'LISTEN "{NOTIFY_CHANNEL}"'
MAX_REV_SQL = "SELECT coalesce(max(rev), 0) FROM change_log"
DATA_VERSION_SQL = "PRAGMA data_version"
_FETCH_SQL = ("SELECT rev, entity, entity_id, op, street_code FROM change_log "
              "WHERE rev > {p}{holes} ORDER BY rev LIMIT {p}")


class ChangeRow(NamedTuple):
    """One change-log row as the feed delivers it."""

    rev: int
    entity: str
    entity_id: str
    op: str
    street_code: str | None


def fetch_sql(holes: int, placeholder: str) -> str:
    """Rows after a revision, plus `holes` missing revisions below it, in order."""
    marks = ", ".join([placeholder] * holes)
    return _FETCH_SQL.format(p=placeholder, holes=f" OR rev IN ({marks})" if holes else "")


def _placeholder(conn: Any) -> str:
    return "?" if isinstance(conn, sqlite3.Connection) else "%s"


def fetch_after(conn: Any, after: int, holes: Sequence[int], limit: int) -> list[ChangeRow]:
    """Rows with ``rev > after`` or ``rev in holes`` (at most `limit`), on either backend's connection."""
    query = fetch_sql(len(holes), _placeholder(conn))
    rows = conn.execute(query, (after, *holes, limit)).fetchall()
    return [ChangeRow(int(r[0]), r[1], r[2], r[3], r[4]) for r in rows]


def max_rev(conn: Any) -> int:
    """The log's top revision (0 when empty): the heartbeat's query."""
    return int(conn.execute(MAX_REV_SQL).fetchone()[0])


# --- PostgreSQL ------------------------------------------------------------------------------


def pg_dsn(url: str) -> str:
    """A libpq DSN from our SQLAlchemy URL (``postgresql+psycopg://`` -> ``postgresql://``)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def open_listener(dsn: str, **options: Any) -> psycopg.Connection:
    """An autocommit connection LISTENing on the change channel (options: libpq keywords)."""
    conn = psycopg.connect(dsn, autocommit=True, **options)
    try:
        conn.execute(LISTEN_SQL)
    except BaseException:
        conn.close()
        raise
    return conn


def take_notifies(conn: psycopg.Connection) -> list[str]:
    """The payloads of the notifications waiting on a listener, without blocking.

    Raises ``OSError`` when the server has closed the connection (a read of a closed
    socket can look like "nothing yet").
    """
    payloads = [note.payload for note in conn.notifies(timeout=0)]
    if conn.closed or conn.broken:
        raise OSError("server closed the connection")
    return payloads


# --- SQLite ----------------------------------------------------------------------------------


def sqlite_path(url: str) -> Path | None:
    """The database file of a SQLite URL, or None for an in-memory database."""
    database = make_url(url).database
    if not database or database == ":memory:" or database.startswith("file::memory:"):
        return None
    return Path(database).absolute()


def open_sqlite_reader(path: Path, *, busy_timeout_s: float = 2.0) -> sqlite3.Connection:
    """A connection to an existing file (mode=rw: a missing file is an error, never a new database)."""
    return sqlite3.connect(f"{path.as_uri()}?mode=rw", uri=True, isolation_level=None,
                           timeout=busy_timeout_s, check_same_thread=False)


def data_version(conn: sqlite3.Connection) -> int:
    """Changes when any *other* connection commits (this process's pool included)."""
    return int(conn.execute(DATA_VERSION_SQL).fetchone()[0])

"""Database credentials: from the URL, the environment or a .pgpass, never the settings file.

A seat remembers which database it uses (a settings entry), but only the URL
*without* its password: the password comes from where libpq already looks for
it, in this order: the URL given on the command line, ``PGPASSWORD``, the file
named by ``PGPASSFILE`` or ``~/.pgpass`` (``%APPDATA%\\postgresql\\pgpass.conf``
on Windows).  psycopg reads the last two by itself when the URL has no password.

This module takes a plain ``MutableMapping`` as the settings store, so it stays
free of Qt; a widget hands it a small adapter over ``QSettings``.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Mapping, MutableMapping

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from console.data.db import ENV_DB, SECRET_QUERY_KEYS, DatabaseUnavailable, normalise_url, redact

SETTINGS_KEY = "database/url"


def settings_safe_url(url: str) -> str:
    """The URL without any password (user info or query), fit to be stored or shown."""
    url = normalise_url(url)
    try:
        parsed = make_url(url)
    except ArgumentError as exc:  # normalise_url already vets it; keep the message clear anyway
        raise DatabaseUnavailable(f"数据库地址无法解析 (bad database URL): {redact(url)!r}") from exc
    query = {k: v for k, v in parsed.query.items() if k.lower() not in SECRET_QUERY_KEYS}
    # URL.set() ignores None, so rebuild the URL without its password.
    bare = URL.create(parsed.drivername, username=parsed.username, password=None, host=parsed.host,
                      port=parsed.port, database=parsed.database, query=query)
    return bare.render_as_string(hide_password=False)


def has_password(url: str) -> bool:
    """True when the URL itself carries a password (in the user info or the query)."""
    parsed = make_url(normalise_url(url))
    return parsed.password is not None or any(k.lower() in SECRET_QUERY_KEYS for k in parsed.query)


def save_database_url(settings: MutableMapping[str, Any], url: str, *, key: str = SETTINGS_KEY) -> str:
    """Remember the database a seat uses: only the password-less URL is stored; returns it."""
    safe = settings_safe_url(url)
    settings[key] = safe
    return safe


def load_database_url(settings: Mapping[str, Any], *, key: str = SETTINGS_KEY) -> str | None:
    """The remembered URL; a password that somehow got there is dropped, not used."""
    value = settings.get(key)
    if not value:
        return None
    return settings_safe_url(str(value))


def resolve_database_url(explicit: str | None, settings: Mapping[str, Any] | None = None, *,
                         environ: Mapping[str, str] | None = None, key: str = SETTINGS_KEY) -> str | None:
    """Which database to open: the command line, then URBAN_CONSOLE_DB, then the settings.

    None means "use the embedded default" (console.data.db.default_url).
    """
    environ = os.environ if environ is None else environ
    if explicit:
        return normalise_url(explicit)
    if environ.get(ENV_DB):
        return normalise_url(environ[ENV_DB])
    if settings is not None:
        return load_database_url(settings, key=key)
    return None


def password_source(url: str, *, environ: Mapping[str, str] | None = None) -> str:
    """Where the password for a PostgreSQL URL will come from: url | PGPASSWORD | pgpass | none.

    For the connection dialog's hint; SQLite has no password ("none").
    """
    environ = os.environ if environ is None else environ
    parsed = make_url(normalise_url(url))
    if not parsed.drivername.startswith("postgresql"):
        return "none"
    if has_password(url):
        return "url"
    if environ.get("PGPASSWORD"):
        return "PGPASSWORD"
    if _pgpass_file(environ).is_file():
        return "pgpass"
    return "none"


def _pgpass_file(environ: Mapping[str, str]) -> Path:
    if environ.get("PGPASSFILE"):
        return Path(environ["PGPASSFILE"])
    if os.name == "nt":
        return Path(environ.get("APPDATA", "")) / "postgresql" / "pgpass.conf"
    return Path.home() / ".pgpass"


def pgpass_line(url: str, password: str) -> str:
    """The .pgpass line (host:port:database:user:password) for a URL, ':' and '\\' escaped."""
    parsed = make_url(normalise_url(url))

    def esc(value: object) -> str:
        return str(value).replace("\\", "\\\\").replace(":", "\\:")

    fields = [parsed.host or "localhost", parsed.port or 5432, parsed.database or "*", parsed.username or "*", password]
    return ":".join(esc(f) for f in fields)


__all__ = [
    "SETTINGS_KEY", "has_password", "load_database_url", "password_source", "pgpass_line",
    "resolve_database_url", "save_database_url", "settings_safe_url",
]

"""Database credentials come from the URL, the environment or a .pgpass; never the settings file."""
from __future__ import annotations

import uuid
from collections import UserDict

import pytest
from sqlalchemy import text

from console.data.credentials import (
    SETTINGS_KEY,
    has_password,
    load_database_url,
    password_source,
    pgpass_line,
    resolve_database_url,
    save_database_url,
    settings_safe_url,
)
from console.data.db import ENV_DB, Database
from tests.conftest import pg_admin, pg_url

SECRET = "s3cr:et@pw"  # a password with URL-special characters


class SpySettings(UserDict):
    """A settings store that remembers every value ever written to it."""

    def __init__(self) -> None:
        super().__init__()
        self.writes: list[tuple[str, object]] = []

    def __setitem__(self, key, value) -> None:  # noqa: ANN001
        self.writes.append((key, value))
        super().__setitem__(key, value)


def _with_password(url: str, password: str = SECRET) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).set(password=password).render_as_string(hide_password=False)


@pytest.mark.parametrize("url, safe", [
    ("postgresql://hall:pw@db.example:5433/urban", "postgresql+psycopg://hall@db.example:5433/urban"),
    ("postgresql+psycopg://hall:p%40ss%3Aw@10.0.0.5/urban?sslmode=require",
     "postgresql+psycopg://hall@10.0.0.5/urban?sslmode=require"),
    ("postgresql://hall@db/urban?password=pw&application_name=seat1",
     "postgresql+psycopg://hall@db/urban?application_name=seat1"),
    ("postgresql://hall@db/urban", "postgresql+psycopg://hall@db/urban"),
    ("sqlite:////var/lib/urban/console.db", "sqlite:////var/lib/urban/console.db"),
])
def test_settings_safe_url_strips_every_password(url, safe):
    assert settings_safe_url(url) == safe
    assert not has_password(settings_safe_url(url))


def test_saving_stores_only_the_password_less_url():
    settings = SpySettings()
    url = _with_password("postgresql://hall@db.example:5432/urban")
    assert has_password(url)
    stored = save_database_url(settings, url)
    assert stored == "postgresql+psycopg://hall@db.example:5432/urban"
    assert settings.writes == [(SETTINGS_KEY, stored)]
    for key, value in settings.writes:
        assert SECRET not in str(value) and "s3cr" not in str(value), f"password written under {key}"
    assert load_database_url(settings) == stored


def test_a_password_already_in_old_settings_is_not_used():
    settings = {SETTINGS_KEY: "postgresql://hall:leaked@db/urban"}
    assert load_database_url(settings) == "postgresql+psycopg://hall@db/urban"
    assert load_database_url({}) is None


def test_which_url_wins():
    settings = {SETTINGS_KEY: "postgresql://hall@saved/urban"}
    env = {ENV_DB: "postgresql://hall:pw@from-env/urban"}
    assert resolve_database_url("postgresql://hall@cli/urban", settings, environ=env) == \
        "postgresql+psycopg://hall@cli/urban"
    # The command line and the environment are the person's own: their password is used, not stored.
    assert resolve_database_url(None, settings, environ=env) == "postgresql+psycopg://hall:pw@from-env/urban"
    assert resolve_database_url(None, settings, environ={}) == "postgresql+psycopg://hall@saved/urban"
    assert resolve_database_url(None, None, environ={}) is None


def test_password_source(tmp_path):
    url = "postgresql://hall@db/urban"
    missing = str(tmp_path / "none")
    assert password_source("postgresql://hall:pw@db/urban", environ={}) == "url"
    assert password_source(url, environ={"PGPASSWORD": "x", "PGPASSFILE": missing}) == "PGPASSWORD"
    pgpass = tmp_path / "pgpass"
    pgpass.write_text(pgpass_line(url, SECRET) + "\n")
    assert password_source(url, environ={"PGPASSFILE": str(pgpass)}) == "pgpass"
    assert password_source(url, environ={"PGPASSFILE": missing}) == "none"
    assert password_source("sqlite:////tmp/x.db", environ={}) == "none"
    assert pgpass_line(url, SECRET) == "db:5432:urban:hall:s3cr\\:et@pw"


def test_a_url_without_password_connects_with_a_pgpass_file(tmp_path, monkeypatch):
    """The stored URL has no password; libpq takes it from PGPASSFILE (the local server trusts
    127.0.0.1, so this proves the stored URL is enough to connect, and that no password travels
    through the settings)."""
    admin = pg_admin()
    name = f"uc_cred_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        full = _with_password(pg_url(name))
        settings = SpySettings()
        stored = save_database_url(settings, full)
        assert not has_password(stored) and SECRET not in repr(settings.writes)

        pgpass = tmp_path / "pgpass"
        pgpass.write_text(pgpass_line(stored, SECRET) + "\n")
        pgpass.chmod(0o600)  # libpq ignores a .pgpass others can read
        monkeypatch.setenv("PGPASSFILE", str(pgpass))
        monkeypatch.delenv("PGPASSWORD", raising=False)
        assert password_source(stored) == "pgpass"

        db = Database(load_database_url(settings))
        try:
            db.check()
            with db.engine.connect() as conn:
                assert conn.execute(text("SELECT current_database()")).scalar() == name
            assert SECRET not in repr(db) and SECRET not in db.url
        finally:
            db.dispose()
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

"""Test fixtures: offscreen Qt, and the same databases on SQLite and PostgreSQL.

Every test that takes `db` runs twice: on an embedded SQLite file and on a
fresh database of the real PostgreSQL server (URBAN_CONSOLE_TEST_PG, default
postgres@127.0.0.1:5432).  A missing server fails the run: it never skips.
"""
from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from pathlib import Path

# The suite never reads or writes the real user's files: settings, the default
# database and caches land in one sandbox per run (tests/test_user_files.py proves it).
# Set before Qt or platformdirs look; subprocesses (the CLI tests) inherit it.
SANDBOX = Path(os.environ.get("URBAN_CONSOLE_TEST_SANDBOX") or tempfile.mkdtemp(prefix="uc-test-home-"))
for _var, _sub in (("XDG_CONFIG_HOME", "config"), ("XDG_DATA_HOME", "data"), ("XDG_CACHE_HOME", "cache"),
                   ("XDG_STATE_HOME", "state")):
    os.environ[_var] = str(SANDBOX / _sub)
    (SANDBOX / _sub).mkdir(parents=True, exist_ok=True)

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QTWEBENGINE_CHROMIUM_FLAGS", "--no-sandbox")

import pytest
from sqlalchemy import create_engine, text

from console.data.db import Database
from console.data.demo.tiny import seed_tiny_city
from console.data.schema import upgrade

PG_ADMIN_URL = os.environ.get("URBAN_CONSOLE_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
RUN_ID = uuid.uuid4().hex[:8]

pytest_plugins = ["tests.qt_leaks"]  # the `qt_leaks` fixture: Qt tests leave nothing running


@pytest.fixture(scope="session", autouse=True)
def user_files_sandbox():
    """The run's own XDG directories (set above, before any import looked); removed at the end."""
    yield SANDBOX
    if not os.environ.get("URBAN_CONSOLE_TEST_SANDBOX"):
        shutil.rmtree(SANDBOX, ignore_errors=True)


def pg_admin():
    engine = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001 - turn any driver error into one clear failure
        pytest.fail(f"PostgreSQL test server unreachable at {PG_ADMIN_URL}: {exc}. "
                    "The suite runs every data test on PostgreSQL too; start the server.", pytrace=False)
    return engine


def pg_url(name: str) -> str:
    return PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name


# --- a tiny city every data test can rely on (console.data.demo.tiny: the feed benchmark uses it too)


@pytest.fixture(scope="session")
def template_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("templates")


@pytest.fixture(scope="session")
def sqlite_template(template_dir: Path) -> Path:
    path = template_dir / "tiny.db"
    db = Database(f"sqlite:///{path}")
    upgrade(db)
    seed_tiny_city(db)
    with db.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    db.dispose()
    return path


@pytest.fixture(scope="session")
def pg_template():
    admin = pg_admin()
    name = f"uc_tpl_{RUN_ID}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    db = Database(pg_url(name))
    upgrade(db)
    seed_tiny_city(db)
    db.dispose()
    yield name
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request, tmp_path):
    """A fresh database holding the tiny city, on each backend."""
    if request.param == "sqlite":
        template = request.getfixturevalue("sqlite_template")
        path = tmp_path / "console.db"
        shutil.copy(template, path)
        database = Database(f"sqlite:///{path}")
        yield database
        database.dispose()
        return
    yield from _fresh_pg_database(request.getfixturevalue("pg_template"))


@pytest.fixture
def pg_db(pg_template):
    """A fresh PostgreSQL database holding the tiny city (tests about networks and servers)."""
    yield from _fresh_pg_database(pg_template)


def _fresh_pg_database(template: str):
    admin = pg_admin()
    name = f"uc_t_{RUN_ID}_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    database = Database(pg_url(name))
    yield database
    database.dispose()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def empty_db(request, tmp_path):
    """An empty database with only the schema (SQLite)."""
    database = Database(f"sqlite:///{tmp_path / 'empty.db'}")
    upgrade(database)
    yield database
    database.dispose()

"""Test fixtures: offscreen Qt, and the same databases on SQLite and PostgreSQL.

Every test that takes `db` runs twice: on an embedded SQLite file and on a
fresh database of the real PostgreSQL server (URBAN_CONSOLE_TEST_PG, default
postgres@127.0.0.1:5432).  A missing server fails the run: it never skips.
"""
from __future__ import annotations

import os
import shutil
import uuid
from datetime import date, datetime, timezone
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QTWEBENGINE_CHROMIUM_FLAGS", "--no-sandbox")

import pytest
import shapely
from sqlalchemy import create_engine, text

from console.data import models as m
from console.data.db import Database
from console.data.reference import demo_catalogue, demo_rules, install_catalogue, install_settings
from console.data.schema import upgrade

PG_ADMIN_URL = os.environ.get("URBAN_CONSOLE_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
RUN_ID = uuid.uuid4().hex[:8]


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


# --- a tiny city every data test can rely on --------------------------------------------------

DISTRICT = "350402"
STREETS = {"350402001": "列东街道", "350402002": "列西街道"}


def tiny_city_geometry() -> dict[str, dict[str, shapely.Geometry]]:
    """2 streets x 2 communities x 2 grids over a 0.04 x 0.02 degree box."""
    x0, y0 = 117.60, 26.26
    streets, communities, grids = {}, {}, {}
    for si, street in enumerate(STREETS):
        sx = x0 + si * 0.02
        streets[street] = shapely.box(sx, y0, sx + 0.02, y0 + 0.02)
        for ci in range(2):
            community = f"{street}{ci + 1:03d}"
            cy = y0 + ci * 0.01
            communities[community] = shapely.box(sx, cy, sx + 0.02, cy + 0.01)
            for gi in range(2):
                gx = sx + gi * 0.01
                grids[f"{community}{gi + 1:03d}"] = shapely.box(gx, cy, gx + 0.01, cy + 0.01)
    return {"district": shapely.box(x0, y0, x0 + 0.04, y0 + 0.02), "streets": streets,
            "communities": communities, "grids": grids}


def seed_tiny_city(db: Database) -> None:
    geo = tiny_city_geometry()
    now = datetime(2026, 1, 1, tzinfo=timezone.utc)
    with db.write() as s:
        install_catalogue(s, demo_catalogue())
        install_settings(s, demo_rules())
        d = m.District(code=DISTRICT, name="三元区", area_km2=8.0)
        d.set_geometry(geo["district"])
        s.add(d)
        s.flush()
        for code, geom in geo["streets"].items():
            row = m.Street(code=code, district_code=DISTRICT, name=STREETS[code])
            row.set_geometry(geom)
            s.add(row)
        s.flush()
        for code, geom in geo["communities"].items():
            row = m.Community(code=code, street_code=code[:9], name=f"社区{code[-3:]}")
            row.set_geometry(geom)
            s.add(row)
        s.flush()
        for code, geom in geo["grids"].items():
            row = m.UnitGrid(code=code, community_code=code[:12], street_code=code[:9], area_m2=1e6,
                             valid_from=date(2020, 1, 1))
            row.set_geometry(geom)
            s.add(row)
        s.add_all([
            m.Department(id=1, code="SZ", name="市政公用事业服务中心", kind="professional"),
            m.Department(id=2, code="HW", name="环卫处", kind="professional"),
            m.Department(id=3, code="LD", name="列东街道办事处", kind="street", street_code="350402001"),
        ])
        s.flush()
        s.add_all([
            m.RoutingRule(major_code="06", department_id=2),
            m.RoutingRule(major_code="01", department_id=1),
            m.RoutingRule(major_code="09", street_code="350402001", department_id=3),
        ])
        _ = now


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

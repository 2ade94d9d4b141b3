"""PostgreSQL: the consoles' role cannot rewrite or delete an audit event, by any statement.

`urban-console db upgrade --app-role NAME`, run as the schema owner, leaves the owner owning
everything (taking over what the app role owned, as when it once ran the migrations itself)
and grants the app role only what the console needs.  The app role then runs the workflow
as usual, and every way we know to change history fails.
"""
from __future__ import annotations

import re
import sqlite3
import uuid

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.exc import DatabaseError

from console.cli import main
from console.data import models as m
from console.data.accounts import SignInError, add_user, authenticate
from console.data.case_record import timeline
from console.data.db import Database
from console.data.demo.tiny import seed_tiny_city
from console.data.schema import upgrade
from tests.conftest import RUN_ID, pg_admin, pg_url
from tests.data.test_commands import INTAKE, new_case, step

ATTACKS = [
    "UPDATE case_events SET note = '篡改'",
    "DELETE FROM case_events",
    "TRUNCATE case_events",
    "TRUNCATE cases CASCADE",
    "DELETE FROM cases",
    "UPDATE cases SET id = id + 1000000",
    "INSERT INTO case_events (id, case_id, at, action, to_state, version, operator_name, role, note) "
    "SELECT id, case_id, at, action, to_state, version, operator_name, role, '篡改' FROM case_events "
    "ON CONFLICT (id) DO UPDATE SET note = excluded.note",
    "ALTER TABLE case_events DISABLE TRIGGER case_events_no_update_delete",
    "ALTER TABLE case_events DISABLE TRIGGER ALL",
    "DROP TRIGGER case_events_no_update_delete ON case_events",
    "CREATE OR REPLACE FUNCTION case_events_append_only() RETURNS trigger LANGUAGE plpgsql "
    "AS $$ BEGIN RETURN NEW; END $$",
    "CREATE TRIGGER sneak BEFORE INSERT ON case_events FOR EACH ROW EXECUTE FUNCTION suppress_redundant_updates_trigger()",
    "CREATE RULE sneak AS ON INSERT TO case_events DO INSTEAD NOTHING",
    "DROP TABLE case_events CASCADE",
    "ALTER TABLE case_events RENAME TO old_events",
    "ALTER TABLE case_events OWNER TO CURRENT_USER",
    "ALTER TABLE case_events DROP CONSTRAINT case_events_case_id_fkey",
    "DROP SCHEMA public CASCADE",
    # A grant without the grant option is only a warning in PostgreSQL; the update after it still fails.
    ("GRANT UPDATE, DELETE ON case_events TO CURRENT_USER", "UPDATE case_events SET note = '篡改'"),
    "SET session_replication_role = replica",
    "SET ROLE postgres",
    "CREATE TABLE public.sneak (id int)",
]


@pytest.fixture(params=["readme", "app-owned"])
def hall(request):
    """A hall database with the tiny city and one case, set up two ways:

    readme:    the README's hall set-up: an owner role (not a superuser) owns the database and
               ran the migrations; the app role exists, with nothing granted yet;
    app-owned: the app role owned the database and ran the migrations itself, as before this
               command existed; the superuser `postgres` runs `db upgrade --app-role`.
    """
    admin = pg_admin()
    tag = f"{RUN_ID}_{uuid.uuid4().hex[:6]}"
    role, name = f"uc_app_{tag}", f"uc_hall_{tag}"
    owner = f"uc_owner_{tag}" if request.param == "readme" else "postgres"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE ROLE "{role}" LOGIN'))
        if request.param == "readme":
            conn.execute(text(f'CREATE ROLE "{owner}" LOGIN'))
        conn.execute(text(f'CREATE DATABASE "{name}" OWNER "{owner if request.param == "readme" else role}"'))
    builder = role if request.param == "app-owned" else owner
    as_builder = Database(_as(pg_url(name), builder))
    upgrade(as_builder)
    seed_tiny_city(as_builder)
    number, version = new_case(as_builder)
    as_builder.dispose()
    as_app = Database(_as(pg_url(name), role))
    yield {"role": role, "owner": owner, "owner_url": _as(pg_url(name), owner), "app": as_app,
           "case": (number, version), "built_by": builder}
    as_app.dispose()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'DROP ROLE IF EXISTS "{role}"'))
        if owner != "postgres":
            conn.execute(text(f'DROP ROLE IF EXISTS "{owner}"'))
    admin.dispose()


def _as(url: str, user: str) -> str:
    return url.replace("//postgres@", f"//{user}@")


def _events(db: Database) -> list[tuple]:
    with db.read() as s:
        return [tuple(r) for r in s.execute(text("SELECT * FROM case_events ORDER BY id"))]


def _owners(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return set(conn.scalars(text(
                "SELECT DISTINCT pg_get_userbyid(relowner) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = 'public' UNION SELECT pg_get_userbyid(proowner) FROM pg_proc p "
                "JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public' "
                "UNION SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = current_database()")))
    finally:
        engine.dispose()


def test_the_app_role_cannot_rewrite_or_delete_an_event(hall, capsys):
    role, app = hall["role"], hall["app"]
    if hall["built_by"] == role:
        with app.write() as s:  # before: as the owner of everything it could, e.g., switch the trigger off
            s.execute(text("ALTER TABLE case_events DISABLE TRIGGER case_events_no_update_delete"))
            s.execute(text("ALTER TABLE case_events ENABLE TRIGGER case_events_no_update_delete"))
    assert main(["db", "upgrade", "--db", hall["owner_url"], "--app-role", role]) == 0
    out = capsys.readouterr().out
    assert "case_events" in out and hall["owner"] in out
    assert _owners(hall["owner_url"]) == {hall["owner"]}
    app.engine.dispose()  # reconnect: privileges are checked per statement anyway
    before = _events(app)
    refused = []
    for statement in ATTACKS:
        try:
            with app.write() as s:
                for part in (statement,) if isinstance(statement, str) else statement:
                    s.execute(text(part))
        except DatabaseError as exc:
            refused.append(statement)
            assert "permission denied" in str(exc.orig) or "must be owner" in str(exc.orig) \
                or "append-only" in str(exc.orig) or "foreign key" in str(exc.orig), (statement, str(exc.orig))
    assert refused == ATTACKS
    assert _events(app) == before and len(before) == 1


def test_the_app_role_runs_the_console(hall):
    """What a seat does: report, act, add an account, sign in (the lockout writes), presence."""
    from console.data import presence

    role, app = hall["role"], hall["app"]
    assert main(["db", "upgrade", "--db", hall["owner_url"], "--app-role", role]) == 0
    number, version = hall["case"]
    step(app, INTAKE, number, version, "forward")
    new_case(app)
    add_user(app, "intake9", "intake", password="demo1234")
    with pytest.raises(SignInError):
        authenticate(app, "intake9", "wrong password")
    assert authenticate(app, "intake9", "demo1234").username == "intake9"
    with app.read() as s:
        case_id = s.scalar(select(m.Case.id).where(m.Case.number == number))
    presence.open_case(app, INTAKE, case_id)
    assert [e.action for e in timeline(app, number)] == ["report", "forward"]


def test_running_it_again_after_an_upgrade_is_the_same(hall, capsys):
    role = hall["role"]
    assert main(["db", "upgrade", "--db", hall["owner_url"], "--app-role", role]) == 0
    assert ("ownership taken" in capsys.readouterr().out) == (hall["built_by"] == role)
    assert main(["db", "upgrade", "--db", hall["owner_url"], "--app-role", role]) == 0
    assert "ownership taken" not in capsys.readouterr().out  # nothing left to take over
    engine = create_engine(hall["owner_url"])
    with engine.connect() as conn:
        grants = set(conn.execute(text(
            "SELECT table_name, privilege_type FROM information_schema.role_table_grants WHERE grantee = :r"),
            {"r": role}))
    engine.dispose()
    assert {p for t, p in grants if t == "case_events"} == {"SELECT", "INSERT"}
    assert {p for t, p in grants if t == "cases"} == {"SELECT", "INSERT", "UPDATE"}
    assert not any(p in ("TRUNCATE", "TRIGGER", "REFERENCES") for _, p in grants)


@pytest.mark.parametrize("argv, needle", [
    (["--app-role", "Bad-Name"], "Bad-Name"),
    (["--app-role", "OWNER"], "属主"),
    (["--app-role", "postgres"], "超级用户|属主"),  # the owner itself in the app-owned set-up
])
def test_a_bad_app_role_is_one_line_and_changes_nothing(hall, capsys, argv, needle):
    before = _owners(hall["owner_url"])
    argv = [hall["owner"] if a == "OWNER" else a for a in argv]
    code = main(["db", "upgrade", "--db", hall["owner_url"], *argv])
    err = capsys.readouterr().err
    assert code != 0 and len(err.strip().splitlines()) == 1 and re.search(needle, err), err
    assert _owners(hall["owner_url"]) == before == {hall["built_by"]}  # nothing taken over


def test_app_role_on_sqlite_is_refused(tmp_path, capsys):
    code = main(["db", "upgrade", "--db", f"sqlite:///{tmp_path / 'x.db'}", "--app-role", "uc_app"])
    err = capsys.readouterr().err
    assert code != 0 and "PostgreSQL" in err and len(err.strip().splitlines()) == 1
    with sqlite3.connect(tmp_path / "x.db") as conn:  # refused before migrating: no table was made
        assert conn.execute("SELECT count(*) FROM sqlite_master").fetchone() == (0,)


def test_a_missing_app_role_is_created_only_by_a_role_that_may(hall, capsys):
    role = hall["role"] + "_new"
    code = main(["db", "upgrade", "--db", hall["owner_url"], "--app-role", role])
    captured = capsys.readouterr()
    admin = pg_admin()
    try:
        with admin.connect() as conn:
            exists = conn.scalar(text("SELECT count(*) FROM pg_roles WHERE rolname = :r"), {"r": role}) == 1
        if hall["owner"] == "postgres":  # a superuser creates it, and says so
            assert code == 0 and exists and "ALTER ROLE" in captured.out
        else:  # the README's owner has no CREATEROLE: one clear line, nothing changed
            assert code != 0 and not exists and len(captured.err.strip().splitlines()) == 1
            assert "permission denied" in captured.err and role in captured.err
    finally:
        _drop_role(hall, role)
        admin.dispose()


def _drop_role(hall, role: str) -> None:
    """A role with privileges in the hall database is dropped after those are."""
    engine = create_engine(hall["owner_url"].replace(f"//{hall['owner']}@", "//postgres@"),
                           isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        if conn.scalar(text("SELECT count(*) FROM pg_roles WHERE rolname = :r"), {"r": role}):
            conn.execute(text(f'DROP OWNED BY "{role}"'))
            conn.execute(text(f'DROP ROLE "{role}"'))
    engine.dispose()

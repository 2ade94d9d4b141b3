"""PostgreSQL: the schema owner and the application role are two roles (`db upgrade --app-role`).

The role that runs the migrations owns every table, the triggers and the database.  The
consoles connect as the application role, which gets only what they need: it can append audit
events but has no UPDATE, DELETE or TRUNCATE on them, no DELETE on cases (a case's deletion
would cascade to its events), and owns nothing, so it cannot drop or disable a trigger, replace
the trigger function, or drop the schema.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

from console.data.commands import CommandError
from console.data.db import Database

# What the application role may not do on a table beyond SELECT, INSERT, UPDATE, DELETE.
WITHHELD = {
    "case_events": ("UPDATE", "DELETE"),  # the audit trail is appended, never rewritten
    "cases": ("DELETE",),  # cascades to the audit trail
    "alembic_version": ("INSERT", "UPDATE", "DELETE"),  # migrations are the owner's
}
_ROLE_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")


@dataclass
class RoleSetup:
    owner: str
    app_role: str
    created: bool = False
    taken_over: list[str] = field(default_factory=list)  # objects the app role owned until now


def set_app_role(db: Database, app_role: str) -> RoleSetup:
    """Grant `app_role` exactly the application's rights; the connecting role keeps ownership."""
    check_app_role(db, app_role)
    try:
        with db.engine.begin() as conn:
            setup = RoleSetup(owner=conn.scalar(text("SELECT current_user")), app_role=app_role)
            setup.created = _ensure_role(conn, setup)
            setup.taken_over = _take_ownership(conn, app_role)
            _grant(conn, app_role)
            return setup
    except DBAPIError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        raise CommandError(f"设置应用角色 {app_role} 失败，未做任何更改 (app role setup failed, nothing changed): "
                           f"{reason}") from None


def check_app_role(db: Database, app_role: str) -> None:
    """What can be refused before anything runs (the CLI checks it before migrating)."""
    if not db.is_postgres:
        raise CommandError("--app-role 仅用于 PostgreSQL；SQLite 没有数据库角色 (app roles exist on PostgreSQL only)")
    if not _ROLE_NAME.fullmatch(app_role):
        raise CommandError(f"应用角色名 {app_role!r} 无效：小写字母、数字、下划线 (role name must match [a-z_][a-z0-9_]*)")


def _ensure_role(conn: Connection, setup: RoleSetup) -> bool:
    if setup.app_role == setup.owner:
        raise CommandError(f"应用角色 {setup.app_role} 不能就是表结构属主 (the app role must not be the schema owner); "
                           "以属主角色连接 --db 运行 (connect as the owner role)")
    row = conn.execute(text("SELECT rolsuper, rolbypassrls, pg_has_role(oid, current_user, 'MEMBER') AS inherits "
                            "FROM pg_roles WHERE rolname = :r"), {"r": setup.app_role}).first()
    if row is None:
        conn.execute(text(f'CREATE ROLE "{setup.app_role}" LOGIN'))
        return True
    if row.rolsuper or row.rolbypassrls or row.inherits:
        raise CommandError(f"应用角色 {setup.app_role} 是超级用户或属主角色的成员，可绕过保护 "
                           "(the app role is a superuser or a member of the owner role)")
    return False


def _take_ownership(conn: Connection, app_role: str) -> list[str]:
    """What the app role owns in this database (it ran the migrations once) becomes the owner's."""
    owned = conn.execute(text(
        "SELECT c.relkind, quote_ident(n.nspname) || '.' || quote_ident(c.relname) FROM pg_class c "
        "JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE c.relowner = to_regrole(:r) AND c.relkind IN ('r', 'p', 'v', 'm', 'S') "
        "AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_temp%'"
    ), {"r": app_role}).all()
    functions = conn.scalars(text(
        "SELECT p.oid::regprocedure::text FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
        "WHERE p.proowner = to_regrole(:r) AND n.nspname NOT IN ('pg_catalog', 'information_schema')"
    ), {"r": app_role}).all()
    schemas = conn.scalars(text("SELECT quote_ident(nspname) FROM pg_namespace WHERE nspowner = to_regrole(:r)"),
                           {"r": app_role}).all()
    database_owned = conn.scalar(text(
        "SELECT datdba = to_regrole(:r) FROM pg_database WHERE datname = current_database()"), {"r": app_role})
    kinds = {"r": "TABLE", "p": "TABLE", "v": "VIEW", "m": "MATERIALIZED VIEW", "S": "SEQUENCE"}
    statements = [f"ALTER {kinds[kind]} {name} OWNER TO CURRENT_USER" for kind, name in owned if kind != "S"]
    statements += [f"ALTER SEQUENCE {name} OWNER TO CURRENT_USER" for kind, name in owned if kind == "S"]
    statements += [f"ALTER FUNCTION {name} OWNER TO CURRENT_USER" for name in functions]
    statements += [f"ALTER SCHEMA {name} OWNER TO CURRENT_USER" for name in schemas]
    if database_owned:
        statements.append('ALTER DATABASE "' + conn.scalar(text("SELECT current_database()")) + '" OWNER TO CURRENT_USER')
    for statement in statements:
        conn.execute(text(statement))
    return [s.split(" OWNER TO")[0].removeprefix("ALTER ") for s in statements]


def _grant(conn: Connection, role: str) -> None:
    """From nothing to exactly the application's rights, every time (idempotent after each upgrade)."""
    quoted = f'"{role}"'
    database = conn.scalar(text("SELECT quote_ident(current_database())"))
    tables = conn.scalars(text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")).all()
    for statement in [
        f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {quoted}",
        f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM {quoted}",
        f"REVOKE ALL ON SCHEMA public FROM {quoted}",
        "REVOKE CREATE ON SCHEMA public FROM PUBLIC",  # PostgreSQL < 15 lets everyone create there
        f"GRANT CONNECT, TEMPORARY ON DATABASE {database} TO {quoted}",
        f"GRANT USAGE ON SCHEMA public TO {quoted}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {quoted}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {quoted}",
    ]:
        conn.execute(text(statement))
    for table, privileges in WITHHELD.items():
        if table in tables:
            conn.execute(text(f"REVOKE {', '.join(privileges)} ON public.{table} FROM {quoted}"))

"""append-only audit events (审计记录只能追加)

case_events can be inserted, never updated, deleted or truncated: triggers refuse
it on PostgreSQL (whatever the role) and on SQLite.  Deleting a case that has
events is refused too, because its ON DELETE CASCADE deletes events.

Note for later migrations: an SQLite batch ALTER of case_events rebuilds the
table and drops these triggers; recreate them there (tests/data/test_audit.py
fails if they are missing at head).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 09:00:00
"""
from __future__ import annotations

from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

MESSAGE = "case_events is append-only (审计记录只能追加，不可修改或删除)"

PG_UPGRADE = [
    f"""
    CREATE OR REPLACE FUNCTION case_events_append_only() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION '%: % refused', '{MESSAGE}', TG_OP
            USING ERRCODE = 'integrity_constraint_violation',
                  HINT = 'audit events are never changed; record a new action instead';
    END
    $$
    """,
    """
    CREATE TRIGGER case_events_no_update_delete
        BEFORE UPDATE OR DELETE ON case_events
        FOR EACH ROW EXECUTE FUNCTION case_events_append_only()
    """,
    """
    CREATE TRIGGER case_events_no_truncate
        BEFORE TRUNCATE ON case_events
        FOR EACH STATEMENT EXECUTE FUNCTION case_events_append_only()
    """,
]
PG_DOWNGRADE = [
    "DROP TRIGGER IF EXISTS case_events_no_truncate ON case_events",
    "DROP TRIGGER IF EXISTS case_events_no_update_delete ON case_events",
    "DROP FUNCTION IF EXISTS case_events_append_only()",
]

SQLITE_UPGRADE = [
    f"""
    CREATE TRIGGER case_events_no_update BEFORE UPDATE ON case_events
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}: UPDATE refused'); END
    """,
    f"""
    CREATE TRIGGER case_events_no_delete BEFORE DELETE ON case_events
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}: DELETE refused'); END
    """,
]
SQLITE_DOWNGRADE = [
    "DROP TRIGGER IF EXISTS case_events_no_delete",
    "DROP TRIGGER IF EXISTS case_events_no_update",
]


def _dialect() -> str:
    return op.get_bind().dialect.name


def upgrade() -> None:
    statements = {"postgresql": PG_UPGRADE, "sqlite": SQLITE_UPGRADE}.get(_dialect(), [])
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    statements = {"postgresql": PG_DOWNGRADE, "sqlite": SQLITE_DOWNGRADE}.get(_dialect(), [])
    for statement in statements:
        op.execute(statement)

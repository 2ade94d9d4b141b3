"""accounts and the audit trail, hardened (账号与审计记录加固)

- operators.username_key: the compared form of a user name (stripped, NFKC, case-folded),
  unique, so "Admin1" and "admin1" cannot both exist; existing duplicates stop the upgrade
  with their names.
- SQLite: an INSERT that would overwrite an existing audit event (INSERT OR REPLACE, REPLACE,
  INSERT ... ON CONFLICT) is refused: REPLACE deletes the old row without firing the delete
  trigger of 0003.  Deleting a case that has events is refused by a trigger of its own, so it
  holds even for a client that left foreign keys (and so the cascade) off.
  PostgreSQL needs neither: ON CONFLICT DO UPDATE fires the update trigger, and the
  cascade always runs (and fires the delete trigger).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 20:40:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from console.data.commands import CommandError
from console.domain.accounts import username_key

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

MESSAGE = "case_events is append-only (审计记录只能追加，不可修改或删除)"

SQLITE_UPGRADE = [
    f"""
    CREATE TRIGGER case_events_no_overwrite BEFORE INSERT ON case_events
    WHEN EXISTS (SELECT 1 FROM case_events WHERE id = NEW.id)
      OR (NEW.idempotency_key IS NOT NULL
          AND EXISTS (SELECT 1 FROM case_events WHERE idempotency_key = NEW.idempotency_key))
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}: INSERT over an existing event refused'); END
    """,
    f"""
    CREATE TRIGGER cases_keep_history BEFORE DELETE ON cases
    WHEN EXISTS (SELECT 1 FROM case_events WHERE case_id = OLD.id)
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}: DELETE of a case with events refused'); END
    """,
]
SQLITE_DOWNGRADE = [
    "DROP TRIGGER IF EXISTS cases_keep_history",
    "DROP TRIGGER IF EXISTS case_events_no_overwrite",
]


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    # SQLite adds a NOT NULL column only with a default; the rows get their real key next.
    op.add_column('operators', sa.Column('username_key', sa.String(length=50), nullable=not sqlite,
                                         server_default='' if sqlite else None))
    _fill_username_keys()
    if not sqlite:
        op.alter_column('operators', 'username_key', nullable=False)
    op.create_index('ix_operators_username_key', 'operators', ['username_key'], unique=True)
    for statement in SQLITE_UPGRADE if sqlite else []:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for statement in SQLITE_DOWNGRADE:
            op.execute(statement)
    op.drop_index('ix_operators_username_key', table_name='operators')
    op.drop_column('operators', 'username_key')  # SQLite >= 3.35 drops a column in place


def _fill_username_keys() -> None:
    bind = op.get_bind()
    operators = sa.table('operators', sa.column('id', sa.Integer), sa.column('username', sa.String),
                         sa.column('username_key', sa.String))
    seen: dict[str, str] = {}
    for row in bind.execute(sa.select(operators.c.id, operators.c.username).order_by(operators.c.id)):
        key = username_key(row.username)
        if key in seen:
            raise CommandError(f"用户名 {seen[key]!r} 与 {row.username!r} 只差大小写或全半角，请先改名其一 "
                               f"(user names differ only by case; rename one before upgrading)")
        seen[key] = row.username
        bind.execute(operators.update().where(operators.c.id == row.id).values(username_key=key))

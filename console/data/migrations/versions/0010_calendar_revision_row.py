"""the calendar revision row, present from the start

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 21:45:00

Case commands share-lock this settings row and `calendar set` locks it exclusively, so
no clock is stamped on a calendar being replaced. The row must exist before the first
`calendar set`: created here, not by the first `calendar set` in a transaction of its own.
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

_settings = sa.table("settings", sa.column("key", sa.String(50)), sa.column("value", sa.JSON))


def upgrade() -> None:
    exists = op.get_bind().execute(sa.select(_settings.c.key).where(_settings.c.key == "calendar_revision")).first()
    if exists is None:
        op.bulk_insert(_settings, [{"key": "calendar_revision", "value": {"revision": 0}}])


def downgrade() -> None:
    op.execute(_settings.delete().where(_settings.c.key == "calendar_revision"))

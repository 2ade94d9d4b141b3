"""alert acknowledgement batches: one audited row per acknowledgement command

Revision ID: 0009
Revises: 0005
Create Date: 2026-12-01 20:45:00
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa
import console.data.models


revision = '0009'
down_revision = '0005'
branch_labels = None
depends_on = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    op.create_table('alert_ack_batches',
    sa.Column('id', BIG_ID, nullable=False),
    sa.Column('acked_by', sa.String(length=50), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('seat', sa.String(length=50), nullable=True),
    sa.Column('acked_at', console.data.models.UtcDateTime(timezone=True), nullable=False),
    sa.Column('note', sa.String(length=200), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('alert_ack_batches', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_alert_ack_batches_acked_at'), ['acked_at'], unique=False)

    with op.batch_alter_table('alert_acks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('batch_id', BIG_ID, nullable=True))
        batch_op.create_index(batch_op.f('ix_alert_acks_batch_id'), ['batch_id'], unique=False)
        batch_op.create_foreign_key('fk_alert_acks_batch_id', 'alert_ack_batches', ['batch_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('alert_acks', schema=None) as batch_op:
        batch_op.drop_constraint('fk_alert_acks_batch_id', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_alert_acks_batch_id'))
        batch_op.drop_column('batch_id')

    with op.batch_alter_table('alert_ack_batches', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_alert_ack_batches_acked_at'))

    op.drop_table('alert_ack_batches')

"""路长制 (seed 004): responsible units, the street and road levels of chiefs, 路长办 findings, flag history

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 09:00:00

`road_units` are the 路段责任单位 (group A/B, their head is the 路段长); `road_segments.unit_id`
names a segment's unit (NULL: the road's 二级路长 is its 路段长); `road_chiefs.street_code` places
一级路长 / 辖区总路长 / 二级路长 in their street; `road_findings` are the 督导问题 (they may become a
case); `road_flags` is the monthly red/black flag history.
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa
import console.data.models


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

# (table, column, type, referenced table and column, foreign key name): nullable references added in place.
_REFERENCES = [
    ('road_segments', 'unit_id', 'INTEGER', 'road_units (id)', sa.Integer(), 'road_units', 'id',
     'fk_road_segments_unit_id'),
    ('road_chiefs', 'street_code', 'VARCHAR(9)', 'streets (code)', sa.String(length=9), 'streets', 'code',
     'fk_road_chiefs_street_code'),
]


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def upgrade() -> None:
    op.create_table('road_units',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('unit_group', sa.String(length=10), nullable=False),
    sa.Column('head_staff_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['head_staff_id'], ['staff.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('code')
    )
    # No batch rebuild on SQLite (as in 0011): ADD COLUMN ... REFERENCES keeps the table and its triggers.
    for table, column, sql_type, target_sql, sa_type, target, target_col, name in _REFERENCES:
        if _sqlite():
            op.execute(f'ALTER TABLE {table} ADD COLUMN {column} {sql_type} REFERENCES {target_sql}')
        else:
            op.add_column(table, sa.Column(column, sa_type, nullable=True))
            op.create_foreign_key(name, table, target, [column], [target_col])
        op.create_index(f'ix_{table}_{column}', table, [column], unique=False)
    op.create_table('road_findings',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('segment_id', sa.Integer(), nullable=False),
    sa.Column('problem', sa.Text(), nullable=False),
    sa.Column('photo', sa.String(length=300), nullable=True),
    sa.Column('found_at', console.data.models.UtcDateTime(timezone=True), nullable=False),
    sa.Column('found_by', sa.String(length=50), nullable=False),
    sa.Column('recorded_by', sa.String(length=50), nullable=False),
    sa.Column('recorded_seat', sa.String(length=50), nullable=True),
    sa.Column('recorded_at', console.data.models.UtcDateTime(timezone=True), nullable=False),
    sa.Column('case_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ),
    sa.ForeignKeyConstraint(['segment_id'], ['road_segments.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('case_id')
    )
    op.create_index('ix_road_findings_found_at', 'road_findings', ['found_at'], unique=False)
    op.create_index('ix_road_findings_segment_id', 'road_findings', ['segment_id'], unique=False)
    op.create_table('road_flags',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('sequence', sa.String(length=20), nullable=False),
    sa.Column('subject', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('flag', sa.String(length=10), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('rank', sa.Integer(), nullable=False),
    sa.Column('recorded_at', console.data.models.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('month', 'sequence', 'subject')
    )
    op.create_index('ix_road_flags_month', 'road_flags', ['month'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_road_flags_month', table_name='road_flags')
    op.drop_table('road_flags')
    op.drop_index('ix_road_findings_segment_id', table_name='road_findings')
    op.drop_index('ix_road_findings_found_at', table_name='road_findings')
    op.drop_table('road_findings')
    for table, column, *_rest, name in reversed(_REFERENCES):
        op.drop_index(f'ix_{table}_{column}', table_name=table)
        if not _sqlite():
            op.drop_constraint(name, table, type_='foreignkey')
        op.drop_column(table, column)
    op.drop_table('road_units')

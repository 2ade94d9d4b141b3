"""what the figures need: overdue of stopped clocks, the inspector of record, the road segment of a case

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 09:00:00

A stopped clock's yellow/red marks are cleared, so `red_since` / `overdue_minutes` keep
whether and how far it ran late; `case_events.stopped_late` says so for the step an action
stopped; `case_events.staff_id` names the 监督员 on 核实/核查; `cases.road_segment_id` is
the case's 路段.  Existing rows stay NULL (unknown), never a guessed value.
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa
import console.data.models


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


# (table, column, referenced table, foreign key name): nullable integer references.
_REFERENCES = [
    ('case_events', 'staff_id', 'staff', 'fk_case_events_staff_id'),
    ('cases', 'road_segment_id', 'road_segments', 'fk_cases_road_segment_id'),
]


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def upgrade() -> None:
    # No batch rebuild on SQLite: rebuilding case_events or cases would drop (and break on) the
    # append-only triggers of 0003/0005; ADD COLUMN of a nullable column keeps them.
    op.add_column('case_step_clocks', sa.Column('red_since', console.data.models.UtcDateTime(timezone=True),
                                                nullable=True))
    op.add_column('case_step_clocks', sa.Column('overdue_minutes', sa.Float(), nullable=True))
    op.add_column('case_events', sa.Column('stopped_late', sa.Boolean(), nullable=True))
    for table, column, target, name in _REFERENCES:
        if _sqlite():  # SQLite takes a REFERENCES clause in ADD COLUMN, not an added constraint
            op.execute(f'ALTER TABLE {table} ADD COLUMN {column} INTEGER REFERENCES {target} (id)')
        else:
            op.add_column(table, sa.Column(column, sa.Integer(), nullable=True))
            op.create_foreign_key(name, table, target, [column], ['id'])
        op.create_index(f'ix_{table}_{column}', table, [column], unique=False)


def downgrade() -> None:
    for table, column, _target, name in reversed(_REFERENCES):
        op.drop_index(f'ix_{table}_{column}', table_name=table)
        if not _sqlite():
            op.drop_constraint(name, table, type_='foreignkey')
        op.drop_column(table, column)  # SQLite >= 3.35 drops a column in place
    op.drop_column('case_events', 'stopped_late')
    op.drop_column('case_step_clocks', 'overdue_minutes')
    op.drop_column('case_step_clocks', 'red_since')

"""视频点位: camera mount and group, catalogue groups, case evidence (snapshots)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 05:00:00

`cameras.ptz_type` is the WVP ptzType (0..5, NULL unknown; the old `ptz` boolean stays);
`cameras.group_code` names the catalogue node a camera sits in; `camera_groups` holds the
nodes that are no cameras (行政区划, 业务分组 215, 虚拟组织 216); `case_evidence` keeps each
snapshot attached to a case with its file, SHA-256, camera and time; `cases.camera_id` is
the camera a 视频巡查 case was filed from.
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa
import console.data.models


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # ADD COLUMN of nullable columns keeps the table (no batch rebuild on SQLite, as in 0011).
    op.add_column('cameras', sa.Column('ptz_type', sa.Integer(), nullable=True))
    op.add_column('cameras', sa.Column('group_code', sa.String(length=20), nullable=True))
    op.create_index('ix_cameras_group_code', 'cameras', ['group_code'], unique=False)
    op.add_column('cases', sa.Column('camera_id', sa.String(length=20), nullable=True))  # 视频巡查: the camera
    op.create_table('camera_groups',
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('parent_code', sa.String(length=20), nullable=True),
    sa.PrimaryKeyConstraint('code')
    )
    op.create_table('case_evidence',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('case_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('path', sa.String(length=300), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('camera_id', sa.String(length=20), nullable=True),
    sa.Column('taken_at', console.data.models.UtcDateTime(timezone=True), nullable=False),
    sa.Column('taken_by', sa.String(length=50), nullable=False),
    sa.Column('seat', sa.String(length=50), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_case_evidence_case_id', 'case_evidence', ['case_id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_case_evidence_case_id', table_name='case_evidence')
    op.drop_table('case_evidence')
    op.drop_table('camera_groups')
    op.drop_column('cases', 'camera_id')
    op.drop_index('ix_cameras_group_code', table_name='cameras')
    op.drop_column('cameras', 'group_code')
    op.drop_column('cameras', 'ptz_type')

"""Migrations build exactly the models' schema, on SQLite and PostgreSQL."""
from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from console.data.models import Base
from console.data.schema import current_revision, head_revision, upgrade


def test_migrations_match_models(db):
    upgrade(db)  # idempotent on an up-to-date database
    assert current_revision(db) == head_revision()
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
    assert diff == []


def test_upgrade_step_by_step_from_empty(empty_db):
    assert current_revision(empty_db) == head_revision()

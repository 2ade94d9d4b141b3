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


def test_the_calendar_revision_row_is_there_before_any_calendar_set(db):
    """Commands share-lock it from the first one on: `calendar set` never has to create it."""
    from console.data import models as m
    from console.data.rules import CALENDAR_REVISION

    with db.read() as s:
        assert s.get(m.Setting, CALENDAR_REVISION).value == {"revision": 0}

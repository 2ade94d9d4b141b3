"""Schema migrations (Alembic), run programmatically: `urban-console db upgrade`."""
from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from console.data.db import Database

MIGRATIONS = Path(__file__).with_name("migrations")


def _config(connection=None) -> Config:  # noqa: ANN001
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = connection
    return cfg


def head_revision() -> str:
    return ScriptDirectory.from_config(_config()).get_current_head()


def current_revision(db: Database) -> str | None:
    with db.engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(db: Database, revision: str = "head") -> str:
    """Bring the schema to `revision` in one transaction; returns the new revision."""
    with db.engine.begin() as conn:
        command.upgrade(_config(conn), revision)
    db.invalidate_rules()
    return current_revision(db) or ""


def new_revision(db: Database, message: str) -> None:
    """For developers: autogenerate a migration from the models' difference."""
    with db.engine.begin() as conn:
        command.revision(_config(conn), message=message, autogenerate=True)

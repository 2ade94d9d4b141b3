"""Fixtures of the command-line tests."""
from __future__ import annotations

import shutil

import pytest


@pytest.fixture
def url(sqlite_template, tmp_path) -> str:
    """A copy of the tiny city in a SQLite file of this test's own."""
    path = tmp_path / "cli.db"
    shutil.copy(sqlite_template, path)
    return f"sqlite:///{path}"

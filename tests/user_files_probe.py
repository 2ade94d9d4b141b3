"""Run only by tests/test_user_files.py (not collected on its own: no test_ prefix).

It does what a console run does to a user's files: remembers a setting, resolves
the default database and the map tile cache, and writes into each.
"""
from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QStandardPaths

from console.data.db import default_db_path
from console.services import settings as st
from console.services.settings import SeatSettings


def test_a_console_run_writes_only_into_the_sandbox(qapp):
    sandbox = Path(os.environ["URBAN_CONSOLE_TEST_SANDBOX"])
    remembered = SeatSettings("probe", "operator")
    remembered.set(st.HEAT_MODE, "overdue")
    remembered.sync()
    database = default_db_path()
    database.parent.mkdir(parents=True, exist_ok=True)
    database.write_bytes(b"")
    cache = Path(QStandardPaths.writableLocation(QStandardPaths.StandardLocation.CacheLocation))
    cache.mkdir(parents=True, exist_ok=True)
    (cache / "probe").write_text("tile")
    for path in (database, cache):
        assert sandbox in path.parents, f"{path} is outside the test sandbox {sandbox}"
    assert list((sandbox / "config").rglob("*.conf")), "the setting was not written into the sandbox"

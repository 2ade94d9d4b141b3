"""Service tests (feed, alerts, presence, the seat controller) leave nothing running: tests/qt_leaks.py."""
from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _no_qt_leaks(qt_leaks):
    yield qt_leaks

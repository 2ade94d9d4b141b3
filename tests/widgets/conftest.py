"""Widget tests never read or write the real ~/.config: QSettings lives in the test's tmp_path."""
from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings, QStandardPaths

_FORMATS = (QSettings.Format.NativeFormat, QSettings.Format.IniFormat)


@pytest.fixture(autouse=True)
def user_settings(tmp_path, monkeypatch):
    """Every QSettings of the test (and of a console it starts) lands under tmp_path/config."""
    config = tmp_path / "config"
    config.mkdir()
    default = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.GenericConfigLocation)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(config))
    for fmt in _FORMATS:
        QSettings.setPath(fmt, QSettings.Scope.UserScope, str(config))
    yield config
    for fmt in _FORMATS:
        QSettings.setPath(fmt, QSettings.Scope.UserScope, default)


@pytest.fixture(autouse=True)
def _no_qt_leaks(qt_leaks):
    """Every widget test fails if it leaves a timer, a thread or a window running (tests/qt_leaks.py)."""
    yield qt_leaks

"""A fixture that points every QSettings of a test at its own directory (never the real ~/.config)."""
from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings, QStandardPaths

_FORMATS = (QSettings.Format.NativeFormat, QSettings.Format.IniFormat)


@pytest.fixture
def user_settings(tmp_path):
    """Every QSettings of the test lands under tmp_path/config; the user's own path comes back afterwards."""
    config = tmp_path / "config"
    default = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.GenericConfigLocation)
    for fmt in _FORMATS:
        QSettings.setPath(fmt, QSettings.Scope.UserScope, str(config))
    yield config
    for fmt in _FORMATS:
        QSettings.setPath(fmt, QSettings.Scope.UserScope, default)

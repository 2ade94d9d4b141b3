"""The README's contract: the quick start names what is missing, and a first run seeds the demo city."""
from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def quickstart():
    spec = importlib.util.spec_from_file_location("quickstart", ROOT / "quickstart.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_missing_system_packages_are_named_with_the_install_command(quickstart, monkeypatch, capsys):
    monkeypatch.setattr(quickstart.ctypes.util, "find_library", lambda name: None if name in ("pulse", "EGL") else name)
    monkeypatch.setattr(quickstart, "_has_cjk_font", lambda: False)
    assert quickstart.missing_system_packages() == ["libegl1", "libpulse0", "fonts-noto-cjk"]
    with pytest.raises(SystemExit) as exit_info:
        quickstart.check_system(install=False)
    assert exit_info.value.code == 1
    err = capsys.readouterr().err
    assert "apt-get install -y libegl1 libpulse0 fonts-noto-cjk" in err


def test_this_machine_has_what_the_console_needs(quickstart):
    assert quickstart.missing_system_packages() == []


def test_console_without_a_screen_says_how_to_take_a_picture(quickstart, monkeypatch, capsys):
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(SystemExit):
        quickstart.run_console([])
    assert "screenshot" in capsys.readouterr().err


def test_no_venv_module_is_explained(quickstart, monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(quickstart, "VENV", tmp_path / "venv")

    class Broken:
        def __init__(self, **_kw):
            pass

        def create(self, _path):
            raise OSError("ensurepip is not available")

    monkeypatch.setattr(quickstart.venv, "EnvBuilder", Broken)
    with pytest.raises(SystemExit):
        quickstart.ensure_venv()
    assert "python3-venv" in capsys.readouterr().err


def test_first_run_creates_and_seeds_the_demo_city(tmp_path):
    """No database yet: the default embedded file is created with the `city` demo."""
    env = {k: v for k, v in os.environ.items() if k != "URBAN_CONSOLE_DB"}
    env["XDG_DATA_HOME"] = str(tmp_path)
    result = subprocess.run([sys.executable, "-m", "console.cli", "stats", "--json"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]
    stats = json.loads(result.stdout)
    assert (stats["grids"], stats["communities"], stats["staff"]) == (702, 168, 2331)
    assert abs(stats["area_km2"] - 155.1) < 1
    assert stats["cases"]["total"] > 10_000
    assert (tmp_path / "urban-console" / "console.db").exists()
    assert "首次运行" in result.stderr

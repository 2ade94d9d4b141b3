"""The README's contract: the quick start names what is missing, and a first run seeds the demo city."""
from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
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
    absent = ("pulse", "EGL", "xcb-icccm", "xcb-keysyms")
    monkeypatch.setattr(quickstart.ctypes.util, "find_library", lambda name: None if name in absent else name)
    monkeypatch.setattr(quickstart, "_has_cjk_font", lambda: False)
    assert quickstart.missing_system_packages() == [
        "libegl1", "libpulse0", "libxcb-icccm4", "libxcb-keysyms1", "fonts-noto-cjk"]
    with pytest.raises(SystemExit) as exit_info:
        quickstart.check_system(install=False)
    assert exit_info.value.code == 1
    err = capsys.readouterr().err
    assert "apt-get install -y libegl1 libpulse0 libxcb-icccm4 libxcb-keysyms1 fonts-noto-cjk" in err


def test_missing_test_tools_are_named_only_for_the_tests(quickstart, monkeypatch, capsys):
    monkeypatch.setattr(quickstart, "missing_system_packages", lambda: [])
    real_which = quickstart.shutil.which
    monkeypatch.setattr(quickstart.shutil, "which", lambda name: None if name in ("Xvfb", "xdotool") else real_which(name))
    quickstart.check_system(install=False)  # the console itself needs neither
    with pytest.raises(SystemExit) as exit_info:
        quickstart.check_system(install=False, for_tests=True)
    assert exit_info.value.code == 1
    assert "apt-get install -y xvfb xdotool" in capsys.readouterr().err


def qt_dir() -> Path:
    import PySide6

    return Path(PySide6.__file__).parent / "Qt"


def test_this_machine_has_what_the_console_needs(quickstart):
    assert quickstart.missing_system_packages() == []
    assert quickstart.qt_plugin_gaps(qt_dir()) == []  # the xcb plugin itself finds everything


def readme_packages() -> list[str]:
    """The packages of the README's `sudo apt-get install -y ...` block."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"sudo apt-get install -y (.*?)\n```", text, re.S).group(1)
    return block.replace("\\", " ").split()


def test_readme_and_the_check_name_the_same_packages(quickstart):
    listed = readme_packages()
    assert len(listed) == len(set(listed))
    assert set(listed) == {"python3-venv", "fonts-noto-cjk", *quickstart.SYSTEM_LIBRARIES}
    assert {"libxcb-icccm4", "libxcb-keysyms1", "libxcb-cursor0"} <= set(listed)


def plugin_files(quickstart) -> list[Path]:
    files = [path for pattern in quickstart.XCB_PLUGIN_FILES for path in sorted(qt_dir().glob(pattern))]
    assert len(files) >= 3, files  # libqxcb.so, libQt6XcbQpa.so.6 and at least one GL integration
    return files


def test_every_library_the_xcb_plugin_lacks_maps_to_a_listed_package(quickstart):
    """ldd's "not found" lines, and every system library the plugin files link directly."""
    for path in plugin_files(quickstart):
        for line in subprocess.run(["ldd", str(path)], capture_output=True, text=True, check=True).stdout.splitlines():
            name, _, where = line.strip().partition(" => ")
            if where.strip() == "not found":
                assert quickstart.package_of(name) in quickstart.SYSTEM_LIBRARIES, f"{path.name}: {name}"
        for name in needed(path):
            if name.startswith("libQt6") or name.startswith("libicu") or name in quickstart.BASE_LIBRARIES:
                continue  # shipped in the wheel, or part of every Debian
            package = quickstart.package_of(name)
            assert package is not None, f"{path.name} links {name}, which no listed package provides"
            assert dpkg_owner(name) == package, name  # the map agrees with the package database


def needed(path: Path) -> list[str]:
    out = subprocess.run([shutil.which("readelf") or "readelf", "-d", str(path)], capture_output=True, text=True,
                         check=True).stdout
    return re.findall(r"\(NEEDED\)\s+Shared library: \[(.+?)\]", out)


def dpkg_owner(soname: str) -> str:
    out = subprocess.run(["dpkg", "-S", f"*/{soname}"], capture_output=True, text=True, check=True).stdout
    return out.splitlines()[0].split(":")[0]


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

"""The installed package: a fresh venv, `pip install` (not -e) of a copy of the project, run from elsewhere.

The copy is deleted before anything runs, so a file read relative to a checkout, or a
runtime file missing from the package data, fails here; pip's cache keeps it to about a minute.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOT_SHIPPED = shutil.ignore_patterns(".venv", ".git", "build", "dist", "*.egg-info", "__pycache__", "*.db",
                                     ".pytest_cache", ".hypothesis", ".benchmarks", "out")


def _run(args: list[str], cwd: Path, env: dict[str, str], timeout: int = 600) -> subprocess.CompletedProcess:
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, f"{' '.join(args)} exited {done.returncode}:\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}"
    return done


def _png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    return int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")


@pytest.mark.slow
def test_a_non_editable_install_runs_from_another_directory(tmp_path):
    source, venv, elsewhere = tmp_path / "source", tmp_path / "venv", tmp_path / "elsewhere"
    shutil.copytree(ROOT, source, ignore=NOT_SHIPPED)
    elsewhere.mkdir()
    pip_env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV", "URBAN_CONSOLE"))}
    _run([sys.executable, "-m", "venv", str(venv)], elsewhere, pip_env)
    _run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", str(source)], elsewhere, pip_env,
         timeout=1200)  # the user's pip cache: fast after the first time
    # the console itself never sees the user's data, settings or cache
    env = {**pip_env, "QT_QPA_PLATFORM": "offscreen", "QTWEBENGINE_CHROMIUM_FLAGS": "--no-sandbox",
           "HOME": str(tmp_path / "home"), "XDG_DATA_HOME": str(tmp_path / "xdg-data"),
           "XDG_CONFIG_HOME": str(tmp_path / "xdg-config"), "XDG_CACHE_HOME": str(tmp_path / "xdg-cache")}
    shutil.rmtree(source)  # nothing may come from a checkout now
    command = str(venv / "bin" / "urban-console")
    url = f"sqlite:///{tmp_path / 'x.db'}"

    demo = json.loads(_run([command, "demo", "--scale", "small", "--db", url], elsewhere, env).stdout)
    assert demo["scale"] == "small" and demo["grids"] == 48 and demo["cases"] > 0

    out = elsewhere / "op.png"
    _run([command, "screenshot", "--view", "operator", "--db", url, "--out", str(out), "--size", "1920x1080"],
         elsewhere, env)
    assert _png_size(out) == (1920, 1080)  # written only once the map page (its bridge scripts) loaded

    bench = json.loads(_run([command, "bench", "--on", url, "--json"], elsewhere, env).stdout)
    assert bench[url]["naive_agrees"] is True and bench[url]["open_cases"] == demo["open_cases"]

    where = _run([str(venv / "bin" / "python"), "-c",
                  "import console.bench.run as b, console.resources as r;"
                  "print(b.__file__); print(r.resource('catalogue', 'rules.json'));"
                  "print(r.resource('map', 'bridge', 'protocol.js'))"], elsewhere, env).stdout.split()
    assert len(where) == 3 and all(Path(p).is_relative_to(venv) for p in where), where

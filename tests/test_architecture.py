"""The layer rules of architecture.md, and the Qt binding pin of tech-notes §0."""
from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]


def test_import_contracts_hold():
    """import-linter: domain pure, data without Qt, layers one way (as napari does)."""
    linter = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(linter)], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def _pyside_requirements() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return [r for r in map(Requirement, project["dependencies"]) if r.name.lower() == "pyside6"]


def test_pyside6_612_is_never_installed_on_python_311():
    """PySide6 6.12.0 + CPython 3.11 corrupts True's refcount on every emit."""
    for python in ("3.11", "3.12", "3.13"):
        env = {"python_version": python, "python_full_version": f"{python}.0"}
        specs = [r.specifier for r in _pyside_requirements() if r.marker is None or r.marker.evaluate(env)]
        assert len(specs) == 1, f"exactly one PySide6 requirement applies on Python {python}"
        allows_612 = Version("6.12.0") in specs[0]
        assert allows_612 == (python != "3.11"), f"Python {python}: {specs[0]}"


def test_installed_binding_is_not_the_broken_pair():
    import PySide6

    broken = sys.version_info[:2] == (3, 11) and Version(PySide6.__version__) >= Version("6.12")
    assert not broken, f"PySide6 {PySide6.__version__} on Python 3.11 is the broken pair (tech-notes §0)"


def test_two_hundred_thousand_signal_emits_keep_true_alive():
    """The regression itself: 200,000 emits, True's refcount must not drain."""
    code = """
import sys
from PySide6.QtCore import QCoreApplication, QObject, Signal

class Emitter(QObject):
    sig_count = Signal(int)

app = QCoreApplication([])
emitter, seen = Emitter(), []
emitter.sig_count.connect(seen.append)
before = sys.getrefcount(True)
for i in range(200_000):
    emitter.sig_count.emit(i)
after = sys.getrefcount(True)
assert len(seen) == 200_000, len(seen)
assert after >= before - 100, (before, after)
print("ok", before, after)
"""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300,
                            env={"QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin"})
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.startswith("ok")

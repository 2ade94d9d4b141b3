#!/usr/bin/env python3
"""Set up and run urban-console with nothing but python3 (README, quick start).

    python3 quickstart.py console [ARGS...]   # set up, then launch the console on the demo city
    python3 quickstart.py test [PYTEST ARGS]  # set up, then run the whole test suite

Setting up means: check Python and the system libraries Qt needs, create
`.venv` beside this file, install the project into it (again only when
pyproject.toml changed).  Whatever is missing is named, with the command that
installs it, instead of a traceback from deep inside Qt.
"""
from __future__ import annotations

import ctypes.util
import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
STAMP = VENV / ".urban-console-installed"
MIN_PYTHON = (3, 11)

# Debian package -> a library or test that proves it is installed.
SYSTEM_LIBRARIES = {
    "libegl1": "EGL",
    "libgl1": "GL",
    "libxkbcommon0": "xkbcommon",
    "libfontconfig1": "fontconfig",
    "libdbus-1-3": "dbus-1",
    "libnss3": "nss3",
    "libasound2": "asound",
    "libpulse0": "pulse",  # PySide6.QtMultimedia (camera video) needs it
    "libxkbfile1": "xkbfile",  # QtWebEngine (the map)
    "libxcomposite1": "Xcomposite",
    "libxdamage1": "Xdamage",
    "libxrandr2": "Xrandr",
    "libxtst6": "Xtst",
    "libxcb-cursor0": "xcb-cursor",  # the xcb platform plugin on a desktop
}


def say(message: str) -> None:
    print(f"[quickstart] {message}", flush=True)


def fail(message: str) -> "NoReturn":  # type: ignore[name-defined]  # noqa: F821
    print(f"[quickstart] 错误 (error): {message}", file=sys.stderr, flush=True)
    sys.exit(1)


def check_python() -> None:
    if sys.version_info < MIN_PYTHON:
        fail(f"Python {'.'.join(map(str, MIN_PYTHON))} or newer is needed; this is {sys.version.split()[0]}")


def missing_system_packages() -> list[str]:
    missing = [pkg for pkg, lib in SYSTEM_LIBRARIES.items() if ctypes.util.find_library(lib) is None]
    if not _has_cjk_font():
        missing.append("fonts-noto-cjk")
    return missing


def _has_cjk_font() -> bool:
    if shutil.which("fc-list") is None:
        return False
    out = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True).stdout
    return bool(out.strip())


def check_system(install: bool) -> None:
    missing = missing_system_packages()
    if not missing:
        return
    command = "apt-get install -y " + " ".join(missing)
    if install and os.geteuid() == 0 and shutil.which("apt-get"):
        say(f"installing system packages: {' '.join(missing)}")
        subprocess.run(["apt-get", "update", "-qq"], check=True)
        subprocess.run(command.split(), check=True, env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
        return
    fail("the console needs these system packages, which are missing: "
         f"{' '.join(missing)}\n  install them with:  sudo {command}\n"
         "  (or run this command as root with --install-system-packages)")


def venv_python() -> Path:
    return VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def ensure_venv() -> None:
    if venv_python().exists():
        return
    say(f"creating the virtual environment {VENV}")
    try:
        venv.EnvBuilder(with_pip=True).create(VENV)
    except (subprocess.CalledProcessError, OSError) as exc:
        shutil.rmtree(VENV, ignore_errors=True)
        fail(f"cannot create a virtual environment ({exc}).\n"
             "  On Debian/Ubuntu install it with:  sudo apt-get install -y python3-venv")


def ensure_installed() -> None:
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text() == digest:
        return
    say("installing urban-console and its dependencies into .venv (first time takes a few minutes)")
    pip = [str(venv_python()), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
    result = subprocess.run([*pip, "-e", f"{ROOT}[test]"])
    if result.returncode != 0:
        fail("pip could not install the project; the lines above say which package failed")
    STAMP.write_text(digest)


def setup(install_system: bool) -> None:
    check_python()
    check_system(install_system)
    ensure_venv()
    ensure_installed()


def run_console(args: list[str]) -> int:
    env = dict(os.environ)
    if not (env.get("DISPLAY") or env.get("WAYLAND_DISPLAY")) and "QT_QPA_PLATFORM" not in env:
        fail("no screen to show the console on (neither DISPLAY nor WAYLAND_DISPLAY is set).\n"
             "  Run it from a desktop session, or take a picture instead:\n"
             "  QT_QPA_PLATFORM=offscreen python3 quickstart.py console screenshot --view operator --out op.png")
    return subprocess.call([str(venv_python()), "-m", "console.cli", *args], env=env)


def run_tests(args: list[str]) -> int:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONDONTWRITEBYTECODE": "1"}
    env.setdefault("QTWEBENGINE_CHROMIUM_FLAGS", "--no-sandbox")
    return subprocess.call([str(venv_python()), "-m", "pytest", *args], cwd=ROOT, env=env)


def main(argv: list[str]) -> int:
    install_system = "--install-system-packages" in argv
    argv = [a for a in argv if a != "--install-system-packages"]
    if not argv or argv[0] not in ("console", "test"):
        print(__doc__)
        return 2
    setup(install_system)
    return run_console(argv[1:]) if argv[0] == "console" else run_tests(argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

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

# Debian package -> the libraries (sonames) that prove it is installed.  The X11 part is
# what Qt's xcb platform plugin and its GL integrations link (readelf -d libqxcb.so,
# libQt6XcbQpa.so.6, xcbglintegrations/*.so); `qt_plugin_gaps` asks the installed plugin.
SYSTEM_LIBRARIES: dict[str, tuple[str, ...]] = {
    "libegl1": ("libEGL.so.1",),
    "libgl1": ("libGL.so.1",),
    "libxkbcommon0": ("libxkbcommon.so.0",),
    "libfontconfig1": ("libfontconfig.so.1",),
    "libdbus-1-3": ("libdbus-1.so.3",),
    "libnss3": ("libnss3.so",),
    "libasound2": ("libasound.so.2",),
    "libpulse0": ("libpulse.so.0",),  # PySide6.QtMultimedia (camera video) needs it
    "libxkbfile1": ("libxkbfile.so.1",),  # QtWebEngine (the map)
    "libxcomposite1": ("libXcomposite.so.1",),
    "libxdamage1": ("libXdamage.so.1",),
    "libxrandr2": ("libXrandr.so.2",),
    "libxtst6": ("libXtst.so.6",),
    "libglib2.0-0": ("libglib-2.0.so.0", "libgthread-2.0.so.0"),
    # the xcb platform plugin on a desktop (without one, Qt blames xcb-cursor for all of them)
    "libx11-6": ("libX11.so.6",),
    "libx11-xcb1": ("libX11-xcb.so.1",),
    "libxcb1": ("libxcb.so.1",),
    "libxcb-cursor0": ("libxcb-cursor.so.0",),
    "libxcb-glx0": ("libxcb-glx.so.0",),
    "libxcb-icccm4": ("libxcb-icccm.so.4",),
    "libxcb-image0": ("libxcb-image.so.0",),
    "libxcb-keysyms1": ("libxcb-keysyms.so.1",),
    "libxcb-randr0": ("libxcb-randr.so.0",),
    "libxcb-render0": ("libxcb-render.so.0",),
    "libxcb-render-util0": ("libxcb-render-util.so.0",),
    "libxcb-shape0": ("libxcb-shape.so.0",),
    "libxcb-shm0": ("libxcb-shm.so.0",),
    "libxcb-sync1": ("libxcb-sync.so.1",),
    "libxcb-util1": ("libxcb-util.so.1",),
    "libxcb-xfixes0": ("libxcb-xfixes.so.0",),
    "libxcb-xkb1": ("libxcb-xkb.so.1",),
    "libxkbcommon-x11-0": ("libxkbcommon-x11.so.0",),
}
# Present wherever python3 and apt are (libc6, libstdc++6, libgcc-s1): never named.
BASE_LIBRARIES = ("libc.so.6", "libm.so.6", "libstdc++.so.6", "libgcc_s.so.1", "libpthread.so.0", "libdl.so.2",
                  "librt.so.1", "ld-linux-x86-64.so.2", "linux-vdso.so.1")
# What Qt loads to open a window on X11: the plugin, its QPA library, its GL integrations.
XCB_PLUGIN_FILES = ("plugins/platforms/libqxcb.so", "lib/libQt6XcbQpa.so.6", "plugins/xcbglintegrations/*.so")


def say(message: str) -> None:
    print(f"[quickstart] {message}", flush=True)


def fail(message: str) -> "NoReturn":  # type: ignore[name-defined]  # noqa: F821
    print(f"[quickstart] 错误 (error): {message}", file=sys.stderr, flush=True)
    sys.exit(1)


def check_python() -> None:
    if sys.version_info < MIN_PYTHON:
        fail(f"Python {'.'.join(map(str, MIN_PYTHON))} or newer is needed; this is {sys.version.split()[0]}")


def missing_system_packages() -> list[str]:
    missing = [pkg for pkg, libs in SYSTEM_LIBRARIES.items() if not all(map(_has_library, libs))]
    if not _has_cjk_font():
        missing.append("fonts-noto-cjk")
    return missing


def _has_library(soname: str) -> bool:
    """find_library takes the name between `lib` and `.so`: libxcb-icccm.so.4 -> xcb-icccm."""
    return ctypes.util.find_library(soname.removeprefix("lib").split(".so")[0]) is not None


def package_of(soname: str) -> str | None:
    return next((pkg for pkg, libs in SYSTEM_LIBRARIES.items() if soname in libs), None)


def qt_plugin_gaps(qt_dir: Path) -> list[str]:
    """The sonames `ldd` reports "not found" for Qt's xcb plugin files (empty without ldd)."""
    if shutil.which("ldd") is None:
        return []
    gaps: list[str] = []
    for pattern in XCB_PLUGIN_FILES:
        for path in sorted(qt_dir.glob(pattern)):
            out = subprocess.run(["ldd", str(path)], capture_output=True, text=True).stdout
            for line in out.splitlines():
                name, _, where = line.strip().partition(" => ")
                if where.strip() == "not found" and name not in gaps:
                    gaps.append(name)
    return gaps


def check_qt_plugin(install: bool) -> None:
    """Ask the installed xcb plugin what it lacks, so Qt's misleading xcb-cursor message never shows."""
    qt_dirs = sorted(VENV.glob("lib/python3*/site-packages/PySide6/Qt"))
    gaps = qt_plugin_gaps(qt_dirs[0]) if qt_dirs else []
    if not gaps:
        return
    packages = list(dict.fromkeys(package_of(g) or g for g in gaps))
    unknown = [g for g in gaps if package_of(g) is None]
    _install_or_fail(packages, install, f"Qt 的 X11 插件缺少系统库 (Qt's X11 plugin cannot find {' '.join(gaps)})"
                     + (f" (no package known for {' '.join(unknown)}; `apt-file search` names it)" if unknown else ""))


def _has_cjk_font() -> bool:
    if shutil.which("fc-list") is None:
        return False
    out = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True).stdout
    return bool(out.strip())


# Debian package -> the program the test suite runs from it (a real X server, typing, readelf).
TEST_TOOLS = {"xvfb": "Xvfb", "xdotool": "xdotool", "binutils": "readelf"}


def missing_test_tools() -> list[str]:
    return [pkg for pkg, program in TEST_TOOLS.items() if shutil.which(program) is None]


def check_system(install: bool, *, for_tests: bool = False) -> None:
    missing = missing_system_packages()
    if missing:
        _install_or_fail(missing, install, "缺少系统软件包 (the console needs these system packages, "
                         f"which are missing): {' '.join(missing)}")
    tools = missing_test_tools() if for_tests else []
    if tools:
        _install_or_fail(tools, install, "测试缺少系统软件包 (the test suite needs these system packages, "
                         f"which are missing): {' '.join(tools)}")


def _install_or_fail(packages: list[str], install: bool, reason: str) -> None:
    command = "apt-get install -y " + " ".join(packages)
    if install and os.geteuid() == 0 and shutil.which("apt-get"):
        say(f"installing system packages: {' '.join(packages)}")
        subprocess.run(["apt-get", "update", "-qq"], check=True)
        subprocess.run(command.split(), check=True, env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
        return
    fail(f"{reason}\n  install them with:  sudo {command}\n"
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


def setup(install_system: bool, *, for_tests: bool = False) -> None:
    check_python()
    check_system(install_system, for_tests=for_tests)
    ensure_venv()
    ensure_installed()
    check_qt_plugin(install_system)


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
    setup(install_system, for_tests=argv[0] == "test")
    return run_console(argv[1:]) if argv[0] == "console" else run_tests(argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

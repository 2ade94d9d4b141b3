"""On a real X server (Xvfb, the xcb plugin, not offscreen): sign in from the keyboard alone, sign out, quit.

xdotool types as an operator would: user name, Tab, password, Enter.  Every wait
is bounded (xdotool's --sync under a subprocess timeout), and whatever is left
running is killed at the end.  CI (.ci/run) installs xvfb and xdotool.
"""
from __future__ import annotations

import os
import select
import shutil
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pytest

ROOT = Path(__file__).resolve().parents[2]
SIGN_IN = "登录"      # the sign-in dialog's title: 数字城管监督指挥中心 · 登录
WORKSTATION = "操作台"  # the workstation's title: 数字城管监督指挥中心 · 操作台
WAIT_S = 120            # software-rendered QtWebEngine on two shared cores


def need(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        pytest.fail(f"{tool} 未安装 ({tool} is not installed): apt-get install -y xvfb xdotool "
                    "(.ci/run installs them)", pytrace=False)
    return path


@pytest.fixture
def display(tmp_path):
    """A private Xvfb; -displayfd picks a free display number and tells it."""
    read_end, write_end = os.pipe()
    errors = (tmp_path / "xvfb.log").open("w")
    server = subprocess.Popen([need("Xvfb"), "-displayfd", str(write_end), "-screen", "0", "1600x1000x24",
                               "-nolisten", "tcp"], pass_fds=(write_end,), stderr=errors)
    os.close(write_end)
    ready, _, _ = select.select([read_end], [], [], 30)
    number = os.read(read_end, 16).decode().strip() if ready else ""
    try:  # the pipe stays open while the server runs: Xvfb dies if it cannot write the number again
        assert number.isdigit(), "Xvfb did not start within 30 s"
        yield f":{number}"
    finally:
        server.terminate()
        server.wait(timeout=30)
        os.close(read_end)
        errors.close()


def run_xdotool(env: dict, args: tuple[str, ...], timeout: float) -> subprocess.CompletedProcess:
    return subprocess.run([need("xdotool"), *args], env=env, capture_output=True, text=True, timeout=timeout)


def xdotool(env: dict, *args: str, timeout: float = 30) -> str:
    result = run_xdotool(env, args, timeout)
    assert result.returncode == 0, f"xdotool {' '.join(args)}: {result.stderr}"
    return result.stdout


def wait_window(env: dict, title: str, console: subprocess.Popen, log: Path) -> str:
    """The id of the first window whose title contains `title` (fails, with the log, if it never comes)."""
    deadline = time.monotonic() + WAIT_S
    args = ("search", "--sync", "--onlyvisible", "--name", title)
    while (left := deadline - time.monotonic()) > 0 and console.poll() is None:
        try:
            result = run_xdotool(env, args, left)
        except subprocess.TimeoutExpired:
            break
        if result.returncode == 0:
            return result.stdout.split()[0]
        # a window closing while xdotool walks the tree (the sign-in dialog going) is X's BadWindow: look again
        assert "BadWindow" in result.stderr, f"xdotool {' '.join(args)}: {result.stderr}"
    pytest.fail(f"no window {title!r} within {WAIT_S} s (console exit code {console.poll()}):\n"
                + log.read_text(errors="replace")[-3000:], pytrace=False)


def window_name(env: dict, title: str, console: subprocess.Popen, log: Path) -> str:
    """The full title of the window titled `title`, found again if Qt re-created it meanwhile (see focus_window)."""
    for _ in range(3):
        result = run_xdotool(env, ("getwindowname", wait_window(env, title, console, log)), WAIT_S)
        if result.returncode == 0:
            return result.stdout.strip()
        assert "BadWindow" in result.stderr, f"xdotool getwindowname: {result.stderr}"
    pytest.fail(f"window {title!r} kept going away (BadWindow three times)", pytrace=False)


def focus_window(env: dict, title: str, console: subprocess.Popen, log: Path) -> str:
    """Focus the window titled `title`; its id again if Qt re-created it meanwhile.

    Qt re-creates a shown top-level's native window once, when the map's web view
    first brings its GL surface (the page is built on a thread and may arrive after
    the window shows): the id found a moment earlier is then X's BadWindow.
    """
    for _attempt in range(3):
        window = wait_window(env, title, console, log)
        result = run_xdotool(env, ("windowfocus", "--sync", window), 30)
        if result.returncode == 0:
            return window
        assert "BadWindow" in result.stderr, f"xdotool windowfocus: {result.stderr}"
    pytest.fail(f"window {title!r} kept being re-created", pytrace=False)


def sign_in(env: dict, window: str, user: str, password: str) -> None:
    xdotool(env, "windowfocus", "--sync", window)
    xdotool(env, "type", "--delay", "30", user)
    xdotool(env, "key", "Tab")
    xdotool(env, "type", "--delay", "30", password)
    xdotool(env, "key", "Return")


def console_env(display: str, tmp_path: Path) -> dict:
    """The console's environment on the X server: xcb, its own config and data folders, no default database."""
    env = {k: v for k, v in os.environ.items() if k not in ("URBAN_CONSOLE_DB", "WAYLAND_DISPLAY")}
    env.update(DISPLAY=display, QT_QPA_PLATFORM="xcb", XDG_CONFIG_HOME=str(tmp_path / "config"),
               XDG_DATA_HOME=str(tmp_path / "data"), XDG_RUNTIME_DIR=str(tmp_path))
    env["QTWEBENGINE_CHROMIUM_FLAGS"] = "--no-sandbox"
    return env


def small_demo(env: dict, tmp_path: Path) -> str:
    """A small demo city in a fresh SQLite file; its URL."""
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    demo = subprocess.run([sys.executable, "-m", "console.cli", "demo", "--scale", "small", "--db", url], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=300)
    assert demo.returncode == 0, demo.stderr[-2000:]
    return url


@contextmanager
def running_console(env: dict, tmp_path: Path, *args: str) -> Iterator[tuple[subprocess.Popen, Path]]:
    """`urban-console <args>` on the X server, its output in a log; killed and reaped whatever the test did."""
    log = tmp_path / "console.log"
    with log.open("w") as out:
        console = subprocess.Popen([sys.executable, "-m", "console.cli", *args], cwd=ROOT, env=env,
                                   stdout=out, stderr=subprocess.STDOUT)
    try:
        yield console, log
    finally:
        if console.poll() is None:
            console.kill()
            console.wait(timeout=30)


def wait_focus(env: dict, title: str, console: subprocess.Popen, log: Path) -> None:
    """The X input focus comes to the window titled `title` by itself (no window manager gives it here)."""
    deadline, name = time.monotonic() + WAIT_S, ""
    while time.monotonic() < deadline and console.poll() is None:
        result = run_xdotool(env, ("getwindowfocus", "getwindowname"), 30)
        name = result.stdout.strip()
        if title in name:
            return
        time.sleep(0.1)  # a poll's interval: the seat re-takes the focus when Qt re-creates its window
    pytest.fail(f"the focus never came to {title!r} within {WAIT_S} s (it is on {name!r}):\n"
                + log.read_text(errors="replace")[-3000:], pytrace=False)


def quit_console(env: dict, title: str, console: subprocess.Popen, log: Path) -> None:
    """退出 (Ctrl+Q) from the window titled `title`: the console ends cleanly."""
    focus_window(env, title, console, log)
    xdotool(env, "key", "ctrl+q")
    assert console.wait(timeout=60) == 0, log.read_text(errors="replace")[-3000:]


def test_console_signs_in_from_the_keyboard_on_a_real_x_server(display, tmp_path):
    env = console_env(display, tmp_path)
    url = small_demo(env, tmp_path)
    with running_console(env, tmp_path, "run", "--db", url) as (console, log):
        sign_in(env, wait_window(env, SIGN_IN, console, log), "intake1", "demo1234")
        assert console.poll() is None
        assert "数字城管监督指挥中心 · 操作台" in window_name(env, WORKSTATION, console, log)
        wait_focus(env, WORKSTATION, console, log)  # the operator's first key reaches the workstation

        # 注销 (Ctrl+Shift+Q): the sign-in comes back; the next operator signs in the same way
        focus_window(env, WORKSTATION, console, log)
        xdotool(env, "key", "ctrl+shift+q")
        sign_in(env, wait_window(env, SIGN_IN, console, log), "shift1", "demo1234")
        wait_window(env, WORKSTATION, console, log)
        wait_focus(env, WORKSTATION, console, log)
        quit_console(env, WORKSTATION, console, log)

"""The street seat on a real X server (Xvfb, xcb): sign in, open the most urgent case and 催办 it by keyboard.

Mirrors tests/e2e/test_xvfb_keyboard.py (its display fixture and xdotool helpers): Ctrl+Home + Enter opens
the queue's first case, Ctrl+Shift+U the 催办 form, a typed note and Enter send it; the database then
holds the 催办 recorded at the seat named by its street.
"""
from __future__ import annotations

import subprocess
import time

from sqlalchemy import func, select

from console.data import models as m
from console.data.db import Database
from tests.e2e.test_xvfb_keyboard import (  # noqa: F401 - display: the fixture
    SIGN_IN, WAIT_S, console_env, display, focus_window, quit_console, running_console, sign_in, small_demo,
    wait_window, window_name, xdotool,
)

STREET_SEAT = "街道指挥席 · 列东街道"


def _street_urges(url: str) -> int:
    db = Database(url)
    try:
        with db.read() as s:
            return s.scalar(select(func.count()).select_from(m.UrgeRecord).where(
                m.UrgeRecord.kind == "urge", m.UrgeRecord.seat == STREET_SEAT, m.UrgeRecord.note == "please hurry"))
    finally:
        db.dispose()


def test_the_street_seat_urges_from_the_keyboard(display, tmp_path):  # noqa: F811 - the fixture
    env = console_env(display, tmp_path)
    url = small_demo(env, tmp_path)
    with running_console(env, tmp_path, "run", "--seat", "street:350402001", "--db", url) as (console, log):
        sign_in(env, wait_window(env, SIGN_IN, console, log), "street_350402001", "demo1234")
        assert window_name(env, STREET_SEAT, console, log).startswith(STREET_SEAT)
        focus_window(env, STREET_SEAT, console, log)
        xdotool(env, "key", "ctrl+Home", "Return")  # the queue's first (most urgent) case, opened
        deadline = time.monotonic() + WAIT_S
        while _street_urges(url) == 0 and time.monotonic() < deadline and console.poll() is None:
            xdotool(env, "key", "ctrl+shift+u")  # offered once the case's detail has come: tried until then
            form = subprocess.run(["xdotool", "search", "--onlyvisible", "--name", "催办 ·"], env=env,
                                  capture_output=True, text=True, timeout=30)
            if form.returncode == 0:
                xdotool(env, "windowfocus", "--sync", form.stdout.split()[0])
                xdotool(env, "type", "--delay", "30", "please hurry")
                xdotool(env, "key", "Return")
                wait_window(env, STREET_SEAT, console, log)
            else:
                focus_window(env, STREET_SEAT, console, log)
                xdotool(env, "key", "ctrl+Home", "Return")
        assert _street_urges(url) == 1, log.read_text(errors="replace")[-3000:]
        quit_console(env, STREET_SEAT, console, log)

"""On a real X server (Xvfb, xcb): the leader seat from the keyboard alone, as tests/e2e/test_xvfb_keyboard.py
does for the workstation: sign in, 本月 (Ctrl+3), Enter on the first street opens its open cases, 督办
(Ctrl+Shift+S) with a typed reason, Enter submits, Esc closes the list, Ctrl+Q quits; the record is in the
database with the leader's name."""
from __future__ import annotations

import subprocess

from sqlalchemy import select

from console.data import models as m
from console.data.db import Database
from tests.e2e.test_xvfb_keyboard import (  # noqa: F401 - display: the fixture
    console_env, display, focus_window, quit_console, run_xdotool, running_console, sign_in, small_demo, wait_window,
    window_name,
    xdotool,
)

LEADER = "指挥长席"  # the seat's title: 数字城管监督指挥中心 · 指挥长席
CASES = "未结案件"   # the cases dialog's title: 街道 <name> · 未结案件 n 件
SUPERVISE = "督办"   # the form's title: 督办 · <case number>


def open_first_street(env: dict) -> None:
    """Enter on the street ranking (it has the keyboard); again while the first board is still being read."""
    for _attempt in range(24):
        xdotool(env, "key", "Return")
        try:  # xdotool's own bounded wait for the dialog
            found = run_xdotool(env, ("search", "--sync", "--onlyvisible", "--name", CASES), 5)
        except subprocess.TimeoutExpired:
            continue
        if found.returncode == 0:
            return
    raise AssertionError("Enter on the street ranking opened no case list within 2 minutes")


def test_the_leader_supervises_from_the_keyboard_on_a_real_x_server(display, tmp_path):  # noqa: F811
    env = console_env(display, tmp_path)
    url = small_demo(env, tmp_path)
    db = Database(url)
    with db.read() as s:
        before = len(list(s.scalars(select(m.UrgeRecord.id).where(m.UrgeRecord.kind == "supervise"))))
    with running_console(env, tmp_path, "run", "--seat", "leader", "--db", url) as (console, log):
        sign_in(env, wait_window(env, "登录", console, log), "leader1", "demo1234")
        assert "数字城管监督指挥中心 · 指挥长席" in window_name(env, LEADER, console, log)
        focus_window(env, LEADER, console, log)
        xdotool(env, "key", "ctrl+3")  # 本月
        open_first_street(env)
        focus_window(env, CASES, console, log)
        xdotool(env, "key", "ctrl+shift+s")
        focus_window(env, SUPERVISE, console, log)
        xdotool(env, "type", "--delay", "30", "please reply today")
        xdotool(env, "key", "Return")  # submits (Shift+Enter would start a new line)
        focus_window(env, CASES, console, log)
        xdotool(env, "key", "Escape")
        quit_console(env, LEADER, console, log)
    with db.read() as s:
        records = list(s.scalars(select(m.UrgeRecord).where(m.UrgeRecord.kind == "supervise")
                                 .order_by(m.UrgeRecord.id)))
    db.dispose()
    assert len(records) == before + 1
    assert records[-1].note == "please reply today" and records[-1].seat == "指挥长席"
    assert records[-1].operator_name == "吴德福" and records[-1].reply_due_at is not None

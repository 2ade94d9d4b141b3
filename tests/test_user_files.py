"""A test run leaves the real user's files alone (issue 9): ~/.config and friends stay untouched.

tests/conftest.py points the XDG directories at a sandbox before anything looks;
this runs a probe that writes a setting, the default database and a cache file
in a child pytest whose HOME is an empty directory, and finds that directory
still empty afterwards while the sandbox holds what was written.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_a_run_leaves_home_untouched(tmp_path):
    home, sandbox = tmp_path / "home", tmp_path / "sandbox"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("XDG_")}
    env.update(HOME=str(home), URBAN_CONSOLE_TEST_SANDBOX=str(sandbox), QT_QPA_PLATFORM="offscreen")
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/user_files_probe.py"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "1 passed" in done.stdout
    assert sorted(p.relative_to(home) for p in home.rglob("*")) == []  # no ~/.config, ~/.local, ~/.cache
    assert list(sandbox.rglob("console.db")) and list(sandbox.rglob("probe"))

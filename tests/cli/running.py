"""Running the command line in-process: its exit code and what it printed."""
from __future__ import annotations

from console.cli import main

ERROR_PREFIX = "urban-console: 错误 (error): "


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_line(code: int, err: str, needle: str) -> None:
    assert code != 0
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith(ERROR_PREFIX) and "Traceback" not in err
    assert needle in lines[0], lines[0]

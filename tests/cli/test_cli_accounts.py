"""`user add` on the command line: bound accounts, password rules, one-line errors, nothing written."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from console.data import models as m
from console.data.db import Database
from tests.cli.running import run


def _operators(url: str) -> list[tuple]:  # noqa: F811
    db = Database(url)
    try:
        with db.read() as s:
            return [tuple(r) for r in s.execute(select(m.Operator.username, m.Operator.role, m.Operator.department_id))]
    finally:
        db.dispose()


@pytest.mark.parametrize("argv, needle", [
    (["dept_x", "--role", "department", "--password", "secret12"], "--department"),
    (["dept_x", "--role", "department", "--department", "NOPE", "--password", "secret12"], "NOPE"),
    (["intake_x", "--role", "intake", "--department", "HW", "--password", "secret12"], "--department"),
    (["intake_x", "--role", "intake", "--password", "short"], "8"),
    (["intake_x", "--role", "intake", "--password", "11111111"], "repeated"),
    (["intake_x", "--role", "intake", "--password", "password1"], "common"),
    (["   ", "--role", "intake", "--password", "secret12"], "empty"),
])
def test_a_refused_account_is_one_line_and_nothing_is_written(capsys, url, argv, needle):  # noqa: F811
    code, _, err = run(capsys, "user", "add", *argv, "--db", url)
    assert code != 0 and len(err.strip().splitlines()) == 1 and needle in err, err
    assert _operators(url) == []


def test_department_account_by_code_and_case_insensitive_names(capsys, url):  # noqa: F811
    code, out, _ = run(capsys, "user", "add", "Dept_HW", "--role", "department", "--department", "HW",
                       "--password", "demo1234", "--db", url)
    assert code == 0 and "Dept_HW" in out
    code, _, err = run(capsys, "user", "add", "dept_hw", "--role", "department", "--department", "2",
                       "--password", "demo1234", "--db", url)
    assert code != 0 and "已存在" in err and "Dept_HW" in err
    assert _operators(url) == [("Dept_HW", "department", 2)]
    db = Database(url)
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(m.ChangeLog).where(m.ChangeLog.entity == "operator")) == 1
    db.dispose()

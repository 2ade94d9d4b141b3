"""Every subcommand, driven with bad arguments: one line naming what was wrong, never a traceback.

And a `--db` that names no existing SQLite file is refused by every subcommand but
`demo` and `db upgrade`: no directory, no database, no demo accounts appear.
"""
from __future__ import annotations

import json

import pytest

from tests.cli.running import assert_one_line, run

# (argv, what the one line must name); `--db URL` is appended to each
BAD = [
    (("run", "--seat", "wall"), "wall"),
    (("run", "--seat", "boss"), "boss"),
    (("run", "--seat", "street"), "street"),
    (("demo", "--scale", "galaxy"), "galaxy"),
    (("demo", "--history-days", "99999999"), "99999999"),
    (("demo", "--seed", "one"), "one"),
    (("stats", "--street"), "--street"),
    (("stats", "--verbose"), "--verbose"),
    (("db", "upgrade", "--to", "0001"), "--to"),
    (("check-grids", "/nonexistent/grids.geojson"), "/nonexistent/grids.geojson"),
    (("import", "roads", "x.geojson"), "roads"),
    (("import", "grids", "/nonexistent/grids.geojson"), "/nonexistent/grids.geojson"),
    (("import", "cameras", "/nonexistent/cams.csv"), "/nonexistent/cams.csv"),
    (("calendar", "due", "2025-13-01T00:00", "4wh"), "2025-13-01"),
    (("calendar", "due", "2025-09-30T16:30", "4weeks"), "4weeks"),
    (("calendar", "due", "2025-09-30T16:30", "99999999wd"), "99999999wd"),
    (("calendar", "due", "2025-09-30T16:30", "9" * 5000 + "wh"), "too large"),
    (("calendar", "due", "9999-12-30T16:30", "5wd"), "9999"),
    (("calendar", "due", "2025-09-30T16:30", "nanwd"), "nanwd"),
    (("calendar", "set", "tomorrow", "workday"), "tomorrow"),
    (("calendar", "set", "2027-02-06", "weekday"), "weekday"),
    (("calendar", "set", "2027-02-06", "workday", "--note", "调" * 201), "calendar_overrides.note"),
    (("user", "add", "x", "--role", "boss", "--password", "secret1"), "boss"),
    (("user", "add", "x" * 51, "--role", "intake", "--password", "secret12"), "operators.username"),
    (("user", "add", "x", "--role", "intake", "--department", "-3", "--password", "secret12"), "-3"),
    (("audit", "2026999999"), "2026999999"),
    (("audit", "\x00" * 3), "不存在"),
    (("export", "cases", "--format", "pdf", "--out", "x.pdf"), "pdf"),
    (("export", "cases", "--format", "csv", "--out", "/dev/null"), "/dev/null"),
    (("export", "cases", "--format", "csv", "--out", "/nonexistent/dir/x.csv"), "/nonexistent/dir"),
    (("export", "cases", "--format", "csv", "--out", "x.csv", "--since", "yesterday"), "yesterday"),
    (("screenshot", "--size", "99999x99999", "--out", "x.png"), "99999x99999"),
    (("screenshot", "--size", "7681x4320", "--out", "x.png"), "7681x4320"),
    (("screenshot", "--size", "0x0", "--out", "x.png"), "0x0"),
    (("screenshot", "--size", "1920x-1", "--out", "x.png"), "1920x-1"),
    (("screenshot", "--view", "wall", "--out", "x.png"), "wall"),
    (("simulate", "--rate", "nan", "--duration", "1"), "nan"),
    (("simulate", "--rate", "inf", "--duration", "1"), "inf"),
    (("simulate", "--rate", "-5", "--duration", "1"), "-5"),
    (("simulate", "--rate", "5", "--duration", "1e400"), "inf"),
    (("simulate", "--rate", "5", "--duration", "1", "--actions", "1000"), "1000"),
    (("simulate", "--rate", "fast", "--duration", "1"), "fast"),
    (("bench", "--on", "sqlite:////nonexistent/metro.db"), "/nonexistent/metro.db"),
    (("frobnicate",), "frobnicate"),
]


@pytest.mark.parametrize("argv, needle", BAD, ids=[" ".join(a)[:40] for a, _ in BAD])
def test_bad_argument_is_one_line_naming_it(capsys, url, tmp_path, monkeypatch, argv, needle):
    monkeypatch.chdir(tmp_path)  # relative output files land here, and must not appear
    code, out, err = run(capsys, *argv, "--db", url)
    assert_one_line(code, err, needle)
    assert [p.name for p in tmp_path.iterdir() if not p.name.startswith("cli.db")] == []  # nothing beside it


SUBCOMMANDS = [
    ("run",), ("stats", "--json"), ("check-grids",), ("import", "grids", "g.geojson"),
    ("calendar", "due", "2025-09-30T16:30", "4wh"), ("calendar", "set", "2027-02-06", "workday"),
    ("user", "add", "zhang", "--role", "intake", "--password", "secret12"), ("audit", "202600000001"),
    ("export", "cases", "--format", "csv", "--out", "x.csv"), ("screenshot", "--out", "x.png"),
    ("simulate", "--rate", "1", "--duration", "1"), ("bench", "--on"),
]


def _argv(sub: tuple[str, ...], db: str) -> list[str]:
    return [*sub, db] if sub[-1] == "--on" else [*sub, "--db", db]


MISSING = [*SUBCOMMANDS, ("bench", "--quick")]


@pytest.mark.parametrize("sub", MISSING, ids=[s[0] + (f" {s[1]}" if len(s) > 1 else "") for s in MISSING])
def test_a_missing_database_file_is_refused_and_never_created(capsys, tmp_path, monkeypatch, sub):
    monkeypatch.chdir(tmp_path)
    typo = tmp_path / "no-such-dir" / "hall.db"
    for db in (str(typo), f"sqlite:///{typo}"):
        code, out, err = run(capsys, *_argv(sub, db))
        assert_one_line(code, err, str(typo))
        assert "no such database file" in err
        assert not typo.parent.exists()  # no folder, no file, no demo accounts


def test_the_environment_variable_is_held_to_the_same_rule(capsys, tmp_path, monkeypatch):
    typo = tmp_path / "typo" / "hall.db"
    monkeypatch.setenv("URBAN_CONSOLE_DB", str(typo))
    code, _, err = run(capsys, "stats", "--json")
    assert_one_line(code, err, str(typo))
    assert not typo.parent.exists()


def test_demo_and_db_upgrade_create_the_file(capsys, tmp_path):
    fresh = tmp_path / "new" / "hall.db"
    code, out, _ = run(capsys, "db", "upgrade", "--db", str(fresh))
    assert code == 0 and "revision" in out and fresh.is_file()
    other = tmp_path / "demo" / "hall.db"
    code, out, _ = run(capsys, "demo", "--scale", "small", "--history-days", "1", "--db", str(other))
    assert code == 0 and json.loads(out)["grids"] > 0
    code, out, _ = run(capsys, "stats", "--json", "--db", str(other))
    assert code == 0 and json.loads(out)["grids"] == json.loads(out)["grids"] > 0


def test_a_named_database_without_schema_is_not_seeded(capsys, tmp_path):
    empty = tmp_path / "empty.db"
    empty.touch()
    code, _, err = run(capsys, "stats", "--json", "--db", str(empty))
    assert_one_line(code, err, str(empty))
    assert "no schema" in err and empty.stat().st_size == 0  # neither a schema nor demo accounts


def test_the_embedded_default_is_created_on_first_use(capsys, tmp_path, monkeypatch):
    """Without --db and $URBAN_CONSOLE_DB the embedded file in the user data folder is created."""
    monkeypatch.delenv("URBAN_CONSOLE_DB", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    from console.data.db import default_db_path

    grids = tmp_path / "grids.geojson"
    grids.write_text('{"type": "FeatureCollection", "features": []}', encoding="utf-8")
    code, _, err = run(capsys, "import", "grids", str(grids))  # import: schema, no demo city
    assert default_db_path() == tmp_path / "data" / "urban-console" / "console.db"
    assert default_db_path().is_file()
    assert_one_line(code, err, "grids.geojson")  # an empty layer is refused, in one line


@pytest.mark.parametrize("content", [b"", b"hello, not a database " * 300, b"SQLite format 3\x00" + b"\xff" * 5000])
def test_a_file_that_is_not_a_database_is_named_by_every_subcommand(capsys, tmp_path, monkeypatch, content):
    monkeypatch.chdir(tmp_path)
    junk = tmp_path / "junk.db"
    junk.write_bytes(content)
    for sub in SUBCOMMANDS:
        code, out, err = run(capsys, *_argv(sub, str(junk)))
        assert_one_line(code, err, str(junk))
        assert junk.read_bytes() == content  # not "repaired", not initialised
    assert sorted(p.name for p in tmp_path.iterdir()) == ["junk.db"]

"""The command-line contract (architecture.md): outputs, exit codes, one-line errors."""
from __future__ import annotations

import json

import pytest

from tests.cli.running import run
from tests.data.test_commands import INTAKE, new_case, step


def test_calendar_due_skips_national_day(capsys, url):
    # 2025-09-30 16:30 + 4wh: one hour that day, then 1-8 October are holidays.
    code, out, _ = run(capsys, "calendar", "due", "2025-09-30T16:30", "4wh", "--db", url)
    assert code == 0 and out.strip() == "2025-10-09T11:30+08:00"


def test_calendar_due_warns_for_unconfirmed_year(capsys, url):
    code, out, err = run(capsys, "calendar", "due", "2027-03-05T09:00", "2wd", "--db", url)
    assert code == 0 and out.strip() == "2027-03-09T09:00+08:00"  # Fri 390 + Mon 420 + Tue 30 min
    assert "2027" in err and "unconfirmed" in err


def test_calendar_set_override_wins(capsys, url):
    assert run(capsys, "calendar", "set", "2027-03-06", "workday", "--note", "调休", "--db", url)[0] == 0
    code, out, _ = run(capsys, "calendar", "due", "2027-03-05T09:00", "2wd", "--db", url)
    assert out.strip() == "2027-03-08T09:00+08:00"  # Fri 390 + Sat 420 + Mon 30 min


@pytest.mark.parametrize("argv, needle", [
    (("calendar", "due", "2025-13-01T00:00", "4wh"), "2025-13-01"),
    (("calendar", "due", "2025-09-30T16:30", "4weeks"), "4weeks"),
    (("calendar", "set", "tomorrow", "workday"), "tomorrow"),
    (("audit", "2026999999"), "2026999999"),
    (("user", "add", "x", "--role", "boss", "--password", "secret1"), "boss"),
    (("import", "grids", "/nonexistent/grids.geojson"), "/nonexistent/grids.geojson"),
])
def test_bad_input_is_one_line_naming_it(capsys, url, argv, needle):
    code, out, err = run(capsys, *argv, "--db", url)
    assert code != 0
    assert len(err.strip().splitlines()) == 1 and needle in err


def test_stats_json_shape(capsys, url):
    code, out, _ = run(capsys, "stats", "--json", "--db", url)
    data = json.loads(out)
    assert code == 0
    assert set(data) == {"streets", "communities", "grids", "staff", "cameras", "departments", "area_km2", "cases",
                         "calendar"}  # calendar: the years without a holiday notice the lights stand on
    assert set(data["cases"]) == {"total", "by_state", "by_light"}
    assert set(data["cases"]["by_light"]) == {"green", "yellow", "red"}
    assert data["grids"] == 8


def test_audit_prints_the_timeline(capsys, url):
    from console.data.db import Database

    db = Database(url)
    number, v = new_case(db)
    step(db, INTAKE, number, v, "forward", 5)
    code, out, _ = run(capsys, "audit", number, "--db", url)
    lines = out.strip().splitlines()
    assert code == 0 and len(lines) == 2
    assert "上报" in lines[0] and "王监督" in lines[0]
    assert "张受理" in lines[1] and "受理席1" in lines[1]


def test_user_add_and_duplicate(capsys, url):
    code, out, _ = run(capsys, "user", "add", "zhang", "--role", "intake", "--password", "secret12", "--db", url)
    assert code == 0 and "zhang" in out
    code, _, err = run(capsys, "user", "add", "zhang", "--role", "intake", "--password", "secret12", "--db", url)
    assert code != 0 and "已存在" in err


def test_import_bad_file_exits_nonzero_and_imports_nothing(capsys, tmp_path):
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    assert run(capsys, "db", "upgrade", "--db", url)[0] == 0
    bad = tmp_path / "bad.geojson"
    bad.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"code": "350402001001001"},
         "geometry": {"type": "Point", "coordinates": [117.6, 26.2]}}]}), encoding="utf-8")
    code, _, err = run(capsys, "import", "grids", str(bad), "--db", url)
    assert code != 0 and "bad.geojson" in err and "#1" in err and "Point" in err
    assert len(err.strip().splitlines()) == 1


def test_explicit_database_without_schema_is_named(capsys, tmp_path):
    code, _, err = run(capsys, "stats", "--json", "--db", "postgresql://postgres@127.0.0.1:1/nothing")
    assert code != 0 and "127.0.0.1:1" in err and len(err.strip().splitlines()) == 1


def test_bench_on_a_missing_or_empty_database_is_named(capsys, url, tmp_path):
    missing = tmp_path / "no-such.db"
    code, out, err = run(capsys, "bench", "--on", f"sqlite:///{missing}")
    assert code != 0 and out == "" and str(missing) in err and len(err.strip().splitlines()) == 1
    assert not missing.exists()  # never created just to be timed
    code, out, err = run(capsys, "bench", "--on", url)  # schema, no cases
    assert code != 0 and out == "" and "no cases" in err


def test_stats_without_json_reads_as_a_summary(capsys, db):
    new_case(db)
    code, out, _ = run(capsys, "stats", "--db", db.url)
    assert code == 0 and not out.lstrip().startswith("{")
    lines = out.splitlines()
    assert any("8 个单元网格" in line and "2 个街道" in line for line in lines)
    assert any("共 1 件" in line for line in lines) and any("待受理 1" in line for line in lines)
    east = next(line for line in lines if "350402001" in line)
    west = next(line for line in lines if "350402002" in line)
    assert "列东街道" in east and east.split()[-4:] == ["2", "4", "1", "1"]  # communities grids cases open
    assert "列西街道" in west and west.split()[-4:] == ["2", "4", "0", "0"]
    code, out, _ = run(capsys, "stats", "--street", "350402002", "--db", db.url)
    assert "列西街道" in out and "列东街道" not in out


def test_too_long_values_are_one_line_on_both_backends(capsys, db):
    from sqlalchemy import func, select

    from console.data import models as m

    for argv, needle in ((("user", "add", "张" * 51, "--role", "intake", "--password", "secret12"), "operators.username"),
                         (("user", "add", "zhang", "--role", "intake", "--display-name", "名" * 51,
                           "--password", "secret12"), "operators.display_name"),
                         (("calendar", "set", "2027-02-06", "workday", "--note", "调" * 201), "calendar_overrides.note")):
        code, out, err = run(capsys, *argv, "--db", db.url)
        assert code != 0 and out == "" and len(err.strip().splitlines()) == 1 and needle in err
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(m.Operator)) == 0
        assert s.scalar(select(func.count()).select_from(m.CalendarOverride)) == 0
    code, out, _ = run(capsys, "user", "add", "张" * 50, "--role", "intake", "--password", "secret12", "--db", db.url)
    assert code == 0  # exactly at the limit: the same answer on SQLite and PostgreSQL

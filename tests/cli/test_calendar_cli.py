"""Issue 8 on the command line: the unconfirmed-year warning on every calendar-dependent
output, and `calendar set` reporting the running clocks it recomputed (SQLite and PostgreSQL)."""
from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from console.data.commands import report_case
from tests.cli.running import run
from tests.data.test_commands import GARBAGE, INSPECTOR, LAT, LON

SH = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def url(db) -> str:
    return db.url


def into_2027(db) -> None:
    """A case whose intake clock runs into 2027 (15 min on New Year's Eve, 15 on Mon 4 Jan)."""
    report_case(db, INSPECTOR, source="inspector", lon=LON, lat=LAT, category_code=GARBAGE,
                at=datetime(2026, 12, 31, 17, 15, tzinfo=SH))


def test_calendar_due_over_an_unknown_year_keeps_the_statutory_days_and_warns(capsys, url):
    code, out, err = run(capsys, "calendar", "due", "2027-02-04T16:30", "4wh", "--db", url)
    assert code == 0 and out.strip() == "2027-02-09T11:30+08:00"  # 除夕 .. 初三 and the weekend skipped
    assert len(err.strip().splitlines()) == 1 and "2027" in err and "调休" in err


def test_stats_and_export_carry_the_warning(capsys, url, db, tmp_path):
    code, out, err = run(capsys, "stats", "--json", "--db", url)
    assert code == 0 and err == "" and json.loads(out)["calendar"] == {"unconfirmed_years": [], "warning": None}
    into_2027(db)
    code, out, err = run(capsys, "stats", "--json", "--db", url)
    calendar = json.loads(out)["calendar"]
    assert calendar["unconfirmed_years"] == [2027] and "2027" in calendar["warning"]
    assert err.strip() == calendar["warning"]
    code, out, err = run(capsys, "export", "cases", "--format", "csv", "--out", str(tmp_path / "cases.csv"),
                         "--db", url)
    assert code == 0 and "2027" in err and "unconfirmed" in err


def test_calendar_set_reports_the_clocks_it_recomputed(capsys, url, db):
    into_2027(db)
    code, out, _ = run(capsys, "calendar", "set", "2027-01-04", "holiday", "--note", "寒潮停工", "--db", url)
    assert code == 0 and "重算 1 个运行中时钟" in out
    code, out, _ = run(capsys, "calendar", "set", "2027-03-01", "holiday", "--db", url)
    assert code == 0 and "重算 0 个" in out

"""`urban-console roads`: score --json/--xlsx over a hand-built month, findings add/case/list, bad input in one line."""
from __future__ import annotations

import json

import pytest
from openpyxl import load_workbook

from tests.cli.running import run
from tests.data.test_roads import STREET, WEST, build_month, build_roads


@pytest.fixture
def url(db) -> str:
    return db.url


def test_roads_score_json_and_xlsx(capsys, url, db, tmp_path):
    build_month(db)
    out_file = tmp_path / "roads.xlsx"
    code, out, err = run(capsys, "roads", "score", "--month", "2026-11", "--json", "--xlsx", str(out_file),
                         "--db", url)
    assert code == 0, err
    result = json.loads(out)
    assert result["month"] == "2026-11" and result["start"] == "2026-11-01T00:00:00+08:00"
    for table in ("segments", "roads", "streets", "second_chiefs", "units", "departments"):
        assert result[table] and {"code", "name", "score", "grade", "flag"} <= set(result[table][0])
    streets = {r["code"]: r for r in result["streets"]}
    assert streets[WEST]["flag"] == "red" and streets[STREET]["flag"] == "black"
    assert isinstance(result["accountability"], list) and result["funding"]
    book = load_workbook(out_file)
    assert book["segments"].max_row == len(result["segments"]) + 1 and "funding" in book.sheetnames


def test_roads_score_text(capsys, url, db):
    build_roads(db)
    code, out, err = run(capsys, "roads", "score", "--month", "2026-11", "--db", url)
    assert code == 0, err
    assert "路长制月度考评 2026-11" in out and "列东街道" in out


@pytest.mark.parametrize("month", ["2026-13", "2026-W47", "2026-11-30", "november"])
def test_a_bad_month_is_one_line(capsys, url, month):
    code, out, err = run(capsys, "roads", "score", "--month", month, "--db", url)
    assert code != 0 and out == ""
    assert len(err.strip().splitlines()) == 1 and "--month" in err and month in err


def test_finding_add_to_case_and_list(capsys, url, db):
    build_roads(db)
    code, out, err = run(capsys, "roads", "finding", "add", "--segment", "2", "--problem", "占道经营",
                         "--found-by", "督查组", "--photo", "p/1.jpg", "--at", "2026-11-24T10:00", "--db", url)
    assert code == 0, err
    assert "督导问题 1 已记录" in out
    code, out, err = run(capsys, "roads", "finding", "case", "1", "--category", "06010", "--db", url)
    assert code == 0, err
    number = out.split()[-1]
    code, out, err = run(capsys, "roads", "finding", "list", "--month", "2026-11", "--json", "--db", url)
    assert code == 0, err
    [finding] = json.loads(out)
    assert finding["case"] == number and finding["photo"] == "p/1.jpg" and finding["segment_id"] == 2
    code, out, err = run(capsys, "roads", "finding", "case", "1", "--db", url)
    assert code != 0 and "已转为案件" in err and len(err.strip().splitlines()) == 1


def test_finding_on_a_missing_segment_is_one_line(capsys, url, db):
    build_roads(db)
    code, out, err = run(capsys, "roads", "finding", "add", "--segment", "99", "--problem", "x", "--found-by", "y",
                         "--db", url)
    assert code != 0 and "路段 99 不存在" in err and len(err.strip().splitlines()) == 1

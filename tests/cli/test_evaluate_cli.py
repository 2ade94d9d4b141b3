"""`urban-console evaluate`: the JSON of every scope keyed by figure ids, xlsx, and bad periods."""
from __future__ import annotations

import json

import pytest
from openpyxl import load_workbook

from tests.cli.running import run
from tests.data.test_evaluation import build_month


@pytest.fixture
def url(db) -> str:
    return db.url


def test_evaluate_json_by_department(capsys, url, db, tmp_path):
    build_month(db)
    out_file = tmp_path / "eval.xlsx"
    code, out, err = run(capsys, "evaluate", "--period", "2026-11", "--by", "department", "--json",
                         "--xlsx", str(out_file), "--db", url)
    assert code == 0, err
    result = json.loads(out)
    assert result["start"] == "2026-11-01T00:00:00+08:00" and result["end"] == "2026-12-01T00:00:00+08:00"
    by_code = {s["code"]: s for s in result["scopes"]}
    hw = by_code["2"]
    assert hw["name"] == "环卫处" and hw["closed"] >= 1 and 0 <= hw["close_rate"] <= 1
    assert {"reported", "valid_reports", "closed", "due_to_close", "close_rate", "grade", "score"} <= set(hw)
    street_office = by_code["3"]  # no case dispatched to it: rates are null ("—"), never 0 or 1
    assert street_office["close_rate"] is None and street_office["grade"] is None
    sheet = load_workbook(out_file).active
    assert sheet.max_row == len(result["scopes"]) + 1


def test_evaluate_text_shows_dashes(capsys, url):
    code, out, err = run(capsys, "evaluate", "--period", "2026-W47", "--by", "street", "--db", url)
    assert code == 0, err
    assert "—" in out and "列东" in out


@pytest.mark.parametrize("period", ["2026-13", "2026-W60", "yesterday"])
def test_bad_periods_are_one_line(capsys, url, period):
    code, out, err = run(capsys, "evaluate", "--period", period, "--by", "street", "--db", url)
    assert code != 0 and out == ""
    assert len(err.strip().splitlines()) == 1 and "--period" in err and period in err

"""`urban-console evaluate`: the JSON of every scope keyed by figure ids, xlsx, and bad periods."""
from __future__ import annotations

import json

import pytest
from openpyxl import load_workbook

from tests.cli.running import assert_one_line, run
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


def test_evaluate_street_restricts_to_its_cases(capsys, url, db):
    build_month(db)
    code, out, err = run(capsys, "evaluate", "--period", "2026-11", "--by", "community", "--street", "350402001",
                         "--json", "--db", url)
    assert code == 0, err
    result = json.loads(out)
    assert result["street"] == "350402001"
    assert {s["code"][:9] for s in result["scopes"]} == {"350402001"}  # 列东's communities only
    assert sum(s["reported"] for s in result["scopes"]) == 11


def test_evaluate_unknown_street_is_one_line(capsys, url):
    code, out, err = run(capsys, "evaluate", "--period", "2026-11", "--by", "street", "--street", "123", "--db", url)
    assert_one_line(code, err, "--street")
    assert "123" in err and out == ""


def test_evaluate_without_period_says_what_it_needs(capsys, url):
    code, out, err = run(capsys, "evaluate", "--by", "street", "--db", url)
    assert_one_line(code, err, "--period")


def test_rules_show_then_set_round_trip(capsys, url, tmp_path):
    code, out, err = run(capsys, "evaluate", "rules", "--show", "--db", url)
    assert code == 0, err
    data = json.loads(out)
    assert data["grades"][0] == ["A", 90] and all(f["source"] for f in data["formulas"].values())
    data["grades"] = [["A", 92], ["B", 78], ["C", 60], ["D", 40], ["E", 0]]
    path = tmp_path / "rules.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    code, out, err = run(capsys, "evaluate", "rules", "--set", str(path), "--operator", "考核科", "--db", url)
    assert code == 0, err
    assert "A≥92" in out and "考核科" in out
    code, out, err = run(capsys, "evaluate", "rules", "--show", "--db", url)
    assert json.loads(out)["grades"][0] == ["A", 92]


@pytest.mark.parametrize("text, needle", [
    ("{not json", "JSON"),
    ("[1, 2]", "对象"),
    ('{"grades": [["A", 90], ["B", 95]], "formulas": {}}', "从高到低"),
    ('{"grades": [["A", 90]], "formulas": {"department": {"source": "s", "terms": '
     '[{"figure": "close_rate", "weight": 0.7}]}}}', "权重之和"),
    ('{"grades": [["A", 90]], "formulas": {"department": {"terms": [{"figure": "close_rate", "weight": 1}]}}}',
     "来源"),
])
def test_rules_set_bad_file_is_one_line_and_changes_nothing(capsys, url, tmp_path, text, needle):
    path = tmp_path / "bad.json"
    path.write_text(text, encoding="utf-8")
    _code, before, _err = run(capsys, "evaluate", "rules", "--show", "--db", url)
    code, out, err = run(capsys, "evaluate", "rules", "--set", str(path), "--db", url)
    assert_one_line(code, err, needle)
    assert str(path) in err and out == ""
    assert run(capsys, "evaluate", "rules", "--show", "--db", url)[1] == before


def test_rules_needs_show_or_set(capsys, url):
    code, _out, err = run(capsys, "evaluate", "rules", "--db", url)
    assert code != 0 and "--show" in err


def test_db_before_the_sub_command_is_kept(capsys, url, tmp_path):
    """`evaluate --db X rules ...`: the sub-command's own --db must not reset the URL given first."""
    code, out, err = run(capsys, "evaluate", "rules", "--show", "--db", url)
    data = json.loads(out)
    data["grades"] = [["A", 93], ["B", 78], ["C", 60], ["D", 40], ["E", 0]]
    path = tmp_path / "rules.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    code, out, err = run(capsys, "evaluate", "--db", url, "rules", "--set", str(path))
    assert code == 0, err
    code, out, err = run(capsys, "evaluate", "rules", "--show", "--db", url)
    assert json.loads(out)["grades"][0] == ["A", 93]  # written into X, not into the default database

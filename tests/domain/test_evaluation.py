"""The figures' formulas, composites and grades (evaluation.md), with the public worked example."""
from __future__ import annotations

import json
from datetime import datetime

import pytest

from console.domain.evaluation import (
    COUNTS, NO_VALUE, RATES, SHANGHAI, EvaluationError, format_rate, parse_period, rates, rules_from_data,
)
from console.resources import resource


@pytest.fixture(scope="module")
def rules():
    return rules_from_data(json.loads(resource("catalogue", "rules.json").read_text(encoding="utf-8"))["evaluation"])


def test_the_public_bulletin_example():
    """hbcic.net.cn bulletin: 应结案 972, 结案 911, 按期结案 737 -> 93.72 % and 75.82 %."""
    values = rates({"closed": 911, "overdue_open": 61, "closed_on_time": 737})
    assert format_rate(values["close_rate"]) == "93.72 %"
    assert format_rate(values["on_time_close_rate"]) == "75.82 %"
    assert values["close_rate"] == pytest.approx(911 / 972)


def test_a_zero_denominator_is_no_value_never_0_or_100_percent():
    values = rates({})
    assert all(value is None for value in values.values())
    assert format_rate(values["close_rate"]) == NO_VALUE == "—"
    assert rates({"reported": 4})["valid_report_rate"] == 0.0  # a real 0 % stays 0 %


def test_derived_rates():
    values = rates({"dispatched": 10, "returned": 2, "checked": 8, "reworked": 2, "filed": 5,
                    "cancelled_after_filing": 1, "fed_back": 4, "fed_back_on_time": 3})
    assert values["accurate_dispatch_rate"] == 0.8
    assert values["rework_rate"] == 0.25
    assert values["accurate_file_rate"] == 0.8
    assert values["on_time_dispose_rate"] == 0.75
    assert {r.denominator for r in RATES.values()} <= set(COUNTS) | {"due_to_close", "valid_reports_and_public"}


def test_department_composite_and_grade(rules):
    counts = {"filed": 40, "closed": 9, "overdue_open": 1, "fed_back": 10, "fed_back_on_time": 8,
              "checked": 10, "reworked": 1}
    # volume 100 (<= 50 filed) x .1 + 90 x .3 + 80 x .25 + 90 x .25; no 督办: its .1 is left out, the rest rescaled
    score = rules.score("department", counts)
    assert score.score == pytest.approx(round((10 + 27 + 20 + 22.5) / 0.9, 2))
    assert score.grade == "B"
    # two 督办, one answered on time: 50 x .1 counts against the department
    supervised = rules.score("department", {**counts, "supervised": 2, "supervise_replied_on_time": 1})
    assert supervised.score == pytest.approx(10 + 27 + 20 + 22.5 + 5)
    assert supervised.score < score.score


def test_region_volume_band_fewer_problems_is_better(rules):
    base = {"closed": 10, "closed_on_time": 10}
    assert rules.score("grid", {**base, "filed": 0}).score == 100.0
    assert rules.score("grid", {**base, "filed": 6}).score == pytest.approx(30 + 40 + 60 * 0.3)
    assert rules.score("street", {**base, "filed": 50}).grade == "C"  # 70: band 0


def test_terms_without_a_value_are_left_out_not_counted_as_zero(rules):
    score = rules.score("dispatcher", {"dispatch_steps": 10, "dispatch_steps_on_time": 10})
    assert score.score == pytest.approx((0 * 0.2 + 100 * 0.4) / 0.6, abs=0.01)  # 准确派遣率 has no value: left out
    assert rules.score("grid", {}).score is None  # a volume band alone is no score
    assert rules.score("shift_lead", {}).score is None and rules.score("shift_lead", {}).grade is None


@pytest.mark.parametrize("value, grade", [(90, "A"), (89.99, "B"), (75, "B"), (60, "C"), (40, "D"), (39.9, "E"),
                                          (0, "E")])
def test_grade_boundaries(rules, value, grade):
    assert rules.grade(value) == grade


def test_every_formula_names_its_source(rules):
    assert set(rules.formulas) == {"department", "inspector", "intake", "shift_lead", "dispatcher", "region"}
    assert all(f.source for f in rules.formulas.values())


def test_bad_rules_are_named():
    with pytest.raises(EvaluationError, match="权重之和"):
        rules_from_data({"grades": [["A", 90]], "formulas": {"department": {"source": "s", "terms": [
            {"figure": "close_rate", "weight": 0.5}]}}})
    with pytest.raises(EvaluationError, match="nope"):
        rules_from_data({"grades": [["A", 90]], "formulas": {"department": {"source": "s", "terms": [
            {"figure": "nope", "weight": 1}]}}})
    with pytest.raises(EvaluationError, match="'x'"):  # a formula is named after a scope or its family
        rules_from_data({"grades": [["A", 90]], "formulas": {"x": {"source": "s", "terms": [
            {"figure": "close_rate", "weight": 1}]}}})
    with pytest.raises(EvaluationError, match="来源"):  # each set of weights names its source
        rules_from_data({"grades": [["A", 90]], "formulas": {"department": {"source": "", "terms": [
            {"figure": "close_rate", "weight": 1}]}}})
    with pytest.raises(EvaluationError, match="负"):
        rules_from_data({"grades": [["A", 90]], "formulas": {"department": {"source": "s", "terms": [
            {"figure": "close_rate", "weight": 1.5}, {"figure": "rework_rate", "weight": -0.5}]}}})
    with pytest.raises(EvaluationError, match="数量档"):
        rules_from_data({"grades": [["A", 90]], "formulas": {"department": {"source": "s", "terms": [
            {"figure": "volume_band", "weight": 1}]}}})
    with pytest.raises(EvaluationError, match="0 到 100"):
        rules_from_data({"grades": [["A", 190], ["E", 0]], "formulas": {}})
    with pytest.raises(EvaluationError, match="unknown scope"):
        rules_from_data({"grades": [["A", 0]], "formulas": {}}).formula("planet")


@pytest.mark.parametrize("text, start, end", [
    ("2026-11", datetime(2026, 11, 1), datetime(2026, 12, 1)),
    ("2026-12", datetime(2026, 12, 1), datetime(2027, 1, 1)),
    ("2026-W47", datetime(2026, 11, 16), datetime(2026, 11, 23)),
    ("2026-11-30", datetime(2026, 11, 30), datetime(2026, 12, 1)),
])
def test_periods_are_local_half_open_windows(text, start, end):
    window = parse_period(text)
    assert (window.start, window.end) == (start.replace(tzinfo=SHANGHAI), end.replace(tzinfo=SHANGHAI))
    assert window.start.utcoffset().total_seconds() == 8 * 3600


@pytest.mark.parametrize("text", ["2026-13", "2026-W54", "2026-02-30", "november", "", "2026/11"])
def test_bad_periods_say_what_is_expected(text):
    with pytest.raises(EvaluationError, match="统计周期"):
        parse_period(text)


def test_periods_and_the_ones_before_them():
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from console.domain.evaluation import (
        change, format_change, period_of, previous_period, same_weekday_last_week,
    )

    now = datetime(2026, 12, 1, 0, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert period_of("day", now).period == "2026-12-01"
    assert period_of("week", now).period == "2026-W49"
    assert period_of("month", now).period == "2026-12"
    assert previous_period(period_of("month", now)).period == "2026-11"
    assert previous_period(period_of("week", now)).period == "2026-W48"
    assert previous_period(period_of("day", now)).period == "2026-11-30"
    assert previous_period(parse_period("2026-01")).period == "2025-12"
    assert previous_period(parse_period("2026-W01")).period == "2025-W52"
    assert same_weekday_last_week(period_of("day", now)).period == "2026-11-24"
    utc_evening = datetime(2026, 11, 30, 17, 0, tzinfo=ZoneInfo("UTC"))  # already 1 December in Shanghai
    assert period_of("day", utc_evening).period == "2026-12-01"
    assert (change(108, 100), change(5, 0), change(0.9, 0.8, rate=True)) == (pytest.approx(0.08), None,
                                                                             pytest.approx(0.1))
    assert [format_change(v) for v in (0.08, -0.031, 0.0, None)] == ["↑8%", "↓3%", "±0%", "—"]
    assert format_change(0.012, rate=True) == "↑1.2 pt"
    with pytest.raises(EvaluationError, match="unknown period kind"):
        period_of("year", now)

"""路长制 formulas: segment score, weighted aggregates, grades, flags and their ties, accountability, funding."""
from __future__ import annotations

import pytest

from console.data.reference import demo_rules
from console.domain.evaluation import EvaluationError
from console.domain.roads import (
    BLACK, RED, FlagRule, RoadRulesError, accountability, competition_ranks, parse_month, place, rules_from_data,
    weighted_mean,
)


@pytest.fixture
def rules():
    return rules_from_data(demo_rules()["roads"])


def test_segment_score_is_100_minus_the_defaults_of_evaluation_md(rules):
    counts = {"problems": 4, "overdue_disposals": 2, "reworks": 1, "supervisions": 1}
    assert rules.deduction(counts) == 4 * 1 + 2 * 2 + 1 * 1 + 1 * 3
    assert rules.segment_score(counts) == 88.0
    assert rules.segment_score({}) == 100.0
    assert rules.segment_score({"supervisions": 40}) == 0.0  # 百分扣分制: never below zero


def test_grades_from_their_bounds(rules):
    assert [rules.grade(s) for s in (100, 90, 89.99, 75, 74.9, 0)] == ["良好", "良好", "一般", "一般", "较差", "较差"]
    assert rules.grade(None) is None


def test_street_mean_weighted_by_difficulty_class():
    # a class-3 segment at 80 and a class-1 segment at 100: (3*80 + 100) / 4
    assert weighted_mean([(80.0, 3), (100.0, 1)]) == 85.0
    assert weighted_mean([]) is None


def test_ties_share_a_rank():
    assert competition_ranks({"a": 90, "b": 95, "c": 90, "d": 80}) == {"b": 1, "a": 2, "c": 2, "d": 4}


def test_top_n_red_bottom_n_black():
    scores = {f"s{i}": 100 - i for i in range(6)}  # s0 best ... s5 worst
    flags = {k: p.flag for k, p in place(scores, FlagRule(top=2, bottom=1)).items()}
    assert flags == {"s0": RED, "s1": RED, "s2": None, "s3": None, "s4": None, "s5": BLACK}


def test_a_tie_on_the_boundary_flags_everyone_who_shares_it():
    scores = {"a": 99, "b": 95, "c": 95, "d": 90, "e": 80, "f": 80}
    placed = place(scores, FlagRule(top=2, bottom=1))
    assert {k for k, p in placed.items() if p.flag == RED} == {"a", "b", "c"}
    assert {k for k, p in placed.items() if p.flag == BLACK} == {"e", "f"}


def test_all_equal_gives_no_flag_and_a_small_group_prefers_red():
    assert all(p.flag is None for p in place({"a": 100, "b": 100, "c": 100}, FlagRule(2, 1)).values())
    placed = place({"a": 100, "b": 95, "c": 90}, FlagRule(top=10, bottom=3))
    assert [placed[k].flag for k in "abc"] == [RED, RED, BLACK]  # the worst is never red, the best never black


def test_accountability_three_in_a_row_or_four_in_the_year(rules):
    assert accountability(["2026-03", "2026-04", "2026-05"], "2026-05", rules).startswith("2026 年连续 3")
    assert accountability(["2026-01", "2026-03", "2026-05"], "2026-05", rules) is None  # not in a row
    assert "累计 4" in accountability(["2026-01", "2026-03", "2026-05", "2026-07"], "2026-07", rules)
    assert accountability(["2025-11", "2025-12", "2026-01"], "2026-01", rules) is None  # another year
    assert accountability(["2026-03", "2026-04", "2026-05"], "2026-04", rules) is None  # later months not yet


def test_funding_one_unit_per_full_three_points(rules):
    f = rules.funding
    assert (f.units(85), f.units(87.9), f.units(88), f.units(94.5), f.units(100)) == (0, 0, 1, 3, 5)
    assert (f.units(82.1), f.units(82), f.units(70)) == (0, -1, -5)
    assert f.amount(91, "A") == 12 and f.amount(91, "B") == 7 and f.amount(40, "B") == 0  # never below nothing
    assert f.amount(91, "C") is None  # no base amount for that group


@pytest.mark.parametrize("text", ["2026-13", "2026-11-30", "2026-W47", "11", ""])
def test_a_bad_month_is_refused_with_the_expected_form(text):
    with pytest.raises(EvaluationError) as info:
        parse_month(text)
    assert repr(text) in str(info.value)


def test_bad_rules_name_what_is_wrong():
    data = demo_rules()["roads"]
    with pytest.raises(RoadRulesError, match="unknown deduction"):
        rules_from_data({**data, "deductions": {"litter": 1}})
    with pytest.raises(RoadRulesError, match="descending"):
        rules_from_data({**data, "grades": [["较差", 0], ["良好", 90]]})
    with pytest.raises(RoadRulesError, match="bad roads rules"):
        rules_from_data({k: v for k, v in data.items() if k != "flags"})
    assert rules_from_data({**data, "funding": {"enabled": False}}).funding is None

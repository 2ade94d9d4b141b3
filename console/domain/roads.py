"""路长制 (seed 004): monthly segment scores, their aggregates, grades, red/black flags, accountability, funding.

Pure formulas over counts the data layer groups (console.data.roads).  Every number a city
may change (deductions, grade bounds, flag counts, accountability thresholds, funding) is
the `roads` rules data (rules.json), never a constant here.

Ties: subjects are ranked by score with shared ranks (1, 2, 2, 4).  A red flag goes to every
subject whose rank is within the top N, a black flag to every subject within the bottom N
counted from the worst (so a tie on the boundary flags all who share it, never an arbitrary
one of them); a subject with the group's worst score gets no red flag, one with the best no
black flag (all equal: no flags), and red wins where a small group puts a subject in both.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterable, Mapping

from console.domain.evaluation import EvaluationError, Window, parse_period

FULL_MARKS = 100.0
# The counts a segment loses points for (rules `deductions` keys), with their names.
DEDUCTIONS: Mapping[str, str] = {
    "problems": "有效问题（含督导问题）",
    "overdue_disposals": "超期处置",
    "reworks": "返工",
    "supervisions": "督办",
}
SEQUENCES: Mapping[str, str] = {"street": "辖区总路长（街道）", "second": "二级路长", "unit": "路段责任单位"}
RED, BLACK = "red", "black"
_MONTH = re.compile(r"^\d{4}-\d{2}$")


class RoadRulesError(EvaluationError):
    """Bad `roads` rules or a bad month; the message names what was wrong."""


@dataclass(frozen=True)
class FlagRule:
    top: int  # red flags
    bottom: int  # black flags


@dataclass(frozen=True)
class Funding:
    """Seed 004's optional rule: base score 85, one funding unit per full 3 points above or below,
    no more than full marks give, never below nothing."""

    base_score: float
    points_per_unit: float
    unit_amount: float
    base_amounts: Mapping[str, float]  # per unit group (A, B) and "street"

    def units(self, score: float) -> int:
        return int((min(score, FULL_MARKS) - self.base_score) / self.points_per_unit)  # towards zero: full steps

    def amount(self, score: float, group: str) -> float | None:
        base = self.base_amounts.get(group)
        if base is None:
            return None
        return max(0.0, base + self.units(score) * self.unit_amount)


@dataclass(frozen=True)
class RoadRules:
    deductions: Mapping[str, float]
    grades: tuple[tuple[str, float], ...]  # best first
    flags: Mapping[str, FlagRule]
    consecutive_black: int
    total_black: int
    accountable: tuple[str, ...]  # sequences the accountability warning applies to
    funding: Funding | None

    def deduction(self, counts: Mapping[str, int]) -> float:
        return sum(weight * counts.get(name, 0) for name, weight in self.deductions.items())

    def segment_score(self, counts: Mapping[str, int]) -> float:
        """百分扣分制: 100 minus the month's deductions, never below 0."""
        return round(max(0.0, FULL_MARKS - self.deduction(counts)), 2)

    def grade(self, score: float | None) -> str | None:
        if score is None:
            return None
        return next((g for g, bound in self.grades if score >= bound), self.grades[-1][0])


def weighted_mean(pairs: Iterable[tuple[float, float]]) -> float | None:
    """Σ score × weight / Σ weight (a street's segments weighted by difficulty class); None for none."""
    total = weight = 0.0
    for score, w in pairs:
        total += score * w
        weight += w
    return round(total / weight, 2) if weight else None


# --- flags ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Placing:
    rank: int  # 1 = best; ties share a rank
    flag: str | None  # red | black | None


def competition_ranks(scores: Mapping[str, float], *, best_first: bool = True) -> dict[str, int]:
    """1, 2, 2, 4: one more than the number of subjects strictly better (or worse)."""
    values = sorted(scores.values(), reverse=best_first)
    first = {}
    for i, v in enumerate(values, start=1):
        first.setdefault(v, i)
    return {k: first[v] for k, v in scores.items()}


def place(scores: Mapping[str, float], rule: FlagRule) -> dict[str, Placing]:
    """Each subject's rank and flag in its group (the tie rule is the module's docstring)."""
    if not scores:
        return {}
    rank = competition_ranks(scores)
    from_bottom = competition_ranks(scores, best_first=False)
    best, worst = max(scores.values()), min(scores.values())
    out = {}
    for key, score in scores.items():
        flag = None
        if rank[key] <= rule.top and score > worst:
            flag = RED
        elif from_bottom[key] <= rule.bottom and score < best:
            flag = BLACK
        out[key] = Placing(rank[key], flag)
    return out


# --- accountability ---------------------------------------------------------------------------------


def month_index(month: str) -> int:
    year, mon = month.split("-")
    return int(year) * 12 + int(mon) - 1


def accountability(black_months: Iterable[str], month: str, rules: RoadRules) -> str | None:
    """问责: 3 consecutive or 4 total black flags within the calendar year up to `month`; the reason, or None.

    Consecutive means calendar months in a row (a month without a black flag breaks the run)."""
    year = month[:4]
    months = sorted({m for m in black_months if m[:4] == year and m <= month}, key=month_index)
    run = longest = 0
    previous = None
    for m in months:
        run = run + 1 if previous is not None and month_index(m) == previous + 1 else 1
        longest = max(longest, run)
        previous = month_index(m)
    if longest >= rules.consecutive_black:
        return f"{year} 年连续 {longest} 个月挂黑旗 ({longest} consecutive black flags)"
    if len(months) >= rules.total_black:
        return f"{year} 年累计 {len(months)} 次挂黑旗 ({len(months)} black flags this year)"
    return None


# --- months and rules data ---------------------------------------------------------------------------


def parse_month(text: str) -> Window:
    """`2026-11` -> the month's local [start, end); anything else is refused with the expected form."""
    text = (text or "").strip()
    if not _MONTH.match(text):
        raise RoadRulesError(f"月份 {text!r} 无法识别，应为 2026-11 这样的年-月 (bad month: expected YYYY-MM)")
    return parse_period(text)


def rules_from_data(data: Mapping[str, Any]) -> RoadRules:
    """The `roads` rules as domain objects; bad data is named clearly."""
    try:
        deductions = {str(k): float(v) for k, v in data["deductions"].items()}
        grades = tuple((str(g), float(bound)) for g, bound in data["grades"])
        flags = {str(k): FlagRule(int(v["top"]), int(v["bottom"])) for k, v in data["flags"].items()}
        acc = data["accountability"]
        funding = _funding(data.get("funding"))
        rules = RoadRules(deductions, grades, flags, int(acc["consecutive"]), int(acc["total"]),
                          tuple(acc["sequences"]), funding)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise RoadRulesError(f"路长制规则格式错误 (bad roads rules): {exc!r}") from exc
    unknown = [k for k in deductions if k not in DEDUCTIONS] + [k for k in flags if k not in SEQUENCES]
    if unknown:
        raise RoadRulesError(f"路长制规则含未知项 {unknown} (unknown deduction or sequence; deductions: "
                             f"{', '.join(DEDUCTIONS)}; sequences: {', '.join(SEQUENCES)})")
    if [b for _, b in grades] != sorted((b for _, b in grades), reverse=True):
        raise RoadRulesError("路长制等级下限须从高到低排列 (grade bounds must be in descending order)")
    if any(v < 0 for v in deductions.values()) or any(f.top < 0 or f.bottom < 0 for f in flags.values()):
        raise RoadRulesError("扣分与挂旗数不能为负 (deductions and flag counts must not be negative)")
    return rules


def _funding(data: Mapping[str, Any] | None) -> Funding | None:
    if not data or not data.get("enabled", True):
        return None
    step = float(data["points_per_unit"])
    if step <= 0:
        raise ValueError("funding points_per_unit must be positive")
    return Funding(float(data["base_score"]), step, float(data["unit_amount"]),
                   {str(k): float(v) for k, v in data["base_amounts"].items()})

"""The figures of evaluation.md: counts, rates, composite scores and grades (pure Python).

One implementation for every screen, report and export: the data layer counts
(console.data.evaluation), this module turns counts into rates, scores and
grades.  Weights, volume bands and grade boundaries are data (the city's
`evaluation` rules), never constants here.  A rate whose denominator is zero
is None and is shown as "—" by `format_rate`, never as 0 % or 100 %.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any, Mapping
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")
NO_VALUE = "—"


class EvaluationError(ValueError):
    """Bad period text or bad evaluation rules; the message names what was wrong."""


# --- figure ids (evaluation.md) -------------------------------------------------------------

_CASE_AND_ACTION_COUNTS: Mapping[str, str] = {
    "reported": "上报数",
    "valid_reports": "有效上报数",
    "filed": "立案数",
    "dispatched": "派遣数",
    "returned": "回退数",
    "extended": "延期数",
    "hung": "挂账数",
    "fed_back": "处置数",
    "fed_back_on_time": "按时处置数",
    "checked": "核查数",
    "first_checks": "首次核查数",
    "first_checks_passed": "首次核查通过数",
    "reworked": "返工数",
    "closed": "结案数",
    "closed_self_handled": "自处理结案数",
    "closed_on_time": "按期结案数",
    "overdue_open": "超期未结案数",
    "due_to_close": "应结案数",
    "cancelled_after_filing": "立案后作废数",
    "urged": "催办数",
    "supervised": "督办数",
    "supervise_replied_on_time": "督办按时回复数",
    "supervise_replied_late": "督办超时回复数",
    "supervise_reply_missing": "督办未回复数",
    "missed": "漏报数",
    "filed_in_grid": "网格立案数",
    "public_valid_reports": "公众有效上报数",
}

# The step clocks a person is rated on: <step>_steps stopped, <step>_steps_on_time not red.
STEPS: Mapping[str, str] = {
    "intake": "受理", "verify": "核实", "file": "立案", "dispatch": "派遣", "check": "核查", "close": "结案",
}
# on_time_close_rate is 按期结案率 (of cases), so the 结案 step's own rate is named apart.
STEP_RATE_IDS: Mapping[str, str] = {step: f"on_time_{step}_rate" if step != "close" else "on_time_close_step_rate"
                                    for step in STEPS}
COUNTS: Mapping[str, str] = {
    **_CASE_AND_ACTION_COUNTS,
    **{f"{step}_steps": f"{label}数" for step, label in STEPS.items()},
    **{f"{step}_steps_on_time": f"按时{label}数" for step, label in STEPS.items()},
}


@dataclass(frozen=True)
class Rate:
    """numerator / denominator over count ids; numerator terms are (sign, count id)."""

    id: str
    label: str
    numerator: tuple[tuple[int, str], ...]
    denominator: str

    def of(self, counts: Mapping[str, int]) -> float | None:
        below = counts.get(self.denominator, 0)
        if not below:
            return None
        return sum(sign * counts.get(name, 0) for sign, name in self.numerator) / below


def _rate(id_: str, label: str, numerator: str, denominator: str, minus: str | None = None) -> Rate:
    terms = ((1, numerator),) + (((-1, minus),) if minus else ())
    return Rate(id_, label, terms, denominator)


RATES: Mapping[str, Rate] = {r.id: r for r in (
    _rate("valid_report_rate", "有效上报率", "valid_reports", "reported"),
    _rate("close_rate", "结案率", "closed", "due_to_close"),
    _rate("on_time_close_rate", "按期结案率", "closed_on_time", "due_to_close"),
    _rate("on_time_dispose_rate", "按时处置率", "fed_back_on_time", "fed_back"),
    _rate("rework_rate", "返工率", "reworked", "checked"),
    _rate("accurate_dispatch_rate", "准确派遣率", "dispatched", "dispatched", minus="returned"),
    _rate("accurate_file_rate", "准确立案率", "filed", "filed", minus="cancelled_after_filing"),
    _rate("missed_rate", "漏报率", "missed", "filed_in_grid"),
    _rate("discovery_rate", "问题发现率", "valid_reports", "valid_reports_and_public"),
    _rate("disposal_up_to_standard_rate", "处置达标率", "first_checks_passed", "first_checks"),
    _rate("supervise_reply_on_time_rate", "督办按时回复率", "supervise_replied_on_time", "supervised"),
    *(_rate(STEP_RATE_IDS[step], f"按时{label}率", f"{step}_steps_on_time", f"{step}_steps")
      for step, label in STEPS.items()),
)}


def derived_counts(counts: Mapping[str, int]) -> dict[str, int]:
    """The counts defined from others: 应结案数 = 结案数 + 超期未结案数 (hung cases are in neither)."""
    out = dict(counts)
    out["due_to_close"] = out.get("closed", 0) + out.get("overdue_open", 0)
    out["valid_reports_and_public"] = out.get("valid_reports", 0) + out.get("public_valid_reports", 0)
    return out


def rates(counts: Mapping[str, int]) -> dict[str, float | None]:
    full = derived_counts(counts)
    return {rate_id: rate.of(full) for rate_id, rate in RATES.items()}


def format_rate(value: float | None, digits: int = 2) -> str:
    """A rate for people: "93.72 %", or "—" when it has no denominator (one function everywhere)."""
    if value is None:
        return NO_VALUE
    return f"{value * 100:.{digits}f} %"


# --- composite scores from the rules table ----------------------------------------------------

FAMILY_OF_SCOPE: Mapping[str, str] = {
    "district": "region", "street": "region", "community": "region", "grid": "region",
    "department": "department", "inspector": "inspector",
    "intake": "intake", "shift_lead": "shift_lead", "dispatcher": "dispatcher",
}


@dataclass(frozen=True)
class Band:
    """A volume band: the score of a count below `below` (or at least `at_least`)."""

    score: float
    below: int | None = None
    at_least: int | None = None

    def holds(self, value: int) -> bool:
        return (self.below is None or value < self.below) and (self.at_least is None or value >= self.at_least)


@dataclass(frozen=True)
class Term:
    figure: str  # a rate id or "volume_band"
    weight: float
    complement: bool = False  # (1 - rate), e.g. 1 - rework_rate


@dataclass(frozen=True)
class Formula:
    family: str
    source: str  # where this set of weights comes from
    terms: tuple[Term, ...]
    volume_figure: str | None = None
    bands: tuple[Band, ...] = ()
    otherwise: float = 0.0

    def volume_score(self, counts: Mapping[str, int]) -> float | None:
        if self.volume_figure is None:
            return None
        value = derived_counts(counts).get(self.volume_figure, 0)
        return next((b.score for b in self.bands if b.holds(value)), self.otherwise)


@dataclass(frozen=True)
class Score:
    score: float | None  # 0..100; None when no term of the formula has a value
    grade: str | None


@dataclass(frozen=True)
class EvaluationRules:
    formulas: Mapping[str, Formula]
    grades: tuple[tuple[str, float], ...]  # (grade, lower bound), best first

    def formula(self, scope: str) -> Formula:
        family = FAMILY_OF_SCOPE.get(scope)
        if family is None:
            raise EvaluationError(f"未知的评价范围 {scope!r} (unknown scope; one of {', '.join(FAMILY_OF_SCOPE)})")
        found = self.formulas.get(scope) or self.formulas.get(family)
        if found is None:
            raise EvaluationError(f"评价规则中没有 {family} 的公式 (no formula for family {family!r})")
        return found

    def grade(self, score: float | None) -> str | None:
        if score is None:
            return None
        return next((g for g, bound in self.grades if score >= bound), self.grades[-1][0])

    def score(self, scope: str, counts: Mapping[str, int]) -> Score:
        """Σ weight × value (rates × 100); a term without a value (zero denominator) is left out
        and the weights of the rest are rescaled, so "—" never counts as 0 or 100."""
        formula = self.formula(scope)
        values = rates(counts)
        total = weight = 0.0
        rated = False  # a volume band alone (no case at all) is no score
        for term in formula.terms:
            value = _term_value(term, formula, values, counts)
            if value is not None:
                total += term.weight * value
                weight += term.weight
                rated = rated or term.figure != "volume_band"
        score = round(total / weight, 2) if rated else None
        return Score(score, self.grade(score))


def _term_value(term: Term, formula: Formula, values: Mapping[str, float | None],
                counts: Mapping[str, int]) -> float | None:
    if term.figure == "volume_band":
        return formula.volume_score(counts)
    rate = values[term.figure]
    if rate is None:
        return None
    return (1 - rate) * 100 if term.complement else rate * 100


def rules_from_data(data: Mapping[str, Any]) -> EvaluationRules:
    """The `evaluation` rules (rules.json / settings) as domain objects; bad data named clearly."""
    try:
        grades = tuple((str(g), float(bound)) for g, bound in data["grades"])
        formulas = {name: _formula(name, f) for name, f in data["formulas"].items()}
    except EvaluationError:
        raise
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise EvaluationError(f"评价规则格式错误 (bad evaluation rules): missing or malformed {exc!s}") from exc
    bounds = [b for _, b in grades]
    if not grades or bounds != sorted(bounds, reverse=True) or len(set(bounds)) != len(bounds):
        raise EvaluationError(f"评价等级下限须从高到低排列 (grade bounds must be strictly descending: {bounds})")
    if not all(0 <= b <= 100 for b in bounds):
        raise EvaluationError(f"评价等级下限须在 0 到 100 之间 (grade bounds must lie in 0..100: {bounds})")
    return EvaluationRules(formulas, grades)


_FORMULA_NAMES = frozenset(FAMILY_OF_SCOPE) | frozenset(FAMILY_OF_SCOPE.values())


def _formula(name: str, f: Mapping[str, Any]) -> Formula:
    if name not in _FORMULA_NAMES:
        raise EvaluationError(f"公式 {name!r} 不是评价范围或其类别 (unknown formula; one of {', '.join(sorted(_FORMULA_NAMES))})")
    source = f.get("source")
    if not isinstance(source, str) or not source.strip():
        raise EvaluationError(f"公式 {name} 须注明权重来源 (formula {name} needs a named source)")
    terms = tuple(Term(t["figure"], float(t["weight"]), bool(t.get("complement", False))) for t in f["terms"])
    if any(t.weight < 0 for t in terms):
        raise EvaluationError(f"公式 {name} 的权重不能为负 (negative weight in formula {name})")
    for term in terms:
        if term.figure != "volume_band" and term.figure not in RATES:
            raise EvaluationError(f"公式 {name} 的指标 {term.figure!r} 不存在 (unknown figure in formula {name})")
    if abs(sum(t.weight for t in terms) - 1.0) > 1e-9:
        raise EvaluationError(f"公式 {name} 的权重之和须为 1 (weights of {name} sum to {sum(t.weight for t in terms)})")
    volume = f.get("volume") or {}
    bands = tuple(Band(float(b["score"]), b.get("below"), b.get("at_least")) for b in volume.get("bands", ()))
    banded = any(t.figure == "volume_band" for t in terms)
    if banded and volume.get("figure") not in (*COUNTS, "due_to_close"):
        raise EvaluationError(f"公式 {name} 的数量档须指明计数指标 (volume band of {name} needs a count figure)")
    return Formula(name, source, terms, volume.get("figure"), bands, float(volume.get("otherwise", 0)))


# --- windows ------------------------------------------------------------------------------------

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")
_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


@dataclass(frozen=True)
class Window:
    """[start, end) as aware datetimes in local time; `period` is the text it was read from."""

    period: str
    start: datetime
    end: datetime


def parse_period(text: str, tz: tzinfo = SHANGHAI) -> Window:
    """2026-11 (a month), 2026-W47 (an ISO week), 2026-11-30 (a day) -> its local [start, end)."""
    text = (text or "").strip()
    try:
        if m := _MONTH.match(text):
            first = date(int(m[1]), int(m[2]), 1)
            after = date(first.year + first.month // 12, first.month % 12 + 1, 1)
        elif m := _WEEK.match(text):
            first = date.fromisocalendar(int(m[1]), int(m[2]), 1)
            after = first + timedelta(days=7)
        elif m := _DAY.match(text):
            first = date(int(m[1]), int(m[2]), int(m[3]))
            after = first + timedelta(days=1)
        else:
            raise EvaluationError(
                f"统计周期 {text!r} 无法识别，应为 2026-11（月）、2026-W47（周）或 2026-11-30（日） "
                f"(bad period: expected YYYY-MM, YYYY-Www or YYYY-MM-DD)")
    except ValueError as exc:
        if isinstance(exc, EvaluationError):
            raise
        raise EvaluationError(f"统计周期 {text!r} 不是有效日期 (bad period {text!r}: {exc})") from exc
    return Window(text, datetime.combine(first, time(), tz), datetime.combine(after, time(), tz))


# The seats compare a period with the one before it: today / this week / this month.
PERIOD_KINDS = ("day", "week", "month")


def period_of(kind: str, when: datetime, tz: tzinfo = SHANGHAI) -> Window:
    """The day, ISO week or month that holds `when` (local time), e.g. period_of("week", now) -> 2026-W49."""
    day = when.astimezone(tz).date()
    if kind == "day":
        return parse_period(day.isoformat(), tz)
    if kind == "week":
        year, week, _ = day.isocalendar()
        return parse_period(f"{year}-W{week:02d}", tz)
    if kind == "month":
        return parse_period(f"{day.year}-{day.month:02d}", tz)
    raise EvaluationError(f"未知的统计周期类型 {kind!r} (unknown period kind; one of {', '.join(PERIOD_KINDS)})")


def previous_period(window: Window, tz: tzinfo = SHANGHAI) -> Window:
    """The period of the same kind just before `window`: yesterday, last week, last month."""
    return period_of(_kind(window.period), window.start - timedelta(hours=1), tz)


def same_weekday_last_week(window: Window, tz: tzinfo = SHANGHAI) -> Window:
    """For a day, the same weekday a week earlier (the brief's third column)."""
    if _kind(window.period) != "day":
        raise EvaluationError(f"{window.period} 不是一天 (same weekday last week needs a day)")
    return period_of("day", window.start - timedelta(days=7) + timedelta(hours=1), tz)


def _kind(period: str) -> str:
    if _DAY.match(period):
        return "day"
    if _WEEK.match(period):
        return "week"
    if _MONTH.match(period):
        return "month"
    raise EvaluationError(f"统计周期 {period!r} 无法识别 (bad period)")


def change(current: float | None, previous: float | None, *, rate: bool = False) -> float | None:
    """A count's relative change (0.08 for +8 %) or a rate's change in points (fraction); None: no base."""
    if current is None or previous is None:
        return None
    if rate:
        return current - previous
    return None if previous == 0 else (current - previous) / previous


def format_change(value: float | None, *, rate: bool = False) -> str:
    """↑8% / ↓3% / ±0% for counts, ↑1.2 pt for rates; "—" without a base (one function everywhere)."""
    if value is None:
        return NO_VALUE
    size = abs(value) * 100
    text = f"{size:.1f} pt" if rate else f"{size:.0f}%"
    if round(size, 1 if rate else 0) == 0:
        return f"±{text}"
    return f"{'↑' if value > 0 else '↓'}{text}"

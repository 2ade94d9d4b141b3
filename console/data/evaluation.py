"""The counts of evaluation.md, one SQL aggregate per family, grouped by scope over a window.

Families: the cases (reported, valid, hung, overdue at the window's end), the audit
events (filed, dispatched, returned, closed, step clocks stopped on time ...), the
overlays (催办 / 督办) and, for inspectors, their grids (漏报).  Each is one GROUP BY
in SQLAlchemy Core, on SQLite and PostgreSQL alike; stored times are UTC and the
window's local bounds are compared as aware datetimes.  Rates, scores and grades are
the domain's (console.domain.evaluation).
"""
from __future__ import annotations

import copy
import functools
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Mapping

from sqlalchemy import and_, case, exists, func, not_, or_, select, text
from sqlalchemy.orm import Session, aliased

from console.data import models as m
from console.data.commands import log_change
from console.data.db import Database
from console.domain.evaluation import (
    COUNTS, STEPS, EvaluationError, EvaluationRules, Score, Window, derived_counts, rates, rules_from_data,
)

SCOPES = ("district", "street", "community", "grid", "department", "inspector", "intake", "shift_lead",
          "dispatcher")
PEOPLE = ("intake", "shift_lead", "dispatcher")
# The actions that stop each step clock (workflow.md, clock effect "stop <step>").
STEP_ACTIONS: Mapping[str, tuple[str, ...]] = {
    "intake": ("forward", "send_verify", "refuse", "approve_self_handled"),
    "verify": ("verify_true", "verify_false"),
    "file": ("file", "refuse_filing"),
    "dispatch": ("dispatch",),
    "check": ("check_pass", "check_fail"),
    "close": ("close",),
}
# Actions counted as they are: figure -> actions.
ACTION_COUNTS: Mapping[str, tuple[str, ...]] = {
    "filed": ("file",), "dispatched": ("dispatch",), "returned": ("approve_return",),
    "extended": ("approve_extension",), "fed_back": ("feedback",), "checked": ("check_pass", "check_fail"),
    "reworked": ("check_fail",), "closed": ("close",), "closed_self_handled": ("approve_self_handled",),
    "cancelled_after_filing": ("approve_cancel",),
}


# Only these events are folded into figures (reports, 受理, 催办 ... are counted from their own rows).
COUNTED_ACTIONS = tuple(sorted({a for actions in (*ACTION_COUNTS.values(), *STEP_ACTIONS.values()) for a in actions}))


@dataclass(frozen=True)
class ScopeCounts:
    """One scope's counts for a window (plain data: no ORM rows)."""

    scope: str
    code: str
    name: str
    counts: Mapping[str, int] = field(default_factory=dict)

    def figure(self, rules: EvaluationRules) -> dict[str, Any]:
        """The JSON object of `evaluate`: counts, rates (fractions, None for "—"), score and grade."""
        full = derived_counts(self.counts)
        score: Score = rules.score(self.scope, self.counts)
        return {"code": self.code, "name": self.name, **{k: full.get(k, 0) for k in (*COUNTS, "due_to_close")},
                **rates(self.counts), "score": score.score, "grade": score.grade}


def evaluation_rules(db: Database) -> EvaluationRules:
    """The city's evaluation rules (settings key `evaluation`, loaded from rules.json)."""
    return rules_from_data(evaluation_rules_data(db))


def evaluation_rules_data(db: Database) -> dict[str, Any]:
    """The rules as stored (what `evaluate rules --show` prints and `--set` takes back)."""
    data = db.rules().settings.get("evaluation")
    if data is None:
        from console.data.reference import demo_rules

        data = demo_rules()["evaluation"]
    return copy.deepcopy(dict(data))  # the caller may edit it: never the cached rules' own dicts


def set_evaluation_rules(db: Database, data: Mapping[str, Any], *, by: str) -> EvaluationRules:
    """Replace the city's weights, volume bands and grade bounds: validated whole first (weights sum to 1,
    bounds descending, each formula's source named), then one transaction that writes the settings row and
    a change-log row naming who changed it."""
    if not (by or "").strip():
        raise EvaluationError("须注明修改人 (who changes the evaluation rules must be named)")
    rules = rules_from_data(data)
    with db.write() as s:
        row = s.scalars(select(m.Setting).where(m.Setting.key == "evaluation").with_for_update()).first()
        if row is None:
            s.add(m.Setting(key="evaluation", value=copy.deepcopy(dict(data))))
        else:
            row.value = copy.deepcopy(dict(data))
        log_change(s, "rules", "evaluation", "set", operator=by.strip(), at=datetime.now(timezone.utc))
    db.invalidate_rules()
    return rules


def evaluate(db: Database, by: str, window: Window, *, street: str | None = None) -> list[ScopeCounts]:
    """Every scope of the family `by` (street, department, inspector ...) with its counts over `window`.

    `by` names what is ranked; `street` (a street seat's jurisdiction) counts only that street's cases,
    and then departments and hall people are those with such cases in the window.
    """
    scope = by
    if scope not in SCOPES:
        raise ValueError(f"未知的评价范围 {scope!r} (unknown scope; one of {', '.join(SCOPES)})")
    totals: dict[str, dict[str, int]] = {}
    with db.read() as s:
        if db.is_postgres:  # the correlated subplans' estimated cost crosses jit_above_cost: compiling them
            s.execute(text("SET LOCAL jit = off"))  # takes 1-2 s on a query that runs in 0.1 s (EXPLAIN ANALYZE)
        if street is not None and s.get(m.Street, street) is None:
            raise EvaluationError(f"街道 {street!r} 不存在 (no such street code)")
        names = _names(s, scope, street)
        whole = next(iter(names), "district") if scope == "district" else None
        for family in (_case_counts, _open_counts, _event_counts, _overlay_counts, _grid_counts):
            for key, counts in family(s, scope, window, whole, street).items():
                bucket = totals.setdefault(str(key), {})
                for name, value in counts.items():
                    bucket[name] = bucket.get(name, 0) + int(value or 0)
    codes = sorted((set() if street and scope == "department" else set(names)) | set(totals))
    return [ScopeCounts(scope, code, names.get(code, code), totals.get(code, {})) for code in codes
            if code != "None"]


# --- keys ----------------------------------------------------------------------------------------


def _case_key(scope: str, whole: str | None) -> Any:
    """The grouping column of a scope; the district is one group (its code, no GROUP BY)."""
    c = m.Case
    return {"district": whole, "street": c.street_code, "community": c.community_code,
            "grid": c.grid_code, "department": c.department_id, "inspector": c.reporter_staff_id}.get(scope)


def _event_key(scope: str, whole: str | None) -> Any:
    if scope == "inspector":
        return m.CaseEvent.staff_id
    if scope in PEOPLE:
        return m.CaseEvent.operator_name
    return _case_key(scope, whole)


def _in_street(query: Any, street: str | None) -> Any:
    """A street seat's figures: only the cases of its street."""
    return query if street is None else query.where(m.Case.street_code == street)


def _in(column: Any, w: Window) -> Any:
    return and_(column >= w.start, column < w.end)


def _count(condition: Any) -> Any:
    return func.sum(case((condition, 1), else_=0))


def _rows(s: Session, key: Any, columns: Mapping[str, Any], query: Any) -> dict[Any, dict[str, int]]:
    names = list(columns)
    query = query.add_columns(*columns.values())
    if isinstance(key, str):  # the whole district: one row, no GROUP BY (PostgreSQL refuses a constant there)
        row = s.execute(query).one()
        return {key: dict(zip(names, row))}
    result = s.execute(query.add_columns(key.label("k")).group_by(key)).all()
    return {row.k: dict(zip(names, row[: len(names)])) for row in result}


# --- the families ----------------------------------------------------------------------------------


def _case_counts(s: Session, scope: str, w: Window, whole: str | None, street: str | None) -> dict[Any, dict[str, int]]:
    """上报 and 有效上报 (reached 待派遣 = filed, not cancelled) of the cases reported in the window."""
    key = _case_key(scope, whole)
    if key is None:
        return {}
    c = m.Case
    valid = and_(c.condition_code.is_not(None), c.state != "cancelled")
    if scope == "inspector":  # an inspector is rated on the reports of his own source
        valid = and_(valid, c.source == "inspector")
    columns = {
        "reported": func.count(),
        "valid_reports": _count(valid),
        "public_valid_reports": _count(and_(valid, c.source != "inspector")),
    }
    return _rows(s, key, columns, _in_street(select().select_from(c).where(_in(c.created_at, w)), street))


def _open_counts(s: Session, scope: str, w: Window, whole: str | None, street: str | None) -> dict[Any, dict[str, int]]:
    """挂账 and 超期未结案 as they stood at the window's end, from the events, not the current state.

    Open at `end`: reported before it and not closed (or cancelled) before it.  Hung at `end`: the last
    event before it left the case in `hung` (every hang and unhang is an event with its to_state).
    """
    key = _case_key(scope, whole)
    if key is None:
        return {}
    c, e = m.Case, aliased(m.CaseEvent)
    state_at_end = (select(e.to_state).where(e.case_id == c.id, e.at < w.end)
                    .order_by(e.at.desc(), e.id.desc()).limit(1).scalar_subquery())
    hung = state_at_end == "hung"
    columns = {"hung": _count(hung), "overdue_open": _count(and_(not_(hung), _red_dispose_at(w.end)))}
    still_open = and_(c.created_at < w.end, open_at(w.end))
    return _rows(s, key, columns, _in_street(select().select_from(c).where(still_open), street))


def open_at(end: datetime) -> Any:
    """The case was still open at `end` (not closed or cancelled before it), as a union of two index ranges on
    closed_at: SQLite does not use an index for `closed_at IS NULL OR closed_at >= end` and scanned every case."""
    c, inner = m.Case, aliased(m.Case)
    return c.id.in_(select(inner.id).where(inner.closed_at.is_(None))
                    .union_all(select(inner.id).where(inner.closed_at >= end)))


def _red_dispose_at(end: datetime) -> Any:
    """The case has a 处置 clock that was red at `end`: running past its red mark, or (paused or stopped
    since) latched red before `end` and not stopped before it."""
    k = m.CaseStepClock
    red_now = and_(k.stopped_at.is_(None), k.running, k.red_at < end)
    was_red = and_(or_(k.stopped_at.is_(None), k.stopped_at >= end), k.red_since < end)
    return exists().where(k.case_id == m.Case.id, k.step == "dispose", k.started_at < end, or_(red_now, was_red))


def _never_red_dispose() -> Any:
    """No 处置 round of the case went red (the latch, or an outcome recorded late before the latch existed)."""
    k = m.CaseStepClock
    return not_(exists().where(k.case_id == m.CaseEvent.case_id, k.step == "dispose",
                               or_(k.red_since.is_not(None), k.outcome == "late")))


def _event_counts(s: Session, scope: str, w: Window, whole: str | None, street: str | None) -> dict[Any, dict[str, int]]:
    """The audit events of the window in three GROUP BYs: every counted event by (scope, action, stopped late),
    then only the 核查 events for the first checks, and only the closes for closed on time.  The few thousand
    groups are folded into figures (`_figures_of`).

    Three narrow queries, not one with both flags: a GROUP BY over every event with the two correlated flags
    sorted 481,000 wide rows (metro, grids: 2.05 s -> 1.4 s)."""
    e = m.CaseEvent
    key = _event_key(scope, whole)
    earlier = aliased(m.CaseEvent)
    # the first 核查 of a case is its lowest check id; not "no earlier check" (NOT EXISTS ... id < e.id): SQLite
    # 3.40 answers that wrongly (440 of 1,911) once an index on (case_id, action) serves it with a rowid range
    first_check_id = (select(func.min(earlier.id)).where(earlier.case_id == e.case_id,
                                                         earlier.action.in_(STEP_ACTIONS["check"])).scalar_subquery())

    def grouped(*columns: Any, where: Any) -> list[Any]:
        groups = [*([] if isinstance(key, str) else [key.label("k")]), *columns]
        query = _in_street(select(*groups, func.count().label("n")).select_from(e)
                           .join(m.Case, m.Case.id == e.case_id).where(_in(e.at, w), where), street)
        if scope in PEOPLE:
            query = query.where(e.role == scope)
        return s.execute(query.group_by(*groups)).all()

    out: dict[Any, dict[str, int]] = {}

    def add(row: Any, names: tuple[str, ...]) -> None:
        counts = out.setdefault(key if isinstance(key, str) else row.k, {})
        for name in names:
            counts[name] = counts.get(name, 0) + row.n

    for row in grouped(e.action.label("action"), e.stopped_late.label("stopped_late"),
                       where=e.action.in_(COUNTED_ACTIONS)):
        add(row, _figures_of(row.action, row.stopped_late is False))
    for row in grouped(e.action.label("action"), where=and_(e.action.in_(STEP_ACTIONS["check"]),
                                                            e.id == first_check_id)):
        add(row, ("first_checks", *(("first_checks_passed",) if row.action == "check_pass" else ())))
    for row in grouped(where=and_(e.action == "close", _never_red_dispose())):
        add(row, ("closed_on_time",))
    return out


@functools.cache
def _figures_of(action: str, on_time: bool) -> tuple[str, ...]:
    """The figures one counted event of this kind counts in (cached: a metro month's grids give 70,000 groups
    of a few hundred kinds)."""
    names = [name for name, actions in ACTION_COUNTS.items() if action in actions]
    for step, actions in STEP_ACTIONS.items():
        if action in actions:
            names += [f"{step}_steps", *((f"{step}_steps_on_time",) if on_time else ())]
    if action == "feedback" and on_time:
        names.append("fed_back_on_time")
    return tuple(names)


def _overlay_counts(s: Session, scope: str, w: Window, whole: str | None, street: str | None) -> dict[Any, dict[str, int]]:
    key = _case_key(scope, whole)
    if key is None or scope == "inspector":
        return {}
    u = m.UrgeRecord
    cut = min(w.end, datetime.now(timezone.utc))  # a reply is missing once its deadline has passed unanswered
    supervise = u.kind == "supervise"
    unanswered = or_(u.replied_at.is_(None), u.replied_at >= w.end)
    columns = {"urged": _count(u.kind == "urge"), "supervised": _count(supervise),
               "supervise_replied_on_time": _count(and_(supervise, u.replied_at < w.end, u.replied_at <= u.reply_due_at)),
               "supervise_replied_late": _count(and_(supervise, u.replied_at < w.end, u.replied_at > u.reply_due_at)),
               "supervise_reply_missing": _count(and_(supervise, unanswered, u.reply_due_at < cut))}
    query = _in_street(select().select_from(u).join(m.Case, m.Case.id == u.case_id).where(_in(u.at, w)), street)
    return _rows(s, key, columns, query)


def _grid_counts(s: Session, scope: str, w: Window, whole: str | None, street: str | None) -> dict[Any, dict[str, int]]:
    """漏报: valid public reports in the inspector's grid, over the cases filed there."""
    if scope != "inspector":
        return {}
    c, staff = m.Case, m.Staff
    filed = c.condition_code.is_not(None)
    columns = {"missed": _count(and_(filed, c.state != "cancelled", c.source != "inspector")),
               "filed_in_grid": _count(filed)}
    # both counts are of the window's cases: the range on created_at keeps the join to the month's cases
    query = (select().select_from(staff).join(c, c.grid_code == staff.grid_code)
             .where(staff.kind == "inspector", _in(c.created_at, w)))
    query = _in_street(query, street)
    return _rows(s, staff.id, columns, query)


# --- names ----------------------------------------------------------------------------------------


def _names(s: Session, scope: str, street: str | None = None) -> dict[str, str]:
    """Every scope of the family that exists (in the street, if given), so a scope without cases shows "—"."""
    if scope in PEOPLE:
        return {}
    table = {
        "district": (m.District.code, m.District.name, None, None),
        "street": (m.Street.code, m.Street.name, None, m.Street.code),
        "community": (m.Community.code, m.Community.name, None, m.Community.street_code),
        "grid": (m.UnitGrid.code, func.coalesce(m.UnitGrid.name, m.UnitGrid.code), m.UnitGrid.valid_to.is_(None),
                 m.UnitGrid.street_code),
        "department": (m.Department.id, m.Department.name, None, None),
        "inspector": (m.Staff.id, m.Staff.name, m.Staff.kind == "inspector", m.Staff.street_code),
    }[scope]
    code, name, where, street_column = table
    query = select(code, name)
    if where is not None:
        query = query.where(where)
    if street is not None and street_column is not None:
        query = query.where(street_column == street)
    return {str(k): v for k, v in s.execute(query).all()}

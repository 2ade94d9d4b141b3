"""Case stories: each demo case played through the workflow in memory, a day at a time.

The same domain rules as the commands (`workflow.plan`, `StepClock` on the city's calendar),
so states, clocks, pending requests and audit events are what the commands would have written.
"""
from __future__ import annotations

import functools
import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, Iterator, Sequence

import numpy as np
import shapely
from shapely.geometry import MultiPoint

from console.data.commands import (
    case_number, clock_after, clock_columns, nearest_of, segment_snap_m, segment_window,
)
from console.data.demo import names
from console.data.demo.accounts import Accounts, Who
from console.data.demo.city import City
from console.data.demo.geography import Geography, _allocate, _mass, _points_in
from console.data.demo.scales import Scale, _US, _UTC
from console.data.rules import Rules
from console.domain.calendar import Limit, TimeKind
from console.domain.catalogue import Catalogue, Category, FilingCondition, Urgency
from console.domain.clocks import StepClock
from console.domain.routing import route as route_rules, rows_from_dicts
from console.domain.workflow import Action, CloseType, Pending, Role, State, Transition, plan


# --- case mix ---------------------------------------------------------------------------------

SOURCES = [("inspector", 0.85), ("hotline", 0.08), ("video", 0.05), ("leader", 0.01), ("media", 0.01)]
# reports per local hour of day: peaks 9-11 and 14-16, little at night
HOUR_WEIGHTS = np.array([0.25, 0.12, 0.08, 0.08, 0.1, 0.3, 0.9, 2.2, 4.8, 7.8, 8.6, 7.0,
                         3.4, 2.6, 6.6, 7.6, 7.2, 5.2, 2.6, 1.9, 1.5, 1.0, 0.6, 0.35])
P_SELF_HANDLED = 0.12  # of inspector reports
P_REFUSE = {"inspector": 0.02, "hotline": 0.12, "video": 0.05, "leader": 0.0, "media": 0.03}
P_VERIFY = {"inspector": 0.02, "hotline": 0.7, "video": 0.3, "leader": 0.2, "media": 0.6}
P_VERIFY_FALSE = 0.15
P_REFUSE_FILING = 0.02
P_MISDISPATCH = 0.04
P_APPROVE_RETURN = 0.85
P_CANCEL = 0.005
P_EXTENSION = 0.05
P_APPROVE_EXTENSION = 0.8
P_HOLD = 0.012
P_LATE = 0.1
P_HALL_LATE = 0.04
P_CHECK_FAIL = 0.05
P_URGE_LATE = 0.5
P_SUPERVISE_LATE = 0.25
P_ERROR_CLOSE = 0.005
EXTENSIONS = ["2wh", "4wh", "1wd", "2wd"]


_VALUE: dict[Any, str] = {e: e.value for enum in (Action, State, Role, Pending) for e in enum}
_DECISIONS = frozenset(a for a in Action if a.value.startswith(("approve_", "reject_")))


class _Stop(Exception):
    """The next action would happen after `now`: the case stays where it is."""


@functools.lru_cache(maxsize=4096)
def _plan(state: State | None, action: Action, role: Role, pending: str | None, self_handled: bool) -> Transition:
    return plan(state, action, role, pending=pending, self_handled=self_handled)


@dataclass
class _Clock:
    clock: StepClock
    round: int
    department_id: int | None
    outcome: str | None = None
    red_since: datetime | None = None  # latched as the commands latch it (commands.clock_after)


@dataclass
class _Ctx:
    """What every simulated case needs (shared, read-only)."""

    rules: Rules
    now: datetime
    city: City
    accounts: Accounts
    categories: list[Category]
    category_weights: np.ndarray
    conditions: dict[str, list[FilingCondition]]
    dispose_limits: dict[tuple[str, str], Limit]
    grid_codes: list[str]
    grid_weights: np.ndarray
    grid_points: list[np.ndarray]  # lon/lat spots per grid
    community_name: dict[str, str]
    street_name: dict[str, str]
    route_cache: dict[Any, Any]
    professional_ids: list[int]
    segments: shapely.STRtree  # road segments, for the case's nearest segment
    segment_ids: list[int]
    segment_snap_m: float


class _Case:
    """One case played through the workflow in memory, mirroring console.data.commands."""

    __slots__ = ("ctx", "row", "state", "pending", "pending_data", "version", "clocks", "events", "urges",
                 "self_handled")

    def __init__(self, ctx: _Ctx, row: dict[str, Any]) -> None:
        self.ctx = ctx
        self.row = row
        self.state: State | None = None
        self.pending: str | None = None
        self.pending_data: dict[str, Any] | None = None
        self.version = 0
        self.clocks: list[_Clock] = []
        self.events: list[dict[str, Any]] = []
        self.urges: list[dict[str, Any]] = []
        self.self_handled = bool(row["self_handled"])

    # -- the one mutation path ------------------------------------------------------------------
    def act(self, action: Action, who: Who, at: datetime, *, note: str = "", reason: str | None = None,
            condition: FilingCondition | None = None, urgency: str | None = None, department_id: int | None = None,
            extension: str | None = None, close_type: str | None = None) -> None:
        if at > self.ctx.now:
            raise _Stop
        t = _plan(self.state, action, who.role, self.pending, self.self_handled)
        row = self.row
        data: dict[str, Any] = {}
        if action in (Action.REPORT, Action.REPORT_SELF_HANDLED):
            self.version = 1
            data["source"] = row["source"]
        else:
            if action == Action.FILE:
                row["condition_code"] = condition.code
                row["category_code"] = condition.category_code
                row["urgency"] = urgency
                data = {"condition_code": condition.code, "urgency": urgency}
            elif action == Action.DISPATCH:
                row["department_id"] = department_id
                data = {"department_id": department_id}
            elif action == Action.REQUEST_EXTENSION:
                self.pending_data = {"extension": extension, "reason": reason}
                data = {"extension": extension}
            elif action == Action.APPROVE_RETURN:
                row["return_count"] += 1
            elif action == Action.APPROVE_EXTENSION:
                row["extension_count"] += 1
            elif action == Action.CLOSE:
                row["close_type"] = CloseType(close_type or "normal").value
                data = {"close_type": row["close_type"]}
            elif action == Action.APPROVE_SELF_HANDLED:
                row["close_type"] = CloseType.SELF_HANDLED.value
            if t.rework:
                row["rework_count"] += 1
        if reason:
            data["reason"] = reason
        stopped_late = self._clock_ops(t, at) if t.clock_ops else None
        if t.overlay:
            self._overlay(action, who, at, reason)
        if action not in (Action.REPORT, Action.REPORT_SELF_HANDLED):
            if t.pending_after is not None:
                self.pending = _VALUE[t.pending_after]
            elif action in _DECISIONS or not t.overlay:
                self.pending = None
            if self.pending is None and action != Action.REQUEST_EXTENSION:
                self.pending_data = None
            self.version += 1
        self.state = t.to_state
        if not t.to_state.is_open:
            row["closed_at"] = at
        row["updated_at"] = at
        row["updated_by"] = who.name
        row["updated_seat"] = who.seat
        # in EVENT_COLUMNS order
        self.events.append((row["id"], at, _VALUE[action], _VALUE.get(t.from_state), _VALUE[t.to_state],
                            self.version, who.operator_id, who.name, _VALUE[who.role], who.seat, note, data or None,
                            None, who.staff_id, stopped_late))

    def _clock_ops(self, t: Transition, at: datetime) -> bool | None:
        """The commands' clock operations (one shared rule: commands.clock_after); whether a stop was late."""
        stopped_late = None
        for op in t.clock_ops:
            if op.kind == "start":
                self._start(op.step, at)
            elif op.kind == "stop_all":
                for c in self.clocks:
                    if c.clock.stopped_at is None:
                        self._apply(c, "cancel", at)
            else:
                c = self.latest(op.step)
                self._apply(c, op.kind, at)
                if op.kind in ("stop", "stop_returned"):
                    stopped_late = c.outcome == "late"
        return stopped_late

    def _apply(self, c: _Clock, kind: str, at: datetime) -> None:
        rules = self.ctx.rules
        cal = rules.calendar
        extended = c.clock.extend(Limit.parse(self.pending_data["extension"]), cal) if kind == "extend" else None
        after = clock_after(c.clock, kind, rules, at, outcome=c.outcome, red_since=c.red_since,
                            red_at=c.clock.red_at(cal, rules.thresholds), extended=extended)
        c.clock, c.outcome, c.red_since = after.clock, after.outcome, after.red_since

    def _start(self, step: str, at: datetime) -> None:
        rules = self.ctx.rules
        if step == "dispose":
            limit = self.ctx.dispose_limits[(self.row["condition_code"], self.row["urgency"])]
        else:
            limit = rules.step_limit(step)
        rounds = [c.round for c in self.clocks if c.clock.step == step]
        dept = self.row["department_id"] if step == "dispose" else None
        self.clocks.append(_Clock(StepClock.start(step, limit, at, rules.calendar), max(rounds, default=0) + 1, dept))

    def _overlay(self, action: Action, who: Who, at: datetime, reason: str | None) -> None:
        if action == Action.URGE:
            self.urges.append({"case_id": self.row["id"], "kind": "urge", "at": at, "operator_name": who.name,
                               "seat": who.seat, "note": reason or "", "department_id": self.row["department_id"],
                               "reply_due_at": None, "replied_at": None, "reply_note": None})
        elif action == Action.SUPERVISE:
            rules = self.ctx.rules
            due = rules.calendar.deadline(at, rules.step_limit("supervise_reply"))
            self.urges.append({"case_id": self.row["id"], "kind": "supervise", "at": at, "operator_name": who.name,
                               "seat": who.seat, "note": reason or "", "department_id": self.row["department_id"],
                               "reply_due_at": due, "replied_at": None, "reply_note": None})
        elif action == Action.REPLY_SUPERVISE:
            record = next(u for u in self.urges if u["kind"] == "supervise" and u["replied_at"] is None)
            record["replied_at"] = at
            record["reply_note"] = reason or ""

    def latest(self, step: str) -> _Clock:
        found = None
        for c in self.clocks:
            if c.clock.step == step and (found is None or c.round > found.round):
                found = c
        if found is None:
            raise RuntimeError(f"case {self.row['number']}: no {step} clock")
        return found

    # -- rows -----------------------------------------------------------------------------------
    def finish(self) -> None:
        row = self.row
        row["state"] = self.state.value
        row["is_open"] = self.state.is_open
        row["pending"] = self.pending
        row["pending_data"] = self.pending_data
        row["version"] = self.version

    def clock_rows(self) -> Iterator[dict[str, Any]]:
        rules = self.ctx.rules
        for c in self.clocks:
            cols = clock_columns(c.clock, rules)
            cols.update(case_id=self.row["id"], round=c.round, outcome=c.outcome, department_id=c.department_id,
                        red_since=c.red_since)
            yield cols


# --- timing helpers ------------------------------------------------------------------------------


def _work_after(ctx: _Ctx, at: datetime, minutes: float) -> datetime:
    """`minutes` of work time after `at` (lands inside working hours)."""
    return ctx.rules.calendar.advance(at, max(int(minutes * _US), 1_000_000), TimeKind.WORK)


def _hall_minutes(rnd: random.Random, limit_minutes: float) -> float:
    """How long a hall step takes, in work minutes: mostly well inside its limit."""
    if rnd.random() < P_HALL_LATE:
        return limit_minutes * rnd.uniform(1.05, 2.5)
    return limit_minutes * (0.03 + 0.92 * rnd.random() ** 1.7)


def _step_minutes(ctx: _Ctx, step: str) -> float:
    return ctx.rules.calendar.limit_minutes(ctx.rules.step_limit(step))


def _after_clock(ctx: _Ctx, c: _Clock, fraction: float, not_before: datetime) -> datetime:
    """The instant a running clock will have consumed `fraction` of its total."""
    clock = c.clock
    target_us = int(fraction * clock.total_minutes * _US) - int(round(clock.consumed_minutes * _US))
    at = ctx.rules.calendar.advance(clock.run_started_at, max(target_us, 1_000_000), clock.kind)
    return max(at, not_before + timedelta(seconds=30))


# --- one case's story ---------------------------------------------------------------------------


def _pick(rnd: random.Random, items: Sequence[Who]) -> Who:
    return items[rnd.randrange(len(items))]


def _play(case: _Case, rnd: random.Random, reporter: Who, category: Category, condition: FilingCondition,
          urgency: str) -> None:
    ctx, row = case.ctx, case.row
    hall = ctx.accounts.by_role
    intake, shift, dispatch, leader = (hall[Role.INTAKE], hall[Role.SHIFT_LEAD], hall[Role.DISPATCHER],
                                       hall[Role.LEADER])
    t = row["created_at"]
    if case.self_handled:
        case.act(Action.REPORT_SELF_HANDLED, reporter, t, note="现场已自行处置")
        t = _work_after(ctx, t, _hall_minutes(rnd, _step_minutes(ctx, "intake")))
        case.act(Action.APPROVE_SELF_HANDLED, _pick(rnd, intake), t)
        return
    case.act(Action.REPORT, reporter, t)
    desk = _pick(rnd, intake)
    t = _work_after(ctx, t, _hall_minutes(rnd, _step_minutes(ctx, "intake")))
    source = row["source"]
    if rnd.random() < P_REFUSE[source]:
        case.act(Action.REFUSE, desk, t, reason=rnd.choice(names.REFUSE_REASONS))
        return
    if rnd.random() < P_VERIFY[source]:
        case.act(Action.SEND_VERIFY, desk, t)
        inspector = _inspector(ctx, rnd, row["grid_code"])
        t = _work_after(ctx, t, _hall_minutes(rnd, _step_minutes(ctx, "verify")))
        if rnd.random() < P_VERIFY_FALSE:
            case.act(Action.VERIFY_FALSE, inspector, t, note="现场核实无此问题")
            return
        case.act(Action.VERIFY_TRUE, inspector, t, note="现场核实属实")
    else:
        case.act(Action.FORWARD, desk, t)
    lead = _pick(rnd, shift)
    t = _work_after(ctx, t, _hall_minutes(rnd, _step_minutes(ctx, "file")))
    if rnd.random() < P_REFUSE_FILING:
        case.act(Action.REFUSE_FILING, lead, t, reason="不符合立案条件")
        return
    case.act(Action.FILE, lead, t, condition=condition, urgency=urgency)
    dispatcher = _pick(rnd, dispatch)
    t = _work_after(ctx, t, _hall_minutes(rnd, _step_minutes(ctx, "dispatch")))
    right = _route(ctx, category, row["street_code"])
    if rnd.random() < P_MISDISPATCH:
        wrong = rnd.choice([d for d in ctx.professional_ids if d != right])
        case.act(Action.DISPATCH, dispatcher, t, department_id=wrong)
        dept = ctx.accounts.department[wrong]
        t = _after_clock(ctx, case.latest("dispose"), rnd.uniform(0.02, 0.3), t)
        case.act(Action.REQUEST_RETURN, dept, t, reason=rnd.choice(names.RETURN_REASONS))
        t = _work_after(ctx, t, rnd.uniform(3, 40))
        if rnd.random() < P_APPROVE_RETURN:
            case.act(Action.APPROVE_RETURN, dispatcher, t)
            t = _work_after(ctx, t, rnd.uniform(2, 25))
            case.act(Action.DISPATCH, dispatcher, t, department_id=right)
        else:
            case.act(Action.REJECT_RETURN, dispatcher, t, note="请按职责处置")
    else:
        case.act(Action.DISPATCH, dispatcher, t, department_id=right)
    if rnd.random() < P_CANCEL:
        t = _work_after(ctx, t, rnd.uniform(10, 300))
        case.act(Action.REQUEST_CANCEL, dispatcher, t, reason="重复案件")
        t = _work_after(ctx, t, rnd.uniform(5, 60))
        case.act(Action.APPROVE_CANCEL, lead, t)
        return
    t = _dispose(case, rnd, t, dispatcher, leader)
    # 核查: the reporting inspector, or for other sources the grid's inspector or the desk calling back
    if source == "inspector":
        checker = reporter
    else:
        checker = _inspector(ctx, rnd, row["grid_code"]) if rnd.random() < 0.6 else desk
    t = _work_after(ctx, t, _hall_minutes(rnd, _step_minutes(ctx, "check")))
    if rnd.random() < P_CHECK_FAIL:
        case.act(Action.CHECK_FAIL, checker, t, note=rnd.choice(names.CHECK_FAIL_NOTES))
        dept = ctx.accounts.department[row["department_id"]]
        clock = case.latest("dispose")
        used = clock.clock.consumed_minutes / clock.clock.total_minutes
        t = _after_clock(ctx, clock, used + rnd.uniform(0.05, 0.4), t)
        case.act(Action.FEEDBACK, dept, t, note="已返工整改")
        t = _work_after(ctx, t, _hall_minutes(rnd, _step_minutes(ctx, "check")))
    case.act(Action.CHECK_PASS, checker, t, note="核查通过")
    t = _work_after(ctx, t, _hall_minutes(rnd, _step_minutes(ctx, "close")))
    dispose = case.latest("dispose")
    close_type = "normal" if dispose.outcome == "on_time" else "overdue"
    if rnd.random() < P_ERROR_CLOSE:
        close_type = "error"
    case.act(Action.CLOSE, _pick(rnd, shift), t, close_type=close_type)


def _dispose(case: _Case, rnd: random.Random, t: datetime, dispatcher: Who, leader: Sequence[Who]) -> datetime:
    """处置: extensions, holds, urges, supervision, then the department's feedback; returns its time."""
    ctx, row = case.ctx, case.row
    dept = ctx.accounts.department[row["department_id"]]
    clock = case.latest("dispose")
    late = rnd.random() < P_LATE
    target = rnd.uniform(1.03, 2.6) if late else min(rnd.betavariate(2.0, 2.6) * 1.05, 0.98) + 0.01
    if rnd.random() < P_EXTENSION:
        t = _after_clock(ctx, clock, rnd.uniform(0.3, 0.75), t)
        extension = rnd.choice(EXTENSIONS)
        case.act(Action.REQUEST_EXTENSION, dept, t, extension=extension, reason=rnd.choice(names.EXTENSION_REASONS))
        t = _work_after(ctx, t, rnd.uniform(5, 60))
        if rnd.random() < P_APPROVE_EXTENSION:
            case.act(Action.APPROVE_EXTENSION, dispatcher, t)
        else:
            case.act(Action.REJECT_EXTENSION, dispatcher, t, note="延期理由不充分")
    if rnd.random() < P_HOLD:
        t = _after_clock(ctx, clock, rnd.uniform(0.2, 0.7), t)
        case.act(Action.REQUEST_HOLD, dept, t, reason=rnd.choice(names.HOLD_REASONS))
        t = _work_after(ctx, t, rnd.uniform(10, 240))
        case.act(Action.APPROVE_HOLD, _pick(rnd, [dispatcher, *leader]), t)
        t = t + timedelta(days=rnd.uniform(3, 60))
        case.act(Action.RESUME, dispatcher, t, note="具备处置条件，恢复处置")
    if target > 1.0:
        due = _after_clock(ctx, clock, 1.0, t)
        if rnd.random() < P_URGE_LATE:
            urge_at = max(due, t) + timedelta(minutes=rnd.uniform(5, 180))
            seat = ctx.accounts.street.get(row["street_code"]) if rnd.random() < 0.4 else None
            case.act(Action.URGE, seat or dispatcher, urge_at, reason=rnd.choice(names.URGE_NOTES))
            t = urge_at
        if target > 1.5 and rnd.random() < P_SUPERVISE_LATE:
            sup_at = _work_after(ctx, max(due, t), rnd.uniform(30, 600))
            case.act(Action.SUPERVISE, _pick(rnd, leader), sup_at, reason=rnd.choice(names.SUPERVISE_NOTES))
            t = sup_at
            reply_limit = ctx.rules.calendar.limit_minutes(ctx.rules.step_limit("supervise_reply"))
            t = _work_after(ctx, t, reply_limit * (rnd.uniform(0.1, 0.9) if rnd.random() < 0.85
                                                   else rnd.uniform(1.1, 2.0)))
            case.act(Action.REPLY_SUPERVISE, dept, t, reason=rnd.choice(names.REPLY_NOTES))
    t = _after_clock(ctx, clock, target, t)
    case.act(Action.FEEDBACK, dept, t, note=rnd.choice(names.FEEDBACK_NOTES))
    return t


def _route(ctx: _Ctx, category: Category, street: str) -> int:
    """The department the live suggestion would give (one routing function: console.domain.routing)."""
    key = (category.code, street)
    dept = ctx.route_cache.get(key)
    if dept is None:
        rules = ctx.route_cache.get("rules")
        if rules is None:
            rules = ctx.route_cache["rules"] = rows_from_dicts(ctx.city.routing)
        dept = ctx.route_cache[key] = route_rules(rules, category.code, street) or ctx.city.street_department[street]
    return dept


def _inspector(ctx: _Ctx, rnd: random.Random, grid_code: str) -> Who:
    sid = ctx.city.inspector_of_grid[grid_code]
    return Who(ctx.city.staff_name[sid], Role.INSPECTOR, "城管通", staff_id=sid)


def _segment_of(ctx: _Ctx, lon: float, lat: float) -> int | None:
    """The case's road segment as report_case finds it (commands.nearest_of), candidates from an STRtree."""
    box = shapely.box(*segment_window(lon, lat, ctx.segment_snap_m))
    hits = sorted(ctx.segments.query(box), key=lambda i: ctx.segment_ids[i])
    geoms = ctx.segments.geometries
    return nearest_of(lon, lat, ((ctx.segment_ids[i], geoms[i]) for i in hits), ctx.segment_snap_m)


# --- a day of cases --------------------------------------------------------------------------------


def _daily_counts(rng: np.random.Generator, ctx: _Ctx, first_day: date, days: int, per_day: float,
                  today_fraction: float, surge: tuple[int, float] = (0, 1.0)) -> list[int]:
    """Reports per local day for `days` full days and today's part: fewer on rest days, some noise.

    The total is round(per_day x (days + today_fraction)), so a year of `metro` is >= 1,000,000.
    """
    weights = []
    for i in range(days + 1):
        day = first_day + timedelta(days=i)
        w = (1.0 if ctx.rules.calendar.is_workday(day) else 0.68) * rng.uniform(0.9, 1.1)
        weights.append(w)
    weights[-1] *= today_fraction
    surge_days, factor = surge
    for i in range(max(0, len(weights) - surge_days), len(weights)):
        weights[i] *= factor
    total = round(per_day * (days + today_fraction))
    return _allocate(total, weights, minimum=0)


def _simulate_day(ctx: _Ctx, seed: int, day: date, count: int, first_id: int) -> tuple[list, list, list, list]:
    """Play `count` cases reported on local day `day`; ids from first_id. Returns row lists."""
    rng = np.random.default_rng([seed, 7, day.toordinal()])
    rnd = random.Random(f"{seed}-{day.toordinal()}")
    tz = ctx.rules.calendar.tz
    midnight = datetime.combine(day, time(0), tzinfo=tz)
    limit_s = (ctx.now - midnight).total_seconds()
    hours = HOUR_WEIGHTS.copy()
    span = np.full(24, 3600.0)  # seconds of each hour that may hold reports
    if limit_s < 86400:  # today: only the time already past
        cur = int(max(limit_s, 0) // 3600)
        hours[cur + 1:] = 0.0
        span[cur] = max(limit_s - cur * 3600 - 1, 0.0)
        hours[cur] *= span[cur] / 3600.0
        if hours.sum() == 0:
            hours[0], span[0] = 1.0, 0.0
    hour = rng.choice(24, size=count, p=hours / hours.sum())
    seconds = np.sort(hour * 3600 + rng.random(count) * span[hour])
    grid_idx = rng.choice(len(ctx.grid_codes), size=count, p=ctx.grid_weights)
    cat_idx = rng.choice(len(ctx.categories), size=count, p=ctx.category_weights)
    src_names = [s for s, _ in SOURCES]
    src_idx = rng.choice(len(SOURCES), size=count, p=[p for _, p in SOURCES])
    spot_u = rng.random(count)
    cases, clocks, events, urges = [], [], [], []
    for i in range(count):
        case_id = first_id + i
        created = (midnight + timedelta(seconds=float(seconds[i]))).astimezone(_UTC).replace(microsecond=0)
        if created > ctx.now:
            created = ctx.now
        grid = ctx.grid_codes[grid_idx[i]]
        spots = ctx.grid_points[grid_idx[i]]
        lon, lat = spots[int(spot_u[i] * len(spots))]
        category = ctx.categories[cat_idx[i]]
        source = src_names[src_idx[i]]
        conds = ctx.conditions[category.code]
        condition = conds[0] if len(conds) == 1 or rnd.random() < 0.7 else rnd.choice(conds)
        urgency = condition.default_urgency.value
        if rnd.random() < 0.05 and Urgency.URGENT in condition.limits:
            urgency = Urgency.URGENT.value
        street = grid[:9]
        roads = ctx.city.street_roads.get(street)
        place = f"{rnd.choice(roads)}{rnd.randrange(1, 300)}号" if roads else ctx.community_name[grid[:12]]
        address = f"{ctx.street_name[street]}{ctx.community_name[grid[:12]]}{place}附近"
        self_handled = source == "inspector" and rnd.random() < P_SELF_HANDLED
        if source == "inspector":
            sid = ctx.city.inspector_of_grid[grid]
            reporter = Who(ctx.city.staff_name[sid], Role.INSPECTOR, "城管通", staff_id=sid)
        else:
            sid = None
            reporter = _pick(rnd, ctx.accounts.by_role[Role.INTAKE])
        hotline = source == "hotline"
        row = {
            "id": case_id, "number": case_number(created, case_id), "state": None, "is_open": True,
            "pending": None, "pending_data": None, "version": 1, "source": source, "kind": category.kind,
            "category_code": category.code, "condition_code": None, "urgency": None,
            "description": f"{category.name}：{place}附近。{rnd.choice(names.DESCRIPTION_TAILS)}",
            "address": address, "lon": float(lon), "lat": float(lat), "grid_code": grid,
            "community_code": grid[:12], "street_code": street, "department_id": None,
            "reporter_staff_id": sid,
            "caller_name": (names.person_name(rnd)[0] + rnd.choice(names.HOTLINE_TITLES)) if hotline else None,
            "caller_phone": names.masked_phone(rnd) if hotline else None,
            "self_handled": self_handled, "rework_count": 0, "return_count": 0, "extension_count": 0,
            "close_type": None, "photos": None, "created_at": created, "updated_at": created,
            "updated_by": reporter.name, "updated_seat": reporter.seat, "closed_at": None,
            "road_segment_id": _segment_of(ctx, float(lon), float(lat)),
        }
        case = _Case(ctx, row)
        try:
            _play(case, rnd, reporter, category, condition, urgency)
        except _Stop:
            pass
        case.finish()
        cases.append(row)
        clocks.extend(case.clock_rows())
        events.extend(case.events)
        urges.extend(case.urges)
    return cases, clocks, events, urges


def _context(params: Scale, seed: int, now: datetime, geo: Geography, city: City, catalogue: Catalogue,
             rules: Rules, accounts: Accounts) -> _Ctx:
    rng = np.random.default_rng([seed, 3])
    categories = [c for c in catalogue.categories if catalogue.conditions_for(c.code)]
    weights = np.array([_category_weight(c) for c in categories])
    conditions = {c.code: catalogue.conditions_for(c.code) for c in categories}
    limits = {(cond.code, u.value): Limit.parse(text) for c in categories for cond in conditions[c.code]
              for u, text in cond.limits.items()}
    grid_w = np.array([_mass(geo, g.local) ** 0.7 for g in geo.grids])
    expected = grid_w / grid_w.sum() * params.cases_per_day * max(params.history_days, 1)
    points = []
    for g, e in zip(geo.grids, expected):
        n = int(min(max(e * 0.4, 12), 600))
        pts = geo.to_lonlat(MultiPoint(_points_in(rng, g.local, n)))
        arr = shapely.get_coordinates(pts)
        inside = shapely.contains_xy(g.geom, arr[:, 0], arr[:, 1])  # strictly inside after rounding
        arr = arr[inside] if inside.any() else shapely.get_coordinates(g.geom.representative_point())
        points.append(arr)
    return _Ctx(
        rules=rules, now=now, city=city, accounts=accounts, categories=categories,
        category_weights=weights / weights.sum(), conditions=conditions, dispose_limits=limits,
        grid_codes=[g.code for g in geo.grids], grid_weights=grid_w / grid_w.sum(), grid_points=points,
        community_name={c.code: c.name for c in geo.communities}, street_name={s.code: s.name for s in geo.streets},
        route_cache={},
        professional_ids=[d["id"] for d in city.departments if d["kind"] == "professional"],
        segments=shapely.STRtree([seg["geom"] for seg in city.segments]),
        segment_ids=[seg["id"] for seg in city.segments], segment_snap_m=segment_snap_m(rules),
    )


def _category_weight(category: Category) -> float:
    for word, weight in names.CATEGORY_WEIGHTS:
        if word in category.name:
            return weight
    return names.DEFAULT_CATEGORY_WEIGHT * (0.6 if category.kind == "component" else 1.0)


EVENT_COLUMNS = ("case_id", "at", "action", "from_state", "to_state", "version", "operator_id", "operator_name",
                 "role", "seat", "note", "data", "idempotency_key", "staff_id", "stopped_late")

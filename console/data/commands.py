"""Workflow commands: every change to a case, each in one transaction.

A command checks role, jurisdiction, state and the version the actor saw
(domain.workflow decides what is legal), then writes the case, its step
clocks, one audit event and one change-log row, and on PostgreSQL a NOTIFY,
all in the same transaction.  Anything refused raises a CommandError whose
message names what was wrong; nothing is half-written.
"""
from __future__ import annotations

import dataclasses
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Iterable, Optional
from zoneinfo import ZoneInfo

from sqlalchemy import Text, cast, func, insert, select
from sqlalchemy.orm import Session

from console.domain.calendar import Limit
from console.domain.catalogue import Urgency
from console.domain.clocks import Light, StepClock
from console.domain.sources import Source
from console.domain.workflow import (
    REASON_ACTIONS,
    SUPERVISE_REPLY,
    Action,
    ClockOp,
    CloseType,
    Role,
    State,
    Transition,
    WorkflowError,
    plan,
)
from console.data import models as m
from console.data.db import NOTIFY_CHANNEL, Database
from console.data.rules import Rules, calendar_stamp

_SHANGHAI = ZoneInfo("Asia/Shanghai")
OPEN_STATES = frozenset(s.value for s in State) - {State.CLOSED.value, State.CANCELLED.value}


class CommandError(Exception):
    """A refused command; str() is the message an operator reads."""


class NotFound(CommandError):
    pass


class StaleVersion(CommandError):
    """Another seat acted first; carries who did what, and when."""

    def __init__(self, message: str, *, current_version: int, by: str | None, seat: str | None,
                 at: datetime | None, action: str | None) -> None:
        super().__init__(message)
        self.current_version = current_version
        self.by, self.seat, self.at, self.action = by, seat, at, action


class JurisdictionError(CommandError):
    pass


@dataclass(frozen=True)
class Actor:
    """Who acts: the signed-in operator (or a field person, or the simulator)."""

    name: str
    role: Role
    seat: str | None = None
    operator_id: int | None = None
    street_code: str | None = None  # a street liaison seat sees only its street
    department_id: int | None = None  # a department account acts only on its cases
    staff_id: int | None = None  # a field staff member (监督员) acting through 城管通: the actor of record

    def __post_init__(self) -> None:
        object.__setattr__(self, "role", Role(self.role))


@dataclass(frozen=True)
class CaseRef:
    id: int
    number: str
    state: str
    version: int
    applied: bool = True  # False when an idempotency key had already been used


@dataclass
class ActionParams:
    """What some actions need besides the case (the rest ignore it)."""

    condition_code: str | None = None  # file 立案, reclassify 重新分类
    urgency: str | None = None  # file 立案, reclassify 重新分类
    category_code: str | None = None  # reclassify 重新分类 (else the condition's category)
    department_id: int | None = None  # dispatch 派遣
    extension: str | None = None  # request_extension 申请延期, e.g. "2wh"
    close_type: str | None = None  # close 结案
    reply_within: str | None = None  # supervise 督办: the reply deadline in work time, e.g. "8wh" (else the rules')
    reason: str | None = None
    photos: list[str] = field(default_factory=list)


def _now() -> datetime:
    return datetime.now(timezone.utc)


def at_or_now(at: datetime | None) -> datetime:
    """The time a command acts at: `at` (zone required) or now."""
    if at is None:
        return _now()
    if at.tzinfo is None:
        raise CommandError(f"时间 {at.isoformat()} 缺少时区 (a time without a zone)")
    return at


# --- report -------------------------------------------------------------------------------


def report_case(
    db: Database,
    actor: Actor,
    *,
    source: str,
    lon: float,
    lat: float,
    category_code: str | None = None,
    description: str = "",
    address: str = "",
    caller_name: str | None = None,
    caller_phone: str | None = None,
    self_handled: bool = False,
    photos: Iterable[str] = (),
    reporter_staff_id: int | None = None,
    at: datetime | None = None,
    note: str = "",
    idempotency_key: str | None = None,
    camera_id: str | None = None,
) -> CaseRef:
    """上报 / 自处理上报: a new case in 待受理 with its 受理 clock running (`camera_id`: a 视频巡查 case's camera)."""
    at = at_or_now(at)
    if source not in Source.__members__.values():  # the queue's source filter lists Source, nothing else
        raise CommandError(f"未知的案件来源 {source!r} (unknown case source; one of {', '.join(Source)})")
    action = Action.REPORT_SELF_HANDLED if self_handled else Action.REPORT
    transition = _plan(None, action, actor.role, None, self_handled)
    with db.write() as s:
        done = _already_applied(s, idempotency_key)
        if done:
            return done
        rules = current_rules(s, db)  # once: the segment snap and the 受理 clock
        grid = _grid_at(s, lon, lat, at)
        if actor.street_code and (grid is None or grid.street_code != actor.street_code):
            raise JurisdictionError(f"位置不在本街道 {actor.street_code} 辖区内 (point outside the seat's street)")
        kind = None
        if category_code:
            category = _category(s, category_code)
            kind = category.kind
        case = m.Case(
            number="~" + uuid.uuid4().hex[:19],  # replaced by the real number once the id is known
            state=transition.to_state.value,
            is_open=True,
            version=1,
            source=source,
            kind=kind,
            category_code=category_code,
            description=description,
            address=address,
            lon=lon,
            lat=lat,
            grid_code=grid.code if grid else None,
            community_code=grid.community_code if grid else None,
            street_code=grid.street_code if grid else None,
            road_segment_id=nearest_segment(s, lon, lat, rules),
            reporter_staff_id=reporter_staff_id,
            caller_name=caller_name,
            caller_phone=caller_phone,
            self_handled=self_handled,
            photos=list(photos) or None,
            camera_id=camera_id,
            created_at=at,
            updated_at=at,
            updated_by=actor.name,
            updated_seat=actor.seat,
        )
        s.add(case)
        s.flush()
        case.number = case_number(at, case.id)
        _apply_clock_ops(s, rules, case, transition.clock_ops, at, ActionParams())
        _audit(s, case, transition, actor, at, note, None, idempotency_key,
               {"source": source, **({"camera_id": camera_id} if camera_id else {})})
        return CaseRef(case.id, case.number, case.state, case.version)


def case_number(at: datetime, case_id: int) -> str:
    """案件号: local (Asia/Shanghai) year of report + a sequence that never repeats (the row id)."""
    return f"{at.astimezone(_SHANGHAI).year}{case_id:08d}"


# --- every other action --------------------------------------------------------------------


def act(
    db: Database,
    actor: Actor,
    number: str,
    action: Action | str,
    *,
    expected_version: int,
    note: str = "",
    at: datetime | None = None,
    idempotency_key: str | None = None,
    params: ActionParams | None = None,
) -> CaseRef:
    """Apply one workflow action to one case, in one transaction."""
    action = Action(action)
    at = at_or_now(at)
    params = params or ActionParams()
    with db.write() as s:
        done = _already_applied(s, idempotency_key)
        if done:
            return done
        case = _case_for_update(s, number)
        _check_jurisdiction(case, actor, action)  # before the version: never name another street's actors
        _check_version(s, case, expected_version)
        transition = _plan(State(case.state), action, actor.role, case.pending, case.self_handled,
                           params.close_type if action == Action.CLOSE else None)
        params = dataclasses.replace(params, reason=_reason(case, transition, params.reason or note))
        rules = current_rules(s, db)  # after the lock: a `calendar set` committed before it is seen
        _check_params(s, rules, case, transition, params, actor)
        previous = {"category_code": case.category_code, "condition_code": case.condition_code,
                    "urgency": case.urgency}
        stopped_late = _apply(s, rules, case, transition, actor, at, params)
        data = _event_data(transition, params, case)
        if transition.action == Action.RECLASSIFY:
            data = {**(data or {}), "previous": previous}
        _audit(s, case, transition, actor, at, note, params, idempotency_key, data, stopped_late)
        return CaseRef(case.id, case.number, case.state, case.version)


def current_rules(s: Session, db: Database) -> Rules:
    """The cached rules, reloaded when another process changed the calendar since."""
    rules = db.rules()
    if rules.calendar_stamp != calendar_stamp(s, share=True):
        db.invalidate_rules()
        rules = db.rules()
    return rules


_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff"  # zero-width characters: a reason of them is empty


def _reason(case: m.Case, t: Transition, text: str | None) -> str | None:
    """The reason, stripped; an action of REASON_ACTIONS refuses an empty one."""
    reason = (text or "").strip().strip(_INVISIBLE).strip() or None
    if reason is None and t.action in REASON_ACTIONS:
        raise CommandError(f"{t.action.label}需要填写理由 ({t.action.value} {case.number}: a reason is required)")
    return reason


def _plan(state: State | None, action: Action, role: Role, pending: str | None, self_handled: bool,
          close_type: str | None = None) -> Transition:
    try:
        return plan(state, action, role, pending=pending, self_handled=self_handled, close_type=close_type)
    except WorkflowError as exc:
        raise CommandError(str(exc)) from exc


def _already_applied(s: Session, key: str | None) -> CaseRef | None:
    """An action retried with the same idempotency key is applied once."""
    if not key:
        return None
    event = s.scalars(select(m.CaseEvent).where(m.CaseEvent.idempotency_key == key)).first()
    if event is None:
        return None
    case = s.get(m.Case, event.case_id)
    return CaseRef(case.id, case.number, case.state, case.version, applied=False)


def _case_for_update(s: Session, number: str) -> m.Case:
    case = s.scalars(select(m.Case).where(m.Case.number == number).with_for_update()).first()
    if case is None:
        raise NotFound(f"案件 {number} 不存在 (no such case)")
    return case


def _check_version(s: Session, case: m.Case, expected: int) -> None:
    if case.version == expected:
        return
    last = s.scalars(
        select(m.CaseEvent).where(m.CaseEvent.case_id == case.id).order_by(m.CaseEvent.id.desc()).limit(1)
    ).first()
    who = f"{last.operator_name} @ {last.seat or '-'}" if last else "另一席位"
    when = last.at.astimezone(_SHANGHAI).strftime("%Y-%m-%d %H:%M:%S") if last else "?"
    what = _action_label(last.action) if last else "?"
    raise StaleVersion(
        f"案件 {case.number} 已被 {who} 于 {when} {what}，当前版本 {case.version}，你看到的是 {expected}；"
        f"已刷新，请重新操作 (stale version: changed by {last.operator_name if last else '?'})",
        current_version=case.version,
        by=last.operator_name if last else None,
        seat=last.seat if last else None,
        at=last.at if last else None,
        action=last.action if last else None,
    )


def check_street(case: m.Case, actor: Actor) -> None:
    """A street seat reaches only its own street's cases (every command and presence)."""
    if actor.street_code and case.street_code != actor.street_code:
        raise JurisdictionError(
            f"案件 {case.number} 属于街道 {case.street_code}，不在本席位辖区 {actor.street_code} 内 (outside jurisdiction)"
        )


def _check_jurisdiction(case: m.Case, actor: Actor, action: Action) -> None:
    check_street(case, actor)
    if actor.role != Role.DEPARTMENT:
        return
    if actor.department_id is None:  # an unbound department account would otherwise reach every case
        raise JurisdictionError(f"部门账号 {actor.name} 未绑定部门，不能处理案件 {case.number} (department account not bound)")
    if case.department_id != actor.department_id:
        raise JurisdictionError(f"案件 {case.number} 未派遣给本部门 (not dispatched to this department)")


def _check_params(s: Session, rules: Rules, case: m.Case, t: Transition, p: ActionParams, actor: Actor) -> None:
    if t.action in (Action.FILE, Action.RECLASSIFY):
        _check_condition(s, case, t, p)
    elif t.action == Action.DISPATCH:
        _check_dispatch(s, case, p)
    elif t.action == Action.REQUEST_EXTENSION:
        try:
            Limit.parse(p.extension or "")
        except ValueError as exc:
            raise CommandError(f"延期时长无效: {exc}") from exc
        dispose = _latest_clock(s, case.id, "dispose")
        if dispose is not None:  # refused now rather than at approval: the deadline it is converted at is known
            _extended(case, _clock(dispose), p.extension or "", rules)
    elif t.action == Action.APPROVE_EXTENSION:
        _check_extension_cap(rules, case, actor)
    elif t.action == Action.SUPERVISE and p.reply_within:
        _reply_limit(rules, p)
    elif t.action == Action.REPLY_URGE and _open_urge(s, case) is None:
        raise CommandError(f"案件 {case.number} 没有待回复的催办 (no open urge to reply to)")


def _reply_limit(rules: Rules, p: ActionParams) -> Limit:
    """督办's reply deadline: the one given (work time only: 工作日/工作时/工作分钟) or the rules' supervise_reply."""
    if not p.reply_within:
        return rules.step_limit(SUPERVISE_REPLY)
    try:
        limit = Limit.parse(p.reply_within)
    except ValueError as exc:
        raise CommandError(f"督办回复时限 {p.reply_within!r} 无效: {exc}") from exc
    if not limit.is_work:
        raise CommandError(f"督办回复时限 {p.reply_within} 须为工作时间 (the reply deadline is work time: wd, wh or wmin)")
    return limit


def _open_urge(s: Session, case: m.Case) -> m.UrgeRecord | None:
    return s.scalars(select(m.UrgeRecord).where(
        m.UrgeRecord.case_id == case.id, m.UrgeRecord.kind == "urge", m.UrgeRecord.replied_at.is_(None))
        .order_by(m.UrgeRecord.id).limit(1)).first()


def _check_condition(s: Session, case: m.Case, t: Transition, p: ActionParams) -> None:
    """立案 / 重新分类: the condition exists, fits the category and has a limit for the urgency."""
    if not p.condition_code:
        raise CommandError(f"{t.action.label}需要选择立案条件 ({t.action.value} {case.number}: no filing condition)")
    condition = _condition(s, p.condition_code)
    category = p.category_code if t.action == Action.RECLASSIFY else case.category_code
    if t.action == Action.RECLASSIFY and category:
        _category(s, category)  # an unknown category is named, not reported as a mismatch
    if category and condition.category_code != category:
        raise CommandError(
            f"立案条件 {p.condition_code} 属于类别 {condition.category_code}，与案件类别 {category} 不符"
        )
    urgency = p.urgency or condition.default_urgency
    if urgency not in {u.value for u in Urgency}:
        raise CommandError(f"紧急程度 {urgency!r} 无效 (urgency must be one of {[u.value for u in Urgency]})")
    if not any(limit.urgency == urgency for limit in condition.limits):
        raise CommandError(f"立案条件 {p.condition_code} 没有 {urgency} 级的处置时限 (no limit for that urgency)")
    if t.action == Action.RECLASSIFY and (condition.code, urgency) == (case.condition_code, case.urgency):
        raise CommandError(f"案件 {case.number} 已是立案条件 {condition.code}（{urgency}），无需重新分类 (no change)")


def _check_dispatch(s: Session, case: m.Case, p: ActionParams) -> None:
    """派遣 to a known department; a street office (街道办事处) only within its own street (属地)."""
    department = s.get(m.Department, p.department_id) if p.department_id is not None else None
    if department is None:
        raise CommandError(f"派遣需要有效的处置部门 (dispatch {case.number}: unknown department {p.department_id})")
    if department.street_code and department.street_code != case.street_code:
        raise JurisdictionError(
            f"{department.name} 只受理 {_street_name(s, department.street_code)} 的案件，案件 {case.number} 位于 "
            f"{_street_name(s, case.street_code)} (department bound to street {department.street_code}, "
            f"case in street {case.street_code or 'none'})"
        )


def _street_name(s: Session, code: str | None) -> str:
    if code is None:
        return "无街道（不在任何网格内）"
    street = s.get(m.Street, code)
    return f"{street.name if street else '?'}({code})"


def _check_extension_cap(rules: Rules, case: m.Case, actor: Actor) -> None:
    """A case takes rules.max_extensions extensions; another one only with a leader's approval."""
    cap = rules.max_extensions
    if case.extension_count >= cap and actor.role != Role.LEADER:
        raise CommandError(
            f"案件 {case.number} 已延期 {case.extension_count} 次，达到上限 {cap} 次，再延期须由指挥长审批 "
            f"(extension cap {cap} reached: a leader must approve)"
        )


def _apply(s: Session, rules: Rules, case: m.Case, t: Transition, actor: Actor, at: datetime,
           p: ActionParams) -> bool | None:
    """Write the transition; returns whether the step clock it stopped was red (None: it stopped none)."""
    if t.action in (Action.FILE, Action.RECLASSIFY):
        condition = _condition(s, p.condition_code)
        case.condition_code = condition.code
        case.category_code = condition.category_code
        case.kind = _category(s, condition.category_code).kind
        case.urgency = p.urgency or condition.default_urgency
    elif t.action == Action.DISPATCH:
        case.department_id = p.department_id
    elif t.action == Action.REQUEST_EXTENSION:
        case.pending_data = {"extension": p.extension, "reason": p.reason}
    elif t.action == Action.APPROVE_RETURN:
        case.return_count += 1
    elif t.action == Action.APPROVE_EXTENSION:
        case.extension_count += 1
    if t.close_type is not None:
        case.close_type = t.close_type.value
    elif t.action == Action.CLOSE:
        case.close_type = _derived_close_type(s, case)
    if t.rework:
        case.rework_count += 1
    if p.photos:
        case.photos = [*(case.photos or []), *p.photos]

    stopped_late = _apply_clock_ops(s, rules, case, t.clock_ops, at, p)
    _apply_overlay(s, rules, case, t, actor, at, p)

    case.pending = t.pending_after.value if t.pending_after else None
    if case.pending is None:
        case.pending_data = None
    case.state = t.to_state.value
    case.is_open = case.state in OPEN_STATES
    if not case.is_open:
        case.closed_at = at
    case.version += 1
    case.updated_at = at
    case.updated_by = actor.name
    case.updated_seat = actor.seat
    return stopped_late


def _derived_close_type(s: Session, case: m.Case) -> str:
    """结案 without a chosen type: 超时 when the 处置 clock ended late, else 正常."""
    dispose = _latest_clock(s, case.id, "dispose")
    late = dispose is not None and dispose.outcome == "late"
    return CloseType.OVERDUE.value if late else CloseType.NORMAL.value


def _apply_overlay(s: Session, rules: Rules, case: m.Case, t: Transition, actor: Actor, at: datetime,
                   p: ActionParams) -> None:
    if t.action == Action.URGE:
        s.add(m.UrgeRecord(case_id=case.id, kind="urge", at=at, operator_name=actor.name, seat=actor.seat,
                           note=p.reason or "", department_id=case.department_id))
    elif t.action == Action.SUPERVISE:
        due = rules.calendar.deadline(at, _reply_limit(rules, p))
        s.add(m.UrgeRecord(case_id=case.id, kind="supervise", at=at, operator_name=actor.name, seat=actor.seat,
                           note=p.reason or "", department_id=case.department_id, reply_due_at=due))
    elif t.action == Action.REPLY_SUPERVISE:
        record = s.scalars(
            select(m.UrgeRecord)
            .where(m.UrgeRecord.case_id == case.id, m.UrgeRecord.kind == "supervise", m.UrgeRecord.replied_at.is_(None))
            .order_by(m.UrgeRecord.id)
            .limit(1)
        ).first()
        if record is None:
            raise CommandError(f"案件 {case.number} 没有待回复的督办 (no open supervision to reply to)")
        record.replied_at = at
        record.reply_note = p.reason or ""
    elif t.action == Action.REPLY_URGE:
        urge = _open_urge(s, case)
        urge.replied_at, urge.reply_note = at, p.reason or ""


# --- step clocks ----------------------------------------------------------------------------


def _apply_clock_ops(s: Session, rules: Rules, case: m.Case, ops: Iterable[ClockOp], at: datetime,
                     p: ActionParams) -> bool | None:
    """Apply the clock operations; whether the step clock stopped (stop / stop_returned) was red."""
    stopped_late = None
    for op in ops:
        if op.kind == "start":
            _start_clock(s, rules, case, op.step, at, _reply_limit(rules, p) if op.step == SUPERVISE_REPLY else None)
        elif op.kind == "stop_all":
            for row in _open_clocks(s, case.id):
                _clock_op(row, "cancel", rules, at, case)
        else:
            row = _latest_clock(s, case.id, op.step)
            if row is None:
                raise CommandError(f"案件 {case.number} 没有 {op.step} 时钟 (no clock to {op.kind})")
            stopped_late = _clock_op(row, op.kind, rules, at, case)
    return stopped_late


@dataclass(frozen=True)
class ClockAfter:
    """A step clock after one operation: the clock, its outcome and the latched first red instant."""

    clock: StepClock
    outcome: str | None
    red_since: datetime | None

    @property
    def stopped_late(self) -> bool:
        """What the audit event of a stop records (CaseEvent.stopped_late)."""
        return self.outcome == "late"


def latched_red(red_since: datetime | None, red_at: datetime | None, at: datetime) -> datetime | None:
    """The first instant the clock was red, kept before a stop, pause or extension moves or clears its marks."""
    if red_since is None and red_at is not None and red_at <= at:
        return red_at
    return red_since


def latch_red(row: m.CaseStepClock, at: datetime) -> None:
    row.red_since = latched_red(row.red_since, row.red_at, at)


def clock_after(clock: StepClock, kind: str, rules: Rules, at: datetime, *, outcome: str | None,
                red_since: datetime | None, red_at: datetime | None,
                extended: StepClock | None = None) -> ClockAfter:
    """One clock operation (stop, stop_returned, cancel, pause, resume, reopen, extend) as the commands apply it.

    Pure, so the demo generator plays its clocks through the same rules; `red_at` is the clock's red mark
    before the operation, `extended` the clock already extended (for "extend").
    """
    cal = rules.calendar
    red_since = latched_red(red_since, red_at, at)
    if kind in ("stop", "stop_returned", "cancel"):
        clock = clock.stop(at, cal)
        ended = {"stop": "on_time", "stop_returned": "returned", "cancel": "cancelled"}[kind]
        late = kind != "cancel" and (outcome == "late" or not clock.on_time)
        return ClockAfter(clock, "late" if late else ended, red_since)
    if kind == "pause":
        return ClockAfter(clock.pause(at, cal), outcome, red_since)
    if kind == "resume":
        return ClockAfter(clock.resume(at), outcome, red_since)
    if kind == "reopen":
        return ClockAfter(clock.reopen(at), "late" if outcome == "late" else None, red_since)
    if kind == "extend":
        if extended is None:
            raise CommandError("延期须给出延期后的时钟 (extend needs the extended clock)")
        # 延期 after red: the overdue already incurred stays recorded though the light turns back
        red = clock.light(at, cal, rules.thresholds) is Light.RED
        return ClockAfter(extended, "late" if red else outcome, red_since)
    raise CommandError(f"unknown clock operation {kind!r}")


def _clock_op(row: m.CaseStepClock, kind: str, rules: Rules, at: datetime, case: m.Case) -> bool | None:
    """Apply one operation to a stored clock; for a stop, whether it was late."""
    clock = _clock(row)
    extended = None
    if kind == "extend":
        extra = (case.pending_data or {}).get("extension")
        if not extra:
            raise CommandError(f"案件 {case.number} 没有待批的延期时长 (no extension requested)")
        extended = _extended(case, clock, extra, rules)
    after = clock_after(clock, kind, rules, at, outcome=row.outcome, red_since=row.red_since, red_at=row.red_at,
                        extended=extended)
    row.red_since = after.red_since
    _store(row, after.clock, rules, outcome=after.outcome)
    return after.stopped_late if kind in ("stop", "stop_returned") else None


_MAX_TOTAL_MINUTES = 2**31 - 1  # case_step_clocks.total_minutes is a 32-bit integer


def _extended(case: m.Case, clock: StepClock, extra: str, rules: Rules) -> StepClock:
    """The clock extended by *extra* in its own family, its deadline computable, or one clear refusal."""
    try:
        extended = clock.extend(Limit.parse(extra), rules.calendar)
        if extended.total_minutes > _MAX_TOTAL_MINUTES:
            raise ValueError(f"total {extended.total_minutes} minutes is more than a clock can hold")
        extended.due_at(rules.calendar)  # a deadline past year 9999 overflows here, not in the UI
    except (ValueError, OverflowError) as exc:
        raise CommandError(f"案件 {case.number} 延期 {extra} 无效: {exc}") from exc
    return extended


def refresh_marks(row: m.CaseStepClock, rules: Rules) -> None:
    """Recompute a stored clock's due / yellow / red marks on (new) rules; the clock itself is unchanged."""
    _store(row, _clock(row), rules)


def _start_clock(s: Session, rules: Rules, case: m.Case, step: str, at: datetime, limit: Limit | None = None) -> None:
    limit = limit or (_dispose_limit(s, case) if step == "dispose" else rules.step_limit(step))
    last_round = s.scalar(
        select(func.max(m.CaseStepClock.round)).where(m.CaseStepClock.case_id == case.id, m.CaseStepClock.step == step)
    )
    row = m.CaseStepClock(case_id=case.id, step=step, round=(last_round or 0) + 1, started_at=at,
                          department_id=case.department_id if step == "dispose" else None)
    s.add(row)
    _store(row, StepClock.start(step, limit, at, rules.calendar), rules)


def _dispose_limit(s: Session, case: m.Case) -> Limit:
    """处置时限 comes from the filing condition x urgency chosen at 立案."""
    if not case.condition_code:
        raise CommandError(f"案件 {case.number} 尚未立案，没有处置时限 (no filing condition)")
    condition = _condition(s, case.condition_code)
    for limit in condition.limits:
        if limit.urgency == case.urgency:
            return Limit.parse(limit.limit)
    raise CommandError(f"立案条件 {condition.code} 没有 {case.urgency} 级的处置时限")


def _clock(row: m.CaseStepClock) -> StepClock:
    return StepClock(
        step=row.step,
        limit=Limit.parse(row.limit),
        total_minutes=int(row.total_minutes),
        consumed_minutes=row.consumed_minutes,
        run_started_at=row.run_started_at,
        started_at=row.started_at,
        stopped_at=row.stopped_at,
        paused=row.paused,
    )


_KEEP = object()


def clock_columns(clock: StepClock, rules: Rules) -> dict[str, Any]:
    """The case_step_clocks columns of a domain clock, marks precomputed.

    Shared by the commands and the demo generator, so both store clocks alike.
    """
    return {
        "step": str(clock.step),
        "limit": str(clock.limit),
        "total_minutes": clock.total_minutes,
        "consumed_minutes": clock.consumed_minutes,
        "started_at": clock.started_at,
        "run_started_at": clock.run_started_at,
        "stopped_at": clock.stopped_at,
        "paused": clock.paused,
        "running": clock.run_started_at is not None,
        "open": clock.stopped_at is None,
        "yellow_at": clock.yellow_at(rules.calendar, rules.thresholds),
        "red_at": clock.red_at(rules.calendar, rules.thresholds),
        "due_at": clock.due_at(rules.calendar),
        "overdue_minutes": _overdue_minutes(clock),
    }


def _overdue_minutes(clock: StepClock) -> float | None:
    """A stopped clock's time past its total (0 when on time), in the limit's own kind; None while open."""
    if clock.stopped_at is None:
        return None
    return max(0.0, clock.consumed_minutes - clock.total_minutes)


def _store(row: m.CaseStepClock, clock: StepClock, rules: Rules, outcome: Any = _KEEP) -> None:
    for column, value in clock_columns(clock, rules).items():
        setattr(row, column, value)
    if outcome is not _KEEP:
        row.outcome = outcome


def _open_clocks(s: Session, case_id: int) -> list[m.CaseStepClock]:
    return list(s.scalars(select(m.CaseStepClock).where(m.CaseStepClock.case_id == case_id, m.CaseStepClock.open)))


def _latest_clock(s: Session, case_id: int, step: str) -> m.CaseStepClock | None:
    return s.scalars(
        select(m.CaseStepClock)
        .where(m.CaseStepClock.case_id == case_id, m.CaseStepClock.step == step)
        .order_by(m.CaseStepClock.round.desc())
        .limit(1)
    ).first()


# --- audit, change log, notify ----------------------------------------------------------------


def _event_data(t: Transition, p: ActionParams, case: m.Case) -> dict[str, Any] | None:
    data = {
        Action.FILE: lambda: {"condition_code": case.condition_code, "urgency": case.urgency},
        Action.RECLASSIFY: lambda: {"category_code": case.category_code, "condition_code": case.condition_code,
                                    "urgency": case.urgency},
        Action.DISPATCH: lambda: {"department_id": case.department_id},
        Action.REQUEST_EXTENSION: lambda: {"extension": p.extension},
        Action.CLOSE: lambda: {"close_type": case.close_type},
    }.get(t.action)
    result = data() if data else {}
    if p.reason:
        result["reason"] = p.reason
    return result or None


def _audit(s: Session, case: m.Case, t: Transition, actor: Actor, at: datetime, note: str,
           p: ActionParams | None, key: str | None, data: dict[str, Any] | None,
           stopped_late: bool | None = None) -> None:
    s.add(m.CaseEvent(
        case_id=case.id, at=at, action=t.action.value,
        from_state=t.from_state.value if t.from_state else None, to_state=t.to_state.value,
        version=case.version, operator_id=actor.operator_id, operator_name=actor.name, role=actor.role.value,
        seat=actor.seat, note=note, data=data, idempotency_key=key, staff_id=actor.staff_id,
        stopped_late=stopped_late,
    ))
    log_change(s, "case", str(case.id), t.action.value, street_code=case.street_code, operator=actor.name, at=at)


def log_change(s: Session, entity: str, entity_id: str, op: str, *, street_code: str | None = None,
               operator: str | None = None, at: datetime | None = None) -> int:
    """Append to the change log and, on PostgreSQL, NOTIFY in the same transaction.

    The payload carries ids and the revision, never the row (8,000-byte limit).
    """
    insert_row = insert(m.ChangeLog).values(at=at or _now(), entity=entity, entity_id=entity_id, op=op,
                                            street_code=street_code, operator_name=operator)
    if s.get_bind().dialect.name != "postgresql":
        return s.execute(insert_row.returning(m.ChangeLog.rev)).scalar_one()
    # the row and its NOTIFY in one statement: one round trip for every change a seat makes
    row = insert_row.returning(m.ChangeLog.rev).cte("logged")
    payload = func.json_build_object("rev", row.c.rev, "entity", entity, "id", entity_id, "op", op)
    notify = select(row.c.rev, func.pg_notify(NOTIFY_CHANNEL, cast(payload, Text)))
    return s.execute(notify).scalar_one()


# --- lookups ---------------------------------------------------------------------------------


def _grid_at(s: Session, lon: float, lat: float, at: datetime) -> Optional[m.UnitGrid]:
    """The unit grid valid at `at` that contains the point (bbox prefilter in SQL)."""
    import shapely

    day = at.astimezone(_SHANGHAI).date()
    candidates = s.scalars(
        select(m.UnitGrid).where(
            m.UnitGrid.min_lon <= lon, m.UnitGrid.max_lon >= lon,
            m.UnitGrid.min_lat <= lat, m.UnitGrid.max_lat >= lat,
            m.UnitGrid.valid_on(day),
        ).order_by(m.UnitGrid.code)
    ).all()
    point = shapely.Point(lon, lat)
    for grid in candidates:
        if grid.geometry.covers(point):
            return grid
    return None


DEFAULT_SEGMENT_SNAP_M = 50.0  # rules key `road_segment_snap_m` overrides it


def segment_snap_m(rules: Rules) -> float:
    """How far from a road a case still belongs to its segment (rules key `road_segment_snap_m`)."""
    return float(rules.settings.get("road_segment_snap_m", DEFAULT_SEGMENT_SNAP_M))


def segment_window(lon: float, lat: float, limit_m: float) -> tuple[float, float, float, float]:
    """The lon/lat box (min_lon, min_lat, max_lon, max_lat) around a point that holds every segment within limit_m."""
    from console.domain.spatial import metres_per_degree

    per_lon, per_lat = metres_per_degree(lat)
    dlon, dlat = limit_m / per_lon, limit_m / per_lat
    return lon - dlon, lat - dlat, lon + dlon, lat + dlat


def nearest_of(lon: float, lat: float, candidates: Iterable[tuple[int, Any]], limit_m: float) -> int | None:
    """Of (segment id, lon/lat line) candidates in id order, the nearest within limit_m (ties: lowest id)."""
    import shapely

    from console.domain.spatial import metres_per_degree

    per_lon, per_lat = metres_per_degree(lat)
    best: tuple[float, int] | None = None
    for seg_id, line in candidates:  # distances in metres on a local plane: segments are short
        local = shapely.transform(line, lambda xy: (xy - (lon, lat)) * (per_lon, per_lat))
        distance = shapely.Point(0, 0).distance(local)
        if distance <= limit_m and (best is None or distance < best[0]):
            best = (distance, seg_id)
    return best[1] if best else None


def nearest_segment(s: Session, lon: float, lat: float, rules: Rules) -> int | None:
    """The road segment nearest the point within the rules' distance (bbox prefilter in SQL), or None."""
    import shapely

    limit = segment_snap_m(rules)
    x0, y0, x1, y1 = segment_window(lon, lat, limit)
    seg = m.RoadSegment
    rows = s.execute(select(seg.id, seg.geom_wkb).where(
        seg.min_lon <= x1, seg.max_lon >= x0, seg.min_lat <= y1, seg.max_lat >= y0,
    ).order_by(seg.id)).all()
    return nearest_of(lon, lat, ((seg_id, shapely.from_wkb(wkb)) for seg_id, wkb in rows), limit)


def _active_version_id(s: Session) -> int:
    version = s.scalar(select(m.CatalogueVersion.id).where(m.CatalogueVersion.active).order_by(m.CatalogueVersion.id.desc()))
    if version is None:
        raise CommandError("没有启用的类别目录 (no active catalogue version)")
    return version


def _category(s: Session, code: str) -> m.Category:
    category = s.scalars(
        select(m.Category).where(m.Category.version_id == _active_version_id(s), m.Category.code == code)
    ).first()
    if category is None:
        raise CommandError(f"类别 {code} 不在启用的目录中 (unknown category)")
    return category


def _condition(s: Session, code: str | None) -> m.FilingCondition:
    condition = s.scalars(
        select(m.FilingCondition).where(
            m.FilingCondition.version_id == _active_version_id(s), m.FilingCondition.code == code
        )
    ).first()
    if condition is None:
        raise CommandError(f"立案条件 {code} 不存在 (unknown filing condition)")
    return condition


def _action_label(action: str) -> str:
    from console.domain.workflow import ACTION_LABELS

    try:
        return ACTION_LABELS[Action(action)]
    except (KeyError, ValueError):
        return action


"""The case state machine (案卷流程): states, roles, actions and their clock effects.

`docs/workflow.md` is the specification; this module is its executable form. The
data layer asks `plan()` before every case command: it returns the `Transition`
(next state, pending request, clock operations, overlay / rework flags) or raises
`WorkflowError` naming state, action and role. The data layer adds what this pure
table cannot know: jurisdiction (a street seat may only 催办 in its street), the
department binding of a department account, the case version, and whether a 督办
record is open before `reply_supervise`.

Step names are plain strings matching ``console.domain.clocks.Step``:
``intake verify file dispatch dispose check close`` (+ ``supervise_reply`` for the
督办 reply clock of the overlay).

Actions (from workflow.md; "pending" is the one approval request a case may carry)::

  from                   action               roles                    to            clocks
  ---------------------  -------------------  -----------------------  ------------  ------------------------------------
  (new case)             report               inspector, intake        reported      start intake
  (new case)             report_self_handled  inspector                reported*     start intake        (*self_handled)
  reported               forward              intake                   to_file       stop intake, start file
  reported               send_verify          intake                   verifying     stop intake, start verify
  verifying              verify_true          inspector, intake        to_file       stop verify, start file
  verifying              verify_false         inspector, intake        cancelled     stop verify
  reported               refuse               intake                   cancelled     stop intake
  reported (self_hand.)  approve_self_handled intake                   closed        stop intake         (close type 自处理)
  to_file                file                 shift_lead               to_dispatch   stop file, start dispatch
  to_file                refuse_filing        shift_lead               cancelled     stop file
  to_dispatch            dispatch             dispatcher               disposing     stop dispatch, start dispose
  disposing              request_return       department               disposing     -                   pending=return
  disposing  [return]    approve_return       dispatcher               to_dispatch   stop_returned dispose, start dispatch
  disposing  [return]    reject_return        dispatcher               disposing     -
  disposing              request_extension    department               disposing     -                   pending=extension
  disposing  [extension] approve_extension    dispatcher, leader (#)   disposing     extend dispose
  disposing  [extension] reject_extension     dispatcher, leader       disposing     -
  disposing              request_hold         department               disposing     -                   pending=hold
  disposing  [hold]      approve_hold         dispatcher, leader       hung          pause dispose
  disposing  [hold]      reject_hold (+)      dispatcher, leader       disposing     -
  hung                   resume               dispatcher, leader       disposing     resume dispose
  disposing, to_dispatch request_cancel       dispatcher               same          -                   pending=cancel
  dispos., to_disp. [cancel] approve_cancel   shift_lead               cancelled     stop_all
  dispos., to_disp. [cancel] reject_cancel    shift_lead               same          -
  hung                   cancel_hung          shift_lead               cancelled     stop_all            (reason)
  to_file, to_dispatch   reclassify           shift_lead               same          -    (category, condition, reason)
  disposing              feedback             department               to_check      stop dispose, start check
  to_check               check_pass           inspector, intake        to_close      stop check, start close
  to_check               check_fail           inspector, intake        disposing     stop check, reopen dispose (rework)
  to_close               close                shift_lead               closed        stop close
  any open state         urge                 intake, shift_lead,      same          - (overlay record)
                                              dispatcher, leader,
                                              street_seat
  any open state         supervise            leader, street_seat      same          start supervise_reply (overlay)
  any open state         reply_supervise      department               same          stop supervise_reply (overlay)
  any open state         reply_urge           department               same          - (answers the oldest 催办)

  (#) past the city's cap on extensions per case (data, default 2) only a leader
      approves another; the data layer counts them.
  reclassify: before dispatch the shift lead corrects category and filing condition
      (in 待立案 too, where 立案 could not change the category); the new condition's
      处置 limit applies from the next dispatch on.
  cancel_hung: a hung (挂账) case that will never be resumed is cancelled by the
      shift lead, with a reason.
  Every action in ``REASON_ACTIONS`` (催办, 督办, 回退, 作废, 不予立案 ...) needs a
  non-empty reason; the data layer refuses it without one.

  (+) reject_hold is not in workflow.md's table; without it a hold request could
      never be declined, so it is added with the approvers of approve_hold.

Open states: every state but ``closed`` and ``cancelled``. ``admin`` performs no
case action. A self-handled report may also be forwarded, sent to verify or refused
like any report; only ``approve_self_handled`` needs the flag.

While a request is pending (at most one at a time):

  * the matching approve_* / reject_* is allowed and clears it;
  * the overlays (urge, supervise, reply_supervise) are allowed and keep it;
  * ``feedback`` is allowed while an *extension* is pending and withdraws it (the
    department finished in time after all); it is refused while a return, hold or
    cancel is pending;
  * every other action is refused, including a second request_* and ``dispatch``
    while a cancel is pending;
  * an approve_* / reject_* without its matching request is refused.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from console.domain.vocabulary import QT_TRANSLATE_NOOP

__all__ = [
    "State", "Role", "Action", "Pending", "CloseType",
    "STATE_LABELS", "ROLE_LABELS", "ACTION_LABELS", "PENDING_LABELS", "CLOSE_TYPE_LABELS",
    "STEPS", "OPEN_STATES", "TERMINAL_STATES", "STEP_OF_STATE", "HALL_ROLES",
    "ClockOp", "Transition", "WorkflowError", "plan", "allowed_actions", "can",
    "open_step", "REASON_ACTIONS",
]


# --------------------------------------------------------------------------- enums


class State(StrEnum):
    REPORTED = "reported"        # 待受理
    VERIFYING = "verifying"      # 待核实
    TO_FILE = "to_file"          # 待立案
    TO_DISPATCH = "to_dispatch"  # 待派遣
    DISPOSING = "disposing"      # 处置中
    HUNG = "hung"                # 挂账
    TO_CHECK = "to_check"        # 待核查
    TO_CLOSE = "to_close"        # 待结案
    CLOSED = "closed"            # 已结案
    CANCELLED = "cancelled"      # 已作废

    @property
    def label(self) -> str:
        return STATE_LABELS[self]

    @property
    def is_open(self) -> bool:
        return self not in TERMINAL_STATES


class Role(StrEnum):
    INSPECTOR = "inspector"      # 监督员 / 网格员
    INTAKE = "intake"            # 受理员
    SHIFT_LEAD = "shift_lead"    # 值班长
    DISPATCHER = "dispatcher"    # 派遣员
    DEPARTMENT = "department"    # 专业部门 / 处置单位
    STREET_SEAT = "street_seat"  # 街道指挥席
    LEADER = "leader"            # 指挥长 / 领导
    ADMIN = "admin"              # 管理员
    WALL = "wall"                # 大屏 (read-only: no action has it in its roles)

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


class Action(StrEnum):
    REPORT = "report"
    REPORT_SELF_HANDLED = "report_self_handled"
    FORWARD = "forward"
    SEND_VERIFY = "send_verify"
    VERIFY_TRUE = "verify_true"
    VERIFY_FALSE = "verify_false"
    REFUSE = "refuse"
    APPROVE_SELF_HANDLED = "approve_self_handled"
    FILE = "file"
    REFUSE_FILING = "refuse_filing"
    DISPATCH = "dispatch"
    REQUEST_RETURN = "request_return"
    APPROVE_RETURN = "approve_return"
    REJECT_RETURN = "reject_return"
    REQUEST_EXTENSION = "request_extension"
    APPROVE_EXTENSION = "approve_extension"
    REJECT_EXTENSION = "reject_extension"
    REQUEST_HOLD = "request_hold"
    APPROVE_HOLD = "approve_hold"
    REJECT_HOLD = "reject_hold"
    RESUME = "resume"
    REQUEST_CANCEL = "request_cancel"
    APPROVE_CANCEL = "approve_cancel"
    REJECT_CANCEL = "reject_cancel"
    FEEDBACK = "feedback"
    CHECK_PASS = "check_pass"
    CHECK_FAIL = "check_fail"
    CLOSE = "close"
    URGE = "urge"
    SUPERVISE = "supervise"
    REPLY_SUPERVISE = "reply_supervise"
    REPLY_URGE = "reply_urge"
    RECLASSIFY = "reclassify"
    CANCEL_HUNG = "cancel_hung"

    @property
    def label(self) -> str:
        return ACTION_LABELS[self]


class Pending(StrEnum):
    RETURN = "return"        # 回退申请
    EXTENSION = "extension"  # 延期申请
    HOLD = "hold"            # 挂账申请
    CANCEL = "cancel"        # 作废申请

    @property
    def label(self) -> str:
        return PENDING_LABELS[self]


class CloseType(StrEnum):
    NORMAL = "normal"              # 正常
    OVERDUE = "overdue"            # 超时
    ERROR = "error"                # 差错
    SPECIAL = "special"            # 特殊
    SELF_HANDLED = "self_handled"  # 自处理

    @property
    def label(self) -> str:
        return CLOSE_TYPE_LABELS[self]


STATE_LABELS: dict[State, str] = {
    State.REPORTED: QT_TRANSLATE_NOOP("State", "待受理"),
    State.VERIFYING: QT_TRANSLATE_NOOP("State", "待核实"),
    State.TO_FILE: QT_TRANSLATE_NOOP("State", "待立案"),
    State.TO_DISPATCH: QT_TRANSLATE_NOOP("State", "待派遣"),
    State.DISPOSING: QT_TRANSLATE_NOOP("State", "处置中"),
    State.HUNG: QT_TRANSLATE_NOOP("State", "挂账"),
    State.TO_CHECK: QT_TRANSLATE_NOOP("State", "待核查"),
    State.TO_CLOSE: QT_TRANSLATE_NOOP("State", "待结案"),
    State.CLOSED: QT_TRANSLATE_NOOP("State", "已结案"),
    State.CANCELLED: QT_TRANSLATE_NOOP("State", "已作废"),
}
ROLE_LABELS: dict[Role, str] = {
    Role.INSPECTOR: QT_TRANSLATE_NOOP("Role", "监督员"),
    Role.INTAKE: QT_TRANSLATE_NOOP("Role", "受理员"),
    Role.SHIFT_LEAD: QT_TRANSLATE_NOOP("Role", "值班长"),
    Role.DISPATCHER: QT_TRANSLATE_NOOP("Role", "派遣员"),
    Role.DEPARTMENT: QT_TRANSLATE_NOOP("Role", "专业部门"),
    Role.STREET_SEAT: QT_TRANSLATE_NOOP("Role", "街道指挥席"),
    Role.LEADER: QT_TRANSLATE_NOOP("Role", "指挥长"),
    Role.ADMIN: QT_TRANSLATE_NOOP("Role", "管理员"),
    Role.WALL: QT_TRANSLATE_NOOP("Role", "大屏"),
}
ACTION_LABELS: dict[Action, str] = {
    Action.REPORT: QT_TRANSLATE_NOOP("Action", "上报"),
    Action.REPORT_SELF_HANDLED: QT_TRANSLATE_NOOP("Action", "自处理上报"),
    Action.FORWARD: QT_TRANSLATE_NOOP("Action", "受理批转"),
    Action.SEND_VERIFY: QT_TRANSLATE_NOOP("Action", "发核实"),
    Action.VERIFY_TRUE: QT_TRANSLATE_NOOP("Action", "核实属实"),
    Action.VERIFY_FALSE: QT_TRANSLATE_NOOP("Action", "核实不属实"),
    Action.REFUSE: QT_TRANSLATE_NOOP("Action", "不予受理"),
    Action.APPROVE_SELF_HANDLED: QT_TRANSLATE_NOOP("Action", "自处理审核通过"),
    Action.FILE: QT_TRANSLATE_NOOP("Action", "立案"),
    Action.REFUSE_FILING: QT_TRANSLATE_NOOP("Action", "不予立案"),
    Action.DISPATCH: QT_TRANSLATE_NOOP("Action", "派遣"),
    Action.REQUEST_RETURN: QT_TRANSLATE_NOOP("Action", "申请回退"),
    Action.APPROVE_RETURN: QT_TRANSLATE_NOOP("Action", "同意回退"),
    Action.REJECT_RETURN: QT_TRANSLATE_NOOP("Action", "驳回回退"),
    Action.REQUEST_EXTENSION: QT_TRANSLATE_NOOP("Action", "申请延期"),
    Action.APPROVE_EXTENSION: QT_TRANSLATE_NOOP("Action", "同意延期"),
    Action.REJECT_EXTENSION: QT_TRANSLATE_NOOP("Action", "驳回延期"),
    Action.REQUEST_HOLD: QT_TRANSLATE_NOOP("Action", "申请挂账"),
    Action.APPROVE_HOLD: QT_TRANSLATE_NOOP("Action", "同意挂账"),
    Action.REJECT_HOLD: QT_TRANSLATE_NOOP("Action", "驳回挂账"),
    Action.RESUME: QT_TRANSLATE_NOOP("Action", "挂账恢复"),
    Action.REQUEST_CANCEL: QT_TRANSLATE_NOOP("Action", "申请作废"),
    Action.APPROVE_CANCEL: QT_TRANSLATE_NOOP("Action", "同意作废"),
    Action.REJECT_CANCEL: QT_TRANSLATE_NOOP("Action", "驳回作废"),
    Action.FEEDBACK: QT_TRANSLATE_NOOP("Action", "处置反馈"),
    Action.CHECK_PASS: QT_TRANSLATE_NOOP("Action", "核查通过"),
    Action.CHECK_FAIL: QT_TRANSLATE_NOOP("Action", "核查不通过"),
    Action.CLOSE: QT_TRANSLATE_NOOP("Action", "结案"),
    Action.URGE: QT_TRANSLATE_NOOP("Action", "催办"),
    Action.SUPERVISE: QT_TRANSLATE_NOOP("Action", "督办"),
    Action.REPLY_SUPERVISE: QT_TRANSLATE_NOOP("Action", "督办回复"),
    Action.REPLY_URGE: QT_TRANSLATE_NOOP("Action", "催办回复"),
    Action.RECLASSIFY: QT_TRANSLATE_NOOP("Action", "重新分类"),
    Action.CANCEL_HUNG: QT_TRANSLATE_NOOP("Action", "挂账作废"),
}
PENDING_LABELS: dict[Pending, str] = {
    Pending.RETURN: QT_TRANSLATE_NOOP("Pending", "回退"),
    Pending.EXTENSION: QT_TRANSLATE_NOOP("Pending", "延期"),
    Pending.HOLD: QT_TRANSLATE_NOOP("Pending", "挂账"),
    Pending.CANCEL: QT_TRANSLATE_NOOP("Pending", "作废"),
}
CLOSE_TYPE_LABELS: dict[CloseType, str] = {
    CloseType.NORMAL: QT_TRANSLATE_NOOP("CloseType", "正常"),
    CloseType.OVERDUE: QT_TRANSLATE_NOOP("CloseType", "超时"),
    CloseType.ERROR: QT_TRANSLATE_NOOP("CloseType", "差错"),
    CloseType.SPECIAL: QT_TRANSLATE_NOOP("CloseType", "特殊"),
    CloseType.SELF_HANDLED: QT_TRANSLATE_NOOP("CloseType", "自处理"),
}

STEPS = ("intake", "verify", "file", "dispatch", "dispose", "check", "close")
SUPERVISE_REPLY = "supervise_reply"
TERMINAL_STATES = frozenset({State.CLOSED, State.CANCELLED})
OPEN_STATES = frozenset(s for s in State if s not in TERMINAL_STATES)
# the step clock that runs in each open state (hung: dispose, paused)
STEP_OF_STATE: dict[State, str] = {
    State.REPORTED: "intake", State.VERIFYING: "verify", State.TO_FILE: "file",
    State.TO_DISPATCH: "dispatch", State.DISPOSING: "dispose", State.HUNG: "dispose",
    State.TO_CHECK: "check", State.TO_CLOSE: "close",
}
HALL_ROLES = frozenset({Role.INTAKE, Role.SHIFT_LEAD, Role.DISPATCHER, Role.LEADER, Role.STREET_SEAT})


def open_step(state: State | str) -> str | None:
    """The step whose clock belongs to ``state`` (None for closed / cancelled)."""
    return STEP_OF_STATE.get(State(state))


# --------------------------------------------------------------------------- transitions

ClockKind = Literal["start", "stop", "pause", "resume", "reopen", "stop_returned", "extend", "stop_all"]
CLOCK_KINDS = ("start", "stop", "pause", "resume", "reopen", "stop_returned", "extend", "stop_all")


@dataclass(frozen=True)
class ClockOp:
    """One operation on a step clock; ``step`` is '' for stop_all."""

    kind: ClockKind
    step: str = ""

    def __post_init__(self) -> None:
        if self.kind not in CLOCK_KINDS:
            raise ValueError(f"unknown clock operation {self.kind!r}")
        if self.kind == "stop_all":
            if self.step:
                raise ValueError("stop_all takes no step")
        elif self.step not in STEPS and self.step != SUPERVISE_REPLY:
            raise ValueError(f"clock operation {self.kind!r}: unknown step {self.step!r}")


@dataclass(frozen=True)
class Transition:
    """What one permitted action does to a case."""

    action: Action
    role: Role
    from_state: State | None       # None: the action creates the case
    to_state: State
    pending_after: Pending | None  # the case's pending request after the action
    clock_ops: tuple[ClockOp, ...]
    overlay: bool = False          # urge / supervise / reply_supervise: a record, no state change
    rework: bool = False           # 返工: rework count +1, same department
    self_handled: bool = False     # the case carries the 自处理 flag after the action
    close_type: CloseType | None = None  # set for approve_self_handled, and close when given

    @property
    def state_changes(self) -> bool:
        return self.from_state != self.to_state


class WorkflowError(Exception):
    """An action not permitted for this state, role or pending request."""

    def __init__(self, state: State | None, action: Action | str, role: Role | str,
                 reason: str, *, kind: str = "state", pending: Pending | None = None) -> None:
        self.state = state
        self.action = action
        self.role = role
        self.pending = pending
        self.reason = reason
        self.kind = kind  # 'state' | 'role' | 'pending' | 'flag' | 'argument'
        super().__init__(self._message())

    def _message(self) -> str:
        def name(value: object, labels: dict) -> str:
            if value is None:
                return "新案卷(none)"
            label = labels.get(value, "?")
            return f"{label}({value})"

        msg = (f"动作 {name(self.action, ACTION_LABELS)} 不允许: 状态 {name(self.state, STATE_LABELS)}, "
               f"角色 {name(self.role, ROLE_LABELS)}")
        if self.pending is not None:
            msg += f", 待审批 {name(self.pending, PENDING_LABELS)}"
        return f"{msg} — {self.reason}"


@dataclass(frozen=True)
class _Rule:
    from_states: frozenset[State | None]
    roles: frozenset[Role]
    to_state: State | None                 # None: stays in the from state
    clock_ops: tuple[ClockOp, ...] = ()
    sets_pending: Pending | None = None
    needs_pending: Pending | None = None
    allowed_with: frozenset[Pending] = frozenset()  # pending requests that do not block it
    overlay: bool = False
    rework: bool = False
    needs_self_handled: bool = False
    marks_self_handled: bool = False
    close_type: CloseType | None = None


def _ops(*pairs: str) -> tuple[ClockOp, ...]:
    """'stop:intake', 'start:file', 'stop_all' -> ClockOps."""
    out = []
    for pair in pairs:
        kind, _, step = pair.partition(":")
        out.append(ClockOp(kind, step))  # type: ignore[arg-type]
    return tuple(out)


def _s(*states: State | None) -> frozenset[State | None]:
    return frozenset(states)


def _r(*roles: Role) -> frozenset[Role]:
    return frozenset(roles)


S, R, A, P = State, Role, Action, Pending
_OPEN: frozenset[State | None] = frozenset(OPEN_STATES)
_ALL_PENDING = frozenset(Pending)
_APPROVERS_HOLD = _r(R.DISPATCHER, R.LEADER)
_APPROVERS_EXTENSION = _r(R.DISPATCHER, R.LEADER)

RULES: dict[Action, _Rule] = {
    A.REPORT: _Rule(_s(None), _r(R.INSPECTOR, R.INTAKE), S.REPORTED, _ops("start:intake")),
    A.REPORT_SELF_HANDLED: _Rule(_s(None), _r(R.INSPECTOR), S.REPORTED, _ops("start:intake"),
                                 marks_self_handled=True),
    A.FORWARD: _Rule(_s(S.REPORTED), _r(R.INTAKE), S.TO_FILE, _ops("stop:intake", "start:file")),
    A.SEND_VERIFY: _Rule(_s(S.REPORTED), _r(R.INTAKE), S.VERIFYING, _ops("stop:intake", "start:verify")),
    A.VERIFY_TRUE: _Rule(_s(S.VERIFYING), _r(R.INSPECTOR, R.INTAKE), S.TO_FILE,
                         _ops("stop:verify", "start:file")),
    A.VERIFY_FALSE: _Rule(_s(S.VERIFYING), _r(R.INSPECTOR, R.INTAKE), S.CANCELLED, _ops("stop:verify")),
    A.REFUSE: _Rule(_s(S.REPORTED), _r(R.INTAKE), S.CANCELLED, _ops("stop:intake")),
    A.APPROVE_SELF_HANDLED: _Rule(_s(S.REPORTED), _r(R.INTAKE), S.CLOSED, _ops("stop:intake"),
                                  needs_self_handled=True, close_type=CloseType.SELF_HANDLED),
    A.FILE: _Rule(_s(S.TO_FILE), _r(R.SHIFT_LEAD), S.TO_DISPATCH, _ops("stop:file", "start:dispatch")),
    A.REFUSE_FILING: _Rule(_s(S.TO_FILE), _r(R.SHIFT_LEAD), S.CANCELLED, _ops("stop:file")),
    A.DISPATCH: _Rule(_s(S.TO_DISPATCH), _r(R.DISPATCHER), S.DISPOSING,
                      _ops("stop:dispatch", "start:dispose")),
    A.REQUEST_RETURN: _Rule(_s(S.DISPOSING), _r(R.DEPARTMENT), None, sets_pending=P.RETURN),
    A.APPROVE_RETURN: _Rule(_s(S.DISPOSING), _r(R.DISPATCHER), S.TO_DISPATCH,
                            _ops("stop_returned:dispose", "start:dispatch"), needs_pending=P.RETURN),
    A.REJECT_RETURN: _Rule(_s(S.DISPOSING), _r(R.DISPATCHER), None, needs_pending=P.RETURN),
    A.REQUEST_EXTENSION: _Rule(_s(S.DISPOSING), _r(R.DEPARTMENT), None, sets_pending=P.EXTENSION),
    A.APPROVE_EXTENSION: _Rule(_s(S.DISPOSING), _APPROVERS_EXTENSION, None, _ops("extend:dispose"),
                               needs_pending=P.EXTENSION),
    A.REJECT_EXTENSION: _Rule(_s(S.DISPOSING), _APPROVERS_EXTENSION, None, needs_pending=P.EXTENSION),
    A.REQUEST_HOLD: _Rule(_s(S.DISPOSING), _r(R.DEPARTMENT), None, sets_pending=P.HOLD),
    A.APPROVE_HOLD: _Rule(_s(S.DISPOSING), _APPROVERS_HOLD, S.HUNG, _ops("pause:dispose"),
                          needs_pending=P.HOLD),
    A.REJECT_HOLD: _Rule(_s(S.DISPOSING), _APPROVERS_HOLD, None, needs_pending=P.HOLD),
    A.RESUME: _Rule(_s(S.HUNG), _APPROVERS_HOLD, S.DISPOSING, _ops("resume:dispose")),
    A.REQUEST_CANCEL: _Rule(_s(S.DISPOSING, S.TO_DISPATCH), _r(R.DISPATCHER), None,
                            sets_pending=P.CANCEL),
    A.APPROVE_CANCEL: _Rule(_s(S.DISPOSING, S.TO_DISPATCH), _r(R.SHIFT_LEAD), S.CANCELLED,
                            _ops("stop_all"), needs_pending=P.CANCEL),
    A.REJECT_CANCEL: _Rule(_s(S.DISPOSING, S.TO_DISPATCH), _r(R.SHIFT_LEAD), None,
                           needs_pending=P.CANCEL),
    A.CANCEL_HUNG: _Rule(_s(S.HUNG), _r(R.SHIFT_LEAD), S.CANCELLED, _ops("stop_all")),
    A.RECLASSIFY: _Rule(_s(S.TO_FILE, S.TO_DISPATCH), _r(R.SHIFT_LEAD), None),
    A.FEEDBACK: _Rule(_s(S.DISPOSING), _r(R.DEPARTMENT), S.TO_CHECK, _ops("stop:dispose", "start:check"),
                      allowed_with=frozenset({P.EXTENSION})),
    A.CHECK_PASS: _Rule(_s(S.TO_CHECK), _r(R.INSPECTOR, R.INTAKE), S.TO_CLOSE,
                        _ops("stop:check", "start:close")),
    A.CHECK_FAIL: _Rule(_s(S.TO_CHECK), _r(R.INSPECTOR, R.INTAKE), S.DISPOSING,
                        _ops("stop:check", "reopen:dispose"), rework=True),
    A.CLOSE: _Rule(_s(S.TO_CLOSE), _r(R.SHIFT_LEAD), S.CLOSED, _ops("stop:close")),
    A.URGE: _Rule(_OPEN, HALL_ROLES, None, overlay=True, allowed_with=_ALL_PENDING),
    # 督办: leaders on any case; a street's 指挥席 on its own street's (seed 004, issue 10)
    A.SUPERVISE: _Rule(_OPEN, _r(R.LEADER, R.STREET_SEAT), None, _ops(f"start:{SUPERVISE_REPLY}"), overlay=True,
                       allowed_with=_ALL_PENDING),
    A.REPLY_SUPERVISE: _Rule(_OPEN, _r(R.DEPARTMENT), None, _ops(f"stop:{SUPERVISE_REPLY}"),
                             overlay=True, allowed_with=_ALL_PENDING),
    # 催办回复: the handling department answers the oldest unanswered 催办 (no clock: 催办 has none)
    A.REPLY_URGE: _Rule(_OPEN, _r(R.DEPARTMENT), None, overlay=True, allowed_with=_ALL_PENDING),
}

# actions whose reason (理由 / 意见) is part of the record: refused without one
REASON_ACTIONS: frozenset[Action] = frozenset({
    A.REFUSE, A.VERIFY_FALSE, A.REFUSE_FILING, A.REQUEST_RETURN, A.REJECT_RETURN,
    A.REQUEST_EXTENSION, A.REJECT_EXTENSION, A.REQUEST_HOLD, A.REJECT_HOLD, A.REQUEST_CANCEL,
    A.REJECT_CANCEL, A.CANCEL_HUNG, A.CHECK_FAIL, A.URGE, A.SUPERVISE, A.REPLY_SUPERVISE, A.REPLY_URGE,
    A.RECLASSIFY,
})

_FROM_NAMES = {None: "新案卷"}


def _describe_states(states: frozenset[State | None]) -> str:
    if states == _OPEN:
        return "任一未结状态 (any open state)"
    names = [_FROM_NAMES[s] if s is None else f"{s.label}({s.value})" for s in
             sorted(states, key=lambda s: -1 if s is None else list(State).index(s))]
    return "、".join(names)


def _coerce(state: State | str | None, action: Action | str, role: Role | str,
            pending: Pending | str | None) -> tuple[State | None, Action, Role, Pending | None]:
    try:
        st = None if state is None else State(state)
        ac = Action(action)
        ro = Role(role)
        pe = None if pending is None else Pending(pending)
    except ValueError as exc:
        raise WorkflowError(state, action, role, f"未知的编码 (unknown id): {exc}",  # type: ignore[arg-type]
                            kind="argument") from None
    return st, ac, ro, pe


def _check(state: State | None, action: Action, role: Role, pending: Pending | None,
           self_handled: bool) -> _Rule:
    rule = RULES[action]
    if state not in rule.from_states:
        raise WorkflowError(state, action, role,
                            f"只能在 {_describe_states(rule.from_states)} 时执行 (wrong state)",
                            kind="state", pending=pending)
    if role not in rule.roles:
        who = "、".join(f"{r.label}({r.value})" for r in Role if r in rule.roles)
        raise WorkflowError(state, action, role, f"只能由 {who} 执行 (wrong role)",
                            kind="role", pending=pending)
    if rule.needs_pending is not None and pending != rule.needs_pending:
        what = "没有" if pending is None else f"待审批的是 {pending.label}({pending.value}), 不是"
        raise WorkflowError(state, action, role,
                            f"{what} {rule.needs_pending.label}({rule.needs_pending.value}) 申请 "
                            "(no matching request pending)", kind="pending", pending=pending)
    if pending is not None and rule.needs_pending is None and pending not in rule.allowed_with:
        raise WorkflowError(state, action, role,
                            f"已有待审批的 {pending.label}({pending.value}) 申请, 须先审批 "
                            "(a request is pending)", kind="pending", pending=pending)
    if rule.needs_self_handled and not self_handled:
        raise WorkflowError(state, action, role, "该案卷不是自处理上报 (case is not self-handled)",
                            kind="flag", pending=pending)
    return rule


def plan(state: State | str | None, action: Action | str, role: Role | str, *,
         pending: Pending | str | None = None, self_handled: bool = False,
         close_type: CloseType | str | None = None) -> Transition:
    """The transition for ``action`` by ``role`` on a case in ``state``.

    ``state`` is None for the actions that create a case (report,
    report_self_handled). ``close_type`` may accompany ``close`` (正常/超时/差错/特殊;
    left None, the close command derives 正常 or 超时 from the 处置 clock).
    Raises `WorkflowError` naming state, action and role when not permitted.
    """
    st, ac, ro, pe = _coerce(state, action, role, pending)
    rule = _check(st, ac, ro, pe, self_handled)
    chosen = _close_type(st, ac, ro, pe, rule, close_type)
    to_state = st if rule.to_state is None else rule.to_state
    assert to_state is not None
    if rule.sets_pending is not None:
        pending_after = rule.sets_pending
    elif rule.overlay:
        pending_after = pe
    else:
        pending_after = None
    return Transition(
        action=ac, role=ro, from_state=st, to_state=to_state, pending_after=pending_after,
        clock_ops=rule.clock_ops, overlay=rule.overlay, rework=rule.rework,
        self_handled=self_handled or rule.marks_self_handled, close_type=chosen,
    )


def _close_type(state: State | None, action: Action, role: Role, pending: Pending | None,
                rule: _Rule, given: CloseType | str | None) -> CloseType | None:
    if given is None:
        return rule.close_type
    try:
        chosen = CloseType(given)
    except ValueError:
        raise WorkflowError(state, action, role, f"未知的结案类型 (unknown close type) {given!r}",
                            kind="argument", pending=pending) from None
    if action != Action.CLOSE:
        raise WorkflowError(state, action, role, "只有结案可以指定结案类型 (close type only with close)",
                            kind="argument", pending=pending)
    if chosen == CloseType.SELF_HANDLED:
        raise WorkflowError(state, action, role,
                            "自处理结案只能经自处理审核 (self_handled closing only via approve_self_handled)",
                            kind="argument", pending=pending)
    return chosen


def can(state: State | str | None, action: Action | str, role: Role | str, *,
        pending: Pending | str | None = None, self_handled: bool = False) -> bool:
    """True when `plan` would permit the action."""
    try:
        plan(state, action, role, pending=pending, self_handled=self_handled)
    except WorkflowError:
        return False
    return True


def allowed_actions(state: State | str | None, role: Role | str, *,
                    pending: Pending | str | None = None, self_handled: bool = False) -> list[Action]:
    """The actions ``role`` may take on a case in ``state`` (for the UI's buttons)."""
    return [a for a in Action
            if can(state, a, role, pending=pending, self_handled=self_handled)]


def parse_reply_within(text: str) -> str:
    """督办's reply deadline typed as "<n>wh" / "<n>wd" (work time), checked before it is sent."""
    value = (text or "").strip().lower()
    number, unit = value[:-2], value[-2:]
    if unit not in ("wh", "wd") or not number.isdigit() or int(number) <= 0:
        raise ValueError(f"回复时限 {text!r} 无效，请写成 4wh 或 2wd (reply deadline must be <n>wh or <n>wd, work time)")
    return f"{int(number)}{unit}"

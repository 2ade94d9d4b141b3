from __future__ import annotations

import itertools
from collections import deque
from dataclasses import dataclass, field

import pytest

from console.domain.workflow import (
    ACTION_LABELS,
    CLOSE_TYPE_LABELS,
    OPEN_STATES,
    PENDING_LABELS,
    ROLE_LABELS,
    STATE_LABELS,
    STEPS,
    Action,
    ClockOp,
    CloseType,
    Pending,
    Role,
    State,
    Transition,
    WorkflowError,
    allowed_actions,
    can,
    open_step,
    plan,
)

S, A, R, P = State, Action, Role, Pending
SAME = "same"
OPEN = tuple(s for s in State if s not in (S.CLOSED, S.CANCELLED))
HALL = (R.INTAKE, R.SHIFT_LEAD, R.DISPATCHER, R.LEADER, R.STREET_SEAT)

# The workflow.md actions table, written out independently of the module:
# action -> (from states, roles, to state | SAME, clock ops, needs pending, sets pending)
TABLE: dict[Action, tuple] = {
    A.REPORT: ((None,), (R.INSPECTOR, R.INTAKE), S.REPORTED, ["start:intake"], None, None),
    A.REPORT_SELF_HANDLED: ((None,), (R.INSPECTOR,), S.REPORTED, ["start:intake"], None, None),
    A.FORWARD: ((S.REPORTED,), (R.INTAKE,), S.TO_FILE, ["stop:intake", "start:file"], None, None),
    A.SEND_VERIFY: ((S.REPORTED,), (R.INTAKE,), S.VERIFYING, ["stop:intake", "start:verify"], None, None),
    A.VERIFY_TRUE: ((S.VERIFYING,), (R.INSPECTOR, R.INTAKE), S.TO_FILE, ["stop:verify", "start:file"], None, None),
    A.VERIFY_FALSE: ((S.VERIFYING,), (R.INSPECTOR, R.INTAKE), S.CANCELLED, ["stop:verify"], None, None),
    A.REFUSE: ((S.REPORTED,), (R.INTAKE,), S.CANCELLED, ["stop:intake"], None, None),
    A.APPROVE_SELF_HANDLED: ((S.REPORTED,), (R.INTAKE,), S.CLOSED, ["stop:intake"], None, None),
    A.FILE: ((S.TO_FILE,), (R.SHIFT_LEAD,), S.TO_DISPATCH, ["stop:file", "start:dispatch"], None, None),
    A.REFUSE_FILING: ((S.TO_FILE,), (R.SHIFT_LEAD,), S.CANCELLED, ["stop:file"], None, None),
    A.DISPATCH: ((S.TO_DISPATCH,), (R.DISPATCHER,), S.DISPOSING, ["stop:dispatch", "start:dispose"], None, None),
    A.REQUEST_RETURN: ((S.DISPOSING,), (R.DEPARTMENT,), SAME, [], None, P.RETURN),
    A.APPROVE_RETURN: ((S.DISPOSING,), (R.DISPATCHER,), S.TO_DISPATCH,
                       ["stop_returned:dispose", "start:dispatch"], P.RETURN, None),
    A.REJECT_RETURN: ((S.DISPOSING,), (R.DISPATCHER,), SAME, [], P.RETURN, None),
    A.REQUEST_EXTENSION: ((S.DISPOSING,), (R.DEPARTMENT,), SAME, [], None, P.EXTENSION),
    # issue 8: a leader may approve past the per-case cap (counted by the data layer)
    A.APPROVE_EXTENSION: ((S.DISPOSING,), (R.DISPATCHER, R.LEADER), SAME, ["extend:dispose"], P.EXTENSION, None),
    A.REJECT_EXTENSION: ((S.DISPOSING,), (R.DISPATCHER, R.LEADER), SAME, [], P.EXTENSION, None),
    A.REQUEST_HOLD: ((S.DISPOSING,), (R.DEPARTMENT,), SAME, [], None, P.HOLD),
    A.APPROVE_HOLD: ((S.DISPOSING,), (R.DISPATCHER, R.LEADER), S.HUNG, ["pause:dispose"], P.HOLD, None),
    A.REJECT_HOLD: ((S.DISPOSING,), (R.DISPATCHER, R.LEADER), SAME, [], P.HOLD, None),
    A.RESUME: ((S.HUNG,), (R.DISPATCHER, R.LEADER), S.DISPOSING, ["resume:dispose"], None, None),
    A.REQUEST_CANCEL: ((S.DISPOSING, S.TO_DISPATCH), (R.DISPATCHER,), SAME, [], None, P.CANCEL),
    A.APPROVE_CANCEL: ((S.DISPOSING, S.TO_DISPATCH), (R.SHIFT_LEAD,), S.CANCELLED, ["stop_all:"], P.CANCEL, None),
    A.REJECT_CANCEL: ((S.DISPOSING, S.TO_DISPATCH), (R.SHIFT_LEAD,), SAME, [], P.CANCEL, None),
    A.FEEDBACK: ((S.DISPOSING,), (R.DEPARTMENT,), S.TO_CHECK, ["stop:dispose", "start:check"], None, None),
    A.CHECK_PASS: ((S.TO_CHECK,), (R.INSPECTOR, R.INTAKE), S.TO_CLOSE, ["stop:check", "start:close"], None, None),
    A.CHECK_FAIL: ((S.TO_CHECK,), (R.INSPECTOR, R.INTAKE), S.DISPOSING, ["stop:check", "reopen:dispose"], None, None),
    A.CLOSE: ((S.TO_CLOSE,), (R.SHIFT_LEAD,), S.CLOSED, ["stop:close"], None, None),
    A.URGE: (OPEN, HALL, SAME, [], None, None),
    A.SUPERVISE: (OPEN, (R.LEADER, R.STREET_SEAT), SAME, ["start:supervise_reply"], None, None),
    A.REPLY_SUPERVISE: (OPEN, (R.DEPARTMENT,), SAME, ["stop:supervise_reply"], None, None),
    A.REPLY_URGE: (OPEN, (R.DEPARTMENT,), SAME, [], None, None),
    # issue 8: 挂账作废 and 重新分类 (before dispatch)
    A.CANCEL_HUNG: ((S.HUNG,), (R.SHIFT_LEAD,), S.CANCELLED, ["stop_all:"], None, None),
    A.RECLASSIFY: ((S.TO_FILE, S.TO_DISPATCH), (R.SHIFT_LEAD,), SAME, [], None, None),
}
OVERLAYS = {A.URGE, A.SUPERVISE, A.REPLY_SUPERVISE, A.REPLY_URGE}


def ops(*pairs: str) -> tuple[ClockOp, ...]:
    return tuple(ClockOp(*p.split(":")) if not p.startswith("stop_all") else ClockOp("stop_all") for p in pairs)


def expected_allowed(state, action, role, pending, self_handled) -> bool:
    """The oracle: workflow.md's table plus the documented pending rules."""
    froms, roles, _to, _ops, needs, _sets = TABLE[action]
    if state not in froms or role not in roles:
        return False
    if action == A.APPROVE_SELF_HANDLED and not self_handled:
        return False
    if needs is not None:
        return pending == needs
    if pending is None or action in OVERLAYS:
        return True
    return action == A.FEEDBACK and pending == P.EXTENSION


# ------------------------------------------------------------------ enums and labels


def test_enum_ids():
    assert [s.value for s in State] == ["reported", "verifying", "to_file", "to_dispatch", "disposing",
                                        "hung", "to_check", "to_close", "closed", "cancelled"]
    assert [r.value for r in Role] == ["inspector", "intake", "shift_lead", "dispatcher", "department",
                                       "street_seat", "leader", "admin", "wall"]
    assert [p.value for p in Pending] == ["return", "extension", "hold", "cancel"]
    assert [c.value for c in CloseType] == ["normal", "overdue", "error", "special", "self_handled"]
    assert set(TABLE) == set(Action)


def test_every_enum_has_a_chinese_label():
    for enum, labels in ((State, STATE_LABELS), (Role, ROLE_LABELS), (Action, ACTION_LABELS),
                         (Pending, PENDING_LABELS), (CloseType, CLOSE_TYPE_LABELS)):
        assert set(labels) == set(enum)
        for member in enum:
            assert member.label == labels[member]
            assert any("\u4e00" <= ch <= "\u9fff" for ch in member.label)
    assert S.DISPOSING.label == "处置中"
    assert A.DISPATCH.label == "派遣"
    assert R.STREET_SEAT.label == "街道指挥席"
    assert CloseType.OVERDUE.label == "超时"


def test_open_steps():
    assert set(OPEN_STATES) == set(OPEN)
    assert S.CLOSED.is_open is False and S.HUNG.is_open is True
    assert [open_step(s) for s in OPEN] == ["intake", "verify", "file", "dispatch", "dispose",
                                            "dispose", "check", "close"]
    assert open_step("closed") is None
    assert STEPS == ("intake", "verify", "file", "dispatch", "dispose", "check", "close")


def test_clock_op_validation():
    with pytest.raises(ValueError, match="unknown step 'lunch'"):
        ClockOp("start", "lunch")
    with pytest.raises(ValueError, match="unknown clock operation"):
        ClockOp("rewind", "dispose")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="stop_all takes no step"):
        ClockOp("stop_all", "dispose")


# ------------------------------------------------------------------ every row of the table


ROW_CASES = [
    (action, state, role)
    for action, (froms, roles, *_rest) in TABLE.items()
    for state in froms
    for role in roles
]


@pytest.mark.parametrize("action, state, role", ROW_CASES,
                         ids=[f"{a}-{s}-{r}" for a, s, r in ROW_CASES])
def test_table_row(action, state, role):
    _froms, _roles, to, clock, needs, sets = TABLE[action]
    t = plan(state, action, role, pending=needs, self_handled=(action == A.APPROVE_SELF_HANDLED))
    assert isinstance(t, Transition)
    assert (t.action, t.role, t.from_state) == (action, role, state)
    assert t.to_state == (state if to == SAME else to)
    assert t.clock_ops == ops(*clock)
    assert t.pending_after == sets
    assert t.overlay == (action in OVERLAYS)
    assert t.rework == (action == A.CHECK_FAIL)
    assert action in allowed_actions(state, role, pending=needs,
                                     self_handled=(action == A.APPROVE_SELF_HANDLED))


# ------------------------------------------------------------------ all combinations


ALL_COMBOS = list(itertools.product([None, *State], Action, Role, [None, *Pending], [False, True]))


def test_every_combination_agrees_with_the_table_and_allowed_actions():
    allowed_cache: dict = {}
    checked = 0
    for state, action, role, pending, self_handled in ALL_COMBOS:
        key = (state, role, pending, self_handled)
        if key not in allowed_cache:
            allowed_cache[key] = allowed_actions(state, role, pending=pending, self_handled=self_handled)
        expect = expected_allowed(state, action, role, pending, self_handled)
        try:
            t = plan(state, action, role, pending=pending, self_handled=self_handled)
        except WorkflowError as err:
            assert not expect, (state, action, role, pending, self_handled, str(err))
            assert action not in allowed_cache[key]
            assert (err.state, err.action, err.role) == (state, action, role)
            msg = str(err)
            assert f"{action.label}({action.value})" in msg
            assert f"{role.label}({role.value})" in msg
            assert (f"{state.label}({state.value})" if state else "(none)") in msg
            assert err.kind in {"state", "role", "pending", "flag"}
        else:
            assert expect, (state, action, role, pending, self_handled)
            assert action in allowed_cache[key]
            assert t.from_state == state and t.action == action and t.role == role
            assert can(state, action, role, pending=pending, self_handled=self_handled)
        checked += 1
    assert checked == 11 * 34 * 9 * 5 * 2  # 31 actions of workflow.md + reclassify, cancel_hung, reply_urge; 9 roles (wall)


def test_admin_has_no_case_actions():
    for state, pending in itertools.product([None, *State], [None, *Pending]):
        assert allowed_actions(state, R.ADMIN, pending=pending) == []


def test_terminal_states_allow_nothing():
    for state, role in itertools.product((S.CLOSED, S.CANCELLED), Role):
        assert allowed_actions(state, role) == []


def test_error_message_format():
    with pytest.raises(WorkflowError) as err:
        plan(S.TO_FILE, A.DISPATCH, R.INTAKE)
    assert str(err.value).startswith("动作 派遣(dispatch) 不允许: 状态 待立案(to_file), 角色 受理员(intake)")
    assert err.value.kind == "state"
    with pytest.raises(WorkflowError) as err:
        plan(S.TO_FILE, A.FILE, R.INTAKE)
    assert err.value.kind == "role"
    assert "值班长(shift_lead)" in str(err.value)


def test_strings_are_accepted_and_unknown_ids_rejected():
    t = plan("to_dispatch", "dispatch", "dispatcher")
    assert t.to_state is S.DISPOSING
    with pytest.raises(WorkflowError, match="unknown id") as err:
        plan("to_dispatch", "teleport", "dispatcher")
    assert err.value.kind == "argument"
    assert allowed_actions("disposing", "department") == [
        A.REQUEST_RETURN, A.REQUEST_EXTENSION, A.REQUEST_HOLD, A.FEEDBACK, A.REPLY_SUPERVISE, A.REPLY_URGE]


# ------------------------------------------------------------------ pending requests


def test_approve_without_request_is_refused():
    for action in (A.APPROVE_RETURN, A.REJECT_RETURN, A.APPROVE_EXTENSION, A.REJECT_EXTENSION):
        with pytest.raises(WorkflowError, match="no matching request pending") as err:
            plan(S.DISPOSING, action, R.DISPATCHER)
        assert err.value.kind == "pending"
    with pytest.raises(WorkflowError, match="没有 作废"):
        plan(S.TO_DISPATCH, A.APPROVE_CANCEL, R.SHIFT_LEAD)


def test_approve_the_wrong_request_is_refused():
    with pytest.raises(WorkflowError, match=r"待审批的是 延期\(extension\), 不是 回退\(return\)"):
        plan(S.DISPOSING, A.APPROVE_RETURN, R.DISPATCHER, pending=P.EXTENSION)


@pytest.mark.parametrize("first", list(Pending))
def test_second_request_while_pending_is_refused(first):
    for action, role in ((A.REQUEST_RETURN, R.DEPARTMENT), (A.REQUEST_EXTENSION, R.DEPARTMENT),
                         (A.REQUEST_HOLD, R.DEPARTMENT), (A.REQUEST_CANCEL, R.DISPATCHER)):
        with pytest.raises(WorkflowError, match="a request is pending") as err:
            plan(S.DISPOSING, action, role, pending=first)
        assert err.value.pending == first
        assert f"待审批 {first.label}({first.value})" in str(err.value)


@pytest.mark.parametrize("pending", [P.RETURN, P.HOLD, P.CANCEL])
def test_feedback_blocked_while_return_hold_cancel_pending(pending):
    with pytest.raises(WorkflowError, match="a request is pending"):
        plan(S.DISPOSING, A.FEEDBACK, R.DEPARTMENT, pending=pending)


def test_feedback_withdraws_a_pending_extension():
    t = plan(S.DISPOSING, A.FEEDBACK, R.DEPARTMENT, pending=P.EXTENSION)
    assert t.to_state is S.TO_CHECK and t.pending_after is None


def test_dispatch_blocked_while_cancel_pending():
    with pytest.raises(WorkflowError, match="a request is pending"):
        plan(S.TO_DISPATCH, A.DISPATCH, R.DISPATCHER, pending=P.CANCEL)


@pytest.mark.parametrize("pending", list(Pending))
def test_overlays_keep_the_pending_request(pending):
    assert plan(S.DISPOSING, A.URGE, R.STREET_SEAT, pending=pending).pending_after == pending
    assert plan(S.DISPOSING, A.SUPERVISE, R.LEADER, pending=pending).pending_after == pending
    assert plan(S.DISPOSING, A.REPLY_SUPERVISE, R.DEPARTMENT, pending=pending).pending_after == pending


def test_overlays_on_every_open_state():
    for state in OPEN:
        for role in HALL:
            t = plan(state, A.URGE, role)
            assert t.overlay and t.to_state == state and t.clock_ops == ()
        t = plan(state, A.SUPERVISE, R.LEADER)
        assert t.clock_ops == (ClockOp("start", "supervise_reply"),)
        t = plan(state, A.REPLY_SUPERVISE, R.DEPARTMENT)
        assert t.clock_ops == (ClockOp("stop", "supervise_reply"),)
    for role in (R.INSPECTOR, R.DEPARTMENT, R.ADMIN):
        with pytest.raises(WorkflowError, match="wrong role"):
            plan(S.DISPOSING, A.URGE, role)
    with pytest.raises(WorkflowError, match="wrong state"):
        plan(S.CLOSED, A.URGE, R.LEADER)


# ------------------------------------------------------------------ close types and flags


def test_close_types():
    assert plan(S.TO_CLOSE, A.CLOSE, R.SHIFT_LEAD).close_type is None
    for ct in (CloseType.NORMAL, CloseType.OVERDUE, CloseType.ERROR, CloseType.SPECIAL):
        assert plan(S.TO_CLOSE, A.CLOSE, R.SHIFT_LEAD, close_type=ct).close_type is ct
    assert plan(S.TO_CLOSE, A.CLOSE, R.SHIFT_LEAD, close_type="overdue").close_type is CloseType.OVERDUE
    with pytest.raises(WorkflowError, match="self_handled closing only via approve_self_handled"):
        plan(S.TO_CLOSE, A.CLOSE, R.SHIFT_LEAD, close_type=CloseType.SELF_HANDLED)
    with pytest.raises(WorkflowError, match="close type only with close"):
        plan(S.TO_FILE, A.FILE, R.SHIFT_LEAD, close_type=CloseType.NORMAL)
    with pytest.raises(WorkflowError, match="unknown close type"):
        plan(S.TO_CLOSE, A.CLOSE, R.SHIFT_LEAD, close_type="happy")


def test_self_handled_flag():
    t = plan(None, A.REPORT_SELF_HANDLED, R.INSPECTOR)
    assert t.self_handled and t.to_state is S.REPORTED
    assert not plan(None, A.REPORT, R.INSPECTOR).self_handled
    with pytest.raises(WorkflowError, match="not self-handled") as err:
        plan(S.REPORTED, A.APPROVE_SELF_HANDLED, R.INTAKE)
    assert err.value.kind == "flag"
    t = plan(S.REPORTED, A.APPROVE_SELF_HANDLED, R.INTAKE, self_handled=True)
    assert t.to_state is S.CLOSED and t.close_type is CloseType.SELF_HANDLED
    assert A.APPROVE_SELF_HANDLED in allowed_actions(S.REPORTED, R.INTAKE, self_handled=True)
    assert A.APPROVE_SELF_HANDLED not in allowed_actions(S.REPORTED, R.INTAKE)
    # a self-handled report can still be refused or forwarded like any report
    assert plan(S.REPORTED, A.REFUSE, R.INTAKE, self_handled=True).to_state is S.CANCELLED


def test_report_only_creates():
    with pytest.raises(WorkflowError, match="新案卷"):
        plan(S.REPORTED, A.REPORT, R.INSPECTOR)
    with pytest.raises(WorkflowError, match=r"状态 新案卷\(none\)"):
        plan(None, A.FORWARD, R.INTAKE)


# ------------------------------------------------------------------ paths through a case


@dataclass
class Case:
    """A tiny case ledger: state, pending request, flags and step clocks."""

    state: State | None = None
    pending: Pending | None = None
    self_handled: bool = False
    running: set[str] = field(default_factory=set)
    paused: set[str] = field(default_factory=set)
    stopped: set[str] = field(default_factory=set)
    rework: int = 0
    returned: int = 0
    extended: int = 0
    overlays: list[Action] = field(default_factory=list)
    close_type: CloseType | None = None
    history: list[State] = field(default_factory=list)

    def do(self, action: Action, role: Role, **kw) -> Transition:
        t = plan(self.state, action, role, pending=self.pending, self_handled=self.self_handled, **kw)
        for op in t.clock_ops:
            apply_clock(self, op)
        self.state, self.pending, self.self_handled = t.to_state, t.pending_after, t.self_handled
        self.rework += t.rework
        self.close_type = t.close_type or self.close_type
        if t.overlay:
            self.overlays.append(action)
        self.history.append(t.to_state)
        check_clock_invariant(self)
        return t


def apply_clock(case: Case, op: ClockOp) -> None:
    if op.step == "supervise_reply":
        return
    if op.kind == "start":
        assert op.step not in case.running | case.paused, op
        case.running.add(op.step)
    elif op.kind == "stop":
        case.running.remove(op.step)
        case.stopped.add(op.step)
    elif op.kind == "stop_returned":
        case.running.remove(op.step)
        case.returned += 1
    elif op.kind == "pause":
        case.running.remove(op.step)
        case.paused.add(op.step)
    elif op.kind == "resume":
        case.paused.remove(op.step)
        case.running.add(op.step)
    elif op.kind == "reopen":
        case.stopped.remove(op.step)
        case.running.add(op.step)
    elif op.kind == "extend":
        assert op.step in case.running
        case.extended += 1
    elif op.kind == "stop_all":
        case.running.clear()
        case.paused.clear()
    else:  # pragma: no cover
        raise AssertionError(op)


def check_clock_invariant(case: Case) -> None:
    """Exactly the state's step clock runs (hung: dispose paused); none after the end."""
    if case.state is S.HUNG:
        assert case.running == set() and case.paused == {"dispose"}
    elif case.state in OPEN:
        assert case.running == {open_step(case.state)} and case.paused == set()
    else:
        assert case.running == set() and case.paused == set()


def test_happy_path():
    c = Case()
    c.do(A.REPORT, R.INSPECTOR)
    c.do(A.FORWARD, R.INTAKE)
    c.do(A.FILE, R.SHIFT_LEAD)
    c.do(A.DISPATCH, R.DISPATCHER)
    c.do(A.URGE, R.STREET_SEAT)
    c.do(A.FEEDBACK, R.DEPARTMENT)
    c.do(A.CHECK_PASS, R.INSPECTOR)
    c.do(A.CLOSE, R.SHIFT_LEAD, close_type=CloseType.NORMAL)
    assert c.history == [S.REPORTED, S.TO_FILE, S.TO_DISPATCH, S.DISPOSING, S.DISPOSING,
                         S.TO_CHECK, S.TO_CLOSE, S.CLOSED]
    assert c.stopped == {"intake", "file", "dispatch", "dispose", "check", "close"}
    assert c.close_type is CloseType.NORMAL and c.overlays == [A.URGE]


def test_verify_paths():
    c = Case()
    c.do(A.REPORT, R.INTAKE)
    c.do(A.SEND_VERIFY, R.INTAKE)
    c.do(A.VERIFY_TRUE, R.INSPECTOR)
    assert c.state is S.TO_FILE and c.stopped == {"intake", "verify"}
    c = Case()
    c.do(A.REPORT, R.INTAKE)
    c.do(A.SEND_VERIFY, R.INTAKE)
    c.do(A.VERIFY_FALSE, R.INTAKE)
    assert c.state is S.CANCELLED


def test_refuse_and_refuse_filing():
    c = Case()
    c.do(A.REPORT, R.INSPECTOR)
    c.do(A.REFUSE, R.INTAKE)
    assert c.state is S.CANCELLED and c.stopped == {"intake"}
    c = Case()
    c.do(A.REPORT, R.INSPECTOR)
    c.do(A.FORWARD, R.INTAKE)
    c.do(A.REFUSE_FILING, R.SHIFT_LEAD)
    assert c.state is S.CANCELLED and c.stopped == {"intake", "file"}


def test_self_handled_path():
    c = Case()
    c.do(A.REPORT_SELF_HANDLED, R.INSPECTOR)
    c.do(A.APPROVE_SELF_HANDLED, R.INTAKE)
    assert c.state is S.CLOSED and c.close_type is CloseType.SELF_HANDLED


def dispatched() -> Case:
    c = Case()
    for action, role in ((A.REPORT, R.INSPECTOR), (A.FORWARD, R.INTAKE), (A.FILE, R.SHIFT_LEAD),
                         (A.DISPATCH, R.DISPATCHER)):
        c.do(action, role)
    return c


def test_return_path():
    c = dispatched()
    c.do(A.REQUEST_RETURN, R.DEPARTMENT)
    assert c.pending is P.RETURN and c.state is S.DISPOSING
    assert allowed_actions(c.state, R.DEPARTMENT, pending=c.pending) == [A.REPLY_SUPERVISE, A.REPLY_URGE]
    c.do(A.APPROVE_RETURN, R.DISPATCHER)
    assert c.state is S.TO_DISPATCH and c.pending is None and c.returned == 1
    c.do(A.DISPATCH, R.DISPATCHER)
    c.do(A.REQUEST_RETURN, R.DEPARTMENT)
    c.do(A.REJECT_RETURN, R.DISPATCHER)
    assert c.state is S.DISPOSING and c.pending is None and c.returned == 1


def test_extension_path():
    c = dispatched()
    c.do(A.REQUEST_EXTENSION, R.DEPARTMENT)
    c.do(A.APPROVE_EXTENSION, R.DISPATCHER)
    assert c.extended == 1 and c.pending is None
    c.do(A.REQUEST_EXTENSION, R.DEPARTMENT)
    c.do(A.REJECT_EXTENSION, R.DISPATCHER)
    assert c.extended == 1 and c.state is S.DISPOSING


def test_hold_and_resume_path():
    c = dispatched()
    c.do(A.REQUEST_HOLD, R.DEPARTMENT)
    c.do(A.APPROVE_HOLD, R.LEADER)
    assert c.state is S.HUNG and c.paused == {"dispose"}
    assert allowed_actions(S.HUNG, R.DEPARTMENT) == [A.REPLY_SUPERVISE, A.REPLY_URGE]
    c.do(A.SUPERVISE, R.LEADER)
    c.do(A.RESUME, R.DISPATCHER)
    assert c.state is S.DISPOSING and c.running == {"dispose"}
    c.do(A.REQUEST_HOLD, R.DEPARTMENT)
    c.do(A.REJECT_HOLD, R.DISPATCHER)
    assert c.state is S.DISPOSING and c.pending is None


def test_cancel_paths():
    c = dispatched()
    c.do(A.REQUEST_CANCEL, R.DISPATCHER)
    c.do(A.REJECT_CANCEL, R.SHIFT_LEAD)
    assert c.state is S.DISPOSING and c.pending is None
    c.do(A.REQUEST_CANCEL, R.DISPATCHER)
    c.do(A.APPROVE_CANCEL, R.SHIFT_LEAD)
    assert c.state is S.CANCELLED and c.running == set()
    c = Case()
    for action, role in ((A.REPORT, R.INSPECTOR), (A.FORWARD, R.INTAKE), (A.FILE, R.SHIFT_LEAD),
                         (A.REQUEST_CANCEL, R.DISPATCHER)):
        c.do(action, role)
    assert c.state is S.TO_DISPATCH and c.pending is P.CANCEL
    c.do(A.APPROVE_CANCEL, R.SHIFT_LEAD)
    assert c.state is S.CANCELLED


def test_rework_path():
    c = dispatched()
    c.do(A.FEEDBACK, R.DEPARTMENT)
    t = c.do(A.CHECK_FAIL, R.INTAKE)
    assert t.rework and c.rework == 1 and c.state is S.DISPOSING
    assert ClockOp("reopen", "dispose") in t.clock_ops
    c.do(A.FEEDBACK, R.DEPARTMENT)
    c.do(A.CHECK_FAIL, R.INSPECTOR)
    c.do(A.FEEDBACK, R.DEPARTMENT)
    c.do(A.CHECK_PASS, R.INSPECTOR)
    c.do(A.CLOSE, R.SHIFT_LEAD)
    assert c.rework == 2 and c.state is S.CLOSED


def test_every_reachable_state_keeps_the_clock_invariant():
    """Breadth-first over every allowed action of every role from a new case."""
    start = Case()
    seen: set = set()
    queue = deque([start])
    reached: set[State] = set()
    while queue:
        case = queue.popleft()
        key = (case.state, case.pending, case.self_handled, frozenset(case.stopped), min(case.rework, 1))
        if key in seen:
            continue
        seen.add(key)
        for role in Role:
            for action in allowed_actions(case.state, role, pending=case.pending,
                                          self_handled=case.self_handled):
                nxt = Case(case.state, case.pending, case.self_handled, set(case.running),
                           set(case.paused), set(case.stopped), case.rework)
                nxt.do(action, role)  # asserts the clock invariant
                reached.add(nxt.state)
                queue.append(nxt)
    assert reached == set(State)

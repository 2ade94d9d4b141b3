"""One keyboard shortcut per workflow action (the 案件 menu's QActions and the buttons' tooltips).

Letters follow the action where they can (L 立案, D 派遣, J 结案 ...); the request /
approve / reject triples of one pending kind share a letter: Ctrl+Shift asks,
Ctrl+Alt approves, Ctrl+Alt+Shift rejects.  The window's own shortcuts are listed
too, so a test can prove no two collide.
"""
from __future__ import annotations

from console.domain.workflow import Action

ACTION_SHORTCUTS: dict[Action, str] = {
    Action.FORWARD: "Ctrl+Shift+P",            # 受理批转
    Action.SEND_VERIFY: "Ctrl+Shift+H",        # 发核实
    Action.VERIFY_TRUE: "Ctrl+Shift+T",        # 核实属实
    Action.VERIFY_FALSE: "Ctrl+Shift+F",       # 核实不属实
    Action.REFUSE: "Ctrl+Shift+B",             # 不予受理
    Action.APPROVE_SELF_HANDLED: "Ctrl+Shift+W",  # 自处理审核通过 (Ctrl+Shift+Z is a line edit's redo)
    Action.FILE: "Ctrl+Shift+L",               # 立案
    Action.RECLASSIFY: "Ctrl+Shift+M",         # 重新分类 (modify the category before dispatch)
    Action.REFUSE_FILING: "Ctrl+Shift+N",      # 不予立案
    Action.DISPATCH: "Ctrl+Shift+D",           # 派遣
    Action.REQUEST_RETURN: "Ctrl+Shift+R",     # 申请回退
    Action.APPROVE_RETURN: "Ctrl+Alt+R",
    Action.REJECT_RETURN: "Ctrl+Alt+Shift+R",
    Action.REQUEST_EXTENSION: "Ctrl+Shift+E",  # 申请延期
    Action.APPROVE_EXTENSION: "Ctrl+Alt+E",
    Action.REJECT_EXTENSION: "Ctrl+Alt+Shift+E",
    Action.REQUEST_HOLD: "Ctrl+Shift+G",       # 申请挂账
    Action.APPROVE_HOLD: "Ctrl+Alt+G",
    Action.REJECT_HOLD: "Ctrl+Alt+Shift+G",
    Action.RESUME: "Ctrl+Shift+Y",             # 挂账恢复
    Action.CANCEL_HUNG: "Ctrl+Shift+V",        # 挂账作废 (void a hung case)
    Action.REQUEST_CANCEL: "Ctrl+Shift+C",     # 申请作废
    Action.APPROVE_CANCEL: "Ctrl+Alt+C",
    Action.REJECT_CANCEL: "Ctrl+Alt+Shift+C",
    Action.FEEDBACK: "Ctrl+Shift+K",           # 处置反馈
    Action.CHECK_PASS: "Ctrl+Shift+O",         # 核查通过
    Action.CHECK_FAIL: "Ctrl+Shift+X",         # 核查不通过
    Action.CLOSE: "Ctrl+Shift+J",              # 结案
    Action.URGE: "Ctrl+Shift+U",               # 催办
    Action.SUPERVISE: "Ctrl+Shift+S",          # 督办
    Action.REPLY_SUPERVISE: "Ctrl+Alt+S",      # 督办回复
    Action.REPLY_URGE: "Ctrl+Alt+U",           # 催办回复
}
# Actions no hall seat takes from a case on screen (reports come from the field or 新建案件).
NOT_ON_A_CASE = (Action.REPORT, Action.REPORT_SELF_HANDLED)


def workflow_actions() -> list[Action]:
    """Every action a case's detail panel can offer, in workflow order."""
    return [a for a in Action if a not in NOT_ON_A_CASE]

# The window's standing stock of red cases (Ctrl+Shift+R is 申请回退 above).
RED_STOCK_SHORTCUT = "Ctrl+Shift+A"

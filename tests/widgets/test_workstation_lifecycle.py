"""Issue 3 acceptance: one case through its whole life by clicking the workstation UI.

report -> file -> dispatch -> return -> re-dispatch -> extend -> check fails ->
rework -> check passes -> close, each step by the seat whose role it is, with
the database, the queue counts and the map's JS state (read back through the
bridge) asserted after each step.  A separate observer seat with the map sees
every change through the live change feed, as in the hall.
"""
from __future__ import annotations

import pytest
import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox
from sqlalchemy import select

from console.data import models as m
from console.services.feed import ChangeFeed
from console.services.session import Seat, Session
from console.widgets.dialogs import ActionDialog, NewCaseDialog
from console.widgets.workstation import Workstation

LON, LAT = 117.605, 26.265  # grid 350402001001001 of the tiny city
TIMEOUT = 15000


def session(db, name: str, role: str, seat: str, department_id: int | None = None) -> Session:
    return Session(db=db, username=name, display_name=name, role=role, seat_name=seat, seat=Seat("operator"),
                   department_id=department_id)


@pytest.fixture
def hall(db, qtbot):
    """Seats of every role (no map) plus an observer seat with map and live feed."""
    seats = {
        "intake": session(db, "张受理", "intake", "受理席1"),
        "shift_lead": session(db, "李值班", "shift_lead", "值班长席"),
        "dispatcher": session(db, "赵派遣", "dispatcher", "派遣席1"),
        "department": session(db, "环卫处", "department", "环卫处", department_id=2),
        "inspector": session(db, "王监督", "inspector", "城管通"),
    }
    windows = {}
    for role, sess in seats.items():
        w = Workstation(sess, feed=None, with_map=False, alert_interval_ms=3_600_000)
        qtbot.addWidget(w)
        windows[role] = w
    feed = ChangeFeed.for_database(db)
    observer = Workstation(session(db, "陈指挥", "leader", "指挥长席"), feed=feed, alert_interval_ms=3_600_000)
    qtbot.addWidget(observer)
    observer.resize(1600, 900)
    observer.show()
    with qtbot.waitSignal(observer.map.sig_ready, timeout=30000):
        pass
    observer.start()
    yield windows, observer
    for w in [*windows.values(), observer]:
        w.stop()
        w.close()
    view = observer.map
    observer.deleteLater()  # the map page, then its profile (tech-notes §9)
    qtbot.waitUntil(lambda: not shiboken6.isValid(view), timeout=10000)


def map_state(qtbot, observer, case_id: int) -> dict:
    with qtbot.waitCallback(timeout=TIMEOUT) as cb:
        observer.map.js_state(cb, ids=True, case=case_id)
    return cb.args[0]


def case_row(db, number: str) -> m.Case:
    with db.read() as s:
        return s.scalars(select(m.Case).where(m.Case.number == number)).one()


def settle(qtbot, window: Workstation) -> None:
    """The seat's worker has answered every request (reads and commands run off the UI thread)."""
    qtbot.waitUntil(lambda: window.controller.idle, timeout=TIMEOUT)


def show(qtbot, window: Workstation, case_id: int) -> None:
    """This seat's own view of the case (its feed is off in this test), selected and its detail shown."""
    window.apply_case_ids([case_id])
    settle(qtbot, window)
    assert window.queue.select_case(case_id)
    settle(qtbot, window)


def open_dialog(qtbot, window: Workstation, name: str):
    qtbot.waitUntil(lambda: window.findChild(QDialog, name) is not None, timeout=TIMEOUT)
    return window.findChild(QDialog, name)


def confirm(qtbot, window: Workstation, dialog) -> None:
    """Click OK; the dialog closes once the worker's answer is a success."""
    qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton)
    settle(qtbot, window)
    assert not shiboken6.isValid(dialog) or not dialog.isVisible(), dialog.error.text()


def click_action(qtbot, window: Workstation, case_id: int, action: str, fill=None) -> None:
    """Select the case in this seat's queue, click the action button, fill and confirm the dialog."""
    show(qtbot, window, case_id)
    button = window.detail.action_button(action)
    assert button is not None and button.isEnabled(), f"{action} not offered to {window.session.role}"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    dialog = open_dialog(qtbot, window, f"dialog_{action}")
    assert isinstance(dialog, ActionDialog) and dialog.isVisible()
    if fill:
        fill(dialog)
    confirm(qtbot, window, dialog)


def wait_observer(qtbot, observer, case_id: int, state: str | None) -> None:
    """The observer seat's queue shows the case in `state` (None: gone) via the feed."""
    def shows():
        row = observer.queue.model.case(case_id)
        assert (row.state if row else None) == state
    qtbot.waitUntil(shows, timeout=TIMEOUT)


def check_step(qtbot, db, observer, number: str, case_id: int, state: str, tab: str | None, *, on_map: bool = True):
    case = case_row(db, number)
    assert case.state == state
    wait_observer(qtbot, observer, case_id, state if on_map else None)
    counts = observer.queue.model.tab_counts()
    if tab:
        assert counts[tab] == 1, counts
    js = map_state(qtbot, observer, case_id)
    assert (case_id in js["ids"]) == on_map
    if on_map:
        assert js["case"]["fillColor"] in ("#2E9D57", "#F2B705", "#D64541")
    return case


def test_case_lifecycle_by_clicking(hall, qtbot, db):
    windows, observer = hall
    before = map_state(qtbot, observer, -1)["cases"]

    # 上报: the intake seat registers a hotline report on the new-case form
    intake = windows["intake"]
    intake.new_case_action.trigger()
    form = open_dialog(qtbot, intake, "dialog_new_case")
    assert isinstance(form, NewCaseDialog)
    form.search.setText("暴露垃圾")  # QTest types ASCII only
    form.lon.setValue(LON)
    form.lat.setValue(LAT)
    form.address.setText("列东街 12 号")
    form.caller_name.setText("刘先生")
    qtbot.keyClicks(form.caller_phone, "13900001234")
    confirm(qtbot, intake, form)
    with db.read() as s:
        case = s.scalars(select(m.Case).order_by(m.Case.id.desc())).first()
    number, case_id = case.number, case.id
    assert case.category_code == "06010" and case.grid_code == "350402001001001" and case.source == "hotline"
    check_step(qtbot, db, observer, number, case_id, "reported", "reported")
    assert map_state(qtbot, observer, case_id)["cases"] == before + 1

    # 受理批转 -> 立案 (filing condition + urgency) -> 派遣 (routing suggests 环卫处)
    click_action(qtbot, intake, case_id, "forward")
    check_step(qtbot, db, observer, number, case_id, "to_file", "to_file")
    click_action(qtbot, windows["shift_lead"], case_id, "file",
                 lambda d: d.urgency.setCurrentIndex(d.urgency.findData("normal")))
    case = check_step(qtbot, db, observer, number, case_id, "to_dispatch", "to_dispatch")
    assert case.condition_code and case.urgency == "normal"

    def dispatch_suggested(d):
        assert d.department.currentData() == 2 and "建议" in d.department.currentText()

    click_action(qtbot, windows["dispatcher"], case_id, "dispatch", dispatch_suggested)
    assert check_step(qtbot, db, observer, number, case_id, "disposing", "disposing").department_id == 2

    # 回退: the department asks, the dispatcher approves, then re-dispatches
    click_action(qtbot, windows["department"], case_id, "request_return", lambda d: d.note.setPlainText("非本部门职责"))
    assert case_row(db, number).pending == "return"
    click_action(qtbot, windows["dispatcher"], case_id, "approve_return")
    assert check_step(qtbot, db, observer, number, case_id, "to_dispatch", "to_dispatch").return_count == 1
    click_action(qtbot, windows["dispatcher"], case_id, "dispatch")
    check_step(qtbot, db, observer, number, case_id, "disposing", "disposing")

    # 延期 2 工作时
    def two_hours(d):
        d.extension_value.setValue(2)
        d.extension_unit.setCurrentIndex(d.extension_unit.findData("wh"))
        d.note.setPlainText("需调车")  # a request_extension takes a reason (issue 8)

    click_action(qtbot, windows["department"], case_id, "request_extension", two_hours)
    click_action(qtbot, windows["dispatcher"], case_id, "approve_extension")
    assert check_step(qtbot, db, observer, number, case_id, "disposing", "disposing").extension_count == 1

    # 处置反馈 -> 核查不通过 (返工, same department) -> 反馈 -> 核查通过
    click_action(qtbot, windows["department"], case_id, "feedback")
    check_step(qtbot, db, observer, number, case_id, "to_check", "to_check")
    click_action(qtbot, windows["inspector"], case_id, "check_fail", lambda d: d.note.setPlainText("仍有垃圾"))
    case = check_step(qtbot, db, observer, number, case_id, "disposing", "disposing")
    assert case.rework_count == 1 and case.department_id == 2
    click_action(qtbot, windows["department"], case_id, "feedback")
    click_action(qtbot, windows["inspector"], case_id, "check_pass")
    check_step(qtbot, db, observer, number, case_id, "to_close", "to_close")

    # 结案: the case leaves every open queue and the map
    click_action(qtbot, windows["shift_lead"], case_id, "close")
    case = check_step(qtbot, db, observer, number, case_id, "closed", None, on_map=False)
    assert case.close_type == "normal" and not case.is_open
    with db.read() as s:
        actions = list(s.scalars(select(m.CaseEvent.action).where(m.CaseEvent.case_id == case_id).order_by(m.CaseEvent.id)))
    assert actions == ["report", "forward", "file", "dispatch", "request_return", "approve_return", "dispatch",
                       "request_extension", "approve_extension", "feedback", "check_fail", "feedback",
                       "check_pass", "close"]
    assert map_state(qtbot, observer, case_id)["cases"] == before


def test_stale_version_shows_who_acted_and_refreshes(hall, qtbot, db):
    windows, observer = hall
    from console.data.commands import Actor, report_case

    ref = report_case(db, Actor("王监督", "inspector", seat="城管通"), source="inspector", lon=LON, lat=LAT,
                      category_code="06010")
    mine, other = windows["intake"], Workstation(session(db, "周受理", "intake", "受理席2"), with_map=False)
    qtbot.addWidget(other)
    for w in (mine, other):
        show(qtbot, w, ref.id)
    click_action(qtbot, other, ref.id, "forward")
    # my seat still shows the old version: my click is refused, naming the other seat
    qtbot.mouseClick(mine.detail.action_button("refuse"), Qt.MouseButton.LeftButton)
    dialog = open_dialog(qtbot, mine, "dialog_refuse")
    dialog.note.setPlainText("重复上报")
    qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "周受理" in dialog.error.text(), timeout=TIMEOUT)
    settle(qtbot, mine)
    assert dialog.isVisible() and "周受理" in dialog.error.text() and "受理席2" in dialog.error.text()
    assert dialog.note.toPlainText() == "重复上报"  # the input stays in the form
    assert mine.queue.model.case(ref.id).state == "to_file"  # refreshed
    assert case_row(db, ref.number).state == "to_file"
    other.stop()

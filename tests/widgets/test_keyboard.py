"""The first minute of a new user, from the keyboard: sign-in, shortcuts, dialogs, search, own queue, menus."""
from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication, QDialog, QLabel, QLineEdit, QMenu
from sqlalchemy import select

from console.app import SeatWindow, sign_in_dialog
from console.data import models as m
from console.data.accounts import add_user
from console.data.commands import act
from console.domain.workflow import ACTION_LABELS, Action
from console.services import settings
from console.services.settings import SeatSettings
from console.services.session import Seat, Session
from console.widgets.dialogs import ActionDialog, NewCaseDialog
from console.widgets.queue_model import Column
from console.widgets.shortcuts import ACTION_SHORTCUTS, workflow_actions
from console.widgets.workstation import Workstation
from tests.data.test_commands import INTAKE, T0, new_case

CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier


def seat(db, qtbot, role: str = "intake", name: str = "张受理", clock=None) -> Workstation:
    session = Session(db=db, username=name, display_name=name, role=role, seat_name="席1", seat=Seat("operator"))
    window = Workstation(session, with_map=False, alert_interval_ms=3_600_000, clock=clock or (lambda: T0),
                         threaded=False)  # the synchronous seat: answers at once
    qtbot.addWidget(window)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=5000)
    return window


def focused_in(widget) -> bool:
    return widget.window().focusWidget() is widget


def menu_named(window: Workstation, title: str) -> QMenu:
    menus = [a.menu() for a in window.menuBar().actions() if a.text() == title]
    assert len(menus) == 1, [a.text() for a in window.menuBar().actions()]
    return menus[0]


# --- sign-in -------------------------------------------------------------------------------------


def test_sign_in_from_the_keyboard_alone(db, qtbot):
    add_user(db, "intake1", "intake", password="demo1234", display_name="张受理", seat="受理席1")
    dialog = sign_in_dialog(db, Seat("operator"))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: focused_in(dialog.username), timeout=5000)
    qtbot.keyClicks(dialog.username, "intake1")
    qtbot.keyClick(dialog.username, Qt.Key.Key_Tab)
    assert focused_in(dialog.password)
    qtbot.keyClicks(dialog.password, "wrong")
    qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    assert dialog.isVisible() and dialog.session is None and "密码错误" in dialog.error.text()
    dialog.password.selectAll()
    qtbot.keyClicks(dialog.password, "demo1234")
    qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.session.username == "intake1" and dialog.session.role == "intake"


def test_a_prefilled_user_name_starts_in_the_password_and_esc_cancels(db, qtbot):
    dialog = sign_in_dialog(db, Seat("operator"), user="dispatch1")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: focused_in(dialog.password), timeout=5000)
    qtbot.keyClick(dialog.password, Qt.Key.Key_Escape)
    assert dialog.result() == QDialog.DialogCode.Rejected and dialog.session is None


# --- reason dialogs --------------------------------------------------------------------------------


class _Choice:
    def __init__(self, code, text: str, **kw) -> None:
        self.code, self.id, self.text, self.name = code, code, text, text
        self.limits = kw.get("limits", {"normal": "4wh"})


@pytest.mark.parametrize("action", workflow_actions(), ids=lambda a: a.value)
def test_every_action_dialog_starts_in_its_first_field_enter_submits_esc_cancels(qtbot, action):
    def make() -> ActionDialog:
        dialog = ActionDialog(action, case_number="350402202611230001", conditions=[_Choice("C1", "暴露垃圾")],
                              departments=[_Choice(2, "环卫处")], suggested_department=2)
        qtbot.addWidget(dialog)
        dialog.submitted = []
        dialog.submit = lambda: dialog.submitted.append(dialog.value())
        dialog.show()
        qtbot.waitUntil(lambda: dialog.focusWidget() is not None, timeout=5000)
        return dialog

    dialog = make()
    first = dialog.focusWidget()
    assert first is dialog.first_field()
    expected = {Action.FILE: dialog.condition, Action.DISPATCH: dialog.department,
                Action.REQUEST_EXTENSION: dialog.extension_value, Action.CLOSE: dialog.close_type,
                Action.RECLASSIFY: dialog.category}.get(action, dialog.note)
    assert first is expected or first.parent() is expected  # a spin box focuses its line edit
    qtbot.keyClick(first, Qt.Key.Key_Return)
    assert dialog.result() == QDialog.DialogCode.Accepted and len(dialog.submitted) == 1

    dialog = make()
    qtbot.keyClick(dialog.focusWidget(), Qt.Key.Key_Escape)
    assert dialog.result() == QDialog.DialogCode.Rejected and dialog.submitted == []


def test_a_reason_typed_then_enter_submits_it_and_shift_enter_breaks_the_line(qtbot):
    dialog = ActionDialog(Action.URGE, case_number="X1")
    qtbot.addWidget(dialog)
    dialog.submitted = []
    dialog.submit = lambda: dialog.submitted.append(dialog.value().note)
    dialog.show()
    qtbot.waitUntil(lambda: focused_in(dialog.note), timeout=5000)
    qtbot.keyClicks(dialog.note, "please hurry")
    qtbot.keyClick(dialog.note, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    qtbot.keyClicks(dialog.note, "line two")
    qtbot.keyClick(dialog.note, Qt.Key.Key_Enter, Qt.KeyboardModifier.KeypadModifier)
    assert dialog.submitted == ["please hurry\nline two"]


def test_new_case_dialog_starts_in_its_first_field(qtbot):
    dialog = NewCaseDialog([], lon=117.6, lat=26.26)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: focused_in(dialog.source), timeout=5000)
    qtbot.keyClick(dialog.source, Qt.Key.Key_Escape)
    assert dialog.result() == QDialog.DialogCode.Rejected


# --- workflow actions as QActions ----------------------------------------------------------------------


def test_shortcuts_are_unique_and_every_workflow_action_is_in_the_menu_and_its_tooltip(db, qtbot):
    new_case(db)
    window = seat(db, qtbot)
    shortcuts = [a.shortcut().toString() for a in window.findChildren(QAction) if not a.shortcut().isEmpty()]
    assert len(shortcuts) == len(set(shortcuts)), sorted(shortcuts)
    assert set(ACTION_SHORTCUTS) == set(workflow_actions())  # every action a case offers has its key
    in_menu = window.cases_menu.actions()
    for action in workflow_actions():
        item = window.workflow_actions[action]
        assert item in in_menu and item.text() == ACTION_LABELS[action]
        assert item.shortcut() == QKeySequence(ACTION_SHORTCUTS[action])

    assert window.detail.case_id == window.queue.model.all_ids()[0]  # the seat opens on its first case
    offered = window.detail.action_ids()
    assert offered == ["forward", "send_verify", "refuse", "urge"]
    for action in workflow_actions():
        item = window.workflow_actions[action]
        assert item.isEnabled() == (action.value in offered), action
        if action.value in offered:
            tooltip = window.detail.action_button(action).toolTip()
            assert ACTION_LABELS[action] in tooltip
            assert item.shortcut().toString(QKeySequence.SequenceFormat.NativeText) in tooltip


def test_a_seat_whose_queue_arrives_from_its_worker_opens_on_the_most_urgent_case(db, qtbot):
    """The real seat reads off the UI thread: its rows come after the window has its focus."""
    older, _ = new_case(db)
    new_case(db, at=T0 + timedelta(minutes=1))
    session = Session(db=db, username="张受理", display_name="张受理", role="intake", seat_name="席1",
                      seat=Seat("operator"))
    window = Workstation(session, with_map=False, alert_interval_ms=3_600_000,
                         clock=lambda: T0 + timedelta(minutes=3))  # threaded, as the hall runs it
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.queue.model.rowCount() == 2, timeout=10000)
    qtbot.waitUntil(lambda: window.detail.field_text("number") == older, timeout=10000)  # least time left
    assert window.queue.selected_case_id() == _id_of(db, older)
    window.close()


def test_a_case_forwarded_by_its_shortcut_and_enter(db, qtbot):
    number, _ = new_case(db)
    window = seat(db, qtbot, clock=lambda: T0 + timedelta(minutes=3))
    assert focused_in(window.queue.view)  # the seat opens in its queue, on the most urgent case
    assert window.detail.field_text("number") == number
    qtbot.keyClick(window.queue.view, Qt.Key.Key_P, CTRL_SHIFT)  # 受理批转
    dialog = window.findChild(ActionDialog, "dialog_forward")
    assert dialog is not None
    qtbot.waitUntil(lambda: focused_in(dialog.note), timeout=5000)
    dialog.note.insertPlainText("属实，批转立案")  # as an input method commits it
    qtbot.keyClick(dialog.note, Qt.Key.Key_Return)
    with db.read() as s:
        case = s.scalars(select(m.Case).where(m.Case.number == number)).one()
        event = s.scalars(select(m.CaseEvent).where(m.CaseEvent.case_id == case.id)
                          .order_by(m.CaseEvent.id.desc())).first()
    assert (case.state, event.action, event.note) == ("to_file", "forward", "属实，批转立案")
    assert not window.workflow_actions[Action.FORWARD].isEnabled()  # not open to an intake seat any more


def test_a_shortcut_for_an_action_not_open_does_nothing(db, qtbot):
    new_case(db)
    window = seat(db, qtbot)
    window.queue.select_case(window.queue.model.all_ids()[0])
    qtbot.keyClick(window.queue.view, Qt.Key.Key_D, CTRL_SHIFT)  # 派遣: not an intake's action
    assert window.findChild(ActionDialog) is None
    assert window.request_action(Action.DISPATCH) is None


# --- search -----------------------------------------------------------------------------------------


def test_ctrl_f_focuses_the_search_and_it_says_when_nothing_matches(db, qtbot):
    number, _ = new_case(db)
    window = seat(db, qtbot)
    qtbot.keyClick(window.queue.view, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    search = window.queue.findChild(QLineEdit, "filter_search")
    assert focused_in(search)
    assert window.queue.no_match_text() == ""
    search.insert("无此地址")  # as an input method commits it
    assert window.queue.model.rowCount() == 0
    assert window.queue.no_match_text() == "没有与“无此地址”匹配的案件"
    search.clear()
    qtbot.keyClicks(search, number[-4:])
    assert window.queue.model.rowCount() == 1 and window.queue.no_match_text() == ""


def test_a_search_that_matches_only_in_other_tabs_says_where(db, qtbot):
    number, version = new_case(db)
    act(db, INTAKE, number, "forward", expected_version=version, at=T0 + timedelta(minutes=5))
    window = seat(db, qtbot)  # an intake seat opens on 待受理; the case now waits in 待立案
    window.queue.focus_search()
    qtbot.keyClicks(window.queue.findChild(QLineEdit, "filter_search"), number)
    assert window.queue.model.rowCount() == 0
    assert window.queue.no_match_text() == f"没有与“{number}”匹配的案件（其他环节 1 件，见“全部”）"


def test_the_no_match_message_sits_in_the_empty_table_and_never_widens_the_queue(db, qtbot):
    number, version = new_case(db)
    act(db, INTAKE, number, "forward", expected_version=version, at=T0 + timedelta(minutes=5))
    window = seat(db, qtbot)
    panel = window.queue
    width_before = panel.minimumSizeHint().width()
    panel.focus_search()
    qtbot.keyClicks(panel.findChild(QLineEdit, "filter_search"), number)
    message = panel.findChild(QLabel, "no_match")
    assert panel.no_match_text() and message.isVisible()
    assert panel.minimumSizeHint().width() == width_before
    assert message.parent() is panel.view.viewport()  # in the table's empty middle, not the filter row
    assert message.geometry().right() <= panel.view.viewport().width()


# --- own queue, most urgent first, sort kept ------------------------------------------------------------


@pytest.mark.parametrize(("role", "stage"), [("intake", "reported"), ("shift_lead", "to_file"),
                                             ("dispatcher", "to_dispatch"), ("department", "disposing"),
                                             ("leader", "all")])
def test_each_role_opens_on_its_own_queue(db, qtbot, role, stage):
    window = seat(db, qtbot, role=role, name=f"{role}1")
    assert window.queue.model.stage == stage
    assert window.queue.tab_bar.tabText(window.queue.tab_bar.currentIndex()).startswith(
        {"reported": "待受理", "to_file": "待立案", "to_dispatch": "待派遣", "disposing": "处置中", "all": "全部"}[stage])


def test_the_most_urgent_case_comes_first_and_the_sort_is_kept_per_user(db, qtbot, user_settings):
    # 受理 30wmin from 08:30 on a workday; at 09:28: red, yellow, then green by remaining time
    at = {minutes: new_case(db, at=T0 + timedelta(minutes=minutes))[0] for minutes in (10, -25, 20, 0)}
    clock = lambda: T0 + timedelta(minutes=28)  # noqa: E731
    window = seat(db, qtbot, clock=clock)
    model = window.queue.model
    shown = [model.case_at(r).number for r in range(model.rowCount())]
    assert shown == [at[-25], at[0], at[10], at[20]]
    assert [str(model.light_of(model.case_at(r).id)) for r in range(4)] == ["red", "yellow", "green", "green"]

    window.queue.view.horizontalHeader().setSortIndicator(Column.NUMBER, Qt.SortOrder.AscendingOrder)
    assert (model.sort_column, model.sort_order) == (Column.NUMBER, Qt.SortOrder.AscendingOrder)
    window.close()
    assert any(Path(user_settings).rglob("*.conf"))  # written under the test's own config dir

    again = seat(db, qtbot, clock=clock)
    assert (again.queue.model.sort_column, again.queue.model.sort_order) == (Column.NUMBER, Qt.SortOrder.AscendingOrder)
    other = seat(db, qtbot, name="李受理", clock=clock)
    assert (other.queue.model.sort_column, other.queue.model.sort_order) == (Column.LIGHT, Qt.SortOrder.DescendingOrder)


def test_a_damaged_saved_sort_falls_back_to_most_urgent_first(db, qtbot):
    SeatSettings("张受理", "operator").set(settings.QUEUE_SORT, "99,7")
    window = seat(db, qtbot)
    assert (window.queue.model.sort_column, window.queue.model.sort_order) == (Column.LIGHT, Qt.SortOrder.DescendingOrder)


# --- menus ----------------------------------------------------------------------------------------------


def test_view_toggles_carry_plain_panel_names(db, qtbot):
    window = seat(db, qtbot)
    view = menu_named(window, "视图")
    names = [a.text() for a in view.actions()]
    assert names[:2] == ["案件队列", "案件详情"]
    window._update_status()  # the dock titles carry the data time; the toggles do not
    assert "数据" in window.queue_dock.windowTitle()
    assert [a.text() for a in view.actions()][:2] == ["案件队列", "案件详情"]
    queue_toggle = view.actions()[0]
    assert queue_toggle.isChecked()
    queue_toggle.trigger()
    assert window.queue_dock.isHidden() and not queue_toggle.isChecked()
    queue_toggle.trigger()
    assert not window.queue_dock.isHidden() and queue_toggle.isChecked()


def test_quit_closes_the_seat(db, qtbot):
    window = seat(db, qtbot)
    system = menu_named(window, "系统")
    quit_action = next(a for a in system.actions() if a.text() == "退出")
    assert quit_action.shortcut() == QKeySequence("Ctrl+Q")
    window.start()
    qtbot.keyClick(window.queue.view, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
    assert not window.isVisible()
    assert not window.alerts._timer.isActive() and not window._status_timer.isActive()


def test_sign_out_asks_who_signs_in_next_and_opens_their_seat(db, qtbot):
    add_user(db, "intake1", "intake", password="demo1234", display_name="张受理", seat="受理席1")
    add_user(db, "shift1", "shift_lead", password="demo1234", display_name="李值班", seat="值班长席")
    windows = []

    def make(session):
        window = Workstation(session, with_map=False, alert_interval_ms=3_600_000, clock=lambda: T0, threaded=False)
        qtbot.addWidget(window)
        window.show()
        windows.append(window)
        return window

    hall = SeatWindow(db, Seat("operator"), make_window=make)
    first = sign_in_dialog(db, Seat("operator"), user="intake1")
    first.password.setText("demo1234")
    first.submit()
    hall.open(first.session)
    system = menu_named(windows[0], "系统")
    sign_out = next(a for a in system.actions() if a.text() == "注销")
    sign_out.trigger()
    assert not windows[0].isVisible()
    dialog = hall.dialog
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.isVisible() and focused_in(dialog.username), timeout=5000)
    qtbot.keyClicks(dialog.username, "shift1")
    qtbot.keyClick(dialog.username, Qt.Key.Key_Tab)
    qtbot.keyClicks(dialog.password, "demo1234")
    qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    assert len(windows) == 2 and windows[1].isVisible()
    assert windows[1].session.username == "shift1" and windows[1].queue.model.stage == "to_file"
    assert QApplication.instance().quitOnLastWindowClosed()


def test_a_search_that_hides_the_case_shown_moves_the_detail_and_the_keys_to_what_it_found(db, qtbot):
    first, _ = new_case(db)
    second, _ = new_case(db, at=T0 + timedelta(minutes=1))
    window = seat(db, qtbot, clock=lambda: T0 + timedelta(minutes=3))
    window.queue.select_case(_id_of(db, second))
    assert window.detail.field_text("number") == second
    window.queue.focus_search()
    qtbot.keyClicks(window.queue.findChild(QLineEdit, "filter_search"), first[-4:])
    assert window.queue.model.rowCount() == 1
    assert window.detail.field_text("number") == first  # not the case the search hid
    qtbot.keyClick(window.queue.view, Qt.Key.Key_P, CTRL_SHIFT)  # 受理批转 acts on the case found
    dialog = window.findChild(ActionDialog, "dialog_forward")
    assert dialog is not None and first in dialog.windowTitle()


def _id_of(db, number: str) -> int:
    with db.read() as s:
        return s.scalars(select(m.Case.id).where(m.Case.number == number)).one()

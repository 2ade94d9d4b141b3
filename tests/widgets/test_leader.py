"""Issue 10, the leader seat (指挥长席) on both backends: tiles equal compare() and an independent count,
rankings best first with the rules' grades and the month's flags, 督办 from the seat with a chosen reply
deadline shown in the 督办 list (then the department's reply), Enter on a ranking row opens that scope's
open cases, nothing but 督办 / 催办 is reachable, the leader sees every street, and the feed's changes
refresh the board once, on the worker."""
from __future__ import annotations

import threading
from datetime import datetime, timezone

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication, QPushButton
from sqlalchemy import func, select

from console.data import models as m
from console.data.accounts import add_user
from console.data.commands import ActionParams, act
from console.data.evaluation import evaluation_rules
from console.domain.calendar import Limit
from console.domain.clocks import Light, clock_light
from console.services.figures import compare, month_flags, ranking
from console.services.session import CommandError, Seat, demo_session
from console.widgets import leader as leader_module
from console.widgets.leader import LeaderSeat, ScopeCasesDialog, SuperviseDialog, work_time_text
from console.widgets.shortcuts import ACTION_SHORTCUTS
from console.domain.workflow import Action
from tests.data import test_evaluation as month
from tests.data import test_roads as roads

SH = month.SH
NOW = datetime(2026, 11, 27, 10, 0, tzinfo=SH)  # the Friday of the hand-built week (W48)
TIMEOUT = 10000


@pytest.fixture
def seat_db(db):
    month.build_month(db)
    add_user(db, "leader1", "leader", password="Leader-pass-1", display_name="吴德福", seat="指挥长席")
    return db


@pytest.fixture
def seat(seat_db, qtbot):
    window = LeaderSeat(demo_session(seat_db, Seat("leader")), clock=lambda: NOW, threaded=False)
    qtbot.addWidget(window)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=TIMEOUT)  # Ctrl+1/2/3 reach it
    yield window
    _close(window)


def _close(window: LeaderSeat) -> None:
    for dialog in window.findChildren(ScopeCasesDialog):
        dialog.close()
    window.close()
    window.deleteLater()


def _reported(db, window) -> int:
    with db.read() as s:
        return s.scalar(select(func.count()).select_from(m.Case).where(
            m.Case.created_at >= window.start, m.Case.created_at < window.end))


def test_the_tiles_equal_compare_and_an_independent_count(seat, seat_db, qtbot):
    day = compare(seat_db, "day", NOW)
    for figure, tile in seat.tiles.items():
        assert tile.value.text() == day.current.text(figure), figure
        assert day.change_text(figure) in tile.change.text()
        assert tile.worse == day.worse(figure)
    assert int(seat.tiles["reported"].value.text()) == _reported(seat_db, day.current.window)
    with qtbot.waitSignal(seat.sig_board_shown, timeout=TIMEOUT):
        qtbot.keyClick(seat, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)  # 本周
    assert seat.kind == "week" and seat.periods.currentIndex() == 1
    week = compare(seat_db, "week", NOW)
    expected = month.independent_counts(seat_db, week.current.window, lambda c: "all")["all"]
    for figure in ("reported", "filed", "closed", "overdue_open"):
        assert int(seat.tiles[figure].value.text()) == expected.get(figure, 0), figure
    assert seat.tiles["on_time_close_rate"].value.text() == week.current.text("on_time_close_rate")
    assert seat.period_text.text().startswith("2026-W48")


def test_rankings_are_best_first_with_the_rules_grades_and_the_months_flags(seat, seat_db, qtbot):
    with qtbot.waitSignal(seat.sig_board_shown, timeout=TIMEOUT):
        qtbot.keyClick(seat, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)  # 本月
    window = compare(seat_db, "month", NOW).current.window
    flags = month_flags(seat_db, "2026-11", now=NOW)
    assert seat.street_model.rows == list(ranking(seat_db, "street", window, flags=flags.of("street")))
    assert seat.department_model.rows == list(ranking(seat_db, "department", window))
    rules = evaluation_rules(seat_db)
    for model in (seat.street_model, seat.department_model):
        scored = [r for r in model.rows if r.score is not None]
        assert scored and [r.score for r in scored] == sorted((r.score for r in scored), reverse=True)
        for i, row in enumerate(model.rows):
            if row.score is not None:
                assert model.text(i, 3) == rules.grade(row.score) and model.text(i, 2) == f"{row.score:.1f}"
    headers = [seat.department_model.headerData(c, Qt.Orientation.Horizontal)
               for c in range(seat.department_model.columnCount())]
    assert "督办按时回复率" in headers and "返工率" in headers


def test_the_months_flags_show_as_icon_and_word_with_the_accountability_warnings(db, qtbot):
    roads.build_month(db)
    with db.write() as s:
        for period in ("2026-09", "2026-10"):  # two black months before: a third makes a warning
            s.add(m.RoadFlag(month=period, sequence="street", subject=roads.STREET, name="列东街道", flag="black",
                             score=80, rank=2, recorded_at=roads.AFTER))
    add_user(db, "leader1", "leader", password="Leader-pass-1")
    window = LeaderSeat(demo_session(db, Seat("leader")), clock=lambda: NOW, threaded=False)
    qtbot.addWidget(window)
    flags = month_flags(db, "2026-11", now=NOW)
    assert flags.of("street") and flags.warnings
    assert sorted((f.sequence, f.code, f.flag) for f in window.flags_model.rows) == \
        sorted((f.sequence, f.code, f.flag) for f in flags.flags)
    by_code = flags.of("street")
    for i, row in enumerate(window.street_model.rows):  # a flag is an icon and its word, never colour alone
        assert row.flag == by_code.get(row.code)
        assert window.street_model.text(i, 4) == {"red": "红旗", "black": "黑旗", None: ""}[row.flag]
        icon = window.street_model.data(window.street_model.index(i, 4), Qt.ItemDataRole.DecorationRole)
        assert icon.isNull() == (row.flag is None)
    assert {"红旗", "黑旗"} <= {window.flags_model.text(i, 0) for i in range(window.flags_model.rowCount())}
    assert "列东街道" in window.warnings.text() and "问责预警" in window.warnings.text()
    assert window.flags_title.title().startswith("2026-11")
    _close(window)


def _open_scope(seat, qtbot, view, model, code):
    row = next(i for i, r in enumerate(model.rows) if r.code == code)
    view.setFocus()
    view.setCurrentIndex(model.index(row, 1))
    with qtbot.waitSignal(seat.sig_scope_opened, timeout=TIMEOUT) as opened:
        qtbot.keyClick(view, Qt.Key.Key_Return)
    dialog = opened.args[0]
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog, timeout=TIMEOUT)  # its shortcuts are live
    return dialog


def _open_rows(db, **where):
    with db.read() as s:
        q = select(m.Case.number).where(m.Case.is_open)
        for column, value in where.items():
            q = q.where(getattr(m.Case, column) == value)
        return sorted(s.scalars(q))


def test_enter_on_a_ranking_row_opens_that_scopes_open_cases(seat, seat_db, qtbot):
    dialog = _open_scope(seat, qtbot, seat.streets, seat.street_model, month.STREET)
    assert isinstance(dialog, ScopeCasesDialog) and dialog.isVisible()
    assert sorted(r.number for r in dialog.model.rows) == _open_rows(seat_db, street_code=month.STREET) != []
    thresholds = seat_db.rules().thresholds  # each row's light as the domain gives it, the worst first
    lights = [clock_light(NOW, yellow_at=r.yellow_at, red_at=r.red_at, consumed_minutes=r.consumed_minutes,
                          total_minutes=r.total_minutes, thresholds=thresholds) if r.has_clock else None
              for r in dialog.model.rows]
    order = {Light.RED: 0, Light.YELLOW: 1, Light.GREEN: 2, None: 3}
    assert Light.RED in lights and [order[x] for x in lights] == sorted(order[x] for x in lights)
    words = {Light.RED: "红灯", Light.YELLOW: "黄灯", Light.GREEN: "绿灯", None: "—"}
    assert [dialog.model.text(i, 0) for i in range(len(lights))] == [words[x] for x in lights]
    dialog.close()
    hw = str(month.HW.department_id)
    dialog = _open_scope(seat, qtbot, seat.departments, seat.department_model, hw)
    assert sorted(r.number for r in dialog.model.rows) == _open_rows(seat_db, department_id=month.HW.department_id)
    assert all(str(r.department_id) == hw for r in dialog.model.rows)


def _supervise_records(db):
    with db.read() as s:
        return list(s.scalars(select(m.UrgeRecord).where(m.UrgeRecord.kind == "supervise").order_by(m.UrgeRecord.id)))


def _aware(value):
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def test_supervise_from_the_seat_writes_the_deadline_and_the_list_shows_its_reply(seat, seat_db, qtbot):
    dialog = _open_scope(seat, qtbot, seat.streets, seat.street_model, month.STREET)
    row = next(i for i, r in enumerate(dialog.model.rows) if r.state != "hung")
    dialog.table.selectRow(row)
    case = dialog.model.rows[row]
    qtbot.keyClick(dialog.table, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: bool(dialog.findChildren(SuperviseDialog)), timeout=TIMEOUT)
    [form] = dialog.findChildren(SuperviseDialog)
    qtbot.waitUntil(form.note.hasFocus, timeout=TIMEOUT)  # the reason first: typing goes there
    form.reply.setCurrentIndex(form.reply.findData("4wh"))
    form.note.insertPlainText("市民反映强烈，请限时回复")  # (QTest cannot type Chinese)
    with qtbot.waitSignal(seat.sig_board_shown, timeout=TIMEOUT):
        qtbot.keyClick(form.note, Qt.Key.Key_Return)
    [record] = _supervise_records(seat_db)
    assert record.note == "市民反映强烈，请限时回复" and record.seat == "指挥长席" and record.operator_name == "吴德福"
    assert _aware(record.reply_due_at) == seat_db.rules().calendar.deadline(NOW, Limit.parse("4wh"))
    [listed] = [s for s in seat.supervision_model.rows if s.case_number == case.number]
    index = seat.supervision_model.rows.index(listed)
    assert seat.supervision_model.text(index, 3) == "待回复"
    assert seat.supervision_model.text(index, 4) == work_time_text(listed.remaining_minutes) == "剩余 4工作时0分"
    assert listed.remaining_minutes == pytest.approx(4 * 60)
    assert seat.tiles["supervised"].value.text() == "1"
    # the department replies (its own seat): the list shows it replied on time
    with seat_db.read() as s:
        version = s.scalar(select(m.Case.version).where(m.Case.number == case.number))
    act(seat_db, month.HW, case.number, Action.REPLY_SUPERVISE, expected_version=version, at=NOW,  # the seat's clock stands still at NOW: a reply "later" would be after its window
        note="已安排处置", params=ActionParams(reason="已安排处置"))
    dialog.close()
    seat.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is seat, timeout=TIMEOUT)
    with qtbot.waitSignal(seat.sig_board_shown, timeout=TIMEOUT):
        qtbot.keyClick(seat, Qt.Key.Key_F5)  # 刷新 (the feed does it too, throttled)
    [listed] = [s for s in seat.supervision_model.rows if s.case_number == case.number]
    assert seat.supervision_model.text(seat.supervision_model.rows.index(listed), 3) == "按时回复"
    # the reply counts for the department: 督办按时回复率 in its ranking row (late or missing would lower it)
    model = seat.department_model
    column = next(c for c in range(model.columnCount())
                  if model.headerData(c, Qt.Orientation.Horizontal) == "督办按时回复率")
    [hw] = [i for i, r in enumerate(model.rows) if r.code == str(month.HW.department_id)]
    assert model.text(hw, column) == "100.0 %"


def test_a_bad_reply_deadline_or_a_missing_reason_is_refused_in_the_form(seat, seat_db, qtbot):
    dialog = _open_scope(seat, qtbot, seat.streets, seat.street_model, month.STREET)
    form = seat.ask(Action.SUPERVISE, dialog.model.rows[0])
    form.reply.setCurrentIndex(form.reply.findData(None))  # 其他
    assert form.other.isEnabled()
    form.other.setText("2d")
    form.note.setPlainText("督办")
    form._try_accept()
    assert "回复时限" in form.error.text() and "work time" in form.error.text()
    form.other.setText("6wh")
    form.note.setPlainText("")
    form._try_accept()
    assert "理由" in form.error.text()
    assert _supervise_records(seat_db) == []
    form.reject()


def _shortcuts(widget) -> set[str]:
    return {a.shortcut().toString() for a in widget.findChildren(QAction) if not a.shortcut().isEmpty()}


def test_the_seat_is_read_only_but_for_supervise_and_urge(seat, seat_db, qtbot):
    assert _shortcuts(seat) == {"Ctrl+Shift+Q", "Ctrl+Q", "Ctrl+1", "Ctrl+2", "Ctrl+3", "F5"}
    assert not seat.findChildren(QPushButton)  # no action buttons on the board
    dialog = _open_scope(seat, qtbot, seat.streets, seat.street_model, month.STREET)
    workflow = {QKeySequence(k).toString() for k in ACTION_SHORTCUTS.values()}
    assert _shortcuts(dialog) & workflow == {ACTION_SHORTCUTS[Action.SUPERVISE], ACTION_SHORTCUTS[Action.URGE]}
    case = dialog.model.rows[0]
    for action in (Action.CLOSE, Action.DISPATCH, Action.REPLY_SUPERVISE):
        assert seat.ask(action, case) is None
    qtbot.keyClick(dialog.table, Qt.Key.Key_J, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert not dialog.findChildren(SuperviseDialog) and _open_rows(seat_db, number=case.number)  # 结案 does nothing


def test_the_leader_sees_every_street(seat, seat_db, qtbot):
    assert seat.session.street_code is None and seat.controller.scope is None
    with seat_db.read() as s:
        streets = set(s.scalars(select(m.Street.code)))
    assert {r.code for r in seat.street_model.rows} == streets
    west = "350402002"
    dialog = _open_scope(seat, qtbot, seat.streets, seat.street_model, west)
    assert sorted(r.number for r in dialog.model.rows) == _open_rows(seat_db, street_code=west)


def test_only_a_leader_account_signs_in_at_the_leader_seat(seat_db):
    from console.services.session import sign_in

    add_user(seat_db, "intake9", "intake", password="Intake-pass-1")
    with pytest.raises(CommandError, match="leader seat needs a leader account"):
        sign_in(seat_db, "intake9", "Intake-pass-1", Seat("leader"))
    assert sign_in(seat_db, "leader1", "Leader-pass-1", Seat("leader")).role.value == "leader"


def test_the_feed_refreshes_the_board_once_per_burst_on_the_worker(seat_db, qtbot, monkeypatch):
    threads = []
    real = leader_module.load_board

    def watched(db, kind, now):
        threads.append(threading.current_thread())
        return real(db, kind, now)

    monkeypatch.setattr(leader_module, "load_board", watched)
    window = LeaderSeat(demo_session(seat_db, Seat("leader")), clock=lambda: NOW, refresh_ms=200)
    qtbot.addWidget(window)
    shown = []
    window.sig_board_shown.connect(shown.append)
    qtbot.waitUntil(lambda: len(shown) == 1, timeout=TIMEOUT)
    for _ in range(5):
        window.changed()  # a burst of feed batches
    qtbot.waitUntil(lambda: len(shown) == 2 and not window._throttle.isActive(), timeout=TIMEOUT)
    assert len(threads) == 2 and threading.main_thread() not in threads
    _close(window)


def test_screenshot_renders_the_leader_seat(seat_db, tmp_path, qtbot):
    from PySide6.QtGui import QImage

    from console.app import screenshot

    out = screenshot(seat_db, view="leader", out=tmp_path / "leader.png", size=(1920, 1080))
    image = QImage(str(out))
    assert (image.width(), image.height()) == (1920, 1080)
    assert len({image.pixel(x, y) for x in range(0, 1920, 64) for y in range(0, 1080, 64)}) > 5  # not blank


def test_run_opens_the_leader_seat_after_sign_in_with_the_districts_feed(seat_db, qtbot):
    from console.app import SeatWindow
    from console.services.session import sign_in

    hall = SeatWindow(seat_db, Seat("leader"))
    hall.open(sign_in(seat_db, "leader1", "Leader-pass-1", Seat("leader")))
    window = hall.window
    qtbot.addWidget(window)
    assert isinstance(window, LeaderSeat) and window.feed is not None and window.feed.scope is None
    qtbot.waitUntil(lambda: window.board is not None, timeout=TIMEOUT)
    assert window.session.title.startswith("指挥长")
    _close(window)


def test_a_refresh_keeps_the_row_the_keyboard_is_on(seat, qtbot):
    view, model = seat.streets, seat.street_model
    assert view.hasFocus() and view.currentIndex().row() == 0  # the keyboard starts on the street ranking
    view.setCurrentIndex(model.index(1, 1))
    code = model.rows[1].code
    with qtbot.waitSignal(seat.sig_board_shown, timeout=TIMEOUT):
        seat.refresh()
    assert model.rows[view.currentIndex().row()].code == code

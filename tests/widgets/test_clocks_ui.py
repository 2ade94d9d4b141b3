"""Issue 8 on the seat: reclassify and the hung cancel from the case panel, the
unconfirmed-year warning in the status bar, and new lights after `calendar set`."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox

from console.data.calendar_admin import set_day
from console.data.commands import ActionParams, act, report_case
from console.domain.clocks import Light
from console.services.feed import ChangeFeed
from console.widgets.dialogs import ActionDialog
from console.widgets.workstation import Workstation
from tests.data.test_commands import DEPT, DISPATCH, GARBAGE, INSPECTOR, INTAKE, LAT, LON, SHIFT, T0, step, to_disposing
from tests.widgets.test_workstation_lifecycle import case_row, click_action, session

SH = ZoneInfo("Asia/Shanghai")


def seat(qtbot, db, role: str, *, now: datetime = T0 + timedelta(minutes=30), feed=None) -> Workstation:  # noqa: ANN001
    names = {"shift_lead": ("李值班", "值班长席"), "leader": ("陈指挥", "指挥长席")}
    name, seat_name = names[role]
    window = Workstation(session(db, name, role, seat_name), feed=feed, with_map=False, clock=lambda: now,
                         alert_interval_ms=3_600_000, threaded=False)  # synchronous seat
    qtbot.addWidget(window)
    return window


def filed(db) -> tuple[str, int]:
    ref = report_case(db, INSPECTOR, source="inspector", lon=LON, lat=LAT, category_code=GARBAGE, at=T0)
    v = step(db, INTAKE, ref.number, ref.version, "forward", 5).version
    return ref.number, step(db, SHIFT, ref.number, v, "file", 10, condition_code="0601001").version


def ok(qtbot, dialog: ActionDialog) -> None:
    qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton)


def test_shift_lead_reclassifies_from_the_case_panel(qtbot, db):
    number, _ = filed(db)
    window = seat(qtbot, db, "shift_lead")
    case_id = case_row(db, number).id

    def choose(dialog: ActionDialog) -> None:
        assert dialog.category.currentData() == GARBAGE  # starts on the case's category
        dialog.category.setCurrentIndex(dialog.category.findData("06011"))
        assert [dialog.condition.itemData(i) for i in range(dialog.condition.count())] == ["0601101", "0601102"]
        dialog.condition.setCurrentIndex(dialog.condition.findData("0601102"))
        dialog.note.setPlainText("现场为渣土")

    click_action(qtbot, window, case_id, "reclassify", choose)
    case = case_row(db, number)
    assert (case.category_code, case.condition_code, case.state) == ("06011", "0601102", "to_dispatch")
    window.stop()


def test_reclassify_without_a_reason_keeps_the_dialog(qtbot, db):
    number, _ = filed(db)
    window = seat(qtbot, db, "shift_lead")
    case_id = case_row(db, number).id
    window.apply_case_ids([case_id])
    assert window.queue.select_case(case_id)
    qtbot.mouseClick(window.detail.action_button("reclassify"), Qt.MouseButton.LeftButton)
    dialog = window.findChild(ActionDialog, "dialog_reclassify")
    dialog.condition.setCurrentIndex(dialog.condition.findData("0601002"))
    ok(qtbot, dialog)
    assert dialog.isVisible() and "需要填写理由" in dialog.error.text()
    assert case_row(db, number).condition_code == "0601001"
    window.stop()


def test_shift_lead_cancels_a_hung_case_from_the_case_panel(qtbot, db):
    number, v = to_disposing(db)
    v = step(db, DEPT, number, v, "request_hold", 20, reason="待拆迁").version
    step(db, DISPATCH, number, v, "approve_hold", 25)
    window = seat(qtbot, db, "shift_lead")
    click_action(qtbot, window, case_row(db, number).id, "cancel_hung",
                 lambda d: d.note.setPlainText("拆迁完成，问题已不存在"))
    assert case_row(db, number).state == "cancelled"
    window.stop()


def test_status_bar_warns_while_deadlines_run_into_an_unconfirmed_year(qtbot, db):
    new_years_eve = datetime(2026, 12, 31, 17, 15, tzinfo=SH)
    calm = seat(qtbot, db, "leader", now=new_years_eve)
    assert calm.calendar_label.isHidden()  # no case yet, and 2026 is confirmed
    ref = report_case(db, INSPECTOR, source="inspector", lon=LON, lat=LAT, category_code=GARBAGE,
                      at=new_years_eve)  # intake: 15 min today, 15 on Mon 4 Jan 2027
    calm.apply_case_ids([ref.id])
    assert not calm.calendar_label.isHidden()
    assert "2027" in calm.calendar_label.text() and "调休" in calm.calendar_label.text()
    calm.stop()


def test_seat_sees_new_lights_after_calendar_set_through_the_feed(qtbot, db):
    start = T0.replace(hour=16)  # dispatched Mon 16:00 on 4wh: due Tue 11:00
    ref = report_case(db, INSPECTOR, source="inspector", lon=LON, lat=LAT, category_code=GARBAGE,
                      at=start - timedelta(minutes=15))
    v = step(db, INTAKE, ref.number, ref.version, "forward", at=start - timedelta(minutes=10)).version
    v = step(db, SHIFT, ref.number, v, "file", at=start - timedelta(minutes=5), condition_code="0601001").version
    act(db, DISPATCH, ref.number, "dispatch", expected_version=v, at=start,
        params=ActionParams(department_id=2))
    feed = ChangeFeed.for_database(db)
    window = seat(qtbot, db, "leader", now=datetime(2026, 11, 24, 11, 30, tzinfo=SH), feed=feed)
    window.start()
    assert window.queue.model.light_of(ref.id) == Light.RED
    set_day(db, date(2026, 11, 24), workday=False, note="停工", by="admin1")  # in another process, as a rule
    qtbot.waitUntil(lambda: window.queue.model.light_of(ref.id) == Light.GREEN, timeout=15000)
    assert window.queue.model.case(ref.id).due_at.astimezone(SH) == datetime(2026, 11, 25, 11, 0, tzinfo=SH)
    # the remaining work time is counted on the new calendar too: 11:30 on a day off, 08:30-11:00 to go tomorrow
    assert window.queue.model.remaining_of(ref.id) == pytest.approx(150)
    window.stop()

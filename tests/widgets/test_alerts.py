"""Alerts: raised when a light changes (yellow, red), acknowledged by name or in bulk by filter, still
acknowledged after a restart; the standing red cases are a count that filters the queue; hung cases stay quiet."""
from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton
from sqlalchemy import func, select

from console.data import models as m
from console.data.commands import ActionParams, Actor, act, report_case
from console.domain.clocks import Light
from console.services.alerts import AlertFilter
from console.services.session import Seat, Session
from console.widgets.workstation import Workstation
from tests.data.test_commands import DEPT, DISPATCH, LEADER, T0, to_disposing


SEAT = dict(username="张受理", display_name="张受理", role="intake", seat_name="受理席1", seat=Seat("operator"))


def seat(db, qtbot, clock) -> Workstation:
    window = Workstation(Session(db=db, **SEAT), with_map=False, clock=clock, alert_interval_ms=3_600_000,
                         threaded=False)  # the synchronous seat: answers at once
    qtbot.addWidget(window)
    return window


def test_alert_lifecycle_across_restart(db, qtbot):
    now = {"t": T0}
    clock = lambda: now["t"]  # noqa: E731
    ref = report_case(db, Actor("王监督", "inspector", seat="城管通"), source="inspector", lon=117.605, lat=26.265,
                      category_code="06010", at=T0)  # 受理 30wmin: yellow from 09:24, red after 09:30
    window = seat(db, qtbot, clock)
    assert window.banner.isHidden()
    assert "绿 1" in window.light_label.text()

    now["t"] = T0 + timedelta(minutes=25)
    window.alerts.tick()
    assert [a.light for a in window.alerts.alerts] == ["yellow"]
    assert not window.banner.isHidden() and "黄 1" in window.light_label.text()
    alert_row = window.banner.findChild(object, f"alert_{ref.id}_yellow")
    texts = " ".join(label.text() for label in alert_row.findChildren(QLabel))
    assert ref.number in texts and "暴露垃圾" in texts and "350402001001001" in texts and "剩余" in texts

    ack = alert_row.findChild(QPushButton, "ack")
    qtbot.mouseClick(ack, Qt.MouseButton.LeftButton)
    assert window.alerts.alerts == [] and window.banner.isHidden()
    with db.read() as s:
        record = s.scalars(select(m.AlertAck)).one()
    assert (record.case_id, record.step, record.light, record.acked_by, record.seat) == (
        ref.id, "intake", "yellow", "张受理", "受理席1")

    # a restart: the acknowledged yellow alert stays acknowledged
    window.close()
    again = seat(db, qtbot, clock)
    again.alerts.tick()
    assert again.alerts.alerts == []

    # the same step turning red is a new alert, shown with how long it is overdue
    now["t"] = T0 + timedelta(minutes=41)
    again.alerts.tick()
    assert [a.light for a in again.alerts.alerts] == ["red"]
    assert again.alerts.alerts[0].remaining_minutes == pytest.approx(-11)
    red_row = again.banner.findChild(object, f"alert_{ref.id}_red")
    assert "超时 0:11" in " ".join(label.text() for label in red_row.findChildren(QLabel))
    assert again.red_stock.text() == "● 红灯 1"

    # 定位 jumps to the case
    located = again.banner.findChild(object, f"alert_{ref.id}_red").findChild(QPushButton, "locate")
    qtbot.mouseClick(located, Qt.MouseButton.LeftButton)
    assert again.queue.selected_case_id() == ref.id
    assert again.detail.field_text("number") == ref.number or ref.number in again.detail.plain_text()


def test_basemap_setting_accepts_xyz_or_mbtiles_only(tmp_path):
    from console.widgets.workstation import basemap_setting, save_basemap_setting

    save_basemap_setting("http://tiles.hall.local/{z}/{x}/{y}.png")
    assert basemap_setting() == "http://tiles.hall.local/{z}/{x}/{y}.png"
    tiles = tmp_path / "city.mbtiles"
    tiles.write_bytes(b"")
    save_basemap_setting(str(tiles))
    assert basemap_setting() == str(tiles)
    with pytest.raises(ValueError, match="mbtiles"):
        save_basemap_setting(str(tmp_path / "missing.mbtiles"))
    assert basemap_setting() == str(tiles)  # a refused value changes nothing
    save_basemap_setting(None)
    assert basemap_setting() is None


# --- alerts are light changes, acknowledged in bulk; the red stock is a count ------------------------

INSPECTOR = Actor("王监督", "inspector", seat="城管通")
EAST, WEST = (117.605, 26.265), (117.625, 26.265)  # 列东街道, 列西街道


def report_at(db, point, minutes: int) -> int:
    return report_case(db, INSPECTOR, source="inspector", lon=point[0], lat=point[1], category_code="06010",
                       at=T0 + timedelta(minutes=minutes)).id


def test_only_light_changes_are_alerts_and_the_red_stock_opens_the_queue(db, qtbot):
    old_red = report_at(db, EAST, 0)  # 受理 30wmin: red from 09:30, 70 minutes before the seat starts
    new_red = report_at(db, WEST, 45)  # red from 10:15: 25 minutes before
    later = report_at(db, EAST, 90)  # yellow from 10:54
    now = {"t": T0 + timedelta(minutes=100)}
    window = seat(db, qtbot, lambda: now["t"])
    assert [(a.key.case_id, a.light) for a in window.alerts.alerts] == [(new_red, "red")]
    # raised at the moment it turned red (red_at lies a microsecond past the deadline)
    assert abs(window.alerts.alerts[0].raised_at - (T0 + timedelta(minutes=75))) < timedelta(seconds=1)
    assert window.red_stock.text() == "● 红灯 2"  # the old red case is counted, not listed

    now["t"] = T0 + timedelta(minutes=115)
    window.alerts.tick()
    assert [(a.key.case_id, a.light) for a in window.alerts.alerts] == [(new_red, "red"), (later, "yellow")]
    window.alerts.tick()  # nothing changed: nothing raised twice
    assert len(window.alerts.alerts) == 2

    window.queue.set_stage("reported")
    qtbot.mouseClick(window.red_stock, Qt.MouseButton.LeftButton)
    model = window.queue.model
    assert window.queue.current_filter().light == Light.RED and model.stage == "all"
    assert sorted(model.visible_ids()) == sorted([old_red, new_red])
    window.queue.clear_filters()
    assert model.rowCount() == 3
    qtbot.keyClick(window.red_stock, Qt.Key.Key_Space)  # the keyboard reaches it too
    assert model.rowCount() == 2 and window.queue.current_filter().light == Light.RED


def test_bulk_acknowledge_by_street_then_all_shown(db, qtbot):
    east = [report_at(db, EAST, i) for i in range(3)]
    west = [report_at(db, WEST, i) for i in range(2)]
    now = {"t": T0 + timedelta(minutes=20)}
    window = seat(db, qtbot, lambda: now["t"])
    now["t"] = T0 + timedelta(minutes=45)
    window.alerts.tick()
    assert len(window.alerts.alerts) == 5
    banner = window.banner
    assert banner.more.text() == "另有 2 条提醒"

    banner.set_filter(AlertFilter(street_code="350402001"))
    assert sorted(a.key.case_id for a in banner.listed()) == east
    assert banner.ack_all.text() == "全部确认（3 条）" and banner.more.text() == ""
    qtbot.mouseClick(banner.ack_all, Qt.MouseButton.LeftButton)
    assert sorted(a.key.case_id for a in window.alerts.alerts) == west
    assert banner.more.text() == "没有符合筛选的提醒（共 2 条）" and not banner.ack_all.isEnabled()
    with db.read() as s:
        batch = s.scalars(select(m.AlertAckBatch)).one()
        acked = s.scalars(select(m.AlertAck.case_id).where(m.AlertAck.batch_id == batch.id)).all()
    assert (batch.count, batch.acked_by, batch.seat, batch.note) == (3, "张受理", "受理席1", "全部确认 · 列东街道")
    assert sorted(acked) == east

    banner.set_filter(AlertFilter())
    qtbot.mouseClick(banner.ack_all, Qt.MouseButton.LeftButton)  # all shown
    assert window.alerts.alerts == [] and banner.isHidden()
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(m.AlertAck)) == 5
    assert "已确认 2 条提醒" in window.statusBar().currentMessage()


def test_another_seats_acknowledgement_clears_this_banner(db, qtbot):
    from console.data.alerts import acknowledge
    from console.services.feed import ChangeBatch

    case_id = report_at(db, EAST, 0)
    now = {"t": T0 + timedelta(minutes=20)}
    window = seat(db, qtbot, lambda: now["t"])
    now["t"] = T0 + timedelta(minutes=26)
    window.alerts.tick()
    [alert] = window.alerts.alerts
    acknowledge(db, Actor("李值班", "shift_lead", seat="值班长席"), [alert.key], at=now["t"])
    window.apply_changes(ChangeBatch(rev=99, entities={"alert": ("1",)}))
    assert window.alerts.alerts == [] and window.banner.isHidden()
    assert case_id == alert.key.case_id


def test_a_hung_case_raises_no_alert_while_paused(db, qtbot):
    number, v = to_disposing(db)  # 处置 4wh from 09:15: red from 15:15
    with db.read() as s:
        case_id = s.scalar(select(m.Case.id).where(m.Case.number == number))
    v = act(db, DEPT, number, "request_hold", expected_version=v, at=T0 + timedelta(minutes=45),
            params=ActionParams(reason="需规划审批")).version
    now = {"t": T0.replace(hour=15, minute=20)}
    window = seat(db, qtbot, lambda: now["t"])
    assert [(a.key.step, a.light) for a in window.alerts.alerts] == [("dispose", "red")]  # 5 minutes overdue

    now["t"] = T0.replace(hour=15, minute=30)
    v = act(db, LEADER, number, "approve_hold", expected_version=v, at=now["t"]).version
    window.apply_case_ids([case_id])
    assert window.queue.model.case(case_id).paused
    assert window.alerts.alerts == []  # hung: the overdue alert leaves, none is raised
    now["t"] = T0.replace(day=24, hour=11)
    window.alerts.tick()
    assert window.alerts.alerts == []
    restarted = seat(db, qtbot, lambda: now["t"])
    assert restarted.alerts.alerts == [] and restarted.red_stock.text() == "● 红灯 1"

    now["t"] = T0.replace(day=24, hour=11, minute=5)
    act(db, DISPATCH, number, "resume", expected_version=v, at=now["t"])
    restarted.apply_case_ids([case_id])
    assert [(a.key.case_id, a.light) for a in restarted.alerts.alerts] == [(case_id, "red")]  # running again

"""Overdue alerts: raised on yellow and red, acknowledged by name, still acknowledged after a restart."""
from __future__ import annotations

from datetime import timedelta

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton
from sqlalchemy import select

from console.data import models as m
from console.data.commands import Actor, report_case
from console.services.session import Seat, Session
from console.widgets.workstation import Workstation
from tests.data.test_commands import T0

SEAT = dict(username="张受理", display_name="张受理", role="intake", seat_name="受理席1", seat=Seat("operator"))


def seat(db, qtbot, clock) -> Workstation:
    window = Workstation(Session(db=db, **SEAT), with_map=False, clock=clock, alert_interval_ms=3_600_000)
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
    assert again.alerts.alerts[0].remaining == "超时 0:11"
    assert "红 1" in again.light_label.text()

    # 定位 jumps to the case
    located = again.banner.findChild(object, f"alert_{ref.id}_red").findChild(QPushButton, "locate")
    qtbot.mouseClick(located, Qt.MouseButton.LeftButton)
    assert again.queue.selected_case_id() == ref.id
    assert again.detail.field_text("number") == ref.number or ref.number in again.detail.plain_text()


def test_basemap_setting_accepts_xyz_or_mbtiles_only(tmp_path, monkeypatch):
    import pytest
    from PySide6.QtCore import QSettings

    from console.widgets.workstation import basemap_setting, save_basemap_setting

    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path))
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

"""The workstation's remembered choices go through the settings service (SeatSettings).

A window layout saved by another layout version is dropped, not half-applied; the
queue's sort and the heat mode are kept across a restart, per user.
"""
from __future__ import annotations

from PySide6.QtCore import QByteArray, Qt

from console.services import settings
from console.services.session import Seat, Session
from console.services.settings import SeatSettings
from console.widgets.queue_model import Column
from console.widgets.workstation import Workstation


def open_seat(db, qtbot, name: str = "张受理") -> Workstation:
    session = Session(db=db, username=name, display_name=name, role="intake", seat_name="受理席1", seat=Seat("operator"))
    window = Workstation(session, with_map=False, alert_interval_ms=3_600_000, threaded=False)
    qtbot.addWidget(window)
    return window


def test_a_layout_saved_by_another_version_is_dropped_and_the_current_one_restored(db, qtbot, monkeypatch):
    window = open_seat(db, qtbot)
    window.detail_dock.hide()  # the operator closed the detail panel
    window.close()
    assert SeatSettings("张受理", "operator").layout("workstation") is not None
    again = open_seat(db, qtbot)
    assert again.detail_dock.isHidden()  # the same layout version: restored
    again.close()

    monkeypatch.setattr(settings, "LAYOUT_VERSION", settings.LAYOUT_VERSION + 1)  # the docks changed since
    newer = open_seat(db, qtbot)
    assert not newer.detail_dock.isHidden()  # the old arrangement is dropped, the default layout shows
    newer.close()


def test_a_damaged_layout_is_not_applied(db, qtbot):
    store = SeatSettings("张受理", "operator")
    store.save_layout("workstation", QByteArray(b"not a geometry"), QByteArray(b"not a state"))
    window = open_seat(db, qtbot)
    assert not window.detail_dock.isHidden() and not window.queue_dock.isHidden()
    window.close()


def test_sort_and_heat_mode_are_kept_across_a_restart(db, qtbot):
    window = open_seat(db, qtbot)
    window.queue.view.horizontalHeader().setSortIndicator(Column.NUMBER, Qt.SortOrder.AscendingOrder)
    window.choose_heat("overdue")
    window.close()
    again = open_seat(db, qtbot)
    assert (again.queue.model.sort_column, again.queue.model.sort_order) == (Column.NUMBER, Qt.SortOrder.AscendingOrder)
    assert again._heat_mode == "overdue"
    assert SeatSettings("张受理", "operator").get(settings.QUEUE_SORT) == f"{Column.NUMBER},0"
    other = open_seat(db, qtbot, "李受理")
    assert other._heat_mode == "open"  # per user

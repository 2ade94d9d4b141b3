"""The 报表 menu: the workstation only asks (sig_report_requested); console.app opens the report, gathered
on the seat's worker, in a print preview painted by the same page loop; a street seat gets its own street's
brief and no district bulletin."""
from __future__ import annotations

from datetime import datetime, timezone

from PySide6.QtPrintSupport import QPrintPreviewDialog, QPrintPreviewWidget

from console.app import connect_reports
from console.reports.menu import report_call
from console.services.session import Seat, Session
from console.widgets.workstation import Workstation
from tests.data.test_evaluation import build_month

NOW = datetime(2026, 11, 26, 6, 0, tzinfo=timezone.utc)


def open_seat(db, qtbot, seat: Seat = Seat("operator"), role: str = "shift_lead") -> Workstation:
    session = Session(db=db, username="李值班", display_name="李值班", role=role, seat_name="值班长席", seat=seat)
    window = Workstation(session, with_map=False, alert_interval_ms=3_600_000, threaded=False)
    qtbot.addWidget(window)
    return window


def test_the_menu_asks_and_the_preview_shows_the_brief(db, qtbot):
    window = open_seat(db, qtbot)
    assert set(window.report_actions) == {"brief_today", "brief_yesterday", "print_brief_today",
                                          "bulletin_last_week", "bulletin_last_month"}
    with qtbot.waitSignal(window.sig_report_requested) as asked:
        window.report_actions["brief_yesterday"].trigger()
    assert asked.args == ["brief_yesterday"]
    connect_reports(window)
    window.report_actions["brief_today"].trigger()
    qtbot.waitUntil(lambda: bool(window.findChildren(QPrintPreviewDialog)), timeout=20000)
    [dialog] = window.findChildren(QPrintPreviewDialog)
    preview = dialog.findChild(QPrintPreviewWidget)
    qtbot.waitUntil(lambda: preview.pageCount() >= 3, timeout=20000)  # the brief's pages, painted for the preview
    assert "数字城管日报" in dialog.windowTitle()
    dialog.reject()
    window.close()


def test_a_street_seat_has_its_own_brief_only(db, qtbot):
    build_month(db)
    window = open_seat(db, qtbot, Seat("street", "350402001"), role="street_seat")
    assert set(window.report_actions) == {"brief_today", "brief_yesterday", "print_brief_today"}
    report = report_call("brief_today", window.session.db, window.session.street_code, NOW)()
    assert report.title == "列东街道数字城管日报" and report.period == "2026-11-26"
    headline = report.blocks[0]
    assert headline.rows[0][:2] == ("上报数", ("count", 4))  # the 26th's four cases are all in 列东
    window.close()

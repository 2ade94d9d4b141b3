"""Issue 4: the database goes away under a running seat, then comes back.

The connection really breaks (a TCP proxy between the seat and the shared
PostgreSQL server is cut and restored; the server itself keeps running).
"""
from __future__ import annotations

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from console.data import models as m
from console.data.commands import Actor, report_case
from console.data.db import Database
from console.services.feed import ChangeFeed
from console.services.session import Seat, Session
from console.widgets.dialogs import ActionDialog
from console.widgets.workstation import Workstation
from tests.services.tcp_proxy import TcpProxy


def test_seat_survives_outage_and_keeps_the_input(pg_db, qtbot):
    db = pg_db
    ref = report_case(db, Actor("王监督", "inspector", seat="城管通"), source="inspector", lon=117.605, lat=26.265,
                      category_code="06010")
    url = make_url(db.url)
    with TcpProxy((url.host or "127.0.0.1", url.port or 5432)) as proxy:
        seat_db = Database(url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False))
        session = Session(db=seat_db, username="张受理", display_name="张受理", role="intake", seat_name="受理席1",
                          seat=Seat("operator"))
        window = Workstation(session, feed=ChangeFeed.for_database(seat_db), with_map=False,
                             alert_interval_ms=3_600_000)
        qtbot.addWidget(window)
        window.start()
        qtbot.waitUntil(lambda: window.queue.select_case(ref.id), timeout=10000)  # the queue arrives from the worker
        qtbot.waitUntil(lambda: window.detail.action_button("forward") is not None, timeout=10000)
        assert not window.stale_banner.isVisible()

        proxy.cut()
        window.show()
        qtbot.waitUntil(lambda: window.stale_banner.isVisible(), timeout=6000)  # stale within 5 s
        assert "过期" in window.stale_banner.text()

        qtbot.mouseClick(window.detail.action_button("forward"), Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: window.findChild(ActionDialog, "dialog_forward") is not None, timeout=10000)
        dialog = window.findChild(ActionDialog, "dialog_forward")
        dialog.note.setPlainText("转值班长立案")
        ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
        qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: "数据库连接中断" in dialog.error.text(), timeout=10000)
        assert dialog.isVisible() and ok.isEnabled()
        assert dialog.note.toPlainText() == "转值班长立案"  # the input stays in the form
        with db.read() as s:
            assert s.scalar(select(m.Case.state).where(m.Case.id == ref.id)) == "reported"

        proxy.restore()
        qtbot.waitUntil(lambda: not window.stale_banner.isVisible(), timeout=6000)  # back within 5 s
        qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: not shiboken6.isValid(dialog) or not dialog.isVisible(), timeout=10000)
        with db.read() as s:
            assert s.scalar(select(m.Case.state).where(m.Case.id == ref.id)) == "to_file"
            forwards = s.scalar(select(func.count()).select_from(m.CaseEvent)
                                .where(m.CaseEvent.case_id == ref.id, m.CaseEvent.action == "forward"))
        assert forwards == 1  # applied once, not twice
        window.stop()
        window.close()
        seat_db.dispose()

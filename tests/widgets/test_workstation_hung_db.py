"""Issue 9: a hung database never freezes the seat.

Between the seat and the shared PostgreSQL server sits a loopback proxy that can
stop forwarding (the connections stay open, nothing answers: a hung server or a
dead link without a reset).  While it hangs the UI thread keeps running its
timers, the stale banner shows, and the action the operator submitted stays in
its form with "数据库无响应"; once the proxy forwards again the seat recovers.
"""
from __future__ import annotations

import threading
import time

import shiboken6
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QDialogButtonBox
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from console.data import models as m
from console.data.commands import Actor, report_case
from console.data.db import Database
from console.services.session import Seat, Session
from console.widgets.dialogs import ActionDialog
from console.widgets.workstation import Workstation
from tests.services.tcp_proxy import TcpProxy

TICK_MS = 20


class HangingProxy(TcpProxy):
    """A TcpProxy whose pipes can hold every byte (hang) and release them later (unhang)."""

    def __init__(self, target: tuple[str, int]) -> None:
        super().__init__(target)
        self._flowing = threading.Event()
        self._flowing.set()

    def hang(self) -> None:
        self._flowing.clear()

    def unhang(self) -> None:
        self._flowing.set()

    def close(self) -> None:
        self.unhang()
        super().close()

    def _pipe(self, src, dst) -> None:  # noqa: ANN001
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                self._flowing.wait()
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (src, dst):
                try:
                    sock.close()
                except OSError:
                    pass


class Ticks:
    """A UI-thread QTimer: how often it fired and the longest gap between two firings."""

    def __init__(self) -> None:
        self.count, self.longest_ms, self._last = 0, 0.0, time.monotonic()
        self.timer = QTimer()
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(self._tick)
        self.timer.start()

    def _tick(self) -> None:
        now = time.monotonic()
        self.count += 1
        self.longest_ms = max(self.longest_ms, (now - self._last) * 1000)
        self._last = now


def test_a_hung_database_never_freezes_the_seat_and_the_action_stays_in_its_form(pg_db, qtbot):
    db = pg_db
    ref = report_case(db, Actor("王监督", "inspector", seat="城管通"), source="inspector", lon=117.605, lat=26.265,
                      category_code="06010")
    url = make_url(db.url)
    with HangingProxy((url.host or "127.0.0.1", url.port or 5432)) as proxy:
        seat_db = Database(url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False))
        session = Session(db=seat_db, username="张受理", display_name="张受理", role="intake", seat_name="受理席1",
                          seat=Seat("operator"))
        window = Workstation(session, with_map=False, alert_interval_ms=3_600_000, command_timeout_ms=3000)
        qtbot.addWidget(window)
        window.show()
        window.start()
        qtbot.waitUntil(lambda: window.queue.select_case(ref.id), timeout=10000)
        qtbot.waitUntil(lambda: window.detail.action_button("forward") is not None, timeout=10000)
        qtbot.mouseClick(window.detail.action_button("forward"), Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: window.findChild(ActionDialog, "dialog_forward") is not None, timeout=10000)
        dialog = window.findChild(ActionDialog, "dialog_forward")
        dialog.note.setPlainText("转值班长立案")
        ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)

        proxy.hang()
        ticks = Ticks()
        started = time.monotonic()
        window.reload_all()  # F5 while the server hangs: the worker blocks, the window does not
        qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
        assert "正在提交" in dialog.error.text() and not ok.isEnabled()
        qtbot.waitUntil(lambda: window.stale_banner.isVisible(), timeout=5000)
        assert "数据库无响应" in window.stale_banner.text()
        qtbot.waitUntil(lambda: "数据库无响应" in dialog.error.text(), timeout=8000)
        hung_ms = (time.monotonic() - started) * 1000
        assert not window.controller.idle  # the worker is still blocked on the hung connection
        assert dialog.isVisible() and ok.isEnabled() and dialog.note.toPlainText() == "转值班长立案"
        # the UI thread kept running its 20 ms timer all along (a frozen one would not have fired at all)
        assert ticks.count >= hung_ms / TICK_MS / 4, (ticks.count, hung_ms)
        assert ticks.longest_ms < hung_ms / 2, (ticks.longest_ms, hung_ms)

        proxy.unhang()
        qtbot.waitUntil(lambda: window.controller.idle, timeout=10000)
        qtbot.waitUntil(lambda: not window.stale_banner.isVisible(), timeout=5000)
        # the command that timed out was still delivered once the server answered: applied once, form closed
        qtbot.waitUntil(lambda: not shiboken6.isValid(dialog) or not dialog.isVisible(), timeout=5000)
        qtbot.waitUntil(lambda: window.queue.model.case(ref.id).state == "to_file", timeout=5000)
        with db.read() as s:
            forwards = s.scalar(select(func.count()).select_from(m.CaseEvent)
                                .where(m.CaseEvent.case_id == ref.id, m.CaseEvent.action == "forward"))
        assert forwards == 1
        ticks.timer.stop()
        window.stop()
        window.close()
        seat_db.dispose()


def test_a_late_detail_answer_for_a_case_no_longer_shown_is_dropped(db, qtbot):
    refs = [report_case(db, Actor("王监督", "inspector", seat="城管通"), source="inspector", lon=117.605 + i / 1000,
                        lat=26.265, category_code="06010") for i in range(2)]
    session = Session(db=db, username="张受理", display_name="张受理", role="intake", seat_name="受理席1",
                      seat=Seat("operator"))
    window = Workstation(session, with_map=False, alert_interval_ms=3_600_000)
    qtbot.addWidget(window)
    qtbot.waitUntil(lambda: window.controller.idle, timeout=10000)
    delivered = []
    window.controller.sig_detail.connect(lambda answer: delivered.append(answer.case_id))
    dropped = window.controller.dropped
    window.show_case(refs[0].id)
    window.show_case(refs[1].id)  # the operator clicked on before the first answer came
    qtbot.waitUntil(lambda: window.controller.idle, timeout=10000)
    assert delivered == [refs[1].id]
    assert window.controller.dropped == dropped + 1
    assert window.detail.case_id == refs[1].id
    window.stop()

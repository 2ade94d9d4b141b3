"""The seat controller: reads and commands run on its worker thread and answer by signal."""
from __future__ import annotations

import threading

from console.data.commands import ActionParams, Actor, report_case
from console.domain.workflow import Action
from console.services.seat import CasesChanged, CommandRefused, QueueSnapshot, SeatController
from console.services.session import Seat, Session


def controller(db, qtbot) -> SeatController:
    session = Session(db=db, username="张受理", display_name="张受理", role="intake", seat_name="受理席1",
                      seat=Seat("operator"))
    return SeatController(session)


def test_reads_run_off_the_ui_thread_and_answer_with_plain_read_models(db, qtbot):
    ref = report_case(db, Actor("王监督", "inspector", seat="城管通"), source="inspector", lon=117.605, lat=26.265,
                      category_code="06010")
    seat = controller(db, qtbot)
    threads = []
    with qtbot.waitSignal(seat.sig_queue_loaded, timeout=10000) as loaded:
        seat.run("probe", lambda: threads.append(threading.get_ident()), lambda _v: None)
        seat.reload()
    assert threads and threads[0] != threading.get_ident()  # the worker, not the UI thread
    snapshot = loaded.args[0]
    assert isinstance(snapshot, QueueSnapshot) and [r.id for r in snapshot.rows] == [ref.id]
    with qtbot.waitSignal(seat.sig_cases_changed, timeout=10000) as changed:
        seat.load_cases([ref.id, 999_999])
    assert changed.args[0] == CasesChanged(snapshot.rows, frozenset({999_999}))
    seat.stop()


def test_a_stale_command_is_refused_by_signal_naming_who_acted(db, qtbot):
    ref = report_case(db, Actor("王监督", "inspector", seat="城管通"), source="inspector", lon=117.605, lat=26.265,
                      category_code="06010")
    seat = controller(db, qtbot)
    with qtbot.waitSignal(seat.sig_command_done, timeout=10000):
        seat.act(ref.number, Action.FORWARD, version=ref.version, note="", params=ActionParams(), at=None)
    with qtbot.waitSignal(seat.sig_command_refused, timeout=10000) as refused:
        seat.act(ref.number, Action.FORWARD, version=ref.version, note="", params=ActionParams(), at=None)
    answer = refused.args[0]
    assert isinstance(answer, CommandRefused) and answer.stale and "张受理" in answer.message
    assert seat.idle
    seat.stop()

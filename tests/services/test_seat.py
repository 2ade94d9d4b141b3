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


def test_jobs_run_with_the_collector_paused_and_it_is_back_after_the_last(db, qtbot):
    import gc

    from console.services.seat import collector_paused

    assert gc.isenabled()
    seat = controller(db, qtbot)
    seen = []
    with qtbot.waitSignal(seat.sig_queue_loaded, timeout=10000):
        seat.run("probe", lambda: seen.append(gc.isenabled()), lambda _v: None)
        seat.reload()
    assert seen == [False] and gc.isenabled()
    inner_done, outer_may_end = threading.Event(), threading.Event()

    def outer() -> None:  # a builder job still running when the worker's ends
        with collector_paused():
            inner_done.wait(5)
            seen.append(gc.isenabled())
            outer_may_end.set()

    thread = threading.Thread(target=outer)
    thread.start()
    with collector_paused():
        pass
    inner_done.set()
    outer_may_end.wait(5)
    thread.join(5)
    assert seen[-1] is False and gc.isenabled()  # counted: the first to end did not switch it back on
    seat.stop()


def test_running_seats_shorten_the_gil_switch_interval_and_the_last_restores_it(db, qtbot):
    import sys

    from console.services.seat import GIL_SWITCH_S

    before = sys.getswitchinterval()
    first, second = controller(db, qtbot), controller(db, qtbot)
    first.start()
    second.start()
    assert sys.getswitchinterval() == GIL_SWITCH_S
    first.stop()
    assert sys.getswitchinterval() == GIL_SWITCH_S  # the other seat still runs
    second.stop()
    second.stop()  # twice: counted once
    assert sys.getswitchinterval() == before

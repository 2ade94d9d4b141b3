"""Issue 4 presence in the seat: "正在处理: <name> @ <seat>" on a case another seat has open."""
from __future__ import annotations

from console.data.commands import Actor, report_case
from console.services.feed import ChangeFeed
from console.services.session import Seat, Session
from console.widgets.workstation import Workstation


def seat(db, qtbot, name: str, seat_name: str) -> Workstation:
    session = Session(db=db, username=name, display_name=name, role="intake", seat_name=seat_name, seat=Seat("operator"))
    window = Workstation(session, feed=ChangeFeed.for_database(db), with_map=False, alert_interval_ms=3_600_000)
    qtbot.addWidget(window)
    window.start()
    return window


def test_other_seat_sees_who_is_on_the_case_until_it_closes(db, qtbot):
    ref = report_case(db, Actor("王监督", "inspector", seat="城管通"), source="inspector", lon=117.605, lat=26.265,
                      category_code="06010")
    first, second = seat(db, qtbot, "张受理", "受理席1"), seat(db, qtbot, "周受理", "受理席2")
    for w in (first, second):
        qtbot.waitUntil(lambda w=w: w.queue.model.case(ref.id) is not None, timeout=10000)
    assert first.queue.select_case(ref.id)
    assert second.queue.select_case(ref.id)
    qtbot.waitUntil(lambda: "张受理 @ 受理席1" in first.presence.text or "张受理 @ 受理席1" in second.presence.text,
                    timeout=10000)
    assert second.presence.text == "正在处理: 张受理 @ 受理席1"
    qtbot.waitUntil(lambda: "周受理 @ 受理席2" in first.presence.text, timeout=10000)  # live, through the feed

    second.stop()  # the seat closes: its presence goes at once
    second.close()
    qtbot.waitUntil(lambda: first.presence.text == "", timeout=10000)
    first.stop()

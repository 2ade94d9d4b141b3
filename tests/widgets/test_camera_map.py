"""Cameras on the map: status by colour and mark, a status change on one seat redraws the map of
another (two controllers and feeds on one SQLite file), the nearest cameras of a case ringed."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import shiboken6

from console.data.cameras import nearest_cameras
from console.data.db import Database
from console.data.map_layers import map_layers
from console.services.feed import LIVE, ChangeFeed
from console.services.seat import SeatController
from console.services.session import Seat, Session
from console.widgets.camera_sync import apply_camera_changes
from console.widgets.map_view import CaseMapView
from tests.widgets.test_map_view import CAMERAS, js, seed_cases_and_cameras, state



@pytest.fixture
def shared_file(sqlite_template, tmp_path):
    path = tmp_path / "hall.db"
    shutil.copy(sqlite_template, path)
    return path


def seat(path: Path, name: str, qtbot):
    db = Database(f"sqlite:///{path}")
    session = Session(db=db, username=name, display_name=name, role="intake", seat_name=name, seat=Seat("operator"))
    feed = ChangeFeed.for_database(db)
    controller = SeatController(session, feed=feed)
    controller.start()
    return db, feed, controller


def test_a_status_change_on_one_seat_redraws_the_other_seats_map(shared_file, qtbot):
    first_db = Database(f"sqlite:///{shared_file}")
    seed_cases_and_cameras(first_db)
    first_db.dispose()
    db_a, feed_a, seat_a = seat(shared_file, "受理席1", qtbot)
    db_b, feed_b, seat_b = seat(shared_file, "受理席2", qtbot)
    view = CaseMapView()
    view.resize(900, 700)
    view.show()
    try:
        with qtbot.waitSignal(view.sig_ready, timeout=30000):
            view.build(map_layers(db_b))
        view.show_cameras(True)
        feed_b.sig_changed.connect(lambda batch: apply_camera_changes(batch, seat_b, [view.update_cameras]))
        feed_b.start()
        qtbot.waitUntil(lambda: feed_b.health.state == LIVE, timeout=5000)
        assert state(view, qtbot)["cameras"] == {"online": 1, "offline": 1, "fault": 1}
        online = next(c[0] for c in CAMERAS if c[4] == "online")
        done: list[int] = []
        seat_a.set_camera_status(online, "fault", done.append)
        qtbot.waitUntil(lambda: bool(done), timeout=5000)
        qtbot.waitUntil(lambda: state(view, qtbot)["cameras"] == {"online": 0, "offline": 1, "fault": 2}, timeout=10000)
        marks = js(view, qtbot, "JSON.stringify(uc.cameras.map(m => m.getElement() ? m.getElement().textContent : ''))")
        assert "✕" in "".join(marks) and "○" in "".join(marks)  # never colour alone
    finally:
        for controller, feed, db in ((seat_a, feed_a, db_a), (seat_b, feed_b, db_b)):
            feed.stop()
            controller.stop()
            qtbot.waitUntil(lambda c=controller: c.idle, timeout=5000)
        view.close()
        view.deleteLater()
        qtbot.waitUntil(lambda: not shiboken6.isValid(view), timeout=10000)
        feed_a.deleteLater(), feed_b.deleteLater(), seat_a.deleteLater(), seat_b.deleteLater()
        db_a.dispose(), db_b.dispose()


def test_the_nearest_cameras_of_a_case_are_ringed_with_rank_and_distance(shared_file, qtbot):
    db = Database(f"sqlite:///{shared_file}")
    seed_cases_and_cameras(db)
    view = CaseMapView()
    view.resize(900, 700)
    view.show()
    try:
        with qtbot.waitSignal(view.sig_ready, timeout=30000):
            view.build(map_layers(db))
        view.show_cameras(True)
        lon, lat = 117.605, 26.265
        nearest = nearest_cameras(db, lon, lat, n=2, radius_m=5000)
        assert len(nearest) == 2 and nearest[0].distance_m <= nearest[1].distance_m
        with qtbot.waitCallback(timeout=10000) as cb:
            view.highlight_cameras([(c.id, c.distance_m) for c in nearest], on_done=cb)
        assert cb.args[0] == {"highlighted": 2}
        assert state(view, qtbot)["highlighted"] == [c.id for c in nearest]
        labels = js(view, qtbot, "JSON.stringify(Array.from(document.querySelectorAll('.uc-cam-rank'))"
                                 ".map(e => e.textContent))")
        assert labels[0].startswith("1 · ") and labels[0].endswith(" 米")
    finally:
        view.close()
        view.deleteLater()
        qtbot.waitUntil(lambda: not shiboken6.isValid(view), timeout=10000)
        db.dispose()

"""The workstation's map: cameras off on operator seats and remembered per user; the map follows the queue's area.

QSettings is pointed at the test's own directory: no test reads or writes the real ~/.config.
"""
from __future__ import annotations

import shiboken6
import pytest

from console.services import settings
from console.services.settings import SeatSettings

from console.services.session import Seat, Session
from console.widgets.workstation import Workstation
from tests.widgets.test_map_view import city, sqlite_db, state  # noqa: F401 - fixtures


@pytest.fixture
def open_seat(qtbot, user_settings):
    windows: list[Workstation] = []

    def open_(db, username: str, seat: Seat = Seat("operator")) -> Workstation:
        session = Session(db=db, username=username, display_name=username, role="dispatcher", seat_name="派遣席1",
                          seat=seat)
        window = Workstation(session)
        windows.append(window)
        window.resize(1600, 1000)
        with qtbot.waitSignal(window.map.sig_ready, timeout=30000):
            window.show()
        return window

    yield open_
    for window in windows:
        if shiboken6.isValid(window):
            window.close()
            window.deleteLater()
    for window in windows:
        qtbot.waitUntil(lambda w=window: not shiboken6.isValid(w), timeout=10000)


def test_cameras_are_off_on_an_operator_seat_and_remembered_per_user(city, open_seat, qtbot, user_settings):
    db, _ = city
    first = open_seat(db, "dispatch1")
    assert not first.cameras_action.isChecked() and state(first.map, qtbot)["camerasShown"] is False
    first.cameras_action.trigger()  # 地图 › 显示摄像头: one toggle
    qtbot.waitUntil(lambda: state(first.map, qtbot)["camerasShown"] is True, timeout=5000)
    first.close()
    stored = (user_settings / "urban-console" / "console.conf").read_text(encoding="utf-8")
    assert "dispatch1" in stored and "cameras=true" in stored  # the settings service, under the test's own config

    again = open_seat(db, "dispatch1")
    assert again.cameras_action.isChecked() and state(again.map, qtbot)["camerasShown"] is True
    other = open_seat(db, "dispatch2")
    assert not other.cameras_action.isChecked() and state(other.map, qtbot)["camerasShown"] is False

    # the map's own layer switch is the same toggle: unticked there, remembered too
    checkbox = ("Array.from(document.querySelectorAll('.leaflet-control-layers label'))"
                ".find(l => l.textContent.trim() === '摄像头').querySelector('input')")
    again.map.run_js(f"{checkbox}.click(); '1'")
    qtbot.waitUntil(lambda: not again.cameras_action.isChecked(), timeout=5000)
    assert SeatSettings("dispatch1", "operator").get(settings.CAMERAS_SHOWN) is False


def test_a_street_seat_shows_cameras_by_default(city, open_seat, qtbot):
    db, _ = city
    street = open_seat(db, "street_350402001", Seat("street", "350402001"))
    assert street.cameras_action.isChecked() and state(street.map, qtbot)["camerasShown"] is True


def test_the_map_follows_the_queues_street_and_community_filter(city, open_seat, qtbot):
    db, _ = city
    window = open_seat(db, "dispatch1")
    street = window.queue.findChild(object, "filter_street")
    community = window.queue.findChild(object, "filter_community")
    street.setCurrentIndex(street.findData("350402002"))
    qtbot.waitUntil(lambda: state(window.map, qtbot)["focus"] == "350402002", timeout=5000)
    assert state(window.map, qtbot)["center"] == pytest.approx([117.63, 26.27], abs=1e-4)
    community.setCurrentIndex(community.findData("350402002002"))
    qtbot.waitUntil(lambda: state(window.map, qtbot)["focus"] == "350402002002", timeout=5000)
    assert state(window.map, qtbot)["center"] == pytest.approx([117.63, 26.275], abs=1e-4)
    window.queue.filter_to_grid("350402001001002")  # a grid clicked on the map: its community
    qtbot.waitUntil(lambda: state(window.map, qtbot)["focus"] == "350402001001", timeout=5000)
    window.queue.clear_filters()
    qtbot.waitUntil(lambda: state(window.map, qtbot)["focus"] is None, timeout=5000)


def test_a_selected_case_lists_its_nearest_cameras_and_rings_them_on_the_map(city, open_seat, qtbot):
    from console.data.cameras import cameras as every_camera
    from console.domain.spatial import distances_m
    from console.widgets.nearest_cameras import NEAREST_RADIUS_M

    db, ids = city
    window = open_seat(db, "dispatch1")
    panel = window.nearest_cameras
    window.show_case(ids[0])  # 800 m from the nearest camera: none within 500 m
    qtbot.waitUntil(lambda: "（500 米内 0 个）" in panel.heading.text(), timeout=10000)
    window.show_case(ids[3])  # 列西广场 is some 300 m away
    qtbot.waitUntil(lambda: panel.list.count() > 0, timeout=10000)
    row = window._shown.row  # the case shown
    cams = every_camera(db)
    dist = distances_m(row.lon, row.lat, [c.lon for c in cams], [c.lat for c in cams])
    expected = [c.id for d, c in sorted(zip(dist, cams), key=lambda p: (p[0], p[1].id)) if d <= NEAREST_RADIUS_M]
    assert [c.id for c in panel.cameras] == expected[:9] and expected  # by distance, as brute force says
    assert "米" in panel.list.item(0).text() and panel.list.item(0).text().startswith("1. ")
    qtbot.waitUntil(lambda: state(window.map, qtbot)["highlighted"] == expected[:9], timeout=10000)

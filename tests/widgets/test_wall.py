"""The wall (大屏): legible from 10 m, the hall's own numbers, live without storms, rotation with pause,
no caller data, unattended (stale banner and recovery, screen saver, map page recycling), its screen."""
from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
import shiboken6
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QFontInfo, QGuiApplication
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLabel, QWidget
from sqlalchemy import select
from sqlalchemy.engine import make_url

import console.widgets.wall as wall_module
from console.data import demo
from console.data import models as m
from console.data.accounts import add_user
from console.data.commands import report_case
from console.data.db import Database
from console.data.schema import upgrade
from console.domain.clocks import Light
from console.domain.evaluation import period_of
from console.domain.workflow import Role, State, allowed_actions
from console.services import settings
from console.services.feed import ChangeFeed
from console.services.figures import compare, headline
from console.services.session import CommandError, Seat, Session, wall_session
from console.services.settings import SeatSettings
from console.services.wall import ScreenSaverInhibitor
from console.widgets.wall import WallPlacement, WallView, WallWindow, wall_fonts, wall_texts
from console.widgets.theme import WALL
from tests.data.test_commands import GARBAGE
from tests.services.tcp_proxy import TcpProxy
from tests.clips import QT_VIDEO_LOG_IGNORE
from tests.widgets.test_map_view import INSPECTOR, NOW, city, js, sqlite_db, state  # noqa: F401 - fixtures


def wall_of(db: Database) -> Session:
    return Session(db=db, username="wall1", display_name="指挥中心大屏", role=Role.WALL, seat_name="大屏",
                   seat=Seat("wall"))


@pytest.fixture
def open_wall(qtbot):
    walls: list[WallWindow] = []

    def open_(db: Database, *, size=(1920, 1080), clock=lambda: NOW, **kw) -> WallWindow:
        window = WallWindow(wall_of(db), clock=clock, **kw)
        walls.append(window)
        window.resize(*size)
        window.show()
        with qtbot.waitSignal(window.sig_board, timeout=30000):
            window.start()
        return window

    yield open_
    for window in walls:
        if shiboken6.isValid(window):
            window.close()
            window.deleteLater()
    for window in walls:
        qtbot.waitUntil(lambda w=window: not shiboken6.isValid(w), timeout=10000)


def _px(widget: QWidget) -> int:
    return QFontInfo(widget.font()).pixelSize()


def test_readable_from_10_m_with_the_halls_own_numbers(city, open_wall, qtbot):
    db, _ = city
    wall = open_wall(db, size=(3840, 2160), with_map=False)
    fonts = wall_fonts(wall)
    assert len(fonts) > 25  # labels, the four charts' axes and their bars' numbers
    assert any(where.startswith("axis") for where, _ in fonts) and any(where.startswith("bar") for where, _ in fonts)
    assert [f for f in fonts if f[1] < 32] == []  # no text under 32 px at 3840×2160
    assert min(_px(t.value) for t in wall.tiles) >= 120  # KPI numbers at least 120 px

    today = compare(db, "day", NOW)  # the function the leader seat and the brief use
    assert today.current.value("reported") == 4
    for tile in wall.tiles:
        assert tile.value.text() == today.current.text(tile.figure_id)
        assert today.change_text(tile.figure_id) in tile.change.text()
    assert wall.board.hours == headline_hours(db)

    wall.resize(1920, 1080)  # the same layout, scaled with the height
    qtbot.waitUntil(lambda: wall.height() == 1080)
    assert _px(wall.tiles[0].value) == WALL.size("kpi_value", 1080) == 66
    assert min(px for _, px in wall_fonts(wall)) >= 16


def headline_hours(db: Database) -> tuple[int, ...]:
    from console.services.figures import intake_by_hour

    return intake_by_hour(db, period_of("day", NOW))


def test_a_hundred_changes_cost_a_few_reads_not_a_hundred(city, open_wall, qtbot, monkeypatch):
    db, _ = city
    reads: list[int] = []
    real = wall_module.read_board
    monkeypatch.setattr(wall_module, "read_board", lambda database, now: reads.append(1) or real(database, now))
    changes: list[int] = []
    feed = ChangeFeed.for_database(db)
    feed.sig_changed.connect(lambda batch: changes.append(len(batch)))
    wall = open_wall(db, with_map=False, feed=feed, throttle_ms=1000)
    first = len(reads)
    assert first == 1
    for i in range(100):
        report_case(db, INSPECTOR, source="inspector", lon=117.605, lat=26.265, category_code=GARBAGE,
                    description="路边暴露垃圾", address="列东街", at=NOW - timedelta(minutes=1 + i % 30))
    expected = headline(db, period_of("day", NOW)).text("reported")
    assert expected == "104"
    qtbot.waitUntil(lambda: sum(changes) >= 100, timeout=20000)
    qtbot.waitUntil(lambda: wall.tiles[0].value.text() == expected, timeout=20000)
    later = len(reads) - first
    assert 1 <= later <= 4  # throttled to one read per second, however many changes came
    assert wall.refresh.reads == len(reads)


def test_rotation_pauses_on_input_and_resumes_when_idle(city, open_wall, qtbot):
    db, _ = city
    wall = open_wall(db, with_map=False, dwell_ms=80, idle_ms=600)
    made: list[str] = []

    def view(key: str):  # noqa: ANN202
        return lambda: made.append(key) or QLabel(key)

    qtbot.waitUntil(lambda: wall.layers is not None, timeout=10000)  # the playlist made of the map's streets
    assert [v.key for v in wall.rotation.views] == ["district", "street:350402001", "street:350402002", "cameras"]
    wall.set_playlist([WallView(k, k, factory=view(k)) for k in ("district", "street", "cameras")])
    qtbot.waitUntil(lambda: made == ["district", "street", "cameras"], timeout=5000)  # each view in turn
    events: list[tuple[str, object]] = []
    wall.rotation.sig_show.connect(lambda i: events.append(("show", i)))
    wall.rotation.sig_paused.connect(lambda p: events.append(("paused", p)))
    QTest.keyClick(wall.windowHandle(), Qt.Key.Key_Space)  # any key
    assert wall.rotation.paused and wall.paused_label.isVisible()
    assert "已暂停" in wall.paused_label.text() and "s 后继续" in wall.paused_label.text()
    shown = wall.stack.currentWidget()
    qtbot.waitUntil(lambda: not wall.rotation.paused, timeout=5000)  # resumes after idle
    assert events[0] == ("paused", True) and events[1] == ("paused", False)  # nothing moved while paused
    assert [e for e in events[:2] if e[0] == "show"] == []
    qtbot.waitUntil(lambda: wall.stack.currentWidget() is not shown, timeout=5000)
    assert not wall.paused_label.isVisible()
    QTest.mouseMove(wall.windowHandle(), QPoint(200, 200))  # a mouse move pauses too
    QTest.mouseMove(wall.windowHandle(), QPoint(260, 240))
    assert wall.rotation.paused
    assert made == ["district", "street", "cameras"]  # views are made once, then reused


@pytest.fixture
def demo_db(tmp_path):
    db = Database(f"sqlite:///{tmp_path / 'demo.db'}")
    upgrade(db)
    summary = demo.generate(db, "small", seed=3, history_days=3, now=NOW)
    yield db, summary
    db.dispose()


def test_no_caller_name_or_phone_reaches_the_wall(demo_db, open_wall, qtbot):
    db, _ = demo_db
    with db.read() as s:
        callers = s.execute(select(m.Case.caller_name, m.Case.caller_phone)
                            .where(m.Case.caller_name.is_not(None))).all()
    secrets = {v for row in callers for v in row if v}
    assert len(secrets) > 10  # the demo has hotline callers with phones
    wall = open_wall(db, size=(3840, 2160), dwell_ms=200)
    qtbot.waitUntil(lambda: wall.map.ready and len(wall.map._cases) == len(wall.board.markers), timeout=30000)
    qtbot.waitUntil(lambda: "cameras" in wall._views, timeout=10000)  # the rotation reached the camera view
    pushed = wall.map.pushed_state()
    assert wall.board.markers and str(wall.board.markers[0].number) in pushed
    texts = "\n".join(wall_texts(wall)) + "\n" + pushed + "\n" + repr(wall.board)
    assert any(c.number in wall.ticker.text() for c in wall.board.overdue)  # the ticker is in what we searched
    assert [s for s in secrets if s in texts] == []


def test_stale_banner_on_database_loss_and_recovery_alone(pg_db, qtbot, open_wall):
    db = pg_db
    url = make_url(db.url)
    with TcpProxy((url.host or "127.0.0.1", url.port or 5432)) as proxy:
        wall_db = Database(url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False))
        wall = open_wall(wall_db, with_map=False, feed=ChangeFeed.for_database(wall_db), throttle_ms=300,
                         stall_ms=500)
        assert not wall.stale_banner.isVisible()
        good = wall.tiles[0].value.text()
        proxy.cut()
        wall.refresh.now()
        qtbot.waitUntil(lambda: wall.stale_banner.isVisible(), timeout=10000)
        assert "数据库连接中断" in wall.stale_banner.text()
        assert wall.tiles[0].value.text() == good  # the last good picture stays
        proxy.restore()
        report_case(db, INSPECTOR, source="inspector", lon=117.605, lat=26.265, category_code=GARBAGE,
                    description="路边暴露垃圾", address="列东街", at=NOW)
        qtbot.waitUntil(lambda: not wall.stale_banner.isVisible(), timeout=20000)
        qtbot.waitUntil(lambda: wall.tiles[0].value.text() == str(int(good) + 1), timeout=20000)
        wall.close()
        wall_db.dispose()


def test_screen_saver_inhibit_is_a_no_op_without_a_session_bus(monkeypatch):
    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS", raising=False)
    inhibitor = ScreenSaverInhibitor()
    assert inhibitor.inhibit() is False and not inhibitor.active
    assert "no session bus" in inhibitor.reason
    inhibitor.release()  # nothing to release, no error

    class Disconnected:
        def isConnected(self) -> bool:  # noqa: N802 - QDBusConnection's name
            return False

    other = ScreenSaverInhibitor(bus=lambda: Disconnected())
    assert other.inhibit() is False and other.cookie is None


def test_screen_saver_on_windows_holds_the_execution_state_and_gives_it_back():
    class Kernel32:  # ctypes.windll.kernel32 as the wall calls it; only reachable on Windows
        def __init__(self, answer: int) -> None:
            self.calls: list[int] = []
            self.answer = answer

        def SetThreadExecutionState(self, flags: int) -> int:  # noqa: N802 - the Win32 name
            self.calls.append(flags)
            return self.answer

    kernel = Kernel32(answer=0x80000000)  # the previous state: success
    inhibitor = ScreenSaverInhibitor(kernel32=kernel, bus=lambda: pytest.fail("no D-Bus on Windows"))
    assert inhibitor.inhibit() is True and inhibitor.active
    inhibitor.release()
    assert kernel.calls == [0x80000003, 0x80000000] and not inhibitor.active  # continuous|system|display, then continuous
    refused = ScreenSaverInhibitor(kernel32=Kernel32(answer=0))
    assert refused.inhibit() is False and "refused" in refused.reason and not refused.active


def test_map_page_recycled_without_a_blank_frame(city, open_wall, qtbot):
    db, _ = city
    wall = open_wall(db, size=(1600, 900))
    qtbot.waitUntil(lambda: wall.map.ready and wall.layers is not None, timeout=30000)
    qtbot.waitUntil(lambda: state(wall.map, qtbot)["cases"] == 4, timeout=10000)
    old = wall.map
    wall.recycle_map()
    fresh = wall._next_map
    assert fresh is not None and not fresh.isVisible() and wall.stack.currentWidget() is old  # built hidden
    qtbot.waitUntil(lambda: wall.recycles == 1, timeout=30000)
    assert wall.map is fresh and wall.stack.currentWidget() is fresh and fresh.isVisible()
    qtbot.waitUntil(lambda: not shiboken6.isValid(old), timeout=10000)  # the old page is deleted
    got = state(fresh, qtbot)
    assert got["cases"] == 4 and got["camerasShown"] is True


def test_wall_account_signs_in_without_a_password_and_can_do_nothing(sqlite_db):
    db = sqlite_db
    with pytest.raises(CommandError, match="no wall account"):
        wall_session(db)
    add_user(db, "wall1", "wall", password="Wall-Display-2026", display_name="指挥中心大屏", seat="大屏")
    add_user(db, "leader9", "leader", password="Leader-Seat-2026")
    session = wall_session(db)
    assert session.role == Role.WALL and session.seat == Seat("wall") and session.username == "wall1"
    with pytest.raises(CommandError, match="not an active account of role wall"):
        wall_session(db, "leader9")  # no other account signs in without its password
    assert all(allowed_actions(state, Role.WALL) == [] for state in State)


def test_placement_remembers_the_screen_by_name(open_wall, city, qtbot, user_settings):
    db, _ = city
    wall = open_wall(db, with_map=False)
    placement = WallPlacement(wall, "hall-wall")
    assert SeatSettings("", "wall").get(settings.WALL_SCREEN) == "hall-wall"
    assert placement.screen() is QGuiApplication.primaryScreen()  # not plugged in: the primary meanwhile
    placement.place()
    assert wall.isFullScreen() and wall.windowFlags() & Qt.WindowType.FramelessWindowHint
    again = WallPlacement(wall)
    assert again.name == "hall-wall"  # remembered for the next boot
    primary = QGuiApplication.primaryScreen().name()
    assert WallPlacement(wall, primary).screen().name() == primary


def test_placement_follows_screens_going_and_coming(open_wall, city, qtbot):
    db, _ = city
    wall = open_wall(db, with_map=False)
    primary = QGuiApplication.primaryScreen()
    placement = WallPlacement(wall, primary.name())
    placed: list[str] = []
    real = placement.place
    placement.place = lambda: (placed.append(placement.screen().name()), real())[1]
    QGuiApplication.instance().screenRemoved.emit(primary)  # a cable pulled: placed again after Qt moved it
    qtbot.waitUntil(lambda: placed == [primary.name()], timeout=5000)
    QGuiApplication.instance().screenAdded.emit(primary)  # back: onto the remembered screen at once
    assert placed == [primary.name(), primary.name()] and wall.isFullScreen()


def test_run_wall_opens_signed_in_full_screen_with_its_feed(sqlite_db, qtbot, user_settings):
    from console.app import open_wall

    db = sqlite_db
    add_user(db, "wall1", "wall", password="Wall-Display-2026")
    window = open_wall(db, wall_session(db), screen="hall-wall")  # what `run --seat wall --screen hall-wall` opens
    try:
        qtbot.waitUntil(lambda: window.board is not None, timeout=30000)
        assert window.isFullScreen() and window.windowFlags() & Qt.WindowType.FramelessWindowHint
        assert window.feed is not None and window.feed.running
        assert window.session.role == Role.WALL
        assert SeatSettings("", "wall").get(settings.WALL_SCREEN) == "hall-wall"
    finally:
        window.close()
        window.deleteLater()
        qtbot.waitUntil(lambda: not shiboken6.isValid(window), timeout=10000)


def test_screenshot_of_the_wall_draws_map_and_charts(city, tmp_path, qtbot):
    from PySide6.QtGui import QImage

    from console.app import screenshot

    db, _ = city
    add_user(db, "wall1", "wall", password="Wall-Display-2026")
    out = screenshot(db, view="wall", out=tmp_path / "wall.png", size=(1920, 1080))
    image = QImage(str(out))
    assert (image.width(), image.height()) == (1920, 1080)
    # the map's area (left, under the tiles) is drawn: more than one colour, not a blank page
    colours = {image.pixel(x, y) for x in range(40, 1000, 37) for y in range(300, 1000, 41)}
    assert len(colours) > 5
    from console.widgets.wall import WallWindow
    from PySide6.QtWidgets import QApplication

    # the window and its map pages are gone when screenshot returns, not left for the profile's release
    assert not [w for w in QApplication.topLevelWidgets() if isinstance(w, WallWindow)]


_SMALLEST_MAP_TEXT = """(function () {
  var smallest = 1e9, seen = 0, where = "";
  document.querySelectorAll("body *").forEach(function (el) {
    var own = Array.prototype.some.call(el.childNodes, function (n) { return n.nodeType === 3 && n.textContent.trim(); });
    var box = el.getBoundingClientRect();
    if (!own || box.width === 0 || box.height === 0 || getComputedStyle(el).visibility === "hidden") { return; }
    var px = parseFloat(getComputedStyle(el).fontSize);
    seen += 1;
    if (px < smallest) { smallest = px; where = el.className + ": " + el.textContent.trim().slice(0, 20); }
  });
  return JSON.stringify({smallest: smallest, seen: seen, where: where});
})()"""


def test_the_walls_map_text_is_readable_from_10_m_too(city, open_wall, qtbot):
    """The map's legend, labels and scale at 3840×2160: none under 32 px on the screen (screens.md)."""
    db, _ = city
    wall = open_wall(db, size=(3840, 2160))
    qtbot.waitUntil(lambda: wall.map.ready and wall.layers is not None, timeout=30000)
    qtbot.waitUntil(lambda: state(wall.map, qtbot)["cases"] == 4, timeout=10000)
    text = js(wall.map, qtbot, _SMALLEST_MAP_TEXT)
    assert text["seen"] > 10  # the legend's lines, street and community names, the scale
    assert text["smallest"] * wall.map.zoomFactor() >= 32, text["where"]
    # and the whole city is shown, beside the legend: no grid cut at the edge or hidden under it
    view = js(wall.map, qtbot, _CITY_IN_VIEW)
    assert view["left"] >= 0 and view["top"] >= 0 and view["bottom"] <= view["height"], view
    assert view["right"] <= view["legend_left"], view


_CITY_IN_VIEW = """(function () {
  var m = uc.map, b = uc.gridLayer.getBounds(), size = m.getSize();
  var sw = m.latLngToContainerPoint(b.getSouthWest()), ne = m.latLngToContainerPoint(b.getNorthEast());
  var legend = document.querySelector(".uc-legend").getBoundingClientRect();
  var pane = m.getContainer().getBoundingClientRect();
  return JSON.stringify({left: sw.x, bottom: sw.y, right: ne.x, top: ne.y, height: size.y,
                         legend_left: legend.left - pane.left});
})()"""


def test_a_long_ticker_never_widens_the_wall_past_its_screen(city, open_wall, qtbot):
    """Six overdue cases in the ticker at 4K were wider than the screen: the window grew to 5,968 px."""
    db, _ = city
    wall = open_wall(db, size=(1920, 1080))
    wall.ticker.setText("     ".join(["● 红 202600000361 非法小广告 · 列东街道 · 城市管理综合执法大队 · 超期 16 小时 42 分"] * 6))
    wall.layout().activate()  # the layout's new minimum applied now (it would be on the next turn of the loop)
    assert wall.width() == 1920 and wall.minimumSizeHint().width() <= 1920
    assert wall.ticker.width() <= wall.width()


@pytest.mark.qt_log_ignore(*QT_VIDEO_LOG_IGNORE)
def test_the_camera_view_of_the_rotation_is_a_3x3_wall_of_the_online_cameras(city, open_wall, qtbot, tmp_path):
    from console.bench.clips import make_clip
    from console.widgets.camera_wall import CameraWall

    db, _ = city
    clip = make_clip(tmp_path / "clip.mp4", seconds=1.0)
    with db.write() as s:
        cameras = list(s.scalars(select(m.Camera).order_by(m.Camera.id)))
        assert len(cameras) >= 2
        for camera in cameras:
            camera.status, camera.stream_url = "offline", clip.as_uri()  # offline: not on the wall
        cameras[0].status = "online"
    wall = open_wall(db, with_map=False)
    holder = wall.camera_view_factory()
    qtbot.waitUntil(lambda: isinstance(holder.currentWidget(), CameraWall), timeout=10000)
    grid = holder.currentWidget()
    assert grid.cells == 9
    assert [v.camera.id for v in grid.views if v.camera is not None] == [cameras[0].id]
    holder.setParent(wall)  # closed with the wall; its players are released by the wall's stop


def test_the_tickers_dots_are_the_red_lights_and_its_words_are_escaped(demo_db, open_wall, qtbot):
    """The ticker's ● was drawn in the ticker's white: on the wall a red case reads red, word and dot."""
    from PySide6.QtGui import QColor

    db, _ = demo_db
    wall = open_wall(db, with_map=False)
    assert wall.board.overdue, "the demo has overdue cases"
    qtbot.waitUntil(lambda: wall.ticker.height() >= wall.ticker.sizeHint().height(), timeout=5000)
    image = wall.ticker.grab().toImage()
    red = QColor(WALL.light(Light.RED))
    reds = sum(1 for x in range(0, image.width(), 2) for y in range(0, image.height(), 2)
               if _near(image.pixelColor(x, y), red))
    assert reds > 10, reds
    # a department named with markup stays text: the ticker shows it, it does not render it
    first = wall.board.overdue[0]
    wall.board = replace(wall.board, overdue=(replace(first, department="<b>执法</b>队"), *wall.board.overdue[1:]))
    wall._show_ticker()
    assert "&lt;b&gt;执法&lt;/b&gt;队" in wall.ticker.text()


def _near(a, b, tolerance: int = 40) -> bool:  # noqa: ANN001 - QColors
    return abs(a.red() - b.red()) + abs(a.green() - b.green()) + abs(a.blue() - b.blue()) < tolerance

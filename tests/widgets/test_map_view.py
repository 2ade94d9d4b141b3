"""The operator map: its read queries (both databases) and the WebEngine view (offscreen).

WebEngine tests are few and short: each builds one view on the tiny city,
waits for the page's own `bridge.ready()`, drives it through the public API or
by firing Leaflet events in the page, reads the state back through the bridge,
and deletes the view (page before profile) before the next test.
"""
from __future__ import annotations

import json
import math
import re
import shutil
import sqlite3
from datetime import timedelta
from importlib import resources
from pathlib import Path

import pytest
import shapely
import shiboken6
from sqlalchemy import select
from PySide6.QtCore import QBuffer, QIODevice
from PySide6.QtGui import QColor, QImage

from console.data import models as m
from console.data.commands import Actor, report_case
from console.data.db import Database
from console.data.map_layers import (
    CaseMarker,
    grid_case_counts,
    map_layers,
    open_case_markers,
)
from console.data.figures import count_by_light
from console.widgets.map_page import BRIDGE_MODULES, build_page_html, external_urls
from console.widgets.map_view import CaseMapView, LocalOnlyInterceptor, MBTiles, scheme_registered
from tests.data.test_commands import GARBAGE, T0

INSPECTOR = Actor("王监督", "inspector", seat="城管通")
NOW = T0 + timedelta(minutes=40)
# Intake limit 30 working minutes, yellow from 24: reported at T0 -> red at NOW,
# T0+14 min -> yellow, T0+30 min -> green.
REPORTS = [(117.605, 26.265, 0), (117.615, 26.275, 14), (117.625, 26.265, 30), (117.635, 26.275, 30)]
CAMERAS = [("34020000001320000001", "列东路口", 117.603, 26.272, "online"),
           ("34020000001320000002", "列西桥头", 117.627, 26.262, "offline"),
           ("34020000001320000003", "列西广场", 117.633, 26.277, "fault")]


def seed_cases_and_cameras(db: Database) -> list[int]:
    with db.write() as s:
        for cid, name, lon, lat, status in CAMERAS:
            street = "350402001" if lon < 117.62 else "350402002"
            s.add(m.Camera(id=cid, name=name, lon=lon, lat=lat, status=status, street_code=street))
    ids = []
    for lon, lat, minutes in REPORTS:
        ref = report_case(db, INSPECTOR, source="inspector", lon=lon, lat=lat, category_code=GARBAGE,
                          description="路边暴露垃圾", address="列东街", at=T0 + timedelta(minutes=minutes))
        with db.read() as s:
            ids.append(s.scalar(select(m.Case.id).where(m.Case.number == ref.number)))
    return ids


# --- the read queries, on SQLite and PostgreSQL ----------------------------------------------


def test_map_layers_lights_heat_and_scope(db):
    seed_cases_and_cameras(db)
    layers = map_layers(db)
    assert (len(layers.streets), len(layers.communities), len(layers.grids), len(layers.cameras)) == (2, 4, 8, 3)
    assert {s.name for s in layers.streets} == {"列东街道", "列西街道"}
    assert layers.grids[0].geometry.bounds == pytest.approx((117.60, 26.26, 117.61, 26.27))
    east = map_layers(db, scope="350402001")
    assert (len(east.streets), len(east.communities), len(east.grids), len(east.cameras)) == (1, 2, 4, 1)

    markers = open_case_markers(db, now=NOW)
    assert [c.light for c in markers] == ["red", "yellow", "green", "green"]
    assert all(c.category == "暴露垃圾" for c in markers)
    assert markers[0].grid_code == "350402001001001"
    counts = count_by_light(db, NOW)
    assert {light: sum(c.light == light for c in markers) for light in counts} == counts
    assert [c.light for c in open_case_markers(db, scope="350402002", now=NOW)] == ["green", "green"]
    assert len(open_case_markers(db, now=NOW, ids=[markers[1].id])) == 1

    assert grid_case_counts(db, now=NOW) == {
        "350402001001001": 1, "350402001002002": 1, "350402002001001": 1, "350402002002002": 1}
    assert grid_case_counts(db, "overdue", now=NOW) == {"350402001001001": 1}
    assert grid_case_counts(db, "overdue", scope="350402002", now=NOW) == {}
    with pytest.raises(ValueError, match="heat mode 'late'"):
        grid_case_counts(db, "late")  # type: ignore[arg-type]


# --- the page and its pieces, without a browser ----------------------------------------------


def test_generated_page_is_offline(sqlite_db):
    html = build_page_html(map_layers(sqlite_db))
    assert external_urls(html) == []
    assert not re.search(r"(cdn|unpkg|jsdelivr|cdnjs|bootstrap|jquery)", html, re.I)
    for asset in ("vendor/leaflet/leaflet.js", "vendor/markercluster/leaflet.markercluster.js",
                  "qrc:///qtwebchannel/qwebchannel.js", '"preferCanvas": true', '"maxZoom": 18'):
        assert asset in html
    # the bridge's modules, every one of them, in load order (protocol defines window.uc first)
    scripts = re.findall(r'<script src="res/bridge/(\w+)\.js"></script>', html)
    assert scripts == list(BRIDGE_MODULES) and scripts[0] == "protocol"
    shipped = sorted(p.name for p in resources.files("console.resources").joinpath("map", "bridge").iterdir())
    assert shipped == sorted(f"{n}.js" for n in BRIDGE_MODULES)
    intranet = build_page_html(map_layers(sqlite_db), basemap=_xyz("http://tiles.hall.lan/{z}/{x}/{y}.png"))
    assert external_urls(intranet, ("tiles.hall.lan",)) == []
    assert external_urls(intranet) == ["http://tiles.hall.lan/{z}/{x}/{y}.png"]


def _xyz(url: str):
    from console.widgets.map_page import Basemap

    return Basemap(url, "内网底图")


def test_interceptor_rules(qapp):
    from console.widgets.map_view import _host_pattern
    from PySide6.QtCore import QUrl

    local = LocalOnlyInterceptor(None, [], _host_pattern("http://{s}.tiles.hall.lan/{z}/{x}/{y}.png"))
    for url in ("app://map/index.html", "qrc:///qtwebchannel/qwebchannel.js", "data:image/png;base64,AA",
                "http://127.0.0.1:8080/x", "http://localhost/x", "http://[::1]/x", "http://a.tiles.hall.lan/1/2/3.png"):
        assert local.allows(QUrl(url)), url
    for url in ("https://example.com/x", "http://tiles.hall.lan.evil.com/1.png", "https://unpkg.com/leaflet.js",
                "ftp://10.0.0.1/x"):
        assert not local.allows(QUrl(url)), url


def test_mbtiles_flips_tms_rows(tmp_path):
    path = make_mbtiles(tmp_path / "base.mbtiles", [(3, 6, 2)])
    tiles = MBTiles(path)
    assert tiles.tile(3, 6, 2) is not None  # XYZ row 2 is TMS row 5 at zoom 3
    assert tiles.tile(3, 6, 5) is None
    assert tiles.max_zoom == 17
    tiles.close()
    with pytest.raises(FileNotFoundError, match="MBTiles basemap not found"):
        MBTiles(tmp_path / "missing.mbtiles")


# --- the view in QtWebEngine ----------------------------------------------------------------


@pytest.fixture
def sqlite_db(sqlite_template, tmp_path):
    """The tiny city on SQLite only (the view reads no SQL; one backend is enough here)."""
    path = tmp_path / "map.db"
    shutil.copy(sqlite_template, path)
    database = Database(f"sqlite:///{path}")
    yield database
    database.dispose()


@pytest.fixture
def city(sqlite_db):
    ids = seed_cases_and_cameras(sqlite_db)
    return sqlite_db, ids


@pytest.fixture
def make_view(qtbot):
    views: list[CaseMapView] = []

    def make(db: Database, basemap=None) -> CaseMapView:
        view = CaseMapView(basemap=basemap)
        views.append(view)
        view.resize(1024, 768)
        view.show()
        with qtbot.waitSignal(view.sig_ready, timeout=30000):
            view.build(map_layers(db))
        return view

    yield make
    for view in views:
        view.close()
        view.deleteLater()  # the page, then its profile (tech-notes §9)
        qtbot.waitUntil(lambda v=view: not shiboken6.isValid(v), timeout=10000)


def state(view: CaseMapView, qtbot, **kw) -> dict:
    with qtbot.waitCallback(timeout=10000) as cb:
        view.js_state(cb, **kw)
    return cb.args[0]


def js(view: CaseMapView, qtbot, script: str):
    with qtbot.waitCallback(timeout=10000) as cb:
        view.run_js(script, cb)
    return cb.args[0]


def test_page_loads_offline_with_every_layer(city, make_view, qtbot):
    db, _ = city
    assert scheme_registered()
    view = make_view(db)
    s = state(view, qtbot)
    assert s["ready"] and s["errors"] == []
    assert s["grids"] == len(map_layers(db).grids) == 8
    assert s["cameras"] == {"online": 1, "offline": 1, "fault": 1}
    assert s["labels"]["grids"] + s["labels"]["communities"] + s["labels"]["streets"] > 0
    controls = js(view, qtbot, "JSON.stringify(Array.from(document.querySelectorAll("
                               "'.leaflet-control-layers label span span')).map(e => e.textContent.trim()))")
    assert controls == ["街道", "社区", "单元网格", "网格热力", "案件", "摄像头"]
    legend = js(view, qtbot, "JSON.stringify(document.querySelector('.uc-legend').textContent)")
    for word in ("红灯", "黄灯", "绿灯", "在线", "离线", "故障", "网格热力"):
        assert word in legend
    assert view.blocked_requests == []  # a clean load asks nothing from outside
    assert view.console_errors == []
    assert external_urls(view.page_html) == []


def test_case_deltas_lights_and_selection(city, make_view, qtbot):
    db, ids = city
    view = make_view(db)
    markers = open_case_markers(db, now=NOW)
    with qtbot.waitCallback(timeout=10000) as done:
        view.upsert_cases(markers, on_done=done)
    assert done.args[0] == {"added": 4, "updated": 0, "total": 4}
    s = state(view, qtbot, ids=True, case=ids[0])
    assert s["byLight"] == count_by_light(db, NOW) == {"green": 2, "yellow": 1, "red": 1}
    assert s["ids"] == sorted(ids)
    assert s["case"]["fillColor"] == "#D64541" and "红灯" in s["case"]["tip"]

    first = markers[0]
    view.upsert_cases([CaseMarker(first.id, first.number, 117.606, 26.266, "green", first.category, first.grid_code)])
    view.remove_cases([ids[3]])
    s = state(view, qtbot, ids=True, case=ids[0])
    assert s["byLight"] == {"green": 2, "yellow": 1, "red": 0}
    assert s["ids"] == sorted(ids[:3])
    assert s["case"]["fillColor"] == "#2E9D57" and "绿灯" in s["case"]["tip"]

    with qtbot.waitSignal(view.sig_auto_fit_changed, timeout=5000) as fit_signal:
        view.select_case(ids[1])
    assert fit_signal.args == [False]  # selecting pauses auto-fit
    s = state(view, qtbot)
    assert s["selected"] == ids[1] and s["selectedLabel"].endswith("黄灯")
    assert s["center"] == pytest.approx([117.615, 26.275], abs=1e-4)  # within a pixel
    view.remove_cases([ids[1]])
    assert state(view, qtbot)["selected"] is None


def test_sync_sends_only_the_markers_that_differ(city, make_view, qtbot, monkeypatch):
    db, ids = city
    view = make_view(db)
    markers = open_case_markers(db, now=NOW)
    view.sync_cases(markers)
    sent: list[dict] = []
    send = view._send  # noqa: SLF001 - the ops the page is sent
    monkeypatch.setattr(view, "_send", lambda msg, on_done=None: (sent.append(msg), send(msg, on_done)))

    view.sync_cases(markers)  # the same board again: nothing to send
    assert sent == []
    first = markers[0]
    assert first.light == "red"
    green = CaseMarker(first.id, first.number, first.lon, first.lat, "green", first.category, first.grid_code)
    view.sync_cases([green, *markers[1:3]])  # one light changed, the fourth case closed
    assert [(m["op"], m.get("ids"), [c[0] for c in m.get("cases", [])]) for m in sent] == [
        ("remove_cases", [markers[3].id], []), ("upsert_cases", None, [first.id])]
    s = state(view, qtbot, ids=True, case=first.id)
    assert s["ids"] == sorted(m.id for m in markers[:3]) and "绿灯" in s["case"]["tip"]

    sent.clear()
    heat = {markers[0].grid_code: 2}
    view.sync_heat(heat, "open")
    view.sync_heat(dict(heat), "open")  # the same heat again: nothing to send
    view.sync_heat(heat, "overdue")
    assert [(m["op"], m["counts"], m["mode"]) for m in sent] == [
        ("restyle_grids", heat, "open"), ("restyle_grids", heat, "overdue")]


def test_clicks_and_right_click_reach_python(city, make_view, qtbot):
    db, ids = city
    view = make_view(db)
    view.upsert_cases(open_case_markers(db, now=NOW))
    lon, lat, _ = REPORTS[2]
    with qtbot.waitSignal(view.sig_case_clicked, timeout=5000) as case_click:
        view.run_js(f"uc.map.fire('click', {{latlng: L.latLng({lat}, {lon})}}); '1'")
    assert case_click.args == [ids[2]]
    # A click on a grid where a case light sits is the case's, not the grid's.
    with qtbot.waitSignal(view.sig_case_clicked, timeout=5000) as over_grid:
        view.run_js(f"uc.grids.get('350402002001001').fire('click', {{latlng: L.latLng({lat}, {lon})}}); '1'")
    assert over_grid.args == [ids[2]]
    with qtbot.waitSignal(view.sig_grid_clicked, timeout=5000) as grid_click:
        view.run_js("uc.grids.get('350402002001002').fire('click', {latlng: L.latLng(26.2651, 117.6352)}); '1'")
    assert grid_click.args == ["350402002001002"]
    with qtbot.waitSignal(view.sig_new_case_at, timeout=5000) as right_click:
        view.run_js("uc.map.fire('contextmenu', {latlng: L.latLng(26.2651, 117.6052)}); '1'")
    assert right_click.args == pytest.approx([117.6052, 26.2651])


def test_auto_fit_stops_when_the_operator_pans_and_resumes(city, make_view, qtbot):
    db, _ = city
    view = make_view(db)
    view.upsert_cases(open_case_markers(db, now=NOW))
    fitted = state(view, qtbot)
    assert fitted["autoFit"] and view.auto_fit
    with qtbot.waitSignal(view.sig_auto_fit_changed, timeout=5000) as stopped:
        view.run_js("uc.map.panBy([150, 60], {animate: false}); '1'")
    assert stopped.args == [False] and not view.auto_fit
    panned = state(view, qtbot)
    assert not panned["autoFit"] and panned["center"] != pytest.approx(fitted["center"])
    view.upsert_cases([CaseMarker(99999, "2026-0099999", 117.601, 26.261, "red", "暴露垃圾", None)])
    assert state(view, qtbot)["center"] == pytest.approx(panned["center"])  # no jump while paused

    with qtbot.waitSignal(view.sig_auto_fit_changed, timeout=5000) as resumed:
        view.run_js("uc.fitButton.click(); '1'")  # the map's own 自动适配 button
    assert resumed.args == [True]
    assert state(view, qtbot)["autoFit"]
    view.run_js("uc.map.setZoom(12); '1'")
    qtbot.waitUntil(lambda: not view.auto_fit, timeout=5000)
    with qtbot.waitSignal(view.sig_auto_fit_changed, timeout=5000) as api:
        view.set_auto_fit(True)
    assert api.args == [True]
    # The operator's zoom animation lands first, then the fit (it waits for zoomend).
    qtbot.waitUntil(lambda: state(view, qtbot)["zoom"] > 12, timeout=5000)
    assert state(view, qtbot)["autoFit"]


def test_grid_heat_restyle(city, make_view, qtbot):
    db, _ = city
    view = make_view(db)
    view.restyle_grids(grid_case_counts(db, now=NOW))
    codes = ["350402001001001", "350402001001002"]
    s = state(view, qtbot, grids=codes)
    assert s["gridStyles"]["350402001001001"] == {"fillColor": "#FDE2C4", "fillOpacity": 0.45, "count": 1}
    assert s["gridStyles"]["350402001001002"]["count"] == 0
    view.restyle_grids({"350402001001002": 12}, mode="overdue")
    s = state(view, qtbot, grids=codes)
    assert s["heatMode"] == "overdue"
    assert s["gridStyles"]["350402001001002"]["fillColor"] == "#8C2D04"
    assert s["gridStyles"]["350402001001001"]["count"] == 0
    tip = js(view, qtbot, "JSON.stringify(uc.gridTip(uc.grids.get('350402001001002')))")
    assert "超期案件 12" in tip

    # a count that stays in its bin repaints nothing (the tip tells the new count); one that leaves it does
    with qtbot.waitCallback(timeout=10000) as same_bin:
        view.restyle_grids({"350402001001002": 13}, mode="overdue", on_done=same_bin)
    assert same_bin.args[0] == {"restyled": 0}
    assert "超期案件 13" in js(view, qtbot, "JSON.stringify(uc.gridTip(uc.grids.get('350402001001002')))")
    with qtbot.waitCallback(timeout=10000) as new_bin:
        view.restyle_grids({"350402001001002": 2}, mode="overdue", on_done=new_bin)
    assert new_bin.args[0] == {"restyled": 1}
    assert state(view, qtbot, grids=codes)["gridStyles"]["350402001001002"]["fillColor"] == "#FDE2C4"
    with qtbot.waitCallback(timeout=10000) as back:  # a new mode restyles every grid and renames the legend
        view.restyle_grids({"350402001001002": 2}, mode="open", on_done=back)
    assert back.args[0] == {"restyled": 8}
    assert "未结案件" in js(view, qtbot, "JSON.stringify(document.querySelector('.uc-legend').textContent)")


def test_interceptor_blocks_and_records_external_requests(city, make_view, qtbot):
    db, _ = city
    view = make_view(db)
    assert view.blocked_requests == []
    view.run_js("fetch('https://example.com/x').catch(() => 0); "
                "var i = document.createElement('img'); i.src = 'http://example.org/p.png'; "
                "document.body.appendChild(i); '1'")
    qtbot.waitUntil(lambda: len(view.blocked_requests) == 2, timeout=10000)
    assert sorted(view.blocked_requests) == ["http://example.org/p.png", "https://example.com/x"]


def make_mbtiles(path: Path, tiles: list[tuple[int, int, int]]) -> Path:
    """A tiny MBTiles file holding one plain PNG per XYZ (z, x, y), stored in TMS rows."""
    image = QImage(256, 256, QImage.Format.Format_RGB32)
    image.fill(QColor("#DDE7D0"))
    buf = QBuffer()
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buf, "PNG")
    png = bytes(buf.data().data())
    conn = sqlite3.connect(path)
    conn.executescript("CREATE TABLE metadata (name TEXT, value TEXT);"
                       "CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_data BLOB);")
    conn.executemany("INSERT INTO metadata VALUES (?, ?)",
                     [("name", "测试底图"), ("format", "png"), ("minzoom", "10"), ("maxzoom", "17")])
    conn.executemany("INSERT INTO tiles VALUES (?, ?, ?, ?)", [(z, x, (1 << z) - 1 - y, png) for z, x, y in tiles])
    conn.commit()
    conn.close()
    return path


def xyz_tiles(west: float, south: float, east: float, north: float, zooms: range) -> list[tuple[int, int, int]]:
    def tile(lon: float, lat: float, z: int) -> tuple[int, int]:
        n = 1 << z
        y = (1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n
        return int((lon + 180) / 360 * n), int(y)

    out = []
    for z in zooms:
        x0, y0 = tile(west, north, z)
        x1, y1 = tile(east, south, z)
        out += [(z, x, y) for x in range(x0, x1 + 1) for y in range(y0, y1 + 1)]
    return out


def test_mbtiles_basemap_is_served_by_the_app_scheme(city, make_view, qtbot, tmp_path):
    db, _ = city
    path = make_mbtiles(tmp_path / "city.mbtiles", xyz_tiles(117.57, 26.24, 117.67, 26.30, range(12, 18)))
    view = make_view(db, basemap=path)
    qtbot.waitUntil(lambda: js(view, qtbot, "JSON.stringify(document.querySelectorAll("
                                            "'img.leaflet-tile-loaded').length)") > 0, timeout=15000)
    srcs = js(view, qtbot, "JSON.stringify(Array.from(document.querySelectorAll('img.leaflet-tile-loaded'))"
                           ".map(i => i.src))")
    assert all(re.fullmatch(r"app://map/tiles/\d+/\d+/\d+", s) for s in srcs)
    assert view.blocked_requests == [] and view.console_errors == []


def test_basemap_argument_is_checked():
    with pytest.raises(ValueError, match="XYZ template"):
        CaseMapView(basemap="http://tiles.hall.lan/tiles.png")
    with pytest.raises(ValueError, match="None, an http"):
        CaseMapView(basemap="city.tiles")



# --- fit fills the pane; cameras on demand; the queue's area -----------------------------------------

FIT_PAD = 12  # bridge/controls.js FIT_PAD


def fitted_box(view: CaseMapView, qtbot) -> tuple[list[float], list[int]]:
    """The fit target's pixel box in the pane, and the pane's size."""
    got = js(view, qtbot, "(function () { var b = uc.fitTarget(), m = uc.map;"
                          " var nw = m.latLngToContainerPoint(b.getNorthWest()), se = m.latLngToContainerPoint(b.getSouthEast());"
                          " return JSON.stringify([[nw.x, nw.y, se.x, se.y], [m.getSize().x, m.getSize().y]]); })()")
    return got[0], got[1]


def assert_fills(box: list[float], size: list[int]) -> None:
    x0, y0, x1, y1 = box
    assert x0 >= FIT_PAD - 1 and y0 >= FIT_PAD - 1 and x1 <= size[0] - FIT_PAD + 1 and y1 <= size[1] - FIT_PAD + 1
    # the limiting side touches the margins: nothing of the pane is left unused on that axis
    assert max((x1 - x0) / (size[0] - 2 * FIT_PAD), (y1 - y0) / (size[1] - 2 * FIT_PAD)) > 0.99


def test_a_new_case_inside_the_fitted_view_leaves_the_view_alone(city, make_view, qtbot):
    """Every new case asks for a fit; one that changes nothing fires no moveend (which redraws every layer)."""
    db, _ = city
    view = make_view(db)
    markers = open_case_markers(db, now=NOW)
    view.upsert_cases(markers)
    before = state(view, qtbot)
    js(view, qtbot, "uc.moves = 0; uc.map.on('moveend', function () { uc.moves++; }); '1'")
    first = markers[0]
    inside = CaseMarker(10**6, "inside", (markers[0].lon + markers[1].lon) / 2, (markers[0].lat + markers[1].lat) / 2,
                        "green", first.category, first.grid_code)
    with qtbot.waitCallback(timeout=10000) as done:
        view.upsert_cases([inside], on_done=done)
    assert done.args[0]["added"] == 1
    after = state(view, qtbot)
    assert js(view, qtbot, "String(uc.moves)") == 0 and after["center"] == before["center"]
    assert after["autoFit"] and after["zoom"] == before["zoom"]

    far = CaseMarker(10**6 + 1, "far", first.lon + 0.05, first.lat + 0.05, "red", first.category, first.grid_code)
    view.upsert_cases([far])  # outside: the view follows it
    qtbot.waitUntil(lambda: js(view, qtbot, "String(uc.moves)") != 0, timeout=5000)
    assert state(view, qtbot)["zoom"] < before["zoom"]


def test_fitting_fills_the_pane_at_any_shape(city, make_view, qtbot):
    db, _ = city
    view = make_view(db)
    view.upsert_cases(open_case_markers(db, now=NOW))
    assert_fills(*fitted_box(view, qtbot))  # 1024 x 768: the width limits
    view.resize(1400, 420)  # wide and low, like the pane under the queue: the height limits
    qtbot.waitUntil(lambda: fitted_box(view, qtbot)[1] == [1400, 420], timeout=10000)
    qtbot.waitUntil(lambda: state(view, qtbot)["autoFit"], timeout=5000)
    box, size = fitted_box(view, qtbot)
    assert_fills(box, size)
    assert (box[3] - box[1]) / (size[1] - 2 * FIT_PAD) > 0.99


def test_cameras_are_hidden_until_shown_and_the_layer_switch_reports(city, make_view, qtbot):
    db, _ = city
    view = make_view(db)
    s = state(view, qtbot)
    assert s["camerasShown"] is False and not view.cameras_shown
    assert s["cameras"] == {"online": 1, "offline": 1, "fault": 1}  # loaded, only not drawn
    with qtbot.waitCallback(timeout=10000) as shown:
        view.show_cameras(True, on_done=shown)
    assert shown.args[0] == {"cameras": True} and state(view, qtbot)["camerasShown"]
    checkbox = ("Array.from(document.querySelectorAll('.leaflet-control-layers label'))"
                ".find(l => l.textContent.trim() === '摄像头').querySelector('input')")
    assert js(view, qtbot, f"JSON.stringify({checkbox}.checked)") is True
    with qtbot.waitSignal(view.sig_cameras_toggled, timeout=5000) as toggled:
        view.run_js(f"{checkbox}.click(); '1'")  # the operator unticks 摄像头 on the map
    assert toggled.args == [False] and not view.cameras_shown
    assert state(view, qtbot)["camerasShown"] is False


def test_focusing_a_street_or_community_fits_it_and_fades_the_rest(city, make_view, qtbot):
    db, ids = city
    view = make_view(db)
    view.upsert_cases(open_case_markers(db, now=NOW))
    whole = state(view, qtbot)
    with qtbot.waitCallback(timeout=10000) as done:
        view.focus_area("350402002", on_done=done)  # 列西街道: 117.62-117.64
    assert done.args[0] == {"focus": "350402002", "known": True}
    s = state(view, qtbot)
    assert s["focus"] == "350402002" and s["outside"] == 2  # 列东's two cases: faded where they show
    assert s["center"] == pytest.approx([117.63, 26.27], abs=1e-4)
    assert_fills(*fitted_box(view, qtbot))

    view.run_js("uc.map.panBy([200, 0], {animate: false}); '1'")
    qtbot.waitUntil(lambda: not view.auto_fit, timeout=5000)
    view.focus_area("350402001001")  # a community: a new choice fits again, even after a pan
    qtbot.waitUntil(lambda: state(view, qtbot)["center"] == pytest.approx([117.61, 26.265], abs=1e-4), timeout=5000)
    assert view.auto_fit and state(view, qtbot)["outside"] == 3

    view.focus_area(None)
    qtbot.waitUntil(lambda: state(view, qtbot)["focus"] is None, timeout=5000)
    s = state(view, qtbot)
    assert s["outside"] == 0 and s["faded"] == 0 and s["center"] == pytest.approx(whole["center"], abs=1e-4)
    with qtbot.waitCallback(timeout=10000) as unknown:
        view.focus_area("350402099", on_done=unknown)
    assert unknown.args[0] == {"focus": None, "known": False}


def test_a_screenshot_whose_map_never_loads_is_refused(sqlite_db, tmp_path, monkeypatch, qapp):
    """A bridge module missing (an incomplete install): one clear line, no PNG, not a map-less picture."""
    from console import app
    from console.data.accounts import add_user
    from console.data.commands import CommandError
    from console.widgets import map_page

    add_user(sqlite_db, "intake9", "intake", password="Wq7!intake-seat", seat="受理席9")
    monkeypatch.setattr(map_page, "BRIDGE_MODULES", tuple(n for n in BRIDGE_MODULES if n != "cases"))
    out = tmp_path / "op.png"
    with pytest.raises(CommandError, match=r"地图页面未能加载 \(the map page did not load within 4 s\)"):
        app.screenshot(sqlite_db, view="operator", out=out, timeout_ms=4000)
    assert not out.exists()


def test_the_scheme_serves_packaged_files_and_nothing_above_them(qapp):
    from PySide6.QtCore import QObject

    from console.widgets.map_view import AppSchemeHandler

    parent = QObject()
    handler = AppSchemeHandler(parent)
    data, mime = handler._resolve("res/bridge/protocol.js")
    assert data == resources.files("console.resources").joinpath("map", "bridge", "protocol.js").read_bytes()
    assert mime == b"application/javascript"
    assert handler._resolve("vendor/leaflet/leaflet.js")[0].startswith(b"/*")
    for escape in ("res/../__init__.py", "res/bridge/../../resources/__init__.py", "res//etc/passwd",
                   "res/./map.css", "res/bridge/..", "res/..\\__init__.py", "vendor/leaflet/../../__init__.py",
                   "res/bridge/", "res/missing.js"):
        assert handler._resolve(escape) == (None, b""), escape
    parent.deleteLater()


# --- one theme, one vocabulary: the page draws with Python's palette and words ---------------------

_CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")
_HEX_COLOUR = re.compile(r"#[0-9A-Fa-f]{3}(?:[0-9A-Fa-f]{3})?\b")


def test_bridge_modules_keep_no_colour_and_no_chinese():
    bridge = resources.files("console.resources.map") / "bridge"
    for name in BRIDGE_MODULES:
        text = (bridge / f"{name}.js").read_text(encoding="utf-8")
        assert _CJK.findall(text) == [], f"{name}.js has Chinese text: the words come from map_page.page_words()"
        assert _HEX_COLOUR.findall(text) == [], f"{name}.js has a colour literal: colours come from the theme"


def test_page_colours_and_words_are_the_themes(city, make_view, qtbot):
    from console.widgets.map_page import page_words
    from console.widgets.theme import WORKSTATION

    db, _ = city
    view = make_view(db)
    assert state(view, qtbot)["ready"]
    page = js(view, qtbot, "JSON.stringify({lights: ucMap.LIGHTS, cameras: ucMap.CAMERAS, heat: ucMap.HEAT,"
                           " strokes: ucMap.STROKES, words: ucMap.W})")
    palette = WORKSTATION.map_palette()
    assert {k: v["color"] for k, v in page["lights"].items()} == {str(k): v for k, v in WORKSTATION.lights.items()}
    assert {k: v["color"] for k, v in page["cameras"].items()} == dict(WORKSTATION.cameras)
    assert page["heat"] == palette["heat"] and page["strokes"] == palette["strokes"]
    assert page["words"] == page_words()
    legend = js(view, qtbot, "JSON.stringify(document.querySelector('.uc-legend').innerHTML)")
    for colour in [*WORKSTATION.lights.values(), *WORKSTATION.cameras.values()]:
        assert QColor(colour).name() in [QColor(c).name() for c in re.findall(r"rgb\([^)]*\)|#\w{6}", legend)] \
            or colour.lower() in legend.lower()


_LABEL_OVER_CAMERA = """(function () {
  var label = Array.from(document.querySelectorAll(".uc-label-street span")).find(e => e.textContent === %s);
  var box = label.getBoundingClientRect(), x = box.left + box.width / 2, y = box.top + box.height / 2;
  var camera = document.querySelector(".uc-cam-point, .uc-cam-cluster").getBoundingClientRect();
  var under = document.elementFromPoint(camera.left + camera.width / 2, camera.top + camera.height / 2);
  function z(el) { return parseInt(getComputedStyle(el.closest(".leaflet-pane")).zIndex, 10); }
  return JSON.stringify({label_z: z(label), camera_z: z(document.querySelector(".uc-cam-point, .uc-cam-cluster")),
                         overlap: camera.left < box.right && box.left < camera.right &&
                                  camera.top < box.bottom && box.top < camera.bottom,
                         clicked: under ? under.closest(".uc-cam-point, .uc-cam-cluster") !== null : false,
                         at: [x, y]});
})()"""


def test_a_street_name_is_drawn_over_a_camera_on_it_and_leaves_the_camera_its_clicks(city, make_view, qtbot):
    """On the wall a camera cluster covered 列东街道: names lie above the cameras, and take no clicks from them."""
    db, _ = city
    street = map_layers(db).streets[0]
    at = shapely.point_on_surface(street.geometry)  # where the page puts the street's name (map_page)
    with db.write() as s:
        s.query(m.Camera).delete()
        s.add(m.Camera(id="34020000001320000009", name="名下", lon=at.x, lat=at.y, status="online",
                       street_code=street.code))
    view = make_view(db)
    with qtbot.waitCallback(timeout=10000) as shown:
        view.show_cameras(True, on_done=shown)
    qtbot.waitUntil(lambda: state(view, qtbot)["labels"]["streets"] > 0, timeout=10000)
    found = js(view, qtbot, _LABEL_OVER_CAMERA % json.dumps(street.name))
    assert found["overlap"], found  # the camera sits under the name
    assert found["label_z"] > found["camera_z"], found
    assert found["clicked"], found  # the point under the name is still the camera's

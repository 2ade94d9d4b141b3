"""The operator map page, built once per session by folium, fully offline.

folium writes the Leaflet page (streets, communities and unit grids as GeoJSON,
a feature group that the bridge (cases.js) fills with one canvas for every case light, a
MarkerCluster for the cameras, an optional basemap); the bridge scripts in
`console/resources/map/bridge/` (BRIDGE_MODULES, plain scripts in load order) then take the live layers over.
Leaflet and MarkerCluster come from the XStatic packages, qwebchannel.js from
Qt's resources (qrc:), and every asset URL is relative, so the same page works
under the `app://map/` scheme and from a directory of files.  No CDN URL is
ever written (tech-notes §2): folium's default asset lists are replaced on the
map instance, `tiles=None`, and `maxZoom` goes to the map options.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass

import folium
import shapely
from folium.plugins import MarkerCluster

from PySide6.QtCore import QCoreApplication

from console.services.read_models import Area, CaseMarker, MapLayers
from console.domain.clocks import Light
from console.domain.vocabulary import CAMERA_STATUS_LABELS, HEAT_MODE_LABELS
from console.widgets import labels
from console.widgets.theme import WORKSTATION, Theme

MAX_ZOOM = 18
CAMERA_CLUSTER_OFF_ZOOM = 16  # cameras cluster below street level
QWEBCHANNEL_URL = "qrc:///qtwebchannel/qwebchannel.js"
# The bridge's modules, in load order: protocol first (it defines window.uc and window.ucMap).
BRIDGE_MODULES = ("protocol", "cases", "grids", "cameras", "controls")

OFFLINE_JS = [("leaflet", "vendor/leaflet/leaflet.js")]
OFFLINE_CSS = [("leaflet_css", "vendor/leaflet/leaflet.css")]
CLUSTER_JS = [("markerclusterjs", "vendor/markercluster/leaflet.markercluster.js")]
CLUSTER_CSS = [
    ("markerclustercss", "vendor/markercluster/MarkerCluster.css"),
    ("markerclusterdefaultcss", "vendor/markercluster/MarkerCluster.Default.css"),
]



def _area_styles(t: Theme) -> dict[str, dict]:
    """The area outlines' styles, coloured by the theme."""
    k = t.map_strokes
    return {
        "streets": {"color": k["street"], "weight": 2.5, "opacity": 0.75, "fill": False},
        "communities": {"color": k["community"], "weight": 1.5, "opacity": 0.6, "dashArray": "6 4", "fill": False},
        "grids": {"color": k["grid"], "weight": 1, "opacity": 0.55, "fillColor": k["grid_fill"], "fillOpacity": 0.04},
    }


def page_words() -> dict[str, object]:
    """Every word the map page shows, translated here (lupdate extracts them from this file).

    The calls are written out in full: lupdate reads `tr(a, b)` as a text with a comment.
    """
    return {
        "lights": {str(k): {"word": labels.light_word(k), "name": labels.light_name(k),
                            "meaning": labels.light_meaning(k)} for k in Light},
        "cameras": {k: labels.camera_status_label(k) for k in CAMERA_STATUS_LABELS},
        "heat": {k: labels.heat_mode_label(k) for k in HEAT_MODE_LABELS},
        "grid": QCoreApplication.translate("MapPage", "网格 {code}"),
        "camera": QCoreApplication.translate("MapPage", "摄像头"),
        "camera_named": QCoreApplication.translate("MapPage", "摄像头 {name}"),
        "legend": QCoreApplication.translate("MapPage", "图例"),
        "heat_title": QCoreApplication.translate("MapPage", "网格热力"),
        "cases_unit": QCoreApplication.translate("MapPage", "{range} 件"),
        "basemap": QCoreApplication.translate("MapPage", "底图"),
        "streets": QCoreApplication.translate("MapPage", "街道"),
        "communities": QCoreApplication.translate("MapPage", "社区"),
        "grids": QCoreApplication.translate("MapPage", "单元网格"),
        "cases": QCoreApplication.translate("MapPage", "案件"),
        "cameras_layer": QCoreApplication.translate("MapPage", "摄像头", "layer"),  # the layer: plural in English
        "fit_title": QCoreApplication.translate("MapPage", "自动适配视野（操作员拖动地图后暂停）"),
        "fit": QCoreApplication.translate("MapPage", "⤢ 自动适配"),
        "cluster_fault": QCoreApplication.translate("MapPage", "故障{n}"),
        "cluster_offline": QCoreApplication.translate("MapPage", "离线{n}"),
        "camera_marks": {"online": "●", "offline": "○", "fault": "✕"},  # never colour alone (screens.md)
    }


def page_config(t: Theme | None = None) -> dict[str, object]:
    """What the page draws with: the theme's palette and the translated words (sent in ucInit)."""
    t = t or WORKSTATION
    return {"palette": t.map_palette(), "words": page_words(), "areaStyles": _area_styles(t)}

_EXTERNAL = re.compile(r"""(?:https?|wss?|ftp)://(?!(?:localhost|127\.0\.0\.1|\[::1\])[:/])[^\s"'<>)]+""", re.I)


@dataclass(frozen=True)
class Basemap:
    """Where tiles come from: an intranet XYZ template, or app://map/tiles/ for an MBTiles file."""

    url: str
    attribution: str
    max_native_zoom: int | None = None


def external_urls(html: str, allowed_hosts: tuple[str, ...] = ()) -> list[str]:
    """Every URL in `html` that would leave the machine (the page must have none).

    `allowed_hosts` are the configured intranet basemap's hosts.
    """
    return [u for u in _EXTERNAL.findall(html) if _host(u) not in allowed_hosts]


def _host(url: str) -> str:
    return url.split("://", 1)[1].split("/", 1)[0].split(":", 1)[0].lower()


def _feature_collection(areas: list[Area]) -> dict:
    """The areas as GeoJSON, each with its label point; shapely's array functions do the geometry in one call
    each (metro's 5,000 grids: 174 ms one by one)."""
    geoms = [a.geometry for a in areas]
    points = shapely.point_on_surface(geoms)
    # pointwise: coordinates rounded for the page, without GEOS re-noding the polygons (150 ms on metro)
    texts = shapely.to_geojson(shapely.set_precision(geoms, 1e-6, mode="pointwise"))
    xs, ys = shapely.get_x(points), shapely.get_y(points)
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"code": a.code, "name": a.name, "lp": [round(float(y), 6), round(float(x), 6)]},
         "geometry": json.loads(text)}
        for a, text, x, y in zip(areas, texts, xs, ys)]}


def _centre(layers: MapLayers) -> tuple[float, float]:
    areas = layers.grids or layers.communities or layers.streets
    if not areas:
        return 26.27, 117.62
    # the bounds of all the areas together; their union had the same bounds and cost 170 ms on metro
    minx, miny, maxx, maxy = shapely.total_bounds([a.geometry for a in areas])
    return float(miny + maxy) / 2, float(minx + maxx) / 2


def _geojson(areas: list[Area], name: str, style: dict, interactive: bool) -> folium.GeoJson:
    return folium.GeoJson(
        _feature_collection(areas), name=name, style_function=lambda _f, s=style: dict(s),
        interactive=interactive, smooth_factor=0.5,
    )


def build_map(layers: MapLayers, *, basemap: Basemap | None = None,
              cases: list[CaseMarker] | None = None, theme: Theme | None = None) -> tuple[folium.Map, dict]:
    """The folium map and the bridge's start message (JS names, palette, words); `cases` bakes markers in
    (benchmarks only)."""
    config = page_config(theme)
    words, palette, styles = config["words"], config["palette"], config["areaStyles"]
    m = folium.Map(location=_centre(layers), zoom_start=15, tiles=None, prefer_canvas=True,
                   control_scale=False, maxZoom=MAX_ZOOM, zoomSnap=0.25)
    m.default_js, m.default_css = list(OFFLINE_JS), list(OFFLINE_CSS)
    names: dict[str, str] = {"map": m.get_name(), "basemap": None}
    if basemap:
        tiles = folium.TileLayer(tiles=basemap.url, attr=basemap.attribution, name=words["basemap"], max_zoom=MAX_ZOOM,
                                 max_native_zoom=basemap.max_native_zoom, control=False)
        tiles.add_to(m)
        names["basemap"] = tiles.get_name()
    for key, areas, interactive in (
        ("grids", layers.grids, True), ("communities", layers.communities, False), ("streets", layers.streets, False),
    ):
        layer = _geojson(areas, words[key], styles[key], interactive).add_to(m)
        names[key] = layer.get_name()
    cases_group = folium.FeatureGroup(name=words["cases"], control=False).add_to(m)  # the bridge (cases.js) adds its canvas
    names["cases"] = cases_group.get_name()
    for c in cases or []:
        light = c.light if c.light in palette["lights"] else Light.GREEN.value
        folium.CircleMarker([c.lat, c.lon], radius=7, color=palette["strokes"]["halo"], weight=1.5, fill=True,
                            fill_opacity=0.95, fill_color=palette["lights"][light]["color"],
                            tooltip=f"{c.number} · {words['lights'][light]['name']}",
                            ).add_to(cases_group)
    cameras = MarkerCluster(name=words["cameras_layer"], control=False, icon_create_function="ucCameraClusterIcon", options={
        "chunkedLoading": True, "disableClusteringAtZoom": CAMERA_CLUSTER_OFF_ZOOM, "showCoverageOnHover": False,
        "spiderfyOnMaxZoom": False, "maxClusterRadius": 40,
    })
    cameras.default_js, cameras.default_css = list(CLUSTER_JS), list(CLUSTER_CSS)
    cameras.add_to(m)
    names["cameras"] = cameras.get_name()
    start = {**names, "palette": palette, "words": words}
    _add_bridge(m, start)
    return m, start


def _add_bridge(m: folium.Map, names: dict) -> None:
    root = m.get_root()
    root.header.add_child(folium.Element(
        '<link rel="stylesheet" href="res/map.css"/>\n'
        f'<script src="{QWEBCHANNEL_URL}"></script>\n'
        + "\n".join(f'<script src="res/bridge/{name}.js"></script>' for name in BRIDGE_MODULES)
    ), name="uc_bridge")
    # folium writes the map's own script after this element: start once the document is parsed.
    # The start message carries the palette and the words: bridge/*.js keep no colour or text of their own.
    root.script.add_child(folium.Element(
        'document.addEventListener("DOMContentLoaded", function () { ucInit(%s); });'
        % json.dumps(names, ensure_ascii=True)
    ), name="uc_init")


def build_page_html(layers: MapLayers, *, basemap: Basemap | None = None,
                    cases: list[CaseMarker] | None = None, theme: Theme | None = None) -> str:
    """The whole page as HTML (load it from app:// or a file, never with setHtml)."""
    m, _ = build_map(layers, basemap=basemap, cases=cases, theme=theme)
    html = m.get_root().render()
    allowed = (_host(basemap.url),) if basemap and "://" in basemap.url else ()
    leaks = external_urls(html, allowed)
    if leaks:
        raise RuntimeError(f"map page would load from outside the machine: {leaks[:3]}")
    return html

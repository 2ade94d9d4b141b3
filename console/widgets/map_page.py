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

from console.data.map_layers import Area, CaseMarker, MapLayers

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

STREET_STYLE = {"color": "#22313F", "weight": 2.5, "opacity": 0.75, "fill": False}
COMMUNITY_STYLE = {"color": "#4A6178", "weight": 1.5, "opacity": 0.6, "dashArray": "6 4", "fill": False}
GRID_STYLE = {"color": "#5B6B7F", "weight": 1, "opacity": 0.55, "fillColor": "#FFFFFF", "fillOpacity": 0.04}
LIGHT_COLOURS = {"green": "#2E9D57", "yellow": "#F2B705", "red": "#D64541"}

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
    features = []
    for a in areas:
        point = shapely.point_on_surface(a.geometry)
        geom = shapely.set_precision(a.geometry, 1e-6)
        features.append({
            "type": "Feature",
            "properties": {"code": a.code, "name": a.name, "lp": [round(point.y, 6), round(point.x, 6)]},
            "geometry": json.loads(shapely.to_geojson(geom)),
        })
    return {"type": "FeatureCollection", "features": features}


def _centre(layers: MapLayers) -> tuple[float, float]:
    areas = layers.grids or layers.communities or layers.streets
    if not areas:
        return 26.27, 117.62
    minx, miny, maxx, maxy = shapely.union_all([a.geometry for a in areas]).bounds
    return (miny + maxy) / 2, (minx + maxx) / 2


def _geojson(areas: list[Area], name: str, style: dict, interactive: bool) -> folium.GeoJson:
    return folium.GeoJson(
        _feature_collection(areas), name=name, style_function=lambda _f, s=style: dict(s),
        interactive=interactive, smooth_factor=0.5,
    )


def build_map(layers: MapLayers, *, basemap: Basemap | None = None,
              cases: list[CaseMarker] | None = None) -> tuple[folium.Map, dict[str, str]]:
    """The folium map and the JS names the bridge needs; `cases` bakes markers in (benchmarks only)."""
    m = folium.Map(location=_centre(layers), zoom_start=15, tiles=None, prefer_canvas=True,
                   control_scale=False, maxZoom=MAX_ZOOM, zoomSnap=0.25)
    m.default_js, m.default_css = list(OFFLINE_JS), list(OFFLINE_CSS)
    names: dict[str, str] = {"map": m.get_name(), "basemap": None}
    if basemap:
        tiles = folium.TileLayer(tiles=basemap.url, attr=basemap.attribution, name="底图", max_zoom=MAX_ZOOM,
                                 max_native_zoom=basemap.max_native_zoom, control=False)
        tiles.add_to(m)
        names["basemap"] = tiles.get_name()
    for key, areas, label, style, interactive in (
        ("grids", layers.grids, "单元网格", GRID_STYLE, True),
        ("communities", layers.communities, "社区", COMMUNITY_STYLE, False),
        ("streets", layers.streets, "街道", STREET_STYLE, False),
    ):
        layer = _geojson(areas, label, style, interactive).add_to(m)
        names[key] = layer.get_name()
    cases_group = folium.FeatureGroup(name="案件", control=False).add_to(m)  # the bridge (cases.js) adds its canvas
    names["cases"] = cases_group.get_name()
    for c in cases or []:
        folium.CircleMarker([c.lat, c.lon], radius=7, color="#FFFFFF", weight=1.5, fill=True, fill_opacity=0.95,
                            fill_color=LIGHT_COLOURS.get(c.light, "#2E9D57"), tooltip=f"{c.number} · {c.light}",
                            ).add_to(cases_group)
    cameras = MarkerCluster(name="摄像头", control=False, icon_create_function="ucCameraClusterIcon", options={
        "chunkedLoading": True, "disableClusteringAtZoom": CAMERA_CLUSTER_OFF_ZOOM, "showCoverageOnHover": False,
        "spiderfyOnMaxZoom": False, "maxClusterRadius": 40,
    })
    cameras.default_js, cameras.default_css = list(CLUSTER_JS), list(CLUSTER_CSS)
    cameras.add_to(m)
    names["cameras"] = cameras.get_name()
    _add_bridge(m, names)
    return m, names


def _add_bridge(m: folium.Map, names: dict[str, str]) -> None:
    root = m.get_root()
    root.header.add_child(folium.Element(
        '<link rel="stylesheet" href="res/map.css"/>\n'
        f'<script src="{QWEBCHANNEL_URL}"></script>\n'
        + "\n".join(f'<script src="res/bridge/{name}.js"></script>' for name in BRIDGE_MODULES)
    ), name="uc_bridge")
    # folium writes the map's own script after this element: start once the document is parsed.
    root.script.add_child(folium.Element(
        f'document.addEventListener("DOMContentLoaded", function () {{ ucInit({json.dumps(names)}); }});'
    ), name="uc_init")


def build_page_html(layers: MapLayers, *, basemap: Basemap | None = None,
                    cases: list[CaseMarker] | None = None) -> str:
    """The whole page as HTML (load it from app:// or a file, never with setHtml)."""
    m, _ = build_map(layers, basemap=basemap, cases=cases)
    html = m.get_root().render()
    allowed = (_host(basemap.url),) if basemap and "://" in basemap.url else ()
    leaks = external_urls(html, allowed)
    if leaks:
        raise RuntimeError(f"map page would load from outside the machine: {leaks[:3]}")
    return html

"""Coordinate reference systems (坐标系) carried by every map layer.

The console stores geometries in geographic lon/lat (WGS-84 / CGCS2000) and
converts imported layers from whatever the source used (domain.md §4, §11.9).
Every transform goes through PROJ (pyproj ``Transformer``, cached, ``always_xy``);
the names below are the operators' front end to it:

* ``wgs84``    WGS-84 geographic lon/lat (EPSG:4326), what GPS and the map page use.
* ``cgcs2000`` CGCS2000 geographic lon/lat (2000 国家大地坐标系, EPSG:4490).
  Treated as identical to WGS-84: the two frames differ by a few centimetres,
  far below the console's accuracy (PROJ itself knows only a "ballpark",
  i.e. zero, offset between them).
* ``gcj02``    GCJ-02 (国测局 "火星坐标"), the obfuscated lon/lat used by Chinese web
  maps (高德, 腾讯). PROJ has no GCJ-02: it is our own code, the well-known public
  offset algorithm; outside China GCJ-02 equals WGS-84.
* CGCS2000 Gauss-Krüger (高斯-克吕格) projected metres, 3-degree or 6-degree zones,
  written ``cgcs2000-gk3:120`` (central meridian 120°E, false easting 500 km, no
  zone prefix), ``cgcs2000-gk3:z40`` (zone 40 with the zone number prefixed to the
  easting, i.e. false easting 40 500 000 m), ``cgcs2000-gk6:117`` / ``cgcs2000-gk6:z20``,
  or by EPSG code:

  ========== ======================================================
  EPSG:4513-4533 CGCS2000 / 3-degree Gauss-Kruger zone 25-45 (带号)
  EPSG:4534-4554 CGCS2000 / 3-degree Gauss-Kruger CM 75E-135E
  EPSG:4491-4501 CGCS2000 / Gauss-Kruger (6-degree) zone 13-23 (带号)
  EPSG:4502-4512 CGCS2000 / Gauss-Kruger (6-degree) CM 75E-135E
  ========== ======================================================

  A zone with an EPSG code is PROJ's own definition of it; another meridian (a
  city "independent" grid such as ``cgcs2000-gk3:118.5``) is a transverse
  Mercator on CGCS2000 built from the name. Projected coordinates are
  (x=easting, y=northing) in metres, scale factor 1 on the central meridian,
  false northing 0.

Any other EPSG code, and the WKT of a Shapefile's ``.prj``, is a :class:`ProjCRS`;
a ``.prj`` that names one of the systems above is read as it.
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Callable

import numpy as np
import pyproj
import shapely
from pyproj.crs import ProjectedCRS
from pyproj.crs.coordinate_operation import TransverseMercatorConversion

__all__ = [
    "CRS",
    "AnyCRS",
    "ProjCRS",
    "crs_from_wkt",
    "check_coordinates",
    "GaussKruger",
    "gcj02_to_wgs84",
    "gk_zone_for_longitude",
    "out_of_china",
    "parse_crs",
    "pyproj_crs",
    "same_crs",
    "transform_coords",
    "transform_geometry",
    "transform_point",
    "wgs84_to_gcj02",
]


class CRS(StrEnum):
    """Geographic coordinate systems, coordinates are (lon, lat) in degrees."""

    WGS84 = "wgs84"
    GCJ02 = "gcj02"  # 火星坐标
    CGCS2000 = "cgcs2000"  # 2000 国家大地坐标系; == WGS-84 within a few cm

    @property
    def is_geographic(self) -> bool:
        return True

    @property
    def epsg(self) -> int | None:
        return {CRS.WGS84: 4326, CRS.CGCS2000: 4490}.get(self)


@dataclass(frozen=True)
class GaussKruger:
    """CGCS2000 Gauss-Krüger projection (高斯-克吕格投影), coordinates (x=E, y=N) in metres.

    ``zone_width`` is 3 or 6 degrees; with ``zone_prefix`` the zone number is
    prefixed to the easting (加带号, false easting = zone * 1e6 + 500 000).
    """

    central_meridian: float
    zone_width: int = 3
    zone_prefix: bool = False

    def __post_init__(self) -> None:
        if self.zone_width not in (3, 6):
            raise ValueError(f"Gauss-Krüger zone width must be 3 or 6 degrees, got {self.zone_width}")
        if not -180.0 <= self.central_meridian <= 180.0:
            raise ValueError(f"central meridian {self.central_meridian} is outside -180..180")
        if self.zone_prefix and self._standard_zone() is None:
            raise ValueError(
                f"central meridian {self.central_meridian:g}° is not a standard "
                f"{self.zone_width}-degree zone meridian, so it has no zone number to prefix"
            )

    def _standard_zone(self) -> int | None:
        cm = self.central_meridian
        if self.zone_width == 3:
            zone = cm / 3.0
        else:
            zone = (cm + 3.0) / 6.0
        if zone > 0 and abs(zone - round(zone)) < 1e-9:
            return int(round(zone))
        return None

    @property
    def is_geographic(self) -> bool:
        return False

    @property
    def zone(self) -> int | None:
        """Zone number (带号) when the central meridian is a standard one."""
        return self._standard_zone()

    @property
    def false_easting(self) -> float:
        if self.zone_prefix:
            return self.zone * 1_000_000.0 + 500_000.0  # type: ignore[operator]
        return 500_000.0

    @property
    def epsg(self) -> int | None:
        zone = self.zone
        if zone is None:
            return None
        if self.zone_width == 3 and 25 <= zone <= 45:
            return (4513 if self.zone_prefix else 4534) + zone - 25
        if self.zone_width == 6 and 13 <= zone <= 23:
            return (4491 if self.zone_prefix else 4502) + zone - 13
        return None

    def __str__(self) -> str:
        if self.zone_prefix:
            return f"cgcs2000-gk{self.zone_width}:z{self.zone}"
        return f"cgcs2000-gk{self.zone_width}:{self.central_meridian:g}"

    def forward(self, lon: Any, lat: Any) -> tuple[Any, Any]:
        """lon/lat degrees -> (easting, northing) metres (scalars give floats)."""
        x, y = transform_coords(lon, lat, CRS.CGCS2000, self)
        return _unwrap(x, lon), _unwrap(y, lat)

    def inverse(self, x: Any, y: Any) -> tuple[Any, Any]:
        """(easting, northing) metres -> lon/lat degrees (scalars give floats)."""
        lon, lat = transform_coords(x, y, self, CRS.CGCS2000)
        return _unwrap(lon, x), _unwrap(lat, y)


@dataclass(frozen=True)
class ProjCRS:
    """Any other coordinate system, by EPSG code or WKT, transformed by pyproj."""

    definition: str  # "EPSG:32650" or the WKT text

    def __post_init__(self) -> None:
        _pyproj_crs_of(self.definition)  # refuse a definition pyproj cannot read, now

    @property
    def is_geographic(self) -> bool:
        return bool(_pyproj_crs_of(self.definition).is_geographic)

    @property
    def name(self) -> str:
        return str(_pyproj_crs_of(self.definition).name)

    def __str__(self) -> str:
        return self.definition


@functools.lru_cache(maxsize=32)
def _pyproj_crs_of(definition: str) -> pyproj.CRS:
    """pyproj's CRS for a definition, parsed once (a layer asks per feature)."""
    try:
        return pyproj.CRS.from_user_input(definition)
    except pyproj.exceptions.CRSError as exc:
        raise ValueError(f"unknown coordinate system {_short(definition)!r}: {exc}") from None


def _short(text: str) -> str:
    return text if len(text) <= 60 else text[:57] + "..."


@functools.lru_cache(maxsize=64)
def _gauss_kruger_crs(gk: GaussKruger) -> pyproj.CRS:
    """PROJ's definition of an EPSG zone, else a transverse Mercator on CGCS2000 from the name."""
    if gk.epsg is not None:
        return pyproj.CRS.from_epsg(gk.epsg)
    conversion = TransverseMercatorConversion(
        latitude_natural_origin=0.0, longitude_natural_origin=gk.central_meridian,
        false_easting=gk.false_easting, false_northing=0.0, scale_factor_natural_origin=1.0)
    return ProjectedCRS(conversion, name=f"CGCS2000 / {gk}", geodetic_crs=pyproj.CRS.from_epsg(4490))


AnyCRS = CRS | GaussKruger | ProjCRS


def gk_zone_for_longitude(lon: float, zone_width: int = 3, zone_prefix: bool = False) -> GaussKruger:
    """The standard Gauss-Krüger zone containing ``lon`` (3°: CM = 3n; 6°: CM = 6n - 3)."""
    if zone_width == 3:
        cm = 3.0 * math.floor((lon + 1.5) / 3.0)
    elif zone_width == 6:
        cm = 6.0 * math.floor(lon / 6.0) + 3.0
    else:
        raise ValueError(f"Gauss-Krüger zone width must be 3 or 6 degrees, got {zone_width}")
    return GaussKruger(cm, zone_width, zone_prefix)


# ---------------------------------------------------------------------------
# parse_crs


_GEOGRAPHIC_ALIASES: dict[str, CRS] = {
    "wgs84": CRS.WGS84,
    "wgs-84": CRS.WGS84,
    "wgs 84": CRS.WGS84,
    "epsg:4326": CRS.WGS84,
    "4326": CRS.WGS84,
    "gcj02": CRS.GCJ02,
    "gcj-02": CRS.GCJ02,
    "gcj": CRS.GCJ02,
    "cgcs2000": CRS.CGCS2000,
    "cgcs-2000": CRS.CGCS2000,
    "epsg:4490": CRS.CGCS2000,
    "4490": CRS.CGCS2000,
}

_GK_NAME = re.compile(r"^cgcs2000-gk(?P<width>[36]):(?P<z>z)?(?P<num>\d+(?:\.\d+)?)$")
_EPSG = re.compile(r"^(?:epsg:)?(?P<code>\d{4,5})$")

ACCEPTED_CRS_TEXT = (
    "wgs84, gcj02, cgcs2000, EPSG:4326, EPSG:4490, cgcs2000-gk3:<central meridian> "
    "(e.g. cgcs2000-gk3:120), cgcs2000-gk3:z<zone> (zone-prefixed easting, e.g. "
    "cgcs2000-gk3:z40), cgcs2000-gk6:<central meridian>, cgcs2000-gk6:z<zone>, "
    "EPSG:4513-4554 (CGCS2000 3-degree Gauss-Kruger), EPSG:4491-4512 (6-degree), "
    "any other EPSG:<code> or WKT (via pyproj)"
)


def _from_epsg(code: int) -> AnyCRS | None:
    if code == 4326:
        return CRS.WGS84
    if code == 4490:
        return CRS.CGCS2000
    if 4513 <= code <= 4533:
        return GaussKruger(3.0 * (code - 4513 + 25), 3, True)
    if 4534 <= code <= 4554:
        return GaussKruger(3.0 * (code - 4534 + 25), 3, False)
    if 4491 <= code <= 4501:
        return GaussKruger(6.0 * (code - 4491 + 13) - 3.0, 6, True)
    if 4502 <= code <= 4512:
        return GaussKruger(6.0 * (code - 4502 + 13) - 3.0, 6, False)
    return None


def parse_crs(text: str | AnyCRS) -> AnyCRS:
    """Parse a CRS name (case-insensitive). ``str(crs)`` always parses back to ``crs``.

    Raises ValueError naming the text and the accepted values.
    """
    if isinstance(text, (CRS, GaussKruger, ProjCRS)):
        return text
    if not isinstance(text, str):
        raise ValueError(f"unknown coordinate system {text!r}; accepted: {ACCEPTED_CRS_TEXT}")
    key = text.strip().lower()
    if key in _GEOGRAPHIC_ALIASES:
        return _GEOGRAPHIC_ALIASES[key]
    m = _GK_NAME.match(key)
    if m:
        width = int(m["width"])
        num = float(m["num"])
        try:
            if m["z"]:
                if num != int(num) or num <= 0:
                    raise ValueError("zone number must be a positive integer")
                zone = int(num)
                cm = 3.0 * zone if width == 3 else 6.0 * zone - 3.0
                return GaussKruger(cm, width, True)
            return GaussKruger(num, width, False)
        except ValueError as exc:
            raise ValueError(
                f"bad coordinate system {text!r}: {exc}; accepted: {ACCEPTED_CRS_TEXT}"
            ) from None
    m = _EPSG.match(key)
    if m:
        return _from_epsg(int(m["code"])) or _pyproj_crs(f"EPSG:{int(m['code'])}", text)
    if key.startswith(("projcs[", "geogcs[", "projcrs[", "geogcrs[", "geodcrs[", "compd_cs[")):
        return crs_from_wkt(text)
    raise ValueError(f"unknown coordinate system {text!r}; accepted: {ACCEPTED_CRS_TEXT}")


def _pyproj_crs(definition: str, text: str) -> ProjCRS:
    try:
        return ProjCRS(definition)
    except ValueError:
        raise ValueError(f"unknown coordinate system {text!r}; accepted: {ACCEPTED_CRS_TEXT}") from None


def crs_from_wkt(wkt: str) -> AnyCRS:
    """A ``.prj``'s WKT: one of our own systems when it names one (an EPSG zone or a
    city meridian's Gauss-Krüger on CGCS2000), else a :class:`ProjCRS`."""
    try:
        found = pyproj.CRS.from_wkt(wkt.strip())
    except pyproj.exceptions.CRSError as exc:
        raise ValueError(f"unreadable coordinate system WKT {_short(wkt.strip())!r}: {exc}") from None
    code = found.to_epsg(min_confidence=70)
    own = _from_epsg(code) if code else _gauss_kruger_of(found)
    if own is not None:
        return own
    return ProjCRS(f"EPSG:{code}") if code else ProjCRS(found.to_wkt())


_GK_PARAMETERS = {"Latitude of natural origin": 0.0, "Scale factor at natural origin": 1.0, "False northing": 0.0}


def _gauss_kruger_of(found: pyproj.CRS) -> GaussKruger | None:
    """The Gauss-Krüger a WKT without an EPSG code describes, if it is one: a transverse
    Mercator on CGCS2000 in metres, scale 1, false easting 500 km (or with a zone prefix)."""
    op = found.coordinate_operation if found.is_projected else None
    if op is None or op.method_name != "Transverse Mercator" or found.datum != pyproj.CRS.from_epsg(4490).datum:
        return None
    params = {p.name: p.value for p in op.params}
    if any(params.get(k) != v for k, v in _GK_PARAMETERS.items()) or found.axis_info[0].unit_name != "metre":
        return None
    cm, zone = params.get("Longitude of natural origin"), (params.get("False easting", 0.0) - 500_000.0) / 1e6
    if zone == 0:
        return GaussKruger(cm)
    widths = [w for w in (3, 6) if zone == (cm / 3 if w == 3 else (cm + 3) / 6)]  # the zone this meridian has
    return GaussKruger(cm, widths[0], True) if widths else None


# ---------------------------------------------------------------------------
# Array helpers


def _as_array(v: Any) -> np.ndarray:
    return np.asarray(v, dtype=float)


def _unwrap(v: np.ndarray, like: Any) -> Any:
    return float(v) if np.ndim(like) == 0 else v


# ---------------------------------------------------------------------------
# GCJ-02 (the public "eviltransform" algorithm)

_GCJ_A = 6378245.0  # Krasovsky 1940
_GCJ_EE = 0.00669342162296594323


def _out_of_china(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    return (lon < 72.004) | (lon > 137.8347) | (lat < 0.8293) | (lat > 55.8271)


def out_of_china(lon: float, lat: float) -> bool:
    """True outside the rough China bounding box where GCJ-02 applies no offset."""
    return bool(_out_of_china(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)))


def _gcj_delta(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    x = lon - 105.0
    y = lat - 35.0
    pi = math.pi
    common = (20.0 * np.sin(6.0 * x * pi) + 20.0 * np.sin(2.0 * x * pi)) * 2.0 / 3.0
    d_lat = (
        -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * np.sqrt(np.abs(x))
        + common
        + (20.0 * np.sin(y * pi) + 40.0 * np.sin(y / 3.0 * pi)) * 2.0 / 3.0
        + (160.0 * np.sin(y / 12.0 * pi) + 320.0 * np.sin(y * pi / 30.0)) * 2.0 / 3.0
    )
    d_lon = (
        300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x))
        + common
        + (20.0 * np.sin(x * pi) + 40.0 * np.sin(x / 3.0 * pi)) * 2.0 / 3.0
        + (150.0 * np.sin(x / 12.0 * pi) + 300.0 * np.sin(x / 30.0 * pi)) * 2.0 / 3.0
    )
    rad_lat = np.radians(lat)
    magic = 1.0 - _GCJ_EE * np.sin(rad_lat) ** 2
    sqrt_magic = np.sqrt(magic)
    d_lat = (d_lat * 180.0) / ((_GCJ_A * (1.0 - _GCJ_EE)) / (magic * sqrt_magic) * pi)
    d_lon = (d_lon * 180.0) / (_GCJ_A / sqrt_magic * np.cos(rad_lat) * pi)
    outside = _out_of_china(lon, lat)
    return np.where(outside, 0.0, d_lon), np.where(outside, 0.0, d_lat)


def _wgs_to_gcj(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    d_lon, d_lat = _gcj_delta(lon, lat)
    return lon + d_lon, lat + d_lat


def _gcj_to_wgs(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Fixed-point iteration: converges to < 1e-9 degrees in a handful of steps."""
    w_lon, w_lat = lon.copy(), lat.copy()
    for _ in range(30):
        g_lon, g_lat = _wgs_to_gcj(w_lon, w_lat)
        e_lon, e_lat = g_lon - lon, g_lat - lat
        w_lon = w_lon - e_lon
        w_lat = w_lat - e_lat
        if w_lon.size == 0 or max(np.nanmax(np.abs(e_lon)), np.nanmax(np.abs(e_lat))) < 1e-10:
            break
    return w_lon, w_lat


def wgs84_to_gcj02(lon: Any, lat: Any) -> tuple[Any, Any]:
    """WGS-84 -> GCJ-02 (scalars or arrays, lon first)."""
    a, b = _wgs_to_gcj(_as_array(lon), _as_array(lat))
    return _unwrap(a, lon), _unwrap(b, lat)


def gcj02_to_wgs84(lon: Any, lat: Any) -> tuple[Any, Any]:
    """GCJ-02 -> WGS-84 by iterating the forward offset (error < 1e-9 degrees)."""
    a, b = _gcj_to_wgs(_as_array(lon), _as_array(lat))
    return _unwrap(a, lon), _unwrap(b, lat)


# ---------------------------------------------------------------------------
# Generic transforms


def pyproj_crs(crs: AnyCRS | str) -> pyproj.CRS:
    """PROJ's CRS for one of ours (GCJ-02 has none: it is WGS-84 plus our offset)."""
    c = parse_crs(crs)
    if isinstance(c, GaussKruger):
        return _gauss_kruger_crs(c)
    if isinstance(c, ProjCRS):
        return _pyproj_crs_of(c.definition)
    if c is CRS.GCJ02:
        raise ValueError("GCJ-02 不是 PROJ 坐标系 (GCJ-02 has no PROJ definition: it is WGS-84 plus an offset)")
    return _pyproj_crs_of(f"EPSG:{c.epsg}")


@functools.lru_cache(maxsize=64)
def _transformer(src: AnyCRS, dst: AnyCRS) -> pyproj.Transformer:
    """One PROJ pipeline per pair, built once (building one costs milliseconds)."""
    return pyproj.Transformer.from_crs(pyproj_crs(src), pyproj_crs(dst), always_xy=True)


def _same(src: AnyCRS, dst: AnyCRS) -> bool:
    geo_equal = {CRS.WGS84, CRS.CGCS2000}
    return src == dst or (src in geo_equal and dst in geo_equal)


def _through_proj(x: np.ndarray, y: np.ndarray, src: AnyCRS, dst: AnyCRS) -> tuple[np.ndarray, np.ndarray]:
    if _same(src, dst):
        return x, y
    tx, ty = _transformer(src, dst).transform(x, y)
    return np.asarray(tx, dtype=float), np.asarray(ty, dtype=float)


def transform_coords(
    xs: Any, ys: Any, src: AnyCRS | str, dst: AnyCRS | str
) -> tuple[np.ndarray, np.ndarray]:
    """Vectorised transform of coordinate arrays (x=lon or easting, y=lat or northing).

    GCJ-02 is undone to WGS-84 (or applied after it) by our own code; every other
    step is one cached PROJ transformer.
    """
    s, d = parse_crs(src), parse_crs(dst)
    x = np.array(xs, dtype=float, copy=True)
    y = np.array(ys, dtype=float, copy=True)
    if s is CRS.GCJ02 and d is not CRS.GCJ02:
        x, y = _gcj_to_wgs(x, y)
        s = CRS.WGS84
    if d is CRS.GCJ02 and s is not CRS.GCJ02:
        return _wgs_to_gcj(*_through_proj(x, y, s, CRS.WGS84))
    return _through_proj(x, y, s, d)


def same_crs(a: AnyCRS | str, b: AnyCRS | str) -> bool:
    """Whether two systems give the same coordinates: WGS-84 and CGCS2000, a 3° and a
    6° zone on one meridian (EPSG:4548 and EPSG:4509), a .prj's WKT and its EPSG code."""
    s, d = parse_crs(a), parse_crs(b)
    if _same(s, d):
        return True
    if isinstance(s, GaussKruger) and isinstance(d, GaussKruger):
        return (s.central_meridian, s.false_easting) == (d.central_meridian, d.false_easting)
    if CRS.GCJ02 in (s, d):
        return False
    return bool(pyproj_crs(s).equals(pyproj_crs(d), ignore_axis_order=True))


def transform_point(
    lon_or_x: float, lat_or_y: float, src: AnyCRS | str, dst: AnyCRS | str
) -> tuple[float, float]:
    """Transform one point; returns (x, y) = (lon, lat) or (easting, northing)."""
    x, y = transform_coords(lon_or_x, lat_or_y, src, dst)
    return float(x), float(y)


def _coord_transformer(src: AnyCRS, dst: AnyCRS) -> Callable[[np.ndarray], np.ndarray]:
    def apply(coords: np.ndarray) -> np.ndarray:
        x, y = transform_coords(coords[:, 0], coords[:, 1], src, dst)
        return np.column_stack((x, y))

    return apply


def transform_geometry(geom: Any, src: AnyCRS | str, dst: AnyCRS | str) -> Any:
    """Transform a shapely geometry (or a numpy array / list of geometries at once).

    Uses ``shapely.transform`` so every vertex of every geometry goes through one
    vectorised numpy call: pass a whole layer as an array for speed. Z is dropped.
    """
    s, d = parse_crs(src), parse_crs(dst)
    if isinstance(geom, (list, tuple)):
        items = list(geom)
        geom = np.empty(len(items), dtype=object)
        geom[:] = items
    if _same(s, d):
        return geom
    return shapely.transform(geom, _coord_transformer(s, d))


# ---------------------------------------------------------------------------
# Checking coordinates before anything is written

Extent = tuple[float, float, float, float]  # lon/lat bounds (west, south, east, north)
_FAR_DEGREES = 0.25  # "far outside" the district: beyond its box grown by ~25 km


def _is_geographic(crs: AnyCRS) -> bool:
    return crs.is_geographic


def projected_hint(xs: np.ndarray, extent: Extent | None) -> str:
    """The --crs a metres layer most likely needs: zone-prefixed eastings name their
    zone, otherwise the 3-degree zone of the district (or a placeholder)."""
    zone = int(np.nanmedian(np.abs(xs)) // 1_000_000)
    if 25 <= zone <= 45:
        return f"cgcs2000-gk3:z{zone}"
    if 13 <= zone <= 23:
        return f"cgcs2000-gk6:z{zone}"
    if extent is not None:
        return str(gk_zone_for_longitude((extent[0] + extent[2]) / 2.0))
    return "cgcs2000-gk3:<中央经线 central meridian, e.g. 117>"


def check_coordinates(xs: Any, ys: Any, src: AnyCRS, extent: Extent | None = None) -> str | None:
    """Why these coordinates (in ``src``) cannot be right, or None.

    NaN and infinities, degrees outside ±180/±90 (metres given as degrees),
    degrees given as metres, latitude and longitude swapped, and (with the
    district's lon/lat ``extent``) a feature far outside the district.
    """
    x, y = np.asarray(xs, dtype=float).ravel(), np.asarray(ys, dtype=float).ravel()
    if x.size == 0:
        return None
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(y))):
        return "坐标含 NaN 或无穷大 (a coordinate is NaN or infinite)"
    found = _check_geographic(x, y, extent) if _is_geographic(src) else _check_projected(x, y, src)
    if found:
        return found
    with np.errstate(all="ignore"):  # a point far outside the zone: NaN, reported below
        lon, lat = transform_coords(x, y, src, CRS.WGS84)
    if not (np.all(np.isfinite(lon)) and np.all(np.abs(lat) <= 90.0) and _round_trips(x, y, lon, lat, src)):
        return f"坐标不在 {src} 的有效范围内 (coordinates outside the range of {src}; wrong --crs?)"
    return _check_place(lon, lat, extent, _is_geographic(src))


def _round_trips(x: np.ndarray, y: np.ndarray, lon: np.ndarray, lat: np.ndarray, src: AnyCRS) -> bool:
    """Whether lon/lat map back onto the input: PROJ folds a northing far beyond the
    pole onto some finite latitude instead of failing."""
    if _same(src, CRS.WGS84):
        return True
    with np.errstate(all="ignore"):
        bx, by = transform_coords(lon, lat, CRS.WGS84, src)
    tolerance = 1e-6 if _is_geographic(src) else 0.01  # degrees (~0.1 m) or metres
    return bool(np.all(np.abs(bx - x) <= tolerance) and np.all(np.abs(by - y) <= tolerance))


def _check_geographic(x: np.ndarray, y: np.ndarray, extent: Extent | None) -> str | None:
    if np.all(np.abs(x) <= 180.0) and np.all(np.abs(y) <= 90.0):
        return None
    sample = f"({x[0]:.10g}, {y[0]:.10g})"
    if max(np.max(np.abs(x)), np.max(np.abs(y))) > 1000.0:
        return (f"经纬度 {sample} 超出 ±180/±90，像是投影坐标（米） (degrees outside ±180/±90: "
                f"looks like projected metres; pass --crs {projected_hint(x, extent)})")
    if np.all(np.abs(y) <= 180.0) and np.all(np.abs(x) <= 90.0):
        return (f"纬度 {sample} 超出 ±90，像是经纬度颠倒 (latitude outside ±90: looks like latitude/longitude "
                "swapped; longitude comes first)")
    return f"经纬度 {sample} 超出 ±180/±90 (degrees outside ±180/±90)"


# How far from its central meridian a Gauss-Krüger easting may lie: a 6° zone is ±334 km
# wide at the equator; beyond this the coordinates belong to another zone or are swapped.
_ZONE_REACH_M = 1_000_000.0


def _check_projected(x: np.ndarray, y: np.ndarray, src: AnyCRS) -> str | None:
    if np.all(np.abs(x) <= 180.0) and np.all(np.abs(y) <= 90.0):
        return (f"坐标 ({x[0]:.10g}, {y[0]:.10g}) 像是经纬度（度）而非 {src} 的米 "
                "(looks like lon/lat degrees, not projected metres; pass --crs wgs84)")
    if isinstance(src, GaussKruger):
        return _check_zone(x, y, src)
    return None


def _check_zone(x: np.ndarray, y: np.ndarray, gk: GaussKruger) -> str | None:
    off = np.abs(x - gk.false_easting)
    if np.all(off <= _ZONE_REACH_M):
        return None
    k = int(np.argmax(off))
    swapped = bool(np.all(np.abs(y - gk.false_easting) <= _ZONE_REACH_M))
    why = "looks like easting/northing swapped; easting comes first" if swapped else "wrong --crs zone?"
    return (f"坐标 ({x[k]:.10g}, {y[k]:.10g}) 的东坐标离 {gk} 的中央经线 {off[k] / 1000:,.0f} km，超出投影带 "
            f"(easting {off[k] / 1000:,.0f} km from the central meridian: outside the range of {gk}; {why})")


def _check_place(lon: np.ndarray, lat: np.ndarray, extent: Extent | None, geographic: bool) -> str | None:
    if extent is None:
        swapped = geographic and bool(np.all(_out_of_china(lon, lat)) and not np.any(_out_of_china(lat, lon)))
        return _SWAPPED if swapped else None
    if not _far(lon, lat, extent):
        return None
    if geographic and not _far(lat, lon, extent):
        return _SWAPPED
    from console.domain.spatial import distance_m  # the one distance (spatial builds on this module)

    west, south, east, north = extent
    (ex, fx), (ey, fy) = _facing(lon.min(), lon.max(), west, east), _facing(lat.min(), lat.max(), south, north)
    km = distance_m(ex, ey, fx, fy) / 1000.0
    return (f"位于辖区范围外约 {km:,.0f} km (far outside the district's extent "
            f"{west:.3f},{south:.3f},{east:.3f},{north:.3f}; wrong --crs or coordinates?)")


def _facing(lo: float, hi: float, a: float, b: float) -> tuple[float, float]:
    """The district's and the feature's facing ends of the ranges [a, b] and [lo, hi] (one value if they overlap)."""
    if lo > b:
        return b, float(lo)
    if hi < a:
        return a, float(hi)
    shared = max(float(lo), a)
    return shared, shared


_SWAPPED = "经纬度像是颠倒了 (looks like latitude/longitude swapped; longitude comes first)"


def _far(lon: np.ndarray, lat: np.ndarray, extent: Extent) -> bool:
    west, south, east, north = extent
    m = _FAR_DEGREES
    return bool(lon.max() < west - m or lon.min() > east + m or lat.max() < south - m or lat.min() > north + m)

"""Spatial helpers: grid lookup, ground distances, areas and grid-layer validation.

Geometries are shapely 2 objects in geographic lon/lat (WGS-84 / CGCS2000, which
the console treats as identical, see :mod:`console.domain.crs`) unless a function
says otherwise. Grid codes are plain strings; parentage comes from the code
prefix (community of a grid = first 12 chars, street of a community = first 9).

* :class:`GridIndex`   point -> unit grid (单元网格) lookup on an STRtree.
* :class:`PointIndex`  "nearest N cameras within R metres" for thousands of points.
* :func:`distance_m` / :func:`distances_m`: geodesic metres on the CGCS2000 ellipsoid
  (``pyproj.Geod``), the one distance every feature uses.
* :func:`area_m2` / :func:`areas_m2`: ellipsoidal m² (``pyproj.Geod``), the one area
  figure of a grid, a district and a sliver alike.
* :func:`validate_layers` / :func:`validate_grid_geometries`: the grid-layer rules
  全域覆盖 (full coverage), 边界明晰 (clean, nested boundaries), 互不重叠 (no overlaps).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import numpy as np
import shapely
from shapely import STRtree
from shapely.geometry.base import BaseGeometry

from console.domain.crs import CRS, GaussKruger, pyproj_crs, transform_geometry

__all__ = [
    "DEFAULT_SLIVER_M2",
    "GEOD",
    "NOISE_M2",
    "Severity",
    "GridIndex",
    "LayerProblem",
    "LocalProjection",
    "PointIndex",
    "ProblemKind",
    "area_km2",
    "area_m2",
    "areas_m2",
    "distance_m",
    "distances_m",
    "local_projection",
    "metres_per_degree",
    "nearest",
    "validate_grid_geometries",
    "validate_layers",
]

GEOD = pyproj_crs(CRS.CGCS2000).get_geod()  # the CGCS2000 ellipsoid, as PROJ defines it
# The shortest degree on the ellipsoid (of latitude, at the equator, ~110 574 m): a
# lon/lat box of radius / this around a point holds every point within the radius.
_SHORTEST_DEGREE_M = float(GEOD.inv(0.0, -0.5, 0.0, 0.5)[2])

COMMUNITY_CODE_LEN = 12  # 社区编码 = first 12 chars of a grid code
STREET_CODE_LEN = 9  # 街道编码 = first 9 chars

_POLYGON_TYPES = (shapely.GeometryType.POLYGON, shapely.GeometryType.MULTIPOLYGON)


def _object_array(items: Sequence[Any]) -> np.ndarray:
    arr = np.empty(len(items), dtype=object)
    arr[:] = list(items)
    return arr


def _is_polygonal(geom: Any) -> bool:
    return (
        isinstance(geom, BaseGeometry)
        and not geom.is_empty
        and shapely.get_type_id(geom) in _POLYGON_TYPES
    )


# ---------------------------------------------------------------------------
# Grid lookup


class GridIndex:
    """Which unit grid (单元网格) contains a lon/lat point.

    A point on a boundary shared by several grids (an edge or a corner) goes to
    the grid with the smallest code, so the answer is deterministic. Overlapping
    grids (a layer error) also resolve to the smallest code.
    """

    def __init__(self, grids: Mapping[str, BaseGeometry]) -> None:
        self._codes: list[str] = sorted(grids)
        for code in self._codes:
            if not _is_polygonal(grids[code]):
                kind = getattr(grids[code], "geom_type", type(grids[code]).__name__)
                raise ValueError(f"grid {code}: geometry is {kind}, expected a non-empty Polygon or MultiPolygon")
        self._code_set = frozenset(self._codes)
        self._geoms = _object_array([grids[c] for c in self._codes])
        shapely.prepare(self._geoms)
        self._tree = STRtree(self._geoms)

    def __len__(self) -> int:
        return len(self._codes)

    def __contains__(self, code: object) -> bool:
        return code in self._code_set

    @property
    def codes(self) -> list[str]:
        return list(self._codes)

    def geometry(self, code: str) -> BaseGeometry:
        try:
            return self._geoms[self._codes.index(code)]
        except ValueError:
            raise KeyError(f"unknown grid code {code!r}") from None

    def locate(self, lon: float, lat: float) -> str | None:
        """The grid code containing (lon, lat), or None outside every grid."""
        return self.locate_many([lon], [lat])[0]

    def locate_many(self, lons: Sequence[float] | np.ndarray, lats: Sequence[float] | np.ndarray) -> list[str | None]:
        """Vectorised :meth:`locate`."""
        lon_arr = np.asarray(lons, dtype=float).ravel()
        lat_arr = np.asarray(lats, dtype=float).ravel()
        if lon_arr.shape != lat_arr.shape:
            raise ValueError(f"locate_many: {lon_arr.size} longitudes but {lat_arr.size} latitudes")
        n = lon_arr.size
        if n == 0 or not self._codes:
            return [None] * n
        points = shapely.points(lon_arr, lat_arr)
        point_idx, grid_idx = self._tree.query(points, predicate="intersects")
        best = np.full(n, len(self._codes), dtype=np.int64)
        # tree order == sorted code order, so the smallest index is the smallest code
        np.minimum.at(best, point_idx, grid_idx)
        return [self._codes[i] if i < len(self._codes) else None for i in best.tolist()]


# ---------------------------------------------------------------------------
# Distances


def distances_m(lon: float, lat: float, lons: Any, lats: Any) -> np.ndarray:
    """Geodesic distances in metres on the CGCS2000 ellipsoid from one point to arrays
    of points (NaN where a point is not a lon/lat)."""
    lon2 = np.asarray(lons, dtype=float)
    lat2 = np.asarray(lats, dtype=float)
    _, _, dist = GEOD.inv(np.full(lon2.shape, float(lon)), np.full(lat2.shape, float(lat)), lon2, lat2)
    return np.asarray(dist, dtype=float)


def distance_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Geodesic distance in metres between two lon/lat points (Karney's algorithm, nanometre exact)."""
    return float(distances_m(lon1, lat1, [lon2], [lat2])[0])


def metres_per_degree(lat: float) -> tuple[float, float]:
    """Ground metres per degree of longitude and of latitude at ``lat`` (geodesic over 0.001°)."""
    step = 1e-3
    per_lon = GEOD.inv(-step / 2, lat, step / 2, lat)[2] / step
    per_lat = GEOD.inv(0.0, lat - step / 2, 0.0, lat + step / 2)[2] / step
    return float(per_lon), float(per_lat)


def _check_query(lon: float, lat: float, n: int, radius_m: float | None) -> None:
    if not (math.isfinite(lon) and math.isfinite(lat)):
        raise ValueError(f"nearest: query point ({lon}, {lat}) is not a finite lon/lat")
    if n < 0:
        raise ValueError(f"nearest: n must be >= 0, got {n}")
    if radius_m is not None and not radius_m >= 0:
        raise ValueError(f"nearest: radius_m must be >= 0 metres, got {radius_m}")


def _pick(ids: Sequence[str], dist: np.ndarray, idx: np.ndarray, n: int, radius_m: float | None) -> list[tuple[str, float]]:
    if radius_m is not None:
        keep = dist <= radius_m
        dist, idx = dist[keep], idx[keep]
    order = sorted(range(len(idx)), key=lambda k: (dist[k], ids[idx[k]]))[:n]
    return [(ids[idx[k]], float(dist[k])) for k in order]


class PointIndex:
    """Point features (e.g. 5 000+ video cameras) indexed for nearest-N-within-R queries.

    Items are ``(id, lon, lat)``. A query prefilters candidates with a lon/lat box
    sized from the radius on an STRtree, then ranks them by geodesic metres.
    """

    def __init__(self, items: Iterable[tuple[str, float, float]]) -> None:
        ids: list[str] = []
        lons: list[float] = []
        lats: list[float] = []
        for item_id, lon, lat in items:
            lon_f, lat_f = float(lon), float(lat)
            if not (math.isfinite(lon_f) and math.isfinite(lat_f) and -90.0 <= lat_f <= 90.0):
                raise ValueError(f"point {item_id}: ({lon}, {lat}) is not a valid lon/lat")
            ids.append(item_id)
            lons.append(lon_f)
            lats.append(lat_f)
        self._ids = ids
        self._lons = np.asarray(lons, dtype=float)
        self._lats = np.asarray(lats, dtype=float)
        self._tree = STRtree(shapely.points(self._lons, self._lats)) if ids else None

    def __len__(self) -> int:
        return len(self._ids)

    def _candidates(self, lon: float, lat: float, radius_m: float | None) -> np.ndarray:
        every = np.arange(len(self._ids))
        if radius_m is None or self._tree is None or radius_m > 200_000.0:
            return every  # no radius, or so large that a lon/lat box is no help
        dlat = radius_m / _SHORTEST_DEGREE_M * 1.01 + 1e-9
        top = min(90.0, abs(lat) + dlat)
        cos_top = math.cos(math.radians(top))
        if top >= 89.0 or dlat >= 90.0:
            return every
        dlon = min(180.0, dlat / cos_top)
        box = shapely.box(lon - dlon, lat - dlat, lon + dlon, lat + dlat)
        return np.sort(self._tree.query(box))

    def nearest(self, lon: float, lat: float, n: int = 5, radius_m: float | None = None) -> list[tuple[str, float]]:
        """Up to ``n`` ``(id, metres)`` sorted by distance (then id), within ``radius_m`` if given."""
        _check_query(lon, lat, n, radius_m)
        if n == 0 or not self._ids:
            return []
        idx = self._candidates(lon, lat, radius_m)
        dist = distances_m(lon, lat, self._lons[idx], self._lats[idx])
        return _pick(self._ids, dist, idx, n, radius_m)


def nearest(
    lon: float,
    lat: float,
    features: Sequence[tuple[str, float, float]] | PointIndex,
    n: int = 5,
    radius_m: float | None = None,
) -> list[tuple[str, float]]:
    """The ``n`` features nearest to (lon, lat) as ``(id, metres)``, closest first.

    ``features`` is a sequence of ``(id, lon, lat)`` (scanned with numpy) or a
    prebuilt :class:`PointIndex` (use one for repeated queries on large sets).
    """
    if isinstance(features, PointIndex):
        return features.nearest(lon, lat, n, radius_m)
    _check_query(lon, lat, n, radius_m)
    if n == 0 or not features:
        return []
    ids = [f[0] for f in features]
    lons = np.fromiter((f[1] for f in features), dtype=float, count=len(features))
    lats = np.fromiter((f[2] for f in features), dtype=float, count=len(features))
    dist = distances_m(lon, lat, lons, lats)
    finite = np.isfinite(dist)
    idx = np.nonzero(finite)[0]
    return _pick(ids, dist[finite], idx, n, radius_m)


# ---------------------------------------------------------------------------
# Projections and areas


@dataclass(frozen=True)
class LocalProjection:
    """A Gauss-Krüger (transverse Mercator, k0 = 1) projection centred on a meridian.

    Conformal, metric and with a scale error below 1.3e-5 within 30 km of the
    central meridian (areas below 2.5e-5): right for city-scale distances,
    buffers and drawing. Coordinates are (easting, northing) metres with false
    easting 500 000 m. Only vertices are projected: a long edge that is straight
    in lon/lat (e.g. a 10 km parallel) stays a chord and drifts up to a metre
    from the true projected curve, so do topology (overlaps, coverage) on the
    lon/lat geometries, as :func:`validate_layers` does.
    """

    central_meridian: float

    @property
    def crs(self) -> GaussKruger:
        return GaussKruger(self.central_meridian, 3, False)

    def to_metres(self, geom: Any) -> Any:
        """lon/lat geometry (or array of them) -> projected metres."""
        return transform_geometry(geom, CRS.CGCS2000, self.crs)

    def to_lonlat(self, geom: Any) -> Any:
        """projected metres -> lon/lat geometry (or array of them)."""
        return transform_geometry(geom, self.crs, CRS.CGCS2000)


def local_projection(geom: BaseGeometry | Sequence[BaseGeometry] | np.ndarray) -> LocalProjection:
    """A :class:`LocalProjection` centred on the middle longitude of ``geom``'s bounds."""
    bounds = shapely.total_bounds(geom if isinstance(geom, (BaseGeometry, np.ndarray)) else _object_array(geom))
    if not np.all(np.isfinite(bounds)):
        raise ValueError("local_projection: the geometry is empty, there is no centre to project around")
    return LocalProjection(round((bounds[0] + bounds[2]) / 2.0, 6))


# Edges are straight in lon/lat (as the layers are drawn and checked); a geodesic
# between two vertices bulges from that by L²·tanφ/(8R), 4 cm on a 2 km edge, so
# every ring is cut into ~11 m steps first (bulge < 2 µm): a hairline between two
# straight lon/lat edges then measures ~1e-5 m², not metres of phantom gap.
_AREA_STEP_DEGREES = 1e-4
_SINGLE_TYPES = (shapely.GeometryType.POINT, shapely.GeometryType.LINESTRING,
                 shapely.GeometryType.LINEARRING, shapely.GeometryType.POLYGON)


def _polygon_parts(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The single polygons inside each geometry (collections flattened), with their owner."""
    parts, owner = shapely.get_parts(geoms, return_index=True)
    while parts.size and not np.all(np.isin(shapely.get_type_id(parts), _SINGLE_TYPES)):
        parts, inner = shapely.get_parts(parts, return_index=True)
        owner = owner[inner]
    polygon = shapely.get_type_id(parts) == shapely.GeometryType.POLYGON
    return parts[polygon], owner[polygon]


def _ring_areas_m2(rings: np.ndarray) -> np.ndarray:
    """Unsigned geodesic area of each closed ring, after cutting it into short steps."""
    fine = shapely.segmentize(rings, _AREA_STEP_DEGREES)
    coords = shapely.get_coordinates(fine)
    ends = np.cumsum(shapely.get_num_coordinates(fine))
    starts = np.concatenate(([0], ends[:-1]))
    return np.array([abs(GEOD.polygon_area_perimeter(coords[a:b, 0], coords[a:b, 1])[0])
                     for a, b in zip(starts.tolist(), ends.tolist())])


def areas_m2(geoms: Sequence[Any] | np.ndarray) -> np.ndarray:
    """Areas in m² of lon/lat geometries on the CGCS2000 ellipsoid (``pyproj.Geod``).

    The one area of the console: a grid's ``area_m2``, a district's km² and every
    sliver, overlap and gap of the layer check. Only polygonal parts count (a
    point or a line is 0, so is None or an empty geometry); holes are subtracted.
    Edges are taken as straight in lon/lat, as the map draws them.
    """
    arr = geoms if isinstance(geoms, np.ndarray) else _object_array(list(geoms))
    out = np.zeros(len(arr))
    present = np.nonzero([g is not None for g in arr])[0]
    if present.size == 0:
        return out
    polygons, owner = _polygon_parts(arr[present])
    rings, ring_owner = shapely.get_rings(polygons, return_index=True)
    if rings.size == 0:
        return out
    first = np.concatenate(([True], ring_owner[1:] != ring_owner[:-1]))  # a polygon's exterior
    signed = np.where(first, 1.0, -1.0) * _ring_areas_m2(rings)
    np.add.at(out, present[owner[ring_owner]], np.nan_to_num(signed))
    return np.maximum(out, 0.0)


def area_m2(geom: BaseGeometry | None) -> float:
    """Area in m² of one lon/lat geometry (see :func:`areas_m2`)."""
    return float(areas_m2([geom])[0])


def area_km2(geom: BaseGeometry) -> float:
    """Area in km² of a lon/lat geometry (see :func:`area_m2`)."""
    return area_m2(geom) / 1e6


# ---------------------------------------------------------------------------
# Grid-layer validation (全域覆盖、边界明晰、互不重叠)


# Below the sliver tolerance a gap, overlap or overhang is a warning (digitising
# slivers, 碎片), above it an error. The city's figure is data (setting
# "grid_check"); this default is what a layer without one gets.
DEFAULT_SLIVER_M2 = 5.0
# Pieces this small are floating-point residue of the overlay, not data: no finding.
NOISE_M2 = 0.01


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"  # a sliver below the tolerance: named, not refused


class ProblemKind(StrEnum):
    INVALID_GEOMETRY = "invalid_geometry"  # 几何无效 (self-intersection, bad ring...)
    NOT_POLYGON = "not_polygon"  # 非面要素
    MISSING_PARENT = "missing_parent"  # 上级编码不存在
    OUTSIDE_PARENT = "outside_parent"  # 超出上级边界
    OVERLAP = "overlap"  # 互相重叠
    GAP = "gap"  # 未覆盖 (漏洞)


_KIND_ORDER = {k: i for i, k in enumerate(ProblemKind)}


@dataclass(frozen=True)
class LayerProblem:
    """One finding of the grid-layer check. ``codes`` name the features involved
    (child first, then parent, for outside/missing parent); ``area_m2`` is the
    offending area where one exists; ``location`` is a lon/lat point inside the
    problem area (for the map to zoom to) where one exists."""

    kind: ProblemKind
    codes: tuple[str, ...]
    area_m2: float | None
    message: str
    location: tuple[float, float] | None = None
    severity: Severity = Severity.ERROR

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR


_GRID, _COMMUNITY, _STREET, _DISTRICT = "网格", "社区", "街道", "辖区"
_NEAR_DEGREES = 1e-5  # about 1 m: "touching" distance when naming grids next to a gap


@dataclass
class _Layer:
    level: str
    codes: list[str]
    geoms: np.ndarray  # lon/lat, valid, polygonal


def _polygonal_part(geom: BaseGeometry) -> BaseGeometry:
    try:
        fixed = shapely.make_valid(geom, method="structure", keep_collapsed=False)
    except (TypeError, ValueError, shapely.errors.GEOSException):  # pragma: no cover - old GEOS
        fixed = shapely.make_valid(geom)
    if shapely.get_type_id(fixed) in _POLYGON_TYPES:
        return fixed
    parts = [p for p in shapely.get_parts(fixed) if shapely.get_type_id(p) in _POLYGON_TYPES]
    return shapely.union_all(parts) if parts else shapely.Polygon()


def _point_of(geom: BaseGeometry) -> tuple[float, float] | None:
    """A lon/lat point inside ``geom`` (its centroid if the geometry is invalid)."""
    if geom.is_empty:
        return None
    try:
        p = geom.representative_point() if geom.is_valid else geom.centroid
    except shapely.errors.GEOSException:  # pragma: no cover - defensive
        return None
    return None if p.is_empty else (round(p.x, 7), round(p.y, 7))


def _check_geometries(level: str, features: Mapping[str, Any], problems: list[LayerProblem]) -> _Layer:
    """Report invalid / non-polygon features; return the usable (repaired) ones."""
    codes: list[str] = []
    geoms: list[BaseGeometry] = []
    for code in sorted(features):
        geom = features[code]
        name = f"{level} {code}" if code else level
        if not _is_polygonal(geom):
            if isinstance(geom, BaseGeometry) and geom.is_empty:
                kind = "空几何"
            else:
                kind = getattr(geom, "geom_type", type(geom).__name__)
            problems.append(
                LayerProblem(
                    ProblemKind.NOT_POLYGON,
                    (code,) if code else (),
                    None,
                    f"{name} 的几何为 {kind}，应为面 Polygon/MultiPolygon (not_polygon)",
                )
            )
            continue
        if not shapely.is_valid(geom):
            reason = shapely.is_valid_reason(geom)
            problems.append(
                LayerProblem(
                    ProblemKind.INVALID_GEOMETRY,
                    (code,) if code else (),
                    None,
                    f"{name} 几何无效：{reason} (invalid_geometry)",
                    _point_of(geom),
                )
            )
            geom = _polygonal_part(geom)
            if geom.is_empty:
                continue
        codes.append(code)
        geoms.append(geom)
    return _Layer(level, codes, _object_array(geoms))


def _overlaps(layer: _Layer, tolerance_m2: float, problems: list[LayerProblem]) -> None:
    if len(layer.codes) < 2:
        return
    tree = STRtree(layer.geoms)
    left, right = tree.query(layer.geoms, predicate="intersects")
    keep = left < right
    left, right = left[keep], right[keep]
    if left.size == 0:
        return
    interiors_meet = shapely.relate_pattern(layer.geoms[left], layer.geoms[right], "2********")
    left, right = left[interiors_meet], right[interiors_meet]
    if left.size == 0:
        return
    inter = shapely.intersection(layer.geoms[left], layer.geoms[right])
    areas = areas_m2(inter)
    for i, j, area, geom in zip(left.tolist(), right.tolist(), areas.tolist(), inter):
        if area > NOISE_M2:
            ci, cj = layer.codes[i], layer.codes[j]
            problems.append(
                LayerProblem(
                    ProblemKind.OVERLAP,
                    (ci, cj),
                    area,
                    _sliver_text(f"{layer.level} {ci} 与 {cj} 重叠 {area:.2f} m² (overlap)", area, tolerance_m2),
                    _point_of(geom),
                    _severity(area, tolerance_m2),
                )
            )


def _outside_parents(
    child: _Layer,
    parent_geoms: Sequence[BaseGeometry],
    parent_codes: Sequence[str | None],
    parent_level: str,
    tolerance_m2: float,
    problems: list[LayerProblem],
) -> None:
    """Report children sticking out of their parent by more than the tolerance."""
    if not child.codes:
        return
    parents = _object_array(parent_geoms)
    shapely.prepare(parents)
    candidates = np.nonzero(~shapely.covers(parents, child.geoms))[0]
    if candidates.size == 0:
        return
    outside = shapely.difference(child.geoms[candidates], parents[candidates])
    areas = areas_m2(outside)
    for k, area, geom in zip(candidates.tolist(), areas.tolist(), outside):
        if area <= NOISE_M2:
            continue
        code, parent = child.codes[k], parent_codes[k]
        codes = (code,) if parent is None else (code, parent)
        parent_text = parent_level if parent is None else f"所属{parent_level} {parent} "
        problems.append(
            LayerProblem(
                ProblemKind.OUTSIDE_PARENT,
                codes,
                area,
                _sliver_text(f"{child.level} {code} 超出{parent_text}边界 {area:.2f} m² (outside_parent)",
                             area, tolerance_m2),
                _point_of(geom),
                _severity(area, tolerance_m2),
            )
        )


def _link_parents(
    child: _Layer,
    prefix_len: int,
    parent: _Layer,
    parent_raw: Mapping[str, Any],
    tolerance_m2: float,
    problems: list[LayerProblem],
) -> None:
    """missing_parent for unknown parent codes, outside_parent for the rest."""
    parent_pos = {code: i for i, code in enumerate(parent.codes)}
    keep: list[int] = []
    for i, code in enumerate(child.codes):
        parent_code = code[:prefix_len]
        if parent_code in parent_pos:
            keep.append(i)
        elif parent_code not in parent_raw:
            problems.append(
                LayerProblem(
                    ProblemKind.MISSING_PARENT,
                    (code, parent_code),
                    None,
                    f"{child.level} {code} 的所属{parent.level} {parent_code} 不存在 (missing_parent)",
                )
            )
        # else: the parent exists but its geometry was unusable (already reported)
    sub = _Layer(child.level, [child.codes[i] for i in keep], child.geoms[keep])
    parent_codes = [code[:prefix_len] for code in sub.codes]
    parent_geoms = [parent.geoms[parent_pos[c]] for c in parent_codes]
    _outside_parents(sub, parent_geoms, parent_codes, parent.level, tolerance_m2, problems)


def _gaps(district: BaseGeometry, grids: _Layer, tolerance_m2: float, problems: list[LayerProblem]) -> None:
    covered = shapely.union_all(grids.geoms) if grids.codes else shapely.Polygon()
    parts = shapely.get_parts(shapely.difference(district, covered))
    if parts.size == 0:
        return
    areas = areas_m2(parts)
    tree = STRtree(grids.geoms) if grids.codes else None
    for gap, area in zip(parts, areas.tolist()):
        if area <= NOISE_M2:
            continue
        near: list[str] = []
        if tree is not None:
            idx = tree.query(gap, predicate="dwithin", distance=_NEAR_DEGREES)
            if idx.size == 0:
                idx = tree.query_nearest(gap)
            near = sorted(grids.codes[i] for i in idx.tolist())
        where = f"，邻近网格 {', '.join(near)}" if near else ""
        problems.append(
            LayerProblem(
                ProblemKind.GAP,
                tuple(near),
                area,
                _sliver_text(f"辖区内有 {area:.2f} m² 未被任何网格覆盖{where} (gap)", area, tolerance_m2),
                _point_of(gap),
                _severity(area, tolerance_m2),
            )
        )


def _severity(area: float, tolerance_m2: float) -> Severity:
    return Severity.WARNING if area <= tolerance_m2 else Severity.ERROR


def _sliver_text(text: str, area: float, tolerance_m2: float) -> str:
    if area <= tolerance_m2:
        return f"警告：碎片 {text}，不超过容差 {tolerance_m2:g} m² (sliver below the tolerance: warning)"
    return text


def _sorted(problems: list[LayerProblem]) -> list[LayerProblem]:
    return sorted(problems, key=lambda p: (_KIND_ORDER[p.kind], p.codes))


def validate_grid_geometries(grids: Mapping[str, Any], *, tolerance_m2: float = DEFAULT_SLIVER_M2) -> list[LayerProblem]:
    """Check one imported grid layer on its own: invalid geometry, non-polygon
    features and overlaps between grids (warnings up to ``tolerance_m2``)."""
    problems: list[LayerProblem] = []
    _overlaps(_check_geometries(_GRID, grids, problems), tolerance_m2, problems)
    return _sorted(problems)


def validate_layers(
    district: BaseGeometry,
    streets: Mapping[str, Any],
    communities: Mapping[str, Any],
    grids: Mapping[str, Any],
    *,
    tolerance_m2: float = DEFAULT_SLIVER_M2,
) -> list[LayerProblem]:
    """Check the 区 - 街道 - 社区 - 网格 layers against 全域覆盖、边界明晰、互不重叠.

    Topology is computed on the lon/lat geometries as given (edges straight in
    lon/lat, shared vertices exactly shared); no projection is involved, because
    a projection bends long straight lon/lat edges and would invent slivers.
    Only the resulting pieces are measured, in m² on the ellipsoid (see
    :func:`areas_m2`); pieces up to ``tolerance_m2`` are
    slivers, reported as warnings, bigger ones as errors, and pieces under
    ``NOISE_M2`` are overlay residue and not reported.

    Invalid polygons are reported and then checked in their repaired
    (``make_valid``) form; non-polygon features are reported and left out.
    Returns the problems sorted by kind and codes; an empty list means the
    layers are consistent.
    """
    problems: list[LayerProblem] = []
    district_l = _check_geometries(_DISTRICT, {"": district}, problems)
    street_l = _check_geometries(_STREET, streets, problems)
    community_l = _check_geometries(_COMMUNITY, communities, problems)
    grid_l = _check_geometries(_GRID, grids, problems)

    _link_parents(grid_l, COMMUNITY_CODE_LEN, community_l, communities, tolerance_m2, problems)
    _link_parents(community_l, STREET_CODE_LEN, street_l, streets, tolerance_m2, problems)
    for layer in (street_l, community_l, grid_l):
        _overlaps(layer, tolerance_m2, problems)
    if district_l.codes:
        district_geom = district_l.geoms[0]
        n = len(street_l.codes)
        _outside_parents(street_l, [district_geom] * n, [None] * n, _DISTRICT, tolerance_m2, problems)
        _gaps(district_geom, grid_l, tolerance_m2, problems)
    return _sorted(problems)

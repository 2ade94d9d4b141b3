"""The demo district's geography: outline, streets, communities and unit grids (Voronoi, nested)."""
from __future__ import annotations

import math
import random
from dataclasses import dataclass
from typing import Any, Callable, Sequence

import numpy as np
import shapely
from shapely.geometry import MultiPoint, Point, Polygon

from console.data.demo import names
from console.data.demo.scales import DemoError, Scale
from console.domain.spatial import area_km2, area_m2, metres_per_degree


@dataclass
class Area:
    code: str
    name: str
    geom: Any  # lon/lat polygon
    parent: str
    local: Any = None  # the same polygon in local metres
    area_m2: float = 0.0


@dataclass
class Geography:
    district: Any
    area_km2: float
    streets: list[Area]
    communities: list[Area]
    grids: list[Area]
    to_lonlat: Callable[[Any], Any]
    outline: Any = None  # the district in local metres
    radius_m: float = 1.0

    def density(self, x: float, y: float) -> float:
        """Relative activity at a local point: dense centre, thin rim."""
        d2 = (x * x + y * y) / (0.4 * self.radius_m) ** 2
        return 1.0 + 6.0 * math.exp(-d2)


def _lonlat_transform() -> Callable[[Any], Any]:
    per_lon, per_lat = metres_per_degree(names.CENTER_LAT)

    def fn(coords: np.ndarray) -> np.ndarray:
        out = np.empty_like(coords)
        out[:, 0] = names.CENTER_LON + coords[:, 0] / per_lon
        out[:, 1] = names.CENTER_LAT + coords[:, 1] / per_lat
        return out

    return lambda geom: shapely.transform(geom, fn)


def _outline(rng: np.random.Generator, area_km2_target: float, to_lonlat: Callable[[Any], Any]) -> Polygon:
    """An irregular, star-shaped district outline (local metres) of the target ellipsoidal area."""
    n = 120
    theta = np.linspace(0.0, 2 * np.pi, n, endpoint=False)
    r = np.ones(n)
    for k in range(2, 8):
        r += rng.uniform(0.02, 0.11) / math.sqrt(k - 1) * np.cos(k * theta + rng.uniform(0, 2 * np.pi))
    r *= 1.0 + rng.uniform(-0.015, 0.015, n)  # a ragged edge, like a surveyed boundary
    stretch = rng.uniform(1.15, 1.4)
    coords = np.column_stack((stretch * r * np.cos(theta), r * np.sin(theta) / stretch))
    poly = Polygon(coords)
    for _ in range(3):  # scale to the target area as measured on the ellipsoid
        factor = math.sqrt(area_km2_target / area_km2(to_lonlat(poly)))
        poly = _scale(poly, factor)
    return shapely.set_precision(poly, 0.01)


def _scale(poly: Polygon, factor: float) -> Polygon:
    return shapely.transform(poly, lambda c: c * factor)


def _points_in(rng: np.random.Generator, poly: Any, n: int) -> np.ndarray:
    """n uniform random points strictly inside poly (n x 2 array)."""
    if n <= 0:
        return np.empty((0, 2))
    x0, y0, x1, y1 = poly.bounds
    fill = max(shapely.area(poly) / max((x1 - x0) * (y1 - y0), 1e-12), 0.05)
    shapely.prepare(poly)
    found: list[np.ndarray] = []
    have = 0
    for _ in range(200):
        k = int((n - have) / fill * 1.3) + 8
        xs = rng.uniform(x0, x1, k)
        ys = rng.uniform(y0, y1, k)
        inside = shapely.contains_xy(poly, xs, ys)
        pts = np.column_stack((xs[inside], ys[inside]))
        found.append(pts)
        have += len(pts)
        if have >= n:
            break
    else:
        raise DemoError(f"could not place {n} points inside a polygon of area {shapely.area(poly):.1f}")
    return np.concatenate(found)[:n]


def _spread_seeds(rng: np.random.Generator, poly: Any, k: int) -> np.ndarray:
    """k well-spread points inside poly (Mitchell's best candidate)."""
    candidates = _points_in(rng, poly, k * 12)
    chosen = [candidates[0]]
    pool = candidates[1:]
    best = np.hypot(pool[:, 0] - chosen[0][0], pool[:, 1] - chosen[0][1])
    for _ in range(1, k):
        i = int(np.argmax(best))
        p = pool[i]
        chosen.append(p)
        best = np.minimum(best, np.hypot(pool[:, 0] - p[0], pool[:, 1] - p[1]))
        best[i] = -1.0
    return np.array(chosen)


def _split(rng: np.random.Generator, poly: Polygon, k: int, what: str) -> list[Polygon]:
    """Split a polygon into exactly k valid Polygons (clipped Voronoi cells), covering it exactly."""
    if k == 1:
        return [poly]
    for _attempt in range(40):
        seeds = _spread_seeds(rng, poly, k)
        pieces = _voronoi_pieces(poly, seeds)
        if pieces is not None:
            return pieces
    raise DemoError(f"could not split {what} into {k} valid polygons")


def _voronoi_pieces(poly: Polygon, seeds: np.ndarray) -> list[Polygon] | None:
    cells = shapely.voronoi_polygons(MultiPoint(seeds), extend_to=poly, ordered=True)
    cells = list(shapely.get_parts(cells))
    if len(cells) != len(seeds):
        return None
    clipped = shapely.intersection(np.array(cells, dtype=object), poly)
    mains: list[Any] = []
    strays: list[Any] = []
    for seed, piece in zip(seeds, clipped):
        parts = [p for p in shapely.get_parts(piece) if p.geom_type == "Polygon" and p.area > 0]
        if not parts:
            return None
        seed_pt = Point(seed)
        own = max(parts, key=lambda p: (p.covers(seed_pt), p.area))
        mains.append(own)
        strays.extend(p for p in parts if p is not own)
    for stray in strays:  # a fragment cut off by a bay of the parent joins its longest neighbour
        shared = [shapely.length(shapely.intersection(stray.boundary, mp.boundary)) for mp in mains]
        j = int(np.argmax(shared))
        if shared[j] <= 0:
            return None
        mains[j] = shapely.union(mains[j], stray)
    out = []
    for piece in mains:
        if piece.geom_type != "Polygon" or not piece.is_valid or piece.area <= 0:
            return None
        out.append(piece)
    return out


def _allocate(total: int, weights: Sequence[float], minimum: int) -> list[int]:
    """Integers >= minimum summing to total, proportional to weights (largest remainder)."""
    n = len(weights)
    if total < n * minimum:
        raise DemoError(f"cannot give {n} areas at least {minimum} each out of {total}")
    rest = total - n * minimum
    w = np.asarray(weights, dtype=float)
    share = w / w.sum() * rest
    base = np.floor(share).astype(int)
    left = rest - int(base.sum())
    order = sorted(range(n), key=lambda i: (-(share[i] - base[i]), i))
    for i in order[:left]:
        base[i] += 1
    return [int(b) + minimum for b in base]


def _reading_order(pieces: Sequence[Any]) -> list[int]:
    """Indices of pieces north->south in rows, west->east within a row (grid code order, domain.md §2)."""
    if not pieces:
        return []
    cents = [p.centroid for p in pieces]
    total = sum(p.area for p in pieces)
    band = math.sqrt(total / len(pieces))
    top = max(c.y for c in cents)
    return sorted(range(len(pieces)), key=lambda i: (int((top - cents[i].y) // band), cents[i].x, -cents[i].y))


def build_geography(params: Scale, rng: np.random.Generator, rnd: random.Random) -> Geography:
    to_lonlat = _lonlat_transform()
    outline = _outline(rng, params.area_km2, to_lonlat)
    radius = math.sqrt(outline.area / math.pi)
    geo = Geography(district=None, area_km2=0.0, streets=[], communities=[], grids=[], to_lonlat=to_lonlat,
                    outline=outline, radius_m=radius)

    street_polys = _split(rng, outline, params.streets, "the district")
    # the core 街道 are the cells nearest the centre, the 镇/乡 the rim
    by_distance = sorted(range(len(street_polys)), key=lambda i: street_polys[i].centroid.distance(Point(0, 0)))
    stems = names.street_stems(params.streets)
    n_core = max(1, round(params.streets * 7 / 12))
    kinds = {}
    for rank, i in enumerate(by_distance):
        kinds[i] = ("街道" if rank < n_core else ("镇" if rank < params.streets - max(1, params.streets // 12) else "乡"),
                    stems[rank])
    order = _reading_order(street_polys)
    counters = {"街道": 0, "镇": 100, "乡": 200}
    streets: list[tuple[Area, str]] = []
    for i in order:
        kind, stem = kinds[i]
        counters[kind] += 1
        code = f"{names.DISTRICT_CODE}{counters[kind]:03d}"
        streets.append((Area(code, stem + kind, None, names.DISTRICT_CODE, street_polys[i]), kind))

    weights = [_mass(geo, a.local) for a, _ in streets]
    per_street = _allocate(params.communities, weights, minimum=max(1, min(4, params.communities // params.streets)))
    community_stems = names.community_names(rnd, params.communities)
    stem_iter = iter(community_stems)
    communities: list[Area] = []
    for (street, kind), count in zip(streets, per_street):
        polys = _split(rng, street.local, count, f"street {street.code}")
        order = _reading_order(polys)
        urban = kind == "街道"
        centre = min(range(len(polys)), key=lambda i: polys[i].centroid.distance(street.local.centroid))
        n_comm, n_vill = 0, 199
        for i in order:
            stem = next(stem_iter)
            if urban or i == centre:
                n_comm += 1
                code, label = f"{street.code}{n_comm:03d}", f"{stem}社区"
            else:
                n_vill += 1
                code, label = f"{street.code}{n_vill:03d}", f"{stem}村"
            communities.append(Area(code, label, None, street.code, polys[i]))

    weights = [_mass(geo, c.local) ** 0.8 for c in communities]
    per_community = _allocate(params.grids, weights, minimum=2 if params.grids >= 2 * params.communities else 1)
    grids: list[Area] = []
    for community, count in zip(communities, per_community):
        polys = _split(rng, community.local, count, f"community {community.code}")
        for seq, i in enumerate(_reading_order(polys), start=1):
            code = f"{community.code}{seq:03d}"
            grids.append(Area(code, f"{community.name}第{seq}网格", None, community.code, polys[i]))

    # to lon/lat, all at once
    layers = [[a for a, _ in streets], communities, grids]
    for layer in layers:
        lonlat = to_lonlat(np.array([a.local for a in layer], dtype=object))
        for a, g in zip(layer, lonlat):
            a.geom = g
    for g in grids:
        g.area_m2 = area_m2(g.geom)
    geo.district = to_lonlat(outline)
    geo.area_km2 = area_km2(geo.district)
    geo.streets = layers[0]
    geo.communities = communities
    geo.grids = sorted(grids, key=lambda a: a.code)
    bad = [a.code for layer in layers for a in layer if a.geom.geom_type != "Polygon" or not a.geom.is_valid]
    if bad:
        raise DemoError(f"generated invalid polygons: {bad[:5]}")
    return geo


def _mass(geo: Geography, poly: Any) -> float:
    c = poly.centroid
    return poly.area * geo.density(c.x, c.y)

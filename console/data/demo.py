"""The demo city: a deterministic synthetic district with its people, cameras and case history.

    generate(db, "city", seed=1)

builds, in an empty upgraded database, a district shaped like 三明市三元区: an
irregular outline split hierarchically (Voronoi cells of seeded points, clipped
to the parent) into streets (街道/镇/乡), communities (社区/村) and unit grids
(单元网格), so coverage is complete, nothing overlaps and every grid lies in its
community.  Then responsibility grids, departments, routing rules, grid staff,
roads with segments and road chiefs, cameras, operator accounts, and a history
of cases.

Each case is played through the workflow in memory with the same domain rules
the commands use (`workflow.plan`, `StepClock` on the city's `WorkCalendar`),
so states, clocks, pending requests, counters and audit events are what the
commands would have written; the rows are then inserted in bulk.  A case whose
next action would fall after `now` stays open where it is, so the last days'
cases are open at every stage, some yellow, some red.

The same scale, seed, history and `now` give the same database contents.
"""
from __future__ import annotations

import dataclasses
import functools
import hashlib
import math
import random
import time as _time
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from typing import Any, Callable, Iterable, Iterator, Sequence

import numpy as np
import shapely
from shapely.geometry import LineString, MultiPoint, Point, Polygon
from sqlalchemy import JSON, func, insert, select, text

from console.data import demo_names as names
from console.data import models as m
from console.data.accounts import add_user
from console.data.commands import case_number, clock_columns, log_change
from console.data.db import Database
from console.data.reference import demo_catalogue, demo_rules, install_catalogue, install_settings
from console.data.rules import Rules
from console.domain.calendar import Limit, TimeKind, WorkCalendar
from console.domain.catalogue import Catalogue, Category, FilingCondition, Urgency
from console.domain.clocks import StepClock
from console.domain.codes import CameraId
from console.domain.spatial import area_km2, area_m2, metres_per_degree
from console.domain.workflow import Action, CloseType, Pending, Role, State, Transition, plan

__all__ = ["SCALES", "Scale", "DEMO_ACCOUNTS", "DEMO_PASSWORD", "DemoError", "generate"]

DEMO_PASSWORD = "demo1234"
GRID_VALID_FROM = date(2020, 1, 1)
_UTC = timezone.utc
_US = 60_000_000  # microseconds per minute


class DemoError(RuntimeError):
    """The demo city cannot be generated here (e.g. the database is not empty)."""


@dataclass(frozen=True)
class Scale:
    """Size of a demo city (the `city` figures are the seeds' 三明 figures)."""

    name: str
    area_km2: float
    streets: int
    communities: int
    grids: int
    staff: int  # all staff rows: inspectors + grid staff + road-chief officials
    cameras: int
    roads: int
    history_days: int
    cases_per_day: float  # average reports per day over the history
    grids_per_patrol: int = 4  # unit grids per responsibility grid (one inspector each)
    # A campaign week (创城迎检): the last `surge_days` get `surge_factor` times the usual
    # reports, out of the same total; it puts `metro` near 10,000 open cases.
    surge_days: int = 0
    surge_factor: float = 1.0


SCALES: dict[str, Scale] = {
    "small": Scale("small", area_km2=8.0, streets=3, communities=12, grids=48, staff=160, cameras=40,
                   roads=8, history_days=14, cases_per_day=30.0),
    "city": Scale("city", area_km2=155.1, streets=12, communities=168, grids=702, staff=2331, cameras=600,
                  roads=40, history_days=90, cases_per_day=400.0),
    "metro": Scale("metro", area_km2=1200.0, streets=60, communities=1250, grids=5000, staff=16000,
                   cameras=5000, roads=160, history_days=365, cases_per_day=2740.0, surge_days=4,
                   surge_factor=2.2),
}

# hall accounts: (username, role, display name, seat); department and street
# accounts are added per department / street (see DEMO_ACCOUNTS).
HALL_ACCOUNTS: list[tuple[str, str, str, str]] = [
    ("intake1", "intake", "林晓燕", "受理席1"),
    ("intake2", "intake", "陈丽娟", "受理席2"),
    ("intake3", "intake", "黄婷", "受理席3"),
    ("shift1", "shift_lead", "王建国", "值班长席"),
    ("shift2", "shift_lead", "郑志强", "值班长席"),
    ("dispatch1", "dispatcher", "李明", "派遣席1"),
    ("dispatch2", "dispatcher", "张敏", "派遣席2"),
    ("leader1", "leader", "吴德福", "指挥长席"),
    ("admin1", "admin", "系统管理员", "管理席"),
]

DEMO_ACCOUNTS: list[dict[str, str]] = [
    *({"username": u, "role": r, "seat": seat, "password": DEMO_PASSWORD} for u, r, _n, seat in HALL_ACCOUNTS),
    {"username": "dept_<code>", "role": "department", "seat": "one per department, e.g. dept_hw 环卫",
     "password": DEMO_PASSWORD},
    {"username": "street_<street code>", "role": "street_seat", "seat": "one per street, e.g. street_350402001",
     "password": DEMO_PASSWORD},
]

# --- case mix ---------------------------------------------------------------------------------

SOURCES = [("inspector", 0.85), ("hotline", 0.08), ("video", 0.05), ("leader", 0.01), ("media", 0.01)]
# reports per local hour of day: peaks 9-11 and 14-16, little at night
HOUR_WEIGHTS = np.array([0.25, 0.12, 0.08, 0.08, 0.1, 0.3, 0.9, 2.2, 4.8, 7.8, 8.6, 7.0,
                         3.4, 2.6, 6.6, 7.6, 7.2, 5.2, 2.6, 1.9, 1.5, 1.0, 0.6, 0.35])
P_SELF_HANDLED = 0.12  # of inspector reports
P_REFUSE = {"inspector": 0.02, "hotline": 0.12, "video": 0.05, "leader": 0.0, "media": 0.03}
P_VERIFY = {"inspector": 0.02, "hotline": 0.7, "video": 0.3, "leader": 0.2, "media": 0.6}
P_VERIFY_FALSE = 0.15
P_REFUSE_FILING = 0.02
P_MISDISPATCH = 0.04
P_APPROVE_RETURN = 0.85
P_CANCEL = 0.005
P_EXTENSION = 0.05
P_APPROVE_EXTENSION = 0.8
P_HOLD = 0.012
P_LATE = 0.1
P_HALL_LATE = 0.04
P_CHECK_FAIL = 0.05
P_URGE_LATE = 0.5
P_SUPERVISE_LATE = 0.25
P_ERROR_CLOSE = 0.005
EXTENSIONS = ["2wh", "4wh", "1wd", "2wd"]


# =============================================================================================
# entry point
# =============================================================================================


def generate(db: Database, scale: str = "city", seed: int = 1, *, history_days: int | None = None,
             now: datetime | None = None, progress: Callable[[str], None] | None = None,
             workers: int | None = None) -> dict[str, Any]:
    """Build the demo city in an empty, upgraded database; returns a summary of what was written.

    `history_days` defaults to the scale's (small 14, city 90, metro 365); the history ends at `now`
    (default: the current time). `progress(message)` is called now and then. `workers`: processes that
    simulate cases (None: one per core for large histories where fork is available; 0 or 1: in-process);
    the result does not depend on it.
    """
    if scale not in SCALES:
        raise DemoError(f"unknown demo scale {scale!r}; choose one of {', '.join(SCALES)}")
    params = SCALES[scale]
    days = params.history_days if history_days is None else int(history_days)
    if days < 0:
        raise DemoError(f"history days must be >= 0, got {days}")
    now = (now or datetime.now(_UTC)).astimezone(_UTC)
    say = progress or (lambda _msg: None)
    started = _time.perf_counter()
    _require_empty(db)

    say(f"demo {scale}: seed {seed}, {days} days of history up to {now.isoformat(timespec='minutes')}")
    catalogue = demo_catalogue()
    with db.write() as s:
        installed = s.scalars(select(m.CatalogueVersion).where(m.CatalogueVersion.version == catalogue.version))
        if installed.first() is None:
            install_catalogue(s, catalogue)
        install_settings(s, demo_rules())
    db.invalidate_rules()
    rules = db.rules()

    rng = np.random.default_rng([seed, 1])
    rnd = random.Random(f"demo-{seed}")
    say("geography: district, streets, communities, unit grids")
    geo = build_geography(params, rng, rnd)
    city = build_city(params, geo, catalogue, rng, rnd)
    say(f"writing {len(geo.grids)} grids, {len(city.staff)} staff, {len(city.cameras)} cameras, "
        f"{len(city.segments)} road segments")
    _write_city(db, geo, city)
    accounts = _add_accounts(db, city)
    counts = _simulate_and_write(db, params, seed, days, now, geo, city, catalogue, _fast_rules(rules, now, days),
                                 accounts, say, workers)
    with db.write() as s:
        log_change(s, "demo", scale, "generated", operator="demo", at=now)
    _reset_sequences(db)
    _analyze(db)
    seconds = round(_time.perf_counter() - started, 2)
    summary = {
        "scale": scale, "seed": seed, "history_days": days, "now": now.isoformat(),
        "area_km2": round(geo.area_km2, 2), "streets": len(geo.streets), "communities": len(geo.communities),
        "grids": len(geo.grids), "responsibility_grids": len(city.patrols), "departments": len(city.departments),
        "staff": len(city.staff), "roads": len(city.roads), "road_segments": len(city.segments),
        "road_chiefs": len(city.chiefs), "cameras": len(city.cameras), "operators": len(accounts.all),
        **counts, "seconds": seconds,
    }
    say(f"done in {seconds:.1f} s: {counts['cases']} cases ({counts['open_cases']} open), "
        f"{counts['events']} events, {counts['clocks']} clocks")
    return summary


def _fast_rules(rules: Rules, now: datetime, days: int) -> Rules:
    """The same rules on a fixed-offset copy of the calendar when the zone's offset never changes over the
    history (Asia/Shanghai has had no DST since 1991): identical instants, computed about twice as fast."""
    cal = rules.calendar
    start = now - timedelta(days=days + 2)
    probes = [start + timedelta(days=i) for i in range(0, days + 800, 7)]
    offsets = {p.astimezone(cal.tz).utcoffset() for p in probes}
    if len(offsets) != 1:
        return rules
    fixed = WorkCalendar(schedule=cal.schedule, overrides=dict(cal.overrides), tz=timezone(offsets.pop()))
    return dataclasses.replace(rules, calendar=fixed)


def _require_empty(db: Database) -> None:
    with db.read() as s:
        district = s.scalars(select(m.District.code)).first()
        cases = s.scalar(select(func.count()).select_from(m.Case))
    if district is not None or cases:
        raise DemoError(
            f"数据库已有城市数据 (district {district or '-'}, {cases} cases): the demo city needs an empty database; "
            "create a new one (urban-console db upgrade on a fresh file) and run demo again"
        )


# =============================================================================================
# geography
# =============================================================================================


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


# =============================================================================================
# city: departments, routing, staff, roads, cameras
# =============================================================================================


@dataclass
class City:
    departments: list[dict[str, Any]] = field(default_factory=list)
    street_department: dict[str, int] = field(default_factory=dict)
    routing: list[dict[str, Any]] = field(default_factory=list)
    patrols: list[dict[str, Any]] = field(default_factory=list)
    staff: list[dict[str, Any]] = field(default_factory=list)
    roads: list[dict[str, Any]] = field(default_factory=list)
    segments: list[dict[str, Any]] = field(default_factory=list)
    chiefs: list[dict[str, Any]] = field(default_factory=list)
    cameras: list[dict[str, Any]] = field(default_factory=list)
    grid_rows: list[dict[str, Any]] = field(default_factory=list)
    inspector_of_grid: dict[str, int] = field(default_factory=dict)
    staff_name: dict[int, str] = field(default_factory=dict)
    street_roads: dict[str, list[str]] = field(default_factory=dict)
    officials: list[int] = field(default_factory=list)  # staff ids of the road-chief officials


def build_city(params: Scale, geo: Geography, catalogue: Catalogue, rng: np.random.Generator,
               rnd: random.Random) -> City:
    city = City()
    _departments(city, geo, catalogue)
    _patrols_and_staff(city, params, geo, rnd)
    _roads(city, params, geo, rng, rnd)
    _cameras(city, params, geo, rng, rnd)
    return city


def _departments(city: City, geo: Geography, catalogue: Catalogue) -> None:
    ids = {}
    for i, (code, name) in enumerate(names.PROFESSIONAL_DEPARTMENTS, start=1):
        city.departments.append({"id": i, "code": code, "name": name, "kind": "professional", "street_code": None})
        ids[code] = i
    next_id = len(city.departments) + 1
    for street in geo.streets:
        office = street.name.replace("街道", "街道办事处") if street.name.endswith("街道") else street.name + "人民政府"
        city.departments.append({"id": next_id, "code": f"JD{street.code[-3:]}", "name": office, "kind": "street",
                                 "street_code": street.code})
        city.street_department[street.code] = next_id
        next_id += 1
    # routing: component majors to 市政 by default, event majors to the street office (事件先属地),
    # minor classes by keyword to their professional department
    rules: list[dict[str, Any]] = []
    majors = sorted({(c.major_code, c.kind) for c in catalogue.categories})
    for major, kind in majors:
        if kind == "component":
            rules.append({"category_code": None, "major_code": major, "street_code": None,
                          "department_id": ids["SZ"], "priority": 0})
        else:
            for street in geo.streets:
                rules.append({"category_code": None, "major_code": major, "street_code": street.code,
                              "department_id": city.street_department[street.code], "priority": 10})
    for cat in catalogue.categories:
        target = _keyword_department(cat)
        if target is None:
            continue
        if target == "STREET":
            if cat.kind == "component":
                for street in geo.streets:
                    rules.append({"category_code": cat.code, "major_code": None, "street_code": street.code,
                                  "department_id": city.street_department[street.code], "priority": 30})
        else:
            rules.append({"category_code": cat.code, "major_code": None, "street_code": None,
                          "department_id": ids[target], "priority": 20})
    for i, rule in enumerate(rules, start=1):
        rule["id"] = i
    city.routing = rules


def _keyword_department(cat: Category) -> str | None:
    for word, dept in names.ROUTING_KEYWORDS:
        if word in cat.name:
            return dept
    return None


def route(city: City, category: Category, street_code: str) -> int:
    """The department a routing rule suggests (highest priority, then lowest rule id)."""
    best = None
    for rule in city.routing:
        if rule["category_code"] not in (None, category.code):
            continue
        if rule["major_code"] not in (None, category.major_code):
            continue
        if rule["street_code"] not in (None, street_code):
            continue
        key = (-rule["priority"], rule["id"])
        if best is None or key < best[0]:
            best = (key, rule["department_id"])
    return best[1] if best else city.street_department[street_code]


def _patrols_and_staff(city: City, params: Scale, geo: Geography, rnd: random.Random) -> None:
    land = names.LAND_USES
    by_community: dict[str, list[Area]] = {}
    for g in geo.grids:
        by_community.setdefault(g.parent, []).append(g)
    street_name = {s.code: s.name for s in geo.streets}
    patrol_of_grid: dict[str, str] = {}
    counters: dict[str, int] = {}
    for community in geo.communities:
        grids = by_community[community.code]
        k = max(1, round(len(grids) / params.grids_per_patrol))
        chunk = math.ceil(len(grids) / k)
        street = community.parent
        for start in range(0, len(grids), chunk):
            members = [g.code for g in grids[start:start + chunk]]
            counters[street] = counters.get(street, 0) + 1
            code = f"{street}Z{counters[street]:04d}"
            city.patrols.append({"code": code, "name": f"{community.name}责任网格{start // chunk + 1}",
                                 "street_code": street, "unit_grid_codes": members})
            for member in members:
                patrol_of_grid[member] = code
    for g in geo.grids:
        street = g.parent[:9]
        city.grid_rows.append({
            "code": g.code, "community_code": g.parent, "street_code": street, "name": g.name,
            "area_m2": round(g.area_m2, 1), "land_use": rnd.choice(land),
            "responsible": f"{street_name[street]}（属地兜底）", "valid_from": GRID_VALID_FROM, "valid_to": None,
            "geom": g.geom,
        })
    staff_id = 0

    def person(kind: str, street: str | None, grid: str | None = None, patrol: str | None = None) -> int:
        nonlocal staff_id
        staff_id += 1
        name = names.person_name(rnd)
        city.staff.append({"id": staff_id, "name": name, "kind": kind, "phone": names.masked_phone(rnd),
                           "street_code": street, "grid_code": grid, "responsibility_grid_code": patrol,
                           "department_id": None})
        city.staff_name[staff_id] = name
        return staff_id

    for patrol in city.patrols:
        sid = person("inspector", patrol["street_code"], None, patrol["code"])
        for grid in patrol["unit_grid_codes"]:
            city.inspector_of_grid[grid] = sid
    officials = 1 + params.roads + len(geo.streets)
    remaining = params.staff - len(city.patrols) - officials
    if remaining < len(geo.grids):
        raise DemoError(f"scale {params.name}: {params.staff} staff are too few for {len(geo.grids)} grids")
    per_grid = _allocate(remaining, [g.area_m2 ** 0.3 for g in geo.grids], minimum=1)
    for g, n in zip(geo.grids, per_grid):
        for _ in range(n):
            person("grid_staff", g.parent[:9], g.code, patrol_of_grid[g.code])
    city.officials = [person("official", None) for _ in range(officials)]


def _road_line(rng: np.random.Generator, radius: float, through_centre: bool) -> LineString:
    angle = rng.uniform(0, math.pi)
    offset = rng.normal(0, 0.15 if through_centre else 0.55) * radius
    dx, dy = math.cos(angle), math.sin(angle)
    nx, ny = -dy, dx
    pts = []
    for t in np.linspace(-1.6, 1.6, 9):
        wobble = rng.normal(0, 0.03) * radius
        pts.append(((t * dx + (offset + wobble) / radius * nx) * radius,
                    (t * dy + (offset + wobble) / radius * ny) * radius))
    return LineString(pts)


def _roads(city: City, params: Scale, geo: Geography, rng: np.random.Generator, rnd: random.Random) -> None:
    outline = geo.outline
    radius = geo.radius_m
    levels = (["主干道"] * max(2, params.roads // 5) + ["次干道"] * max(2, params.roads * 3 // 10)
              + ["支路"] * max(1, params.roads * 3 // 10))
    levels += ["背街小巷"] * max(0, params.roads - len(levels))
    levels = levels[:params.roads]
    used: set[str] = set()
    pools = {lv: iter(names.road_names(rnd, params.roads * 2 + 10, lv)) for lv in set(levels)}
    streets_local = [(s, s.local) for s in geo.streets]
    officials = iter(city.officials)
    general = next(officials)
    city.chiefs.append({"staff_id": general, "level": "general", "road_id": None, "segment_id": None})
    street_official = {s.code: None for s in geo.streets}
    grid_staff_by_street: dict[str, list[int]] = {}
    for row in city.staff:
        if row["kind"] == "grid_staff":
            grid_staff_by_street.setdefault(row["street_code"], []).append(row["id"])
    road_officials = [next(officials) for _ in range(params.roads)]
    for s in geo.streets:
        street_official[s.code] = next(officials)
    for s in geo.streets:
        city.staff[street_official[s.code] - 1]["street_code"] = s.code
    seg_id = 0
    for road_id, level in enumerate(levels, start=1):
        name = next(n for n in pools[level] if n not in used)
        used.add(name)
        line = LineString([(-radius * 0.5, 0.0), (radius * 0.5, 0.0)])  # fallback: through the centre
        for _ in range(20):
            candidate = shapely.intersection(_road_line(rng, radius, level == "主干道"), outline)
            parts = [p for p in shapely.get_parts(candidate) if p.geom_type == "LineString"]
            if parts and max(p.length for p in parts) > radius * 0.6:
                line = max(parts, key=lambda p: p.length)
                break
        if level == "背街小巷":  # lanes are short: keep a middle piece
            length = line.length
            keep = min(length, rng.uniform(0.4, 0.9) * 1500.0)
            start = rng.uniform(0, max(length - keep, 0))
            line = _substring(line, start, start + keep)
        city.roads.append({"id": road_id, "name": name, "level": level, "chief_staff_id": road_officials[road_id - 1]})
        city.chiefs.append({"staff_id": road_officials[road_id - 1], "level": "first", "road_id": road_id,
                            "segment_id": None})
        difficulty = {"主干道": 3, "次干道": 2, "支路": 1, "背街小巷": 1}[level]
        for street, poly in streets_local:
            inside = shapely.intersection(line, poly)
            pieces = [p for p in shapely.get_parts(inside) if p.geom_type == "LineString" and p.length > 80]
            if not pieces:
                continue
            city.street_roads.setdefault(street.code, []).append(name)
            city.chiefs.append({"staff_id": street_official[street.code], "level": "second", "road_id": road_id,
                                "segment_id": None})
            n = 0
            for piece in pieces:
                count = max(1, round(piece.length / 1200.0))
                step = piece.length / count
                for j in range(count):
                    part = _substring(piece, j * step, (j + 1) * step)
                    seg_id += 1
                    n += 1
                    short = street.name.removesuffix("街道")
                    city.segments.append({
                        "id": seg_id, "road_id": road_id, "street_code": street.code,
                        "name": f"{name}（{short}段{n}）", "difficulty_class": difficulty,
                        "length_m": round(part.length, 1), "geom": geo.to_lonlat(part),
                    })
                    pool = grid_staff_by_street.get(street.code) or [general]
                    city.chiefs.append({"staff_id": pool[rnd.randrange(len(pool))], "level": "segment",
                                        "road_id": road_id, "segment_id": seg_id})
    for i, chief in enumerate(city.chiefs, start=1):
        chief["id"] = i


def _substring(line: LineString, start: float, end: float) -> LineString:
    from shapely.ops import substring

    return substring(line, start, end)


def _cameras(city: City, params: Scale, geo: Geography, rng: np.random.Generator, rnd: random.Random) -> None:
    weights = np.array([_mass(geo, g.local) ** 0.7 for g in geo.grids])
    counts = rng.multinomial(params.cameras, weights / weights.sum())
    centre = f"{names.DISTRICT_CODE}00"
    seq = 0
    owners = ["区城管局", "区城管局", "区城管局", "公安局（共享）", "交警大队（共享）", "街道办事处"]
    for g, n in zip(geo.grids, counts):
        if n == 0:
            continue
        pts = geo.to_lonlat(MultiPoint(_points_in(rng, g.local, int(n))))
        roads = city.street_roads.get(g.parent[:9]) or [g.name]
        for p in shapely.get_parts(pts):
            seq += 1
            owner = rnd.choice(owners)
            industry = "04" if "交警" in owner else "08"  # 交通路面接入 / 城市管理接入
            status = rnd.choices(["online", "offline", "fault"], weights=[0.88, 0.08, 0.04])[0]
            city.cameras.append({
                "id": CameraId.format(centre, industry, "132", seq),
                "name": f"{rnd.choice(roads)}{rnd.randrange(1, 400)}号监控点",
                "lon": float(p.x), "lat": float(p.y), "crs": "wgs84", "status": status,
                "ptz": rnd.random() < 0.3, "owner": owner, "grid_code": g.code, "street_code": g.parent[:9],
                "stream_url": None,
            })


# =============================================================================================
# writing the city
# =============================================================================================


def _geom_columns(geom: Any) -> dict[str, Any]:
    x0, y0, x1, y1 = geom.bounds
    return {"geom_wkb": shapely.to_wkb(geom), "min_lon": float(x0), "min_lat": float(y0), "max_lon": float(x1),
            "max_lat": float(y1)}


def _bulk(conn: Any, table: Any, rows: list[dict[str, Any]], batch: int = 10_000) -> None:
    for i in range(0, len(rows), batch):
        conn.execute(insert(table), rows[i:i + batch])


def _write_city(db: Database, geo: Geography, city: City) -> None:
    with db.write() as s:
        conn = s.connection()
        _bulk(conn, m.District.__table__, [{"code": names.DISTRICT_CODE, "name": names.DISTRICT_NAME,
                                            "area_km2": round(geo.area_km2, 3), **_geom_columns(geo.district)}])
        _bulk(conn, m.Street.__table__, [{"code": a.code, "district_code": names.DISTRICT_CODE, "name": a.name,
                                          **_geom_columns(a.geom)} for a in geo.streets])
        _bulk(conn, m.Community.__table__, [{"code": a.code, "street_code": a.parent, "name": a.name,
                                             **_geom_columns(a.geom)} for a in geo.communities])
        _bulk(conn, m.UnitGrid.__table__, [
            {"id": i, **{k: v for k, v in row.items() if k != "geom"}, **_geom_columns(row["geom"])}
            for i, row in enumerate(city.grid_rows, start=1)])
        _bulk(conn, m.ResponsibilityGrid.__table__, city.patrols)
        _bulk(conn, m.Department.__table__, city.departments)
        _bulk(conn, m.RoutingRule.__table__, city.routing)
        _bulk(conn, m.Staff.__table__, city.staff)
        _bulk(conn, m.Road.__table__, city.roads)
        _bulk(conn, m.RoadSegment.__table__, [{**{k: v for k, v in row.items() if k != "geom"},
                                               **_geom_columns(row["geom"])} for row in city.segments])
        _bulk(conn, m.RoadChief.__table__, city.chiefs)
        _bulk(conn, m.Camera.__table__, city.cameras)


# =============================================================================================
# accounts
# =============================================================================================


@dataclass(frozen=True)
class Who:
    """An actor of a simulated action, as the audit event records it."""

    name: str
    role: Role
    seat: str | None = None
    operator_id: int | None = None


@dataclass
class Accounts:
    by_role: dict[Role, list[Who]]
    department: dict[int, Who]
    street: dict[str, Who]
    all: list[str]


def _account_specs(city: City) -> list[dict[str, Any]]:
    specs = [{"username": u, "role": r, "display_name": n, "seat": seat, "street_code": None,
              "department_id": None} for u, r, n, seat in HALL_ACCOUNTS]
    for dept in city.departments:
        suffix = dept["code"].lower() if dept["kind"] == "professional" else dept["street_code"]
        specs.append({"username": f"dept_{suffix}", "role": "department", "display_name": dept["name"],
                      "seat": dept["name"], "street_code": None, "department_id": dept["id"]})
    for dept in city.departments:
        if dept["kind"] == "street":
            short = dept["name"].replace("办事处", "").replace("人民政府", "")
            specs.append({"username": f"street_{dept['street_code']}", "role": "street_seat",
                          "display_name": f"{short}指挥席", "seat": f"街道指挥席-{short}",
                          "street_code": dept["street_code"], "department_id": None})
    return specs


def _add_accounts(db: Database, city: City) -> Accounts:
    """Every account through accounts.add_user, except that the second and later department and street
    accounts reuse the first one's argon2 hash of the same demo password (a hash costs ~0.2 s)."""
    by_role: dict[Role, list[Who]] = {}
    department: dict[int, Who] = {}
    street: dict[str, Who] = {}
    hashes: dict[str, str] = {}
    later: list[dict[str, Any]] = []
    ids: dict[str, int] = {}
    for spec in _account_specs(city):
        if spec["role"] in ("department", "street_seat") and spec["role"] in hashes:
            later.append(spec)
            continue
        user = add_user(db, spec["username"], spec["role"], password=DEMO_PASSWORD,
                        display_name=spec["display_name"], seat=spec["seat"], street_code=spec["street_code"],
                        department_id=spec["department_id"])
        hashes[spec["role"]] = user.password_hash
        ids[spec["username"]] = user.id
    with db.write() as s:
        rows = [m.Operator(**spec, password_hash=hashes[spec["role"]], failed_attempts=0, active=True,
                           created_at=datetime.now(_UTC)) for spec in later]
        s.add_all(rows)
        s.flush()
        for row in rows:
            ids[row.username] = row.id
            log_change(s, "operator", str(row.id), "add", street_code=row.street_code)
    for spec in _account_specs(city):
        who = Who(spec["display_name"], Role(spec["role"]), spec["seat"], ids[spec["username"]])
        if who.role == Role.DEPARTMENT:
            department[spec["department_id"]] = who
        elif who.role == Role.STREET_SEAT:
            street[spec["street_code"]] = who
        else:
            by_role.setdefault(who.role, []).append(who)
    return Accounts(by_role, department, street, list(ids))


# =============================================================================================
# case history
# =============================================================================================


_VALUE: dict[Any, str] = {e: e.value for enum in (Action, State, Role, Pending) for e in enum}
_DECISIONS = frozenset(a for a in Action if a.value.startswith(("approve_", "reject_")))


class _Stop(Exception):
    """The next action would happen after `now`: the case stays where it is."""


@functools.lru_cache(maxsize=4096)
def _plan(state: State | None, action: Action, role: Role, pending: str | None, self_handled: bool) -> Transition:
    return plan(state, action, role, pending=pending, self_handled=self_handled)


@dataclass
class _Clock:
    clock: StepClock
    round: int
    department_id: int | None
    outcome: str | None = None


@dataclass
class _Ctx:
    """What every simulated case needs (shared, read-only)."""

    rules: Rules
    now: datetime
    city: City
    accounts: Accounts
    categories: list[Category]
    category_weights: np.ndarray
    conditions: dict[str, list[FilingCondition]]
    dispose_limits: dict[tuple[str, str], Limit]
    grid_codes: list[str]
    grid_weights: np.ndarray
    grid_points: list[np.ndarray]  # lon/lat spots per grid
    community_name: dict[str, str]
    street_name: dict[str, str]
    route_cache: dict[Any, Any]
    professional_ids: list[int]


class _Case:
    """One case played through the workflow in memory, mirroring console.data.commands."""

    __slots__ = ("ctx", "row", "state", "pending", "pending_data", "version", "clocks", "events", "urges",
                 "self_handled")

    def __init__(self, ctx: _Ctx, row: dict[str, Any]) -> None:
        self.ctx = ctx
        self.row = row
        self.state: State | None = None
        self.pending: str | None = None
        self.pending_data: dict[str, Any] | None = None
        self.version = 0
        self.clocks: list[_Clock] = []
        self.events: list[dict[str, Any]] = []
        self.urges: list[dict[str, Any]] = []
        self.self_handled = bool(row["self_handled"])

    # -- the one mutation path ------------------------------------------------------------------
    def act(self, action: Action, who: Who, at: datetime, *, note: str = "", reason: str | None = None,
            condition: FilingCondition | None = None, urgency: str | None = None, department_id: int | None = None,
            extension: str | None = None, close_type: str | None = None) -> None:
        if at > self.ctx.now:
            raise _Stop
        t = _plan(self.state, action, who.role, self.pending, self.self_handled)
        row = self.row
        data: dict[str, Any] = {}
        if action in (Action.REPORT, Action.REPORT_SELF_HANDLED):
            self.version = 1
            data["source"] = row["source"]
        else:
            if action == Action.FILE:
                row["condition_code"] = condition.code
                row["category_code"] = condition.category_code
                row["urgency"] = urgency
                data = {"condition_code": condition.code, "urgency": urgency}
            elif action == Action.DISPATCH:
                row["department_id"] = department_id
                data = {"department_id": department_id}
            elif action == Action.REQUEST_EXTENSION:
                self.pending_data = {"extension": extension, "reason": reason}
                data = {"extension": extension}
            elif action == Action.APPROVE_RETURN:
                row["return_count"] += 1
            elif action == Action.APPROVE_EXTENSION:
                row["extension_count"] += 1
            elif action == Action.CLOSE:
                row["close_type"] = CloseType(close_type or "normal").value
                data = {"close_type": row["close_type"]}
            elif action == Action.APPROVE_SELF_HANDLED:
                row["close_type"] = CloseType.SELF_HANDLED.value
            if t.rework:
                row["rework_count"] += 1
        if reason:
            data["reason"] = reason
        if t.clock_ops:
            self._clock_ops(t, at)
        if t.overlay:
            self._overlay(action, who, at, reason)
        if action not in (Action.REPORT, Action.REPORT_SELF_HANDLED):
            if t.pending_after is not None:
                self.pending = _VALUE[t.pending_after]
            elif action in _DECISIONS or not t.overlay:
                self.pending = None
            if self.pending is None and action != Action.REQUEST_EXTENSION:
                self.pending_data = None
            self.version += 1
        self.state = t.to_state
        if not t.to_state.is_open:
            row["closed_at"] = at
        row["updated_at"] = at
        row["updated_by"] = who.name
        row["updated_seat"] = who.seat
        # in EVENT_COLUMNS order
        self.events.append((row["id"], at, _VALUE[action], _VALUE.get(t.from_state), _VALUE[t.to_state],
                            self.version, who.operator_id, who.name, _VALUE[who.role], who.seat, note, data or None,
                            None))

    def _clock_ops(self, t: Transition, at: datetime) -> None:
        cal = self.ctx.rules.calendar
        for op in t.clock_ops:
            if op.kind == "start":
                self._start(op.step, at)
            elif op.kind == "stop_all":
                for c in self.clocks:
                    if c.clock.stopped_at is None:
                        c.clock = c.clock.stop(at, cal)
                        c.outcome = "cancelled"
            else:
                c = self.latest(op.step)
                if op.kind == "stop":
                    c.clock = c.clock.stop(at, cal)
                    c.outcome = "on_time" if c.clock.on_time else "late"
                elif op.kind == "stop_returned":
                    c.clock = c.clock.stop(at, cal)
                    c.outcome = "returned"
                elif op.kind == "pause":
                    c.clock = c.clock.pause(at, cal)
                elif op.kind == "resume":
                    c.clock = c.clock.resume(at)
                elif op.kind == "reopen":
                    c.clock = c.clock.reopen(at)
                    c.outcome = None
                elif op.kind == "extend":
                    c.clock = c.clock.extend(Limit.parse(self.pending_data["extension"]), cal)

    def _start(self, step: str, at: datetime) -> None:
        rules = self.ctx.rules
        if step == "dispose":
            limit = self.ctx.dispose_limits[(self.row["condition_code"], self.row["urgency"])]
        else:
            limit = rules.step_limit(step)
        rounds = [c.round for c in self.clocks if c.clock.step == step]
        dept = self.row["department_id"] if step == "dispose" else None
        self.clocks.append(_Clock(StepClock.start(step, limit, at, rules.calendar), max(rounds, default=0) + 1, dept))

    def _overlay(self, action: Action, who: Who, at: datetime, reason: str | None) -> None:
        if action == Action.URGE:
            self.urges.append({"case_id": self.row["id"], "kind": "urge", "at": at, "operator_name": who.name,
                               "seat": who.seat, "note": reason or "", "department_id": self.row["department_id"],
                               "reply_due_at": None, "replied_at": None, "reply_note": None})
        elif action == Action.SUPERVISE:
            rules = self.ctx.rules
            due = rules.calendar.deadline(at, rules.step_limit("supervise_reply"))
            self.urges.append({"case_id": self.row["id"], "kind": "supervise", "at": at, "operator_name": who.name,
                               "seat": who.seat, "note": reason or "", "department_id": self.row["department_id"],
                               "reply_due_at": due, "replied_at": None, "reply_note": None})
        elif action == Action.REPLY_SUPERVISE:
            record = next(u for u in self.urges if u["kind"] == "supervise" and u["replied_at"] is None)
            record["replied_at"] = at
            record["reply_note"] = reason or ""

    def latest(self, step: str) -> _Clock:
        found = None
        for c in self.clocks:
            if c.clock.step == step and (found is None or c.round > found.round):
                found = c
        if found is None:
            raise RuntimeError(f"case {self.row['number']}: no {step} clock")
        return found

    # -- rows -----------------------------------------------------------------------------------
    def finish(self) -> None:
        row = self.row
        row["state"] = self.state.value
        row["is_open"] = self.state.is_open
        row["pending"] = self.pending
        row["pending_data"] = self.pending_data
        row["version"] = self.version

    def clock_rows(self) -> Iterator[dict[str, Any]]:
        rules = self.ctx.rules
        for c in self.clocks:
            cols = clock_columns(c.clock, rules)
            cols.update(case_id=self.row["id"], round=c.round, outcome=c.outcome, department_id=c.department_id)
            yield cols


# --- timing helpers ------------------------------------------------------------------------------


def _work_after(ctx: _Ctx, at: datetime, minutes: float) -> datetime:
    """`minutes` of work time after `at` (lands inside working hours)."""
    return ctx.rules.calendar.advance(at, max(int(minutes * _US), 1_000_000), TimeKind.WORK)


def _hall_minutes(rnd: random.Random, limit_minutes: float) -> float:
    """How long a hall step takes, in work minutes: mostly well inside its limit."""
    if rnd.random() < P_HALL_LATE:
        return limit_minutes * rnd.uniform(1.05, 2.5)
    return limit_minutes * (0.03 + 0.92 * rnd.random() ** 1.7)


def _step_minutes(ctx: _Ctx, step: str) -> float:
    return ctx.rules.calendar.limit_minutes(ctx.rules.step_limit(step))


def _after_clock(ctx: _Ctx, c: _Clock, fraction: float, not_before: datetime) -> datetime:
    """The instant a running clock will have consumed `fraction` of its total."""
    clock = c.clock
    target_us = int(fraction * clock.total_minutes * _US) - int(round(clock.consumed_minutes * _US))
    at = ctx.rules.calendar.advance(clock.run_started_at, max(target_us, 1_000_000), clock.kind)
    return max(at, not_before + timedelta(seconds=30))


# --- one case's story ---------------------------------------------------------------------------


def _pick(rnd: random.Random, items: Sequence[Who]) -> Who:
    return items[rnd.randrange(len(items))]


def _play(case: _Case, rnd: random.Random, reporter: Who, category: Category, condition: FilingCondition,
          urgency: str) -> None:
    ctx, row = case.ctx, case.row
    hall = ctx.accounts.by_role
    intake, shift, dispatch, leader = (hall[Role.INTAKE], hall[Role.SHIFT_LEAD], hall[Role.DISPATCHER],
                                       hall[Role.LEADER])
    t = row["created_at"]
    if case.self_handled:
        case.act(Action.REPORT_SELF_HANDLED, reporter, t, note="现场已自行处置")
        t = _work_after(ctx, t, _hall_minutes(rnd, _step_minutes(ctx, "intake")))
        case.act(Action.APPROVE_SELF_HANDLED, _pick(rnd, intake), t)
        return
    case.act(Action.REPORT, reporter, t)
    desk = _pick(rnd, intake)
    t = _work_after(ctx, t, _hall_minutes(rnd, _step_minutes(ctx, "intake")))
    source = row["source"]
    if rnd.random() < P_REFUSE[source]:
        case.act(Action.REFUSE, desk, t, reason=rnd.choice(names.REFUSE_REASONS))
        return
    if rnd.random() < P_VERIFY[source]:
        case.act(Action.SEND_VERIFY, desk, t)
        inspector = _inspector(ctx, rnd, row["grid_code"])
        t = _work_after(ctx, t, _hall_minutes(rnd, _step_minutes(ctx, "verify")))
        if rnd.random() < P_VERIFY_FALSE:
            case.act(Action.VERIFY_FALSE, inspector, t, note="现场核实无此问题")
            return
        case.act(Action.VERIFY_TRUE, inspector, t, note="现场核实属实")
    else:
        case.act(Action.FORWARD, desk, t)
    lead = _pick(rnd, shift)
    t = _work_after(ctx, t, _hall_minutes(rnd, _step_minutes(ctx, "file")))
    if rnd.random() < P_REFUSE_FILING:
        case.act(Action.REFUSE_FILING, lead, t, reason="不符合立案条件")
        return
    case.act(Action.FILE, lead, t, condition=condition, urgency=urgency)
    dispatcher = _pick(rnd, dispatch)
    t = _work_after(ctx, t, _hall_minutes(rnd, _step_minutes(ctx, "dispatch")))
    right = _route(ctx, category, row["street_code"])
    if rnd.random() < P_MISDISPATCH:
        wrong = rnd.choice([d for d in ctx.professional_ids if d != right])
        case.act(Action.DISPATCH, dispatcher, t, department_id=wrong)
        dept = ctx.accounts.department[wrong]
        t = _after_clock(ctx, case.latest("dispose"), rnd.uniform(0.02, 0.3), t)
        case.act(Action.REQUEST_RETURN, dept, t, reason=rnd.choice(names.RETURN_REASONS))
        t = _work_after(ctx, t, rnd.uniform(3, 40))
        if rnd.random() < P_APPROVE_RETURN:
            case.act(Action.APPROVE_RETURN, dispatcher, t)
            t = _work_after(ctx, t, rnd.uniform(2, 25))
            case.act(Action.DISPATCH, dispatcher, t, department_id=right)
        else:
            case.act(Action.REJECT_RETURN, dispatcher, t, note="请按职责处置")
    else:
        case.act(Action.DISPATCH, dispatcher, t, department_id=right)
    if rnd.random() < P_CANCEL:
        t = _work_after(ctx, t, rnd.uniform(10, 300))
        case.act(Action.REQUEST_CANCEL, dispatcher, t, reason="重复案件")
        t = _work_after(ctx, t, rnd.uniform(5, 60))
        case.act(Action.APPROVE_CANCEL, lead, t)
        return
    t = _dispose(case, rnd, t, dispatcher, leader)
    # 核查: the reporting inspector, or for other sources the grid's inspector or the desk calling back
    if source == "inspector":
        checker = reporter
    else:
        checker = _inspector(ctx, rnd, row["grid_code"]) if rnd.random() < 0.6 else desk
    t = _work_after(ctx, t, _hall_minutes(rnd, _step_minutes(ctx, "check")))
    if rnd.random() < P_CHECK_FAIL:
        case.act(Action.CHECK_FAIL, checker, t, note=rnd.choice(names.CHECK_FAIL_NOTES))
        dept = ctx.accounts.department[row["department_id"]]
        clock = case.latest("dispose")
        used = clock.clock.consumed_minutes / clock.clock.total_minutes
        t = _after_clock(ctx, clock, used + rnd.uniform(0.05, 0.4), t)
        case.act(Action.FEEDBACK, dept, t, note="已返工整改")
        t = _work_after(ctx, t, _hall_minutes(rnd, _step_minutes(ctx, "check")))
    case.act(Action.CHECK_PASS, checker, t, note="核查通过")
    t = _work_after(ctx, t, _hall_minutes(rnd, _step_minutes(ctx, "close")))
    dispose = case.latest("dispose")
    close_type = "normal" if dispose.outcome == "on_time" else "overdue"
    if rnd.random() < P_ERROR_CLOSE:
        close_type = "error"
    case.act(Action.CLOSE, _pick(rnd, shift), t, close_type=close_type)


def _dispose(case: _Case, rnd: random.Random, t: datetime, dispatcher: Who, leader: Sequence[Who]) -> datetime:
    """处置: extensions, holds, urges, supervision, then the department's feedback; returns its time."""
    ctx, row = case.ctx, case.row
    dept = ctx.accounts.department[row["department_id"]]
    clock = case.latest("dispose")
    late = rnd.random() < P_LATE
    target = rnd.uniform(1.03, 2.6) if late else min(rnd.betavariate(2.0, 2.6) * 1.05, 0.98) + 0.01
    if rnd.random() < P_EXTENSION:
        t = _after_clock(ctx, clock, rnd.uniform(0.3, 0.75), t)
        extension = rnd.choice(EXTENSIONS)
        case.act(Action.REQUEST_EXTENSION, dept, t, extension=extension, reason=rnd.choice(names.EXTENSION_REASONS))
        t = _work_after(ctx, t, rnd.uniform(5, 60))
        if rnd.random() < P_APPROVE_EXTENSION:
            case.act(Action.APPROVE_EXTENSION, dispatcher, t)
        else:
            case.act(Action.REJECT_EXTENSION, dispatcher, t, note="延期理由不充分")
    if rnd.random() < P_HOLD:
        t = _after_clock(ctx, clock, rnd.uniform(0.2, 0.7), t)
        case.act(Action.REQUEST_HOLD, dept, t, reason=rnd.choice(names.HOLD_REASONS))
        t = _work_after(ctx, t, rnd.uniform(10, 240))
        case.act(Action.APPROVE_HOLD, _pick(rnd, [dispatcher, *leader]), t)
        t = t + timedelta(days=rnd.uniform(3, 60))
        case.act(Action.RESUME, dispatcher, t, note="具备处置条件，恢复处置")
    if target > 1.0:
        due = _after_clock(ctx, clock, 1.0, t)
        if rnd.random() < P_URGE_LATE:
            urge_at = max(due, t) + timedelta(minutes=rnd.uniform(5, 180))
            seat = ctx.accounts.street.get(row["street_code"]) if rnd.random() < 0.4 else None
            case.act(Action.URGE, seat or dispatcher, urge_at, reason=rnd.choice(names.URGE_NOTES))
            t = urge_at
        if target > 1.5 and rnd.random() < P_SUPERVISE_LATE:
            sup_at = _work_after(ctx, max(due, t), rnd.uniform(30, 600))
            case.act(Action.SUPERVISE, _pick(rnd, leader), sup_at, reason=rnd.choice(names.SUPERVISE_NOTES))
            t = sup_at
            reply_limit = ctx.rules.calendar.limit_minutes(ctx.rules.step_limit("supervise_reply"))
            t = _work_after(ctx, t, reply_limit * (rnd.uniform(0.1, 0.9) if rnd.random() < 0.85
                                                   else rnd.uniform(1.1, 2.0)))
            case.act(Action.REPLY_SUPERVISE, dept, t, reason=rnd.choice(names.REPLY_NOTES))
    t = _after_clock(ctx, clock, target, t)
    case.act(Action.FEEDBACK, dept, t, note=rnd.choice(names.FEEDBACK_NOTES))
    return t


def _route(ctx: _Ctx, category: Category, street: str) -> int:
    key = (category.code, street)
    dept = ctx.route_cache.get(key)
    if dept is None:
        rules = ctx.route_cache.get(category.code)
        if rules is None:  # the rules that can apply to this category, best first
            rules = ctx.route_cache[category.code] = sorted(
                (r for r in ctx.city.routing if r["category_code"] in (None, category.code)
                 and r["major_code"] in (None, category.major_code)),
                key=lambda r: (-r["priority"], r["id"]))
        dept = next((r["department_id"] for r in rules if r["street_code"] in (None, street)),
                    ctx.city.street_department[street])
        ctx.route_cache[key] = dept
    return dept


def _inspector(ctx: _Ctx, rnd: random.Random, grid_code: str) -> Who:
    sid = ctx.city.inspector_of_grid[grid_code]
    return Who(ctx.city.staff_name[sid], Role.INSPECTOR, "城管通")


# --- a day of cases --------------------------------------------------------------------------------


def _analyze(db: Database) -> None:
    """Fresh planner statistics after a bulk load, or the open-case queries scan a million rows."""
    with db.engine.begin() as conn:
        conn.execute(text("ANALYZE"))


def _daily_counts(rng: np.random.Generator, ctx: _Ctx, first_day: date, days: int, per_day: float,
                  today_fraction: float, surge: tuple[int, float] = (0, 1.0)) -> list[int]:
    """Reports per local day for `days` full days and today's part: fewer on rest days, some noise.

    The total is round(per_day x (days + today_fraction)), so a year of `metro` is >= 1,000,000.
    """
    weights = []
    for i in range(days + 1):
        day = first_day + timedelta(days=i)
        w = (1.0 if ctx.rules.calendar.is_workday(day) else 0.68) * rng.uniform(0.9, 1.1)
        weights.append(w)
    weights[-1] *= today_fraction
    surge_days, factor = surge
    for i in range(max(0, len(weights) - surge_days), len(weights)):
        weights[i] *= factor
    total = round(per_day * (days + today_fraction))
    return _allocate(total, weights, minimum=0)


def _simulate_day(ctx: _Ctx, seed: int, day: date, count: int, first_id: int) -> tuple[list, list, list, list]:
    """Play `count` cases reported on local day `day`; ids from first_id. Returns row lists."""
    rng = np.random.default_rng([seed, 7, day.toordinal()])
    rnd = random.Random(f"{seed}-{day.toordinal()}")
    tz = ctx.rules.calendar.tz
    midnight = datetime.combine(day, time(0), tzinfo=tz)
    limit_s = (ctx.now - midnight).total_seconds()
    hours = HOUR_WEIGHTS.copy()
    span = np.full(24, 3600.0)  # seconds of each hour that may hold reports
    if limit_s < 86400:  # today: only the time already past
        cur = int(max(limit_s, 0) // 3600)
        hours[cur + 1:] = 0.0
        span[cur] = max(limit_s - cur * 3600 - 1, 0.0)
        hours[cur] *= span[cur] / 3600.0
        if hours.sum() == 0:
            hours[0], span[0] = 1.0, 0.0
    hour = rng.choice(24, size=count, p=hours / hours.sum())
    seconds = np.sort(hour * 3600 + rng.random(count) * span[hour])
    grid_idx = rng.choice(len(ctx.grid_codes), size=count, p=ctx.grid_weights)
    cat_idx = rng.choice(len(ctx.categories), size=count, p=ctx.category_weights)
    src_names = [s for s, _ in SOURCES]
    src_idx = rng.choice(len(SOURCES), size=count, p=[p for _, p in SOURCES])
    spot_u = rng.random(count)
    cases, clocks, events, urges = [], [], [], []
    for i in range(count):
        case_id = first_id + i
        created = (midnight + timedelta(seconds=float(seconds[i]))).astimezone(_UTC).replace(microsecond=0)
        if created > ctx.now:
            created = ctx.now
        grid = ctx.grid_codes[grid_idx[i]]
        spots = ctx.grid_points[grid_idx[i]]
        lon, lat = spots[int(spot_u[i] * len(spots))]
        category = ctx.categories[cat_idx[i]]
        source = src_names[src_idx[i]]
        conds = ctx.conditions[category.code]
        condition = conds[0] if len(conds) == 1 or rnd.random() < 0.7 else rnd.choice(conds)
        urgency = condition.default_urgency.value
        if rnd.random() < 0.05 and Urgency.URGENT in condition.limits:
            urgency = Urgency.URGENT.value
        street = grid[:9]
        roads = ctx.city.street_roads.get(street)
        place = f"{rnd.choice(roads)}{rnd.randrange(1, 300)}号" if roads else ctx.community_name[grid[:12]]
        address = f"{ctx.street_name[street]}{ctx.community_name[grid[:12]]}{place}附近"
        self_handled = source == "inspector" and rnd.random() < P_SELF_HANDLED
        if source == "inspector":
            sid = ctx.city.inspector_of_grid[grid]
            reporter = Who(ctx.city.staff_name[sid], Role.INSPECTOR, "城管通")
        else:
            sid = None
            reporter = _pick(rnd, ctx.accounts.by_role[Role.INTAKE])
        hotline = source == "hotline"
        row = {
            "id": case_id, "number": case_number(created, case_id), "state": None, "is_open": True,
            "pending": None, "pending_data": None, "version": 1, "source": source, "kind": category.kind,
            "category_code": category.code, "condition_code": None, "urgency": None,
            "description": f"{category.name}：{place}附近。{rnd.choice(names.DESCRIPTION_TAILS)}",
            "address": address, "lon": float(lon), "lat": float(lat), "grid_code": grid,
            "community_code": grid[:12], "street_code": street, "department_id": None,
            "reporter_staff_id": sid,
            "caller_name": (names.person_name(rnd)[0] + rnd.choice(names.HOTLINE_TITLES)) if hotline else None,
            "caller_phone": names.masked_phone(rnd) if hotline else None,
            "self_handled": self_handled, "rework_count": 0, "return_count": 0, "extension_count": 0,
            "close_type": None, "photos": None, "created_at": created, "updated_at": created,
            "updated_by": reporter.name, "updated_seat": reporter.seat, "closed_at": None,
        }
        case = _Case(ctx, row)
        try:
            _play(case, rnd, reporter, category, condition, urgency)
        except _Stop:
            pass
        case.finish()
        cases.append(row)
        clocks.extend(case.clock_rows())
        events.extend(case.events)
        urges.extend(case.urges)
    return cases, clocks, events, urges


def _context(params: Scale, seed: int, now: datetime, geo: Geography, city: City, catalogue: Catalogue,
             rules: Rules, accounts: Accounts) -> _Ctx:
    rng = np.random.default_rng([seed, 3])
    categories = [c for c in catalogue.categories if catalogue.conditions_for(c.code)]
    weights = np.array([_category_weight(c) for c in categories])
    conditions = {c.code: catalogue.conditions_for(c.code) for c in categories}
    limits = {(cond.code, u.value): Limit.parse(text) for c in categories for cond in conditions[c.code]
              for u, text in cond.limits.items()}
    grid_w = np.array([_mass(geo, g.local) ** 0.7 for g in geo.grids])
    expected = grid_w / grid_w.sum() * params.cases_per_day * max(params.history_days, 1)
    points = []
    for g, e in zip(geo.grids, expected):
        n = int(min(max(e * 0.4, 12), 600))
        pts = geo.to_lonlat(MultiPoint(_points_in(rng, g.local, n)))
        arr = shapely.get_coordinates(pts)
        inside = shapely.contains_xy(g.geom, arr[:, 0], arr[:, 1])  # strictly inside after rounding
        arr = arr[inside] if inside.any() else shapely.get_coordinates(g.geom.representative_point())
        points.append(arr)
    return _Ctx(
        rules=rules, now=now, city=city, accounts=accounts, categories=categories,
        category_weights=weights / weights.sum(), conditions=conditions, dispose_limits=limits,
        grid_codes=[g.code for g in geo.grids], grid_weights=grid_w / grid_w.sum(), grid_points=points,
        community_name={c.code: c.name for c in geo.communities}, street_name={s.code: s.name for s in geo.streets},
        route_cache={},
        professional_ids=[d["id"] for d in city.departments if d["kind"] == "professional"],
    )


def _category_weight(category: Category) -> float:
    for word, weight in names.CATEGORY_WEIGHTS:
        if word in category.name:
            return weight
    return names.DEFAULT_CATEGORY_WEIGHT * (0.6 if category.kind == "component" else 1.0)


EVENT_COLUMNS = ("case_id", "at", "action", "from_state", "to_state", "version", "operator_id", "operator_name",
                 "role", "seat", "note", "data", "idempotency_key")
_TABLES = {"cases": m.Case.__table__, "clocks": m.CaseStepClock.__table__, "events": m.CaseEvent.__table__,
           "urges": m.UrgeRecord.__table__}


class _Rows:
    """Rows as the database driver takes them: tuples of bound values, processed as SQLAlchemy would.

    Cases carry their ids (case numbers are made from them); clocks, events and
    urge records get theirs from the database, in insertion order.
    """

    def __init__(self, dialect: Any) -> None:
        self.dialect = dialect
        self.positional = dialect.positional
        self.columns: dict[str, tuple[str, ...]] = {}
        self.sql: dict[str, str] = {}
        self.procs: dict[str, list[tuple[int, Callable[[Any], Any]]]] = {}
        for key, table in _TABLES.items():
            cols = EVENT_COLUMNS if key == "events" else tuple(
                c.name for c in table.columns if key == "cases" or c.name != "id")
            compiled = insert(table).compile(dialect=dialect, column_keys=list(cols))
            if self.positional and tuple(compiled.positiontup) != cols:
                raise RuntimeError(f"unexpected column order for {table.name}: {compiled.positiontup}")
            self.columns[key] = cols
            self.sql[key] = compiled.string
            procs = []
            for i, name in enumerate(cols):
                proc = _processor(table.c[name].type, dialect)
                if proc is not None:
                    if isinstance(table.c[name].type, JSON):
                        proc = _memo_json(proc)
                    procs.append((i, proc))
            self.procs[key] = procs

    def convert(self, key: str, rows: Iterable[Any]) -> list[tuple]:
        cols, procs = self.columns[key], self.procs[key]
        out = []
        for row in rows:
            values = list(row) if isinstance(row, tuple) else [row[c] for c in cols]
            for i, proc in procs:
                values[i] = proc(values[i])
            out.append(tuple(values))
        return out

    def write(self, conn: Any, key: str, rows: list[tuple]) -> None:
        if not rows:
            return
        if not self.positional:
            cols = self.columns[key]
            rows = [dict(zip(cols, r)) for r in rows]
        conn.exec_driver_sql(self.sql[key], rows)


def _sqlite_utc(value: datetime | None) -> str | None:
    """UtcDateTime on SQLite, as SQLAlchemy stores it ('YYYY-MM-DD HH:MM:SS.ffffff', UTC), twice as fast."""
    if value is None:
        return None
    if value.tzinfo is None:
        raise ValueError(f"naive datetime {value.isoformat()} given to the database; times must carry a zone")
    return value.astimezone(_UTC).isoformat(" ", "microseconds")[:26]


def _memo_sqlite_utc() -> Callable[[datetime | None], str | None]:
    """One instant is often stored three times (event, clock stop, next clock start): convert it once."""
    memo: dict[datetime, str] = {}

    def process(value: datetime | None) -> str | None:
        hit = memo.get(value)
        if hit is None:
            if value is None:
                return None
            hit = memo[value] = _sqlite_utc(value)
            if len(memo) > 200_000:
                memo.clear()
        return hit

    return process


def _memo_json(proc: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """JSON values repeat a lot (sources, conditions, departments): serialise each distinct one once."""
    memo: dict[Any, Any] = {}

    def process(value: Any) -> Any:
        try:
            key = None if value is None else tuple(value.items())
            hit = memo.get(key)
        except (AttributeError, TypeError):
            return proc(value)
        if hit is None:
            hit = memo[key] = proc(value)
            if len(memo) > 100_000:
                memo.clear()
        return hit

    return process


def _processor(column_type: Any, dialect: Any) -> Callable[[Any], Any] | None:
    proc = column_type.dialect_impl(dialect).bind_processor(dialect)
    if dialect.name == "sqlite" and isinstance(column_type, m.UtcDateTime) and proc is not None:
        samples = [datetime(2026, 1, 2, 3, 4, 5, tzinfo=_UTC), datetime(1999, 12, 31, 23, 59, 59, 999, tzinfo=_UTC)]
        if all(proc(v) == _sqlite_utc(v) for v in samples) and proc(None) is None:
            return _memo_sqlite_utc()
    return proc


@dataclass
class _Batch:
    rows: dict[str, list[tuple]]
    cases: int = 0
    open_cases: int = 0
    last_day: date | None = None


_WORKER: dict[str, Any] = {}  # the context a forked worker inherits


def _run_day(job: tuple[date, int, int]) -> _Batch:
    ctx, seed, conv = _WORKER["ctx"], _WORKER["seed"], _WORKER["rows"]
    day, count, first_id = job
    cases, clocks, events, urges = _simulate_day(ctx, seed, day, count, first_id)
    rows = {"cases": conv.convert("cases", cases), "clocks": conv.convert("clocks", clocks),
            "events": conv.convert("events", events), "urges": conv.convert("urges", urges)}
    return _Batch(rows, len(cases), sum(1 for c in cases if c["is_open"]), day)


def _simulate_and_write(db: Database, params: Scale, seed: int, days: int, now: datetime, geo: Geography,
                        city: City, catalogue: Catalogue, rules: Rules, accounts: Accounts,
                        say: Callable[[str], None], workers: int | None = None) -> dict[str, int]:
    ctx = _context(params, seed, now, geo, city, catalogue, rules, accounts)
    local_now = now.astimezone(rules.calendar.tz)
    first_day = local_now.date() - timedelta(days=days)
    today_fraction = float(HOUR_WEIGHTS[: local_now.hour].sum() + HOUR_WEIGHTS[local_now.hour] * local_now.minute / 60)
    today_fraction /= float(HOUR_WEIGHTS.sum())
    rng = np.random.default_rng([seed, 5])
    counts = _daily_counts(rng, ctx, first_day, days, params.cases_per_day, today_fraction,
                           (params.surge_days, params.surge_factor))
    jobs, next_id = [], 1
    for i, count in enumerate(counts):
        if count:
            jobs.append((first_day + timedelta(days=i), count, next_id))
            next_id += count
    total = next_id - 1
    _WORKER.update(ctx=ctx, seed=seed, rows=_Rows(db.engine.dialect))
    workers = _worker_count(total) if workers is None else workers
    say(f"cases: {total} reports over {len(counts)} days ({workers or 1} process{'es' if workers > 1 else ''})")
    totals = {"cases": 0, "open_cases": 0, "events": 0, "clocks": 0, "urge_records": 0}
    writer = _Writer(db, _WORKER["rows"])
    if workers > 1:
        db.engine.dispose()  # no pooled connection crosses the fork
    indexes = _drop_indexes(db) if total >= 20_000 else []
    try:
        for n, batch in enumerate(_batches(jobs, workers), start=1):
            writer.add(batch)
            totals["cases"] += batch.cases
            totals["open_cases"] += batch.open_cases
            totals["events"] += len(batch.rows["events"])
            totals["clocks"] += len(batch.rows["clocks"])
            totals["urge_records"] += len(batch.rows["urges"])
            if n % max(1, len(jobs) // 10) == 0 or n == len(jobs):
                say(f"cases: up to {batch.last_day.isoformat()} ({totals['cases']}/{total})")
        writer.flush()
    finally:
        _WORKER.clear()
        if indexes:
            say(f"cases: rebuilding {len(indexes)} indexes")
            _restore_indexes(db, indexes)
    return totals


def _drop_indexes(db: Database) -> list[str]:
    """SQLite: drop the history tables' secondary indexes for the bulk load (rebuilt after, same SQL)."""
    if db.dialect != "sqlite":
        return []
    tables = [t.name for t in _TABLES.values()]
    with db.write() as s:
        rows = s.execute(text(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN "
            f"({', '.join(repr(t) for t in tables)}) ORDER BY name")).all()
        for name, _sql in rows:
            s.execute(text(f'DROP INDEX "{name}"'))
    return [sql for _name, sql in rows]


def _restore_indexes(db: Database, statements: list[str]) -> None:
    with db.write() as s:
        for sql in statements:
            s.execute(text(sql))


def _worker_count(total_cases: int) -> int:
    """Simulate in forked processes when it pays (large histories, a fork-capable OS)."""
    import multiprocessing
    import os

    if total_cases < 20_000 or "fork" not in multiprocessing.get_all_start_methods():
        return 0
    return max(0, min(os.cpu_count() or 1, 4))


def _batches(jobs: list[tuple[date, int, int]], workers: int) -> Iterator[_Batch]:
    if workers <= 1:
        for job in jobs:
            yield _run_day(job)
        return
    import multiprocessing

    with multiprocessing.get_context("fork").Pool(workers) as pool:
        yield from pool.imap(_run_day, jobs, chunksize=1)


class _Writer:
    """Inserts converted rows in transactions of about BATCH rows."""

    BATCH = 50_000

    def __init__(self, db: Database, rows: _Rows) -> None:
        self.db = db
        self.rows = rows
        self.pending: dict[str, list[tuple]] = {key: [] for key in _TABLES}
        self.size = 0

    def add(self, batch: _Batch) -> None:
        for key, rows in batch.rows.items():
            self.pending[key].extend(rows)
            self.size += len(rows)
        if self.size >= self.BATCH:
            self.flush()

    def flush(self) -> None:
        if not self.size:
            return
        with self.db.write() as s:
            conn = s.connection()
            for key in _TABLES:  # cases first: the others refer to them
                self.rows.write(conn, key, self.pending[key])
                self.pending[key] = []
        self.size = 0


def _reset_sequences(db: Database) -> None:
    """After inserts with explicit ids, move PostgreSQL's sequences past them."""
    if not db.is_postgres:
        return
    tables = ["unit_grids", "departments", "staff", "roads", "road_segments", "road_chiefs", "routing_rules",
              "cases", "case_step_clocks", "case_events", "urge_records"]
    with db.write() as s:
        for table in tables:
            s.execute(text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)"
            ))


def content_digest(db: Database) -> str:
    """A hash of the generated city's grids (codes + geometries) and case rows: same seed, same digest."""
    h = hashlib.sha256()
    with db.read() as s:
        for code, wkb in s.execute(select(m.UnitGrid.code, m.UnitGrid.geom_wkb).order_by(m.UnitGrid.code)):
            h.update(code.encode())
            h.update(bytes(wkb))
        cols = [m.Case.id, m.Case.number, m.Case.state, m.Case.pending, m.Case.version, m.Case.source,
                m.Case.category_code, m.Case.condition_code, m.Case.urgency, m.Case.lon, m.Case.lat,
                m.Case.grid_code, m.Case.department_id, m.Case.rework_count, m.Case.return_count,
                m.Case.extension_count, m.Case.close_type, m.Case.created_at, m.Case.updated_at, m.Case.closed_at]
        for row in s.execute(select(*cols).order_by(m.Case.id)):
            h.update(repr(tuple(row)).encode())
        for row in s.execute(select(m.CaseEvent.case_id, m.CaseEvent.at, m.CaseEvent.action, m.CaseEvent.version,
                                    m.CaseEvent.operator_name).order_by(m.CaseEvent.id)):
            h.update(repr(tuple(row)).encode())
        for row in s.execute(select(m.CaseStepClock.case_id, m.CaseStepClock.step, m.CaseStepClock.round,
                                    m.CaseStepClock.consumed_minutes, m.CaseStepClock.due_at)
                             .order_by(m.CaseStepClock.id)):
            h.update(repr(tuple(row)).encode())
    return h.hexdigest()

"""The demo city on its geography: departments and routing, grid staff, roads and road chiefs, cameras."""
from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import shapely
from shapely.geometry import LineString, MultiPoint
from sqlalchemy import insert, text

from console.data import models as m
from console.data.db import Database
from console.data.demo import names
from console.data.demo.geography import Area, Geography, _allocate, _mass, _points_in
from console.data.demo.roads import Hierarchy, officials_needed
from console.data.demo.scales import DemoError, GRID_VALID_FROM, Scale
from console.domain.catalogue import Catalogue, Category
from console.domain.codes import CameraId
from console.domain.routing import route as route_rules, rows_from_dicts


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
    units: list[dict[str, Any]] = field(default_factory=list)  # 路段责任单位
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
    """The department the routing rules suggest (console.domain.routing: most specific rule wins);
    the street office when no rule applies."""
    return route_rules(rows_from_dicts(city.routing), category.code, street_code) or city.street_department[street_code]


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
    officials = officials_needed(params)
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
    # first-appearance order, not set order: the draws from rnd must not depend on PYTHONHASHSEED
    pools = {lv: iter(names.road_names(rnd, params.roads * 2 + 10, lv)) for lv in dict.fromkeys(levels)}
    streets_local = [(s, s.local) for s in geo.streets]
    chiefs = Hierarchy(params, city.officials, [s.code for s in geo.streets], rnd)
    for street, deputies in chiefs.deputies.items():  # the street's head and deputies belong to it
        for staff_id in (chiefs.street_officials[street], *deputies):
            city.staff[staff_id - 1]["street_code"] = street
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
        city.roads.append({"id": road_id, "name": name, "level": level, "chief_staff_id": None})
        difficulty = {"主干道": 3, "次干道": 2, "支路": 1, "背街小巷": 1}[level]
        for street, poly in streets_local:
            inside = shapely.intersection(line, poly)
            pieces = [p for p in shapely.get_parts(inside) if p.geom_type == "LineString" and p.length > 80]
            if not pieces:
                continue
            city.street_roads.setdefault(street.code, []).append(name)
            chiefs.second_chief(street.code, road_id)
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
                        "unit_id": chiefs.unit_of_segment(),
                    })
    chiefs.finish()
    city.chiefs, city.units = chiefs.chiefs, chiefs.units


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


# --------------------------------------------------------------------------------------------
# writing the city
# --------------------------------------------------------------------------------------------


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
        _bulk(conn, m.RoadUnit.__table__, city.units)
        if db.is_postgres:  # explicit ids: move the sequence past them (writer._reset_sequences lists the rest)
            s.execute(text("SELECT setval(pg_get_serial_sequence('road_units', 'id'), "
                           "COALESCE((SELECT MAX(id) FROM road_units), 0) + 1, false)"))
        _bulk(conn, m.RoadSegment.__table__, [{**{k: v for k, v in row.items() if k != "geom"},
                                               **_geom_columns(row["geom"])} for row in city.segments])
        _bulk(conn, m.RoadChief.__table__, city.chiefs)
        _bulk(conn, m.Camera.__table__, city.cameras)

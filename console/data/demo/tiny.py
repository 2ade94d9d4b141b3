"""The smallest city: 2 streets x 2 communities x 2 square unit grids, three departments, three routing rules.

What every data test seeds (tests/conftest.py) and what the change-feed benchmark writes into.
"""
from __future__ import annotations

from datetime import date

import shapely

from console.data import models as m
from console.data.db import Database
from console.data.reference import demo_catalogue, demo_rules, install_catalogue, install_settings


DISTRICT = "350402"
STREETS = {"350402001": "列东街道", "350402002": "列西街道"}


def tiny_city_geometry() -> dict[str, dict[str, shapely.Geometry]]:
    """2 streets x 2 communities x 2 grids over a 0.04 x 0.02 degree box."""
    x0, y0 = 117.60, 26.26
    streets, communities, grids = {}, {}, {}
    for si, street in enumerate(STREETS):
        sx = x0 + si * 0.02
        streets[street] = shapely.box(sx, y0, sx + 0.02, y0 + 0.02)
        for ci in range(2):
            community = f"{street}{ci + 1:03d}"
            cy = y0 + ci * 0.01
            communities[community] = shapely.box(sx, cy, sx + 0.02, cy + 0.01)
            for gi in range(2):
                gx = sx + gi * 0.01
                grids[f"{community}{gi + 1:03d}"] = shapely.box(gx, cy, gx + 0.01, cy + 0.01)
    return {"district": shapely.box(x0, y0, x0 + 0.04, y0 + 0.02), "streets": streets,
            "communities": communities, "grids": grids}


def seed_tiny_city(db: Database) -> None:
    geo = tiny_city_geometry()
    with db.write() as s:
        install_catalogue(s, demo_catalogue())
        install_settings(s, demo_rules())
        d = m.District(code=DISTRICT, name="三元区", area_km2=8.0)
        d.set_geometry(geo["district"])
        s.add(d)
        s.flush()
        for code, geom in geo["streets"].items():
            row = m.Street(code=code, district_code=DISTRICT, name=STREETS[code])
            row.set_geometry(geom)
            s.add(row)
        s.flush()
        for code, geom in geo["communities"].items():
            row = m.Community(code=code, street_code=code[:9], name=f"社区{code[-3:]}")
            row.set_geometry(geom)
            s.add(row)
        s.flush()
        for code, geom in geo["grids"].items():
            row = m.UnitGrid(code=code, community_code=code[:12], street_code=code[:9], area_m2=1e6,
                             valid_from=date(2020, 1, 1))
            row.set_geometry(geom)
            s.add(row)
        s.add_all([
            m.Department(id=1, code="SZ", name="市政公用事业服务中心", kind="professional"),
            m.Department(id=2, code="HW", name="环卫处", kind="professional"),
            m.Department(id=3, code="LD", name="列东街道办事处", kind="street", street_code="350402001"),
        ])
        s.flush()
        s.add_all([
            m.RoutingRule(major_code="06", department_id=2),
            m.RoutingRule(major_code="01", department_id=1),
            m.RoutingRule(major_code="09", street_code="350402001", department_id=3),
        ])

"""Read queries for the operator map: geometry layers, case markers, cameras, grid heat.

Every function takes a `Database` and an optional `scope` (a street code: a
liaison seat sees only its street); jurisdiction is applied here, where the
data is read.  Results are plain dataclasses, so the map widget never touches
SQL or ORM rows.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import Any, Literal, Optional

from sqlalchemy import select

from console.data import models as m
from console.data.db import Database
from console.data.figures import LIGHTS, SHANGHAI, case_light_ranks

HeatMode = Literal["open", "overdue"]  # 未结案件 | 超期案件


@dataclass(frozen=True)
class Area:
    """One polygon of a layer (街道, 社区 or 单元网格), geometry in lon/lat (shapely)."""

    code: str
    name: str
    geometry: Any


@dataclass(frozen=True)
class CameraPoint:
    """One video camera (GB/T 28181 device id); status online | offline | fault."""

    id: str
    name: str
    lon: float
    lat: float
    status: str


@dataclass(frozen=True)
class CaseMarker:
    """One open case on the map; light is green | yellow | red (绿 / 黄 / 红)."""

    id: int
    number: str
    lon: float
    lat: float
    light: str
    category: str
    grid_code: Optional[str]


@dataclass(frozen=True)
class MapLayers:
    """The static layers the map page is built from, once per session."""

    streets: list[Area] = field(default_factory=list)
    communities: list[Area] = field(default_factory=list)
    grids: list[Area] = field(default_factory=list)
    cameras: list[CameraPoint] = field(default_factory=list)


def _now() -> datetime:
    return datetime.now(timezone.utc)


def map_layers(db: Database, scope: str | None = None, day: date | None = None) -> MapLayers:
    """Streets, communities, the unit grids valid on `day` (default today) and cameras."""
    day = day or _now().astimezone(SHANGHAI).date()
    with db.read() as s:
        sq = select(m.Street).order_by(m.Street.code)
        cq = select(m.Community).order_by(m.Community.code)
        gq = select(m.UnitGrid).where(m.UnitGrid.valid_on(day)).order_by(m.UnitGrid.code)
        if scope:
            sq = sq.where(m.Street.code == scope)
            cq = cq.where(m.Community.street_code == scope)
            gq = gq.where(m.UnitGrid.street_code == scope)
        streets = [Area(r.code, r.name, r.geometry) for r in s.scalars(sq)]
        communities = [Area(r.code, r.name, r.geometry) for r in s.scalars(cq)]
        grids = [Area(r.code, r.name or r.code, r.geometry) for r in s.scalars(gq)]
    return MapLayers(streets, communities, grids, cameras(db, scope))


def cameras(db: Database, scope: str | None = None) -> list[CameraPoint]:
    """Camera points with their status (在线 / 离线 / 故障)."""
    c = m.Camera
    q = select(c.id, c.name, c.lon, c.lat, c.status).order_by(c.id)
    if scope:
        q = q.where(c.street_code == scope)
    with db.read() as s:
        return [CameraPoint(*row) for row in s.execute(q).all()]


def _category_names(s) -> dict[str, str]:  # noqa: ANN001 - a Session
    q = (
        select(m.Category.code, m.Category.name)
        .join(m.CatalogueVersion, m.CatalogueVersion.id == m.Category.version_id)
        .where(m.CatalogueVersion.active)
    )
    return dict(s.execute(q).all())


def open_case_markers(db: Database, scope: str | None = None, now: datetime | None = None,
                      ids: list[int] | None = None) -> list[CaseMarker]:
    """Open cases with their current light (worst open step clock); `ids` limits to a delta."""
    q = select(m.Case.id, m.Case.number, m.Case.lon, m.Case.lat, m.Case.category_code, m.Case.grid_code).where(
        m.Case.is_open
    )
    if scope:
        q = q.where(m.Case.street_code == scope)
    if ids is not None:
        q = q.where(m.Case.id.in_(list(ids)))
    with db.read() as s:
        ranks = case_light_ranks(s, db, now, scope)
        names = _category_names(s)
        rows = s.execute(q.order_by(m.Case.id)).all()
    return [
        CaseMarker(cid, number, lon, lat, LIGHTS[ranks.get(cid, 0)], names.get(code or "", code or ""), grid)
        for cid, number, lon, lat, code, grid in rows
    ]


def grid_case_counts(db: Database, mode: HeatMode = "open", scope: str | None = None,
                     now: datetime | None = None) -> dict[str, int]:
    """Open (未结) or overdue (超期: red light) cases per unit grid code."""
    if mode not in ("open", "overdue"):
        raise ValueError(f"grid heat mode {mode!r} unknown; use 'open' or 'overdue'")
    q = select(m.Case.id, m.Case.grid_code).where(m.Case.is_open, m.Case.grid_code.is_not(None))
    if scope:
        q = q.where(m.Case.street_code == scope)
    with db.read() as s:
        rows = s.execute(q).all()
        ranks = case_light_ranks(s, db, now, scope) if mode == "overdue" else {}
    counts: dict[str, int] = {}
    for cid, grid in rows:
        if mode == "overdue" and ranks.get(cid, 0) < 2:
            continue
        counts[grid] = counts.get(grid, 0) + 1
    return counts


__all__ = [
    "Area", "CameraPoint", "CaseMarker", "HeatMode", "MapLayers",
    "cameras", "grid_case_counts", "map_layers", "open_case_markers",
]

"""Routing (派遣路由): the live suggestion, a thin loader over console.domain.routing.route."""
from __future__ import annotations

from sqlalchemy import select

from console.data import models as m
from console.data.db import Database
from console.domain.routing import RoutingRow, route


def load_rules(db: Database) -> list[RoutingRow]:
    r = m.RoutingRule
    with db.read() as s:
        rows = s.execute(select(r.id, r.department_id, r.category_code, r.major_code, r.street_code, r.priority))
        return [RoutingRow(id=i, department_id=d, category_code=c, major_code=mj, street_code=st, priority=p or 0)
                for i, d, c, mj, st, p in rows]


def suggest_department(db: Database, category_code: str, street_code: str | None) -> m.Department | None:
    """The department the routing rules suggest for category x street (most specific rule wins)."""
    if not category_code:
        return None
    department_id = route(load_rules(db), category_code, street_code)
    if department_id is None:
        return None
    with db.read() as s:
        return s.get(m.Department, department_id)

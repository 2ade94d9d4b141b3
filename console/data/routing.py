"""Routing (派遣路由): which department a category in an area goes to."""
from __future__ import annotations

from sqlalchemy import select

from console.data import models as m
from console.data.db import Database


def suggest_department(db: Database, category_code: str, street_code: str | None) -> m.Department | None:
    """Routing rules: the most specific, highest-priority rule for category x area."""
    major = category_code[:2] if category_code else None
    r = m.RoutingRule
    with db.read() as s:
        rules = s.scalars(
            select(r).where(
                (r.category_code == category_code) | (r.category_code.is_(None) & ((r.major_code == major) | r.major_code.is_(None))),
                (r.street_code == street_code) | r.street_code.is_(None),
            )
        ).all()
        if not rules:
            return None

        def specificity(rule: m.RoutingRule) -> tuple[int, int, int, int]:
            return (rule.category_code is not None, rule.major_code is not None, rule.street_code is not None, rule.priority)

        best = max(rules, key=specificity)
        return s.get(m.Department, best.department_id)

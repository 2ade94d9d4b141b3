"""Routing (派遣路由): which department a category in an area goes to. Pure: the rules are data.

Precedence: the most specific rule wins (a rule for the minor category beats one for its
major class, which beats a rule for any category; within that, a rule for the street beats
one for every street); only then the higher priority, then the lower rule id (stable).
The live suggestion (console/data/routing.py) and the demo's history both call `route`.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Optional


@dataclass(frozen=True, slots=True)
class RoutingRow:
    """One routing rule; None in category_code / major_code / street_code means "any"."""

    id: int
    department_id: int
    category_code: Optional[str] = None
    major_code: Optional[str] = None
    street_code: Optional[str] = None
    priority: int = 0

    def applies(self, category_code: str, street_code: Optional[str]) -> bool:
        return (self.category_code in (None, category_code)
                and self.major_code in (None, category_code[:2])
                and self.street_code in (None, street_code))

    def rank(self) -> tuple[int, int, int, int, int]:
        """Higher is better: specificity first, then priority, then the older rule."""
        return (self.category_code is not None, self.major_code is not None, self.street_code is not None,
                self.priority, -self.id)


def route(rules: Iterable[RoutingRow], category_code: str, street_code: Optional[str]) -> Optional[int]:
    """The department of the best rule for category x street, or None when no rule applies."""
    best = max((r for r in rules if r.applies(category_code, street_code)), key=RoutingRow.rank, default=None)
    return best.department_id if best else None


def rows_from_dicts(rules: Iterable[dict]) -> list[RoutingRow]:
    """Rules as the database / the demo city hold them (dicts with the same keys)."""
    return [RoutingRow(id=r["id"], department_id=r["department_id"], category_code=r.get("category_code"),
                       major_code=r.get("major_code"), street_code=r.get("street_code"),
                       priority=r.get("priority") or 0) for r in rules]


__all__ = ["RoutingRow", "route", "rows_from_dicts"]

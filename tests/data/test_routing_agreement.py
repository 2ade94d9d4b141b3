"""One routing function: the demo's dispatched departments are the live suggestion's, case by case."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from console.data import demo
from console.data import models as m
from console.data.db import Database
from console.data.routing import suggest_department
from console.data.schema import upgrade
from console.domain.routing import RoutingRow, route

NOW = datetime(2026, 11, 25, 10, 30, tzinfo=ZoneInfo("Asia/Shanghai"))


def _dispatches(db: Database) -> list[tuple[str, str | None, int, int]]:
    """Every dispatch the demo made by routing: (category, street, department, case id).

    A case that saw 申请回退 was mis-dispatched on purpose first (P_MISDISPATCH; a rejected
    return leaves it there): its routed dispatch is the one after an approved return, if any.
    """
    e = m.CaseEvent
    with db.read() as s:
        events = s.execute(select(e.case_id, e.action, e.data).where(e.action.in_(("dispatch", "request_return",
                                                                                    "approve_return")))
                           .order_by(e.case_id, e.id)).all()
        where = {i: (c, st) for i, c, st in s.execute(select(m.Case.id, m.Case.category_code, m.Case.street_code))}
    routed: dict[int, int | None] = {}
    for case_id, action, data in events:
        if action == "dispatch":
            routed.setdefault(case_id, (data or {}).get("department_id"))
            if routed[case_id] == "after_return":
                routed[case_id] = (data or {}).get("department_id")
        elif action == "request_return":
            routed[case_id] = None  # the first dispatch was the deliberate error
        elif action == "approve_return":
            routed[case_id] = "after_return"
    return [(*where[i], d, i) for i, d in routed.items() if isinstance(d, int)]


@pytest.mark.parametrize("scale", ["small"])
def test_demo_dispatches_agree_with_the_live_suggestion(tmp_path, scale):
    db = Database(f"sqlite:///{tmp_path / 'demo.db'}")
    upgrade(db)
    demo.generate(db, scale, seed=7, now=NOW)
    dispatched = _dispatches(db)
    assert dispatched, "the demo dispatched no case"
    disagree = [(c, st, d, i) for c, st, d, i in dispatched
                if (suggest_department(db, c, st) or m.Department()).id != d]
    assert disagree == [], f"{len(disagree)} of {len(dispatched)} demo cases went elsewhere than the suggestion"
    db.dispose()


def test_most_specific_rule_wins_over_priority():
    rules = [RoutingRow(1, 10, major_code="06", priority=99),             # any 06 category, high priority
             RoutingRow(2, 20, category_code="06010"),                   # this category, any street
             RoutingRow(3, 30, category_code="06010", street_code="S1"),  # this category in S1
             RoutingRow(4, 40, major_code="06", street_code="S2", priority=5)]
    assert route(rules, "06010", "S1") == 30
    assert route(rules, "06010", "S2") == 20  # category beats major-in-street
    assert route(rules, "06020", "S2") == 40  # major in the street beats major anywhere
    assert route(rules, "06020", "S3") == 10
    assert route(rules, "01001", "S1") is None
    tie = [RoutingRow(7, 70, major_code="06"), RoutingRow(5, 50, major_code="06")]
    assert route(tie, "06010", None) == 50  # equal rules: the older one

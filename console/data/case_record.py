"""One case's record (案卷) for tools and tests: the case row, its audit timeline, clocks and urges.

`scope` (a street code, or None) is applied here, where the case is read.
"""
from __future__ import annotations

from sqlalchemy import select

from console.data import models as m
from console.data.db import Database


def find_case(db: Database, number: str, scope: str | None = None) -> m.Case | None:
    with db.read() as s:
        q = select(m.Case).where(m.Case.number == number)
        if scope:
            q = q.where(m.Case.street_code == scope)
        return s.scalars(q).first()


def timeline(db: Database, number: str, scope: str | None = None) -> list[m.CaseEvent]:
    """The audit events of one case, oldest first."""
    with db.read() as s:
        q = select(m.CaseEvent).join(m.Case, m.Case.id == m.CaseEvent.case_id).where(m.Case.number == number)
        if scope:
            q = q.where(m.Case.street_code == scope)
        return list(s.scalars(q.order_by(m.CaseEvent.id)))


def case_clocks(db: Database, case_id: int) -> list[m.CaseStepClock]:
    with db.read() as s:
        return list(s.scalars(select(m.CaseStepClock).where(m.CaseStepClock.case_id == case_id).order_by(m.CaseStepClock.id)))


def urge_records(db: Database, case_id: int) -> list[m.UrgeRecord]:
    with db.read() as s:
        return list(s.scalars(select(m.UrgeRecord).where(m.UrgeRecord.case_id == case_id).order_by(m.UrgeRecord.id)))

"""The street seat's road segments (路段): who answers for each, this month's score, what is open on it.

The scores are score_month's (one implementation, read without recording the flags); this
module only adds the chiefs (二级路长, the unit's 路段长) and the open problems of one street.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Optional

from sqlalchemy import func, select

from console.data import models as m
from console.data.commands import at_or_now
from console.data.db import Database
from console.data.evaluation import _in  # the windows' one comparison (aware local bounds on both backends)
from console.data.roads import score_month
from console.domain.evaluation import period_of

OPEN_STATES_EXCLUDED = ("closed", "cancelled")


@dataclass(frozen=True)
class SegmentLine:
    """One segment of the street as the seat lists it."""

    id: int
    name: str
    road: str
    second_chief: Optional[str]  # 二级路长 of the road in this street
    unit: Optional[str]  # 路段责任单位
    segment_chief: Optional[str]  # 路段长: the unit's head, else the 二级路长 (models.RoadChief)
    score: Optional[float]
    grade: Optional[str]
    open_cases: int
    open_findings: int  # this month's 督导问题 not (yet) turned into a case

    @property
    def open_problems(self) -> int:
        return self.open_cases + self.open_findings


def street_name(db: Database, code: str) -> Optional[str]:
    with db.read() as s:
        return s.scalar(select(m.Street.name).where(m.Street.code == code))


def street_segments(db: Database, street: str, *, now: datetime | None = None) -> tuple[SegmentLine, ...]:
    """The street's segments, the most open problems first, then the lowest score."""
    now = at_or_now(now)
    month = period_of("month", now).period
    scores = {row.code: row for row in score_month(db, month, now=now, record=False).tables.get("segments", ())}
    with db.read() as s:
        segments = s.execute(
            select(m.RoadSegment.id, m.RoadSegment.name, m.RoadSegment.road_id, m.Road.name, m.RoadUnit.name,
                   m.Staff.name)
            .join(m.Road, m.Road.id == m.RoadSegment.road_id)
            .outerjoin(m.RoadUnit, m.RoadUnit.id == m.RoadSegment.unit_id)
            .outerjoin(m.Staff, m.Staff.id == m.RoadUnit.head_staff_id)
            .where(m.RoadSegment.street_code == street).order_by(m.RoadSegment.id)).all()
        seconds = dict(s.execute(
            select(m.RoadChief.road_id, m.Staff.name).join(m.Staff, m.Staff.id == m.RoadChief.staff_id)
            .where(m.RoadChief.level == "second", m.RoadChief.street_code == street)).all())
        open_cases = _open_cases(s, street)
        findings = _open_findings(s, street, period_of("month", now))
    lines = []
    for seg_id, name, road_id, road, unit, head in segments:
        scored = scores.get(str(seg_id))
        second = seconds.get(road_id)
        lines.append(SegmentLine(seg_id, name, road, second, unit, head or second,
                                 scored.score if scored else None, scored.grade if scored else None,
                                 open_cases.get(seg_id, 0), findings.get(seg_id, 0)))
    lines.sort(key=lambda r: (-r.open_problems, r.score if r.score is not None else 101.0, r.id))
    return tuple(lines)


def _open_cases(s, street: str) -> dict[int, int]:  # noqa: ANN001 - a Session
    c = m.Case
    rows = s.execute(select(c.road_segment_id, func.count()).join(m.RoadSegment, m.RoadSegment.id == c.road_segment_id)
                     .where(m.RoadSegment.street_code == street, c.state.not_in(OPEN_STATES_EXCLUDED))
                     .group_by(c.road_segment_id)).all()
    return {int(seg): int(n) for seg, n in rows}


def _open_findings(s, street: str, window) -> dict[int, int]:  # noqa: ANN001 - a Session, a Window
    f = m.RoadFinding
    rows = s.execute(select(f.segment_id, func.count()).join(m.RoadSegment, m.RoadSegment.id == f.segment_id)
                     .where(m.RoadSegment.street_code == street, f.case_id.is_(None),
                            _in(f.found_at, window))
                     .group_by(f.segment_id)).all()
    return {int(seg): int(n) for seg, n in rows}


__all__ = ["SegmentLine", "street_name", "street_segments"]

"""The street liaison seat's figures and road segments, as frozen read models (街道指挥席).

The figures are console.services.figures.compare (one implementation) for today, this week and
this month of the seat's street; the segments come from console.data.street_roads.  Both block
on the database: the seat calls `street_report` on its worker (SeatController.load_figures).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from console.data.db import Database
from console.data.street_roads import SegmentLine, street_name, street_segments
from console.services.figures import Comparison, compare

PERIODS: tuple[str, ...] = ("day", "week", "month")  # 今日 / 本周 / 本月
# What the seat shows of each period (evaluation.md ids), in this order.
STREET_FIGURES: tuple[str, ...] = ("reported", "filed", "closed", "on_time_close_rate", "overdue_open", "urged",
                                   "supervised")


@dataclass(frozen=True)
class StreetReport:
    """Everything the figures panel and the printable summary show, read at `at`."""

    street_code: str
    street_name: str
    at: datetime
    periods: dict[str, Comparison]  # day | week | month -> this period against the one before
    segments: tuple[SegmentLine, ...]


def street_report(db: Database, street: str, now: datetime) -> StreetReport:
    periods = {kind: compare(db, kind, now, street=street) for kind in PERIODS}
    return StreetReport(street, street_name(db, street) or street, now, periods, street_segments(db, street, now=now))


__all__ = ["PERIODS", "STREET_FIGURES", "SegmentLine", "StreetReport", "street_report"]

"""The demo city's sizes (small, city, metro) and the constants every part shares."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timezone


DEMO_PASSWORD = "demo1234"
GRID_VALID_FROM = date(2020, 1, 1)
_UTC = timezone.utc
_US = 60_000_000  # microseconds per minute


class DemoError(RuntimeError):
    """The demo city cannot be generated here (e.g. the database is not empty)."""


@dataclass(frozen=True)
class Scale:
    """Size of a demo city (the `city` figures are the seeds' 三明 figures)."""

    name: str
    area_km2: float
    streets: int
    communities: int
    grids: int
    staff: int  # all staff rows: inspectors + grid staff + road-chief officials
    cameras: int
    roads: int
    history_days: int
    cases_per_day: float  # average reports per day over the history
    grids_per_patrol: int = 4  # unit grids per responsibility grid (one inspector each)
    # A campaign week (创城迎检): the last `surge_days` get `surge_factor` times the usual
    # reports, out of the same total; it puts `metro` near 10,000 open cases.
    surge_days: int = 0
    surge_factor: float = 1.0


SCALES: dict[str, Scale] = {
    "small": Scale("small", area_km2=8.0, streets=3, communities=12, grids=48, staff=160, cameras=40,
                   roads=8, history_days=14, cases_per_day=30.0),
    "city": Scale("city", area_km2=155.1, streets=12, communities=168, grids=702, staff=2331, cameras=600,
                  roads=40, history_days=90, cases_per_day=400.0),
    "metro": Scale("metro", area_km2=1200.0, streets=60, communities=1250, grids=5000, staff=16000,
                   cameras=5000, roads=160, history_days=365, cases_per_day=2740.0, surge_days=4,
                   surge_factor=2.2),
}

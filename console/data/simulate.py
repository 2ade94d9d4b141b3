"""`urban-console simulate`: live reports and workflow actions, as the field would send them.

Each tick files one report (an inspector in a random grid, a hotline call now
and then) and advances `actions_per_report` random open cases by the action
the responsible role would take next.  Every write goes through the real
data commands, so the change feed, audit and clocks see exactly what a hall
sees.  A case another seat changed first (StaleVersion) is simply skipped.
Ctrl-C, a lost connection or a full disk end the run early; the summary still
says what was written (each write is one transaction: nothing is half-written).
"""
from __future__ import annotations

import math
import random
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Callable

from sqlalchemy import func, select

from console.data import models as m
from console.data.commands import ActionParams, Actor, CommandError, StaleVersion, act, report_case
from console.data.db import Database, DatabaseUnavailable
from console.data.routing import suggest_department

FIELD = Actor("模拟监督员", "inspector", seat="城管通")
HOTLINE = Actor("模拟受理员", "intake", seat="受理席(模拟)")
SHIFT = Actor("模拟值班长", "shift_lead", seat="值班长席(模拟)")
DISPATCH = Actor("模拟派遣员", "dispatcher", seat="派遣席(模拟)")

# state -> (action, actor) the hall or the department would take next, with weights
NEXT_STEPS: dict[str, list[tuple[str, Actor | None, int]]] = {
    "reported": [("forward", HOTLINE, 8), ("send_verify", HOTLINE, 1), ("refuse", HOTLINE, 1)],
    "verifying": [("verify_true", FIELD, 9), ("verify_false", FIELD, 1)],
    "to_file": [("file", SHIFT, 19), ("refuse_filing", SHIFT, 1)],
    "to_dispatch": [("dispatch", DISPATCH, 1)],
    "disposing": [("feedback", None, 12), ("request_extension", None, 1), ("request_return", None, 1)],
    "to_check": [("check_pass", FIELD, 9), ("check_fail", FIELD, 1)],
    "to_close": [("close", SHIFT, 1)],
    "hung": [("resume", DISPATCH, 1)],
}
PENDING_ANSWERS = {"extension": ("approve_extension", DISPATCH), "return": ("approve_return", DISPATCH),
                   "hold": ("approve_hold", DISPATCH), "cancel": ("approve_cancel", SHIFT)}


@dataclass
class SimulationResult:
    reports: int = 0
    actions: int = 0
    conflicts: int = 0
    refused: int = 0
    seconds: float = 0.0
    errors: list[str] = field(default_factory=list)
    stopped: str | None = None  # why the run ended early (Ctrl-C, the database), None when it ran out
    interrupted: bool = False  # by Ctrl-C

    def as_dict(self) -> dict:
        return {"reports": self.reports, "actions": self.actions, "conflicts": self.conflicts,
                "refused": self.refused, "seconds": round(self.seconds, 2), "errors": self.errors[:5],
                "stopped": self.stopped}


MAX_RATE = 1000.0  # reports per second: far above a city's peak, below a typo
MAX_DURATION = 7 * 24 * 3600.0


def check_pace(rate: float, duration: float) -> None:
    """Finite, positive and within bounds, before anything is opened or written."""
    for name, value, most in (("--rate", rate, MAX_RATE), ("--duration", duration, MAX_DURATION)):
        if not (isinstance(value, (int, float)) and math.isfinite(value) and 0 < value <= most):
            raise CommandError(f"{name} {value!r} 无效，应为大于 0、不超过 {most:g} 的有限数 "
                               f"(rate and duration must be finite, positive, at most {most:g})")


def _open_count(s) -> int:  # noqa: ANN001 - a read Session
    return s.scalar(select(func.count()).select_from(m.Case).where(m.Case.is_open)) or 0


class Simulator:
    LEVEL_ACTIONS_MAX = 40  # actions a tick may spend bringing the open cases back to `open_level`

    def __init__(self, db: Database, *, seed: int | None = None, actions_per_report: int = 1,
                 open_level: int | None = None) -> None:
        """`open_level`: after each report, advance cases until no more than this many are open
        (at most LEVEL_ACTIONS_MAX a tick, at least `actions_per_report`): a steady hall, for soaks."""
        self.db = db
        self.rng = random.Random(seed)
        self.actions_per_report = actions_per_report
        self.open_level = open_level
        with db.read() as s:
            self.grids = [(g.code, g.min_lon, g.min_lat, g.max_lon, g.max_lat, g.geometry)
                          for g in s.scalars(select(m.UnitGrid).where(m.UnitGrid.valid_to.is_(None)))]
            version = s.scalar(select(m.CatalogueVersion.id).where(m.CatalogueVersion.active))
            self.categories = list(s.scalars(select(m.Category.code).where(m.Category.version_id == version)))
            self.conditions: dict[str, list[str]] = {}
            for code, category in s.execute(select(m.FilingCondition.code, m.FilingCondition.category_code)
                                            .where(m.FilingCondition.version_id == version)):
                self.conditions.setdefault(category, []).append(code)
        if not self.grids or not self.categories:
            raise CommandError("数据库没有网格或类别目录，无法模拟 (no grids or catalogue: run `urban-console demo` first)")

    def report(self, at: datetime) -> None:
        import shapely

        code, x0, y0, x1, y1, geom = self.rng.choice(self.grids)
        for _ in range(20):
            lon, lat = self.rng.uniform(x0, x1), self.rng.uniform(y0, y1)
            if geom.contains(shapely.Point(lon, lat)):
                break
        hotline = self.rng.random() < 0.1
        report_case(self.db, HOTLINE if hotline else FIELD, source="hotline" if hotline else "inspector",
                    lon=lon, lat=lat, category_code=self.rng.choice(self.categories),
                    description="模拟上报", address=f"网格 {code}", at=at,
                    caller_phone="13800000000" if hotline else None)

    def open_cases(self) -> int:
        with self.db.read() as s:
            return _open_count(s)

    def advance(self, at: datetime) -> str:
        """Advance one random open case; returns 'ok', 'conflict', 'refused' or 'idle'."""
        with self.db.read() as s:
            count = _open_count(s)
            if not count:
                return "idle"
            case = s.scalars(select(m.Case).where(m.Case.is_open).order_by(m.Case.id)
                             .offset(self.rng.randrange(count)).limit(1)).first()
        if case is None:
            return "idle"
        action, actor, params = self._next(case)
        try:
            act(self.db, actor, case.number, action, expected_version=case.version, at=at,
                note="模拟", params=params)
        except StaleVersion:
            return "conflict"
        except CommandError:
            return "refused"
        return "ok"

    def _next(self, case: m.Case) -> tuple[str, Actor, ActionParams]:
        department = Actor("模拟处置部门", "department", seat="部门(模拟)", department_id=case.department_id)
        if case.pending in PENDING_ANSWERS:
            action, actor = PENDING_ANSWERS[case.pending]
            return action, actor, ActionParams()
        choices = NEXT_STEPS[case.state]
        action, actor, _ = self.rng.choices(choices, weights=[w for *_, w in choices])[0]
        params = ActionParams(reason="模拟")
        if action == "file":
            params.condition_code = self.rng.choice(self.conditions.get(case.category_code) or [""])
        elif action == "dispatch":
            dept = suggest_department(self.db, case.category_code or "", case.street_code)
            params.department_id = dept.id if dept else 1
        elif action == "request_extension":
            params.extension = "2wh"
        return action, actor or department, params

    def run(self, *, rate: float, duration: float, clock: Callable[[], float] = time.monotonic,
            sleep: Callable[[float], None] = time.sleep,
            now: Callable[[], datetime] = lambda: datetime.now(timezone.utc),
            progress: Callable[[str], None] | None = None) -> SimulationResult:
        """`rate` reports per second for `duration` seconds, paced on `clock`.

        Ends early, with the summary of what was written, on Ctrl-C or when the database
        fails (lost, full, locked); `progress` hears the count after the first report and each second.
        """
        check_pace(rate, duration)
        result = SimulationResult()
        start = clock()
        told = None
        try:
            for tick in range(int(rate * duration)):
                wait = start + tick / rate - clock()
                if wait > 0:
                    sleep(wait)
                self._tick(now, result)
                if progress is not None and (told is None or clock() - told >= 1.0):
                    told = clock()
                    progress(f"已上报 {result.reports} 件，动作 {result.actions} 个 ({result.reports} reports, {result.actions} actions)")
        except KeyboardInterrupt:
            result.stopped, result.interrupted = "已中断 (interrupted by Ctrl-C)", True
        except DatabaseUnavailable as exc:
            result.stopped = str(exc)
        result.seconds = clock() - start
        return result

    def _tick(self, now: Callable[[], datetime], result: SimulationResult) -> None:
        self.report(now())
        result.reports += 1
        for done in range(self.LEVEL_ACTIONS_MAX if self.open_level is not None else self.actions_per_report):
            if done >= self.actions_per_report and self.open_cases() <= self.open_level:
                break
            outcome = self.advance(now())
            result.actions += outcome == "ok"
            result.conflicts += outcome == "conflict"
            result.refused += outcome == "refused"

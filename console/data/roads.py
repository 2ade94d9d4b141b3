"""路长制 in the database: 路长办 findings (督导问题), the month's counts per segment, the scores and the flag history.

Counts are SQL aggregates grouped by (segment, department), one GROUP BY per kind of
deduction, never a Python loop over cases; the loops here run over segments and chiefs
(hundreds).  Formulas, grades, flags, accountability and funding are the domain's
(console.domain.roads).  Windows are console.domain.evaluation's local [start, end).

A finding that became a case is one problem: it counts by its finding time, and the
case it became is not counted again.  A finding not (yet) a case has no department.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Iterable, Mapping

import shapely
from sqlalchemy import and_, bindparam, delete, exists, func, not_, select
from sqlalchemy.orm import Session, aliased

from console.data import models as m
from console.data.commands import Actor, CaseRef, CommandError, JurisdictionError, at_or_now, log_change, report_case
from console.data.db import Database
from console.data.evaluation import _count, _in
from console.domain.evaluation import Window
from console.domain.roads import (
    BLACK, DEDUCTIONS, RoadRules, accountability, parse_month, place, rules_from_data, weighted_mean,
)
from console.domain.sources import Source

Pair = tuple[int, int | None]  # (segment id, department id or None)


def road_rules(db: Database) -> RoadRules:
    """The city's 路长制 rules (settings key `roads`, loaded from rules.json)."""
    data = db.rules().settings.get("roads")
    if data is None:
        from console.data.reference import demo_rules

        data = demo_rules()["roads"]
    return rules_from_data(data)


# --- 路长办 findings ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    id: int
    segment_id: int
    segment: str
    street_code: str
    problem: str
    photo: str | None
    found_at: datetime
    found_by: str
    recorded_by: str
    case_number: str | None


def _check_segment_street(segment: m.RoadSegment, actor: Actor) -> None:
    """A street seat records and converts only its own street's findings (as check_street for cases)."""
    if actor.street_code and segment.street_code != actor.street_code:
        raise JurisdictionError(f"路段 {segment.name} 属于街道 {segment.street_code}，不在本席位辖区 "
                                f"{actor.street_code} 内 (outside jurisdiction)")


def add_finding(db: Database, actor: Actor, *, segment_id: int, problem: str, found_by: str,
                photo: str | None = None, found_at: datetime | None = None) -> Finding:
    """Record one 督导问题 in one transaction: the row (who recorded it, at which seat, when) and a change-log row."""
    at = at_or_now(found_at)
    problem, found_by = (problem or "").strip(), (found_by or "").strip()
    if not problem:
        raise CommandError("督导问题须写明问题 (a finding needs its problem)")
    if not found_by:
        raise CommandError("督导问题须写明发现人 (a finding needs who found it)")
    with db.write() as s:
        segment = s.get(m.RoadSegment, segment_id)
        if segment is None:
            raise CommandError(f"路段 {segment_id} 不存在 (no road segment {segment_id})")
        _check_segment_street(segment, actor)
        row = m.RoadFinding(segment_id=segment_id, problem=problem, photo=photo or None, found_at=at,
                            found_by=found_by, recorded_by=actor.name, recorded_seat=actor.seat,
                            recorded_at=at_or_now(None))
        s.add(row)
        s.flush()
        log_change(s, "road_finding", str(row.id), "recorded", street_code=segment.street_code,
                   operator=actor.name, at=row.recorded_at)
        return _finding(row, segment, None)


def finding_to_case(db: Database, actor: Actor, finding_id: int, *, category_code: str | None = None,
                    at: datetime | None = None) -> CaseRef:
    """Turn a finding into a case reported at the segment's midpoint, and link finding -> case.

    The report is the real `report_case` (its own audited transaction) under an idempotency key
    named after the finding, so a link interrupted after the report is completed by running the
    command again, and a finding never becomes two cases.
    """
    with db.read() as s:
        finding = s.get(m.RoadFinding, finding_id)
        if finding is None:
            raise CommandError(f"督导问题 {finding_id} 不存在 (no finding {finding_id})")
        if finding.case_id is not None:
            number = s.scalar(select(m.Case.number).where(m.Case.id == finding.case_id))
            raise CommandError(f"督导问题 {finding_id} 已转为案件 {number} (finding already became case {number})")
        segment = s.get(m.RoadSegment, finding.segment_id)
        _check_segment_street(segment, actor)  # before report_case: nothing is written for another street
        point = shapely.line_interpolate_point(segment.geometry, 0.5, normalized=True)
        description, segment_name = finding.problem, segment.name
    ref = report_case(db, actor, source=Source.LEADER.value, lon=float(point.x), lat=float(point.y),
                      category_code=category_code, description=description, address=segment_name,
                      at=at, note=f"路长办督导问题 #{finding_id}", idempotency_key=f"road-finding-{finding_id}")
    with db.write() as s:
        row = s.get(m.RoadFinding, finding_id, with_for_update=True)
        if row.case_id not in (None, ref.id):
            raise CommandError(f"督导问题 {finding_id} 已转为其他案件 (finding became another case meanwhile)")
        row.case_id = ref.id
        log_change(s, "road_finding", str(finding_id), "to_case", street_code=segment.street_code,
                   operator=actor.name)
    return ref


def list_findings(db: Database, *, window: Window | None = None, segment_id: int | None = None) -> list[Finding]:
    f = m.RoadFinding
    query = (select(f, m.RoadSegment, m.Case.number).join(m.RoadSegment, m.RoadSegment.id == f.segment_id)
             .outerjoin(m.Case, m.Case.id == f.case_id).order_by(f.found_at, f.id))
    if window is not None:
        query = query.where(_in(f.found_at, window))
    if segment_id is not None:
        query = query.where(f.segment_id == segment_id)
    with db.read() as s:
        return [_finding(row, seg, number) for row, seg, number in s.execute(query).all()]


def _finding(row: m.RoadFinding, segment: m.RoadSegment, number: str | None) -> Finding:
    return Finding(row.id, segment.id, segment.name, segment.street_code, row.problem, row.photo, row.found_at,
                   row.found_by, row.recorded_by, number)


# --- cases without a segment -------------------------------------------------------------------------


def snap_cases_to_segments(db: Database, *, batch: int = 50_000) -> int:
    """Give every case without a 路段 the nearest segment within the rules' reach (`road_segment_snap_m`,
    the rule `report_case` applies one case at a time), for histories loaded in bulk; returns how many.

    Vectorised on one local plane at the district's mean latitude: over a district the metres per
    degree change by well under 1 %, a few decimetres at the 50 m reach."""
    import numpy as np

    from console.data.commands import DEFAULT_SEGMENT_SNAP_M
    from console.domain.spatial import metres_per_degree

    reach = float(db.rules().settings.get("road_segment_snap_m", DEFAULT_SEGMENT_SNAP_M))
    with db.read() as s:
        segments = s.execute(select(m.RoadSegment.id, m.RoadSegment.geom_wkb).order_by(m.RoadSegment.id)).all()
        lat0 = s.scalar(select(func.avg(m.Case.lat)).where(m.Case.road_segment_id.is_(None)))
    if not segments or lat0 is None:
        return 0
    scale = np.array(metres_per_degree(float(lat0)))
    lines = [shapely.transform(shapely.from_wkb(wkb), lambda xy: xy * scale) for _id, wkb in segments]
    ids = np.array([seg_id for seg_id, _wkb in segments])
    tree = shapely.STRtree(lines)
    snapped, after = 0, -1
    while True:
        with db.write() as s:
            rows = s.execute(select(m.Case.id, m.Case.lon, m.Case.lat).where(
                m.Case.road_segment_id.is_(None), m.Case.id > after).order_by(m.Case.id).limit(batch)).all()
            if not rows:
                return snapped
            after = rows[-1][0]
            xy = np.array([(lon, lat) for _id, lon, lat in rows]) * scale
            (hit, seg), _d = tree.query_nearest(shapely.points(xy), max_distance=reach, return_distance=True,
                                                 all_matches=False)
            updates = [{"k": rows[i][0], "seg": int(ids[j])} for i, j in zip(hit, seg)]
            if updates:
                s.execute(m.Case.__table__.update().where(m.Case.__table__.c.id == bindparam("k"))
                          .values(road_segment_id=bindparam("seg")), updates)
            snapped += len(updates)


# --- the month's counts, grouped by (segment, department) ----------------------------------------


def pair_counts(s: Session, w: Window, now: datetime) -> dict[Pair, dict[str, int]]:
    """The deduction counts of every (segment, department) with any, for the window (one GROUP BY each)."""
    out: dict[Pair, dict[str, int]] = {}
    for name, query in _count_queries(w, now).items():
        for seg, dept, n in s.execute(query).all():
            if n:
                bucket = out.setdefault((int(seg), None if dept is None else int(dept)), {})
                bucket[name] = bucket.get(name, 0) + int(n)
    return out


def _count_queries(w: Window, now: datetime) -> dict[str, Any]:
    c, f, k, e, u = m.Case, m.RoadFinding, m.CaseStepClock, m.CaseEvent, m.UrgeRecord
    on_segment = c.road_segment_id.is_not(None)
    from_finding = exists().where(f.case_id == c.id)
    valid = and_(on_segment, _in(c.created_at, w), c.condition_code.is_not(None), c.state != "cancelled",
                 not_(from_finding))
    cases = select(c.road_segment_id, c.department_id, func.count()).where(valid).group_by(
        c.road_segment_id, c.department_id)
    findings = (select(f.segment_id, c.department_id, func.count()).select_from(f)
                .outerjoin(c, c.id == f.case_id).where(_in(f.found_at, w)).group_by(f.segment_id, c.department_id))
    # a 处置 clock that turned red within the window: latched at a stop, or running past its red mark by now
    overdue = (select(c.road_segment_id, k.department_id, func.count(func.distinct(k.case_id))).select_from(k)
               .join(c, c.id == k.case_id).where(on_segment, k.id.in_(_turned_red(w, now)))
               .group_by(c.road_segment_id, k.department_id))
    reworks = (select(c.road_segment_id, c.department_id, _count(e.action == "check_fail")).select_from(e)
               .join(c, c.id == e.case_id).where(on_segment, _in(e.at, w), e.action == "check_fail")
               .group_by(c.road_segment_id, c.department_id))
    supervisions = (select(c.road_segment_id, u.department_id, func.count()).select_from(u)
                    .join(c, c.id == u.case_id).where(on_segment, u.kind == "supervise", _in(u.at, w))
                    .group_by(c.road_segment_id, u.department_id))
    return {"problems": cases.union_all(findings), "overdue_disposals": overdue, "reworks": reworks,
            "supervisions": supervisions}


def _turned_red(w: Window, now: datetime) -> Any:
    """The 处置 clocks that turned red within the window: latched at a stop, or running past their red mark by
    now.  Two index ranges (step, red_since) and (step, red_at) in a union: as one OR, SQLite walked every case on
    a road segment and its clocks (metro: 19 s)."""
    k = aliased(m.CaseStepClock)
    until = min(w.end, now)
    latched = select(k.id).where(k.step == "dispose", _in(k.red_since, w))
    running = select(k.id).where(k.step == "dispose", k.red_at >= w.start, k.red_at < until,
                                 k.red_since.is_(None), k.stopped_at.is_(None))
    return latched.union_all(running)


# --- the score of a month -----------------------------------------------------------------------


@dataclass(frozen=True)
class Scored:
    """One subject's month: plain data for the CLI, the xlsx and the seats."""

    sequence: str  # segment | road | street | second | unit | department
    code: str
    name: str
    score: float | None
    grade: str | None
    flag: str | None = None
    rank: int | None = None
    group: str | None = None
    details: Mapping[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "name": self.name, "score": self.score, "grade": self.grade, "flag": self.flag,
                "rank": self.rank, "group": self.group, **self.details}


@dataclass(frozen=True)
class MonthScores:
    window: Window
    tables: Mapping[str, list[Scored]]  # segments, roads, streets, second_chiefs, units, departments
    accountability: list[dict[str, Any]]
    funding: list[dict[str, Any]]

    def as_dict(self) -> dict[str, Any]:
        return {"month": self.window.period, "start": self.window.start.isoformat(),
                "end": self.window.end.isoformat(),
                **{name: [row.as_dict() for row in rows] for name, rows in self.tables.items()},
                "accountability": self.accountability, "funding": self.funding}


FLAGGED = {"streets": "street", "second_chiefs": "second", "units": "unit"}


def score_month(db: Database, month: str, *, now: datetime | None = None, record: bool = True) -> MonthScores:
    """Score every segment of `month` (YYYY-MM) and aggregate; `record`: replace the month's flags in the
    history (re-scoring a month is idempotent) and read the year's black flags for accountability."""
    window = parse_month(month)
    rules = road_rules(db)
    now = at_or_now(now)
    with (db.write() if record else db.read()) as s:  # a seat that only reads never holds the writer's lock
        city = _City.load(s)
        pairs = pair_counts(s, window, now)
        tables = _tables(city, pairs, rules)
        if record:
            _record_flags(s, window.period, tables, now)
        history = _black_history(s, window.period[:4], rules)
    if not record:  # the month as scored now stands in for what the history holds of it
        history = _with_month(history, window.period, tables, rules)
    warnings = _warnings(history, window.period, rules, tables)
    return MonthScores(window, tables, warnings, _funding(tables, rules, city))


@dataclass
class _City:
    segments: list[Any]
    roads: dict[int, str]
    streets: dict[str, str]
    units: dict[int, Any]
    seconds: list[Any]
    departments: dict[int, str]

    @classmethod
    def load(cls, s: Session) -> "_City":
        seg = m.RoadSegment
        segments = s.execute(select(seg.id, seg.name, seg.road_id, seg.street_code, seg.difficulty_class,
                                    seg.unit_id).order_by(seg.id)).all()
        seconds = s.execute(select(m.RoadChief.staff_id, m.Staff.name, m.RoadChief.street_code, m.RoadChief.road_id)
                            .join(m.Staff, m.Staff.id == m.RoadChief.staff_id)
                            .where(m.RoadChief.level == "second").order_by(m.RoadChief.id)).all()
        return cls(segments, dict(s.execute(select(m.Road.id, m.Road.name)).all()),
                   dict(s.execute(select(m.Street.code, m.Street.name)).all()),
                   {u.id: u for u in s.execute(select(m.RoadUnit.id, m.RoadUnit.code, m.RoadUnit.name,
                                                      m.RoadUnit.unit_group)).all()},
                   seconds, dict(s.execute(select(m.Department.id, m.Department.name)).all()))


def _tables(city: _City, pairs: Mapping[Pair, Mapping[str, int]], rules: RoadRules) -> dict[str, list[Scored]]:
    per_segment: dict[int, dict[str, int]] = {}
    for (seg, _dept), counts in pairs.items():
        bucket = per_segment.setdefault(seg, {})
        for name, n in counts.items():
            bucket[name] = bucket.get(name, 0) + n
    scores = {row.id: rules.segment_score(per_segment.get(row.id, {})) for row in city.segments}
    weight = {row.id: row.difficulty_class for row in city.segments}

    def mean_of(ids: Iterable[int]) -> float | None:
        return weighted_mean((scores[i], weight[i]) for i in ids)

    segments = [Scored("segment", str(r.id), r.name, scores[r.id], rules.grade(scores[r.id]), details={
        "road": city.roads.get(r.road_id), "street_code": r.street_code, "difficulty_class": r.difficulty_class,
        "unit": city.units[r.unit_id].code if r.unit_id in city.units else None,
        **{name: per_segment.get(r.id, {}).get(name, 0) for name in DEDUCTIONS}}) for r in city.segments]
    by = _group_segments(city)
    roads = [_aggregate("road", str(k), city.roads.get(k, str(k)), mean_of(ids), rules)
             for k, ids in sorted(by["road"].items())]
    streets = [_aggregate("street", k, city.streets.get(k, k), mean_of(ids), rules) for k, ids in sorted(by["street"].items())]
    seconds = [_aggregate("second", str(k), name, mean_of(ids), rules, group=f"难度{max(weight[i] for i in ids)}")
               for (k, name), ids in by["second"].items()]
    units = [_aggregate("unit", city.units[k].code, city.units[k].name, mean_of(ids), rules,
                        group=city.units[k].unit_group) for k, ids in sorted(by["unit"].items())]
    departments = _departments(city, pairs, rules)
    tables = {"segments": segments, "roads": roads, "streets": streets, "second_chiefs": seconds, "units": units,
              "departments": departments}
    for name, sequence in FLAGGED.items():
        tables[name] = _flagged(tables[name], rules, sequence)
    tables["departments"] = _ranked(departments)
    return tables


def _group_segments(city: _City) -> dict[str, dict[Any, list[int]]]:
    """Segment ids by road, street, 二级路长 (his roads in his street) and responsible unit."""
    by: dict[str, dict[Any, list[int]]] = {"road": {}, "street": {}, "second": {}, "unit": {}}
    on_road_in_street: dict[tuple[str, int], list[int]] = {}
    for r in city.segments:
        by["road"].setdefault(r.road_id, []).append(r.id)
        by["street"].setdefault(r.street_code, []).append(r.id)
        on_road_in_street.setdefault((r.street_code, r.road_id), []).append(r.id)
        if r.unit_id is not None:
            by["unit"].setdefault(r.unit_id, []).append(r.id)
    for chief in city.seconds:
        ids = on_road_in_street.get((chief.street_code, chief.road_id), [])
        if ids:
            by["second"].setdefault((chief.staff_id, chief.name), []).extend(ids)
    return by


def _aggregate(sequence: str, code: str, name: str, score: float | None, rules: RoadRules,
               group: str | None = None) -> Scored:
    return Scored(sequence, code, name, score, rules.grade(score), group=group)


def _departments(city: _City, pairs: Mapping[Pair, Mapping[str, int]], rules: RoadRules) -> list[Scored]:
    """A department's score: the mean over the segments it had work on of 100 minus its own deductions there."""
    by_dept: dict[int, list[float]] = {}
    for (_seg, dept), counts in pairs.items():
        if dept is not None:
            by_dept.setdefault(dept, []).append(rules.segment_score(counts))
    rows = []
    for dept, values in sorted(by_dept.items()):
        score = weighted_mean((v, 1.0) for v in values)
        rows.append(Scored("department", str(dept), city.departments.get(dept, str(dept)), score, rules.grade(score),
                           details={"segments": len(values)}))
    return rows


def _flagged(rows: list[Scored], rules: RoadRules, sequence: str) -> list[Scored]:
    """Ranks and flags within each group (units: A / B; 二级路长: by difficulty class; streets: one group)."""
    rule = rules.flags.get(sequence)
    groups: dict[str | None, dict[str, Scored]] = {}
    for row in rows:
        if row.score is not None:
            groups.setdefault(row.group, {})[row.code] = row
    placed: dict[str, Any] = {}
    for members in groups.values():
        if rule is not None:
            placed.update(place({k: r.score for k, r in members.items()}, rule))
    out = [Scored(r.sequence, r.code, r.name, r.score, r.grade, placed[r.code].flag if r.code in placed else None,
                  placed[r.code].rank if r.code in placed else None, r.group, r.details) for r in rows]
    return sorted(out, key=lambda r: (r.group or "", r.rank or 0, r.code))


def _ranked(rows: list[Scored]) -> list[Scored]:
    """职能单位: ranked and graded (reported to the city), no flags."""
    from console.domain.roads import competition_ranks

    ranks = competition_ranks({r.code: r.score for r in rows if r.score is not None})
    out = [Scored(r.sequence, r.code, r.name, r.score, r.grade, None, ranks.get(r.code), r.group, r.details)
           for r in rows]
    return sorted(out, key=lambda r: (r.rank or 0, r.code))


# --- the flag history ------------------------------------------------------------------------------


def _record_flags(s: Session, month: str, tables: Mapping[str, list[Scored]], at: datetime) -> None:
    s.execute(delete(m.RoadFlag).where(m.RoadFlag.month == month))
    for name, sequence in FLAGGED.items():
        s.add_all(m.RoadFlag(month=month, sequence=sequence, subject=r.code, name=r.name, flag=r.flag,
                             score=r.score, rank=r.rank, recorded_at=at) for r in tables[name] if r.flag)
    log_change(s, "roads", month, "scored", operator=None, at=at)


def flag_history(db: Database, *, year: str | None = None) -> list[dict[str, Any]]:
    query = select(m.RoadFlag).order_by(m.RoadFlag.month, m.RoadFlag.sequence, m.RoadFlag.rank, m.RoadFlag.subject)
    if year:
        query = query.where(m.RoadFlag.month.like(f"{year}-%"))
    with db.read() as s:
        return [{"month": f.month, "sequence": f.sequence, "subject": f.subject, "name": f.name, "flag": f.flag,
                 "score": f.score, "rank": f.rank} for f in s.scalars(query)]


def _black_history(s: Session, year: str, rules: RoadRules) -> dict[tuple[str, str], list[str]]:
    f = m.RoadFlag
    rows = s.execute(select(f.sequence, f.subject, f.month).where(
        f.flag == BLACK, f.month.like(f"{year}-%"), f.sequence.in_(rules.accountable))).all()
    out: dict[tuple[str, str], list[str]] = {}
    for sequence, subject, month in rows:
        out.setdefault((sequence, subject), []).append(month)
    return out


def _with_month(history: Mapping[tuple[str, str], list[str]], month: str, tables: Mapping[str, list[Scored]],
                rules: RoadRules) -> dict[tuple[str, str], list[str]]:
    out = {key: [m_ for m_ in months if m_ != month] for key, months in history.items()}
    for table, sequence in FLAGGED.items():
        if sequence in rules.accountable:
            for r in tables[table]:
                if r.flag == BLACK:
                    out.setdefault((sequence, r.code), []).append(month)
    return {key: months for key, months in out.items() if months}


def _warnings(history: Mapping[tuple[str, str], list[str]], month: str, rules: RoadRules,
              tables: Mapping[str, list[Scored]]) -> list[dict[str, Any]]:
    names = {(seq, r.code): r.name for table, seq in FLAGGED.items() for r in tables[table]}
    out = []
    for (sequence, subject), months in sorted(history.items()):
        reason = accountability(months, month, rules)
        if reason:
            out.append({"sequence": sequence, "code": subject, "name": names.get((sequence, subject), subject),
                        "black_months": sorted(months), "reason": reason})
    return out


def _funding(tables: Mapping[str, list[Scored]], rules: RoadRules, city: _City) -> list[dict[str, Any]]:
    funding = rules.funding
    if funding is None:
        return []
    out = []
    for table, group_of in (("streets", lambda r: "street"), ("units", lambda r: r.group)):
        for r in tables[table]:
            if r.score is None:
                continue
            out.append({"sequence": FLAGGED[table], "code": r.code, "name": r.name, "score": r.score,
                        "units": funding.units(r.score), "amount": funding.amount(r.score, group_of(r))})
    return out

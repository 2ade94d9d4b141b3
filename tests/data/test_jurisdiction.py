"""Jurisdiction is enforced where data is read: a street seat sees and acts only on its street.

The paths are enumerated, not sampled: every public function of console.data
(and console.reports) that takes a `scope` must be in READS below, every one
that takes an `actor` must be in COMMANDS, and every one that reads a case by
id or number without either must be in UNSCOPED with the reason it is not a
seat's path.  A new path without a test fails `test_every_path_is_enumerated`.

Export (导出) and brief (简报) do not exist yet; when they land with a `scope`
or an `actor`, the completeness test forces them into these tables.
"""
from __future__ import annotations

import dataclasses
import importlib
import inspect
import pkgutil
import tempfile
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Callable

import pytest
from sqlalchemy import func, select

import console.data
import console.reports
from console.data import cameras as camera_data
from console.data import alerts, case_record, export, figures, map_layers, presence, queue_and_detail, roads
from console.data import models as m
from console.data.alerts import AlertKey
from console.data.commands import ActionParams, Actor, CommandError, JurisdictionError, act, report_case
from console.domain.workflow import Action, Role
from console.domain.video import Frame
from tests.data.test_commands import DISPATCH, GARBAGE, INSPECTOR, INTAKE, SHIFT, T0, garbage_condition

EAST, WEST = "350402001", "350402002"  # 列东街道, 列西街道
POINT = {EAST: (117.605, 26.265), WEST: (117.625, 26.265)}
NAME = {EAST: "列东", WEST: "列西"}
LATER = T0 + timedelta(days=30)  # every open clock is red by then
TODAY = date(2026, 11, 23)


@dataclass
class World:
    """Two cases per street (one reported, one in 处置), a camera and a presence in each."""

    ids: dict[str, list[int]]
    numbers: dict[str, list[str]]

    def west_markers(self) -> tuple[set[str], tuple[str, ...]]:
        """Strings that only a row of 列西 carries: exact (case numbers) and substrings."""
        return set(self.numbers[WEST]), (WEST, NAME[WEST])

    def all_ids(self) -> list[int]:
        return self.ids[EAST] + self.ids[WEST]


def _build(db) -> World:
    condition = garbage_condition(db)
    ids: dict[str, list[int]] = {EAST: [], WEST: []}
    numbers: dict[str, list[str]] = {EAST: [], WEST: []}
    for street in (EAST, WEST):
        lon, lat = POINT[street]
        for k in range(2):
            ref = report_case(db, INSPECTOR, source="inspector", lon=lon, lat=lat, category_code=GARBAGE,
                              description=f"{NAME[street]}暴露垃圾", address=f"{NAME[street]}街 {k + 1} 号",
                              at=T0, note=f"{NAME[street]}上报")
            ids[street].append(ref.id)
            numbers[street].append(ref.number)
            if k == 1:  # walk it to 处置中, so it has a dispose clock and a department
                v = act(db, INTAKE, ref.number, "forward", expected_version=1, at=T0, note=f"{NAME[street]}批转").version
                v = act(db, SHIFT, ref.number, "file", expected_version=v, at=T0, note=f"{NAME[street]}立案",
                        params=ActionParams(condition_code=condition)).version
                act(db, DISPATCH, ref.number, "dispatch", expected_version=v, at=T0, note=f"{NAME[street]}派遣",
                    params=ActionParams(department_id=2))
        presence.open_case(db, Actor(f"{NAME[street]}值守", "intake", seat=f"{NAME[street]}受理席"),
                           ids[street][0], at=LATER)
    with db.write() as s:
        for street in (EAST, WEST):
            lon, lat = POINT[street]
            s.add(m.Camera(id=f"{street}00000000001", name=f"{NAME[street]}路口摄像头", lon=lon, lat=lat,
                           street_code=street, grid_code=f"{street}001001"))
            s.add(m.Staff(name=f"{NAME[street]}网格员", kind="grid_staff", street_code=street))
    return World(ids, numbers)


@pytest.fixture
def world(db) -> World:
    return _build(db)


# --- the walker: every string a result carries -----------------------------------------------------


def strings(value: Any) -> list[str]:
    """All strings inside a result: dataclasses, ORM rows, dicts, sequences (geometry skipped)."""
    out: list[str] = []

    def walk(v: Any) -> None:
        if isinstance(v, str):
            out.append(v)
        elif dataclasses.is_dataclass(v) and not isinstance(v, type):
            for f in dataclasses.fields(v):
                walk(getattr(v, f.name))
        elif isinstance(v, m.Base):
            for column in v.__table__.columns:
                walk(getattr(v, column.key))
        elif isinstance(v, dict):
            for key, item in v.items():
                walk(key)
                walk(item)
        elif isinstance(v, (list, tuple, set, frozenset)):
            for item in v:
                walk(item)

    walk(value)
    return out


def leaks(value: Any, world: World) -> list[str]:
    exact, parts = world.west_markers()
    return [s for s in strings(value) if s in exact or any(p in s for p in parts)]


def shows_east(value: Any, world: World) -> bool:
    return any(s in world.numbers[EAST] or EAST in s or NAME[EAST] in s for s in strings(value))


# --- every read path ----------------------------------------------------------------------------


Read = Callable[[Any, "str | None", World], Any]


def _light_ranks(db, scope, w):  # noqa: ANN001
    with db.read() as s:
        return figures.case_light_ranks(s, db, LATER, scope)


def _exported(db, scope, w) -> list[str]:  # noqa: ANN001
    """What every export format writes, as text (the xlsx as its cell values)."""
    from openpyxl import load_workbook

    texts = []
    with tempfile.TemporaryDirectory() as folder:
        for fmt in export.FORMATS:
            out = Path(folder) / f"cases.{fmt}"
            export.export_cases(db, out, fmt, scope=scope)
            if fmt == "xlsx":
                texts += [str(c.value) for row in load_workbook(out).active.iter_rows() for c in row if c.value]
            else:
                texts.append(out.read_text(encoding="utf-8-sig"))
    return texts


# (function, call(db, scope, world)): the call asks for 列西's data through that path.
READS: dict[Callable, Read] = {
    figures.stats: lambda db, scope, w: figures.stats(db, now=LATER, scope=scope),
    figures.count_by_light: lambda db, scope, w: figures.count_by_light(db, LATER, scope=scope),
    figures.street_summary: lambda db, scope, w: figures.street_summary(db, LATER, scope=scope),
    figures.case_light_ranks: _light_ranks,
    case_record.find_case: lambda db, scope, w: case_record.find_case(db, w.numbers[WEST][0], scope=scope),
    case_record.timeline: lambda db, scope, w: case_record.timeline(db, w.numbers[WEST][1], scope=scope),
    queue_and_detail.load_queue: lambda db, scope, w: queue_and_detail.load_queue(db, scope=scope),
    queue_and_detail.search_cases: lambda db, scope, w: queue_and_detail.search_cases(db, "街", scope=scope),
    queue_and_detail.load_case_detail: lambda db, scope, w: queue_and_detail.load_case_detail(db, w.ids[WEST][1], scope=scope),
    queue_and_detail.filter_options: lambda db, scope, w: queue_and_detail.filter_options(db, scope=scope),
    map_layers.map_layers: lambda db, scope, w: map_layers.map_layers(db, scope=scope, day=TODAY),
    map_layers.cameras: lambda db, scope, w: map_layers.cameras(db, scope=scope),
    camera_data.cameras: lambda db, scope, w: camera_data.cameras(db, scope=scope),
    camera_data.nearest_cameras: lambda db, scope, w: camera_data.nearest_cameras(  # from the west street's middle
        db, 117.625, 26.265, n=100, radius_m=50_000, scope=scope),
    map_layers.open_case_markers: lambda db, scope, w: map_layers.open_case_markers(db, scope=scope, now=LATER),
    map_layers.grid_case_counts: lambda db, scope, w: (
        map_layers.grid_case_counts(db, "open", scope=scope, now=LATER),
        map_layers.grid_case_counts(db, "overdue", scope=scope, now=LATER)),
    export.export_rows: lambda db, scope, w: list(export.export_rows(db, scope=scope)),
    export.export_cases: _exported,
    presence.who_is_on: lambda db, scope, w: presence.who_is_on(db, w.ids[WEST][0], now=LATER, scope=scope),
    presence.who_is_on_many: lambda db, scope, w: presence.who_is_on_many(db, w.all_ids(), now=LATER, scope=scope),
}

# Paths a street seat would also use with ids of another street (a delta refresh, a stale link).
READS_BY_ID: dict[str, Read] = {
    "load_queue(ids)": lambda db, scope, w: queue_and_detail.load_queue(db, scope=scope, ids=w.all_ids()),
    "open_case_markers(ids)": lambda db, scope, w: map_layers.open_case_markers(db, scope=scope, now=LATER,
                                                                                ids=w.all_ids()),
    "search_cases(number)": lambda db, scope, w: queue_and_detail.search_cases(db, w.numbers[WEST][0], scope=scope),
    "find_case(2nd)": lambda db, scope, w: case_record.find_case(db, w.numbers[WEST][1], scope=scope),
    "load_case_detail(1st)": lambda db, scope, w: queue_and_detail.load_case_detail(db, w.ids[WEST][0], scope=scope),
    "timeline(1st)": lambda db, scope, w: case_record.timeline(db, w.numbers[WEST][0], scope=scope),
}

# Functions whose counts carry no strings to inspect: checked by number as well.
COUNTED = {figures.stats, figures.count_by_light, figures.case_light_ranks}

# Case readers without scope or actor, and why no seat reaches them with another street's case.
UNSCOPED = {
    case_record.case_clocks: "tests and tools only; seats read clocks through load_case_detail (scoped)",
    case_record.urge_records: "tests and tools only; seats read urges through load_case_detail (scoped)",
    alerts.acknowledged: "called with alert keys built from the seat's own (scoped) queue; returns who acked",
    camera_data.evidence_of: "tests and tools only; seats see a case's evidence through load_case_detail (scoped)",
    camera_data.camera_points: "camera ids from the seat's own feed (a street seat's feed carries its street's cameras)",
}


def _public_functions() -> list[Callable]:
    found = []
    for package in (console.data, console.reports):
        for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            module = importlib.import_module(info.name)
            for name, fn in inspect.getmembers(module, inspect.isfunction):
                if fn.__module__ == module.__name__ and not name.startswith("_"):
                    found.append(fn)
    return found


def _params(fn: Callable) -> set[str]:
    return set(inspect.signature(fn).parameters)


def _label(fn: Callable) -> str:
    return f"{fn.__module__}.{fn.__name__}"


def test_every_path_is_enumerated():
    functions = _public_functions()
    scoped = {fn for fn in functions if "scope" in _params(fn)}
    # a command path reaches the database for an actor (check_street, seat_of: guards, no db)
    acting = {fn for fn in functions if {"actor", "db"} <= _params(fn)}
    case_readers = {fn for fn in functions
                    if _params(fn) & {"case_id", "case_ids", "number", "ids", "keys"}
                    and list(inspect.signature(fn).parameters)[:1] == ["db"]}
    assert sorted(map(_label, scoped - set(READS))) == [], "a scoped read path without a jurisdiction test"
    assert sorted(map(_label, set(READS) - scoped)) == []
    assert sorted(map(_label, acting - set(COMMANDS))) == [], "a command path without a jurisdiction test"
    unguarded = case_readers - scoped - acting - set(UNSCOPED)
    assert sorted(map(_label, unguarded)) == [], "reads a case by id/number with neither scope nor actor"


def test_a_street_scope_never_returns_another_streets_rows(world, db):
    """Every read path, asked for 列西's data by a 列东 seat, returns none of it (one world, all paths)."""
    problems = []
    for read, call in READS.items():
        east = call(db, EAST, world)
        if leaks(east, world):
            problems.append(f"{_label(read)} leaked 列西 to a 列东 seat: {leaks(east, world)[:3]}")
        # The check is not vacuous: unscoped, the same call does return 列西's data.
        if read not in COUNTED and not leaks(call(db, None, world), world):
            problems.append(f"{_label(read)}: the unscoped call shows no 列西 row")
    assert problems == []


def test_asking_by_id_or_number_for_another_street_returns_nothing(world, db):
    problems = []
    for name, call in READS_BY_ID.items():
        if leaks(call(db, EAST, world), world):
            problems.append(f"{name} leaked 列西 to a 列东 seat")
        if not leaks(call(db, None, world), world):
            problems.append(f"{name}: the unscoped call shows no 列西 row")
    assert problems == []


def test_counts_are_of_the_seats_street(world, db):
    east = figures.stats(db, now=LATER, scope=EAST)
    whole = figures.stats(db, now=LATER)
    assert (east["streets"], east["communities"], east["grids"], east["cameras"], east["staff"]) == (1, 2, 4, 1, 1)
    assert (whole["streets"], whole["cameras"], whole["staff"]) == (2, 2, 2)
    assert east["cases"]["total"] == 2 and whole["cases"]["total"] == 4
    assert sum(figures.count_by_light(db, LATER, scope=EAST).values()) == 2
    assert figures.count_by_light(db, LATER, scope=WEST) == {"green": 0, "yellow": 0, "red": 2}
    assert set(_light_ranks(db, EAST, world)) == set(world.ids[EAST])
    assert set(_light_ranks(db, None, world)) == set(world.all_ids())
    assert map_layers.grid_case_counts(db, "overdue", scope=EAST, now=LATER) == {f"{EAST}001001": 2}


def test_the_scoped_paths_do_show_the_seats_own_street(world, db):
    for read, call in READS.items():
        if read in COUNTED or read in (case_record.find_case, case_record.timeline, queue_and_detail.load_case_detail,
                                       presence.who_is_on):
            continue  # these ask about a 列西 case on purpose
        assert shows_east(call(db, EAST, world), world), f"{_label(read)} shows a 列东 seat nothing of 列东"
    assert case_record.find_case(db, world.numbers[EAST][0], scope=EAST) is not None
    assert queue_and_detail.load_case_detail(db, world.ids[EAST][1], scope=EAST) is not None
    assert len(case_record.timeline(db, world.numbers[EAST][1], scope=EAST)) == 4
    assert presence.who_is_on(db, world.ids[EAST][0], now=LATER, scope=EAST) == [("列东值守", "列东受理席")]


# --- every command path ----------------------------------------------------------------------------


def _street_actor(role: Role | str) -> Actor:
    return Actor(f"列东{Role(role).label}", role, seat=f"列东-{role}", street_code=EAST, department_id=2)


def _act_every_action(db, w: World) -> None:
    """Every workflow action, by a 列东-bound actor of every role, on 列西's cases: all refused."""
    for number in w.numbers[WEST]:
        with db.read() as s:
            version = s.scalar(select(m.Case.version).where(m.Case.number == number))
        for action in Action:
            if action in (Action.REPORT, Action.REPORT_SELF_HANDLED):
                continue  # they create a case: report_case below
            for role in Role:
                with pytest.raises(JurisdictionError, match=WEST):
                    act(db, _street_actor(role), number, action, expected_version=version, note="越界",
                        params=ActionParams(condition_code="x", department_id=2, extension="1wh"))


def _report_outside(db, w: World) -> None:
    lon, lat = POINT[WEST]
    for role, self_handled in (("inspector", False), ("inspector", True), ("intake", False)):
        with pytest.raises(JurisdictionError, match=EAST):
            report_case(db, _street_actor(role), source="inspector", lon=lon, lat=lat, category_code=GARBAGE,
                        self_handled=self_handled, at=T0)
    with pytest.raises(JurisdictionError):  # outside every grid
        report_case(db, _street_actor("inspector"), source="inspector", lon=100.0, lat=20.0, at=T0)


def _acknowledge(db, w: World) -> None:
    with pytest.raises(CommandError, match="辖区|jurisdiction"):
        alerts.acknowledge(db, _street_actor("street_seat"), [AlertKey(w.ids[WEST][1], "dispose", 1, "red")], at=LATER)


def _presence_open(db, w: World) -> None:
    with pytest.raises(JurisdictionError, match=WEST):
        presence.open_case(db, _street_actor("street_seat"), w.ids[WEST][0], at=LATER)


def _presence_close(db, w: World) -> None:
    with pytest.raises(JurisdictionError, match=WEST):
        presence.close_case(db, _street_actor("street_seat"), w.ids[WEST][0], at=LATER)


def _west_segment(db) -> int:
    """A 列西 road segment (the tiny city has no roads): one road, one segment through 列西's point."""
    import shapely

    lon, lat = POINT[WEST]
    with db.write() as s:
        road = m.Road(name="列西路", level="支路")
        s.add(road)
        s.flush()
        segment = m.RoadSegment(road_id=road.id, street_code=WEST, name="列西路一段", length_m=200.0)
        segment.set_geometry(shapely.LineString([(lon - 0.001, lat), (lon + 0.001, lat)]))
        s.add(segment)
        s.flush()
        return segment.id


def _findings(db) -> list[tuple]:
    with db.read() as s:
        return list(s.execute(select(m.RoadFinding.id, m.RoadFinding.case_id).order_by(m.RoadFinding.id)).all())


def _west_camera(db) -> str:
    with db.read() as s:
        return s.scalar(select(m.Camera.id).where(m.Camera.street_code == WEST).order_by(m.Camera.id))


def _frame(camera_id: str) -> "camera_data.Snapshot":
    return camera_data.Snapshot(camera_id, Frame(b"\x89PNG not blank", tuple(range(0, 250, 10)), LATER))


def _camera_status_outside(db, w: World) -> None:
    with pytest.raises(JurisdictionError, match=EAST):
        camera_data.set_camera_status(db, _street_actor("street_seat"), _west_camera(db), "fault", at=LATER)


def _snapshot_outside(db, w: World, tmp_path_factory=None) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as store, pytest.raises(JurisdictionError, match=EAST):
        camera_data.attach_snapshot(db, _street_actor("street_seat"), w.numbers[WEST][0], _frame(_west_camera(db)),
                                    store=Path(store))


def _video_case_outside(db, w: World) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as store, pytest.raises(JurisdictionError, match=EAST):
        camera_data.report_video_case(db, _street_actor("intake"), _west_camera(db), _frame(_west_camera(db)),
                                      category_code=GARBAGE, at=LATER, store=Path(store))


def _finding_outside(db, w: World) -> None:
    segment_id = _west_segment(db)
    with pytest.raises(JurisdictionError, match=WEST):
        roads.add_finding(db, _street_actor("street_seat"), segment_id=segment_id, problem="占道", found_by="路长办")
    assert _findings(db) == []


def _finding_to_case_outside(db, w: World) -> None:
    segment_id = _west_segment(db)
    with db.write() as s:  # a finding already on record (written directly: the change log stays as it was)
        s.add(m.RoadFinding(segment_id=segment_id, problem="占道", found_by="路长办", found_at=T0,
                            recorded_by="路长办", recorded_at=T0))
    findings = _findings(db)
    with pytest.raises(JurisdictionError, match=WEST):
        roads.finding_to_case(db, _street_actor("intake"), findings[0][0], category_code=GARBAGE, at=LATER)
    assert _findings(db) == findings  # still no case linked


COMMANDS: dict[Callable, Callable[[Any, World], None]] = {
    act: _act_every_action,
    report_case: _report_outside,
    alerts.acknowledge: _acknowledge,
    presence.open_case: _presence_open,
    presence.close_case: _presence_close,
    roads.add_finding: _finding_outside,
    roads.finding_to_case: _finding_to_case_outside,
    camera_data.set_camera_status: _camera_status_outside,
    camera_data.attach_snapshot: _snapshot_outside,
    camera_data.report_video_case: _video_case_outside,
}


def _footprint(db) -> tuple[int, ...]:
    with db.read() as s:
        return tuple(s.scalar(select(func.count()).select_from(model))
                     for model in (m.Case, m.CaseEvent, m.ChangeLog, m.AlertAck, m.AlertAckBatch, m.Presence, m.UrgeRecord,
                                   m.CaseStepClock))


@pytest.mark.parametrize("command", list(COMMANDS), ids=_label)
def test_a_street_bound_actor_is_refused_on_another_street(world, db, command):
    before = _footprint(db)
    with db.read() as s:
        west_before = list(s.execute(select(m.Case.id, m.Case.state, m.Case.version, m.Case.updated_by)
                                     .where(m.Case.street_code == WEST).order_by(m.Case.id)).all())
    COMMANDS[command](db, world)
    assert _footprint(db) == before, "a refused command wrote something"
    with db.read() as s:
        assert list(s.execute(select(m.Case.id, m.Case.state, m.Case.version, m.Case.updated_by)
                              .where(m.Case.street_code == WEST).order_by(m.Case.id)).all()) == west_before


def test_the_same_actor_may_act_in_its_own_street(world, db):
    """The refusals above are about the street, not the actor: at home the same calls succeed."""
    seat = _street_actor("street_seat")
    number = world.numbers[EAST][1]
    with db.read() as s:
        version = s.scalar(select(m.Case.version).where(m.Case.number == number))
    assert act(db, seat, number, "urge", expected_version=version, note="催办", at=LATER,
               params=ActionParams(reason="请尽快")).version == version + 1
    lon, lat = POINT[EAST]
    assert report_case(db, _street_actor("inspector"), source="inspector", lon=lon, lat=lat,
                       category_code=GARBAGE, at=T0).id
    alerts.acknowledge(db, seat, [AlertKey(world.ids[EAST][1], "dispose", 1, "red")], at=LATER)
    presence.open_case(db, seat, world.ids[EAST][1], at=LATER)
    assert presence.close_case(db, seat, world.ids[EAST][1], at=LATER) is True



# --- 属地: a street office (街道办事处) disposes only its own street's cases ---------------------

STREET_OFFICE = 3  # 列东街道办事处, bound to 列东 in the tiny city


def _to_dispatch(db, street: str) -> tuple[str, int]:
    lon, lat = POINT[street]
    ref = report_case(db, INSPECTOR, source="inspector", lon=lon, lat=lat, category_code=GARBAGE, at=T0)
    v = act(db, INTAKE, ref.number, "forward", expected_version=ref.version, at=T0 + timedelta(minutes=5)).version
    v = act(db, SHIFT, ref.number, "file", expected_version=v, at=T0 + timedelta(minutes=10),
            params=ActionParams(condition_code=garbage_condition(db))).version
    return ref.number, v


def _dispatch(db, number: str, version: int, department_id: int):
    return act(db, DISPATCH, number, "dispatch", expected_version=version, at=T0 + timedelta(minutes=15),
               params=ActionParams(department_id=department_id))


def test_dispatch_to_a_street_office_outside_its_street_is_refused_naming_both(db):
    number, v = _to_dispatch(db, WEST)
    before = _footprint(db)
    with pytest.raises(JurisdictionError) as refused:
        _dispatch(db, number, v, STREET_OFFICE)
    message = str(refused.value)
    assert "列东街道办事处" in message and "列东街道(350402001)" in message and "列西街道(350402002)" in message
    assert len(message.splitlines()) == 1
    assert _footprint(db) == before  # nothing written
    assert _dispatch(db, number, v, 2).state == "disposing"  # a professional department serves every street


def test_dispatch_to_the_street_office_of_the_cases_own_street(db):
    number, v = _to_dispatch(db, EAST)
    assert _dispatch(db, number, v, STREET_OFFICE).state == "disposing"


def test_a_case_outside_every_grid_cannot_go_to_a_street_office(db):
    ref = report_case(db, INTAKE, source="hotline", lon=118.5, lat=27.0, category_code=GARBAGE, at=T0)
    v = act(db, INTAKE, ref.number, "forward", expected_version=ref.version, at=T0 + timedelta(minutes=5)).version
    v = act(db, SHIFT, ref.number, "file", expected_version=v, at=T0 + timedelta(minutes=10),
            params=ActionParams(condition_code=garbage_condition(db))).version
    with pytest.raises(JurisdictionError, match="无街道"):
        _dispatch(db, ref.number, v, STREET_OFFICE)

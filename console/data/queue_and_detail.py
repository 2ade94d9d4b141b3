"""Read side of the case queue and the case detail panel (案件队列 / 案卷详情).

Every function takes the seat's jurisdiction `scope` (a street code, or None for
the whole district) and applies it here, in SQL: a street seat never receives a
row of another street.  Results are plain dataclasses the widgets format;
caller name and phone appear only in `CaseDetail`, never in a queue `CaseRow`.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import Any, Iterable, Optional

from sqlalchemy import Select, and_, bindparam, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, aliased

from console.data import models as m
from console.data.db import Database
from console.data.figures import CASE_STEPS, SHANGHAI
from console.domain.sources import Source

_ID_CHUNK = 500  # ids per IN (...) list on a delta refresh


@dataclass(slots=True)
class CaseRow:
    """One line of the case queue: raw values, no caller details.

    Treat it as immutable (use dataclasses.replace). It is not frozen only because a
    frozen dataclass builds three times slower, and the queue builds ten thousand at once.
    """

    id: int
    number: str
    state: str
    pending: Optional[str]
    version: int
    source: str
    kind: Optional[str]
    category_code: Optional[str]
    category_name: Optional[str]
    condition_code: Optional[str]
    urgency: Optional[str]
    address: str
    lon: float
    lat: float
    grid_code: Optional[str]
    community_code: Optional[str]
    street_code: Optional[str]
    street_name: Optional[str]
    department_id: Optional[int]
    department_name: Optional[str]
    created_at: datetime
    self_handled: bool = False
    rework_count: int = 0
    # the open case-step clock (None when the case has none: closed, cancelled)
    step: Optional[str] = None
    limit: Optional[str] = None
    total_minutes: Optional[int] = None
    consumed_minutes: Optional[float] = None  # before the current run (all of it when paused)
    paused: bool = False
    # marks of a running clock (None when paused): lights and remaining time come from these
    yellow_at: Optional[datetime] = None
    red_at: Optional[datetime] = None
    due_at: Optional[datetime] = None
    clock_round: Optional[int] = None  # which run of that step (a new round after 回退)

    @property
    def has_clock(self) -> bool:
        return self.step is not None and bool(self.total_minutes)


@dataclass(frozen=True, slots=True)
class ClockInfo:
    """One step clock of a case, for the detail panel (环节时钟)."""

    step: str
    round: int
    limit: str
    started_at: datetime
    stopped_at: Optional[datetime]
    consumed_minutes: float
    total_minutes: int
    outcome: Optional[str]  # on_time | late | returned | cancelled
    due_at: Optional[datetime]
    yellow_at: Optional[datetime]
    red_at: Optional[datetime]
    running: bool
    paused: bool
    open: bool
    department_id: Optional[int] = None


@dataclass(frozen=True, slots=True)
class EventInfo:
    """One audit event (操作记录)."""

    at: datetime
    action: str
    from_state: Optional[str]
    to_state: str
    version: int
    operator_name: str
    role: str
    seat: Optional[str]
    note: str
    data: Optional[dict[str, Any]]


@dataclass(frozen=True, slots=True)
class UrgeInfo:
    """A 催办 (urge) or 督办 (supervise) record laid over the case."""

    kind: str  # urge | supervise
    at: datetime
    operator_name: str
    seat: Optional[str]
    note: str
    department_id: Optional[int]
    reply_due_at: Optional[datetime]
    replied_at: Optional[datetime]
    reply_note: Optional[str]


@dataclass(frozen=True, slots=True)
class CaseDetail:
    """Everything the detail panel shows; the only place caller details appear."""

    row: CaseRow
    description: str
    photos: tuple[str, ...]
    caller_name: Optional[str]
    caller_phone: Optional[str]
    condition_text: Optional[str]
    condition_limits: dict[str, str]  # urgency -> limit text, e.g. {"normal": "4wh"}
    clocks: tuple[ClockInfo, ...]
    events: tuple[EventInfo, ...]
    urges: tuple[UrgeInfo, ...]
    close_type: Optional[str]
    closed_at: Optional[datetime]
    return_count: int
    extension_count: int
    rework_count: int
    is_open: bool
    community_name: Optional[str] = None
    pending_data: Optional[dict[str, Any]] = None


@dataclass(frozen=True, slots=True)
class Option:
    """One choice of a filter combo: code, name, and the parent's code."""

    code: str
    name: str
    parent: Optional[str] = None


@dataclass(frozen=True, slots=True)
class CategoryOption:
    code: str
    name: str
    kind: str
    major_code: str
    major_name: str


@dataclass(frozen=True, slots=True)
class DepartmentOption:
    id: int
    code: str
    name: str
    kind: str
    street_code: Optional[str]


@dataclass(frozen=True, slots=True)
class ConditionOption:
    code: str
    category_code: str
    text: str
    default_urgency: str
    limits: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class FilterOptions:
    """The choices of the queue's filter combos, within the seat's scope."""

    streets: tuple[Option, ...]
    communities: tuple[Option, ...]  # parent: street code
    grids: tuple[Option, ...]  # parent: community code
    categories: tuple[CategoryOption, ...]
    departments: tuple[DepartmentOption, ...]
    sources: tuple[str, ...]


# --- the queue ---------------------------------------------------------------------------


def _active_version_id(s: Session) -> Optional[int]:
    return s.scalar(
        select(m.CatalogueVersion.id).where(m.CatalogueVersion.active).order_by(m.CatalogueVersion.id.desc()).limit(1)
    )


def _more_urgent(a: CaseRow, b: CaseRow) -> bool:
    if b.red_at is None:
        return a.red_at is not None
    return a.red_at is not None and a.red_at < b.red_at


def _scoped(q: Select, scope: Optional[str]) -> Select:
    return q.where(m.Case.street_code == scope) if scope else q


def _case_select() -> Select:
    """Cases and their open case-step clock: the one column list behind every CaseRow."""
    case, clock = m.Case, aliased(m.CaseStepClock)
    return (
        select(
            case.id, case.number, case.state, case.pending, case.version, case.source, case.kind,
            case.category_code, case.condition_code, case.urgency, case.address,
            case.lon, case.lat, case.grid_code, case.community_code, case.street_code,
            case.department_id, case.created_at, case.self_handled, case.rework_count,
            clock.step, clock.limit, clock.total_minutes, clock.consumed_minutes, clock.paused,
            clock.yellow_at, clock.red_at, clock.due_at, clock.round,
        )
        .outerjoin(clock, and_(clock.case_id == case.id, clock.open, clock.step.in_(CASE_STEPS)))
    )


def _queue_select() -> Select:
    """Open cases only (names come from dicts, not joins)."""
    return _case_select().where(m.Case.is_open)


def _with_names(q: Select, version_id: Any) -> Select:
    """`q` with the category, street and department names joined (three last columns)."""
    return (
        q.add_columns(m.Category.name.label("category_name"), m.Street.name.label("street_name"),
                      m.Department.name.label("department_name"))
        .outerjoin(m.Category, and_(m.Category.code == m.Case.category_code, m.Category.version_id == version_id))
        .outerjoin(m.Street, m.Street.code == m.Case.street_code)
        .outerjoin(m.Department, m.Department.id == m.Case.department_id)
    )


@functools.lru_cache(maxsize=256)  # one per jurisdiction: a district has tens of streets
def _delta_statement(scope: Optional[str]) -> Select:
    """The live delta's one statement: open cases among `:ids`, names and the active catalogue joined.

    Built once: constructing the select costs three times its execution on a few rows
    (PostgreSQL, one case: 4.9 -> 1.5 ms), and a seat runs it on every change of the hall.
    """
    active = (select(m.CatalogueVersion.id).where(m.CatalogueVersion.active)
              .order_by(m.CatalogueVersion.id.desc()).limit(1).scalar_subquery())
    base = _scoped(_queue_select(), scope).where(m.Case.id.in_(bindparam("ids", expanding=True)))
    return _with_names(base.order_by(m.Case.id), active)


def _named_rows(s: Session, q: Select, version_id: Optional[int]) -> list[CaseRow]:
    """CaseRows for a few cases (search, detail): names joined in SQL, not whole tables read."""
    return _rows_with_names(s.execute(_with_names(q, version_id)).all())


def _rows_with_names(result: list) -> list[CaseRow]:
    names = ({r.category_code: r.category_name for r in result}, {r.street_code: r.street_name for r in result},
             {r.department_id: r.department_name for r in result})
    return _build_rows([tuple(r)[:-3] for r in result], names, None)


def _reference_names(s: Session, version_id: Optional[int]) -> tuple[dict, dict, dict]:
    """Category, street and department names: small tables, read whole."""
    categories = dict(s.execute(select(m.Category.code, m.Category.name).where(m.Category.version_id == version_id)).all())
    streets = dict(s.execute(select(m.Street.code, m.Street.name)).all())
    departments = dict(s.execute(select(m.Department.id, m.Department.name)).all())
    return categories, streets, departments


def _raw_queue_rows(s: Session, q: Select, names: tuple[dict, dict, dict]) -> list[CaseRow]:
    """Run the queue query on the driver and build CaseRows directly.

    The queue reads thousands of rows at a time; skipping SQLAlchemy's per-value
    result processing halves the time (the values are plain ids, text and times).
    """
    conn = s.connection()
    sql = str(q.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True}))
    # a seat runs this on its worker with the collector paused (services.seat.collector_paused)
    if conn.dialect.name == "postgresql":
        return _build_rows(_fetch_binary(conn, sql), names, None)
    return _build_rows(conn.exec_driver_sql(sql).fetchall(), names, m.utc_from_sqlite_text)


def _fetch_binary(conn: Any, sql: str) -> list:
    """PostgreSQL rows in the binary protocol, in the session's transaction.

    psycopg decodes binary timestamps and numbers about 15 % faster than their text.
    """
    dbapi = conn.dialect.loaded_dbapi
    try:
        with conn.connection.driver_connection.cursor(binary=True) as cursor:
            cursor.execute(sql)
            return cursor.fetchall()
    except dbapi.Error as exc:
        # what SQLAlchemy does for its own cursors: a lost connection is invalidated
        # (not handed out again) and the error becomes SQLAlchemy's, which Database maps
        lost = conn.dialect.is_disconnect(exc, conn.connection.dbapi_connection, None)
        if lost:
            conn.invalidate(exc)
        raise DBAPIError.instance(sql, None, exc, dbapi.Error, connection_invalidated=lost,
                                  dialect=conn.dialect) from exc


def _build_rows(raw: list, names: tuple[dict, dict, dict], parse: Any) -> list[CaseRow]:
    """CaseRows from `_case_select`'s tuples, built positionally (keywords cost a third more).

    `parse` turns SQLite's raw text times into datetimes; None when they already are
    (PostgreSQL's driver, or rows read through SQLAlchemy).
    A case with two open case clocks keeps the one that turns red first.
    """
    categories, streets, departments = names
    rows: dict[int, CaseRow] = {}
    for (cid, number, state, pending, version, source, kind, category_code, condition_code, urgency, address,
         lon, lat, grid_code, community_code, street_code, department_id, created_at, self_handled, rework_count,
         step, limit, total, consumed, paused, yellow_at, red_at, due_at, clock_round) in raw:
        if parse is not None:
            created_at, yellow_at, red_at, due_at = parse(created_at), parse(yellow_at), parse(red_at), parse(due_at)
        row = CaseRow(
            cid, number, state, pending, version, source, kind, category_code, categories.get(category_code),
            condition_code, urgency, address, lon, lat, grid_code, community_code, street_code,
            streets.get(street_code), department_id, departments.get(department_id), created_at,
            bool(self_handled), rework_count, step, limit, total, consumed, bool(paused), yellow_at, red_at, due_at,
            clock_round,
        )
        old = rows.get(cid)
        if old is None or _more_urgent(row, old):
            rows[cid] = row
    return list(rows.values())


# A delta of at most this many cases joins its names in SQL: three whole name tables and a statement compiled
# with literal values cost more than the few rows (metro, a delta of 3: PostgreSQL 4.9 -> 3.1 ms, SQLite
# 2.4 -> 1.5 ms; second-seat p50 64 -> 30 ms and 41 -> 26 ms in bench_feed --seat)
_FEW = 50


def load_queue(db: Database, *, scope: str | None = None, ids: Iterable[int] | None = None,
               states: Iterable[str] | None = None) -> list[CaseRow]:
    """Open cases (all, or only `ids` for a delta refresh), ordered by id.

    For `ids`, closed, cancelled or out-of-scope cases are simply absent, so
    the caller removes them from its model.
    """
    wanted = None if ids is None else sorted({int(i) for i in ids})
    state_list = None if states is None else [str(v) for v in states]
    with db.read() as s:
        if wanted is not None and len(wanted) <= _FEW and state_list is None:  # a live delta: one statement
            return _rows_with_names(s.connection().execute(_delta_statement(scope), {"ids": wanted}).all())
        version_id = _active_version_id(s)
        base = _scoped(_queue_select(), scope)
        if state_list is not None:
            base = base.where(m.Case.state.in_(state_list))
        if wanted is not None and len(wanted) <= _FEW:
            return _named_rows(s, base.where(m.Case.id.in_(wanted)).order_by(m.Case.id), version_id)
        names = _reference_names(s, version_id)
        if wanted is None:
            return _raw_queue_rows(s, base.order_by(m.Case.id), names)
        rows: list[CaseRow] = []
        for start in range(0, len(wanted), _ID_CHUNK):
            chunk = wanted[start:start + _ID_CHUNK]
            rows.extend(_raw_queue_rows(s, base.where(m.Case.id.in_(chunk)).order_by(m.Case.id), names))
        return rows


def search_cases(db: Database, text: str, *, scope: str | None = None, limit: int = 50) -> list[CaseRow]:
    """Cases (closed ones too) whose number starts with `text` or whose address contains it.

    Newest first; an all-digit text searches numbers only (uses the unique index).
    """
    needle = text.strip()
    if not needle:
        return []
    escaped = needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    number_match = m.Case.number.like(f"{escaped}%", escape="\\")
    where = number_match if needle.isdigit() else (number_match | m.Case.address.like(f"%{escaped}%", escape="\\"))
    with db.read() as s:
        q = _scoped(_case_select().where(where), scope).order_by(m.Case.id.desc()).limit(limit * 2)
        rows = _named_rows(s, q, _active_version_id(s))
    rows.sort(key=lambda r: r.id, reverse=True)
    return rows[:limit]


# --- the detail panel ---------------------------------------------------------------------


def load_case_detail(db: Database, case_id: int, *, scope: str | None = None) -> CaseDetail | None:
    """One case with its clocks, timeline and urge records; None if absent or out of scope."""
    with db.read() as s:
        version_id = _active_version_id(s)
        found = _named_rows(s, _scoped(_case_select().where(m.Case.id == case_id), scope), version_id)
        if not found:
            return None
        case = s.get(m.Case, case_id)
        condition_text, limits = _condition(s, version_id, case.condition_code)
        community = s.get(m.Community, case.community_code) if case.community_code else None
        return CaseDetail(
            row=found[0],
            description=case.description or "",
            photos=tuple(case.photos or ()),
            caller_name=case.caller_name,
            caller_phone=case.caller_phone,
            condition_text=condition_text,
            condition_limits=limits,
            clocks=tuple(_clocks(s, case_id)),
            events=tuple(_events(s, case_id)),
            urges=tuple(_urges(s, case_id)),
            close_type=case.close_type,
            closed_at=case.closed_at,
            return_count=case.return_count,
            extension_count=case.extension_count,
            rework_count=case.rework_count,
            is_open=case.is_open,
            community_name=community.name if community else None,
            pending_data=case.pending_data,
        )


def _condition(s: Session, version_id: Optional[int], code: Optional[str]) -> tuple[Optional[str], dict[str, str]]:
    if not code:
        return None, {}
    condition = s.scalars(
        select(m.FilingCondition).where(m.FilingCondition.version_id == version_id, m.FilingCondition.code == code)
    ).first()
    if condition is None:
        return None, {}
    return condition.text, {limit.urgency: limit.limit for limit in condition.limits}


def _clocks(s: Session, case_id: int) -> list[ClockInfo]:
    c = m.CaseStepClock
    rows = s.scalars(select(c).where(c.case_id == case_id).order_by(c.started_at, c.id))
    return [
        ClockInfo(step=r.step, round=r.round, limit=r.limit, started_at=r.started_at, stopped_at=r.stopped_at,
                  consumed_minutes=r.consumed_minutes, total_minutes=r.total_minutes, outcome=r.outcome,
                  due_at=r.due_at, yellow_at=r.yellow_at, red_at=r.red_at,
                  running=r.running, paused=r.paused, open=r.open, department_id=r.department_id)
        for r in rows
    ]


def _events(s: Session, case_id: int) -> list[EventInfo]:
    e = m.CaseEvent
    rows = s.scalars(select(e).where(e.case_id == case_id).order_by(e.id))
    return [
        EventInfo(at=r.at, action=r.action, from_state=r.from_state, to_state=r.to_state, version=r.version,
                  operator_name=r.operator_name, role=r.role, seat=r.seat, note=r.note or "", data=r.data)
        for r in rows
    ]


def _urges(s: Session, case_id: int) -> list[UrgeInfo]:
    u = m.UrgeRecord
    rows = s.scalars(select(u).where(u.case_id == case_id).order_by(u.id))
    return [
        UrgeInfo(kind=r.kind, at=r.at, operator_name=r.operator_name, seat=r.seat, note=r.note or "",
                 department_id=r.department_id, reply_due_at=r.reply_due_at, replied_at=r.replied_at,
                 reply_note=r.reply_note)
        for r in rows
    ]


# --- filter choices ------------------------------------------------------------------------


def _today() -> date:
    return datetime.now(timezone.utc).astimezone(SHANGHAI).date()


def filter_options(db: Database, scope: str | None = None) -> FilterOptions:
    """Streets, communities, current grids (within scope), active categories, departments, sources."""
    today = _today()
    with db.read() as s:
        streets = select(m.Street.code, m.Street.name).order_by(m.Street.code)
        communities = select(m.Community.code, m.Community.name, m.Community.street_code).order_by(m.Community.code)
        g = m.UnitGrid
        grids = (
            select(g.code, g.name, g.community_code)
            .where(g.valid_from <= today, g.valid_to.is_(None) | (g.valid_to > today))
            .order_by(g.code)
        )
        if scope:
            streets = streets.where(m.Street.code == scope)
            communities = communities.where(m.Community.street_code == scope)
            grids = grids.where(g.street_code == scope)
        return FilterOptions(
            streets=tuple(Option(code, name) for code, name in s.execute(streets)),
            communities=tuple(Option(code, name, parent) for code, name, parent in s.execute(communities)),
            grids=tuple(Option(code, name or code, parent) for code, name, parent in s.execute(grids)),
            categories=tuple(_categories(s)),
            departments=tuple(_departments(s)),
            # every source report_case takes, not those in the cases: that DISTINCT read a million rows at start
            sources=tuple(source.value for source in Source),
        )


def _categories(s: Session) -> list[CategoryOption]:
    version_id = _active_version_id(s)
    c = m.Category
    rows = s.execute(select(c.code, c.name, c.kind, c.major_code, c.major_name)
                     .where(c.version_id == version_id).order_by(c.code))
    return [CategoryOption(*row) for row in rows]


def _departments(s: Session) -> list[DepartmentOption]:
    d = m.Department
    rows = s.execute(select(d.id, d.code, d.name, d.kind, d.street_code).order_by(d.kind, d.code))
    return [DepartmentOption(*row) for row in rows]


def departments(db: Database) -> list[DepartmentOption]:
    """Every department a case can be dispatched to (专业部门 first, then streets)."""
    with db.read() as s:
        return _departments(s)


def filing_conditions(db: Database, category_code: str) -> list[ConditionOption]:
    """The filing conditions (立案条件) of one category in the active catalogue, with their limits."""
    with db.read() as s:
        version_id = _active_version_id(s)
        rows = s.scalars(
            select(m.FilingCondition)
            .where(m.FilingCondition.version_id == version_id, m.FilingCondition.category_code == category_code)
            .order_by(m.FilingCondition.code)
        ).all()
        return [
            ConditionOption(code=r.code, category_code=r.category_code, text=r.text, default_urgency=r.default_urgency,
                            limits={limit.urgency: limit.limit for limit in r.limits})
            for r in rows
        ]

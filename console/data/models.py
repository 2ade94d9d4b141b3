"""SQLAlchemy 2.0 models of the command hall's database.

One schema for SQLite (embedded) and PostgreSQL (a hall's shared server).
Geometries are stored as WKB in lon/lat (WGS-84 / CGCS2000 geographic) beside
their bounding boxes, so both databases need no spatial extension; shapely
does the geometry in Python.  Codes (grid, street, community, component,
camera) are strings, never integers: leading zeros matter.
"""
from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any, Optional

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    text,
)
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, relationship, validates

from console.domain.accounts import username_key

# BIGINT on PostgreSQL, INTEGER (the rowid alias, so autoincrement works) on SQLite.
BigId = BigInteger().with_variant(Integer(), "sqlite")


def utc_from_sqlite_text(value: str | None) -> datetime | None:
    """A SQLite timestamp (naive UTC text as stored here) as an aware UTC datetime.

    Appending the offset and parsing once is seven times faster than replace(tzinfo=...).
    """
    if value is None:
        return None
    if len(value) <= 26:  # "YYYY-MM-DD HH:MM:SS[.ffffff]": no offset written
        return datetime.fromisoformat(value + "+00:00")
    return datetime.fromisoformat(value).astimezone(timezone.utc)


class UtcDateTime(TypeDecorator):
    """Aware datetimes in, aware UTC datetimes out, on both databases.

    SQLite has no time zone type; storing naive UTC keeps ordering and
    comparisons right there, and PostgreSQL gets a real timestamptz.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value.isoformat()} given to the database; times must carry a zone")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def result_processor(self, dialect: Any, coltype: Any):  # noqa: ANN201
        """SQLite hands back text: parse it with the C `fromisoformat`, not a regex (10x faster)."""
        if dialect.name != "sqlite":
            return super().result_processor(dialect, coltype)

        return utc_from_sqlite_text

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UtcDateTime, dict[str, Any]: JSON}


# --- length limits: the same on both databases ----------------------------------------------
# String(n) is the limit of a short text; a free text (TEXT) carries its limit in info, so
# PostgreSQL and SQLite (which enforces no VARCHAR length) refuse the same values.
DESCRIPTION_MAX = 2000
NOTE_MAX = 1000


def free_text(limit: int, **kwargs: Any) -> Any:
    """A TEXT column with a length limit checked before every write."""
    return mapped_column(Text, info={"max_length": limit}, **kwargs)


class ValueTooLong(ValueError):
    """A text longer than its column allows, refused before anything is written."""


def max_length(column: Any) -> int | None:
    return column.info.get("max_length") or getattr(column.type, "length", None)


def check_lengths(session: Session, _context: Any = None, _instances: Any = None) -> None:
    """before_flush: every new or changed text within its column's limit, on every backend."""
    for obj in (*session.new, *session.dirty):
        state = sa_inspect(obj)
        for attr in state.mapper.column_attrs:
            value = state.dict.get(attr.key)  # never load an expired attribute mid-flush
            column = attr.columns[0]
            limit = max_length(column) if isinstance(value, str) else None
            if limit is not None and len(value) > limit:
                raise ValueTooLong(
                    f"{column.table.name}.{column.name} 的值过长：{len(value)} 字，上限 {limit} 字 "
                    f"(value too long for {column.table.name}.{column.name}: {len(value)} > {limit} characters): "
                    f"{value[:20]!r}…")


class GeometryMixin:
    """WKB geometry in lon/lat with its bounding box for cheap prefilters."""

    geom_wkb: Mapped[bytes] = mapped_column(LargeBinary)
    min_lon: Mapped[float] = mapped_column(Float)
    min_lat: Mapped[float] = mapped_column(Float)
    max_lon: Mapped[float] = mapped_column(Float)
    max_lat: Mapped[float] = mapped_column(Float)

    def set_geometry(self, geom: Any) -> None:
        import shapely

        self.geom_wkb = shapely.to_wkb(geom)
        self.min_lon, self.min_lat, self.max_lon, self.max_lat = (float(v) for v in geom.bounds)

    @property
    def geometry(self) -> Any:
        import shapely

        return shapely.from_wkb(self.geom_wkb)


# --- the administrative levels and grids (区 -> 街道 -> 社区 -> 单元网格) ---------------


class District(GeometryMixin, Base):
    __tablename__ = "districts"
    code: Mapped[str] = mapped_column(String(6), primary_key=True)  # GB/T 2260 admin code
    name: Mapped[str] = mapped_column(String(100))
    area_km2: Mapped[float] = mapped_column(Float, default=0.0)


class Street(GeometryMixin, Base):
    __tablename__ = "streets"  # 街道 / 镇
    code: Mapped[str] = mapped_column(String(9), primary_key=True)
    district_code: Mapped[str] = mapped_column(ForeignKey("districts.code"))
    name: Mapped[str] = mapped_column(String(100))


class Community(GeometryMixin, Base):
    __tablename__ = "communities"  # 社区 / 村
    code: Mapped[str] = mapped_column(String(12), primary_key=True)
    street_code: Mapped[str] = mapped_column(ForeignKey("streets.code"), index=True)
    name: Mapped[str] = mapped_column(String(100))


class UnitGrid(GeometryMixin, Base):
    """单元网格; a code may be reissued, so validity dates make the key."""

    __tablename__ = "unit_grids"
    __table_args__ = (UniqueConstraint("code", "valid_from"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    code: Mapped[str] = mapped_column(String(15), index=True)
    community_code: Mapped[str] = mapped_column(ForeignKey("communities.code"), index=True)
    street_code: Mapped[str] = mapped_column(ForeignKey("streets.code"), index=True)
    name: Mapped[Optional[str]] = mapped_column(String(100))
    area_m2: Mapped[float] = mapped_column(Float, default=0.0)
    land_use: Mapped[Optional[str]] = mapped_column(String(40))  # 用地类别
    responsible: Mapped[Optional[str]] = mapped_column(String(100))  # 责任主体
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[Optional[date]] = mapped_column(Date)  # None: still valid

    @classmethod
    def valid_on(cls, day: date):  # noqa: ANN206 - a SQL expression
        """SQL condition: the grid was valid on `day` (one definition for every query)."""
        return (cls.valid_from <= day) & (cls.valid_to.is_(None) | (cls.valid_to > day))


class ResponsibilityGrid(Base):
    """责任网格: an inspector's patrol area made of several unit grids."""

    __tablename__ = "responsibility_grids"
    code: Mapped[str] = mapped_column(String(20), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    street_code: Mapped[str] = mapped_column(ForeignKey("streets.code"), index=True)
    unit_grid_codes: Mapped[list[str]] = mapped_column(JSON, default=list)


class Department(Base):
    __tablename__ = "departments"  # 专业部门 / 街道 (处置单位)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(20))  # professional | street
    street_code: Mapped[Optional[str]] = mapped_column(ForeignKey("streets.code"))


class Staff(Base):
    """Field people: inspectors (监督员) and grid staff (网格员), road chiefs too."""

    __tablename__ = "staff"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(50))
    kind: Mapped[str] = mapped_column(String(20))  # inspector | grid_staff | sanitation | official
    phone: Mapped[Optional[str]] = mapped_column(String(20))
    street_code: Mapped[Optional[str]] = mapped_column(ForeignKey("streets.code"), index=True)
    grid_code: Mapped[Optional[str]] = mapped_column(String(15), index=True)
    responsibility_grid_code: Mapped[Optional[str]] = mapped_column(ForeignKey("responsibility_grids.code"))
    department_id: Mapped[Optional[int]] = mapped_column(ForeignKey("departments.id"))


class Road(Base):
    __tablename__ = "roads"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    level: Mapped[str] = mapped_column(String(20))  # 主干道 | 次干道 | 支路 | 背街小巷
    # Unused since 0012: a road crossing several streets has a 二级路长 in each (road_chiefs, level second).
    chief_staff_id: Mapped[Optional[int]] = mapped_column(ForeignKey("staff.id"))


class RoadUnit(Base):
    """路段责任单位: a municipal unit given segments; its head (一把手) is their 路段长 (seed 004)."""

    __tablename__ = "road_units"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    unit_group: Mapped[str] = mapped_column(String(10))  # A | B: ranked and funded apart
    head_staff_id: Mapped[Optional[int]] = mapped_column(ForeignKey("staff.id"))


class RoadSegment(GeometryMixin, Base):
    __tablename__ = "road_segments"  # 路段, the unit of 路长制 scoring
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    road_id: Mapped[int] = mapped_column(ForeignKey("roads.id"), index=True)
    street_code: Mapped[str] = mapped_column(ForeignKey("streets.code"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    difficulty_class: Mapped[int] = mapped_column(Integer, default=1)
    length_m: Mapped[float] = mapped_column(Float, default=0.0)
    # 路段责任单位; None: no unit, the road's 二级路长 in this street is the 路段长.
    unit_id: Mapped[Optional[int]] = mapped_column(ForeignKey("road_units.id"), index=True)


class RoadChief(Base):
    """路长 by level (seed 004): general 总路长 / deputy_general 副总路长 (district), first 一级路长 and
    street_head 辖区总路长 (street_code), second 二级路长 (street_code + road_id).  The 路段长 is not
    stored: the head of the segment's unit, else the road's 二级路长 in that street."""

    __tablename__ = "road_chiefs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    level: Mapped[str] = mapped_column(String(20))
    road_id: Mapped[Optional[int]] = mapped_column(ForeignKey("roads.id"))
    segment_id: Mapped[Optional[int]] = mapped_column(ForeignKey("road_segments.id"), index=True)
    street_code: Mapped[Optional[str]] = mapped_column(ForeignKey("streets.code"), index=True)


class RoadFinding(Base):
    """督导问题: what the 路长办 found on a segment (counts as a problem of the segment); may become a case."""

    __tablename__ = "road_findings"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    segment_id: Mapped[int] = mapped_column(ForeignKey("road_segments.id"), index=True)
    problem: Mapped[str] = free_text(NOTE_MAX)
    photo: Mapped[Optional[str]] = mapped_column(String(300))  # a file path or a blob reference
    found_at: Mapped[datetime] = mapped_column(index=True)
    found_by: Mapped[str] = mapped_column(String(50))
    recorded_by: Mapped[str] = mapped_column(String(50))
    recorded_seat: Mapped[Optional[str]] = mapped_column(String(50))
    recorded_at: Mapped[datetime]
    case_id: Mapped[Optional[int]] = mapped_column(ForeignKey("cases.id"), unique=True)  # the case it became


class RoadFlag(Base):
    """A month's red or black flag of one subject of a sequence (street, second, unit): the flag history."""

    __tablename__ = "road_flags"
    __table_args__ = (UniqueConstraint("month", "sequence", "subject"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    month: Mapped[str] = mapped_column(String(7), index=True)  # 2026-11
    sequence: Mapped[str] = mapped_column(String(20))  # street | second | unit
    subject: Mapped[str] = mapped_column(String(40))  # street code, staff id, unit code
    name: Mapped[str] = mapped_column(String(100))
    flag: Mapped[str] = mapped_column(String(10))  # red | black
    score: Mapped[float] = mapped_column(Float)
    rank: Mapped[int] = mapped_column(Integer)
    recorded_at: Mapped[datetime]


def _username_key_default(context: Any) -> str:
    return username_key(context.get_current_parameters()["username"])


class Operator(Base):
    """A hall account: role, seat, and the street a liaison seat is bound to."""

    __tablename__ = "operators"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(50), unique=True)
    # The name as compared (console.domain.accounts.username_key): unique, so "Admin1" cannot join "admin1".
    username_key: Mapped[str] = mapped_column(String(50), unique=True, index=True, default=_username_key_default)
    display_name: Mapped[str] = mapped_column(String(50))
    role: Mapped[str] = mapped_column(String(20))
    seat: Mapped[Optional[str]] = mapped_column(String(50))
    street_code: Mapped[Optional[str]] = mapped_column(ForeignKey("streets.code"))
    department_id: Mapped[Optional[int]] = mapped_column(ForeignKey("departments.id"))
    password_hash: Mapped[str] = mapped_column(String(200))
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[Optional[datetime]]
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime]

    @validates("username")
    def _keep_key(self, _field: str, value: str) -> str:
        """A renamed account gets its new key too (the column default covers Core inserts)."""
        self.username_key = username_key(value)
        return value


class Camera(Base):
    __tablename__ = "cameras"
    id: Mapped[str] = mapped_column(String(20), primary_key=True)  # GB/T 28181 device id
    name: Mapped[str] = mapped_column(String(100))
    lon: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
    crs: Mapped[str] = mapped_column(String(30), default="wgs84")
    status: Mapped[str] = mapped_column(String(10), default="online")  # online | offline | fault
    ptz: Mapped[bool] = mapped_column(Boolean, default=False)
    owner: Mapped[Optional[str]] = mapped_column(String(100))
    grid_code: Mapped[Optional[str]] = mapped_column(String(15), index=True)
    street_code: Mapped[Optional[str]] = mapped_column(ForeignKey("streets.code"), index=True)
    stream_url: Mapped[Optional[str]] = mapped_column(String(300))
    # since 0013: the mount (WVP ptzType 0..5, console.domain.video.PTZ_TYPES; NULL unknown) and the
    # catalogue group (行政区划 / 业务分组 / 虚拟组织) the camera sits in
    ptz_type: Mapped[Optional[int]] = mapped_column(Integer)
    group_code: Mapped[Optional[str]] = mapped_column(String(20), index=True)


class CameraGroup(Base):
    """A node of a camera catalogue that is no camera: 行政区划 (civil), 业务分组 215 (business), 虚拟组织 216."""

    __tablename__ = "camera_groups"
    code: Mapped[str] = mapped_column(String(20), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(10))  # civil | business | virtual
    parent_code: Mapped[Optional[str]] = mapped_column(String(20))


class CaseEvidence(Base):
    """A file kept as a case's evidence (a camera snapshot): where, its SHA-256, which camera, when, who."""

    __tablename__ = "case_evidence"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # snapshot
    path: Mapped[str] = mapped_column(String(300))  # relative to the evidence store
    sha256: Mapped[str] = mapped_column(String(64))
    camera_id: Mapped[Optional[str]] = mapped_column(String(20))
    taken_at: Mapped[datetime]
    taken_by: Mapped[str] = mapped_column(String(50))
    seat: Mapped[Optional[str]] = mapped_column(String(50))


# --- the catalogue and the rules a city edits ------------------------------------------


class CatalogueVersion(Base):
    __tablename__ = "catalogue_versions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[str] = mapped_column(String(50), unique=True)
    standard_ref: Mapped[str] = mapped_column(String(100))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Category(Base):
    __tablename__ = "categories"  # 部件 / 事件 minor classes
    __table_args__ = (UniqueConstraint("version_id", "code"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("catalogue_versions.id"))
    code: Mapped[str] = mapped_column(String(10), index=True)
    kind: Mapped[str] = mapped_column(String(10))  # component | event
    major_code: Mapped[str] = mapped_column(String(4))
    major_name: Mapped[str] = mapped_column(String(50))
    name: Mapped[str] = mapped_column(String(100))


class FilingCondition(Base):
    __tablename__ = "filing_conditions"  # 立案条件
    __table_args__ = (UniqueConstraint("version_id", "code"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("catalogue_versions.id"))
    code: Mapped[str] = mapped_column(String(20), index=True)
    category_code: Mapped[str] = mapped_column(String(10), index=True)
    text: Mapped[str] = mapped_column(String(300))
    default_urgency: Mapped[str] = mapped_column(String(10), default="normal")
    limits: Mapped[list["TimeLimit"]] = relationship(cascade="all, delete-orphan", lazy="selectin")


class TimeLimit(Base):
    __tablename__ = "time_limits"  # 处置时限 per filing condition and urgency
    __table_args__ = (UniqueConstraint("condition_id", "urgency"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    condition_id: Mapped[int] = mapped_column(ForeignKey("filing_conditions.id"))
    urgency: Mapped[str] = mapped_column(String(10))
    limit: Mapped[str] = mapped_column(String(12))  # e.g. "4wh"


class Setting(Base):
    """Rules as data: step limits, light thresholds, work schedule, numbering."""

    __tablename__ = "settings"
    key: Mapped[str] = mapped_column(String(50), primary_key=True)
    value: Mapped[dict[str, Any]] = mapped_column(JSON)


class RoutingRule(Base):
    """派遣 suggestion: category (or major class) x area -> department."""

    __tablename__ = "routing_rules"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    category_code: Mapped[Optional[str]] = mapped_column(String(10))  # None: any
    major_code: Mapped[Optional[str]] = mapped_column(String(4))
    street_code: Mapped[Optional[str]] = mapped_column(ForeignKey("streets.code"))  # None: any
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))
    priority: Mapped[int] = mapped_column(Integer, default=0)


class CalendarOverride(Base):
    __tablename__ = "calendar_overrides"
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    workday: Mapped[bool] = mapped_column(Boolean)
    note: Mapped[Optional[str]] = mapped_column(String(200))
    set_by: Mapped[Optional[str]] = mapped_column(String(50))
    set_at: Mapped[datetime]


# --- cases and their history ---------------------------------------------------------------


class Case(Base):
    __tablename__ = "cases"  # 案卷
    __table_args__ = (
        Index("ix_cases_open_state", "is_open", "state"),
        # Partial: only the open few among a million closed; the queue reads these.
        # (The predicates are written as each dialect renders `Case.is_open`.)
        Index("ix_cases_open_only", "id", postgresql_where=text("is_open"), sqlite_where=text("is_open = 1")),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    state: Mapped[str] = mapped_column(String(20))
    is_open: Mapped[bool] = mapped_column(Boolean, default=True)
    pending: Mapped[Optional[str]] = mapped_column(String(20))  # request awaiting approval
    pending_data: Mapped[Optional[dict[str, Any]]] = mapped_column(JSON)
    version: Mapped[int] = mapped_column(Integer, default=1)
    source: Mapped[str] = mapped_column(String(20))
    kind: Mapped[Optional[str]] = mapped_column(String(10))
    category_code: Mapped[Optional[str]] = mapped_column(String(10), index=True)
    condition_code: Mapped[Optional[str]] = mapped_column(String(20))
    urgency: Mapped[Optional[str]] = mapped_column(String(10))
    description: Mapped[str] = free_text(DESCRIPTION_MAX, default="")
    address: Mapped[str] = mapped_column(String(200), default="")
    lon: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
    grid_code: Mapped[Optional[str]] = mapped_column(String(15), index=True)
    community_code: Mapped[Optional[str]] = mapped_column(String(12))
    street_code: Mapped[Optional[str]] = mapped_column(String(9), index=True)
    department_id: Mapped[Optional[int]] = mapped_column(ForeignKey("departments.id"), index=True)
    reporter_staff_id: Mapped[Optional[int]] = mapped_column(ForeignKey("staff.id"))
    caller_name: Mapped[Optional[str]] = mapped_column(String(50))
    caller_phone: Mapped[Optional[str]] = mapped_column(String(20))
    self_handled: Mapped[bool] = mapped_column(Boolean, default=False)
    rework_count: Mapped[int] = mapped_column(Integer, default=0)
    return_count: Mapped[int] = mapped_column(Integer, default=0)
    extension_count: Mapped[int] = mapped_column(Integer, default=0)
    close_type: Mapped[Optional[str]] = mapped_column(String(20))
    photos: Mapped[Optional[list[str]]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(index=True)
    updated_at: Mapped[datetime]
    updated_by: Mapped[Optional[str]] = mapped_column(String(50))
    updated_seat: Mapped[Optional[str]] = mapped_column(String(50))
    closed_at: Mapped[Optional[datetime]] = mapped_column(index=True)
    # 路段 of the case: the nearest segment within the rules' distance, set at report (路长制 scoring).
    road_segment_id: Mapped[Optional[int]] = mapped_column(ForeignKey("road_segments.id"), index=True)
    # since 0013: the camera a 视频巡查 case was filed from (GB/T 28181 ID), else NULL
    camera_id: Mapped[Optional[str]] = mapped_column(String(20))


class CaseStepClock(Base):
    """One step clock of a case (受理 核实 立案 派遣 处置 核查 结案, 督办回复).

    yellow_at / red_at are precomputed while the clock runs, so the light of
    every open case is two comparisons, in Python or in SQL (red_at is just
    past due_at's working instant: see console.domain.clocks).
    """

    __tablename__ = "case_step_clocks"
    __table_args__ = (
        Index("ix_clocks_open", "open", "case_id"),
        Index("ix_clocks_open_only", "case_id", postgresql_where=text('"open"'), sqlite_where=text('"open" = 1')),
        Index("ix_clocks_case_step", "case_id", "step", "round"),
        # "turned red within the window" (路长制, overdue) as two ranges; most clocks never turn red
        Index("ix_clocks_red_since", "step", "red_since", postgresql_where=text("red_since IS NOT NULL"),
              sqlite_where=text("red_since IS NOT NULL")),
        Index("ix_clocks_red_at", "step", "red_at", postgresql_where=text("red_at IS NOT NULL"),
              sqlite_where=text("red_at IS NOT NULL")),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    step: Mapped[str] = mapped_column(String(20))
    round: Mapped[int] = mapped_column(Integer, default=1)
    limit: Mapped[str] = mapped_column(String(12))
    total_minutes: Mapped[int] = mapped_column(Integer)
    consumed_minutes: Mapped[float] = mapped_column(Float, default=0.0)
    started_at: Mapped[datetime]
    run_started_at: Mapped[Optional[datetime]]
    stopped_at: Mapped[Optional[datetime]]
    paused: Mapped[bool] = mapped_column(Boolean, default=False)
    running: Mapped[bool] = mapped_column(Boolean, default=True)
    open: Mapped[bool] = mapped_column(Boolean, default=True)
    outcome: Mapped[Optional[str]] = mapped_column(String(20))  # on_time | late | returned | cancelled
    yellow_at: Mapped[Optional[datetime]]  # first instant it is yellow
    red_at: Mapped[Optional[datetime]]  # first instant it is red (past the limit)
    due_at: Mapped[Optional[datetime]]  # the deadline shown to people
    department_id: Mapped[Optional[int]] = mapped_column(ForeignKey("departments.id"))
    # Kept when the marks above are cleared at stop, so a past window tells on time from late:
    red_since: Mapped[Optional[datetime]]  # first instant the clock was red (latched across rounds)
    overdue_minutes: Mapped[Optional[float]] = mapped_column(Float)  # stopped: consumed past the total


class CaseEvent(Base):
    """The audit trail: one row per action, append-only."""

    __tablename__ = "case_events"
    __table_args__ = (  # a month's counts read this index alone (console.data.evaluation)
        Index("ix_case_events_action_cover", "action", "at", "stopped_late", "case_id", "staff_id", "role",
              "operator_name"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(index=True)
    action: Mapped[str] = mapped_column(String(30))
    from_state: Mapped[Optional[str]] = mapped_column(String(20))
    to_state: Mapped[str] = mapped_column(String(20))
    version: Mapped[int] = mapped_column(Integer)
    operator_id: Mapped[Optional[int]] = mapped_column(ForeignKey("operators.id"))
    operator_name: Mapped[str] = mapped_column(String(50))
    role: Mapped[str] = mapped_column(String(20))
    seat: Mapped[Optional[str]] = mapped_column(String(50))
    note: Mapped[str] = free_text(NOTE_MAX, default="")
    data: Mapped[Optional[dict[str, Any]]] = mapped_column(JSON)
    idempotency_key: Mapped[Optional[str]] = mapped_column(String(64), unique=True)
    # The field staff member of record (监督员 on 核实/核查), beside the operator who keyed it in.
    staff_id: Mapped[Optional[int]] = mapped_column(ForeignKey("staff.id"), index=True)
    # The step clock this action stopped was red (None: it stopped no clock); step on-time rates count it.
    stopped_late: Mapped[Optional[bool]] = mapped_column(Boolean)


class UrgeRecord(Base):
    """催办 (reminder) and 督办 (formal supervision with a reply clock): overlays."""

    __tablename__ = "urge_records"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10))  # urge | supervise
    at: Mapped[datetime]
    operator_name: Mapped[str] = mapped_column(String(50))
    seat: Mapped[Optional[str]] = mapped_column(String(50))
    note: Mapped[str] = free_text(NOTE_MAX, default="")
    department_id: Mapped[Optional[int]] = mapped_column(ForeignKey("departments.id"))
    reply_due_at: Mapped[Optional[datetime]]
    replied_at: Mapped[Optional[datetime]]
    reply_note: Mapped[Optional[str]] = free_text(NOTE_MAX)


class ChangeLog(Base):
    """Every committed change, in order: the change feed reads it by revision."""

    __tablename__ = "change_log"
    rev: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    at: Mapped[datetime]
    entity: Mapped[str] = mapped_column(String(20))  # case | grid | camera | calendar | ...
    entity_id: Mapped[str] = mapped_column(String(40))
    op: Mapped[str] = mapped_column(String(30))
    street_code: Mapped[Optional[str]] = mapped_column(String(9))
    operator_name: Mapped[Optional[str]] = mapped_column(String(50))


class AlertAckBatch(Base):
    """The audit row of one acknowledgement command: who acknowledged how many alerts, chosen how."""

    __tablename__ = "alert_ack_batches"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    acked_by: Mapped[str] = mapped_column(String(50))
    role: Mapped[str] = mapped_column(String(20))
    seat: Mapped[Optional[str]] = mapped_column(String(50))
    acked_at: Mapped[datetime] = mapped_column(index=True)
    note: Mapped[str] = mapped_column(String(200), default="")  # the filter: "街道 列东街道 · 红灯"
    count: Mapped[int] = mapped_column(Integer, default=0)  # alerts newly acknowledged


class AlertAck(Base):
    """An overdue/yellow alert an operator acknowledged: stays acknowledged across restarts."""

    __tablename__ = "alert_acks"
    __table_args__ = (UniqueConstraint("case_id", "step", "round", "light"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    step: Mapped[str] = mapped_column(String(20))
    round: Mapped[int] = mapped_column(Integer)
    light: Mapped[str] = mapped_column(String(10))  # yellow | red
    acked_by: Mapped[str] = mapped_column(String(50))
    seat: Mapped[Optional[str]] = mapped_column(String(50))
    acked_at: Mapped[datetime]
    batch_id: Mapped[Optional[int]] = mapped_column(ForeignKey("alert_ack_batches.id"), index=True)


class Presence(Base):
    """正在处理: who has a case open at which seat; expires without heartbeats."""

    __tablename__ = "presence"
    __table_args__ = (UniqueConstraint("case_id", "seat"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    operator_name: Mapped[str] = mapped_column(String(50))
    seat: Mapped[str] = mapped_column(String(50))
    heartbeat_at: Mapped[datetime] = mapped_column(index=True)

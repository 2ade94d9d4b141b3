"""The signed-in operator and the seat they sit at."""
from __future__ import annotations

from dataclasses import dataclass

from console.data.accounts import authenticate, demo_operator, wall_account
from console.data.street_roads import street_name as _street_name
from console.data.commands import Actor, CommandError
from console.data.db import Database
from console.data import models as m
from console.domain.workflow import ROLE_LABELS, Role

SEAT_KINDS = ("operator", "wall", "leader", "street")


@dataclass(frozen=True)
class Seat:
    """--seat operator | wall | leader | street:<street code>."""

    kind: str
    street_code: str | None = None

    @classmethod
    def parse(cls, text: str) -> "Seat":
        kind, _, street = text.partition(":")
        if kind not in SEAT_KINDS:
            raise CommandError(f"席位 {text!r} 无效 (seat must be operator, wall, leader or street:<code>)")
        if kind == "street" and not street:
            raise CommandError("街道指挥席需写明街道编码，如 street:350402001 (street seat without a code)")
        return cls(kind, street or None)


@dataclass(frozen=True)
class Session:
    """Who is signed in where; `actor` is what every data command receives."""

    db: Database
    username: str
    display_name: str
    role: Role
    seat_name: str
    seat: Seat
    operator_id: int | None = None
    department_id: int | None = None
    street_name: str | None = None  # the seat's street by name (街道指挥席 · 列东街道), None off a street seat

    @property
    def street_code(self) -> str | None:
        """The jurisdiction every read and action of this seat is limited to."""
        return self.seat.street_code

    @property
    def actor(self) -> Actor:
        return Actor(self.display_name, self.role, seat=self.seat_name, operator_id=self.operator_id,
                     street_code=self.street_code, department_id=self.department_id)

    @property
    def title(self) -> str:
        return f"{ROLE_LABELS[self.role]} {self.display_name} @ {self.seat_name}"


def session_for(db: Database, operator: m.Operator, seat: Seat, seat_name: str | None = None) -> Session:
    street = operator.street_code or seat.street_code
    if operator.role == Role.STREET_SEAT.value:
        if seat.street_code and seat.street_code != operator.street_code:
            raise CommandError(f"账号 {operator.username} 属于街道 {operator.street_code}，不能登录 {seat.street_code} 指挥席")
        seat = Seat("street", street)
    if seat.kind == "leader" and operator.role != Role.LEADER.value:
        raise CommandError(f"账号 {operator.username} 不是指挥长，不能登录指挥长席 (the leader seat needs a leader account)")
    street_name = _street_name(db, seat.street_code) if seat.street_code else None
    if seat.kind == "street" and street_name is None:
        raise CommandError(f"街道编码 {seat.street_code} 不存在 (no street with this code)")
    if street_name and seat.kind == "street" and seat_name in (None, "", seat.street_code):
        seat_name = seat_name_for(street_name)  # the seat by its street's name, never the bare code
    return Session(db=db, username=operator.username, display_name=operator.display_name, role=Role(operator.role),
                   seat_name=seat_name or operator.seat or seat.kind, seat=seat, operator_id=operator.id,
                   department_id=operator.department_id, street_name=street_name)


def seat_name_for(street_name: str) -> str:
    """街道指挥席 · 列东街道: the street seat by its street's name (the header, the audit's seat)."""
    return f"街道指挥席 · {street_name}"


def sign_in(db: Database, username: str, password: str, seat: Seat, seat_name: str | None = None) -> Session:
    return session_for(db, authenticate(db, username, password), seat, seat_name)


def demo_session(db: Database, seat: Seat) -> Session:
    """A session for the first account that can sit at `seat` (screenshots of a demo database)."""
    operator = demo_operator(db, seat.kind, seat.street_code)
    if operator is None:
        raise CommandError(f"数据库中没有可用于 {seat.kind} 席位的账号 (no account for this seat; `urban-console user add`)")
    return session_for(db, operator, seat)


def wall_session(db: Database, username: str | None = None) -> Session:
    """The wall seat's session, without a password (see accounts.wall_account): it never signs out."""
    return session_for(db, wall_account(db, username), Seat("wall"))


__all__ = ["CommandError", "Database", "SEAT_KINDS", "Seat", "Session", "demo_session", "seat_name_for", "session_for",
           "sign_in", "wall_session"]

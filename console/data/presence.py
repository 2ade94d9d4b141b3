"""正在处理: which operator has a case open at which seat, kept alive by heartbeats.

A seat that opens a case upserts one `presence` row (case, seat) and touches
it every few seconds (`heartbeat`); closing the case or the seat deletes the
rows.  A seat that dies simply stops heart-beating: readers ignore rows older
than `ttl_s`, so its presence disappears by itself.  Opening and closing append
to the change log (entity ``presence``, with the case's street) so other
seats' feeds wake up; heartbeats do not (readers re-check on their own timer).
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Iterable, Sequence

from sqlalchemy import delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from console.data import models as m
from console.data.commands import Actor, CommandError, NotFound, at_or_now, check_street, log_change
from console.data.db import Database

DEFAULT_TTL_S = 30.0  # a presence without a heartbeat for this long is gone
PREFIX = "正在处理"

Presence = tuple[str, str]  # (operator_name, seat)


def seat_of(actor: Actor) -> str:
    """The seat presence is kept for; an actor without one cannot be 正在处理 anywhere."""
    if not actor.seat:
        raise CommandError(f"{actor.name} 没有席位，无法登记正在处理 (presence needs a seat)")
    return actor.seat


def _case_in_reach(s: Session, actor: Actor, case_id: int) -> m.Case:
    case = s.get(m.Case, case_id)
    if case is None:
        raise NotFound(f"案件 id {case_id} 不存在 (no such case)")
    check_street(case, actor)
    return case


def _upsert(s: Session, case_id: int, name: str, seat: str, at: datetime) -> None:
    """Insert or refresh the (case, seat) row in one statement: two writers never collide."""
    dialect = s.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    table = m.Presence.__table__
    stmt = insert(table).values(case_id=case_id, operator_name=name, seat=seat, heartbeat_at=at)
    stmt = stmt.on_conflict_do_update(
        index_elements=[table.c.case_id, table.c.seat],
        set_={"operator_name": stmt.excluded.operator_name, "heartbeat_at": stmt.excluded.heartbeat_at},
    )
    s.execute(stmt)


def open_case(db: Database, actor: Actor, case_id: int, at: datetime | None = None) -> None:
    """The actor's seat has the case open from now on (正在处理)."""
    at = at_or_now(at)
    seat = seat_of(actor)
    with db.write() as s:
        case = _case_in_reach(s, actor, case_id)
        _upsert(s, case_id, actor.name, seat, at)
        log_change(s, "presence", str(case_id), "open", street_code=case.street_code, operator=actor.name, at=at)


def close_case(db: Database, actor: Actor, case_id: int, at: datetime | None = None) -> bool:
    """The actor's seat closed the case; True when it had it open."""
    at = at_or_now(at)
    seat = seat_of(actor)
    with db.write() as s:
        _case_in_reach(s, actor, case_id)
        return bool(_remove(s, seat, [case_id], actor.name, at))


def leave_all(db: Database, seat: str, *, operator: str | None = None, at: datetime | None = None) -> int:
    """The seat closes (sign-out, quit): every case it had open is released; returns how many."""
    at = at_or_now(at)
    with db.write() as s:
        case_ids = list(s.scalars(select(m.Presence.case_id).where(m.Presence.seat == seat)))
        return _remove(s, seat, case_ids, operator, at)


def _remove(s: Session, seat: str, case_ids: Sequence[int], operator: str | None, at: datetime) -> int:
    if not case_ids:
        return 0
    removed = list(s.execute(
        delete(m.Presence)
        .where(m.Presence.seat == seat, m.Presence.case_id.in_(list(case_ids)))
        .returning(m.Presence.case_id)
    ).scalars())
    if not removed:
        return 0
    streets = dict(s.execute(select(m.Case.id, m.Case.street_code).where(m.Case.id.in_(removed))).all())
    for case_id in sorted(removed):
        log_change(s, "presence", str(case_id), "close", street_code=streets.get(case_id), operator=operator, at=at)
    return len(removed)


def heartbeat(db: Database, seat: str, at: datetime | None = None) -> int:
    """The seat is alive: touch all its presence rows; returns how many."""
    at = at_or_now(at)
    with db.write() as s:
        result = s.execute(
            update(m.Presence).where(m.Presence.seat == seat).values(heartbeat_at=at)
            .execution_options(synchronize_session=False)
        )
        return result.rowcount or 0


def _alive(now: datetime | None, ttl_s: float):
    since = at_or_now(now) - timedelta(seconds=ttl_s)
    return m.Presence.heartbeat_at >= since


def who_is_on(db: Database, case_id: int, *, exclude_seat: str | None = None, now: datetime | None = None,
              ttl_s: float = DEFAULT_TTL_S, scope: str | None = None) -> list[Presence]:
    """Who else has the case open: [(operator_name, seat)], oldest first; expired rows ignored.

    With a `scope` (a street seat), a case of another street shows nobody.
    """
    return who_is_on_many(db, [case_id], exclude_seat=exclude_seat, now=now, ttl_s=ttl_s, scope=scope).get(case_id, [])


def who_is_on_many(db: Database, case_ids: Iterable[int], *, exclude_seat: str | None = None,
                   now: datetime | None = None, ttl_s: float = DEFAULT_TTL_S,
                   scope: str | None = None) -> dict[int, list[Presence]]:
    """`who_is_on` for many cases at once (the queue's 正在处理 column): {case_id: [...]}."""
    wanted = sorted(set(case_ids))
    if not wanted:
        return {}
    p = m.Presence
    q = select(p.case_id, p.operator_name, p.seat).where(_alive(now, ttl_s)).order_by(p.heartbeat_at, p.id)
    if exclude_seat is not None:
        q = q.where(p.seat != exclude_seat)
    if scope:
        q = q.join(m.Case, m.Case.id == p.case_id).where(m.Case.street_code == scope)
    result: dict[int, list[Presence]] = {}
    with db.read() as s:
        for start in range(0, len(wanted), 500):
            chunk = wanted[start:start + 500]
            for case_id, name, seat in s.execute(q.where(p.case_id.in_(chunk))):
                result.setdefault(case_id, []).append((name, seat))
    return result


def presence_text(entries: Iterable[Presence]) -> str:
    """"正在处理: 张三 @ 受理席1" (several joined by "、"); "" when nobody."""
    people = [f"{name} @ {seat}" for name, seat in entries]
    return f"{PREFIX}: {'、'.join(people)}" if people else ""


def purge_expired(db: Database, *, now: datetime | None = None, ttl_s: float = DEFAULT_TTL_S) -> int:
    """Housekeeping: delete rows of dead seats (readers ignore them anyway); returns how many."""
    with db.write() as s:
        result = s.execute(delete(m.Presence).where(~_alive(now, ttl_s)).execution_options(synchronize_session=False))
        return result.rowcount or 0


__all__ = [
    "DEFAULT_TTL_S", "Presence", "close_case", "heartbeat", "leave_all", "open_case", "presence_text",
    "purge_expired", "seat_of", "who_is_on", "who_is_on_many",
]

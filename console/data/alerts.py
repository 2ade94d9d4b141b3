"""Acknowledged alerts (提醒确认): recorded, so they stay acknowledged, for every seat.

An alert is an event: a case's step clock (round) reached yellow or red.  One
acknowledgement command takes any number of alerts (one clicked row, or all
alerts of a street / of a light / all shown), checks every one, and writes the
acknowledgements with their audit row (`alert_ack_batches`: who, where, which
filter, how many) and one change-log row, in one transaction.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Iterable

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from console.data import models as m
from console.data.commands import Actor, CommandError, at_or_now, check_street, log_change
from console.data.db import Database

ALERT_LIGHTS = ("yellow", "red")
_CHUNK = 500  # ids per IN (...) list
_NOTE_CHARS = 200


@dataclass(frozen=True)
class AlertKey:
    """One alert: a case's step clock (round) reaching a light."""

    case_id: int
    step: str
    round: int
    light: str


def acknowledge(db: Database, actor: Actor, keys: Iterable[AlertKey], *, note: str = "",
                at: datetime | None = None) -> int:
    """Acknowledge `keys` in one transaction; returns how many were not acknowledged before.

    `note` says how they were chosen (the banner's filter).  Any key that is
    malformed, of an unknown case or outside the actor's street refuses the whole
    command: nothing is written.  Acknowledging twice (or at two seats at once) is harmless.
    """
    keys = _checked_keys(keys)
    at = at_or_now(at)
    with db.write() as s:
        _check_cases(s, actor, {k.case_id for k in keys})
        _check_clocks(s, keys)
        batch = m.AlertAckBatch(acked_by=actor.name, role=actor.role.value, seat=actor.seat, acked_at=at,
                                note=note[:_NOTE_CHARS], count=0)
        s.add(batch)
        s.flush()
        batch.count = _insert_new(s, keys, batch, actor, at)
        log_change(s, "alert", str(batch.id), "ack", operator=actor.name, at=at)
        return batch.count


def _checked_keys(keys: Iterable[AlertKey]) -> list[AlertKey]:
    keys = list(dict.fromkeys(keys))
    if not keys:
        raise CommandError("没有可确认的提醒 (no alerts to acknowledge)")
    for key in keys:
        if key.light not in ALERT_LIGHTS:
            raise CommandError(f"只有黄灯/红灯提醒可以确认 (light {key.light!r}, case {key.case_id})")
        if not key.step or not isinstance(key.round, int) or key.round < 1:
            raise CommandError(f"提醒 {key} 的环节或轮次无效 (bad step or round)")
    return keys


def _check_cases(s: Session, actor: Actor, case_ids: set[int]) -> None:
    ids = sorted(case_ids)
    found: dict[int, m.Case] = {}
    for start in range(0, len(ids), _CHUNK):
        found.update((c.id, c) for c in s.scalars(select(m.Case).where(m.Case.id.in_(ids[start:start + _CHUNK]))))
    missing = [i for i in ids if i not in found]
    if missing:
        raise CommandError(f"案件 {missing[0]} 不存在 (no such case; {len(missing)} in all)")
    for case in found.values():
        check_street(case, actor)


def _check_clocks(s: Session, keys: list[AlertKey]) -> None:
    """Every alert names a step clock (round) its case really has."""
    ids = sorted({k.case_id for k in keys})
    clocks: set[tuple[int, str, int]] = set()
    for start in range(0, len(ids), _CHUNK):
        rows = s.execute(select(m.CaseStepClock.case_id, m.CaseStepClock.step, m.CaseStepClock.round)
                         .where(m.CaseStepClock.case_id.in_(ids[start:start + _CHUNK])))
        clocks.update((case_id, step, round_) for case_id, step, round_ in rows)
    for key in keys:
        if (key.case_id, key.step, key.round) not in clocks:
            raise CommandError(f"案件 {key.case_id} 没有 {key.step} 环节第 {key.round} 轮时钟 (no such step clock)")


def _insert_new(s: Session, keys: list[AlertKey], batch: m.AlertAckBatch, actor: Actor, at: datetime) -> int:
    """Insert the acknowledgements not yet recorded; a concurrent seat's rows are skipped, not fatal."""
    insert = pg_insert if s.get_bind().dialect.name == "postgresql" else sqlite_insert
    rows = [dict(case_id=k.case_id, step=k.step, round=k.round, light=k.light, acked_by=actor.name,
                 seat=actor.seat, acked_at=at, batch_id=batch.id) for k in keys]
    added = 0
    for start in range(0, len(rows), _CHUNK):
        statement = (insert(m.AlertAck).values(rows[start:start + _CHUNK])
                     .on_conflict_do_nothing(index_elements=["case_id", "step", "round", "light"])
                     .returning(m.AlertAck.id))
        added += len(s.execute(statement).all())
    return added


def acknowledged(db: Database, keys: Iterable[AlertKey]) -> dict[AlertKey, tuple[str, datetime]]:
    """Which of `keys` are acknowledged, by whom and when."""
    keys = list(keys)
    if not keys:
        return {}
    wanted = {(k.case_id, k.step, k.round, k.light): k for k in keys}
    result: dict[AlertKey, tuple[str, datetime]] = {}
    with db.read() as s:
        case_ids = sorted({k.case_id for k in keys})
        for chunk in range(0, len(case_ids), _CHUNK):
            rows = s.scalars(select(m.AlertAck).where(m.AlertAck.case_id.in_(case_ids[chunk:chunk + _CHUNK])))
            for row in rows:
                key = wanted.get((row.case_id, row.step, row.round, row.light))
                if key:
                    result[key] = (row.acked_by, row.acked_at)
    return result

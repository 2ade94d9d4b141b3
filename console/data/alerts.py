"""Acknowledged overdue alerts (超时提醒确认): recorded, so they stay acknowledged."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Iterable

from sqlalchemy import select

from console.data import models as m
from console.data.commands import Actor, CommandError, at_or_now, check_street, log_change
from console.data.db import Database


@dataclass(frozen=True)
class AlertKey:
    """One alert: a case's step clock (round) reaching a light."""

    case_id: int
    step: str
    round: int
    light: str


def acknowledge(db: Database, actor: Actor, key: AlertKey, *, at: datetime | None = None) -> None:
    """Record who acknowledged the alert; acknowledging twice is harmless."""
    if key.light not in ("yellow", "red"):
        raise CommandError(f"只有黄灯/红灯提醒可以确认 (light {key.light!r})")
    at = at_or_now(at)
    with db.write() as s:
        case = s.get(m.Case, key.case_id)
        if case is None:
            raise CommandError(f"案件 {key.case_id} 不存在 (no such case)")
        check_street(case, actor)
        exists = s.scalars(select(m.AlertAck).where(
            m.AlertAck.case_id == key.case_id, m.AlertAck.step == key.step,
            m.AlertAck.round == key.round, m.AlertAck.light == key.light)).first()
        if exists:
            return
        s.add(m.AlertAck(case_id=key.case_id, step=key.step, round=key.round, light=key.light,
                         acked_by=actor.name, seat=actor.seat, acked_at=at))
        log_change(s, "alert", str(key.case_id), "ack", street_code=case.street_code, operator=actor.name, at=at)


def acknowledged(db: Database, keys: Iterable[AlertKey]) -> dict[AlertKey, tuple[str, datetime]]:
    """Which of `keys` are acknowledged, by whom and when."""
    keys = list(keys)
    if not keys:
        return {}
    wanted = {(k.case_id, k.step, k.round, k.light): k for k in keys}
    result: dict[AlertKey, tuple[str, datetime]] = {}
    with db.read() as s:
        case_ids = sorted({k.case_id for k in keys})
        for chunk in range(0, len(case_ids), 500):
            rows = s.scalars(select(m.AlertAck).where(m.AlertAck.case_id.in_(case_ids[chunk:chunk + 500])))
            for row in rows:
                key = wanted.get((row.case_id, row.step, row.round, row.light))
                if key:
                    result[key] = (row.acked_by, row.acked_at)
    return result

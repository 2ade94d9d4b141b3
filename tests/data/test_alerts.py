"""Acknowledging alerts: one command for any number, audited, all or nothing, safe from two seats at once."""
from __future__ import annotations

import threading
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from console.data import models as m
from console.data.alerts import AlertKey, acknowledge, acknowledged
from console.data.commands import Actor, CommandError, report_case
from tests.data.test_commands import GARBAGE, INSPECTOR, T0

SHIFT = Actor("李值班", "shift_lead", seat="值班长席")
EAST_SEAT = Actor("列东值守", "street_seat", seat="列东街道指挥席", street_code="350402001")
POINTS = [(117.605, 26.265), (117.615, 26.275), (117.625, 26.265), (117.635, 26.275)]  # 2 east, 2 west


def reported(db) -> list[int]:
    return [report_case(db, INSPECTOR, source="inspector", lon=lon, lat=lat, category_code=GARBAGE,
                        at=T0 + timedelta(minutes=i)).id for i, (lon, lat) in enumerate(POINTS)]


def red(case_id: int) -> AlertKey:
    return AlertKey(case_id, "intake", 1, "red")


def footprint(db) -> tuple[int, int, int]:
    with db.read() as s:
        return tuple(s.scalar(select(func.count()).select_from(t)) for t in (m.AlertAck, m.AlertAckBatch, m.ChangeLog))


def test_bulk_acknowledge_is_one_audited_command(db):
    ids = reported(db)
    at = T0 + timedelta(minutes=45)
    acks, batches, changes = footprint(db)
    assert acknowledge(db, SHIFT, [red(i) for i in ids[:3]], note="全部确认 · 红灯提醒", at=at) == 3
    assert footprint(db) == (acks + 3, batches + 1, changes + 1)  # one audit row, one change-log row
    with db.read() as s:
        batch = s.scalars(select(m.AlertAckBatch)).one()
        rows = s.scalars(select(m.AlertAck).order_by(m.AlertAck.case_id)).all()
        change = s.scalars(select(m.ChangeLog).order_by(m.ChangeLog.rev.desc())).first()
    assert (batch.acked_by, batch.role, batch.seat, batch.note, batch.count, batch.acked_at) == (
        "李值班", "shift_lead", "值班长席", "全部确认 · 红灯提醒", 3, at)
    assert [(r.case_id, r.light, r.acked_by, r.batch_id) for r in rows] == [(i, "red", "李值班", batch.id) for i in ids[:3]]
    assert (change.entity, change.entity_id, change.op) == ("alert", str(batch.id), "ack")

    # again, overlapping: only the new one counts; the first acknowledgement keeps its author
    later = Actor("赵派遣", "dispatcher", seat="派遣席1")
    assert acknowledge(db, later, [red(i) for i in ids], note="全部确认", at=at + timedelta(minutes=1)) == 1
    who = acknowledged(db, [red(i) for i in ids])
    assert [who[red(i)][0] for i in ids] == ["李值班", "李值班", "李值班", "赵派遣"]
    with db.read() as s:
        assert [b.count for b in s.scalars(select(m.AlertAckBatch).order_by(m.AlertAckBatch.id))] == [3, 1]


@pytest.mark.parametrize("keys, actor, message", [
    (lambda ids: [], SHIFT, "没有可确认的提醒"),
    (lambda ids: [red(ids[0]), AlertKey(ids[1], "intake", 1, "green")], SHIFT, "只有黄灯/红灯提醒可以确认"),
    (lambda ids: [red(ids[0]), AlertKey(ids[1], "intake", 0, "red")], SHIFT, "环节或轮次无效"),
    (lambda ids: [red(ids[0]), red(999_999)], SHIFT, "案件 999999 不存在"),
    (lambda ids: [red(ids[0]), AlertKey(ids[1], "dispose", 1, "red")], SHIFT, "没有 dispose 环节第 1 轮时钟"),
    (lambda ids: [red(ids[0]), AlertKey(ids[1], "intake", 2, "red")], SHIFT, "没有 intake 环节第 2 轮时钟"),
    (lambda ids: [red(ids[0]), red(ids[2])], EAST_SEAT, "不在本席位辖区"),  # ids[2] is 列西's
], ids=["none", "green", "round 0", "unknown case", "no such step", "no such round", "other street"])
def test_one_bad_alert_refuses_the_whole_command(db, keys, actor, message):
    ids = reported(db)
    before = footprint(db)
    with pytest.raises(CommandError, match=message):
        acknowledge(db, actor, keys(ids), at=T0 + timedelta(minutes=45))
    assert footprint(db) == before


def test_many_alerts_go_in_chunks_within_one_transaction(db, monkeypatch):
    import console.data.alerts as alerts

    monkeypatch.setattr(alerts, "_CHUNK", 3)  # 10 keys: four chunks of reads and inserts
    ids = reported(db) + reported(db) + [report_case(db, INSPECTOR, source="inspector", lon=117.605, lat=26.265,
                                                     category_code=GARBAGE, at=T0).id for _ in range(2)]
    keys = [red(i) for i in ids]
    assert acknowledge(db, SHIFT, keys[:4], at=T0 + timedelta(minutes=45)) == 4
    assert acknowledge(db, SHIFT, keys, note="全部确认", at=T0 + timedelta(minutes=46)) == 6
    assert set(acknowledged(db, keys)) == set(keys)
    before = footprint(db)
    with pytest.raises(CommandError, match="不存在"):  # the bad key in the last chunk undoes nothing already done
        acknowledge(db, SHIFT, [AlertKey(i, "intake", 1, "yellow") for i in ids] + [red(999_999)])
    assert footprint(db) == before


def test_a_time_without_zone_is_refused(db):
    ids = reported(db)
    before = footprint(db)
    with pytest.raises(CommandError, match="缺少时区"):
        acknowledge(db, SHIFT, [red(ids[0])], at=datetime(2026, 11, 23, 9, 45))
    assert footprint(db) == before


def test_two_seats_acknowledging_the_same_alerts_at_once(db):
    ids = reported(db)
    keys = [red(i) for i in ids]
    start, counts, errors = threading.Barrier(2), [], []

    def seat(actor: Actor, mine: list[AlertKey]) -> None:
        start.wait()
        try:
            counts.append(acknowledge(db, actor, mine, note="全部确认", at=T0 + timedelta(minutes=45)))
        except Exception as exc:  # noqa: BLE001 - the test reports any failure of either seat
            errors.append(exc)

    threads = [threading.Thread(target=seat, args=(SHIFT, keys[:3])),
               threading.Thread(target=seat, args=(Actor("赵派遣", "dispatcher", seat="派遣席1"), keys[1:]))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    assert sum(counts) == 4 and set(acknowledged(db, keys)) == set(keys)
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(m.AlertAck)) == 4

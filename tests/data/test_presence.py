"""正在处理: a seat opening a case is seen by the others until it closes, leaves or dies."""
from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from console.data import models as m
from console.data.commands import Actor, CommandError, JurisdictionError, NotFound
from console.data.presence import (
    close_case,
    heartbeat,
    leave_all,
    open_case,
    presence_text,
    purge_expired,
    who_is_on,
    who_is_on_many,
)
from tests.data.test_commands import STREET_EAST, STREET_WEST, T0, new_case

ZHANG = Actor("张三", "intake", seat="受理席1")
LI = Actor("李四", "dispatcher", seat="派遣席1")


def _case_id(db, number: str) -> int:
    with db.read() as s:
        return s.scalar(select(m.Case.id).where(m.Case.number == number))


def _presence_log(db) -> list[tuple[str, str, str | None]]:
    with db.read() as s:
        return list(s.execute(select(m.ChangeLog.entity_id, m.ChangeLog.op, m.ChangeLog.street_code)
                              .where(m.ChangeLog.entity == "presence").order_by(m.ChangeLog.rev)).all())


def test_presence_text():
    assert presence_text([("张三", "受理席1")]) == "正在处理: 张三 @ 受理席1"
    assert presence_text([("张三", "受理席1"), ("李四", "派遣席1")]) == "正在处理: 张三 @ 受理席1、李四 @ 派遣席1"
    assert presence_text([]) == ""


def test_other_seats_see_who_has_the_case_open(db):
    case_id = _case_id(db, new_case(db)[0])
    open_case(db, ZHANG, case_id, at=T0)
    assert who_is_on(db, case_id, exclude_seat="派遣席1", now=T0) == [("张三", "受理席1")]
    assert who_is_on(db, case_id, exclude_seat="受理席1", now=T0) == []  # a seat does not see itself
    open_case(db, LI, case_id, at=T0 + timedelta(seconds=1))
    assert who_is_on(db, case_id, now=T0 + timedelta(seconds=2)) == [("张三", "受理席1"), ("李四", "派遣席1")]
    assert presence_text(who_is_on(db, case_id, exclude_seat="派遣席1", now=T0)) == "正在处理: 张三 @ 受理席1"
    # Opening again (a re-click, or another operator signed in at that seat) keeps one row per seat.
    open_case(db, Actor("王五", "intake", seat="受理席1"), case_id, at=T0 + timedelta(seconds=3))
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(m.Presence)) == 2
    assert who_is_on(db, case_id, exclude_seat="派遣席1", now=T0 + timedelta(seconds=4)) == [("王五", "受理席1")]
    # Feeds wake up: opening logs a change with the case's street.
    assert _presence_log(db)[0] == (str(case_id), "open", "350402001")


def test_closing_and_leaving_remove_presence(db):
    a = _case_id(db, new_case(db)[0])
    b = _case_id(db, new_case(db)[0])
    open_case(db, ZHANG, a, at=T0)
    open_case(db, ZHANG, b, at=T0)
    open_case(db, LI, a, at=T0)
    assert close_case(db, ZHANG, a, at=T0) is True
    assert close_case(db, ZHANG, a, at=T0) is False  # already closed: harmless
    assert who_is_on(db, a, now=T0) == [("李四", "派遣席1")]
    assert who_is_on(db, b, now=T0) == [("张三", "受理席1")]
    assert leave_all(db, "受理席1", operator="张三", at=T0) == 1  # the seat closes
    assert who_is_on(db, b, now=T0) == []
    assert leave_all(db, "派遣席1", at=T0) == 1
    assert who_is_on_many(db, [a, b], now=T0) == {}
    ops = [(entity_id, op) for entity_id, op, _ in _presence_log(db)]
    assert ops[-3:] == [(str(a), "close"), (str(b), "close"), (str(a), "close")]


def test_a_dead_seat_expires_without_heartbeat(db):
    case_id = _case_id(db, new_case(db)[0])
    open_case(db, ZHANG, case_id, at=T0)
    open_case(db, LI, case_id, at=T0)
    for seconds in (10, 20, 30):  # 受理席1 keeps beating; 派遣席1 died after opening
        assert heartbeat(db, "受理席1", at=T0 + timedelta(seconds=seconds)) == 1
    now = T0 + timedelta(seconds=29)
    assert who_is_on(db, case_id, now=now, ttl_s=30) == [("李四", "派遣席1"), ("张三", "受理席1")]
    now = T0 + timedelta(seconds=31)
    assert who_is_on(db, case_id, now=now, ttl_s=30) == [("张三", "受理席1")]
    assert who_is_on(db, case_id, now=T0 + timedelta(seconds=61), ttl_s=30) == []
    # Housekeeping removes the dead row; the live one stays.
    assert purge_expired(db, now=now, ttl_s=30) == 1
    with db.read() as s:
        assert list(s.scalars(select(m.Presence.seat))) == ["受理席1"]
    assert heartbeat(db, "不存在的席位", at=now) == 0


def test_opening_checks_case_seat_time_and_jurisdiction(db):
    case_id = _case_id(db, new_case(db)[0])  # a case of 350402001 (列东)
    with pytest.raises(NotFound):
        open_case(db, ZHANG, 999_999, at=T0)
    with pytest.raises(CommandError, match="席位|seat"):
        open_case(db, Actor("无席位", "intake"), case_id, at=T0)
    with pytest.raises(CommandError, match="时区|zone"):
        open_case(db, ZHANG, case_id, at=T0.replace(tzinfo=None))
    with pytest.raises(JurisdictionError, match="350402002"):
        open_case(db, STREET_WEST, case_id, at=T0)
    open_case(db, STREET_EAST, case_id, at=T0)
    # A street seat asking about another street's case learns nothing.
    assert who_is_on(db, case_id, now=T0, scope="350402002") == []
    assert who_is_on(db, case_id, now=T0, scope="350402001") == [("列东指挥席", "列东")]


def test_two_seats_opening_at_once_both_register(db):
    case_id = _case_id(db, new_case(db)[0])
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []

    def seat(actor: Actor) -> None:
        barrier.wait()
        try:
            for i in range(5):
                open_case(db, actor, case_id, at=T0 + timedelta(seconds=i))
        except BaseException as exc:  # noqa: BLE001 - collected for the assertion
            errors.append(exc)

    actors = [Actor(f"员{k}", "intake", seat=f"受理席{k}") for k in range(4)]
    threads = [threading.Thread(target=seat, args=(a,)) for a in actors]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    assert sorted(who_is_on(db, case_id, now=T0 + timedelta(seconds=5))) == sorted((a.name, a.seat) for a in actors)

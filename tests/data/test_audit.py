"""The audit trail (操作记录) is append-only and every action carries operator, seat, time, note.

The protection lives in the database (migration 0003: triggers on PostgreSQL
and SQLite), so it holds for any client and any role, not only for this code.
"""
from __future__ import annotations

import sqlite3
import threading
from datetime import timedelta

import pytest
from sqlalchemy import delete, func, select, text, update
from sqlalchemy.exc import DatabaseError, IntegrityError

from console.data import models as m
from console.data.case_record import timeline
from console.data.commands import ActionParams, Actor, act, report_case
from console.domain.workflow import Action
from tests.data.test_commands import (
    DEPT,
    DISPATCH,
    GARBAGE,
    INSPECTOR,
    INTAKE,
    LAT,
    LEADER,
    LON,
    SHIFT,
    STREET_EAST,
    T0,
    garbage_condition,
    new_case,
    step,
)

REFUSED = "append-only"


def _first_event(db) -> m.CaseEvent:
    with db.read() as s:
        return s.scalars(select(m.CaseEvent).order_by(m.CaseEvent.id)).first()


def _event_count(db) -> int:
    with db.read() as s:
        return s.scalar(select(func.count()).select_from(m.CaseEvent))


def test_update_of_an_audit_event_is_refused(db):
    new_case(db)
    before = _first_event(db)
    with pytest.raises(DatabaseError, match=REFUSED):
        with db.write() as s:
            s.execute(update(m.CaseEvent).where(m.CaseEvent.id == before.id).values(note="篡改", operator_name="某人"))
    # The ORM path too: change a loaded row and flush.
    with pytest.raises(DatabaseError, match=REFUSED):
        with db.write() as s:
            s.get(m.CaseEvent, before.id).seat = "别的席位"
    after = _first_event(db)
    assert (after.note, after.operator_name, after.seat, after.at) == (before.note, before.operator_name,
                                                                       before.seat, before.at)


def test_delete_of_an_audit_event_is_refused(db):
    new_case(db)
    event = _first_event(db)
    with pytest.raises(DatabaseError, match=REFUSED):
        with db.write() as s:
            s.execute(delete(m.CaseEvent).where(m.CaseEvent.id == event.id))
    with pytest.raises(DatabaseError, match=REFUSED):
        with db.write() as s:
            s.delete(s.get(m.CaseEvent, event.id))
    with pytest.raises(DatabaseError, match=REFUSED):  # the whole table at once
        with db.write() as s:
            s.execute(text("DELETE FROM case_events"))
    assert _event_count(db) == 1 and _first_event(db).id == event.id


def test_truncating_the_audit_trail_is_refused(db):
    """PostgreSQL: a TRUNCATE statement trigger; SQLite has no TRUNCATE, its
    unqualified DELETE (the "truncate optimisation") still fires the trigger."""
    new_case(db)
    statement = "TRUNCATE case_events CASCADE" if db.is_postgres else "DELETE FROM case_events"
    with pytest.raises(DatabaseError, match=REFUSED):
        with db.write() as s:
            s.execute(text(statement))
    if db.is_postgres:  # truncating the cases cascades to the events: refused too
        with pytest.raises(DatabaseError, match=REFUSED):
            with db.write() as s:
                s.execute(text("TRUNCATE cases CASCADE"))
    assert _event_count(db) == 1


def test_deleting_a_case_with_events_is_refused(db):
    number, _ = new_case(db)
    with pytest.raises(DatabaseError, match=REFUSED):  # ON DELETE CASCADE would erase its history
        with db.write() as s:
            s.execute(delete(m.Case).where(m.Case.number == number))
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(m.Case).where(m.Case.number == number)) == 1
    assert len(timeline(db, number)) == 1


def test_appending_still_works_and_refusal_rolls_back_the_whole_transaction(db):
    number, v = new_case(db)
    with pytest.raises(DatabaseError, match=REFUSED):
        with db.write() as s:
            s.add(m.ChangeLog(at=T0, entity="case", entity_id="x", op="tamper"))
            s.execute(update(m.CaseEvent).values(note="篡改"))
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(m.ChangeLog).where(m.ChangeLog.op == "tamper")) == 0
    step(db, INTAKE, number, v, "forward")
    assert [e.action for e in timeline(db, number)] == ["report", "forward"]


def test_the_triggers_are_in_the_schema(db):
    if db.is_postgres:
        q = "SELECT tgname FROM pg_trigger WHERE tgrelid = 'case_events'::regclass AND NOT tgisinternal"
        expected = {"case_events_no_update_delete", "case_events_no_truncate"}
    else:
        q = "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'case_events'"
        expected = {"case_events_no_update", "case_events_no_delete", "case_events_no_overwrite"}
    with db.read() as s:
        assert set(s.scalars(text(q))) == expected
    if not db.is_postgres:
        with db.read() as s:
            assert set(s.scalars(text("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'cases'"))) \
                == {"cases_keep_history"}


def _event_row(db, event_id: int) -> dict:
    with db.read() as s:
        return dict(s.execute(text("SELECT * FROM case_events WHERE id = :id"), {"id": event_id}).mappings().one())


OVERWRITES = {
    # statement -> backends it is valid SQL on; every one names the existing event's id or key
    "INSERT OR REPLACE INTO case_events (id, case_id, at, action, to_state, version, operator_name, role, note)"
    " VALUES (:id, :case_id, :at, 'report', 'closed', 9, '某人', 'intake', '篡改')": ("sqlite",),
    "REPLACE INTO case_events (id, case_id, at, action, to_state, version, operator_name, role, note)"
    " VALUES (:id, :case_id, :at, 'report', 'closed', 9, '某人', 'intake', '篡改')": ("sqlite",),
    "INSERT INTO case_events (id, case_id, at, action, to_state, version, operator_name, role, note)"
    " VALUES (:id, :case_id, :at, 'report', 'closed', 9, '某人', 'intake', '篡改')"
    " ON CONFLICT (id) DO UPDATE SET note = excluded.note, operator_name = excluded.operator_name":
        ("sqlite", "postgresql"),
    "INSERT INTO case_events (id, case_id, at, action, to_state, version, operator_name, role, note)"
    " VALUES (:id, :case_id, :at, 'report', 'closed', 9, '某人', 'intake', '篡改') ON CONFLICT DO NOTHING":
        ("sqlite",),
    "INSERT OR REPLACE INTO case_events (case_id, at, action, to_state, version, operator_name, role, note,"
    " idempotency_key) VALUES (:case_id, :at, 'report', 'closed', 9, '某人', 'intake', '篡改', :key)": ("sqlite",),
    "INSERT INTO case_events (case_id, at, action, to_state, version, operator_name, role, note, idempotency_key)"
    " VALUES (:case_id, :at, 'report', 'closed', 9, '某人', 'intake', '篡改', :key)"
    " ON CONFLICT (idempotency_key) DO UPDATE SET note = excluded.note": ("sqlite", "postgresql"),
}


def test_an_insert_over_an_existing_event_is_refused(db):
    """SQLite's REPLACE deletes the old row without firing delete triggers: refused before it starts."""
    number, v = new_case(db, idempotency_key="key-1")
    event = _first_event(db)
    before = _event_row(db, event.id)
    params = {"id": event.id, "case_id": event.case_id, "at": "2026-01-01 00:00:00", "key": "key-1"}
    tried = 0
    for statement, backends in OVERWRITES.items():
        if db.dialect not in backends:
            continue
        with pytest.raises(DatabaseError, match=REFUSED):
            with db.write() as s:
                s.execute(text(statement), params)
        tried += 1
    assert tried == (6 if not db.is_postgres else 2)
    assert _event_row(db, event.id) == before and _event_count(db) == 1
    step(db, INTAKE, number, v, "forward")  # a new event is still a plain insert
    assert [e.action for e in timeline(db, number)] == ["report", "forward"]


def test_foreign_keys_are_on_in_every_connection(db):
    """Every pooled connection, read or write, on any thread: an event of no case is refused."""
    for _ in range(3):
        with db.read() as a, db.write() as b:
            if not db.is_postgres:
                assert a.scalar(text("PRAGMA foreign_keys")) == 1 and b.scalar(text("PRAGMA foreign_keys")) == 1
    db.engine.dispose()  # new connections too
    seen = []
    worker = threading.Thread(target=lambda: seen.append(_orphan_refused(db)))
    worker.start()
    worker.join()
    assert seen == [True] and _orphan_refused(db)


def _orphan_refused(db) -> bool:
    try:
        with db.write() as s:
            s.add(m.CaseEvent(case_id=987654, at=T0, action="report", to_state="reported", version=1,
                              operator_name="某人", role="intake"))
    except IntegrityError as exc:
        return "foreign key" in str(exc.orig).lower()
    return False


def test_deleting_a_case_is_refused_even_with_foreign_keys_off(db):
    """Another client (the sqlite3 shell) leaves foreign keys, and so the cascade, off by default."""
    number, _ = new_case(db)
    if db.is_postgres:  # the cascade always runs there, and fires the events' delete trigger
        with pytest.raises(DatabaseError, match=REFUSED):
            with db.write() as s:
                s.execute(text("DELETE FROM cases WHERE number = :n"), {"n": number})
    else:
        shell = sqlite3.connect(db.engine.url.database, isolation_level=None)
        try:
            assert shell.execute("PRAGMA foreign_keys").fetchone() == (0,)
            with pytest.raises(sqlite3.DatabaseError, match=REFUSED):
                shell.execute("DELETE FROM cases WHERE number = ?", (number,))
        finally:
            shell.close()
    assert len(timeline(db, number)) == 1
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(m.Case).where(m.Case.number == number)) == 1


# --- every action carries operator, role, seat, time, note --------------------------------------


class Script:
    """Drives cases and remembers what every event must say."""

    def __init__(self, db) -> None:
        self.db = db
        self.expected: list[tuple[str, str, Actor, object, str]] = []  # (number, action, actor, at, note)
        self.minute = 0

    def _tick(self):
        self.minute += 7
        return T0 + timedelta(minutes=self.minute)

    def report(self, actor: Actor = INSPECTOR, *, self_handled: bool = False) -> list:
        at, note = self._tick(), f"上报备注 {len(self.expected)}"
        ref = report_case(self.db, actor, source="inspector", lon=LON, lat=LAT, category_code=GARBAGE,
                          self_handled=self_handled, at=at, note=note)
        action = "report_self_handled" if self_handled else "report"
        self.expected.append((ref.number, action, actor, at, note))
        return [ref.number, ref.version]

    def do(self, case: list, actor: Actor, action: str, **params) -> None:
        at, note = self._tick(), f"{action} 备注 {len(self.expected)}"
        ref = act(self.db, actor, case[0], action, expected_version=case[1], at=at, note=note,
                  params=ActionParams(**params))
        case[1] = ref.version
        self.expected.append((case[0], action, actor, at, note))


def test_every_action_records_operator_role_seat_time_and_note(db):
    run = Script(db)
    condition = garbage_condition(db)

    a = run.report()
    run.do(a, INTAKE, "forward")
    run.do(a, SHIFT, "file", condition_code=condition, urgency="normal")
    run.do(a, DISPATCH, "dispatch", department_id=2)
    run.do(a, DEPT, "request_return", reason="不属本部门")
    run.do(a, DISPATCH, "reject_return")
    run.do(a, DEPT, "request_return", reason="确不属本部门")
    run.do(a, DISPATCH, "approve_return")
    run.do(a, DISPATCH, "dispatch", department_id=2)
    run.do(a, DEPT, "request_extension", extension="2wh", reason="需调车")
    run.do(a, DISPATCH, "reject_extension")
    run.do(a, DEPT, "request_extension", extension="1wh", reason="需调车")
    run.do(a, DISPATCH, "approve_extension")
    run.do(a, DEPT, "request_hold", reason="需审批")
    run.do(a, LEADER, "reject_hold")
    run.do(a, DEPT, "request_hold", reason="需审批")
    run.do(a, LEADER, "approve_hold")
    run.do(a, DISPATCH, "resume")
    run.do(a, DISPATCH, "request_cancel", reason="重复案件?")
    run.do(a, SHIFT, "reject_cancel")
    run.do(a, STREET_EAST, "urge", reason="请尽快")
    run.do(a, LEADER, "supervise", reason="市民反映强烈")
    run.do(a, DEPT, "reply_supervise", reason="已安排")
    run.do(a, DEPT, "reply_urge", reason="已安排人员")
    run.do(a, DEPT, "feedback")
    run.do(a, INSPECTOR, "check_fail")
    run.do(a, DEPT, "feedback")
    run.do(a, INSPECTOR, "check_pass")
    run.do(a, SHIFT, "close")

    b = run.report(INTAKE)
    run.do(b, INTAKE, "send_verify")
    run.do(b, INSPECTOR, "verify_true")
    run.do(b, SHIFT, "refuse_filing")
    c = run.report()
    run.do(c, INTAKE, "send_verify")
    run.do(c, INTAKE, "verify_false")
    d = run.report()
    run.do(d, INTAKE, "refuse")
    e = run.report(self_handled=True)
    run.do(e, INTAKE, "approve_self_handled")
    f = run.report()
    run.do(f, INTAKE, "forward")
    run.do(f, SHIFT, "file", condition_code=condition)
    run.do(f, SHIFT, "reclassify", condition_code=condition, urgency="urgent", reason="现场为紧急情况")
    run.do(f, DISPATCH, "request_cancel", reason="误报")
    run.do(f, SHIFT, "approve_cancel")
    g = run.report()
    run.do(g, INTAKE, "forward")
    run.do(g, SHIFT, "file", condition_code=condition)
    run.do(g, DISPATCH, "dispatch", department_id=2)
    run.do(g, DEPT, "request_hold", reason="待拆迁")
    run.do(g, DISPATCH, "approve_hold")
    run.do(g, SHIFT, "cancel_hung", reason="拆迁完成，问题已不存在")

    # Every action of the workflow is exercised: a new action fails this test until it is added.
    assert {action for _, action, *_ in run.expected} == {a.value for a in Action}

    seen = 0
    for number in dict.fromkeys(n for n, *_ in run.expected):
        wanted = [x for x in run.expected if x[0] == number]
        events = timeline(db, number)
        assert len(events) == len(wanted)
        for event, (_, action, actor, at, note) in zip(events, wanted):
            assert event.action == action
            assert (event.operator_name, event.role, event.seat) == (actor.name, actor.role.value, actor.seat), action
            assert event.seat, f"{action}: a hall action without a seat"
            assert event.at == at, action
            assert event.note == note, action
            assert event.operator_id == actor.operator_id
            seen += 1
    assert seen == len(run.expected) == _event_count(db)

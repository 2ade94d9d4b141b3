"""Queue and detail queries on SQLite and PostgreSQL, scoped to a seat's street."""
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event, select
from sqlalchemy.engine import make_url

from console.data import queue_and_detail
from console.data import models as m
from console.data.queue_and_detail import (
    CaseRow,
    departments,
    filing_conditions,
    filter_options,
    load_case_detail,
    load_queue,
    search_cases,
)
from console.data.commands import ActionParams, Actor, act, report_case
from console.data.db import Database, DatabaseUnavailable
from tests.services.tcp_proxy import TcpProxy

SH = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 11, 23, 9, 0, tzinfo=SH)  # a Monday, working time
EAST, WEST = "350402001", "350402002"
EAST_POINT, WEST_POINT = (117.605, 26.265), (117.625, 26.265)
GARBAGE = "06010"  # 暴露垃圾

INSPECTOR = Actor("王监督", "inspector", seat="城管通")
INTAKE = Actor("张受理", "intake", seat="受理席1")
SHIFT = Actor("李值班", "shift_lead", seat="值班长席")
DISPATCH = Actor("赵派遣", "dispatcher", seat="派遣席1")
LEADER = Actor("陈指挥", "leader", seat="指挥长席")


class City:
    """A handful of cases in several states, in both streets."""

    def __init__(self, db) -> None:  # noqa: ANN001
        self.db = db
        self.versions: dict[str, int] = {}
        self.reported = self.report(EAST_POINT, "列东街 12 号", minutes=0)
        self.hotline = self.report(EAST_POINT, "列东街 30 号", minutes=1, source="hotline",
                                   caller_name="刘女士", caller_phone="13900001234")
        self.disposing = self.report(EAST_POINT, "东新路 5 号", minutes=2)
        self.west = self.report(WEST_POINT, "列西街 7 号", minutes=3)
        self.closed = self.report(EAST_POINT, "列东街 99 号", minutes=4)
        condition = self.condition()
        for number in (self.disposing, self.closed):
            self.act(INTAKE, number, "forward", 10)
            self.act(SHIFT, number, "file", 12, condition_code=condition, urgency="normal")
            self.act(DISPATCH, number, "dispatch", 15, department_id=2)
        self.act(Actor("环卫处", "department", department_id=2), self.closed, "feedback", 30)
        self.act(INSPECTOR, self.closed, "check_pass", 40)
        self.act(SHIFT, self.closed, "close", 45)
        self.act(INTAKE, self.disposing, "urge", 50, reason="请尽快处置")
        self.act(LEADER, self.disposing, "supervise", 55, reason="领导关注")

    def report(self, point, address, *, minutes, **kw) -> str:  # noqa: ANN001
        ref = report_case(self.db, INSPECTOR, source=kw.pop("source", "inspector"), lon=point[0], lat=point[1],
                          category_code=GARBAGE, description="路边暴露垃圾一堆", address=address,
                          at=T0 + timedelta(minutes=minutes), **kw)
        self.versions[ref.number] = ref.version
        return ref.number

    def act(self, actor, number, action, minutes, **params) -> None:  # noqa: ANN001
        ref = act(self.db, actor, number, action, expected_version=self.versions[number],
                  at=T0 + timedelta(minutes=minutes), params=ActionParams(**params))
        self.versions[number] = ref.version

    def condition(self) -> str:
        with self.db.read() as s:
            return s.scalars(select(m.FilingCondition.code).where(m.FilingCondition.category_code == GARBAGE)
                             .order_by(m.FilingCondition.code)).first()

    def id_of(self, number: str) -> int:
        with self.db.read() as s:
            return s.scalar(select(m.Case.id).where(m.Case.number == number))


@pytest.fixture
def city(db):
    return City(db)


def by_number(rows: list[CaseRow]) -> dict[str, CaseRow]:
    return {r.number: r for r in rows}


def test_load_queue_returns_open_cases_with_names_and_open_clock(city):
    rows = by_number(load_queue(city.db))
    assert set(rows) == {city.reported, city.hotline, city.disposing, city.west}
    reported = rows[city.reported]
    assert (reported.state, reported.category_name, reported.street_name) == ("reported", "暴露垃圾", "列东街道")
    assert reported.grid_code == "350402001001001" and reported.community_code == "350402001001"
    assert (reported.step, reported.limit, reported.total_minutes) == ("intake", "30wmin", 30)
    assert reported.consumed_minutes == 0 and not reported.paused
    assert reported.yellow_at == T0 + timedelta(minutes=24) and reported.due_at == T0 + timedelta(minutes=30)
    assert reported.red_at > reported.due_at and reported.department_name is None
    disposing = rows[city.disposing]
    assert (disposing.state, disposing.step, disposing.department_name) == ("disposing", "dispose", "环卫处")
    assert disposing.condition_code and disposing.urgency == "normal" and disposing.version == 6
    assert rows[city.west].street_name == "列西街道"


def test_load_queue_is_five_statements_whatever_the_size(city, monkeypatch):
    statements = []

    def count(_conn, _cursor, statement, *_args) -> None:  # noqa: ANN001, ANN002
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append(statement)

    fetch_binary = queue_and_detail._fetch_binary  # PostgreSQL's big read bypasses SQLAlchemy's cursor events

    def counted_fetch(conn, sql):  # noqa: ANN001, ANN202
        statements.append(sql)
        return fetch_binary(conn, sql)

    monkeypatch.setattr(queue_and_detail, "_fetch_binary", counted_fetch)
    event.listen(city.db.engine, "before_cursor_execute", count)
    try:
        rows = load_queue(city.db)
    finally:
        event.remove(city.db.engine, "before_cursor_execute", count)
    # the active catalogue version, three small name tables, one query for every case: no N+1
    assert len(statements) == 5 and len(rows) == 4
    assert "case_step_clocks" in statements[-1]


def test_load_queue_delta_by_ids_and_states(city):
    ids = [city.id_of(n) for n in (city.reported, city.closed, city.west)]
    rows = load_queue(city.db, ids=ids + [987654])
    assert sorted(r.number for r in rows) == sorted([city.reported, city.west])  # closed: absent
    assert load_queue(city.db, ids=[]) == []
    assert [r.number for r in load_queue(city.db, states=["disposing"])] == [city.disposing]


def test_a_small_delta_gives_the_very_rows_of_the_full_load_in_one_statement(city):
    """A live delta joins its names and the active catalogue in SQL; its rows equal the full load's, field for field."""
    full = {r.id: r for r in load_queue(city.db)}
    statements = []

    def count(_conn, _cursor, statement, *_args) -> None:  # noqa: ANN001, ANN002
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append(statement)

    event.listen(city.db.engine, "before_cursor_execute", count)
    try:
        delta = load_queue(city.db, ids=list(full))
    finally:
        event.remove(city.db.engine, "before_cursor_execute", count)
    assert delta == sorted(full.values(), key=lambda r: r.id) and delta
    assert len(statements) == 1  # the cases with their names, the catalogue version a subquery

    # again in a street's jurisdiction (its own cached statement), and for ids no longer open
    east = [r for r in delta if r.street_code == EAST]
    assert load_queue(city.db, scope=EAST, ids=list(full)) == east and east != delta
    assert load_queue(city.db, ids=[]) == [] and load_queue(city.db, ids=[10**9]) == []


def test_street_seat_never_sees_another_street(city):
    east = load_queue(city.db, scope=EAST)
    assert {r.street_code for r in east} == {EAST} and city.west not in by_number(east)
    assert load_queue(city.db, scope=EAST, ids=[city.id_of(city.west)]) == []
    assert [r.number for r in load_queue(city.db, scope=WEST)] == [city.west]
    assert load_case_detail(city.db, city.id_of(city.west), scope=EAST) is None
    assert load_case_detail(city.db, city.id_of(city.west), scope=WEST) is not None
    assert search_cases(city.db, "列西街", scope=EAST) == []
    assert [r.number for r in search_cases(city.db, "列西街", scope=WEST)] == [city.west]
    assert search_cases(city.db, city.west, scope=EAST) == []
    options = filter_options(city.db, scope=EAST)
    assert [o.code for o in options.streets] == [EAST]
    assert {o.parent for o in options.communities} == {EAST}
    assert all(o.code.startswith(EAST) for o in options.grids) and len(options.grids) == 4


def test_case_detail_has_caller_clocks_timeline_and_urges(city):
    detail = load_case_detail(city.db, city.id_of(city.hotline))
    assert (detail.caller_name, detail.caller_phone) == ("刘女士", "13900001234")
    assert detail.row.source == "hotline" and detail.description == "路边暴露垃圾一堆"

    detail = load_case_detail(city.db, city.id_of(city.disposing))
    assert detail.is_open and detail.condition_text and detail.condition_limits["normal"] == "4wh"
    assert [(c.step, c.open) for c in detail.clocks] == [
        ("intake", False), ("file", False), ("dispatch", False), ("dispose", True), ("supervise_reply", True)]
    assert detail.clocks[0].outcome == "on_time" and detail.clocks[-1].running
    assert [e.action for e in detail.events] == ["report", "forward", "file", "dispatch", "urge", "supervise"]
    forward = detail.events[1]
    assert (forward.from_state, forward.to_state, forward.operator_name, forward.role, forward.seat) == (
        "reported", "to_file", "张受理", "intake", "受理席1")
    assert [(u.kind, u.note) for u in detail.urges] == [("urge", "请尽快处置"), ("supervise", "领导关注")]
    assert detail.urges[1].reply_due_at is not None and detail.urges[1].replied_at is None
    assert detail.community_name == "社区001"


def test_closed_case_detail_and_missing_case(city):
    detail = load_case_detail(city.db, city.id_of(city.closed))
    assert not detail.is_open and detail.close_type == "normal" and detail.closed_at is not None
    assert detail.row.step is None and all(not c.open for c in detail.clocks)
    assert load_case_detail(city.db, 987654) is None


def test_search_by_number_prefix_or_address_includes_closed(city):
    assert [r.number for r in search_cases(city.db, city.closed)] == [city.closed]
    found = search_cases(city.db, "列东街")
    assert [r.number for r in found] == [city.closed, city.hotline, city.reported]  # newest first
    assert len(search_cases(city.db, "2026", limit=2)) == 2
    assert search_cases(city.db, "   ") == []
    assert search_cases(city.db, "100%_") == []  # wildcards are literal


def test_filter_options_conditions_departments(city):
    options = filter_options(city.db)
    assert [o.name for o in options.streets] == ["列东街道", "列西街道"]
    assert len(options.communities) == 4 and len(options.grids) == 8
    assert any(c.code == GARBAGE and c.name == "暴露垃圾" for c in options.categories)
    assert options.sources == ("inspector", "hotline", "walk_in", "video", "leader", "media")  # every Source
    assert [d.name for d in options.departments] == ["环卫处", "市政公用事业服务中心", "列东街道办事处"]
    assert [d.kind for d in departments(city.db)] == ["professional", "professional", "street"]
    conditions = filing_conditions(city.db, GARBAGE)
    assert conditions and all(c.category_code == GARBAGE for c in conditions)
    assert "normal" in conditions[0].limits
    assert filing_conditions(city.db, "no-such") == []


def test_queue_read_cut_mid_transaction_is_a_clear_outage_and_recovers(pg_db, monkeypatch):
    """The PostgreSQL queue read runs on the driver's own binary cursor: a connection
    lost under it still becomes DatabaseUnavailable, and the dead connection is not reused."""
    report_case(pg_db, Actor("王监督", "inspector", seat="城管通"), source="inspector", lon=117.605, lat=26.265,
                category_code="06010")
    url = make_url(pg_db.url)
    with TcpProxy((url.host or "127.0.0.1", url.port or 5432)) as proxy:
        seat_db = Database(url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False))
        try:
            assert len(load_queue(seat_db)) == 1
            names = queue_and_detail._reference_names

            def names_then_cut(s, version_id):  # noqa: ANN001, ANN202
                result = names(s, version_id)
                proxy.cut()  # after the small reads, before the big one
                return result

            monkeypatch.setattr(queue_and_detail, "_reference_names", names_then_cut)
            with pytest.raises(DatabaseUnavailable, match="数据库连接中断") as lost:
                load_queue(seat_db)
            cause = lost.value.__cause__  # the queue read's own failure, not a later failed rollback
            assert cause.connection_invalidated and "FROM cases" in cause.statement  # and the pool drops it
            monkeypatch.setattr(queue_and_detail, "_reference_names", names)
            proxy.restore()
            assert len(load_queue(seat_db)) == 1  # a new connection, not the dead one
        finally:
            seat_db.dispose()

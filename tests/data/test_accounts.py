"""Operator accounts: argon2 hashes, five failed sign-ins lock the account for a while.

The lockout is counted before the slow check, atomically, so parallel guesses get no more
checks than serial ones; the check itself runs with no transaction open.
"""
from __future__ import annotations

import sqlite3
import threading
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select, text

from console.data import accounts
from console.data import models as m
from console.data.accounts import LOCKOUT, MAX_FAILED_ATTEMPTS, SignInError, add_user, authenticate
from console.data.commands import CommandError
from console.data.models import ValueTooLong
from console.services.session import Seat, sign_in

T = datetime(2026, 11, 23, 1, 0, tzinfo=timezone.utc)
PASSWORD = "secret12"


class Checks:
    """Wraps the real argon2 check: counts its calls and runs a probe while each one runs."""

    def __init__(self, monkeypatch, probe=None) -> None:  # noqa: ANN001
        self.hashes: list[str] = []
        self.probes: list[object] = []
        self._lock = threading.Lock()
        real = accounts.check_password

        def counted(password_hash: str, password: str) -> bool:
            with self._lock:
                self.hashes.append(password_hash)
            if probe is not None:
                self.probes.append(probe())
            return real(password_hash, password)

        monkeypatch.setattr(accounts, "check_password", counted)

    @property
    def count(self) -> int:
        return len(self.hashes)


def _operator(db, username: str) -> m.Operator:
    with db.read() as s:
        return s.scalars(select(m.Operator).where(m.Operator.username == username)).one()


def _operator_count(db) -> int:
    with db.read() as s:
        return s.scalar(select(func.count()).select_from(m.Operator))


def test_password_is_stored_as_argon2_hash(db):
    add_user(db, "zhang", "intake", password=PASSWORD, seat="受理席1")
    user = _operator(db, "zhang")
    assert user.password_hash.startswith("$argon2") and PASSWORD not in user.password_hash
    assert authenticate(db, "zhang", PASSWORD, now=T).username == "zhang"


def test_five_failures_lock_then_unlock(db):
    add_user(db, "li", "dispatcher", password=PASSWORD)
    for _ in range(MAX_FAILED_ATTEMPTS):
        with pytest.raises(SignInError, match="密码错误"):
            authenticate(db, "li", "wrong", now=T)
    with pytest.raises(SignInError, match="锁定"):  # even the right password is refused while locked
        authenticate(db, "li", PASSWORD, now=T + timedelta(minutes=1))
    assert authenticate(db, "li", PASSWORD, now=T + LOCKOUT + timedelta(seconds=1)).username == "li"
    # The lock expired and the success cleared the count: five fresh tries again.
    user = _operator(db, "li")
    assert (user.failed_attempts, user.locked_until) == (0, None)


def test_a_success_clears_the_count(db):
    add_user(db, "li", "dispatcher", password=PASSWORD)
    for _ in range(MAX_FAILED_ATTEMPTS - 1):
        with pytest.raises(SignInError):
            authenticate(db, "li", "wrong", now=T)
    authenticate(db, "li", PASSWORD, now=T)
    for _ in range(MAX_FAILED_ATTEMPTS - 1):
        with pytest.raises(SignInError, match="密码错误"):
            authenticate(db, "li", "wrong", now=T)
    assert authenticate(db, "li", PASSWORD, now=T).username == "li"


def test_unknown_user_gets_the_same_message(db):
    with pytest.raises(SignInError, match="用户名或密码错误"):
        authenticate(db, "nobody", "x", now=T)


def test_sixty_parallel_wrong_guesses_get_at_most_five_checks(db, monkeypatch):
    add_user(db, "target", "dispatcher", password=PASSWORD)
    checks = Checks(monkeypatch)
    start = threading.Barrier(60)
    outcomes: list[str] = []

    def guess(k: int) -> None:
        start.wait()
        try:
            authenticate(db, "target", f"guess{k:04d}", now=T)
            outcomes.append("signed in")
        except SignInError as exc:
            outcomes.append("locked" if "锁定" in str(exc) else "wrong")

    threads = [threading.Thread(target=guess, args=(k,)) for k in range(60)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert checks.count == MAX_FAILED_ATTEMPTS  # at most five, and the first five were all checked
    assert sorted(set(outcomes)) == ["locked", "wrong"] and outcomes.count("wrong") == MAX_FAILED_ATTEMPTS
    assert len(outcomes) == 60
    with pytest.raises(SignInError, match="锁定"):
        authenticate(db, "target", PASSWORD, now=T + timedelta(minutes=1))
    assert checks.count == MAX_FAILED_ATTEMPTS
    assert _operator(db, "target").locked_until == T + LOCKOUT


def _no_write_lock_held(db, operator_id: int):  # noqa: ANN001
    """Run from inside the check: can another connection write right now, without waiting?"""
    def probe() -> bool:
        if db.is_postgres:
            with db.engine.connect() as conn:
                conn.execute(text("SET lock_timeout = '50ms'"))
                conn.execute(text("SELECT id FROM operators WHERE id = :id FOR UPDATE NOWAIT"), {"id": operator_id})
                in_transaction = conn.execute(text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND pid <> pg_backend_pid() AND state LIKE 'idle in transaction%'")).scalar()
                conn.rollback()
            return in_transaction == 0
        conn = sqlite3.connect(db.engine.url.database, timeout=0, isolation_level=None)
        try:
            conn.execute("BEGIN IMMEDIATE")  # fails at once with "database is locked" if a writer holds it
            conn.execute("ROLLBACK")
            return True
        finally:
            conn.close()
    return probe


def test_the_check_runs_outside_any_write_transaction(db, monkeypatch):
    user = add_user(db, "zhao", "intake", password=PASSWORD)
    checks = Checks(monkeypatch, probe=_no_write_lock_held(db, user.id))
    with pytest.raises(SignInError):
        authenticate(db, "zhao", "wrong", now=T)
    assert authenticate(db, "zhao", PASSWORD, now=T).username == "zhao"
    with pytest.raises(SignInError):
        authenticate(db, "nobody", "wrong", now=T)
    assert checks.probes == [True, True, True]


def test_an_unknown_user_costs_one_check_like_a_known_one(db, monkeypatch):
    add_user(db, "known", "intake", password=PASSWORD)
    add_user(db, "gone", "intake", password=PASSWORD)
    with db.write() as s:
        s.scalars(select(m.Operator).where(m.Operator.username == "gone")).one().active = False
    checks = Checks(monkeypatch)
    for name, password in [("known", "wrong"), ("nobody", "wrong"), ("gone", PASSWORD), ("known", PASSWORD)]:
        before = checks.count
        try:
            authenticate(db, name, password, now=T)
        except SignInError as exc:
            assert "用户名或密码错误" in str(exc)
        assert checks.count == before + 1, name
    real, dummy = checks.hashes[0], checks.hashes[1]
    assert dummy != real and dummy.rsplit("$", 2)[0] == real.rsplit("$", 2)[0]  # same argon2 parameters
    with pytest.raises(SignInError, match="用户名或密码错误"):  # the dummy hash lets no password in
        authenticate(db, "nobody", "不是任何人的密码 (nobody's password)", now=T)


def test_password_rules(db):
    before = _operator_count(db)
    for password, why in [("short12", "至少 8 位"), ("aaaaaaaa", "同一个字符"), ("        ", "同一个字符"),
                          ("12345678", "常见"), ("PassWord", "常见"), ("qwerty123", "常见"),
                          ("good\udcffpassword", "无法编码"), ("x" * 257, "超过")]:
        with pytest.raises(CommandError, match=why):
            add_user(db, "wang", "intake", password=password)
    assert _operator_count(db) == before  # nothing written
    add_user(db, "demo", "intake", password="demo1234")  # the README's demo password stays valid
    assert authenticate(db, "demo", "demo1234", now=T).username == "demo"
    with pytest.raises(SignInError, match="密码错误"):  # undecodable text at sign-in is a wrong password
        authenticate(db, "demo", "demo\udcff234", now=T)


def test_user_names_are_stripped_and_unique_case_insensitively(db):
    add_user(db, "  Zhang.San \t", "intake", password=PASSWORD)
    assert _operator(db, "Zhang.San").username_key == "zhang.san"
    for same in ("zhang.san", "ZHANG.SAN", " zhang.San", "Ｚｈａｎｇ.Ｓａｎ"):  # full-width too
        with pytest.raises(CommandError, match="已存在"):
            add_user(db, same, "intake", password=PASSWORD)
    for bad, why in [("   ", "不能为空"), ("zh\x00ang", "控制字符"), ("zh\u200bang", "控制字符"),
                     ("\udcffzhang", "无法编码")]:
        with pytest.raises(CommandError, match=why):
            add_user(db, bad, "intake", password=PASSWORD)
    with pytest.raises(ValueTooLong, match="operators.username"):  # the column's own limit
        add_user(db, "z" * 51, "intake", password=PASSWORD)
    assert _operator_count(db) == 1
    assert authenticate(db, " ZHANG.san ", PASSWORD, now=T).username == "Zhang.San"


def test_parallel_adds_of_one_name_make_one_account(db):
    start = threading.Barrier(6)
    results: list[str] = []

    def add(name: str) -> None:
        start.wait()
        try:
            add_user(db, name, "intake", password=PASSWORD)
            results.append("added")
        except CommandError as exc:
            results.append(str(exc))

    threads = [threading.Thread(target=add, args=(n,)) for n in ("wu", "WU", "Wu", "wU", "ｗｕ", " wu ")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count("added") == 1 and all("已存在" in r for r in results if r != "added"), results
    assert _operator_count(db) == 1


def test_street_seat_account_is_bound_to_its_street(db):
    add_user(db, "street_east", "street_seat", password=PASSWORD, street_code="350402001")
    session = sign_in(db, "street_east", PASSWORD, Seat("operator"))
    assert session.street_code == "350402001" and session.actor.street_code == "350402001"
    with pytest.raises(CommandError, match="350402002"):
        sign_in(db, "street_east", PASSWORD, Seat("street", "350402002"))
    with pytest.raises(CommandError, match="街道"):
        add_user(db, "street_x", "street_seat", password=PASSWORD)


def test_department_account_is_bound_to_its_department(db):
    with pytest.raises(CommandError, match="--department"):
        add_user(db, "dept_x", "department", password=PASSWORD)
    with pytest.raises(CommandError, match="部门 99 不存在"):
        add_user(db, "dept_x", "department", password=PASSWORD, department_id=99)
    with pytest.raises(CommandError, match="只有专业部门"):
        add_user(db, "intake_x", "intake", password=PASSWORD, department_id=2)
    assert _operator_count(db) == 0
    add_user(db, "dept_hw", "department", password=PASSWORD, department_id=accounts.find_department(db, "HW"))
    session = sign_in(db, "dept_hw", PASSWORD, Seat("operator"))
    assert session.actor.department_id == 2
    assert accounts.find_department(db, "1") == 1
    for unknown in ("XX", "99", "9" * 30, ""):
        with pytest.raises(CommandError, match="部门 .*不存在"):
            accounts.find_department(db, unknown)


def test_an_unbound_department_account_acts_on_no_case(db):
    """Accounts made before the binding was required still sign in, but reach no case."""
    from tests.data.test_commands import DEPT, to_disposing
    from console.data.commands import Actor, JurisdictionError, act
    from console.data.case_record import find_case, timeline

    number, v = to_disposing(db)  # dispatched to department 2
    unbound = Actor("旧部门账号", "department", seat="部门席")
    for action in ("feedback", "request_return", "request_extension", "request_hold"):
        with pytest.raises(JurisdictionError, match="未绑定部门"):
            act(db, unbound, number, action, expected_version=v, at=T + timedelta(hours=9))
    assert find_case(db, number).version == v and len(timeline(db, number)) == 4
    assert act(db, DEPT, number, "feedback", expected_version=v, at=T + timedelta(hours=9)).state == "to_check"


def test_a_full_count_without_a_lock_does_not_lock_forever(db):
    """A count left at five with no lock (set by hand) starts afresh instead of refusing for ever."""
    add_user(db, "li", "dispatcher", password=PASSWORD)
    with db.write() as s:
        s.scalars(select(m.Operator).where(m.Operator.username == "li")).one().failed_attempts = 7
    assert authenticate(db, "li", PASSWORD, now=T).username == "li"


def test_a_renamed_account_keeps_its_key_in_step(db):
    add_user(db, "old_name", "intake", password=PASSWORD)
    with db.write() as s:
        s.scalars(select(m.Operator).where(m.Operator.username == "old_name")).one().username = "New_Name"
    assert _operator(db, "New_Name").username_key == "new_name"
    assert authenticate(db, "new_name", PASSWORD, now=T).username == "New_Name"
    with pytest.raises(SignInError):
        authenticate(db, "old_name", PASSWORD, now=T)


def test_undecodable_or_control_characters_are_refused_clearly(db, monkeypatch):
    """PostgreSQL takes no NUL in text: such a name is no one's (one check, the usual message)."""
    checks = Checks(monkeypatch)
    for name in ("ad\x00min", "\udcffadmin", "a" * 500):
        with pytest.raises(SignInError, match="用户名或密码错误"):
            authenticate(db, name, "whatever", now=T)
    assert checks.count == 3
    for field, value in [("display_name", "张\x00三"), ("seat", "席\udcff位")]:
        with pytest.raises(CommandError, match="显示名|席位"):
            add_user(db, "zhang", "intake", password=PASSWORD, **{field: value})
    with pytest.raises(ValueTooLong, match="operators.display_name"):  # the column's own limit
        add_user(db, "zhang", "intake", password=PASSWORD, display_name="长" * 51)
    assert _operator_count(db) == 0

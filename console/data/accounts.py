"""Operator accounts: argon2 hashes, roles, seats, lockout after failed sign-ins.

A sign-in is three steps, so the slow argon2 check (~0.2 s) never holds a write lock:
1. one short write transaction *claims* a check: an atomic UPDATE counts it as failed before it
   runs, and only while fewer than MAX_FAILED_ATTEMPTS are counted, so parallel guesses cannot
   all slip in between reading and writing the counter;
2. the argon2 check, outside any transaction; an unknown or inactive user name is checked
   against a dummy hash, so it costs the same as a known one;
3. on success a second short transaction clears the counter.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import and_, or_, select, update
from sqlalchemy.exc import IntegrityError

from console.data import models as m
from console.data.commands import CommandError, log_change
from console.data.db import Database
from console.domain.accounts import label_problem, password_problem, username_key, username_problem
from console.domain.workflow import Role

MAX_FAILED_ATTEMPTS = 5
LOCKOUT = timedelta(minutes=15)
WRONG = "用户名或密码错误 (wrong user name or password)"
_hasher = PasswordHasher()


class SignInError(CommandError):
    pass


def add_user(db: Database, username: str, role: str, *, password: str, display_name: str | None = None,
             seat: str | None = None, street_code: str | None = None, department_id: int | None = None) -> m.Operator:
    role = _role(role)
    username = username.strip()
    _refuse(username_problem(username) or password_problem(password)
            or label_problem("显示名", "display name", display_name or "")
            or label_problem("席位", "seat", seat or ""))
    _check_binding(role, street_code, department_id)
    password_hash = _hasher.hash(password)  # the slow part, before the write lock is taken
    try:
        with db.write() as s:
            _check_new_user(s, username, street_code, department_id)
            user = m.Operator(
                username=username, username_key=username_key(username), display_name=display_name or username,
                role=role, seat=seat, street_code=street_code, department_id=department_id,
                password_hash=password_hash, failed_attempts=0, active=True, created_at=datetime.now(timezone.utc),
            )
            s.add(user)
            s.flush()
            log_change(s, "operator", str(user.id), "add", street_code=street_code)
            return user
    except IntegrityError as exc:  # the same name added at the same moment by another admin
        if "username" not in str(exc.orig).lower():
            raise
        raise CommandError(f"用户 {username} 已存在 (user exists)") from None


def find_department(db: Database, text: str) -> int:
    """A department given on the command line by its id or its code (HW, SZ, ...)."""
    text = text.strip()
    with db.read() as s:
        found = s.scalar(select(m.Department.id).where(m.Department.code == text))
        if found is None and text.isascii() and text.isdigit() and len(text) <= 9:
            found = s.scalar(select(m.Department.id).where(m.Department.id == int(text)))
    if found is None:
        raise CommandError(f"部门 {text} 不存在 (unknown department id or code)")
    return found


def authenticate(db: Database, username: str, password: str, *, now: datetime | None = None) -> m.Operator:
    """Check a password; five failures lock the account for LOCKOUT."""
    now = now or datetime.now(timezone.utc)
    storable = username_problem(username.strip()) is None  # a NUL or a lone surrogate names no one
    claim = _claim_check(db, username_key(username), now) if storable else None
    if isinstance(claim, _Locked):
        minutes = int((claim.until - now).total_seconds() // 60) + 1
        raise SignInError(f"账号已锁定，请 {minutes} 分钟后再试 (account locked)")
    password_hash = claim.password_hash if claim else _dummy_hash()
    if not check_password(password_hash, password) or claim is None:
        raise SignInError(WRONG)
    return _signed_in(db, claim.id)


def check_password(password_hash: str, password: str) -> bool:
    """The argon2 check (the one slow step of a sign-in)."""
    try:
        # surrogatepass: text from a wrongly decoded terminal is checked (and fails), not a crash.
        return _hasher.verify(password_hash, password.encode("utf-8", "surrogatepass"))
    except (VerificationError, InvalidHashError):
        return False


@dataclass(frozen=True)
class _Claim:
    id: int
    password_hash: str


@dataclass(frozen=True)
class _Locked:
    until: datetime


def _claim_check(db: Database, key: str, now: datetime) -> _Claim | _Locked | None:
    """Count one check in advance, atomically; None for an unknown or inactive user."""
    op = m.Operator
    mine = op.username_key == key
    with db.write() as s:
        # An expired lock starts a fresh count; so does a count left full without a lock (set by hand).
        stale = or_(op.locked_until <= now, and_(op.locked_until.is_(None), op.failed_attempts >= MAX_FAILED_ATTEMPTS))
        s.execute(update(op).where(mine, stale).values(failed_attempts=0, locked_until=None))
        row = s.execute(
            update(op).where(mine, op.active.is_(True), op.locked_until.is_(None),
                             op.failed_attempts < MAX_FAILED_ATTEMPTS)
            .values(failed_attempts=op.failed_attempts + 1)
            .returning(op.id, op.password_hash, op.failed_attempts)
        ).first()
        if row is not None:
            if row.failed_attempts >= MAX_FAILED_ATTEMPTS:  # the last allowed check: lock until it succeeds
                s.execute(update(op).where(op.id == row.id).values(locked_until=now + LOCKOUT))
            return _Claim(row.id, row.password_hash)
        user = s.execute(select(op.active, op.locked_until).where(mine)).first()
    if user is None or not user.active:
        return None
    return _Locked(user.locked_until)


def _signed_in(db: Database, operator_id: int) -> m.Operator:
    with db.write() as s:
        s.execute(update(m.Operator).where(m.Operator.id == operator_id).values(failed_attempts=0, locked_until=None))
        return s.get(m.Operator, operator_id)


@functools.cache
def _dummy_hash() -> str:
    """A hash with the real parameters that no password matches by chance."""
    return _hasher.hash("不是任何人的密码 (nobody's password)")


def _role(role: str) -> str:
    try:
        return Role(role).value
    except ValueError:
        raise CommandError(f"角色 {role!r} 无效 (role must be one of {', '.join(r.value for r in Role)})") from None


def _refuse(problem: str | None) -> None:
    if problem:
        raise CommandError(problem)


def _check_binding(role: str, street_code: str | None, department_id: int | None) -> None:
    """A street seat is bound to one street, a department account to one department."""
    if role == Role.STREET_SEAT.value and not street_code:
        raise CommandError("街道指挥席账号必须指定 --street (a street seat needs its street code)")
    if role == Role.DEPARTMENT.value and department_id is None:
        raise CommandError("专业部门账号必须指定 --department (a department account needs its department)")
    if role != Role.DEPARTMENT.value and department_id is not None:
        raise CommandError(f"只有专业部门账号可绑定部门，{role} 不可 (--department is for department accounts only)")


def _check_new_user(s, username: str, street_code: str | None, department_id: int | None) -> None:  # noqa: ANN001
    same = s.scalar(select(m.Operator.username).where(m.Operator.username_key == username_key(username)))
    if same is not None:
        raise CommandError(f"用户 {username} 已存在（与 {same} 视为同名，不区分大小写）(user exists)")
    if street_code and s.get(m.Street, street_code) is None:
        raise CommandError(f"街道 {street_code} 不存在 (unknown street code)")
    if department_id is not None and s.get(m.Department, department_id) is None:
        raise CommandError(f"部门 {department_id} 不存在 (unknown department)")


def demo_operator(db: Database, seat_kind: str, street_code: str | None = None) -> m.Operator | None:
    """The first active account that can sit at this seat (screenshots of a demo database), or None."""
    with db.read() as s:
        q = select(m.Operator).where(m.Operator.active)
        if seat_kind == "street":
            q = q.where(m.Operator.role == Role.STREET_SEAT.value, m.Operator.street_code == street_code)
        elif seat_kind == "leader":
            q = q.where(m.Operator.role == Role.LEADER.value).order_by(m.Operator.id)
        elif seat_kind == "wall":
            q = q.where(m.Operator.role == Role.WALL.value).order_by(m.Operator.id)
        else:
            q = q.where(m.Operator.role.in_(["intake", "shift_lead", "dispatcher", "leader"])).order_by(m.Operator.id)
        return s.scalars(q).first()


def wall_account(db: Database, username: str | None = None) -> m.Operator:
    """The wall's account (大屏): the named one, else the first active one of role wall.

    The wall starts unattended at boot, so it signs in without a password: its role can do
    nothing (no workflow action lists it) and the wall shows no caller data.  A named account
    that is not a wall account is refused, so `--user leader1` cannot open a session unasked.
    """
    with db.read() as s:
        q = select(m.Operator).where(m.Operator.active, m.Operator.role == Role.WALL.value)
        if username:
            q = q.where(m.Operator.username_key == username_key(username.strip()))
        found = s.scalars(q.order_by(m.Operator.id)).first()
    if found is not None:
        return found
    if username:
        raise CommandError(f"账号 {username} 不是可用的大屏账号 (not an active account of role wall)")
    raise CommandError("数据库中没有大屏账号 (no wall account): urban-console user add wall1 --role wall")

"""Operator accounts: argon2 hashes, roles, seats, lockout after failed sign-ins."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select

from console.data import models as m
from console.data.commands import CommandError, log_change
from console.data.db import Database
from console.domain.workflow import Role

MAX_FAILED_ATTEMPTS = 5
LOCKOUT = timedelta(minutes=15)
_hasher = PasswordHasher()


class SignInError(CommandError):
    pass


def add_user(db: Database, username: str, role: str, *, password: str, display_name: str | None = None,
             seat: str | None = None, street_code: str | None = None, department_id: int | None = None) -> m.Operator:
    try:
        role = Role(role).value
    except ValueError:
        raise CommandError(f"角色 {role!r} 无效 (role must be one of {', '.join(r.value for r in Role)})") from None
    if not username.strip():
        raise CommandError("用户名不能为空 (empty user name)")
    if len(password) < 6:
        raise CommandError("密码至少 6 位 (password shorter than 6 characters)")
    if role == Role.STREET_SEAT.value and not street_code:
        raise CommandError("街道指挥席账号必须指定 --street (a street seat needs its street code)")
    with db.write() as s:
        if s.scalars(select(m.Operator).where(m.Operator.username == username)).first():
            raise CommandError(f"用户 {username} 已存在 (user exists)")
        if street_code and s.get(m.Street, street_code) is None:
            raise CommandError(f"街道 {street_code} 不存在 (unknown street code)")
        if department_id is not None and s.get(m.Department, department_id) is None:
            raise CommandError(f"部门 {department_id} 不存在 (unknown department)")
        user = m.Operator(
            username=username, display_name=display_name or username, role=role, seat=seat,
            street_code=street_code, department_id=department_id, password_hash=_hasher.hash(password),
            failed_attempts=0, active=True, created_at=datetime.now(timezone.utc),
        )
        s.add(user)
        s.flush()
        log_change(s, "operator", str(user.id), "add", street_code=street_code)
        return user


def authenticate(db: Database, username: str, password: str, *, now: datetime | None = None) -> m.Operator:
    """Check a password; five failures lock the account for LOCKOUT."""
    now = now or datetime.now(timezone.utc)
    with db.write() as s:
        user = s.scalars(select(m.Operator).where(m.Operator.username == username)).first()
        if user is None or not user.active:
            raise SignInError("用户名或密码错误 (wrong user name or password)")
        if user.locked_until and user.locked_until > now:
            minutes = int((user.locked_until - now).total_seconds() // 60) + 1
            raise SignInError(f"账号已锁定，请 {minutes} 分钟后再试 (account locked)")
        if not _password_ok(user.password_hash, password):
            user.failed_attempts += 1
            if user.failed_attempts >= MAX_FAILED_ATTEMPTS:
                user.locked_until = now + LOCKOUT
                user.failed_attempts = 0
            failed = True  # raise after the block, so the count is committed
        else:
            user.failed_attempts = 0
            user.locked_until = None
            failed = False
    if failed:
        raise SignInError("用户名或密码错误 (wrong user name or password)")
    return user


def _password_ok(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False

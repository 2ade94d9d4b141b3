"""Operator accounts: argon2 hashes, five failed sign-ins lock the account for a while."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from console.data import models as m
from console.data.accounts import LOCKOUT, MAX_FAILED_ATTEMPTS, SignInError, add_user, authenticate
from console.data.commands import CommandError
from console.services.session import Seat, sign_in

T = datetime(2026, 11, 23, 1, 0, tzinfo=timezone.utc)


def test_password_is_stored_as_argon2_hash(db):
    add_user(db, "zhang", "intake", password="secret1", seat="受理席1")
    with db.read() as s:
        user = s.scalars(select(m.Operator).where(m.Operator.username == "zhang")).one()
    assert user.password_hash.startswith("$argon2") and "secret1" not in user.password_hash
    assert authenticate(db, "zhang", "secret1", now=T).username == "zhang"


def test_five_failures_lock_then_unlock(db):
    add_user(db, "li", "dispatcher", password="secret1")
    for _ in range(MAX_FAILED_ATTEMPTS):
        with pytest.raises(SignInError, match="密码错误"):
            authenticate(db, "li", "wrong", now=T)
    with pytest.raises(SignInError, match="锁定"):  # even the right password is refused while locked
        authenticate(db, "li", "secret1", now=T + timedelta(minutes=1))
    assert authenticate(db, "li", "secret1", now=T + LOCKOUT + timedelta(seconds=1)).username == "li"


def test_unknown_user_gets_the_same_message(db):
    with pytest.raises(SignInError, match="用户名或密码错误"):
        authenticate(db, "nobody", "x", now=T)


def test_street_seat_account_is_bound_to_its_street(db):
    add_user(db, "street_east", "street_seat", password="secret1", street_code="350402001")
    session = sign_in(db, "street_east", "secret1", Seat("operator"))
    assert session.street_code == "350402001" and session.actor.street_code == "350402001"
    with pytest.raises(CommandError, match="350402002"):
        sign_in(db, "street_east", "secret1", Seat("street", "350402002"))
    with pytest.raises(CommandError, match="街道"):
        add_user(db, "street_x", "street_seat", password="secret1")

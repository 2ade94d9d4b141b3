"""Benchmark: the longest wait of a hall write while 8 threads sign in with wrong passwords (SQLite).

One SQLite database, one writer thread committing a small hall write (one change-log row)
every 20 ms, and 8 threads guessing passwords as fast as they can, each on its own accounts
(five guesses per account, then the next one, so the lockout never stops the argon2 checks).
Measured twice in the same run:

before: ``authenticate_in_transaction`` below, the sign-in as it was until 2026-12-01, KEPT HERE
        ONLY AS THE BASELINE: the ~0.2 s argon2 check ran inside the write transaction that
        counted the failure, so every wrong guess held SQLite's write lock meanwhile;
after:  ``console.data.accounts.authenticate``: the failure is counted by one atomic UPDATE,
        the check runs with no transaction open.

Run: ``python -m console.bench.bench_sign_in`` (prints one JSON line).
"""
from __future__ import annotations

import json
import math
import statistics
import tempfile
import threading
import time
from datetime import datetime, timezone
from typing import Callable

from sqlalchemy import select

from console.data import accounts
from console.data import models as m
from console.data.commands import log_change
from console.data.db import Database
from console.data.schema import upgrade

THREADS = 8
WRITE_EVERY_S = 0.02


def authenticate_in_transaction(db: Database, username: str, password: str) -> m.Operator:
    """BASELINE ONLY (the old console.data.accounts.authenticate): the check inside the write transaction."""
    now = datetime.now(timezone.utc)
    with db.write() as s:
        user = s.scalars(select(m.Operator).where(m.Operator.username == username)).first()
        if user is None or not user.active:
            raise accounts.SignInError(accounts.WRONG)
        if user.locked_until and user.locked_until > now:
            raise accounts.SignInError("账号已锁定 (account locked)")
        if not accounts.check_password(user.password_hash, password):
            user.failed_attempts += 1
            if user.failed_attempts >= accounts.MAX_FAILED_ATTEMPTS:
                user.locked_until = now + accounts.LOCKOUT
                user.failed_attempts = 0
            failed = True
        else:
            user.failed_attempts = 0
            user.locked_until = None
            failed = False
    if failed:
        raise accounts.SignInError(accounts.WRONG)
    return user


def _add_accounts(db: Database, names: list[str]) -> None:
    """One real add_user; the rest share its hash (an argon2 hash costs ~0.2 s)."""
    first = accounts.add_user(db, names[0], "intake", password="right-password")
    with db.write() as s:
        s.add_all(m.Operator(username=n, display_name=n, role="intake", password_hash=first.password_hash,
                             failed_attempts=0, active=True, created_at=datetime.now(timezone.utc))
                  for n in names[1:])


def _flood(db: Database, sign_in: Callable[[Database, str, str], object], names: list[str],
           stop: threading.Event, checks: list[int]) -> None:
    for name in names:
        for k in range(accounts.MAX_FAILED_ATTEMPTS):
            if stop.is_set():
                return
            try:
                sign_in(db, name, f"wrong-{k}")
            except accounts.SignInError:
                pass
            checks.append(1)
    raise RuntimeError("bench_sign_in: a guesser ran out of accounts; give it more")


def _writer(db: Database, stop: threading.Event, waits_ms: list[float]) -> None:
    k = 0
    while not stop.is_set():
        t0 = time.perf_counter()
        with db.write() as s:
            log_change(s, "bench", str(k), "write")
        waits_ms.append((time.perf_counter() - t0) * 1000)
        k += 1
        stop.wait(WRITE_EVERY_S)


def measure(sign_in: Callable[[Database, str, str], object], seconds: float, accounts_per_thread: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(f"sqlite:///{tmp}/sign_in.db")
        upgrade(db)
        names = [[f"guess{t}_{a}" for a in range(accounts_per_thread)] for t in range(THREADS)]
        _add_accounts(db, [n for group in names for n in group])
        stop, waits, checks = threading.Event(), [], []
        threads = [threading.Thread(target=_writer, args=(db, stop, waits))]
        threads += [threading.Thread(target=_flood, args=(db, sign_in, group, stop, checks)) for group in names]
        for t in threads:
            t.start()
        time.sleep(seconds)  # the benchmark's own duration; tests never sleep
        stop.set()
        for t in threads:
            t.join()
        db.dispose()
    return {"writes": len(waits), "longest_write_wait_ms": round(max(waits), 1),
            "median_write_ms": round(statistics.median(waits), 1),
            "p95_write_ms": round(_nearest_rank(waits, 0.95), 1), "wrong_sign_ins": len(checks)}


def _nearest_rank(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def run(seconds: float = 8.0, accounts_per_thread: int = 20) -> dict:
    before = measure(authenticate_in_transaction, seconds, accounts_per_thread)
    after = measure(accounts.authenticate, seconds, accounts_per_thread)
    return {
        "threads": THREADS, "seconds": seconds,
        "before_check_in_transaction": before, "after_check_outside": after,
        "longest_wait_ratio": round(before["longest_write_wait_ms"] / after["longest_write_wait_ms"], 1),
    }


if __name__ == "__main__":
    print(json.dumps(run()))

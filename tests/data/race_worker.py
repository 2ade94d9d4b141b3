"""One seat process of the race test: `python -m tests.data.race_worker URL SEAT SEED ACTIONS NUMBER...`.

It reads a random case (its state, pending request and version), picks the
action the responsible role would take next (now and then a deliberately
illegal one), and acts with the version it read, exactly as a seat does.
Another seat acting first makes the command raise StaleVersion; the worker
checks that the refusal names who acted and carries the refreshed version.
The counts go to stdout as one JSON line.
"""
from __future__ import annotations

import json
import random
import sys
import time

from sqlalchemy import select

from console.data import models as m
from console.data.commands import ActionParams, Actor, CommandError, StaleVersion, act
from console.data.db import Database

GARBAGE = "06010"  # 暴露垃圾: the category every seeded case carries
DEPARTMENT_ID = 2  # 环卫处
ILLEGAL_RATE = 0.04
HOT_CASES, HOT_RATE = 20, 0.3  # a third of the clicks go to a fifth of the cases: more collisions
TERMINAL = ("closed", "cancelled")


def hall(seat: str) -> dict[str, Actor]:
    """This seat's people, one per role (the seat name tells the seats apart)."""
    return {
        "intake": Actor(f"受理员{seat}", "intake", seat=f"受理席{seat}"),
        "inspector": Actor(f"监督员{seat}", "inspector", seat=f"城管通{seat}"),
        "shift_lead": Actor(f"值班长{seat}", "shift_lead", seat=f"值班长席{seat}"),
        "dispatcher": Actor(f"派遣员{seat}", "dispatcher", seat=f"派遣席{seat}"),
        "leader": Actor(f"指挥长{seat}", "leader", seat=f"指挥长席{seat}"),
        "department": Actor(f"环卫处{seat}", "department", seat=f"环卫处席{seat}", department_id=DEPARTMENT_ID),
    }


# state -> [(action, role, weight)]: rework and requests keep cases cycling, so 25
# actions per case stay mostly legal.
NEXT: dict[str, list[tuple[str, str, int]]] = {
    "reported": [("forward", "intake", 9), ("send_verify", "intake", 1)],
    "verifying": [("verify_true", "inspector", 1)],
    "to_file": [("file", "shift_lead", 1)],
    "to_dispatch": [("dispatch", "dispatcher", 1)],
    "disposing": [("feedback", "department", 6), ("request_extension", "department", 1),
                  ("request_return", "department", 1), ("request_hold", "department", 1), ("urge", "leader", 1)],
    "hung": [("resume", "dispatcher", 1)],
    "to_check": [("check_fail", "inspector", 5), ("check_pass", "inspector", 1)],
    "to_close": [("close", "shift_lead", 1)],
    "closed": [("urge", "leader", 1)],  # refused: a closed case takes no action
    "cancelled": [("urge", "leader", 1)],
}
ANSWERS: dict[str, list[tuple[str, str, int]]] = {
    "extension": [("approve_extension", "dispatcher", 3), ("reject_extension", "dispatcher", 1)],
    "return": [("approve_return", "dispatcher", 1), ("reject_return", "dispatcher", 1)],
    "hold": [("approve_hold", "leader", 1), ("reject_hold", "dispatcher", 1)],
}
# Never legal for these roles, whatever the state: proves refusals write nothing.
ILLEGAL = [("close", "intake"), ("dispatch", "inspector"), ("file", "department"), ("feedback", "intake")]


def condition_code(db: Database) -> str:
    with db.read() as s:
        return s.scalars(select(m.FilingCondition.code).where(m.FilingCondition.category_code == GARBAGE)
                         .order_by(m.FilingCondition.code)).first()


def choose(rng: random.Random, state: str, pending: str | None) -> tuple[str, str, bool]:
    if rng.random() < ILLEGAL_RATE:
        action, role = rng.choice(ILLEGAL)
        return action, role, True
    choices = ANSWERS[pending] if pending in ANSWERS else NEXT[state]
    action, role, _ = rng.choices(choices, weights=[w for *_, w in choices])[0]
    return action, role, False


def pick(db: Database, rng: random.Random, numbers: list[str]) -> tuple[str, str, str | None, int]:
    """A case from the seat's queue as its screen shows it; the queue holds open cases,
    so a closed one is passed over (a few times: late in the race most are closed)."""
    for _ in range(10):
        pool = numbers[:HOT_CASES] if rng.random() < HOT_RATE else numbers
        number = rng.choice(pool)
        with db.read() as s:
            state, pending, version = s.execute(
                select(m.Case.state, m.Case.pending, m.Case.version).where(m.Case.number == number)).one()
        if state not in TERMINAL:
            break
    return number, state, pending, version


def run(url: str, seat: str, seed: int, actions: int, numbers: list[str]) -> dict:
    db = Database(url)
    rng = random.Random(seed)
    people = hall(seat)
    condition = condition_code(db)
    counts = {"seat": seat, "ok": 0, "conflict": 0, "refused": 0, "illegal_refused": 0, "illegal_applied": 0,
              "stale_without_who": 0, "errors": [],
              "refused_why": {}}
    started = time.monotonic()
    for i in range(actions):
        number, state, pending, version = pick(db, rng, numbers)
        action, role, illegal = choose(rng, state, pending)
        params = ActionParams(condition_code=condition, urgency="normal", department_id=DEPARTMENT_ID,
                              extension="1wh", reason=f"{seat} 第{i}次")
        try:
            act(db, people[role], number, action, expected_version=version, note=f"{seat}#{i}",
                params=params)  # at: now, so a case's times never run backwards across seats
        except StaleVersion as exc:
            counts["conflict"] += 1
            if not exc.by or not exc.seat or exc.current_version <= version:
                counts["stale_without_who"] += 1
        except CommandError as exc:
            counts["refused"] += 1
            if not illegal:
                why = f"{state}/{pending}/{action}: {str(exc)[:60]}"
                counts["refused_why"][why] = counts["refused_why"].get(why, 0) + 1
            counts["illegal_refused"] += illegal
        except Exception as exc:  # noqa: BLE001 - reported to the test, which fails on any
            counts["errors"].append(f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}")
        else:
            counts["ok"] += 1
            counts["illegal_applied"] += illegal
    counts["seconds"] = round(time.monotonic() - started, 2)
    db.dispose()
    return counts


def main(argv: list[str]) -> int:
    url, seat, seed, actions, *numbers = argv
    print(json.dumps(run(url, seat, int(seed), int(actions), numbers), ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

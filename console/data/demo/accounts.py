"""The demo hall's operator accounts: hall seats, one per department, one per street."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from console.data import models as m
from console.data.accounts import add_user
from console.data.commands import log_change
from console.data.db import Database
from console.data.demo.city import City
from console.data.demo.scales import DEMO_PASSWORD, _UTC
from console.domain.workflow import Role


# hall accounts: (username, role, display name, seat); department and street
# accounts are added per department / street (see DEMO_ACCOUNTS).
HALL_ACCOUNTS: list[tuple[str, str, str, str]] = [
    ("intake1", "intake", "林晓燕", "受理席1"),
    ("intake2", "intake", "陈丽娟", "受理席2"),
    ("intake3", "intake", "黄婷", "受理席3"),
    ("shift1", "shift_lead", "王建国", "值班长席"),
    ("shift2", "shift_lead", "郑志强", "值班长席"),
    ("dispatch1", "dispatcher", "李明", "派遣席1"),
    ("dispatch2", "dispatcher", "张敏", "派遣席2"),
    ("leader1", "leader", "吴德福", "指挥长席"),
    ("admin1", "admin", "系统管理员", "管理席"),
    ("wall1", "wall", "指挥中心大屏", "大屏"),  # read-only; signs in at boot without a password (app.wall_session)
]

DEMO_ACCOUNTS: list[dict[str, str]] = [
    *({"username": u, "role": r, "seat": seat, "password": DEMO_PASSWORD} for u, r, _n, seat in HALL_ACCOUNTS),
    {"username": "dept_<code>", "role": "department", "seat": "one per department, e.g. dept_hw 环卫",
     "password": DEMO_PASSWORD},
    {"username": "street_<street code>", "role": "street_seat", "seat": "one per street, e.g. street_350402001",
     "password": DEMO_PASSWORD},
]


@dataclass(frozen=True)
class Who:
    """An actor of a simulated action, as the audit event records it."""

    name: str
    role: Role
    seat: str | None = None
    operator_id: int | None = None
    staff_id: int | None = None  # a field staff member (监督员): the actor of record, as Actor.staff_id


@dataclass
class Accounts:
    by_role: dict[Role, list[Who]]
    department: dict[int, Who]
    street: dict[str, Who]
    all: list[str]


def _account_specs(city: City) -> list[dict[str, Any]]:
    specs = [{"username": u, "role": r, "display_name": n, "seat": seat, "street_code": None,
              "department_id": None} for u, r, n, seat in HALL_ACCOUNTS]
    for dept in city.departments:
        suffix = dept["code"].lower() if dept["kind"] == "professional" else dept["street_code"]
        specs.append({"username": f"dept_{suffix}", "role": "department", "display_name": dept["name"],
                      "seat": dept["name"], "street_code": None, "department_id": dept["id"]})
    for dept in city.departments:
        if dept["kind"] == "street":
            short = dept["name"].replace("办事处", "").replace("人民政府", "")
            specs.append({"username": f"street_{dept['street_code']}", "role": "street_seat",
                          "display_name": f"{short}指挥席", "seat": f"街道指挥席-{short}",
                          "street_code": dept["street_code"], "department_id": None})
    return specs


def _add_accounts(db: Database, city: City) -> Accounts:
    """Every account through accounts.add_user, except that the second and later department and street
    accounts reuse the first one's argon2 hash of the same demo password (a hash costs ~0.2 s)."""
    by_role: dict[Role, list[Who]] = {}
    department: dict[int, Who] = {}
    street: dict[str, Who] = {}
    hashes: dict[str, str] = {}
    later: list[dict[str, Any]] = []
    ids: dict[str, int] = {}
    for spec in _account_specs(city):
        if spec["role"] in ("department", "street_seat") and spec["role"] in hashes:
            later.append(spec)
            continue
        user = add_user(db, spec["username"], spec["role"], password=DEMO_PASSWORD,
                        display_name=spec["display_name"], seat=spec["seat"], street_code=spec["street_code"],
                        department_id=spec["department_id"])
        hashes[spec["role"]] = user.password_hash
        ids[spec["username"]] = user.id
    with db.write() as s:
        rows = [m.Operator(**spec, password_hash=hashes[spec["role"]], failed_attempts=0, active=True,
                           created_at=datetime.now(_UTC)) for spec in later]
        s.add_all(rows)
        s.flush()
        for row in rows:
            ids[row.username] = row.id
            log_change(s, "operator", str(row.id), "add", street_code=row.street_code)
    for spec in _account_specs(city):
        who = Who(spec["display_name"], Role(spec["role"]), spec["seat"], ids[spec["username"]])
        if who.role == Role.DEPARTMENT:
            department[spec["department_id"]] = who
        elif who.role == Role.STREET_SEAT:
            street[spec["street_code"]] = who
        else:
            by_role.setdefault(who.role, []).append(who)
    return Accounts(by_role, department, street, list(ids))

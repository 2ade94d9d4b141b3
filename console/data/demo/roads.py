"""The demo city's 路长制 as seed 004 lays it out.

总路长: the district (one official).  Per street: its 一级路长 (a leader assigned to it) and its
辖区总路长 (the street's head).  Per road crossing a street: a 二级路长, one of the street's deputy
heads (a deputy is given several roads when the street has more roads than deputies).  Per
segment: its 路段责任单位 (a municipal unit of group A or B, whose head is the 路段长), or no unit
(then the road's 二级路长 is its 路段长; nothing is stored for it).
"""
from __future__ import annotations

import random
from typing import Any

from console.data.demo.scales import Scale

# 市直单位 that take segments (seed 004: 路段责任单位); the first of each pair of groups is group A.
UNIT_NAMES = (
    "区财政局", "区住建局", "区人社局", "区教育局", "区卫健局", "区交通运输局", "区市场监管局", "区自然资源局",
    "区文旅局", "区商务局", "区民政局", "区司法局", "区统计局", "区审计局", "区应急管理局", "区生态环境局",
    "区农业农村局", "区水利局", "区林业局", "区退役军人事务局", "区医保局", "区信访局", "区档案馆", "区图书馆",
)
UNIT_SHARE = 0.7  # of segments given to a unit; the rest are kept by their 二级路长


def deputies_per_street(params: Scale) -> int:
    return max(2, params.roads // params.streets)


def unit_count(params: Scale) -> int:
    return max(4, params.roads // 2)


def officials_needed(params: Scale) -> int:
    """总路长 + (一级路长 + 辖区总路长 + deputies) per street + one head per unit."""
    return 1 + params.streets * (2 + deputies_per_street(params)) + unit_count(params)


class Hierarchy:
    """Hands out the officials (staff ids, in order) to the posts of the hierarchy and writes the rows."""

    def __init__(self, params: Scale, officials: list[int], streets: list[str], rnd: random.Random) -> None:
        pool = iter(officials)
        self.rnd = rnd
        self.general = next(pool)
        self.chiefs: list[dict[str, Any]] = [_chief(self.general, "general")]
        self.street_officials: dict[str, int] = {}
        self.deputies: dict[str, list[int]] = {}
        for street in streets:
            first, head = next(pool), next(pool)
            self.chiefs += [_chief(first, "first", street), _chief(head, "street_head", street)]
            self.street_officials[street] = head
            self.deputies[street] = [next(pool) for _ in range(deputies_per_street(params))]
        n = unit_count(params)
        self.units = [{"id": i, "code": f"DW{i:03d}", "name": UNIT_NAMES[(i - 1) % len(UNIT_NAMES)]
                       + (f"（{(i - 1) // len(UNIT_NAMES) + 1}）" if i > len(UNIT_NAMES) else ""),
                       "unit_group": "A" if i <= (n + 1) // 2 else "B", "head_staff_id": next(pool)}
                      for i in range(1, n + 1)]
        self._given: dict[str, int] = {}

    def second_chief(self, street: str, road_id: int) -> int:
        """The deputy given this road in this street (round robin over the street's deputies)."""
        deputies = self.deputies[street]
        k = self._given.get(street, 0)
        self._given[street] = k + 1
        staff = deputies[k % len(deputies)]
        self.chiefs.append(_chief(staff, "second", street, road_id))
        return staff

    def unit_of_segment(self) -> int | None:
        if self.rnd.random() >= UNIT_SHARE:
            return None
        return self.units[self.rnd.randrange(len(self.units))]["id"]

    def finish(self) -> None:
        for i, chief in enumerate(self.chiefs, start=1):
            chief["id"] = i


def _chief(staff_id: int, level: str, street: str | None = None, road_id: int | None = None) -> dict[str, Any]:
    return {"staff_id": staff_id, "level": level, "street_code": street, "road_id": road_id, "segment_id": None}


# --- after the history: cases on their segments, the 路长办's findings -------------------------------

FINDINGS_PER_SEGMENT_DAY = 0.05  # the 路长办's 日督查: about one and a half findings per segment a month
FINDING_PROBLEMS = ("沿街门店店外经营", "人行道积存垃圾", "非机动车乱停放", "牛皮癣小广告", "井盖破损",
                    "绿篱内垃圾杂物", "占道堆放建材", "门头牌匾破损", "护栏污渍未擦拭", "流动摊点")


def finish_roads(db: Any, segments: list[dict[str, Any]], seed: int, now: Any, days: int) -> dict[str, int]:
    """Snap the history's cases to their segments (the rule of `report_case`) and write the findings
    of the history's days (their own random stream: the rest of the demo draws nothing less)."""
    from datetime import timedelta

    from sqlalchemy import insert

    from console.data import models as m
    from console.data.roads import snap_cases_to_segments

    snapped = snap_cases_to_segments(db)
    rnd = random.Random(f"roads-{seed}")
    start = now - timedelta(days=days)
    rows = []
    for _ in range(round(len(segments) * days * FINDINGS_PER_SEGMENT_DAY)):
        seg = segments[rnd.randrange(len(segments))]
        found = start + timedelta(seconds=rnd.uniform(0, max(days, 0) * 86400))
        rows.append({"segment_id": seg["id"], "problem": rnd.choice(FINDING_PROBLEMS), "photo": None,
                     "found_at": found, "found_by": "路长办督查组", "recorded_by": "demo", "recorded_seat": None,
                     "recorded_at": found, "case_id": None})
    rows.sort(key=lambda r: r["found_at"])
    if rows:
        with db.write() as s:
            s.execute(insert(m.RoadFinding.__table__), rows)
    return {"cases_on_segments": snapped, "road_findings": len(rows)}

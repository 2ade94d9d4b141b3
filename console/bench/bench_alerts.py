"""Benchmark: alerts at scale on a generated demo database (writes acknowledgements into it).

- how many alerts a seat starting now holds: every running yellow/red case (the
  standing state, the old banner) against the light changes of the last hour
  (what the alert clock raises);
- acknowledging N alerts in one command (`全部确认`) against N single
  acknowledgements, one transaction each (the baseline), on different alerts
  of the same database in the same run.

Run: ``python -m console.bench.bench_alerts URL`` (prints one JSON line).
"""
from __future__ import annotations

import json
import sys
import time
from datetime import datetime, timezone
from typing import Any

from console.data.alerts import AlertKey, acknowledge
from console.data.commands import Actor
from console.data.db import Database
from console.data.queue_and_detail import load_queue
from console.domain.clocks import Light
from console.services.alerts import RECENT
from console.widgets.queue_model import clock_light

SHIFT = Actor("bench", "shift_lead", seat="bench")


def lit_keys(db: Database, now: datetime) -> list[tuple[AlertKey, datetime | None]]:
    """Every running yellow/red case of the district, with the time its light changed."""
    thresholds = db.rules().thresholds
    out = []
    for row in load_queue(db):
        if not row.has_clock or row.paused:
            continue
        light = clock_light(now, yellow_at=row.yellow_at, red_at=row.red_at, consumed_minutes=row.consumed_minutes,
                            total_minutes=row.total_minutes, thresholds=thresholds)
        if light in (Light.YELLOW, Light.RED):
            since = row.red_at if light == Light.RED else row.yellow_at
            out.append((AlertKey(row.id, row.step, row.clock_round or 1, str(light)), since))
    return out


def run(url: str, *, n: int = 500, now: datetime | None = None) -> dict[str, Any]:
    db = Database(url)
    try:
        now = now or datetime.now(timezone.utc)
        lit = lit_keys(db, now)
        recent = [k for k, since in lit if since is not None and now - since <= RECENT]
        keys = [k for k, _ in lit]
        n = min(n, len(keys) // 2)
        result: dict[str, Any] = {"running_yellow_red": len(lit), "alerts_at_start": len(recent), "n": n}
        if n == 0:
            return result
        t0 = time.perf_counter()
        for key in keys[:n]:
            acknowledge(db, SHIFT, [key], note="单条确认", at=now)
        single = time.perf_counter() - t0
        t0 = time.perf_counter()
        bulk_count = acknowledge(db, SHIFT, keys[n:2 * n], note="全部确认", at=now)
        bulk = time.perf_counter() - t0
        result.update(single_acks_ms=round(single * 1000, 1), bulk_ack_ms=round(bulk * 1000, 1),
                      bulk_acknowledged=bulk_count, bulk_speedup=round(single / bulk, 1) if bulk else None)
        return result
    finally:
        db.dispose()


if __name__ == "__main__":
    at = datetime.fromisoformat(sys.argv[2]) if len(sys.argv) > 2 else None  # e.g. 2026-12-02T09:30+08:00
    print(json.dumps(run(sys.argv[1], now=at), ensure_ascii=False))

"""Benchmark: light evaluation for many open cases, naive vs precomputed marks.

naive: ``clock.light(now, calendar, thresholds)`` per case (elapsed through the calendar).
fast:  ``lights_for(now, marks)`` over each running clock's stored (yellow_at, red_at).
Both run in the same process on the same clocks and must give identical lights.

Run: ``python -m console.bench.bench_lights`` (prints one JSON line).
"""

from __future__ import annotations

import json
import random
import time
from collections import Counter
from datetime import datetime, timedelta

import numpy as np

from console.domain.calendar import Limit, default_calendar
from console.domain.clocks import (
    DEFAULT_THRESHOLDS,
    Light,
    Step,
    StepClock,
    count_lights,
    epoch_us,
    lights_for,
)

LIMITS = [Limit.parse(t) for t in ("30wmin", "60wmin", "2wh", "4wh", "1wd", "5wd", "15wd", "6h", "36h", "2d")]
NOW = datetime(2026, 3, 11, 10, 15, tzinfo=default_calendar().tz)


def _random_clock(rng: random.Random) -> StepClock:
    calendar = default_calendar()
    start = NOW - timedelta(minutes=rng.randrange(0, 4 * 24 * 60))
    clock = StepClock.start(rng.choice(list(Step)), rng.choice(LIMITS), start, calendar)
    if rng.random() < 0.2:  # some were on hold (挂账) for a while
        hold = start + (NOW - start) * rng.random() * 0.5
        clock = clock.pause(hold, calendar).resume(hold + (NOW - hold) * rng.random())
    if rng.random() < 0.1:  # some were extended (延期), in the clock's own time family
        clock = clock.extend(rng.choice([lim for lim in LIMITS if lim.kind is clock.kind]), calendar)
    return clock


def build_clocks(n: int, seed: int = 20260311) -> list[StepClock]:
    rng = random.Random(seed)
    return [_random_clock(rng) for _ in range(n)]


def _per_second(count: int, seconds: float) -> float:
    return count / seconds if seconds > 0 else float("inf")


def run(n: int = 100_000) -> dict:
    calendar, thresholds = default_calendar(), DEFAULT_THRESHOLDS
    clocks = build_clocks(n)

    t0 = time.perf_counter()
    naive = [clock.light(NOW, calendar, thresholds) for clock in clocks]
    naive_s = time.perf_counter() - t0

    t0 = time.perf_counter()
    marks = [clock.marks(calendar, thresholds) for clock in clocks]  # done once, on write
    precompute_s = time.perf_counter() - t0

    now = NOW.astimezone(calendar.tz)
    t0 = time.perf_counter()
    fast = lights_for(now, marks)
    fast_s = time.perf_counter() - t0
    assert fast == naive, "fast path disagrees with the naive path"

    yellow = np.fromiter((epoch_us(m.yellow_at) for m in marks), dtype=np.int64, count=n)
    red = np.fromiter((epoch_us(m.red_at) for m in marks), dtype=np.int64, count=n)
    now_us = epoch_us(now)
    t0 = time.perf_counter()
    counts = count_lights(now_us, yellow, red)
    numpy_s = time.perf_counter() - t0
    assert counts == {light: Counter(naive)[light] for light in Light}, "numpy counts disagree"

    naive_rate, fast_rate = _per_second(n, naive_s), _per_second(n, fast_s)
    return {
        "cases": n,
        "naive_cases_per_s": round(naive_rate),
        "fast_cases_per_s": round(fast_rate),
        "speedup": round(fast_rate / naive_rate, 1),
        "numpy_count_cases_per_s": round(_per_second(n, numpy_s)),
        "precompute_marks_cases_per_s": round(_per_second(n, precompute_s)),
        "lights": {light.value: count for light, count in counts.items()},
    }


if __name__ == "__main__":
    print(json.dumps(run()))

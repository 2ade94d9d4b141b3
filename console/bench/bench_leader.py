"""Benchmark: the leader seat's first paint against the figures' own time, in the same run.

The baseline is `load_board` alone (every figure of the board: comparison, both rankings,
overdue by department, the 督办 list, the month's flags), called directly; the measured
side builds the LeaderSeat (its controller's worker reads the same board), shows it and
grabs its first full frame.  The ratio says what the window adds on top of the reads.

Run: ``python -m console.bench.bench_leader URL [--kind day|week|month] [--repeat 3]`` (one JSON line).
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from datetime import datetime, timezone
from typing import Any

from console.bench.run import timed


def _first_paint(db, kind: str, now: datetime) -> float:  # noqa: ANN001
    """ms from creating the seat to its first frame with the board on it."""
    from PySide6.QtCore import QEventLoop, QTimer

    from console.services.session import Seat, demo_session
    from console.widgets.leader import LeaderSeat

    session = demo_session(db, Seat("leader"))
    t0 = time.perf_counter()
    window = LeaderSeat(session, clock=lambda: now)
    window.show_period(kind)  # the day's board is read first; another kind reads again
    window.resize(1920, 1080)
    window.show()
    loop = QEventLoop()
    window.sig_board_shown.connect(lambda _board: loop.quit())
    QTimer.singleShot(120_000, loop.quit)
    if window.board is None or window.board.kind != kind:
        loop.exec()
    window.grab()  # the first full frame
    elapsed = (time.perf_counter() - t0) * 1000
    window.close()
    window.deleteLater()
    return elapsed


def run(url: str, *, kind: str = "day", repeat: int = 3, now: datetime | None = None) -> dict[str, Any]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from console.app import make_application
    from console.data.db import Database
    from console.services.leader import load_board

    make_application()
    db = Database(url)
    now = now or datetime.now(timezone.utc)
    try:
        figures = timed(lambda: load_board(db, kind, now), repeat)
        cold, *warm = [_first_paint(db, kind, now) for _ in range(repeat + 1)]
        warm_ms = statistics.median(warm or [cold])
        board = figures["result"]
        return {
            "database": db.dialect, "kind": kind, "streets": len(board.streets), "departments": len(board.departments),
            "supervisions": len(board.supervisions), "figures_ms": round(figures["median"], 1),
            "first_paint_cold_ms": round(cold, 1), "first_paint_ms": round(warm_ms, 1),
            "ratio": round(warm_ms / figures["median"], 2) if figures["median"] else None,  # paint / figures
        }
    finally:
        db.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m console.bench.bench_leader", description=__doc__.split("\n")[0])
    parser.add_argument("url")
    parser.add_argument("--kind", choices=("day", "week", "month"), default="day")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    print(json.dumps(run(args.url, kind=args.kind, repeat=args.repeat), ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())

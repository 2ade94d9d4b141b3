"""Benchmark: 10,000 case markers on the operator map, by delta versus page regeneration.

delta:   ``CaseMapView.upsert_cases(markers)`` with auto-fit off: one JSON message through
         the bridge, timed until the page has indexed every marker (``delta_ms``) and
         until the case canvas is drawn and the frame painted (``delta_painted_ms``,
         software rendering offscreen).
rebuild: regenerate the folium page with the same markers baked in and reload it,
         timed until the page's bridge says ready (what the delta API avoids).
Both run in one process on the same synthetic district (1,000 unit grids) in an
offscreen 1920x1080 view.  Issue target: delta at least 20x faster and under 150 ms.

Run: ``QT_QPA_PLATFORM=offscreen QTWEBENGINE_CHROMIUM_FLAGS=--no-sandbox python -m console.bench.bench_map``
(prints one JSON line).
"""
from __future__ import annotations

import json
import os
import random
import sys
import time
from typing import Callable

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QTWEBENGINE_CHROMIUM_FLAGS", "--no-sandbox")

import shapely  # noqa: E402
from PySide6.QtCore import QEventLoop, QTimer  # noqa: E402

from console.data.map_layers import Area, CameraPoint, CaseMarker, MapLayers  # noqa: E402
from console.widgets.map_view import CaseMapView, register_app_scheme  # noqa: E402

X0, Y0, COLS, ROWS, CELL = 117.50, 26.20, 40, 25, 0.004
LIGHTS = ["green"] * 14 + ["yellow"] * 4 + ["red"] * 2


def district() -> MapLayers:
    """4 streets x 10 communities x 25 grids of 0.004 degrees (about 400 m)."""
    grids = [Area(f"35040200{c // 10 + 1}{(r // 5) * 2 + c % 10 // 5 + 1:03d}{(r % 5) * 5 + c % 5 + 1:03d}",
                  f"网格{r:02d}{c:02d}", shapely.box(X0 + c * CELL, Y0 + r * CELL, X0 + (c + 1) * CELL, Y0 + (r + 1) * CELL))
             for r in range(ROWS) for c in range(COLS)]
    communities = [Area(f"{s}{k:03d}", f"社区{s[-1]}{k:02d}",
                        shapely.box(X0 + (si * 10 + (k - 1) % 2 * 5) * CELL, Y0 + (k - 1) // 2 * 5 * CELL,
                                    X0 + (si * 10 + (k - 1) % 2 * 5 + 5) * CELL, Y0 + ((k - 1) // 2 + 1) * 5 * CELL))
                   for si, s in enumerate(f"35040200{i}" for i in range(1, 5)) for k in range(1, 11)]
    streets = [Area(f"35040200{i + 1}", f"第{i + 1}街道",
                    shapely.box(X0 + i * 10 * CELL, Y0, X0 + (i + 1) * 10 * CELL, Y0 + ROWS * CELL)) for i in range(4)]
    cameras = [CameraPoint(f"3402000000132{i:07d}", f"摄像头{i}", X0 + (i % 40 + 0.5) * CELL, Y0 + (i // 40 + 0.5) * CELL,
                           ("online", "online", "offline", "fault")[i % 4]) for i in range(200)]
    return MapLayers(streets, communities, grids, cameras)


def markers(n: int, seed: int = 7) -> list[CaseMarker]:
    rng = random.Random(seed)
    return [CaseMarker(i, f"2026-{i:07d}", X0 + rng.random() * COLS * CELL, Y0 + rng.random() * ROWS * CELL,
                       rng.choice(LIGHTS), "暴露垃圾", None) for i in range(1, n + 1)]


def _wait(start: Callable[[Callable[..., None]], None], timeout_s: float = 120.0) -> list:
    """Run `start(done)` and spin an event loop until done(...) is called."""
    loop, got = QEventLoop(), []

    def done(*args) -> None:
        got.append(args)
        loop.quit()

    start(done)
    if not got:
        QTimer.singleShot(int(timeout_s * 1000), loop.quit)
        loop.exec()
    if not got:
        raise TimeoutError("map benchmark: the page did not answer in time")
    return got[0]


def _wait_ready(view: CaseMapView, trigger: Callable[[], None]) -> None:
    def start(done):
        view.sig_ready.connect(done)
        trigger()
    _wait(start)
    view.sig_ready.disconnect()


def _js_int(view: CaseMapView, script: str) -> int:
    return int(_wait(lambda done: view.run_js(script, done))[0])


def _settle(view: CaseMapView) -> None:
    """Wait until the page's main thread is idle (the first paint of a fresh page is slow offscreen)."""
    for _ in range(200):
        t0 = time.perf_counter()
        _wait(lambda done: view.run_js("'1'", done))
        if time.perf_counter() - t0 < 0.005:
            return


def run(n: int = 10_000) -> dict:
    register_app_scheme()
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([sys.argv[0] if sys.argv else "bench_map"])
    layers, cases = district(), markers(n)
    view = CaseMapView()
    view.resize(1920, 1080)
    view.show()
    try:
        _wait_ready(view, lambda: view.build(layers))
        view.set_auto_fit(False)  # the operator's view stays put: a pure delta, no refit
        _settle(view)

        t0 = time.perf_counter()
        _wait(lambda done: view.upsert_cases(cases, on_done=done))
        delta_s = time.perf_counter() - t0  # indexed in the page; the canvas draws on the next frame
        _js_int(view, "'1'")  # returns once that frame is drawn and painted (software, offscreen)
        painted_s = time.perf_counter() - t0
        drawn = _js_int(view, "JSON.stringify(uc.drawn)")
        indexed = _js_int(view, "JSON.stringify(uc.cases.size)")

        t0 = time.perf_counter()
        _wait_ready(view, lambda: view.build(layers, bake_cases=cases))
        rebuild_s = time.perf_counter() - t0
        baked = _js_int(view, "JSON.stringify(uc.caseLayer.getLayers().length - 1)")  # minus the canvas
        errors = list(view.console_errors)
    finally:
        view.close()
        view.deleteLater()
        _wait(lambda done: QTimer.singleShot(200, done))
    _ = app
    return {
        "n": n, "delta_ms": round(delta_s * 1000, 1), "delta_painted_ms": round(painted_s * 1000, 1), "rebuild_ms": round(rebuild_s * 1000, 1),
        "ratio": round(rebuild_s / delta_s, 1), "ratio_painted": round(rebuild_s / painted_s, 1), "indexed": indexed, "drawn_in_view": drawn,
        "baked_markers": baked, "js_errors": errors,
        "target_met": painted_s < 0.150 and rebuild_s / painted_s >= 20,
    }


if __name__ == "__main__":
    print(json.dumps(run(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)))

"""Benchmark: coordinates on PROJ against the hand-written maths they replaced (issue 9).

after:  ``console.domain`` as it is: pyproj Transformers for Gauss-Krüger, pyproj.Geod
        for areas (rings cut into 11 m steps) and distances.
before: issue 8's own code, kept here only as the baseline: Krüger's n-series to 6th
        order (numpy), the ellipsoidal cylindrical equal-area projection for areas,
        haversine on a 6 371 008.8 m sphere for distances.

On the city demo's 702 unit grids (in CGCS2000 3-degree Gauss-Krüger metres) and
5,000 camera points, in one process: layer to lon/lat at once, points one at a time
(what a camera import does), grid areas, and 200 "distances to every camera" queries.
Every figure is a ratio after/before (below 1: faster now) plus the medians in ms and
how far the two answers are apart.

Run: ``python -m console.bench.bench_crs`` (prints one JSON line).
"""
from __future__ import annotations

import json
import math
import random
from typing import Any, Callable

import numpy as np
import shapely

from console.bench.run import timed
from console.data import demo
from console.domain.crs import CRS, gk_zone_for_longitude, transform_geometry, transform_point
from console.domain.spatial import areas_m2, distances_m

_A, _F = 6378137.0, 1.0 / 298.257222101  # CGCS2000
_E2 = _F * (2.0 - _F)
_E = math.sqrt(_E2)


# --- before: issue 8's hand-written maths (the baseline only) ---------------------------


def _beta(n: float) -> tuple[float, ...]:
    n2, n3, n4, n5, n6 = n**2, n**3, n**4, n**5, n**6
    return (
        n / 2 - 2 * n2 / 3 + 37 * n3 / 96 - n4 / 360 - 81 * n5 / 512 + 96199 * n6 / 604800,
        n2 / 48 + n3 / 15 - 437 * n4 / 1440 + 46 * n5 / 105 - 1118711 * n6 / 3870720,
        17 * n3 / 480 - 37 * n4 / 840 - 209 * n5 / 4480 + 5569 * n6 / 90720,
        4397 * n4 / 161280 - 11 * n5 / 504 - 830251 * n6 / 7257600,
        4583 * n5 / 161280 - 108847 * n6 / 3991680,
        20648693 * n6 / 638668800,
    )


_N = _F / (2.0 - _F)
_RECTIFYING = _A / (1.0 + _N) * (1.0 + _N**2 / 4.0 + _N**4 / 64.0 + _N**6 / 256.0)
_BETA = _beta(_N)


def before_gk_inverse(x: Any, y: Any, lon0: float) -> tuple[np.ndarray, np.ndarray]:
    """Gauss-Krüger metres -> lon/lat, Karney 2011 eqs 11, 19-21 (issue 8's code)."""
    xi = np.asarray(y, dtype=float) / _RECTIFYING
    eta = (np.asarray(x, dtype=float) - 500_000.0) / _RECTIFYING
    xi_p, eta_p = xi.copy(), eta.copy()
    for j, bj in enumerate(_BETA, start=1):
        xi_p -= bj * np.sin(2 * j * xi) * np.cosh(2 * j * eta)
        eta_p -= bj * np.cos(2 * j * xi) * np.sinh(2 * j * eta)
    sinh_eta, cos_xi = np.sinh(eta_p), np.cos(xi_p)
    tau_p = np.sin(xi_p) / np.hypot(sinh_eta, cos_xi)
    lam = np.arctan2(sinh_eta, cos_xi)
    tau = tau_p.copy()
    for _ in range(5):
        sq = np.sqrt(1.0 + tau * tau)
        sigma = np.sinh(_E * np.arctanh(_E * tau / sq))
        tau_i = tau * np.sqrt(1.0 + sigma * sigma) - sigma * sq
        tau = tau + (tau_p - tau_i) / np.sqrt(1.0 + tau_i * tau_i) * (1.0 + (1 - _E2) * tau * tau) / ((1 - _E2) * sq)
    return np.degrees(lam) + lon0, np.degrees(np.arctan(tau))


def before_areas_m2(geoms: np.ndarray) -> np.ndarray:
    """Ellipsoidal cylindrical equal-area projection of every vertex, then planar area."""
    lon0 = float(np.mean(shapely.total_bounds(geoms)[[0, 2]]))

    def project(c: np.ndarray) -> np.ndarray:
        s = np.sin(np.radians(c[:, 1]))
        q = (1 - _E2) * (s / (1 - _E2 * s * s) - np.log((1 - _E * s) / (1 + _E * s)) / (2 * _E))
        return np.column_stack((_A * np.radians(c[:, 0] - lon0), _A * q / 2.0))

    return shapely.area(shapely.transform(geoms, project))


def before_distances_m(lon: float, lat: float, lons: np.ndarray, lats: np.ndarray) -> np.ndarray:
    lon1, lat1, lon2, lat2 = math.radians(lon), math.radians(lat), np.radians(lons), np.radians(lats)
    h = np.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return 2.0 * 6371008.8 * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))


# --- the run ------------------------------------------------------------------------------


def _median_ms(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    # the warm-up run of timed() builds the caches (PROJ pipelines, STRtrees) once per process
    times = timed(fn, repeat)
    return times["median"], times["result"]


def _pair(name: str, after: Callable[[], Any], before: Callable[[], Any], repeat: int) -> tuple[dict[str, Any], Any, Any]:
    after_ms, a = _median_ms(after, repeat)
    before_ms, b = _median_ms(before, repeat)
    return {f"{name}_after_ms": round(after_ms, 2), f"{name}_before_ms": round(before_ms, 2),
            f"{name}_ratio": round(after_ms / before_ms, 2) if before_ms else None}, a, b


def city_grids(seed: int = 1) -> np.ndarray:
    """The city demo's 702 unit grids in lon/lat, as `urban-console demo --scale city` draws them."""
    geo = demo.build_geography(demo.SCALES["city"], np.random.default_rng([seed, 1]), random.Random(f"demo-{seed}"))
    arr = np.empty(len(geo.grids), dtype=object)
    arr[:] = [g.geom for g in geo.grids]
    return arr


def run(points: int = 5_000, queries: int = 200, repeat: int = 5) -> dict[str, Any]:
    lonlat = city_grids()
    gk = gk_zone_for_longitude(float(np.mean(shapely.total_bounds(lonlat)[[0, 2]])))
    metres = transform_geometry(lonlat, CRS.WGS84, gk)
    rng = np.random.default_rng(9)
    west, south, east, north = shapely.total_bounds(lonlat)
    lons, lats = rng.uniform(west, east, points), rng.uniform(south, north, points)
    xs, ys = (np.asarray(v) for v in zip(*(transform_point(x, y, CRS.WGS84, gk) for x, y in zip(lons, lats))))
    cm = gk.central_meridian
    out: dict[str, Any] = {"grids": len(lonlat), "points": points, "queries": queries}

    fig, a, b = _pair("layer", lambda: transform_geometry(metres, gk, CRS.WGS84),
                      lambda: shapely.transform(metres, lambda c: np.column_stack(before_gk_inverse(c[:, 0], c[:, 1], cm))),
                      repeat)
    out |= fig | {"layer_apart_m": round(float(np.abs(shapely.get_coordinates(a) - shapely.get_coordinates(b)).max())
                                         * 111_000, 6)}
    fig, a, b = _pair("points", lambda: [transform_point(x, y, gk, CRS.WGS84) for x, y in zip(xs, ys)],
                      lambda: [tuple(map(float, before_gk_inverse(x, y, cm))) for x, y in zip(xs, ys)], repeat)
    out |= fig | {"points_apart_m": round(float(np.abs(np.array(a) - np.array(b)).max()) * 111_000, 6)}
    fig, a, b = _pair("areas", lambda: areas_m2(lonlat), lambda: before_areas_m2(lonlat), repeat)
    out |= fig | {"areas_apart_rel": float(f"{np.max(np.abs(a / b - 1)):.2e}"), "city_km2": round(float(a.sum()) / 1e6, 2)}
    starts = list(zip(lons[:queries], lats[:queries]))
    fig, a, b = _pair("distances", lambda: [distances_m(x, y, lons, lats) for x, y in starts],
                      lambda: [before_distances_m(x, y, lons, lats) for x, y in starts], repeat)
    with np.errstate(invalid="ignore"):  # a query point's distance to itself: 0/0
        apart = max(np.nanmax(np.abs(p / q - 1)) for p, q in zip(a, b))
    out |= fig | {"distances_apart_rel": float(f"{apart:.2e}")}
    return out


if __name__ == "__main__":
    print(json.dumps(run()))

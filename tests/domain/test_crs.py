"""Tests for console.domain.crs: Gauss-Krüger zones and any EPSG/WKT on PROJ, GCJ-02, parsing, transforms."""

from __future__ import annotations

import math
import threading

import numpy as np
import pyproj
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from console.domain import crs as crs_mod
from console.domain.crs import (
    CRS,
    GaussKruger,
    gcj02_to_wgs84,
    gk_zone_for_longitude,
    out_of_china,
    parse_crs,
    pyproj_crs,
    transform_coords,
    transform_geometry,
    transform_point,
    wgs84_to_gcj02,
)
from console.domain.spatial import distance_m

# CGCS2000's published defining constants (GB/T 2000 国家大地坐标系), independent of PROJ
CGCS2000_A = 6378137.0
CGCS2000_F = 1.0 / 298.257222101
E2 = CGCS2000_F * (2 - CGCS2000_F)


def meridian_arc(lat_deg: float, a: float = CGCS2000_A, e2: float = E2) -> float:
    """Meridional arc from the equator by 64-point Gauss-Legendre quadrature
    of M'(phi) = a(1-e²)/(1-e² sin²phi)^1.5 (independent of PROJ)."""
    phi = math.radians(lat_deg)
    nodes, weights = np.polynomial.legendre.leggauss(64)
    t = 0.5 * phi * (nodes + 1.0)
    integrand = a * (1 - e2) / (1 - e2 * np.sin(t) ** 2) ** 1.5
    return float(0.5 * phi * np.sum(weights * integrand))


def redfearn_forward(lon: float, lat: float, lon0: float) -> tuple[float, float]:
    """Classic Gauss-Krüger power series in longitude difference (textbook form),
    accurate to well under a millimetre within 1.5° of the central meridian."""
    a, e2 = CGCS2000_A, E2
    ep2 = e2 / (1 - e2)
    B = math.radians(lat)
    lam = math.radians(lon - lon0)
    t = math.tan(B)
    eta2 = ep2 * math.cos(B) ** 2
    N = a / math.sqrt(1 - e2 * math.sin(B) ** 2)
    c = math.cos(B)
    X = meridian_arc(lat)
    north = (
        X
        + N / 2 * t * c**2 * lam**2
        + N / 24 * t * (5 - t**2 + 9 * eta2 + 4 * eta2**2) * c**4 * lam**4
        + N / 720 * t * (61 - 58 * t**2 + t**4 + 270 * eta2 - 330 * t**2 * eta2) * c**6 * lam**6
    )
    east = (
        N * c * lam
        + N / 6 * (1 - t**2 + eta2) * c**3 * lam**3
        + N / 120 * (5 - 18 * t**2 + t**4 + 14 * eta2 - 58 * t**2 * eta2) * c**5 * lam**5
    )
    return east + 500000.0, north


# --- Gauss-Krüger on PROJ ---------------------------------------------------------


def test_proj_uses_the_published_cgcs2000_ellipsoid() -> None:
    ellipsoid = pyproj_crs("cgcs2000").ellipsoid
    assert ellipsoid.semi_major_metre == CGCS2000_A
    assert ellipsoid.inverse_flattening == pytest.approx(1 / CGCS2000_F, abs=1e-9)
    assert pyproj_crs("cgcs2000-gk3:117").to_epsg() == 4548


@pytest.mark.parametrize("code", range(4491, 4555))
def test_every_cgcs2000_gauss_kruger_epsg_zone_is_the_zone_we_name(code: int) -> None:
    """Our operator names map onto PROJ's own zones: meridian, false easting, scale 1, CGCS2000."""
    gk = parse_crs(f"EPSG:{code}")
    params = {p.name: p.value for p in pyproj.CRS.from_epsg(code).coordinate_operation.params}
    assert params["Longitude of natural origin"] == gk.central_meridian
    assert params["False easting"] == gk.false_easting
    assert params["Scale factor at natural origin"] == 1.0 and params["False northing"] == 0.0
    assert pyproj.CRS.from_epsg(code).geodetic_crs.to_epsg() == 4490


def test_a_zone_is_exactly_what_proj_computes() -> None:
    lons, lats = np.linspace(116.0, 118.4, 50), np.linspace(24.0, 27.0, 50)
    x, y = GaussKruger(117.0).forward(lons, lats)
    px, py = pyproj.Transformer.from_crs(4490, 4548, always_xy=True).transform(lons, lats)
    assert x.tolist() == list(px) and y.tolist() == list(py)


@pytest.mark.parametrize("lat", [0.0, 18.3, 24.45, 26.27, 30.0, 39.9, 45.75, 53.5])
def test_central_meridian_maps_to_false_easting_and_meridian_arc(lat: float) -> None:
    x, y = GaussKruger(117.0).forward(117.0, lat)
    assert x == pytest.approx(500000.0, abs=1e-6)
    assert y == pytest.approx(meridian_arc(lat), abs=1e-6)


def test_meridian_arc_known_value_at_30_degrees() -> None:
    # UTM northing at 30°N on a central meridian is 0.9996 * arc = 3 318 785.353 m (GRS80)
    _, y = GaussKruger(123.0).forward(123.0, 30.0)
    assert y * 0.9996 == pytest.approx(3318785.353, abs=2e-3)


@pytest.mark.parametrize(
    "lon,lat",
    [(118.1, 24.48), (119.4, 26.1), (120.0, 31.2), (121.49, 31.24), (116.2, 39.9), (117.6, 26.3)],
)
def test_forward_agrees_with_textbook_gauss_kruger_series(lon: float, lat: float) -> None:
    gk = gk_zone_for_longitude(lon)
    x, y = gk.forward(lon, lat)
    rx, ry = redfearn_forward(lon, lat, gk.central_meridian)
    assert x == pytest.approx(rx, abs=1e-3)
    assert y == pytest.approx(ry, abs=1e-3)


def test_ordnance_survey_worked_example_through_any_epsg() -> None:
    """OS 'A guide to coordinate systems in Great Britain' worked example, OSGB36
    lon/lat (EPSG:4277) to the National Grid (EPSG:27700), by our EPSG front end:
    52°39'27.2531"N 1°43'4.5177"E -> E 651 409.903, N 313 177.270."""
    lat = 52 + 39 / 60 + 27.2531 / 3600
    lon = 1 + 43 / 60 + 4.5177 / 3600
    e, n = transform_point(lon, lat, "EPSG:4277", "EPSG:27700")
    assert e == pytest.approx(651409.903, abs=1.5e-3)
    assert n == pytest.approx(313177.270, abs=1.5e-3)
    assert transform_point(e, n, "EPSG:27700", "EPSG:4277") == pytest.approx((lon, lat), abs=1e-9)


@settings(max_examples=300, deadline=None)
@given(
    zone=st.integers(min_value=25, max_value=45),
    dlon=st.floats(min_value=-1.6, max_value=1.6),
    lat=st.floats(min_value=-80.0, max_value=80.0),
)
def test_gk_round_trip_is_sub_millimetre(zone: int, dlon: float, lat: float) -> None:
    gk = GaussKruger(3.0 * zone)
    x, y = gk.forward(gk.central_meridian + dlon, lat)
    lon2, lat2 = gk.inverse(x, y)
    # 1e-9 degrees is about 0.1 mm on the ground
    assert lon2 == pytest.approx(gk.central_meridian + dlon, abs=1e-9)
    assert lat2 == pytest.approx(lat, abs=1e-9)
    x2, y2 = gk.forward(lon2, lat2)
    assert abs(x2 - x) < 1e-4 and abs(y2 - y) < 1e-4


def test_gk_round_trip_far_from_the_central_meridian() -> None:
    lons = np.linspace(105.0, 135.0, 61)
    lats = np.linspace(18.0, 54.0, 61)
    gk = GaussKruger(120.0)
    lon2, lat2 = gk.inverse(*gk.forward(lons, lats))
    assert np.max(np.abs(lon2 - lons)) < 1e-9
    assert np.max(np.abs(lat2 - lats)) < 1e-9


@pytest.mark.parametrize("width", [3, 6])
def test_zone_prefix_adds_zone_millions_to_easting(width: int) -> None:
    plain, prefixed = GaussKruger(117.0, width), GaussKruger(117.0, width, True)
    px, py = plain.forward(117.4, 26.2)
    zx, zy = prefixed.forward(117.4, 26.2)
    assert zx - px == pytest.approx(prefixed.zone * 1_000_000.0, abs=1e-6) and zy == py
    assert prefixed.inverse(zx, zy) == pytest.approx((117.4, 26.2), abs=1e-10)


def test_a_city_meridian_without_an_epsg_code_is_a_cgcs2000_transverse_mercator() -> None:
    gk = GaussKruger(118.5)
    assert gk.epsg is None and pyproj_crs(gk).geodetic_crs.to_epsg() == 4490
    reference = pyproj.Transformer.from_crs(
        4490, "+proj=tmerc +lat_0=0 +lon_0=118.5 +k=1 +x_0=500000 +y_0=0 +ellps=GRS80 +units=m", always_xy=True)
    assert gk.forward(118.6, 26.3) == pytest.approx(reference.transform(118.6, 26.3), abs=1e-6)
    assert GaussKruger(60.0, 3, True).forward(60.0, 10.0)[0] == pytest.approx(20_500_000.0)  # zone 20, no EPSG


def test_gk_symmetry_about_central_meridian_and_equator() -> None:
    gk = GaussKruger(120.0)
    xe, ye = gk.forward(121.0, 30.0)
    xw, yw = gk.forward(119.0, 30.0)
    xs, ys = gk.forward(121.0, -30.0)
    assert xe - 500000 == pytest.approx(500000 - xw, abs=1e-6)
    assert ye == pytest.approx(yw, abs=1e-6)
    assert ys == pytest.approx(-ye, abs=1e-6)


def test_scalar_and_array_inputs() -> None:
    x, y = GaussKruger(117.0).forward(118.0, 24.0)
    assert isinstance(x, float) and isinstance(y, float)
    xs, ys = GaussKruger(117.0).forward([118.0, 118.5], [24.0, 24.5])
    assert isinstance(xs, np.ndarray) and xs.shape == (2,)
    assert xs[0] == pytest.approx(x)


def test_zone_for_longitude() -> None:
    assert gk_zone_for_longitude(118.1).central_meridian == 117.0
    assert gk_zone_for_longitude(118.6).central_meridian == 120.0
    assert gk_zone_for_longitude(118.1).zone == 39
    assert gk_zone_for_longitude(118.1, 6).central_meridian == 117.0
    assert gk_zone_for_longitude(118.1, 6).zone == 20
    with pytest.raises(ValueError, match="3 or 6"):
        gk_zone_for_longitude(118.1, 5)


def test_one_cached_transformer_per_pair_is_safe_across_threads() -> None:
    """Import and check run in worker threads: the shared PROJ pipeline gives each the same figures."""
    assert crs_mod._transformer(CRS.CGCS2000, GaussKruger(117.0)) is crs_mod._transformer(CRS.CGCS2000, GaussKruger(117.0))
    rng = np.random.default_rng(3)
    lons, lats = rng.uniform(116.0, 118.0, 20_000), rng.uniform(24.0, 27.0, 20_000)
    serial = GaussKruger(117.0).forward(lons, lats)
    results: list[tuple[np.ndarray, np.ndarray]] = []
    threads = [threading.Thread(target=lambda: results.append(GaussKruger(117.0).forward(lons, lats)))
               for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 8
    assert all(np.array_equal(x, serial[0]) and np.array_equal(y, serial[1]) for x, y in results)


# --- GCJ-02 (our own code: PROJ has none) ----------------------------------------------

# googollee/eviltransform, python/test.py (the same three points in its Go, C, PHP... tests):
# (wgs lon, lat), (gcj lon, lat). Its stated tolerances: wgs2gcj to 6 decimal places
# (assertAlmostEqual(..., 6)), gcj2wgs_exact within 0.5 m.
EVIL_VECTORS = [
    ((121.5272106, 31.1774276), (121.531541859215, 31.17530398364597)),  # Shanghai
    ((113.912316, 22.543847), (113.9171764808363, 22.540796131694766)),  # Shenzhen
    ((116.377817, 39.911954), (116.38404722455657, 39.91334545536069)),  # Beijing
]
# wandergis/coordtransform, README.md: wgs84togcj02(116.404, 39.915) -> [116.41024449916938, 39.91640428150164];
# its gcj02towgs84(116.404, 39.915) -> [116.39775550083061, 39.91359571849836] is the one-step
# approximation (eviltransform's gcj2wgs, stated to be within 5 m).
COORDTRANSFORM_WGS, COORDTRANSFORM_GCJ = (116.404, 39.915), (116.41024449916938, 39.91640428150164)
COORDTRANSFORM_ONE_STEP_WGS = (116.39775550083061, 39.91359571849836)


@pytest.mark.parametrize("wgs,gcj", EVIL_VECTORS + [(COORDTRANSFORM_WGS, COORDTRANSFORM_GCJ)])
def test_gcj02_forward_matches_published_vectors(wgs, gcj) -> None:
    lon, lat = wgs84_to_gcj02(*wgs)
    assert round(lon - gcj[0], 6) == 0 and round(lat - gcj[1], 6) == 0  # their stated tolerance
    assert lon == pytest.approx(gcj[0], abs=1e-12) and lat == pytest.approx(gcj[1], abs=1e-12)  # in fact: exact


@pytest.mark.parametrize("wgs,gcj", EVIL_VECTORS + [(COORDTRANSFORM_WGS, COORDTRANSFORM_GCJ)])
def test_gcj02_inverse_recovers_wgs84(wgs, gcj) -> None:
    lon, lat = gcj02_to_wgs84(*gcj)
    assert distance_m(lon, lat, *wgs) < 0.5  # eviltransform's gcj2wgs_exact tolerance
    assert abs(lon - wgs[0]) < 1e-9 and abs(lat - wgs[1]) < 1e-9  # ours: ~0.1 mm


def test_gcj02_inverse_is_within_the_one_step_approximation_tolerance() -> None:
    exact = gcj02_to_wgs84(*COORDTRANSFORM_WGS)
    assert distance_m(*exact, *COORDTRANSFORM_ONE_STEP_WGS) < 5.0
    assert wgs84_to_gcj02(*exact) == pytest.approx(COORDTRANSFORM_WGS, abs=1e-10)


@settings(max_examples=200, deadline=None)
@given(lon=st.floats(min_value=73.0, max_value=135.0), lat=st.floats(min_value=18.0, max_value=53.0))
def test_gcj02_round_trip_inside_china(lon: float, lat: float) -> None:
    g = wgs84_to_gcj02(lon, lat)
    w = gcj02_to_wgs84(*g)
    assert abs(w[0] - lon) < 1e-9 and abs(w[1] - lat) < 1e-9


def test_gcj02_offset_is_hundreds_of_metres_in_china_and_zero_abroad() -> None:
    lon, lat = wgs84_to_gcj02(118.1, 24.48)  # Xiamen
    assert 100 < distance_m(lon, lat, 118.1, 24.48) < 1000
    assert wgs84_to_gcj02(-104.9903, 39.7392) == (-104.9903, 39.7392)  # Denver
    assert gcj02_to_wgs84(2.35, 48.85) == (2.35, 48.85)  # Paris
    assert out_of_china(2.35, 48.85) and not out_of_china(118.1, 24.48)
    with pytest.raises(ValueError, match="GCJ-02 has no PROJ definition"):
        pyproj_crs("gcj02")


# --- parse_crs --------------------------------------------------------------


@pytest.mark.parametrize(
    "text,expected",
    [
        ("wgs84", CRS.WGS84),
        ("WGS-84", CRS.WGS84),
        ("EPSG:4326", CRS.WGS84),
        ("gcj02", CRS.GCJ02),
        ("GCJ-02", CRS.GCJ02),
        ("cgcs2000", CRS.CGCS2000),
        ("epsg:4490", CRS.CGCS2000),
        ("cgcs2000-gk3:120", GaussKruger(120.0)),
        ("CGCS2000-GK3:117", GaussKruger(117.0)),
        ("cgcs2000-gk3:z40", GaussKruger(120.0, 3, True)),
        ("cgcs2000-gk3:118.5", GaussKruger(118.5)),
        ("cgcs2000-gk6:117", GaussKruger(117.0, 6)),
        ("cgcs2000-gk6:z20", GaussKruger(117.0, 6, True)),
        ("EPSG:4549", GaussKruger(120.0)),
        ("EPSG:4534", GaussKruger(75.0)),
        ("EPSG:4554", GaussKruger(135.0)),
        ("EPSG:4528", GaussKruger(120.0, 3, True)),
        ("EPSG:4513", GaussKruger(75.0, 3, True)),
        ("EPSG:4533", GaussKruger(135.0, 3, True)),
        ("EPSG:4527", GaussKruger(117.0, 3, True)),
        ("EPSG:4502", GaussKruger(75.0, 6)),
        ("EPSG:4498", GaussKruger(117.0, 6, True)),
    ],
)
def test_parse_crs_accepts_names_and_epsg(text: str, expected) -> None:
    assert parse_crs(text) == expected


def test_epsg_codes_and_names_round_trip() -> None:
    for code in range(4491, 4555):
        crs = parse_crs(f"EPSG:{code}")
        assert crs.epsg == code
        assert parse_crs(str(crs)) == crs
    for geo in CRS:
        assert parse_crs(str(geo)) is geo
    assert GaussKruger(118.5).epsg is None
    assert GaussKruger(120.0, 3, True).false_easting == 40_500_000.0
    assert GaussKruger(120.0).false_easting == 500_000.0


@pytest.mark.parametrize("text", ["", "utm50", "EPSG:99999", "EPSG:1", "cgcs2000-gk4:120", "cgcs2000-gk3:z0"])
def test_parse_crs_rejects_unknown_text_naming_it(text: str) -> None:
    with pytest.raises(ValueError) as info:
        parse_crs(text)
    assert repr(text) in str(info.value)
    assert "wgs84" in str(info.value) and "cgcs2000-gk3" in str(info.value)


def test_gauss_kruger_rejects_bad_parameters() -> None:
    with pytest.raises(ValueError, match="zone width"):
        GaussKruger(120.0, 4)
    with pytest.raises(ValueError, match="not a standard"):
        GaussKruger(118.5, 3, True)
    with pytest.raises(ValueError, match="outside"):
        GaussKruger(200.0)


# --- transforms -------------------------------------------------------------


def test_transform_point_between_all_systems() -> None:
    lon, lat = 118.0894, 24.4798
    gk = parse_crs("cgcs2000-gk3:117")
    x, y = transform_point(lon, lat, "wgs84", gk)
    assert (x, y) == pytest.approx(GaussKruger(117.0).forward(lon, lat))
    assert transform_point(x, y, gk, CRS.WGS84) == pytest.approx((lon, lat), abs=1e-10)
    assert transform_point(lon, lat, "wgs84", "cgcs2000") == (lon, lat)
    g = transform_point(lon, lat, "wgs84", "gcj02")
    assert g == pytest.approx(wgs84_to_gcj02(lon, lat))
    # gcj02 -> projected goes through WGS-84
    assert transform_point(*g, "gcj02", gk) == pytest.approx((x, y), abs=1e-3)
    # zone-prefixed to plain, same meridian: only the prefix changes
    zx, zy = transform_point(x, y, gk, "cgcs2000-gk3:z39")
    assert (zx - 39_000_000, zy) == pytest.approx((x, y), abs=1e-6)
    # neighbouring zone: the point is re-projected, not copied
    x120, _ = transform_point(x, y, gk, "EPSG:4549")
    assert x120 < 500000 - 150000


def test_wgs84_and_cgcs2000_are_one_frame_as_in_proj() -> None:
    # PROJ knows only a "ballpark" (zero) offset between the two: so does the console
    proj = pyproj.Transformer.from_crs(4326, 4490, always_xy=True)
    assert "Ballpark" in proj.description
    lons, lats = np.array([117.61, 121.4]), np.array([26.27, 31.2])
    assert [list(v) for v in transform_coords(lons, lats, "wgs84", "cgcs2000")] == [list(v) for v in proj.transform(lons, lats)]
    assert transform_point(117.61, 26.27, "wgs84", "cgcs2000-gk3:117") == transform_point(117.61, 26.27, "cgcs2000", "EPSG:4548")


def test_transform_coords_is_vectorised_and_copies() -> None:
    xs = np.array([118.0, 118.1])
    ys = np.array([24.4, 24.5])
    ox, oy = transform_coords(xs, ys, "wgs84", "wgs84")
    ox[0] = 0
    assert xs[0] == 118.0


def test_transform_geometry_polygon_round_trip() -> None:
    poly = shapely.box(118.05, 24.45, 118.07, 24.47)
    gk = GaussKruger(117.0)
    projected = transform_geometry(poly, CRS.WGS84, gk)
    assert projected.area == pytest.approx(2007.0 * 2222.0, rel=0.01)  # ~2 km x ~2.2 km
    back = transform_geometry(projected, gk, CRS.WGS84)
    assert shapely.equals_exact(back, poly, tolerance=1e-9)
    assert transform_geometry(poly, "cgcs2000", "wgs84") is poly


def test_transform_geometry_on_10k_polygons_matches_pointwise() -> None:
    rng = np.random.default_rng(7)
    lons = rng.uniform(117.9, 118.3, 10_000)
    lats = rng.uniform(24.3, 24.7, 10_000)
    polys = shapely.box(lons, lats, lons + 0.001, lats + 0.001)
    out = transform_geometry(polys, "wgs84", "gcj02")
    assert len(out) == 10_000
    first = shapely.get_coordinates(out[0])[0]
    assert tuple(first) == pytest.approx(wgs84_to_gcj02(*shapely.get_coordinates(polys[0])[0]))
    back = transform_geometry(out, "gcj02", "wgs84")
    err = np.abs(shapely.get_coordinates(back) - shapely.get_coordinates(polys))
    assert err.max() < 1e-7
    as_list = transform_geometry(list(polys[:3]), "wgs84", "cgcs2000-gk3:117")
    assert len(as_list) == 3 and as_list[0].area > 10_000


# --- pyproj: any EPSG code or WKT ---------------------------------------------

from console.domain.crs import ProjCRS, check_coordinates, crs_from_wkt, same_crs  # noqa: E402


def test_other_epsg_codes_go_through_pyproj() -> None:
    utm = parse_crs("EPSG:32650")
    assert isinstance(utm, ProjCRS) and not utm.is_geographic and "UTM zone 50N" in utm.name
    x, y = transform_point(117.61, 26.27, "wgs84", utm)
    assert (x, y) == pytest.approx(pyproj.Transformer.from_crs(4326, 32650, always_xy=True).transform(117.61, 26.27))
    assert transform_point(x, y, utm, "wgs84") == pytest.approx((117.61, 26.27), abs=1e-9)


@pytest.mark.parametrize("code, expected", [(4547, GaussKruger(114.0)), (4490, CRS.CGCS2000), (4326, CRS.WGS84),
                                            (4527, GaussKruger(117.0, 3, True))])
def test_a_prj_naming_one_of_our_systems_is_read_as_it(code, expected) -> None:
    for version in ("WKT1_ESRI", "WKT2_2019"):
        assert crs_from_wkt(pyproj.CRS.from_epsg(code).to_wkt(version)) == expected


def test_a_custom_wkt_is_honoured() -> None:
    # a city's own transverse Mercator on CGCS2000 (no EPSG code): pyproj does the maths
    wkt = pyproj.CRS.from_proj4("+proj=tmerc +lat_0=0 +lon_0=117.5 +k=1 +x_0=500000 +y_0=0 +ellps=GRS80 +units=m").to_wkt()
    custom = parse_crs(wkt)
    assert isinstance(custom, ProjCRS)
    x, y = transform_point(117.61, 26.27, "wgs84", custom)
    assert (x, y) == pytest.approx(transform_point(117.61, 26.27, "wgs84", "cgcs2000-gk3:117.5"), abs=0.01)


@pytest.mark.parametrize("name", ["cgcs2000-gk3:117.5", "cgcs2000-gk3:z20", "cgcs2000-gk6:z8", "cgcs2000-gk3:118.25"])
@pytest.mark.parametrize("version", ["WKT1_ESRI", "WKT1_GDAL", "WKT2_2019"])
def test_a_prj_of_a_gauss_kruger_without_epsg_code_is_read_by_its_name(name: str, version: str) -> None:
    assert str(crs_from_wkt(pyproj_crs(name).to_wkt(version))) == name


def test_a_transverse_mercator_that_is_not_gauss_kruger_stays_a_proj_crs() -> None:
    for proj4 in ("+proj=tmerc +lat_0=0 +lon_0=117.5 +k=0.9996 +x_0=500000 +y_0=0 +ellps=GRS80 +units=m",  # scale
                  "+proj=tmerc +lat_0=0 +lon_0=117.5 +k=1 +x_0=500000 +y_0=0 +ellps=GRS80 +units=us-ft",  # feet
                  "+proj=tmerc +lat_0=0 +lon_0=117.5 +k=1 +x_0=500000 +y_0=0 +ellps=krass +units=m"):  # Beijing 54
        assert isinstance(crs_from_wkt(pyproj.CRS.from_proj4(proj4).to_wkt()), ProjCRS)


def test_same_crs_means_the_same_coordinates() -> None:
    assert same_crs("cgcs2000-gk3:117", "EPSG:4509")  # 3° and 6° zones share the 117°E meridian
    assert same_crs("wgs84", "cgcs2000") and same_crs("EPSG:32650", pyproj.CRS.from_epsg(32650).to_wkt())
    assert not same_crs("cgcs2000-gk3:z39", "cgcs2000-gk6:z20")  # same meridian, other zone prefix
    assert not same_crs("cgcs2000-gk3:117", "cgcs2000-gk3:120") and not same_crs("gcj02", "wgs84")
    assert not same_crs("EPSG:32650", "cgcs2000-gk3:117")


def test_unreadable_wkt_is_refused_naming_it() -> None:
    with pytest.raises(ValueError, match="unreadable coordinate system WKT 'PROJCS\\[garbage"):
        crs_from_wkt('PROJCS[garbage')


# --- check_coordinates ----------------------------------------------------------

DISTRICT_EXTENT = (117.60, 26.26, 117.64, 26.28)


@pytest.mark.parametrize("x, y, crs, expected", [
    (math.nan, 26.27, "wgs84", "NaN or infinite"),
    (117.61, math.inf, "wgs84", "NaN or infinite"),
    (-math.inf, 26.27, "gcj02", "NaN or infinite"),
    (560_907.9, 2_905_728.7, "wgs84", "looks like projected metres; pass --crs cgcs2000-gk3:117"),
    (39_560_907.9, 2_905_728.7, "wgs84", "pass --crs cgcs2000-gk3:z39"),
    (26.27, 117.61, "wgs84", "latitude/longitude swapped"),
    (190.0, 26.27, "wgs84", "degrees outside ±180/±90"),
    (117.61, 26.27, "cgcs2000-gk3:117", "looks like lon/lat degrees, not projected metres; pass --crs wgs84"),
    (117.61, 36.27, "wgs84", "far outside the district's extent"),
    (1e9, 2_905_728.7, "cgcs2000-gk3:117", "outside the range of cgcs2000-gk3:117"),
    (500_000.0, 1e9, "cgcs2000-gk3:117", "outside the range of cgcs2000-gk3:117"),  # PROJ folds it onto a latitude
    (2_905_728.7, 560_907.9, "cgcs2000-gk3:117", "2,406 km from the central meridian: outside the range of "
                                                   "cgcs2000-gk3:117; looks like easting/northing swapped"),
    (40_560_907.9, 2_905_728.7, "cgcs2000-gk3:z39", "1,061 km from the central meridian: outside the range of "
                                                     "cgcs2000-gk3:z39; wrong --crs zone?"),
    (500_000.0, -3e7, "EPSG:32650", "outside the range of EPSG:32650"),
])
def test_wrong_coordinates_are_named_with_the_likely_cause(x, y, crs, expected) -> None:
    assert expected in check_coordinates([x], [y], parse_crs(crs), DISTRICT_EXTENT)


def test_far_outside_the_district_says_how_far_by_the_one_distance() -> None:
    from console.domain.spatial import distance_m

    km = distance_m(117.64, 26.28, 118.9, 36.27) / 1000  # the district's north-east corner to the point
    assert f"约 {km:,.0f} km" in check_coordinates([118.9], [36.27], CRS.WGS84, DISTRICT_EXTENT)
    km = distance_m(117.62, 26.28, 117.62, 27.5) / 1000  # straight north of the district
    assert f"约 {km:,.0f} km" in check_coordinates([117.62], [27.5], CRS.WGS84, DISTRICT_EXTENT)


def test_swapped_coordinates_inside_china_are_caught_without_a_district() -> None:
    # a district in the far west, where longitudes are below 90: the swap stays in range
    assert "swapped" in check_coordinates([40.0], [80.0], CRS.WGS84, None)
    assert check_coordinates([80.0], [40.0], CRS.WGS84, None) is None


@pytest.mark.parametrize("crs", ["wgs84", "gcj02", "cgcs2000", "cgcs2000-gk3:117", "cgcs2000-gk3:z39", "EPSG:32650"])
def test_right_coordinates_pass_in_every_crs(crs) -> None:
    x, y = transform_point(117.61, 26.27, "wgs84", crs)
    assert check_coordinates([x, x + 1e-4], [y, y], parse_crs(crs), DISTRICT_EXTENT) is None


# --- the bench: PROJ and the hand-written maths it replaced agree on the city ------------


def test_bench_crs_runs_and_before_and_after_agree_on_the_city() -> None:
    # A smoke run (speed is reported by `urban-console bench`, never asserted): the 702 demo
    # grids and the points come back where issue 8's series put them, to well under a millimetre;
    # areas agree to the equal-area projection's bending of diagonal edges; distances to the sphere's 0.5 %.
    from console.bench.bench_crs import run

    result = run(points=300, queries=5, repeat=1)
    assert result["grids"] == 702 and 150.0 < result["city_km2"] < 160.0
    assert result["layer_apart_m"] < 1e-3 and result["points_apart_m"] < 1e-3
    assert 0 < result["areas_apart_rel"] < 1e-4 and 0 < result["distances_apart_rel"] < 5e-3
    assert {"layer_ratio", "points_ratio", "areas_ratio", "distances_ratio"} <= set(result)

"""Tests for console.domain.crs: Gauss-Krüger maths, GCJ-02, parsing, transforms."""

from __future__ import annotations

import math

import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from console.domain import crs as crs_mod
from console.domain.crs import (
    CGCS2000_A,
    CGCS2000_F,
    CRS,
    GaussKruger,
    cgcs2000_gk_forward,
    cgcs2000_gk_inverse,
    gcj02_to_wgs84,
    gk_zone_for_longitude,
    out_of_china,
    parse_crs,
    transform_coords,
    transform_geometry,
    transform_point,
    wgs84_to_gcj02,
)

E2 = CGCS2000_F * (2 - CGCS2000_F)


def meridian_arc(lat_deg: float, a: float = CGCS2000_A, e2: float = E2) -> float:
    """Meridional arc from the equator by 64-point Gauss-Legendre quadrature
    of M'(phi) = a(1-e²)/(1-e² sin²phi)^1.5 (independent of the n-series)."""
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


# --- Gauss-Krüger -----------------------------------------------------------


@pytest.mark.parametrize("lat", [0.0, 18.3, 24.45, 26.27, 30.0, 39.9, 45.75, 53.5])
def test_central_meridian_maps_to_false_easting_and_meridian_arc(lat: float) -> None:
    x, y = cgcs2000_gk_forward(117.0, lat, 117.0)
    assert x == pytest.approx(500000.0, abs=1e-9)
    assert y == pytest.approx(meridian_arc(lat), abs=1e-6)


def test_meridian_arc_known_value_at_30_degrees() -> None:
    # UTM northing at 30°N on a central meridian is 0.9996 * arc = 3 318 785.353 m (GRS80)
    _, y = cgcs2000_gk_forward(123.0, 30.0, 123.0)
    assert y * 0.9996 == pytest.approx(3318785.353, abs=2e-3)


@pytest.mark.parametrize(
    "lon,lat",
    [(118.1, 24.48), (119.4, 26.1), (120.0, 31.2), (121.49, 31.24), (116.2, 39.9), (117.6, 26.3)],
)
def test_forward_agrees_with_textbook_gauss_kruger_series(lon: float, lat: float) -> None:
    cm = gk_zone_for_longitude(lon).central_meridian
    x, y = cgcs2000_gk_forward(lon, lat, cm)
    rx, ry = redfearn_forward(lon, lat, cm)
    assert x == pytest.approx(rx, abs=1e-3)
    assert y == pytest.approx(ry, abs=1e-3)


def test_ordnance_survey_worked_example_through_the_same_series() -> None:
    """OS 'A guide to coordinate systems in Great Britain' worked example
    (Airy 1830, k0 0.9996012717, origin 49°N 2°W, FE 400 km, FN -100 km):
    52°39'27.2531"N 1°43'4.5177"E -> E 651 409.903, N 313 177.270."""
    series = crs_mod._tm_series(6377563.396, 1 / 299.32496)
    k0 = 0.9996012717
    lat = 52 + 39 / 60 + 27.2531 / 3600
    lon = 1 + 43 / 60 + 4.5177 / 3600
    e, n = crs_mod._tm_forward(np.array(lon), np.array(lat), -2.0, series, k0)
    _, n0 = crs_mod._tm_forward(np.array(-2.0), np.array(49.0), -2.0, series, k0)
    assert float(e) + 400000 == pytest.approx(651409.903, abs=1.5e-3)
    assert float(n) - float(n0) - 100000 == pytest.approx(313177.270, abs=1.5e-3)


@settings(max_examples=300, deadline=None)
@given(
    zone=st.integers(min_value=25, max_value=45),
    dlon=st.floats(min_value=-1.6, max_value=1.6),
    lat=st.floats(min_value=-80.0, max_value=80.0),
)
def test_gk_round_trip_is_sub_millimetre(zone: int, dlon: float, lat: float) -> None:
    cm = 3.0 * zone
    x, y = cgcs2000_gk_forward(cm + dlon, lat, cm)
    lon2, lat2 = cgcs2000_gk_inverse(x, y, cm)
    # 1e-9 degrees is about 0.1 mm on the ground
    assert lon2 == pytest.approx(cm + dlon, abs=1e-9)
    assert lat2 == pytest.approx(lat, abs=1e-9)
    x2, y2 = cgcs2000_gk_forward(lon2, lat2, cm)
    assert abs(x2 - x) < 1e-4 and abs(y2 - y) < 1e-4


def test_gk_round_trip_far_from_the_central_meridian() -> None:
    lons = np.linspace(105.0, 135.0, 61)
    lats = np.linspace(18.0, 54.0, 61)
    x, y = cgcs2000_gk_forward(lons, lats, 120.0)
    lon2, lat2 = cgcs2000_gk_inverse(x, y, 120.0)
    assert np.max(np.abs(lon2 - lons)) < 1e-9
    assert np.max(np.abs(lat2 - lats)) < 1e-9


def test_zone_prefix_adds_zone_millions_to_easting() -> None:
    plain = cgcs2000_gk_forward(121.4, 31.2, 120.0)
    prefixed = cgcs2000_gk_forward(121.4, 31.2, 120.0, zone_prefix=40)
    assert prefixed[0] - plain[0] == pytest.approx(40_000_000.0)
    assert prefixed[1] == plain[1]
    assert 40_500_000 < prefixed[0] < 40_700_000
    back = cgcs2000_gk_inverse(*prefixed, 120.0, zone_prefix=40)
    assert back == pytest.approx((121.4, 31.2), abs=1e-10)


def test_gk_symmetry_about_central_meridian_and_equator() -> None:
    xe, ye = cgcs2000_gk_forward(121.0, 30.0, 120.0)
    xw, yw = cgcs2000_gk_forward(119.0, 30.0, 120.0)
    xs, ys = cgcs2000_gk_forward(121.0, -30.0, 120.0)
    assert xe - 500000 == pytest.approx(500000 - xw, abs=1e-6)
    assert ye == pytest.approx(yw, abs=1e-6)
    assert ys == pytest.approx(-ye, abs=1e-6)


def test_scalar_and_array_inputs() -> None:
    x, y = cgcs2000_gk_forward(118.0, 24.0, 117.0)
    assert isinstance(x, float) and isinstance(y, float)
    xs, ys = cgcs2000_gk_forward([118.0, 118.5], [24.0, 24.5], 117.0)
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


# --- GCJ-02 -----------------------------------------------------------------

# Public test vectors from the eviltransform project: (wgs lon, lat), (gcj lon, lat)
EVIL_VECTORS = [
    ((121.5272106, 31.1774276), (121.531541859215, 31.17530398364597)),  # Shanghai
    ((113.912316, 22.543847), (113.9171764808363, 22.540796131694766)),  # Shenzhen
    ((116.377817, 39.911954), (116.38404722455657, 39.91334545536069)),  # Beijing
]


@pytest.mark.parametrize("wgs,gcj", EVIL_VECTORS)
def test_gcj02_forward_matches_published_vectors(wgs, gcj) -> None:
    lon, lat = wgs84_to_gcj02(*wgs)
    assert lon == pytest.approx(gcj[0], abs=1e-9)
    assert lat == pytest.approx(gcj[1], abs=1e-9)


@pytest.mark.parametrize("wgs,gcj", EVIL_VECTORS)
def test_gcj02_inverse_recovers_wgs84(wgs, gcj) -> None:
    lon, lat = gcj02_to_wgs84(*gcj)
    assert abs(lon - wgs[0]) < 1e-7 and abs(lat - wgs[1]) < 1e-7


@settings(max_examples=200, deadline=None)
@given(lon=st.floats(min_value=73.0, max_value=135.0), lat=st.floats(min_value=18.0, max_value=53.0))
def test_gcj02_round_trip_inside_china(lon: float, lat: float) -> None:
    g = wgs84_to_gcj02(lon, lat)
    w = gcj02_to_wgs84(*g)
    assert abs(w[0] - lon) < 1e-7 and abs(w[1] - lat) < 1e-7


def test_gcj02_offset_is_hundreds_of_metres_in_china_and_zero_abroad() -> None:
    lon, lat = wgs84_to_gcj02(118.1, 24.48)  # Xiamen
    assert 0.001 < abs(lon - 118.1) + abs(lat - 24.48) < 0.02
    assert wgs84_to_gcj02(-104.9903, 39.7392) == (-104.9903, 39.7392)  # Denver
    assert gcj02_to_wgs84(2.35, 48.85) == (2.35, 48.85)  # Paris
    assert out_of_china(2.35, 48.85) and not out_of_china(118.1, 24.48)


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
    assert (x, y) == pytest.approx(cgcs2000_gk_forward(lon, lat, 117.0))
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

import pyproj  # noqa: E402

from console.domain.crs import ProjCRS, check_coordinates, crs_from_wkt  # noqa: E402


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
])
def test_wrong_coordinates_are_named_with_the_likely_cause(x, y, crs, expected) -> None:
    assert expected in check_coordinates([x], [y], parse_crs(crs), DISTRICT_EXTENT)


def test_swapped_coordinates_inside_china_are_caught_without_a_district() -> None:
    # a district in the far west, where longitudes are below 90: the swap stays in range
    assert "swapped" in check_coordinates([40.0], [80.0], CRS.WGS84, None)
    assert check_coordinates([80.0], [40.0], CRS.WGS84, None) is None


@pytest.mark.parametrize("crs", ["wgs84", "gcj02", "cgcs2000", "cgcs2000-gk3:117", "cgcs2000-gk3:z39", "EPSG:32650"])
def test_right_coordinates_pass_in_every_crs(crs) -> None:
    x, y = transform_point(117.61, 26.27, "wgs84", crs)
    assert check_coordinates([x, x + 1e-4], [y, y], parse_crs(crs), DISTRICT_EXTENT) is None

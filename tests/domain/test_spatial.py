"""Tests for console.domain.spatial: grid lookup, distances, areas, layer validation."""

from __future__ import annotations

import math

import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely import MultiPolygon, Point, Polygon, box

from console.domain.spatial import (
    GEOD,
    NOISE_M2,
    GridIndex,
    LayerProblem,
    Severity,
    LocalProjection,
    PointIndex,
    ProblemKind,
    area_km2,
    area_m2,
    areas_m2,
    distance_m,
    distances_m,
    local_projection,
    metres_per_degree,
    nearest,
    validate_grid_geometries,
    validate_layers,
)

# --- a synthetic district ---------------------------------------------------
# 三元区 350402: rectangle 118.00..118.06 E x 26.20..26.24 N.
# Streets split it west/east at 118.03; each street has a north and a south
# community (split at 26.22); each community has 3 grids side by side.
LON = [118.00 + 0.01 * i for i in range(7)]  # 7 lattice meridians, shared exactly
LAT = [26.20, 26.22, 26.24]
DISTRICT = box(LON[0], LAT[0], LON[6], LAT[2])


def build_layers() -> tuple[dict[str, Polygon], dict[str, Polygon], dict[str, Polygon]]:
    streets: dict[str, Polygon] = {}
    communities: dict[str, Polygon] = {}
    grids: dict[str, Polygon] = {}
    for s in range(2):
        street = f"350402{s + 1:03d}"
        streets[street] = box(LON[3 * s], LAT[0], LON[3 * s + 3], LAT[2])
        for c in range(2):  # 001 north, 002 south
            community = f"{street}{c + 1:03d}"
            south, north = (LAT[1], LAT[2]) if c == 0 else (LAT[0], LAT[1])
            communities[community] = box(LON[3 * s], south, LON[3 * s + 3], north)
            for g in range(3):  # west to east
                grids[f"{community}{g + 1:03d}"] = box(LON[3 * s + g], south, LON[3 * s + g + 1], north)
    return streets, communities, grids


def kinds(problems: list[LayerProblem]) -> list[str]:
    return [p.kind for p in problems]


def only(problems: list[LayerProblem], kind: str) -> list[LayerProblem]:
    return [p for p in problems if p.kind == kind]


def test_fixture_has_the_expected_shape() -> None:
    streets, communities, grids = build_layers()
    assert (len(streets), len(communities), len(grids)) == (2, 4, 12)
    assert all(len(code) == 15 for code in grids)
    assert shapely.union_all(list(grids.values())).equals(DISTRICT)


# --- validation: clean layers and each fault ----------------------------------


def test_clean_layers_pass() -> None:
    streets, communities, grids = build_layers()
    assert validate_layers(DISTRICT, streets, communities, grids) == []
    assert validate_grid_geometries(grids) == []


def test_voronoi_grids_clipped_to_communities_pass() -> None:
    streets, communities, _ = build_layers()
    rng = np.random.default_rng(3)
    grids: dict[str, Polygon] = {}
    for code, community in communities.items():
        minx, miny, maxx, maxy = community.bounds
        seeds = shapely.multipoints(np.column_stack((rng.uniform(minx, maxx, 5), rng.uniform(miny, maxy, 5))))
        cells = shapely.get_parts(shapely.voronoi_polygons(seeds, extend_to=community))
        for k, cell in enumerate(sorted(cells, key=lambda p: (p.centroid.x, -p.centroid.y))):
            grids[f"{code}{k + 1:03d}"] = cell.intersection(community)
    assert len(grids) == 20
    assert validate_layers(DISTRICT, streets, communities, grids) == []


def test_gap_is_reported_with_area_and_neighbouring_grids() -> None:
    streets, communities, grids = build_layers()
    # pull the east edge of grid 002 west by 0.001°: a strip between 002 and 003
    code = "350402001001002"
    grids[code] = box(LON[1], LAT[1], LON[2] - 0.001, LAT[2])
    problems = validate_layers(DISTRICT, streets, communities, grids)
    assert kinds(problems) == ["gap"]
    gap = problems[0]
    assert "350402001001002" in gap.codes and "350402001001003" in gap.codes
    expected = area_m2(box(LON[2] - 0.001, LAT[1], LON[2], LAT[2]))
    assert gap.area_m2 == pytest.approx(expected, rel=1e-3)
    assert "(gap)" in gap.message and "未被任何网格覆盖" in gap.message
    assert gap.location is not None and LON[2] - 0.001 < gap.location[0] < LON[2]


def test_missing_grid_leaves_a_gap_named_by_its_neighbours() -> None:
    streets, communities, grids = build_layers()
    del grids["350402002002002"]
    problems = validate_layers(DISTRICT, streets, communities, grids)
    assert kinds(problems) == ["gap"]
    assert set(problems[0].codes) >= {"350402002002001", "350402002002003", "350402002001002"}
    assert problems[0].area_m2 == pytest.approx(area_m2(box(LON[4], LAT[0], LON[5], LAT[1])), rel=1e-3)


def test_overlap_names_both_grids_and_area() -> None:
    streets, communities, grids = build_layers()
    grids["350402001001001"] = box(LON[0], LAT[1], LON[1] + 0.0005, LAT[2])
    problems = validate_layers(DISTRICT, streets, communities, grids)
    assert kinds(problems) == ["overlap"]
    p = problems[0]
    assert p.codes == ("350402001001001", "350402001001002")
    expected = area_m2(box(LON[1], LAT[1], LON[1] + 0.0005, LAT[2]))
    assert p.area_m2 == pytest.approx(expected, rel=1e-3)
    assert p.message.startswith("网格 350402001001001 与 350402001001002 重叠 ")
    assert p.message.endswith(" m² (overlap)")
    assert validate_grid_geometries(grids)[0].codes == p.codes


def test_overlap_below_tolerance_is_a_warning_naming_the_grids() -> None:
    streets, communities, grids = build_layers()
    # 1e-9° (0.1 mm) x 0.02° (2.2 km) is about 0.22 m²
    grids["350402001001001"] = box(LON[0], LAT[1], LON[1] + 1e-9, LAT[2])
    [warning] = validate_layers(DISTRICT, streets, communities, grids)
    assert (warning.kind, warning.severity, warning.is_error) == ("overlap", Severity.WARNING, False)
    assert warning.codes == ("350402001001001", "350402001001002")
    assert warning.area_m2 == pytest.approx(0.22, rel=0.05)
    assert "350402001001001" in warning.message and "警告" in warning.message
    [error] = validate_layers(DISTRICT, streets, communities, grids, tolerance_m2=0.1)
    assert (error.kind, error.severity) == ("overlap", Severity.ERROR)


def test_gap_above_the_tolerance_is_an_error_below_it_a_warning() -> None:
    streets, communities, grids = build_layers()
    # shave 1e-8° (1 mm) off one edge over 2.2 km: a 2.2 m² sliver
    grids["350402001001001"] = box(LON[0], LAT[1], LON[1] - 1e-8, LAT[2])
    [gap] = validate_layers(DISTRICT, streets, communities, grids, tolerance_m2=3.0)
    assert (gap.kind, gap.severity) == ("gap", Severity.WARNING)
    assert {"350402001001001", "350402001001002"} <= set(gap.codes)
    [gap] = validate_layers(DISTRICT, streets, communities, grids, tolerance_m2=1.0)
    assert (gap.kind, gap.severity, gap.area_m2 > 1.0) == ("gap", Severity.ERROR, True)


def test_a_hairline_between_straight_lonlat_edges_is_no_gap() -> None:
    # Three nearly collinear lon/lat vertices 2 km long (the demo's seed-7 "1.5 m² gap"): geodesic
    # edges between the three vertices alone would enclose metres² (a geodesic bulges ~4 cm
    # from a straight lon/lat 2 km edge); cut into short steps it stays a hairline.
    hairline = Polygon([(117.67704610131715, 26.228799332980593), (117.67489449443345, 26.22476494196415),
                        (117.67285548986537, 26.220941686993996)])
    assert abs(GEOD.geometry_area_perimeter(hairline)[0]) > 1.0  # three geodesic edges
    assert area_m2(hairline) < NOISE_M2 / 10
    along_a_parallel = Polygon([(117.6, 26.27), (117.65, 26.27), (117.625, 26.27 + 1e-12)])  # 5 km
    assert abs(GEOD.geometry_area_perimeter(along_a_parallel)[0]) > 100.0
    assert area_m2(along_a_parallel) < NOISE_M2 / 10


def test_grid_crossing_its_community_boundary() -> None:
    streets, communities, grids = build_layers()
    # grid 001001001 (north community) grows 0.002° south into community 001002
    code = "350402001001001"
    grids[code] = box(LON[0], LAT[1] - 0.002, LON[1], LAT[2])
    problems = validate_layers(DISTRICT, streets, communities, grids)
    outside = only(problems, "outside_parent")
    assert len(outside) == 1
    assert outside[0].codes == (code, "350402001001")
    assert outside[0].area_m2 == pytest.approx(area_m2(box(LON[0], LAT[1] - 0.002, LON[1], LAT[1])), rel=1e-3)
    assert "超出所属社区 350402001001 边界" in outside[0].message
    assert [p.codes for p in only(problems, "overlap")] == [(code, "350402001002001")]


def test_community_outside_street_and_street_outside_district() -> None:
    streets, communities, grids = build_layers()
    streets["350402002"] = box(LON[3], LAT[0], LON[6] + 0.001, LAT[2])
    communities["350402001001"] = box(LON[0], LAT[1], LON[3] + 0.001, LAT[2])
    problems = validate_layers(DISTRICT, streets, communities, grids)
    outside = {p.codes for p in only(problems, "outside_parent")}
    assert ("350402001001", "350402001") in outside
    assert ("350402002",) in outside
    street_msg = next(p.message for p in problems if p.codes == ("350402002",))
    assert street_msg.startswith("街道 350402002 超出辖区边界")
    overlap = only(problems, "overlap")
    assert [p.codes for p in overlap] == [("350402001001", "350402002001")]
    assert overlap[0].message.startswith("社区 ")


def test_bowtie_polygon_is_invalid_geometry() -> None:
    streets, communities, grids = build_layers()
    code = "350402002001003"
    x0, x1, y0, y1 = LON[5], LON[6], LAT[1], LAT[2]
    grids[code] = Polygon([(x0, y0), (x1, y1), (x1, y0), (x0, y1)])
    problems = validate_layers(DISTRICT, streets, communities, grids)
    invalid = only(problems, "invalid_geometry")
    assert [p.codes for p in invalid] == [(code,)]
    assert "Self-intersection" in invalid[0].message and "(invalid_geometry)" in invalid[0].message
    # the repaired bowtie (two triangles) leaves the rest of the cell uncovered
    gaps = only(problems, "gap")
    assert gaps and all(code in p.codes for p in gaps)
    assert validate_grid_geometries(grids)[0].kind == "invalid_geometry"


def test_point_geometry_is_not_polygon_and_leaves_a_gap() -> None:
    streets, communities, grids = build_layers()
    code = "350402001002003"
    grids[code] = Point(LON[2] + 0.005, LAT[0] + 0.01)
    problems = validate_layers(DISTRICT, streets, communities, grids)
    assert kinds(problems) == ["not_polygon", "gap"]
    assert problems[0].codes == (code,)
    assert "Point" in problems[0].message and "(not_polygon)" in problems[0].message
    assert problems[1].area_m2 == pytest.approx(area_m2(box(LON[2], LAT[0], LON[3], LAT[1])), rel=1e-3)
    assert code not in problems[1].codes
    assert [p.kind for p in validate_grid_geometries(grids)] == ["not_polygon"]


def test_empty_and_none_geometries_are_not_polygon() -> None:
    problems = validate_grid_geometries({"A": Polygon(), "B": None, "C": box(0, 0, 1, 1)})
    assert [(p.kind, p.codes) for p in problems] == [("not_polygon", ("A",)), ("not_polygon", ("B",))]


def test_missing_parent_for_unknown_community_and_street() -> None:
    streets, communities, grids = build_layers()
    grids["350402001009001"] = grids.pop("350402001001001")
    communities["350402007001"] = communities.pop("350402002001")
    problems = validate_layers(DISTRICT, streets, communities, grids)
    missing = [p.codes for p in only(problems, "missing_parent")]
    assert ("350402001009001", "350402001009") in missing
    assert ("350402007001", "350402007") in missing
    # grids of the renamed community lost their parent too
    assert ("350402002001001", "350402002001") in missing
    msg = next(p.message for p in problems if p.codes[0] == "350402001009001")
    assert msg == "网格 350402001009001 的所属社区 350402001009 不存在 (missing_parent)"


def test_invalid_district_is_reported_without_a_code() -> None:
    streets, communities, grids = build_layers()
    problems = validate_layers(Point(118.0, 26.2), streets, communities, grids)
    assert [(p.kind, p.codes) for p in problems] == [("not_polygon", ())]
    assert problems[0].message == "辖区 的几何为 Point，应为面 Polygon/MultiPolygon (not_polygon)"


def test_problem_kind_values() -> None:
    assert {k.value for k in ProblemKind} == {
        "invalid_geometry", "not_polygon", "gap", "overlap", "outside_parent", "missing_parent",
    }


def make_big_city(n_streets: int = 5, n_comm: int = 10, n_grid: int = 100):
    """5 x 10 x 100 = 5 000 grids on a jittered lattice (shared vertices)."""
    rng = np.random.default_rng(11)
    cols, rows = 100, 50  # each community: 10 x 10 cells; each street: 20 x 50 cells
    dx, dy = 0.001, 0.001
    xs = 118.0 + dx * np.arange(cols + 1)
    ys = 26.2 + dy * np.arange(rows + 1)
    gx, gy = np.meshgrid(xs, ys, indexing="ij")
    jitter = rng.uniform(-0.3, 0.3, (2, cols + 1, rows + 1)) * dx
    jitter[:, [0, -1], :] = 0
    jitter[:, :, [0, -1]] = 0
    for i in range(0, cols + 1, 10):  # keep community / street edges straight
        jitter[0, i, :] = 0
    for j in range(0, rows + 1, 10):
        jitter[1, :, j] = 0
    gx, gy = gx + jitter[0], gy + jitter[1]
    streets, communities, grids = {}, {}, {}
    for s in range(n_streets):
        street = f"350402{s + 1:03d}"
        streets[street] = box(xs[20 * s], ys[0], xs[20 * s + 20], ys[-1])
        for c in range(n_comm):
            community = f"{street}{c + 1:03d}"
            ci, cj = 20 * s + 10 * (c % 2), 10 * (c // 2)
            communities[community] = box(xs[ci], ys[cj], xs[ci + 10], ys[cj + 10])
            for g in range(n_grid):
                i, j = ci + g % 10, cj + g // 10
                ring = [(gx[i, j], gy[i, j]), (gx[i + 1, j], gy[i + 1, j]),
                        (gx[i + 1, j + 1], gy[i + 1, j + 1]), (gx[i, j + 1], gy[i, j + 1])]
                grids[f"{community}{g + 1:03d}"] = Polygon(ring)
    return box(xs[0], ys[0], xs[-1], ys[-1]), streets, communities, grids


def test_validation_of_5000_grids_runs() -> None:
    district, streets, communities, grids = make_big_city()
    assert len(grids) == 5000
    assert validate_layers(district, streets, communities, grids) == []
    grids["350402003005055"] = grids["350402003005055"].buffer(0.0002)
    problems = validate_layers(district, streets, communities, grids)
    assert {p.kind for p in problems} == {"overlap"}
    assert all("350402003005055" in p.codes for p in problems)
    assert len(validate_grid_geometries(grids)) == len(problems)


# --- GridIndex ---------------------------------------------------------------


def test_grid_index_locates_inside_outside_and_edges() -> None:
    _, _, grids = build_layers()
    index = GridIndex(grids)
    assert len(index) == 12 and "350402001001001" in index
    assert index.locate(118.005, 26.23) == "350402001001001"
    assert index.locate(118.055, 26.205) == "350402002002003"
    assert index.locate(117.99, 26.23) is None
    assert index.locate(118.03, 26.25) is None
    # on the shared edge between 001 and 002 -> smaller code, either way round
    assert index.locate(LON[1], 26.23) == "350402001001001"
    # shared edge between streets: 001001003 | 002001001
    assert index.locate(LON[3], 26.23) == "350402001001003"
    # corner shared by four grids
    assert index.locate(LON[1], LAT[1]) == "350402001001001"
    # outer boundary belongs to the grid
    assert index.locate(LON[0], 26.21) == "350402001002001"
    assert index.geometry("350402001001001").equals(grids["350402001001001"])
    with pytest.raises(KeyError, match="9999"):
        index.geometry("9999")


def test_locate_many_matches_locate() -> None:
    _, _, grids = build_layers()
    index = GridIndex(grids)
    rng = np.random.default_rng(5)
    lons = np.concatenate([rng.uniform(117.99, 118.07, 500), LON])
    lats = np.concatenate([rng.uniform(26.19, 26.25, 500), [LAT[1]] * len(LON)])
    many = index.locate_many(lons, lats)
    assert many == [index.locate(x, y) for x, y in zip(lons, lats)]
    covered = shapely.covers(DISTRICT, shapely.points(lons, lats))
    assert all((code is not None) == bool(inside) for code, inside in zip(many, covered))
    assert index.locate_many([], []) == []
    with pytest.raises(ValueError, match="2 longitudes but 1 latitudes"):
        index.locate_many([1, 2], [3])


def test_grid_index_rejects_non_polygons_and_handles_multipolygons() -> None:
    with pytest.raises(ValueError, match="grid X: geometry is Point"):
        GridIndex({"X": Point(0, 0)})
    index = GridIndex({"M": MultiPolygon([box(0, 0, 1, 1), box(2, 0, 3, 1)])})
    assert index.locate(2.5, 0.5) == "M" and index.locate(1.5, 0.5) is None
    assert GridIndex({}).locate(0, 0) is None


# --- distances and nearest ---------------------------------------------------


def test_distance_m_known_values() -> None:
    assert distance_m(118.0, 26.0, 118.0, 26.0) == 0.0
    # a degree of the meridian at 26-27°N: the arc by quadrature (independent of pyproj)
    a, f = 6378137.0, 1 / 298.257222101
    e2 = f * (2 - f)
    nodes, weights = np.polynomial.legendre.leggauss(32)
    phi = np.radians(26.5 + 0.5 * nodes)
    arc = 0.5 * math.radians(1.0) * np.sum(weights * a * (1 - e2) / (1 - e2 * np.sin(phi) ** 2) ** 1.5)
    assert distance_m(118.0, 26.0, 118.0, 27.0) == pytest.approx(arc, abs=1e-6)
    assert distance_m(0.0, 0.0, 1.0, 0.0) == pytest.approx(a * math.radians(1.0), abs=1e-6)  # along the equator
    # Geoscience Australia's worked example on GRS80 (the CGCS2000 figures), Flinders Peak ->
    # Buninyong: 54 972.271 m (Vincenty 1975; GDA2020 Technical Manual)
    flinders = (144 + 25 / 60 + 29.52440 / 3600, -(37 + 57 / 60 + 3.72030 / 3600))
    buninyong = (143 + 55 / 60 + 35.38390 / 3600, -(37 + 39 / 60 + 10.15610 / 3600))
    assert distance_m(*flinders, *buninyong) == pytest.approx(54_972.271, abs=1e-3)


def test_every_distance_is_the_geodesic_one() -> None:
    """distances_m, distance_m, nearest and PointIndex give one figure, pyproj.Geod's."""
    lons, lats = np.array([118.001, 118.02, 118.0]), np.array([26.2, 26.22, 26.35])
    _, _, geod = GEOD.inv(np.full(3, 118.0), np.full(3, 26.2), lons, lats)
    assert distances_m(118.0, 26.2, lons, lats).tolist() == geod.tolist()
    assert [distance_m(118.0, 26.2, x, y) for x, y in zip(lons, lats)] == geod.tolist()
    cams = [(f"c{i}", x, y) for i, (x, y) in enumerate(zip(lons, lats))]
    expected = sorted(zip([c[0] for c in cams], geod.tolist()), key=lambda r: r[1])
    assert nearest(118.0, 26.2, cams, n=3) == expected
    assert PointIndex(cams).nearest(118.0, 26.2, n=3, radius_m=20_000) == expected
    assert np.isnan(distances_m(118.0, 26.2, [np.nan, 118.0], [26.2, 95.0])).all()  # not a lon/lat: NaN


CAMERAS = [
    ("cam-a", 118.0000, 26.2000),
    ("cam-b", 118.0010, 26.2000),  # ~100 m east
    ("cam-c", 118.0000, 26.2020),  # ~222 m north
    ("cam-d", 118.0050, 26.2000),  # ~499 m east
    ("cam-e", 118.0200, 26.2200),  # ~3 km away
]


@pytest.mark.parametrize("use_index", [False, True])
def test_nearest_respects_n_and_radius(use_index: bool) -> None:
    features = PointIndex(CAMERAS) if use_index else CAMERAS
    result = nearest(118.0, 26.2, features, n=3, radius_m=1000)
    assert [r[0] for r in result] == ["cam-a", "cam-b", "cam-c"]
    assert result[0][1] == 0.0
    assert result[1][1] == pytest.approx(distance_m(118.0, 26.2, 118.001, 26.2))
    assert [r[0] for r in nearest(118.0, 26.2, features, n=10, radius_m=300)] == ["cam-a", "cam-b", "cam-c"]
    assert [r[0] for r in nearest(118.0, 26.2, features, n=10, radius_m=500)] == [
        "cam-a", "cam-b", "cam-c", "cam-d",
    ]
    assert len(nearest(118.0, 26.2, features, n=10)) == 5
    assert nearest(118.0, 26.2, features, n=0) == []
    assert nearest(119.0, 26.2, features, n=5, radius_m=1000) == []
    with pytest.raises(ValueError, match="n must be >= 0"):
        nearest(118.0, 26.2, features, n=-1)
    with pytest.raises(ValueError, match="radius_m"):
        nearest(118.0, 26.2, features, n=1, radius_m=-5)


def test_nearest_ties_break_by_id() -> None:
    pts = [("b", 118.001, 26.2), ("a", 118.001, 26.2)]
    assert [r[0] for r in nearest(118.0, 26.2, pts, n=2)] == ["a", "b"]
    assert [r[0] for r in PointIndex(pts).nearest(118.0, 26.2, n=2)] == ["a", "b"]


def test_point_index_rejects_bad_coordinates() -> None:
    with pytest.raises(ValueError, match="point cam-x"):
        PointIndex([("cam-x", float("nan"), 26.0)])
    assert PointIndex([]).nearest(118.0, 26.0) == []


@settings(max_examples=60, deadline=None)
@given(
    lon=st.floats(min_value=117.8, max_value=118.4),
    lat=st.floats(min_value=24.2, max_value=24.8),
    n=st.integers(min_value=1, max_value=12),
    radius=st.floats(min_value=10.0, max_value=20_000.0),
)
def test_point_index_agrees_with_brute_force(lon: float, lat: float, n: int, radius: float) -> None:
    index, cams = _camera_index()
    assert index.nearest(lon, lat, n, radius) == nearest(lon, lat, cams, n, radius)


_CACHE: dict[str, tuple[PointIndex, list[tuple[str, float, float]]]] = {}


def _camera_index() -> tuple[PointIndex, list[tuple[str, float, float]]]:
    if "cams" not in _CACHE:
        rng = np.random.default_rng(1)
        cams = [
            (f"cam{i:05d}", float(x), float(y))
            for i, (x, y) in enumerate(zip(rng.uniform(117.9, 118.3, 5000), rng.uniform(24.3, 24.7, 5000)))
        ]
        _CACHE["cams"] = (PointIndex(cams), cams)
    return _CACHE["cams"]


def test_point_index_near_the_pole_and_with_huge_radius() -> None:
    index = PointIndex([("n", 10.0, 89.9), ("s", 190.0 - 360.0, 89.9)])
    assert [r[0] for r in index.nearest(100.0, 89.95, n=2, radius_m=50_000)] == ["n", "s"]
    assert len(index.nearest(0.0, 0.0, n=5, radius_m=2e7)) == 2


def test_distances_m_vectorised() -> None:
    d = distances_m(118.0, 26.2, [118.0, 118.001], [26.2, 26.2])
    assert d.shape == (2,) and d[0] == 0.0 and 99 < d[1] < 101


# --- areas and projections -----------------------------------------------------


def test_area_of_a_one_degree_cell_matches_the_ellipsoid_formula() -> None:
    # exact ellipsoidal area of a lon/lat cell: a² (1-e²) Δλ [F(φ2) - F(φ1)] with
    # F(φ) = sinφ/(2(1-e² sin²φ)) + atanh(e sinφ)/(2e); independent closed form
    a, f = 6378137.0, 1 / 298.257222101
    e2 = f * (2 - f)
    e = math.sqrt(e2)

    def F(phi_deg: float) -> float:
        s = math.sin(math.radians(phi_deg))
        return s / (2 * (1 - e2 * s * s)) + math.atanh(e * s) / (2 * e)

    expected = a * a * (1 - e2) * math.radians(1.0) * (F(27.0) - F(26.0))
    assert area_m2(box(118.0, 26.0, 119.0, 27.0)) == pytest.approx(expected, rel=1e-9)
    assert area_km2(box(118.0, 26.0, 119.0, 27.0)) == pytest.approx(expected / 1e6, rel=1e-9)


def test_area_km2_of_the_district_and_of_non_areal_geometries() -> None:
    streets, communities, grids = build_layers()
    total = sum(area_km2(g) for g in grids.values())
    assert total == pytest.approx(area_km2(DISTRICT), rel=1e-9)
    assert 26.0 < area_km2(DISTRICT) < 27.0  # ~6.0 km x 4.4 km
    assert area_km2(Point(118, 26)) == 0.0
    assert area_m2(Polygon()) == 0.0 and area_m2(None) == 0.0


def test_areas_m2_is_area_m2_for_every_kind_of_geometry() -> None:
    cell, far = box(118.0, 26.2, 118.01, 26.21), box(118.05, 26.2, 118.06, 26.21)
    holed = Polygon(cell.exterior, [box(118.002, 26.202, 118.004, 26.204).exterior])
    reversed_ring = Polygon(list(cell.exterior.coords)[::-1])  # clockwise: same area
    mixed = shapely.GeometryCollection([cell, shapely.LineString([(118, 26.2), (118.1, 26.3)]), Point(118, 26.2)])
    geoms = [cell, holed, reversed_ring, MultiPolygon([cell, far]), mixed, None, Polygon()]
    vector = areas_m2(geoms)
    assert vector.tolist() == [area_m2(g) for g in geoms]
    assert vector[1] == pytest.approx(vector[0] - area_m2(box(118.002, 26.202, 118.004, 26.204)), rel=1e-12)
    assert vector[2] == vector[0] and vector[4] == vector[0]  # orientation, lines and points do not count
    assert vector[3] == pytest.approx(vector[0] + area_m2(far), rel=1e-12)
    assert vector[5] == vector[6] == 0.0 and areas_m2([]).shape == (0,)


def test_local_projection_agrees_with_the_ellipsoid_at_city_scale() -> None:
    proj = local_projection(DISTRICT)
    assert isinstance(proj, LocalProjection) and proj.central_meridian == pytest.approx(118.03)
    metres = proj.to_metres(DISTRICT)
    assert metres.area == pytest.approx(area_m2(DISTRICT), rel=1e-5)
    back = proj.to_lonlat(metres)
    assert shapely.equals_exact(back, DISTRICT, tolerance=1e-9)
    # distances in the projection agree with the geodesic to well under 0.01 % (scale error < 1.3e-5)
    a, b = proj.to_metres(Point(118.0, 26.2)), proj.to_metres(Point(118.06, 26.24))
    assert a.distance(b) == pytest.approx(distance_m(118.0, 26.2, 118.06, 26.24), rel=1e-4)
    with pytest.raises(ValueError, match="empty"):
        local_projection(Polygon())


@pytest.mark.parametrize("lat", [0.0, 26.245, 45.0, 53.5])
def test_metres_per_degree_are_the_ellipsoid_radii(lat: float) -> None:
    # meridian radius M and prime-vertical radius N (closed forms, independent of pyproj)
    a, f = 6378137.0, 1 / 298.257222101
    e2 = f * (2 - f)
    w2 = 1 - e2 * math.sin(math.radians(lat)) ** 2
    per_lon, per_lat = metres_per_degree(lat)
    assert per_lat == pytest.approx(math.radians(1.0) * a * (1 - e2) / w2**1.5, rel=1e-9)
    assert per_lon == pytest.approx(math.radians(1.0) * a / math.sqrt(w2) * math.cos(math.radians(lat)), rel=1e-9)

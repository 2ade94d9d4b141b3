"""Grid and camera import: whole files checked first, bad ones refused by feature, nothing half-written."""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
import shapefile
import shapely
from shapely.geometry import mapping
from sqlalchemy import func, select

from console.data import models as m
from console.data.commands import CommandError
from console.data.demo.tiny import tiny_city_geometry
from console.data.importers import ImportRefused, check_grids, import_cameras, import_grids
from console.domain.crs import CRS, pyproj_crs, transform_geometry
from console.domain.spatial import area_m2

TODAY = date(2026, 11, 23)


def write_geojson(path: Path, features: list[dict]) -> Path:
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False), encoding="utf-8")
    return path


def feature(code: str, geom, **props) -> dict:
    return {"type": "Feature", "geometry": mapping(geom), "properties": {"code": code, **props}}


def tiny_layer(tmp_path: Path, crs: str = "wgs84") -> Path:
    grids = tiny_city_geometry()["grids"]
    feats = []
    for code, geom in grids.items():
        if crs != "wgs84":
            geom = transform_geometry(geom, CRS.WGS84, crs)
        feats.append(feature(code, geom, street_name="列东街道" if code.startswith("350402001") else "列西街道",
                             community_name=f"社区{code[9:12]}"))
    return write_geojson(tmp_path / "grids.geojson", feats)


def counts(db) -> tuple[int, int, int, int]:
    with db.read() as s:
        return tuple(s.scalar(select(func.count()).select_from(t)) for t in (m.District, m.Street, m.Community, m.UnitGrid))


def test_import_into_empty_database_builds_streets_and_communities(empty_db, tmp_path):
    summary = import_grids(empty_db, tiny_layer(tmp_path), today=TODAY)
    assert summary["grids"] == 8 and summary["streets"] == 2 and summary["communities"] == 4
    assert counts(empty_db) == (1, 2, 4, 8)
    with empty_db.read() as s:
        assert s.get(m.Street, "350402001").name == "列东街道"
        assert s.get(m.Community, "350402002002").name == "社区002"
        grid = s.scalars(select(m.UnitGrid).where(m.UnitGrid.code == "350402001001001")).one()
        assert grid.area_m2 == pytest.approx(1.1e6, rel=0.1)  # 0.01 deg x 0.01 deg at 26 deg N
    assert check_grids(empty_db) == []


def test_import_from_gcj02_lands_in_wgs84(empty_db, tmp_path):
    import_grids(empty_db, tiny_layer(tmp_path, crs="gcj02"), crs="gcj02", today=TODAY)
    with empty_db.read() as s:
        grid = s.scalars(select(m.UnitGrid).where(m.UnitGrid.code == "350402001001001")).one()
    expected = tiny_city_geometry()["grids"]["350402001001001"]
    assert grid.geometry.symmetric_difference(expected).area < 1e-10


def test_import_shapefile(empty_db, tmp_path):
    base = tmp_path / "grids"
    with shapefile.Writer(str(base), shapeType=shapefile.POLYGON, encoding="utf-8") as w:
        w.field("CODE", "C", size=20)
        w.field("NAME", "C", size=40)
        for code, geom in tiny_city_geometry()["grids"].items():
            w.poly([list(geom.exterior.coords)[::-1]])  # shapefile outer rings are clockwise
            w.record(code, f"网格{code[-3:]}")
    (tmp_path / "grids.cpg").write_text("UTF-8")
    summary = import_grids(empty_db, base.with_suffix(".shp"), today=TODAY)
    assert summary["grids"] == 8
    with empty_db.read() as s:
        assert s.scalars(select(m.UnitGrid.name).where(m.UnitGrid.code == "350402002002002")).one() == "网格002"


@pytest.mark.parametrize(
    "bad, expected",
    [
        (lambda f: f.__setitem__(2, feature("350402001001003", shapely.Polygon([(117.6, 26.26), (117.61, 26.27), (117.61, 26.26), (117.6, 26.27)]))), "#3.*几何无效"),
        (lambda f: f.__setitem__(3, feature("350402001001001", shapely.box(117.7, 26.3, 117.71, 26.31))), "#4.*重复"),
        (lambda f: f.__setitem__(1, feature("3504020010010-1", shapely.box(117.7, 26.3, 117.71, 26.31))), "#2.*grid segment|#2.*编码"),
        (lambda f: f.__setitem__(0, feature("35040200100", shapely.box(117.7, 26.3, 117.71, 26.31))), "#1.*15"),
        (lambda f: f.__setitem__(4, feature("350402002001001", shapely.Point(117.6, 26.26))), "#5.*Point.*不是面"),
        (lambda f: f.append(feature("350402002001009", shapely.box(117.625, 26.265, 117.635, 26.275))), "重叠|overlap"),
    ],
    ids=["bowtie", "duplicate", "bad-char", "short-code", "point", "overlap"],
)
def test_bad_features_are_refused_by_name_and_nothing_written(empty_db, tmp_path, bad, expected):
    path = tiny_layer(tmp_path)
    doc = json.loads(path.read_text(encoding="utf-8"))
    bad(doc["features"])
    write_geojson(path, doc["features"])
    with pytest.raises(ImportRefused, match=expected) as err:
        import_grids(empty_db, path, today=TODAY)
    assert str(err.value).startswith("grids.geojson: ")
    assert counts(empty_db) == (0, 0, 0, 0)


def test_not_geojson_is_refused(empty_db, tmp_path):
    path = tmp_path / "grids.geojson"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(ImportRefused, match="GeoJSON"):
        import_grids(empty_db, path)
    (tmp_path / "grids.txt").write_text("x")
    with pytest.raises(ImportRefused, match="不支持"):
        import_grids(empty_db, tmp_path / "grids.txt")


def test_layer_overlapping_existing_grids_is_refused_unless_replace(db, tmp_path):
    path = tiny_layer(tmp_path)  # the same grids the database already has
    with pytest.raises(ImportRefused, match="已存在|overlap|重叠"):
        import_grids(db, path, today=TODAY)
    assert counts(db)[3] == 8
    summary = import_grids(db, path, replace=True, today=TODAY)
    assert summary["replaced"] and summary["grids"] == 8
    with db.read() as s:
        rows = s.scalars(select(m.UnitGrid).where(m.UnitGrid.code == "350402001001001").order_by(m.UnitGrid.valid_from)).all()
        assert [(r.valid_from, r.valid_to) for r in rows] == [(date(2020, 1, 1), TODAY), (TODAY, None)]


def test_added_grid_outside_its_community_is_refused(db, tmp_path):
    # A new grid code in community 350402001001 but drawn over the neighbouring street's land.
    stray = feature("350402001001009", shapely.box(117.645, 26.262, 117.648, 26.264))
    path = write_geojson(tmp_path / "extra.geojson", [stray])
    with pytest.raises(ImportRefused, match="350402001001009"):
        import_grids(db, path, today=TODAY)
    assert counts(db)[3] == 8


def test_check_grids_names_a_gap(db):
    with db.write() as s:
        s.execute(m.UnitGrid.__table__.delete().where(m.UnitGrid.code == "350402002002002"))
    problems = check_grids(db)
    assert any(p.kind == "gap" for p in problems)


def test_import_cameras_csv(db, tmp_path):
    path = tmp_path / "cams.csv"
    path.write_text("id,name,lon,lat,status,ptz\n"
                    "35040200001320000001,列东路口,117.605,26.265,online,1\n"
                    "35040200001320000002,列西菜场,117.625,26.275,fault,0\n", encoding="utf-8")
    assert import_cameras(db, path) == {"file": str(path), "format": "csv", "added": 2, "updated": 0, "groups": 0}
    with db.read() as s:
        cam = s.get(m.Camera, "35040200001320000001")
        assert cam.grid_code == "350402001001001" and cam.street_code == "350402001" and cam.ptz
    path.write_text("id,name,lon,lat\n123,坏编号,117.6,26.2\n", encoding="utf-8")
    with pytest.raises(ImportRefused, match="第 1 条"):
        import_cameras(db, path)


# --- hardening: coordinates, replace, slivers, encodings, shapefiles, cameras -------------------

import math  # noqa: E402
import uuid  # noqa: E402

import pyproj  # noqa: E402
from sqlalchemy import text  # noqa: E402

from console.cli import main as cli_main  # noqa: E402
from console.data.db import Database  # noqa: E402
from console.data.schema import upgrade  # noqa: E402
from tests.conftest import pg_admin, pg_url  # noqa: E402

GRIDS = tiny_city_geometry()["grids"]


@pytest.fixture(params=["sqlite", "postgresql"])
def blank_db(request, tmp_path):
    """An empty database with the schema only, on each backend."""
    if request.param == "sqlite":
        database = Database(f"sqlite:///{tmp_path / 'blank.db'}")
        upgrade(database)
        yield database
        database.dispose()
        return
    admin = pg_admin()
    name = f"uc_imp_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    database = Database(pg_url(name))
    upgrade(database)
    yield database
    database.dispose()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def snapshot(db) -> tuple:
    """Everything an import could write: the levels, every grid row with its validity, cameras, change log."""
    with db.read() as s:
        grids = tuple(s.execute(select(m.UnitGrid.code, m.UnitGrid.valid_from, m.UnitGrid.valid_to)
                                .order_by(m.UnitGrid.code, m.UnitGrid.valid_from)).all())
        cameras = tuple(s.execute(select(m.Camera.id, m.Camera.lon, m.Camera.lat).order_by(m.Camera.id)).all())
        changes = s.scalar(select(func.count()).select_from(m.ChangeLog))
    return counts(db), grids, cameras, changes


def layer_file(tmp_path: Path, grids: dict, crs: str = "wgs84", name: str = "layer.geojson") -> Path:
    feats = [feature(code, transform_geometry(geom, CRS.WGS84, crs) if crs != "wgs84" else geom)
             for code, geom in grids.items()]
    return write_geojson(tmp_path / name, feats)


def refused(call, match: str) -> str:
    with pytest.raises(ImportRefused, match=match) as err:
        call()
    assert "\n" not in str(err.value)
    return str(err.value)


def test_projected_metres_imported_as_degrees_with_replace_retire_nothing(db, tmp_path):
    # the 702-grid incident: a GK layer passed as wgs84 with --replace
    path = layer_file(tmp_path, GRIDS, crs="cgcs2000-gk3:117")
    before = snapshot(db)
    message = refused(lambda: import_grids(db, path, replace=True, today=TODAY),
                      r"#1 \(350402001001001\).*looks like projected metres; pass --crs cgcs2000-gk3:117")
    assert "8 个问题" not in message and snapshot(db) == before
    summary = import_grids(db, path, crs="cgcs2000-gk3:117", replace=True, today=TODAY)
    assert summary["replaced"] and summary["warnings"] == []


@pytest.mark.parametrize("bad, expected", [
    (shapely.Polygon([(117.60, 26.26), (117.61, math.nan), (117.61, 26.27), (117.60, 26.26)]), "NaN or infinite"),
    (shapely.Polygon([(26.26, 117.60), (26.26, 117.61), (26.27, 117.61), (26.27, 117.60)]), "swapped"),
    (shapely.box(118.60, 27.26, 118.61, 27.27), "far outside the district's extent"),
], ids=["nan", "swapped", "far-away"])
def test_bad_coordinates_are_refused_naming_the_feature(db, tmp_path, bad, expected):
    path = write_geojson(tmp_path / "extra.geojson", [feature("350402001001009", bad)])
    before = snapshot(db)
    refused(lambda: import_grids(db, path, today=TODAY), rf"#1 \(350402001001009\): .*{expected}")
    assert snapshot(db) == before


def test_infinity_in_geojson_is_refused(db, tmp_path):
    path = tmp_path / "inf.geojson"
    path.write_text('{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"code": '
                    '"350402001001009"}, "geometry": {"type": "Polygon", "coordinates": [[[117.6, 26.26], '
                    '[Infinity, 26.26], [117.61, 26.27], [117.6, 26.26]]]}}]}', encoding="utf-8")
    before = snapshot(db)
    refused(lambda: import_grids(db, path, today=TODAY), "NaN or infinite")
    assert snapshot(db) == before


def test_degrees_passed_as_metres_are_refused(db, tmp_path):
    path = layer_file(tmp_path, GRIDS)
    before = snapshot(db)
    refused(lambda: import_grids(db, path, crs="cgcs2000-gk3:117", replace=True, today=TODAY),
            "looks like lon/lat degrees, not projected metres; pass --crs wgs84")
    assert snapshot(db) == before


@pytest.mark.parametrize("change, expected", [
    (lambda g: g.pop("350402002002002"), "gap"),
    (lambda g: g.__setitem__("350402001001001", shapely.box(117.60, 26.26, 117.615, 26.27)), "overlap"),
    (lambda g: g.__setitem__("350402001001001", shapely.box(117.60, 26.255, 117.61, 26.27)), "outside_parent"),
    (lambda g: g.__setitem__("350402001009001", g.pop("350402001001001")), "missing_parent"),
], ids=["gap", "overlap", "outside-community", "unknown-community"])
def test_replace_checks_the_new_layer_as_strictly_as_an_addition(db, tmp_path, change, expected):
    grids = dict(GRIDS)
    change(grids)
    path = layer_file(tmp_path, grids)
    before = snapshot(db)
    refused(lambda: import_grids(db, path, replace=True, today=TODAY), expected)
    assert snapshot(db) == before
    assert check_grids(db) == []  # the old layer untouched and whole


def sliver_layer(tmp_path: Path, metres: float) -> Path:
    """The tiny city with grid 001001001's east edge pulled back by `metres` over its 1.1 km height."""
    grids = dict(GRIDS)
    shift = metres / 100_000  # degrees of longitude at 26° N, roughly
    grids["350402001001001"] = shapely.box(117.60, 26.26, 117.61 - shift, 26.27)
    return layer_file(tmp_path, grids)


def test_a_sliver_below_the_tolerance_is_imported_with_a_warning_naming_the_grids(db, tmp_path):
    path = sliver_layer(tmp_path, 0.002)  # 2 mm x 1.1 km: about 2.2 m²
    summary = import_grids(db, path, replace=True, today=TODAY)
    [warning] = summary["warnings"]
    assert "gap" in warning and "350402001001001" in warning and "350402001001002" in warning
    [problem] = check_grids(db)
    assert not problem.is_error and problem.area_m2 == pytest.approx(2.2, rel=0.1)


def test_a_sliver_above_the_tolerance_is_refused(db, tmp_path):
    before = snapshot(db)
    refused(lambda: import_grids(db, sliver_layer(tmp_path, 0.05), replace=True, today=TODAY), r"gap")  # ~55 m²
    refused(lambda: import_grids(db, sliver_layer(tmp_path, 0.002), replace=True, today=TODAY, sliver_m2=1.0),
            r"2\.\d+ m² 未被任何网格覆盖")
    assert snapshot(db) == before


def test_the_sliver_tolerance_is_the_citys_setting(db, tmp_path):
    with db.write() as s:
        s.get(m.Setting, "grid_check").value = {"sliver_tolerance_m2": 0.5}
    before = snapshot(db)
    refused(lambda: import_grids(db, sliver_layer(tmp_path, 0.002), replace=True, today=TODAY), "gap")
    assert snapshot(db) == before


def write_shapefile(base: Path, grids: dict, *, crs: str = "wgs84", encoding: str = "utf-8",
                    names: dict | None = None) -> Path:
    with shapefile.Writer(str(base), shapeType=shapefile.POLYGON, encoding=encoding) as w:
        w.field("CODE", "C", size=20)
        w.field("NAME", "C", size=40)
        for code, geom in grids.items():
            geom = transform_geometry(geom, CRS.WGS84, crs) if crs != "wgs84" else geom
            w.poly([list(geom.exterior.coords)[::-1]])
            w.record(code, (names or {}).get(code, f"网格{code[-3:]}"))
    base.with_suffix(".cpg").unlink(missing_ok=True)
    return base.with_suffix(".shp")


@pytest.mark.parametrize("epsg, crs", [(4548, "cgcs2000-gk3:117"), (4527, "cgcs2000-gk3:z39"), (32650, "EPSG:32650")])
def test_shapefile_prj_is_honoured(db, tmp_path, epsg, crs):
    shp = write_shapefile(tmp_path / "grids", GRIDS, crs=crs)
    shp.with_suffix(".prj").write_text(pyproj.CRS.from_epsg(epsg).to_wkt("WKT1_ESRI"))
    import_grids(db, shp, replace=True, today=TODAY)  # no --crs: the .prj says it
    with db.read() as s:
        grid = s.scalars(select(m.UnitGrid).where(m.UnitGrid.code == "350402001001001",
                                                  m.UnitGrid.valid_to.is_(None))).one()
    assert grid.geometry.symmetric_difference(GRIDS["350402001001001"]).area < 1e-12


@pytest.mark.parametrize("replace", [False, True])
def test_swapped_gauss_kruger_metres_are_refused_by_the_zone(db, tmp_path, replace):
    # the zone itself says northing and easting are swapped (no district needed to tell)
    feats = [feature(code, shapely.transform(transform_geometry(geom, CRS.WGS84, "cgcs2000-gk3:117"), lambda c: c[:, ::-1]))
             for code, geom in GRIDS.items()]
    path = write_geojson(tmp_path / "swapped.geojson", feats)
    before = snapshot(db)
    refused(lambda: import_grids(db, path, crs="cgcs2000-gk3:117", replace=replace, today=TODAY),
            r"#1 \(350402001001001\).*outside the range of cgcs2000-gk3:117; looks like easting/northing swapped")
    assert snapshot(db) == before


def test_a_prj_of_a_city_meridian_is_read_by_its_name_and_measured_on_the_ellipsoid(db, tmp_path):
    # a city's own Gauss-Krüger (central meridian 117.5°E, no EPSG code), as QGIS writes its .prj
    shp = write_shapefile(tmp_path / "grids", GRIDS, crs="cgcs2000-gk3:117.5")
    shp.with_suffix(".prj").write_text(pyproj_crs("cgcs2000-gk3:117.5").to_wkt("WKT1_ESRI"))
    import_grids(db, shp, crs="cgcs2000-gk3:117.5", replace=True, today=TODAY)  # --crs agrees with the .prj
    with db.read() as s:
        grid = s.scalars(select(m.UnitGrid).where(m.UnitGrid.code == "350402001001001",
                                                  m.UnitGrid.valid_to.is_(None))).one()
    assert grid.geometry.symmetric_difference(GRIDS["350402001001001"]).area < 1e-12
    assert grid.area_m2 == pytest.approx(area_m2(GRIDS["350402001001001"]), rel=1e-9)  # the one area figure


def test_a_prj_naming_the_same_meridian_in_another_zone_width_agrees_with_crs(db, tmp_path):
    shp = write_shapefile(tmp_path / "grids", GRIDS, crs="cgcs2000-gk3:117")
    shp.with_suffix(".prj").write_text(pyproj.CRS.from_epsg(4509).to_wkt("WKT1_ESRI"))  # 6° zone, CM 117°E
    summary = import_grids(db, shp, crs="cgcs2000-gk3:117", replace=True, today=TODAY)
    assert summary["grids"] == len(GRIDS) and summary["warnings"] == []


def test_a_prj_contradicting_crs_is_refused(db, tmp_path):
    shp = write_shapefile(tmp_path / "grids", GRIDS, crs="cgcs2000-gk3:117")
    shp.with_suffix(".prj").write_text(pyproj.CRS.from_epsg(4548).to_wkt("WKT1_ESRI"))
    before = snapshot(db)
    refused(lambda: import_grids(db, shp, crs="wgs84", replace=True, today=TODAY), r"\.prj 为 cgcs2000-gk3:117")
    shp.with_suffix(".prj").write_text("PROJCS[nonsense")
    refused(lambda: import_grids(db, shp, replace=True, today=TODAY), r"grids\.prj: .*unreadable \.prj")
    assert snapshot(db) == before


CHINESE = {"350402001001001": "列东街道第一网格", "350402002002002": "列西社区第二网格"}


@pytest.mark.parametrize("cpg", ["GBK", "cp936", None], ids=["cpg-gbk", "cpg-cp936", "no-cpg-detected"])
def test_gbk_dbf_is_read_by_cpg_or_detection(db, tmp_path, cpg):
    shp = write_shapefile(tmp_path / "grids", GRIDS, encoding="gbk", names=CHINESE)
    if cpg:
        shp.with_suffix(".cpg").write_text(cpg)
    import_grids(db, shp, replace=True, today=TODAY)
    with db.read() as s:
        names = dict(s.execute(select(m.UnitGrid.code, m.UnitGrid.name).where(m.UnitGrid.valid_to.is_(None))).all())
    assert names["350402001001001"] == "列东街道第一网格" and names["350402002002002"] == "列西社区第二网格"


def test_dbf_in_no_known_encoding_is_refused_naming_encoding(db, tmp_path):
    names = {code: f"G{code[-3:]}" for code in GRIDS} | {"350402001001001": "\xff\xfe\x80"}
    shp = write_shapefile(tmp_path / "grids", GRIDS, encoding="latin-1", names=names)
    before = snapshot(db)
    refused(lambda: import_grids(db, shp, replace=True, today=TODAY), "no .cpg.*pass --encoding")
    refused(lambda: import_grids(db, shp, replace=True, today=TODAY, encoding="no-such-codec"), "unknown --encoding")
    refused(lambda: import_grids(db, shp, replace=True, today=TODAY, encoding="gbk"), "not gbk as --encoding says")
    shp.with_suffix(".cpg").write_text("UTF-8")
    refused(lambda: import_grids(db, shp, replace=True, today=TODAY), r"not UTF-8 as grids\.cpg says")
    assert snapshot(db) == before
    shp.with_suffix(".cpg").unlink()
    import_grids(db, shp, replace=True, today=TODAY, encoding="latin-1")
    assert snapshot(db) != before


@pytest.mark.parametrize("damage, expected", [
    (lambda shp: shp.with_suffix(".dbf").unlink(), r"missing grids\.dbf"),
    (lambda shp: shp.with_suffix(".shx").unlink(), r"missing grids\.shx"),
    (lambda shp: shp.write_bytes(b"\x00garbage" * 20), "unreadable or damaged shapefile"),
    (lambda shp: shp.write_bytes(shp.read_bytes()[:150]), "unreadable or damaged shapefile"),
], ids=["no-dbf", "no-shx", "garbage-shp", "truncated-shp"])
def test_broken_shapefile_gives_one_line(db, tmp_path, damage, expected):
    shp = write_shapefile(tmp_path / "grids", GRIDS)
    damage(shp)
    before = snapshot(db)
    refused(lambda: import_grids(db, shp, replace=True, today=TODAY), expected)
    assert snapshot(db) == before


@pytest.mark.parametrize("encoding, prefix", [("utf-8", b""), ("utf-8", b"\xef\xbb\xbf"), ("gbk", b""),
                                              ("gb18030", b"")], ids=["utf8", "utf8-bom", "gbk", "gb18030"])
def test_geojson_in_any_usual_encoding(db, tmp_path, encoding, prefix):
    feats = [feature(code, geom, name=CHINESE.get(code, "网格")) for code, geom in GRIDS.items()]
    path = tmp_path / "grids.geojson"
    path.write_bytes(prefix + json.dumps({"type": "FeatureCollection", "features": feats},
                                         ensure_ascii=False).encode(encoding))
    import_grids(db, path, replace=True, today=TODAY)
    with db.read() as s:
        assert s.scalars(select(m.UnitGrid.name).where(m.UnitGrid.code == "350402001001001",
                                                       m.UnitGrid.valid_to.is_(None))).one() == "列东街道第一网格"


CAMERA_ROWS = [("35040200001320000001", "列东路口", 117.605, 26.265), ("35040200001310000002", "列西菜场", 117.625, 26.275)]


def camera_csv(path: Path, header: str, encoding: str = "utf-8", prefix: bytes = b"", rows=CAMERA_ROWS) -> Path:
    body = header + "\n" + "".join(f"{i},{n},{x},{y}\n" for i, n, x, y in rows)
    path.write_bytes(prefix + body.encode(encoding))
    return path


@pytest.mark.parametrize("header, encoding, prefix", [
    ("编号,名称,经度,纬度", "utf-8", b"\xef\xbb\xbf"),
    ("编号,名称,经度,纬度", "gbk", b""),
    ("设备编号,设备名称,经度,纬度", "gb18030", b""),
    ("ID,NAME,LON,LAT", "utf-8", b""),
    (" DeviceID , Name , Longitude , Latitude ", "utf-8", b"\xef\xbb\xbf"),
], ids=["chinese-bom", "chinese-gbk", "chinese-gb18030", "upper-case", "spaced"])
def test_camera_csv_headers_and_encodings(db, tmp_path, header, encoding, prefix):
    path = camera_csv(tmp_path / "cams.csv", header, encoding, prefix)
    assert import_cameras(db, path)["added"] == 2
    with db.read() as s:
        cam = s.get(m.Camera, "35040200001320000001")
    assert (cam.name, cam.grid_code) == ("列东路口", "350402001001001")


def test_camera_csv_with_explicit_encoding(db, tmp_path):
    path = camera_csv(tmp_path / "cams.csv", "编号,名称,经度,纬度", "gbk")
    assert import_cameras(db, path, encoding="gbk")["added"] == 2
    before = snapshot(db)
    refused(lambda: import_cameras(db, path, encoding="utf-8"), "not utf-8")
    assert snapshot(db) == before


@pytest.mark.parametrize("header, missing", [("编号,名称,纬度", "lon"), ("name,lon,lat", "id"), ("id,name,x", "lon")])
def test_a_missing_camera_column_is_named(db, tmp_path, header, missing):
    path = tmp_path / "cams.csv"
    path.write_text(header + "\n1,2,3\n", encoding="utf-8")
    before = snapshot(db)
    refused(lambda: import_cameras(db, path), f"missing column {missing}")
    assert snapshot(db) == before


@pytest.mark.parametrize("rows, expected", [
    ([("35040200001110000001", "硬盘录像机", 117.605, 26.265)], r"第 1 条 .*类型码 111 \(DVR\) 不是视频设备"),
    ([("35040200002000000001", "中心", 117.605, 26.265)], r"类型码 200 .*no video device"),
    ([CAMERA_ROWS[0], CAMERA_ROWS[1], ("35040200001320000001", "又一个", 117.606, 26.266)],
     r"第 3 条 \(35040200001320000001\): 编号与第 1 条重复 \(duplicate ID in rows 1 and 3\)"),
    ([("35040200001320000001", "无坐标", "nan", 26.265)], "NaN or infinite"),
    ([("35040200001320000001", "颠倒", 26.265, 117.605)], "swapped"),
    ([("35040200001320000001", "米", 560_500.0, 2_904_600.0)], "pass --crs cgcs2000-gk3:117"),
    ([("35040200001320000001", "文字", "东经117", 26.265)], "不是数字"),
], ids=["dvr", "server", "duplicate", "nan", "swapped", "metres", "text"])
def test_bad_camera_rows_are_refused_naming_the_row(db, tmp_path, rows, expected):
    path = camera_csv(tmp_path / "cams.csv", "id,name,lon,lat", rows=rows)
    before = snapshot(db)
    refused(lambda: import_cameras(db, path), expected)
    assert snapshot(db) == before


def test_one_nan_camera_in_geojson_changes_nothing(db, tmp_path):
    path = tmp_path / "cams.geojson"
    path.write_text('{"type": "FeatureCollection", "features": ['
                    '{"type": "Feature", "properties": {"id": "35040200001320000001"}, "geometry": {"type": "Point", "coordinates": [117.605, 26.265]}},'
                    '{"type": "Feature", "properties": {"id": "35040200001320000002"}, "geometry": {"type": "Point", "coordinates": [NaN, 26.265]}}]}',
                    encoding="utf-8")
    before = snapshot(db)
    refused(lambda: import_cameras(db, path), r"第 2 条 \(35040200001320000002\): .*NaN")
    assert snapshot(db) == before


def test_cli_refusal_is_one_line_and_non_zero(db, tmp_path, capsys):
    path = layer_file(tmp_path, GRIDS, crs="cgcs2000-gk3:117")
    before = snapshot(db)
    assert cli_main(["import", "grids", str(path), "--replace", "--db", db.url]) != 0
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "pass --crs cgcs2000-gk3:117" in err[0]
    assert snapshot(db) == before
    assert cli_main(["import", "grids", str(path), "--replace", "--crs", "cgcs2000-gk3:117", "--db", db.url]) == 0


def test_check_grids_cli_passes_with_sliver_warnings_and_fails_above(db, tmp_path, capsys):
    import_grids(db, sliver_layer(tmp_path, 0.002), replace=True)
    assert cli_main(["check-grids", "--db", db.url]) == 0
    out = capsys.readouterr().out
    assert "350402001001001" in out and "sliver warnings" in out
    assert cli_main(["check-grids", "--db", db.url, "--sliver-m2", "1"]) != 0


# --- no input makes an importer raise ----------------------------------------------------------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**20, 10**20), st.text(max_size=20),
                     st.floats(allow_nan=True, allow_infinity=True))
_json = st.recursive(_scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                       st.dictionaries(st.text(max_size=8), inner, max_size=4)),
                     max_leaves=25)
_coords = st.recursive(st.floats(allow_nan=True, allow_infinity=True) | st.integers(-10**6, 10**6),
                       lambda inner: st.lists(inner, max_size=5), max_leaves=30)
_geometry = st.one_of(_json, st.fixed_dictionaries({
    "type": st.sampled_from(["Point", "Polygon", "MultiPolygon", "LineString", "GeometryCollection", "Nope", 7]),
    "coordinates": _coords}))
_props = st.one_of(_json, st.fixed_dictionaries(
    {"code": st.one_of(_scalars, st.sampled_from(["350402001001009", "350402001001001"])),
     "id": st.one_of(_scalars, st.sampled_from(["35040200001320000009", "35040200001110000009"]))}))
_feature = st.one_of(_json, st.fixed_dictionaries({"type": st.just("Feature"), "geometry": _geometry,
                                                   "properties": _props}))
_document = st.one_of(_json, st.fixed_dictionaries({"type": st.sampled_from(["FeatureCollection", "Feature"]),
                                                    "features": st.one_of(_json, st.lists(_feature, max_size=4))}))


def _deeply_nested(depth: int) -> str:
    return '{"type": "FeatureCollection", "features": [' + "[" * depth + "]" * depth + "]}"


@st.composite
def malformed_files(draw) -> tuple[str, bytes]:
    kind = draw(st.sampled_from(["geojson", "truncated", "nested", "csv", "bytes"]))
    if kind == "nested":
        return ".geojson", _deeply_nested(draw(st.integers(1000, 100_000))).encode()
    if kind == "csv":
        header = draw(st.sampled_from(["id,name,lon,lat", "编号,经度,纬度", "ID,LON", ""]))
        rows = draw(st.lists(st.lists(st.text(max_size=12), max_size=6), max_size=4))
        return ".csv", (header + "\n" + "\n".join(",".join(r) for r in rows)).encode("utf-8")
    if kind == "bytes":
        return draw(st.sampled_from([".geojson", ".csv", ".shp"])), draw(st.binary(max_size=300))
    doc = json.dumps(draw(_document), allow_nan=True).encode()
    if kind == "truncated":
        doc = doc[:draw(st.integers(0, max(len(doc) - 1, 0)))]
    return ".geojson", doc


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(case=malformed_files(), replace=st.booleans())
def test_no_malformed_input_makes_an_importer_raise(db, tmp_path, case, replace):
    suffix, data = case
    path = tmp_path / f"fuzz{suffix}"
    path.write_bytes(data)
    if suffix == ".shp":
        for ext in (".shx", ".dbf"):
            path.with_suffix(ext).write_bytes(data[::-1])
    before = snapshot(db)
    for run in (lambda: import_grids(db, path, replace=replace, today=TODAY), lambda: import_cameras(db, path)):
        with pytest.raises(ImportRefused) as err:
            run()
        assert "\n" not in str(err.value) and str(err.value).startswith(f"{path.name}: ")
    assert snapshot(db) == before


@pytest.mark.parametrize("content, expected", [
    ('{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": [1, 2], "geometry": null}]}',
     "properties is a list"),
    (_deeply_nested(50_000), "not valid JSON|not an object"),
    ('{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"code": "350402001001009"}, '
     '"geometry": {"type": "Polygon", "coordinates": "117.6,26.26"}}]}', "unreadable geometry"),
    ('{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"code": ["350402001001009"]}, '
     '"geometry": {"type": "Polygon", "coordinates": [[[117.6, 26.26]]]}}]}', "no code property"),
    ('{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"code": "350402001001009"}, '
     '"geometry": {"type": "Polygon", "coordinates": [[[117.6, 26.26], [117.61, 26', "not valid JSON"),
    ('{"type": "FeatureCollection", "features": {"a": 1}}', "expected a FeatureCollection"),
], ids=["properties-list", "deep-nesting", "coordinates-string", "code-list", "truncated", "features-object"])
def test_named_malformed_structures_give_one_line(db, tmp_path, content, expected):
    path = tmp_path / "bad.geojson"
    path.write_text(content, encoding="utf-8")
    before = snapshot(db)
    refused(lambda: import_grids(db, path, today=TODAY), expected)
    assert snapshot(db) == before


# --- replace with a new district boundary ------------------------------------------------------

WIDER = {**GRIDS, "350402002001003": shapely.box(117.64, 26.26, 117.65, 26.27),
         "350402002002003": shapely.box(117.64, 26.27, 117.65, 26.28)}


def test_a_layer_beyond_the_district_needs_its_new_boundary(db, tmp_path):
    path = layer_file(tmp_path, WIDER)
    before = snapshot(db)
    refused(lambda: import_grids(db, path, replace=True, today=TODAY), "350402002001003.*outside_parent")
    assert snapshot(db) == before
    boundary = layer_file(tmp_path, {"": shapely.box(117.60, 26.26, 117.65, 26.28)}, name="boundary.geojson")
    summary = import_grids(db, path, replace=True, district=boundary, today=TODAY)
    assert summary["grids"] == 10 and summary["warnings"] == []
    assert check_grids(db) == []  # district, streets and communities redrawn around the new layer
    with db.read() as s:
        assert s.get(m.District, "350402").area_km2 == pytest.approx(10 * 1.11, rel=0.02)  # ten 0.01° cells


@pytest.mark.parametrize("boundary, expected", [
    (shapely.box(117.60, 26.26, 117.66, 26.28), "gap"),  # the layer does not cover it
    (shapely.box(117.60, 26.26, 117.645, 26.28), "outside_parent"),  # the layer sticks out of it
], ids=["not-covered", "sticks-out"])
def test_a_new_boundary_the_layer_does_not_fit_is_refused(db, tmp_path, boundary, expected):
    path = layer_file(tmp_path, WIDER)
    boundary_path = layer_file(tmp_path, {"": boundary}, name="boundary.geojson")
    before = snapshot(db)
    refused(lambda: import_grids(db, path, replace=True, district=boundary_path, today=TODAY), expected)
    assert snapshot(db) == before


def test_a_bad_boundary_file_or_district_without_replace_is_one_line(db, tmp_path):
    path = layer_file(tmp_path, WIDER)
    nan_boundary = tmp_path / "boundary.geojson"
    nan_boundary.write_text('{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {}, '
                            '"geometry": {"type": "Polygon", "coordinates": [[[117.6, 26.26], [NaN, 26.26], '
                            '[117.65, 26.28], [117.6, 26.26]]]}}]}', encoding="utf-8")
    before = snapshot(db)
    refused(lambda: import_grids(db, path, replace=True, district=nan_boundary, today=TODAY),
            r"boundary\.geojson: 边界要素 #1: .*NaN")
    with pytest.raises(CommandError, match="add --replace"):
        import_grids(db, path, district=nan_boundary, today=TODAY)
    assert snapshot(db) == before


def test_parallel_imports_run_one_after_the_other(db, tmp_path):
    import threading

    path = layer_file(tmp_path, GRIDS)
    cams = camera_csv(tmp_path / "cams.csv", "id,name,lon,lat")
    failures: list[BaseException] = []

    def run(call) -> None:
        try:
            call()
        except BaseException as exc:  # noqa: BLE001 - collected and asserted below
            failures.append(exc)

    jobs = [lambda: import_grids(db, path, replace=True, today=TODAY)] * 3 + [lambda: import_cameras(db, cams)] * 3
    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert check_grids(db) == []
    with db.read() as s:
        current = s.scalars(select(m.UnitGrid.code).where(m.UnitGrid.valid_to.is_(None))).all()
        assert sorted(current) == sorted(GRIDS)
        assert s.scalar(select(func.count()).select_from(m.Camera).where(m.Camera.id.in_([r[0] for r in CAMERA_ROWS]))) == 2


def test_gcj02_data_with_a_wgs84_prj_is_read_as_the_operator_says(db, tmp_path):
    # GCJ-02 has no WKT: web-map exports carry a WGS-84 .prj; --crs gcj02 corrects it
    shp = write_shapefile(tmp_path / "grids", GRIDS, crs="gcj02")
    shp.with_suffix(".prj").write_text(pyproj.CRS.from_epsg(4326).to_wkt("WKT1_ESRI"))
    import_grids(db, shp, crs="gcj02", replace=True, today=TODAY)
    with db.read() as s:
        grid = s.scalars(select(m.UnitGrid).where(m.UnitGrid.code == "350402001001001",
                                                  m.UnitGrid.valid_to.is_(None))).one()
    assert grid.geometry.symmetric_difference(GRIDS["350402001001001"]).area < 1e-10


def test_the_command_line_prints_exactly_one_line_for_a_damaged_file(db, tmp_path):
    import subprocess
    import sys

    nan = tmp_path / "nan.geojson"
    nan.write_text('{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"code": '
                   '"350402001001009"}, "geometry": {"type": "Polygon", "coordinates": [[[117.6, 26.26], '
                   '[NaN, 26.26], [117.61, 26.27], [117.6, 26.26]]]}}]}', encoding="utf-8")
    garbage = tmp_path / "garbage.shp"
    garbage.write_bytes(b"\x00garbage" * 20)
    garbage.with_suffix(".shx").write_bytes(b"x" * 100)
    garbage.with_suffix(".dbf").write_bytes(b"y" * 100)
    directory = tmp_path / "folder.geojson"
    directory.mkdir()
    before = snapshot(db)
    for path, expected in ((nan, "NaN"), (garbage, "damaged shapefile"), (directory, "cannot read the file")):
        run = subprocess.run([sys.executable, "-m", "console.cli", "import", "grids", str(path), "--db", db.url],
                             capture_output=True, text=True, timeout=120)
        assert run.returncode != 0 and run.stdout == ""
        lines = run.stderr.strip().splitlines()
        assert len(lines) == 1 and expected in lines[0], run.stderr
    assert snapshot(db) == before

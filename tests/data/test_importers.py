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
from console.data.importers import ImportRefused, check_grids, import_cameras, import_grids
from console.domain.crs import CRS, transform_geometry
from tests.conftest import tiny_city_geometry

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
    assert import_cameras(db, path) == {"file": str(path), "added": 2, "updated": 0}
    with db.read() as s:
        cam = s.get(m.Camera, "35040200001320000001")
        assert cam.grid_code == "350402001001001" and cam.street_code == "350402001" and cam.ptz
    path.write_text("id,name,lon,lat\n123,坏编号,117.6,26.2\n", encoding="utf-8")
    with pytest.raises(ImportRefused, match="第 1 条"):
        import_cameras(db, path)

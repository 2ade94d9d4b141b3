"""Importing grid layers (GeoJSON, Shapefile) and camera catalogues.

An import is checked whole before anything is written and then written in
one transaction: a bad file changes nothing, and the error names the file,
the feature and the problem.
"""
from __future__ import annotations

import csv
import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any, Iterator, Mapping
from zoneinfo import ZoneInfo

import shapely
from shapely.geometry import shape
from sqlalchemy import select

from console.data import models as m
from console.data.commands import CommandError, log_change
from console.data.db import Database
from console.domain.codes import CameraId, CodeError, GridCode
from console.domain.crs import CRS, parse_crs, transform_geometry, transform_point
from console.domain.spatial import LayerProblem, area_m2, validate_grid_geometries, validate_layers

SHANGHAI = ZoneInfo("Asia/Shanghai")
CODE_FIELDS = ("code", "grid_code", "gridcode", "bgid", "网格编码", "编码")
STREET_NAME_FIELDS = ("street_name", "street", "街道", "街道名称")
COMMUNITY_NAME_FIELDS = ("community_name", "community", "社区", "社区名称")
GRID_NAME_FIELDS = ("name", "grid_name", "网格名称")


class ImportRefused(CommandError):
    """The file was refused; `problems` lists every finding, str() the first."""

    def __init__(self, path: Path, problems: list[str]) -> None:
        more = f" (另有 {len(problems) - 1} 个问题 / {len(problems) - 1} more)" if len(problems) > 1 else ""
        super().__init__(f"{path.name}: {problems[0]}{more}")
        self.problems = problems


@dataclass
class GridFeature:
    index: int  # 1-based position in the file
    code: str
    geom: Any  # lon/lat WGS-84
    name: str | None
    street_name: str | None
    community_name: str | None


# --- reading -------------------------------------------------------------------------------


def _read_features(path: Path) -> Iterator[tuple[int, dict[str, Any] | None, dict[str, Any]]]:
    """(index, geometry mapping, properties) per feature, GeoJSON or Shapefile."""
    if not path.exists():
        raise FileNotFoundError(f"文件不存在 (no such file): {path}")
    suffix = path.suffix.lower()
    if suffix in (".geojson", ".json"):
        yield from _read_geojson(path)
    elif suffix == ".shp":
        yield from _read_shapefile(path)
    else:
        raise ImportRefused(path, [f"不支持的文件类型 {suffix!r}，应为 .geojson/.json 或 .shp (unsupported file type)"])


def _read_geojson(path: Path) -> Iterator[tuple[int, dict[str, Any] | None, dict[str, Any]]]:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ImportRefused(path, [f"不是有效的 GeoJSON: {exc} (not valid JSON)"]) from None
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection" or not isinstance(doc.get("features"), list):
        raise ImportRefused(path, ["不是 GeoJSON FeatureCollection (expected a FeatureCollection)"])
    for index, feature in enumerate(doc["features"], start=1):
        if not isinstance(feature, dict):
            raise ImportRefused(path, [f"要素 #{index} 不是对象 (feature is not an object)"])
        yield index, feature.get("geometry"), feature.get("properties") or {}


def _read_shapefile(path: Path) -> Iterator[tuple[int, dict[str, Any] | None, dict[str, Any]]]:
    import shapefile  # pyshp

    try:
        reader = shapefile.Reader(str(path), encoding=_shapefile_encoding(path))
    except (shapefile.ShapefileException, OSError) as exc:
        raise ImportRefused(path, [f"无法读取 Shapefile: {exc} (unreadable shapefile)"]) from None
    with reader:
        for index, record in enumerate(reader.iterShapeRecords(), start=1):
            geometry = record.shape.__geo_interface__ if record.shape.shapeType != shapefile.NULL else None
            yield index, geometry, record.record.as_dict()


def _shapefile_encoding(path: Path) -> str:
    cpg = path.with_suffix(".cpg")
    if cpg.exists():
        return cpg.read_text().strip() or "utf-8"
    return "utf-8"


def _prop(props: Mapping[str, Any], names: tuple[str, ...]) -> str | None:
    lowered = {str(k).lower(): v for k, v in props.items()}
    for name in names:
        value = lowered.get(name.lower())
        if value not in (None, ""):
            return str(value).strip()
    return None


def read_grid_file(path: Path, crs: str = "wgs84") -> list[GridFeature]:
    """Read and check every feature; refuse the file on the first pass's findings."""
    try:
        source_crs = parse_crs(crs)
    except ValueError as exc:
        raise ImportRefused(path, [str(exc)]) from None
    problems: list[str] = []
    features: list[GridFeature] = []
    seen: dict[str, int] = {}
    for index, geometry, props in _read_features(path):
        where = f"要素 #{index}"
        raw_code = _prop(props, CODE_FIELDS)
        if raw_code is None:
            problems.append(f"{where}: 缺少网格编码属性 (no code property; one of {', '.join(CODE_FIELDS)})")
            continue
        where = f"要素 #{index} ({raw_code})"
        try:
            code = str(GridCode.parse(raw_code))
        except CodeError as exc:
            problems.append(f"{where}: 编码格式错误 {exc}")
            continue
        if code in seen:
            problems.append(f"{where}: 编码与要素 #{seen[code]} 重复 (duplicate code)")
            continue
        seen[code] = index
        geom = _feature_geometry(geometry, where, problems)
        if geom is None:
            continue
        geom = transform_geometry(geom, source_crs, CRS.WGS84)
        features.append(GridFeature(index, code, geom, _prop(props, GRID_NAME_FIELDS),
                                    _prop(props, STREET_NAME_FIELDS), _prop(props, COMMUNITY_NAME_FIELDS)))
    if not features and not problems:
        problems.append("文件中没有要素 (no features)")
    if problems:
        raise ImportRefused(path, problems)
    return features


def _feature_geometry(geometry: Mapping[str, Any] | None, where: str, problems: list[str]) -> Any:
    if not geometry:
        problems.append(f"{where}: 没有几何 (no geometry)")
        return None
    try:
        geom = shape(geometry)
    except (ValueError, TypeError, AttributeError, KeyError, IndexError) as exc:
        problems.append(f"{where}: 几何无法解析 {exc} (unreadable geometry)")
        return None
    if geom.geom_type not in ("Polygon", "MultiPolygon"):
        problems.append(f"{where}: 几何类型 {geom.geom_type} 不是面 (not a polygon)")
        return None
    if geom.is_empty:
        problems.append(f"{where}: 几何为空 (empty geometry)")
        return None
    if not geom.is_valid:
        problems.append(f"{where}: 几何无效 {shapely.is_valid_reason(geom)} (invalid geometry)")
        return None
    return geom


# --- importing grids -------------------------------------------------------------------------------


def import_grids(db: Database, path: Path, *, crs: str = "wgs84", replace: bool = False,
                 today: date | None = None) -> dict[str, Any]:
    """Import a unit-grid layer; see the module doc for what is refused."""
    features = read_grid_file(path, crs)
    today = today or datetime.now(SHANGHAI).date()
    own = validate_grid_geometries({f.code: f.geom for f in features})
    if own:
        raise ImportRefused(path, [_problem_line(p, features) for p in own])
    with db.write() as s:
        current = _current_grids(s, today)
        if current and not replace:
            _check_against_database(s, path, features, current)
        summary = _write_grids(s, features, current if replace else {}, today)
        log_change(s, "grid", "*", "import", operator="import")
    db.invalidate_rules()
    return {"file": str(path), "grids": len(features), **summary, "replaced": bool(current) and replace}


def _problem_line(problem: LayerProblem, features: list[GridFeature]) -> str:
    index = {f.code: f.index for f in features}
    named = ", ".join(f"#{index[c]}" for c in problem.codes if c in index)
    return f"要素 {named}: {problem.message}" if named else problem.message


def _current_grids(s, today: date) -> dict[str, m.UnitGrid]:  # noqa: ANN001
    rows = s.scalars(select(m.UnitGrid).where(m.UnitGrid.valid_on(today)))
    return {row.code: row for row in rows}


def _check_against_database(s, path: Path, features: list[GridFeature], current: dict[str, m.UnitGrid]) -> None:  # noqa: ANN001
    """Adding to a layer: no overlap with the grids there, inside known communities."""
    problems = [f"要素 #{f.index} ({f.code}): 编码已存在 (code already in the layer; use --replace)"
                for f in features if f.code in current]
    communities = {row.code: row.geometry for row in s.scalars(select(m.Community))}
    streets = {row.code: row.geometry for row in s.scalars(select(m.Street))}
    grids = {code: row.geometry for code, row in current.items()}
    grids.update({f.code: f.geom for f in features if f.code not in current})
    new_codes = {f.code for f in features}
    for p in validate_layers(shapely.union_all(list(streets.values())), streets, communities, grids):
        if p.kind == "gap" or not new_codes.intersection(p.codes):
            continue  # only what the new grids cause counts against this file
        problems.append(_problem_line(p, features))
    if problems:
        raise ImportRefused(path, problems)


def _write_grids(s, features: list[GridFeature], replaced: dict[str, m.UnitGrid], today: date) -> dict[str, int]:  # noqa: ANN001
    for row in replaced.values():
        if row.valid_from >= today:
            s.delete(row)  # valid for no day at all
        else:
            row.valid_to = today
    s.flush()
    by_community: dict[str, list[GridFeature]] = defaultdict(list)
    for f in features:
        by_community[f.code[:12]].append(f)
    created = _ensure_levels(s, by_community)
    for f in features:
        row = m.UnitGrid(code=f.code, community_code=f.code[:12], street_code=f.code[:9], name=f.name,
                         area_m2=area_m2(f.geom), valid_from=today)
        row.set_geometry(f.geom)
        s.add(row)
    s.flush()
    return created


def _ensure_levels(s, by_community: dict[str, list[GridFeature]]) -> dict[str, int]:  # noqa: ANN001
    """Build the district, street and community levels the codes name and the database lacks."""
    by_street: dict[str, list[Any]] = defaultdict(list)
    for community, feats in by_community.items():
        by_street[community[:9]].extend(f.geom for f in feats)
    by_district: dict[str, list[Any]] = defaultdict(list)
    for street, geoms in by_street.items():
        by_district[street[:6]].extend(geoms)
    created = {"districts": 0, "streets": 0, "communities": 0}
    for code, geoms in by_district.items():
        if s.get(m.District, code) is None:
            geom = shapely.union_all(geoms)
            row = m.District(code=code, name=f"辖区 {code}", area_km2=area_m2(geom) / 1e6)
            row.set_geometry(geom)
            s.add(row)
            created["districts"] += 1
    s.flush()
    for code, geoms in by_street.items():
        if s.get(m.Street, code) is None:
            name = next((f.street_name for c, fs in by_community.items() if c[:9] == code for f in fs if f.street_name), None)
            row = m.Street(code=code, district_code=code[:6], name=name or f"街道 {code[6:]}")
            row.set_geometry(shapely.union_all(geoms))
            s.add(row)
            created["streets"] += 1
    s.flush()
    for code, feats in by_community.items():
        if s.get(m.Community, code) is None:
            name = next((f.community_name for f in feats if f.community_name), None)
            row = m.Community(code=code, street_code=code[:9], name=name or f"社区 {code[9:]}")
            row.set_geometry(shapely.union_all([f.geom for f in feats]))
            s.add(row)
            created["communities"] += 1
    s.flush()
    return created


# --- checking ------------------------------------------------------------------------------------


def check_grids(db: Database | None, path: Path | None = None, *, crs: str = "wgs84") -> list[LayerProblem]:
    """全域覆盖、边界明晰、互不重叠: check a file's layer, or the database's layers."""
    if path is not None:
        features = read_grid_file(path, crs)
        return validate_grid_geometries({f.code: f.geom for f in features})
    assert db is not None
    today = datetime.now(SHANGHAI).date()
    with db.read() as s:
        districts = [row.geometry for row in s.scalars(select(m.District))]
        streets = {row.code: row.geometry for row in s.scalars(select(m.Street))}
        communities = {row.code: row.geometry for row in s.scalars(select(m.Community))}
        grids = {code: row.geometry for code, row in _current_grids(s, today).items()}
    if not districts:
        raise CommandError("数据库中没有辖区边界 (no district in the database)")
    return validate_layers(shapely.union_all(districts), streets, communities, grids)


# --- cameras -------------------------------------------------------------------------------------


def import_cameras(db: Database, path: Path, *, crs: str = "wgs84") -> dict[str, Any]:
    """GB/T 28181 camera catalogue from GeoJSON points or CSV (id,name,lon,lat[,status,ptz,owner])."""
    try:
        source_crs = parse_crs(crs)
    except ValueError as exc:
        raise ImportRefused(path, [str(exc)]) from None
    rows, problems = _read_cameras(path, source_crs)
    if problems:
        raise ImportRefused(path, problems)
    from console.domain.spatial import GridIndex

    today = datetime.now(SHANGHAI).date()
    with db.write() as s:
        grids = _current_grids(s, today)
        index = GridIndex({code: row.geometry for code, row in grids.items()}) if grids else None
        added = updated = 0
        for cam in rows:
            grid = index.locate(cam["lon"], cam["lat"]) if index else None
            cam.update(grid_code=grid, street_code=grid[:9] if grid else None)
            existing = s.get(m.Camera, cam["id"])
            if existing is None:
                s.add(m.Camera(**cam))
                added += 1
            else:
                for key, value in cam.items():
                    setattr(existing, key, value)
                updated += 1
        log_change(s, "camera", "*", "import", operator="import", at=datetime.now(timezone.utc))
    return {"file": str(path), "added": added, "updated": updated}


def _read_cameras(path: Path, source_crs: Any) -> tuple[list[dict[str, Any]], list[str]]:
    if not path.exists():
        raise FileNotFoundError(f"文件不存在 (no such file): {path}")
    problems: list[str] = []
    rows: list[dict[str, Any]] = []
    for index, props, lon, lat in _camera_records(path):
        where = f"第 {index} 条 ({props.get('id', '?')})"
        try:
            camera_id = str(CameraId.parse(str(props.get("id", "")).strip()))
            lon, lat = float(lon), float(lat)
        except (CodeError, TypeError, ValueError) as exc:
            problems.append(f"{where}: {exc}")
            continue
        status = str(props.get("status") or "online").lower()
        if status not in ("online", "offline", "fault"):
            problems.append(f"{where}: 状态 {status!r} 无效 (online/offline/fault)")
            continue
        lon, lat = transform_point(lon, lat, source_crs, CRS.WGS84)
        rows.append({"id": camera_id, "name": str(props.get("name") or camera_id), "lon": lon, "lat": lat,
                     "status": status, "ptz": str(props.get("ptz", "")).lower() in ("1", "true", "yes", "是"),
                     "owner": props.get("owner") or None, "crs": "wgs84"})
    if not rows and not problems:
        problems.append("文件中没有摄像机 (no cameras)")
    return rows, problems


def _camera_records(path: Path) -> Iterator[tuple[int, dict[str, Any], Any, Any]]:
    if path.suffix.lower() == ".csv":
        with path.open(encoding="utf-8-sig", newline="") as fh:
            for index, row in enumerate(csv.DictReader(fh), start=1):
                yield index, row, row.get("lon"), row.get("lat")
        return
    for index, geometry, props in _read_features(path):
        coords = (geometry or {}).get("coordinates") if (geometry or {}).get("type") == "Point" else None
        lon, lat = (coords[0], coords[1]) if coords and len(coords) >= 2 else (None, None)
        yield index, props, lon, lat

"""Importing grid layers (GeoJSON, Shapefile) and camera catalogues.

An import is checked whole before anything is written and then written in
one transaction: a bad file changes nothing, and the error names the file,
the feature and the problem. What is checked:

* every coordinate against its CRS (``crs.check_coordinates``): NaN, infinities,
  degrees out of range (with the likely ``--crs``), swapped lat/lon, a feature
  far outside the district;
* the CRS: ``--crs``, else the Shapefile's ``.prj`` (any EPSG code or WKT), else WGS-84;
* the text: ``--encoding``, else the ``.cpg``, else UTF-8 (with or without BOM),
  else GB18030 (GBK's superset, how most Chinese city data arrives);
* the layer: beside existing grids, no overlap and inside their communities;
  ``--replace``, the whole layer (coverage, overlaps, nesting); slivers up to the
  city's tolerance (setting ``grid_check``) are warnings, bigger ones errors;
* cameras: GB/T 28181 IDs of video devices only, no ID twice in one file.

No input makes a reader raise anything but ImportRefused (one line).
"""
from __future__ import annotations

import codecs
import csv
import io
import json
import math
import struct
import warnings
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any, Mapping
from zoneinfo import ZoneInfo

import shapely
from shapely.geometry import shape
from sqlalchemy import select, text

from console.data import models as m
from console.data.commands import CommandError, log_change
from console.data.db import Database
from console.domain.codes import CameraId, CodeError, GridCode
from console.domain.video import ptz_type_of
from console.domain.crs import (CRS, AnyCRS, Extent, check_coordinates, crs_from_wkt, parse_crs, same_crs,
                                transform_geometry, transform_point)
from console.domain.spatial import (DEFAULT_SLIVER_M2, GridIndex, LayerProblem, area_m2,
                                    validate_grid_geometries, validate_layers)

SHANGHAI = ZoneInfo("Asia/Shanghai")
CODE_FIELDS = ("code", "grid_code", "gridcode", "bgid", "网格编码", "编码")
STREET_NAME_FIELDS = ("street_name", "street", "街道", "街道名称")
COMMUNITY_NAME_FIELDS = ("community_name", "community", "社区", "社区名称")
GRID_NAME_FIELDS = ("name", "grid_name", "网格名称")


class ImportRefused(CommandError):
    """The file was refused; `problems` lists every finding, str() the first."""

    def __init__(self, path: Path, problems: list[str]) -> None:
        problems = [" ".join(str(p).split()) for p in problems]  # one line each, whatever a reader said
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

# Errors a malformed file can raise inside a reader or a geometry constructor: each is
# turned into one line naming the file (and the feature where one is known).
_BAD_INPUT = (ValueError, TypeError, KeyError, IndexError, AttributeError, RecursionError,
              OverflowError, UnicodeError, EOFError, struct.error, csv.Error, shapely.errors.GEOSException)
ENCODINGS_TEXT = "--encoding utf-8 或 --encoding gb18030"


class _Undecodable(Exception):
    """The .dbf's text is not in the encoding tried."""


@dataclass
class Source:
    """What a file was read as: its coordinate system and text encoding."""

    crs: AnyCRS
    encoding: str


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ImportRefused(path, [f"无法读取文件: {exc.strerror or exc} (cannot read the file)"]) from None


def _decode(path: Path, data: bytes, encoding: str | None) -> tuple[str, str]:
    """Text of a CSV/GeoJSON file: the named encoding, else UTF-8 (BOM or not), else GB18030."""
    if encoding:
        try:
            return data.decode(_codec(path, encoding)), encoding
        except UnicodeDecodeError as exc:
            raise ImportRefused(path, [f"不是 {encoding} 编码: 第 {exc.start} 字节 (not {encoding}: byte {exc.start})"]) from None
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    for candidate in ("utf-8", "gb18030"):
        try:
            return data.decode(candidate), candidate
        except UnicodeDecodeError:
            continue
    raise ImportRefused(path, [f"无法识别文本编码 (neither UTF-8 nor GB18030; pass {ENCODINGS_TEXT})"])


def _codec(path: Path, encoding: str) -> str:
    try:
        return codecs.lookup(encoding).name
    except LookupError:
        raise ImportRefused(path, [f"未知编码 {encoding!r} (unknown --encoding; e.g. utf-8, gb18030, gbk)"]) from None


def _read_features(path: Path, encoding: str | None = None) -> tuple[list[tuple[int, Any, dict[str, Any]]], Source | None]:
    """(index, geometry mapping, properties) per feature, GeoJSON or Shapefile, and the .prj/.cpg found."""
    if not path.exists():
        raise FileNotFoundError(f"文件不存在 (no such file): {path}")
    suffix = path.suffix.lower()
    if suffix in (".geojson", ".json"):
        return _read_geojson(path, encoding), None
    if suffix == ".shp":
        return _read_shapefile(path, encoding)
    raise ImportRefused(path, [f"不支持的文件类型 {suffix!r}，应为 .geojson/.json 或 .shp (unsupported file type)"])


def _read_geojson(path: Path, encoding: str | None) -> list[tuple[int, Any, dict[str, Any]]]:
    text, _ = _decode(path, _read_bytes(path), encoding)
    try:
        doc = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as exc:
        raise ImportRefused(path, [f"不是有效的 GeoJSON: {str(exc)[:80]} (not valid JSON)"]) from None
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection" or not isinstance(doc.get("features"), list):
        raise ImportRefused(path, ["不是 GeoJSON FeatureCollection (expected a FeatureCollection)"])
    out = []
    for index, feature in enumerate(doc["features"], start=1):
        if not isinstance(feature, dict):
            raise ImportRefused(path, [f"要素 #{index} 不是对象 (feature is not an object)"])
        props = feature.get("properties")
        if props is not None and not isinstance(props, dict):
            raise ImportRefused(path, [f"要素 #{index}: properties 不是对象 (properties is a {type(props).__name__}, not an object)"])
        out.append((index, feature.get("geometry"), props or {}))
    return out


def _read_shapefile(path: Path, encoding: str | None) -> tuple[list[tuple[int, Any, dict[str, Any]]], Source]:
    missing = [path.with_suffix(ext).name for ext in (".shx", ".dbf") if not _sidecar(path, ext)]
    if missing:
        raise ImportRefused(path, [f"缺少 Shapefile 的 {'、'.join(missing)} 文件 (missing {', '.join(missing)} beside the .shp)"])
    source_crs = _prj_crs(path)
    cpg = _sidecar(path, ".cpg")
    named = encoding or (_read_bytes(cpg).decode("ascii", "replace").strip() or "utf-8" if cpg else None)
    if named:
        try:
            return _shapefile_records(path, _codec(path, named)), Source(source_crs, named)
        except _Undecodable:
            given = "--encoding" if encoding else cpg.name  # type: ignore[union-attr]
            raise ImportRefused(path, [f".dbf 不是 {named} 编码 (the .dbf is not {named} as {given} says)"]) from None
    for candidate in ("utf-8", "gb18030"):  # no .cpg: UTF-8, else the GB18030 most Chinese data comes in
        try:
            return _shapefile_records(path, candidate), Source(source_crs, candidate)
        except _Undecodable:
            continue
    raise ImportRefused(path, [f"无法识别 .dbf 编码且没有 .cpg (no .cpg and the .dbf is neither UTF-8 nor GB18030; pass {ENCODINGS_TEXT})"])


def _sidecar(path: Path, ext: str) -> Path | None:
    """The .shx/.dbf/.prj/.cpg beside a .shp, whatever the case of its extension."""
    for candidate in (path.with_suffix(ext), path.with_suffix(ext.upper())):
        if candidate.exists():
            return candidate
    return None


def _prj_crs(path: Path) -> AnyCRS | None:
    prj = _sidecar(path, ".prj")
    if prj is None:
        return None
    try:
        return crs_from_wkt(_read_bytes(prj).decode("utf-8", "replace"))
    except ValueError as exc:
        raise ImportRefused(path, [f"{prj.name}: 坐标系无法识别 {exc} (unreadable .prj)"]) from None


def _shapefile_records(path: Path, encoding: str) -> list[tuple[int, Any, dict[str, Any]]]:
    import shapefile  # pyshp

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # pyshp's "corrupt header" warnings: the refusal says it in one line
            with shapefile.Reader(str(path), encoding=encoding, encodingErrors="strict") as reader:
                return [(index, _shape_mapping(record.shape), record.record.as_dict())
                        for index, record in enumerate(reader.iterShapeRecords(), start=1)]
    except (shapefile.ShapefileException, OSError, *_BAD_INPUT) as exc:
        if isinstance(exc, UnicodeDecodeError) or "could not decode" in str(exc).lower():
            raise _Undecodable(encoding) from None  # pyshp 3 turns the decode error into its own
        raise ImportRefused(path, [f"无法读取 Shapefile: {type(exc).__name__} {str(exc)[:100]} (unreadable or damaged shapefile)"]) from None


def _shape_mapping(shape_: Any) -> dict[str, Any] | None:
    import shapefile

    return None if shape_.shapeType == shapefile.NULL else shape_.__geo_interface__


def _source(path: Path, crs: str | None, found: Source | None, encoding: str | None) -> Source:
    """The coordinate system to read the file in: --crs, else the .prj, else WGS-84."""
    try:
        named = parse_crs(crs) if crs else None
    except ValueError as exc:
        raise ImportRefused(path, [str(exc)]) from None
    prj = found.crs if found else None
    if named is not None and prj is not None and not _agrees(named, prj):
        raise ImportRefused(path, [f".prj 为 {prj}，与 --crs {named} 不一致 (the .prj says {prj}; drop --crs or fix the .prj)"])
    return Source(named or prj or CRS.WGS84, found.encoding if found else (encoding or "utf-8"))


def _agrees(named: AnyCRS, prj: AnyCRS) -> bool:
    """--crs and the .prj say the same. GCJ-02 has no WKT: such data comes with a WGS-84
    or CGCS2000 .prj, so --crs gcj02 is the operator correcting it."""
    lonlat = {CRS.WGS84, CRS.CGCS2000}
    return same_crs(named, prj) or (prj in lonlat and named is CRS.GCJ02)


def _prop(props: Mapping[str, Any], names: tuple[str, ...]) -> str | None:
    lowered = {str(k).strip().lower(): v for k, v in props.items()}
    for name in names:
        value = lowered.get(name.lower())
        if value not in (None, "") and isinstance(value, (str, int, float)) and not isinstance(value, bool):
            return str(value).strip()
    return None


def read_grid_file(path: Path, crs: str | None = None, *, encoding: str | None = None,
                   extent: Extent | None = None) -> list[GridFeature]:
    """Read and check every feature; refuse the file on the first pass's findings."""
    records, found = _read_features(path, encoding)
    source = _source(path, crs, found, encoding)
    problems: list[str] = []
    features: list[GridFeature] = []
    seen: dict[str, int] = {}
    for index, geometry, props in records:
        feature = _grid_feature(index, geometry, props, source.crs, extent, seen, problems)
        if feature is not None:
            features.append(feature)
    if not features and not problems:
        problems.append("文件中没有要素 (no features)")
    if problems:
        raise ImportRefused(path, problems)
    return features


def _grid_feature(index: int, geometry: Any, props: Mapping[str, Any], source_crs: AnyCRS, extent: Extent | None,
                  seen: dict[str, int], problems: list[str]) -> GridFeature | None:
    raw_code = _prop(props, CODE_FIELDS)
    if raw_code is None:
        problems.append(f"要素 #{index}: 缺少网格编码属性 (no code property; one of {', '.join(CODE_FIELDS)})")
        return None
    where = f"要素 #{index} ({raw_code})"
    try:
        code = str(GridCode.parse(raw_code))
    except CodeError as exc:
        problems.append(f"{where}: 编码格式错误 {exc}")
        return None
    if code in seen:
        problems.append(f"{where}: 编码与要素 #{seen[code]} 重复 (duplicate code)")
        return None
    seen[code] = index
    geom = _feature_geometry(geometry, where, problems, source_crs, extent)
    if geom is None:
        return None
    return GridFeature(index, code, transform_geometry(geom, source_crs, CRS.WGS84), _prop(props, GRID_NAME_FIELDS),
                       _prop(props, STREET_NAME_FIELDS), _prop(props, COMMUNITY_NAME_FIELDS))


def _feature_geometry(geometry: Any, where: str, problems: list[str], source_crs: AnyCRS,
                      extent: Extent | None) -> Any:
    """The feature's polygon in its source CRS once its coordinates pass; else None and a problem."""
    if not geometry:
        problems.append(f"{where}: 没有几何 (no geometry)")
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # NaN vertices: check_coordinates names them
            geom = shape(geometry)
        coords = shapely.get_coordinates(geom)
    except (*_BAD_INPUT, shapely.errors.ShapelyError) as exc:
        problems.append(f"{where}: 几何无法解析 {str(exc)[:80]} (unreadable geometry)")
        return None
    wrong = check_coordinates(coords[:, 0], coords[:, 1], source_crs, extent)
    if wrong:
        problems.append(f"{where}: {wrong}")
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


def import_grids(db: Database, path: Path, *, crs: str | None = None, replace: bool = False,
                 today: date | None = None, encoding: str | None = None,
                 sliver_m2: float | None = None, district: Path | None = None) -> dict[str, Any]:
    """Import a unit-grid layer; see the module doc for what is refused.

    Beside existing grids the new ones must not overlap them and must lie in their
    communities; with ``replace`` the new layer must on its own cover the district,
    not overlap and nest grid ⊂ community ⊂ street, or the old layer stays. With a
    new ``district`` boundary (replace only) the layer must cover that boundary
    instead; the district takes it and the streets and communities are redrawn
    from their new grids.
    """
    if district is not None and not replace:
        raise CommandError("--district 只能与 --replace 一起使用 (a new district boundary comes with a replacing layer; add --replace)")
    today = today or datetime.now(SHANGHAI).date()
    with db.read() as s:
        extent, tolerance = _district_extent(s), _sliver_tolerance(s, sliver_m2)
    boundary = read_boundary_file(district, crs, encoding=encoding) if district is not None else None
    if boundary is not None:
        extent = tuple(boundary.bounds)
    features = read_grid_file(path, crs, encoding=encoding, extent=extent)
    own = validate_grid_geometries({f.code: f.geom for f in features}, tolerance_m2=tolerance)
    _refuse_errors(path, own, features)
    with db.write() as s:
        _lock_layer(s, "grids")
        current = _current_grids(s, today)
        if boundary is not None:
            findings = _check_new_boundary(path, features, boundary, tolerance)
        elif current:
            findings = (_check_replacement if replace else _check_against_database)(s, path, features, current, tolerance)
        else:
            findings = []
        summary = _write_grids(s, features, current if replace else {}, today)
        if boundary is not None:
            _redraw_levels(s, features, boundary)
        log_change(s, "grid", "*", "import", operator="import")
    db.invalidate_rules()
    warnings = [_problem_line(p, features) for p in [*own, *findings] if not p.is_error]
    return {"file": str(path), "grids": len(features), **summary, "replaced": bool(current) and replace,
            "warnings": warnings}


def _lock_layer(s, layer: str) -> None:  # noqa: ANN001
    """One import of a layer at a time: two parallel imports would each check against the layer
    without the other's rows. SQLite's BEGIN IMMEDIATE already serialises writers."""
    if s.get_bind().dialect.name == "postgresql":
        s.execute(text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": f"urban-console:import:{layer}"})


def _refuse_errors(path: Path, problems: list[LayerProblem], features: list[GridFeature]) -> None:
    errors = [_problem_line(p, features) for p in problems if p.is_error]
    if errors:
        raise ImportRefused(path, errors)


def _district_extent(s) -> Extent | None:  # noqa: ANN001
    geoms = [row.geometry for row in s.scalars(select(m.District))]
    return tuple(shapely.total_bounds(geoms).tolist()) if geoms else None  # type: ignore[return-value]


def _sliver_tolerance(s, given: float | None) -> float:  # noqa: ANN001
    """The sliver tolerance in m²: the operator's figure, else the city's setting, else the default."""
    if given is not None:
        if not (isinstance(given, (int, float)) and math.isfinite(given) and given >= 0):
            raise CommandError(f"碎片容差 {given!r} 无效 (the sliver tolerance must be a finite number of m² >= 0)")
        return float(given)
    row = s.get(m.Setting, "grid_check")
    value = (row.value or {}).get("sliver_tolerance_m2") if row is not None and isinstance(row.value, dict) else None
    return float(value) if isinstance(value, (int, float)) and math.isfinite(value) and value >= 0 else DEFAULT_SLIVER_M2


def _problem_line(problem: LayerProblem, features: list[GridFeature]) -> str:
    index = {f.code: f.index for f in features}
    named = ", ".join(f"#{index[c]}" for c in problem.codes if c in index)
    return f"要素 {named}: {problem.message}" if named else problem.message


def _current_grids(s, today: date) -> dict[str, m.UnitGrid]:  # noqa: ANN001
    rows = s.scalars(select(m.UnitGrid).where(m.UnitGrid.valid_on(today)))
    return {row.code: row for row in rows}


def _levels(s) -> tuple[dict[str, Any], dict[str, Any]]:  # noqa: ANN001
    streets = {row.code: row.geometry for row in s.scalars(select(m.Street))}
    communities = {row.code: row.geometry for row in s.scalars(select(m.Community))}
    return streets, communities


def _check_against_database(s, path: Path, features: list[GridFeature], current: dict[str, m.UnitGrid],  # noqa: ANN001
                            tolerance: float) -> list[LayerProblem]:
    """Adding to a layer: no overlap with the grids there, inside known communities."""
    problems = [f"要素 #{f.index} ({f.code}): 编码已存在 (code already in the layer; use --replace)"
                for f in features if f.code in current]
    streets, communities = _levels(s)
    grids = {code: row.geometry for code, row in current.items()}
    grids.update({f.code: f.geom for f in features if f.code not in current})
    new_codes = {f.code for f in features}
    found = [p for p in validate_layers(shapely.union_all(list(streets.values())), streets, communities, grids,
                                        tolerance_m2=tolerance)
             if p.kind != "gap" and new_codes.intersection(p.codes)]  # only what the new grids cause
    problems += [_problem_line(p, features) for p in found if p.is_error]
    if problems:
        raise ImportRefused(path, problems)
    return found


def _check_replacement(s, path: Path, features: list[GridFeature], current: dict[str, m.UnitGrid],  # noqa: ANN001
                       tolerance: float) -> list[LayerProblem]:
    """Replacing the layer: the new grids alone must cover the district and nest in its streets and communities."""
    streets, communities = _levels(s)
    district = shapely.union_all([row.geometry for row in s.scalars(select(m.District))])
    found = validate_layers(district, streets, communities, {f.code: f.geom for f in features},
                            tolerance_m2=tolerance)
    _refuse_errors(path, found, features)
    return found


def read_boundary_file(path: Path, crs: str | None = None, *, encoding: str | None = None) -> Any:
    """A district boundary (GeoJSON or Shapefile polygons, unioned), checked like a grid layer's features."""
    records, found = _read_features(path, encoding)
    source = _source(path, crs, found, encoding)
    problems: list[str] = []
    geoms = [_feature_geometry(geometry, f"边界要素 #{index}", problems, source.crs, None)
             for index, geometry, _props in records]
    if not records:
        problems.append("文件中没有边界 (no boundary feature)")
    if problems:
        raise ImportRefused(path, problems)
    return shapely.union_all(transform_geometry(geoms, source.crs, CRS.WGS84))


def _derived_levels(features: list[GridFeature]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Streets and communities as the unions of their grids (what a new boundary redraws)."""
    by_street: dict[str, list[Any]] = defaultdict(list)
    by_community: dict[str, list[Any]] = defaultdict(list)
    for f in features:
        by_street[f.code[:9]].append(f.geom)
        by_community[f.code[:12]].append(f.geom)
    return ({c: shapely.union_all(g) for c, g in by_street.items()},
            {c: shapely.union_all(g) for c, g in by_community.items()})


def _check_new_boundary(path: Path, features: list[GridFeature], boundary: Any, tolerance: float) -> list[LayerProblem]:
    """A layer with a new district boundary: one district, covered whole, no overlaps, inside the boundary."""
    districts = sorted({f.code[:6] for f in features})
    if len(districts) != 1:
        raise ImportRefused(path, [f"图层跨多个辖区 {', '.join(districts)}，--district 只给一个边界 "
                                   "(the layer spans several districts; --district is one boundary)"])
    streets, communities = _derived_levels(features)
    found = validate_layers(boundary, streets, communities, {f.code: f.geom for f in features}, tolerance_m2=tolerance)
    _refuse_errors(path, found, features)
    return found


def _redraw_levels(s, features: list[GridFeature], boundary: Any) -> None:  # noqa: ANN001
    district = s.get(m.District, features[0].code[:6])
    district.set_geometry(boundary)
    district.area_km2 = area_m2(boundary) / 1e6
    streets, communities = _derived_levels(features)
    for model, shapes in ((m.Street, streets), (m.Community, communities)):
        for code, geom in shapes.items():
            s.get(model, code).set_geometry(geom)
    s.flush()


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


def check_grids(db: Database | None, path: Path | None = None, *, crs: str | None = None,
                encoding: str | None = None, sliver_m2: float | None = None) -> list[LayerProblem]:
    """全域覆盖、边界明晰、互不重叠: check a file's layer, or the database's layers (warnings included)."""
    if path is not None:
        tolerance = DEFAULT_SLIVER_M2 if sliver_m2 is None else _sliver_tolerance(None, sliver_m2)
        features = read_grid_file(path, crs, encoding=encoding)
        return validate_grid_geometries({f.code: f.geom for f in features}, tolerance_m2=tolerance)
    assert db is not None
    today = datetime.now(SHANGHAI).date()
    with db.read() as s:
        tolerance = _sliver_tolerance(s, sliver_m2)
        districts = [row.geometry for row in s.scalars(select(m.District))]
        streets, communities = _levels(s)
        grids = {code: row.geometry for code, row in _current_grids(s, today).items()}
    if not districts:
        raise CommandError("数据库中没有辖区边界 (no district in the database)")
    return validate_layers(shapely.union_all(districts), streets, communities, grids, tolerance_m2=tolerance)


# --- cameras -------------------------------------------------------------------------------------


# Column names a catalogue arrives with (compared case-insensitively, spaces trimmed).
CAMERA_COLUMNS: dict[str, tuple[str, ...]] = {
    "id": ("id", "deviceid", "device_id", "channelid", "gbid", "编号", "设备编号", "国标编码", "设备编码"),
    "name": ("name", "名称", "设备名称", "点位名称"),
    "lon": ("lon", "lng", "longitude", "经度"),
    "lat": ("lat", "latitude", "纬度"),
    "status": ("status", "状态", "在线状态"),
    "ptz": ("ptz", "ptztype", "云台"),
    "owner": ("owner", "权属单位", "所属单位"),
    "stream_url": ("stream_url", "url", "stream", "视频流地址", "取流地址"),
    "group": ("group", "group_code", "groupid", "parentid", "分组", "分组编码"),
}
_REQUIRED_COLUMNS = ("id", "lon", "lat")
PTZ_CONTROLLED = frozenset({1, 4, 5})  # 球机, 遥控枪机, 遥控半球: the operator can turn them
_STATUS = {"online": "online", "on": "online", "在线": "online", "offline": "offline", "off": "offline",
           "离线": "offline", "fault": "fault", "故障": "fault"}


CAMERA_FORMATS = ("csv", "geojson", "wvp")


def import_cameras(db: Database, path: Path, *, crs: str | None = None, encoding: str | None = None,
                   format: str | None = None) -> dict[str, Any]:  # noqa: A002 - the CLI's --format
    """GB/T 28181 camera catalogue from CSV (id,name,lon,lat[,status,ptz,owner,stream_url,group]),
    GeoJSON points or a WVP-GB28181-pro channel list (its group nodes become camera groups)."""
    with db.read() as s:
        extent = _district_extent(s)
    kind = format or camera_format(path)
    if kind == "wvp":
        rows, groups, problems = _read_wvp(path, extent)
    else:
        (rows, problems), groups = _read_cameras(path, crs, encoding, extent), []
    if problems:
        raise ImportRefused(path, problems)
    today = datetime.now(SHANGHAI).date()
    with db.write() as s:
        _lock_layer(s, "cameras")
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
        for group in groups:
            s.merge(m.CameraGroup(**group))
        log_change(s, "camera", "*", "import", operator="import", at=datetime.now(timezone.utc))
    return {"file": str(path), "format": kind, "added": added, "updated": updated, "groups": len(groups)}


def _read_cameras(path: Path, crs: str | None, encoding: str | None,
                  extent: Extent | None) -> tuple[list[dict[str, Any]], list[str]]:
    records, source = _camera_records(path, crs, encoding)
    problems: list[str] = []
    rows: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for index, props, lon, lat in records:
        row = _camera_row(index, props, lon, lat, source.crs, extent, seen, problems)
        if row is not None:
            rows.append(row)
    if not rows and not problems:
        problems.append("文件中没有摄像机 (no cameras)")
    return rows, problems


def _camera_row(index: int, props: Mapping[str, Any], lon: Any, lat: Any, source_crs: AnyCRS, extent: Extent | None,
                seen: dict[str, int], problems: list[str]) -> dict[str, Any] | None:
    raw_id = _prop(props, CAMERA_COLUMNS["id"]) or ""
    where = f"第 {index} 条 ({raw_id or '?'})"
    try:
        camera_id = str(CameraId.parse(raw_id).require_video())
        x, y = _number(lon, "经度/lon"), _number(lat, "纬度/lat")
    except (CodeError, ValueError) as exc:
        problems.append(f"{where}: {exc}")
        return None
    if camera_id in seen:
        problems.append(f"{where}: 编号与第 {seen[camera_id]} 条重复 (duplicate ID in rows {seen[camera_id]} and {index})")
        return None
    seen[camera_id] = index
    wrong = check_coordinates([x], [y], source_crs, extent)
    if wrong:
        problems.append(f"{where}: {wrong}")
        return None
    status = _STATUS.get((_prop(props, CAMERA_COLUMNS["status"]) or "online").lower())
    if status is None:
        problems.append(f"{where}: 状态 {_prop(props, CAMERA_COLUMNS['status'])!r} 无效 (online/offline/fault, 在线/离线/故障)")
        return None
    try:
        ptz_type = ptz_type_of(_prop(props, CAMERA_COLUMNS["ptz"]))
    except ValueError as exc:
        problems.append(f"{where}: {exc}")
        return None
    lon_w, lat_w = transform_point(x, y, source_crs, CRS.WGS84)
    return {"id": camera_id, "name": _prop(props, CAMERA_COLUMNS["name"]) or camera_id, "lon": lon_w, "lat": lat_w,
            "status": status, "ptz": ptz_type in PTZ_CONTROLLED, "ptz_type": ptz_type,
            "owner": _prop(props, CAMERA_COLUMNS["owner"]), "crs": "wgs84",
            "stream_url": _prop(props, CAMERA_COLUMNS["stream_url"]), "group_code": _prop(props, CAMERA_COLUMNS["group"])}


def _number(value: Any, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise ValueError(f"{what} 不是数字 (not a number: {type(value).__name__})")
    try:
        return float(value)
    except ValueError:
        raise ValueError(f"{what} {str(value)[:30]!r} 不是数字 (not a number)") from None


def _camera_records(path: Path, crs: str | None, encoding: str | None) -> tuple[list[tuple[int, Mapping[str, Any], Any, Any]], Source]:
    if not path.exists():
        raise FileNotFoundError(f"文件不存在 (no such file): {path}")
    if path.suffix.lower() == ".csv":
        return _csv_cameras(path, encoding), _source(path, crs, None, encoding)
    records, found = _read_features(path, encoding)
    out = []
    for index, geometry, props in records:
        coords = geometry.get("coordinates") if isinstance(geometry, dict) and geometry.get("type") == "Point" else None
        lon, lat = (coords[0], coords[1]) if isinstance(coords, list) and len(coords) >= 2 else (None, None)
        out.append((index, props, lon, lat))
    return out, _source(path, crs, found, encoding)


def _csv_cameras(path: Path, encoding: str | None) -> list[tuple[int, Mapping[str, Any], Any, Any]]:
    text, _ = _decode(path, _read_bytes(path), encoding)
    try:
        rows = list(csv.DictReader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise ImportRefused(path, [f"CSV 无法解析: {exc} (unreadable CSV)"]) from None
    header = {str(k).strip().lower() for k in (rows[0].keys() if rows else csv.DictReader(io.StringIO(text)).fieldnames or [])}
    for column in _REQUIRED_COLUMNS:
        names = CAMERA_COLUMNS[column]
        if not header.intersection(n.lower() for n in names):
            raise ImportRefused(path, [f"缺少列 {column} (missing column {column}; one of {', '.join(names)})"])
    out = []
    for index, row in enumerate(rows, start=1):
        props = {k: v for k, v in row.items() if k is not None}  # None: cells beyond the header
        out.append((index, props, _prop(props, CAMERA_COLUMNS["lon"]), _prop(props, CAMERA_COLUMNS["lat"])))
    return out


# --- WVP-GB28181-pro channel lists ---------------------------------------------------------------

# A DeviceChannel's fields, then CommonGBChannel's (prefixed gb, newer WVP).
_WVP_FIELDS: dict[str, tuple[str, ...]] = {
    "id": ("channelId", "gbDeviceId", "deviceId"),
    "name": ("name", "gbName"),
    "lon": ("longitude", "gbLongitude"),
    "lat": ("latitude", "gbLatitude"),
    "status": ("status", "gbStatus"),
    "ptz": ("ptzType", "gbPtzType"),
    "owner": ("owner", "gbOwner"),
    "group": ("parentId", "gbParentId", "civilCode", "gbCivilCode"),
    "channel_type": ("channelType",),
}
_WVP_STATUS = {"on": "online", "1": "online", "true": "online", "off": "offline", "0": "offline", "false": "offline"}
_GROUP_KINDS = {"215": "business", "216": "virtual"}


def camera_format(path: Path) -> str:
    """csv | geojson | wvp, by the file's content (its suffix for CSV and Shapefiles)."""
    if path.suffix.lower() == ".csv":
        return "csv"
    if path.suffix.lower() in (".shp", ".zip"):
        return "geojson"
    head = _read_bytes(path)[:4096].decode("utf-8", "replace")
    if '"FeatureCollection"' in head or '"Feature"' in head:
        return "geojson"
    if any(f'"{k}"' in head for k in ("channelId", "gbDeviceId", "deviceId")):
        return "wvp"
    return "geojson"


def _wvp_records(path: Path) -> list[Any]:
    """The channel objects of a WVP answer: a bare list, {data: [...]} or {data: {list: [...]}} (a page)."""
    try:
        doc = json.loads(_read_bytes(path).decode("utf-8-sig"))
    except (ValueError, UnicodeError) as exc:
        raise ImportRefused(path, [f"JSON 无法解析: {exc} (unreadable JSON)"]) from None
    for key in ("data", "list"):
        if isinstance(doc, dict) and key in doc:
            doc = doc[key]
    if isinstance(doc, dict) and "list" in doc:
        doc = doc["list"]
    if not isinstance(doc, list):
        raise ImportRefused(path, ["不是 WVP 通道列表 (not a WVP channel list: expected a JSON array of channels)"])
    return doc


def _wvp_get(record: Mapping[str, Any], key: str) -> Any:
    for name in _WVP_FIELDS[key]:
        if record.get(name) not in (None, ""):
            return record[name]
    return None


def _wvp_group(record: Mapping[str, Any], raw_id: str) -> dict[str, Any] | None:
    """The group node a record is (行政区划 2/4/6/8 digits or channelType 1, 业务分组 215, 虚拟组织 216), else None."""
    channel_type = str(_wvp_get(record, "channel_type") or "0")
    if raw_id.isdigit() and len(raw_id) in (2, 4, 6, 8) or channel_type == "1":
        kind = "civil"
    elif len(raw_id) == 20 and raw_id[10:13] in _GROUP_KINDS:
        kind = _GROUP_KINDS[raw_id[10:13]]
    elif channel_type == "2":
        kind = "business"
    else:
        return None
    parent = _wvp_get(record, "group")
    return {"code": raw_id, "name": str(_wvp_get(record, "name") or raw_id)[:100], "kind": kind,
            "parent_code": str(parent) if parent and str(parent) != raw_id else None}


def _read_wvp(path: Path, extent: Extent | None) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[str]]:
    problems: list[str] = []
    rows: list[dict[str, Any]] = []
    groups: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for index, record in enumerate(_wvp_records(path), start=1):
        if not isinstance(record, dict):
            problems.append(f"第 {index} 条: 不是对象 (not a JSON object)")
            continue
        raw_id = str(_wvp_get(record, "id") or "")
        group = _wvp_group(record, raw_id)
        if group is not None:
            groups.append(group)
            continue
        status = str(_wvp_get(record, "status") or "off").strip().lower()
        props = {"id": raw_id, "name": _wvp_get(record, "name"), "owner": _wvp_get(record, "owner"),
                 "status": _WVP_STATUS.get(status, status), "ptz": _wvp_get(record, "ptz"),
                 "group": _wvp_get(record, "group")}
        row = _camera_row(index, {k: v for k, v in props.items() if v is not None},
                          _wvp_get(record, "lon"), _wvp_get(record, "lat"), CRS.WGS84, extent, seen, problems)
        if row is not None:
            rows.append(row)
    if not rows and not problems:
        problems.append("文件中没有摄像机 (no cameras)")
    return rows, groups, problems

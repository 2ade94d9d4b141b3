"""`urban-console export cases`: CSV, Excel, GeoJSON and Open311, scoped like every read.

Exports never carry caller names or phone numbers: they leave the hall.
The file is written to a temporary name and renamed, so a failed export
(a full disk, a lost database) leaves no half-written file behind.  An
existing file is replaced only when asked (`overwrite`), and never anything
but a regular file (a device, a folder, a symlink, a FIFO).  Values are the
hall's words (来源 监督员上报, 紧急程度 紧急, 环节 处置中); `raw` gives the codes.
"""
from __future__ import annotations

import csv
import errno
import json
import os
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Iterable, Iterator
from zoneinfo import ZoneInfo

from sqlalchemy import and_, select

from console.data import models as m
from console.data.commands import CommandError
from console.data.db import Database
from console.domain.catalogue import URGENCY_LABELS, Urgency
from console.domain.sources import SOURCE_LABELS
from console.domain.workflow import CLOSE_TYPE_LABELS, STATE_LABELS, CloseType, State

SHANGHAI = ZoneInfo("Asia/Shanghai")
FORMATS = ("csv", "xlsx", "geojson", "open311")
COLUMNS = [
    ("number", "案件号"), ("state", "环节"), ("source", "来源"), ("category_code", "类别编码"),
    ("category", "类别"), ("condition_code", "立案条件"), ("urgency", "紧急程度"), ("address", "地址"),
    ("lon", "经度"), ("lat", "纬度"), ("grid_code", "网格"), ("street_code", "街道编码"), ("street", "街道"),
    ("department", "处置部门"), ("created_at", "上报时间"), ("closed_at", "结案时间"), ("close_type", "结案类型"),
    ("rework_count", "返工次数"), ("return_count", "回退次数"), ("extension_count", "延期次数"),
]
# Open311 GeoReport v2 status: open | closed
_OPEN311_STATUS = {True: "open", False: "closed"}


@dataclass(frozen=True)
class ExportRow:
    values: dict[str, Any]
    description: str
    is_open: bool
    updated_at: datetime


def _label(labels: dict, kind: type, value: str | None) -> str | None:
    """The hall's word for a stored code; an unknown code is shown as it is."""
    if value is None:
        return None
    try:
        return labels.get(kind(value), value)
    except ValueError:
        return value


def _source(value: str) -> str:
    return SOURCE_LABELS.get(value, value)


def export_rows(db: Database, *, scope: str | None = None, since: datetime | None = None,
                until: datetime | None = None, raw: bool = False) -> Iterator[ExportRow]:
    """Cases reported in [since, until), in the seat's jurisdiction, without caller details."""
    case = m.Case
    version = select(m.CatalogueVersion.id).where(m.CatalogueVersion.active).scalar_subquery()
    q = (
        select(case, m.Category.name, m.Street.name, m.Department.name)
        .select_from(case)
        .outerjoin(m.Category, and_(m.Category.code == case.category_code, m.Category.version_id == version))
        .outerjoin(m.Street, m.Street.code == case.street_code)
        .outerjoin(m.Department, m.Department.id == case.department_id)
        .order_by(case.id)
    )
    if scope:
        q = q.where(case.street_code == scope)
    if since:
        q = q.where(case.created_at >= since)
    if until:
        q = q.where(case.created_at < until)
    with db.read() as s:
        for c, category, street, department in s.execute(q.execution_options(yield_per=2000)):
            values = _values(c, category, street, department)
            if not raw:
                values.update(state=_label(STATE_LABELS, State, c.state), source=_source(c.source),
                              urgency=_label(URGENCY_LABELS, Urgency, c.urgency),
                              close_type=_label(CLOSE_TYPE_LABELS, CloseType, c.close_type))
            yield ExportRow(values, c.description, c.is_open, c.updated_at)


def _values(c: m.Case, category: str | None, street: str | None, department: str | None) -> dict[str, Any]:
    """The stored codes (`raw`); export_rows puts the hall's words over them."""
    return {
        "number": c.number, "state": c.state, "source": c.source,
        "category_code": c.category_code, "category": category, "condition_code": c.condition_code,
        "urgency": c.urgency, "address": c.address, "lon": round(c.lon, 6), "lat": round(c.lat, 6),
        "grid_code": c.grid_code, "street_code": c.street_code, "street": street, "department": department,
        "created_at": _local(c.created_at), "closed_at": _local(c.closed_at), "close_type": c.close_type,
        "rework_count": c.rework_count, "return_count": c.return_count, "extension_count": c.extension_count,
    }


def _local(value: datetime | None) -> str | None:
    return value.astimezone(SHANGHAI).isoformat(timespec="seconds") if value else None


def check_target(out: Path, *, overwrite: bool = False) -> None:
    """Refuse, before anything is read, a target that is not a regular file, or exists without `overwrite`."""
    if out.is_symlink() or (out.exists() and not out.is_file()):
        raise CommandError(f"{out} 不是普通文件，拒绝替换 (not a regular file; refusing to replace it)")
    if out.exists() and not overwrite:
        raise CommandError(f"文件 {out} 已存在；要覆盖请加 --force (file exists: --force overwrites it)")
    if not out.parent.is_dir():
        raise CommandError(f"目录不存在 (no such folder): {out.parent}")


def export_cases(db: Database, out: Path, fmt: str, *, scope: str | None = None,
                 since: datetime | None = None, until: datetime | None = None,
                 overwrite: bool = False, raw: bool = False) -> int:
    """Write the cases to `out` in `fmt`; returns the number of cases written."""
    if fmt not in FORMATS:
        raise CommandError(f"导出格式 {fmt!r} 无效，应为 {', '.join(FORMATS)} (bad format)")
    check_target(out, overwrite=overwrite)
    rows = export_rows(db, scope=scope, since=since, until=until, raw=raw)
    writer = {"csv": _write_csv, "xlsx": _write_xlsx, "geojson": _write_geojson, "open311": _write_open311}[fmt]
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", dir=out.parent)
    os.close(fd)
    try:
        count = writer(Path(tmp), rows)
        _put(Path(tmp), out, overwrite)
    except OSError as exc:  # a full disk, a quota: name the file asked for, not the temporary one
        Path(tmp).unlink(missing_ok=True)
        raise OSError(exc.errno, exc.strerror or str(exc), str(out)) from exc
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return count


def _put(tmp: Path, out: Path, overwrite: bool) -> None:
    """Move the finished file into place; without `overwrite`, never over a file that appeared meanwhile."""
    if overwrite:
        check_target(out, overwrite=True)
        os.replace(tmp, out)
        return
    try:
        os.link(tmp, out)  # atomic: fails if `out` exists
    except FileExistsError:
        raise CommandError(f"文件 {out} 已存在；要覆盖请加 --force (file exists: --force overwrites it)") from None
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV):
            raise
        check_target(out)  # a file system without hard links
        os.replace(tmp, out)
        return
    tmp.unlink()


def _write_csv(path: Path, rows: Iterable[ExportRow]) -> int:
    count = 0
    with path.open("w", encoding="utf-8-sig", newline="") as fh:  # BOM: Excel opens Chinese CSV right
        out = csv.writer(fh)
        out.writerow([label for _, label in COLUMNS])
        for row in rows:
            out.writerow([row.values[key] for key, _ in COLUMNS])
            count += 1
    return count


def _write_xlsx(path: Path, rows: Iterable[ExportRow]) -> int:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("案件")
    sheet.append([label for _, label in COLUMNS])
    count = 0
    for row in rows:
        sheet.append([row.values[key] for key, _ in COLUMNS])
        count += 1
    book.save(path)
    return count


def _write_json_items(path: Path, rows: Iterable[ExportRow], head: str, tail: str, item) -> int:  # noqa: ANN001
    """Stream one JSON item per case between `head` and `tail`: memory stays flat for big exports."""
    count = 0
    with path.open("w", encoding="utf-8") as fh:
        fh.write(head)
        for row in rows:
            fh.write(("" if count == 0 else ",\n") + json.dumps(item(row), ensure_ascii=False))
            count += 1
        fh.write(tail)
    return count


def _geojson_feature(row: ExportRow) -> dict[str, Any]:
    v = row.values
    return {"type": "Feature", "geometry": {"type": "Point", "coordinates": [v["lon"], v["lat"]]},
            "properties": {k: val for k, val in v.items() if k not in ("lon", "lat")}}


def _open311_request(row: ExportRow) -> dict[str, Any]:
    """Open311 GeoReport v2 service request."""
    v = row.values
    return {
        "service_request_id": v["number"], "status": _OPEN311_STATUS[row.is_open],
        "service_code": v["category_code"], "service_name": v["category"],
        "description": row.description, "agency_responsible": v["department"],
        "requested_datetime": v["created_at"], "updated_datetime": _local(row.updated_at),
        "address": v["address"], "lat": v["lat"], "long": v["lon"],
    }


def _write_geojson(path: Path, rows: Iterable[ExportRow]) -> int:
    head = '{"type": "FeatureCollection", "crs_note": "WGS-84 lon/lat", "features": [\n'
    return _write_json_items(path, rows, head, "\n]}\n", _geojson_feature)


def _write_open311(path: Path, rows: Iterable[ExportRow]) -> int:
    return _write_json_items(path, rows, "[\n", "\n]\n", _open311_request)

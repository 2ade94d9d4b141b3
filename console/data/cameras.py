"""Video points (视频点位): the catalogue read, a camera's status, the nearest cameras, snapshots as evidence.

Commands run in one transaction each and write the change log (and, for a case, its
audit row) in the same transaction; a refusal is a CommandError naming what was wrong.
"""
from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Optional

from sqlalchemy import select

from console.data import models as m
from console.data.commands import (
    Actor, CaseRef, CommandError, JurisdictionError, NotFound, at_or_now, check_street, log_change, report_case,
)
from console.data.db import Database, default_db_path
from console.domain.spatial import PointIndex
from console.domain.video import PTZ_TYPES, Frame, redact_url

CAMERA_STATUSES = ("online", "offline", "fault")
EVIDENCE_ENV = "URBAN_CONSOLE_EVIDENCE"


@dataclass(frozen=True)
class CameraInfo:
    """One camera as a seat sees it: the stream URL is kept apart from its redacted display form."""

    id: str
    name: str
    lon: float
    lat: float
    crs: str
    status: str
    ptz_type: str  # console.domain.video.PTZ_TYPES value (dome, fixed_bullet ...)
    owner: Optional[str]
    group_code: Optional[str]
    grid_code: Optional[str]
    street_code: Optional[str]
    stream_url: Optional[str]  # for the player only: never shown, logged or saved
    distance_m: Optional[float] = None  # set by nearest_cameras

    @property
    def display_url(self) -> str:
        return redact_url(self.stream_url)

    def __repr__(self) -> str:  # a repr lands in logs: never the raw URL
        return f"CameraInfo(id={self.id!r}, name={self.name!r}, status={self.status!r}, url={self.display_url!r})"


def _info(row: m.Camera, distance: float | None = None) -> CameraInfo:
    ptz = row.ptz_type if row.ptz_type is not None else (1 if row.ptz else 0)
    return CameraInfo(row.id, row.name, row.lon, row.lat, row.crs, row.status, PTZ_TYPES.get(ptz, "unknown"),
                      row.owner, row.group_code, row.grid_code, row.street_code, row.stream_url, distance)


def cameras(db: Database, scope: str | None = None) -> list[CameraInfo]:
    """Every camera of the seat (a street liaison seat: its street), by ID."""
    with db.read() as s:
        q = select(m.Camera).order_by(m.Camera.id)
        if scope:
            q = q.where(m.Camera.street_code == scope)
        return [_info(r) for r in s.scalars(q)]


def camera(db: Database, camera_id: str) -> CameraInfo:
    with db.read() as s:
        row = s.get(m.Camera, camera_id)
        if row is None:
            raise NotFound(f"摄像头 {camera_id} 不存在 (no such camera)")
        return _info(row)


def nearest_cameras(db: Database, lon: float, lat: float, *, n: int = 9, radius_m: float = 500.0,
                    scope: str | None = None, index: PointIndex | None = None) -> list[CameraInfo]:
    """The ``n`` cameras nearest to a point within ``radius_m`` metres, closest first (geodesic metres)."""
    every = {c.id: c for c in cameras(db, scope)}
    index = index or PointIndex((c.id, c.lon, c.lat) for c in every.values())
    return [_with_distance(every[cid], d) for cid, d in index.nearest(lon, lat, n, radius_m) if cid in every]


def _with_distance(c: CameraInfo, d: float) -> CameraInfo:
    from dataclasses import replace

    return replace(c, distance_m=d)


def set_camera_status(db: Database, actor: Actor, camera_id: str, status: str, *, at: datetime | None = None) -> int:
    """在线 / 离线 / 故障: the camera's new status, with a change-log row every seat's feed reads."""
    if status not in CAMERA_STATUSES:
        raise CommandError(f"摄像头状态 {status!r} 无效 (status must be one of {', '.join(CAMERA_STATUSES)})")
    at = at_or_now(at)
    with db.write() as s:
        row = s.get(m.Camera, camera_id, with_for_update=True)
        if row is None:
            raise NotFound(f"摄像头 {camera_id} 不存在 (no such camera)")
        if actor.street_code and row.street_code != actor.street_code:
            raise JurisdictionError(f"摄像头 {camera_id} 属于街道 {row.street_code}，不在本席位辖区 {actor.street_code} 内 "
                                    "(outside jurisdiction)")
        row.status = status
        return log_change(s, "camera", camera_id, "status", street_code=row.street_code, operator=actor.name, at=at)


def camera_points(db: Database, ids: list[str]) -> list[CameraInfo]:
    """The named cameras as they are now (the map applies them as a delta)."""
    with db.read() as s:
        return [_info(r) for r in s.scalars(select(m.Camera).where(m.Camera.id.in_(ids)).order_by(m.Camera.id))]


# --------------------------------------------------------------------------- evidence


def evidence_store(db: Database) -> Path:
    """Where a case's evidence files live: $URBAN_CONSOLE_EVIDENCE, else beside the SQLite file,
    else the user data directory (a PostgreSQL hall shares it by a mounted folder)."""
    if os.environ.get(EVIDENCE_ENV):
        return Path(os.environ[EVIDENCE_ENV])
    if db.url.startswith("sqlite:///") and db.url != "sqlite:///:memory:":
        return Path(db.url.removeprefix("sqlite:///")).with_suffix(".evidence")
    return default_db_path().parent / "evidence"


@dataclass(frozen=True)
class Snapshot:
    """A camera's frame to keep as evidence."""

    camera_id: str
    frame: Frame


@dataclass(frozen=True)
class EvidenceRef:
    case_id: int
    number: str
    path: Path
    sha256: str


def attach_snapshot(db: Database, actor: Actor, number: str, snap: Snapshot, *,
                    store: Path | None = None) -> EvidenceRef:
    """Keep a camera frame as the case's evidence: PNG file, SHA-256, camera, time; audited in one transaction.

    A uniform frame (a platform's default image) or none is refused: it proves nothing.
    """
    if snap.frame.blank:
        raise CommandError("画面为空白或默认图，不能作为证据 (the frame is blank or a default image: not evidence)")
    taken_at = at_or_now(snap.frame.taken_at)
    digest = hashlib.sha256(snap.frame.png).hexdigest()
    store = store or evidence_store(db)
    written: list[Path] = []
    try:
        return _attach(db, actor, number, snap, store, taken_at, digest, written)
    except BaseException:
        for path in written:  # the transaction rolled back: no file without its row
            path.unlink(missing_ok=True)
        raise


def _attach(db: Database, actor: Actor, number: str, snap: Snapshot, store: Path, taken_at: datetime, digest: str,
            written: list[Path]) -> EvidenceRef:
    with db.write() as s:
        case = s.scalars(select(m.Case).where(m.Case.number == number).with_for_update()).first()
        if case is None:
            raise NotFound(f"案件 {number} 不存在 (no such case)")
        check_street(case, actor)  # a street seat attaches evidence to its own street's cases only
        if s.get(m.Camera, snap.camera_id) is None:
            raise NotFound(f"摄像头 {snap.camera_id} 不存在 (no such camera)")
        relative = Path(case.number) / f"{snap.camera_id}-{taken_at.strftime('%Y%m%dT%H%M%S')}-{digest[:8]}.png"
        path = _write_file(store / relative, snap.frame.png)  # inside the transaction: a failed write rolls back
        written.append(path)
        s.add(m.CaseEvidence(case_id=case.id, kind="snapshot", path=relative.as_posix(), sha256=digest,
                             camera_id=snap.camera_id, taken_at=taken_at, taken_by=actor.name, seat=actor.seat))
        case.photos = [*(case.photos or []), relative.as_posix()]
        case.version += 1
        case.updated_at, case.updated_by, case.updated_seat = taken_at, actor.name, actor.seat
        s.add(m.CaseEvent(case_id=case.id, at=taken_at, action="attach_evidence", from_state=case.state,
                          to_state=case.state, version=case.version, operator_id=actor.operator_id,
                          operator_name=actor.name, role=actor.role.value, seat=actor.seat,
                          note="视频截图 (camera snapshot)",
                          data={"camera_id": snap.camera_id, "sha256": digest, "path": relative.as_posix()}))
        log_change(s, "case", str(case.id), "attach_evidence", street_code=case.street_code, operator=actor.name,
                   at=taken_at)
        return EvidenceRef(case.id, case.number, path, digest)


def _write_file(path: Path, data: bytes) -> Path:
    """Write whole or not at all (temp file + rename): a half file is never evidence."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".part")
        tmp.write_bytes(data)
        os.replace(tmp, path)
    except OSError as exc:
        raise CommandError(f"证据文件无法写入 (cannot write the evidence file) {path}: {exc.strerror}") from None
    return path


def evidence_of(db: Database, number: str) -> list[m.CaseEvidence]:
    with db.read() as s:
        q = select(m.CaseEvidence).join(m.Case, m.Case.id == m.CaseEvidence.case_id).where(m.Case.number == number)
        return list(s.scalars(q.order_by(m.CaseEvidence.id)))


def report_video_case(db: Database, actor: Actor, camera_id: str, snap: Snapshot, *, category_code: str | None,
                      description: str = "", address: str = "", at: datetime | None = None,
                      store: Path | None = None) -> CaseRef:
    """视频巡查: a new case from a camera, located at the camera, its ID on the case, the snapshot attached.

    The frame is judged before anything is written (a blank one refuses the whole report); the
    report and the attachment are two commands, each one transaction with its audit row.
    """
    if snap.frame.blank:
        raise CommandError("画面为空白或默认图，不能作为证据 (the frame is blank or a default image: not evidence)")
    cam = camera(db, camera_id)
    ref = report_case(db, actor, source="video", lon=cam.lon, lat=cam.lat, category_code=category_code,
                      description=description, address=address or cam.name, at=at, camera_id=cam.id,
                      note=f"视频巡查 摄像头 {cam.id}")
    attach_snapshot(db, actor, ref.number, snap, store=store)
    return ref

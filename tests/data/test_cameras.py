"""视频点位 data: the WVP import (groups are no cameras), status through the change log,
nearest cameras against brute force, snapshots kept as audited evidence."""
from __future__ import annotations

import hashlib
import json
import math
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from console.data import demo, models as m
from console.data.cameras import (Snapshot, attach_snapshot, camera, cameras, evidence_of, nearest_cameras,
                                  set_camera_status)
from console.data.commands import Actor, CommandError, NotFound, report_case
from console.data.db import Database
from console.data.importers import ImportRefused, camera_format, import_cameras
from console.data.schema import upgrade
from console.domain.spatial import PointIndex, distances_m
from console.domain.video import Frame

SH = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 11, 23, 9, 0, tzinfo=SH)
INTAKE = Actor("张受理", "intake", seat="受理席1")
CAM1, CAM2 = "35040200081320000001", "35040200081320000002"
SECRET = "s3cr3t-Pa55"

WVP_PAGE = {"code": 0, "msg": "成功", "data": {"total": 5, "list": [
    {"deviceId": "35040200001180000001", "channelId": "350402", "name": "三元区", "channelType": 1},
    {"deviceId": "35040200001180000001", "channelId": "35040200002150000001", "name": "市容巡查", "channelType": 2,
     "parentId": "350402"},
    {"deviceId": "35040200001180000001", "channelId": "35040200002160000001", "name": "重点路段", "parentId": "350402"},
    {"deviceId": "35040200001180000001", "channelId": CAM1, "name": "列东路口", "longitude": 117.605,
     "latitude": 26.265, "status": "ON", "ptzType": 1, "parentId": "35040200002150000001"},
    {"deviceId": "35040200001180000001", "channelId": CAM2, "name": "列西菜场", "longitude": 117.625,
     "latitude": 26.275, "status": "OFF", "ptzType": 3, "parentId": "35040200002160000001"},
]}}


def wvp_file(tmp_path: Path, doc) -> Path:
    path = tmp_path / "channels.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


def counts(db) -> tuple[int, int]:
    with db.read() as s:
        return s.scalar(select(func.count()).select_from(m.Camera)), s.scalar(select(func.count()).select_from(m.CameraGroup))


def test_wvp_channel_list_imports_cameras_and_groups(db, tmp_path):
    path = wvp_file(tmp_path, WVP_PAGE)
    assert camera_format(path) == "wvp"
    summary = import_cameras(db, path)
    assert (summary["format"], summary["added"], summary["groups"]) == ("wvp", 2, 3)
    with db.read() as s:
        groups = {g.code: g.kind for g in s.scalars(select(m.CameraGroup))}
    assert groups == {"350402": "civil", "35040200002150000001": "business", "35040200002160000001": "virtual"}
    first, second = camera(db, CAM1), camera(db, CAM2)
    assert (first.status, first.ptz_type, first.group_code) == ("online", "dome", "35040200002150000001")
    assert (second.status, second.ptz_type) == ("offline", "fixed_bullet")
    assert first.grid_code == "350402001001001"


def test_newer_wvp_common_channels_with_gb_fields(db, tmp_path):
    doc = [{"gbDeviceId": CAM1, "gbName": "列东路口", "gbLongitude": 117.605, "gbLatitude": 26.265,
            "gbStatus": "ON", "gbPtzType": 4}]
    assert import_cameras(db, wvp_file(tmp_path, doc), format="wvp")["added"] == 1
    assert camera(db, CAM1).ptz_type == "ptz_bullet"


@pytest.mark.parametrize("bad, expected", [
    ({"longitude": "东经117"}, r"channels.json: 第 5 条 \(35040200081320000002\): 经度/lon .*不是数字"),
    ({"ptzType": 9}, r"第 5 条 .*云台类型 '9' 无效"),
    ({"channelId": "35040200081110000002"}, r"第 5 条 .*类型码 111 \(DVR\) 不是视频设备"),
    ({"status": "maybe"}, r"第 5 条 .*状态 'maybe' 无效"),
    ({"latitude": 117.625, "longitude": 26.275}, r"第 5 条 .*swapped"),
], ids=["text-lon", "ptz", "dvr", "status", "swapped"])
def test_a_bad_wvp_channel_is_named_and_nothing_is_written(db, tmp_path, bad, expected):
    doc = json.loads(json.dumps(WVP_PAGE))
    doc["data"]["list"][4].update(bad)
    before = counts(db)
    with pytest.raises(ImportRefused, match=expected):
        import_cameras(db, wvp_file(tmp_path, doc))
    assert counts(db) == before


def test_not_a_channel_list_is_refused(db, tmp_path):
    with pytest.raises(ImportRefused, match="not a WVP channel list"):
        import_cameras(db, wvp_file(tmp_path, {"data": {"list": {"x": 1}}}), format="wvp")
    path = tmp_path / "broken.json"
    path.write_text('[{"channelId": ', encoding="utf-8")
    with pytest.raises(ImportRefused, match="broken.json: JSON 无法解析"):
        import_cameras(db, path)


def test_csv_ptz_words_stream_url_and_group(db, tmp_path):
    path = tmp_path / "cams.csv"
    path.write_text("编号,名称,经度,纬度,云台,视频流地址,分组\n"
                    f"{CAM1},列东路口,117.605,26.265,半球,rtsp://admin:{SECRET}@127.0.0.1:8554/cam1,350402\n",
                    encoding="utf-8")
    import_cameras(db, path)
    info = camera(db, CAM1)
    assert (info.ptz_type, info.group_code) == ("half_dome", "350402")
    assert info.stream_url.endswith("/cam1") and SECRET not in info.display_url and SECRET not in repr(info)


def test_camera_status_reaches_the_change_log(db, tmp_path):
    import_cameras(db, wvp_file(tmp_path, WVP_PAGE))
    rev = set_camera_status(db, INTAKE, CAM1, "fault", at=T0)
    assert camera(db, CAM1).status == "fault"
    with db.read() as s:
        row = s.get(m.ChangeLog, rev)
    assert (row.entity, row.entity_id, row.op, row.street_code) == ("camera", CAM1, "status", "350402001")
    with pytest.raises(CommandError, match="status must be one of"):
        set_camera_status(db, INTAKE, CAM1, "broken")
    with pytest.raises(NotFound, match="no such camera"):
        set_camera_status(db, INTAKE, "35040200081320009999", "online")


# --------------------------------------------------------------------------- nearest


@pytest.fixture(scope="module")
def city_db(tmp_path_factory):
    database = Database(f"sqlite:///{tmp_path_factory.mktemp('city') / 'city.db'}")
    upgrade(database)
    demo.generate(database, "city", seed=7, history_days=1)
    yield database
    database.dispose()


def haversine_m(lon1, lat1, lon2, lat2, r=6_371_008.8) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 2 * r * math.asin(math.sqrt(a))


def test_nearest_cameras_agree_with_brute_force_over_the_demo_city(city_db):
    every = cameras(city_db)
    assert len(every) == 600
    index = PointIndex((c.id, c.lon, c.lat) for c in every)
    for case_point in every[::37]:
        lon, lat = case_point.lon + 0.0007, case_point.lat - 0.0004
        got = nearest_cameras(city_db, lon, lat, n=9, radius_m=800.0, index=index)
        brute = sorted((float(d), c.id) for c, d in zip(every, distances_m(lon, lat, [c.lon for c in every],
                                                                          [c.lat for c in every])) if d <= 800.0)[:9]
        assert [c.id for c in got] == [cid for _d, cid in brute]
        assert [c.distance_m for c in got] == sorted(c.distance_m for c in got)
        for c in got:  # the ellipsoid and the sphere agree to 0.5 %
            assert c.distance_m == pytest.approx(haversine_m(lon, lat, c.lon, c.lat), rel=5e-3)
    assert nearest_cameras(city_db, 0.0, 0.0, radius_m=500.0, index=index) == []


# --------------------------------------------------------------------------- evidence


def picture_png() -> tuple[bytes, tuple[int, ...]]:
    """A PNG with real content (a gradient), and its grey samples."""
    import av  # noqa: F401 - PyAV's numpy is what the test extras bring
    import numpy as np
    import zlib, struct

    h, w = 24, 32
    grey = (np.add.outer(np.arange(h) * 5, np.arange(w) * 3) % 256).astype(np.uint8)
    raw = b"".join(b"\x00" + grey[y].tobytes() for y in range(h))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0)) + \
        chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")
    return png, tuple(int(v) for v in grey.ravel())


def test_a_snapshot_is_kept_with_its_hash_and_audited(db, tmp_path):
    import_cameras(db, wvp_file(tmp_path, WVP_PAGE))
    ref = report_case(db, INTAKE, source="video", lon=117.605, lat=26.265, at=T0)
    png, samples = picture_png()
    store = tmp_path / "evidence"
    kept = attach_snapshot(db, INTAKE, ref.number, Snapshot(CAM1, Frame(png, samples, T0)), store=store)
    assert kept.path.read_bytes() == png and kept.sha256 == hashlib.sha256(png).hexdigest()
    [row] = evidence_of(db, ref.number)
    assert (row.camera_id, row.sha256, row.taken_by, row.kind) == (CAM1, kept.sha256, "张受理", "snapshot")
    assert store / row.path == kept.path
    with db.read() as s:
        case = s.get(m.Case, ref.id)
        event = s.scalars(select(m.CaseEvent).where(m.CaseEvent.case_id == ref.id)
                          .order_by(m.CaseEvent.id.desc())).first()
    assert case.photos == [row.path] and case.version == ref.version + 1
    assert event.action == "attach_evidence" and event.data["sha256"] == kept.sha256


@pytest.mark.parametrize("samples", [(), (128,) * 768, (0,) * 768], ids=["no-frame", "grey-card", "black"])
def test_a_blank_or_default_image_is_never_evidence(db, tmp_path, samples):
    import_cameras(db, wvp_file(tmp_path, WVP_PAGE))
    ref = report_case(db, INTAKE, source="video", lon=117.605, lat=26.265, at=T0)
    png, _ = picture_png()
    with pytest.raises(CommandError, match="not evidence"):
        attach_snapshot(db, INTAKE, ref.number, Snapshot(CAM1, Frame(png, samples, T0)), store=tmp_path / "ev")
    assert evidence_of(db, ref.number) == [] and not (tmp_path / "ev").exists()


def test_a_snapshot_for_an_unknown_case_writes_nothing(db, tmp_path):
    import_cameras(db, wvp_file(tmp_path, WVP_PAGE))
    png, samples = picture_png()
    with pytest.raises(NotFound, match="no such case"):
        attach_snapshot(db, INTAKE, "202600009999", Snapshot(CAM1, Frame(png, samples, T0)), store=tmp_path / "ev")
    assert not (tmp_path / "ev").exists()


def test_cli_imports_a_wvp_list_by_content_and_by_format(db, tmp_path, capsys):
    from console.cli import main

    path = wvp_file(tmp_path, WVP_PAGE)
    renamed = path.rename(tmp_path / "channels.txt")  # no suffix to go by: the content says wvp
    assert main(["import", "cameras", str(renamed), "--db", db.url]) == 0
    out = json.loads(capsys.readouterr().out)
    assert (out["format"], out["added"], out["groups"]) == ("wvp", 2, 3)
    doc = json.loads(json.dumps(WVP_PAGE))
    doc["data"]["list"][3]["ptzType"] = "x"
    bad = wvp_file(tmp_path, doc)
    assert main(["import", "cameras", str(bad), "--format", "wvp", "--db", db.url]) != 0
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "channels.json: 第 4 条 (35040200081320000001): 云台类型 'x' 无效" in err[0]


def test_a_failed_attachment_leaves_no_file(db, tmp_path, monkeypatch):
    import console.data.cameras as cameras_module

    import_cameras(db, wvp_file(tmp_path, WVP_PAGE))
    ref = report_case(db, INTAKE, source="video", lon=117.605, lat=26.265, at=T0)
    png, samples = picture_png()

    def broken_log(*_a, **_k):
        raise CommandError("change log refused (test)")

    monkeypatch.setattr(cameras_module, "log_change", broken_log)
    with pytest.raises(CommandError, match="change log refused"):
        attach_snapshot(db, INTAKE, ref.number, Snapshot(CAM1, Frame(png, samples, T0)), store=tmp_path / "ev")
    assert evidence_of(db, ref.number) == [] and not list((tmp_path / "ev").rglob("*.png"))

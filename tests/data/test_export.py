"""Exports: every format readable, scoped to the seat's street, no caller details, no half-written file."""
from __future__ import annotations

import csv
import json
import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from console.data import models as m

from console.data.commands import Actor, CommandError, report_case
from console.data.export import export_cases
from tests.data.test_commands import T0

INTAKE = Actor("张受理", "intake", seat="受理席1")


@pytest.fixture
def two_streets(db):
    east = report_case(db, INTAKE, source="hotline", lon=117.605, lat=26.265, category_code="06010",
                       caller_name="刘先生", caller_phone="13900001234", description="垃圾", at=T0)
    west = report_case(db, INTAKE, source="inspector", lon=117.625, lat=26.275, category_code="06010", at=T0)
    return db, east, west


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "geojson", "open311"])
def test_every_format_is_readable_and_has_no_caller(two_streets, tmp_path, fmt):
    db, east, west = two_streets
    out = tmp_path / f"cases.{fmt}"
    assert export_cases(db, out, fmt) == 2
    raw = out.read_bytes()
    if fmt != "xlsx":
        assert "13900001234".encode() not in raw and "刘先生".encode() not in raw
    if fmt == "csv":
        rows = list(csv.DictReader(out.open(encoding="utf-8-sig")))
        assert [r["案件号"] for r in rows] == [east.number, west.number]
        assert rows[0]["网格"] == "350402001001001" and rows[0]["环节"] == "待受理"
    elif fmt == "xlsx":
        values = [[c.value for c in row] for row in load_workbook(out).active.iter_rows()]
        assert values[0][0] == "案件号" and values[1][0] == east.number
        assert not any("13900001234" in str(v) for row in values for v in row)
    elif fmt == "geojson":
        doc = json.loads(raw)
        assert [f["properties"]["number"] for f in doc["features"]] == [east.number, west.number]
        assert doc["features"][0]["geometry"]["coordinates"] == [117.605, 26.265]
    else:
        doc = json.loads(raw)
        assert doc[0]["service_request_id"] == east.number and doc[0]["status"] == "open"
        assert doc[0]["service_code"] == "06010" and doc[0]["long"] == 117.605


def test_street_scope_exports_only_that_street(two_streets, tmp_path):
    db, east, west = two_streets
    out = tmp_path / "east.csv"
    assert export_cases(db, out, "csv", scope="350402001") == 1
    assert west.number not in out.read_text(encoding="utf-8-sig")


def test_bad_format_or_folder_writes_nothing(two_streets, tmp_path):
    db, *_ = two_streets
    folder = tmp_path / "exports"
    folder.mkdir()
    with pytest.raises(CommandError, match="pdf"):
        export_cases(db, folder / "x.pdf", "pdf")
    with pytest.raises(CommandError, match="nowhere"):
        export_cases(db, folder / "nowhere" / "x.csv", "csv")
    assert list(folder.iterdir()) == []


# --- the hall's words, the target file, a full disk -------------------------------------------------


@pytest.fixture
def filed(db):
    """One hotline report still waiting, one inspector case filed urgent and dispatched."""
    from tests.data.test_commands import DISPATCH, SHIFT, garbage_condition, new_case, step

    waiting = report_case(db, INTAKE, source="hotline", lon=117.605, lat=26.265, category_code="06010", at=T0)
    number, v = new_case(db)
    v = step(db, INTAKE, number, v, "forward", 5).version
    v = step(db, SHIFT, number, v, "file", 10, condition_code=garbage_condition(db), urgency="urgent").version
    step(db, DISPATCH, number, v, "dispatch", 15, department_id=2)
    return db, waiting.number, number


def cli(capsys, *argv: str) -> tuple[int, str, str]:
    from console.cli import main

    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def exported(path, fmt: str) -> list[dict]:
    if fmt == "csv":
        return list(csv.DictReader(path.open(encoding="utf-8-sig")))
    rows = [[c.value for c in row] for row in load_workbook(path).active.iter_rows()]
    return [dict(zip(rows[0], row)) for row in rows[1:]]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_csv_and_excel_speak_chinese_and_raw_gives_codes(capsys, filed, tmp_path, fmt):
    db, waiting, dispatched = filed
    out = tmp_path / f"cases.{fmt}"
    assert cli(capsys, "export", "cases", "--format", fmt, "--out", str(out), "--db", db.url)[0] == 0
    rows = {r["案件号"]: r for r in exported(out, fmt)}
    assert (rows[waiting]["来源"], rows[waiting]["环节"], rows[waiting]["紧急程度"]) == ("12345 热线", "待受理", None if fmt == "xlsx" else "")
    assert (rows[dispatched]["来源"], rows[dispatched]["环节"], rows[dispatched]["紧急程度"]) == ("监督员上报", "处置中", "紧急")
    raw = tmp_path / f"raw.{fmt}"
    assert cli(capsys, "export", "cases", "--format", fmt, "--raw", "--out", str(raw), "--db", db.url)[0] == 0
    rows = {r["案件号"]: r for r in exported(raw, fmt)}
    assert (rows[dispatched]["来源"], rows[dispatched]["环节"], rows[dispatched]["紧急程度"]) == ("inspector", "disposing", "urgent")
    assert rows[waiting]["来源"] == "hotline" and rows[waiting]["环节"] == "reported"


def test_an_existing_file_needs_force_and_only_a_regular_file_is_replaced(capsys, two_streets, tmp_path):
    db, *_ = two_streets
    out = tmp_path / "cases.csv"
    out.write_text("keep me", encoding="utf-8")
    code, _, err = cli(capsys, "export", "cases", "--format", "csv", "--out", str(out), "--db", db.url)
    assert code != 0 and "--force" in err and str(out) in err and out.read_text(encoding="utf-8") == "keep me"
    assert cli(capsys, "export", "cases", "--format", "csv", "--force", "--out", str(out), "--db", db.url)[0] == 0
    assert "案件号" in out.read_text(encoding="utf-8-sig")
    folder, fifo, link = tmp_path / "folder", tmp_path / "fifo", tmp_path / "link.csv"
    folder.mkdir()
    os.mkfifo(fifo)
    link.symlink_to(out)
    for target in (folder, fifo, link, Path("/dev/null")):
        for force in ((), ("--force",)):
            code, _, err = cli(capsys, "export", "cases", "--format", "csv", *force, "--out", str(target), "--db", db.url)
            assert code != 0 and "not a regular file" in err and str(target) in err
    assert link.is_symlink() and fifo.is_fifo() and list(folder.iterdir()) == []
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith("console.db")) == [
        "cases.csv", "fifo", "folder", "link.csv"]  # no temporary file left behind


def _file_size_limit(limit: int):  # noqa: ANN202
    def apply() -> None:  # pragma: no cover - runs in the child
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


def test_a_write_the_disk_refuses_names_the_file_and_leaves_nothing(two_streets, tmp_path):
    """The kernel refuses the write (RLIMIT_FSIZE: EFBIG, as ENOSPC would): one line, no file, no temporary."""
    db, *_ = two_streets
    folder = tmp_path / "exports"
    folder.mkdir()
    out = folder / "cases.csv"
    with db.read() as s:  # the database's own files exist already: only the export grows past the limit
        s.execute(select(m.Case.id)).all()
    child = subprocess.run(
        [sys.executable, "-m", "console.cli", "export", "cases", "--format", "csv", "--out", str(out), "--db", db.url],
        capture_output=True, text=True, timeout=120, preexec_fn=_file_size_limit(300))
    lines = child.stderr.strip().splitlines()
    assert child.returncode != 0 and len(lines) == 1 and "Traceback" not in child.stderr, child.stderr
    assert str(out) in lines[0] and "File too large" in lines[0]
    assert list(folder.iterdir()) == []

"""Exports: every format readable, scoped to the seat's street, no caller details, no half-written file."""
from __future__ import annotations

import csv
import json

import pytest
from openpyxl import load_workbook

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

"""`urban-console brief` and `bulletin`: files written whole, and every bad input one clear line, exit
non-zero, nothing left behind (no PDF, no workbook, no temp file)."""
from __future__ import annotations

import pytest
from openpyxl import load_workbook

from tests.cli.running import assert_one_line, run
from tests.reports.conftest import pdf_pages


def files(directory) -> list[str]:
    """What is in `directory` besides the test's database (and its -wal / -shm)."""
    return sorted(p.name for p in directory.iterdir() if not p.name.startswith("cli.db"))


def test_a_brief_and_a_bulletin_on_the_command_line(capsys, url, tmp_path, qapp):
    code, out, err = run(capsys, "brief", "--db", url, "--date", "2026-11-30", "--out", str(tmp_path / "b.pdf"),
                         "--xlsx", str(tmp_path / "b.xlsx"))
    assert code == 0, err
    assert "b.pdf" in out and "页" in out
    pages = pdf_pages(tmp_path / "b.pdf")
    assert "数字城管日报" in pages[0] and "第 1 页 / 共" in pages[0]
    assert "指标" in load_workbook(tmp_path / "b.xlsx").sheetnames
    code, _out, err = run(capsys, "brief", "--db", url, "--date", "2026-11-30", "--street", "350402001",
                          "--out", str(tmp_path / "s.pdf"))
    assert code == 0, err
    assert "列东街道数字城管日报" in pdf_pages(tmp_path / "s.pdf")[0]
    for period in (("--week", "2026-W48"), ("--month", "2026-11")):
        code, _out, err = run(capsys, "bulletin", "--db", url, *period, "--out", str(tmp_path / "m.pdf"))
        assert code == 0, err
        assert period[1] in pdf_pages(tmp_path / "m.pdf")[0]
    assert files(tmp_path) == ["b.pdf", "b.xlsx", "m.pdf", "s.pdf"]


@pytest.mark.parametrize("argv, needle", [
    (("brief", "--date", "2026-13-01"), "--date"),
    (("brief", "--date", "2026-11"), "--date"),
    (("brief", "--date", "yesterday"), "统计周期"),
    (("brief", "--date", "2026-11-30", "--street", "999999999"), "未知的街道代码"),
    (("bulletin", "--week", "2026-W60"), "--week"),
    (("bulletin", "--week", "2026-11"), "--week"),
    (("bulletin", "--month", "2026-1"), "--month"),
    (("bulletin", "--month", "2026-11-30"), "--month"),
    (("bulletin",), "--week"),
    (("bulletin", "--week", "2026-W48", "--month", "2026-11"), "--month"),
])
def test_bad_input_is_one_line_and_no_file(capsys, url, tmp_path, qapp, argv, needle):
    out = tmp_path / "r.pdf"
    code, _out, err = run(capsys, argv[0], "--db", url, *argv[1:], "--out", str(out),
                          "--xlsx", str(tmp_path / "r.xlsx"))
    assert_one_line(code, err, needle)
    assert files(tmp_path) == []


@pytest.mark.parametrize("where", ["missing-dir/r.pdf", "a-directory"])
def test_an_unwritable_out_is_one_line_and_no_file(capsys, url, tmp_path, qapp, where):
    (tmp_path / "a-directory").mkdir()
    code, _out, err = run(capsys, "brief", "--db", url, "--date", "2026-11-30", "--out", str(tmp_path / where),
                          "--xlsx", str(tmp_path / "r.xlsx"))
    assert_one_line(code, err, "--out")
    assert files(tmp_path) == ["a-directory"]
    assert not any((tmp_path / "a-directory").iterdir())


def test_an_unwritable_workbook_leaves_no_pdf_either(capsys, url, tmp_path, qapp):
    code, _out, err = run(capsys, "brief", "--db", url, "--date", "2026-11-30", "--out", str(tmp_path / "r.pdf"),
                          "--xlsx", str(tmp_path / "nowhere" / "r.xlsx"))
    assert_one_line(code, err, "--xlsx")
    assert files(tmp_path) == []

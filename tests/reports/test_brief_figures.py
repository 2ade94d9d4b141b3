"""The brief and the bulletin of a hand-built month: the PDF's text and the workbook carry the same
figures to the digit, and both equal an independent count over the plain rows (tests/data/test_evaluation.py),
on both backends."""
from __future__ import annotations

from collections import Counter
from datetime import datetime

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from console.data import models as m
from console.domain.evaluation import parse_period
from console.reports import write_brief, write_bulletin
from tests.data.test_evaluation import build_month, independent_counts
from tests.reports.conftest import pdf_pages, row_of

HEADLINE = ("reported", "valid_reports", "filed", "dispatched", "closed", "on_time_close_rate", "overdue_open",
            "returned", "reworked", "urged", "supervised")
LABELS = {"reported": "上报数", "valid_reports": "有效上报数", "filed": "立案数", "dispatched": "派遣数",
          "closed": "结案数", "on_time_close_rate": "按期结案率", "overdue_open": "超期未结案数", "returned": "回退数",
          "reworked": "返工数", "urged": "催办数", "supervised": "督办数"}
NOW = datetime(2026, 12, 2, 12, 0).astimezone()


def expected(db, period: str) -> dict:
    """The headline of `period` counted by hand: the evaluation test's counts, plus 催办 / 督办 records."""
    window = parse_period(period)
    counts = independent_counts(db, window, lambda c: "all").get("all", Counter())
    with db.read() as s:
        urges = [u for u in s.scalars(select(m.UrgeRecord)) if window.start <= u.at < window.end]
    counts["urged"] = sum(u.kind == "urge" for u in urges)
    counts["supervised"] = sum(u.kind == "supervise" for u in urges)
    due = counts["closed"] + counts["overdue_open"]
    counts["on_time_close_rate"] = counts["closed_on_time"] / due if due else None
    return counts


def pdf_text(value) -> str:
    return "—" if value is None else f"{value * 100:.1f}%" if isinstance(value, float) else str(value)


@pytest.mark.parametrize("day, before, week_before", [("2026-11-26", "2026-11-25", "2026-11-19"),
                                                      ("2026-11-23", "2026-11-22", "2026-11-16")])
def test_the_briefs_headline_is_the_independent_count_in_the_pdf_and_the_workbook(db, qapp, tmp_path, day, before,
                                                                                week_before):
    build_month(db)
    pdf, xlsx = tmp_path / "brief.pdf", tmp_path / "brief.xlsx"
    pages = write_brief(db, day, pdf, xlsx=xlsx, now=NOW)
    text = pdf_pages(pdf)
    assert len(text) == pages >= 3
    columns = [expected(db, p) for p in (day, before, week_before)]
    assert columns[0]["reported"] > 0  # the day has cases: the test compares real figures
    sheet = load_workbook(xlsx)["指标"]
    rows = {r[0].value: r for r in sheet.iter_rows(min_row=3)}
    for figure in HEADLINE:
        values = [c.get(figure, 0) if figure != "on_time_close_rate" else c[figure] for c in columns]
        assert row_of(text[0], LABELS[figure])[:3] == [pdf_text(v) for v in values], figure
        cells = rows[LABELS[figure]]
        for cell, value in zip(cells[1:4], values):
            if isinstance(value, float):
                assert cell.value == pytest.approx(value) and cell.number_format == "0.0%", figure
            else:
                assert cell.value == value, figure


def test_the_briefs_department_table_and_overdue_list(db, qapp, tmp_path):
    build_month(db)
    day = "2026-11-30"  # the hotline case of the 26th is still open and red by the end of the month
    pdf, xlsx = tmp_path / "brief.pdf", tmp_path / "brief.xlsx"
    write_brief(db, day, pdf, xlsx=xlsx, now=NOW)
    book = load_workbook(xlsx)
    window = parse_period(day)
    by_department = independent_counts(db, window, lambda c: c.department_id)
    with db.read() as s:
        names = dict(s.execute(select(m.Department.id, m.Department.name)).all())
    departments = {r[1].value: r for r in book["部门"].iter_rows(min_row=3)}
    header = [c.value for c in book["部门"][2]]
    for dept_id, counts in by_department.items():
        if dept_id == "None":
            continue
        row = departments[names[int(dept_id)]]
        assert row[header.index("结案数")].value == counts.get("closed", 0)
        assert row[header.index("超期未结案数")].value == counts.get("overdue_open", 0)
    overdue = [r for r in book["超期案件"].iter_rows(min_row=3, values_only=True)]
    open_red = independent_counts(db, window, lambda c: c.number)
    numbers = {n for n, c in open_red.items() if c.get("overdue_open")}
    assert {r[0] for r in overdue} == numbers and numbers  # the same cases, and there are some
    calendar = db.rules().calendar
    with db.read() as s:
        for number, *_rest, days in overdue:
            case = s.scalar(select(m.Case).where(m.Case.number == number))
            red = max((k.red_since or k.red_at) for k in s.scalars(select(m.CaseStepClock).where(
                m.CaseStepClock.case_id == case.id, m.CaseStepClock.step == "dispose")))
            by_hand = calendar.work_minutes_between(red, window.end) / calendar.minutes_per_day
            assert days == pytest.approx(by_hand) and days > 0
            cells = "\n".join(pdf_pages(pdf)).split()
            assert f"{by_hand:.1f}" in cells[cells.index(number):][:8]  # listed in the PDF with its days


def test_the_monthly_bulletin_against_the_month_before(db, qapp, tmp_path):
    build_month(db)
    pdf, xlsx = tmp_path / "bulletin.pdf", tmp_path / "bulletin.xlsx"
    write_bulletin(db, pdf, month="2026-11", xlsx=xlsx, now=NOW)
    text = pdf_pages(pdf)
    november, october = expected(db, "2026-11"), expected(db, "2026-10")
    assert november["reported"] == 11 and october["reported"] == 1
    for figure in HEADLINE:
        values = [c.get(figure, 0) if figure != "on_time_close_rate" else c[figure] for c in (november, october)]
        assert row_of(text[0], LABELS[figure])[:2] == [pdf_text(v) for v in values], figure
    book = load_workbook(xlsx)
    assert {"指标", "街道排名", "部门排名", "路段排名", "红黑旗", "问责预警", "后进网格"} <= set(book.sheetnames)
    streets = [r for r in book["街道排名"].iter_rows(min_row=3, values_only=True)]
    by_street = independent_counts(db, parse_period("2026-11"), lambda c: c.street_code)
    with db.read() as s:
        street_names = dict(s.execute(select(m.Street.code, m.Street.name)).all())
    reported = {name: row[2] for row in streets for name in [row[1]]}
    for code, counts in by_street.items():
        assert reported[street_names[code]] == counts["reported"]
    whole = "\n".join(text)
    for title in ("街道考核排名", "专业部门考核排名", "路段得分排名", "路长制红黑旗", "问责预警", "单元网格"):
        assert title in whole


def test_a_week_bulletin_and_a_street_brief(db, qapp, tmp_path):
    build_month(db)
    pages = write_bulletin(db, tmp_path / "w.pdf", week="2026-W48", now=NOW)
    text = pdf_pages(tmp_path / "w.pdf")
    assert len(text) == pages and "数字城管周报" in text[0] and "2026-W48" in text[0]
    assert row_of(text[0], "上报数")[:2] == [str(expected(db, "2026-W48")["reported"]),
                                            str(expected(db, "2026-W47")["reported"])]
    write_brief(db, "2026-11-23", tmp_path / "s.pdf", street="350402002", now=NOW)
    street = pdf_pages(tmp_path / "s.pdf")
    assert "列西街道数字城管日报" in street[0]
    assert row_of(street[0], "上报数")[0] == "0"  # the 23rd's cases are all in 列东 (350402001)

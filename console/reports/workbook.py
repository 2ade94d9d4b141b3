"""The report's tables in an Excel workbook (openpyxl): one sheet each, the same rows as the PDF.

Counts are integers, rates fractions formatted 0.0% (the PDF's "93.7 %"), scores and work days
0.0; "—" (no denominator) is an empty cell, never 0.  Charts become their table of values.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from console.reports.model import Chart, Report, Table

FORMATS = {"count": "0", "rate": "0.0%", "score": "0.0", "days": "0.0"}
_HEAD = PatternFill("solid", fgColor="E8EDF3")


def _cell(kind: str, value: Any) -> tuple[Any, str | None]:
    if kind == "mixed":
        kind, value = value
    if kind in FORMATS:
        return (None if value is None else value), FORMATS[kind]
    return ("" if value is None else str(value)), None


def _sheet_name(name: str, used: set[str]) -> str:
    base = name[:31]
    out, n = base, 2
    while out in used:
        out = f"{base[:28]}_{n}"
        n += 1
    used.add(out)
    return out


def _chart_table(chart: Chart) -> Table:
    return Table(chart.title, chart.sheet, (chart.axis, "上报数"), ("text", "count"),
                 tuple(zip(chart.labels, chart.values)))


def build_workbook(report: Report) -> Workbook:
    book = Workbook()
    book.remove(book.active)
    used: set[str] = set()
    for block in report.tables():
        table = _chart_table(block) if isinstance(block, Chart) else block
        sheet = book.create_sheet(_sheet_name(table.sheet, used))
        sheet.append([f"{report.title} {report.period} · {table.title}"])
        sheet["A1"].font = Font(bold=True)
        sheet.append(list(table.columns))
        for cell in sheet[2]:
            cell.font, cell.fill = Font(bold=True), _HEAD
            cell.alignment = Alignment(horizontal="center")
        for row in table.rows:
            values = [_cell(kind, value) for kind, value in zip(table.kinds, row)]
            sheet.append([v for v, _fmt in values])
            for cell, (_v, fmt) in zip(sheet[sheet.max_row], values):
                if fmt:
                    cell.number_format = fmt
        for i, column in enumerate(table.columns, start=1):
            widest = max([len(str(column))] + [len(str(r[i - 1])) for r in table.rows[:200]])
            sheet.column_dimensions[sheet.cell(2, i).column_letter].width = min(max(8, widest * 1.6), 48)
        sheet.freeze_panes = "A3"
    return book


def write_workbook(report: Report, path: Path) -> None:
    build_workbook(report).save(path)

"""A printed report as plain data: titled tables, charts and a heat map, in reading order.

One report feeds the PDF (console.reports.printing), the Excel workbook (console.reports.workbook)
and the print preview (console.reports.menu), so the three can never show different figures.
Built on a worker thread (no Qt here); drawn on the UI thread.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Mapping

from console.domain.evaluation import format_rate

# How a column's values are written: text as is, counts as integers, rates as "93.7 %" (0.0% in
# Excel), scores with one decimal, work days with one decimal, changes as format_change's text;
# a "mixed" column (the headline's counts and rates) holds (kind, value) pairs.
KINDS = ("text", "count", "rate", "score", "days", "change", "mixed")


@dataclass(frozen=True)
class Table:
    title: str
    sheet: str  # the workbook's sheet name (≤ 31 characters)
    columns: tuple[str, ...]
    kinds: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]
    empty: str = "无"  # what the PDF says when there is no row

    def text(self, row: int, col: int) -> str:
        return cell_text(self.kinds[col], self.rows[row][col])


def cell_text(kind: str, value: Any) -> str:
    """The one way a figure is written in a report (PDF, preview); "mixed": the value is (kind, value)."""
    if kind == "mixed":
        kind, value = value
    if kind == "rate":
        return format_rate(value, 1)
    if kind in ("score", "days"):
        return "—" if value is None else f"{value:.1f}"
    if kind == "count":
        return "—" if value is None else str(int(value))
    return "" if value is None else str(value)


@dataclass(frozen=True)
class Chart:
    """A bar chart: labels along the axis, one count each (intake by hour, top categories)."""

    title: str
    sheet: str
    labels: tuple[str, ...]
    values: tuple[int, ...]
    axis: str  # what a label is (小时, 类别)
    horizontal: bool = False


@dataclass(frozen=True)
class HeatMap:
    """The district (or one street) with each unit grid filled by its count of cases."""

    title: str
    layers: Any  # console.services.figures.MapLayers
    heat: Mapping[str, int]


@dataclass(frozen=True)
class Heading:
    text: str
    new_page: bool = False


@dataclass(frozen=True)
class Note:
    text: str


@dataclass(frozen=True)
class Report:
    kind: str  # brief | bulletin
    title: str  # 数字城管日报 / 数字城管周报 ...
    period: str  # 2026-11-26 / 2026-W48 / 2026-11
    centre: str  # the issuing 数字城管监督指挥中心
    generated_at: datetime
    blocks: tuple[Any, ...] = field(default_factory=tuple)

    def tables(self) -> list[Table | Chart]:
        return [b for b in self.blocks if isinstance(b, (Table, Chart))]

"""A Report on paper: one QTextDocument laid out at the page's size, each page painted by our own loop.

QTextDocument.print_ adds only a bare page number, so the document is laid out at the body's
size and every page's rect is painted with QPainter, then the header (issuing centre, title,
date) and the footer (第 x 页 / 共 y 页, generated time) are drawn around it (tech-notes §10).
The same loop paints on a QPdfWriter (the CLI), a QPrinter (the print dialog) and the preview.
Text stays text (searchable in the PDF, the CJK font embedded by QPdfWriter); the map and the
charts are images at 300 dpi.  Tables repeat their header row on every page (<thead>).
"""
from __future__ import annotations

import html
import os
import tempfile
from pathlib import Path

from PySide6.QtCore import QMarginsF, QRectF, Qt, QUrl
from PySide6.QtGui import (
    QAbstractTextDocumentLayout, QColor, QPageLayout, QPageSize, QPagedPaintDevice, QPainter, QPdfWriter, QPen,
    QTextDocument,
)

from console.domain.evaluation import SHANGHAI
from console.reports.drawing import DPI, draw_block, font
from console.reports.model import Chart, Heading, HeatMap, Note, Report, Table
from console.widgets.pdf_text import fix_to_unicode, radical_fixes
from console.widgets.theme import WORKSTATION

MARGINS_MM = QMarginsF(16, 14, 16, 12)  # left, top, right, bottom of the paper
HEADER_MM, FOOTER_MM = 14.0, 10.0  # bands inside the margins for the page furniture
CSS_DPI = 96  # QTextDocument sizes <img width> in 96-dpi pixels, scaled to the device


class ReportWriteError(OSError):
    """The report's file cannot be written (directory missing, read-only, ...); nothing was left behind."""


def _mm(device: QPagedPaintDevice, mm: float) -> float:
    return mm / 25.4 * device.resolution()


def setup_page(device: QPagedPaintDevice) -> None:
    device.setPageLayout(QPageLayout(QPageSize(QPageSize.PageSizeId.A4), QPageLayout.Orientation.Portrait,
                                     MARGINS_MM, QPageLayout.Unit.Millimeter))


def body_rect(device: QPagedPaintDevice) -> QRectF:
    """Where the document goes on each page, in device pixels from the paint rect's corner."""
    paint = device.pageLayout().paintRectPixels(device.resolution())
    top, bottom = _mm(device, HEADER_MM), _mm(device, FOOTER_MM)
    return QRectF(0, top, paint.width(), paint.height() - top - bottom)


# --- the document -------------------------------------------------------------------------------------

def build_document(report: Report, device: QPagedPaintDevice) -> QTextDocument:
    doc = QTextDocument()
    doc.setDefaultFont(font(WORKSTATION, 9))
    doc.documentLayout().setPaintDevice(device)
    body = body_rect(device)
    doc.setPageSize(body.size())
    doc.setDocumentMargin(0)
    css_width = int(body.width() * CSS_DPI / device.resolution())
    parts = [f"<h1 align='center' style='font-size:18pt'>{_e(report.title)}</h1>",
             f"<p align='center' style='font-size:11pt'>{_e(report.centre)}　{_e(report.period)}</p>"]
    for i, block in enumerate(report.blocks):
        parts.append(_block_html(doc, block, i, body, css_width))
    doc.setHtml(f"<html><body>{''.join(parts)}</body></html>")  # the default font: the CJK font without locl
    return doc


def _e(text: object) -> str:
    return html.escape(str(text))


def _block_html(doc: QTextDocument, block: object, index: int, body: QRectF, css_width: int) -> str:
    if isinstance(block, Table):
        return _table_html(block)
    if isinstance(block, Heading):
        brk = " style='page-break-before:always'" if block.new_page else ""
        return f"<h2{brk}>{_e(block.text)}</h2>"
    if isinstance(block, Note):
        return f"<p style='color:{WORKSTATION.text['secondary']}'>{_e(block.text)}</p>"
    if isinstance(block, (Chart, HeatMap)):
        width, height = _picture_size(block, body)
        image = draw_block(block, width, height)
        url = QUrl(f"mem://block{index}.png")
        doc.addResource(QTextDocument.ResourceType.ImageResource, url, image)
        return (f"<h3>{_e(block.title)}</h3><p align='center'><img src='{url.toString()}' width='{css_width}' "
                f"height='{int(css_width * image.height() / image.width())}'></p>")
    raise TypeError(f"unknown report block {block!r}")


def _picture_size(block: Chart | HeatMap, body: QRectF) -> tuple[int, int]:
    """Charts a third of a page high; the map as high as the area's shape wants, at most a third of a page
    (page 1 holds the title, the headline, the sources and the map: screens.md)."""
    if isinstance(block, Chart):
        return int(body.width()), int(body.height() * (0.3 if block.horizontal else 0.24))
    aspect = _aspect(block.layers)
    height = min(body.width() * aspect + body.height() * 0.03, body.height() * 0.3)
    return int(body.width()), int(height)


def _aspect(layers: object) -> float:
    """height / width of the area on the map (equirectangular at its latitude), 0.75 when unknown."""
    import math

    areas = list(getattr(layers, "streets", ()) or getattr(layers, "grids", ()))
    boxes = [a.geometry.bounds for a in areas if a.geometry is not None and not a.geometry.is_empty]
    if not boxes:
        return 0.75
    west, south = min(b[0] for b in boxes), min(b[1] for b in boxes)
    east, north = max(b[2] for b in boxes), max(b[3] for b in boxes)
    width = (east - west) * math.cos(math.radians((south + north) / 2))
    return (north - south) / width if width > 0 else 0.75


def _table_html(table: Table) -> str:
    right = {"count", "rate", "score", "days", "change", "mixed"}
    head = "".join(f"<th bgcolor='#E8EDF3'>{_e(c)}</th>" for c in table.columns)
    rows = []
    for r in range(len(table.rows)):
        cells = "".join(f"<td{' align=right' if table.kinds[c] in right else ''}>{_e(table.text(r, c))}</td>"
                        for c in range(len(table.columns)))
        rows.append(f"<tr>{cells}</tr>")
    if not rows:
        rows.append(f"<tr><td colspan={len(table.columns)}>{_e(table.empty)}</td></tr>")
    return (f"<h3>{_e(table.title)}</h3><table border='1' cellspacing='0' cellpadding='2' width='100%' "
            f"style='border-collapse:collapse; border-color:{WORKSTATION.text['border']}'>"
            f"<thead><tr>{head}</tr></thead>{''.join(rows)}</table>")


# --- the page loop --------------------------------------------------------------------------------------

def paint_report(report: Report, device: QPagedPaintDevice, doc: QTextDocument | None = None) -> int:
    """Paint every page of `report` on `device` (already set up); returns the number of pages."""
    doc = doc or build_document(report, device)
    body = body_rect(device)
    pages = doc.pageCount()
    painter = QPainter()
    if not painter.begin(device):
        raise ReportWriteError("无法开始绘制页面 (the printer or file refused to start a page)")
    try:
        for page in range(pages):
            if page and not device.newPage():
                raise ReportWriteError("无法新建页面 (the printer or file refused a new page)")
            _paint_body(painter, doc, body, page)
            _paint_furniture(painter, device, report, body, page, pages)
    finally:
        painter.end()
    return pages


def _paint_body(painter: QPainter, doc: QTextDocument, body: QRectF, page: int) -> None:
    painter.save()
    painter.translate(body.left(), body.top() - page * body.height())
    clip = QRectF(0, page * body.height(), body.width(), body.height())
    painter.setClipRect(clip)
    context = QAbstractTextDocumentLayout.PaintContext()
    context.clip = clip
    doc.documentLayout().draw(painter, context)
    painter.restore()


def _paint_furniture(painter: QPainter, device: QPagedPaintDevice, report: Report, body: QRectF,
                     page: int, pages: int) -> None:
    ink, muted = QColor(WORKSTATION.text["ink"]), QColor(WORKSTATION.text["secondary"])
    width = body.width()
    header = QRectF(0, 0, width, body.top() - _mm(device, 3))
    painter.setPen(ink)
    painter.setFont(font(WORKSTATION, 9, bold=True))
    painter.drawText(header, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignBottom, report.centre)
    painter.setFont(font(WORKSTATION, 9))
    painter.drawText(header, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignBottom,
                     f"{report.title}　{report.period}")
    painter.setPen(QPen(ink, _mm(device, 0.3)))
    painter.drawLine(0, int(header.bottom() + _mm(device, 1)), int(width), int(header.bottom() + _mm(device, 1)))
    footer = QRectF(0, body.bottom() + _mm(device, 3), width, _mm(device, FOOTER_MM - 3))
    painter.setPen(QPen(muted, _mm(device, 0.2)))
    painter.drawLine(0, int(footer.top()), int(width), int(footer.top()))
    painter.setFont(font(WORKSTATION, 8))
    painter.drawText(footer, Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom,
                     f"第 {page + 1} 页 / 共 {pages} 页")
    painter.drawText(footer, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignBottom,
                     f"生成于 {report.generated_at.astimezone(SHANGHAI):%Y-%m-%d %H:%M}")


# --- files ----------------------------------------------------------------------------------------------

def temp_beside(path: Path) -> Path:
    """An empty temp file in `path`'s directory (renamed onto `path` once whole: nothing half-written)."""
    try:
        handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    except OSError as exc:
        raise ReportWriteError(f"无法写入 {path}：{exc.strerror or exc} (cannot write there)") from None
    os.close(handle)
    return Path(name)


def render_pdf(report: Report, path: Path) -> int:
    """Write `report` as an A4 PDF at `path` (a temp file first); returns the number of pages."""
    writer = QPdfWriter(str(path))
    writer.setResolution(DPI)
    writer.setTitle(f"{report.title} {report.period}")
    writer.setCreator(report.centre)
    setup_page(writer)
    doc = build_document(report, writer)
    pages = paint_report(report, writer, doc)
    del writer  # the file is complete and closed
    text = doc.toPlainText() + report.title + report.centre + "第页共生成于"
    fix_to_unicode(path, radical_fixes(text, [font(WORKSTATION, 9), font(WORKSTATION, 9, bold=True)]))
    return pages


__all__ = ["ReportWriteError", "body_rect", "build_document", "paint_report", "render_pdf", "setup_page",
           "temp_beside"]

"""The page loop: A4 portrait, the issuing centre and the date in every header, 第 x 页 / 共 y 页 in every
footer, table headers repeated on every page a table runs onto, text as real text, pictures at 300 dpi,
the CJK font embedded."""
from __future__ import annotations

import re
import zlib
from datetime import datetime, timezone

from PySide6.QtCore import QSize
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPrintSupport import QPrinter

from console.reports.files import write_report
from console.reports.model import Chart, Heading, Report, Table
from console.reports.printing import paint_report, setup_page
from tests.reports.conftest import pdf_pages

CENTRE = "三元区数字城管监督指挥中心"


def long_report() -> Report:
    rows = tuple((f"2026{i:08d}", "暴露垃圾", "列东街道", "环境卫生服务中心", f"列东街道{i}号", i / 10) for i in range(240))
    table = Table("超期未结案件", "超期案件", ("案件号", "类别", "街道", "处置部门", "地址", "超期工作日"),
                  ("text",) * 5 + ("days",), rows)
    chart = Chart("分时段上报", "分时段", tuple(f"{h:02d}" for h in range(24)), tuple(range(24)), "小时")
    return Report("brief", "数字城管日报", "2026-11-30", CENTRE, datetime(2026, 12, 1, 8, 0, tzinfo=timezone.utc),
                  (chart, Heading("超期", new_page=True), table))


def test_every_page_has_its_header_footer_and_the_tables_header_row(qapp, tmp_path):
    pdf = tmp_path / "long.pdf"
    pages = write_report(long_report(), pdf)
    text = pdf_pages(pdf)
    assert pages == len(text) >= 5
    for number, page in enumerate(text, start=1):
        assert CENTRE in page and "数字城管日报 2026-11-30" in page
        assert f"第 {number} 页 / 共 {pages} 页" in page
        assert "生成于 2026-12-01 16:00" in page  # local time
        assert not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", page)  # no glyph without its character
        assert not re.search(r"[\u2e80-\u2fdf]", page)  # ideographs, not the radicals sharing their glyphs
    table_pages = [p for p in text if "暴露垃圾" in p]
    assert len(table_pages) >= 4
    for page in table_pages:  # the header row repeats wherever the table goes on
        assert "案件号 类别 街道 处置部门 地址 超期工作日" in page
    assert "分时段上报" in text[0] and "暴露垃圾" not in text[0]  # the heading started a new page
    every_row = " ".join(text)
    assert all(f"2026{i:08d}" in every_row for i in range(240))  # none lost at a page break


def test_a4_portrait_cjk_font_embedded_and_pictures_at_300_dpi(qapp, tmp_path):
    pdf = tmp_path / "long.pdf"
    write_report(long_report(), pdf)
    doc = QPdfDocument()
    doc.load(str(pdf))
    size = doc.pagePointSize(0)
    assert abs(size.width() - 595.3) < 1 and abs(size.height() - 841.9) < 1  # A4 portrait, in points
    image = doc.render(0, QSize(620, 877))
    assert not image.isNull()
    doc.close()
    raw = pdf.read_bytes()
    assert b"NotoSansCJK" in raw and re.search(rb"/FontFile[23]?", raw)  # embedded, not referenced
    widths = [int(w) for w in re.findall(rb"/Subtype\s*/Image.*?/Width\s+(\d+)", raw, re.S)]
    widths += [int(w) for w in re.findall(rb"/Width\s+(\d+).*?/Subtype\s*/Image", raw, re.S)]
    # the chart spans the body (A4 less 32 mm of margins = 178 mm): 178 / 25.4 × 300 ≈ 2100 pixels
    assert any(abs(w - 178 / 25.4 * 300) < 10 for w in widths), widths


def test_the_same_pages_go_to_a_printer(qapp, tmp_path):
    """What the print dialog and the preview paint on: a QPrinter, the same loop and page furniture."""
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "printed.pdf"))
    setup_page(printer)
    pages = paint_report(long_report(), printer)
    text = pdf_pages(tmp_path / "printed.pdf")
    # (a printer gets the pages as drawn; only our PDF files get their ToUnicode radicals put right)
    assert len(text) == pages and f"第 {pages} " in text[-1] and f" / 共 {pages} " in text[-1]

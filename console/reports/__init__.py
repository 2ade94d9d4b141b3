"""Printed reports: the daily brief (日报) and the weekly / monthly bulletins (周报 / 月报).

content.py gathers a Report (plain data) from console.services.figures; printing.py lays it out
and paints A4 pages (PDF, printer, preview); workbook.py writes the same tables to Excel;
menu.py is what the 报表 menu opens (print preview, print dialog, save).
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any


def gui() -> Any:
    """The Qt application the pages are painted with: the running one, else an offscreen QGuiApplication
    (the CLI needs no window and no QtWebEngine: the map is drawn from its read model).  Fonts come
    from fontconfig: fonts-noto-cjk must be installed, as for the seats."""
    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication.instance()
    if app is None:  # no window is ever shown: offscreen even where a DISPLAY is set (or set but gone)
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        app = QGuiApplication(["urban-console"])
    return app


def write_brief(db: Any, day: str, out: Path, *, street: str | None = None, xlsx: Path | None = None,
                now: Any = None) -> int:
    """`urban-console brief`: the day's brief as PDF (and Excel); returns the number of pages."""
    from console.reports.content import brief
    from console.reports.files import check_target, write_report

    check_target(out, "--out")  # before the figures: a wrong path costs nothing
    if xlsx is not None:
        check_target(xlsx, "--xlsx")
    report = brief(db, day, street=street, now=now)
    gui()
    return write_report(report, out, xlsx)


def write_bulletin(db: Any, out: Path, *, week: str | None = None, month: str | None = None,
                   xlsx: Path | None = None, now: Any = None) -> int:
    """`urban-console bulletin`: the week's or month's bulletin as PDF (and Excel); returns the page count."""
    from console.reports.content import bulletin
    from console.reports.files import check_target, write_report

    check_target(out, "--out")
    if xlsx is not None:
        check_target(xlsx, "--xlsx")
    report = bulletin(db, week=week, month=month, now=now)
    gui()
    return write_report(report, out, xlsx)

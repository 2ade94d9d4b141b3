"""What the workstation's 报表 menu opens: the report gathered on the seat's worker, then the print
preview (QPrintPreviewDialog) or the system print dialog (QPrintDialog), painted by the same page loop
as the PDF.  console/app.py connects `Workstation.sig_report_requested(kind)` to `open_report`.

A street seat gets its own street's brief only (the session's street_code); the bulletins rank
the whole district, so a street seat is not offered them.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any, Callable

from PySide6.QtCore import QCoreApplication
from PySide6.QtPrintSupport import QPrintDialog, QPrinter, QPrintPreviewDialog
from PySide6.QtWidgets import QDialog, QWidget

from console.domain.evaluation import SHANGHAI, period_of, previous_period
from console.reports import content
from console.reports.model import Report
from console.reports.printing import paint_report, setup_page

# kind -> (what it is, whether a street seat may have it)
KINDS = ("brief_today", "brief_yesterday", "bulletin_last_week", "bulletin_last_month", "print_brief_today")
STREET_KINDS = frozenset({"brief_today", "brief_yesterday", "print_brief_today"})


def report_call(kind: str, db: Any, street: str | None, now: datetime) -> Callable[[], Report]:
    """The worker's job for `kind` (reads the database, no Qt)."""
    if kind not in KINDS:
        raise ValueError(f"unknown report kind {kind!r}; one of {', '.join(KINDS)}")
    if street and kind not in STREET_KINDS:
        raise ValueError(f"a street seat has no district bulletin ({kind})")
    day = now.astimezone(SHANGHAI)
    if kind in ("brief_today", "print_brief_today"):
        return lambda: content.brief(db, day.date().isoformat(), street=street, now=now)
    if kind == "brief_yesterday":
        return lambda: content.brief(db, (day - timedelta(days=1)).date().isoformat(), street=street, now=now)
    if kind == "bulletin_last_week":
        week = previous_period(period_of("week", now)).period
        return lambda: content.bulletin(db, week=week, now=now)
    month = previous_period(period_of("month", now)).period
    return lambda: content.bulletin(db, month=month, now=now)


def printer_for(report: Report) -> QPrinter:
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setDocName(f"{report.title} {report.period}")
    setup_page(printer)
    return printer


def preview(report: Report, parent: QWidget | None = None) -> QPrintPreviewDialog:
    """A print preview of `report` (opened, not exec'd: the seat keeps running); its print button prints."""
    printer = printer_for(report)
    dialog = QPrintPreviewDialog(printer, parent)
    dialog.setWindowTitle(QCoreApplication.translate("ReportMenu", "打印预览") + f" · {report.title} {report.period}")
    dialog.paintRequested.connect(lambda device: paint_report(report, device))
    dialog.finished.connect(dialog.deleteLater)
    dialog._printer = printer  # noqa: SLF001 - the printer lives as long as its dialog
    dialog.open()
    return dialog


def print_with_dialog(report: Report, parent: QWidget | None = None) -> QPrintDialog:
    """The system print dialog; on 打印 the pages go to the chosen printer."""
    printer = printer_for(report)
    dialog = QPrintDialog(printer, parent)
    dialog.setWindowTitle(QCoreApplication.translate("ReportMenu", "打印") + f" · {report.title} {report.period}")

    def done(result: int) -> None:
        if result == QDialog.DialogCode.Accepted:
            paint_report(report, printer)
        dialog.deleteLater()

    dialog.finished.connect(done)
    dialog._printer = printer  # noqa: SLF001
    dialog.open()
    return dialog


def open_report(kind: str, window: Any, *, now: datetime | None = None,
                on_shown: Callable[[QDialog], None] | None = None) -> int:
    """Gather the report on `window`'s seat worker, then show it; returns the worker request id."""
    session = window.session
    now = now or datetime.now(timezone.utc)
    call = report_call(kind, session.db, session.street_code, now)

    def show(report: Report) -> None:
        dialog = (print_with_dialog if kind.startswith("print_") else preview)(report, window)
        if on_shown:
            on_shown(dialog)

    def failed(exc: BaseException) -> None:
        window.statusBar().showMessage(QCoreApplication.translate("ReportMenu", "报表生成失败：") + str(exc), 10000)

    return window.controller.run("report", call, show, failed)

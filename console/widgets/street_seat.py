"""The street liaison seat (街道指挥席, screens.md): the workstation limited to one street.

Its header names the street; its queue opens on every open case of the street, most urgent
first; 催办 is its main action (a button in the header, Ctrl+Shift+U), 督办 its second (with a
reply deadline); beside the map, the street's figures today / this week / this month and its
road segments with their chiefs, scores and open problems, as a summary to copy, print or
save as PDF for the street's road chiefs.  The figures are re-read throttled on the feed.
"""
from __future__ import annotations

from datetime import datetime
from html import escape
from pathlib import Path
from zoneinfo import ZoneInfo

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QMarginsF, QSizeF, Qt, QTimer, Signal
from PySide6.QtGui import QFont, QGuiApplication, QPageLayout, QPageSize, QTextDocument
from PySide6.QtWidgets import (
    QDockWidget,
    QFileDialog,
    QHeaderView,
    QLabel,
    QPushButton,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from console.domain.workflow import Action
from console.services.figures import label as figure_label
from console.services.street import PERIODS, STREET_FIGURES, StreetReport, street_report
from console.widgets.pdf_text import fix_to_unicode, radical_fixes
from console.widgets.shortcuts import ACTION_SHORTCUTS
from console.widgets.theme import WORKSTATION
from console.widgets.workstation import Workstation

SHANGHAI = ZoneInfo("Asia/Shanghai")
FIGURES_THROTTLE_MS = 10_000  # the feed re-reads the figures at most this often (not once per change)
CJK_FAMILIES = ("Noto Sans CJK SC", "Noto Sans SC", "WenQuanYi Micro Hei", "Microsoft YaHei")


# The summary's and the tables' words (translated where used: _t).
TEXTS: dict[str, str] = {
    "day": QT_TRANSLATE_NOOP("StreetSeat", "今日"), "week": QT_TRANSLATE_NOOP("StreetSeat", "本周"),
    "month": QT_TRANSLATE_NOOP("StreetSeat", "本月"),
    "before_day": QT_TRANSLATE_NOOP("StreetSeat", "较昨日"), "before_week": QT_TRANSLATE_NOOP("StreetSeat", "较上周"),
    "before_month": QT_TRANSLATE_NOOP("StreetSeat", "较上月"),
    "segment": QT_TRANSLATE_NOOP("StreetSeat", "路段"), "road": QT_TRANSLATE_NOOP("StreetSeat", "道路"),
    "second": QT_TRANSLATE_NOOP("StreetSeat", "二级路长"), "chief": QT_TRANSLATE_NOOP("StreetSeat", "路段长"),
    "score": QT_TRANSLATE_NOOP("StreetSeat", "本月得分"), "grade": QT_TRANSLATE_NOOP("StreetSeat", "等级"),
    "problems": QT_TRANSLATE_NOOP("StreetSeat", "在办问题"),
    "title": QT_TRANSLATE_NOOP("StreetSeat", "{street} 街道指挥席 · 工作摘要"),
    "generated": QT_TRANSLATE_NOOP("StreetSeat", "生成时间 {time}"),
    "figures": QT_TRANSLATE_NOOP("StreetSeat", "一、案件数据"),
    "figure": QT_TRANSLATE_NOOP("StreetSeat", "指标"),
    "segments": QT_TRANSLATE_NOOP("StreetSeat", "二、路段（路长、本月得分、在办问题）"),
    "no_segments": QT_TRANSLATE_NOOP("StreetSeat", "本街道没有登记路段"),
}


def _t(key: str) -> str:
    return QCoreApplication.translate("StreetSeat", TEXTS[key])


def period_word(kind: str) -> str:
    return _t(kind)


def period_heading(kind: str) -> str:
    """今日（较昨日）: the period and what its change is against."""
    return f"{_t(kind)}（{_t('before_' + kind)}）"


def figure_cell(report: StreetReport, kind: str, figure_id: str) -> str:
    """'12 (↑8%)': the period's value and its change against the period before."""
    comparison = report.periods[kind]
    change = comparison.change_text(figure_id)
    value = comparison.current.text(figure_id)
    return f"{value} ({change})" if change and change != "—" else value  # no period before: the value alone


def segment_columns() -> tuple[str, ...]:
    return tuple(_t(k) for k in ("segment", "road", "second", "chief", "score", "grade", "problems"))


def segment_cells(line) -> tuple[str, ...]:  # noqa: ANN001 - a SegmentLine
    score = "—" if line.score is None else f"{line.score:.1f}"
    return (line.name, line.road, line.second_chief or "—", line.segment_chief or "—", score, line.grade or "—",
            str(line.open_problems))


def summary_title(report: StreetReport) -> str:
    return _t("title").format(street=report.street_name)


def _generated(report: StreetReport) -> str:
    return _t("generated").format(time=f"{report.at.astimezone(SHANGHAI):%Y-%m-%d %H:%M}")


def _figure_rows(report: StreetReport) -> list[list[str]]:
    """The header row, then one row per figure: its name and its three periods."""
    rows = [[_t("figure"), *(period_heading(k) for k in PERIODS)]]
    return rows + [[figure_label(f), *(figure_cell(report, k, f) for k in PERIODS)] for f in STREET_FIGURES]


def summary_text(report: StreetReport) -> str:
    """The plain-text summary (clipboard): the figures of three periods, then every segment."""
    lines = [summary_title(report), _generated(report), "", _t("figures")]
    lines += ["\t".join(row) for row in _figure_rows(report)]
    lines += ["", _t("segments"), "\t".join(segment_columns())]
    lines += ["\t".join(segment_cells(line)) for line in report.segments] or [_t("no_segments")]
    return "\n".join(lines) + "\n"


def _html_table(header: list[str] | tuple[str, ...], rows: list) -> str:
    head = "".join(f"<th>{escape(t)}</th>" for t in header)
    body = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table cellspacing='0'><tr>{head}</tr>{body}</table>"


def summary_html(report: StreetReport) -> str:
    """The same summary as a table document (print and PDF)."""
    ink = WORKSTATION.text
    figures = _figure_rows(report)
    segments = _html_table(segment_columns(), [segment_cells(line) for line in report.segments]) \
        if report.segments else f"<p>{escape(_t('no_segments'))}</p>"
    style = (f"table {{ border-collapse: collapse; }} th {{ background: {ink['header']}; color: {ink['ink']}; }} "
             f"td, th {{ border: 1px solid {ink['border']}; padding: 3px 6px; }}")
    return (f"<html><head><style>{style}</style></head><body>"
            f"<h2>{escape(summary_title(report))}</h2>"
            f"<p style='color:{ink['secondary']}'>{escape(_generated(report))}</p>"
            f"<h3>{escape(_t('figures'))}</h3>{_html_table(figures[0], figures[1:])}"
            f"<h3>{escape(_t('segments'))}</h3>{segments}</body></html>")


def summary_document(report: StreetReport) -> QTextDocument:
    doc = QTextDocument()
    families = set(QFontDatabaseFamilies())
    family = next((f for f in CJK_FAMILIES if f in families), None)
    if family:
        doc.setDefaultFont(QFont(family, 10))  # the CJK font the PDF embeds
    doc.setHtml(summary_html(report))
    return doc


def QFontDatabaseFamilies() -> list[str]:  # noqa: N802 - wraps a Qt static
    from PySide6.QtGui import QFontDatabase

    return QFontDatabase.families()


def write_summary_pdf(report: StreetReport, path: Path) -> Path:
    """A4 portrait PDF of the summary (QPrinter's PDF output)."""
    from PySide6.QtPrintSupport import QPrinter

    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(path))
    printer.setPageLayout(QPageLayout(QPageSize(QPageSize.PageSizeId.A4), QPageLayout.Orientation.Portrait,
                                      QMarginsF(15, 15, 15, 15), QPageLayout.Unit.Millimeter))
    doc = summary_document(report)
    doc.setPageSize(QSizeF(printer.pageRect(QPrinter.Unit.Point).size()))
    doc.print_(printer)
    del printer  # the file is complete and closed
    bold = QFont(doc.defaultFont())
    bold.setBold(True)  # the table headers
    fix_to_unicode(path, radical_fixes(doc.toPlainText(), [doc.defaultFont(), bold]))  # 工, not the radical ⼯
    return path


class StreetFigures(QWidget):
    """今日 / 本周 / 本月 of the street, and its road segments."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        self.stamp = QLabel(self.tr("数据读取中…"))
        self.stamp.setObjectName("figures_stamp")
        self.stamp.setStyleSheet(f"color: {WORKSTATION.text['secondary']};")
        layout.addWidget(self.stamp)
        self.figures = QTableWidget(len(STREET_FIGURES), len(PERIODS))
        self.figures.setObjectName("street_figures")
        self.figures.setHorizontalHeaderLabels([period_word(k) for k in PERIODS])
        self.figures.setVerticalHeaderLabels([figure_label(f) for f in STREET_FIGURES])
        self._fit(self.figures)
        layout.addWidget(self.figures)
        self.segments_title = QLabel(self.tr("路段 · 路长 · 本月得分 · 在办问题"))
        self.segments_title.setStyleSheet("font-weight: bold;")
        layout.addWidget(self.segments_title)
        self.segments = QTableWidget(0, len(segment_columns()))
        self.segments.setObjectName("street_segments")
        self.segments.setHorizontalHeaderLabels(list(segment_columns()))
        self.segments.verticalHeader().hide()
        self.segments.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.segments.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.segments.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        layout.addWidget(self.segments, 1)

    @staticmethod
    def _fit(table: QTableWidget) -> None:
        table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        rows = table.verticalHeader().length() + table.horizontalHeader().sizeHint().height() + 4
        table.setFixedHeight(max(rows, 30 * (table.rowCount() + 1)))

    def set_report(self, report: StreetReport) -> None:
        at = report.at.astimezone(SHANGHAI)
        self.stamp.setText(self.tr("{street} · 数据 {time}").format(street=report.street_name, time=f"{at:%H:%M:%S}"))
        for row, figure_id in enumerate(STREET_FIGURES):
            for col, kind in enumerate(PERIODS):
                item = QTableWidgetItem(figure_cell(report, kind, figure_id))
                worse = report.periods[kind].worse(figure_id)
                if worse is not None:  # the arrow says which way; the colour only repeats it
                    item.setForeground(Qt.GlobalColor.red if worse else Qt.GlobalColor.darkGreen)
                item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                self.figures.setItem(row, col, item)
        self.segments.setRowCount(len(report.segments))
        for row, line in enumerate(report.segments):
            for col, text in enumerate(segment_cells(line)):
                self.segments.setItem(row, col, QTableWidgetItem(text))


class StreetSeat(Workstation):
    """街道指挥席: the workstation of one street, 催办 first."""

    sig_figures_shown = Signal(object)
    """The StreetReport now on screen (after a figures read)."""

    def __init__(self, session, *, figures_throttle_ms: int = FIGURES_THROTTLE_MS, **kwargs) -> None:  # noqa: ANN001, ANN003
        self.report: StreetReport | None = None
        self._figures_reading = False
        self._figures_again = False
        super().__init__(session, **kwargs)
        self.setWindowTitle(self.tr("{seat} — 数字城管监督指挥中心 · {db}").format(
            seat=self.header_text(), db=self.db.where))
        self._figures_timer = QTimer(self)
        self._figures_timer.setSingleShot(True)
        self._figures_timer.setInterval(figures_throttle_ms)
        self._figures_timer.timeout.connect(self.refresh_figures)
        self._build_street()
        if self.map is not None:
            self.map.focus_area(self.session.street_code)  # fitted to the street from the first paint
        if self.feed is not None:
            self.feed.sig_changed.connect(lambda _batch: self.figures_due())
        self.controller.sig_command_done.connect(lambda _done: self.figures_due())
        self.refresh_figures()

    def header_text(self) -> str:
        """街道指挥席 · 列东街道: the street by name (its code only if the database has no name for it)."""
        street = self.session.street_name or self.session.street_code or ""
        return self.tr("街道指挥席 · {street}").format(street=street)

    # --- layout -------------------------------------------------------------------------------

    def _build_street(self) -> None:
        bar = QToolBar(self.tr("街道指挥席"), self)
        bar.setObjectName("street_header")
        bar.setMovable(False)
        bar.setStyleSheet(f"#street_header {{ background: {WORKSTATION.text['header']}; border-bottom: 1px solid {WORKSTATION.text['border']}; }}")
        self.header = QLabel(self.header_text())
        self.header.setObjectName("street_title")
        self.header.setStyleSheet(f"font-size: 20px; font-weight: bold; color: {WORKSTATION.text['ink']}; padding: 4px 12px;")
        bar.addWidget(self.header)
        spacer = QWidget()
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        bar.addWidget(spacer)
        self.urge_button = self._header_button(Action.URGE, self.tr("催办"), primary=True)
        self.supervise_button = self._header_button(Action.SUPERVISE, self.tr("督办"))
        bar.addWidget(self.urge_button)
        bar.addWidget(self.supervise_button)
        bar.addSeparator()
        self.copy_button = self._plain_button(bar, self.tr("复制摘要"), "copy_summary", self.copy_summary)
        self.print_button = self._plain_button(bar, self.tr("打印摘要…"), "print_summary", self.print_summary)
        self.pdf_button = self._plain_button(bar, self.tr("存为 PDF…"), "pdf_summary", self.ask_summary_pdf)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, bar)
        self.insertToolBarBreak(bar)
        self.street_panel = StreetFigures()
        self.figures_dock = QDockWidget(self.tr("街道数据"), self)
        self.figures_dock.setObjectName("dock_street_figures")
        self.figures_dock.setWidget(self.street_panel)
        self.figures_dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable
                                      | QDockWidget.DockWidgetFeature.DockWidgetFloatable)
        self.figures_dock.setMinimumWidth(420)  # narrow enough that a long alert line still fits 1920 px
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, self.figures_dock)
        self.resizeDocks([self.figures_dock], [560], Qt.Orientation.Horizontal)
        self._add_report_menu()

    def _header_button(self, action: Action, text: str, *, primary: bool = False) -> QPushButton:
        shortcut = ACTION_SHORTCUTS[action]
        button = QPushButton(f"{text}  {shortcut}")
        button.setObjectName(f"header_{action.value}")
        button.setToolTip(self.tr("{action}（{key}）").format(action=text, key=shortcut))
        colour = WORKSTATION.lights["red"] if primary else WORKSTATION.map_strokes["button"]
        size = 18 if primary else 15
        button.setStyleSheet(f"QPushButton#{button.objectName()} {{ background: {colour}; color: white; font-weight: bold; "
                             f"font-size: {size}px; padding: 6px 22px; border-radius: 4px; }} "
                             f"QPushButton#{button.objectName()}:disabled {{ background: {WORKSTATION.text['disabled']}; }}")
        button.setEnabled(False)
        button.clicked.connect(lambda: self.request_action(action))
        return button

    def _plain_button(self, bar: QToolBar, text: str, name: str, slot) -> QPushButton:  # noqa: ANN001
        button = QPushButton(text)
        button.setObjectName(name)
        button.clicked.connect(slot)
        bar.addWidget(button)
        return button

    def _add_report_menu(self) -> None:
        """The 报表 menu gets the summary's three ways out (the workstation leaves it empty)."""
        menu = next((a.menu() for a in self.menuBar().actions() if a.text() == self.tr("报表")), None)
        if menu is None:
            menu = self.menuBar().addMenu(self.tr("街道摘要"))
        self._action(menu, self.tr("复制街道摘要"), None, self.copy_summary)
        self._action(menu, self.tr("打印街道摘要…"), None, self.print_summary)
        self._action(menu, self.tr("街道摘要存为 PDF…"), None, self.ask_summary_pdf)
        self._action(menu, self.tr("刷新街道数据"), None, self.refresh_figures)

    def _follow_filter(self, queue_filter) -> None:  # noqa: ANN001 - a QueueFilter
        """The map shows the queue's community, else the seat's street (never the whole district)."""
        area = queue_filter.community or queue_filter.street or self.session.street_code
        if self.map is not None and area != self.map.focus:
            self.map.focus_area(area)

    def _open_own_queue(self) -> None:
        """Every open case of the street (全部), red then yellow then green, least time left first."""
        super()._open_own_queue()
        self.queue.set_stage("all")

    # --- the case shown -----------------------------------------------------------------------

    def _detail_loaded(self, answer) -> None:  # noqa: ANN001 - a DetailAnswer
        super()._detail_loaded(answer)
        if answer.case_id != self._current_case:
            return
        allowed = self.actions_for(answer.detail) if answer.detail else []
        self.urge_button.setEnabled(Action.URGE in allowed)
        self.supervise_button.setEnabled(Action.SUPERVISE in allowed)

    # --- figures ------------------------------------------------------------------------------

    def figures_due(self) -> None:
        """A change came: the figures are re-read once the throttle interval has passed (not per change)."""
        if not self._figures_timer.isActive():
            self._figures_timer.start()

    def refresh_figures(self) -> None:
        if self._figures_reading:
            self._figures_again = True  # one read at a time; the next follows this one
            return
        self._figures_reading = True
        street, now = self.session.street_code, self._now()
        self.controller.load_figures("street", lambda db: street_report(db, street, now), self._figures_loaded)

    def _figures_loaded(self, report: StreetReport) -> None:
        self._figures_reading = False
        self.report = report
        self.street_panel.set_report(report)
        self.sig_figures_shown.emit(report)
        if self._figures_again:
            self._figures_again = False
            self.refresh_figures()

    def stop(self) -> None:
        if hasattr(self, "_figures_timer"):
            self._figures_timer.stop()
        super().stop()

    # --- the summary --------------------------------------------------------------------------

    def summary(self) -> str:
        return summary_text(self.report) if self.report is not None else ""

    def copy_summary(self) -> None:
        if self.report is None:
            return
        QGuiApplication.clipboard().setText(self.summary())
        self.statusBar().showMessage(self.tr("街道摘要已复制到剪贴板"), 5000)

    def print_summary(self) -> None:
        """Print preview of the summary (QPrintPreviewDialog); printing goes to the printer chosen there."""
        if self.report is None:
            return
        from PySide6.QtPrintSupport import QPrintPreviewDialog, QPrinter

        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        dialog = QPrintPreviewDialog(printer, self)
        dialog.setObjectName("summary_preview")
        doc = summary_document(self.report)
        dialog.paintRequested.connect(doc.print_)
        dialog.finished.connect(dialog.deleteLater)
        dialog.summary_document = doc  # kept alive with the dialog (and read by tests)
        dialog.open()

    def ask_summary_pdf(self) -> None:
        if self.report is None:
            return
        path, _ = QFileDialog.getSaveFileName(self, self.tr("街道摘要存为 PDF"),
                                              f"{self.report.street_name}-摘要.pdf", self.tr("PDF 文件 (*.pdf)"))
        if path:
            self.save_summary_pdf(Path(path))

    def save_summary_pdf(self, path: Path) -> Path:
        write_summary_pdf(self.report, path)
        self.statusBar().showMessage(self.tr("街道摘要已保存：{path}").format(path=str(path)), 5000)
        return path


__all__ = ["FIGURES_THROTTLE_MS", "StreetFigures", "StreetSeat", "summary_html", "summary_text", "write_summary_pdf"]

"""The leader seat (指挥长席, screens.md): the district at a glance, read-only except 督办 (and 催办).

Headline tiles for today / this week / this month against the period before, rankings of
streets and departments with score and grade, the open overdue cases by department, the
督办 list with its replies, and the month's red and black flags.  Every figure is read by
console.services.leader (through console.services.figures) on the seat controller's worker;
the change feed refreshes the board, throttled, so a burst of changes costs one read.
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Callable, Sequence
from zoneinfo import ZoneInfo

import shiboken6
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, QPointF, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QBrush, QColor, QIcon, QKeySequence, QPainter, QPixmap, QPolygonF
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMainWindow,
    QMessageBox,
    QTableView,
    QTabBar,
    QVBoxLayout,
    QWidget,
)

from console.domain.vocabulary import QT_TRANSLATE_NOOP
from console.domain.workflow import Action
from console.services import figures
from console.services.leader import (
    DEPARTMENT_COLUMNS, PERIODS, STREET_COLUMNS, TILES, LeaderBoard, ScopeCases, load_board, scope_cases,
)
from console.services.seat import STALL_MS, ActionParams, CommandDone, CommandRefused, SeatController
from console.services.session import Session
from console.widgets import labels
from console.widgets.dialogs import PENDING, ActionDialog
from console.widgets.shortcuts import ACTION_SHORTCUTS
from console.widgets.theme import WORKSTATION

SHANGHAI = ZoneInfo("Asia/Shanghai")
REFRESH_MS = 3000  # the feed's changes refresh the board at most this often
SEAT_ACTIONS = (Action.SUPERVISE, Action.URGE)  # the only commands of this seat (read-only otherwise)
PERIOD_SHORTCUTS = ("Ctrl+1", "Ctrl+2", "Ctrl+3")
PERIOD_LABELS = {
    "day": QT_TRANSLATE_NOOP("LeaderSeat", "今日"),
    "week": QT_TRANSLATE_NOOP("LeaderSeat", "本周"),
    "month": QT_TRANSLATE_NOOP("LeaderSeat", "本月"),
}
TILE_LABELS = {
    "reported": QT_TRANSLATE_NOOP("LeaderSeat", "上报"),
    "filed": QT_TRANSLATE_NOOP("LeaderSeat", "立案"),
    "closed": QT_TRANSLATE_NOOP("LeaderSeat", "结案"),
    "on_time_close_rate": QT_TRANSLATE_NOOP("LeaderSeat", "按期结案率"),
    "overdue_open": QT_TRANSLATE_NOOP("LeaderSeat", "超期未结"),
    "supervised": QT_TRANSLATE_NOOP("LeaderSeat", "督办"),
}
FIGURE_HEADERS = {
    "reported": QT_TRANSLATE_NOOP("LeaderSeat", "上报"),
    "on_time_close_rate": QT_TRANSLATE_NOOP("LeaderSeat", "按期结案率"),
    "overdue_open": QT_TRANSLATE_NOOP("LeaderSeat", "超期未结"),
    "close_rate": QT_TRANSLATE_NOOP("LeaderSeat", "结案率"),
    "on_time_dispose_rate": QT_TRANSLATE_NOOP("LeaderSeat", "按时处置率"),
    "rework_rate": QT_TRANSLATE_NOOP("LeaderSeat", "返工率"),
    "supervise_reply_on_time_rate": QT_TRANSLATE_NOOP("LeaderSeat", "督办按时回复率"),
}
SEQUENCE_LABELS = {
    "street": QT_TRANSLATE_NOOP("LeaderSeat", "街道"),
    "second": QT_TRANSLATE_NOOP("LeaderSeat", "二级路长"),
    "unit": QT_TRANSLATE_NOOP("LeaderSeat", "责任单位"),
}


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


def _tr(text: str) -> str:
    from PySide6.QtCore import QCoreApplication

    return QCoreApplication.translate("LeaderSeat", text)


def _local(at: datetime | None, fmt: str = "%m-%d %H:%M") -> str:
    return at.astimezone(SHANGHAI).strftime(fmt) if at else "—"


def work_time_text(minutes: float | None) -> str:
    """Remaining work time as the hall says it: 剩余 3工作时20分 / 超时 1工作时5分 ("—" once replied)."""
    if minutes is None:
        return "—"
    from PySide6.QtCore import QCoreApplication

    hours, rest = divmod(int(round(abs(minutes))), 60)
    amount = (QCoreApplication.translate("LeaderSeat", "{h}工作时{m}分").format(h=hours, m=rest) if hours
              else QCoreApplication.translate("LeaderSeat", "{m}工作分").format(m=rest))
    if minutes >= 0:
        return QCoreApplication.translate("LeaderSeat", "剩余 {t}").format(t=amount)
    return QCoreApplication.translate("LeaderSeat", "超时 {t}").format(t=amount)


def flag_icon(flag: str | None, size: int = 16) -> QIcon:
    """A small flag on its pole, red or black: always shown with its word (红旗/黑旗), never alone."""
    if flag not in ("red", "black"):
        return QIcon()
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    ink = QColor(WORKSTATION.text["ink"])
    painter.setPen(ink)
    painter.drawLine(3, 1, 3, size - 1)  # the pole
    painter.setBrush(QColor(WORKSTATION.lights["red"] if flag == "red" else WORKSTATION.text["ink"]))
    painter.drawPolygon(QPolygonF([QPointF(4, 2), QPointF(size - 1, 5), QPointF(4, 9)]))
    painter.end()
    return QIcon(pixmap)


def light_icon(light, size: int = 12) -> QIcon:  # noqa: ANN001 - a Light or None
    """The light's dot, shown beside its word (绿灯/黄灯/红灯), never alone."""
    if light is None:
        return QIcon()
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(WORKSTATION.light(light)))
    painter.drawEllipse(1, 1, size - 2, size - 2)
    painter.end()
    return QIcon(pixmap)


class RowsModel(QAbstractTableModel):
    """A light read-only table: one column per (header, text of a row); the row itself under UserRole."""

    def __init__(self, columns: Sequence[tuple[str, Callable[[Any], str]]], *,
                 icon: Callable[[Any, int], QIcon | None] | None = None,
                 ink: Callable[[Any, int], str | None] | None = None, parent=None) -> None:  # noqa: ANN001
        super().__init__(parent)
        self.columns = list(columns)
        self.rows: list[Any] = []
        self._icon, self._ink = icon, ink

    def set_rows(self, rows: Sequence[Any]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802, B008 - Qt override
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802, B008 - Qt override
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section: int, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: ANN001, N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.columns[section][0]
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role=Qt.ItemDataRole.DisplayRole):  # noqa: ANN001
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self.columns[index.column()][1](row)
        if role == Qt.ItemDataRole.UserRole:
            return row
        if role == Qt.ItemDataRole.DecorationRole and self._icon is not None:
            return self._icon(row, index.column())
        if role == Qt.ItemDataRole.ForegroundRole and self._ink is not None:
            ink = self._ink(row, index.column())
            return QBrush(QColor(ink)) if ink else None
        return None

    def text(self, row: int, column: int) -> str:
        return self.columns[column][1](self.rows[row])


def _table(model: QAbstractTableModel, name: str, stretch: int | None = None) -> QTableView:
    view = QTableView()
    view.setObjectName(name)
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setTabKeyNavigation(False)  # Tab moves between the panels; arrows move within
    view.verticalHeader().hide()
    view.setAlternatingRowColors(True)
    header = view.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    if stretch is not None:
        header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)  # the name takes the room left
    else:
        header.setStretchLastSection(True)
    return view


def _refill(view: QTableView, rows: Sequence[Any], key: Callable[[Any], Any]) -> None:
    """New rows in a view's RowsModel, the keyboard's row kept (by key) across the reset, else the first."""
    model: RowsModel = view.model()
    index = view.currentIndex()
    was = key(model.rows[index.row()]) if index.isValid() and index.row() < len(model.rows) else None
    column = max(index.column(), 0)
    model.set_rows(rows)
    keys = [key(r) for r in model.rows]
    if model.rows:
        row = keys.index(was) if was in keys else 0
        view.setCurrentIndex(model.index(row, column))


def _box(title: str, *widgets: QWidget) -> QGroupBox:
    box = QGroupBox(title)
    layout = QVBoxLayout(box)
    layout.setContentsMargins(6, 6, 6, 6)
    for widget in widgets:
        layout.addWidget(widget)
    return box


class Tile(QFrame):
    """One headline figure: its name, its value and the change against the period before (↑/↓)."""

    def __init__(self, figure_id: str, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.figure_id = figure_id
        self.setObjectName(f"tile_{figure_id}")
        self.title, self.value, self.change = QLabel(title), QLabel("—"), QLabel("—")
        self.value.setObjectName("value")
        self.change.setObjectName("change")
        layout = QVBoxLayout(self)
        for label in (self.title, self.value, self.change):
            layout.addWidget(label)
        self.worse: bool | None = None
        self._style(None)

    def show_figure(self, comparison: figures.Comparison) -> None:
        self.value.setText(comparison.current.text(self.figure_id))
        self.change.setText(self.tr("较上期 {change}").format(change=comparison.change_text(self.figure_id)))
        self.worse = comparison.worse(self.figure_id)
        self._style(self.worse)

    def _style(self, worse: bool | None) -> None:
        t = WORKSTATION
        edge = t.lights["red"] if worse else t.text["border"]
        change_ink = t.text["error"] if worse else (t.text["ok"] if worse is False else t.text["secondary"])
        self.setStyleSheet(
            f"#{self.objectName()} {{ border: 2px solid {edge}; border-radius: 4px; background: {t.text['background']}; }}"
            f" QLabel {{ border: none; color: {t.text['secondary']}; font-size: {t.large_size}px; }}"
            f" QLabel#value {{ color: {t.text['ink']}; font-size: 34px; font-weight: bold; }}"
            f" QLabel#change {{ color: {change_ink}; font-size: {t.font_size}px; }}")


class OverdueChart(QWidget):
    """超期 by 部门: a horizontal pyqtgraph bar per department (most on top), theme colours."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        import pyqtgraph as pg

        self._pg = pg
        self.plot = pg.PlotWidget(background=WORKSTATION.text["background"])
        self.plot.setObjectName("overdue_chart")
        self.plot.setMenuEnabled(False)
        self.plot.setMouseEnabled(x=False, y=False)
        self.plot.hideButtons()
        for axis in ("left", "bottom"):
            self.plot.getAxis(axis).setPen(WORKSTATION.text["border"])
            self.plot.getAxis(axis).setTextPen(WORKSTATION.text["body"])
        self.plot.setLabel("bottom", self.tr("超期未结案件数"))
        self.bars = None
        self.pairs: tuple[tuple[str, int], ...] = ()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.plot)

    def set_pairs(self, pairs: tuple[tuple[str, int], ...]) -> None:
        self.pairs = tuple(pairs)
        if self.bars is not None:
            self.plot.removeItem(self.bars)
            self.bars = None
        shown = list(reversed(self.pairs[:12]))  # the most overdue on top
        if shown:
            self.bars = self._pg.BarGraphItem(x0=0, y=list(range(len(shown))), height=0.6,
                                              width=[n for _name, n in shown],
                                              brush=WORKSTATION.lights["red"], pen=WORKSTATION.text["late"])
            self.plot.addItem(self.bars)
        self.plot.getAxis("left").setTicks([[(i, f"{name} {n}") for i, (name, n) in enumerate(shown)]])
        self.plot.setYRange(-0.6, max(len(shown), 1) - 0.4, padding=0)
        most = max([n for _name, n in shown] or [1])
        self.plot.setXRange(0, most * 1.1, padding=0)
        self.plot.getAxis("bottom").setTickSpacing(major=max(1, -(-most // 5)), minor=1)  # whole cases only


class SuperviseDialog(ActionDialog):
    """督办: a written reason and a reply deadline in work time (the ActionDialog's own 督办 fields)."""

    def __init__(self, case_number: str, parent: QWidget | None = None) -> None:
        super().__init__(Action.SUPERVISE, case_number=case_number, parent=parent)
        self.reply, self.other = self.reply_within, self.reply_other

    def first_field(self) -> QWidget:
        return self.note  # the reason first: the deadline's default is the rules' own


class ScopeCasesDialog(QDialog):
    """The open cases of one street or department (a ranking row opened); 督办 is Ctrl+Shift+S from here."""

    sig_act = Signal(object, object)
    """(Action, CaseRow): the leader asks for 督办 or 催办 on the selected case."""

    def __init__(self, cases: ScopeCases, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(f"scope_cases_{cases.scope}_{cases.code}")
        kind = self.tr("街道") if cases.scope == "street" else self.tr("部门")
        self.setWindowTitle(self.tr("{kind} {name} · 未结案件 {n} 件").format(kind=kind, name=cases.name,
                                                                             n=len(cases.rows)))
        self.resize(1100, 600)
        self.cases, self.light_of = cases, dict(zip((r.id for r in cases.rows), cases.lights))
        self.model = RowsModel([
            (self.tr("灯"), lambda r: labels.light_name(self.light_of[r.id]) if self.light_of.get(r.id) else "—"),
            (self.tr("案件编号"), lambda r: r.number),
            (self.tr("类别"), lambda r: r.category_name or ""),
            (self.tr("状态"), lambda r: labels.state_label(r.state)),
            (self.tr("当前环节"), lambda r: labels.step_label(r.step) if r.step else "—"),
            (self.tr("时限至"), lambda r: _local(r.due_at)),
            (self.tr("街道"), lambda r: r.street_name or ""),
            (self.tr("处置部门"), lambda r: r.department_name or "—"),
            (self.tr("地址"), lambda r: r.address),
        ], icon=lambda r, col: light_icon(self.light_of.get(r.id)) if col == 0 else None,
            ink=lambda r, col: WORKSTATION.ink(self.light_of[r.id]) if col == 0 and self.light_of.get(r.id) else None,
            parent=self)
        self.model.set_rows(cases.rows)
        self.table = _table(self.model, "scope_cases")
        hint = QLabel(self.tr("督办 {s}　催办 {u}　关闭 Esc").format(s=ACTION_SHORTCUTS[Action.SUPERVISE],
                                                               u=ACTION_SHORTCUTS[Action.URGE]))
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(hint)
        for action in SEAT_ACTIONS:
            self._add_action(action)
        if cases.rows:
            self.table.selectRow(0)
        self.table.setFocus()

    def show_cases(self, cases: ScopeCases) -> None:
        """The scope's cases read again (after a 督办: the case's new version), the keyboard's row kept."""
        self.cases, self.light_of = cases, dict(zip((r.id for r in cases.rows), cases.lights))
        _refill(self.table, cases.rows, lambda r: r.id)

    def _add_action(self, action: Action) -> None:
        command = QAction(labels.action_label(action), self)
        command.setObjectName(f"act_{action.value}")
        command.setShortcut(QKeySequence(ACTION_SHORTCUTS[action]))
        command.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        command.triggered.connect(lambda _checked=False, a=action: self._ask(a))
        self.addAction(command)

    def selected(self):  # noqa: ANN201 - a CaseRow or None
        index = self.table.currentIndex()
        return self.model.rows[index.row()] if index.isValid() else None

    def _ask(self, action: Action) -> None:
        row = self.selected()
        if row is not None:
            self.sig_act.emit(action, row)


class LeaderSeat(QMainWindow):
    """指挥长席: figures, rankings, overdue, 督办 and flags of the whole district; 督办 on any case."""

    sig_board_shown = Signal(object)
    """The LeaderBoard now on screen (after a refresh)."""
    sig_scope_opened = Signal(object)
    """The ScopeCasesDialog opened for a ranking row."""
    sig_sign_out = Signal()
    """注销: the leader signs out (console.app shows the sign-in again)."""

    def __init__(self, session: Session, *, feed=None, clock: Callable[[], datetime] = _utcnow,  # noqa: ANN001
                 refresh_ms: int = REFRESH_MS, stall_ms: int = STALL_MS, threaded: bool = True) -> None:
        super().__init__()
        self.session, self.db, self.feed = session, session.db, feed
        self._now = clock
        self.controller = SeatController(session, feed=feed, stall_ms=stall_ms, threaded=threaded, parent=self)
        self.kind = "day"
        self.board: LeaderBoard | None = None
        self._reading = False
        self._again = False  # a refresh asked for while one was in flight
        self._submits: dict[int, tuple[ActionDialog, Action]] = {}
        self.scope_dialog: ScopeCasesDialog | None = None
        self._throttle = QTimer(self, singleShot=True, interval=refresh_ms)
        self._throttle.timeout.connect(self.refresh)
        self.setWindowTitle(self.tr("数字城管监督指挥中心 · 指挥长席 · {db}").format(db=self.db.where))
        self.resize(1920, 1080)
        self._build()
        self._build_menus()
        self._connect()
        self.streets.setFocus()  # the keyboard starts on the street ranking: Enter opens its cases
        self.refresh()

    # --- layout -----------------------------------------------------------------------------

    def _build(self) -> None:
        central = QWidget()
        central.setObjectName("leader_seat")
        central.setStyleSheet(f"#leader_seat {{ background: {WORKSTATION.map_strokes['background']}; }}"
                              f" QGroupBox {{ font-size: {WORKSTATION.large_size}px; font-weight: bold; }}")
        layout = QVBoxLayout(central)
        layout.addLayout(self._header())
        self.stale_banner = QLabel(self.tr("数据库无响应：显示的数字可能已过时"))
        self.stale_banner.setObjectName("stale_banner")
        self.stale_banner.setStyleSheet(f"background: {WORKSTATION.notes['stale_bg']}; color: "
                                        f"{WORKSTATION.notes['stale_ink']}; font-weight: bold; padding: 6px 10px;")
        self.stale_banner.hide()
        layout.addWidget(self.stale_banner)
        tiles = QHBoxLayout()
        self.tiles = {fid: Tile(fid, _tr(TILE_LABELS[fid])) for fid in TILES}
        for tile in self.tiles.values():
            tiles.addWidget(tile)
        layout.addLayout(tiles)
        grid = QGridLayout()
        grid.addWidget(self._street_box(), 0, 0, 1, 3)
        grid.addWidget(self._department_box(), 0, 3, 1, 3)
        self.chart = OverdueChart()
        grid.addWidget(_box(self.tr("超期未结 · 按部门"), self.chart), 1, 0, 1, 2)
        grid.addWidget(self._supervision_box(), 1, 2, 1, 2)
        grid.addWidget(self._flags_box(), 1, 4, 1, 2)
        grid.setRowStretch(0, 5)
        grid.setRowStretch(1, 4)
        layout.addLayout(grid, 1)
        self.setCentralWidget(central)
        self.setTabOrder(self.periods, self.streets)
        self.setTabOrder(self.streets, self.departments)
        self.setTabOrder(self.departments, self.supervision)
        self.setTabOrder(self.supervision, self.flags)

    def _header(self) -> QHBoxLayout:
        row = QHBoxLayout()
        title = QLabel(self.tr("指挥长席"))
        title.setStyleSheet(f"font-size: 22px; font-weight: bold; color: {WORKSTATION.text['ink']};")
        self.periods = QTabBar()
        self.periods.setObjectName("periods")
        for kind, shortcut in zip(PERIODS, PERIOD_SHORTCUTS):
            self.periods.addTab(self.tr("{period}（{key}）").format(period=_tr(PERIOD_LABELS[kind]), key=shortcut))
        self.period_text = QLabel()
        self.data_time = QLabel(self.tr("数据 —"))
        self.data_time.setObjectName("data_time")
        for label in (self.period_text, self.data_time):
            label.setStyleSheet(f"color: {WORKSTATION.text['secondary']}; font-size: {WORKSTATION.large_size}px;")
        row.addWidget(title)
        row.addSpacing(16)
        row.addWidget(self.periods)
        row.addWidget(self.period_text)
        row.addStretch(1)
        row.addWidget(self.data_time)
        return row

    def _street_box(self) -> QGroupBox:
        self.street_model = RowsModel([
            (self.tr("名次"), lambda r: "—" if r.rank is None else str(r.rank)),
            (self.tr("街道"), lambda r: r.name),
            (self.tr("得分"), lambda r: r.score_text),
            (self.tr("等级"), lambda r: r.grade or "—"),
            (self.tr("本月路长旗"), lambda r: labels.flag_label(r.flag) if r.flag else ""),  # 路长制, not this ranking
            *((_tr(FIGURE_HEADERS[f]), lambda r, f=f: r.text(f)) for f in STREET_COLUMNS),
        ], icon=lambda r, col: flag_icon(r.flag) if col == 4 else None, parent=self)
        self.streets = _table(self.street_model, "street_ranking", stretch=1)
        return _box(self.tr("街道排名（得分 · 等级 · 本月路长旗）　Enter 查看案件"), self.streets)

    def _department_box(self) -> QGroupBox:
        self.department_model = RowsModel([
            (self.tr("名次"), lambda r: "—" if r.rank is None else str(r.rank)),
            (self.tr("部门"), lambda r: r.name),
            (self.tr("得分"), lambda r: r.score_text),
            (self.tr("等级"), lambda r: r.grade or "—"),
            *((_tr(FIGURE_HEADERS[f]), lambda r, f=f: r.text(f)) for f in DEPARTMENT_COLUMNS),
        ], parent=self)
        self.departments = _table(self.department_model, "department_ranking", stretch=1)
        return _box(self.tr("部门排名（结案率 · 按时处置率 · 返工率 · 督办按时回复率 · 等级）"), self.departments)

    def _supervision_box(self) -> QGroupBox:
        t = WORKSTATION.text
        inks = {"waiting": None, "on_time": t["ok"], "late": t["late"], "missing": t["error"]}
        self.supervision_model = RowsModel([
            (self.tr("案件"), lambda s: s.case_number),
            (self.tr("部门"), lambda s: s.department or "—"),
            (self.tr("回复时限"), lambda s: _local(s.due_at)),
            (self.tr("回复"), lambda s: labels.supervision_status_label(s.status)),
            (self.tr("剩余工作时间"), lambda s: work_time_text(s.remaining_minutes)),
            (self.tr("督办理由"), lambda s: s.reason),
        ], ink=lambda s, col: inks[s.status] if col in (3, 4) else None, parent=self)
        self.supervision = _table(self.supervision_model, "supervision_list")
        return _box(self.tr("督办（回复状态 · 剩余工作时间）"), self.supervision)

    def _flags_box(self) -> QGroupBox:
        self.flags_model = RowsModel([
            (self.tr("旗"), lambda f: labels.flag_label(f.flag)),
            (self.tr("序列"), lambda f: _tr(SEQUENCE_LABELS.get(f.sequence, f.sequence))),
            (self.tr("名称"), lambda f: f.name),
            (self.tr("得分"), lambda f: "—" if f.score is None else f"{f.score:.1f}"),
        ], icon=lambda f, col: flag_icon(f.flag) if col == 0 else None, parent=self)
        self.flags = _table(self.flags_model, "month_flags", stretch=2)
        self.warnings = QLabel()
        self.warnings.setObjectName("warnings")
        self.warnings.setWordWrap(True)
        self.warnings.setStyleSheet(f"color: {WORKSTATION.text['late']};")
        self.flags_title = _box(self.tr("本月红黑旗 · 问责预警"), self.flags, self.warnings)
        return self.flags_title

    def _build_menus(self) -> None:
        system = self.menuBar().addMenu(self.tr("系统"))
        self._menu_action(system, self.tr("注销"), "Ctrl+Shift+Q", self.sign_out)
        self._menu_action(system, self.tr("退出"), "Ctrl+Q", self.close)
        view = self.menuBar().addMenu(self.tr("视图"))
        for index, (kind, shortcut) in enumerate(zip(PERIODS, PERIOD_SHORTCUTS)):
            self._menu_action(view, _tr(PERIOD_LABELS[kind]), shortcut, lambda i=index: self.periods.setCurrentIndex(i))
        self._menu_action(view, self.tr("刷新"), "F5", self.refresh)

    def _menu_action(self, menu, text: str, shortcut: str, slot) -> QAction:  # noqa: ANN001
        action = QAction(text, self)
        action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(lambda _checked=False: slot())
        menu.addAction(action)
        self.addAction(action)  # shortcuts work with the menu bar hidden too
        return action

    def _connect(self) -> None:
        self.periods.currentChanged.connect(lambda index: self.show_period(PERIODS[index]))
        self.streets.activated.connect(lambda index: self.open_scope(self.street_model.rows[index.row()]))
        self.departments.activated.connect(lambda index: self.open_scope(self.department_model.rows[index.row()]))
        self.streets.clicked.connect(lambda index: self.open_scope(self.street_model.rows[index.row()]))
        self.departments.clicked.connect(lambda index: self.open_scope(self.department_model.rows[index.row()]))
        seat = self.controller
        seat.sig_command_done.connect(self._command_done)
        seat.sig_command_refused.connect(self._command_refused)
        seat.sig_stalled.connect(self.stale_banner.setVisible)
        seat.sig_read_failed.connect(lambda message: self.statusBar().showMessage(
            self.tr("读取失败：{message}").format(message=message), 8000))
        if self.feed is not None:
            self.feed.sig_changed.connect(lambda _batch: self.changed())
            self.feed.sig_resync.connect(lambda _rev: self.changed())

    # --- lifecycle --------------------------------------------------------------------------

    def start(self) -> None:
        self.controller.start()

    def stop(self) -> None:
        self._throttle.stop()
        self.controller.stop()

    def closeEvent(self, event) -> None:  # noqa: ANN001, N802 - Qt override
        self.stop()
        if self.scope_dialog is not None and shiboken6.isValid(self.scope_dialog):
            self.scope_dialog.close()
        super().closeEvent(event)

    def sign_out(self) -> None:
        self.sig_sign_out.emit()
        self.close()

    # --- figures ----------------------------------------------------------------------------

    def show_period(self, kind: str) -> None:
        """今日 / 本周 / 本月: the board of that period (read on the worker)."""
        if kind != self.kind:
            self.kind = kind
            if self.periods.currentIndex() != PERIODS.index(kind):
                self.periods.setCurrentIndex(PERIODS.index(kind))
            self.refresh()

    def changed(self) -> None:
        """The feed saw changes: one refresh within refresh_ms, however many come meanwhile."""
        if not self._throttle.isActive():
            self._throttle.start()

    def refresh(self) -> None:
        if self._reading:
            self._again = True
            return
        self._reading, kind, now = True, self.kind, self._now()
        self.controller.load_figures("leader_board", lambda db: load_board(db, kind, now), self._board_loaded)

    def _board_loaded(self, board: LeaderBoard) -> None:
        self._reading = False
        if self._again or board.kind != self.kind:
            self._again = False
            self.refresh()
            if board.kind != self.kind:
                return
        self.board = board
        for tile in self.tiles.values():
            tile.show_figure(board.comparison)
        current, previous = board.comparison.current.window, board.comparison.previous.window
        self.period_text.setText(self.tr("{current}　对比 {previous}").format(current=current.period,
                                                                             previous=previous.period))
        _refill(self.streets, board.streets, lambda r: r.code)  # a refresh keeps the leader's place
        _refill(self.departments, board.departments, lambda r: r.code)
        self.chart.set_pairs(board.overdue)
        _refill(self.supervision, board.supervisions, lambda r: r.id)
        self._show_flags(board.flags)
        self.data_time.setText(self.tr("数据 {time}").format(time=_local(board.at, "%H:%M:%S")))
        self.sig_board_shown.emit(board)

    def _show_flags(self, flags: figures.Flags) -> None:
        _refill(self.flags, sorted(flags.flags, key=lambda f: (f.flag != "red", f.sequence, f.rank or 0)),
                lambda f: (f.sequence, f.code))
        self.flags_title.setTitle(self.tr("{month} 红黑旗 · 问责预警").format(month=flags.month))
        lines = [self.tr("问责预警：{name}（{sequence}）{reason}").format(
            name=w.get("name", ""), sequence=_tr(SEQUENCE_LABELS.get(w.get("sequence", ""), w.get("sequence", ""))),
            reason=w.get("reason", "")) for w in flags.warnings]
        self.warnings.setText("\n".join(lines) or self.tr("本月无问责预警"))

    # --- a ranking row's cases ----------------------------------------------------------------

    def open_scope(self, row: figures.RankingRow) -> None:
        """The open cases of the street or department of `row` (read on the worker, then a dialog)."""
        scope, code, name = row.scope, row.code, row.name
        if (self.scope_dialog is not None and shiboken6.isValid(self.scope_dialog) and self.scope_dialog.isVisible()
                and (self.scope_dialog.cases.scope, self.scope_dialog.cases.code) == (scope, code)):
            self.scope_dialog.raise_()
            return
        now = self._now()
        self.controller.load_figures("scope_cases", lambda db: scope_cases(db, scope, code, name, now=now),
                                     self._scope_loaded)

    def _scope_loaded(self, cases: ScopeCases) -> None:
        if self.scope_dialog is not None and shiboken6.isValid(self.scope_dialog):
            self.scope_dialog.close()
        dialog = ScopeCasesDialog(cases, parent=self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.sig_act.connect(self.ask)
        self.scope_dialog = dialog
        dialog.show()
        dialog.activateWindow()  # its shortcuts (督办 Ctrl+Shift+S) work at once
        self.sig_scope_opened.emit(dialog)

    def _reload_scope(self) -> None:
        dialog = self.scope_dialog
        if dialog is not None and shiboken6.isValid(dialog) and dialog.isVisible():
            c, now = dialog.cases, self._now()
            self.controller.load_figures("scope_cases", lambda db: scope_cases(db, c.scope, c.code, c.name, now=now),
                                         lambda cases: dialog.show_cases(cases) if shiboken6.isValid(dialog) else None)

    # --- 督办 / 催办 ---------------------------------------------------------------------------

    def ask(self, action: Action, row) -> ActionDialog | None:  # noqa: ANN001 - a CaseRow
        """The form of 督办 (reason + reply deadline) or 催办 (reason) for a case; no other action here."""
        if action not in SEAT_ACTIONS:
            return None
        parent = self.scope_dialog if self.scope_dialog is not None and shiboken6.isValid(self.scope_dialog) else self
        dialog = (SuperviseDialog(row.number, parent=parent) if action == Action.SUPERVISE
                  else ActionDialog(action, case_number=row.number, parent=parent))
        dialog.setObjectName(f"dialog_{action.value}")
        dialog.submit = lambda: self._submit(dialog, action, row)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        return dialog

    def _submit(self, dialog: ActionDialog, action: Action, row) -> object:  # noqa: ANN001
        reason = dialog.value().reason
        if not reason:
            raise ValueError(self.tr("请填写{action}理由 (a reason is required)").format(
                action=labels.action_label(action)))
        within = dialog.value().reply_within
        request = self.controller.reserve()
        self._submits[request] = (dialog, action)  # before sending: a synchronous seat answers at once
        self.controller.act(row.number, action, version=row.version, note=reason,
                            params=ActionParams(reason=reason, reply_within=within), at=self._now(), request=request)
        return PENDING

    def _command_done(self, done: CommandDone) -> None:
        dialog, action = self._submits.pop(done.request, (None, None))
        if action is not None:
            self.statusBar().showMessage(self.tr("{action}：案件 {number} 已完成").format(
                action=labels.action_label(action), number=done.number), 5000)
        if dialog is not None and shiboken6.isValid(dialog):
            dialog.submit_answered(None)
        self.refresh()  # the 督办 list and tile now; the feed would too, later
        self._reload_scope()  # the case's new version for the next 督办

    def _command_refused(self, refused: CommandRefused) -> None:
        dialog, _action = self._submits.pop(refused.request, (None, None))
        if dialog is not None and shiboken6.isValid(dialog):
            dialog.submit_answered(refused.message)
        elif dialog is None:
            QMessageBox.warning(self, self.tr("无法确认"), refused.message)
        if refused.stale:
            self._reload_scope()


__all__ = ["LeaderSeat", "OverdueChart", "RowsModel", "ScopeCasesDialog", "SuperviseDialog", "Tile", "flag_icon",
           "work_time_text", "REFRESH_MS", "SEAT_ACTIONS"]

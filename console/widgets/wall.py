"""The wall (大屏, screens.md "Wall"): read from 10 m, unattended for weeks, read-only.

The live map is the centrepiece and rotates through a playlist (the district, each street, the
camera wall); KPI tiles for today against yesterday above it; four pyqtgraph charts on the right;
a ticker of overdue cases below; clock and data freshness in the header.  Everything it shows comes
from one throttled read on the seat's worker (console.services.wall.read_board): a storm of changes
costs one read every few seconds, never one per change.  There is nothing to click: the wall account
can do nothing, and any key or mouse movement only pauses the rotation (已暂停).

Type sizes come from the WALL theme at 2160 px high and scale with the window's height.
"""
from __future__ import annotations

import json
import time
from html import escape
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Callable, Iterable, Sequence
from zoneinfo import ZoneInfo

import pyqtgraph as pg
import shiboken6
from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QFont, QGuiApplication
from PySide6.QtWidgets import (
    QApplication, QFrame, QGridLayout, QHBoxLayout, QLabel, QSizePolicy, QStackedWidget, QVBoxLayout, QWidget,
)

from console.domain.clocks import Light
from console.services import settings
from console.services.figures import label as figure_label
from console.services.read_models import CameraPoint, MapLayers
from console.services.seat import STALL_MS, SeatController
from console.services.session import Session
from console.services.settings import SeatSettings
from console.services.wall import (
    PERIODIC_MS, THROTTLE_MS, WALL_KPIS, ScreenSaverInhibitor, ThrottledRead, WallBoard, read_board,
)
from console.widgets import labels
from console.widgets.theme import WALL, dot_html

SHANGHAI = ZoneInfo("Asia/Shanghai")
RECYCLE_MS = 6 * 3600 * 1000  # a fresh map page every 6 h: QtWebEngine's memory does not stay flat for weeks
LAYERS_RETRY_S = 10.0  # the map's layers asked again this long after a failed first read
TICKER_STEP_MS = 4000  # the ticker moves on by one case this often
CHART_ROWS = 8  # departments / streets in the bottom charts (10 in the top-categories chart)
_USER_EVENTS = frozenset({QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.MouseMove,
                          QEvent.Type.Wheel, QEvent.Type.TouchBegin})


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


@dataclass(frozen=True)
class WallView:
    """One item of the rotation: the map focused on an area (None: the district), or a widget of its own."""

    key: str
    title: str
    focus: str | None = None
    factory: Callable[[], QWidget] | None = None  # None: the live map


class Rotation(QObject):
    """The playlist: each view for `dwell_ms`; any user input pauses it for `idle_ms` (then it goes on)."""

    sig_show = Signal(int)
    """Show the playlist's view at this index."""
    sig_paused = Signal(bool)

    def __init__(self, views: Sequence[WallView], *, dwell_ms: int, idle_ms: int, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.views = list(views)
        self.index = 0
        self.paused = False
        self._dwell = QTimer(self, singleShot=True, interval=dwell_ms)
        self._dwell.timeout.connect(self.next)
        self._idle = QTimer(self, singleShot=True, interval=idle_ms)
        self._idle.timeout.connect(self.resume)

    def start(self) -> None:
        self.sig_show.emit(self.index)
        self._dwell.start()

    def stop(self) -> None:
        self._dwell.stop()
        self._idle.stop()

    def next(self) -> None:
        if self.paused or not self.views:
            return
        self.index = (self.index + 1) % len(self.views)
        self.sig_show.emit(self.index)
        self._dwell.start()

    def pause(self) -> None:
        """User input: stay on this view (the map keeps its view) until `idle_ms` pass without input."""
        self._idle.start()  # every input pushes the resume back
        if not self.paused:
            self.paused = True
            self._dwell.stop()
            self.sig_paused.emit(True)

    def resume(self) -> None:
        if self.paused:
            self.paused = False
            self.sig_paused.emit(False)
            self.next()

    def resume_in_s(self) -> int:
        return max(0, round(self._idle.remainingTime() / 1000)) if self.paused else 0


class CameraStatusView(QFrame):
    """The camera wall's slot until the video engineer's widget lands: counts by status and the cameras' list."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("camera_status")
        self.counts = {status: QLabel() for status in ("online", "offline", "fault")}
        self.names = QLabel()
        self.names.setWordWrap(True)
        self.names.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.names.setTextFormat(Qt.TextFormat.RichText)
        self.title = QLabel(self.tr("视频监控点位状态"))
        row = QHBoxLayout()
        for status, widget in self.counts.items():
            widget.setStyleSheet(f"color: {WALL.cameras[status]};")
            row.addWidget(widget)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addLayout(row)
        layout.addWidget(self.names, 1)

    def set_cameras(self, cameras: Iterable[CameraPoint]) -> None:
        cameras = list(cameras)
        for status, widget in self.counts.items():
            n = sum(1 for c in cameras if c.status == status)
            widget.setText(f"{labels.camera_status_label(status)} {n}")
        shown = sorted(cameras, key=lambda c: ({"fault": 0, "offline": 1}.get(c.status, 2), c.name))[:24]
        self.names.setText("<br>".join(
            f"{dot_html(WALL.cameras.get(c.status, WALL.text['muted']))} {escape(c.name)} · "
            f"{labels.camera_status_label(c.status)}" for c in shown))

    def apply_sizes(self, font: Callable[[str], QFont]) -> None:
        self.title.setFont(font("panel_title"))
        for widget in self.counts.values():
            widget.setFont(font("camera_count"))
        self.names.setFont(font("camera"))


class KpiTile(QFrame):
    """One headline figure: its name, today's value, the change against yesterday (red when worse)."""

    def __init__(self, figure_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.figure_id = figure_id
        self.setObjectName("kpi")
        self.name = QLabel(figure_label(figure_id))  # the names of evaluation.md, as every seat shows them
        self.value = QLabel("—")
        self.value.setObjectName("kpi_value")
        self.change = QLabel("")
        layout = QVBoxLayout(self)
        layout.setSpacing(0)
        layout.addWidget(self.name)
        layout.addWidget(self.value)
        layout.addWidget(self.change)

    def show_figure(self, value: str, change: str, worse: bool | None) -> None:
        self.value.setText(value)
        ink = WALL.text["secondary"] if worse is None else WALL.ink(Light.RED if worse else Light.GREEN)
        self.change.setText(self.tr("较昨日 {change}").format(change=change))
        self.change.setStyleSheet(f"color: {ink};")


class BarChart(pg.PlotWidget):
    """A bar chart that reuses its items on every update (no churn over weeks); no mouse, no menu."""

    def __init__(self, *, horizontal: bool, colour: str, parent: QWidget | None = None) -> None:
        super().__init__(parent, background=WALL.panel)
        self.horizontal = horizontal
        item = self.getPlotItem()
        item.setMouseEnabled(False, False)
        item.setMenuEnabled(False)
        item.hideButtons()
        self.bars = pg.BarGraphItem(x=[], height=[], width=0.7, brush=colour, pen=pg.mkPen(None))
        self.addItem(self.bars)
        self.line = pg.PlotDataItem(pen=pg.mkPen(WALL.text["ink"], width=3, style=Qt.PenStyle.DashLine))
        self.addItem(self.line)
        self.values: list[pg.TextItem] = []  # the bars' numbers
        if horizontal:
            item.invertY(True)
            item.hideAxis("bottom")
        for name in ("left", "bottom"):
            axis = item.getAxis(name)
            axis.setPen(pg.mkPen(WALL.text["border"]))
            axis.setTextPen(pg.mkPen(WALL.text["body"]))
        self._font = QFont()

    def set_bars(self, names: Sequence[str], values: Sequence[float], *, line: Sequence[float] | None = None,
                 texts: Sequence[str] | None = None, every: int = 1) -> None:
        positions = list(range(len(values)))
        axis = self.getPlotItem().getAxis("left" if self.horizontal else "bottom")
        axis.setTicks([[(i, n) for i, n in zip(positions, names) if i % every == 0]])
        if self.horizontal:
            self.bars.setOpts(x0=[0] * len(values), y=positions, width=list(values), height=0.7, x=None)
        else:
            self.bars.setOpts(x=positions, height=list(values), width=0.7)
        self.line.setData(positions, list(line)) if line is not None else self.line.setData([], [])
        self._set_texts(positions, values, texts or [])
        top = max([*values, *(line or []), 1])
        if self.horizontal:
            self.setXRange(0, top * 1.25, padding=0)
            self.setYRange(-0.6, max(len(values), 1) - 0.4, padding=0)
        else:
            self.setYRange(0, top * 1.15, padding=0)
            self.setXRange(-0.6, max(len(values), 1) - 0.4, padding=0)

    def _set_texts(self, positions: list[int], values: Sequence[float], texts: Sequence[str]) -> None:
        while len(self.values) < len(texts):
            item = pg.TextItem(color=WALL.text["ink"], anchor=(0, 0.5) if self.horizontal else (0.5, 1))
            item.setFont(self._font)
            self.addItem(item)
            self.values.append(item)
        for i, item in enumerate(self.values):
            if i < len(texts):
                item.setText(texts[i])
                item.setPos(values[i], positions[i]) if self.horizontal else item.setPos(positions[i], values[i])
                item.show()
            else:
                item.hide()

    def apply_sizes(self, axis_font: QFont, text_font: QFont) -> None:
        self._font = text_font
        for item in self.values:
            item.setFont(text_font)
        for name in ("left", "bottom"):
            axis = self.getPlotItem().getAxis(name)
            axis.setStyle(tickFont=axis_font, tickTextOffset=max(4, axis_font.pixelSize() // 4))
            if name == "bottom":
                axis.setHeight(int(axis_font.pixelSize() * 1.8))


class WallWindow(QWidget):
    """The wall seat: frameless full screen, read-only, never signs out."""

    sig_board = Signal(object)
    """A new WallBoard was shown (tests, the benchmark)."""
    sig_sign_out = Signal()  # SeatWindow's contract; the wall never emits it

    def __init__(self, session: Session, *, feed=None, with_map: bool = True,  # noqa: ANN001 - a ChangeFeed
                 dwell_ms: int | None = None, idle_ms: int | None = None, throttle_ms: int = THROTTLE_MS,
                 throttle: bool = True, stall_ms: int = STALL_MS, recycle_ms: int = RECYCLE_MS,
                 periodic_ms: int = PERIODIC_MS,
                 basemap: str | None = None, clock: Callable[[], datetime] = _utcnow,
                 inhibitor: ScreenSaverInhibitor | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("wall")
        self.session, self.feed, self._clock = session, feed, clock
        self.settings = SeatSettings(session.username, "wall")
        self.controller = SeatController(session, feed=feed, stall_ms=stall_ms, parent=self)
        self.board: WallBoard | None = None
        self.layers: MapLayers | None = None
        self._fresh_mono: float | None = None  # when the shown board was read (monotonic)
        self._failed = ""  # the last read's failure, until a read succeeds
        self._basemap = basemap
        self._ticker_at = 0
        self.recycles = 0
        self._recycle_ms = recycle_ms
        self.inhibitor = inhibitor or ScreenSaverInhibitor()
        self.refresh = ThrottledRead(throttle_ms, periodic_ms=periodic_ms, throttle=throttle, parent=self)
        self.refresh.sig_read.connect(self._read_board)
        dwell = dwell_ms if dwell_ms is not None else self.settings.get(settings.WALL_DWELL_S) * 1000
        idle = idle_ms if idle_ms is not None else self.settings.get(settings.WALL_IDLE_S) * 1000
        self.rotation = Rotation([WallView("district", self.tr("全区"))], dwell_ms=dwell, idle_ms=idle, parent=self)
        self._views: dict[str, QWidget] = {}
        # the camera wall's slot: the cameras' status until console/widgets/camera_wall.py plugs in its 2×2/3×3
        # video views here (a callable that returns the widget; made once, when the rotation first shows it)
        self.camera_view_factory: Callable[[], QWidget] = self._camera_view
        self._with_map = with_map
        self.map = self._make_map() if with_map else None
        self._next_map = None  # the recycled page being built, hidden, until it is ready
        self._watched = None  # the QWindow whose input pauses the rotation
        self._layers_asked = 0.0
        self._build()
        self._connect()
        self._timers()
        self.setStyleSheet(self._style())
        self.setWindowTitle(self.tr("数字城管监督指挥中心 · 大屏"))

    # --- building ---------------------------------------------------------------------------

    def _make_map(self):  # noqa: ANN202 - a CaseMapView
        from console.widgets.map_view import CaseMapView

        view = CaseMapView(basemap=self._basemap, fit_whole_city=True)
        view.setContextMenuPolicy(Qt.ContextMenuPolicy.NoContextMenu)
        return view

    def _build(self) -> None:
        self.title = QLabel(self.tr("数字城管监督指挥中心 · 今日"))
        self.view_title = QLabel()
        self.paused_label = QLabel()
        self.paused_label.setObjectName("paused")
        self.paused_label.hide()
        self.clock_label = QLabel()
        self.freshness = QLabel()
        self.freshness.setObjectName("freshness")
        header = QHBoxLayout()
        for widget in (self.title, self.view_title):
            header.addWidget(widget)
        header.addStretch(1)
        for widget in (self.paused_label, self.clock_label, self.freshness):
            header.addWidget(widget)
        self.stale_banner = QLabel()
        self.stale_banner.setObjectName("stale_banner")
        self.stale_banner.hide()
        self.tiles = [KpiTile(fid) for fid in WALL_KPIS]
        kpis = QHBoxLayout()
        for tile in self.tiles:
            kpis.addWidget(tile, 1)
        self.stack = QStackedWidget()
        if self.map is not None:
            self.stack.addWidget(self.map)
        self.charts = {
            "hours": BarChart(horizontal=False, colour=WALL.map_strokes["focus"]),
            "categories": BarChart(horizontal=True, colour=WALL.lights[Light.YELLOW]),
            "departments": BarChart(horizontal=True, colour=WALL.lights[Light.RED]),
            "streets": BarChart(horizontal=True, colour=WALL.lights[Light.GREEN]),
        }
        self.chart_titles = {
            "hours": QLabel(self.tr("今日受理（按小时，虚线：近四周同日平均）")),
            "categories": QLabel(self.tr("今日高发问题 前十")),
            "departments": QLabel(self.tr("超期未结 · 按部门")),
            "streets": QLabel(self.tr("本月街道排名（得分）")),
        }
        side = QGridLayout()
        for row, (key, span) in enumerate((("hours", 2), ("categories", 2))):
            side.addWidget(self._panel(key), row, 0, 1, span)
        side.addWidget(self._panel("departments"), 2, 0)
        side.addWidget(self._panel("streets"), 2, 1)
        side.setRowStretch(0, 4)
        side.setRowStretch(1, 6)
        side.setRowStretch(2, 5)
        middle = QHBoxLayout()
        middle.addWidget(self.stack, 11)
        middle.addLayout(side, 9)
        self.ticker = QLabel()
        self.ticker.setObjectName("ticker")
        self.ticker.setTextFormat(Qt.TextFormat.RichText)  # each case's dot in the red light's colour
        # six cases of text are wider than a 4K screen: the ticker is cut at the wall's edge, it never widens it
        self.ticker.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)  # and is never cut in height
        layout = QVBoxLayout(self)
        layout.addLayout(header)
        layout.addWidget(self.stale_banner)
        layout.addLayout(kpis)
        layout.addLayout(middle, 1)
        layout.addWidget(self.ticker)
        self._layouts = (layout, header, kpis, middle, side)

    def _panel(self, key: str) -> QFrame:
        frame = QFrame()
        frame.setObjectName("panel")
        inner = QVBoxLayout(frame)
        inner.setContentsMargins(8, 4, 8, 4)
        inner.addWidget(self.chart_titles[key])
        inner.addWidget(self.charts[key], 1)
        return frame

    def _style(self) -> str:
        t = WALL.text
        return (f"#wall {{ background: {t['background']}; }} #wall QLabel {{ color: {t['ink']}; }}"
                f" #kpi, #panel, #camera_status {{ background: {WALL.panel}; border-radius: 8px; }}"
                f" #kpi_value {{ font-weight: bold; }}"
                f" #stale_banner {{ background: {WALL.notes['stale_bg']}; color: {WALL.notes['stale_ink']};"
                f" font-weight: bold; padding: 6px 16px; }}"
                f" #paused {{ color: {WALL.ink(Light.YELLOW)}; }} #freshness {{ color: {t['secondary']}; }}"
                f" #ticker {{ color: {t['ink']}; background: {WALL.notes['alert_bg']}; padding: 4px 16px; }}")

    def _connect(self) -> None:
        c = self.controller
        c.sig_stalled.connect(lambda _stalled: self._show_health())
        c.sig_read_failed.connect(self._read_failed)
        c.sig_map_page.connect(self._map_page)
        self.rotation.sig_show.connect(self._show_view)
        self.rotation.sig_paused.connect(lambda _p: self._tick())
        if self.feed is not None:
            self.feed.sig_changed.connect(lambda _batch: self.refresh.request())
            self.feed.sig_resync.connect(lambda _rev: self.refresh.now())
            self.feed.sig_health.connect(lambda _health: self._show_health())
        if self.map is not None:
            self.map.sig_ready.connect(self._push_board_to_map)
            self.map.sig_ready.connect(lambda: _dress_page(self.map))

    def _timers(self) -> None:
        self._second = QTimer(self, interval=1000)
        self._second.timeout.connect(self._tick)
        self._ticker_timer = QTimer(self, interval=TICKER_STEP_MS)
        self._ticker_timer.timeout.connect(self._advance_ticker)
        self._recycle = QTimer(self, interval=self._recycle_ms_value(self._recycle_ms))
        self._recycle.timeout.connect(self.recycle_map)

    def _recycle_ms_value(self, ms: int) -> int:
        return max(1000, ms)

    def set_recycle_ms(self, ms: int) -> None:
        self._recycle.setInterval(self._recycle_ms_value(ms))
        if self._recycle.isActive():
            self._recycle.start()

    # --- life -------------------------------------------------------------------------------

    def start(self) -> None:
        """The feed, the first reads, the rotation, the clocks; the screen saver inhibited where a bus exists."""
        self.controller.start()
        if self.map is None:
            self.controller.sig_map_layers.connect(self._layers_loaded)
        self._load_layers()
        self.refresh.start()
        self._second.start()
        self._ticker_timer.start()
        if self.map is not None:
            self._recycle.start()
        self._watch_input()
        self.inhibitor.inhibit()
        self._tick()

    def _watch_input(self) -> None:
        """Input is watched on the top-level QWindow, where the platform delivers it first (an application-wide
        Python event filter crashes PySide on QtWebEngine's internal objects)."""
        handle = self.windowHandle()
        if handle is not None and handle is not self._watched:
            handle.installEventFilter(self)
            self._watched = handle

    def showEvent(self, event) -> None:  # noqa: N802, ANN001 - Qt override
        super().showEvent(event)
        self._watch_input()

    def _load_layers(self) -> None:
        self._layers_asked = time.monotonic()
        if self.map is not None:
            self.controller.load_map_layers(self.map.page_builder(WALL))
        else:
            self.controller.load_map_layers()

    def stop(self) -> None:
        if self._watched is not None and shiboken6.isValid(self._watched):
            self._watched.removeEventFilter(self)
        self._watched = None
        for timer in (self._second, self._ticker_timer, self._recycle):
            timer.stop()
        self.refresh.stop()
        self.rotation.stop()
        if getattr(self, "video", None) is not None:
            self.video.release_all()  # the camera wall's players stop with the wall
        self.inhibitor.release()
        self.controller.stop()

    def closeEvent(self, event) -> None:  # noqa: ANN001, N802 - Qt override
        self.stop()
        for view in (self.map, self._next_map):
            if view is not None and shiboken6.isValid(view):
                view.close()
        super().closeEvent(event)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if event.type() in _USER_EVENTS:
            self.rotation.pause()
        return False

    # --- reads ------------------------------------------------------------------------------

    def _read_board(self) -> None:
        now, db = self._clock(), self.session.db
        self.controller.run("figures:wall", lambda: read_board(db, now), self._board_read, self._board_failed)

    def _board_read(self, board: WallBoard) -> None:
        self.refresh.done()
        self._failed = ""
        self.board, self._fresh_mono = board, time.monotonic()
        self._show_board(board)
        self._show_health()
        self._tick()
        if self.layers is None and time.monotonic() - self._layers_asked > LAYERS_RETRY_S:
            self._load_layers()  # the database was down when the wall booted: the map now
        self.sig_board.emit(board)

    def _board_failed(self, exc: BaseException) -> None:
        self.refresh.done()
        self.refresh.request()  # again after the throttle, keeping the last good picture meanwhile
        self._read_failed(str(exc).splitlines()[0] if str(exc) else type(exc).__name__)

    def _read_failed(self, message: str) -> None:
        self._failed = message
        self._show_health()

    def _map_page(self, answer) -> None:  # noqa: ANN001 - (MapLayers, page HTML)
        layers, html = answer
        self._layers_loaded(layers)
        if self.map is not None:
            self.map.build(layers, page_html=html)

    def _layers_loaded(self, layers: MapLayers) -> None:
        self.layers = layers
        self._set_playlist(layers)
        cameras = self._views.get("cameras")
        status = getattr(cameras, "cameras_status", cameras)
        if isinstance(status, CameraStatusView):
            status.set_cameras(layers.cameras)

    def _set_playlist(self, layers: MapLayers) -> None:
        views = [WallView("district", self.tr("全区"))]
        views += [WallView(f"street:{a.code}", a.name, focus=a.code) for a in layers.streets]
        views.append(WallView("cameras", self.tr("视频监控"), factory=self.camera_view_factory))
        self.set_playlist(views)

    def set_playlist(self, views: Sequence[WallView]) -> None:
        """The rotation's views (the coordinator plugs the camera wall in here through a factory)."""
        self.rotation.stop()
        self.rotation.views = list(views)
        self.rotation.index = 0
        self.rotation.paused = False
        self.rotation.start()

    def _camera_view(self) -> QWidget:
        """The camera wall (3×3, dark): the first nine online cameras with a stream, else the status list."""
        holder = QStackedWidget()
        status = CameraStatusView()
        if self.layers is not None:
            status.set_cameras(self.layers.cameras)
        status.apply_sizes(self._font)
        holder.addWidget(status)

        def show(cameras) -> None:  # noqa: ANN001 - [CameraInfo]
            playable = [c for c in cameras if c.status == "online" and c.stream_url][:9]
            if not playable:
                return  # no stream to play: the status list stays (and no media backend is loaded)
            from console.services.video import VideoService
            from console.widgets.camera_wall import CameraWall

            self.video = getattr(self, "video", None) or VideoService(parent=self)
            wall = CameraWall(self.video, cells=9, theme=WALL)
            holder.addWidget(wall)
            wall.set_cameras(playable)
            holder.setCurrentWidget(wall)

        self.controller.load_cameras(None, show)
        holder.cameras_status = status  # noqa: B010 - the status list stays current by the layers
        return holder

    # --- showing ----------------------------------------------------------------------------

    def _show_view(self, index: int) -> None:
        view = self.rotation.views[index]
        self.view_title.setText(f"· {view.title}")
        if view.factory is None:
            if self.map is not None:
                self.stack.setCurrentWidget(self.map)
                if self.map.focus != view.focus:
                    self.map.focus_area(view.focus)
            return
        widget = self._views.get(view.key)
        if widget is None:
            widget = self._views[view.key] = view.factory()
            self.stack.addWidget(widget)
        self.stack.setCurrentWidget(widget)

    def _show_board(self, board: WallBoard) -> None:
        for tile in self.tiles:
            fid = tile.figure_id
            tile.show_figure(board.today.current.text(fid), board.today.change_text(fid), board.today.worse(fid))
        hours = self.charts["hours"]
        hours.set_bars([str(h) for h in range(24)], board.hours, line=board.usual_hours, every=3)
        names = [name for _code, name, _n in board.categories]
        counts = [n for _code, _name, n in board.categories]
        self.charts["categories"].set_bars(names, counts, texts=[str(n) for n in counts])
        departments = board.overdue_departments[:CHART_ROWS]
        self.charts["departments"].set_bars([d for d, _n in departments], [n for _d, n in departments],
                                            texts=[str(n) for _d, n in departments])
        streets = [r for r in board.streets if r.score is not None][:CHART_ROWS]
        self.charts["streets"].set_bars([r.name for r in streets], [r.score or 0 for r in streets],
                                        texts=[f"{r.score_text} {r.grade or ''}".strip() for r in streets])
        self._show_ticker()
        self._push_board_to_map()

    def _push_board_to_map(self, view=None) -> None:  # noqa: ANN001 - a CaseMapView (the recycled one)
        view = view or self.map
        if view is None or self.board is None:
            return
        view.sync_cases(self.board.markers)
        view.sync_heat(self.board.heat, "open")
        if not view.cameras_shown:
            view.show_cameras(True)

    def _show_ticker(self) -> None:
        overdue = self.board.overdue if self.board else ()
        if not overdue:
            self.ticker.setText(self.tr("目前没有超期案件"))
            return
        start = self._ticker_at % len(overdue)
        items = [*overdue[start:], *overdue[:start]]
        now = self._clock()
        self.ticker.setText(("&nbsp;" * 5).join(self._ticker_item(c, now) for c in items[:6]))

    def _ticker_item(self, case, now: datetime) -> str:  # noqa: ANN001 - an OverdueCase
        minutes = max(0, int((now - case.red_at).total_seconds() // 60))
        late = self.tr("超期 {h} 小时 {m} 分").format(h=minutes // 60, m=minutes % 60)
        text = f"{labels.light_word(Light.RED)} {case.number} {case.category} · {case.street} · {case.department} · {late}"
        return f"{dot_html(WALL.light(Light.RED))} {escape(text)}"

    def _advance_ticker(self) -> None:
        self._ticker_at += 1
        self._show_ticker()

    def _tick(self) -> None:
        now = self._clock().astimezone(SHANGHAI)
        self.clock_label.setText(now.strftime("%H:%M:%S"))
        age = self.data_age_s()
        self.freshness.setText(self.tr("数据 {n} s 前").format(n=int(age)) if age is not None
                               else self.tr("数据读取中"))
        if self.rotation.paused:
            self.paused_label.setText(self.tr("已暂停 · {n} s 后继续轮播").format(n=self.rotation.resume_in_s()))
        self.paused_label.setVisible(self.rotation.paused)

    def data_age_s(self) -> float | None:
        """How old the picture is: since the feed's last contact while it is live and nothing is waiting,
        else since the shown board was read (None before the first read)."""
        if self._fresh_mono is None:
            return None
        since_read = time.monotonic() - self._fresh_mono
        feed = self.feed
        if feed is not None and feed.health.is_live and not self.refresh.dirty and not self.refresh.in_flight:
            return min(since_read, feed.age_seconds())
        return since_read

    def _show_health(self) -> None:
        feed_down = self.feed is not None and self.feed.running and not self.feed.health.is_live
        stale = self.controller.stalled or bool(self._failed) or feed_down
        if stale:
            when = self.board.read_at.astimezone(SHANGHAI).strftime("%H:%M:%S") if self.board else "—"
            self.stale_banner.setText(self.tr("数据库连接中断，画面为 {t} 的数据，正在自动重连").format(t=when))
        self.stale_banner.setVisible(stale)

    # --- sizes ------------------------------------------------------------------------------

    def _font(self, name: str) -> QFont:
        font = QFont(QApplication.font())
        font.setPixelSize(WALL.size(name, max(1, self.height())))
        return font

    def resizeEvent(self, event) -> None:  # noqa: N802, ANN001 - Qt override
        super().resizeEvent(event)
        self.apply_sizes()

    def apply_sizes(self) -> None:
        """Every font from the WALL theme's sizes, scaled to the window's height (2160 px: as written)."""
        f = self._font
        for widget, name in ((self.title, "title"), (self.view_title, "title"), (self.clock_label, "clock"),
                             (self.freshness, "note"), (self.paused_label, "note"), (self.stale_banner, "banner"),
                             (self.ticker, "ticker")):
            widget.setFont(f(name))
        for tile in self.tiles:
            tile.name.setFont(f("kpi_label"))
            tile.value.setFont(f("kpi_value"))
            tile.change.setFont(f("kpi_change"))
        for key, chart in self.charts.items():
            self.chart_titles[key].setFont(f("panel_title"))
            chart.apply_sizes(f("axis"), f("bar_label"))
        for view in self._views.values():
            if isinstance(view, CameraStatusView):
                view.apply_sizes(f)
        margin = WALL.size("margin", max(1, self.height()))
        for layout in self._layouts:
            layout.setSpacing(margin // 2)
        self._layouts[0].setContentsMargins(margin, margin // 2, margin, margin // 2)
        zoom = max(0.5, self.height() / 1080)  # the map's labels and markers grow with the wall
        for view in (self.map, self._next_map):
            if view is not None:
                view.setZoomFactor(zoom)

    # --- the map page's recycling -------------------------------------------------------------

    def recycle_map(self) -> None:
        """Build a fresh page hidden, swap it in when it is ready, then delete the old one (no blank frame)."""
        if self.map is None or self._next_map is not None or not self.map.page_html or self.layers is None:
            return
        fresh = self._make_map()
        fresh.setZoomFactor(self.map.zoomFactor())
        fresh.hide()
        self._next_map = fresh
        fresh.sig_ready.connect(lambda: _dress_page(fresh))
        fresh.sig_ready.connect(lambda: self._swap_map(fresh))
        if self.map.focus:
            fresh.focus_area(self.map.focus)
        self._push_board_to_map(fresh)  # queued until its page is ready
        fresh.build(self.layers, page_html=self.map.page_html)
        fresh.resize(self.map.size())

    def _swap_map(self, fresh) -> None:  # noqa: ANN001 - a CaseMapView
        if fresh is not self._next_map:
            return
        old, self.map, self._next_map = self.map, fresh, None
        fresh.sig_ready.disconnect()
        fresh.sig_ready.connect(self._push_board_to_map)
        fresh.sig_ready.connect(lambda: _dress_page(fresh))  # after a render-process crash
        showing = self.stack.currentWidget() is old
        index = self.stack.indexOf(old)
        self.stack.insertWidget(index, fresh)
        if showing:
            self.stack.setCurrentWidget(fresh)
        self.stack.removeWidget(old)
        old.close()
        old.deleteLater()
        self.recycles += 1


# The page's text in CSS px on the wall: the page is zoomed by height / 1080, so 16 px is 32 px at 2160 (the
# smallest text screens.md allows at 10 m).  Grid names cannot be that big in a grid: the wall leaves them out.
WALL_MAP_TEXT_PX = 16
_WALL_MAP_CSS = (
    " body .leaflet-control-layers, body .leaflet-control-zoom, body .uc-fit-button,"
    " body .uc-label-grid, body .uc-cam-cluster span {{ display: none !important; }}"
    " body .uc-legend, body .leaflet-control-scale-line, body .uc-label-community span,"
    " body .uc-cam-cluster b {{ font-size: {px}px !important; }}"
    " body .uc-legend-title, body .uc-label-street span {{ font-size: {big}px !important; }}"
).format(px=WALL_MAP_TEXT_PX, big=WALL_MAP_TEXT_PX + 2)


def _dress_page(view) -> None:  # noqa: ANN001 - a CaseMapView
    """The wall's page: the legend on the dark panel colour, its text readable from 10 m; no zoom, layer or fit
    buttons (nobody clicks)."""
    css = (f"body .uc-legend {{ background: {WALL.panel} !important; color: {WALL.text['ink']} !important; }}"
           + _WALL_MAP_CSS)
    # the legend's new size changes the room a whole-city fit leaves it: fit again
    view.run_js("(function(){var s=document.createElement('style');s.textContent=" + json.dumps(css)
                + ";document.head.appendChild(s);window.ucMap.fit();return '1';})()")


# --- the wall's screen ----------------------------------------------------------------------------


class WallPlacement(QObject):
    """Keeps the wall frameless and full screen on its screen, remembered by name.

    The named screen gone (a cable, a matrix switch): the primary meanwhile; back: the wall returns to it.
    """

    def __init__(self, window: QWidget, name: str | None = None, *, store: SeatSettings | None = None) -> None:
        super().__init__(window)
        self.window = window
        self.settings = store or SeatSettings("", "wall")
        if name:
            self.settings.set(settings.WALL_SCREEN, name)
        self.name = name or self.settings.get(settings.WALL_SCREEN)
        app = QGuiApplication.instance()
        app.screenAdded.connect(lambda _s: self.place())
        app.screenRemoved.connect(lambda _s: QTimer.singleShot(0, self.place))  # after Qt has moved the window

    def screen(self):  # noqa: ANN201 - a QScreen
        named = [s for s in QGuiApplication.screens() if self.name and s.name() == self.name]
        return named[0] if named else QGuiApplication.primaryScreen()

    def place(self) -> None:
        if not shiboken6.isValid(self.window):
            return
        screen = self.screen()
        self.window.setWindowFlag(Qt.WindowType.FramelessWindowHint, True)
        self.window.setScreen(screen)
        self.window.setGeometry(screen.geometry())
        self.window.showFullScreen()


def wall_fonts(window: QWidget) -> list[tuple[str, int]]:
    """(where, px) of every visible text of the wall: labels, chart axes, bar numbers (the legibility test)."""
    out: list[tuple[str, int]] = []
    for label in window.findChildren(QLabel):
        if label.isVisibleTo(window) and label.text():
            out.append((f"QLabel {label.text()[:20]!r}", _px(label.font())))
    for chart in window.findChildren(pg.PlotWidget):
        if not chart.isVisibleTo(window):
            continue
        item = chart.getPlotItem()
        for name in ("left", "bottom"):
            axis = item.getAxis(name)
            if axis.isVisible():
                out.append((f"axis {name}", _px(axis.style["tickFont"] or chart.font())))
        for text in chart.getPlotItem().items:
            if isinstance(text, pg.TextItem) and text.isVisible():
                out.append((f"bar {text.toPlainText()!r}", _px(text.textItem.font())))
    return out


def wall_texts(window: QWidget) -> list[str]:
    """Every text the wall's widgets show (the privacy test)."""
    texts = [label.text() for label in window.findChildren(QLabel)]
    for chart in window.findChildren(pg.PlotWidget):
        for name in ("left", "bottom"):
            ticks = chart.getPlotItem().getAxis(name)._tickLevels or []  # noqa: SLF001 - pyqtgraph keeps them here
            texts += [str(t[1]) for level in ticks for t in level]
        texts += [t.toPlainText() for t in chart.getPlotItem().items if isinstance(t, pg.TextItem)]
    return texts


def _px(font: QFont) -> int:
    from PySide6.QtGui import QFontInfo

    return QFontInfo(font).pixelSize()


__all__ = ["CameraStatusView", "KpiTile", "Rotation", "WallPlacement", "WallView", "WallWindow", "wall_fonts",
           "wall_texts"]

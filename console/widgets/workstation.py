"""The operator workstation (screens.md): queue, map, detail, alerts, status.

The window only displays and forwards: every read and command goes through the
seat's SeatController (console.services.seat), which runs them on its worker
thread and answers by signal with plain read models; every change (ours or
another seat's) comes back through the change feed as a delta to the queue
model and the map.  A hung database never freezes the window: the stale banner
shows and a submitted form stays open until the answer (or "数据库无响应").
"""
from __future__ import annotations

import gc
from datetime import datetime, timezone
from typing import Callable, Iterable
from zoneinfo import ZoneInfo

import shiboken6
from PySide6.QtCore import QCoreApplication, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDockWidget,
    QLabel,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from console.domain.calendar import unconfirmed_warning
from console.domain.clocks import Light
from console.domain.workflow import Action, Role, allowed_actions
from console.services.alerts import Alert, AlertClock, AlertFilter, Lit
from console.services.presence import PresenceTracker
from console.services.read_models import AlertKey, CaseMarker
from console.services.seat import (
    COMMAND_TIMEOUT_MS, NO_ANSWER, STALL_MS, ActionChoices, ActionParams, CasesChanged, CommandDone, CommandRefused, DetailAnswer,
    QueueSnapshot, SeatController,
)
from console.services import settings
from console.services.session import Session
from console.services.settings import SeatSettings
from console.widgets.alert_banner import AlertBanner
from console.widgets.case_detail import CaseDetailPanel
from console.widgets.case_queue import CaseQueuePanel
from console.widgets import labels
from console.widgets.camera_sync import apply_camera_changes
from console.widgets.nearest_cameras import NEAREST_N, NEAREST_RADIUS_M, NearestCamerasPanel
from console.widgets.dialogs import PENDING, ActionDialog, NewCaseDialog
from console.widgets.shortcuts import ACTION_SHORTCUTS, RED_STOCK_SHORTCUT, workflow_actions
from console.widgets.theme import WORKSTATION

SHANGHAI = ZoneInfo("Asia/Shanghai")
# The queue tab each role opens on: the step that role works (leaders and admins see everything).
ROLE_QUEUES: dict[Role, str] = {
    Role.INTAKE: "reported", Role.SHIFT_LEAD: "to_file", Role.DISPATCHER: "to_dispatch",
    Role.DEPARTMENT: "disposing", Role.STREET_SEAT: "disposing", Role.INSPECTOR: "to_check",
}


def basemap_setting() -> str | None:
    """The hall's basemap: an intranet XYZ URL or an MBTiles path (the settings service)."""
    return SeatSettings().get(settings.BASEMAP) or None


def save_basemap_setting(value: str | None) -> None:
    from pathlib import Path

    if value and not (value.startswith(("http://", "https://")) and "{z}" in value and "{x}" in value and "{y}" in value):
        path = Path(value).expanduser()
        if path.suffix.lower() != ".mbtiles" or not path.is_file():
            raise ValueError(QCoreApplication.translate(
                "Workstation", "底图 {value} 既不是含 {{z}}/{{x}}/{{y}} 的瓦片地址，也不是存在的 .mbtiles 文件").format(
                value=repr(value)))
        value = str(path)
    SeatSettings().set(settings.BASEMAP, value or "")


def _ignore(_exc: BaseException) -> None:
    """Presence is a courtesy: its failures are logged by the tracker, never shown."""


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Workstation(QMainWindow):
    """受理/值班长/派遣/指挥 seat: everything an operator works with all day."""

    sig_case_changed = Signal(int)
    """A case this window changed or saw change (after the views were updated)."""
    sig_sign_out = Signal()
    """注销: the operator signs out (console.app shows the sign-in again); the window then closes itself."""
    sig_report_requested = Signal(str)
    """报表 menu: brief_today | brief_yesterday | print_brief_today | bulletin_last_week | bulletin_last_month
    (console.app opens it with console.reports.menu.open_report; a widget never imports the reports)."""

    def __init__(self, session: Session, *, feed=None, with_map: bool = True,  # noqa: ANN001
                 clock: Callable[[], datetime] = _utcnow, alert_interval_ms: int = 3000,
                 basemap: str | None = None, stall_ms: int = STALL_MS,
                 command_timeout_ms: int = COMMAND_TIMEOUT_MS, threaded: bool = True) -> None:
        super().__init__()
        self.session, self.db, self.feed = session, session.db, feed
        self.settings = SeatSettings(session.username, session.seat.kind)
        self._heat_mode = self.settings.get(settings.HEAT_MODE)
        self._wanted_ids: set[int] = set()  # changed cases waiting for the read in flight
        self._reading_cases = False
        self._in_delta = False
        self._frozen = False  # start-up's objects out of the collector's sweeps (gc.freeze)
        self._lit_made: dict[int, tuple] = {}  # case id -> ((step, round, light, since), its Lit)
        self.controller = SeatController(session, feed=feed, stall_ms=stall_ms, command_timeout_ms=command_timeout_ms,
                                         threaded=threaded, parent=self)
        # command request -> (its dialog or None, the status line on success or None)
        self._submits: dict[int, tuple[object, Callable[[CommandDone], str] | None]] = {}
        self._asked: tuple[Action, object] | None = None  # the action whose dialog waits for its choices
        self.scope = session.street_code
        self._now = clock
        rules = self.db.rules()
        self.calendar, self.thresholds = rules.calendar, rules.thresholds
        # which database a seat works on, never its password (db.where is redacted)
        self.setWindowTitle(self.tr("数字城管监督指挥中心 · 操作台 · {db}").format(db=self.db.where))
        self.resize(1920, 1080)
        self._current_case: int | None = None
        self._shown = None  # the CaseDetail on screen: its version is what the operator saw
        self._last_data_at: datetime | None = None
        self._select_after_report: int | None = None

        self.queue = CaseQueuePanel(calendar=self.calendar, thresholds=self.thresholds, now=clock())
        self.detail = CaseDetailPanel(calendar=self.calendar, thresholds=self.thresholds)
        self.banner = AlertBanner()
        self.map = self._make_map(basemap) if with_map else None
        self.alerts = AlertClock(self.db, session.actor, interval_ms=alert_interval_ms, clock=clock, parent=self)
        self.presence = PresenceTracker(self.db, session.actor, parent=self, clock=clock,
                                        runner=lambda call, done: self.controller.run("presence", call, done, _ignore))
        self._build_layout()
        self._build_menus()
        self._build_status()
        self._connect()
        self.reload_all()
        self._restore_layout()
        self._open_own_queue()

    # --- layout -----------------------------------------------------------------------------

    def _make_map(self, basemap: str | None):  # noqa: ANN202
        from console.widgets.map_view import CaseMapView

        view = CaseMapView(basemap=basemap)
        view.show_cameras(self.cameras_setting())
        # the page (seconds of HTML on a metro) is built on the worker with the layers, and loads
        # in the render process while the worker reads the queue
        self.controller.sig_map_page.connect(lambda answer: view.build(answer[0], page_html=answer[1]))
        self.controller.load_map_layers(view.page_builder())
        return view

    def cameras_setting(self) -> bool:
        """This operator's camera layer: off by default on an operator seat, remembered per user."""
        value = self.settings.get(settings.CAMERAS_SHOWN)
        return self.session.seat.kind != "operator" if value is None else value

    def show_cameras(self, on: bool) -> None:
        """The 显示摄像头 toggle (menu or the map's layer switch): applied and remembered for this user."""
        self.settings.set(settings.CAMERAS_SHOWN, bool(on))
        if self.map is None:
            return
        if self.map.cameras_shown != on:
            self.map.show_cameras(on)
        if self.cameras_action.isChecked() != on:
            self.cameras_action.setChecked(on)

    def _follow_filter(self, queue_filter) -> None:  # noqa: ANN001 - a QueueFilter
        """The map shows the queue's community, else its street, else everything."""
        area = queue_filter.community or queue_filter.street
        if self.map is not None and area != self.map.focus:
            self.map.focus_area(area)

    def _build_layout(self) -> None:
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        self.stale_banner = QLabel()
        self.stale_banner.setObjectName("stale_banner")
        self.stale_banner.setStyleSheet(f"#stale_banner {{ background: {WORKSTATION.notes['stale_bg']}; "
                                        f"color: {WORKSTATION.notes['stale_ink']}; font-weight: bold; padding: 6px 10px; }}")
        self.stale_banner.hide()
        layout.addWidget(self.stale_banner)
        layout.addWidget(self.banner)
        if self.map is not None:
            layout.addWidget(self.map, 1)
        else:
            layout.addStretch(1)
        self.setCentralWidget(central)
        self.queue_dock = self._dock("queue", self.tr("案件队列"), self.queue, Qt.DockWidgetArea.TopDockWidgetArea)
        self.detail_dock = self._dock("detail", self.tr("案件详情"), self.detail, Qt.DockWidgetArea.RightDockWidgetArea)
        self.detail_dock.setMinimumWidth(470)
        self.nearest_cameras = NearestCamerasPanel()
        self.nearest_dock = self._dock("nearest_cameras", self.tr("附近摄像头"), self.nearest_cameras,
                                       Qt.DockWidgetArea.RightDockWidgetArea)
        self.tabifyDockWidget(self.detail_dock, self.nearest_dock)
        self.detail_dock.raise_()
        self.queue_dock.setMinimumHeight(380)
        # the detail panel runs the full height on the right, as in screens.md
        self.setCorner(Qt.Corner.TopRightCorner, Qt.DockWidgetArea.RightDockWidgetArea)
        self.setCorner(Qt.Corner.BottomRightCorner, Qt.DockWidgetArea.RightDockWidgetArea)

    def _dock(self, name: str, title: str, widget: QWidget, area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(f"dock_{name}")
        dock.setWidget(widget)
        dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable | QDockWidget.DockWidgetFeature.DockWidgetFloatable)
        self.addDockWidget(area, dock)
        return dock

    def _build_menus(self) -> None:
        bar = self.menuBar()
        system = bar.addMenu(self.tr("系统"))
        self._action(system, self.tr("注销"), QKeySequence("Ctrl+Shift+Q"), self.sign_out)
        self._action(system, self.tr("退出"), QKeySequence("Ctrl+Q"), self.close)  # spelt out: Windows themes have no Quit key
        cases = bar.addMenu(self.tr("案件"))
        self.cases_menu = cases
        self.new_case_action = self._action(cases, self.tr("新建案件…"), QKeySequence("Ctrl+N"), lambda: self.new_case())
        self.new_case_action.setEnabled(self.session.role in (Role.INTAKE, Role.SHIFT_LEAD, Role.LEADER))
        self._action(cases, self.tr("全部刷新"), QKeySequence("F5"), self.reload_all)
        self._action(cases, self.tr("查找案件"), QKeySequence("Ctrl+F"), self.queue.focus_search)
        self._action(cases, self.tr("红灯案件"), QKeySequence(RED_STOCK_SHORTCUT), self.show_red_stock)
        cases.addSeparator()
        self.workflow_actions = {a: self._workflow_action(cases, a) for a in workflow_actions()}
        view = bar.addMenu(self.tr("视图"))
        self._panel_toggle(view, self.tr("案件队列"), self.queue_dock)
        self._panel_toggle(view, self.tr("案件详情"), self.detail_dock)
        sound = self._action(view, self.tr("超时提醒声音"), None, lambda: None)
        sound.setCheckable(True)
        sound.toggled.connect(self._set_sound)
        sound.setChecked(self.settings.get(settings.ALERT_SOUND))
        self.banner.sound_enabled = sound.isChecked()
        if self.map is not None:
            maps = bar.addMenu(self.tr("地图"))
            self.cameras_action = self._action(maps, self.tr("显示摄像头"), None, lambda: None)
            self.cameras_action.setCheckable(True)
            self.cameras_action.setChecked(self.cameras_setting())
            self.cameras_action.toggled.connect(self.show_cameras)
            self.resume_fit_action = self._action(maps, self.tr("恢复自动适配"), QKeySequence("Ctrl+0"),
                                                  lambda: self.map.set_auto_fit(True))
            self._action(maps, self.tr("热力：在办案件"), None, lambda: self.choose_heat("open"))
            self._action(maps, self.tr("热力：超期案件"), None, lambda: self.choose_heat("overdue"))
            maps.addSeparator()
            self._action(maps, self.tr("底图设置…"), None, self._ask_basemap)
        self._build_report_menu(bar.addMenu(self.tr("报表")))
        help_menu = bar.addMenu(self.tr("帮助"))
        self._action(help_menu, self.tr("关于"), None, self._about)
        self.signed_in_label = QLabel(f"  {self._seat_title()}  ")
        self.signed_in_label.setObjectName("signed_in")
        bar.setCornerWidget(self.signed_in_label, Qt.Corner.TopRightCorner)
        self.freshness = QLabel()
        self.freshness.setObjectName("freshness")

    def _build_report_menu(self, menu) -> None:  # noqa: ANN001
        """日报 / 周报 / 月报: the window only asks (sig_report_requested); console.reports draws and prints."""
        kinds = [("brief_today", self.tr("今日日报（预览）…")), ("brief_yesterday", self.tr("昨日日报（预览）…")),
                 ("print_brief_today", self.tr("打印今日日报…"))]
        if not self.session.street_code:  # the bulletins rank the whole district
            kinds += [("bulletin_last_week", self.tr("上周周报（预览）…")), ("bulletin_last_month", self.tr("上月月报（预览）…"))]
        self.report_actions = {kind: self._action(menu, text, None, lambda _=False, k=kind: self.sig_report_requested.emit(k))
                               for kind, text in kinds}

    def _action(self, menu, text: str, shortcut, slot) -> QAction:  # noqa: ANN001
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(shortcut)
        action.triggered.connect(slot)
        menu.addAction(action)
        return action

    def _workflow_action(self, menu, action: Action) -> QAction:  # noqa: ANN001
        """One workflow action on the case shown; enabled only when the role may take it there."""
        shortcut = ACTION_SHORTCUTS.get(action)
        item = self._action(menu, labels.action_label(action), QKeySequence(shortcut) if shortcut else None,
                            lambda: self.request_action(action))
        item.setObjectName(f"menu_{action.value}")
        item.setEnabled(False)
        return item

    def _panel_toggle(self, menu, name: str, dock: QDockWidget) -> QAction:  # noqa: ANN001
        """A show/hide toggle named plainly: the dock's own toggle takes its title, which carries the data time."""
        toggle = QAction(name, self)
        toggle.setCheckable(True)
        toggle.setChecked(not dock.isHidden())
        toggle.triggered.connect(lambda on: dock.setVisible(on))
        dock.toggleViewAction().toggled.connect(toggle.setChecked)
        menu.addAction(toggle)
        return toggle

    def _open_own_queue(self) -> None:
        """The role's own tab, the most urgent case first unless this user chose another sort."""
        self.queue.set_stage(ROLE_QUEUES.get(self.session.role, "all"))
        self.queue.keep_sort(lambda: self.settings.get(settings.QUEUE_SORT),
                             lambda value: self.settings.set(settings.QUEUE_SORT, value))
        self.queue.setFocus()

    def sign_out(self) -> None:
        """注销: say so (the sign-in dialog opens first), then close as 退出 does (presence, feed, layout)."""
        self.sig_sign_out.emit()
        self.close()

    def _build_status(self) -> None:
        status = self.statusBar()
        self.light_label = QLabel()
        self.light_label.setObjectName("light_counts")
        self.red_stock = QPushButton()  # the standing stock of red cases: a count that opens them
        self.red_stock.setObjectName("red_stock")
        self.red_stock.setFlat(True)
        self.red_stock.setToolTip(self.tr("在队列中列出全部红灯案件 (%1)").replace("%1", RED_STOCK_SHORTCUT))
        self.red_stock.setStyleSheet(f"#red_stock {{ color: {WORKSTATION.ink(Light.RED)}; font-weight: bold; padding: 0 6px; }}")
        self.red_stock.clicked.connect(self.show_red_stock)
        self.db_label = QLabel()
        self.db_label.setObjectName("db_state")
        self.day_label = QLabel()
        status.addWidget(self.light_label)
        status.addWidget(self.red_stock)
        status.addPermanentWidget(self.freshness)
        status.addPermanentWidget(self.db_label)
        status.addPermanentWidget(self.day_label)
        self.calendar_label = QLabel()  # a year without its holiday notice: say so (issue 8)
        self.calendar_label.setObjectName("calendar_warning")
        self.calendar_label.setStyleSheet(f"color: {WORKSTATION.ink(Light.YELLOW)};")
        self.calendar_label.hide()
        status.addPermanentWidget(self.calendar_label)
        self._status_timer = QTimer(self)
        self._status_timer.setInterval(1000)
        self._status_timer.timeout.connect(self._update_status)

    def _connect(self) -> None:
        self.queue.sig_case_selected.connect(self.show_case)
        self.detail.sig_action_requested.connect(lambda action: self.request_action(Action(action)))
        self.banner.sig_acknowledge.connect(self.acknowledge_alert)
        self.banner.sig_acknowledge_all.connect(self.acknowledge_alerts)
        self.banner.sig_locate.connect(self.locate_case)
        self.alerts.sig_tick.connect(self.refresh_lights)
        self.alerts.sig_alerts_changed.connect(self.banner.set_alerts)
        self.alerts.sig_new_alert.connect(lambda _alert: self.banner.ring())
        self.queue.model.sig_counts_changed.connect(self._counts_changed)
        self.presence.sig_presence_changed.connect(self._show_presence)
        if self.map is not None:
            self.map.sig_case_clicked.connect(self.locate_case)
            self.map.sig_grid_clicked.connect(self.queue.filter_to_grid)
            self.map.sig_new_case_at.connect(lambda lon, lat: self.new_case(lon, lat))
            self.map.sig_ready.connect(self._push_all_markers)
            self.map.sig_cameras_toggled.connect(self.show_cameras)
            self.queue.sig_filter_changed.connect(self._follow_filter)
        seat = self.controller
        seat.sig_queue_loaded.connect(self._queue_loaded)
        seat.sig_cases_changed.connect(self._cases_changed)
        seat.sig_detail.connect(self._detail_loaded)
        seat.sig_choices.connect(self._open_action_dialog)
        seat.sig_command_done.connect(self._command_done)
        seat.sig_command_refused.connect(self._command_refused)
        seat.sig_stalled.connect(lambda _stalled: self._update_status())
        seat.sig_read_failed.connect(lambda message: self.statusBar().showMessage(
            self.tr("读取失败，将重试：{error}").format(error=message), 5000))
        seat.sig_calendar_changed.connect(self._calendar_changed)
        if self.feed is not None:
            self.feed.sig_changed.connect(self.apply_changes)
            self.feed.sig_changed.connect(self.presence.on_changes)
            self.feed.sig_resync.connect(self._resync)
            self.feed.sig_health.connect(lambda _health: self._update_status())

    def start(self) -> None:
        """Start the live parts: change feed, alert clock, status clock."""
        self.controller.start()
        self.alerts.start()
        self._status_timer.start()

    def stop(self) -> None:
        self.presence.stop()  # other seats stop seeing "正在处理" at once (the worker's last jobs)
        self.controller.stop()
        self.alerts.stop()
        self._status_timer.stop()

    def closeEvent(self, event) -> None:  # noqa: ANN001, N802 - Qt override
        if self._frozen:
            gc.unfreeze()  # this window's objects may be collected again
            self._frozen = False
        self.stop()
        self.settings.save_layout("workstation", self.saveGeometry(), self.saveState())
        self.settings.sync()
        super().closeEvent(event)

    def _restore_layout(self) -> None:
        """The layout this user left, unless it was saved for another arrangement of docks (then dropped)."""
        saved = self.settings.layout("workstation")
        if saved is not None:
            self.restoreGeometry(saved[0])
            self.restoreState(saved[1])

    # --- data in ------------------------------------------------------------------------------

    def reload_all(self) -> None:
        """Full resync: the queue, the options, the map markers (never on a single change); answered later."""
        self.controller.reload(self.queue.model.preparer())  # sort keys and lights built on the worker too

    def _queue_loaded(self, snapshot: QueueSnapshot) -> None:
        if not self._frozen:
            # what start-up made (modules, widgets, the first queue) lives all session: out of the
            # collector's sweeps, a full collection then walks only what came since (a metro's full
            # sweep held the GIL, so the UI thread, for 50+ ms); handed back in closeEvent
            gc.freeze()
            self._frozen = True
        self.queue.set_options(snapshot.options)
        self.queue.set_rows(snapshot.prepared or snapshot.rows)
        self._push_all_markers()
        self._mark_fresh()
        if self._current_case is not None:
            self.show_case(self._current_case)
        self.refresh_lights(self._now(), resort=False)  # the worker sorted a moment ago; the tick re-keys
        self._show_calendar_warning()

    def _resync(self, _rev: int) -> None:
        self.reload_all()  # a failed read says so in the status bar (sig_read_failed); the feed retries

    def apply_changes(self, batch) -> None:  # noqa: ANN001 - a feed ChangeBatch
        if batch.entities.get("calendar"):
            self.controller.reload_rules()  # `calendar set` elsewhere: answered before the cases of the batch
        ids = [int(i) for i in batch.entities.get("case", ())]
        if ids:
            self.apply_case_ids(ids)
        if batch.entities.get("alert"):
            self._refresh_acknowledged()  # another seat acknowledged alerts
        if self.map is not None:
            apply_camera_changes(batch, self.controller, [self.map.update_cameras])  # status from any seat
        self._mark_fresh()

    def _calendar_changed(self, rules) -> None:  # noqa: ANN001 - Rules
        self.calendar = rules.calendar
        self.queue.model.set_calendar(self.calendar)
        self.detail.set_calendar(self.calendar)

    def apply_case_ids(self, ids: Iterable[int]) -> None:
        """Delta: reload only these cases (answered later); those gone from the queue are removed.

        One read at a time: ids changed while a read is out wait and go together in the next,
        so a seat that falls behind a busy hall catches up in fewer, larger deltas.
        """
        self._wanted_ids.update(ids)
        if not self._reading_cases:
            self._read_wanted()

    def _read_wanted(self) -> None:
        if not self._wanted_ids:
            return
        ids, self._wanted_ids = self._wanted_ids, set()
        self._reading_cases = True  # before sending: a synchronous seat answers at once
        self.controller.load_cases(ids, on_error=lambda _exc: self._cases_read())

    def _cases_read(self) -> None:
        self._reading_cases = False
        self._read_wanted()

    def _cases_changed(self, delta: CasesChanged) -> None:
        self._in_delta = True  # the delta updates the status bar once, at its end
        try:
            self._show_delta(delta)
        finally:
            self._in_delta = False
            self._cases_read()

    def _counts_changed(self, _counts: dict) -> None:
        if not self._in_delta:
            self._update_status()

    def _show_delta(self, delta: CasesChanged) -> None:
        rows, gone = list(delta.rows), set(delta.gone)
        ids = gone | {r.id for r in rows}
        self.queue.apply_rows(rows)
        self.queue.remove_ids(gone)
        self.alerts.forget_cases(gone)
        if self.map is not None:
            if rows:
                self.map.upsert_cases([self._marker(r) for r in rows])
            if gone:
                self.map.remove_cases(sorted(gone))
            self._restyle_heat(self._heat_mode, force=False)
        if self._current_case in ids:
            self.show_case(self._current_case)
        # lights and alerts on every change, not only on the tick; a 灯/剩余 sort of every case is
        # re-keyed on the tick only (O(n)), a change moves just the rows whose light changed
        self.refresh_lights(self._now(), resort=False)
        self._show_calendar_warning(rows)
        if self._select_after_report in ids:
            self.queue.select_case(self._select_after_report)  # the case just registered
            self._select_after_report = None
        for case_id in ids:
            self.sig_case_changed.emit(case_id)

    def _push_all_markers(self) -> None:
        if self.map is None or not self.map.ready:
            return  # the page's sig_ready pushes them all once it is up (not twice: queued, then again)
        rows = [self.queue.model.case(i) for i in self.queue.model.all_ids()]
        self.map.upsert_cases([self._marker(r) for r in rows if r is not None])
        self._restyle_heat(self._heat_mode)

    def _marker(self, row) -> CaseMarker:  # noqa: ANN001
        light = self.queue.model.light_of(row.id) or Light.GREEN
        return CaseMarker(row.id, row.number, row.lon, row.lat, str(light), row.category_name or "",
                                      row.grid_code)

    def _set_sound(self, on: bool) -> None:
        self.banner.sound_enabled = on
        self.settings.set(settings.ALERT_SOUND, bool(on))

    def choose_heat(self, mode: str) -> None:
        """热力：在办/超期 from the menu: applied and remembered for this user."""
        self.settings.set(settings.HEAT_MODE, mode)
        self._restyle_heat(mode)

    def _restyle_heat(self, mode: str, *, force: bool = True) -> None:
        """The grids' heat; a change that leaves every count as it was sends nothing (`force=False`)."""
        self._heat_mode = mode
        if self.map is None:
            return
        counts = self.queue.model.grid_counts(Light.RED if mode == "overdue" else None)
        if force:
            self.map.restyle_grids(counts, mode)
        else:
            self.map.sync_heat(counts, mode)

    def _mark_fresh(self) -> None:
        self._last_data_at = self._now()
        self._update_status()

    # --- lights and alerts -------------------------------------------------------------------

    def refresh_lights(self, now: datetime, *, resort: bool = True) -> None:
        transitions = self.queue.refresh_lights(now, resort=resort)
        changed = [case_id for case_id, old, new in transitions if old != new]
        if self.map is not None and changed:
            rows = [self.queue.model.case(i) for i in changed]
            self.map.upsert_cases([self._marker(r) for r in rows if r is not None])
        self._observe_alerts()
        self._update_status()

    def _observe_alerts(self) -> None:
        """New light changes raise alerts once the worker has read which were acknowledged already."""
        lit = self._lit()
        keys = self.alerts.news(lit)
        if not keys:
            self.alerts.observe(lit, self._alert, done=())
            return
        # unreadable acknowledgements: nothing is marked seen, the next tick tries again
        self.controller.acknowledged(keys, lambda done: self.alerts.observe(self._lit(), self._alert, done=done))

    def _lit(self) -> dict[int, Lit]:
        """The seat's cases whose running clock is yellow or red; a paused (挂账) clock raises nothing."""
        model, lit, made = self.queue.model, {}, {}
        for case_id in model.lit_ids():
            light, row = model.light_of(case_id), model.case(case_id)
            if row is None or not row.step or row.paused:
                continue
            since = row.red_at if light == Light.RED else row.yellow_at
            seen = (row.step, row.clock_round, light, since)
            known = self._lit_made.get(case_id)  # the same step, round, light: the same Lit (thousands on a metro)
            if known is None or known[0] != seen:
                known = (seen, Lit(AlertKey(case_id, row.step, row.clock_round or 1, str(light)), since))
            made[case_id] = known
            lit[case_id] = known[1]
        self._lit_made = made
        return lit

    def _alert(self, lit: Lit, since: datetime) -> Alert | None:
        row = self.queue.model.case(lit.key.case_id)
        if row is None:
            return None
        return Alert(key=lit.key, number=row.number, category=row.category_name or "", grid_code=row.grid_code or "-",
                     street=row.street_name or "", department=row.department_name or "", light=lit.key.light,
                     remaining_minutes=self.queue.model.remaining_of(row.id), raised_at=since, street_code=row.street_code or "")

    def acknowledge_alert(self, key: AlertKey) -> None:
        self._acknowledge([key], self.tr("单条确认"))

    def acknowledge_alerts(self, alert_filter: AlertFilter, note: str) -> int:
        """全部确认: every alert the banner lists, in one command (answered later). Returns how many were asked."""
        keys = [a.key for a in self.alerts.matching(alert_filter)]
        self._acknowledge(keys, note, announce=True)
        return len(keys)

    def _acknowledge(self, keys: list[AlertKey], note: str, *, announce: bool = False) -> None:
        def done(count: int) -> None:
            self.alerts.drop(keys)
            if announce and count:
                self.statusBar().showMessage(self.tr("已确认 {n} 条提醒").format(n=count), 5000)

        request = self.controller.reserve()
        self._submits[request] = (None, None)  # a refusal is shown in a message box
        self.controller.acknowledge(keys, note, self._now(), done, request=request)

    def _refresh_acknowledged(self) -> None:
        if self.alerts.open_keys:  # the feed resyncs on reconnect should the read fail
            self.controller.acknowledged(self.alerts.open_keys, self.alerts.drop)

    def show_red_stock(self) -> None:
        """红灯 n: the queue filtered to every red case of the seat."""
        self.queue.filter_to_light(Light.RED)
        self.queue_dock.show()
        self.queue.setFocus()

    def locate_case(self, case_id: int) -> None:
        if not self.queue.select_case(case_id):
            self.show_case(case_id)

    # --- a case -------------------------------------------------------------------------------

    def show_case(self, case_id: int) -> None:
        """Show this case (its detail answers later; an answer for a case clicked away from is dropped)."""
        self._current_case = case_id
        self.controller.load_detail(case_id)

    def _detail_loaded(self, answer: DetailAnswer) -> None:
        case_id, detail = answer.case_id, answer.detail
        if case_id != self._current_case:
            return
        self._shown = detail
        self.detail.set_detail(detail, self._now())
        if detail is not None and self.presence.case_id != case_id:
            self.presence.open(case_id)
        self.detail.set_presence(self.presence.text if detail is not None else "")
        allowed = self.actions_for(detail) if detail else []
        self.detail.set_actions(allowed)
        for action, item in self.workflow_actions.items():
            item.setEnabled(action in allowed)
        if self.map is not None and detail is not None:
            self.map.select_case(case_id)
        if detail is not None:
            self._load_nearest_cameras(case_id, detail.row.lon, detail.row.lat)

    def _load_nearest_cameras(self, case_id: int, lon: float, lat: float) -> None:
        """The case's nearest cameras: listed by distance, ringed on the map (answered later, dropped if stale)."""
        def show(cameras: list) -> None:
            if case_id != self._current_case:
                return
            self.nearest_cameras.set_cameras(cameras, NEAREST_RADIUS_M)
            if self.map is not None:
                self.map.highlight_cameras([(c.id, c.distance_m) for c in cameras])

        self.controller.load_nearest_cameras(lon, lat, NEAREST_N, NEAREST_RADIUS_M, show)

    def _show_presence(self, case_id, text: str) -> None:  # noqa: ANN001
        if case_id == self._current_case:
            self.detail.set_presence(text)

    def actions_for(self, detail) -> list[Action]:  # noqa: ANN001
        row = detail.row
        if row.state in ("closed", "cancelled"):
            return []
        actions = allowed_actions(row.state, self.session.role, pending=row.pending, self_handled=row.self_handled)
        offered = workflow_actions()
        return [a for a in actions if a in offered]

    def request_action(self, action: Action) -> None:
        """Open the action's dialog once its choices are read (non-modal: tests drive it)."""
        if self._shown is None or action not in self.actions_for(self._shown):
            return None  # a shortcut pressed when the action is not open to this seat does nothing
        row = self._shown.row
        self._asked = (action, row)  # act on the version the operator saw, never a fresher one
        self.controller.load_choices(action, row.id, row.category_code, row.street_code)
        return None

    def _open_action_dialog(self, choices: ActionChoices) -> None:
        action, row = self._asked or (None, None)
        if row is None or choices.action != action or choices.case_id != row.id or row.id != self._current_case:
            return  # the operator moved on before the choices came
        dialog = ActionDialog(action, case_number=row.number, conditions=choices.conditions,
                              departments=choices.departments, suggested_department=choices.suggested_department,
                              categories=choices.categories,
                              conditions_for=lambda code: choices.conditions_by_category.get(code, ()),
                              current_category=row.category_code, parent=self)
        dialog.setObjectName(f"dialog_{action.value}")
        dialog.submit = lambda: self._run_action(dialog, row.number, row.version, action)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    def _run_action(self, dialog: ActionDialog, number: str, version: int, action: Action) -> object:
        value = dialog.value()
        params = ActionParams(condition_code=value.condition_code, urgency=value.urgency,
                              category_code=value.category_code, department_id=value.department_id, extension=value.extension,
                              close_type=value.close_type, reason=value.reason, reply_within=value.reply_within)
        request = self.controller.reserve()
        label = labels.action_label(action)
        self._submits[request] = (dialog, lambda done: self.tr("{action}：案件 {number} 已完成").format(
            action=label, number=done.number))  # registered before sending: a synchronous seat answers at once
        self.controller.act(number, action, version=version, note=value.note, params=params, at=self._now(),
                            request=request)
        return PENDING

    def _command_done(self, done: CommandDone) -> None:
        dialog, message = self._submits.pop(done.request, (None, None))
        if isinstance(dialog, NewCaseDialog):
            self._select_after_report = done.case_id
        self.apply_case_ids([done.case_id])
        if message is not None:
            self.statusBar().showMessage(message(done), 5000)
        if dialog is not None and shiboken6.isValid(dialog):
            dialog.submit_answered(None)

    def _command_refused(self, refused: CommandRefused) -> None:
        dialog, _action = self._submits.get(refused.request, (None, None))
        if refused.message != NO_ANSWER:
            self._submits.pop(refused.request, None)  # a timed-out command may still answer
        if refused.stale and self._current_case is not None:
            self.apply_case_ids([self._current_case])  # another seat acted first: refresh, keep nothing stale
        if dialog is None:
            QMessageBox.warning(self, self.tr("无法确认"), refused.message)
        elif shiboken6.isValid(dialog):
            dialog.submit_answered(refused.message)

    def new_case(self, lon: float | None = None, lat: float | None = None) -> None:
        """The new-case form, opened once its categories (and the district centre) are read."""
        def open_form(answer: tuple) -> None:
            categories, centre = answer
            x, y = (lon, lat) if lon is not None else centre
            dialog = NewCaseDialog(list(categories), lon=x, lat=y, parent=self)
            dialog.setObjectName("dialog_new_case")
            dialog.submit = lambda: self._report(dialog)
            dialog.finished.connect(dialog.deleteLater)
            dialog.open()

        self.controller.load_new_case_form(open_form)

    def _report(self, dialog: NewCaseDialog) -> object:
        value = dialog.value()
        request = self.controller.reserve()
        self._submits[request] = (dialog, lambda done: self.tr("案件 {number} 已登记（{source}）").format(
            number=done.number, source=labels.source_label(value.source)))
        self.controller.report_case(
            self._now(), request=request, source=value.source, lon=value.lon, lat=value.lat,
            category_code=value.category_code, description=value.description, address=value.address,
            caller_name=value.caller_name, caller_phone=value.caller_phone)
        return PENDING

    # --- status -------------------------------------------------------------------------------

    def _update_status(self) -> None:
        counts = self.queue.model.light_counts()
        self.light_label.setText("&nbsp;&nbsp;".join(
            f"<span style='color:{WORKSTATION.ink(light)}'>● {labels.light_word(light)} {counts.get(light, 0):,}</span>"
            for light in (Light.GREEN, Light.YELLOW)))
        self.red_stock.setText(self.tr("● 红灯 {n}").format(n=f"{counts.get(Light.RED, 0):,}"))
        self.day_label.setText(self._day_text(self._now().astimezone(SHANGHAI)))
        self.db_label.setText(self._db_text())
        seen = self._last_data_at.astimezone(SHANGHAI).strftime("%H:%M:%S") if self._last_data_at else "—"
        self.freshness.setText(self.tr("数据 {time}").format(time=seen))
        self.queue_dock.setWindowTitle(self.tr("案件队列 · 数据 %1").replace("%1", seen))
        self.detail_dock.setWindowTitle(self.tr("案件详情 · 数据 %1").replace("%1", seen))
        self._show_staleness()

    def _show_calendar_warning(self, changed=None) -> None:  # noqa: ANN001 - CaseRows of a delta
        """The deadlines on screen run into a year without its holiday notice: the warning stays up.

        A full reload scans every row; a delta only its rows (the latest deadline may stay
        high until the next reload: it warns too long rather than too short).
        """
        now = self._now()
        if changed is None:
            self._latest_due = max(now, self.queue.model.latest_due() or now)
        else:
            dues = [r.due_at for r in changed if r is not None and r.due_at is not None]
            self._latest_due = max([self._latest_due, now, *dues])  # set by the first (full) reload
        warning = unconfirmed_warning(self.calendar.unconfirmed_years(now, self._latest_due))
        self.calendar_label.setText(f"⚠ {warning}" if warning else "")
        self.calendar_label.setVisible(warning is not None)

    def _show_staleness(self) -> None:
        """Never pretend: a silent or broken feed puts a banner over the seat."""
        health = self.feed.health if self.feed is not None else None
        stale = health is not None and health.state != "live"
        if stale:
            age = health.age_seconds()
            since = self.tr("从未连接") if age == float("inf") else self.tr("已 {n} 秒未更新").format(n=int(age))
            self.stale_banner.setText(self.tr("⚠ 数据可能已过期：{since}，正在自动重连…  {why}").format(since=since, why=labels.feed_reason(health)))
        elif self.controller.stalled:
            self.stale_banner.setText(self.tr("⚠ 数据可能已过期：数据库无响应，正在等待…"))
        else:
            self.stale_banner.clear()  # fresh: no old warning left behind the hidden banner
        self.stale_banner.setVisible(stale or self.controller.stalled)

    def _day_text(self, now: datetime) -> str:
        """2026-12-01 周二 工作日: the date, its weekday and whether the hall's calendar works that day."""
        weekdays = (self.tr("周一"), self.tr("周二"), self.tr("周三"), self.tr("周四"), self.tr("周五"),
                    self.tr("周六"), self.tr("周日"))
        kind = self.tr("工作日") if self.calendar.is_workday(now.date()) else self.tr("休息日")
        return f"{now:%Y-%m-%d} {weekdays[now.weekday()]} {kind}"

    def _seat_title(self) -> str:
        """派遣员 李明 @ 派遣席1: the role in the operator's language, the names as the hall wrote them."""
        return self.tr("{role} {name} @ {seat}").format(role=labels.role_label(self.session.role),
                                                        name=self.session.display_name, seat=self.session.seat_name)

    def _db_text(self) -> str:
        kind = "PostgreSQL" if self.db.is_postgres else "SQLite"
        if self.feed is None:
            return self.tr("{kind} ● 本机").format(kind=kind)
        state = self.feed.health.state
        light = {"live": Light.GREEN, "stale": Light.YELLOW, "down": Light.RED}.get(state)
        colour = WORKSTATION.ink(light) if light else WORKSTATION.text["unknown"]
        words = {"live": self.tr("实时"), "stale": self.tr("数据可能过期"), "down": self.tr("连接中断")}
        return f"{kind} <span style='color:{colour}'>● {words.get(state, state)}</span>"

    def _ask_basemap(self) -> None:
        from PySide6.QtWidgets import QInputDialog

        current = basemap_setting() or ""
        text, ok = QInputDialog.getText(self, self.tr("底图设置"), self.tr(
            "内网瓦片地址（含 {z}/{x}/{y}）或本地 MBTiles 文件路径；留空则不用底图。\n重新启动后生效。"), text=current)
        if not ok:
            return
        try:
            save_basemap_setting(text.strip() or None)
        except ValueError as exc:
            QMessageBox.warning(self, self.tr("底图设置"), str(exc))

    def _about(self) -> None:
        QMessageBox.about(self, self.tr("关于"), self.tr("urban-console 数字城管监督指挥中心操作台"))

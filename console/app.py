"""Starting the Qt application: sign-in, the seat's window, offscreen screenshots."""
from __future__ import annotations

import os
from pathlib import Path

from console.services.session import CommandError, Database


def make_application(argv: list[str] | None = None):  # noqa: ANN201 - QApplication
    """One QApplication, with what QtWebEngine needs set up before it exists."""
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        flags = os.environ.get("QTWEBENGINE_CHROMIUM_FLAGS", "")
        if "--no-sandbox" not in flags:  # Chromium refuses to sandbox as root
            os.environ["QTWEBENGINE_CHROMIUM_FLAGS"] = f"{flags} --no-sandbox".strip()
    from PySide6.QtCore import QCoreApplication, Qt
    from PySide6.QtWidgets import QApplication

    from console.widgets.map_view import register_app_scheme

    app = QApplication.instance()
    if app is not None:
        return app
    register_app_scheme()
    QCoreApplication.setAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts)
    import PySide6.QtWebEngineWidgets  # noqa: F401 - must be loaded before the QApplication

    app = QApplication(argv or ["urban-console"])
    app.setApplicationName("urban-console")
    app.setOrganizationName("urban-console")
    from console.widgets.i18n import install_translator

    install_translator(app)  # --lang as the CLI stored it, else the system locale
    _set_font(app)
    return app


def _set_font(app) -> None:  # noqa: ANN001
    from PySide6.QtGui import QFont, QFontDatabase

    families = set(QFontDatabase.families())
    for name in ("Noto Sans CJK SC", "Noto Sans SC", "WenQuanYi Micro Hei", "Microsoft YaHei"):
        if name in families:
            app.setFont(QFont(name, 10))
            return


def _feed_for(db: Database, scope: str | None):  # noqa: ANN202
    from console.services.feed import ChangeFeed

    return ChangeFeed.for_database(db, scope=scope)


def run_console(db: Database, *, seat: str = "operator", user: str | None = None, screen: str | None = None) -> int:
    from PySide6.QtWidgets import QDialog

    from console.services.session import Seat

    parsed = Seat.parse(seat)
    if parsed.kind == "wall":
        return run_wall(db, user=user, screen=screen)
    app = make_application()
    dialog = sign_in_dialog(db, parsed, user)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return 0
    hall = SeatWindow(db, parsed, screen=screen)
    hall.open(dialog.session)
    return app.exec()


def run_wall(db: Database, *, user: str | None = None, screen: str | None = None) -> int:
    """The wall (大屏): it starts unattended at boot, so its wall account signs in without a password
    (accounts.wall_account: the role can do nothing) and it never signs out; frameless full screen on the
    named screen, remembered by name."""
    from console.services.session import wall_session

    session = wall_session(db, user)  # no wall account: one clear error before any window
    app = make_application()
    window = open_wall(db, session, screen=screen)
    app.setQuitOnLastWindowClosed(True)
    code = app.exec()
    window.stop()
    return code


def open_wall(db: Database, session, *, screen: str | None = None, feed=None):  # noqa: ANN001, ANN201
    from console.widgets.wall import WallPlacement, WallWindow
    from console.widgets.workstation import basemap_setting

    window = WallWindow(session, feed=feed or _feed_for(db, None), basemap=basemap_setting())
    window.placement = WallPlacement(window, screen)
    window.placement.place()
    window.start()
    keep_the_keyboard(window)  # a key pauses the rotation (已暂停) from the first minute
    return window


class SeatWindow:
    """The seat's one workstation at a time: 注销 closes it and asks who signs in next."""

    def __init__(self, db: Database, seat, *, screen: str | None = None, make_window=None) -> None:  # noqa: ANN001
        self.db, self.seat, self.screen = db, seat, screen
        self._make_window = make_window or self._full_window
        self.window = None
        self.dialog = None

    def _full_window(self, session):  # noqa: ANN001, ANN202
        from console.widgets.workstation import basemap_setting

        if session.seat.kind == "leader":
            window = _leader_window(session, _feed_for(self.db, None))
            _place(window, self.screen)
            return window
        window = _window_for(session)(session, feed=_feed_for(self.db, session.street_code), basemap=basemap_setting())
        connect_reports(window)
        _place(window, self.screen)
        return window

    def open(self, session) -> None:  # noqa: ANN001
        from PySide6.QtWidgets import QApplication

        self.window = self._make_window(session)
        self.window.sig_sign_out.connect(self.sign_in_again)
        self.window.start()
        keep_the_keyboard(self.window)
        QApplication.instance().setQuitOnLastWindowClosed(True)

    def sign_in_again(self) -> None:
        """The sign-in shows before the old window closes, so the application does not quit in between."""
        from PySide6.QtWidgets import QApplication

        app = QApplication.instance()
        app.setQuitOnLastWindowClosed(False)
        self.window.deleteLater()  # after its closeEvent has saved the layout and stopped the feed
        self.dialog = sign_in_dialog(self.db, self.seat)
        self.dialog.accepted.connect(lambda: self.open(self.dialog.session))
        self.dialog.rejected.connect(app.quit)
        self.dialog.open()


def keep_the_keyboard(window) -> None:  # noqa: ANN001 - a seat's top-level window
    """The keyboard goes to the seat at once, and again when Qt re-creates its native window.

    With no window manager (or one that leaves focus where the sign-in dialog was) nobody else
    gives it, and the operator's first key went nowhere. Qt re-creates a shown window once, when
    the map's web view brings its GL surface; the new X window has lost the focus the old had.
    """
    from PySide6.QtCore import QEvent, QObject
    from PySide6.QtWidgets import QApplication

    class _Refocus(QObject):
        def eventFilter(self, watched, event) -> bool:  # noqa: ANN001, N802 - Qt's name
            if event.type() == QEvent.Type.WinIdChange and QApplication.activeWindow() in (None, watched):
                watched.activateWindow()
            return False

    window.installEventFilter(_Refocus(window))
    window.activateWindow()


def connect_reports(window) -> None:  # noqa: ANN001 - a Workstation
    """The 报表 menu's requests open the reports (console.reports sits above the widgets)."""
    from console.reports.menu import open_report

    window.sig_report_requested.connect(lambda kind: open_report(kind, window))


def _leader_window(session, feed=None):  # noqa: ANN001, ANN202
    from console.widgets.leader import LeaderSeat

    return LeaderSeat(session, feed=feed)


def _leader_screenshot(db: Database, out: Path, size: tuple[int, int]) -> Path:
    """The leader seat offscreen, once its board has painted (no map: figures only)."""
    from PySide6.QtCore import QEventLoop, QTimer

    from console.services.session import Seat, demo_session

    window = _leader_window(demo_session(db, Seat("leader")))
    window.resize(*size)
    window.show()
    loop = QEventLoop()
    window.sig_board_shown.connect(lambda _board: QTimer.singleShot(500, loop.quit))
    QTimer.singleShot(30000, loop.quit)
    if window.board is None:
        loop.exec()
    out.parent.mkdir(parents=True, exist_ok=True)
    saved = window.grab().save(str(out))
    window.close()
    window.deleteLater()
    if not saved:
        raise CommandError(f"无法写入 {out} (cannot write the PNG)")
    return out


def _window_for(session):  # noqa: ANN001, ANN202 - the seat kind's window class
    """One line per seat kind; the operator workstation for the rest."""
    if session.seat.kind == "street":
        from console.widgets.street_seat import StreetSeat

        return StreetSeat
    from console.widgets.workstation import Workstation

    return Workstation


def sign_in_dialog(db: Database, seat, user: str | None = None):  # noqa: ANN001, ANN201
    """The sign-in dialog; on success `dialog.session` holds the Session (errors stay in the dialog)."""
    from console.services.session import sign_in
    from console.widgets.dialogs import SignInDialog

    dialog = SignInDialog(seat=seat.street_code or "")
    dialog.session = None
    if user:
        dialog.username.setText(user)  # the dialog then starts in the password field

    def submit() -> None:
        dialog.session = sign_in(db, dialog.username.text().strip(), dialog.password.text(), seat,
                                 dialog.seat.text().strip() or None)

    dialog.submit = submit
    return dialog


def _place(window, screen_name: str | None) -> None:  # noqa: ANN001
    from PySide6.QtGui import QGuiApplication

    screens = [s for s in QGuiApplication.screens() if screen_name and s.name() == screen_name]
    screen = screens[0] if screens else QGuiApplication.primaryScreen()
    window.setScreen(screen)
    window.setGeometry(screen.availableGeometry())  # fits the screen even where nothing maximizes (no window manager)
    window.showMaximized()


def screenshot(db: Database, *, view: str, out: Path, size: tuple[int, int] = (1920, 1080),
               timeout_ms: int = 30000) -> Path:
    """Render a seat offscreen, with the map loaded, and save it as a PNG."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QEventLoop, QTimer

    from console.services.session import Seat, demo_session

    seat = Seat.parse(view if view.startswith("street:") else ("operator" if view == "operator" else view))
    if seat.kind == "leader":
        make_application()
        return _leader_screenshot(db, out, size)
    if seat.kind == "wall":
        return _wall_screenshot(db, out=out, size=size, timeout_ms=timeout_ms)
    if seat.kind not in ("operator", "street"):
        raise CommandError(f"视图 {view!r} 尚不能截图 (no screenshot for this view yet)")
    make_application()
    session = demo_session(db, seat)
    window = _window_for(session)(session, feed=None)
    window.resize(*size)
    window.show()
    loop = QEventLoop()
    timer = QTimer(singleShot=True)
    timer.timeout.connect(loop.quit)
    if window.map is not None and not window.map.ready:
        window.map.sig_ready.connect(lambda: QTimer.singleShot(1500, loop.quit))  # let tiles/paths paint
        timer.start(timeout_ms)
        loop.exec()
    if window.map is not None and not window.map.ready:  # e.g. a bridge script missing from the install
        window.stop()
        window.close()
        window.deleteLater()  # no window left behind a refused screenshot
        raise CommandError(f"地图页面未能加载 (the map page did not load within {timeout_ms / 1000:g} s): "
                           "no screenshot written; reinstall urban-console")
    window.refresh_lights(window._now())
    if getattr(window, "report", True) is None:  # the street seat's figures, read on its worker
        figures = QEventLoop()
        window.sig_figures_shown.connect(lambda _report: figures.quit())
        QTimer.singleShot(timeout_ms, figures.quit)
        figures.exec()
    settle = QEventLoop()
    QTimer.singleShot(800, settle.quit)
    settle.exec()
    out.parent.mkdir(parents=True, exist_ok=True)
    if not window.grab().save(str(out)):
        raise CommandError(f"无法写入 {out} (cannot write the PNG)")
    window.stop()
    window.close()
    return out


def _wall_screenshot(db: Database, *, out: Path, size: tuple[int, int], timeout_ms: int) -> Path:
    """The wall at `size`, with its map, charts and tiles drawn from one board read (no feed)."""
    from PySide6.QtCore import QCoreApplication, QEvent, QEventLoop, QTimer

    from console.services.session import wall_session
    from console.widgets.wall import WallWindow

    make_application()
    window = WallWindow(wall_session(db), feed=None)
    window.resize(*size)
    window.show()
    window.start()
    window.rotation.stop()  # the district view, as it starts
    loop = QEventLoop()
    QTimer.singleShot(timeout_ms, loop.quit)

    def drawn() -> None:
        if window.board is not None and window.map is not None and window.map.ready:
            QTimer.singleShot(2000, loop.quit)  # let the page paint the pushed markers
    window.sig_board.connect(lambda _b: drawn())
    window.map.sig_ready.connect(drawn)
    loop.exec()
    try:
        if window.board is None or not window.map.ready:
            raise CommandError(f"大屏未能在 {timeout_ms / 1000:g} s 内画好 (the wall did not draw in time): no screenshot written")
        out.parent.mkdir(parents=True, exist_ok=True)
        if not window.grab().save(str(out)):
            raise CommandError(f"无法写入 {out} (cannot write the PNG)")
    finally:
        window.close()
        window.deleteLater()
        # now, not at exit: its map pages must go before their WebEngine profile (tech-notes section 9)
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    return out

"""The operator map: a folium page built once, then live deltas over a QWebChannel bridge.

Usage (the main window)::

    from console.widgets.map_view import CaseMapView, register_app_scheme
    register_app_scheme()            # before QApplication exists (also done at import if none yet)
    app = QApplication(sys.argv)
    view = CaseMapView(basemap=None)  # or "http://tiles.intranet/{z}/{x}/{y}.png" or Path("city.mbtiles")
    view.build(map_layers(db, scope))
    view.upsert_cases(open_case_markers(db, scope)); view.restyle_grids(grid_case_counts(db))

The page is served by the custom scheme ``app://map/`` (tech-notes §2: never
``setHtml``).  Scheme registration must precede the QApplication; if it came
too late the page falls back to a directory of files under the user cache dir
(MBTiles basemaps then need the scheme and are refused with a clear error).

Python -> JS: every public method sends one JSON message to ``ucApply`` in
resources/map/bridge/protocol.js; messages wait in Python until the page calls
``bridge.ready()`` (``loadFinished`` may fire several times).  After a render
process crash the page reloads and the current state (mirrored here) is replayed.
JS -> Python: the ``bridge`` QObject's slots emit the view's ``sig_*`` signals.

Every request the page makes is checked by a request interceptor: app:, qrc:,
file:, data:, blob: and loopback HTTP pass, so does the intranet basemap host;
anything else is blocked and recorded in ``blocked_requests``.

Teardown: the view owns its page and the page owns the view's private
QWebEngineProfile, so the page always dies before its profile (tech-notes §9).
"""
from __future__ import annotations

import json
import logging
import os
import posixpath
import re
import shutil
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any, Callable, Iterable, Optional

from PySide6.QtCore import QBuffer, QCoreApplication, QFile, QIODevice, QObject, QTimer, QUrl, Signal, Slot
from PySide6.QtWebChannel import QWebChannel
from PySide6.QtWebEngineCore import (
    QWebEnginePage,
    QWebEngineProfile,
    QWebEngineUrlRequestInfo,
    QWebEngineUrlRequestInterceptor,
    QWebEngineUrlRequestJob,
    QWebEngineUrlScheme,
    QWebEngineUrlSchemeHandler,
)
from PySide6.QtWebEngineWidgets import QWebEngineView

from console.services.read_models import CameraPoint, CaseMarker, HeatMode, MapLayers
from console.resources import resource_root
from console.services.tiles import MBTiles  # the reader lives in console.data; a basemap is the services' business
from console.widgets.map_page import Basemap, build_page_html

log = logging.getLogger(__name__)

SCHEME = b"app"
HOST = "map"
PAGE_URL = "app://map/index.html"
LOCAL_SCHEMES = frozenset({"app", "qrc", "file", "data", "blob", "about"})
LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1", "[::1]"})


def _asset_roots() -> dict[str, Traversable]:
    import xstatic.pkg.leaflet as leaflet
    import xstatic.pkg.leaflet_markercluster as markercluster

    return {"vendor/leaflet": Path(leaflet.BASE_DIR), "vendor/markercluster": Path(markercluster.BASE_DIR),
            "res": resource_root("map")}


_MIME = {".html": b"text/html;charset=utf-8", ".js": b"application/javascript", ".css": b"text/css",
         ".png": b"image/png", ".jpg": b"image/jpeg", ".jpeg": b"image/jpeg", ".webp": b"image/webp",
         ".svg": b"image/svg+xml", ".map": b"application/json", ".json": b"application/json"}


def register_app_scheme() -> bool:
    """Register the ``app`` URL scheme; call it before the QApplication is created.

    Returns True when the scheme is (now or already) registered, False when a
    QCoreApplication already exists and registration is no longer possible.
    """
    if scheme_registered():
        return True
    if QCoreApplication.instance() is not None:
        return False
    scheme = QWebEngineUrlScheme(SCHEME)
    scheme.setSyntax(QWebEngineUrlScheme.Syntax.Host)
    flags = QWebEngineUrlScheme.Flag
    scheme.setFlags(flags.SecureScheme | flags.LocalAccessAllowed | flags.CorsEnabled | flags.FetchApiAllowed
                    | flags.ContentSecurityPolicyIgnored)
    QWebEngineUrlScheme.registerScheme(scheme)
    return True


def scheme_registered() -> bool:
    return bytes(QWebEngineUrlScheme.schemeByName(SCHEME).name().data()) == SCHEME


if QCoreApplication.instance() is None:  # at import, while it is still possible
    register_app_scheme()


# --- MBTiles tiles' content types -----------------------------------------------------------


def _tile_mime(data: bytes) -> bytes:
    if data.startswith(b"\x89PNG"):
        return b"image/png"
    if data.startswith(b"\xff\xd8"):
        return b"image/jpeg"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return b"image/webp"
    return b"application/octet-stream"


# --- the app:// scheme --------------------------------------------------------------------


def _read_under(root: Traversable, relative: str) -> bytes | None:
    """The file `relative` below `root`, or None: no empty, '.' or '..' step ever leaves the root."""
    steps = relative.split("/")
    if any(step in ("", ".", "..") or "\\" in step for step in steps):
        return None
    target = root.joinpath(*steps)
    return target.read_bytes() if target.is_file() else None


class AppSchemeHandler(QWebEngineUrlSchemeHandler):
    """Serves app://map/: the page, vendored assets, our resources and MBTiles tiles."""

    def __init__(self, parent: QObject, tiles: MBTiles | None = None) -> None:
        super().__init__(parent)
        self.page = b""
        self.tiles = tiles
        self.roots = _asset_roots()

    def requestStarted(self, job: QWebEngineUrlRequestJob) -> None:  # noqa: N802 - Qt override
        url = job.requestUrl()
        data, mime = (None, b"") if url.host() != HOST else self._resolve(url.path().lstrip("/"))
        if data is None:
            log.debug("app scheme: not found %s", url.toString())
            job.fail(QWebEngineUrlRequestJob.Error.UrlNotFound)
            return
        buf = QBuffer(job)  # parented to the job: lives as long as the reply
        buf.setData(data)
        buf.open(QIODevice.OpenModeFlag.ReadOnly)
        job.reply(mime, buf)

    def _resolve(self, path: str) -> tuple[bytes | None, bytes]:
        if path in ("", "index.html"):
            return self.page, _MIME[".html"]
        if path.startswith("tiles/"):
            return self._tile(path)
        if path == "qwebchannel.js":
            f = QFile(":/qtwebchannel/qwebchannel.js")
            if f.open(QIODevice.OpenModeFlag.ReadOnly):
                return bytes(f.readAll().data()), _MIME[".js"]
        for prefix, root in self.roots.items():
            if path.startswith(prefix + "/"):
                data = _read_under(root, path[len(prefix) + 1:])
                if data is not None:
                    return data, _MIME.get(posixpath.splitext(path)[1], b"application/octet-stream")
        return None, b""

    def _tile(self, path: str) -> tuple[bytes | None, bytes]:
        match = re.fullmatch(r"tiles/(\d+)/(\d+)/(\d+)(?:\.\w+)?", path)
        if not match or self.tiles is None:
            return None, b""
        data = self.tiles.tile(*(int(v) for v in match.groups()))
        return (data, _tile_mime(data)) if data else (None, b"")


# --- the request interceptor: nothing leaves the machine ----------------------------------


def _host_pattern(url_template: str) -> re.Pattern[str] | None:
    if "://" not in url_template:
        return None
    host = url_template.split("://", 1)[1].split("/", 1)[0].split(":", 1)[0].lower()
    return re.compile(re.escape(host).replace(r"\{s\}", r"[a-z0-9-]+") + r"\Z")


class LocalOnlyInterceptor(QWebEngineUrlRequestInterceptor):
    """Blocks and records every request that would leave the machine."""

    def __init__(self, parent: QObject, blocked: list[str], allowed_host: re.Pattern[str] | None = None) -> None:
        super().__init__(parent)
        self.blocked = blocked
        self.allowed_host = allowed_host

    def allows(self, url: QUrl) -> bool:
        scheme, host = url.scheme().lower(), url.host().lower()
        if scheme in LOCAL_SCHEMES:
            return True
        if scheme in ("http", "https", "ws", "wss"):
            return host in LOOPBACK_HOSTS or bool(self.allowed_host and self.allowed_host.match(host))
        return False

    def interceptRequest(self, info: QWebEngineUrlRequestInfo) -> None:  # noqa: N802 - Qt override
        url = info.requestUrl()
        if not self.allows(url):
            info.block(True)
            self.blocked.append(url.toString())
            log.warning("map: blocked a request leaving the machine: %s", url.toString())


# --- JS -> Python ------------------------------------------------------------------------


class MapBridge(QObject):
    """The QWebChannel object ``bridge``: protocol.js calls these slots."""

    def __init__(self, view: "CaseMapView", parent: QObject) -> None:
        super().__init__(parent)
        self._view = view

    @Slot()
    def ready(self) -> None:
        self._view._on_js_ready()

    @Slot(int)
    def caseClicked(self, case_id: int) -> None:  # noqa: N802 - JS-facing name
        self._view.sig_case_clicked.emit(int(case_id))

    @Slot(str)
    def gridClicked(self, code: str) -> None:  # noqa: N802
        self._view.sig_grid_clicked.emit(code)

    @Slot(float, float)
    def newCaseAt(self, lon: float, lat: float) -> None:  # noqa: N802
        self._view.sig_new_case_at.emit(float(lon), float(lat))

    @Slot(bool)
    def autoFitChanged(self, on: bool) -> None:  # noqa: N802
        self._view._on_js_auto_fit(bool(on))

    @Slot(bool)
    def camerasToggled(self, on: bool) -> None:  # noqa: N802
        self._view._on_js_cameras(bool(on))


class MapPage(QWebEnginePage):
    """The map's page; JS console errors go to the log and to ``console_errors``."""

    def __init__(self, profile: QWebEngineProfile, parent: QObject, errors: list[str]) -> None:
        super().__init__(profile, parent)
        self._errors = errors

    def javaScriptConsoleMessage(self, level, message: str, line: int, source: str) -> None:  # noqa: N802
        if level == QWebEnginePage.JavaScriptConsoleMessageLevel.ErrorMessageLevel:
            self._errors.append(f"{source}:{line}: {message}")
            log.error("map JS: %s (%s:%s)", message, source, line)
        else:
            log.debug("map JS: %s", message)


# --- the view ------------------------------------------------------------------------------


def _parse_basemap(basemap: str | os.PathLike[str] | None) -> tuple[Basemap | None, MBTiles | None]:
    if basemap is None:
        return None, None
    text = os.fspath(basemap)
    if re.match(r"https?://", text, re.I):
        if "{z}" not in text or "{x}" not in text or "{y}" not in text:
            raise ValueError(f"basemap URL must be an XYZ template with {{z}}/{{x}}/{{y}}: {text}")
        return Basemap(text, QCoreApplication.translate("CaseMapView", "内网底图")), None
    if text.lower().endswith(".mbtiles"):
        tiles = MBTiles(Path(text))
        name = tiles.metadata.get("attribution") or tiles.metadata.get("name") \
            or QCoreApplication.translate("CaseMapView", "本地底图")
        return Basemap("tiles/{z}/{x}/{y}", name, tiles.max_zoom), tiles
    raise ValueError(f"basemap must be None, an http(s) XYZ URL template or a .mbtiles file: {text!r}")


def _case_row(c: CaseMarker) -> list[Any]:
    return [c.id, c.number, c.lon, c.lat, c.light, c.category, c.grid_code]


def _camera_row(c: CameraPoint) -> list[Any]:
    return [c.id, c.name, c.lon, c.lat, c.status]


JsCallback = Optional[Callable[[Any], None]]


class CaseMapView(QWebEngineView):
    """The operator map: streets, communities, grids, case lights, cameras, grid heat."""

    sig_ready = Signal()
    """The page is loaded and the bridge is up (emitted after each (re)load)."""

    sig_case_clicked = Signal(int)
    """The operator clicked a case marker; the argument is the case id."""

    sig_grid_clicked = Signal(str)
    """The operator clicked a unit grid; the argument is its 15-digit code."""

    sig_new_case_at = Signal(float, float)
    """The operator right-clicked the map to report a new case at (lon, lat)."""

    sig_auto_fit_changed = Signal(bool)
    """Auto-fit turned off (the operator panned, zoomed or selected a case) or back on."""

    sig_cameras_toggled = Signal(bool)
    """The operator showed (True) or hid the cameras with the map's layer switch."""

    def __init__(self, parent=None, *, basemap: str | os.PathLike[str] | None = None,
                 fit_whole_city: bool = False) -> None:
        basemap_spec, tiles = _parse_basemap(basemap)  # checked before any widget exists
        if tiles is not None and not scheme_registered():
            tiles.close()
            raise RuntimeError("an MBTiles basemap needs the app:// scheme: call register_app_scheme() "
                               "before the QApplication is created")
        super().__init__(parent)
        self.blocked_requests: list[str] = []
        self.console_errors: list[str] = []
        self.page_html = ""
        self._basemap, self._tiles = basemap_spec, tiles
        self._use_scheme = scheme_registered()
        self._ready = False
        self._ever_ready = False
        self._pending: list[tuple[dict[str, Any], JsCallback]] = []
        # ops sent while the page is up go out together at the end of the event-loop turn: one
        # runJavaScript (~4 ms of the UI thread each, measured in bench_feed --seat) per turn, not per op
        self._outbox: list[tuple[dict[str, Any], JsCallback]] = []
        self._flush_timer = QTimer(self)
        self._flush_timer.setSingleShot(True)
        self._flush_timer.setInterval(0)
        self._flush_timer.timeout.connect(self.flush)
        self._cases: dict[int, CaseMarker] = {}
        self._cameras: list[CameraPoint] = []
        self._highlight: list[list[Any]] = []  # the nearest cameras ringed: [id, label]
        self._counts: dict[str, int] = {}
        self._mode: HeatMode = "open"
        self._selected: int | None = None
        self._auto_fit = True
        self._cameras_shown = False  # the page starts with cameras hidden
        self._focus: str | None = None
        self._fit_whole_city = fit_whole_city  # the wall: a fit shows every grid, beside the legend
        self._file_dir: Path | None = None
        self._setup_page(_host_pattern(self._basemap.url) if self._basemap else None)
        if fit_whole_city:
            self._send({"op": "fit_whole_city", "on": True}, None)

    def _setup_page(self, allowed_host: re.Pattern[str] | None) -> None:
        # The page owns the profile, so the page is always deleted first.
        profile = QWebEngineProfile()  # off the record: no disk cache, no cookies on disk
        page = MapPage(profile, self, self.console_errors)
        profile.setParent(page)
        self._interceptor = LocalOnlyInterceptor(profile, self.blocked_requests, allowed_host)
        profile.setUrlRequestInterceptor(self._interceptor)
        self._handler = AppSchemeHandler(profile, self._tiles)
        if self._use_scheme:
            profile.installUrlSchemeHandler(SCHEME, self._handler)
        self._channel = QWebChannel(page)
        self._bridge = MapBridge(self, self._channel)
        self._channel.registerObject("bridge", self._bridge)
        page.setWebChannel(self._channel)
        page.renderProcessTerminated.connect(self._on_render_crash)
        self._profile = profile
        self.setPage(page)

    # --- building ---------------------------------------------------------------------

    def build(self, layers: MapLayers, *, bake_cases: list[CaseMarker] | None = None,
              page_html: str | None = None) -> None:
        """Build the page once per session from the static layers, and load it.

        `bake_cases` writes markers into the page itself: only the benchmark
        uses it, to time the page regeneration the delta API avoids.
        `page_html`: the page `page_builder()` made of these layers already (off the UI thread).
        """
        self.page_html = page_html or build_page_html(layers, basemap=self._basemap, cases=bake_cases)
        if bake_cases is not None:
            self._cases.clear()  # baked markers are the page's own: nothing to replay
        self._ready = False
        if layers.cameras and not self._cameras:
            self.set_cameras(layers.cameras)
        self._load()

    def page_builder(self, theme=None) -> Callable[[MapLayers], str]:  # noqa: ANN001 - a widgets.theme.Theme
        """`layers -> page HTML` for this view's basemap (and `theme`: the wall's dark one): pure, for a
        worker thread (seconds on a metro)."""
        basemap = self._basemap
        return lambda layers: build_page_html(layers, basemap=basemap, theme=theme)

    def _load(self) -> None:
        if self._use_scheme:
            self._handler.page = self.page_html.encode("utf-8")
            self.load(QUrl(PAGE_URL))
            return
        self.load(QUrl.fromLocalFile(str(self._write_files())))

    def _write_files(self) -> Path:
        """Fallback without the scheme: the page and its assets in a cache directory."""
        from platformdirs import user_cache_dir

        base = Path(user_cache_dir("urban-console", appauthor=False)) / "map" / f"page-{os.getpid()}-{id(self):x}"
        for prefix, root in _asset_roots().items():
            with resources.as_file(root) as folder:  # a real folder even when the package is zipped
                shutil.copytree(folder, base / prefix, dirs_exist_ok=True)
        (base / "index.html").write_text(self.page_html, encoding="utf-8")
        self._file_dir = base
        return base / "index.html"

    # --- Python -> JS -----------------------------------------------------------------

    @property
    def ready(self) -> bool:
        return self._ready

    @property
    def auto_fit(self) -> bool:
        return self._auto_fit

    def upsert_cases(self, markers: Iterable[CaseMarker], on_done: JsCallback = None) -> None:
        """Add new case markers and update known ones (light, position, category)."""
        rows = []
        for c in markers:
            self._cases[c.id] = c
            rows.append(_case_row(c))
        self._send({"op": "upsert_cases", "cases": rows}, on_done)

    def sync_cases(self, markers: Iterable[CaseMarker]) -> None:
        """Show exactly these markers, sending the page only what differs from what it shows.

        The wall hands over its whole board every read; most markers are as they were,
        and re-sending them all cost the page (and the loop) a full restyle each time.
        """
        wanted = {c.id: c for c in markers}
        gone = [i for i in self._cases if i not in wanted]
        changed = [c for i, c in wanted.items() if self._cases.get(i) != c]
        if gone:
            self.remove_cases(gone)
        if changed:
            self.upsert_cases(changed)

    def sync_heat(self, counts: dict[str, int], mode: HeatMode = "open") -> None:
        """Grid heat as `restyle_grids`, sent only when it differs from what the page shows."""
        if (dict(counts), mode) != (self._counts, self._mode):
            self.restyle_grids(counts, mode)

    def remove_cases(self, ids: Iterable[int], on_done: JsCallback = None) -> None:
        """Remove case markers (closed, cancelled or out of scope)."""
        ids = [int(i) for i in ids]
        for i in ids:
            self._cases.pop(i, None)
        if self._selected in ids:
            self._selected = None
        self._send({"op": "remove_cases", "ids": ids}, on_done)

    def restyle_grids(self, counts: dict[str, int], mode: HeatMode = "open", on_done: JsCallback = None) -> None:
        """Grid heat: per-grid counts of open (未结) or overdue (超期) cases; grids not named have 0."""
        if mode not in ("open", "overdue"):
            raise ValueError(f"grid heat mode {mode!r} unknown; use 'open' or 'overdue'")
        self._counts, self._mode = dict(counts), mode
        self._send({"op": "restyle_grids", "counts": self._counts, "mode": mode}, on_done)

    def set_cameras(self, cameras: Iterable[CameraPoint], on_done: JsCallback = None) -> None:
        """Replace the camera points (status online / offline / fault)."""
        self._cameras = list(cameras)
        self._send({"op": "set_cameras", "cameras": [_camera_row(c) for c in self._cameras]}, on_done)


    def update_cameras(self, cameras: Iterable[CameraPoint], on_done: JsCallback = None) -> None:
        """A delta: these cameras changed (status from the feed) or are new."""
        cameras = list(cameras)
        if not cameras:
            return
        changed = {c.id: c for c in cameras}
        self._cameras = [changed.pop(c.id, c) for c in self._cameras] + list(changed.values())
        rows = [_camera_row(c) for c in cameras]
        self._send({"op": "update_cameras", "cameras": rows}, on_done)

    def highlight_cameras(self, nearest: Iterable[tuple[str, float]], on_done: JsCallback = None) -> None:
        """Ring the nearest cameras of a case, each labelled with its rank and distance ([] clears)."""
        template = QCoreApplication.translate("MapPage", "{rank} · {metres} 米")
        self._highlight = [[cid, template.format(rank=i, metres=f"{metres:.0f}")]
                           for i, (cid, metres) in enumerate(nearest, start=1)]
        self._send({"op": "highlight_cameras", "cameras": self._highlight}, on_done)
    def select_case(self, case_id: int | None, on_done: JsCallback = None) -> None:
        """Centre the map on a case and highlight it (None clears); pauses auto-fit."""
        self._selected = case_id
        self._send({"op": "select_case", "id": case_id}, on_done)

    def set_auto_fit(self, on: bool, on_done: JsCallback = None) -> None:
        """Resume (True) or stop (False) fitting the view to the cases after each delta."""
        self._set_auto_fit_flag(bool(on))
        self._send({"op": "set_auto_fit", "on": bool(on)}, on_done)

    @property
    def cameras_shown(self) -> bool:
        return self._cameras_shown

    @property
    def focus(self) -> str | None:
        return self._focus

    def show_cameras(self, on: bool, on_done: JsCallback = None) -> None:
        """Show or hide the camera layer (hidden when the page loads)."""
        self._cameras_shown = bool(on)
        self._send({"op": "show_cameras", "on": self._cameras_shown}, on_done)

    def focus_area(self, code: str | None, on_done: JsCallback = None) -> None:
        """Outline and fit one street or community (the queue's filter); None: the whole map again.

        Cases outside the area stay on the map, faded; fitting resumes auto-fit.
        """
        self._focus = code or None
        self._send({"op": "focus_area", "code": self._focus}, on_done)

    def fit(self, on_done: JsCallback = None) -> None:
        """Fit the view to the cases (or the grids) once, whatever the auto-fit flag."""
        self._send({"op": "fit"}, on_done)

    def _send(self, msg: dict[str, Any], on_done: JsCallback) -> None:
        if not self._ready:
            self._pending.append((msg, on_done))
            return
        if msg["op"] == "restyle_grids":  # only the newest heat matters: an older one still waiting goes
            self._outbox = [(m, cb) for m, cb in self._outbox if m["op"] != "restyle_grids" or cb is not None]
        self._outbox.append((msg, on_done))
        if not self._flush_timer.isActive():
            self._flush_timer.start()

    def flush(self) -> None:
        """Send the ops waiting in the outbox now, in order, as one ucApplyAll."""
        self._flush_timer.stop()
        outbox, self._outbox = self._outbox, []
        if not outbox or not self._ready:
            self._pending.extend(outbox)  # the page went away (render crash): replayed when it is back
            return
        if len(outbox) == 1:
            msg, on_done = outbox[0]
            self._run_json(f"ucApply({json.dumps(msg, ensure_ascii=False)})", self._checked(msg["op"], on_done))
            return
        msgs = json.dumps([msg for msg, _ in outbox], ensure_ascii=False)
        callbacks = [self._checked(msg["op"], cb) for msg, cb in outbox]
        self._run_json(f"ucApplyAll({msgs})", lambda results: self._deliver(callbacks, results))

    def _checked(self, op: str, on_done: JsCallback) -> Callable[[Any], None]:
        """A result callback that logs and records a failed op, then calls `on_done`."""
        def check(result: Any) -> None:
            if isinstance(result, dict) and "error" in result:
                self.console_errors.append(f"map op {op}: {result['error']}")
                log.error("map op %s failed in the page: %s", op, result["error"])
            if on_done is not None:
                on_done(result)
        return check

    def _run_json(self, script: str, callback: JsCallback) -> None:
        if self._outbox and not script.startswith("ucApply"):
            self.flush()  # a read or a script of the caller's sees every op sent before it
        if callback is None:
            self.page().runJavaScript(script, 0)
            return
        self.page().runJavaScript(script, 0, lambda text: callback(json.loads(text) if text else None))

    def js_state(self, callback: Callable[[dict], None], *, ids: bool = False,
                 grids: Iterable[str] | None = None, case: int | None = None) -> None:
        """Read the map's JS state back (tests, diagnostics): counts by light, selection, auto-fit, ..."""
        opts: dict[str, Any] = {"ids": ids}
        if grids is not None:
            opts["grids"] = list(grids)
        if case is not None:
            opts["case"] = case
        self._run_json(f"ucState({json.dumps(opts)})", callback)

    def run_js(self, script: str, callback: JsCallback = None) -> None:
        """Run JS in the page; the script's value must be JSON text (JSON.stringify) for `callback`."""
        self._run_json(script, callback)

    # --- JS -> Python -----------------------------------------------------------------

    def _on_js_ready(self) -> None:
        if self._ever_ready:  # a reload (render process crash): replay the mirrored state
            self._pending = [(msg, None) for msg in self._snapshot()]
        self._ready = self._ever_ready = True
        pending, self._pending = self._pending, []
        if pending:
            msgs = json.dumps([msg for msg, _ in pending], ensure_ascii=False)
            callbacks = [self._checked(msg["op"], cb) for msg, cb in pending]
            self._run_json(f"ucApplyAll({msgs})", lambda results: self._deliver(callbacks, results))
        self.sig_ready.emit()

    @staticmethod
    def _deliver(callbacks: list[JsCallback], results: list[Any] | None) -> None:
        for cb, result in zip(callbacks, results or [None] * len(callbacks)):
            if cb is not None:
                cb(result)

    def _snapshot(self) -> list[dict[str, Any]]:
        msgs: list[dict[str, Any]] = [
            {"op": "restyle_grids", "counts": self._counts, "mode": self._mode},
            {"op": "set_cameras", "cameras": [_camera_row(c) for c in self._cameras]},
            {"op": "upsert_cases", "cases": [_case_row(c) for c in self._cases.values()]},
        ]
        msgs.append({"op": "show_cameras", "on": self._cameras_shown})
        if self._highlight:
            msgs.append({"op": "highlight_cameras", "cameras": self._highlight})
        if self._focus is not None:
            msgs.append({"op": "focus_area", "code": self._focus})
        if self._selected is not None:
            msgs.append({"op": "select_case", "id": self._selected})
        if self._fit_whole_city:
            msgs.append({"op": "fit_whole_city", "on": True})
        msgs.append({"op": "set_auto_fit", "on": self._auto_fit})
        return msgs

    def pushed_state(self) -> str:
        """Everything this view has sent the page, as the JSON it replays after a reload (privacy checks)."""
        return json.dumps(self._snapshot(), ensure_ascii=False)

    def _on_js_auto_fit(self, on: bool) -> None:
        self._set_auto_fit_flag(on)

    def _on_js_cameras(self, on: bool) -> None:
        if on != self._cameras_shown:
            self._cameras_shown = on
            self.sig_cameras_toggled.emit(on)

    def _set_auto_fit_flag(self, on: bool) -> None:
        if on != self._auto_fit:
            self._auto_fit = on
            self.sig_auto_fit_changed.emit(on)

    def _on_render_crash(self, status, code: int) -> None:  # noqa: ANN001
        if status == QWebEnginePage.RenderProcessTerminationStatus.NormalTerminationStatus:
            return
        log.error("map render process ended (%s, exit %s); reloading the map page", status, code)
        self._ready = False
        if self.page_html:
            self._load()

    def closeEvent(self, event) -> None:  # noqa: N802, ANN001
        if self._tiles is not None:
            self._tiles.close()
            self._tiles = None
            self._handler.tiles = None
        if self._file_dir is not None:
            shutil.rmtree(self._file_dir, ignore_errors=True)
            self._file_dir = None
        super().closeEvent(event)

"""One camera's view (视频点位): title, redacted stream URL, status word, the picture, snapshot, errors.

The view gets a camera read model and a player from the seat's VideoService; it shows the
URL only as `redact_url` gives it.  Keyboard: Ctrl+S takes a snapshot, F9 files a case
from this camera (视频巡查), both also as buttons.
"""
from __future__ import annotations

from typing import Optional

from PySide6.QtCore import QRect, QSize, Qt, Signal
from PySide6.QtGui import QColor, QKeySequence, QPainter, QShortcut
from PySide6.QtMultimedia import QVideoFrame, QVideoSink
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSizePolicy, QVBoxLayout, QWidget

from console.domain.video import Frame, camera_id_fields
from console.services.read_models import CameraInfo
from console.services.video import CONNECTING, FAILED, PLAYING, RETRYING, VideoService, VideoSource
from console.widgets import labels
from console.widgets.theme import WORKSTATION, Theme

STATUS_MARKS = labels.CAMERA_STATUS_MARKS  # never colour alone: a mark and the word


class VideoPicture(QWidget):
    """The picture: paints the sink's latest frame itself (so grab() and offscreen renders show it),
    keeping that one frame only."""

    def __init__(self, background: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("video_picture")
        self._background = QColor(background)
        self._sink = QVideoSink(self)
        self._frame: QVideoFrame | None = None
        self._sink.videoFrameChanged.connect(self._on_frame)

    def videoSink(self) -> QVideoSink:  # noqa: N802 - QVideoWidget's name, so a source takes either
        return self._sink

    def _on_frame(self, frame: QVideoFrame) -> None:
        self._frame = frame if frame.isValid() else None
        self.update()

    def clear(self) -> None:
        self._frame = None
        self.update()

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        return QSize(320, 180)

    def paintEvent(self, _event) -> None:  # noqa: ANN001, N802 - Qt override
        painter = QPainter(self)
        painter.fillRect(self.rect(), self._background)
        frame = self._frame
        if frame is not None and frame.isValid():
            size = frame.size().scaled(self.size(), Qt.AspectRatioMode.KeepAspectRatio)
            target = QRect(0, 0, size.width(), size.height())
            target.moveCenter(self.rect().center())
            frame.paint(painter, target.toRectF(), QVideoFrame.PaintOptions())  # cheaper than toImage + drawImage
        painter.end()


class VideoView(QWidget):
    """One camera: its picture and what the operator needs to trust it."""

    sig_snapshot = Signal(object, object)
    """(CameraInfo, Frame): the operator took a snapshot of a real picture."""
    sig_report = Signal(object, object)
    """(CameraInfo, Frame): file a case from this camera (视频巡查)."""

    def __init__(self, service: VideoService, *, theme: Theme = WORKSTATION, compact: bool = False,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("video_view")
        self._service, self._theme, self._compact = service, theme, compact
        self.camera: Optional[CameraInfo] = None
        self.source: Optional[VideoSource] = None
        self.title = self._label("video_title", theme.large_size, bold=True)
        self.url = self._label("video_url", theme.small_size, colour=theme.text["secondary"])
        self.status = self._label("video_status", theme.font_size)
        self.status.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)  # the word always shows
        self.id_fields = self._label("video_id_fields", theme.small_size, colour=theme.text["secondary"])
        self.id_fields.setWordWrap(True)
        self.picture = VideoPicture(theme.text["video"])
        self.picture.setMinimumSize(160, 90)
        self.picture.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.error = self._label("video_error", theme.font_size, colour=theme.text["error"])
        self.error.setWordWrap(True)
        self.snapshot_button = QPushButton(self.tr("截图取证 (Ctrl+S)"))
        self.snapshot_button.setObjectName("snapshot")
        self.snapshot_button.clicked.connect(self.take_snapshot)
        self.report_button = QPushButton(self.tr("视频巡查上报 (F9)"))
        self.report_button.setObjectName("video_report")
        self.report_button.clicked.connect(self.report)
        self._layout()
        for keys, slot in (("Ctrl+S", self.take_snapshot), ("F9", self.report)):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setStyleSheet(f"#video_view {{ background: {theme.text['background']}; }}")

    def _label(self, name: str, size: int, *, bold: bool = False, colour: str | None = None) -> QLabel:
        label = QLabel()
        label.setObjectName(name)
        label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)  # long names never widen a wall
        weight = "bold" if bold else "normal"
        label.setStyleSheet(f"font-size: {size}px; font-weight: {weight}; color: {colour or self._theme.text['ink']};"
                            f" font-family: {self._theme.font_family};")
        return label

    def _layout(self) -> None:
        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(self.status)
        box = QVBoxLayout(self)
        box.setContentsMargins(4, 4, 4, 4)
        box.addLayout(top)
        box.addWidget(self.url)
        if not self._compact:
            box.addWidget(self.id_fields)
        box.addWidget(self.picture, 1)
        box.addWidget(self.error)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.snapshot_button)
        buttons.addWidget(self.report_button)
        box.addLayout(buttons)
        self.snapshot_button.setVisible(not self._compact)
        self.report_button.setVisible(not self._compact)

    # --- the camera ----------------------------------------------------------------------------
    def set_camera(self, camera: CameraInfo | None) -> None:
        """Show this camera and start its stream (None: stop and clear)."""
        self._release()
        self.camera = camera
        self.error.clear()
        if camera is None:
            for label in (self.title, self.url, self.status, self.id_fields):
                label.clear()
            self.picture.clear()
            return
        url = camera.display_url or self.tr("（无视频流地址）")
        if self._compact:  # a wall cell: the name big, the ID with the URL below
            self.title.setText(camera.name)
            self.url.setText(self.tr("{id} · {url}").format(id=camera.id, url=url))
        else:
            self.title.setText(self.tr("{name} · {id}").format(name=camera.name, id=camera.id))
            self.url.setText(url)
        self.id_fields.setText(self._fields_text(camera.id))
        self._show_status()
        self.source = self._service.acquire()
        if self.source is None:
            self.error.setText(self.tr("同时播放路数已达上限，请先关闭其他画面 (player limit reached)"))
            return
        self.source.set_output(self.picture.videoSink())
        self.source.sig_state.connect(self._on_state)
        self.source.sig_error.connect(self.error.setText)
        self.source.open(camera.stream_url or "")

    def set_status(self, status: str) -> None:
        """The camera's status changed (the feed): the word and colour follow."""
        if self.camera is not None:
            from dataclasses import replace

            self.camera = replace(self.camera, status=status)
            self._show_status()

    def _fields_text(self, camera_id: str) -> str:
        try:
            fields = camera_id_fields(camera_id)
        except ValueError:
            return ""
        parts = [f"{labels.label('CameraIdField', f.key)} {f.digits}" + (f" {f.meaning}" if f.meaning else "")
                 for f in fields]
        return " · ".join(parts)

    def _show_status(self) -> None:
        status = self.camera.status if self.camera else "offline"
        colour = self._theme.cameras.get(status, self._theme.cameras["offline"])
        playing = {CONNECTING: self.tr("连接中"), PLAYING: self.tr("播放中"), RETRYING: self.tr("重连中"),
                   FAILED: self.tr("无法播放")}.get(self.source.state if self.source else "", "")
        word = labels.camera_status_label(status)
        text = f"{STATUS_MARKS.get(status, '?')} {word}" + (f" · {playing}" if playing else "")
        self.status.setText(text)
        self.status.setStyleSheet(f"color: {colour}; font-size: {self._theme.font_size}px; font-weight: bold;")

    def _on_state(self, state: str) -> None:
        if state == PLAYING:
            self.error.clear()
        elif state == RETRYING and self.source is not None:
            self.error.setText(self.tr("{error}；{s} 秒后重连").format(error=self.source.last_error,
                                                                     s=f"{self.source.retry_delay_ms / 1000:g}"))
        self._show_status()

    # --- actions -------------------------------------------------------------------------------
    def grab_frame(self) -> Frame | None:
        """The picture on screen as evidence, or None with the reason shown."""
        grab = self.source.grab() if self.source is not None else None
        if grab is None:
            self.error.setText(self.tr("还没有画面，不能截图 (no picture yet)"))
            return None
        if grab.blank:
            self.error.setText(self.tr("画面为空白或默认图，不能作为证据 (blank or default image: not evidence)"))
            return None
        return grab

    def take_snapshot(self) -> None:
        grab = self.grab_frame()
        if grab is not None and self.camera is not None:
            self.sig_snapshot.emit(self.camera, grab)

    def report(self) -> None:
        grab = self.grab_frame()
        if grab is not None and self.camera is not None:
            self.sig_report.emit(self.camera, grab)

    def _release(self) -> None:
        if self.source is not None:
            self.source.sig_state.disconnect(self._on_state)
            self.source.sig_error.disconnect(self.error.setText)
            self._service.release(self.source)
            self.source = None

    def closeEvent(self, event) -> None:  # noqa: ANN001, N802 - Qt override
        self._release()
        super().closeEvent(event)

    def shutdown(self) -> None:
        """Stop the stream and give the player back (call before deleting the view)."""
        self._release()

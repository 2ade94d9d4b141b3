"""Video sources (视频): one QMediaPlayer per camera shown, into a QVideoSink, with a cap on how many play.

A `VideoSource` opens a stream (RTSP, HTTP, a file), counts its frames, keeps no frame
(frames are expensive to hold: a snapshot converts the current one at once), and never
hangs: its own QTimer refuses a stream that gives no frame within the network timeout,
then it retries with back-off (1 s, 2 s, 4 s ... capped).  Low-latency options
(QPlaybackOptions: LowLatencyStreaming, networkTimeout) are used where Qt has them
(Qt >= 6.10, the FFmpeg backend); before that Qt has no public latency control.

`VideoService` hands out sources up to the hall's cap (setting video/max_players, 9);
the stream URL reaches the player only: every text says `redact_url(url)`.
"""
from __future__ import annotations

import time
from datetime import datetime, timezone
from typing import Iterator, Optional

from PySide6 import QtMultimedia
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QObject, QTimer, QUrl, Signal
from PySide6.QtGui import QImage
from PySide6.QtMultimedia import QMediaPlayer, QVideoFrame, QVideoSink

from console.domain.video import Frame, is_live_stream, redact_url, retry_delays_ms, stream_scheme

NETWORK_TIMEOUT_MS = 5000  # no first frame by then: the stream is called unreachable
RETRY_FIRST_MS = 1000
RETRY_CAP_MS = 30_000
DEFAULT_MAX_PLAYERS = 9
PNG_QUALITY = 80  # Qt's PNG "quality" is its compression: 80 writes a 320x180 frame in ~14 ms, the default ~45 ms
SAMPLE_SIZE = (32, 24)  # the grey thumbnail a snapshot is judged blank by
HAS_PLAYBACK_OPTIONS = hasattr(QtMultimedia, "QPlaybackOptions") and hasattr(QMediaPlayer, "setPlaybackOptions")

# The player's states as the views show them.
IDLE, CONNECTING, PLAYING, RETRYING, FAILED = "idle", "connecting", "playing", "retrying", "failed"


def frame_grab(frame: QVideoFrame | None) -> Frame | None:
    """PNG and grey samples of a frame; None when there is no valid frame."""
    if frame is None or not frame.isValid():
        return None
    image = frame.toImage()
    if image.isNull():
        return None
    return image_grab(image)


def image_grab(image: QImage) -> Frame:
    grey = image.scaled(*SAMPLE_SIZE).convertToFormat(QImage.Format.Format_Grayscale8)
    row = grey.bytesPerLine()
    data = bytes(grey.constBits())
    samples = tuple(data[y * row + x] for y in range(grey.height()) for x in range(grey.width()))
    buf = QByteArray()
    device = QBuffer(buf)
    device.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(device, "PNG", PNG_QUALITY)
    device.close()
    return Frame(bytes(buf.data()), samples, datetime.now(timezone.utc), image.width(), image.height())


def _qurl(url: str) -> QUrl:
    return QUrl.fromLocalFile(url) if stream_scheme(url) == "file" and "://" not in url else QUrl(url)


class VideoSource(QObject):
    """One camera's player: open, frames, errors with a timeout, retries with back-off."""

    sig_state = Signal(str)
    """idle | connecting | playing | retrying | failed."""
    sig_error = Signal(str)
    """One line for the operator (Chinese + English), the URL redacted."""
    sig_first_frame = Signal(float)
    """Seconds from open() to the first frame."""
    sig_frame = Signal(int)
    """Frames seen since open() (emitted every `frame_signal_every` frames)."""

    def __init__(self, *, network_timeout_ms: int = NETWORK_TIMEOUT_MS, retry_first_ms: int = RETRY_FIRST_MS,
                 retry_cap_ms: int = RETRY_CAP_MS, max_retries: int | None = None, frame_signal_every: int = 1,
                 low_latency: bool = True, parent: QObject | None = None) -> None:
        super().__init__(parent)
        # LowLatencyStreaming for live streams; measured (bench_video) it opens RTSP ~1.8 s later
        self.low_latency = low_latency
        self.network_timeout_ms = network_timeout_ms
        self._retry = (retry_first_ms, retry_cap_ms)
        self.max_retries = max_retries
        self.frame_signal_every = max(1, frame_signal_every)
        self._player = QMediaPlayer(self)
        self._own_sink = QVideoSink(self)
        self._sink: QVideoSink = self._own_sink
        self._player.setVideoOutput(self._sink)
        self._player.errorOccurred.connect(self._on_error)
        self._player.mediaStatusChanged.connect(self._on_status)
        self._sink.videoFrameChanged.connect(self._on_frame)
        self._timeout = self._timer(self._on_timeout)
        self._retry_timer = self._timer(self._reopen)
        self._url = ""
        self._state = IDLE
        self._delays: Iterator[int] = iter(())
        self.frames = 0
        self.retries = 0
        self.last_error = ""
        self._opened_at = 0.0
        self.first_frame_s: Optional[float] = None
        self.retry_delay_ms = 0  # the back-off of the retry last scheduled

    def _timer(self, slot) -> QTimer:  # noqa: ANN001
        timer = QTimer(self)
        timer.setSingleShot(True)
        timer.timeout.connect(slot)
        return timer

    # --- what the views read -----------------------------------------------------------------
    @property
    def state(self) -> str:
        return self._state

    @property
    def display_url(self) -> str:
        return redact_url(self._url)

    @property
    def sink(self) -> QVideoSink:
        return self._sink

    @property
    def player(self) -> QMediaPlayer:
        return self._player

    def set_output(self, sink: QVideoSink | None) -> None:
        """Show the picture in a view's sink (a QVideoWidget's); None: back to the source's own."""
        self._sink.videoFrameChanged.disconnect(self._on_frame)
        self._sink = sink or self._own_sink
        self._sink.videoFrameChanged.connect(self._on_frame)
        self._player.setVideoOutput(self._sink)

    # --- playing -----------------------------------------------------------------------------
    def open(self, url: str) -> None:
        """Start playing `url`; the first frame, an error or the timeout follows."""
        self._url = str(url or "")
        self._delays = retry_delays_ms(*self._retry)
        self.retries = 0
        self._start()

    def _start(self) -> None:
        self._retry_timer.stop()
        self.frames, self.first_frame_s, self.last_error = 0, None, ""
        if not self._url:
            self._fail("没有视频流地址 (no stream URL)", retry=False)
            return
        self._low_latency()
        self._player.setLoops(QMediaPlayer.Loops.Infinite if stream_scheme(self._url) == "file" else 1)
        self._set_state(CONNECTING)
        self._opened_at = time.perf_counter()
        self._timeout.start(self.network_timeout_ms)
        self._player.setSource(_qurl(self._url))
        self._player.play()

    def _low_latency(self) -> None:
        if not HAS_PLAYBACK_OPTIONS or stream_scheme(self._url) == "file":
            return
        options = QtMultimedia.QPlaybackOptions()
        if self.low_latency and is_live_stream(self._url):  # a recorded file over HTTP waits ~1 s longer with it
            options.setPlaybackIntent(QtMultimedia.QPlaybackOptions.PlaybackIntent.LowLatencyStreaming)
        options.setNetworkTimeout(self.network_timeout_ms)  # the backend's own open timeout (ms), under ours
        self._player.setPlaybackOptions(options)

    def stop(self) -> None:
        """Stop playing and retrying (the source can be opened again)."""
        self._timeout.stop()
        self._retry_timer.stop()
        self._player.stop()
        self._player.setSource(QUrl())
        self._set_state(IDLE)

    def close(self) -> None:
        self.stop()
        self._player.setVideoOutput(None)

    # --- what the player says ----------------------------------------------------------------
    def _on_frame(self, frame: QVideoFrame) -> None:
        if not frame.isValid():
            return
        self.frames += 1
        if self.frames == 1:
            self._timeout.stop()
            self.first_frame_s = time.perf_counter() - self._opened_at
            self._delays = retry_delays_ms(*self._retry)  # a stream that played starts its back-off afresh
            self._set_state(PLAYING)
            self.sig_first_frame.emit(self.first_frame_s)
        if self.frames % self.frame_signal_every == 0:
            self.sig_frame.emit(self.frames)

    def _on_error(self, error: QMediaPlayer.Error, text: str) -> None:
        if error == QMediaPlayer.Error.NoError or self._state in (IDLE, RETRYING):
            return
        what = {QMediaPlayer.Error.ResourceError: "无法打开视频流 (cannot open the stream)",
                QMediaPlayer.Error.FormatError: "视频格式不支持 (unsupported format)",
                QMediaPlayer.Error.NetworkError: "网络错误 (network error)",
                QMediaPlayer.Error.AccessDeniedError: "无权访问 (access denied)"}.get(error, "播放错误 (playback error)")
        self._fail(f"{what}: {self.display_url}")

    def _on_status(self, status: QMediaPlayer.MediaStatus) -> None:
        if status == QMediaPlayer.MediaStatus.EndOfMedia and stream_scheme(self._url) != "file" and self._state == PLAYING:
            self._fail(f"视频流已中断 (the stream ended): {self.display_url}")

    def _on_timeout(self) -> None:
        seconds = self.network_timeout_ms / 1000
        self._fail(f"{seconds:g} 秒内没有画面 (no picture within {seconds:g} s): {self.display_url}")

    def _fail(self, message: str, *, retry: bool = True) -> None:
        self._timeout.stop()
        self._player.stop()
        self.last_error = message
        self.sig_error.emit(message)
        if retry and (self.max_retries is None or self.retries < self.max_retries):
            self._set_state(RETRYING)
            self.retry_delay_ms = next(self._delays)
            self._retry_timer.start(self.retry_delay_ms)
        else:
            self._set_state(FAILED)

    def _reopen(self) -> None:
        self.retries += 1
        self._start()

    def next_retry_ms(self) -> int:
        """Milliseconds until the pending retry (-1: none pending)."""
        return self._retry_timer.remainingTime() if self._retry_timer.isActive() else -1

    def _set_state(self, state: str) -> None:
        if state != self._state:
            self._state = state
            self.sig_state.emit(state)

    # --- evidence ----------------------------------------------------------------------------
    def grab(self) -> Frame | None:
        """The frame on screen now as PNG (None: no frame yet)."""
        if self._state != PLAYING:
            return None
        return frame_grab(self._sink.videoFrame())


class VideoService(QObject):
    """The seat's players, at most `max_players` at once (a 3x3 wall: 9)."""

    sig_refused = Signal(str)
    """A camera could not get a player (the cap was reached)."""

    def __init__(self, max_players: int = DEFAULT_MAX_PLAYERS, *, parent: QObject | None = None, **source_options) -> None:  # noqa: ANN003
        super().__init__(parent)
        self.max_players = max(1, int(max_players))
        self._options = source_options
        self._sources: list[VideoSource] = []

    @classmethod
    def from_settings(cls, settings, parent: QObject | None = None) -> VideoService:  # noqa: ANN001
        from console.services.settings import VIDEO_MAX_PLAYERS

        return cls(settings.get(VIDEO_MAX_PLAYERS), parent=parent)

    @property
    def playing(self) -> int:
        return len(self._sources)

    def acquire(self) -> VideoSource | None:
        """A new source, or None (and sig_refused) when `max_players` already play."""
        if len(self._sources) >= self.max_players:
            self.sig_refused.emit(f"同时播放已达上限 {self.max_players} 路 (at most {self.max_players} players at once)")
            return None
        source = VideoSource(parent=self, **self._options)
        self._sources.append(source)
        return source

    def release(self, source: VideoSource | None) -> None:
        if source is None or source not in self._sources:
            return
        self._sources.remove(source)
        source.close()
        source.deleteLater()

    def release_all(self) -> None:
        for source in list(self._sources):
            self.release(source)

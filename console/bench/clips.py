"""Short video clips made here (PyAV, no network) and a loopback HTTP server with Range support.

Used by bench_video and by the video tests (PyAV comes with the test extras: pip install -e .[test]).
"""
from __future__ import annotations

import http.server
import os
import re
import socket
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import numpy as np

FPS = 25
SIZE = (160, 120)
# What Qt's FFmpeg backend says on the way (no GPU decoder here; a closed port's refusal).
QT_VIDEO_LOG_IGNORE = (
    r"No HW decoder found",
    r"Could not open media",
    r"Couldn't (load|resolve) (pipewire|va)",
    r"No RHI backend",
    r"Using CPU conversion",
)


def make_clip(path: Path, seconds: float = 2.0, *, fmt: str = "mp4", size: tuple[int, int] = SIZE) -> Path:
    """An H.264 clip of moving colour bands (never a uniform frame); MP4 with faststart, or MPEG-TS."""
    import av

    w, h = size
    options = {"movflags": "faststart"} if fmt == "mp4" else {}
    with av.open(str(path), "w", format=fmt, options=options) as out:
        stream = out.add_stream("libx264", rate=FPS)
        stream.width, stream.height, stream.pix_fmt = w, h, "yuv420p"
        stream.options = {"preset": "ultrafast", "tune": "zerolatency", "g": str(FPS)}
        y, x = np.mgrid[0:h, 0:w]
        for i in range(int(seconds * FPS)):
            rgb = np.stack([(x * 2 + i * 4) % 256, (y * 2) % 256, (x + y + i * 3) % 256], axis=-1).astype(np.uint8)
            for packet in stream.encode(av.VideoFrame.from_ndarray(rgb, format="rgb24")):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return path


def decode_frames(path: Path) -> int:
    """Frames of a clip decoded by PyAV directly (the benchmarks' baseline)."""
    import av

    with av.open(str(path)) as container:
        return sum(1 for _ in container.decode(video=0))


class RangeHandler(http.server.SimpleHTTPRequestHandler):
    """SimpleHTTPRequestHandler answering ``Range: bytes=a-b`` with 206 (http.server has no Range)."""

    def log_message(self, *_args) -> None:  # quiet
        pass

    def send_head(self):  # noqa: ANN201
        match = re.match(r"bytes=(\d*)-(\d*)$", self.headers.get("Range", ""))
        path = Path(self.translate_path(self.path))
        if not match or not path.is_file():
            return super().send_head()
        size = path.stat().st_size
        start = int(match.group(1) or 0)
        end = min(int(match.group(2)) if match.group(2) else size - 1, size - 1)
        if start >= size:
            self.send_error(416)
            return None
        f = path.open("rb")
        f.seek(start)
        self.send_response(206)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
        self.send_header("Content-Length", str(end - start + 1))
        self.end_headers()
        self.ranges.append((start, end))
        return _Limited(f, end - start + 1)


class _Limited:
    def __init__(self, f, n: int) -> None:  # noqa: ANN001
        self.f, self.left = f, n

    def read(self, n: int = -1) -> bytes:
        n = self.left if n < 0 else min(n, self.left)
        data = self.f.read(n)
        self.left -= len(data)
        return data

    def close(self) -> None:
        self.f.close()


@contextmanager
def http_server(directory: Path) -> Iterator[tuple[str, list]]:
    """A loopback HTTP server of `directory` on a free port: (base URL, the Range requests seen)."""
    ranges: list = []
    handler = type("Handler", (RangeHandler,), {"ranges": ranges})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), lambda *a: handler(*a, directory=os.fspath(directory)))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="clip-http", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", ranges
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def rtsp_server(directory: Path) -> Iterator[str]:
    """A loopback RTSP server of `directory` (aio-rtsp-toolkit: RTSP over TCP, interleaved RTP; FFmpeg
    falls back to TCP after the server's 461) on a free port: its base URL."""
    import asyncio
    import logging

    from aio_rtsp_toolkit.server import RtspServer

    quiet = logging.getLogger("rtsp-clip-server")
    quiet.setLevel(logging.WARNING)
    port = closed_port()
    loop = asyncio.new_event_loop()
    server = RtspServer(directory=str(directory), host="127.0.0.1", port=port)
    server.logger = quiet  # its sessions log through it; the default prints every RTP report
    started = threading.Event()

    def serve() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(server.start())
        started.set()
        loop.run_forever()

    thread = threading.Thread(target=serve, name="clip-rtsp", daemon=True)
    thread.start()
    started.wait(10)
    try:
        yield f"rtsp://127.0.0.1:{port}"
    finally:
        async def close() -> None:
            server._server.close()  # noqa: SLF001 - the library has no stop()
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in tasks:  # sessions still streaming: end them before the loop closes
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            await server._server.wait_closed()  # noqa: SLF001

        asyncio.run_coroutine_threadsafe(close(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()

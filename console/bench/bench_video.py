"""Video points: open-to-first-frame (file, loopback HTTP), snapshot, CPU of a 3x3 camera wall.

Each figure is measured beside a baseline in the same run: PyAV opening and decoding the
same clip directly (what any player must at least do), and PyAV decoding the wall's nine
streams at their frame rate.  Nothing leaves the machine (a loopback HTTP server).
"""
from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable


def _app():  # noqa: ANN202
    from PySide6.QtWidgets import QApplication

    return QApplication.instance() or QApplication([sys.argv[0] if sys.argv else "bench_video"])


def _spin(until: Callable[[], bool], timeout_s: float) -> bool:
    """Run the event loop (idle, not busy: CPU figures count) until `until()` or the timeout."""
    from PySide6.QtCore import QEventLoop, QTimer

    if until():
        return True
    loop = QEventLoop()
    poll = QTimer()
    poll.setInterval(5)
    poll.timeout.connect(lambda: until() and loop.quit())
    deadline = QTimer()
    deadline.setSingleShot(True)
    deadline.timeout.connect(loop.quit)
    poll.start()
    deadline.start(int(timeout_s * 1000))
    loop.exec()
    poll.stop()
    deadline.stop()
    return until()


def _median_ms(values: list[float]) -> float | None:
    return round(statistics.median(values) * 1000, 1) if values else None


def first_frame_s(url: str, repeat: int, timeout_s: float = 8.0, low_latency: bool = True) -> dict[str, Any]:
    """Seconds from VideoSource.open(url) to its first frame, `repeat` times (one source each)."""
    from console.services.video import VideoSource

    times, failures = [], 0
    for _ in range(repeat):
        source = VideoSource(network_timeout_ms=int(timeout_s * 1000), max_retries=0, low_latency=low_latency)
        source.open(url)
        if _spin(lambda s=source: s.first_frame_s is not None or s.state == "failed", timeout_s + 1):
            if source.first_frame_s is not None:
                times.append(source.first_frame_s)
            else:
                failures += 1
        source.close()
        source.deleteLater()
    return {"median_ms": _median_ms(times), "runs": len(times), "failures": failures}


def pyav_first_frame_s(url: str, repeat: int) -> dict[str, Any]:
    """Baseline: PyAV opening the same URL and decoding its first frame."""
    import av

    options = {"rtsp_transport": "tcp"} if url.startswith("rtsp") else {}
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        with av.open(url, options=options) as container:
            next(container.decode(video=0))
        times.append(time.perf_counter() - t0)
    return {"median_ms": _median_ms(times), "runs": len(times)}


def snapshot(url: str, repeat: int) -> dict[str, Any]:
    """VideoSource.grab() (frame -> QImage -> PNG + grey samples) against PyAV frame -> ndarray + zlib."""
    import zlib

    import av

    from console.services.video import VideoSource

    source = VideoSource()
    source.open(url)
    _spin(lambda: source.frames >= 5, 8.0)
    grabs = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        grab = source.grab()
        grabs.append(time.perf_counter() - t0)
    size = [grab.width, grab.height] if grab else None
    source.close()
    source.deleteLater()
    with av.open(url) as container:
        frame = next(container.decode(video=0))
    base = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        zlib.compress(frame.to_ndarray(format="rgb24").tobytes(), 6)  # decode to RGB and deflate, as a PNG does
        base.append(time.perf_counter() - t0)
    ours, theirs = _median_ms(grabs), _median_ms(base)
    return {"grab_ms": ours, "baseline_ms": theirs, "ratio": round(ours / theirs, 2) if ours and theirs else None,
            "size": size}


def wall_cpu(clip: Path, seconds: float) -> dict[str, Any]:
    """Process CPU time / wall time of a 3x3 camera wall playing the clip, vs PyAV decoding 9 streams."""
    from console.services.read_models import CameraInfo
    from console.services.video import VideoService
    from console.widgets.camera_wall import CameraWall
    from console.widgets.theme import WALL

    import av

    service = VideoService(max_players=9)
    wall = CameraWall(service, cells=9, theme=WALL)
    wall.resize(1920, 1080)
    wall.show()
    cams = [CameraInfo(f"3504020008132000{i:04d}", f"点位{i}", 117.6, 26.26, "wgs84", "online", "dome", None, None,
                       None, None, str(clip)) for i in range(9)]
    wall.set_cameras(cams)
    _spin(lambda: all(v.source is not None and v.source.frames > 0 for v in wall.views), 10.0)
    frames0, cpu0, t0 = wall.frames, time.process_time(), time.perf_counter()
    _spin(lambda: time.perf_counter() - t0 >= seconds, seconds + 1)
    cpu, elapsed, frames = time.process_time() - cpu0, time.perf_counter() - t0, wall.frames - frames0
    wall.close()
    wall.deleteLater()
    service.deleteLater()
    _spin(lambda: False, 0.2)
    # baseline: PyAV decoding the same nine streams' frames for the same video time
    with av.open(str(clip)) as container:
        stream = container.streams.video[0]
        fps = float(stream.average_rate or 25)
    wanted = int(9 * fps * elapsed)
    cpu_b0 = time.process_time()
    decoded = 0
    while decoded < wanted:
        with av.open(str(clip)) as container:
            for _frame in container.decode(video=0):
                decoded += 1
                if decoded >= wanted:
                    break
    base_cpu = time.process_time() - cpu_b0
    ours, theirs = cpu / elapsed, base_cpu / elapsed
    return {"seconds": round(elapsed, 2), "frames": frames, "fps_per_cell": round(frames / elapsed / 9, 1),
            "cpu_share": round(ours, 3), "baseline_cpu_share": round(theirs, 3),
            "ratio": round(ours / theirs, 2) if theirs else None}


def run(seconds: float = 3.0, repeat: int = 5) -> dict[str, Any]:
    """Every video figure beside its baseline."""
    try:
        import av  # noqa: F401
    except ImportError:
        return {"error": "PyAV 未安装 (PyAV not installed: pip install -e .[test])"}
    from console.bench.clips import http_server, make_clip, rtsp_server
    from console.services.video import HAS_PLAYBACK_OPTIONS

    _app()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        mp4 = make_clip(folder / "clip.mp4", seconds=max(4.0, seconds + 1), size=(320, 180))
        make_clip(folder / "clip.ts", seconds=4.0, size=(320, 180), fmt="mpegts")
        result: dict[str, Any] = {"low_latency_options": HAS_PLAYBACK_OPTIONS}
        result["first_frame_file"] = {"qt": first_frame_s(str(mp4), repeat), "pyav": pyav_first_frame_s(str(mp4), repeat)}
        with http_server(folder) as (base, _ranges):
            for name in ("clip.ts", "clip.mp4"):
                url = f"{base}/{name}"
                result[f"first_frame_http_{name.split('.')[1]}"] = {"qt": first_frame_s(url, repeat),
                                                                   "pyav": pyav_first_frame_s(url, repeat)}
        with rtsp_server(folder) as base:
            url = f"{base}/clip.mp4?play_count=0"
            result["first_frame_rtsp"] = {"qt": first_frame_s(url, repeat), "pyav": pyav_first_frame_s(url, repeat),
                                          "qt_without_low_latency": first_frame_s(url, repeat, low_latency=False)}
        for key in [k for k in result if k.startswith("first_frame")]:
            qt, pyav = result[key]["qt"]["median_ms"], result[key]["pyav"]["median_ms"]
            result[key]["ratio"] = round(qt / pyav, 2) if qt and pyav else None
        result["snapshot"] = snapshot(str(mp4), repeat=max(10, repeat * 4))
        result["wall_3x3"] = wall_cpu(mp4, seconds)
    return result


if __name__ == "__main__":  # python -m console.bench.bench_video
    import json
    import os

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    print(json.dumps(run(), ensure_ascii=False, indent=1))

"""The video tests' clips and loopback server: console.bench.clips (bench_video uses the same)."""
from console.bench.clips import (FPS, QT_VIDEO_LOG_IGNORE, SIZE, closed_port, decode_frames, http_server,  # noqa: F401
                                 make_clip, rtsp_server)

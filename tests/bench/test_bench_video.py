"""The video benchmark measures every figure beside its PyAV baseline (no times asserted)."""
from __future__ import annotations

import pytest

from console.bench import bench_video
from tests.clips import QT_VIDEO_LOG_IGNORE

pytestmark = pytest.mark.qt_log_ignore(*QT_VIDEO_LOG_IGNORE, r"propagateSizeHints")


def test_bench_video_quick_run_reports_figures_beside_baselines(qapp):
    result = bench_video.run(seconds=1.0, repeat=2)
    for key in ("first_frame_file", "first_frame_http_ts", "first_frame_http_mp4", "first_frame_rtsp"):
        figures = result[key]
        assert figures["qt"]["runs"] == 2 and figures["qt"]["failures"] == 0 and figures["pyav"]["runs"] == 2
        assert figures["ratio"] > 0
    assert result["snapshot"]["size"] == [320, 180] and result["snapshot"]["ratio"] > 0
    wall = result["wall_3x3"]
    assert wall["frames"] > 0 and wall["cpu_share"] > 0 and wall["baseline_cpu_share"] > 0 and wall["ratio"] > 0
    assert result["low_latency_options"] is True  # PySide6 >= 6.10 here

"""Where a case came from (案件来源): the codes stored on a case and the hall's words for them."""
from __future__ import annotations

from typing import Final

SOURCE_LABELS: Final[dict[str, str]] = {
    "hotline": "12345 热线", "walk_in": "来访", "video": "视频巡查", "inspector": "监督员上报",
    "leader": "领导交办", "media": "媒体曝光",
}

__all__ = ["SOURCE_LABELS"]

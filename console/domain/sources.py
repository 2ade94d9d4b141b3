"""Where a case came from (案件来源): the codes stored on a case and the hall's words for them.

One table for the queue, the detail, the new-case dialog, the exports and the demo.
"""
from __future__ import annotations

from enum import StrEnum
from typing import Final

from console.domain.vocabulary import QT_TRANSLATE_NOOP


class Source(StrEnum):
    INSPECTOR = "inspector"  # 监督员上报 (most cases)
    HOTLINE = "hotline"
    WALK_IN = "walk_in"
    VIDEO = "video"
    LEADER = "leader"
    MEDIA = "media"

    @property
    def label(self) -> str:
        return SOURCE_LABELS[self.value]


SOURCE_LABELS: Final[dict[str, str]] = {
    "inspector": QT_TRANSLATE_NOOP("Source", "监督员上报"),
    "hotline": QT_TRANSLATE_NOOP("Source", "12345 热线"),
    "walk_in": QT_TRANSLATE_NOOP("Source", "来访"),
    "video": QT_TRANSLATE_NOOP("Source", "视频巡查"),
    "leader": QT_TRANSLATE_NOOP("Source", "领导交办"),
    "media": QT_TRANSLATE_NOOP("Source", "媒体曝光"),
}
# The sources an operator can pick for a new case at the hall (监督员 cases come from the field).
HALL_SOURCES: Final = (Source.HOTLINE, Source.WALK_IN, Source.VIDEO, Source.LEADER, Source.MEDIA)

__all__ = ["Source", "SOURCE_LABELS", "HALL_SOURCES"]

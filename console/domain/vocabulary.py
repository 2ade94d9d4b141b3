"""The hall's words, each defined once: the tables every screen, export and the demo read.

Labels are plain Chinese strings wrapped in `QT_TRANSLATE_NOOP(context, text)`, a no-op
here (the domain has no Qt); pyside6-lupdate finds the calls by name in any Python file,
so the tables are extracted where they are defined.  Translation happens on the widget
side (`console/widgets/labels.py`, QCoreApplication.translate with the same context).

`TABLES` names every table by its translation context: one test checks that every enum
member has a label and that every label has an English translation.
"""
from __future__ import annotations

from enum import Enum
from typing import Final, Mapping


def QT_TRANSLATE_NOOP(context: str, text: str) -> str:  # noqa: N802 - the name lupdate looks for
    """Mark `text` for translation in `context`; returns it unchanged."""
    return text


def label_of(table: Mapping[str, str], value: object) -> str:
    """The label of an enum member or its stored code; unknown codes are shown as they are."""
    code = value.value if isinstance(value, Enum) else str(value)
    return table.get(code, code)


def tables() -> Mapping[str, tuple[type[Enum] | None, Mapping[str, str]]]:
    """Every label table by translation context: (the enum it labels or None, code -> label)."""
    from console.domain import catalogue, clocks, sources, video, workflow  # the tables live with their enums

    return {
        "Light": (clocks.Light, clocks.LIGHT_NAMES),
        "LightWord": (clocks.Light, clocks.LIGHT_WORDS),
        "LightMeaning": (clocks.Light, clocks.LIGHT_MEANINGS),
        "Step": (clocks.Step, clocks.STEP_LABELS),
        "State": (workflow.State, workflow.STATE_LABELS),
        "Role": (workflow.Role, workflow.ROLE_LABELS),
        "Action": (workflow.Action, workflow.ACTION_LABELS),
        "Pending": (workflow.Pending, workflow.PENDING_LABELS),
        "CloseType": (workflow.CloseType, workflow.CLOSE_TYPE_LABELS),
        "Urgency": (catalogue.Urgency, catalogue.URGENCY_LABELS),
        "Kind": (None, catalogue.KIND_LABELS),
        "Source": (sources.Source, sources.SOURCE_LABELS),
        "CameraStatus": (None, CAMERA_STATUS_LABELS),
        "HeatMode": (None, HEAT_MODE_LABELS),
        "LimitUnit": (None, LIMIT_UNIT_LABELS),
        "ClockOutcome": (None, CLOCK_OUTCOME_LABELS),
        "FeedReason": (None, FEED_REASON_LABELS),
        "SupervisionStatus": (None, SUPERVISION_STATUS_LABELS),
        "Flag": (None, FLAG_LABELS),
        "PtzType": (None, video.PTZ_LABELS),
        "CameraIdField": (None, video.CAMERA_ID_FIELD_LABELS),
    }


# Camera status (在线/离线/故障) and the grid heat modes: words of the map page and the wall.
CAMERA_STATUS_LABELS: Final[dict[str, str]] = {
    "online": QT_TRANSLATE_NOOP("CameraStatus", "在线"),
    "offline": QT_TRANSLATE_NOOP("CameraStatus", "离线"),
    "fault": QT_TRANSLATE_NOOP("CameraStatus", "故障"),
}
HEAT_MODE_LABELS: Final[dict[str, str]] = {
    "open": QT_TRANSLATE_NOOP("HeatMode", "未结案件"),
    "overdue": QT_TRANSLATE_NOOP("HeatMode", "超期案件"),
}

# A limit as the operator reads it ('4wh' -> 4工作小时); {n} is the number.
LIMIT_UNIT_LABELS: Final[dict[str, str]] = {
    "wd": QT_TRANSLATE_NOOP("LimitUnit", "{n}工作日"),
    "wh": QT_TRANSLATE_NOOP("LimitUnit", "{n}工作小时"),
    "wmin": QT_TRANSLATE_NOOP("LimitUnit", "{n}工作分钟"),
    "d": QT_TRANSLATE_NOOP("LimitUnit", "{n}天"),
    "h": QT_TRANSLATE_NOOP("LimitUnit", "{n}小时"),
    "min": QT_TRANSLATE_NOOP("LimitUnit", "{n}分钟"),
}
# How a stopped step clock ended.
CLOCK_OUTCOME_LABELS: Final[dict[str, str]] = {
    "on_time": QT_TRANSLATE_NOOP("ClockOutcome", "按时"),
    "late": QT_TRANSLATE_NOOP("ClockOutcome", "超时"),
    "returned": QT_TRANSLATE_NOOP("ClockOutcome", "回退"),
    "cancelled": QT_TRANSLATE_NOOP("ClockOutcome", "作废"),
}

# Why a seat's change feed is not live (the stale banner); {s}: seconds of silence.
FEED_REASON_LABELS: Mapping[str, str] = {
    "not_started": QT_TRANSLATE_NOOP("FeedReason", "未启动"),
    "stopped": QT_TRANSLATE_NOOP("FeedReason", "已停止"),
    "silent": QT_TRANSLATE_NOOP("FeedReason", "超过 {s} 秒未收到数据库应答"),
    "unreachable": QT_TRANSLATE_NOOP("FeedReason", "无法连接数据库，正在重试"),
    "lost": QT_TRANSLATE_NOOP("FeedReason", "与数据库的连接中断，正在重连"),
}

# A 督办's reply at a moment (console.data.breakdowns.SUPERVISION_STATUSES).
SUPERVISION_STATUS_LABELS: Final[dict[str, str]] = {
    "waiting": QT_TRANSLATE_NOOP("SupervisionStatus", "待回复"),
    "on_time": QT_TRANSLATE_NOOP("SupervisionStatus", "按时回复"),
    "late": QT_TRANSLATE_NOOP("SupervisionStatus", "超时回复"),
    "missing": QT_TRANSLATE_NOOP("SupervisionStatus", "未回复"),
}
# The month's red and black flags (路长制 红黑旗); shown with a flag icon, never by colour alone.
FLAG_LABELS: Final[dict[str, str]] = {
    "red": QT_TRANSLATE_NOOP("Flag", "红旗"),
    "black": QT_TRANSLATE_NOOP("Flag", "黑旗"),
}

__all__ = ["QT_TRANSLATE_NOOP", "label_of", "tables", "CAMERA_STATUS_LABELS", "HEAT_MODE_LABELS",
           "LIMIT_UNIT_LABELS", "CLOCK_OUTCOME_LABELS", "SUPERVISION_STATUS_LABELS", "FLAG_LABELS",
           "FEED_REASON_LABELS"]

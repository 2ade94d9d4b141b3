"""The domain's words, translated: the one place widgets turn a code into its label.

The tables live in the domain (console/domain/vocabulary.py lists them), marked with
QT_TRANSLATE_NOOP(context, text) so lupdate extracts them there; here each label is
looked up in its table and translated with QCoreApplication.translate in that same
context.  An unknown code is shown as it is (old rows, imported data).
"""
from __future__ import annotations

from enum import Enum

from PySide6.QtCore import QCoreApplication

from console.domain.calendar import Limit
from console.domain.vocabulary import label_of, tables


def label(context: str, value: Enum | str | None) -> str:
    """The translated label of `value` in the table of `context` ("" for None)."""
    if value is None or value == "":
        return ""
    _enum, table = tables()[context]
    text = label_of(table, value)
    return QCoreApplication.translate(context, text) if text in table.values() else text


def light_name(light) -> str:
    """绿灯 / 黄灯 / 红灯."""
    return label("Light", light)


def light_word(light) -> str:
    """绿 / 黄 / 红: goes with the colour wherever a light is shown."""
    return label("LightWord", light)


def light_meaning(light) -> str:
    return label("LightMeaning", light)


def step_label(step) -> str:
    return label("Step", step)


def state_label(state) -> str:
    return label("State", state)


def role_label(role) -> str:
    return label("Role", role)


def action_label(action) -> str:
    return label("Action", action)


def pending_label(pending) -> str:
    return label("Pending", pending)


def close_type_label(close_type) -> str:
    return label("CloseType", close_type)


def urgency_label(urgency) -> str:
    return label("Urgency", urgency)


def source_label(source) -> str:
    return label("Source", source)


def camera_status_label(status) -> str:
    return label("CameraStatus", status)


def heat_mode_label(mode) -> str:
    return label("HeatMode", mode)


def limit_label(limit: str) -> str:
    """'4wh' -> '4工作小时', '15wd' -> '15工作日' (unknown text unchanged)."""
    try:
        parsed = Limit.parse(limit)
    except ValueError:
        return limit
    return label("LimitUnit", parsed.unit.value).format(n=parsed.value)


def clock_outcome_label(outcome) -> str:
    return label("ClockOutcome", outcome)


def supervision_status_label(status) -> str:
    """待回复 / 按时回复 / 超时回复 / 未回复."""
    return label("SupervisionStatus", status)


def flag_label(flag) -> str:
    """红旗 / 黑旗."""
    return label("Flag", flag)


def table(context: str) -> dict[str, str]:
    """A whole table translated (code -> label), e.g. for a model that labels many rows."""
    return {str(getattr(k, "value", k)): label(context, k) for k in tables()[context][1]}


__all__ = [
    "label", "table", "light_name", "light_word", "light_meaning", "step_label", "state_label", "role_label",
    "action_label", "pending_label", "close_type_label", "urgency_label", "source_label",
    "camera_status_label", "heat_mode_label", "limit_label", "clock_outcome_label",
    "supervision_status_label", "flag_label",
]


def feed_reason(health) -> str:  # noqa: ANN001 - services.feed.FeedHealth
    """Why the feed is not live, in the seat's language; the database's own words after a colon."""
    text = label("FeedReason", health.reason) if health.reason else health.message
    if health.reason == "silent":
        text = text.replace("{s}", health.detail)
    elif health.detail:
        text = f"{text}: {health.detail}"
    return text


# A camera's status as a mark beside its colour and word (never colour alone): the map, the lists, the views.
CAMERA_STATUS_MARKS = {"online": "●", "offline": "○", "fault": "✕"}

"""The read models a seat's widgets display: plain frozen records from the data layer, seen through the services.

Widgets import them from here, never from console.data (import-linter forbids it).
"""
from __future__ import annotations

from console.data.alerts import AlertKey
from console.data.cameras import CameraInfo
from console.data.map_layers import Area, CameraPoint, CaseMarker, HeatMode, MapLayers
from console.data.queue_and_detail import (
    CaseDetail,
    CaseRow,
    CategoryOption,
    ClockInfo,
    ConditionOption,
    DepartmentOption,
    EventInfo,
    FilterOptions,
    Option,
    UrgeInfo,
)

__all__ = [
    "AlertKey", "Area", "CameraInfo", "CameraPoint", "CaseDetail", "CaseMarker", "CaseRow", "CategoryOption", "ClockInfo",
    "ConditionOption", "DepartmentOption", "EventInfo", "FilterOptions", "HeatMode", "MapLayers", "Option",
    "UrgeInfo",
]

"""The case queue's item model: sorts and filters itself, applies deltas by id.

No QSortFilterProxyModel (tech-notes §4): the model keeps every open case it
was given (`id -> CaseRow`), each visible case's sort key, and the visible ids
in ascending key order (shown reversed for a descending sort).  A row's place
is found by bisection on the keys, so a delta of k cases costs O(k log n) plus
a memmove: one `dataChanged`, `beginMoveRows`, `beginInsertRows` or
`beginRemoveRows` each; `beginResetModel` is kept for full resyncs and filter
changes.  DisplayRole is always `str`; UserRole holds the raw sort value.

Time is cheap to follow: a light changes only at a clock's marks (a heap of the
next mark per case), and remaining time is an anchor per case minus one reading
of the clock per refresh (`_Countdown`), so `refresh_lights` touches only the
cases whose light changed, plus one re-keying when the sort is by 灯 or 剩余.

Tab counts (`tab_counts`) respect every filter except the stage tab itself, so
"待受理 12" is what the operator would see on switching to that tab.
"""
from __future__ import annotations

import bisect
import heapq
from collections import Counter
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta, timezone
from typing import Any, Callable, Iterable, Optional

from PySide6.QtCore import QAbstractTableModel, QCoreApplication, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QIcon, QPainter, QPixmap

from console.services.read_models import CaseRow
from console.domain.calendar import US_PER_MINUTE, TimeKind, WorkCalendar, default_calendar
from console.domain.clocks import _minutes_to_us  # the clocks' own rounding, so remaining time agrees to the µs
from console.domain.clocks import (  # clock helpers re-exported: the workstation and bench_alerts import them here
    DEFAULT_THRESHOLDS, Light, Thresholds, clock_light, format_remaining, limit_kind, remaining_minutes,  # noqa: F401
)
from console.domain.workflow import STATE_LABELS, State
from console.domain.vocabulary import QT_TRANSLATE_NOOP
from console.widgets import labels
from console.widgets.theme import WORKSTATION, Theme

# Stage tabs: the state each shows, in the order of the workflow; "all" = every open case.
STAGES: tuple[str, ...] = ("reported", "verifying", "to_file", "to_dispatch", "disposing", "to_check",
                           "to_close", "hung", "all")
STAGE_LABELS: dict[str, str] = {**{s: STATE_LABELS[State(s)] for s in STAGES[:-1]},
                                "all": QT_TRANSLATE_NOOP("CaseQueueModel", "全部")}
_STATE_ORDER = {s: i for i, s in enumerate(STAGES[:-1])}


def stage_label(stage: str) -> str:
    """A stage tab's translated word: its state's label, or 全部."""
    return QCoreApplication.translate("CaseQueueModel", STAGE_LABELS[stage]) if stage == "all" \
        else labels.state_label(stage)

UTC = timezone.utc

RowKey = tuple[Any, ...]


class Column:
    LIGHT, NUMBER, CATEGORY, ADDRESS, GRID, STREET, DEPARTMENT, STATE, REMAINING, SOURCE, CREATED = range(11)


_TIMED_COLUMNS = (Column.LIGHT, Column.REMAINING)
_ASCENDING = Qt.SortOrder.AscendingOrder  # sort keys that change as time passes


HEADERS = (
    QT_TRANSLATE_NOOP("CaseQueueModel", "灯"), QT_TRANSLATE_NOOP("CaseQueueModel", "案件号"),
    QT_TRANSLATE_NOOP("CaseQueueModel", "类别"), QT_TRANSLATE_NOOP("CaseQueueModel", "地址"),
    QT_TRANSLATE_NOOP("CaseQueueModel", "网格"), QT_TRANSLATE_NOOP("CaseQueueModel", "街道"),
    QT_TRANSLATE_NOOP("CaseQueueModel", "部门"), QT_TRANSLATE_NOOP("CaseQueueModel", "环节"),
    QT_TRANSLATE_NOOP("CaseQueueModel", "剩余"), QT_TRANSLATE_NOOP("CaseQueueModel", "来源"),
    QT_TRANSLATE_NOOP("CaseQueueModel", "上报时间"),
)
CaseIdRole = Qt.ItemDataRole.UserRole + 1  # the case id of any cell
# plain ints: data() is called for every painted cell, enum arithmetic there costs
_DISPLAY, _USER = int(Qt.ItemDataRole.DisplayRole), int(Qt.ItemDataRole.UserRole)
_DECORATION, _FOREGROUND = int(Qt.ItemDataRole.DecorationRole), int(Qt.ItemDataRole.ForegroundRole)
_BACKGROUND, _TOOLTIP = int(Qt.ItemDataRole.BackgroundRole), int(Qt.ItemDataRole.ToolTipRole)
_ALIGNMENT, _CENTRE = int(Qt.ItemDataRole.TextAlignmentRole), int(Qt.AlignmentFlag.AlignCenter)
_ANSWERED = frozenset({_DISPLAY, _BACKGROUND, _FOREGROUND, _DECORATION, _USER, int(CaseIdRole), _TOOLTIP, _ALIGNMENT})
_ROW_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren


@dataclass(frozen=True)
class QueueFilter:
    """What the queue shows besides the stage tab; None / "" means no filter."""

    street: Optional[str] = None
    community: Optional[str] = None
    grid: Optional[str] = None
    category: Optional[str] = None
    source: Optional[str] = None
    light: Optional[Light] = None
    department: Optional[int] = None
    date_from: Optional[date] = None  # on created_at, local date, inclusive
    date_to: Optional[date] = None
    text: str = ""  # case number or address contains (case-insensitive)


def light_icon(light: Light, theme: Theme = WORKSTATION) -> QIcon:
    colour = QColor(theme.light(light))
    pixmap = QPixmap(14, 14)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(colour.darker(130))
    painter.setBrush(colour)
    painter.drawEllipse(1, 1, 12, 12)
    painter.end()
    return QIcon(pixmap)


# --- time, cheaply -----------------------------------------------------------------------------------

Anchor = Optional[object]  # None (no clock), float (a paused clock's minutes left) or (kind, µs)


class _Countdown:
    """Remaining time as a per-case anchor minus one reading of the clock (exact to the µs).

    A running clock has `overrun + elapsed(now, due_at)` µs left (clocks.remaining_from_due).
    Elapsed time of either kind is additive, so with R(t) = elapsed(ref, t) that is
    `(overrun + R(due_at)) - R(now)`: the anchor is computed once per case, R(now) once per
    refresh.  R of a work instant is its day's midnight (cached per day) plus the work of that
    day before it.  Pure and thread-safe: a full reload prepares its anchors on the seat's worker.
    """

    def __init__(self, calendar: WorkCalendar, ref: datetime) -> None:
        self.calendar = calendar
        self._ref = datetime.combine(calendar.local(ref).date(), time(0), tzinfo=calendar.tz)
        self._midnights: dict[date, int] = {}

    def reading(self, at: datetime, kind: TimeKind) -> int:
        if kind is TimeKind.NATURAL:
            return (at - _EPOCH) // _ONE_US
        day = self.calendar.local(at).date()
        midnight = datetime.combine(day, time(0), tzinfo=self.calendar.tz)
        base = self._midnights.get(day)
        if base is None:
            base = self._midnights[day] = self.calendar.elapsed_microseconds(self._ref, midnight, TimeKind.WORK)
        return base + self.calendar.elapsed_microseconds(midnight, at, TimeKind.WORK)

    def anchor(self, row: CaseRow) -> Anchor:
        if not row.limit or not row.total_minutes:
            return None
        if row.due_at is None:
            return row.total_minutes - (row.consumed_minutes or 0.0)
        kind = limit_kind(row.limit)
        overrun = min(_minutes_to_us(row.total_minutes) - _minutes_to_us(row.consumed_minutes or 0.0), 0)
        return kind, overrun + self.reading(row.due_at, kind)

    def anchors(self, rows: Iterable[CaseRow]) -> dict[int, Anchor]:
        return {row.id: self.anchor(row) for row in rows}


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_ONE_US = timedelta(microseconds=1)


@dataclass(frozen=True)
class PreparedRows:
    """A full reload built off the UI thread (`CaseQueueModel.preparer`): every value `reset_rows`
    needs, for the model's time, calendar, sort, tab and filters as they were when the reload was
    asked.  Handed over once: the model keeps (and changes) its dicts and lists."""

    rows: tuple[CaseRow, ...]
    countdown: _Countdown
    now: datetime
    sort: tuple[int, bool]  # (column, ascending)
    anchors: dict[int, Anchor]
    lights: dict[int, Optional[Light]]
    keys: dict[int, RowKey]  # every row's sort key
    order: list[int]  # every id, ascending by key
    marks: list[tuple[datetime, int]]  # a heap
    shown: tuple[str, QueueFilter]  # the stage tab and filters `visible` and `counts` are for
    visible: list[int]  # the ids they show, ascending by key
    counts: dict[str, int]  # tab counts


def _light_at(now: datetime, row: CaseRow, thresholds: Thresholds) -> Optional[Light]:
    if not row.has_clock:
        return None
    return clock_light(now, yellow_at=row.yellow_at, red_at=row.red_at, consumed_minutes=row.consumed_minutes,
                       total_minutes=row.total_minutes, thresholds=thresholds)


def _prepare(rows: Iterable[CaseRow], countdown: _Countdown, now: datetime, thresholds: Thresholds,
             column: int, ascending: bool, stage: str, queue_filter: QueueFilter) -> PreparedRows:
    """Pure: anchors, lights, sort keys, order and marks of a full reload (runs on the seat's worker,
    the collector paused: services.seat.collector_paused)."""
    return _prepare_rows(rows, countdown, now, thresholds, column, ascending, stage, queue_filter)


def _prepare_rows(rows: Iterable[CaseRow], countdown: _Countdown, now: datetime, thresholds: Thresholds,
                  column: int, ascending: bool, stage: str, queue_filter: QueueFilter) -> PreparedRows:
    rows = tuple(rows)
    readings = {kind: countdown.reading(now, kind) for kind in TimeKind}
    anchors = countdown.anchors(rows)
    lights = {row.id: _light_at(now, row, thresholds) for row in rows}
    ids = [row.id for row in rows]
    if column in _TIMED_COLUMNS:
        keys = _timed_keys(column, ascending, ids, lights, anchors, readings)
    else:  # the other columns' raw values come from the row alone
        raw, keys = _RAW[column], {}
        for row in rows:
            value = raw(None, row.id, row)
            keys[row.id] = (value is None if ascending else value is not None, "" if value is None else value, 0.0, row.id)
    marks = [(mark, row.id) for row in rows if (mark := _next_mark(row, now)) is not None]
    heapq.heapify(marks)
    order = sorted(keys, key=keys.__getitem__)
    tz, by_id = countdown.calendar.tz, {row.id: row for row in rows}

    def passes(row: CaseRow) -> bool:
        return _passes(queue_filter, row, lights[row.id], tz)

    visible = [cid for cid in order if (stage == "all" or by_id[cid].state == stage) and passes(by_id[cid])]
    return PreparedRows(rows, countdown, now, (column, ascending), anchors, lights, keys, order, marks,
                        (stage, queue_filter), visible, _counted(rows, passes))


def _next_mark(row: CaseRow, now: datetime) -> Optional[datetime]:
    """The next instant the row's light changes (None: it never does by itself)."""
    if row.yellow_at is None or row.red_at is None:
        return None
    if now < row.yellow_at:
        return row.yellow_at
    return row.red_at if now < row.red_at else None


def _remaining(anchor: Anchor, readings: dict[TimeKind, int]) -> Optional[float]:
    if anchor is None or not isinstance(anchor, tuple):
        return anchor
    return (anchor[1] - readings[anchor[0]]) / US_PER_MINUTE


def _timed_keys(column: int, ascending: bool, ids: Iterable[int], lights: dict, anchors: dict,
                readings: dict[TimeKind, int]) -> dict[int, RowKey]:
    """The 灯 / 剩余 sort keys of `ids` in one loop (the same keys as CaseQueueModel._key)."""
    keys = {}
    for cid in ids:
        remaining = _remaining(anchors.get(cid), readings)
        if column == Column.LIGHT:
            light = lights.get(cid)
            value = None if light is None else light.severity
            then = 0.0 if value is None else -(remaining or 0.0)
        else:
            value, then = remaining, 0.0
        missing = value is None if ascending else value is not None
        keys[cid] = (missing, "" if value is None else value, then, cid)
    return keys


def _passes(f: QueueFilter, row: CaseRow, light: Optional[Light], tz) -> bool:  # noqa: ANN001 - a tzinfo
    """The row passes every filter of `f` (the stage tab aside)."""
    if f.street and row.street_code != f.street:
        return False
    if f.community and row.community_code != f.community:
        return False
    if f.grid and row.grid_code != f.grid:
        return False
    if f.category and row.category_code != f.category:
        return False
    if f.source and row.source != f.source:
        return False
    if f.department is not None and row.department_id != f.department:
        return False
    if f.light is not None and light != f.light:
        return False
    if f.date_from or f.date_to:
        day = row.created_at.astimezone(tz).date()
        if (f.date_from and day < f.date_from) or (f.date_to and day > f.date_to):
            return False
    if f.text:
        needle = f.text.strip().lower()
        if needle and needle not in row.number.lower() and needle not in row.address.lower():
            return False
    return True


def _counted(rows: Iterable[CaseRow], passes: Callable[[CaseRow], bool]) -> dict[str, int]:
    """Cases per stage tab (and "all") among the rows that pass the filters."""
    counts = dict.fromkeys(STAGES, 0)
    for row in rows:
        if passes(row):
            if row.state in counts:
                counts[row.state] += 1
            counts["all"] += 1
    return counts


# --- the model ------------------------------------------------------------------------------------


class CaseQueueModel(QAbstractTableModel):
    """Open cases as table rows, sorted and filtered in the model."""

    sig_counts_changed = Signal(dict)
    """Per-stage counts (stage id -> int, "all" included) whenever they change."""

    def __init__(self, parent=None, *, calendar: WorkCalendar | None = None,  # noqa: ANN001
                 thresholds: Thresholds = DEFAULT_THRESHOLDS, now: datetime | None = None) -> None:
        super().__init__(parent)
        self._calendar = calendar or default_calendar()
        self._thresholds = thresholds
        self._now = now or datetime.now(UTC)
        self._countdown = _Countdown(self._calendar, self._now)
        self._readings: dict[TimeKind, int] = {}
        self._rows: dict[int, CaseRow] = {}
        self._lights: dict[int, Optional[Light]] = {}
        self._anchors: dict[int, Anchor] = {}
        self._marks: list[tuple[datetime, int]] = []  # heap of (next light change, case id); stale ones skipped
        self._next: dict[int, datetime] = {}  # each case's live entry in _marks
        self._keys: dict[int, RowKey] = {}  # every visible case's sort key
        self._keyed_at = self._now  # when a 灯/剩余 sort's keys were all computed last
        self._asc: list[int] = []  # visible ids, ascending by key (display order reversed when descending)
        self._stage = "all"
        self._filter = QueueFilter()
        self._sort_column = Column.CREATED
        self._order = Qt.SortOrder.DescendingOrder
        self._counts: dict[str, int] = dict.fromkeys(STAGES, 0)
        self._icons: dict[Light, QIcon] = {}
        self._tints: dict[Optional[Light], Optional[QBrush]] = {}
        self._inks: dict[tuple[Light, int], QBrush] = {}
        self._theme = WORKSTATION
        self._headers = [QCoreApplication.translate("CaseQueueModel", h) for h in HEADERS]
        self._state_labels = labels.table("State")
        self._pending_labels = labels.table("Pending")
        self._source_labels = labels.table("Source")
        self._light_words = {Light(k): v for k, v in labels.table("LightWord").items()}
        self._overdue_word, self._paused_word = self.tr("超时"), self.tr("暂停")
        self._read_clocks()

    # -- Qt model API ------------------------------------------------------------------------
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._asc)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role != _DISPLAY:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return self._headers[section] if 0 <= section < len(HEADERS) else None
        return str(section + 1)

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        return _ROW_FLAGS if index.isValid() else Qt.ItemFlag.NoItemFlags

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role not in _ANSWERED:  # the delegate asks seven roles a cell, each paint: the rest cost nothing
            return None
        row = index.row()  # -1 for an invalid index
        if not 0 <= row < len(self._asc):
            return None
        case_id = self._id_at(row)
        column = index.column()
        if role == _DISPLAY:
            return self._display(case_id, column)
        if role == _BACKGROUND:
            return self._tint(self._lights.get(case_id))
        if role == _FOREGROUND:
            return self._foreground(case_id, column)
        if role == _DECORATION:
            light = self._lights.get(case_id) if column == Column.LIGHT else None
            return self._icon(light) if light else None
        if role == _USER:
            return self._raw(case_id, column)
        if role == CaseIdRole:
            return case_id
        if role == _TOOLTIP and column == Column.ADDRESS:
            return self._rows[case_id].address
        if role == _ALIGNMENT and column in (Column.LIGHT, Column.REMAINING):
            return _CENTRE
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(HEADERS):
            return
        old_ids = self.visible_ids()  # in the old order: persistent indexes follow their cases
        self._sort_column, self._order = column, order
        self._resort(old_ids)

    # -- accessors -------------------------------------------------------------------------------
    @property
    def now(self) -> datetime:
        return self._now

    @property
    def stage(self) -> str:
        return self._stage

    @property
    def queue_filter(self) -> QueueFilter:
        return self._filter

    @property
    def sort_column(self) -> int:
        return self._sort_column

    @property
    def sort_order(self) -> Qt.SortOrder:
        return self._order

    def row_for_id(self, case_id: int) -> int:
        """The visible row of a case, or -1 when it is filtered out or unknown."""
        key = self._keys.get(case_id)
        if key is None:
            return -1
        return self._display_row(bisect.bisect_left(self._asc, key, key=self._keys.__getitem__))

    def case_at(self, row: int) -> CaseRow | None:
        return self._rows[self._id_at(row)] if 0 <= row < len(self._asc) else None

    def case(self, case_id: int) -> CaseRow | None:
        return self._rows.get(case_id)

    def light_of(self, case_id: int) -> Light | None:
        return self._lights.get(case_id)

    def remaining_of(self, case_id: int) -> float | None:
        return self._remaining_minutes(case_id)

    def set_calendar(self, calendar: WorkCalendar) -> None:
        """The city's calendar changed (`calendar set`): remaining work time is counted on the new one."""
        self._calendar = calendar
        self._countdown = _Countdown(calendar, self._now)
        self._anchors = self._countdown.anchors(self._rows.values())
        self._read_clocks()
        if self._sort_column in _TIMED_COLUMNS:
            self._resort()
        self._emit_changed_rows(Column.REMAINING, Column.REMAINING)

    def visible_ids(self) -> list[int]:
        return list(self._asc) if self._ascending() else self._asc[::-1]

    def all_ids(self) -> list[int]:
        return list(self._rows)

    def tab_counts(self) -> dict[str, int]:
        """Cases per stage tab under the current filters (the stage tab itself ignored)."""
        return dict(self._counts)

    def light_counts(self) -> dict[Light, int]:
        """Every case the model holds, by light (for the status bar)."""
        counted = Counter(self._lights.values())
        return {light: counted.get(light, 0) for light in Light}

    def latest_due(self) -> datetime | None:
        """The latest deadline of a running clock the model holds (None: no running clock)."""
        return max((row.due_at for row in self._rows.values() if row.due_at is not None), default=None)

    def lit_ids(self) -> list[int]:
        """Every case the model holds whose light is yellow or red (the alerts' candidates)."""
        yellow, red = Light.YELLOW, Light.RED
        return [cid for cid, light in self._lights.items() if light is yellow or light is red]

    def grid_counts(self, light: Light | None = None) -> dict[str, int]:
        """Cases per unit grid, of one light only if given (the map's heat)."""
        rows, lights = self._rows.values(), self._lights
        if light is None:
            return dict(Counter(row.grid_code for row in rows if row.grid_code))
        return dict(Counter(row.grid_code for row in rows if row.grid_code and lights.get(row.id) is light))

    # -- whole-set changes -------------------------------------------------------------------------
    def preparer(self) -> Callable[[Iterable[CaseRow]], PreparedRows]:
        """`rows -> PreparedRows` for the model as it is now: pure, for the seat's worker thread."""
        countdown, now, thresholds = self._countdown, self._now, self._thresholds
        column, ascending, stage, queue_filter = self._sort_column, self._ascending(), self._stage, self._filter
        return lambda rows: _prepare(rows, countdown, now, thresholds, column, ascending, stage, queue_filter)

    def reset_rows(self, rows: Iterable[CaseRow] | PreparedRows) -> None:
        """Full resync: replace every row (a reconnect, a new seat); not for single changes.

        PreparedRows (built on the worker) are taken as they are when the model's time,
        calendar and sort have not moved since; otherwise they are prepared again here.
        """
        prepared = rows if isinstance(rows, PreparedRows) else None
        if prepared is None or (prepared.countdown, prepared.now, prepared.sort, prepared.shown) != (
                self._countdown, self._now, (self._sort_column, self._ascending()), (self._stage, self._filter)):
            prepared = self.preparer()(prepared.rows if prepared is not None else rows)
        self.beginResetModel()
        self._rows = {row.id: row for row in prepared.rows}
        self._anchors, self._lights = prepared.anchors, prepared.lights  # the model's own from now on
        self._marks = prepared.marks
        self._next = {cid: mark for mark, cid in self._marks}
        self._asc, keys, self._keyed_at = prepared.visible, prepared.keys, prepared.now
        self._keys = keys if len(self._asc) == len(keys) else {cid: keys[cid] for cid in self._asc}
        self.endResetModel()
        if prepared.counts != self._counts:
            self._counts = dict(prepared.counts)
            self.sig_counts_changed.emit(dict(self._counts))

    def set_stage(self, stage: str) -> None:
        if stage not in STAGES:
            raise ValueError(f"unknown queue stage {stage!r}; choose one of {', '.join(STAGES)}")
        if stage != self._stage:
            self._stage = stage
            self._refilter()

    def set_filter(self, queue_filter: QueueFilter | None = None, **changes: Any) -> None:
        """Replace the filter, or change some of its fields: set_filter(grid="...")."""
        new = replace(queue_filter or self._filter, **changes) if changes else (queue_filter or QueueFilter())
        if new != self._filter:
            self._filter = new
            self._refilter()
            self._recount()

    def clear_filter(self) -> None:
        self.set_filter(QueueFilter())

    # -- deltas --------------------------------------------------------------------------------
    def apply_rows(self, rows: Iterable[CaseRow]) -> None:
        """Upsert rows one by one: update in place, move, insert, or drop out of the filter."""
        counts_before = dict(self._counts)
        for row in rows:
            self._upsert(row)
        if self._counts != counts_before:
            self.sig_counts_changed.emit(dict(self._counts))

    def remove_ids(self, ids: Iterable[int]) -> None:
        """Forget cases (closed, cancelled, or out of scope)."""
        counts_before = dict(self._counts)
        for case_id in ids:
            row = self._rows.get(case_id)
            if row is None:
                continue
            self._count(row, -1)
            self._hide(case_id)
            del self._rows[case_id]
            self._lights.pop(case_id, None)
            self._anchors.pop(case_id, None)
            self._next.pop(case_id, None)
        if self._counts != counts_before:
            self.sig_counts_changed.emit(dict(self._counts))

    def refresh_lights(self, now: datetime, *, resort: bool = True) -> list[tuple[int, Optional[Light], Optional[Light]]]:
        """Recompute lights and remaining time at `now`; return (case_id, old, new) for changed lights.

        Only the cases whose next mark has passed are looked at (all of them if the clock went
        back).  Emits at most two dataChanged (besides moves): the rows whose light changed (every
        column, the row tint changes too) and the 剩余 column of running clocks, each one range
        from the first to the last such row.  Rows enter or leave a light filter by insert/remove.
        A 灯 or 剩余 sort is re-keyed and, if the order changed, redone (layoutChanged); with
        `resort=False` (a delta between ticks) only the rows whose light changed move, and the
        others keep the place of the last re-keying (remaining time drifts the same for most);
        the 剩余 column is then not repainted either.
        """
        back, moved = now < self._now, now != self._now
        self._now = now
        if moved:
            self._read_clocks()
        transitions = self._relight_all() if back else self._relight_due()
        timed = self._sort_column in _TIMED_COLUMNS
        rekey = timed and (back or (resort and self._keyed_at != now))
        if rekey:
            self._resort(only_if_changed=True)
        if self._filter.light is not None and transitions:
            for case_id, _old, _new in transitions:  # rows enter or leave the light filter
                shown, wanted = case_id in self._keys, self._matches(self._rows[case_id])
                if wanted and not shown:
                    self._show(case_id)
                elif shown and not wanted:
                    self._hide(case_id)
            self._recount()
        if timed and moved and not rekey:
            for case_id, _old, _new in transitions:
                if case_id in self._keys:
                    self._reposition(case_id)
        # a light change recolours the whole row (tint); remaining time changes one column, shown
        # in minutes: repainted on the tick, not on every change between two ticks
        self._emit_changed([cid for cid, _, _ in transitions], 0, len(HEADERS) - 1)
        if resort:
            self._emit_changed_rows(Column.REMAINING, Column.REMAINING)
        return transitions

    # -- internals: lights --------------------------------------------------------------------------
    def _read_clocks(self) -> None:
        self._readings = {kind: self._countdown.reading(self._now, kind) for kind in TimeKind}

    def _relight_all(self) -> list[tuple[int, Optional[Light], Optional[Light]]]:
        transitions, now = [], self._now
        lights, old_lights = {}, self._lights
        marks, nexts = [], {}
        for case_id, row in self._rows.items():
            new = lights[case_id] = self._light(row)
            old = old_lights.get(case_id, new)
            if new != old:
                transitions.append((case_id, old, new))
            mark = _next_mark(row, now)
            if mark is not None:
                marks.append((mark, case_id))
                nexts[case_id] = mark
        heapq.heapify(marks)
        self._lights, self._marks, self._next = lights, marks, nexts
        return transitions

    def _relight_due(self) -> list[tuple[int, Optional[Light], Optional[Light]]]:
        transitions, marks, now = [], self._marks, self._now
        while marks and marks[0][0] <= now:
            mark, case_id = heapq.heappop(marks)
            if self._next.get(case_id) != mark:
                continue  # the case changed or left since this entry was pushed
            del self._next[case_id]
            row = self._rows[case_id]
            old, new = self._lights[case_id], self._light(row)
            if new != old:
                self._lights[case_id] = new
                transitions.append((case_id, old, new))
            self._push_mark(row)
        return transitions

    def _push_mark(self, row: CaseRow) -> None:
        mark = _next_mark(row, self._now)
        if mark is None:
            self._next.pop(row.id, None)
            return
        self._next[row.id] = mark
        heapq.heappush(self._marks, (mark, row.id))
        if len(self._marks) > 2 * len(self._next) + 64:  # many stale entries: start afresh
            self._marks = [(m, cid) for cid, m in self._next.items()]
            heapq.heapify(self._marks)

    # -- internals: one case ---------------------------------------------------------------------------
    def _upsert(self, row: CaseRow) -> None:
        old = self._rows.get(row.id)
        if old is not None:
            self._count(old, -1)
        self._rows[row.id] = row
        self._lights[row.id] = self._light(row)
        self._anchors[row.id] = self._countdown.anchor(row)
        self._push_mark(row)
        self._count(row, +1)
        shown = row.id in self._keys
        if not self._matches(row):
            if shown:
                self._hide(row.id)
            return
        if not shown:
            self._show(row.id)
            return
        self._reposition(row.id)

    def _reposition(self, case_id: int) -> None:
        """A shown case changed: move it if its key left its place, then repaint its row."""
        asc, keys = self._asc, self._keys
        src = bisect.bisect_left(asc, keys[case_id], key=keys.__getitem__)
        key = keys[case_id] = self._key(case_id)
        in_place = (src == 0 or keys[asc[src - 1]] < key) and (src == len(asc) - 1 or key < keys[asc[src + 1]])
        if not in_place:
            del asc[src]
            dst = bisect.bisect_left(asc, key, key=keys.__getitem__)
            asc.insert(src, case_id)  # restore so Qt sees the pre-move layout
            first, last = self._display_row(src), self._display_row(dst)
            if self.beginMoveRows(QModelIndex(), first, first, QModelIndex(), last if last < first else last + 1):
                del asc[src]
                asc.insert(dst, case_id)
                self.endMoveRows()
            else:  # Qt refused a no-op move: the list is still in order
                del asc[src]
                asc.insert(dst, case_id)
        row = self.row_for_id(case_id)
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(HEADERS) - 1))

    def _show(self, case_id: int) -> None:
        key = self._key(case_id)
        pos = bisect.bisect_left(self._asc, key, key=self._keys.__getitem__)
        row = pos if self._ascending() else len(self._asc) - pos
        self.beginInsertRows(QModelIndex(), row, row)
        self._asc.insert(pos, case_id)
        self._keys[case_id] = key
        self.endInsertRows()

    def _hide(self, case_id: int) -> None:
        key = self._keys.get(case_id)
        if key is None:
            return
        pos = bisect.bisect_left(self._asc, key, key=self._keys.__getitem__)
        row = self._display_row(pos)
        self.beginRemoveRows(QModelIndex(), row, row)
        del self._asc[pos]
        del self._keys[case_id]
        self.endRemoveRows()

    def _ascending(self) -> bool:
        return self._order == Qt.SortOrder.AscendingOrder

    def _display_row(self, pos: int) -> int:
        """The display row of position `pos` in the ascending list."""
        return pos if self._ascending() else len(self._asc) - 1 - pos

    def _id_at(self, row: int) -> int:
        return self._asc[row if self._order == _ASCENDING else len(self._asc) - 1 - row]

    # -- internals: filter, sort, count ------------------------------------------------------------------
    def _matches_others(self, row: CaseRow) -> bool:
        return _passes(self._filter, row, self._lights.get(row.id), self._calendar.tz)

    def _matches(self, row: CaseRow) -> bool:
        return (self._stage == "all" or row.state == self._stage) and self._matches_others(row)

    def _count(self, row: CaseRow, delta: int) -> None:
        if self._matches_others(row):
            if row.state in self._counts:
                self._counts[row.state] += delta
            self._counts["all"] += delta

    def _recount(self) -> None:
        counts = _counted(self._rows.values(), self._matches_others)
        changed = counts != self._counts
        self._counts = counts
        if changed:
            self.sig_counts_changed.emit(dict(counts))

    def _refilter(self) -> None:
        self.beginResetModel()
        self._rebuild_visible()
        self.endResetModel()

    def _rebuild_visible(self) -> None:
        self._keyed_at = self._now
        self._keys = self._keys_of([cid for cid, row in self._rows.items() if self._matches(row)])
        self._asc = sorted(self._keys, key=self._keys.__getitem__)

    def _keys_of(self, ids: list[int]) -> dict[int, RowKey]:
        if self._sort_column in _TIMED_COLUMNS:
            return _timed_keys(self._sort_column, self._ascending(), ids, self._lights, self._anchors, self._readings)
        key = self._key
        return {cid: key(cid) for cid in ids}

    def _resort(self, old_ids: list[int] | None = None, *, only_if_changed: bool = False) -> None:
        """Re-key every visible case and put them in order (layoutChanged, unless nothing moved)."""
        self._keyed_at = self._now
        keys = self._keys_of(self._asc)
        ordered = sorted(self._asc, key=keys.__getitem__)  # near-sorted: about n comparisons
        if only_if_changed and ordered == self._asc:
            self._keys = keys
            return
        old_ids = self.visible_ids() if old_ids is None else old_ids
        self.layoutAboutToBeChanged.emit()
        self._keys, self._asc = keys, ordered
        self._remap_persistent(old_ids)
        self.layoutChanged.emit()

    def _key(self, case_id: int) -> RowKey:
        """Total order of a column: (missing-last flag, raw value, tie-break, id).

        The flag flips with the order so cases without a value stay last either way;
        equal lights are ordered by remaining time, so 灯 descending is "most urgent first".
        """
        value = self._raw(case_id, self._sort_column)
        missing = value is None if self._order == Qt.SortOrder.AscendingOrder else value is not None
        then = 0.0
        if self._sort_column == Column.LIGHT and value is not None:
            then = -(self._remaining_minutes(case_id) or 0.0)
        return (missing, "" if value is None else value, then, case_id)

    def _remap_persistent(self, old_ids: list[int]) -> None:
        old_indexes = self.persistentIndexList()
        if not old_indexes:
            return
        new_indexes = []
        for index in old_indexes:
            row = self.row_for_id(old_ids[index.row()]) if 0 <= index.row() < len(old_ids) else -1
            new_indexes.append(self.index(row, index.column()) if row >= 0 else QModelIndex())
        self.changePersistentIndexList(old_indexes, new_indexes)

    def _emit_changed_rows(self, first_column: int, last_column: int) -> None:
        """One dataChanged over the rows of running clocks (first..last such row) in these columns."""
        rows, count = self._rows, len(self._asc)
        first = next((r for r in range(count) if rows[self._id_at(r)].due_at is not None), None)
        if first is None:
            return
        last = next(r for r in range(count - 1, -1, -1) if rows[self._id_at(r)].due_at is not None)
        self.dataChanged.emit(self.index(first, first_column), self.index(last, last_column))

    def _emit_changed(self, ids: list[int], first_column: int, last_column: int) -> None:
        """One dataChanged over the rows of `ids` (min..max) and the given columns."""
        rows = [r for r in (self.row_for_id(cid) for cid in ids) if r >= 0]
        if rows:
            self.dataChanged.emit(self.index(min(rows), first_column), self.index(max(rows), last_column))

    # -- internals: values --------------------------------------------------------------------------------
    def _light(self, row: CaseRow) -> Optional[Light]:
        return _light_at(self._now, row, self._thresholds)

    def _remaining_minutes(self, case_id: int) -> Optional[float]:
        return _remaining(self._anchors.get(case_id), self._readings)

    def _raw(self, case_id: int, column: int) -> Any:
        return _RAW[column](self, case_id, self._rows[case_id])

    def _display(self, case_id: int, column: int) -> str:
        row = self._rows[case_id]
        if column == Column.LIGHT:
            light = self._lights.get(case_id)
            return self._light_words[light] if light else ""
        if column == Column.STATE:
            label = self._state_labels.get(row.state, row.state)
            if row.pending:
                label += self.tr("·申请{pending}").format(pending=self._pending_labels.get(row.pending, row.pending))
            return label
        if column == Column.REMAINING:
            return format_remaining(self._remaining_minutes(case_id), paused=row.paused,
                                    overdue_word=self._overdue_word, paused_word=self._paused_word)
        if column == Column.SOURCE:
            return self._source_labels.get(row.source, row.source)
        if column == Column.CREATED:
            return row.created_at.astimezone(self._calendar.tz).strftime("%Y-%m-%d %H:%M")
        if column == Column.CATEGORY:
            return row.category_name or row.category_code or self.tr("未分类")
        value = self._raw(case_id, column)
        return "" if value is None else str(value)

    def _foreground(self, case_id: int, column: int) -> Optional[QBrush]:
        if column != Column.LIGHT and column != Column.REMAINING:
            return None
        light = self._lights.get(case_id)
        if column == Column.LIGHT and light is not None:
            return self._ink(light, 140)
        if column == Column.REMAINING:
            minutes = self._remaining_minutes(case_id)
            if minutes is not None and minutes < 0:
                return self._ink(Light.RED, 120)
        return None

    def _ink(self, light: Light, darker: int) -> QBrush:
        """A light's text colour, darkened (made once, like the tints)."""
        key = (light, darker)
        if key not in self._inks:
            self._inks[key] = QBrush(QColor(self._theme.light(light)).darker(darker))
        return self._inks[key]

    def _tint(self, light: Optional[Light]) -> Optional[QBrush]:
        """The row's background for its light (brushes made once: data() runs for every painted cell)."""
        if light not in self._tints:
            tint = self._theme.tint(light)
            self._tints[light] = QBrush(QColor(tint)) if tint else None
        return self._tints[light]

    def _icon(self, light: Light) -> QIcon:
        icon = self._icons.get(light)
        if icon is None:
            icon = self._icons[light] = light_icon(light, self._theme)
        return icon


def _light_rank(model: CaseQueueModel, case_id: int, _row: CaseRow) -> Optional[int]:
    light = model._lights.get(case_id)
    return None if light is None else light.severity


# Raw value (UserRole, and the sort key) of each column.
_RAW: tuple[Callable[[CaseQueueModel, int, CaseRow], Any], ...] = (
    _light_rank,
    lambda _m, _cid, row: row.number,
    lambda _m, _cid, row: row.category_name or row.category_code,
    lambda _m, _cid, row: row.address,
    lambda _m, _cid, row: row.grid_code,
    lambda _m, _cid, row: row.street_name,
    lambda _m, _cid, row: row.department_name,
    lambda _m, _cid, row: _STATE_ORDER.get(row.state, len(_STATE_ORDER)),
    lambda model, cid, _row: model._remaining_minutes(cid),
    lambda _m, _cid, row: row.source,
    lambda _m, _cid, row: row.created_at,
)

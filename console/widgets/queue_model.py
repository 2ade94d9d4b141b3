"""The case queue's item model: sorts and filters itself, applies deltas by id.

No QSortFilterProxyModel (tech-notes §4): the model keeps every open case it
was given (`id -> CaseRow`), the visible ids in display order, and `id -> row`.
A change to one case is one `dataChanged`, `beginMoveRows`, `beginInsertRows`
or `beginRemoveRows`; `beginResetModel` is kept for full resyncs and filter
changes.  DisplayRole is always `str`; UserRole holds the raw sort value.

Tab counts (`tab_counts`) respect every filter except the stage tab itself, so
"待受理 12" is what the operator would see on switching to that tab.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timezone
from typing import Any, Callable, Iterable, Optional

from PySide6.QtCore import QAbstractTableModel, QCoreApplication, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QIcon, QPainter, QPixmap

from console.services.read_models import CaseRow
from console.domain.calendar import WorkCalendar, default_calendar
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


HEADERS = (
    QT_TRANSLATE_NOOP("CaseQueueModel", "灯"), QT_TRANSLATE_NOOP("CaseQueueModel", "案件号"),
    QT_TRANSLATE_NOOP("CaseQueueModel", "类别"), QT_TRANSLATE_NOOP("CaseQueueModel", "地址"),
    QT_TRANSLATE_NOOP("CaseQueueModel", "网格"), QT_TRANSLATE_NOOP("CaseQueueModel", "街道"),
    QT_TRANSLATE_NOOP("CaseQueueModel", "部门"), QT_TRANSLATE_NOOP("CaseQueueModel", "环节"),
    QT_TRANSLATE_NOOP("CaseQueueModel", "剩余"), QT_TRANSLATE_NOOP("CaseQueueModel", "来源"),
    QT_TRANSLATE_NOOP("CaseQueueModel", "上报时间"),
)
CaseIdRole = Qt.ItemDataRole.UserRole + 1  # the case id of any cell


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
        self._rows: dict[int, CaseRow] = {}
        self._lights: dict[int, Optional[Light]] = {}
        self._remaining: dict[int, Optional[float]] = {}  # lazy, cleared on refresh_lights
        self._visible: list[int] = []
        self._row_of: dict[int, int] = {}
        self._stage = "all"
        self._filter = QueueFilter()
        self._sort_column = Column.CREATED
        self._order = Qt.SortOrder.DescendingOrder
        self._counts: dict[str, int] = dict.fromkeys(STAGES, 0)
        self._icons: dict[Light, QIcon] = {}
        self._theme = WORKSTATION
        self._headers = [QCoreApplication.translate("CaseQueueModel", h) for h in HEADERS]
        self._state_labels = labels.table("State")
        self._pending_labels = labels.table("Pending")
        self._source_labels = labels.table("Source")
        self._light_words = {Light(k): v for k, v in labels.table("LightWord").items()}
        self._overdue_word, self._paused_word = self.tr("超时"), self.tr("暂停")

    # -- Qt model API ------------------------------------------------------------------------
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._visible)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return self._headers[section] if 0 <= section < len(HEADERS) else None
        return str(section + 1)

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._visible):
            return None
        case_id = self._visible[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(case_id, column)
        if role == Qt.ItemDataRole.UserRole:
            return self._raw(case_id, column)
        if role == CaseIdRole:
            return case_id
        if role == Qt.ItemDataRole.DecorationRole and column == Column.LIGHT:
            light = self._lights.get(case_id)
            return self._icon(light) if light else None
        if role == Qt.ItemDataRole.ForegroundRole:
            return self._foreground(case_id, column)
        if role == Qt.ItemDataRole.BackgroundRole:
            tint = self._theme.tint(self._lights.get(case_id))
            return QBrush(QColor(tint)) if tint else None
        if role == Qt.ItemDataRole.ToolTipRole and column == Column.ADDRESS:
            return self._rows[case_id].address
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (Column.LIGHT, Column.REMAINING):
            return int(Qt.AlignmentFlag.AlignCenter)
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(HEADERS):
            return
        self.layoutAboutToBeChanged.emit()
        old_ids = list(self._visible)
        self._sort_column, self._order = column, order
        self._sort_visible()
        self._remap_persistent(old_ids)
        self.layoutChanged.emit()

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
        return self._row_of.get(case_id, -1)

    def case_at(self, row: int) -> CaseRow | None:
        return self._rows[self._visible[row]] if 0 <= row < len(self._visible) else None

    def case(self, case_id: int) -> CaseRow | None:
        return self._rows.get(case_id)

    def light_of(self, case_id: int) -> Light | None:
        return self._lights.get(case_id)

    def remaining_of(self, case_id: int) -> float | None:
        return self._remaining_minutes(case_id)

    def set_calendar(self, calendar: WorkCalendar) -> None:
        """The city's calendar changed (`calendar set`): remaining work time is counted on the new one."""
        self._calendar = calendar
        self._remaining.clear()  # the next refresh_lights repaints the 剩余 column

    def visible_ids(self) -> list[int]:
        return list(self._visible)

    def all_ids(self) -> list[int]:
        return list(self._rows)

    def tab_counts(self) -> dict[str, int]:
        """Cases per stage tab under the current filters (the stage tab itself ignored)."""
        return dict(self._counts)

    def light_counts(self) -> dict[Light, int]:
        """Every case the model holds, by light (for the status bar)."""
        counts = dict.fromkeys(Light, 0)
        for light in self._lights.values():
            if light is not None:
                counts[light] += 1
        return counts

    # -- whole-set changes -------------------------------------------------------------------------
    def reset_rows(self, rows: Iterable[CaseRow]) -> None:
        """Full resync: replace every row (a reconnect, a new seat); not for single changes."""
        self.beginResetModel()
        self._rows = {row.id: row for row in rows}
        self._lights = {cid: self._light(row) for cid, row in self._rows.items()}
        self._remaining.clear()
        self._rebuild_visible()
        self.endResetModel()
        self._recount()

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
            self._remaining.pop(case_id, None)
        if self._counts != counts_before:
            self.sig_counts_changed.emit(dict(self._counts))

    def refresh_lights(self, now: datetime) -> list[tuple[int, Optional[Light], Optional[Light]]]:
        """Recompute lights and remaining time at `now`; return (case_id, old, new) for changed lights.

        Emits at most two dataChanged: the rows whose light changed (every column,
        the row tint changes too) and the 剩余 column of running clocks, each one
        range from the first to the last such row.  Rows enter or leave a light
        filter by insert/remove; a light or remaining sort is redone (layoutChanged).
        """
        self._now = now
        self._remaining.clear()
        transitions = []
        for case_id, row in self._rows.items():
            new = self._light(row)
            old = self._lights[case_id]
            if new != old:
                self._lights[case_id] = new
                transitions.append((case_id, old, new))
        if self._filter.light is not None and transitions:
            for case_id, _old, _new in transitions:  # rows enter or leave the light filter
                shown, wanted = case_id in self._row_of, self._matches(self._rows[case_id])
                if wanted and not shown:
                    self._show(case_id)
                elif shown and not wanted:
                    self._hide(case_id)
            self._recount()
        if self._sort_column in (Column.LIGHT, Column.REMAINING):
            self.sort(self._sort_column, self._order)
        # a light change recolours the whole row (tint); remaining time changes one column
        self._emit_changed([cid for cid, _, _ in transitions], 0, len(HEADERS) - 1)
        self._emit_changed(self._running_ids(), Column.REMAINING, Column.REMAINING)
        return transitions

    # -- internals: one case ---------------------------------------------------------------------------
    def _upsert(self, row: CaseRow) -> None:
        old = self._rows.get(row.id)
        if old is not None:
            self._count(old, -1)
        self._rows[row.id] = row
        self._lights[row.id] = self._light(row)
        self._remaining.pop(row.id, None)
        self._count(row, +1)
        shown = row.id in self._row_of
        if not self._matches(row):
            if shown:
                self._hide(row.id)
            return
        if not shown:
            self._show(row.id)
            return
        self._reposition(row.id)

    def _reposition(self, case_id: int) -> None:
        src = self._row_of[case_id]
        key = self._key(case_id)
        neighbours_ok = (src == 0 or self._before(self._key(self._visible[src - 1]), key)) and (
            src == len(self._visible) - 1 or self._before(key, self._key(self._visible[src + 1])))
        if not neighbours_ok:
            del self._visible[src]
            dst = self._insert_position(key)
            self._visible.insert(src, case_id)  # restore so Qt sees the pre-move layout
            dest_child = dst if dst < src else dst + 1
            if self.beginMoveRows(QModelIndex(), src, src, QModelIndex(), dest_child):
                del self._visible[src]
                self._visible.insert(dst, case_id)
                self._reindex(min(src, dst), max(src, dst) + 1)
                self.endMoveRows()
            src = self._row_of[case_id]
        self.dataChanged.emit(self.index(src, 0), self.index(src, len(HEADERS) - 1))

    def _show(self, case_id: int) -> None:
        pos = self._insert_position(self._key(case_id))
        self.beginInsertRows(QModelIndex(), pos, pos)
        self._visible.insert(pos, case_id)
        self._reindex(pos)
        self.endInsertRows()

    def _hide(self, case_id: int) -> None:
        pos = self._row_of.get(case_id)
        if pos is None:
            return
        self.beginRemoveRows(QModelIndex(), pos, pos)
        del self._visible[pos]
        del self._row_of[case_id]
        self._reindex(pos)
        self.endRemoveRows()

    def _reindex(self, start: int, stop: int | None = None) -> None:
        visible, row_of = self._visible, self._row_of
        for i in range(start, len(visible) if stop is None else stop):
            row_of[visible[i]] = i

    # -- internals: filter, sort, count ------------------------------------------------------------------
    def _matches_others(self, row: CaseRow) -> bool:
        f = self._filter
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
        if f.light is not None and self._lights.get(row.id) != f.light:
            return False
        if f.date_from or f.date_to:
            day = row.created_at.astimezone(self._calendar.tz).date()
            if (f.date_from and day < f.date_from) or (f.date_to and day > f.date_to):
                return False
        if f.text:
            needle = f.text.strip().lower()
            if needle and needle not in row.number.lower() and needle not in row.address.lower():
                return False
        return True

    def _matches(self, row: CaseRow) -> bool:
        return (self._stage == "all" or row.state == self._stage) and self._matches_others(row)

    def _count(self, row: CaseRow, delta: int) -> None:
        if self._matches_others(row):
            if row.state in self._counts:
                self._counts[row.state] += delta
            self._counts["all"] += delta

    def _recount(self) -> None:
        counts = dict.fromkeys(STAGES, 0)
        for row in self._rows.values():
            if self._matches_others(row):
                if row.state in counts:
                    counts[row.state] += 1
                counts["all"] += 1
        changed = counts != self._counts
        self._counts = counts
        if changed:
            self.sig_counts_changed.emit(dict(counts))

    def _refilter(self) -> None:
        self.beginResetModel()
        self._rebuild_visible()
        self.endResetModel()

    def _rebuild_visible(self) -> None:
        self._visible = [cid for cid, row in self._rows.items() if self._matches(row)]
        self._sort_visible()

    def _sort_visible(self) -> None:
        self._visible.sort(key=self._key, reverse=self._order == Qt.SortOrder.DescendingOrder)
        self._row_of = {cid: i for i, cid in enumerate(self._visible)}

    def _before(self, a: RowKey, b: RowKey) -> bool:
        return a > b if self._order == Qt.SortOrder.DescendingOrder else a < b

    def _insert_position(self, key: RowKey) -> int:
        lo, hi = 0, len(self._visible)
        while lo < hi:
            mid = (lo + hi) // 2
            if self._before(self._key(self._visible[mid]), key):
                lo = mid + 1
            else:
                hi = mid
        return lo

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
        new_indexes = []
        for index in old_indexes:
            row = self._row_of.get(old_ids[index.row()], -1) if 0 <= index.row() < len(old_ids) else -1
            new_indexes.append(self.index(row, index.column()) if row >= 0 else QModelIndex())
        self.changePersistentIndexList(old_indexes, new_indexes)

    def _running_ids(self) -> list[int]:
        return [cid for cid in self._visible if self._rows[cid].due_at is not None]

    def _emit_changed(self, ids: list[int], first_column: int, last_column: int) -> None:
        """One dataChanged over the rows of `ids` (min..max) and the given columns."""
        rows = [self._row_of[cid] for cid in ids if cid in self._row_of]
        if rows:
            self.dataChanged.emit(self.index(min(rows), first_column), self.index(max(rows), last_column))

    # -- internals: values --------------------------------------------------------------------------------
    def _light(self, row: CaseRow) -> Optional[Light]:
        if not row.has_clock:
            return None
        return clock_light(self._now, yellow_at=row.yellow_at, red_at=row.red_at,
                           consumed_minutes=row.consumed_minutes, total_minutes=row.total_minutes,
                           thresholds=self._thresholds)

    def _remaining_minutes(self, case_id: int) -> Optional[float]:
        if case_id in self._remaining:
            return self._remaining[case_id]
        row = self._rows[case_id]
        value = remaining_minutes(self._now, self._calendar, limit=row.limit, total_minutes=row.total_minutes,
                                  consumed_minutes=row.consumed_minutes, due_at=row.due_at)
        self._remaining[case_id] = value
        return value

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
        light = self._lights.get(case_id)
        if column == Column.LIGHT and light is not None:
            return QBrush(QColor(self._theme.light(light)).darker(140))
        if column == Column.REMAINING:
            minutes = self._remaining_minutes(case_id)
            if minutes is not None and minutes < 0:
                return QBrush(QColor(self._theme.light(Light.RED)).darker(120))
        return None

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

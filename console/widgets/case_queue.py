"""The case queue panel (案件队列): stage tabs with counts, a filter row, the table.

The panel runs no SQL: the main window reads rows with `console.data.queue_and_detail`
and hands them over (`set_rows` once, `apply_rows` / `remove_ids` per change,
`refresh_lights` on the alert clock's tick).  Sorting and filtering happen in
`CaseQueueModel`; the view never measures contents (fixed row heights).
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Any, Callable, Iterable, Optional

from PySide6.QtCore import QDate, QItemSelectionModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTabBar,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from console.services.read_models import CaseRow, FilterOptions
from console.domain.calendar import WorkCalendar
from console.domain.clocks import DEFAULT_THRESHOLDS, Light, Thresholds
from console.widgets import labels
from console.widgets.theme import WORKSTATION
from console.widgets.queue_model import (
    HEADERS,
    STAGES,
    stage_label,
    CaseIdRole,
    CaseQueueModel,
    Column,
    PreparedRows,
    QueueFilter,
    light_icon,
)

# Initial column widths in pixels (the operator can drag them; 地址 stretches).
_COLUMN_WIDTHS = {
    Column.LIGHT: 46, Column.NUMBER: 112, Column.CATEGORY: 124, Column.ADDRESS: 200, Column.GRID: 128,
    Column.STREET: 80, Column.DEPARTMENT: 128, Column.STATE: 108, Column.REMAINING: 116, Column.SOURCE: 92,
    Column.CREATED: 120,
}
_NO_DATE = QDate(2000, 1, 1)  # the date edits' "not set" value (shown as their special text)


class _QueueView(QTableView):
    """The table: Enter opens the current case; arrows and PageUp/Down move."""

    sig_enter = Signal(QModelIndex)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self.sig_enter.emit(self.currentIndex())
            event.accept()
            return
        super().keyPressEvent(event)


class CaseQueuePanel(QWidget):
    """Stage tabs ("待受理 12"), filters, and the sortable queue table."""

    sig_case_selected = Signal(int)
    """The current case changed (case id); emitted once per different case."""
    sig_case_activated = Signal(int)
    """Enter or double-click on a case: open it (case id)."""
    sig_filter_changed = Signal(object)
    """The filters changed (the QueueFilter now applied): the map follows its street and community."""

    def __init__(self, parent: QWidget | None = None, *, model: CaseQueueModel | None = None,
                 calendar: WorkCalendar | None = None, thresholds: Thresholds = DEFAULT_THRESHOLDS,
                 now: datetime | None = None) -> None:
        super().__init__(parent)
        self._model = model or CaseQueueModel(self, calendar=calendar, thresholds=thresholds, now=now)
        self._options: FilterOptions | None = None
        self._selected_id: Optional[int] = None
        self._restoring = False
        self._build()
        self._connect()
        self._update_tabs(self._model.tab_counts())
        self._update_count()

    # -- public API -----------------------------------------------------------------------------
    @property
    def model(self) -> CaseQueueModel:
        return self._model

    @property
    def view(self) -> QTableView:
        return self._view

    @property
    def tab_bar(self) -> QTabBar:
        return self._tabs

    def set_options(self, options: FilterOptions) -> None:
        """Fill the filter combos (streets, communities, grids, categories, sources, departments)."""
        if options == self._options:
            return  # a reload with the same options: refilling thousands of grids would stall the window
        self._options = options
        with _Blocked(self._street, self._category, self._source, self._department):
            _fill(self._street, self.tr("全部街道"), [(o.name, o.code) for o in options.streets])
            _fill(self._category, self.tr("全部类别"), [(f"{c.code} {c.name}", c.code) for c in options.categories])
            _fill(self._source, self.tr("全部来源"),
                  [(labels.source_label(s), s) for s in options.sources])
            _fill(self._department, self.tr("全部部门"), [(d.name, d.id) for d in options.departments])
        self._fill_communities()
        self._fill_grids()
        self._apply_filter()

    def set_rows(self, rows: Iterable[CaseRow] | PreparedRows) -> None:
        """Full resync of the queue (start-up, reconnect, a new seat); PreparedRows come from the model's preparer."""
        self._model.reset_rows(rows)

    def apply_rows(self, rows: Iterable[CaseRow]) -> None:
        self._model.apply_rows(rows)

    def remove_ids(self, ids: Iterable[int]) -> None:
        self._model.remove_ids(ids)

    def refresh_lights(self, now: datetime, *, resort: bool = True) -> list[tuple[int, Optional[Light], Optional[Light]]]:
        return self._model.refresh_lights(now, resort=resort)

    def set_stage(self, stage: str) -> None:
        self._tabs.setCurrentIndex(STAGES.index(stage))

    def selected_case_id(self) -> Optional[int]:
        index = self._view.currentIndex()
        return index.data(CaseIdRole) if index.isValid() else None

    def select_case(self, case_id: int, *, reveal: bool = True) -> bool:
        """Make `case_id` the current row and scroll to it.

        A case hidden by the tab or the filters is revealed (全部, no filters)
        when `reveal`; returns False when the queue does not hold the case.
        """
        row = self._model.row_for_id(case_id)
        if row < 0 and reveal and self._model.case(case_id) is not None:
            self.clear_filters()
            self.set_stage("all")
            row = self._model.row_for_id(case_id)
        if row < 0:
            return False
        index = self._model.index(row, Column.NUMBER)
        flags = QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
        self._view.selectionModel().setCurrentIndex(index, flags)
        self._view.scrollTo(index, QAbstractItemView.ScrollHint.EnsureVisible)
        return True

    def filter_to_grid(self, code: str) -> None:
        """Show one unit grid's cases (the map's grid was clicked); codes nest 街道 ⊃ 社区 ⊃ 网格."""
        street, community = code[:9], code[:12]
        with _Blocked(self._street, self._community, self._grid):
            _select_data(self._street, street, street)
            self._fill_communities()
            _select_data(self._community, community, community)
            self._fill_grids()
            _select_data(self._grid, code, code)
        self._apply_filter()

    def filter_to_light(self, light: Light) -> None:
        """Every case of one light, whatever the stage (the status bar's 红灯 n)."""
        with _Blocked(self._light):
            self.clear_filters()
            self._light.setCurrentIndex(max(self._light.findData(light.value), 0))
        self.set_stage("all")
        self._apply_filter()

    def clear_filters(self) -> None:
        with _Blocked(self._street, self._community, self._grid, self._category, self._source, self._light,
                      self._department, self._date_from, self._date_to, self._search):
            for combo in (self._street, self._community, self._grid, self._category, self._source, self._light,
                          self._department):
                combo.setCurrentIndex(0)
            self._fill_communities()
            self._fill_grids()
            self._date_from.setDate(_NO_DATE)
            self._date_to.setDate(_NO_DATE)
            self._search.clear()
        self._apply_filter()

    def current_filter(self) -> QueueFilter:
        return self._model.queue_filter

    def focus_search(self) -> None:
        """Ctrl+F: the search box, its text selected so typing replaces it."""
        self._search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self._search.selectAll()

    def no_match_text(self) -> str:
        """What the panel says when the filters leave no case ('' while something shows)."""
        return self._no_match.text() if not self._no_match.isHidden() else ""

    def keep_sort(self, load: Callable[[], str], save: Callable[[str], None]) -> None:
        """Restore this user's sort (default: most urgent first) from `load()`; every change goes to `save`."""
        saved = str(load() or "")
        column, order = Column.LIGHT, Qt.SortOrder.DescendingOrder  # red first, then least time left
        parts = saved.split(",")
        if len(parts) == 2 and all(p.isdigit() for p in parts) and int(parts[0]) < len(HEADERS) and int(parts[1]) < 2:
            column, order = int(parts[0]), Qt.SortOrder(int(parts[1]))
        self._view.sortByColumn(column, order)
        self._view.horizontalHeader().sortIndicatorChanged.connect(lambda col, how: save(f"{col},{how.value}"))

    # -- building -------------------------------------------------------------------------------
    def _build(self) -> None:
        self._tabs = QTabBar(self)
        self._tabs.setObjectName("queue_tabs")
        self._tabs.setExpanding(False)
        self._tabs.setDrawBase(True)
        for stage in STAGES:
            self._tabs.addTab(stage_label(stage))
        self._tabs.setCurrentIndex(STAGES.index(self._model.stage))

        self._street = self._combo("filter_street", self.tr("全部街道"), 7)
        self._community = self._combo("filter_community", self.tr("全部社区"), 7)
        self._grid = self._combo("filter_grid", self.tr("全部网格"), 11)
        self._category = self._combo("filter_category", self.tr("全部类别"), 8)
        self._source = self._combo("filter_source", self.tr("全部来源"), 5)
        self._light = self._combo("filter_light", self.tr("全部灯"), 4)
        for light in Light:
            self._light.addItem(light_icon(light), labels.light_name(light), light.value)
        self._department = self._combo("filter_department", self.tr("全部部门"), 8)
        self._date_from = self._date_edit("filter_date_from", self.tr("起始日期"))
        self._date_to = self._date_edit("filter_date_to", self.tr("截止日期"))
        self._search = QLineEdit(self)
        self._search.setObjectName("filter_search")
        self._search.setPlaceholderText(self.tr("案件号/地址"))
        self._search.setClearButtonEnabled(True)
        self._search.setMinimumWidth(150)
        self._clear = QToolButton(self)
        self._clear.setObjectName("filter_clear")
        self._clear.setText(self.tr("清除筛选"))
        self._clear.setToolTip(self.tr("清除全部筛选条件"))
        self._count = QLabel(self)
        self._count.setObjectName("queue_count")
        self._count.setMinimumWidth(70)
        self._count.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)

        filters = QHBoxLayout()
        filters.setContentsMargins(4, 2, 4, 2)
        filters.setSpacing(4)
        for widget in (self._street, self._community, self._grid, self._category, self._source, self._light,
                       self._department, self._date_from, QLabel("–", self), self._date_to):
            filters.addWidget(widget)
        filters.addWidget(self._search, 1)
        filters.addWidget(self._clear)
        filters.addWidget(self._count)

        self._view = _QueueView(self)
        self._view.setObjectName("queue_table")
        self._view.setModel(self._model)
        self._setup_view()
        # "no case matches" in the middle of the empty table: in the filter row its words widened the whole
        # queue dock and squeezed the detail beside it
        self._no_match = QLabel(self._view.viewport())
        self._no_match.setObjectName("no_match")
        self._no_match.setStyleSheet(f"color: {WORKSTATION.text['error']}; font-weight: bold;")
        self._no_match.setWordWrap(True)
        self._no_match.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._no_match.hide()
        overlay = QVBoxLayout(self._view.viewport())
        overlay.addWidget(self._no_match)  # the whole width: it wraps only when the table is narrower

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self._tabs)
        layout.addLayout(filters)
        layout.addWidget(self._view, 1)
        self.setFocusProxy(self._view)

    def _combo(self, name: str, all_text: str, chars: int) -> QComboBox:
        combo = QComboBox(self)
        combo.setObjectName(name)
        combo.addItem(all_text, None)
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        # room for the "all" item in this language ("All communities" is wider than 全部社区), counted in average characters
        fits = -(-combo.fontMetrics().horizontalAdvance(all_text) // max(combo.fontMetrics().averageCharWidth(), 1))
        combo.setMinimumContentsLength(max(chars, fits + 3))  # + the frame and the arrow's margin
        combo.setMaxVisibleItems(20)
        return combo

    def _date_edit(self, name: str, special: str) -> QDateEdit:
        edit = QDateEdit(self)
        edit.setObjectName(name)
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("yyyy-MM-dd")
        edit.setMinimumDate(_NO_DATE)
        edit.setSpecialValueText(special)
        edit.setDate(_NO_DATE)
        return edit

    def _setup_view(self) -> None:
        view = self._view
        view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        view.setAlternatingRowColors(False)
        view.setWordWrap(False)
        view.setTextElideMode(Qt.TextElideMode.ElideRight)
        view.setShowGrid(False)
        view.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        rows = view.verticalHeader()
        rows.setVisible(False)
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(view.fontMetrics().height() + 10)
        header = view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setHighlightSections(False)
        header.setStretchLastSection(False)
        for column, width in _COLUMN_WIDTHS.items():
            header.resizeSection(column, max(width, self._words_width(column)))
        header.setSectionResizeMode(Column.ADDRESS, QHeaderView.ResizeMode.Stretch)
        header.setMinimumSectionSize(36)
        header.setSortIndicator(self._model.sort_column, self._model.sort_order)
        view.setSortingEnabled(True)  # clicks call CaseQueueModel.sort: no proxy
        assert len(HEADERS) == len(_COLUMN_WIDTHS)

    def _words_width(self, column: int) -> int:
        """The widest word a column of UI words shows (light, source) in this language, with its icon and margins."""
        words = {Column.LIGHT: [labels.light_word(light) for light in Light],
                 Column.SOURCE: list(labels.table("Source").values())}.get(column, [])
        metrics = self._view.fontMetrics()
        return max((metrics.horizontalAdvance(w) for w in words), default=0) + (40 if column == Column.LIGHT else 16)

    def _connect(self) -> None:
        self._tabs.currentChanged.connect(self._on_tab)
        self._model.sig_counts_changed.connect(self._update_tabs)
        self._model.modelAboutToBeReset.connect(self._remember_selection)
        self._model.modelReset.connect(self._restore_selection)
        for signal in (self._model.modelReset, self._model.rowsInserted, self._model.rowsRemoved):
            signal.connect(self._update_count)
        self._view.selectionModel().currentRowChanged.connect(self._on_current_row)
        self._view.sig_enter.connect(self._activate)
        self._view.doubleClicked.connect(self._activate)
        self._street.currentIndexChanged.connect(self._on_street)
        self._community.currentIndexChanged.connect(self._on_community)
        for combo in (self._grid, self._category, self._source, self._light, self._department):
            combo.currentIndexChanged.connect(self._apply_filter)
        self._date_from.dateChanged.connect(self._apply_filter)
        self._date_to.dateChanged.connect(self._apply_filter)
        self._search.textChanged.connect(self._apply_filter)
        self._clear.clicked.connect(self.clear_filters)

    # -- reactions ---------------------------------------------------------------------------------
    def _on_tab(self, index: int) -> None:
        if 0 <= index < len(STAGES):
            self._model.set_stage(STAGES[index])
            self._keep_a_shown_case()

    def _on_street(self) -> None:
        with _Blocked(self._community, self._grid):
            self._fill_communities()
            self._fill_grids()
        self._apply_filter()

    def _on_community(self) -> None:
        with _Blocked(self._grid):
            self._fill_grids()
        self._apply_filter()

    def _apply_filter(self) -> None:
        light = self._light.currentData()
        self._model.set_filter(QueueFilter(
            street=self._street.currentData(),
            community=self._community.currentData(),
            grid=self._grid.currentData(),
            category=self._category.currentData(),
            source=self._source.currentData(),
            light=Light(light) if light else None,
            department=self._department.currentData(),
            date_from=_date_of(self._date_from),
            date_to=_date_of(self._date_to),
            text=self._search.text().strip(),
        ))
        self._update_count()
        self._keep_a_shown_case()
        self.sig_filter_changed.emit(self._model.queue_filter)

    def _keep_a_shown_case(self) -> None:
        """A tab or filter that hides the current case moves the queue to its first case, so the detail
        and the action keys follow what the operator sees (a search for a number lands on that case)."""
        if self._model.rowCount() and (self._selected_id is None or self._model.row_for_id(self._selected_id) < 0):
            self.select_case(self._model.index(0, Column.NUMBER).data(CaseIdRole), reveal=False)

    def _fill_communities(self) -> None:
        street = self._street.currentData()
        options = self._options.communities if self._options else ()
        _fill(self._community, self.tr("全部社区"),
              [(o.name, o.code) for o in options if street is None or o.parent == street])

    def _fill_grids(self) -> None:
        street, community = self._street.currentData(), self._community.currentData()
        options = self._options.grids if self._options else ()
        _fill(self._grid, self.tr("全部网格"), [
            (o.code if o.name == o.code else f"{o.code} {o.name}", o.code) for o in options
            if (community is None or o.parent == community) and (street is None or o.code.startswith(street))
        ])

    def _update_tabs(self, counts: dict[str, int]) -> None:
        for i, stage in enumerate(STAGES):
            self._tabs.setTabText(i, f"{stage_label(stage)} {counts.get(stage, 0)}")

    def _update_count(self, *_args: Any) -> None:
        self._count.setText(self.tr("共 %n 条", "", self._model.rowCount()))
        self._say_no_match()

    def _say_no_match(self) -> None:
        """Nothing shown although the operator searched or filtered: say so, beside the search box."""
        text = self._search.text().strip()
        filtered = bool(text) or self._model.queue_filter != QueueFilter()
        if self._model.rowCount() or not filtered:
            self._no_match.hide()
            return
        if text:
            message = self.tr("没有与“%1”匹配的案件").replace("%1", text)
        else:
            message = self.tr("没有符合筛选条件的案件")
        elsewhere = self._model.tab_counts().get("all", 0)
        if elsewhere:  # the operator's own tab is narrower than the search: point to the others
            message += self.tr("（其他环节 %1 件，见“全部”）").replace("%1", str(elsewhere))
        self._no_match.setText(message)
        self._no_match.show()

    def _on_current_row(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if self._restoring or not current.isValid():
            return
        case_id = current.data(CaseIdRole)
        if case_id != self._selected_id:
            self._selected_id = case_id
            self.sig_case_selected.emit(case_id)

    def _remember_selection(self) -> None:
        self._restoring = True

    def _restore_selection(self) -> None:
        try:
            if self._selected_id is not None and self._model.row_for_id(self._selected_id) >= 0:
                self.select_case(self._selected_id, reveal=False)
        finally:
            self._restoring = False
        if self._selected_id is None and self._model.rowCount():  # the first rows of a seat: its most urgent case
            self.select_case(self._model.index(0, Column.NUMBER).data(CaseIdRole), reveal=False)

    def _activate(self, index: QModelIndex) -> None:
        if index.isValid():
            self.sig_case_activated.emit(index.data(CaseIdRole))


# --- helpers -----------------------------------------------------------------------------------


class _Blocked:
    """Block the widgets' signals while combos are refilled."""

    def __init__(self, *widgets: QWidget) -> None:
        self._widgets = widgets
        self._before: list[bool] = []

    def __enter__(self) -> None:
        self._before = [w.blockSignals(True) for w in self._widgets]

    def __exit__(self, *_exc: object) -> None:
        for widget, before in zip(self._widgets, self._before):
            widget.blockSignals(before)


def _fill(combo: QComboBox, all_text: str, items: list[tuple[str, Any]]) -> None:
    """Replace a combo's items, keeping the current choice when it is still offered."""
    current = combo.currentData()
    combo.clear()
    combo.addItem(all_text, None)
    for text, data in items:
        combo.addItem(text, data)
    found = combo.findData(current) if current is not None else -1
    combo.setCurrentIndex(max(found, 0))


def _select_data(combo: QComboBox, data: Any, text: str) -> None:
    index = combo.findData(data)
    if index < 0:
        combo.addItem(text, data)
        index = combo.count() - 1
    combo.setCurrentIndex(index)


def _date_of(edit: QDateEdit) -> Optional[date]:
    value = edit.date()
    return None if value == _NO_DATE else date(value.year(), value.month(), value.day())

"""The case detail panel (案卷详情): facts, caller, photos, step clocks, timeline, actions.

The only panel that shows the caller's name and phone unmasked.  It runs no
SQL: the main window loads a `CaseDetail` (console.data.queue_and_detail) and
calls `set_detail`, then `set_actions` with the actions allowed to the
signed-in role (console.domain.workflow.allowed_actions).  A click on an
action button emits `sig_action_requested(action id)`; the main window opens
the matching dialog and runs the command.
"""
from __future__ import annotations

from datetime import datetime
from html import escape
from pathlib import Path
from typing import Iterable, Optional

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QPixmap
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from console.services.read_models import CaseDetail, ClockInfo
from console.domain.calendar import Limit, WorkCalendar, default_calendar
from console.domain.catalogue import URGENCY_LABELS, Urgency
from console.domain.clocks import DEFAULT_THRESHOLDS, Light, Step, Thresholds
from console.domain.workflow import (
    ACTION_LABELS,
    CLOSE_TYPE_LABELS,
    PENDING_LABELS,
    ROLE_LABELS,
    STATE_LABELS,
    Action,
    CloseType,
    Pending,
    Role,
    State,
)
from console.widgets.queue_model import (
    LIGHT_COLOURS,
    SOURCE_LABELS,
    clock_light,
    format_remaining,
    remaining_minutes,
)
from console.widgets.shortcuts import ACTION_SHORTCUTS

_LIGHT_NAMES = {Light.GREEN: "绿灯", Light.YELLOW: "黄灯", Light.RED: "红灯"}
_LIMIT_UNITS = {"wd": "工作日", "wh": "工作小时", "wmin": "工作分钟", "d": "天", "h": "小时", "min": "分钟"}
_OUTCOMES = {"on_time": "按时", "late": "超时", "returned": "回退", "cancelled": "作废"}
_THUMB = 96  # photo thumbnail edge, px
_ACTION_COLUMNS = 3


def _label(value: str, enum, labels: dict) -> str:  # noqa: ANN001
    try:
        return labels[enum(value)]
    except (KeyError, ValueError):
        return value


class CaseDetailPanel(QWidget):
    """One case in full, with one button per action the operator may take."""

    sig_action_requested = Signal(str)
    """An action button was clicked: the action id (console.domain.workflow.Action value)."""

    def __init__(self, parent: QWidget | None = None, *, calendar: WorkCalendar | None = None,
                 thresholds: Thresholds = DEFAULT_THRESHOLDS) -> None:
        super().__init__(parent)
        self._calendar = calendar or default_calendar()
        self._thresholds = thresholds
        self._detail: CaseDetail | None = None
        self._buttons: dict[str, QPushButton] = {}
        self._fields: dict[str, QLabel] = {}
        self._build()
        self.set_detail(None)

    # -- public API ----------------------------------------------------------------------------
    @property
    def detail(self) -> CaseDetail | None:
        return self._detail

    @property
    def case_id(self) -> Optional[int]:
        return self._detail.row.id if self._detail else None

    def set_calendar(self, calendar: WorkCalendar) -> None:
        """The city's calendar changed: the clocks shown next count on the new one."""
        self._calendar = calendar

    def set_detail(self, detail: CaseDetail | None, now: datetime | None = None) -> None:
        """Show a case (None: the empty state). `now` sets the clocks' lights and remaining time."""
        self._detail = detail
        self._empty.setVisible(detail is None)
        self._scroll.setVisible(detail is not None)
        self._header.setVisible(detail is not None)
        if detail is None:
            self.set_actions([])
            self.set_presence("")
            return
        now = now or datetime.now(self._calendar.tz)
        self._show_header(detail, now)
        self._show_fields(detail)
        self._show_photos(detail.photos)
        self._show_clocks(detail.clocks, now)
        self._show_timeline(detail)
        self._urges.setText(self._urges_html(detail))
        self._urge_box.setVisible(bool(detail.urges))

    def set_actions(self, actions: Iterable[Action | str]) -> None:
        """One button per allowed action, in workflow order; objectName `action_<id>`."""
        for button in self._buttons.values():
            self._actions_grid.removeWidget(button)
            button.hide()  # deleteLater waits for the event loop; never show a stale button
            button.deleteLater()
        self._buttons = {}
        for i, action in enumerate(Action(a) for a in actions):
            button = QPushButton(ACTION_LABELS[action], self._actions_box)
            button.setObjectName(f"action_{action.value}")
            button.setToolTip(_with_shortcut(ACTION_LABELS[action], ACTION_SHORTCUTS.get(action)))
            button.setMinimumHeight(30)
            button.clicked.connect(lambda _checked=False, value=action.value: self.sig_action_requested.emit(value))
            self._actions_grid.addWidget(button, i // _ACTION_COLUMNS, i % _ACTION_COLUMNS)
            self._buttons[action.value] = button
        self._no_actions.setVisible(not self._buttons)

    def action_button(self, action: Action | str) -> QPushButton | None:
        return self._buttons.get(Action(action).value)

    def action_ids(self) -> list[str]:
        return list(self._buttons)

    def set_presence(self, text: str) -> None:
        """'正在处理' line: who else has this case open (empty hides it)."""
        self._presence.setText(text)
        self._presence.setVisible(bool(text))

    def field_text(self, name: str) -> str:
        """The shown text of one field (number, category, condition, limit, urgency, caller...)."""
        return self._fields[name].text()

    def plain_text(self) -> str:
        """Everything the panel shows, as plain text (for tests and copy)."""
        parts = [label.text() for label in self.findChildren(QLabel) if label.isVisibleTo(self)]
        return "\n".join(parts)

    # -- building -------------------------------------------------------------------------------
    def _build(self) -> None:
        self._empty = QLabel(self.tr("未选择案件\n在队列中选择一件案件查看详情"), self)
        self._empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._empty.setStyleSheet("color: #888; padding: 40px;")

        self._header = QWidget(self)
        self._number = self._named_label("number", self._header)
        self._number.setStyleSheet("font-size: 17px; font-weight: bold;")
        self._number.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._light = self._named_label("light", self._header)
        self._state = self._named_label("state", self._header)
        self._state.setStyleSheet("font-size: 14px;")
        top = QHBoxLayout(self._header)
        top.setContentsMargins(8, 6, 8, 2)
        top.addWidget(self._number)
        top.addWidget(self._state)
        top.addStretch(1)
        top.addWidget(self._light)

        self._presence = QLabel(self)
        self._presence.setObjectName("presence")
        self._presence.setStyleSheet("color: #7A4E00; background: #FFF3CD; padding: 3px 8px;")

        body = QWidget()
        column = QVBoxLayout(body)
        column.setContentsMargins(8, 4, 8, 8)
        column.addWidget(self._facts_box())
        self._photo_box = QGroupBox(self.tr("照片"), body)
        self._photos = QHBoxLayout(self._photo_box)
        self._photos.setAlignment(Qt.AlignmentFlag.AlignLeft)
        column.addWidget(self._photo_box)
        self._clocks = self._grid_box(column, self.tr("环节时钟"), "clocks")
        self._urge_box, self._urges = self._html_group(self.tr("催办 / 督办"), "urges")
        column.addWidget(self._urge_box)
        self._timeline = self._grid_box(column, self.tr("处理记录"), "timeline")
        column.addStretch(1)
        self._scroll = QScrollArea(self)
        self._scroll.setWidget(body)
        self._scroll.setWidgetResizable(True)
        self._scroll.setFrameShape(QFrame.Shape.NoFrame)
        self._scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

        self._actions_box = QGroupBox(self.tr("操作"), self)
        self._actions_box.setObjectName("actions")
        self._actions_grid = QGridLayout(self._actions_box)
        self._actions_grid.setSpacing(6)
        self._no_actions = QLabel(self.tr("当前角色对此案件无可用操作"), self._actions_box)
        self._no_actions.setStyleSheet("color: #888;")
        self._actions_grid.addWidget(self._no_actions, 99, 0, 1, _ACTION_COLUMNS)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self._empty, 1)
        layout.addWidget(self._header)
        layout.addWidget(self._presence)
        layout.addWidget(self._scroll, 1)
        layout.addWidget(self._actions_box)

    def _named_label(self, name: str, parent: QWidget) -> QLabel:
        label = QLabel(parent)
        label.setObjectName(f"field_{name}")
        self._fields[name] = label
        return label

    def _facts_box(self) -> QGroupBox:
        box = QGroupBox(self.tr("案件信息"))
        form = QFormLayout(box)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setVerticalSpacing(4)
        rows = [
            ("category", self.tr("类别")), ("condition", self.tr("立案条件")), ("limit", self.tr("处置时限")),
            ("urgency", self.tr("紧急程度")), ("source", self.tr("来源")), ("created", self.tr("上报时间")),
            ("address", self.tr("地址")), ("place", self.tr("网格")), ("department", self.tr("处置部门")),
            ("caller", self.tr("报告人")), ("counts", self.tr("回退/延期/返工")), ("closing", self.tr("结案")),
            ("description", self.tr("描述")),
        ]
        for name, title in rows:
            label = self._named_label(name, box)
            label.setWordWrap(True)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            label.setMinimumWidth(1)
            form.addRow(title, label)
        self._form = form
        return box

    def _html_group(self, title: str, name: str) -> tuple[QGroupBox, QLabel]:
        box = QGroupBox(title)
        label = QLabel(box)
        label.setObjectName(name)
        label.setTextFormat(Qt.TextFormat.RichText)
        label.setWordWrap(True)
        label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        label.setMinimumWidth(1)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        QVBoxLayout(box).addWidget(label)
        return box, label

    def _grid_box(self, column: QVBoxLayout, title: str, name: str) -> QGridLayout:
        box = QGroupBox(title)
        box.setObjectName(name)
        grid = QGridLayout(box)
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(5)
        column.addWidget(box)
        return grid

    # -- filling ------------------------------------------------------------------------------------
    def _local(self, at: Optional[datetime], fmt: str = "%Y-%m-%d %H:%M") -> str:
        return at.astimezone(self._calendar.tz).strftime(fmt) if at else ""

    def _show_header(self, detail: CaseDetail, now: datetime) -> None:
        row = detail.row
        self._number.setText(row.number)
        state = _label(row.state, State, STATE_LABELS)
        if row.pending:
            state += self.tr(" · 待批") + _label(row.pending, Pending, PENDING_LABELS) + self.tr("申请")
        self._state.setText(state)
        light = clock_light(now, yellow_at=row.yellow_at, red_at=row.red_at, consumed_minutes=row.consumed_minutes,
                            total_minutes=row.total_minutes, thresholds=self._thresholds) if row.has_clock else None
        if light is None:
            self._light.setText("")
            self._light.setStyleSheet("")
            return
        remaining = remaining_minutes(now, self._calendar, limit=row.limit, total_minutes=row.total_minutes,
                                      consumed_minutes=row.consumed_minutes, due_at=row.due_at)
        step = Step(row.step).label if row.step else ""
        text = f"{self.tr(_LIGHT_NAMES[light])}  {step} {format_remaining(remaining, paused=row.paused)}"
        self._light.setText(text)
        colour = LIGHT_COLOURS[light]
        ink = "#222" if light == Light.YELLOW else "white"
        self._light.setStyleSheet(f"background: {colour}; color: {ink}; border-radius: 4px; padding: 3px 8px;"
                                  "font-weight: bold;")

    def _show_fields(self, detail: CaseDetail) -> None:
        row = detail.row
        urgency = _label(row.urgency, Urgency, URGENCY_LABELS) if row.urgency else ""
        limits = detail.condition_limits
        limit = limits.get(row.urgency or "", "")
        others = "，".join(f"{_label(u, Urgency, URGENCY_LABELS)} {self.tr(limit_text(v))}"
                          for u, v in limits.items() if u != row.urgency)
        place = " / ".join(p for p in (row.grid_code, detail.community_name, row.street_name) if p)
        caller = "  ".join(p for p in (detail.caller_name, detail.caller_phone) if p)
        closing = ""
        if not detail.is_open:
            closing = " ".join(p for p in (
                _label(row.state, State, STATE_LABELS),
                _label(detail.close_type, CloseType, CLOSE_TYPE_LABELS) if detail.close_type else "",
                self._local(detail.closed_at)) if p)
        values = {
            "category": " ".join(p for p in (row.category_code, row.category_name) if p) or self.tr("未分类"),
            "condition": detail.condition_text or self.tr("（未立案）"),
            "limit": (self.tr(limit_text(limit)) + (f"（{others}）" if others else "")) if limit else "",
            "urgency": urgency,
            "source": self.tr(SOURCE_LABELS.get(row.source, row.source)) + (self.tr(" · 自处理") if row.self_handled else ""),
            "created": self._local(row.created_at),
            "address": row.address,
            "place": place,
            "department": row.department_name or "",
            "caller": caller or self.tr("—"),
            "counts": f"{detail.return_count} / {detail.extension_count} / {detail.rework_count}",
            "closing": closing,
            "description": detail.description,
        }
        for name, value in values.items():
            label = self._fields[name]
            label.setText(value)
            visible = bool(value) or name in ("condition", "department")
            label.setVisible(visible)
            self._form.labelForField(label).setVisible(visible)

    def _show_photos(self, photos: tuple[str, ...]) -> None:
        while self._photos.count():
            item = self._photos.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
        self._photo_box.setVisible(bool(photos))
        for name in photos:
            label = QLabel(self._photo_box)
            label.setObjectName("photo")
            path = Path(name)
            pixmap = QPixmap(str(path)) if path.is_file() else QPixmap()
            if not pixmap.isNull():
                label.setPixmap(pixmap.scaled(_THUMB, _THUMB, Qt.AspectRatioMode.KeepAspectRatio,
                                              Qt.TransformationMode.SmoothTransformation))
                label.setToolTip(path.name)
            else:
                label.setText(path.name)
                label.setToolTip(self.tr("文件不存在: ") + name)
                label.setStyleSheet("border: 1px dashed #bbb; padding: 6px; color: #555;")
            self._photos.addWidget(label)

    def _show_clocks(self, clocks: tuple[ClockInfo, ...], now: datetime) -> None:
        head = [self.tr(h) for h in ("环节", "时限", "开始", "截止 / 结束", "状态")]
        rows = [[_cell(h, "color:#555; font-weight:bold;") for h in head]]
        rows += [self._clock_cells(clock, now) for clock in clocks]
        _fill_grid(self._clocks, rows)

    def _clock_cells(self, clock: ClockInfo, now: datetime) -> list[QLabel]:
        step = Step(clock.step).label if clock.step in {s.value for s in Step} else clock.step
        if clock.round > 1:
            step += " " + self.tr("第%1轮").replace("%1", str(clock.round))
        end = self._local(clock.stopped_at or clock.due_at, "%m-%d %H:%M")
        if clock.open:
            light = clock_light(now, yellow_at=clock.yellow_at, red_at=clock.red_at,
                                consumed_minutes=clock.consumed_minutes, total_minutes=clock.total_minutes,
                                thresholds=self._thresholds)
            remaining = remaining_minutes(now, self._calendar, limit=clock.limit, total_minutes=clock.total_minutes,
                                          consumed_minutes=clock.consumed_minutes, due_at=clock.due_at)
            word = self.tr(_LIGHT_NAMES[light]) if light else ""
            colour = LIGHT_COLOURS[light] if light else "#888"
            status = (f"<span style='color:{colour}'>●</span> <b>{escape(word)}</b> "
                      f"{escape(format_remaining(remaining, paused=clock.paused))}")
        else:
            outcome = self.tr(_OUTCOMES.get(clock.outcome or "", clock.outcome or ""))
            colour = "#B03A2E" if clock.outcome == "late" else "#555"
            status = (f"<span style='color:{colour}'>{escape(outcome)}</span> {escape(self.tr('用时'))} "
                      f"{format_remaining(clock.consumed_minutes)}")
        limit = self.tr(limit_text(clock.limit))
        if clock.total_minutes > _base_minutes(clock, self._calendar):
            limit += self.tr("+延期")
        return [_cell(escape(step)), _cell(escape(limit)), _cell(self._local(clock.started_at, "%m-%d %H:%M")),
                _cell(end), _cell(status, wrap=True)]

    def _show_timeline(self, detail: CaseDetail) -> None:
        rows = []
        for e in reversed(detail.events):  # newest first
            action = self.tr(_label(e.action, Action, ACTION_LABELS))
            states = ""
            if e.to_state and e.to_state != e.from_state:
                target = _label(e.to_state, State, STATE_LABELS)
                states = f"{_label(e.from_state, State, STATE_LABELS)} → {target}" if e.from_state else target
            who = f"{e.operator_name}（{_label(e.role, Role, ROLE_LABELS)}{' @ ' + e.seat if e.seat else ''}）"
            note = e.note or (e.data or {}).get("reason", "")
            text = (f"<b>{escape(action)}</b> <span style='color:#555'>{escape(states)}</span><br/>"
                    f"<span style='color:#333'>{escape(who)}</span>")
            if note:
                text += f"<br/><span style='color:#666'>{escape(str(note))}</span>"
            rows.append([_cell(self._local(e.at, "%m-%d %H:%M"), "color:#555;"), _cell(text, wrap=True)])
        _fill_grid(self._timeline, rows)

    def _urges_html(self, detail: CaseDetail) -> str:
        lines = []
        for u in detail.urges:
            kind = self.tr("督办") if u.kind == "supervise" else self.tr("催办")
            text = f"<b>{escape(kind)}</b> {self._local(u.at, '%m-%d %H:%M')} {escape(u.operator_name)}"
            if u.note:
                text += f"：{escape(u.note)}"
            if u.kind == "supervise":
                if u.replied_at:
                    text += (f"<br/><span style='color:#2E7D32'>{escape(self.tr('已回复'))} "
                             f"{self._local(u.replied_at, '%m-%d %H:%M')} {escape(u.reply_note or '')}</span>")
                elif u.reply_due_at:
                    text += (f"<br/><span style='color:#B03A2E'>{escape(self.tr('待回复，期限'))} "
                             f"{self._local(u.reply_due_at, '%m-%d %H:%M')}</span>")
            lines.append(text)
        return "<br/>".join(lines)


def _with_shortcut(label: str, shortcut: str | None) -> str:
    """'立案（Ctrl+Shift+L）': the tooltip names the 案件 menu's key for the same action."""
    if not shortcut:
        return label
    return f"{label}（{QKeySequence(shortcut).toString(QKeySequence.SequenceFormat.NativeText)}）"


def limit_text(limit: str) -> str:
    """'4wh' -> '4工作小时', '15wd' -> '15工作日', '6h' -> '6小时' (unknown text unchanged)."""
    try:
        parsed = Limit.parse(limit)
    except ValueError:
        return limit
    return f"{parsed.value}{_LIMIT_UNITS[parsed.unit.value]}"


def _base_minutes(clock: ClockInfo, calendar: WorkCalendar) -> int:
    """The limit's own minutes, to mark extended clocks (total > limit) with a '+'."""
    try:
        return calendar.limit_minutes(Limit.parse(clock.limit))
    except ValueError:
        return clock.total_minutes


def _cell(text: str, style: str = "", *, wrap: bool = False) -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.RichText)
    label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    if style:
        label.setStyleSheet(style)
    if wrap:
        label.setWordWrap(True)
        label.setMinimumWidth(1)
    return label


def _fill_grid(grid: QGridLayout, rows: list[list[QLabel]]) -> None:
    """Replace a grid's cells; the last column takes the spare width."""
    while grid.count():
        widget = grid.takeAt(0).widget()
        if widget is not None:
            widget.hide()
            widget.deleteLater()
    for r, cells in enumerate(rows):
        for c, cell in enumerate(cells):
            grid.addWidget(cell, r, c)
    columns = max((len(cells) for cells in rows), default=0)
    for c in range(columns):
        grid.setColumnStretch(c, 1 if c == columns - 1 else 0)

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
from console.domain.clocks import (
    DEFAULT_THRESHOLDS, Light, Thresholds, clock_light, format_remaining, remaining_minutes,
)
from console.domain.workflow import Action
from console.widgets import labels
from console.widgets.labels import limit_label as limit_text  # the detail's name for it, kept for callers
from console.widgets.theme import WORKSTATION, dot_html
from console.widgets.shortcuts import ACTION_SHORTCUTS

_THUMB = 96  # photo thumbnail edge, px
_ACTION_COLUMNS = 3


class CaseDetailPanel(QWidget):
    """One case in full, with one button per action the operator may take."""

    sig_action_requested = Signal(str)
    """An action button was clicked: the action id (console.domain.workflow.Action value)."""

    def __init__(self, parent: QWidget | None = None, *, calendar: WorkCalendar | None = None,
                 thresholds: Thresholds = DEFAULT_THRESHOLDS) -> None:
        super().__init__(parent)
        self._calendar = calendar or default_calendar()
        self._thresholds = thresholds
        self._theme = WORKSTATION
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
            button = QPushButton(labels.action_label(action), self._actions_box)
            button.setObjectName(f"action_{action.value}")
            button.setToolTip(_with_shortcut(labels.action_label(action), ACTION_SHORTCUTS.get(action),
                                             self.tr("{label}（{key}）")))
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
        self._empty.setStyleSheet(f"color: {self._theme.text['muted']}; padding: 40px;")

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
        self._presence.setStyleSheet(f"color: {self._theme.notes['presence_ink']}; "
                                     f"background: {self._theme.notes['presence_bg']}; padding: 3px 8px;")

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
        self._no_actions.setStyleSheet(f"color: {self._theme.text['muted']};")
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

    def _remaining_text(self, minutes: Optional[float], paused: bool) -> str:
        return format_remaining(minutes, paused=paused, overdue_word=self.tr("超时"), paused_word=self.tr("暂停"))

    def _show_header(self, detail: CaseDetail, now: datetime) -> None:
        row = detail.row
        self._number.setText(row.number)
        state = labels.state_label(row.state)
        if row.pending:
            state += self.tr(" · 待批{pending}申请").format(pending=labels.pending_label(row.pending))
        self._state.setText(state)
        light = clock_light(now, yellow_at=row.yellow_at, red_at=row.red_at, consumed_minutes=row.consumed_minutes,
                            total_minutes=row.total_minutes, thresholds=self._thresholds) if row.has_clock else None
        if light is None:
            self._light.setText("")
            self._light.setStyleSheet("")
            return
        remaining = remaining_minutes(now, self._calendar, limit=row.limit, total_minutes=row.total_minutes,
                                      consumed_minutes=row.consumed_minutes, due_at=row.due_at)
        step = labels.step_label(row.step) if row.step else ""
        text = f"{labels.light_name(light)}  {step} {self._remaining_text(remaining, row.paused)}"
        self._light.setText(text)
        colour = self._theme.light(light)
        ink = self._theme.text["on_yellow"] if light == Light.YELLOW else self._theme.text["on_light"]
        self._light.setStyleSheet(f"background: {colour}; color: {ink}; border-radius: 4px; padding: 3px 8px;"
                                  "font-weight: bold;")

    def _show_fields(self, detail: CaseDetail) -> None:
        row = detail.row
        urgency = labels.urgency_label(row.urgency)
        limits = detail.condition_limits
        limit = limits.get(row.urgency or "", "")
        others = self.tr("，").join(f"{labels.urgency_label(u)} {limit_text(v)}"
                          for u, v in limits.items() if u != row.urgency)
        place = " / ".join(p for p in (row.grid_code, detail.community_name, row.street_name) if p)
        caller = "  ".join(p for p in (detail.caller_name, detail.caller_phone) if p)
        closing = ""
        if not detail.is_open:
            closing = " ".join(p for p in (
                labels.state_label(row.state),
                labels.close_type_label(detail.close_type),
                self._local(detail.closed_at)) if p)
        values = {
            "category": " ".join(p for p in (row.category_code, row.category_name) if p) or self.tr("未分类"),
            "condition": detail.condition_text or self.tr("（未立案）"),
            "limit": (limit_text(limit) + (self.tr("（{others}）").format(others=others) if others else "")) if limit else "",
            "urgency": urgency,
            "source": labels.source_label(row.source) + (self.tr(" · 自处理") if row.self_handled else ""),
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
                label.setStyleSheet(f"border: 1px dashed {self._theme.text['border']}; padding: 6px; "
                                    f"color: {self._theme.text['secondary']};")
            self._photos.addWidget(label)

    def _show_clocks(self, clocks: tuple[ClockInfo, ...], now: datetime) -> None:
        head = (self.tr("环节"), self.tr("时限"), self.tr("开始"), self.tr("截止 / 结束"), self.tr("状态"))
        rows = [[_cell(h, f"color:{self._theme.text['secondary']}; font-weight:bold;") for h in head]]
        rows += [self._clock_cells(clock, now) for clock in clocks]
        _fill_grid(self._clocks, rows)

    def _clock_cells(self, clock: ClockInfo, now: datetime) -> list[QLabel]:
        step = labels.step_label(clock.step)
        if clock.round > 1:
            step += " " + self.tr("第{n}轮").format(n=clock.round)
        end = self._local(clock.stopped_at or clock.due_at, "%m-%d %H:%M")
        if clock.open:
            light = clock_light(now, yellow_at=clock.yellow_at, red_at=clock.red_at,
                                consumed_minutes=clock.consumed_minutes, total_minutes=clock.total_minutes,
                                thresholds=self._thresholds)
            remaining = remaining_minutes(now, self._calendar, limit=clock.limit, total_minutes=clock.total_minutes,
                                          consumed_minutes=clock.consumed_minutes, due_at=clock.due_at)
            word = labels.light_name(light) if light else ""
            colour = self._theme.light(light) if light else self._theme.text["muted"]
            status = (f"{dot_html(colour)} <b>{escape(word)}</b> "
                      f"{escape(self._remaining_text(remaining, clock.paused))}")
        else:
            outcome = labels.clock_outcome_label(clock.outcome)
            colour = self._theme.text["late"] if clock.outcome == "late" else self._theme.text["secondary"]
            took = self.tr("用时")  # tr outside the f-string: lupdate reads only plain calls
            status = (f"<span style='color:{colour}'>{escape(outcome)}</span> {escape(took)} "
                      f"{format_remaining(clock.consumed_minutes)}")
        limit = limit_text(clock.limit)
        if clock.total_minutes > _base_minutes(clock, self._calendar):
            limit += self.tr("+延期")
        return [_cell(escape(step)), _cell(escape(limit)), _cell(self._local(clock.started_at, "%m-%d %H:%M")),
                _cell(end), _cell(status, wrap=True)]

    def _show_timeline(self, detail: CaseDetail) -> None:
        rows = []
        for e in reversed(detail.events):  # newest first
            action = labels.action_label(e.action)
            states = ""
            if e.to_state and e.to_state != e.from_state:
                target = labels.state_label(e.to_state)
                states = f"{labels.state_label(e.from_state)} → {target}" if e.from_state else target
            role = labels.role_label(e.role) + (f" @ {e.seat}" if e.seat else "")
            who = self.tr("{name}（{role}）").format(name=e.operator_name, role=role)
            note = e.note or (e.data or {}).get("reason", "")
            ink = self._theme.text
            text = (f"<b>{escape(action)}</b> <span style='color:{ink['secondary']}'>{escape(states)}</span><br/>"
                    f"<span style='color:{ink['body']}'>{escape(who)}</span>")
            if note:
                text += f"<br/><span style='color:{ink['faint']}'>{escape(str(note))}</span>"
            rows.append([_cell(self._local(e.at, "%m-%d %H:%M"), f"color:{ink['secondary']};"), _cell(text, wrap=True)])
        _fill_grid(self._timeline, rows)

    def _urges_html(self, detail: CaseDetail) -> str:
        lines = [self._urge_counts(detail)] if detail.urges else []
        for u in detail.urges:
            kind = self.tr("督办") if u.kind == "supervise" else self.tr("催办")
            text = f"<b>{escape(kind)}</b> {self._local(u.at, '%m-%d %H:%M')} {escape(u.operator_name)}"
            if u.note:
                text += self.tr("：") + escape(u.note)
            if u.replied_at:  # the department's answer, to a 督办 or a 催办 (催办回复)
                replied = self.tr("已回复")
                text += (f"<br/><span style='color:{self._theme.text['ok']}'>{escape(replied)} "
                         f"{self._local(u.replied_at, '%m-%d %H:%M')} {escape(u.reply_note or '')}</span>")
            elif u.kind == "supervise" and u.reply_due_at:
                awaited = self.tr("待回复，期限")
                text += (f"<br/><span style='color:{self._theme.text['late']}'>{escape(awaited)} "
                         f"{self._local(u.reply_due_at, '%m-%d %H:%M')}</span>")
            lines.append(text)
        return "<br/>".join(lines)

    def _urge_counts(self, detail: CaseDetail) -> str:
        """催办 ×3（已回复 1） · 督办 ×1: repeated 催办 are counted, not only listed."""
        parts = []
        for kind, word in (("urge", self.tr("催办")), ("supervise", self.tr("督办"))):
            records = [u for u in detail.urges if u.kind == kind]
            if records:
                replied = sum(1 for u in records if u.replied_at)
                parts.append(self.tr("{kind} ×{n}（已回复 {replied}）").format(kind=word, n=len(records), replied=replied))
        return f"<b>{escape(' · '.join(parts))}</b>"


def _with_shortcut(label: str, shortcut: str | None, template: str = "{label}（{key}）") -> str:
    """'立案（Ctrl+Shift+L）': the tooltip names the 案件 menu's key for the same action (template translated)."""
    if not shortcut:
        return label
    return template.format(label=label, key=QKeySequence(shortcut).toString(QKeySequence.SequenceFormat.NativeText))


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

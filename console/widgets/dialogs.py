"""Dialogs of the workstation: sign-in, the parameters of an action, a new case.

Dialogs only collect input and hand it back; the main window runs the data
command and shows its error in the dialog, so input is never lost.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QEvent, QObject, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from console.domain.catalogue import Urgency
from console.domain.sources import HALL_SOURCES, SOURCE_LABELS  # noqa: F401 - SOURCE_LABELS: the workstation's import
from console.domain.workflow import REASON_ACTIONS, Action, CloseType, parse_reply_within
from console.widgets import labels
from console.widgets.theme import WORKSTATION


PENDING = object()  # what a submit returns when its answer comes later (submit_answered)


class _FormDialog(QDialog):
    """A titled form with OK/Cancel and an error line that keeps the input."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(460)
        self._layout = QVBoxLayout(self)
        self.form = QFormLayout()
        self._layout.addLayout(self.form)
        self.error = QLabel()
        self.error.setObjectName("dialog_error")
        self.error.setStyleSheet(f"color: {WORKSTATION.text['error']};")
        self.error.setWordWrap(True)
        self.error.hide()
        self._layout.addWidget(self.error)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("确定"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("取消"))
        self.buttons.accepted.connect(self._try_accept)
        self.buttons.rejected.connect(self.reject)
        self._layout.addWidget(self.buttons)
        self.submit: Callable[[], object] | None = None  # raise to refuse; return PENDING to answer later

    def show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.show()

    def first_field(self) -> QWidget | None:
        """The field the keyboard starts in: the form's first one that takes focus."""
        for row in range(self.form.rowCount()):
            item = self.form.itemAt(row, QFormLayout.ItemRole.FieldRole)
            widget = item.widget() if item is not None else None
            if widget is not None and widget.isEnabled() and widget.focusPolicy() != Qt.FocusPolicy.NoFocus:
                return widget
        return None

    def showEvent(self, event) -> None:  # noqa: ANN001, N802 - Qt override
        super().showEvent(event)
        for edit in self.findChildren(QPlainTextEdit):
            edit.installEventFilter(self)  # Enter submits there too; Shift+Enter starts a new line
        first = self.first_field()
        if first is not None:
            first.setFocus(Qt.FocusReason.ActiveWindowFocusReason)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if (event.type() == QEvent.Type.KeyPress and isinstance(watched, QPlainTextEdit)
                and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
                and not event.modifiers() & Qt.KeyboardModifier.ShiftModifier):
            self._try_accept()
            return True
        return super().eventFilter(watched, event)

    def _try_accept(self) -> None:
        """Run `submit` (the data command); on error keep the dialog and its input."""
        if self.submit is None:
            self.accept()
            return
        self._answered = False
        try:
            pending = self.submit()
        except Exception as exc:  # noqa: BLE001 - every refusal is shown, never swallowed
            self.show_error(str(exc))
            return
        if pending is not PENDING:
            self.accept()
        elif not self._answered:  # a synchronous seat has answered already (closed or shown why)
            self._ok_button().setEnabled(False)
            self.show_error(self.tr("正在提交…"))

    def _ok_button(self) -> QWidget:
        return self.buttons.button(QDialogButtonBox.StandardButton.Ok)

    @property
    def submitting(self) -> bool:
        """A submit that answers later is outstanding (OK is disabled meanwhile)."""
        return not self._ok_button().isEnabled()

    def submit_answered(self, refusal: str | None) -> None:
        """The later answer to a PENDING submit: close on success, else show why and keep the input."""
        self._answered = True
        self._ok_button().setEnabled(True)
        if refusal is None:
            self.accept()
        else:
            self.show_error(refusal)


class SignInDialog(_FormDialog):
    """登录: user name and password, checked by console.data.accounts."""

    def __init__(self, parent: QWidget | None = None, *, seat: str = "") -> None:
        super().__init__(self.tr("数字城管监督指挥中心 · 登录"), parent)
        self.username = QLineEdit()
        self.username.setObjectName("username")
        self.password = QLineEdit()
        self.password.setObjectName("password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.seat = QLineEdit(seat)
        self.seat.setObjectName("seat")
        self.form.addRow(self.tr("用户名"), self.username)
        self.form.addRow(self.tr("密码"), self.password)
        self.form.addRow(self.tr("席位"), self.seat)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("登录"))

    def first_field(self) -> QWidget:
        """The user name, or the password when the name is already filled in (`--user`)."""
        return self.password if self.username.text().strip() else self.username


@dataclass
class ActionInput:
    """What the operator entered for an action (fields unused by it stay empty)."""

    note: str = ""
    condition_code: str | None = None
    urgency: str | None = None
    category_code: str | None = None  # reclassify 重新分类
    department_id: int | None = None
    extension: str | None = None
    close_type: str | None = None
    reason: str | None = None
    reply_within: str | None = None  # supervise 督办: the reply deadline in work time, e.g. "1wd"
    photos: list[str] = field(default_factory=list)


# 督办's reply deadlines the dialog offers, in work time; 1 工作日 (the rules' default) is preselected.
REPLY_WITHIN: tuple[tuple[str, str], ...] = (
    ("4wh", QT_TRANSLATE_NOOP("ActionDialog", "4 工作时")), ("1wd", QT_TRANSLATE_NOOP("ActionDialog", "1 工作日")),
    ("2wd", QT_TRANSLATE_NOOP("ActionDialog", "2 工作日")),
)


class ActionDialog(_FormDialog):
    """The parameters of one workflow action: only the fields it needs."""

    def __init__(self, action: Action, *, case_number: str, conditions: Sequence[Any] = (),
                 departments: Sequence[Any] = (), suggested_department: int | None = None,
                 categories: Sequence[Any] = (), conditions_for: Callable[[str], Sequence[Any]] | None = None,
                 current_category: str | None = None, parent: QWidget | None = None) -> None:
        super().__init__(f"{labels.action_label(action)} · {case_number}", parent)
        self.action = action
        self.condition = self.urgency = self.department = self.extension_value = None
        self.extension_unit = self.close_type = self.category = self.reply_within = None
        if action == Action.FILE:
            self._add_filing(conditions)
        elif action == Action.RECLASSIFY:
            self._add_reclassify(categories, conditions_for, current_category)
        elif action == Action.DISPATCH:
            self._add_dispatch(departments, suggested_department)
        elif action == Action.REQUEST_EXTENSION:
            self._add_extension()
        elif action == Action.CLOSE:
            self._add_close()
        self.note = QPlainTextEdit()
        self.note.setObjectName("note")
        self.note.setFixedHeight(80)
        self.form.addRow(self.tr("理由（必填）") if action in REASON_ACTIONS else self.tr("意见/说明"), self.note)
        if action == Action.SUPERVISE:
            self._add_supervise()  # after the reason: the keyboard starts in what is required

    def _add_filing(self, conditions: Sequence[Any]) -> None:
        self.condition = QComboBox()
        self.condition.setObjectName("condition")
        self._fill_conditions(conditions)
        self.urgency = QComboBox()
        self.urgency.setObjectName("urgency")
        for urgency in Urgency:
            self.urgency.addItem(labels.urgency_label(urgency), urgency.value)
        self.form.addRow(self.tr("立案条件"), self.condition)
        self.form.addRow(self.tr("紧急程度"), self.urgency)

    def _fill_conditions(self, conditions: Sequence[Any]) -> None:
        self.condition.clear()
        for c in conditions:
            limits = " / ".join(f"{labels.urgency_label(u)} {labels.limit_label(lim)}" for u, lim in c.limits.items())
            self.condition.addItem(self.tr("{condition}（{limits}）").format(condition=c.text, limits=limits), c.code)

    def _add_reclassify(self, categories: Sequence[Any], conditions_for: Callable[[str], Sequence[Any]] | None,
                        current: str | None) -> None:
        """重新分类: a category, then one of its filing conditions and the urgency."""
        self.category = QComboBox()
        self.category.setObjectName("category")
        for c in categories:
            self.category.addItem(self.tr("{code} {name}（{major}）").format(code=c.code, name=c.name, major=c.major_name),
                                  c.code)
        self.form.addRow(self.tr("类别"), self.category)
        self._add_filing(())
        refill = lambda _index=0: self._fill_conditions(  # noqa: E731 - one line, a slot
            conditions_for(self.category.currentData()) if conditions_for and self.category.currentData() else ())
        self.category.currentIndexChanged.connect(refill)
        if current is not None and self.category.findData(current) >= 0:
            self.category.setCurrentIndex(self.category.findData(current))
        refill()

    def _add_dispatch(self, departments: Sequence[Any], suggested: int | None) -> None:
        self.department = QComboBox()
        self.department.setObjectName("department")
        for d in departments:
            mark = self.tr("（建议）") if d.id == suggested else ""
            self.department.addItem(f"{d.name}{mark}", d.id)
        if suggested is not None:
            self.department.setCurrentIndex(max(0, self.department.findData(suggested)))
        self.form.addRow(self.tr("处置部门"), self.department)

    def _add_extension(self) -> None:
        self.extension_value = QSpinBox()
        self.extension_value.setObjectName("extension_value")
        self.extension_value.setRange(1, 999)
        self.extension_value.setValue(2)
        self.extension_unit = QComboBox()
        self.extension_unit.setObjectName("extension_unit")
        for unit, label in (("wh", self.tr("工作时")), ("wd", self.tr("工作日")), ("h", self.tr("小时")),
                            ("d", self.tr("天"))):
            self.extension_unit.addItem(label, unit)
        self.form.addRow(self.tr("延期时长"), self.extension_value)
        self.form.addRow(self.tr("单位"), self.extension_unit)

    def _add_close(self) -> None:
        self.close_type = QComboBox()
        self.close_type.setObjectName("close_type")
        self.close_type.addItem(self.tr("按处置时钟自动判定（正常/超时）"), None)
        for ct in (CloseType.NORMAL, CloseType.OVERDUE, CloseType.ERROR, CloseType.SPECIAL):
            self.close_type.addItem(labels.close_type_label(ct), ct.value)
        self.form.addRow(self.tr("结案类型"), self.close_type)

    def _add_supervise(self) -> None:
        """督办: the department's reply deadline, in work time (the offered ones, or another typed)."""
        self.reply_within = QComboBox()
        self.reply_within.setObjectName("reply_within")
        for limit, text in REPLY_WITHIN:
            self.reply_within.addItem(QCoreApplication.translate("ActionDialog", text), limit)
        self.reply_within.addItem(self.tr("其他…"), None)
        self.reply_within.setCurrentIndex(self.reply_within.findData("1wd"))  # the rules' 督办回复 limit
        self.reply_other = QLineEdit()
        self.reply_other.setObjectName("reply_other")
        self.reply_other.setPlaceholderText(self.tr("如 6wh 或 3wd（工作时间）"))
        self.reply_other.setEnabled(False)
        self.reply_within.currentIndexChanged.connect(
            lambda _i: self.reply_other.setEnabled(self.reply_within.currentData() is None))
        self.form.addRow(self.tr("回复期限"), self.reply_within)
        self.form.addRow(self.tr("其他期限"), self.reply_other)

    def _reply_within(self) -> str:
        """The chosen deadline ("4wh"); a bad typed one raises ValueError with one clear message."""
        code = self.reply_within.currentData()
        return code if code is not None else parse_reply_within(self.reply_other.text())

    def value(self) -> ActionInput:
        text = self.note.toPlainText().strip()
        result = ActionInput(note=text, reason=text or None)
        if self.condition is not None:
            result.condition_code = self.condition.currentData()
            result.urgency = self.urgency.currentData()
        if self.category is not None:
            result.category_code = self.category.currentData()
        if self.department is not None:
            result.department_id = self.department.currentData()
        if self.extension_value is not None:
            result.extension = f"{self.extension_value.value()}{self.extension_unit.currentData()}"
        if self.close_type is not None:
            result.close_type = self.close_type.currentData()
        if self.reply_within is not None:
            result.reply_within = self._reply_within()
        return result


@dataclass
class NewCaseInput:
    source: str
    category_code: str
    lon: float
    lat: float
    address: str
    description: str
    caller_name: str | None
    caller_phone: str | None


class NewCaseDialog(_FormDialog):
    """新建案件 for hotline and walk-in reports: searchable category, point, caller."""

    sig_pick_on_map = Signal()

    def __init__(self, categories: Sequence[Any], *, lon: float | None = None, lat: float | None = None,
                 grid_code: str | None = None, parent: QWidget | None = None) -> None:
        super().__init__(self.tr("新建案件"), parent)
        self._categories = list(categories)
        self.source = QComboBox()
        self.source.setObjectName("source")
        for source in HALL_SOURCES:
            self.source.addItem(labels.source_label(source), source.value)
        self.search = QLineEdit()
        self.search.setObjectName("category_search")
        self.search.setPlaceholderText(self.tr("输入类别名称或编码搜索"))
        self.category = QListWidget()
        self.category.setObjectName("category")
        self.category.setFixedHeight(140)
        self.search.textChanged.connect(self._filter_categories)
        self._filter_categories("")
        self.lon = QDoubleSpinBox()
        self.lat = QDoubleSpinBox()
        for box, name, (low, high) in ((self.lon, "lon", (73, 136)), (self.lat, "lat", (3, 54))):
            box.setObjectName(name)
            box.setDecimals(6)
            box.setRange(low, high)
        if lon is not None:
            self.lon.setValue(lon)
            self.lat.setValue(lat)
        self.grid = QLabel(grid_code or self.tr("（由位置自动确定网格）"))
        self.address = QLineEdit()
        self.address.setObjectName("address")
        self.description = QPlainTextEdit()
        self.description.setObjectName("description")
        self.description.setFixedHeight(70)
        self.caller_name = QLineEdit()
        self.caller_name.setObjectName("caller_name")
        self.caller_phone = QLineEdit()
        self.caller_phone.setObjectName("caller_phone")
        for label, widget in ((self.tr("来源"), self.source), (self.tr("类别"), self.search), ("", self.category),
                              (self.tr("经度"), self.lon), (self.tr("纬度"), self.lat), (self.tr("网格"), self.grid),
                              (self.tr("地址"), self.address), (self.tr("问题描述"), self.description),
                              (self.tr("诉求人"), self.caller_name), (self.tr("联系电话"), self.caller_phone)):
            self.form.addRow(label, widget)

    def _filter_categories(self, text: str) -> None:
        self.category.clear()
        text = text.strip()
        for c in self._categories:
            if not text or text in c.name or c.code.startswith(text) or text in c.major_name:
                item = QListWidgetItem(self.tr("{code} {name}（{major}）").format(code=c.code, name=c.name,
                                                                                 major=c.major_name))
                item.setData(Qt.ItemDataRole.UserRole, c.code)
                self.category.addItem(item)
        if self.category.count():
            self.category.setCurrentRow(0)

    def value(self) -> NewCaseInput:
        item = self.category.currentItem()
        if item is None:
            raise ValueError(self.tr("请选择类别 (no category chosen)"))
        return NewCaseInput(
            source=self.source.currentData(), category_code=item.data(Qt.ItemDataRole.UserRole),
            lon=self.lon.value(), lat=self.lat.value(), address=self.address.text().strip(),
            description=self.description.toPlainText().strip(),
            caller_name=self.caller_name.text().strip() or None, caller_phone=self.caller_phone.text().strip() or None,
        )


class VideoPatrolDialog(NewCaseDialog):
    """视频巡查: the new-case form filed from a camera view: source 视频, the camera's place and ID,
    the snapshot shown; the operator picks the category and describes what the camera sees."""

    def __init__(self, categories: Sequence[Any], *, camera_id: str, camera_name: str, lon: float, lat: float,
                 snapshot_png: bytes, parent: QWidget | None = None) -> None:
        super().__init__(categories, lon=lon, lat=lat, parent=parent)
        self.setWindowTitle(self.tr("视频巡查上报"))
        self.camera_id = camera_id
        self.source.setCurrentIndex(self.source.findData("video"))
        self.source.setEnabled(False)  # a case from a camera is a 视频巡查 case
        for box in (self.lon, self.lat):
            box.setEnabled(False)  # located at the camera
        self.address.setText(camera_name)
        self.camera = QLabel(self.tr("{id} {name}").format(id=camera_id, name=camera_name))
        self.camera.setObjectName("camera")
        self.snapshot = QLabel()
        self.snapshot.setObjectName("snapshot")
        from PySide6.QtGui import QPixmap

        picture = QPixmap()
        picture.loadFromData(snapshot_png, "PNG")
        self.snapshot.setPixmap(picture.scaledToWidth(240))
        self.form.insertRow(0, self.tr("摄像头"), self.camera)
        self.form.insertRow(1, self.tr("截图"), self.snapshot)
        for name in ("caller_name", "caller_phone"):  # no caller on a camera's case
            field_ = getattr(self, name)
            self.form.setRowVisible(field_, False)

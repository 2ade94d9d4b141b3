"""The alert ticker under the menu: light changes with 确认 and 定位, and 全部确认 by filter."""
from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from console.domain.clocks import Light, format_remaining
from console.services.alerts import Alert, AlertFilter
from console.widgets import labels
from console.widgets.theme import WORKSTATION

MAX_ROWS = 3


class AlertBanner(QFrame):
    """Shows the newest open alerts the filter matches; the rest are counted and can be acknowledged at once."""

    sig_acknowledge = Signal(object)
    """An AlertKey the operator acknowledged (its row's 确认)."""
    sig_acknowledge_all = Signal(object, str)
    """全部确认: the AlertFilter of the alerts listed, and how it reads (for the audit row)."""
    sig_locate = Signal(int)
    """A case id to jump to."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("alert_banner")
        self.setStyleSheet(f"#alert_banner {{ background: {WORKSTATION.notes['alert_bg']}; "
                           f"border-bottom: 1px solid {WORKSTATION.notes['alert_border']}; }}")
        self.sound_enabled = False
        self._alerts: list[Alert] = []
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(8, 4, 8, 4)
        self._layout.setSpacing(2)
        self._rows: list[QWidget] = []
        self._layout.addLayout(self._footer())
        self.set_alerts([])

    def _footer(self) -> QHBoxLayout:
        self.more = QLabel()
        self.more.setObjectName("alert_more")
        self.light_filter = QComboBox()
        self.light_filter.setObjectName("alert_filter_light")
        self.light_filter.addItem(self.tr("全部提醒"), None)
        self.light_filter.addItem(self.tr("红灯提醒"), "red")
        self.light_filter.addItem(self.tr("黄灯提醒"), "yellow")
        self.street_filter = QComboBox()
        self.street_filter.setObjectName("alert_filter_street")
        self.street_filter.addItem(self.tr("全部街道"), None)
        self.ack_all = QPushButton()
        self.ack_all.setObjectName("ack_all")
        self.ack_all.clicked.connect(self._acknowledge_all)
        for combo in (self.light_filter, self.street_filter):
            combo.currentIndexChanged.connect(self._show)
        footer = QHBoxLayout()
        footer.setContentsMargins(0, 0, 0, 0)
        footer.addWidget(self.more)
        footer.addStretch(1)
        for widget in (self.light_filter, self.street_filter, self.ack_all):
            footer.addWidget(widget)
        return footer

    @property
    def alert_filter(self) -> AlertFilter:
        return AlertFilter(street_code=self.street_filter.currentData(), light=self.light_filter.currentData())

    def set_filter(self, alert_filter: AlertFilter) -> None:
        """Choose the banner's filter (keyboard and tests); a street without alerts is still offered."""
        self._ensure_street(alert_filter.street_code, alert_filter.street_code or "")
        self.street_filter.setCurrentIndex(max(self.street_filter.findData(alert_filter.street_code), 0))
        self.light_filter.setCurrentIndex(max(self.light_filter.findData(alert_filter.light), 0))

    def filter_note(self) -> str:
        """How the listed alerts were chosen, as the audit row records it."""
        parts = [self.tr("全部确认")]
        if self.street_filter.currentData() is not None:
            parts.append(self.street_filter.currentText())
        if self.light_filter.currentData() is not None:
            parts.append(self.light_filter.currentText())
        return " · ".join(parts)

    def listed(self) -> list[Alert]:
        wanted = self.alert_filter
        return [a for a in self._alerts if wanted.matches(a)]

    def set_alerts(self, alerts: list[Alert]) -> None:
        self._alerts = list(alerts)
        for alert in self._alerts:
            self._ensure_street(alert.street_code, alert.street)
        self._show()
        self.setVisible(bool(self._alerts))

    def ring(self) -> None:
        if self.sound_enabled:
            QApplication.beep()

    def _ensure_street(self, code: str | None, name: str) -> None:
        if code and self.street_filter.findData(code) < 0:
            self.street_filter.addItem(name or code, code)

    def _show(self) -> None:
        for row in self._rows:
            row.setObjectName("")  # gone at once for findChild, deleted on the next loop turn
            row.hide()
            row.deleteLater()
        listed = self.listed()
        self._rows = [self._row(a) for a in listed[:MAX_ROWS]]
        for i, row in enumerate(self._rows):
            self._layout.insertWidget(i, row)
        hidden = len(listed) - len(self._rows)
        if hidden > 0:
            self.more.setText(self.tr("另有 {n} 条提醒").format(n=hidden))
        elif not listed and self._alerts:
            self.more.setText(self.tr("没有符合筛选的提醒（共 {n} 条）").format(n=len(self._alerts)))
        else:
            self.more.setText("")
        self.ack_all.setText(self.tr("全部确认（{n} 条）").format(n=len(listed)))
        self.ack_all.setEnabled(bool(listed))

    def _acknowledge_all(self) -> None:
        if self.listed():
            self.sig_acknowledge_all.emit(self.alert_filter, self.filter_note())

    def remaining_text(self, alert: Alert) -> str:
        """超时 0:11 on a red alert, 剩余 0:12 on a yellow one (work time, as the queue shows it)."""
        time = format_remaining(alert.remaining_minutes, overdue_word=self.tr("超时"))
        return time if alert.light == Light.RED else self.tr("剩余 {time}").format(time=time)

    def _row(self, alert: Alert) -> QWidget:
        row = QWidget()
        row.setObjectName(f"alert_{alert.key.case_id}_{alert.key.light}")
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        colour = WORKSTATION.ink(alert.light)
        light = QLabel(f"● {labels.light_word(alert.light)}")
        light.setStyleSheet(f"color: {colour}; font-weight: bold;")
        grid = self.tr("网格 {code}").format(code=alert.grid_code)
        department = alert.department or self.tr("未派遣")  # tr outside the f-string: lupdate reads only plain calls
        text = QLabel(f"<b>{alert.number}</b>  {alert.category}  {alert.street} {grid}  "
                      f"{department}  <b style='color:{colour}'>{self.remaining_text(alert)}</b>")
        ack = QPushButton(self.tr("确认"))
        ack.setObjectName("ack")
        ack.clicked.connect(lambda: self.sig_acknowledge.emit(alert.key))
        locate = QPushButton(self.tr("定位"))
        locate.setObjectName("locate")
        locate.clicked.connect(lambda: self.sig_locate.emit(alert.key.case_id))
        for w in (light, text):
            layout.addWidget(w)
        layout.addStretch(1)
        layout.addWidget(ack)
        layout.addWidget(locate)
        return row

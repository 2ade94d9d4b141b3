"""The alert ticker under the menu: yellow/red cases with 确认 and 定位."""
from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QApplication, QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from console.services.alerts import Alert

LIGHT_COLOURS = {"green": "#2E9D57", "yellow": "#F2B705", "red": "#D64541"}
LIGHT_WORDS = {"green": "绿", "yellow": "黄", "red": "红"}
MAX_ROWS = 3


class AlertBanner(QFrame):
    """Shows the newest open alerts; the rest are counted."""

    sig_acknowledge = Signal(object)
    """An AlertKey the operator acknowledged."""
    sig_locate = Signal(int)
    """A case id to jump to."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("alert_banner")
        self.setStyleSheet("#alert_banner { background: #FFF6F5; border-bottom: 1px solid #E8C4C1; }")
        self.sound_enabled = False
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(8, 4, 8, 4)
        self._layout.setSpacing(2)
        self._rows: list[QWidget] = []
        self.more = QLabel()
        self._layout.addWidget(self.more)
        self.set_alerts([])

    def set_alerts(self, alerts: list[Alert]) -> None:
        for row in self._rows:
            row.deleteLater()
        self._rows = [self._row(a) for a in alerts[:MAX_ROWS]]
        for i, row in enumerate(self._rows):
            self._layout.insertWidget(i, row)
        hidden = len(alerts) - len(self._rows)
        self.more.setText(self.tr(f"另有 {hidden} 条提醒") if hidden > 0 else "")
        self.more.setVisible(hidden > 0)
        self.setVisible(bool(alerts))

    def ring(self) -> None:
        if self.sound_enabled:
            QApplication.beep()

    def _row(self, alert: Alert) -> QWidget:
        row = QWidget()
        row.setObjectName(f"alert_{alert.key.case_id}_{alert.key.light}")
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        colour = LIGHT_COLOURS[alert.light]
        light = QLabel(f"● {LIGHT_WORDS[alert.light]}")
        light.setStyleSheet(f"color: {colour}; font-weight: bold;")
        text = QLabel(f"<b>{alert.number}</b>  {alert.category}  {alert.street} 网格 {alert.grid_code}  "
                      f"{alert.department or '未派遣'}  <b style='color:{colour}'>{alert.remaining}</b>")
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

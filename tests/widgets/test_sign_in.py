"""Sign-in: wrong passwords are told and counted, the right one opens the seat with its role shown."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox

from console.app import sign_in_dialog
from console.data.accounts import add_user
from console.services.session import Seat
from console.widgets.workstation import Workstation


def test_sign_in_then_the_window_shows_who_and_where(db, qtbot):
    add_user(db, "dispatch1", "dispatcher", password="demo1234", display_name="李明", seat="派遣席1")
    dialog = sign_in_dialog(db, Seat("operator"), user="dispatch1")
    qtbot.addWidget(dialog)
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    dialog.password.setText("wrong")
    qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
    assert dialog.session is None and "密码错误" in dialog.error.text()
    dialog.password.setText("demo1234")
    qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
    assert dialog.session is not None and dialog.result() == dialog.DialogCode.Accepted
    window = Workstation(dialog.session, with_map=False, alert_interval_ms=3_600_000)
    qtbot.addWidget(window)
    assert window.signed_in_label.text().strip() == "派遣员 李明 @ 派遣席1"
    assert not window.new_case_action.isEnabled()  # a dispatcher does not register reports

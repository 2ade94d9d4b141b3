"""The case detail panel: facts, unmasked caller (only here), clocks, timeline, actions."""
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QLabel, QPushButton

from console.data.commands import ActionParams, Actor, act, report_case
from console.data.queue_and_detail import load_case_detail, load_queue
from console.domain.workflow import ACTION_LABELS, Action, Role, State, allowed_actions
from console.widgets.case_detail import CaseDetailPanel, limit_text
from console.widgets.case_queue import CaseQueuePanel
from console.widgets.queue_model import HEADERS

SH = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 11, 23, 9, 0, tzinfo=SH)  # Monday, working time
PHONE = "13900001234"
INSPECTOR = Actor("王监督", "inspector", seat="城管通")
INTAKE = Actor("张受理", "intake", seat="受理席1")
SHIFT = Actor("李值班", "shift_lead", seat="值班长席")
DISPATCH = Actor("赵派遣", "dispatcher", seat="派遣席1")
LEADER = Actor("陈指挥", "leader", seat="指挥长席")


def hotline_case(db, photos=()) -> tuple[int, str, int]:  # noqa: ANN001
    ref = report_case(db, INTAKE, source="hotline", lon=117.605, lat=26.265, category_code="06010",
                      description="小区门口垃圾堆放三天无人清理", address="列东街 30 号", caller_name="刘女士",
                      caller_phone=PHONE, photos=photos, at=T0)
    return ref.id, ref.number, ref.version


def disposing_case(db) -> tuple[int, str]:  # noqa: ANN001
    from console.data.queue_and_detail import filing_conditions

    case_id, number, v = hotline_case(db)
    condition = filing_conditions(db, "06010")[0].code
    for actor, action, minutes, params in (
        (INTAKE, "forward", 5, {}),
        (SHIFT, "file", 10, {"condition_code": condition, "urgency": "normal"}),
        (DISPATCH, "dispatch", 15, {"department_id": 2}),
        (INTAKE, "urge", 20, {"reason": "群众再次来电"}),
        (LEADER, "supervise", 25, {"reason": "领导关注"}),
    ):
        v = act(db, actor, number, action, expected_version=v, at=T0 + timedelta(minutes=minutes),
                params=ActionParams(**params)).version
    return case_id, number


@pytest.fixture
def panel(qtbot):
    widget = CaseDetailPanel()
    qtbot.addWidget(widget)
    widget.resize(460, 900)
    return widget


def test_detail_shows_caller_but_the_queue_never_does(db, qtbot, panel):
    case_id, number, _ = hotline_case(db)
    detail = load_case_detail(db, case_id)
    panel.set_detail(detail, T0 + timedelta(minutes=10))
    assert panel.field_text("caller") == f"刘女士  {PHONE}"
    assert panel.field_text("number") == number
    assert PHONE in panel.plain_text()

    queue = CaseQueuePanel(now=T0 + timedelta(minutes=10))
    qtbot.addWidget(queue)
    queue.set_rows(load_queue(db))
    model = queue.model
    assert model.rowCount() == 1
    texts = [model.data(model.index(0, c)) for c in range(len(HEADERS))]
    texts += [model.data(model.index(0, c), Qt.ItemDataRole.ToolTipRole) or "" for c in range(len(HEADERS))]
    assert not any(PHONE in t or "刘女士" in t for t in texts)
    assert not any(PHONE in label.text() for label in queue.findChildren(QLabel))


def test_detail_shows_condition_limit_clocks_timeline_and_urges(db, panel):
    case_id, number = disposing_case(db)
    panel.set_detail(load_case_detail(db, case_id), T0 + timedelta(minutes=75))
    assert panel.field_text("category") == "06010 暴露垃圾"
    assert panel.field_text("condition")
    assert panel.field_text("limit").startswith("4工作小时")
    assert panel.field_text("urgency") == "一般"
    assert panel.field_text("department") == "环卫处"
    assert panel.field_text("place").startswith("350402001001001 / 社区001 / 列东街道")
    assert panel.field_text("source") == "12345 热线"  # the one source table (domain/sources.py)
    assert panel.field_text("state") == "处置中"
    # dispatched at 09:15 with 4 work hours: 60 minutes used at 10:15, green, 3:00 left
    assert panel.field_text("light") == "绿灯  处置 3:00"
    text = panel.plain_text()
    for expected in ("受理", "立案", "派遣", "处置", "按时", "3:00",  # clocks
                     "受理批转", "待受理 → 待立案", "张受理（受理员 @ 受理席1）", "派遣", "督办",  # timeline
                     "群众再次来电", "领导关注", "待回复"):
        assert expected in text, expected


def test_light_chip_turns_red_when_overdue(db, panel):
    case_id, _ = disposing_case(db)
    panel.set_detail(load_case_detail(db, case_id), datetime(2026, 11, 24, 9, 0, tzinfo=SH))
    assert panel.field_text("light").startswith("红灯  处置 超时")
    assert QColor("#D64541").name().upper() in panel._light.styleSheet().upper()


def test_photos_show_thumbnails_or_file_names(db, panel, tmp_path):
    image = QImage(200, 120, QImage.Format.Format_RGB32)
    image.fill(QColor("#336699"))
    real = tmp_path / "before.png"
    image.save(str(real))
    case_id, _, _ = hotline_case(db, photos=[str(real), "/nowhere/after.jpg"])
    panel.set_detail(load_case_detail(db, case_id), T0)
    photos = [label for label in panel.findChildren(QLabel, "photo") if label.isVisibleTo(panel)]
    assert len(photos) == 2
    assert not photos[0].pixmap().isNull() and photos[0].pixmap().width() == 96
    assert photos[1].text() == "after.jpg"


def test_empty_state(panel):
    panel.set_detail(None)
    assert panel.case_id is None and panel.action_ids() == []


@pytest.mark.parametrize(("state", "role", "pending"), [
    (State.REPORTED, Role.INTAKE, None),
    (State.TO_FILE, Role.SHIFT_LEAD, None),
    (State.TO_DISPATCH, Role.DISPATCHER, None),
    (State.DISPOSING, Role.DEPARTMENT, None),
    (State.DISPOSING, Role.DISPATCHER, "extension"),
    (State.HUNG, Role.LEADER, None),
    (State.TO_CHECK, Role.INSPECTOR, None),
    (State.TO_CLOSE, Role.SHIFT_LEAD, None),
    (State.DISPOSING, Role.STREET_SEAT, None),
])
def test_action_buttons_match_allowed_actions(panel, qtbot, state, role, pending):
    actions = allowed_actions(state, role, pending=pending)
    assert actions, "every sample seat has something to do"
    panel.set_actions(actions)
    buttons = [b for b in panel.findChildren(QPushButton) if b.isVisibleTo(panel)]
    assert sorted(b.objectName() for b in buttons) == sorted(f"action_{a.value}" for a in actions)
    for action in actions:
        button = panel.findChild(QPushButton, f"action_{action.value}")
        assert button.text() == ACTION_LABELS[action]
        with qtbot.waitSignal(panel.sig_action_requested, timeout=1000) as blocker:
            qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        assert blocker.args == [action.value]


def test_set_actions_replaces_the_buttons(panel):
    panel.set_actions([Action.FORWARD, Action.SEND_VERIFY, Action.REFUSE, Action.URGE])
    panel.set_actions([Action.URGE])
    visible = [b.objectName() for b in panel.findChildren(QPushButton) if b.isVisibleTo(panel)]
    assert visible == ["action_urge"] and panel.action_ids() == ["urge"]
    panel.set_actions([])
    assert not [b for b in panel.findChildren(QPushButton) if b.isVisibleTo(panel)]


def test_presence_line(panel):
    panel.set_presence("正在处理：李值班 @ 值班长席")
    presence = panel.findChild(QLabel, "presence")
    assert presence.isVisibleTo(panel) and presence.text() == "正在处理：李值班 @ 值班长席"
    panel.set_presence("")
    assert not presence.isVisibleTo(panel)


def test_limit_text():
    assert limit_text("4wh") == "4工作小时"
    assert limit_text("15wd") == "15工作日"
    assert limit_text("6h") == "6小时"
    assert limit_text("bogus") == "bogus"

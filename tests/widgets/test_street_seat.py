"""Issue 10: the street liaison seat (街道指挥席) on both backends, the tiny city plus road segments.

The header and the audit name the street; the queue opens on the street's open cases most urgent
first; 催办 (button, Ctrl+Shift+U, Enter) is counted and the department's reply shows; 督办 takes a
reply deadline; another street's case is refused; the figures equal compare() and a count of our
own; the summary's text is the same on the clipboard and in the PDF (read back with QPdfDocument).
"""
from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import shapely
import shiboken6
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QGuiApplication, QKeyEvent, QKeySequence
from PySide6.QtWidgets import QApplication, QDialog
from sqlalchemy import func, select

from console.data import models as m
from console.data.accounts import add_user
from console.domain.calendar import Limit
from console.domain.clocks import Light
from console.domain.evaluation import period_of
from console.services.figures import compare
from console.services.session import Seat, sign_in
from console.services.street import PERIODS, STREET_FIGURES
from console.widgets.street_seat import StreetSeat, summary_text
from tests.cli.running import run
from tests.data.test_evaluation import GRID, HW, STAFF_ID, STREET, WEST_LON, Case

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 25, 15, 0, tzinfo=SH)  # a working Wednesday afternoon
TIMEOUT = 15000
PASSWORD = "secret12"


@pytest.fixture
def city(db):
    """The tiny city with an inspector, a road of two segments in 列东 (chiefs and a unit) and one in 列西."""
    with db.write() as s:
        s.add_all([m.Staff(id=STAFF_ID, name="王监督", kind="inspector", street_code=STREET, grid_code=GRID),
                   m.Staff(id=601, name="吴二级", kind="road_chief", street_code=STREET),
                   m.Staff(id=602, name="高段长", kind="road_chief")])
        s.flush()
        s.add(m.Road(id=1, name="列东大道", level="主干道"))
        s.add(m.RoadUnit(id=1, code="U01", name="市政建设中心", unit_group="A", head_staff_id=602))
        s.flush()
        for sid, name, street, unit, x in ((1, "列东大道（一段）", STREET, 1, 117.605),
                                            (2, "列东大道（二段）", STREET, None, 117.615),
                                            (3, "列东大道（西段）", "350402002", None, 117.625)):
            seg = m.RoadSegment(id=sid, road_id=1, street_code=street, name=name, unit_id=unit)
            seg.set_geometry(shapely.LineString([(x - 0.004, 26.265), (x + 0.004, 26.265)]))
            s.add(seg)
        s.flush()
        s.add(m.RoadChief(staff_id=601, level="second", road_id=1, street_code=STREET))
        s.add(m.RoadFinding(segment_id=2, problem="占道经营", found_at=NOW - timedelta(days=1), found_by="路长办",
                            recorded_by="路长办", recorded_at=NOW - timedelta(days=1)))
    add_user(db, "street_east", "street_seat", password=PASSWORD, display_name="列东值守", street_code=STREET)
    return db


@pytest.fixture
def open_seat(qtbot):
    windows: list[StreetSeat] = []

    def open_(db, now=NOW, **kwargs) -> StreetSeat:
        session = sign_in(db, "street_east", PASSWORD, Seat("street", STREET), STREET)  # the dialog's prefilled code
        window = StreetSeat(session, feed=None, with_map=False, clock=lambda: now, alert_interval_ms=3_600_000,
                            **kwargs)
        windows.append(window)
        qtbot.addWidget(window)
        settle(qtbot, window)
        return window

    yield open_
    for window in windows:
        if shiboken6.isValid(window):
            window.stop()
            window.close()


def settle(qtbot, window: StreetSeat) -> None:
    qtbot.waitUntil(lambda: window.controller.idle, timeout=TIMEOUT)


def show(qtbot, window: StreetSeat, number: str) -> int:
    case_id = case_id_of(window.db, number)
    window.apply_case_ids([case_id])
    settle(qtbot, window)
    assert window.queue.select_case(case_id)
    settle(qtbot, window)
    return case_id


def case_id_of(db, number: str) -> int:
    with db.read() as s:
        return s.scalar(select(m.Case.id).where(m.Case.number == number))


def action_dialog(qtbot, window: StreetSeat, action: str) -> QDialog:
    qtbot.waitUntil(lambda: window.findChild(QDialog, f"dialog_{action}") is not None, timeout=TIMEOUT)
    return window.findChild(QDialog, f"dialog_{action}")


def press_enter(widget) -> None:
    QApplication.sendEvent(widget, QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_Return, Qt.KeyboardModifier.NoModifier))


def urge_by_keyboard(qtbot, window: StreetSeat, note: str) -> None:
    """Ctrl+Shift+U (the 催办 menu item's shortcut), type the note, Enter."""
    item = window.workflow_actions[m_action("urge")]
    assert item.shortcut() == QKeySequence("Ctrl+Shift+U") and item.isEnabled()
    item.trigger()
    dialog = action_dialog(qtbot, window, "urge")
    dialog.note.setPlainText(note)
    press_enter(dialog.note)
    settle(qtbot, window)
    qtbot.waitUntil(lambda: not shiboken6.isValid(dialog) or not dialog.isVisible(), timeout=TIMEOUT)


def m_action(value: str):
    from console.domain.workflow import Action

    return Action(value)


def urges(db, kind: str = "urge") -> list[m.UrgeRecord]:
    with db.read() as s:
        return list(s.scalars(select(m.UrgeRecord).where(m.UrgeRecord.kind == kind).order_by(m.UrgeRecord.id)))


def test_the_header_and_the_audit_name_the_street(city, open_seat, qtbot, capsys):
    window = open_seat(city)
    assert window.header.text() == "街道指挥席 · 列东街道"
    assert window.windowTitle().startswith("街道指挥席 · 列东街道") and STREET not in window.windowTitle()
    assert window.session.seat_name == "街道指挥席 · 列东街道"
    case = Case(city, NOW - timedelta(hours=1)).dispatched()
    show(qtbot, window, case.number)
    assert window.urge_button.isEnabled()
    qtbot.mouseClick(window.urge_button, Qt.MouseButton.LeftButton)  # the header's 催办
    dialog = action_dialog(qtbot, window, "urge")
    dialog.note.setPlainText("请尽快处置")
    press_enter(dialog.note)
    settle(qtbot, window)
    [record] = urges(city)
    assert record.seat == "街道指挥席 · 列东街道"
    url = city.engine.url.render_as_string(hide_password=False)
    code, out, _err = run(capsys, "audit", case.number, "--db", url)
    assert code == 0
    [line] = [ln for ln in out.splitlines() if "催办" in ln]
    assert "@ 街道指挥席 · 列东街道" in line and "请尽快处置" in line


def test_the_queue_opens_on_the_streets_open_cases_most_urgent_first(city, open_seat):
    # dispatched 4wh 处置 clocks at different times: by NOW some are red, some yellow, some green
    starts = [NOW - timedelta(hours=h) for h in (0.2, 6, 1, 6.5, 8, 20, 3)]
    numbers = [Case(city, at).dispatched().number for at in starts]
    west = Case(city, NOW - timedelta(hours=9), lon=WEST_LON).dispatched()
    window = open_seat(city)
    model = window.queue.model
    assert model.stage == "all"
    shown = model.visible_ids()
    assert set(shown) == {case_id_of(city, n) for n in numbers}  # the west case is another street's
    assert case_id_of(city, west.number) not in shown
    rank = {Light.RED: 0, Light.YELLOW: 1, Light.GREEN: 2}
    keys = [(rank[model.light_of(i)], model.remaining_of(i)) for i in shown]
    assert keys == sorted(keys)
    assert {model.light_of(i) for i in shown} == {Light.RED, Light.YELLOW, Light.GREEN}
    remaining = model.index(0, 8).data()  # 剩余 shown
    assert remaining and remaining != "—"


def test_urges_are_counted_and_the_departments_reply_shows(city, open_seat, qtbot):
    window = open_seat(city)
    case = Case(city, NOW - timedelta(hours=1)).dispatched()
    show(qtbot, window, case.number)
    for note in ("请尽快处置", "再次催办", "第三次催办"):
        urge_by_keyboard(qtbot, window, note)
    assert [u.note for u in urges(city)] == ["请尽快处置", "再次催办", "第三次催办"]
    case.version = version_of(city, case.number)
    case(HW, "reply_urge", 1, reason="已安排人员今日处理")  # the department answers the oldest 催办
    window.apply_case_ids([case_id_of(city, case.number)])
    settle(qtbot, window)
    text = window.detail._urges.text()
    assert "催办 ×3（已回复 1）" in text
    assert "已回复" in text and "已安排人员今日处理" in text


def version_of(db, number: str) -> int:
    with db.read() as s:
        return s.scalar(select(m.Case.version).where(m.Case.number == number))


def test_supervise_takes_a_reason_and_a_reply_deadline_in_work_time(city, open_seat, qtbot):
    window = open_seat(city)
    case = Case(city, NOW - timedelta(hours=1)).dispatched()
    show(qtbot, window, case.number)
    assert window.supervise_button.isEnabled()
    qtbot.mouseClick(window.supervise_button, Qt.MouseButton.LeftButton)
    dialog = action_dialog(qtbot, window, "supervise")
    offered = [dialog.reply_within.itemData(i) for i in range(dialog.reply_within.count())]
    assert offered == ["4wh", "1wd", "2wd", None] and dialog.reply_within.currentData() == "1wd"  # None: 其他…
    assert [dialog.reply_within.itemText(i) for i in range(3)] == ["4 工作时", "1 工作日", "2 工作日"]
    dialog.reply_within.setCurrentIndex(0)
    press_enter(dialog.note)  # no reason: refused in the dialog, nothing written
    settle(qtbot, window)
    assert dialog.isVisible() and dialog.error.text() and urges(city, "supervise") == []
    dialog.note.setPlainText("市民反映强烈")
    press_enter(dialog.note)
    settle(qtbot, window)
    [record] = urges(city, "supervise")
    assert record.note == "市民反映强烈" and record.seat == "街道指挥席 · 列东街道"
    due = city.rules().calendar.deadline(NOW, Limit.parse("4wh"))
    got = record.reply_due_at if record.reply_due_at.tzinfo else record.reply_due_at.replace(tzinfo=ZoneInfo("UTC"))
    assert got == due


def test_another_streets_case_is_refused(city, open_seat, qtbot):
    """The seat never lists it, has no detail of it, and its commands on it are refused (its own controller)."""
    from console.services.seat import ActionParams, SeatController

    window = open_seat(city)
    west = Case(city, NOW - timedelta(hours=1), lon=WEST_LON).dispatched()
    west_id = case_id_of(city, west.number)
    window.apply_case_ids([west_id])
    settle(qtbot, window)
    assert window.queue.model.case(west_id) is None
    with qtbot.waitSignal(window.controller.sig_detail, timeout=TIMEOUT) as detail:
        window.show_case(west_id)
    assert detail.args[0].detail is None and not window.urge_button.isEnabled()
    seat = SeatController(window.session, threaded=False)  # the seat's actor, without the window's message box
    refusals = []
    seat.sig_command_refused.connect(refusals.append)
    for action, reply_within in (("urge", None), ("supervise", "4wh")):
        seat.act(west.number, m_action(action), version=west.version, note="越界",
                 params=ActionParams(reason="越界", reply_within=reply_within), at=NOW)
    seat.stop()
    seat.deleteLater()
    assert len(refusals) == 2 and all("outside jurisdiction" in r.message for r in refusals)
    assert urges(city) == [] and urges(city, "supervise") == []


def _independent(db, window) -> dict[str, int]:
    """reported / urged / supervised of 列东 in the window, counted over plain rows."""
    start, end = window.start, window.end

    def inside(at) -> bool:
        at = at if at.tzinfo else at.replace(tzinfo=ZoneInfo("UTC"))
        return start <= at < end

    with db.read() as s:
        cases = s.execute(select(m.Case.id, m.Case.created_at).where(m.Case.street_code == STREET)).all()
        ours = {c.id for c in cases}
        records = s.execute(select(m.UrgeRecord.case_id, m.UrgeRecord.kind, m.UrgeRecord.at)).all()
    return {"reported": sum(inside(c.created_at) for c in cases),
            "urged": sum(r.kind == "urge" and r.case_id in ours and inside(r.at) for r in records),
            "supervised": sum(r.kind == "supervise" and r.case_id in ours and inside(r.at) for r in records)}


def test_the_figures_equal_compare_and_an_independent_count(city, open_seat, qtbot):
    for hours in (30, 2, 1):
        case = Case(city, NOW - timedelta(hours=hours)).dispatched()
        case(window_actor(), "urge", reason="催一下")
    Case(city, NOW - timedelta(days=8)).dispatched().closed()  # last week
    Case(city, NOW - timedelta(hours=2), lon=WEST_LON).dispatched()  # another street: not counted
    window = open_seat(city)
    report = window.report
    assert report is not None and report.street_name == "列东街道"
    for kind in PERIODS:
        expected = compare(city, kind, NOW, street=STREET)
        assert dict(report.periods[kind].current.values) == dict(expected.current.values)
        assert dict(report.periods[kind].previous.values) == dict(expected.previous.values)
        own = _independent(city, period_of(kind, NOW))
        for figure_id, n in own.items():
            assert report.periods[kind].current.value(figure_id) == n, (kind, figure_id)
    assert report.periods["day"].current.value("reported") == 2
    assert report.periods["week"].current.value("urged") == 3
    table = window.street_panel.figures
    row = STREET_FIGURES.index("reported")
    assert table.item(row, 0).text().startswith("2")


def window_actor():
    from console.data.commands import Actor

    return Actor("列东值守", "street_seat", seat="街道指挥席 · 列东街道", street_code=STREET)


def test_segments_list_their_chiefs_scores_and_open_problems(city, open_seat):
    Case(city, NOW - timedelta(hours=1), lon=117.6051).dispatched()  # on segment 1 (within reach)
    window = open_seat(city)
    lines = {line.name: line for line in window.report.segments}
    assert set(lines) == {"列东大道（一段）", "列东大道（二段）"}  # the west segment is another street's
    first, second = lines["列东大道（一段）"], lines["列东大道（二段）"]
    assert (first.second_chief, first.unit, first.segment_chief) == ("吴二级", "市政建设中心", "高段长")
    assert (second.second_chief, second.segment_chief) == ("吴二级", "吴二级")  # no unit: the 二级路长
    with city.read() as s:
        on_first = s.scalar(select(func.count()).select_from(m.Case).where(m.Case.road_segment_id == 1))
    assert first.open_cases == on_first == 1 and second.open_findings == 1
    assert first.score is not None and first.grade
    table = window.street_panel.segments
    assert table.rowCount() == 2


def test_the_summary_is_copied_and_saved_as_pdf_with_the_same_text(city, open_seat, tmp_path):
    from PySide6.QtPdf import QPdfDocument

    Case(city, NOW - timedelta(hours=1)).dispatched()
    window = open_seat(city)
    window.copy_summary()
    text = QGuiApplication.clipboard().text()
    assert text == summary_text(window.report)
    assert text.startswith("列东街道 街道指挥席 · 工作摘要")
    for needle in ("上报数", "按期结案率", "催办数", "列东大道（一段）", "高段长", "吴二级"):
        assert needle in text, needle
    path = window.save_summary_pdf(tmp_path / "summary.pdf")
    pdf = QPdfDocument()
    assert pdf.load(str(path)) == QPdfDocument.Error.None_
    assert pdf.pageCount() >= 1
    pdf_text = "".join(pdf.getAllText(p).text() for p in range(pdf.pageCount()))
    # read back as written: 工 and 长, not the radicals ⼯ and ⻓ that share their glyphs in Noto CJK
    for needle in ("列东街道 街道指挥席 · 工作摘要", "上报数", "按期结案率", "列东大道（一段）", "高段长", "吴二级"):
        assert needle in pdf_text, needle
    assert not any(0x2E80 <= ord(c) < 0x2FE0 for c in pdf_text)
    out = Path("/tmp/street") if Path("/tmp/street").is_dir() else tmp_path
    pdf.render(0, pdf.pagePointSize(0).toSize() * 2).save(str(out / "summary-page1.png"))
    pdf.close()


def test_the_figures_are_refreshed_throttled_not_per_change(city, open_seat, qtbot):
    window = open_seat(city, figures_throttle_ms=100)
    shown = []
    window.sig_figures_shown.connect(shown.append)
    for _ in range(5):
        window.figures_due()  # five changes from the feed
    qtbot.waitUntil(lambda: len(shown) == 1, timeout=TIMEOUT)
    settle(qtbot, window)
    assert not window._figures_timer.isActive() and len(shown) == 1


def test_the_map_is_fitted_to_the_street_and_follows_the_filter(city, qtbot):
    from tests.widgets.test_map_view import state

    session = sign_in(city, "street_east", PASSWORD, Seat("street", STREET))
    window = StreetSeat(session, feed=None, clock=lambda: NOW, alert_interval_ms=3_600_000)
    window.resize(1600, 1000)
    with qtbot.waitSignal(window.map.sig_ready, timeout=30000):
        window.show()
    try:
        qtbot.waitUntil(lambda: state(window.map, qtbot)["focus"] == STREET, timeout=5000)  # not the district
        community = window.queue.findChild(object, "filter_community")
        community.setCurrentIndex(community.findData("350402001002"))
        qtbot.waitUntil(lambda: state(window.map, qtbot)["focus"] == "350402001002", timeout=5000)
        window.queue.clear_filters()
        qtbot.waitUntil(lambda: state(window.map, qtbot)["focus"] == STREET, timeout=5000)
    finally:
        view = window.map
        window.stop()
        window.close()
        window.deleteLater()  # the map page, then its profile (tech-notes §9)
        qtbot.waitUntil(lambda: not shiboken6.isValid(view), timeout=10000)


def test_the_screenshot_renders_the_street_seat(city, tmp_path, qtbot):
    from PySide6.QtGui import QImage
    from PySide6.QtWidgets import QApplication

    from console import app

    Case(city, NOW - timedelta(hours=1)).dispatched()
    out = app.screenshot(city, view=f"street:{STREET}", out=tmp_path / "street.png", size=(1920, 1080))
    image = QImage(str(out))
    [window] = [w for w in QApplication.topLevelWidgets() if isinstance(w, StreetSeat)]
    # 1920 x 1080 with the app's CJK font (`urban-console screenshot`); under pytest-qt's own application the
    # default font makes the workstation's queue filters wider, so the window may be wider than asked
    assert image.height() == 1080 and image.width() == window.width() >= 1920
    assert window.header.text() == "街道指挥席 · 列东街道" and window.report is not None
    view = window.map
    window.deleteLater()
    qtbot.waitUntil(lambda: not shiboken6.isValid(view), timeout=10000)


def test_print_opens_a_preview_of_the_summary(city, open_seat, qtbot):
    from PySide6.QtPrintSupport import QPrintPreviewDialog

    window = open_seat(city)
    window.print_summary()
    preview = window.findChild(QPrintPreviewDialog, "summary_preview")
    assert preview is not None and preview.isVisible()
    qtbot.waitUntil(lambda: preview.summary_document.pageCount() >= 1, timeout=TIMEOUT)
    assert "列东街道 街道指挥席 · 工作摘要" in preview.summary_document.toPlainText()
    preview.reject()
    qtbot.waitUntil(lambda: not shiboken6.isValid(preview), timeout=TIMEOUT)


def test_a_street_seat_of_an_unknown_street_is_refused_in_one_line(city):
    from console.services.session import CommandError

    add_user(city, "intake_x", "intake", password=PASSWORD)
    with pytest.raises(CommandError, match=r"街道编码 999999999 不存在 \(no street with this code\)"):
        sign_in(city, "intake_x", PASSWORD, Seat.parse("street:999999999"))

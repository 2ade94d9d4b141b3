"""The case queue model: contract (qtmodeltester), sort, filters, deltas, lights."""
from __future__ import annotations

import dataclasses
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QIcon

from console.data.queue_and_detail import CaseRow
from console.domain.calendar import default_calendar
from console.domain.clocks import Light
from console.widgets.queue_model import (
    HEADERS,
    CaseIdRole,
    CaseQueueModel,
    Column,
    QueueFilter,
    STAGES,
    format_remaining,
)

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=SH)  # Monday, working time
STREETS = {"350402001": "列东街道", "350402002": "列西街道"}


def make_row(case_id: int, state: str = "disposing", *, street: str = "350402001", community: int = 1, grid: int = 1,
             category: tuple[str, str] = ("06010", "暴露垃圾"), source: str = "inspector",
             department: tuple[int, str] | None = (2, "环卫处"), created: datetime | None = None,
             started_min_ago: float = 60, limit: str = "4wh", total: int = 240, paused: bool = False,
             consumed: float = 0.0, address: str | None = None, pending: str | None = None) -> CaseRow:
    """A row whose open clock started `started_min_ago` working minutes before NOW (no lunch in between)."""
    cal = default_calendar()
    start = NOW - timedelta(minutes=started_min_ago)
    marks = {}
    if not paused:
        marks = {"yellow_at": cal.advance(start, round(total * 0.8 * 60e6), "work"),
                 "red_at": cal.advance(start, round(total * 60e6), "work", strict=True),
                 "due_at": cal.advance(start, round(total * 60e6), "work")}
    grid_code = f"{street}{community:03d}{grid:03d}"
    return CaseRow(
        id=case_id, number=f"2026{case_id:08d}", state=state, pending=pending, version=1, source=source,
        kind="event", category_code=category[0], category_name=category[1], condition_code=None, urgency="normal",
        address=address or f"列东街 {case_id} 号", lon=117.605, lat=26.265, grid_code=grid_code,
        community_code=grid_code[:12], street_code=street, street_name=STREETS[street],
        department_id=department[0] if department else None, department_name=department[1] if department else None,
        created_at=created or (NOW - timedelta(hours=case_id)), self_handled=False, rework_count=0,
        step="dispose", limit=limit, total_minutes=total, consumed_minutes=consumed,
        paused=paused, **marks,
    )


def sample_rows() -> list[CaseRow]:
    return [
        make_row(1, "reported", started_min_ago=5, limit="30wmin", total=30, department=None, source="hotline"),
        make_row(2, "reported", started_min_ago=25, limit="30wmin", total=30, department=None),  # yellow
        make_row(3, "to_file", started_min_ago=40, limit="30wmin", total=30, department=None,
                 street="350402002", category=("01010", "上水井盖")),  # red
        make_row(4, "disposing", started_min_ago=60, community=2, grid=2),
        make_row(5, "disposing", started_min_ago=100, department=(1, "市政公用事业服务中心"), source="video"),
        make_row(6, "hung", paused=True, consumed=200, street="350402002"),  # yellow, paused
        make_row(7, "to_check", started_min_ago=10, limit="60wmin", total=60, address="列西路 8 号"),
        make_row(8, "disposing", started_min_ago=90, pending="extension", created=NOW - timedelta(days=3)),
    ]


def sample(case_id: int) -> CaseRow:
    return next(r for r in sample_rows() if r.id == case_id)


@pytest.fixture
def model(qtbot):
    m = CaseQueueModel(calendar=default_calendar(), now=NOW)
    m.reset_rows(sample_rows())
    return m


def column_values(model: CaseQueueModel, column: int, role=Qt.ItemDataRole.DisplayRole) -> list:
    return [model.data(model.index(r, column), role) for r in range(model.rowCount())]


def ids(model: CaseQueueModel) -> list[int]:
    return [model.data(model.index(r, 0), CaseIdRole) for r in range(model.rowCount())]


# --- contract --------------------------------------------------------------------------------


def test_model_contract_after_sort_filter_and_deltas(model, qtmodeltester):
    """check() connects to every model signal and re-runs all checks after each one,
    so every sort, filter, delta and removal below is verified as it happens."""
    qtmodeltester.check(model, force_py=True)
    for column in range(len(HEADERS)):
        model.sort(column, Qt.SortOrder.AscendingOrder)
        model.sort(column, Qt.SortOrder.DescendingOrder)
    model.set_stage("disposing")
    model.apply_rows([make_row(9, "disposing"), dataclasses.replace(sample(4), state="to_check")])
    model.apply_rows([dataclasses.replace(sample(5), created_at=NOW - timedelta(days=90))])  # moves
    model.remove_ids([5, 99])
    model.set_filter(text="列东")
    model.refresh_lights(NOW + timedelta(hours=3))
    model.set_filter(light=Light.RED)
    model.refresh_lights(NOW + timedelta(hours=6))
    model.sort(Column.REMAINING, Qt.SortOrder.AscendingOrder)
    model.refresh_lights(NOW + timedelta(hours=7))
    model.set_stage("all")
    model.reset_rows(sample_rows())
    # red at NOW + 7h with "列东" in the address: every running sample but 7 (列西路); 6 is paused yellow
    assert sorted(ids(model)) == [1, 2, 3, 4, 5, 8]
    assert model.tab_counts()["all"] == model.rowCount()


def test_model_contract_while_deltas_arrive(model, qtmodeltester):
    model.sort(Column.NUMBER, Qt.SortOrder.DescendingOrder)
    qtmodeltester.check(model, force_py=True)
    model.apply_rows([make_row(20, "reported")])  # insert
    model.apply_rows([dataclasses.replace(sample(1), number="2026999")])  # moves to the top
    assert ids(model)[0] == 1
    model.apply_rows([dataclasses.replace(sample(2), address="新地址")])  # update in place
    model.set_stage("reported")
    model.apply_rows([dataclasses.replace(make_row(20, "reported"), state="to_file")])  # leaves the tab
    model.remove_ids([1])
    assert ids(model) == [2]


def test_display_is_str_and_raw_values_under_user_role(model):
    for r in range(model.rowCount()):
        for c in range(len(HEADERS)):
            assert isinstance(model.data(model.index(r, c)), str)
    row = model.row_for_id(5)
    assert model.data(model.index(row, Column.CREATED), Qt.ItemDataRole.UserRole) == NOW - timedelta(hours=5)
    assert model.data(model.index(row, Column.NUMBER), Qt.ItemDataRole.UserRole) == "202600000005"
    assert model.data(model.index(row, Column.LIGHT), Qt.ItemDataRole.UserRole) == 0
    assert [model.headerData(c, Qt.Orientation.Horizontal) for c in range(len(HEADERS))] == list(HEADERS)


def test_lights_have_word_colour_and_icon(model):
    words = {cid: model.data(model.index(model.row_for_id(cid), Column.LIGHT)) for cid in (1, 2, 3, 6)}
    assert words == {1: "绿", 2: "黄", 3: "红", 6: "黄"}
    assert [model.light_of(c) for c in (1, 2, 3)] == [Light.GREEN, Light.YELLOW, Light.RED]
    red = model.index(model.row_for_id(3), Column.LIGHT)
    assert isinstance(model.data(red, Qt.ItemDataRole.DecorationRole), QIcon)
    assert isinstance(model.data(red, Qt.ItemDataRole.BackgroundRole), QBrush)
    assert model.data(model.index(model.row_for_id(1), Column.ADDRESS), Qt.ItemDataRole.BackgroundRole) is None


def test_remaining_time_is_work_time_of_the_open_step(model):
    def remaining(cid: int) -> str:
        return model.data(model.index(model.row_for_id(cid), Column.REMAINING))

    assert remaining(1) == "0:25"
    assert remaining(3) == "超时 0:10"
    assert remaining(4) == "3:00"
    assert remaining(6) == "暂停 0:40"  # hung: 240 - 200 consumed, not counting down
    assert model.data(model.index(model.row_for_id(3), Column.REMAINING), Qt.ItemDataRole.UserRole) == \
        pytest.approx(-10)


def test_format_remaining():
    assert format_remaining(80) == "1:20"
    assert format_remaining(-35.4) == "超时 0:35"
    assert format_remaining(125 * 60 + 3) == "125:03"
    assert format_remaining(None) == ""


def test_state_column_shows_pending_request(model):
    assert model.data(model.index(model.row_for_id(8), Column.STATE)) == "处置中·申请延期"
    assert model.data(model.index(model.row_for_id(6), Column.STATE)) == "挂账"


def test_queue_rows_carry_no_caller_details():
    fields = {f.name for f in dataclasses.fields(CaseRow)}
    assert not fields & {"caller_name", "caller_phone", "description"}


# --- sorting ------------------------------------------------------------------------------------


@pytest.mark.parametrize("column", range(len(HEADERS)))
def test_sort_by_every_column_both_ways(model, column):
    for order in (Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder):
        model.sort(column, order)
        raw = column_values(model, column, Qt.ItemDataRole.UserRole)
        assert len(raw) == 8
        present = [v for v in raw if v is not None]
        assert raw == present + [None] * (len(raw) - len(present))  # cases without a value last, both ways
        assert present == sorted(present, reverse=order == Qt.SortOrder.DescendingOrder)


def test_light_descending_is_most_urgent_first(model):
    """Red before yellow before green; within one light the least remaining time first."""
    model.sort(Column.LIGHT, Qt.SortOrder.DescendingOrder)
    order = [(model.light_of(cid).severity, model.remaining_of(cid)) for cid in ids(model)
             if model.light_of(cid) is not None]
    assert order == sorted(order, key=lambda pair: (-pair[0], pair[1]))
    assert len({light for light, _ in order}) >= 2 and len(order) > len({light for light, _ in order})


def test_sort_emits_layout_changed_and_keeps_persistent_indexes(model, qtbot):
    model.sort(Column.NUMBER, Qt.SortOrder.AscendingOrder)
    keep = QPersistentModelIndex(model.index(model.row_for_id(5), Column.ADDRESS))
    with qtbot.waitSignal(model.layoutChanged, timeout=1000):
        model.sort(Column.NUMBER, Qt.SortOrder.DescendingOrder)
    assert keep.row() == model.row_for_id(5) == 3
    assert keep.column() == Column.ADDRESS


def test_sort_is_stable_on_ties_by_id(model):
    model.sort(Column.STREET, Qt.SortOrder.AscendingOrder)
    assert ids(model) == [1, 2, 4, 5, 7, 8, 3, 6]
    model.sort(Column.STREET, Qt.SortOrder.DescendingOrder)
    assert ids(model) == [6, 3, 8, 7, 5, 4, 2, 1]


def test_deltas_keep_the_sort_order(model):
    model.sort(Column.CREATED, Qt.SortOrder.DescendingOrder)
    model.apply_rows([make_row(30, created=NOW), make_row(31, created=NOW - timedelta(days=30))])
    assert ids(model)[0] == 30 and ids(model)[-1] == 31
    keep = QPersistentModelIndex(model.index(model.row_for_id(4), 0))
    model.apply_rows([dataclasses.replace(sample(4), created_at=NOW - timedelta(days=60))])  # moves last
    assert ids(model)[-1] == 4
    assert keep.row() == model.rowCount() - 1  # a selected case follows its row
    raw = column_values(model, Column.CREATED, Qt.ItemDataRole.UserRole)
    assert raw == sorted(raw, reverse=True)


# --- filtering -----------------------------------------------------------------------------------


def test_stage_tabs(model):
    expected = {"reported": [1, 2], "verifying": [], "to_file": [3], "to_dispatch": [], "disposing": [4, 5, 8],
                "to_check": [7], "to_close": [], "hung": [6], "all": [1, 2, 3, 4, 5, 6, 7, 8]}
    for stage in STAGES:
        model.set_stage(stage)
        assert sorted(ids(model)) == expected[stage], stage
    with pytest.raises(ValueError, match="unknown queue stage 'closed'"):
        model.set_stage("closed")


@pytest.mark.parametrize(("change", "expected"), [
    ({"street": "350402002"}, [3, 6]),
    ({"community": "350402001002"}, [4]),
    ({"grid": "350402001002002"}, [4]),
    ({"category": "01010"}, [3]),
    ({"source": "hotline"}, [1]),
    ({"source": "video"}, [5]),
    ({"light": Light.RED}, [3]),
    ({"light": Light.YELLOW}, [2, 6]),
    ({"department": 1}, [5]),
    ({"date_from": date(2026, 11, 23)}, [1, 2, 3, 4, 5, 6, 7]),
    ({"date_to": date(2026, 11, 20)}, [8]),
    ({"date_from": date(2026, 11, 20), "date_to": date(2026, 11, 20)}, [8]),
    ({"text": "列西路"}, [7]),
    ({"text": "00000005"}, [5]),
    ({"street": "350402001", "light": Light.YELLOW}, [2]),
])
def test_each_filter(model, change, expected):
    model.set_filter(**change)
    assert sorted(ids(model)) == expected
    model.clear_filter()
    assert model.rowCount() == 8


def test_tab_counts_follow_the_other_filters(model, qtbot):
    assert model.tab_counts() == {"reported": 2, "verifying": 0, "to_file": 1, "to_dispatch": 0, "disposing": 3,
                                  "to_check": 1, "to_close": 0, "hung": 1, "all": 8}
    with qtbot.waitSignal(model.sig_counts_changed, timeout=1000) as blocker:
        model.set_filter(street="350402002")
    assert blocker.args[0]["all"] == 2 and blocker.args[0]["hung"] == 1 and blocker.args[0]["reported"] == 0
    model.set_stage("reported")  # the tab does not change the counts
    assert model.tab_counts()["all"] == 2
    with qtbot.waitSignal(model.sig_counts_changed, timeout=1000) as blocker:
        model.apply_rows([make_row(40, "reported", street="350402002")])
    assert blocker.args[0]["reported"] == 1 and blocker.args[0]["all"] == 3
    assert ids(model) == [40]
    model.apply_rows([make_row(41, "reported")])  # another street: not counted, not shown
    assert model.tab_counts()["all"] == 3 and ids(model) == [40]
    model.remove_ids([40, 6])
    assert model.tab_counts()["all"] == 1 and model.rowCount() == 0


def test_delta_moves_a_case_out_of_and_into_the_tab(model, qtbot):
    model.set_stage("reported")
    with qtbot.waitSignal(model.rowsRemoved, timeout=1000):
        model.apply_rows([dataclasses.replace(sample(1), state="to_file")])
    assert ids(model) == [2]
    with qtbot.waitSignal(model.rowsInserted, timeout=1000):
        model.apply_rows([dataclasses.replace(sample(3), state="reported")])
    assert sorted(ids(model)) == [2, 3]
    assert model.tab_counts()["reported"] == 2 and model.tab_counts()["to_file"] == 1


def test_update_in_place_emits_one_data_changed(model, qtbot):
    model.sort(Column.NUMBER, Qt.SortOrder.AscendingOrder)
    seen = []
    model.dataChanged.connect(lambda a, b, roles: seen.append((a.row(), b.row(), a.column(), b.column())))
    model.apply_rows([dataclasses.replace(sample(4), department_id=1, department_name="市政公用事业服务中心")])
    assert seen == [(3, 3, 0, len(HEADERS) - 1)]
    assert model.data(model.index(3, Column.DEPARTMENT)) == "市政公用事业服务中心"


# --- lights over time --------------------------------------------------------------------------------


def test_refresh_lights_reports_transitions_at_the_thresholds(qtbot):
    # one 30wmin clock started at NOW: yellow at +24 min, red just past +30 min
    model = CaseQueueModel(calendar=default_calendar(), now=NOW)
    model.reset_rows([make_row(1, "reported", started_min_ago=0, limit="30wmin", total=30),
                      make_row(2, "disposing", started_min_ago=0)])
    assert model.refresh_lights(NOW + timedelta(minutes=23, seconds=59)) == []
    assert model.refresh_lights(NOW + timedelta(minutes=24)) == [(1, Light.GREEN, Light.YELLOW)]
    assert model.refresh_lights(NOW + timedelta(minutes=30)) == []  # exactly at the limit: still yellow
    assert model.refresh_lights(NOW + timedelta(minutes=30, seconds=1)) == [(1, Light.YELLOW, Light.RED)]
    assert model.light_of(1) == Light.RED and model.light_of(2) == Light.GREEN
    assert model.data(model.index(model.row_for_id(1), Column.REMAINING)) == "超时 0:00"


def test_refresh_lights_coalesces_data_changed(model):
    model.sort(Column.NUMBER, Qt.SortOrder.AscendingOrder)
    seen = []
    model.dataChanged.connect(lambda a, b, roles: seen.append((a.row(), b.row(), a.column(), b.column())))
    transitions = model.refresh_lights(NOW + timedelta(minutes=3))  # nobody crosses a threshold
    assert transitions == []
    assert seen == [(0, 7, Column.REMAINING, Column.REMAINING)]  # every running row, one range
    seen.clear()
    transitions = model.refresh_lights(NOW + timedelta(hours=5))  # 15:00: cases 4, 5, 8 turn yellow or red
    changed = {cid for cid, _, _ in transitions}
    assert {4, 5, 8} <= changed
    rows = [model.row_for_id(c) for c in changed]
    assert seen[0] == (min(rows), max(rows), 0, len(HEADERS) - 1)
    assert len(seen) == 2


def test_refresh_lights_moves_rows_under_a_light_filter_and_sort(model):
    model.set_filter(light=Light.RED)
    assert ids(model) == [3]
    model.refresh_lights(NOW + timedelta(minutes=6))  # case 2 (30wmin, 25 used) goes red
    assert sorted(ids(model)) == [2, 3]
    assert model.tab_counts()["reported"] == 1
    model.clear_filter()
    model.sort(Column.REMAINING, Qt.SortOrder.AscendingOrder)
    model.refresh_lights(NOW + timedelta(minutes=7))
    raw = column_values(model, Column.REMAINING, Qt.ItemDataRole.UserRole)
    assert raw == sorted(raw)


# --- the queue panel ---------------------------------------------------------------------------------

from PySide6.QtWidgets import QComboBox, QHeaderView, QLineEdit, QTableView  # noqa: E402

from console.data.queue_and_detail import CategoryOption, DepartmentOption, FilterOptions, Option  # noqa: E402
from console.widgets.case_queue import CaseQueuePanel  # noqa: E402

OPTIONS = FilterOptions(
    streets=(Option("350402001", "列东街道"), Option("350402002", "列西街道")),
    communities=tuple(Option(f"{s}00{c}", f"社区{s[-1]}{c}", s) for s in STREETS for c in (1, 2)),
    grids=tuple(Option(f"{s}00{c}00{g}", f"{s}00{c}00{g}", f"{s}00{c}") for s in STREETS for c in (1, 2)
                for g in (1, 2)),
    categories=(CategoryOption("01010", "上水井盖", "component", "01", "公用设施"),
                CategoryOption("06010", "暴露垃圾", "event", "06", "市容环境")),
    departments=(DepartmentOption(2, "HW", "环卫处", "professional", None),
                 DepartmentOption(1, "SZ", "市政公用事业服务中心", "professional", None)),
    sources=("inspector", "hotline", "video"),
)


@pytest.fixture
def queue(qtbot):
    panel = CaseQueuePanel(calendar=default_calendar(), now=NOW)
    qtbot.addWidget(panel)
    panel.set_options(OPTIONS)
    panel.set_rows(sample_rows())
    panel.resize(1400, 500)
    panel.show()
    qtbot.waitExposed(panel)
    return panel


def combo(panel: CaseQueuePanel, name: str) -> QComboBox:
    return panel.findChild(QComboBox, name)


def test_panel_tabs_show_counts_and_switch_stage(queue):
    tabs = queue.tab_bar
    assert [tabs.tabText(i) for i in range(tabs.count())] == [
        "待受理 2", "待核实 0", "待立案 1", "待派遣 0", "处置中 3", "待核查 1", "待结案 0", "挂账 1", "全部 8"]
    tabs.setCurrentIndex(0)
    assert queue.model.stage == "reported" and queue.model.rowCount() == 2
    combo(queue, "filter_street").setCurrentIndex(2)  # 列西街道
    assert tabs.tabText(0) == "待受理 0" and tabs.tabText(8) == "全部 2"


def test_panel_view_is_fixed_height_sorted_by_the_model(queue):
    view = queue.findChild(QTableView, "queue_table")
    assert view.verticalHeader().sectionResizeMode(0) == QHeaderView.ResizeMode.Fixed
    assert all(view.horizontalHeader().sectionResizeMode(c) != QHeaderView.ResizeMode.ResizeToContents
               for c in range(len(HEADERS)))
    assert view.isSortingEnabled() and view.model() is queue.model  # no proxy in between
    view.sortByColumn(Column.NUMBER, Qt.SortOrder.AscendingOrder)
    assert queue.model.sort_column == Column.NUMBER and ids(queue.model) == list(range(1, 9))


def test_panel_filters_drive_the_model(queue):
    street, community, grid = (combo(queue, n) for n in ("filter_street", "filter_community", "filter_grid"))
    street.setCurrentIndex(street.findData("350402001"))
    assert queue.current_filter().street == "350402001"
    assert [community.itemData(i) for i in range(1, community.count())] == ["350402001001", "350402001002"]
    community.setCurrentIndex(community.findData("350402001002"))
    assert [grid.itemData(i) for i in range(1, grid.count())] == ["350402001002001", "350402001002002"]
    assert ids(queue.model) == [4]
    combo(queue, "filter_light").setCurrentIndex(combo(queue, "filter_light").findData("red"))
    assert queue.model.rowCount() == 0
    queue.clear_filters()
    assert queue.current_filter() == QueueFilter() and queue.model.rowCount() == 8
    for name, data, expected in (("filter_category", "01010", [3]), ("filter_source", "video", [5]),
                                 ("filter_department", 1, [5]), ("filter_light", "yellow", [2, 6])):
        box = combo(queue, name)
        box.setCurrentIndex(box.findData(data))
        assert sorted(ids(queue.model)) == expected, name
        box.setCurrentIndex(0)
    queue.findChild(QLineEdit, "filter_search").setText("列西路")
    assert ids(queue.model) == [7]


def test_panel_filter_to_grid(queue):
    queue.filter_to_grid("350402001002002")
    f = queue.current_filter()
    assert (f.street, f.community, f.grid) == ("350402001", "350402001002", "350402001002002")
    assert ids(queue.model) == [4]
    assert combo(queue, "filter_grid").currentData() == "350402001002002"


def test_panel_selection_keyboard_and_reveal(queue, qtbot):
    queue.view.sortByColumn(Column.NUMBER, Qt.SortOrder.AscendingOrder)
    with qtbot.waitSignal(queue.sig_case_selected, timeout=1000) as blocker:
        assert queue.select_case(3)
    assert blocker.args == [3] and queue.selected_case_id() == 3
    queue.view.setFocus()
    with qtbot.waitSignal(queue.sig_case_selected, timeout=1000) as blocker:
        qtbot.keyClick(queue.view, Qt.Key.Key_Down)
    assert blocker.args == [4]
    with qtbot.waitSignal(queue.sig_case_activated, timeout=1000) as blocker:
        qtbot.keyClick(queue.view, Qt.Key.Key_Return)
    assert blocker.args == [4]
    # a filter change keeps the selected case selected when it is still shown, without re-emitting
    with qtbot.assertNotEmitted(queue.sig_case_selected):
        combo(queue, "filter_street").setCurrentIndex(1)
    assert queue.selected_case_id() == 4
    # a case hidden by the tab is revealed
    queue.set_stage("reported")
    assert queue.select_case(7) and queue.model.stage == "all" and queue.selected_case_id() == 7
    assert not queue.select_case(12345)
    queue.set_stage("reported")
    assert not queue.select_case(6, reveal=False) and queue.model.stage == "reported"  # 6 is hung: stays hidden


def test_panel_selection_follows_a_moved_case(queue):
    queue.view.sortByColumn(Column.CREATED, Qt.SortOrder.DescendingOrder)
    queue.select_case(4)
    queue.apply_rows([dataclasses.replace(sample(4), created_at=NOW - timedelta(days=90))])
    assert queue.selected_case_id() == 4 and queue.model.row_for_id(4) == queue.model.rowCount() - 1
    assert queue.view.currentIndex().row() == queue.model.rowCount() - 1

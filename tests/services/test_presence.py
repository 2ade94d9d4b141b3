"""PresenceTracker: a seat's 正在处理 on its open case, heartbeats, expiry, and the others' view."""
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from console.data import models as m
from console.data.commands import Actor, JurisdictionError, report_case
from console.data.db import Database
from console.services.feed import ChangeBatch, ChangeFeed, LIVE
from console.services.presence import PresenceTracker

SH = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 11, 23, 9, 0, tzinfo=SH)
INSPECTOR = Actor("王监督", "inspector", seat="城管通")
ZHANG = Actor("张三", "intake", seat="受理席1")
LI = Actor("李四", "dispatcher", seat="派遣席1")
WEST = Actor("列西指挥席", "street_seat", seat="列西", street_code="350402002")


class Clock:
    """A wall clock the test moves by hand."""

    def __init__(self, at: datetime = T0) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at

    def advance(self, seconds: float) -> None:
        self.at += timedelta(seconds=seconds)


def new_case(db: Database) -> int:
    return report_case(db, INSPECTOR, source="inspector", lon=117.605, lat=26.265, category_code="06010",
                       description="路边暴露垃圾一堆", at=T0).id


@pytest.fixture
def trackers(qtbot):
    made: list[PresenceTracker] = []

    def make(db: Database, actor: Actor, clock: Clock) -> tuple[PresenceTracker, list[tuple[int, str]]]:
        tracker = PresenceTracker(db, actor, clock=clock)
        seen: list[tuple[int, str]] = []
        tracker.sig_presence_changed.connect(lambda case_id, text: seen.append((case_id, text)))
        made.append(tracker)
        return tracker, seen

    yield make
    for tracker in made:
        tracker.stop()
        assert not tracker.timer.isActive()
        tracker.deleteLater()


def test_other_seat_sees_who_is_on_the_case(db, trackers):
    case_id = new_case(db)
    clock = Clock()
    zhang, zhang_seen = trackers(db, ZHANG, clock)
    li, li_seen = trackers(db, LI, clock)
    zhang.open(case_id)
    assert zhang_seen == [(case_id, "")]  # nobody else yet
    assert zhang.timer.isActive() and zhang.timer.interval() == 10_000
    li.open(case_id)
    assert li_seen == [(case_id, "正在处理: 张三 @ 受理席1")]
    zhang.beat()  # the next heartbeat shows 李四 to 张三
    assert zhang_seen[-1] == (case_id, "正在处理: 李四 @ 派遣席1") and zhang.text == "正在处理: 李四 @ 派遣席1"
    assert zhang.heartbeats == 1
    zhang.beat()  # nothing changed: no signal
    assert len(zhang_seen) == 2


def test_closing_switching_and_stopping_release_the_case(db, trackers):
    a, b = new_case(db), new_case(db)
    clock = Clock()
    zhang, _ = trackers(db, ZHANG, clock)
    li, li_seen = trackers(db, LI, clock)
    zhang.open(a)
    li.open(a)
    assert li.text == "正在处理: 张三 @ 受理席1"
    zhang.open(b)  # switching cases releases the first
    li.refresh()
    assert li_seen[-1] == (a, "")
    zhang.close()
    assert zhang.case_id is None
    li.open(b)
    assert li.text == ""
    zhang.open(b)
    li.refresh()
    assert li.text == "正在处理: 张三 @ 受理席1"
    zhang.stop()  # the seat closes: leave_all
    assert not zhang.timer.isActive()
    li.refresh()
    assert li_seen[-1] == (b, "")
    with db.read() as s:
        assert list(s.scalars(select(m.Presence.seat))) == ["派遣席1"]


def test_a_dead_seat_disappears_after_the_ttl(db, trackers):
    case_id = new_case(db)
    zhang_clock, li_clock = Clock(), Clock()
    zhang, _ = trackers(db, ZHANG, zhang_clock)
    li, li_seen = trackers(db, LI, li_clock)
    zhang.open(case_id)
    li.open(case_id)
    assert li.text == "正在处理: 张三 @ 受理席1"
    # 张三's seat dies: its timer never fires again and it never calls stop().
    zhang.timer.stop()
    for _ in range(3):  # 李四 keeps beating every 10 s: 30 s is still within the ttl
        li_clock.advance(10)
        li.beat()
    assert li.text == "正在处理: 张三 @ 受理席1"
    li_clock.advance(10)
    li.beat()
    assert li.text == "", "a seat silent for 40 s (ttl 30 s) must no longer show"
    assert li_seen[-1] == (case_id, "")
    # 张三's row is still in the table (nobody deleted it): expiry is by heartbeat alone.
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(m.Presence).where(m.Presence.seat == "受理席1")) == 1


def test_a_live_seat_stays_visible_through_its_heartbeats(db, trackers):
    case_id = new_case(db)
    clock = Clock()
    zhang, _ = trackers(db, ZHANG, clock)
    li, li_seen = trackers(db, LI, clock)
    zhang.open(case_id)
    li.open(case_id)
    for _ in range(6):  # a minute of heartbeats on both seats
        clock.advance(10)
        zhang.beat()
        li.beat()
    assert li.text == "正在处理: 张三 @ 受理席1" and len(li_seen) == 1


def test_change_batches_about_the_case_refresh_the_text(db, trackers):
    case_id = new_case(db)
    clock = Clock()
    zhang, _ = trackers(db, ZHANG, clock)
    li, li_seen = trackers(db, LI, clock)
    li.open(case_id)
    zhang.open(case_id)
    li.on_changes(ChangeBatch(rev=1, entities={"presence": ("999",)}))  # another case: ignored
    assert li.text == ""
    li.on_changes(ChangeBatch(rev=2, entities={"presence": (str(case_id),)}))
    assert li_seen[-1] == (case_id, "正在处理: 张三 @ 受理席1")


def test_the_live_feed_carries_presence_to_other_seats(db, qtbot, trackers):
    case_id = new_case(db)
    clock = Clock(datetime.now(SH))
    li, li_seen = trackers(db, LI, clock)
    li.open(case_id)
    feed = ChangeFeed.for_database(db)
    feed.sig_changed.connect(li.on_changes)
    feed.start()
    try:
        qtbot.waitUntil(lambda: feed.health.state == LIVE, timeout=5000)
        zhang, _ = trackers(db, ZHANG, clock)
        with qtbot.waitSignal(li.sig_presence_changed, timeout=5000) as blocker:
            zhang.open(case_id)
        assert blocker.args == [case_id, "正在处理: 张三 @ 受理席1"]
        with qtbot.waitSignal(li.sig_presence_changed, timeout=5000) as blocker:
            zhang.stop()
        assert blocker.args == [case_id, ""]
    finally:
        feed.stop()
        feed.deleteLater()


def test_a_street_seat_cannot_open_another_streets_case(db, trackers):
    case_id = new_case(db)  # 列东 350402001
    west, seen = trackers(db, WEST, Clock())
    with pytest.raises(JurisdictionError):
        west.open(case_id)
    assert west.case_id is None and seen == []


def test_database_trouble_does_not_break_the_seat(qtbot, tmp_path):
    missing = Database(f"sqlite:///{tmp_path / 'no-schema.db'}")  # no tables: every statement fails
    tracker = PresenceTracker(missing, ZHANG, clock=Clock())
    try:
        tracker.beat()
        assert tracker.last_error and "presence" in tracker.last_error
        tracker.stop()
        assert tracker.heartbeats == 0
    finally:
        tracker.deleteLater()
        missing.dispose()

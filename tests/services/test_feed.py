"""The live change feed on SQLite and PostgreSQL: deltas, scope, holes, health, outages."""
from __future__ import annotations

import shutil
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import QSocketNotifier, QTimer
from sqlalchemy import text
from sqlalchemy.engine import make_url

from console.data.commands import ActionParams, Actor, act, log_change, report_case
from console.data.db import Database
from console.services.feed import (
    DOWN,
    LIVE,
    STALE,
    ChangeBatch,
    ChangeFeed,
    FeedHealth,
    PgChangeFeed,
    SqliteChangeFeed,
)
from tests.services.tcp_proxy import TcpProxy

SH = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 11, 23, 9, 0, tzinfo=SH)  # a Monday, a working day
INSPECTOR = Actor("王监督", "inspector", seat="城管通")
INTAKE = Actor("张受理", "intake", seat="受理席1")
EAST, WEST = "350402001", "350402002"
POINT = {EAST: (117.605, 26.265), WEST: (117.625, 26.265)}
GARBAGE = "06010"  # 暴露垃圾


def report(db: Database, street: str = EAST, description: str = "路边暴露垃圾一堆"):
    lon, lat = POINT[street]
    return report_case(db, INSPECTOR, source="inspector", lon=lon, lat=lat, category_code=GARBAGE,
                       description=description, address="测试地址", at=T0)


def log_calendar(db: Database, day: str = "2026-10-01") -> int:
    with db.write() as s:
        return log_change(s, "calendar", day, "set", operator="测试")


class Recorder:
    """Everything a feed emitted, in order."""

    def __init__(self, feed: ChangeFeed) -> None:
        self.batches: list[ChangeBatch] = []
        self.resyncs: list[int] = []
        self.health: list[FeedHealth] = []
        feed.sig_changed.connect(self.batches.append)
        feed.sig_resync.connect(self.resyncs.append)
        feed.sig_health.connect(self.health.append)

    def ids(self, entity: str = "case") -> list[str]:
        return [i for b in self.batches for i in b.ids(entity)]


@pytest.fixture
def feeds(qtbot):
    """Make feeds; at the end each is stopped and must hold no running timer or notifier."""
    made: list[ChangeFeed] = []

    def make(db: Database, **kw) -> ChangeFeed:
        feed = kw.pop("factory", ChangeFeed.for_database)(db, **kw)
        made.append(feed)
        return feed

    yield make
    for feed in made:
        feed.stop()
        assert not [t for t in feed.findChildren(QTimer) if t.isActive()], "a feed timer still runs"
        assert not [n for n in feed.findChildren(QSocketNotifier) if n.isEnabled()], "a notifier still listens"
        for thread in getattr(feed, "link_threads", []):
            thread.join(timeout=5)
            assert not thread.is_alive(), "a PostgreSQL link thread still runs"
        feed.deleteLater()


def started(qtbot, feed: ChangeFeed, **kw) -> Recorder:
    rec = Recorder(feed)
    feed.start(**kw)
    qtbot.waitUntil(lambda: feed.health.state == LIVE, timeout=5000)
    return rec


def test_factory_picks_the_backend(db, feeds):
    feed = feeds(db)
    assert isinstance(feed, PgChangeFeed if db.is_postgres else SqliteChangeFeed)
    assert feed.health.state == DOWN and not feed.running
    assert feed.age_seconds() == float("inf") and feed.health.age_seconds() == float("inf")


def test_one_command_gives_one_batch_with_the_case_id(db, qtbot, feeds):
    feed = feeds(db)
    rec = started(qtbot, feed)
    with qtbot.waitSignal(feed.sig_changed, timeout=5000) as blocker:
        ref = report(db)
    batch = blocker.args[0]
    assert isinstance(batch, ChangeBatch)
    assert batch.entities == {"case": (str(ref.id),)}
    assert batch.ops == (("case", str(ref.id), "report"),)
    assert batch.rev == feed.last_rev
    # A later change arrives on its own: the first one was delivered exactly once.
    with qtbot.waitSignal(feed.sig_changed, timeout=5000):
        second = report(db)
    assert rec.ids() == [str(ref.id), str(second.id)]
    assert len(rec.batches) == 2 and rec.resyncs == []


def test_burst_of_fifty_is_delivered_complete_and_coalesced(db, qtbot, feeds):
    feed = feeds(db)
    rec = started(qtbot, feed)
    refs = [report(db, description=f"第{i}件") for i in range(50)]
    wanted = [str(r.id) for r in refs]
    qtbot.waitUntil(lambda: len(rec.ids()) >= 50, timeout=10000)
    assert sorted(rec.ids(), key=int) == wanted  # every id, each once
    assert len(rec.batches) < 50  # bursts coalesce into few queries
    assert feed.last_rev == max(b.rev for b in rec.batches)


def test_street_seat_sees_its_street_and_streetless_changes_only(db, qtbot, feeds):
    west_feed = feeds(db, scope=WEST)
    all_feed = feeds(db)
    west, everything = started(qtbot, west_feed), started(qtbot, all_feed)
    east_case = report(db, EAST)
    west_case = report(db, WEST)
    log_calendar(db)
    qtbot.waitUntil(lambda: len(everything.ids()) == 2 and bool(everything.ids("calendar")), timeout=5000)
    qtbot.waitUntil(lambda: west.ids("calendar") == ["2026-10-01"], timeout=5000)
    assert west.ids() == [str(west_case.id)]
    assert str(east_case.id) not in west.ids()
    assert everything.ids() == [str(east_case.id), str(west_case.id)]
    # the street seat still follows the whole log: it does not re-read what it filtered out
    assert west_feed.last_rev == all_feed.last_rev


def test_another_seat_acting_on_a_case_is_seen(db, qtbot, feeds):
    ref = report(db)
    feed = feeds(db)
    rec = started(qtbot, feed)
    other_seat = Database(db.url)  # another seat: its own engine and pool
    try:
        act(other_seat, INTAKE, ref.number, "forward", expected_version=ref.version, at=T0,
            params=ActionParams())
    finally:
        other_seat.dispose()
    qtbot.waitUntil(lambda: bool(rec.batches), timeout=5000)
    assert rec.batches[0].ops == (("case", str(ref.id), "forward"),)


def test_start_from_an_earlier_revision_delivers_the_rows_after_it(db, qtbot, feeds):
    first = report(db)
    with db.read() as s:
        before = s.execute(text("SELECT max(rev) FROM change_log")).scalar()
    second = report(db)
    feed = feeds(db)
    rec = Recorder(feed)
    feed.start(from_rev=before)
    qtbot.waitUntil(lambda: bool(rec.batches), timeout=5000)
    assert rec.ids() == [str(second.id)] and str(first.id) not in rec.ids()


def test_log_going_backwards_means_resync(db, qtbot, feeds):
    report(db)
    feed = feeds(db)
    rec = started(qtbot, feed)
    assert feed.last_rev > 0
    with db.write() as s:  # as if the database had been restored from an older backup
        s.execute(text("DELETE FROM change_log"))
    with qtbot.waitSignal(feed.sig_resync, timeout=5000) as blocker:
        pass
    assert blocker.args == [0] and feed.last_rev == 0 and rec.batches == []


@pytest.mark.parametrize("db", ["postgresql"], indirect=True)
def test_pg_out_of_order_commits_fill_the_hole(db, qtbot, feeds):
    feed = feeds(db)
    rec = started(qtbot, feed)
    with db.write() as s:  # transaction A takes a revision first and commits last
        early_rev = log_change(s, "calendar", "2026-10-08", "set")
        with qtbot.waitSignal(feed.sig_changed, timeout=5000):
            late = report(db)  # transaction B: a higher revision, committed first
        assert rec.ids() == [str(late.id)]
        assert feed.last_rev > early_rev
    qtbot.waitUntil(lambda: rec.ids("calendar") == ["2026-10-08"], timeout=5000)
    assert rec.batches[-1].rev == early_rev and rec.resyncs == []


@pytest.mark.parametrize("db", ["postgresql"], indirect=True)
def test_pg_rolled_back_revision_is_forgotten_after_the_grace(db, qtbot, feeds):
    now = [1000.0]
    feed = feeds(db, factory=lambda d, **kw: PgChangeFeed(d, clock=lambda: now[0], **kw))
    rec = started(qtbot, feed)
    with pytest.raises(RuntimeError):
        with db.write() as s:
            log_change(s, "calendar", "2026-10-09", "set")
            raise RuntimeError("roll back")
    with qtbot.waitSignal(feed.sig_changed, timeout=5000):
        report(db)
    assert len(feed._holes) == 1
    now[0] += feed.HOLE_GRACE_S + 1
    beats = feed.heartbeats
    qtbot.waitUntil(lambda: feed.heartbeats > beats, timeout=5000)
    assert feed._holes == {} and rec.resyncs == []


def test_quiet_database_stays_live_through_the_heartbeat(db, qtbot, feeds):
    now = [1000.0]
    factory = PgChangeFeed if db.is_postgres else SqliteChangeFeed
    feed = feeds(db, factory=lambda d, **kw: factory(d, clock=lambda: now[0], **kw))
    rec = started(qtbot, feed)
    now[0] += 60  # a quiet minute: no change at all
    assert feed.refresh_health().state == STALE  # nothing heard yet...
    assert feed.health.age_seconds() == pytest.approx(60)
    beats = feed.heartbeats
    qtbot.waitUntil(lambda: feed.heartbeats > beats, timeout=5000)
    assert feed.health.state == LIVE and feed.health.age_seconds() < 1  # ...until the heartbeat answers
    assert [h.state for h in rec.health] == [LIVE, STALE, LIVE]
    assert feed.health.last_ok_at is not None


def test_stop_ends_everything_and_start_resumes(db, qtbot, feeds):
    feed = feeds(db)
    started(qtbot, feed)
    feed.stop()
    assert feed.health.state == DOWN and not feed.running
    assert not [t for t in feed.findChildren(QTimer) if t.isActive()]
    rec = started(qtbot, feed)  # restarted: a reconnect, so consumers resync
    assert rec.resyncs == [feed.last_rev]
    with qtbot.waitSignal(feed.sig_changed, timeout=5000):
        report(db)


def test_a_consumer_may_stop_the_feed_from_its_slot(db, qtbot, feeds):
    feed = feeds(db)
    started(qtbot, feed)
    feed.sig_changed.connect(lambda _batch: feed.stop())
    with qtbot.waitSignal(feed.sig_changed, timeout=5000):
        report(db)
    assert not feed.running and feed.health.state == DOWN


def test_sqlite_memory_database_is_refused():
    with pytest.raises(ValueError, match="memory"):
        SqliteChangeFeed(Database("sqlite:///:memory:"))


def test_sqlite_moved_file_is_down_then_recovers(sqlite_template, tmp_path, qtbot, feeds):
    folder = tmp_path / "seat"
    folder.mkdir()
    shutil.copy(sqlite_template, folder / "console.db")
    db = Database(f"sqlite:///{folder / 'console.db'}")
    try:
        feed = feeds(db)
        rec = started(qtbot, feed)
        folder.rename(tmp_path / "moved")  # the file is gone from under the seat
        qtbot.waitUntil(lambda: feed.health.state == DOWN, timeout=6000)
        assert "重连" in feed.health.message or "重试" in feed.health.message
        (tmp_path / "moved").rename(folder)
        with qtbot.waitSignal(feed.sig_resync, timeout=6000):
            pass
        qtbot.waitUntil(lambda: feed.health.state == LIVE, timeout=6000)
        assert rec.resyncs
    finally:
        db.dispose()


@pytest.mark.parametrize("db", ["postgresql"], indirect=True)
def test_pg_outage_goes_down_and_recovers_with_resync(db, qtbot, feeds):
    """A real broken connection through a proxy; the shared server keeps running."""
    url = make_url(db.url)
    with TcpProxy((url.host or "127.0.0.1", url.port or 5432)) as proxy:
        seat = Database(url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False))
        feed = feeds(seat)
        rec = started(qtbot, feed)
        assert proxy.accepted == 1

        proxy.cut()
        qtbot.waitUntil(lambda: feed.health.state in (STALE, DOWN), timeout=6000)
        assert feed.health.message
        during = report(db)  # written straight to the server while the seat is cut off
        with db.read() as s:
            during_rev = s.execute(text("SELECT max(rev) FROM change_log")).scalar()

        proxy.restore()
        with qtbot.waitSignal(feed.sig_resync, timeout=6000) as blocker:
            pass
        qtbot.waitUntil(lambda: feed.health.state == LIVE, timeout=6000)
        assert blocker.args[0] >= during_rev  # the consumer's reload includes the outage's change
        assert str(during.id) not in rec.ids()  # it came by resync, not as a stale delta
        assert [h.state for h in rec.health][-1] == LIVE and DOWN in [h.state for h in rec.health]

        with qtbot.waitSignal(feed.sig_changed, timeout=5000) as changed:  # LISTEN again
            after = report(db)
        assert changed.args[0].ids("case") == (str(after.id),)
        feed.stop()
        seat.dispose()


class QuickToGiveUpPgFeed(PgChangeFeed):
    """Stale after 1 s of silence, a hung connection given up after 2 s: a test sees the whole story."""

    STALE_AFTER_S = 1.0
    HUNG_AFTER_S = 2.0


@pytest.mark.parametrize("db", ["postgresql"], indirect=True)
def test_pg_hung_server_never_blocks_the_loop_goes_stale_and_reconnects(db, qtbot, feeds):
    """The server takes the bytes and never answers (no TCP timeout notices): the Qt loop stays free."""
    url = make_url(db.url)
    with TcpProxy((url.host or "127.0.0.1", url.port or 5432)) as proxy:
        seat = Database(url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False))
        feed = feeds(seat, factory=QuickToGiveUpPgFeed)
        rec = started(qtbot, feed)
        ticks = []
        ticker = QTimer()
        ticker.setInterval(10)
        ticker.timeout.connect(lambda: ticks.append(feed.health.state))
        ticker.start()

        proxy.hang()
        report(db)  # its NOTIFY and the feed's read of it wait in the proxy
        # STALE is decided by the feed's heartbeat timer: reaching it proves the loop ran during the hang
        qtbot.waitUntil(lambda: STALE in ticks, timeout=5000)
        assert rec.resyncs == [] and feed.running
        qtbot.waitUntil(lambda: feed.health.state == DOWN, timeout=5000)  # given up after HUNG_AFTER_S
        assert feed.health.reason == "lost" and "未应答" in feed.health.message

        proxy.flow()
        with qtbot.waitSignal(feed.sig_resync, timeout=10000):  # a new connection, and a reload
            pass
        qtbot.waitUntil(lambda: feed.health.state == LIVE, timeout=5000)
        assert proxy.accepted >= 2
        with qtbot.waitSignal(feed.sig_changed, timeout=5000) as changed:
            after = report(db)
        assert changed.args[0].ids("case") == (str(after.id),)
        ticker.stop()
        feed.stop()
        for thread in feed.link_threads:  # the hung link's thread ended too: its socket was shut down
            thread.join(timeout=5)
        assert feed.link_threads == []
        seat.dispose()


class QuietSqliteFeed(SqliteChangeFeed):
    """Heartbeat and fallback poll a minute apart: within a test only the file watcher can wake it."""

    HEARTBEAT_MS = 60_000
    FALLBACK_POLL_MS = 60_000


@pytest.mark.parametrize("db", ["sqlite"], indirect=True)
def test_sqlite_commit_is_seen_through_the_file_watcher(db, qtbot, feeds):
    feed = feeds(db, factory=QuietSqliteFeed)
    rec = started(qtbot, feed)
    assert set(feed.watched) >= {str(feed.path), f"{feed.path}-wal", str(feed.path.parent)}
    with qtbot.waitSignal(feed.sig_changed, timeout=5000):
        ref = report(db)
    assert rec.ids() == [str(ref.id)] and feed.wakeups >= 1
    feed.stop()
    assert feed.watched == []


@pytest.mark.parametrize("db", ["sqlite"], indirect=True)
def test_sqlite_watcher_re_adds_a_wal_it_was_not_watching(db, qtbot, feeds):
    feed = feeds(db, factory=QuietSqliteFeed)
    started(qtbot, feed)
    wal = f"{feed.path}-wal"
    feed._watcher.removePath(wal)  # as if the -wal had been created after the watch began
    (feed.path.parent / "neighbour.txt").write_text("a change in the folder", encoding="utf-8")
    qtbot.waitUntil(lambda: wal in feed.watched, timeout=5000)
    with qtbot.waitSignal(feed.sig_changed, timeout=5000) as blocker:
        ref = report(db)
    assert blocker.args[0].ids("case") == (str(ref.id),)


@pytest.mark.parametrize("db", ["sqlite"], indirect=True)
def test_sqlite_without_file_events_the_fallback_poll_delivers(db, qtbot, feeds):
    class Blind(SqliteChangeFeed):  # a filesystem that sends no events (e.g. a network share)
        HEARTBEAT_MS = 60_000

    feed = feeds(db, factory=lambda d, **kw: Blind(d, watch=False, poll_ms=100, **kw))
    started(qtbot, feed)
    assert feed.watched == []
    with qtbot.waitSignal(feed.sig_changed, timeout=5000) as blocker:
        ref = report(db)
    assert blocker.args[0].ids("case") == (str(ref.id),) and feed.wakeups == 0


class _SilentLink:
    """A link that takes requests and answers none: the test answers for it."""

    def __init__(self) -> None:
        self.requests: list[tuple] = []

    def request(self, *what) -> None:  # noqa: ANN002
        self.requests.append(what)

    def stop(self) -> None:
        pass


def test_pg_a_hung_beat_is_timed_from_its_own_request_when_a_read_answers_meanwhile(qapp):
    """Two requests out, the read answers, the beat never does: given up HUNG_AFTER_S after the beat went out."""
    now = [100.0]
    seat = Database("postgresql+psycopg://nobody@127.0.0.1:9/none")  # never connected: the link is the test's
    feed = PgChangeFeed(seat, clock=lambda: now[0])
    link = feed._link = _SilentLink()
    feed._started, feed._connected = True, True
    feed._ask("beat")
    now[0] += 5
    feed._ask("fetch", 0, [], 10)
    assert feed.waited_s == 5.0  # the oldest request out sets the wait
    now[0] += 1
    feed._on_answer(feed._generation, "rows", ([], None))
    assert feed.waited_s == 6.0  # the beat still waits since it went out, not since the read came back
    now[0] += feed.HUNG_AFTER_S - 6 + 0.1
    feed._on_heartbeat()
    assert feed._link is None and not feed._connected  # given up: the beat went out HUNG_AFTER_S + 0.1 s ago
    assert [r[0] for r in link.requests] == ["beat", "fetch"]
    feed.deleteLater()
    seat.dispose()

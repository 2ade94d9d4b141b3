"""The workstation names its database in the title, and never a password there or in its banner."""
from __future__ import annotations

from sqlalchemy.engine import make_url

from console.data.db import Database
from console.services.feed import ChangeFeed
from console.services.session import Seat, Session
from console.widgets.workstation import Workstation
from tests.data.test_secrets import SECRETS, assert_clean, secret_url
from tests.services.tcp_proxy import TcpProxy


def test_title_and_outage_banner_hide_the_password(pg_db, qtbot):
    url = make_url(pg_db.url)
    with TcpProxy((url.host or "127.0.0.1", url.port or 5432)) as proxy:
        db = Database(secret_url("127.0.0.1", proxy.port, url.database))
        session = Session(db=db, username="张受理", display_name="张受理", role="intake", seat_name="受理席1",
                          seat=Seat("operator"))
        window = Workstation(session, feed=ChangeFeed.for_database(db), with_map=False, alert_interval_ms=3_600_000)
        qtbot.addWidget(window)
        window.start()
        title = window.windowTitle()
        assert f"127.0.0.1:{proxy.port}/{url.database}" in title  # which database this seat works on
        assert_clean(title)
        proxy.cut()
        window.show()
        qtbot.waitUntil(lambda: window.stale_banner.isVisible(), timeout=10000)
        banner = window.stale_banner.text() + window.feed.health.message
        assert all(secret not in banner for secret in SECRETS), banner
        proxy.restore()  # leave as the outage test does: the seat signs off on a live database
        qtbot.waitUntil(lambda: not window.stale_banner.isVisible(), timeout=10000)
        window.stop()
        window.close()
        db.dispose()

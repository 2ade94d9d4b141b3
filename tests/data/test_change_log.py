"""The change log's queries, as the live feed runs them on its own connections (both backends)."""
from __future__ import annotations

import pytest

from console.data import change_log
from console.data.commands import log_change


def _reader(db):
    if db.is_postgres:
        return change_log.open_listener(change_log.pg_dsn(db.url))
    return change_log.open_sqlite_reader(change_log.sqlite_path(db.url))


def _log(db, day: str) -> int:
    with db.write() as s:
        return log_change(s, "calendar", day, "set", operator="测试")


def test_fetch_after_a_revision_with_holes_and_the_top(db):
    conn = _reader(db)
    try:
        first, second, third = (_log(db, f"2026-10-0{i}") for i in (1, 2, 3))
        assert change_log.max_rev(conn) == third
        rows = change_log.fetch_after(conn, second, [first], limit=10)
        assert [(r.rev, r.entity, r.entity_id, r.op) for r in rows] == [
            (first, "calendar", "2026-10-01", "set"), (third, "calendar", "2026-10-03", "set")]
        assert change_log.fetch_after(conn, first, [], limit=1) == [
            change_log.ChangeRow(second, "calendar", "2026-10-02", "set", None)]
    finally:
        conn.close()


def test_the_sql_is_written_once_for_both_placeholders():
    assert change_log.fetch_sql(0, "?") == change_log.fetch_sql(0, "%s").replace("%s", "?")
    assert "rev IN (?, ?)" in change_log.fetch_sql(2, "?") and "IN" not in change_log.fetch_sql(0, "?")


def test_a_sqlite_reader_never_creates_a_database(tmp_path):
    missing = tmp_path / "nowhere.db"
    with pytest.raises(change_log.SQLITE_ERRORS):
        change_log.open_sqlite_reader(missing)
    assert not missing.exists()
    assert change_log.sqlite_path("sqlite:///:memory:") is None

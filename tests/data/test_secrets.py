"""A password anywhere in a database URL never reaches a message, a log line or a title."""
from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url

from console.cli import main
from console.data import models as m
from console.data.credentials import settings_safe_url
from console.data.db import Database, DatabaseUnavailable, normalise_url, redact
from tests.data.test_db_errors import SilentServer
from tests.services.tcp_proxy import TcpProxy

SECRETS = ("Hunter2-user", "Kq9-query", "Zx7-ssl")


def secret_url(host: str, port: int, database: str = "hall") -> str:
    return (f"postgresql://postgres:{SECRETS[0]}@{host}:{port}/{database}"
            f"?password={SECRETS[1]}&sslpassword={SECRETS[2]}&application_name=uc")


def assert_clean(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text, text
    assert "***" in text


@pytest.mark.parametrize("text, shown", [
    ("postgresql://bob:pa55word@db:5432/hall", "postgresql://bob:***@db:5432/hall"),
    ("postgresql+psycopg://bob:p@ss:w0rd@db/hall", "postgresql+psycopg://bob:***@db/hall"),
    ("postgresql://db/hall?sslmode=require&password=pa55word", "postgresql://db/hall?sslmode=require&password=***"),
    ("postgresql://db/hall?SSLPASSWORD=pa55word&x=1", "postgresql://db/hall?SSLPASSWORD=***&x=1"),
    ("host=db password='pa 55\\'word' user=bob", "host=db password=*** user=bob"),
    ("could not open 'postgresql://bob:pa55word@db/hall': refused", "could not open 'postgresql://bob:***@db/hall': refused"),
    ("sqlite:////srv/hall:2026@backup.db", "sqlite:////srv/hall:2026@backup.db"),  # no password to hide
    ("not a url at all", "not a url at all"),
])
def test_redact_masks_every_form(text, shown):
    assert redact(text) == shown
    assert redact(redact(text)) == shown  # masking twice changes nothing


def test_the_database_never_shows_its_password():
    db = Database(secret_url("127.0.0.1", 1))
    for shown in (repr(db), db.where, db.redact(f"failed: {SECRETS[0]} / {SECRETS[1]}")):
        assert_clean(shown)
    assert make_url(db.url).password == SECRETS[0]  # the engine itself still has it
    assert SECRETS[1] not in settings_safe_url(db.url)  # stored settings drop it altogether


def test_a_bad_url_is_named_without_its_password():
    with pytest.raises(DatabaseUnavailable) as caught:
        normalise_url(f"mysql://root:{SECRETS[0]}@db/hall?password={SECRETS[1]}")
    assert "mysql://root:***@db/hall" in str(caught.value) and SECRETS[0] not in str(caught.value)


def test_cli_errors_carry_no_password(capsys, monkeypatch):
    with SilentServer() as server:
        url = secret_url("127.0.0.1", server.port) + "&connect_timeout=2"
        for argv in (("stats", "--json", "--db", url), ("bench", "--on", url),
                     ("stats", "--json", url)):  # argparse echoes the stray URL
            code = main(list(argv))
            out, err = capsys.readouterr()
            assert code != 0 and len(err.strip().splitlines()) == 1
            assert_clean(err)
        monkeypatch.setenv("URBAN_CONSOLE_DB", url)
        assert main(["audit", "202600000001"]) != 0
        assert_clean(capsys.readouterr().err)


def test_a_lost_connection_carries_no_password(pg_db):
    url = make_url(pg_db.url)
    with TcpProxy((url.host or "127.0.0.1", url.port or 5432)) as proxy:
        db = Database(secret_url("127.0.0.1", proxy.port, url.database))
        with db.read() as s:
            assert s.scalar(select(m.Street.name).where(m.Street.code == "350402001")) == "列东街道"
        proxy.cut()
        with pytest.raises(DatabaseUnavailable) as caught:
            with db.read() as s:
                s.scalar(select(m.Street.name))
        assert "数据库连接中断" in str(caught.value)
        assert_clean(str(caught.value))
        db.dispose()

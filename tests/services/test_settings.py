"""The settings service: typed keys per user and seat, versioned layouts, no stray store."""
from __future__ import annotations

import pytest
from PySide6.QtCore import QByteArray, QSettings

from console.services import settings as st
from console.services.settings import SeatSettings


@pytest.fixture
def store(tmp_path):
    return QSettings(str(tmp_path / "console.ini"), QSettings.Format.IniFormat)


def test_values_come_back_typed_after_the_ini_round_trip(store, tmp_path):
    SeatSettings("张受理", "operator", store=store).set(st.CAMERAS_SHOWN, True)
    store.sync()
    again = SeatSettings("张受理", "operator", store=QSettings(str(tmp_path / "console.ini"), QSettings.Format.IniFormat))
    assert again.get(st.CAMERAS_SHOWN) is True
    assert again.get(st.HEAT_MODE) == "open"  # the default when never set


def test_each_user_and_seat_has_their_own_choices_but_the_hall_shares_the_basemap(store):
    a, b = SeatSettings("a", "operator", store=store), SeatSettings("b", "operator", store=store)
    a_street = SeatSettings("a", "street", store=store)
    a.set(st.CAMERAS_SHOWN, False)
    a.set(st.BASEMAP, "/maps/city.mbtiles")
    assert b.get(st.CAMERAS_SHOWN) is None and a_street.get(st.CAMERAS_SHOWN) is None
    assert b.get(st.BASEMAP) == "/maps/city.mbtiles"


def test_a_value_that_does_not_parse_falls_back_to_the_default(store):
    s = SeatSettings("a", store=store)
    store.setValue("users/a/operator/map/cameras", "maybe")
    assert s.get(st.CAMERAS_SHOWN) is None


def test_a_wrongly_typed_value_is_refused(store):
    with pytest.raises(TypeError, match="map/cameras"):
        SeatSettings("a", store=store).set(st.CAMERAS_SHOWN, "yes")


def test_a_layout_of_another_version_is_dropped(store, monkeypatch):
    s = SeatSettings("a", store=store)
    s.save_layout("workstation", QByteArray(b"geo"), QByteArray(b"state"))
    assert s.layout("workstation") == (QByteArray(b"geo"), QByteArray(b"state"))
    monkeypatch.setattr(st, "LAYOUT_VERSION", st.LAYOUT_VERSION + 1)
    assert s.layout("workstation") is None


def test_a_store_of_another_settings_version_starts_clean(store):
    store.setValue("settings_version", 0)
    store.setValue("layout/张受理", b"old-format")
    SeatSettings("a", store=store)
    assert store.value("layout/张受理") is None
    assert int(store.value("settings_version")) == st.SETTINGS_VERSION

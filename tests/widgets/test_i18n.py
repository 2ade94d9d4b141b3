"""Translations: the shipped English .ts is complete and current, its .qm is what lrelease makes of it,
`--lang` / the stored choice / the locale pick it, and the panels and dialogs show no Chinese in English."""
from __future__ import annotations

import dataclasses
import shutil
import subprocess
import xml.etree.ElementTree as ET
from datetime import timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QTranslator
from PySide6.QtWidgets import QApplication, QWidget

from console.cli import build_parser
from console.data.queue_and_detail import (
    CaseDetail, CategoryOption, ClockInfo, ConditionOption, DepartmentOption, EventInfo, FilterOptions, Option, UrgeInfo,
)
from console.domain.calendar import default_calendar
from console.domain.workflow import Action
from console.resources.i18n import update
from console.services.alerts import Alert, AlertKey
from console.services.settings import LANGUAGE, SeatSettings
from console.widgets import i18n
from console.widgets.alert_banner import AlertBanner
from console.widgets.case_detail import CaseDetailPanel
from console.widgets.case_queue import CaseQueuePanel
from console.widgets.dialogs import ActionDialog, NewCaseDialog, SignInDialog
from console.widgets.map_page import page_words
from tests.widgets.cjk import cjk_texts, has_cjk
from tests.widgets.test_queue_model import NOW, make_row

TS = update.TRANSLATIONS["en"]
QM = TS.with_suffix(".qm")


def messages(ts: Path) -> dict[tuple[str, str, str], list[str]]:
    """(context, source, disambiguation) -> its translation forms (one, or the plural forms)."""
    found = {}
    for context in ET.parse(ts).getroot().iter("context"):
        for m in context.iter("message"):
            t = m.find("translation")
            forms = [f.text or "" for f in t.iter("numerusform")] if m.get("numerus") else [t.text or ""]
            found[(context.findtext("name"), m.findtext("source"), m.findtext("comment") or "")] = forms
    return found


# --- the files ------------------------------------------------------------------------------------


def test_the_english_ts_has_every_message_translated():
    assert update.unfinished(TS) == []
    texts = messages(TS)
    assert len(texts) > 250
    assert not [k for k, forms in texts.items() if any(has_cjk(f) for f in forms)]  # no Chinese left in English


def test_the_ts_holds_every_string_lupdate_extracts(tmp_path):
    """A new tr() / QT_TRANSLATE_NOOP in console/ that nobody extracted fails here: run the update script."""
    fresh = tmp_path / "fresh.ts"
    shutil.copy(TS, fresh)
    update.lupdate(fresh, "en")
    assert set(messages(fresh)) == set(messages(TS)), "run `python -m console.resources.i18n.update`"


def test_the_committed_qm_is_built_from_the_ts(tmp_path):
    """Every message of the .ts comes out of the committed .qm as written (lrelease of another version may
    lay the bytes out differently, so the file is compared by what it answers, and by size with a rebuild)."""
    translator = QTranslator()
    assert translator.load(str(QM)), f"{QM} does not load"
    for (context, source, comment), forms in messages(TS).items():
        if len(forms) > 1:
            assert translator.translate(context, source, comment or None, 1) == forms[0]
            assert translator.translate(context, source, comment or None, 2) == forms[1]
        else:
            assert translator.translate(context, source, comment or None) == forms[0], (context, source)
    rebuilt = tmp_path / "rebuilt.qm"
    subprocess.run([update.tool("lrelease"), "-silent", str(TS), "-qm", str(rebuilt)], check=True)
    assert rebuilt.stat().st_size == QM.stat().st_size, "the .qm is stale: run `python -m console.resources.i18n.update`"


# --- choosing the language -------------------------------------------------------------------------


@pytest.mark.parametrize(("lang", "stored", "ui", "expected"), [
    ("en", "zh", ["zh-CN"], "en"),  # --lang wins
    (None, "en", ["zh-CN"], "en"),  # then the hall's stored choice
    (None, "", ["en-US", "zh-CN"], "en"),  # then the locale's first language we ship
    (None, "", ["fr-FR", "zh-Hans-CN"], "zh"),
    (None, "", ["de-DE"], "zh"),  # anything else: the hall's language
    (None, "", ["C"], "zh"),
    ("zh_CN", "", [], "zh"),
])
def test_choose_language(lang, stored, ui, expected):
    assert i18n.choose_language(lang, stored, ui) == expected


def test_an_unknown_language_is_refused_by_name():
    with pytest.raises(ValueError, match="'fr'.*zh, en"):
        i18n.choose_language("fr")


def test_install_translator_en_translates_and_zh_installs_nothing(qapp):
    assert i18n.install_translator(qapp, "zh") is None
    assert QApplication.translate("State", "待受理") == "待受理"
    translator = i18n.install_translator(qapp, "en")
    try:
        assert QApplication.translate("State", "待受理") == "Awaiting intake"
        assert page_words()["legend"] == "Legend"  # the map page's words come from the same translator
    finally:
        qapp.removeTranslator(translator)
    assert QApplication.translate("State", "待受理") == "待受理"


def test_lang_is_remembered_for_the_hall_and_used_without_it(qapp, user_settings):
    i18n.remember_language("en")
    assert SeatSettings().get(LANGUAGE) == "en"
    translator = i18n.install_translator(qapp)  # no --lang: the stored choice
    try:
        assert translator is not None and QApplication.translate("_FormDialog", "取消") == "Cancel"
    finally:
        qapp.removeTranslator(translator)


def test_lang_applies_to_its_run_only_and_never_changes_the_halls_language(qapp, user_settings):
    """A one-off `screenshot --lang en` on a Chinese hall: English for that run, the stored choice untouched."""
    i18n.remember_language("zh")
    try:
        i18n.use_for_this_run("en")
        translator = i18n.install_translator(qapp)
        assert translator is not None and QApplication.translate("State", "待受理") == "Awaiting intake"
        qapp.removeTranslator(translator)
    finally:
        i18n.use_for_this_run(None)
    assert SeatSettings().get(LANGUAGE) == "zh"
    assert i18n.install_translator(qapp) is None  # the next run without --lang: the hall's Chinese
    with pytest.raises(ValueError, match="'fr'"):
        i18n.use_for_this_run("fr")


def test_settings_language_shows_and_sets_the_halls_choice(user_settings, capsys):
    from console.cli import main

    assert main(["settings", "language"]) == 0 and capsys.readouterr().out.strip() == "system"
    assert main(["settings", "language", "en"]) == 0 and capsys.readouterr().out.strip() == "en"
    assert SeatSettings().get(LANGUAGE) == "en"
    assert main(["settings", "language", "system"]) == 0 and capsys.readouterr().out.strip() == "system"
    assert SeatSettings().get(LANGUAGE) == ""  # "" follows the locale
    assert main(["settings", "language", "fr"]) != 0
    assert "'fr'" in capsys.readouterr().err


def test_the_cli_takes_lang_on_run_and_screenshot_only_en_or_zh(capsys):
    parser = build_parser()
    assert parser.parse_args(["run", "--lang", "en"]).lang == "en"
    assert parser.parse_args(["screenshot", "--out", "x.png", "--lang", "zh"]).lang == "zh"
    assert parser.parse_args(["run"]).lang is None
    with pytest.raises(SystemExit):
        parser.parse_args(["run", "--lang", "fr"])
    assert "--lang" in capsys.readouterr().err


# --- the widgets in English ------------------------------------------------------------------------


@pytest.fixture
def english(qapp):
    translator = i18n.install_translator(qapp, "en")
    yield translator
    qapp.removeTranslator(translator)


def ascii_row(case_id: int, *args, **kw):
    """A queue row with ASCII case data: what stays Chinese is then the UI's own."""
    row = make_row(case_id, *args, **kw)
    return dataclasses.replace(row, category_name=f"category {case_id}", address=f"No. {case_id} East Road",
                               street_name="East street", department_name="Sanitation" if row.department_id else None)


CATEGORIES = [CategoryOption("06010", "Exposed rubbish", "event", "06", "City appearance"),
              CategoryOption("01010", "Manhole cover", "part", "01", "Public facilities")]
DEPARTMENTS = [DepartmentOption(2, "D2", "Sanitation", "department", None),
               DepartmentOption(3, "D3", "Roads", "department", None)]
CONDITIONS = [ConditionOption("06010-1", "06010", "Rubbish over 1 m2", "normal", {"normal": "4wh", "urgent": "2wh"})]


def test_the_case_queue_panel_in_english(english, qtbot):
    panel = CaseQueuePanel(calendar=default_calendar(), now=NOW)
    qtbot.addWidget(panel)
    panel.set_options(FilterOptions(
        streets=(Option("350402001", "East street"),), communities=(Option("350402001001", "East 1", "350402001"),),
        grids=(Option("350402001001001", "350402001001001", "350402001001"),), categories=tuple(CATEGORIES),
        departments=tuple(DEPARTMENTS), sources=("inspector", "hotline", "walk_in", "video")))
    panel.set_rows([ascii_row(1, "reported", limit="30wmin", total=30, department=None, source="hotline"),
                    ascii_row(3, "to_file", started_min_ago=40, limit="30wmin", total=30, department=None),
                    ascii_row(6, "hung", paused=True, consumed=200),
                    ascii_row(8, "disposing", started_min_ago=300, pending="extension")])
    assert cjk_texts(panel) == []
    panel._search.setText("no such case")  # the "no match" line, with its pointer to the other steps
    assert panel._no_match.text().startswith("No case matches")
    assert cjk_texts(panel) == []


def ascii_detail() -> CaseDetail:
    row = ascii_row(8, "disposing", started_min_ago=90, pending="extension")
    t0 = NOW - timedelta(hours=2)
    clocks = (
        ClockInfo("intake", 1, "30wmin", t0, t0 + timedelta(minutes=10), 10, 30, "on_time", None, None, None,
                  False, False, False),
        ClockInfo("dispose", 2, "4wh", t0 + timedelta(minutes=30), None, 90, 360, None, NOW + timedelta(hours=3),
                  NOW + timedelta(hours=2), NOW + timedelta(hours=3), True, False, True, 2),
    )
    events = (EventInfo(t0, "report", None, "reported", 1, "Wang", "intake", "seat 1", "first call", None),
              EventInfo(t0 + timedelta(minutes=30), "dispatch", "to_dispatch", "disposing", 4, "Zhao", "dispatcher",
                        None, "", {"department_id": 2}))
    urges = (UrgeInfo("urge", t0 + timedelta(minutes=40), "Zhang", None, "called again", 2, None, None, None),
             UrgeInfo("supervise", t0 + timedelta(minutes=50), "Chen", None, "leader asks", 2,
                      NOW + timedelta(hours=1), None, None))
    return CaseDetail(row=row, description="Rubbish at the gate", photos=("missing.jpg",), caller_name="Ms Liu",
                      caller_phone="13900001234", condition_text="Rubbish over 1 m2",
                      condition_limits={"normal": "4wh", "urgent": "2wh"}, clocks=clocks, events=events, urges=urges,
                      close_type=None, closed_at=None, return_count=1, extension_count=1, rework_count=0, is_open=True,
                      community_name="East 1", pending_data={"extension": "4wh"})


def test_the_case_detail_panel_in_english(english, qtbot):
    panel = CaseDetailPanel(calendar=default_calendar())
    qtbot.addWidget(panel)
    assert cjk_texts(panel) == []  # no case chosen yet
    panel.set_detail(ascii_detail(), NOW)
    panel.set_actions(list(Action))  # every action's button and its tooltip (with the shortcut)
    assert cjk_texts(panel) == []


@pytest.mark.parametrize("action", list(Action), ids=lambda a: a.value)
def test_each_action_dialog_in_english(english, qtbot, action):
    dialog = ActionDialog(action, case_number="202600000008", conditions=CONDITIONS, departments=DEPARTMENTS,
                          suggested_department=2, categories=CATEGORIES, conditions_for=lambda _code: CONDITIONS,
                          current_category="06010")
    qtbot.addWidget(dialog)
    dialog.show_error("ASCII error")
    assert cjk_texts(dialog) == []


def test_the_new_case_and_sign_in_dialogs_in_english(english, qtbot):
    for dialog in (NewCaseDialog(CATEGORIES), NewCaseDialog(CATEGORIES, lon=117.6, lat=26.2, grid_code="350402001001001"),
                   SignInDialog(seat="350402001")):
        qtbot.addWidget(dialog)
        assert cjk_texts(dialog) == [], type(dialog).__name__
    with pytest.raises(ValueError, match="^Choose a category"):
        empty = NewCaseDialog(CATEGORIES)
        qtbot.addWidget(empty)
        empty.search.setText("nothing like it")
        empty.value()


def test_the_alert_banner_in_english(english, qtbot):
    banner = AlertBanner()
    qtbot.addWidget(banner)
    assert cjk_texts(banner) == []
    alerts = [Alert(AlertKey(i, "dispose", 1, light), f"2026{i:08d}", "Exposed rubbish", "350402001001001", "East street",
                    "" if i % 2 else "Sanitation", light, -12.0, NOW, "350402001")
              for i, light in enumerate(["red", "yellow"] * 4)]  # more than the banner lists: the "more" line
    banner.set_alerts(alerts)
    assert cjk_texts(banner) == []
    banner.light_filter.setCurrentIndex(banner.light_filter.findData("red"))
    banner.street_filter.addItem("West street", "350402002")
    banner.street_filter.setCurrentIndex(banner.street_filter.count() - 1)  # nothing matches: the "none" line
    assert "No alert matches" in banner.more.text()
    assert cjk_texts(banner) == [] and isinstance(banner, QWidget)


def test_the_cjk_finder_sees_what_it_should(qtbot):
    """The helper itself: Chinese in a label, a placeholder, a combo item or a tooltip is found."""
    dialog = NewCaseDialog(CATEGORIES)  # no translator: the source Chinese
    qtbot.addWidget(dialog)
    found = dict(cjk_texts(dialog))
    assert "新建案件" in found.values()
    assert any(w.endswith(".placeholderText") for w in found)
    assert any(".item[" in w for w in found)  # the source combo
    assert any(w.endswith(".text") and "QPushButton" in w for w in found)


@pytest.mark.parametrize("reason, detail, expected", [
    ("lost", "server closed the connection", "connection to the database lost, reconnecting: server closed the connection"),
    ("silent", "5", "no answer from the database for over 5 s"),
    ("unreachable", "", "cannot reach the database, retrying"),
])
def test_the_stale_banners_reason_speaks_the_seats_language(english, reason, detail, expected):
    from console.services.feed import FeedHealth
    from console.widgets.labels import feed_reason

    health = FeedHealth("down", None, "中文 (English)", reason=reason, detail=detail)
    assert feed_reason(health) == expected  # one language: not the log's "中文 (English)"

"""The console's language: Chinese is the source text, English ships as a Qt translation.

`--lang en|zh` wins, for that run only (a one-off English screenshot leaves the hall's language
alone); then the hall's stored choice (settings LANGUAGE, set by `urban-console settings language
en|zh|system`); then the system locale's UI languages (the first of them that is Chinese or
English).  Any other locale keeps Chinese, the hall's language.  "zh" installs no translator at
all: the source strings are the Chinese UI.
"""
from __future__ import annotations

from contextlib import ExitStack
from importlib import resources
from typing import Sequence

from PySide6.QtCore import QCoreApplication, QLocale, QTranslator

SOURCE_LANGUAGE = "zh"
LANGUAGES = ("zh", "en")  # zh: the source text; every other one has console/resources/i18n/urban_console_<lang>.qm
QM_NAME = "urban_console_{lang}.qm"
SYSTEM = "system"  # the stored choice that follows the system locale (stored as "")

_this_run: str | None = None  # --lang of this process, never stored


def normalise(lang: str) -> str | None:
    """'en', 'en_US', 'zh-Hans-CN' -> 'en' / 'zh'; None when the language is not one we ship."""
    base = lang.strip().replace("-", "_").split("_")[0].lower()
    return base if base in LANGUAGES else None


def choose_language(lang: str | None = None, stored: str = "", ui_languages: Sequence[str] = ()) -> str:
    """The language to show: `lang` (a bad one is an error naming the choices), else `stored`, else the locale."""
    if lang:
        chosen = normalise(lang)
        if chosen is None:
            raise ValueError(f"未知的界面语言 {lang!r} (unknown language; choose one of {', '.join(LANGUAGES)})")
        return chosen
    for candidate in (stored, *ui_languages):
        chosen = normalise(candidate) if candidate else None
        if chosen:
            return chosen
    return SOURCE_LANGUAGE


def use_for_this_run(lang: str | None) -> None:
    """--lang: the language of this process only (checked now, so a bad one fails before any window)."""
    global _this_run
    _this_run = choose_language(lang) if lang else None


def stored_language() -> str:
    """The hall's remembered choice ("" = follow the system locale)."""
    from console.services.settings import LANGUAGE, SeatSettings

    return SeatSettings().get(LANGUAGE)


def remember_language(lang: str) -> None:
    """The hall's language from now on: zh, en, or "system" (follow the locale)."""
    from console.services.settings import LANGUAGE, SeatSettings

    settings = SeatSettings()
    settings.set(LANGUAGE, "" if lang == SYSTEM else choose_language(lang))
    settings.sync()


def load_translator(lang: str) -> QTranslator:
    """The packaged translation of `lang` (not the source language), loaded; a missing file is named."""
    name = QM_NAME.format(lang=lang)
    translator = QTranslator()
    with ExitStack() as stack:
        path = stack.enter_context(resources.as_file(resources.files("console.resources").joinpath("i18n", name)))
        if not translator.load(str(path)):
            raise FileNotFoundError(f"安装不完整，缺少翻译文件 (translation missing or unreadable): "
                                    f"console/resources/i18n/{name}; reinstall urban-console")
    return translator


def install_translator(app: QCoreApplication, lang: str | None = None) -> QTranslator | None:
    """Install the translation `lang` / this run's --lang / the stored choice / the locale asks for; None for Chinese.

    The translator is parented to the application so it lives as long as it does.
    """
    chosen = choose_language(lang or _this_run, stored_language(), QLocale.system().uiLanguages())
    if chosen == SOURCE_LANGUAGE:
        return None
    translator = load_translator(chosen)
    translator.setParent(app)
    app.installTranslator(translator)
    return translator


__all__ = ["LANGUAGES", "SOURCE_LANGUAGE", "SYSTEM", "normalise", "choose_language", "use_for_this_run",
           "stored_language", "remember_language",
           "load_translator", "install_translator"]

"""The console's language: Chinese is the source text, English ships as a Qt translation.

`--lang en|zh` wins; then the hall's stored choice (settings LANGUAGE, which `--lang` writes);
then the system locale's UI languages (the first of them that is Chinese or English).  Any
other locale keeps Chinese, the hall's language.  "zh" installs no translator at all: the
source strings are the Chinese UI.
"""
from __future__ import annotations

from contextlib import ExitStack
from importlib import resources
from typing import Sequence

from PySide6.QtCore import QCoreApplication, QLocale, QTranslator

SOURCE_LANGUAGE = "zh"
LANGUAGES = ("zh", "en")  # zh: the source text; every other one has console/resources/i18n/urban_console_<lang>.qm
QM_NAME = "urban_console_{lang}.qm"


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


def stored_language() -> str:
    """The hall's remembered choice ("" = follow the system locale)."""
    from console.services.settings import LANGUAGE, SeatSettings

    return SeatSettings().get(LANGUAGE)


def remember_language(lang: str) -> None:
    """Store `--lang` for the hall, so the next start without it keeps the language."""
    from console.services.settings import LANGUAGE, SeatSettings

    settings = SeatSettings()
    settings.set(LANGUAGE, choose_language(lang))
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
    """Install the translation `lang` / the stored choice / the system locale asks for; None for Chinese.

    The translator is parented to the application so it lives as long as it does.
    """
    chosen = choose_language(lang, stored_language(), QLocale.system().uiLanguages())
    if chosen == SOURCE_LANGUAGE:
        return None
    translator = load_translator(chosen)
    translator.setParent(app)
    app.installTranslator(translator)
    return translator


__all__ = ["LANGUAGES", "SOURCE_LANGUAGE", "normalise", "choose_language", "stored_language", "remember_language",
           "load_translator", "install_translator"]

"""Report tests: Qt leaves nothing running (qt_leaks), settings land in tmp_path, and the PDFs are read back."""
from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from tests.widgets.conftest import user_settings  # noqa: F401 - the same QSettings sandbox as the widget tests


@pytest.fixture(autouse=True)
def _no_qt_leaks(qt_leaks):
    yield qt_leaks


# CJK Radicals Supplement code points the font shares a glyph with (no NFKC mapping): 页 comes back as ⻚
# (Qt writes the lowest code point of a shared glyph into the PDF's ToUnicode map, like wkhtmltopdf #4414).
RADICALS = str.maketrans({"\u2eda": "页", "\u2ecb": "车", "\u2ed4": "门", "\u2ea0": "民", "\u2ed3": "长",
                          "\u2ef0": "龙", "\u2ee9": "黄", "\u2ec5": "见", "\u2ee2": "马"})


def pdf_pages(path: Path) -> list[str]:
    """Each page's text as QtPdf extracts it, NFKC-normalised: Noto CJK maps some glyphs to the Kangxi
    radicals (日 comes back as U+2F47 ⽇), which NFKC folds back to the ideographs, and a few to the
    radicals supplement (页 as U+2EDA ⻚), folded by RADICALS."""
    from PySide6.QtPdf import QPdfDocument

    doc = QPdfDocument()
    assert doc.load(str(path)) == QPdfDocument.Error.None_, path
    pages = [unicodedata.normalize("NFKC", doc.getAllText(i).text()).translate(RADICALS).replace("\r\n", "\n")
             for i in range(doc.pageCount())]
    doc.close()
    return pages


def row_of(text: str, label: str) -> list[str]:
    """The cells after the first `label` that is followed by a figure (a rate "82.5 %" is one cell).
    QtPdf does not always end a table row with a line break, so the text is read as one run of cells."""
    cells = text.replace(" %", "%").split()
    for i, cell in enumerate(cells[:-1]):
        if cell == label and (cells[i + 1][:1].isdigit() or cells[i + 1] == "—"):
            return cells[i + 1:]
    raise AssertionError(f"no row for {label!r} in the PDF text")

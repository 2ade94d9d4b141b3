"""Report tests: Qt leaves nothing running (qt_leaks), settings land in tmp_path, and the PDFs are read back."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.widgets.conftest import user_settings  # noqa: F401 - the same QSettings sandbox as the widget tests


@pytest.fixture(autouse=True)
def _no_qt_leaks(qt_leaks):
    yield qt_leaks


def pdf_pages(path: Path) -> list[str]:
    """Each page's text as QtPdf extracts it (what search and copy see), exactly as the PDF holds it."""
    from PySide6.QtPdf import QPdfDocument

    doc = QPdfDocument()
    assert doc.load(str(path)) == QPdfDocument.Error.None_, path
    pages = [doc.getAllText(i).text().replace("\r\n", "\n") for i in range(doc.pageCount())]
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

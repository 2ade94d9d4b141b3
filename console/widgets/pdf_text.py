"""Make the PDF's text read back as written: CJK ideographs, not the radicals that share their glyphs.

Noto Sans CJK draws 页 and ⻚ (U+2EDA), 日 and ⽇ (U+2F47) ... with one glyph each; Qt's PDF writer puts
the lowest code point of a glyph into the font's ToUnicode map, so search, copy and text extraction
get the radical (the same fault as wkhtmltopdf issue 4414 and PDFBox's CID embedder).  After the pages
are written, every radical in a ToUnicode map is replaced by the ideograph of the document that has
the same glyph.  Both are 4 hex digits, so the file keeps its length and its cross-reference table.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Iterable

from PySide6.QtGui import QFont, QRawFont

RADICALS = range(0x2E80, 0x2FE0)  # CJK Radicals Supplement and Kangxi Radicals
_TO_UNICODE = re.compile(rb"/ToUnicode\s+(\d+)\s+0\s+R")
_RADICAL_HEX = re.compile(rb"<(2[EF][0-9A-Fa-f]{2})>")


def _glyph(raw: QRawFont, char: str) -> int:
    glyphs = raw.glyphIndexesForString(char)
    return glyphs[0] if glyphs else 0


def radical_fixes(text: str, fonts: Iterable[QFont]) -> dict[int, int]:
    """radical code point -> the ideograph of `text` drawn with the same glyph (in any of `fonts`)."""
    ideographs = {c for c in text if "\u3400" <= c <= "\u9fff"}
    fixes: dict[int, int] = {}
    for font in fonts:
        raw = QRawFont.fromFont(font)
        if not raw.isValid():
            continue
        by_glyph = {g: c for c in sorted(ideographs) if (g := _glyph(raw, c))}
        for point in RADICALS:
            glyph = _glyph(raw, chr(point))
            if glyph and glyph in by_glyph:
                fixes.setdefault(point, ord(by_glyph[glyph]))
    return fixes


def fix_to_unicode(path: Path, fixes: dict[int, int]) -> int:
    """Rewrite the radicals of every ToUnicode map in the PDF at `path`; returns how many were replaced."""
    if not fixes:
        return 0
    data = bytearray(path.read_bytes())
    replaced = 0
    for number in set(_TO_UNICODE.findall(data)):
        found = re.search(rb"\n" + number + rb" 0 obj.*?stream\r?\n", data, re.S)
        if not found:
            continue
        start = found.end()
        end = data.find(b"endstream", start)

        def swap(m: re.Match) -> bytes:
            nonlocal replaced
            point = int(m.group(1), 16)
            if point not in fixes:
                return m.group(0)
            replaced += 1
            return b"<%04X>" % fixes[point]

        stream = _RADICAL_HEX.sub(swap, bytes(data[start:end]))
        data[start:end] = stream  # same length: 4 hex digits for 4
    path.write_bytes(bytes(data))
    return replaced

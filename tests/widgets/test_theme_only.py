"""A screen chooses a theme, it defines no colours: theme.py is the only widget module with a colour literal."""
from __future__ import annotations

import io
import re
import tokenize
from pathlib import Path

import console.widgets

WIDGETS = Path(console.widgets.__file__).parent
# #RGB, #RGBA, #RRGGBB, #RRGGBBAA; a CSS id selector (#stale_banner) has a letter past f or is longer
HEX_COLOUR = re.compile(r"#(?:[0-9A-Fa-f]{8}|[0-9A-Fa-f]{6}|[0-9A-Fa-f]{3,4})(?![0-9A-Za-z_])")
STRING_TOKENS = {tokenize.STRING, *(getattr(tokenize, n) for n in ("FSTRING_MIDDLE",) if hasattr(tokenize, n))}


def colour_literals(source: str) -> list[tuple[int, str]]:
    """(line, colour) of every hex colour inside a string literal (comments may name colours)."""
    found = []
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type in STRING_TOKENS:
            found += [(token.start[0], m.group(0)) for m in HEX_COLOUR.finditer(token.string)]
    return found


def test_the_finder_sees_colours_in_strings_and_f_strings_not_selectors_or_comments():
    source = ('a = "color: #D64541;"  # #FFFFFF in a comment\n'
              'b = f"#stale_banner {{ background: {x}; color: #fff; }}"\n'
              'c = "#red_stock #dock_queue #abcdeg"\n')
    assert colour_literals(source) == [(1, "#D64541"), (2, "#fff")]


def test_no_widget_module_but_the_theme_defines_a_colour():
    modules = sorted(p for p in WIDGETS.glob("*.py") if p.name != "theme.py")
    assert len(modules) > 5  # the package was found
    offenders = {p.name: colour_literals(p.read_text(encoding="utf-8")) for p in modules}
    assert {name: found for name, found in offenders.items() if found} == {}, \
        "take the colour from console.widgets.theme (a screen chooses a theme, it defines no colours)"

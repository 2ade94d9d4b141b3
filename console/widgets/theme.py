"""The console's themes: every colour, font and size a screen shows, as data.

A screen chooses a theme by name (`theme("workstation")`, `theme("wall")`) and defines no
colour of its own.  The domain says which light a case has; the theme says its colour.
The map page gets the same palette (`Theme.map_palette()`), sent by map_page.py at load.

Colours are "#RRGGBB" strings so they go unchanged into style sheets, HTML and the page.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Mapping

from console.domain.clocks import Light


@dataclass(frozen=True)
class Theme:
    """One screen family's palette, fonts and sizes."""

    name: str
    # the light's colour (dots, map points, icons) and its ink (the same light as text on the background)
    lights: Mapping[str, str]
    light_inks: Mapping[str, str]
    light_tints: Mapping[str, str]  # a queue row's background by its light (green has none)
    cameras: Mapping[str, str]  # camera status -> colour
    heat: tuple[tuple[int, str], ...]  # (from this many cases, fill colour), ascending
    map_strokes: Mapping[str, str]  # street, community, grid, grid_fill, focus, select, halo, background
    text: Mapping[str, str]  # ink, secondary, muted, faint, error, late, ok, border
    notes: Mapping[str, str]  # presence_ink, presence_bg, alert_bg, alert_border, stale_bg, stale_ink
    font_family: str = "Noto Sans CJK SC, Microsoft YaHei, sans-serif"
    font_size: int = 13  # px, body text
    small_size: int = 11
    large_size: int = 15
    marker_radius: Mapping[str, float] = field(default_factory=lambda: MappingProxyType(
        {Light.GREEN: 6, Light.YELLOW: 7, Light.RED: 8}))
    # a wall's type sizes in px at `reference_height` (the wall scales them with its window's height)
    sizes: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))
    reference_height: int = 0
    panel: str = ""  # a wall panel's background, a shade off the page's

    def size(self, name: str, height: int) -> int:
        """The px size of `name` for a window `height` px high (sizes are for `reference_height`)."""
        base = self.sizes[name]
        return max(1, round(base * height / self.reference_height)) if self.reference_height else base

    def light(self, light: Light | str) -> str:
        return self.lights[Light(light)]

    def ink(self, light: Light | str) -> str:
        """The light as text colour: readable on this theme's background (yellow text is darker)."""
        return self.light_inks[Light(light)]

    def tint(self, light: Light | str | None) -> str | None:
        return self.light_tints.get(Light(light)) if light else None

    def map_palette(self) -> dict:
        """What the map page draws with (plain JSON; bridge/*.js keeps no colour of its own)."""
        return {
            "lights": {str(k): {"color": v, "radius": self.marker_radius[k]} for k, v in self.lights.items()},
            "cameras": dict(self.cameras),
            "heat": [list(b) for b in self.heat],
            "strokes": dict(self.map_strokes),
            "text": dict(self.text),
            "font": {"family": self.font_family, "size": self.font_size, "small": self.small_size,
                     "large": self.large_size},
        }


def _ro(d: dict) -> Mapping:
    return MappingProxyType(d)


# The workstation's light palette (screens.md: light colours; the yellow's ink is darker so
# that yellow text reads on white: the one yellow of the console).
WORKSTATION = Theme(
    name="workstation",
    lights=_ro({Light.GREEN: "#2E9D57", Light.YELLOW: "#F2B705", Light.RED: "#D64541"}),
    light_inks=_ro({Light.GREEN: "#2E9D57", Light.YELLOW: "#B88A00", Light.RED: "#D64541"}),
    light_tints=_ro({Light.YELLOW: "#FFF7DC", Light.RED: "#FBE6E4"}),
    cameras=_ro({"online": "#2F6FD6", "offline": "#8A8F98", "fault": "#8E44AD"}),
    heat=((1, "#FDE2C4"), (3, "#FDAE6B"), (6, "#E6550D"), (11, "#8C2D04")),
    map_strokes=_ro({"street": "#22313F", "community": "#4A6178", "grid": "#5B6B7F", "grid_fill": "#FFFFFF",
                     "focus": "#1F4E9E", "select": "#1F2D3D", "halo": "#FFFFFF", "background": "#EEF1F4",
                     "button": "#1F5FAF", "cluster": "#2F6FD6"}),
    text=_ro({"ink": "#1F2D3D", "body": "#333333", "secondary": "#555555", "faint": "#666666",
              "muted": "#888888", "subtle": "#34495E", "grid_label": "#6B7785", "error": "#D64541",
              "late": "#B03A2E", "ok": "#2E7D32", "border": "#BBBBBB", "on_light": "#FFFFFF",
              "on_yellow": "#222222", "background": "#FFFFFF", "unknown": "#777777", "header": "#E8EDF3",
              "disabled": "#B8C0CA", "video": "#000000"}),
    notes=_ro({"presence_ink": "#7A4E00", "presence_bg": "#FFF3CD", "alert_bg": "#FFF6F5",
               "alert_border": "#E8C4C1", "stale_bg": "#D64541", "stale_ink": "#FFFFFF"}),
)

# The wall's dark palette: the same meanings, brighter lights on a dark hall screen, larger type.
WALL = Theme(
    name="wall",
    lights=_ro({Light.GREEN: "#3CCB74", Light.YELLOW: "#FFC928", Light.RED: "#FF5A52"}),
    light_inks=_ro({Light.GREEN: "#3CCB74", Light.YELLOW: "#FFC928", Light.RED: "#FF5A52"}),
    light_tints=_ro({Light.YELLOW: "#3A3216", Light.RED: "#3E1E1D"}),
    cameras=_ro({"online": "#5C9BFF", "offline": "#7D838C", "fault": "#B07CD8"}),
    heat=((1, "#5A3A1E"), (3, "#9A5420"), (6, "#E6550D"), (11, "#FF8A3D")),
    map_strokes=_ro({"street": "#C9D3DE", "community": "#8FA3B8", "grid": "#6F8296", "grid_fill": "#0E1621",
                     "focus": "#7FB2FF", "select": "#FFFFFF", "halo": "#0E1621", "background": "#0E1621",
                     "button": "#3A7BD5", "cluster": "#5C9BFF"}),
    text=_ro({"ink": "#E8EEF4", "body": "#D5DDE6", "secondary": "#AAB6C3", "faint": "#98A4B1",
              "muted": "#7D8894", "subtle": "#AAB6C3", "grid_label": "#98A4B1", "error": "#FF5A52",
              "late": "#FF7B6E", "ok": "#3CCB74", "border": "#3A4756", "on_light": "#0E1621",
              "on_yellow": "#0E1621", "background": "#0E1621", "unknown": "#7D838C", "header": "#1A2533",
              "disabled": "#3A4756", "video": "#000000"}),
    notes=_ro({"presence_ink": "#FFD98A", "presence_bg": "#3A3216", "alert_bg": "#2A1A1A",
               "alert_border": "#5A2E2C", "stale_bg": "#FF5A52", "stale_ink": "#0E1621"}),
    font_size=20, small_size=16, large_size=26,
    # read from 10 m (screens.md: >= 40 px labels, >= 120 px KPI numbers, nothing under 32 px at 2160 high)
    sizes=_ro({"title": 60, "clock": 56, "kpi_value": 132, "kpi_label": 44, "kpi_change": 44, "panel_title": 44,
               "axis": 36, "bar_label": 36, "ticker": 48, "banner": 48, "note": 40, "camera": 40, "camera_count": 96,
               "margin": 24}),
    reference_height=2160,
    panel="#152133",
)

THEMES: Mapping[str, Theme] = _ro({t.name: t for t in (WORKSTATION, WALL)})


def theme(name: str = "workstation") -> Theme:
    """The theme called `name`; an unknown name is an error that lists the known ones."""
    try:
        return THEMES[name]
    except KeyError:
        raise ValueError(f"unknown theme {name!r}; known themes: {', '.join(THEMES)}") from None


def dot_html(colour: str) -> str:
    """A light's or a camera status's dot (●) in rich text; its word goes beside it, never colour alone."""
    return f"<span style='color:{colour}'>●</span>"


__all__ = ["Theme", "THEMES", "WORKSTATION", "WALL", "theme", "dot_html"]

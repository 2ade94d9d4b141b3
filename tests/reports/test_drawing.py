"""The map and the charts draw headless at print resolution: grids take the colour of their heat band
(the workstation theme's, as on the map page), streets are outlined, bars appear only where there are cases."""
from __future__ import annotations

from PySide6.QtGui import QColor

from console.reports.drawing import DPI, draw_chart, draw_heat_map, heat_colour
from console.reports.model import Chart, HeatMap
from console.services.figures import district_map
from console.widgets.theme import WORKSTATION


def colours(image, above: float = 1.0) -> dict[str, int]:
    """How many pixels of each colour in the top `above` of the image (every 4th pixel: enough for a grid)."""
    out: dict[str, int] = {}
    for y in range(0, int(image.height() * above), 4):
        for x in range(0, image.width(), 4):
            name = QColor(image.pixel(x, y)).name().upper()
            out[name] = out.get(name, 0) + 1
    return out


def test_grids_are_filled_by_their_heat_band(db, qapp):
    layers = district_map(db)
    assert layers.grids, "the tiny city has unit grids"
    hot, warm = layers.grids[0].code, layers.grids[-1].code
    image = draw_heat_map(HeatMap("热力", layers, {hot: 12, warm: 4}), 1200, 900)
    assert round(image.dotsPerMeterX() * 0.0254) == DPI
    found = colours(image, above=0.9)  # the map, without the legend's swatches below it
    assert heat_colour(12) == "#8C2D04" and heat_colour(4) == "#FDAE6B" and heat_colour(0) is None
    assert found.get("#8C2D04", 0) > 50 and found.get("#FDAE6B", 0) > 50  # both grids filled
    assert found.get("#E6550D", 0) == 0 and found.get("#FDE2C4", 0) == 0  # no band nobody reached
    assert found.get(WORKSTATION.map_strokes["street"].upper(), 0) > 20  # street outlines drawn
    quiet = draw_heat_map(HeatMap("热力", layers, {}), 1200, 900)
    assert colours(quiet, above=0.9).get("#8C2D04", 0) == 0
    assert colours(quiet).get("#8C2D04", 0) > 0  # the legend shows every band


def test_bars_only_where_there_are_cases(qapp):
    bar = WORKSTATION.cameras["online"].upper()
    hours = tuple(f"{h:02d}" for h in range(24))
    busy = colours(draw_chart(Chart("分时段", "分时段", hours, (0,) * 9 + (30,) + (0,) * 14, "小时"), 1800, 700))
    assert busy.get(bar, 0) > 100
    empty = colours(draw_chart(Chart("分时段", "分时段", hours, (0,) * 24, "小时"), 1800, 700))
    assert empty.get(bar, 0) == 0
    categories = draw_chart(Chart("高发", "高发", ("暴露垃圾", "占道经营"), (5, 2), "类别", horizontal=True), 1800, 600)
    assert colours(categories).get(WORKSTATION.heat[2][1].upper(), 0) > 100

"""The brief's pictures drawn with QPainter at print resolution: the grid-heat map and the bar charts.

Drawn from the MapLayers read model (the polygons the seat's map is built from) rather than by
capturing the QtWebEngine page: the same picture every time, headless, with no browser to wait for
and nothing drawn half.  Colours and fonts come from the workstation theme (the light palette
of the operators' screens), heat classes from its `heat` bands, like the map page's.
"""
from __future__ import annotations

import math
from typing import Any, Iterable

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPainterPath, QPen, QPolygonF

from console.reports.model import Chart, HeatMap
from console.widgets.theme import WORKSTATION, Theme

DPI = 300
_DOTS_PER_METRE = round(DPI / 0.0254)


def canvas(width: int, height: int, theme: Theme = WORKSTATION) -> QImage:
    """A white image that says it is 300 dpi, so point sizes of fonts come out as on paper."""
    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.setDotsPerMeterX(_DOTS_PER_METRE)
    image.setDotsPerMeterY(_DOTS_PER_METRE)
    image.fill(QColor(theme.text["background"]))
    return image


def font(theme: Theme, points: float, bold: bool = False) -> QFont:
    """The theme's CJK font for paper.  Its `locl` feature is off: with it, digits after Latin letters or
    full-width brackets ("2026-W48", "（2026-11-23") take localized glyphs that have no code point, and
    the PDF's text would read them back as control characters (not searchable, not copyable)."""
    f = QFont(theme.font_family.split(",")[0].strip(), 1)
    f.setPointSizeF(points)
    f.setBold(bold)
    f.setFeature(QFont.Tag("locl"), 0)
    return f


def heat_colour(count: int, theme: Theme = WORKSTATION) -> str | None:
    """The fill of a grid with `count` cases: the highest band it reaches (None below the first)."""
    colour = None
    for at_least, fill in theme.heat:
        if count >= at_least:
            colour = fill
    return colour


# --- the map ------------------------------------------------------------------------------------------

def _rings(geometry: Any) -> Iterable[list[tuple[float, float]]]:
    for polygon in getattr(geometry, "geoms", [geometry]):
        exterior = getattr(polygon, "exterior", None)
        if exterior is not None:
            yield list(exterior.coords)


class _Projection:
    """lon/lat to pixels: equirectangular at the area's mean latitude, fitted into `rect`."""

    def __init__(self, bounds: tuple[float, float, float, float], rect: QRectF) -> None:
        west, south, east, north = bounds
        self.kx = math.cos(math.radians((south + north) / 2))
        width, height = max((east - west) * self.kx, 1e-9), max(north - south, 1e-9)
        self.scale = min(rect.width() / width, rect.height() / height)
        self.x0 = rect.left() + (rect.width() - width * self.scale) / 2 - west * self.kx * self.scale
        self.y0 = rect.top() + (rect.height() - height * self.scale) / 2 + north * self.scale

    def point(self, lon: float, lat: float) -> QPointF:
        return QPointF(self.x0 + lon * self.kx * self.scale, self.y0 - lat * self.scale)

    def path(self, geometry: Any) -> QPainterPath:
        path = QPainterPath()
        for ring in _rings(geometry):
            path.addPolygon(QPolygonF([self.point(x, y) for x, y in ring]))
            path.closeSubpath()
        return path


def _bounds(areas: list[Any]) -> tuple[float, float, float, float] | None:
    boxes = [a.geometry.bounds for a in areas if a.geometry is not None and not a.geometry.is_empty]
    if not boxes:
        return None
    return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))


def draw_heat_map(spec: HeatMap, width: int, height: int, theme: Theme = WORKSTATION) -> QImage:
    """Grids filled by heat, thin grid lines, street outlines and names, and the legend of the bands."""
    image = canvas(width, height, theme)
    layers = spec.layers
    legend_h = height * 0.08
    bounds = _bounds(layers.streets or layers.grids)
    p = QPainter(image)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    if bounds is None:
        p.setFont(font(theme, 10))
        p.drawText(QRectF(0, 0, width, height), Qt.AlignmentFlag.AlignCenter, "无网格图层")
        p.end()
        return image
    proj = _Projection(bounds, QRectF(20, 20, width - 40, height - legend_h - 40))
    strokes = theme.map_strokes
    grid_pen = QPen(QColor(strokes["grid"]), 1.2)
    for grid in layers.grids:
        fill = heat_colour(int(spec.heat.get(grid.code, 0)), theme)
        p.setPen(grid_pen)
        p.setBrush(QColor(fill or strokes["grid_fill"]))
        p.drawPath(proj.path(grid.geometry))
    p.setBrush(Qt.BrushStyle.NoBrush)
    p.setPen(QPen(QColor(strokes["street"]), 6))
    for street in layers.streets:
        p.drawPath(proj.path(street.geometry))
    p.setFont(font(theme, 9, bold=True))
    for street in layers.streets:
        _halo_text(p, proj.point(*street.geometry.representative_point().coords[0]), street.name, theme)
    _legend(p, QRectF(20, height - legend_h, width - 40, legend_h - 10), theme)
    p.end()
    return image


def _halo_text(p: QPainter, at: QPointF, text: str, theme: Theme) -> None:
    path = QPainterPath()
    width = p.fontMetrics().horizontalAdvance(text)
    path.addText(at.x() - width / 2, at.y(), p.font(), text)
    p.strokePath(path, QPen(QColor(theme.map_strokes["halo"]), 10))
    p.fillPath(path, QColor(theme.text["ink"]))


def _legend(p: QPainter, rect: QRectF, theme: Theme) -> None:
    p.setFont(font(theme, 8))
    bands = list(theme.heat)
    labels = [f"{lo}–{bands[i + 1][0] - 1} 件" if i + 1 < len(bands) else f"≥{lo} 件" for i, (lo, _c) in enumerate(bands)]
    labels = ["0 件", *labels]
    fills = [theme.map_strokes["grid_fill"], *(c for _lo, c in bands)]
    box = rect.height() * 0.6
    x = rect.left()
    p.setPen(QColor(theme.text["ink"]))
    p.drawText(QPointF(x, rect.center().y() + box / 3), "当日上报：")
    x += p.fontMetrics().horizontalAdvance("当日上报：") + 20
    for text, fill in zip(labels, fills):
        p.setPen(QPen(QColor(theme.map_strokes["grid"]), 1.5))
        p.setBrush(QColor(fill))
        p.drawRect(QRectF(x, rect.center().y() - box / 2, box, box))
        p.setPen(QColor(theme.text["ink"]))
        p.drawText(QPointF(x + box + 12, rect.center().y() + box / 3), text)
        x += box + 40 + p.fontMetrics().horizontalAdvance(text)


# --- the charts ---------------------------------------------------------------------------------------

def draw_chart(spec: Chart, width: int, height: int, theme: Theme = WORKSTATION) -> QImage:
    image = canvas(width, height, theme)
    p = QPainter(image)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setFont(font(theme, 8))
    if not spec.values or not any(spec.values):
        p.setPen(QColor(theme.text["muted"]))
        p.drawText(QRectF(0, 0, width, height), Qt.AlignmentFlag.AlignCenter, "无数据")
    elif spec.horizontal:
        _horizontal_bars(p, spec, QRectF(0, 0, width, height), theme)
    else:
        _vertical_bars(p, spec, QRectF(0, 0, width, height), theme)
    p.end()
    return image


def _nice_top(value: int) -> int:
    """A round axis maximum ≥ value (1, 2, 5 × 10^n)."""
    if value <= 5:
        return max(value, 1)
    magnitude = 10 ** int(math.floor(math.log10(value)))
    return next(step * magnitude for step in (1, 2, 5, 10) if step * magnitude >= value)


def _vertical_bars(p: QPainter, spec: Chart, rect: QRectF, theme: Theme) -> None:
    metrics = p.fontMetrics()
    top = _nice_top(max(spec.values))
    left = metrics.horizontalAdvance(str(top)) + 30
    plot = QRectF(rect.left() + left, rect.top() + metrics.height() * 1.5, rect.width() - left - 20,
                  rect.height() - metrics.height() * 4)
    _value_axis(p, plot, top, theme, vertical=True)
    step = plot.width() / len(spec.values)
    bar = QColor(theme.cameras["online"])
    for i, (text, value) in enumerate(zip(spec.labels, spec.values)):
        h = plot.height() * value / top
        x = plot.left() + i * step + step * 0.15
        p.fillRect(QRectF(x, plot.bottom() - h, step * 0.7, h), bar)
        p.setPen(QColor(theme.text["ink"]))
        if value:
            p.drawText(QRectF(x - step * 0.3, plot.bottom() - h - metrics.height(), step * 1.3, metrics.height()),
                       Qt.AlignmentFlag.AlignCenter, str(value))
        p.drawText(QRectF(x - step * 0.3, plot.bottom() + 8, step * 1.3, metrics.height()),
                   Qt.AlignmentFlag.AlignCenter, text)
    p.drawText(QRectF(plot.left(), plot.bottom() + metrics.height() + 16, plot.width(), metrics.height()),
               Qt.AlignmentFlag.AlignCenter, f"{spec.axis}（上报件数）")


def _horizontal_bars(p: QPainter, spec: Chart, rect: QRectF, theme: Theme) -> None:
    metrics = p.fontMetrics()
    top = _nice_top(max(spec.values))
    left = max(metrics.horizontalAdvance(t) for t in spec.labels) + 30
    plot = QRectF(rect.left() + left, rect.top() + 10, rect.width() - left - metrics.horizontalAdvance(str(top)) - 40,
                  rect.height() - metrics.height() * 2 - 20)
    _value_axis(p, plot, top, theme, vertical=False)
    step = plot.height() / len(spec.values)
    bar = QColor(theme.heat[2][1])
    for i, (text, value) in enumerate(zip(spec.labels, spec.values)):
        y = plot.top() + i * step + step * 0.15
        w = plot.width() * value / top
        p.fillRect(QRectF(plot.left(), y, w, step * 0.7), bar)
        p.setPen(QColor(theme.text["ink"]))
        p.drawText(QRectF(rect.left(), y, left - 20, step * 0.7),
                   Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, text)
        p.drawText(QRectF(plot.left() + w + 10, y, 400, step * 0.7), Qt.AlignmentFlag.AlignVCenter, str(value))


def _value_axis(p: QPainter, plot: QRectF, top: int, theme: Theme, *, vertical: bool) -> None:
    metrics = p.fontMetrics()
    ticks = 5 if top >= 5 else top
    for i in range(ticks + 1):
        value = round(top * i / ticks)
        p.setPen(QPen(QColor(theme.text["border"]), 1.5, Qt.PenStyle.DotLine if i else Qt.PenStyle.SolidLine))
        if vertical:
            y = plot.bottom() - plot.height() * i / ticks
            p.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
            p.setPen(QColor(theme.text["secondary"]))
            p.drawText(QRectF(0, y - metrics.height() / 2, plot.left() - 12, metrics.height()),
                       Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, str(value))
        else:
            x = plot.left() + plot.width() * i / ticks
            p.drawLine(QPointF(x, plot.top()), QPointF(x, plot.bottom()))
            p.setPen(QColor(theme.text["secondary"]))
            p.drawText(QRectF(x - 100, plot.bottom() + 8, 200, metrics.height()), Qt.AlignmentFlag.AlignCenter,
                       str(value))


def draw_block(spec: Any, width: int, height: int) -> QImage:
    """The picture of a Chart or a HeatMap, `width` × `height` pixels at 300 dpi."""
    return draw_heat_map(spec, width, height) if isinstance(spec, HeatMap) else draw_chart(spec, width, height)


__all__ = ["DPI", "draw_block", "draw_chart", "draw_heat_map", "heat_colour"]

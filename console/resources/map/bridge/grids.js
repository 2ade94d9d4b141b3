/* Map bridge, grids: unit-grid styles by case count (heat), grid tips, street / community / grid labels. */
(function (uc, M) {
  "use strict";

  // Grid heat bins M.HEAT ([lower bound, fill], 0 cases: no fill) and their words M.HEAT_WORD come from
  // Python (protocol.js configure), as does the grids' own style (cfg.areaStyles is folium's; the same colours).
  function baseStyle() {
    return {color: M.STROKES.grid, weight: 1, opacity: 0.55, fillColor: M.STROKES.grid_fill, fillOpacity: 0.04};
  }

  // --- grids and heat ---------------------------------------------------------------------

  function heatFill(n) {
    var fill = null;
    for (var i = 0; i < M.HEAT.length; i++) { if (n >= M.HEAT[i][0]) { fill = M.HEAT[i][1]; } }
    return fill;
  }

  function gridStyle(code) {
    var n = uc.counts[code] || 0, fill = uc.heatOn ? heatFill(n) : null;
    if (!fill) { return baseStyle(); }
    return {color: M.STROKES.grid, weight: 1, opacity: 0.55, fillColor: fill, fillOpacity: 0.45};
  }

  // Only a grid whose fill changes is restyled: a restyle repaints the whole grid layer, and a
  // busy hall changes some grid's count with nearly every case (the count itself is read by the tip).
  function restyleGrids(counts, mode) {
    var old = uc.counts, newMode = !!mode && mode !== uc.heatMode;
    uc.counts = counts || {};
    if (mode) { uc.heatMode = mode; }
    var touched = 0;
    uc.grids.forEach(function (layer, code) {
      if (newMode || heatFill(old[code] || 0) !== heatFill(uc.counts[code] || 0)) {
        layer.setStyle(gridStyle(code));
        touched++;
      }
    });
    if (newMode) { M.updateLegend(); }  // the legend names the mode, not the counts
    return {restyled: touched};
  }

  function gridTip(layer) {
    var p = layer.feature.properties, n = uc.counts[p.code] || 0;
    return "<b>" + M.esc(M.fmt(M.W.grid, {code: p.code})) + "</b>" +
      (p.name && p.name !== p.code ? "<br>" + M.esc(p.name) : "") + "<br>" + M.esc(M.HEAT_WORD[uc.heatMode]) + " " + n;
  }

  function indexGrids() {
    uc.gridLayer.eachLayer(function (layer) {
      var code = layer.feature.properties.code;
      uc.grids.set(code, layer);
      layer.setStyle(gridStyle(code));
      layer.on("click", function (e) { e.ucGrid = code; M.onMapClick(e); });
      layer.on("mousemove", function () { uc.hoverGrid = layer; });
      layer.on("mouseout", function () { if (uc.hoverGrid === layer) { uc.hoverGrid = null; } });
    });
  }

  // --- labels: streets, communities, grids, placed by size and without overlap ------------

  var LABEL_LEVELS = [
    {key: "streets", cls: "uc-label-street", minPx: 90, font: 15},
    {key: "communities", cls: "uc-label-community", minPx: 90, font: 13},
    {key: "grids", cls: "uc-label-grid", minPx: 120, font: 11}
  ];

  function labelText(key, p) {
    if (key === "grids") { return p.name && p.name !== p.code ? p.name : p.code; }
    return p.name;
  }

  function updateLabels() {
    if (!uc.labelLayer) { return; }
    uc.labelLayer.clearLayers();
    var view = uc.map.getBounds(), boxes = [], placed = {streets: 0, communities: 0, grids: 0};
    LABEL_LEVELS.forEach(function (lv) {
      var layer = uc.layers[lv.key];
      if (!layer || !uc.map.hasLayer(layer)) { return; }
      var list = [];
      layer.eachLayer(function (f) { if (view.intersects(f.getBounds())) { list.push(f); } });
      if (!list.length || list.length > 400) { return; }
      list.forEach(function (f) {
        var b = f.getBounds(), p = f.feature.properties;
        var w = uc.map.latLngToContainerPoint(b.getNorthEast()).x - uc.map.latLngToContainerPoint(b.getSouthWest()).x;
        if (w < lv.minPx) { return; }
        var text = labelText(lv.key, p), at = L.latLng(p.lp[0], p.lp[1]);
        var c = uc.map.latLngToContainerPoint(at), hw = text.length * lv.font * 0.36 + 6, hh = lv.font * 0.8;
        var box = [c.x - hw, c.y - hh, c.x + hw, c.y + hh];
        for (var i = 0; i < boxes.length; i++) {
          var o = boxes[i];
          if (box[0] < o[2] && o[0] < box[2] && box[1] < o[3] && o[1] < box[3]) { return; }
        }
        boxes.push(box);
        placed[lv.key]++;
        L.marker(at, {
          icon: L.divIcon({className: "uc-label " + lv.cls, html: "<span>" + M.esc(text) + "</span>", iconSize: null}),
          interactive: false, keyboard: false, pane: "ucLabels"
        }).addTo(uc.labelLayer);
      });
    });
    uc.labelCounts = placed;
  }

  M.gridStyle = gridStyle;
  M.gridTip = gridTip;
  M.indexGrids = indexGrids;
  M.restyleGrids = restyleGrids;
  M.updateLabels = updateLabels;
  uc.gridTip = gridTip;
})(window.uc, window.ucMap);

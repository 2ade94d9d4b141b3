/* Map bridge, controls: the view (auto-fit, the queue's area focus), layer control, legend, fit button. */
(function (uc, M) {
  "use strict";

  var FIT_PAD = 12;  // px: a fit fills the pane up to this margin
  function focusStyle() { return {color: M.STROKES.focus, weight: 4, opacity: 0.9}; }

  function setAutoFit(on, notify) {
    on = !!on;
    var changed = on !== uc.autoFit;
    uc.autoFit = on;
    if (uc.fitButton) { uc.fitButton.classList.toggle("uc-on", on); }
    if (changed && notify !== false && uc.bridge) { uc.bridge.autoFitChanged(on); }
    if (on) { fit(); }
  }

  function onUserMove() {
    if (uc.prog === 0 && uc.autoFit) { setAutoFit(false); }
  }

  function caseBounds() {
    var b = null;
    var s = 90, w = 180, n = -90, e = -180;
    uc.cases.forEach(function (c) {
      if (c.lat < s) { s = c.lat; } if (c.lat > n) { n = c.lat; }
      if (c.lng < w) { w = c.lng; } if (c.lng > e) { e = c.lng; }
    });
    if (!uc.cases.size) { return b; }
    b = L.latLngBounds([s, w], [n, e]);
    return b;
  }

  // A zoom animation in flight would land after (and undo) a programmatic move: wait for it.
  function afterZoom(f) {
    if (uc.map._animatingZoom) { uc.map.once("zoomend", f); return true; }
    return false;
  }

  function fitTarget() {
    if (uc.focus) { return uc.focus.layer.getBounds(); }
    var b = caseBounds();
    var grids = uc.gridLayer && uc.gridLayer.getLayers().length ? uc.gridLayer.getBounds() : null;
    if (grids && (!b || uc.fitWholeCity)) { b = b ? b.extend(grids) : grids; }  // caseBounds is a new object
    return b;
  }

  // The wall fits the whole city beside its legend (bottom right), so no grid is cut or hidden under it.
  function fitPadding() {
    var legend = uc.fitWholeCity && document.querySelector(".uc-legend");
    var right = legend && legend.offsetWidth ? legend.offsetWidth + 2 * FIT_PAD : FIT_PAD;
    return {paddingTopLeft: [FIT_PAD, FIT_PAD], paddingBottomRight: [right, FIT_PAD]};
  }

  // Fractional zoom for the fit only: a snapped zoom leaves up to a fifth of the pane empty.
  // A view already there is left alone: every new case asks for a fit, and a fit to the same
  // view still fires moveend, which redraws every layer (the hall's cases arrive ten a second).
  function fit() {
    if (!uc.map || afterZoom(fit)) { return; }
    var b = fitTarget(), map = uc.map;
    if (!b || !b.isValid()) { return; }
    var options = L.extend(fitPadding(), {maxZoom: M.SELECT_ZOOM, animate: false});
    var snap = map.options.zoomSnap;
    map.options.zoomSnap = 0;
    try {
      var target = map._getBoundsCenterZoom(b, options);  // what fitBounds would set (Leaflet 1.9)
      if (sameView(map, target)) { return; }
      M.programmatic(function () { map.setView(target.center, target.zoom, options); });
    } finally { map.options.zoomSnap = snap; }
  }

  function sameView(map, target) {
    var centre = map.getSize().divideBy(2);
    return Math.abs(target.zoom - map.getZoom()) < 1e-6 &&
      map.latLngToContainerPoint(target.center).distanceTo(centre) < 0.5;
  }

  // --- the queue's street / community filter: outline that area, fit it, fade the rest ----

  function areaLayer(code) {
    var found = null;
    ["communities", "streets"].forEach(function (k) {
      if (found || !uc.layers[k]) { return; }
      uc.layers[k].eachLayer(function (f) { if (f.feature.properties.code === code) { found = f; } });
    });
    return found;
  }

  function focusArea(code) {
    if (uc.focus) { uc.focus.layer.setStyle(uc.focus.style); }
    var layer = code ? areaLayer(code) : null;
    uc.focus = null;
    if (layer) {
      uc.focus = {code: code, layer: layer, style: {color: layer.options.color, weight: layer.options.weight,
        opacity: layer.options.opacity}};
      layer.setStyle(focusStyle());
    }
    if (uc.autoFit) { fit(); } else { setAutoFit(true); }  // an explicit choice of area: fit it, even after a pan
    M.scheduleRedraw();
    return {focus: uc.focus ? code : null, known: !code || !!layer};
  }

  function outsideFocus(c) {
    return uc.focus !== null && !(c.grid && c.grid.indexOf(uc.focus.code) === 0);
  }

  // --- controls ---------------------------------------------------------------------------

  function legendHtml() {
    var W = M.W, h = '<div class="uc-legend-title">' + M.esc(W.legend) + "</div>";
    ["red", "yellow", "green"].forEach(function (k) {
      var l = M.LIGHTS[k];
      h += '<div><i class="uc-dot" style="background:' + l.color + '"></i>' + M.esc(l.name + " · " + l.meaning) + "</div>";
    });
    h += '<div class="uc-legend-sub">' + M.esc(W.camera) + "</div>";
    ["online", "offline", "fault"].forEach(function (k) {
      h += '<div><b class="uc-cam-mark" style="color:' + M.CAMERAS[k].color + '">' +
        M.esc((M.W.camera_marks || {})[k] || "●") + "</b>" + M.esc(M.CAMERAS[k].word) + "</div>";
    });
    h += '<div class="uc-legend-sub">' + M.esc(W.heat_title + " · " + M.HEAT_WORD[uc.heatMode]) + "</div>";
    var bins = ["1–2", "3–5", "6–10", "≥11"];
    M.HEAT.forEach(function (b, i) {
      h += '<div><i class="uc-box" style="background:' + b[1] + '"></i>' + M.esc(M.fmt(W.cases_unit, {range: bins[i]})) + "</div>";
    });
    return h;
  }

  function updateLegend() {
    if (uc.legendDiv) { uc.legendDiv.innerHTML = legendHtml(); }
  }

  function addControls(cfg) {
    var overlays = {}, W = M.W;
    if (uc.basemap) { overlays[W.basemap] = uc.basemap; }
    overlays[W.streets] = uc.layers.streets;
    overlays[W.communities] = uc.layers.communities;
    overlays[W.grids] = uc.layers.grids;
    uc.heatToggle = L.layerGroup();
    if (uc.heatOn) { uc.heatToggle.addTo(uc.map); }
    overlays[W.heat_title] = uc.heatToggle;
    overlays[W.cases] = uc.caseLayer;
    overlays[W.cameras_layer] = uc.cameraLayer;
    L.control.layers(null, overlays, {collapsed: false, position: "topright"}).addTo(uc.map);

    var Legend = L.Control.extend({
      onAdd: function () {
        var div = L.DomUtil.create("div", "uc-legend");
        uc.legendDiv = div;
        div.innerHTML = legendHtml();
        L.DomEvent.disableClickPropagation(div);
        return div;
      }
    });
    new Legend({position: "bottomright"}).addTo(uc.map);

    var FitButton = L.Control.extend({
      onAdd: function () {
        var a = L.DomUtil.create("a", "uc-fit-button leaflet-bar");
        a.href = "#";
        a.title = M.W.fit_title;
        a.textContent = M.W.fit;
        uc.fitButton = a;
        a.classList.toggle("uc-on", uc.autoFit);
        L.DomEvent.on(a, "click", function (e) { L.DomEvent.preventDefault(e); setAutoFit(true); });
        L.DomEvent.disableClickPropagation(a);
        return a;
      }
    });
    new FitButton({position: "topleft"}).addTo(uc.map);
  }

  function keepOrder() {
    // Canvas hit-testing picks the last drawn path: keep polygons under the points.
    ["streets", "communities", "grids"].forEach(function (k) {
      if (uc.map.hasLayer(uc.layers[k])) { uc.layers[k].bringToBack(); }
    });
  }

  function onOverlay(e) {
    if (e.layer === uc.cameraLayer && !uc.quiet && uc.bridge) { uc.bridge.camerasToggled(e.type === "overlayadd"); }
    if (e.layer === uc.heatToggle) {
      uc.heatOn = e.type === "overlayadd";
      uc.grids.forEach(function (layer, code) { layer.setStyle(M.gridStyle(code)); });
    }
    keepOrder();
    M.updateLabels();
  }

  M.addControls = addControls;
  M.afterZoom = afterZoom;
  M.fit = fit;
  M.focusArea = focusArea;
  M.keepOrder = keepOrder;
  M.onOverlay = onOverlay;
  M.onUserMove = onUserMove;
  M.outsideFocus = outsideFocus;
  M.setAutoFit = setAutoFit;
  M.updateLegend = updateLegend;
  uc.fitTarget = fitTarget;
})(window.uc, window.ucMap);

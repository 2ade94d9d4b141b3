/* Operator map bridge (urban-console): live layers over the folium-built page.
 *
 * Python -> JS: ucApply(msg) / ucApplyAll([msg, ...]), msg = {op: ..., ...}:
 *   upsert_cases {cases: [[id, number, lon, lat, light, category, grid], ...]}
 *   remove_cases {ids: [...]}
 *   restyle_grids {counts: {code: n}, mode: "open" | "overdue"}
 *   set_cameras {cameras: [[id, name, lon, lat, status], ...]}
 *   select_case {id}    fit {}    set_auto_fit {on}
 *   show_cameras {on}   (the page starts with cameras hidden)
 *   focus_area {code}   (a street or community code, or null: the queue's filter)
 * Every call returns JSON.stringify(result) (PySide6 runJavaScript cannot carry objects).
 * JS -> Python: the QWebChannel object "bridge" (ready, caseClicked, gridClicked,
 * newCaseAt, autoFitChanged, camerasToggled).  ucState(opts) returns the map's state as JSON for tests.
 * Colour is never alone: every light and status carries its word (绿/黄/红, 在线/离线/故障).
 */
(function () {
  "use strict";

  var LIGHTS = {
    green: {color: "#2E9D57", word: "绿", radius: 6, rank: 0},
    yellow: {color: "#F2B705", word: "黄", radius: 7, rank: 1},
    red: {color: "#D64541", word: "红", radius: 8, rank: 2}
  };
  var CAMERAS = {
    online: {color: "#2F6FD6", word: "在线"},
    offline: {color: "#8A8F98", word: "离线"},
    fault: {color: "#8E44AD", word: "故障"}
  };
  // Grid heat bins (lower bound, fill); 0 cases: no fill.
  var HEAT = [[1, "#FDE2C4"], [3, "#FDAE6B"], [6, "#E6550D"], [11, "#8C2D04"]];
  var HEAT_WORD = {open: "未结案件", overdue: "超期案件"};
  var GRID_STYLE = {color: "#5B6B7F", weight: 1, opacity: 0.55, fillColor: "#FFFFFF", fillOpacity: 0.04};
  var SELECT_ZOOM = 16;
  var FIT_PAD = 12;  // px: a fit fills the pane up to this margin
  var FOCUS_STYLE = {color: "#1F4E9E", weight: 4, opacity: 0.9};
  var OUTSIDE_ALPHA = 0.3;  // cases outside the focused area stay visible, faded

  var uc = window.uc = {
    ready: false, map: null, bridge: null, cfg: null,
    cases: new Map(), grids: new Map(), cameras: [], counts: {},
    selected: null, autoFit: true, heatMode: "open", heatOn: true, prog: 0, focus: null, quiet: 0,
    caseLayer: null, cameraLayer: null, gridLayer: null, errors: []
  };

  function esc(s) {
    return String(s == null ? "" : s).replace(/[&<>"]/g, function (c) {
      return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}[c];
    });
  }

  // Run f as a programmatic move: the map's own moves never count as the operator's.
  function programmatic(f) {
    uc.prog += 1;
    try { return f(); } finally { uc.prog -= 1; }
  }

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
    if (!b && uc.gridLayer && uc.gridLayer.getLayers().length) { b = uc.gridLayer.getBounds(); }
    return b;
  }

  // Fractional zoom for the fit only: a snapped zoom leaves up to a fifth of the pane empty.
  function fit() {
    if (!uc.map || afterZoom(fit)) { return; }
    var b = fitTarget(), map = uc.map;
    if (!b || !b.isValid()) { return; }
    programmatic(function () {
      var snap = map.options.zoomSnap;
      map.options.zoomSnap = 0;
      try {
        map.fitBounds(b, {padding: [FIT_PAD, FIT_PAD], maxZoom: SELECT_ZOOM, animate: false});
      } finally { map.options.zoomSnap = snap; }
    });
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
      layer.setStyle(FOCUS_STYLE);
    }
    if (uc.autoFit) { fit(); } else { setAutoFit(true); }  // an explicit choice of area: fit it, even after a pan
    scheduleRedraw();
    return {focus: uc.focus ? code : null, known: !code || !!layer};
  }

  function outsideFocus(c) {
    return uc.focus !== null && !(c.grid && c.grid.indexOf(uc.focus.code) === 0);
  }

  // --- cameras: hidden until the operator (or their remembered choice) shows them ----------

  function showCameras(on) {
    uc.quiet += 1;  // the layer control reports this change: it is not the operator's
    try {
      if (on && !uc.map.hasLayer(uc.cameraLayer)) { uc.map.addLayer(uc.cameraLayer); }
      if (!on && uc.map.hasLayer(uc.cameraLayer)) { uc.map.removeLayer(uc.cameraLayer); }
    } finally { uc.quiet -= 1; }
    return {cameras: uc.map.hasLayer(uc.cameraLayer)};
  }

  // --- cases: one canvas for every case point (10,000 stay smooth) ------------------------
  // A case is {id, number, lat, lng, light, category, grid, px, py, pz}: (px, py) is its
  // projected pixel at zoom pz.  The canvas takes no pointer events; clicks and hovers
  // are hit-tested here, so the grid polygons underneath keep theirs.

  function caseTip(c) {
    var l = LIGHTS[c.light] || LIGHTS.green;
    return "<b>" + esc(c.number) + "</b> · " + l.word + "灯<br>" + esc(c.category) +
      (c.grid ? "<br>网格 " + esc(c.grid) : "");
  }

  function project(c, zoom) {
    if (c.pz !== zoom) {
      var p = uc.map.project(L.latLng(c.lat, c.lng), zoom);
      c.px = p.x; c.py = p.y; c.pz = zoom;
    }
  }

  // Defined at ucInit: this file loads before leaflet.js.
  function defineCaseCanvas() { return L.Layer.extend({
    onAdd: function (map) {
      this._canvas = L.DomUtil.create("canvas", "uc-case-canvas");
      this._canvas.style.pointerEvents = "none";
      map.getPane("ucCases").appendChild(this._canvas);
      map.on("moveend zoomend resize viewreset", this.redraw, this);
      map.on("zoomstart", this._hide, this);
      this.redraw();
    },
    onRemove: function (map) {
      L.DomUtil.remove(this._canvas);
      map.off("moveend zoomend resize viewreset", this.redraw, this);
      map.off("zoomstart", this._hide, this);
    },
    _hide: function () { this._canvas.style.visibility = "hidden"; },
    redraw: function () {
      var map = this._map;
      if (!map || map._animatingZoom) { return; }
      var size = map.getSize(), pad = 0.1, dpr = window.devicePixelRatio || 1;
      var min = map.containerPointToLayerPoint(size.multiplyBy(-pad)).round();
      var w = Math.round(size.x * (1 + 2 * pad)), h = Math.round(size.y * (1 + 2 * pad));
      var cv = this._canvas;
      if (cv.width !== w * dpr || cv.height !== h * dpr) {
        cv.width = w * dpr; cv.height = h * dpr; cv.style.width = w + "px"; cv.style.height = h + "px";
      }
      L.DomUtil.setPosition(cv, min);
      cv.style.visibility = "visible";
      var ctx = cv.getContext("2d"), zoom = map.getZoom(), origin = map.getPixelOrigin();
      var ox = origin.x + min.x, oy = origin.y + min.y;
      ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
      ctx.clearRect(0, 0, w, h);
      var inside = {green: [], yellow: [], red: []}, outside = {green: [], yellow: [], red: []}, faded = 0;
      uc.cases.forEach(function (c) {
        project(c, zoom);
        var x = c.px - ox, y = c.py - oy;
        if (x > -10 && y > -10 && x < w + 10 && y < h + 10) {
          var out = outsideFocus(c);
          ((out ? outside : inside)[c.light] || inside.green).push(x, y);
          if (out) { faded++; }
        }
      });
      var drawn = 0;
      [[outside, OUTSIDE_ALPHA], [inside, 1]].forEach(function (pass) {  // faded first: underneath
        ctx.globalAlpha = pass[1];
        ["green", "yellow", "red"].forEach(function (k) {  // red drawn last: on top
          var pts = pass[0][k], img = sprite(k, dpr), half = img.width / dpr / 2, side = img.width / dpr;
          for (var i = 0; i < pts.length; i += 2) {
            ctx.drawImage(img, Math.round(pts[i] - half), Math.round(pts[i + 1] - half), side, side);
          }
          drawn += pts.length / 2;
        });
      });
      ctx.globalAlpha = 1;
      uc.drawn = drawn;
      uc.faded = faded;
    }
  }); }

  // One pre-drawn dot per light: 10,000 drawImage calls rasterise far faster than arcs.
  var sprites = {};
  function sprite(light, dpr) {
    var key = light + "@" + dpr;
    if (!sprites[key]) {
      var l = LIGHTS[light], r = l.radius, side = Math.ceil((r + 2) * 2), c = document.createElement("canvas");
      c.width = c.height = side * dpr;
      var g = c.getContext("2d");
      g.scale(dpr, dpr);
      g.beginPath(); g.arc(side / 2, side / 2, r, 0, 6.2832);
      g.fillStyle = l.color; g.fill(); g.lineWidth = 1.5; g.strokeStyle = "#FFFFFF"; g.stroke();
      sprites[key] = c;
    }
    return sprites[key];
  }

  var redrawQueued = false;
  function scheduleRedraw() {
    if (redrawQueued || !uc.caseCanvas) { return; }
    redrawQueued = true;
    L.Util.requestAnimFrame(function () { redrawQueued = false; uc.caseCanvas.redraw(); });
  }

  // The case under a container point (nearest within its radius + 3 px; red wins ties).
  function caseAt(point) {
    var map = uc.map, zoom = map.getZoom();
    var p = map.containerPointToLayerPoint(point).add(map.getPixelOrigin());
    var best = null, bestScore = Infinity;
    if (!map.hasLayer(uc.caseLayer)) { return null; }
    uc.cases.forEach(function (c) {
      project(c, zoom);
      var dx = c.px - p.x, dy = c.py - p.y, d2 = dx * dx + dy * dy, r = LIGHTS[c.light].radius + 3;
      if (d2 <= r * r) {
        var score = d2 - LIGHTS[c.light].rank * 4;
        if (score < bestScore) { best = c; bestScore = score; }
      }
    });
    return best;
  }

  function pointOf(e) {
    return e.containerPoint || uc.map.latLngToContainerPoint(e.latlng);
  }

  // Grid clicks bubble to the map: one handler decides case, grid or nothing.
  function onMapClick(e) {
    if (e.originalEvent) {  // a grid's click bubbles to the map as a second event
      if (e.originalEvent.ucHandled) { return; }
      e.originalEvent.ucHandled = true;
    }
    var c = e.latlng ? caseAt(pointOf(e)) : null;
    if (c) { if (uc.bridge) { uc.bridge.caseClicked(c.id); } return; }
    if (e.ucGrid && uc.bridge) { uc.bridge.gridClicked(e.ucGrid); }
  }

  function onMapHover(e) {
    var c = caseAt(e.containerPoint), tip = uc.hoverTip;
    uc.map.getContainer().style.cursor = c ? "pointer" : "";
    if (c) {
      tip.setLatLng(L.latLng(c.lat, c.lng)).setContent(caseTip(c));
      tip.options.offset = L.point(0, -LIGHTS[c.light].radius - 2);
      tip.options.direction = "top";
    } else if (uc.hoverGrid && uc.map.hasLayer(uc.gridLayer)) {
      tip.setLatLng(e.latlng).setContent(gridTip(uc.hoverGrid));
      tip.options.offset = L.point(12, 0);
      tip.options.direction = "right";
    } else {
      if (uc.map.hasLayer(tip)) { uc.map.closeTooltip(tip); }
      return;
    }
    if (!uc.map.hasLayer(tip)) { uc.map.openTooltip(tip); } else { tip.update(); }
  }

  function upsertCases(rows) {
    var added = 0, moved = 0;
    for (var i = 0; i < rows.length; i++) {
      var r = rows[i], c = uc.cases.get(r[0]);
      if (!c) { c = {id: r[0]}; uc.cases.set(r[0], c); added++; } else if (c.lat !== r[3] || c.lng !== r[2]) { moved++; }
      if (c.lat !== r[3] || c.lng !== r[2]) { c.pz = null; }
      c.number = r[1]; c.lng = r[2]; c.lat = r[3]; c.light = LIGHTS[r[4]] ? r[4] : "green"; c.category = r[5]; c.grid = r[6];
    }
    if (uc.selected !== null && uc.cases.has(uc.selected)) { placeSelection(); }
    if (uc.autoFit && (added || moved)) { fit(); }
    scheduleRedraw();
    return {added: added, updated: rows.length - added, total: uc.cases.size};
  }

  function removeCases(ids) {
    var gone = 0;
    for (var i = 0; i < ids.length; i++) {
      if (uc.cases.delete(ids[i])) { gone++; }
      if (ids[i] === uc.selected) { clearSelection(); }
    }
    if (uc.autoFit && gone) { fit(); }
    scheduleRedraw();
    return {removed: gone, total: uc.cases.size};
  }

  // --- selection --------------------------------------------------------------------------

  function clearSelection() {
    uc.selected = null;
    if (uc.selectRing) { uc.map.removeLayer(uc.selectRing); uc.selectRing = null; }
  }

  function placeSelection() {
    var c = uc.cases.get(uc.selected), l = LIGHTS[c.light] || LIGHTS.green, at = L.latLng(c.lat, c.lng);
    if (!uc.selectRing) {
      uc.selectRing = L.circleMarker(at, {
        radius: 14, color: "#1F2D3D", weight: 3, fill: false, interactive: false, pane: "ucSelect",
        renderer: L.svg({pane: "ucSelect"})
      }).addTo(uc.map);
      uc.selectRing.bindTooltip("", {permanent: true, direction: "right", offset: [14, 0], className: "uc-select-tip"});
    }
    uc.selectRing.setLatLng(at);
    uc.selectRing.setTooltipContent(esc(c.number) + " · " + l.word + "灯");
  }

  function selectCase(id) {
    var c = uc.cases.get(id);
    if (!c) { clearSelection(); return {selected: null}; }
    uc.selected = id;
    setAutoFit(false);
    if (afterZoom(function () { if (uc.selected === id) { selectCase(id); } })) { return {selected: id}; }
    programmatic(function () {
      uc.map.setView(L.latLng(c.lat, c.lng), Math.max(uc.map.getZoom(), SELECT_ZOOM), {animate: false});
    });
    placeSelection();
    return {selected: id};
  }

  // --- grids and heat ---------------------------------------------------------------------

  function heatFill(n) {
    var fill = null;
    for (var i = 0; i < HEAT.length; i++) { if (n >= HEAT[i][0]) { fill = HEAT[i][1]; } }
    return fill;
  }

  function gridStyle(code) {
    var n = uc.counts[code] || 0, fill = uc.heatOn ? heatFill(n) : null;
    if (!fill) { return GRID_STYLE; }
    return {color: GRID_STYLE.color, weight: 1, opacity: 0.55, fillColor: fill, fillOpacity: 0.45};
  }

  function restyleGrids(counts, mode) {
    var old = uc.counts;
    uc.counts = counts || {};
    if (mode) { uc.heatMode = mode; }
    var touched = 0;
    uc.grids.forEach(function (layer, code) {
      if ((old[code] || 0) !== (uc.counts[code] || 0) || mode) {
        layer.setStyle(gridStyle(code));
        touched++;
      }
    });
    updateLegend();
    return {restyled: touched};
  }

  function gridTip(layer) {
    var p = layer.feature.properties, n = uc.counts[p.code] || 0;
    return "<b>网格 " + esc(p.code) + "</b>" + (p.name && p.name !== p.code ? "<br>" + esc(p.name) : "") +
      "<br>" + HEAT_WORD[uc.heatMode] + " " + n;
  }

  function indexGrids() {
    uc.gridLayer.eachLayer(function (layer) {
      var code = layer.feature.properties.code;
      uc.grids.set(code, layer);
      layer.setStyle(gridStyle(code));
      layer.on("click", function (e) { e.ucGrid = code; onMapClick(e); });
      layer.on("mousemove", function () { uc.hoverGrid = layer; });
      layer.on("mouseout", function () { if (uc.hoverGrid === layer) { uc.hoverGrid = null; } });
    });
  }

  // --- cameras: clustered (MarkerCluster) until street level --------------------------------

  function cameraClusterIcon(cluster) {
    var kids = cluster.getAllChildMarkers(), fault = 0, off = 0;
    for (var i = 0; i < kids.length; i++) {
      if (kids[i].ucCamera.status === "fault") { fault++; } else if (kids[i].ucCamera.status !== "online") { off++; }
    }
    var note = fault ? "故障" + fault : (off ? "离线" + off : "摄像头");
    return L.divIcon({html: "<div><b>" + kids.length + "</b><span>" + note + "</span></div>",
      className: "uc-cam-cluster", iconSize: L.point(38, 38)});
  }
  window.ucCameraClusterIcon = cameraClusterIcon;

  function setCameras(rows) {
    uc.cameraLayer.clearLayers();
    uc.cameras = [];
    for (var i = 0; i < rows.length; i++) {
      var r = rows[i], st = CAMERAS[r[4]] || CAMERAS.offline;
      var m = L.circleMarker(L.latLng(r[3], r[2]), {
        radius: 4.5, color: "#FFFFFF", weight: 1.5, fillColor: st.color, fillOpacity: 1, bubblingMouseEvents: false
      });
      m.bindTooltip("摄像头 " + esc(r[1]) + "<br>" + esc(r[0]) + " · " + st.word, {className: "uc-tip"});
      m.ucCamera = {id: r[0], status: r[4]};
      uc.cameras.push(m);
    }
    uc.cameraLayer.addLayers(uc.cameras);
    return {cameras: uc.cameras.length};
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
          icon: L.divIcon({className: "uc-label " + lv.cls, html: "<span>" + esc(text) + "</span>", iconSize: null}),
          interactive: false, keyboard: false
        }).addTo(uc.labelLayer);
      });
    });
    uc.labelCounts = placed;
  }

  // --- controls ---------------------------------------------------------------------------

  function legendHtml() {
    var h = '<div class="uc-legend-title">图例</div>';
    ["red", "yellow", "green"].forEach(function (k) {
      var l = LIGHTS[k], word = {red: "超时", yellow: "将到期", green: "正常"}[k];
      h += '<div><i class="uc-dot" style="background:' + l.color + '"></i>' + l.word + "灯 " + word + "</div>";
    });
    h += '<div class="uc-legend-sub">摄像头</div>';
    ["online", "offline", "fault"].forEach(function (k) {
      h += '<div><i class="uc-dot uc-cam" style="background:' + CAMERAS[k].color + '"></i>' + CAMERAS[k].word + "</div>";
    });
    h += '<div class="uc-legend-sub">网格热力 · ' + HEAT_WORD[uc.heatMode] + "</div>";
    var bins = ["1–2", "3–5", "6–10", "≥11"];
    HEAT.forEach(function (b, i) {
      h += '<div><i class="uc-box" style="background:' + b[1] + '"></i>' + bins[i] + " 件</div>";
    });
    return h;
  }

  function updateLegend() {
    if (uc.legendDiv) { uc.legendDiv.innerHTML = legendHtml(); }
  }

  function addControls(cfg) {
    var overlays = {};
    if (uc.basemap) { overlays["底图"] = uc.basemap; }
    overlays["街道"] = uc.layers.streets;
    overlays["社区"] = uc.layers.communities;
    overlays["单元网格"] = uc.layers.grids;
    uc.heatToggle = L.layerGroup();
    if (uc.heatOn) { uc.heatToggle.addTo(uc.map); }
    overlays["网格热力"] = uc.heatToggle;
    overlays["案件"] = uc.caseLayer;
    overlays["摄像头"] = uc.cameraLayer;
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
        a.title = "自动适配视野（操作员拖动地图后暂停）";
        a.innerHTML = "⤢ 自动适配";
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
      uc.grids.forEach(function (layer, code) { layer.setStyle(gridStyle(code)); });
    }
    keepOrder();
    updateLabels();
  }

  // --- entry points -----------------------------------------------------------------------

  window.ucInit = function (cfg) {
    uc.cfg = cfg;
    var map = uc.map = window[cfg.map];
    uc.layers = {streets: window[cfg.streets], communities: window[cfg.communities], grids: window[cfg.grids]};
    uc.gridLayer = uc.layers.grids;
    uc.caseLayer = window[cfg.cases];
    uc.cameraLayer = window[cfg.cameras];
    uc.basemap = cfg.basemap ? window[cfg.basemap] : null;
    map.createPane("ucCases").style.zIndex = 450;
    map.createPane("ucSelect").style.zIndex = 640;
    uc.caseCanvas = new (defineCaseCanvas())();
    uc.caseLayer.addLayer(uc.caseCanvas);
    uc.hoverTip = L.tooltip({className: "uc-tip"});
    map.on("click", onMapClick);
    map.on("mousemove", onMapHover);
    map.on("mouseout", function () { if (map.hasLayer(uc.hoverTip)) { map.closeTooltip(uc.hoverTip); } });
    if (map.attributionControl) { map.attributionControl.setPrefix(false); }
    L.control.scale({imperial: false, position: "bottomleft"}).addTo(map);
    uc.labelLayer = L.layerGroup().addTo(map);
    map.getPane("tooltipPane").style.zIndex = 660;
    var inv = map.invalidateSize;
    map.invalidateSize = function (o) {
      var self = this;
      return programmatic(function () { return inv.call(self, o); });
    };
    map.on("movestart zoomstart", onUserMove);
    map.on("moveend zoomend", updateLabels);
    map.on("resize", function () { if (uc.autoFit) { fit(); } });
    map.on("overlayadd overlayremove", onOverlay);
    map.on("contextmenu", function (e) {
      if (uc.bridge) { uc.bridge.newCaseAt(e.latlng.lng, e.latlng.lat); }
    });
    indexGrids();
    map.removeLayer(uc.cameraLayer);  // cameras start hidden: Python shows them if the operator wants them
    addControls(cfg);
    keepOrder();
    fit();
    updateLabels();
    new QWebChannel(qt.webChannelTransport, function (channel) {
      uc.bridge = channel.objects.bridge;
      uc.ready = true;
      uc.bridge.ready();
    });
  };

  var OPS = {
    upsert_cases: function (m) { return upsertCases(m.cases || []); },
    remove_cases: function (m) { return removeCases(m.ids || []); },
    restyle_grids: function (m) { return restyleGrids(m.counts, m.mode); },
    set_cameras: function (m) { return setCameras(m.cameras || []); },
    select_case: function (m) { return m.id === null ? (clearSelection(), {selected: null}) : selectCase(m.id); },
    fit: function () { fit(); return {fitted: true}; },
    set_auto_fit: function (m) { setAutoFit(m.on, false); return {autoFit: uc.autoFit}; },
    show_cameras: function (m) { return showCameras(!!m.on); },
    focus_area: function (m) { return focusArea(m.code || null); }
  };

  function applyOne(msg) {
    var f = OPS[msg.op];
    if (!f) { throw new Error("unknown map op: " + msg.op); }
    return f(msg);
  }

  window.ucApply = function (msg) {
    try {
      return JSON.stringify(applyOne(msg));
    } catch (err) {
      uc.errors.push(String(err));
      return JSON.stringify({error: String(err), op: msg && msg.op});
    }
  };

  window.ucApplyAll = function (msgs) {
    return "[" + msgs.map(window.ucApply).join(",") + "]";
  };

  uc.gridTip = gridTip;
  uc.fitTarget = fitTarget;
  uc.caseAt = caseAt;

  window.ucState = function (opts) {
    opts = opts || {};
    var byLight = {green: 0, yellow: 0, red: 0}, ids = [];
    var outside = 0;
    uc.cases.forEach(function (c, id) { byLight[c.light] += 1; ids.push(id); if (outsideFocus(c)) { outside++; } });
    var cams = {online: 0, offline: 0, fault: 0};
    uc.cameras.forEach(function (m) { cams[m.ucCamera.status] = (cams[m.ucCamera.status] || 0) + 1; });
    var s = {
      ready: uc.ready, cases: uc.cases.size, byLight: byLight, selected: uc.selected, autoFit: uc.autoFit,
      grids: uc.grids.size, cameras: cams, heatMode: uc.heatMode, heatOn: uc.heatOn,
      zoom: uc.map ? uc.map.getZoom() : null, labels: uc.labelCounts || {}, errors: uc.errors, drawn: uc.drawn,
      selectedLabel: uc.selectRing ? uc.selectRing.getTooltip().getContent() : null,
      camerasShown: uc.map ? uc.map.hasLayer(uc.cameraLayer) : null, focus: uc.focus ? uc.focus.code : null,
      outside: outside, faded: uc.faded, size: uc.map ? [uc.map.getSize().x, uc.map.getSize().y] : null
    };
    if (uc.map) { var c = uc.map.getCenter(); s.center = [c.lng, c.lat]; }
    if (opts.ids) { s.ids = ids.sort(function (a, b) { return a - b; }); }
    if (opts.grids) {
      s.gridStyles = {};
      opts.grids.forEach(function (code) {
        var g = uc.grids.get(code);
        if (g) { s.gridStyles[code] = {fillColor: g.options.fillColor, fillOpacity: g.options.fillOpacity, count: uc.counts[code] || 0}; }
      });
    }
    if (opts.case !== undefined) {
      var c = uc.cases.get(opts.case);
      s.case = c ? {fillColor: LIGHTS[c.light].color, radius: LIGHTS[c.light].radius, tip: caseTip(c)} : null;
    }
    return JSON.stringify(s);
  };
})();

/* Map bridge, cases: one canvas for every case point (10,000 stay smooth), hit-testing, selection. */
(function (uc, M) {
  "use strict";

  // M.LIGHTS (colour, radius, rank, word, name) is set from Python's start message (protocol.js configure).
  var SELECT_ZOOM = 16;

  var OUTSIDE_ALPHA = 0.3;  // cases outside the focused area stay visible, faded

  // --- cases: one canvas for every case point (10,000 stay smooth) ------------------------
  // A case is {id, number, lat, lng, light, category, grid, px, py, pz}: (px, py) is its
  // projected pixel at zoom pz.  The canvas takes no pointer events; clicks and hovers
  // are hit-tested here, so the grid polygons underneath keep theirs.

  function caseTip(c) {
    var l = M.LIGHTS[c.light] || M.LIGHTS.green;
    return "<b>" + M.esc(c.number) + "</b> · " + M.esc(l.name) + "<br>" + M.esc(c.category) +
      (c.grid ? "<br>" + M.esc(M.fmt(M.W.grid, {code: c.grid})) : "");
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
          var out = M.outsideFocus(c);
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
      var l = M.LIGHTS[light], r = l.radius, side = Math.ceil((r + 2) * 2), c = document.createElement("canvas");
      c.width = c.height = side * dpr;
      var g = c.getContext("2d");
      g.scale(dpr, dpr);
      g.beginPath(); g.arc(side / 2, side / 2, r, 0, 6.2832);
      g.fillStyle = l.color; g.fill(); g.lineWidth = 1.5; g.strokeStyle = M.STROKES.halo; g.stroke();
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
      var dx = c.px - p.x, dy = c.py - p.y, d2 = dx * dx + dy * dy, r = M.LIGHTS[c.light].radius + 3;
      if (d2 <= r * r) {
        var score = d2 - M.LIGHTS[c.light].rank * 4;
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
      tip.options.offset = L.point(0, -M.LIGHTS[c.light].radius - 2);
      tip.options.direction = "top";
    } else if (uc.hoverGrid && uc.map.hasLayer(uc.gridLayer)) {
      tip.setLatLng(e.latlng).setContent(M.gridTip(uc.hoverGrid));
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
      c.number = r[1]; c.lng = r[2]; c.lat = r[3]; c.light = M.LIGHTS[r[4]] ? r[4] : "green"; c.category = r[5]; c.grid = r[6];
    }
    if (uc.selected !== null && uc.cases.has(uc.selected)) { placeSelection(); }
    if (uc.autoFit && (added || moved)) { M.fit(); }
    scheduleRedraw();
    return {added: added, updated: rows.length - added, total: uc.cases.size};
  }

  function removeCases(ids) {
    var gone = 0;
    for (var i = 0; i < ids.length; i++) {
      if (uc.cases.delete(ids[i])) { gone++; }
      if (ids[i] === uc.selected) { clearSelection(); }
    }
    if (uc.autoFit && gone) { M.fit(); }
    scheduleRedraw();
    return {removed: gone, total: uc.cases.size};
  }

  // --- selection --------------------------------------------------------------------------

  function clearSelection() {
    uc.selected = null;
    if (uc.selectRing) { uc.map.removeLayer(uc.selectRing); uc.selectRing = null; }
  }

  function placeSelection() {
    var c = uc.cases.get(uc.selected), l = M.LIGHTS[c.light] || M.LIGHTS.green, at = L.latLng(c.lat, c.lng);
    if (!uc.selectRing) {
      uc.selectRing = L.circleMarker(at, {
        radius: 14, color: M.STROKES.select, weight: 3, fill: false, interactive: false, pane: "ucSelect",
        renderer: L.svg({pane: "ucSelect"})
      }).addTo(uc.map);
      uc.selectRing.bindTooltip("", {permanent: true, direction: "right", offset: [14, 0], className: "uc-select-tip"});
    }
    uc.selectRing.setLatLng(at);
    uc.selectRing.setTooltipContent(M.esc(c.number) + " · " + M.esc(l.name));
  }

  function selectCase(id) {
    var c = uc.cases.get(id);
    if (!c) { clearSelection(); return {selected: null}; }
    uc.selected = id;
    M.setAutoFit(false);
    if (M.afterZoom(function () { if (uc.selected === id) { selectCase(id); } })) { return {selected: id}; }
    M.programmatic(function () {
      uc.map.setView(L.latLng(c.lat, c.lng), Math.max(uc.map.getZoom(), SELECT_ZOOM), {animate: false});
    });
    placeSelection();
    return {selected: id};
  }

  M.SELECT_ZOOM = SELECT_ZOOM;
  M.caseTip = caseTip;
  M.clearSelection = clearSelection;
  M.defineCaseCanvas = defineCaseCanvas;
  M.onMapClick = onMapClick;
  M.onMapHover = onMapHover;
  M.removeCases = removeCases;
  M.scheduleRedraw = scheduleRedraw;
  M.selectCase = selectCase;
  M.upsertCases = upsertCases;
  uc.caseAt = caseAt;
})(window.uc, window.ucMap);

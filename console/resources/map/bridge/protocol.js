/* Operator map bridge (urban-console): live layers over the folium-built page.
 *
 * Five scripts, loaded in this order by the page (map_page.BRIDGE_MODULES), no build step:
 *   protocol.js  window.uc (the map's state), window.ucMap (what the modules share), the entry points
 *   cases.js     the case canvas: every case point on one canvas, hit-testing, selection
 *   grids.js     unit grids and their heat, area labels
 *   cameras.js   camera points, clustered until street level
 *   controls.js  the view (auto-fit, area focus), layer control, legend, fit button
 * Each module adds its functions to window.ucMap; they call one another through it at run time.
 *
 * Python -> JS: ucApply(msg) / ucApplyAll([msg, ...]), msg = {op: ..., ...}:
 *   upsert_cases {cases: [[id, number, lon, lat, light, category, grid], ...]}
 *   remove_cases {ids: [...]}
 *   restyle_grids {counts: {code: n}, mode: "open" | "overdue"}
 *   set_cameras {cameras: [[id, name, lon, lat, status], ...]}
 *   select_case {id}    fit {}    set_auto_fit {on}
 *   fit_whole_city {on}   (a fit shows every grid as well as the cases, beside the legend: the wall)
 *   show_cameras {on}   (the page starts with cameras hidden)
 *   update_cameras {cameras: [[id, name, lon, lat, status], ...]}   (a delta: changed or new cameras)
 *   highlight_cameras {cameras: [[id, label], ...]}   (the nearest cameras of a case; [] clears)
 *   focus_area {code}   (a street or community code, or null: the queue's filter)
 * Every call returns JSON.stringify(result) (PySide6 runJavaScript cannot carry objects).
 * JS -> Python: the QWebChannel object "bridge" (ready, caseClicked, gridClicked,
 * newCaseAt, autoFitChanged, camerasToggled).  ucState(opts) returns the map's state as JSON for tests.
 * Colour is never alone: every light and status carries its word (its name and status words come with it).
 * Palette and words come from Python in ucInit's message (cfg.palette: the theme, cfg.words: translated
 * text; map_page.page_config): no module here keeps a colour or a word of its own.
 */
(function () {
  "use strict";

  var uc = window.uc = {
    ready: false, map: null, bridge: null, cfg: null,
    cases: new Map(), grids: new Map(), cameras: [], cameraById: new Map(), counts: {},
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

  // --- entry points -----------------------------------------------------------------------

  // The theme's palette and the translated words, as the modules read them (M.LIGHTS, M.CAMERAS, ...).
  function configure(cfg) {
    var p = cfg.palette, w = cfg.words, rank = {green: 0, yellow: 1, red: 2};
    M.W = w;
    M.PALETTE = p;
    M.LIGHTS = {};
    Object.keys(p.lights).forEach(function (k) {
      var l = w.lights[k];
      M.LIGHTS[k] = {color: p.lights[k].color, radius: p.lights[k].radius, rank: rank[k], word: l.word,
        name: l.name, meaning: l.meaning};
    });
    M.CAMERAS = {};
    Object.keys(p.cameras).forEach(function (k) { M.CAMERAS[k] = {color: p.cameras[k], word: w.cameras[k]}; });
    M.HEAT = p.heat;
    M.HEAT_WORD = w.heat;
    M.STROKES = p.strokes;
    var css = document.documentElement.style;
    css.setProperty("--uc-ink", p.text.ink);
    css.setProperty("--uc-halo", p.strokes.halo);
    css.setProperty("--uc-background", p.strokes.background);
    css.setProperty("--uc-button", p.strokes.button);
    css.setProperty("--uc-cluster", p.strokes.cluster);
    css.setProperty("--uc-subtle", p.text.subtle);
    css.setProperty("--uc-grid-label", p.text.grid_label);
    css.setProperty("--uc-secondary", p.text.secondary);
    css.setProperty("--uc-border", p.text.border);
    css.setProperty("--uc-font", p.font.family);
  }

  // A translated template with {name} slots filled (the words are Python's, the values the page's).
  function fmt(template, values) {
    return String(template).replace(/\{(\w+)\}/g, function (all, k) { return values[k] === undefined ? all : values[k]; });
  }

  window.ucInit = function (cfg) {
    uc.cfg = cfg;
    configure(cfg);
    var map = uc.map = window[cfg.map];
    uc.layers = {streets: window[cfg.streets], communities: window[cfg.communities], grids: window[cfg.grids]};
    uc.gridLayer = uc.layers.grids;
    uc.caseLayer = window[cfg.cases];
    uc.cameraLayer = window[cfg.cameras];
    uc.basemap = cfg.basemap ? window[cfg.basemap] : null;
    map.createPane("ucCases").style.zIndex = 450;
    map.createPane("ucSelect").style.zIndex = 640;
    // names above the camera clusters (markerPane 600), so none hides a street on the wall; they take no clicks
    var labels = map.createPane("ucLabels");
    labels.style.zIndex = 620;
    labels.style.pointerEvents = "none";
    uc.caseCanvas = new (M.defineCaseCanvas())();
    uc.caseLayer.addLayer(uc.caseCanvas);
    uc.hoverTip = L.tooltip({className: "uc-tip"});
    map.on("click", M.onMapClick);
    map.on("mousemove", M.onMapHover);
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
    map.on("movestart zoomstart", M.onUserMove);
    map.on("moveend zoomend", M.updateLabels);
    map.on("resize", function () { if (uc.autoFit) { M.fit(); } });
    map.on("overlayadd overlayremove", M.onOverlay);
    map.on("contextmenu", function (e) {
      if (uc.bridge) { uc.bridge.newCaseAt(e.latlng.lng, e.latlng.lat); }
    });
    M.indexGrids();
    map.removeLayer(uc.cameraLayer);  // cameras start hidden: Python shows them if the operator wants them
    M.addControls(cfg);
    M.keepOrder();
    M.fit();
    M.updateLabels();
    new QWebChannel(qt.webChannelTransport, function (channel) {
      uc.bridge = channel.objects.bridge;
      uc.ready = true;
      uc.bridge.ready();
    });
  };

  var OPS = {
    upsert_cases: function (m) { return M.upsertCases(m.cases || []); },
    remove_cases: function (m) { return M.removeCases(m.ids || []); },
    restyle_grids: function (m) { return M.restyleGrids(m.counts, m.mode); },
    set_cameras: function (m) { return M.setCameras(m.cameras || []); },
    update_cameras: function (m) { return M.updateCameras(m.cameras || []); },
    highlight_cameras: function (m) { return M.highlightCameras(m.cameras || []); },
    select_case: function (m) { return m.id === null ? (M.clearSelection(), {selected: null}) : M.selectCase(m.id); },
    fit: function () { M.fit(); return {fitted: true}; },
    set_auto_fit: function (m) { M.setAutoFit(m.on, false); return {autoFit: uc.autoFit}; },
    fit_whole_city: function (m) { uc.fitWholeCity = !!m.on; M.fit(); return {fitWholeCity: uc.fitWholeCity}; },
    show_cameras: function (m) { return M.showCameras(!!m.on); },
    focus_area: function (m) { return M.focusArea(m.code || null); }
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

  window.ucState = function (opts) {
    opts = opts || {};
    var byLight = {green: 0, yellow: 0, red: 0}, ids = [];
    var outside = 0;
    uc.cases.forEach(function (c, id) { byLight[c.light] += 1; ids.push(id); if (M.outsideFocus(c)) { outside++; } });
    var cams = {online: 0, offline: 0, fault: 0};
    uc.cameras.forEach(function (m) { cams[m.ucCamera.status] = (cams[m.ucCamera.status] || 0) + 1; });
    var s = {
      ready: uc.ready, cases: uc.cases.size, byLight: byLight, selected: uc.selected, autoFit: uc.autoFit,
      grids: uc.grids.size, cameras: cams, heatMode: uc.heatMode, heatOn: uc.heatOn,
      zoom: uc.map ? uc.map.getZoom() : null, labels: uc.labelCounts || {}, errors: uc.errors, drawn: uc.drawn,
      selectedLabel: uc.selectRing ? uc.selectRing.getTooltip().getContent() : null,
      camerasShown: uc.map ? uc.map.hasLayer(uc.cameraLayer) : null, highlighted: uc.highlighted || [], focus: uc.focus ? uc.focus.code : null,
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
      s.case = c ? {fillColor: M.LIGHTS[c.light].color, radius: M.LIGHTS[c.light].radius, tip: M.caseTip(c)} : null;
    }
    return JSON.stringify(s);
  };

  var M = window.ucMap = {};
  M.esc = esc;
  M.fmt = fmt;
  M.programmatic = programmatic;
})();

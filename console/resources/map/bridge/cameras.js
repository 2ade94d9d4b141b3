/* Map bridge, cameras: points by status, clustered (MarkerCluster) until street level; hidden at start. */
(function (uc, M) {
  "use strict";

  // M.CAMERAS (status -> colour and word) is set from Python's start message (protocol.js configure).

  // --- cameras: hidden until the operator (or their remembered choice) shows them ----------

  function showCameras(on) {
    uc.quiet += 1;  // the layer control reports this change: it is not the operator's
    try {
      if (on && !uc.map.hasLayer(uc.cameraLayer)) { uc.map.addLayer(uc.cameraLayer); }
      if (!on && uc.map.hasLayer(uc.cameraLayer)) { uc.map.removeLayer(uc.cameraLayer); }
    } finally { uc.quiet -= 1; }
    return {cameras: uc.map.hasLayer(uc.cameraLayer)};
  }

  // --- cameras: clustered (MarkerCluster) until street level --------------------------------

  function cameraClusterIcon(cluster) {
    var kids = cluster.getAllChildMarkers(), fault = 0, off = 0;
    for (var i = 0; i < kids.length; i++) {
      if (kids[i].ucCamera.status === "fault") { fault++; } else if (kids[i].ucCamera.status !== "online") { off++; }
    }
    var note = fault ? M.fmt(M.W.cluster_fault, {n: fault}) : (off ? M.fmt(M.W.cluster_offline, {n: off}) : M.W.camera);
    return L.divIcon({html: "<div><b>" + kids.length + "</b><span>" + M.esc(note) + "</span></div>",
      className: "uc-cam-cluster", iconSize: L.point(38, 38)});
  }
  window.ucCameraClusterIcon = cameraClusterIcon;

  // Never colour alone: each status has its mark (filled, hollow, cross) from Python's words.
  function cameraIcon(status) {
    var st = M.CAMERAS[status] || M.CAMERAS.offline, mark = (M.W.camera_marks || {})[status] || "?";
    return L.divIcon({html: "<span style=\"color:" + st.color + "\">" + M.esc(mark) + "</span>",
      className: "uc-cam-point uc-cam-" + M.esc(status), iconSize: L.point(16, 16)});
  }

  function cameraTip(r) {
    var st = M.CAMERAS[r[4]] || M.CAMERAS.offline;
    return M.esc(M.fmt(M.W.camera_named, {name: r[1]})) + "<br>" + M.esc(r[0]) + " · " + M.esc(st.word);
  }

  function cameraMarker(r) {
    var m = L.marker(L.latLng(r[3], r[2]), {icon: cameraIcon(r[4]), bubblingMouseEvents: false, keyboard: false});
    m.bindTooltip(cameraTip(r), {className: "uc-tip"});
    m.ucCamera = {id: r[0], status: r[4], name: r[1]};
    return m;
  }

  function setCameras(rows) {
    uc.cameraLayer.clearLayers();
    uc.cameras = [];
    uc.cameraById = new Map();
    for (var i = 0; i < rows.length; i++) {
      var m = cameraMarker(rows[i]);
      uc.cameras.push(m);
      uc.cameraById.set(rows[i][0], m);
    }
    uc.cameraLayer.addLayers(uc.cameras);
    return {cameras: uc.cameras.length};
  }

  // A delta from the feed: these cameras changed (status, name, place); unknown ones are added.
  function updateCameras(rows) {
    var added = [], changed = 0;
    for (var i = 0; i < rows.length; i++) {
      var r = rows[i], m = uc.cameraById.get(r[0]);
      if (!m) {
        m = cameraMarker(r);
        uc.cameras.push(m);
        uc.cameraById.set(r[0], m);
        added.push(m);
        continue;
      }
      m.ucCamera.status = r[4];
      m.ucCamera.name = r[1];
      m.setLatLng(L.latLng(r[3], r[2]));
      m.setIcon(cameraIcon(r[4]));
      m.setTooltipContent(cameraTip(r));
      changed++;
    }
    if (added.length) { uc.cameraLayer.addLayers(added); }
    uc.cameraLayer.refreshClusters();
    return {changed: changed, added: added.length};
  }

  // The nearest cameras of a case: a ring and the rank with the distance, drawn above the clusters.
  function highlightCameras(rows) {
    if (!uc.cameraHighlight) { uc.cameraHighlight = L.layerGroup().addTo(uc.map); }
    uc.cameraHighlight.clearLayers();
    uc.highlighted = [];
    for (var i = 0; i < rows.length; i++) {
      var r = rows[i], m = uc.cameraById.get(r[0]);
      if (!m) { continue; }
      var ring = L.circleMarker(m.getLatLng(), {radius: 11, color: M.STROKES.focus, weight: 3, fill: false,
        pane: "ucSelect", interactive: false});
      ring.bindTooltip(M.esc(r[1]), {permanent: true, direction: "right", className: "uc-tip uc-cam-rank"});
      uc.cameraHighlight.addLayer(ring);
      uc.highlighted.push(r[0]);
    }
    return {highlighted: uc.highlighted.length};
  }

  M.setCameras = setCameras;
  M.updateCameras = updateCameras;
  M.highlightCameras = highlightCameras;
  M.showCameras = showCameras;
})(window.uc, window.ucMap);

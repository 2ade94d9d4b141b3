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

  function setCameras(rows) {
    uc.cameraLayer.clearLayers();
    uc.cameras = [];
    for (var i = 0; i < rows.length; i++) {
      var r = rows[i], st = M.CAMERAS[r[4]] || M.CAMERAS.offline;
      var m = L.circleMarker(L.latLng(r[3], r[2]), {
        radius: 4.5, color: M.STROKES.halo, weight: 1.5, fillColor: st.color, fillOpacity: 1, bubblingMouseEvents: false
      });
      m.bindTooltip(M.esc(M.fmt(M.W.camera_named, {name: r[1]})) + "<br>" + M.esc(r[0]) + " · " + M.esc(st.word),
        {className: "uc-tip"});
      m.ucCamera = {id: r[0], status: r[4]};
      uc.cameras.push(m);
    }
    uc.cameraLayer.addLayers(uc.cameras);
    return {cameras: uc.cameras.length};
  }

  M.setCameras = setCameras;
  M.showCameras = showCameras;
})(window.uc, window.ucMap);

/* Map bridge, cameras: points by status, clustered (MarkerCluster) until street level; hidden at start. */
(function (uc, M) {
  "use strict";

  var CAMERAS = {
    online: {color: "#2F6FD6", word: "在线"},
    offline: {color: "#8A8F98", word: "离线"},
    fault: {color: "#8E44AD", word: "故障"}
  };

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
      m.bindTooltip("摄像头 " + M.esc(r[1]) + "<br>" + M.esc(r[0]) + " · " + st.word, {className: "uc-tip"});
      m.ucCamera = {id: r[0], status: r[4]};
      uc.cameras.push(m);
    }
    uc.cameraLayer.addLayers(uc.cameras);
    return {cameras: uc.cameras.length};
  }

  M.CAMERAS = CAMERAS;
  M.setCameras = setCameras;
  M.showCameras = showCameras;
})(window.uc, window.ucMap);

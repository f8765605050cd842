/* ipgraph's maps (institution page, finder results): the bundled Leaflet over a base that needs no internet —
   the province's prefecture outlines (static/vendor/regions/, cited in vendor/README.md) and, when the deployment
   configures one (IPGRAPH_MAP_TILE_URL), its own tile server — with labelled points on top.
   ipgraphMap(box, config, points): config = {outlines, tiles, attribution}; points = [{lat, lon, label, role,
   rank, href, tip}], role "here" (the institution), "place" (the place asked about), "result" or "seat". */
(function () {
  "use strict";
  var STYLE = {
    here: {radius: 8, color: "#0b5cad", weight: 2, fillColor: "#0b5cad", fillOpacity: 0.9},
    result: {radius: 7, color: "#0b5cad", weight: 2, fillColor: "#fff", fillOpacity: 1},
    place: {radius: 6, color: "#b35900", weight: 2, fillColor: "#f5a623", fillOpacity: 0.9},
    seat: {radius: 4, color: "#57606a", weight: 1, fillColor: "#57606a", fillOpacity: 0.8}
  };

  window.ipgraphMap = function (box, config, points) {
    if (!window.L || !box) { return null; }
    points = (points || []).filter(function (p) { return typeof p.lat === "number" && typeof p.lon === "number"; });
    if (!points.length) { box.hidden = true; return null; }
    box.hidden = false;
    if (box._ipgraphMap) { box._ipgraphMap.remove(); }
    var map = L.map(box, {attributionControl: !!config.tiles, zoomSnap: 0.5});
    box._ipgraphMap = map;
    if (config.tiles) { L.tileLayer(config.tiles, {attribution: config.attribution || "", maxZoom: 18}).addTo(map); }
    map.createPane("outlines").style.zIndex = 350;
    if (config.outlines && window.fetch) {
      fetch(config.outlines).then(function (r) { return r.ok ? r.json() : null; }).then(function (data) {
        if (!data) { return; }
        L.geoJSON(data, {pane: "outlines", interactive: false,
                         style: {color: "#8c959f", weight: 1, fill: !config.tiles, fillColor: "#f6f8fa", fillOpacity: 1}})
          .addTo(map);
        box.setAttribute("data-outlines", String(data.features.length));
      }).catch(function () {});
    }
    var bounds = [];
    points.forEach(function (p) {
      var marker = L.circleMarker([p.lat, p.lon], STYLE[p.role] || STYLE.result);
      var label = p.rank ? String(p.rank) : (p.tip || p.label);  /* a short tip (本机构) where the name is long */
      marker.bindTooltip(label, {permanent: p.role !== "result" || !!p.rank, direction: "right",
                                 className: (p.role || "result") + "-label"});
      if (p.href) {
        var a = document.createElement("a");
        a.href = p.href; a.textContent = p.label;
        marker.bindPopup(a);
      } else if (p.label) { marker.bindPopup(document.createTextNode(p.label)); }
      marker.addTo(map);
      bounds.push([p.lat, p.lon]);
    });
    if (bounds.length === 1) { map.setView(bounds[0], 10); } else { map.fitBounds(L.latLngBounds(bounds).pad(0.15)); }
    box.setAttribute("data-points", String(points.length));
    return map;
  };
})();

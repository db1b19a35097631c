/*
 * Clicks, view fitting and hover clearing of the dashboard's two maps (access "map", scenario "sc-map").
 *
 * Plotly picks the point nearest a click, preferring small markers, so a village inside a large school
 * marker won and a click on empty ground gave nothing.  This script listens to MapLibre's own "click"
 * (not fired after a drag) and hit-tests the figure itself: a school marker under the pointer wins,
 * then a village marker, else "empty" with the clicked longitude and latitude.  The result goes to
 * the map's click store ("map-click", "sc-map-click") for the Python callbacks.
 *
 * It also fits the figure's layout.meta.fit bounds to the map's real size (until the planner moves
 * the map) and removes the hover label after every redraw, so no tooltip outlives an update.
 */
(function () {
    "use strict";
    var MAPS = {"map": "map-click", "sc-map": "sc-map-click"};
    var SLACK_PX = 3;

    function sizeOf(marker, i) {
        var s = marker && marker.size;
        if (s === undefined || s === null) { return 6; }
        return (typeof s === "number") ? s : (s[i] || 6);
    }

    function hitTest(gd, map, point) {
        var best = null;
        (gd._fullData || []).forEach(function (tr) {
            var cd = tr.customdata;
            if (!cd || tr.visible !== true || !tr.lon) { return; }
            for (var i = 0; i < tr.lon.length; i++) {
                var item = cd[i];
                if (!item || (item[0] !== "school" && item[0] !== "village")) { continue; }
                var lon = tr.lon[i], lat = tr.lat[i];
                if (lon === null || lat === null || isNaN(lon) || isNaN(lat)) { continue; }
                var p = map.project([lon, lat]);
                var d = Math.hypot(p.x - point.x, p.y - point.y);
                if (d > sizeOf(tr.marker, i) / 2 + SLACK_PX) { continue; }
                var rank = item[0] === "school" ? 0 : 1;
                if (!best || rank < best.rank || (rank === best.rank && d < best.d)) {
                    best = {rank: rank, d: d, kind: item[0], id: String(item[1]), lon: lon, lat: lat};
                }
            }
        });
        return best;
    }

    function fit(gd, map) {
        var meta = gd.layout && gd.layout.meta;
        var b = meta && meta.fit;
        var c = map.getContainer();
        if (!b || b.length !== 4 || map.__jhMoved || !c.clientWidth || !c.clientHeight) { return; }
        var pad = Math.max(0, Math.min(30, Math.floor(Math.min(c.clientWidth, c.clientHeight) / 10)));
        map.__jhFitting = true;
        // eventData marks the move as the planner's own for plotly, which then keeps the view through updates (uirevision)
        map.fitBounds([[b[0], b[1]], [b[2], b[3]]], {padding: pad, animate: false}, {originalEvent: "fit"});
        map.__jhFitting = false;
    }

    function attach(graphId, storeId) {
        var gd = document.querySelector("#" + graphId + " .js-plotly-plot");
        var sub = gd && gd._fullLayout && gd._fullLayout.map && gd._fullLayout.map._subplot;
        var map = sub && sub.map;
        if (!map) { return; }
        if (!gd.__jhHover && gd.on) {
            gd.__jhHover = true;
            gd.on("plotly_afterplot", function () {
                if (window.Plotly && window.Plotly.Fx) { window.Plotly.Fx.unhover(gd); }
            });
        }
        if (map.__jh) { return; }
        map.__jh = true;
        var mark = function (e) { if (e && e.originalEvent && !map.__jhFitting) { map.__jhMoved = true; } };
        map.on("dragstart", mark);
        map.on("zoomstart", mark);
        map.on("resize", function () { fit(gd, map); });
        fit(gd, map);
        var n = 0;
        map.on("click", function (e) {
            var hit = hitTest(gd, map, e.point);
            n += 1;
            var data = hit ? {kind: hit.kind, id: hit.id, lon: hit.lon, lat: hit.lat, n: n}
                : {kind: "empty", id: null, lon: Math.round(e.lngLat.lng * 1e6) / 1e6, lat: Math.round(e.lngLat.lat * 1e6) / 1e6, n: n};
            if (window.dash_clientside && window.dash_clientside.set_props) {
                window.dash_clientside.set_props(storeId, {data: data});
            }
        });
    }

    window.setInterval(function () {
        Object.keys(MAPS).forEach(function (graphId) { attach(graphId, MAPS[graphId]); });
    }, 400);
}());

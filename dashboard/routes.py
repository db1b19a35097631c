"""The dashboard's own HTTP routes beside Dash's: the static map layers as GeoJSON files.

The roads and district boundaries of a region are the bulk of a map (0.7 MB for the demo region).  They
are served once per region and version as a file that the browser keeps (``Cache-Control: immutable``);
the maps' figures name them by URL (:func:`line_urls`), so neither Dash nor plotly copies, compares or
re-sends the geometry when a control changes.
"""
from __future__ import annotations

import flask

from dashboard import request, services
from geo.region.region import known_regions

__all__ = ["LINES_ROUTE", "line_urls", "register"]

#: The URL rule of a line layer: region, version digest (:func:`dashboard.services.line_version`), layer.
LINES_ROUTE = "/_junheng/lines/<path:region>/<version>/<layer>.geojson"


def line_urls(key: str) -> tuple[str, str]:
    """Return the absolute URLs of region ``key``'s road and boundary layers (MapLibre fetches them itself)."""
    version = services.line_version(key)
    return tuple(request.absolute_url(f"/_junheng/lines/{key}/{version}/{layer}.geojson")  # type: ignore[return-value]
                 for layer in services.LINE_LAYERS)


def _serve_lines(region: str, version: str, layer: str) -> flask.Response:
    if layer not in services.LINE_LAYERS or (region != request.default_region() and region not in known_regions()):
        flask.abort(404)
    current = services.line_version(region) == version
    response = flask.Response(services.line_file(region, layer), mimetype="application/geo+json")
    # a URL names one version for ever: the browser keeps it; a stale version gets today's lines, not kept
    response.headers["Cache-Control"] = "public, max-age=31536000, immutable" if current else "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def register(server: flask.Flask) -> None:
    """Attach the routes to the Flask ``server`` of the Dash app."""
    server.add_url_rule(LINES_ROUTE, "junheng_lines", _serve_lines, methods=["GET"])

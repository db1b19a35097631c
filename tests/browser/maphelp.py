"""Helpers of the browser tests that click the dashboard's MapLibre maps at a longitude and latitude."""
from __future__ import annotations

from playwright.sync_api import Page

#: Page script: (graph id, lon, lat) -> the point's viewport pixels, projected by the page's own MapLibre map.
PROJECT = """([id, lon, lat]) => {
    const gd = document.querySelector(`#${id} .js-plotly-plot`);
    const map = gd._fullLayout.map._subplot.map;
    const p = map.project([lon, lat]);
    const r = map.getCanvas().getBoundingClientRect();
    return [r.left + p.x, r.top + p.y];
}"""


def click_lonlat(page: Page, graph_id: str, lon: float, lat: float) -> None:
    """Click the map ``graph_id`` at (lon, lat), scrolled into view first; the pointer rests there before the click."""
    xy = page.evaluate(PROJECT, [graph_id, lon, lat])
    page.evaluate("y => window.scrollBy(0, y - window.innerHeight / 2)", xy[1])
    page.wait_for_timeout(300)
    xy = page.evaluate(PROJECT, [graph_id, lon, lat])
    assert 0 <= xy[1] < page.viewport_size["height"], f"point {lon},{lat} is off screen at y={xy[1]:.0f}"
    page.mouse.move(xy[0], xy[1])
    page.wait_for_timeout(300)
    page.mouse.click(xy[0], xy[1])

"""Real-browser tests of the maps: schools win clicks over villages, empty ground clears, the language switch
keeps the page, and every update after the first load is small."""
from __future__ import annotations

import pytest
from maphelp import click_lonlat
from playwright.sync_api import Page, expect

from dashboard import services
from dashboard.i18n import t

pytestmark = pytest.mark.browser

TIMEOUT = 60_000
#: No callback response after the first load may be larger (bytes).
MAX_UPDATE_BYTES = 300_000

_EMPTY_SPOT = """([id]) => {
    // a point of the map's canvas farthest (in pixels) from every village and school marker
    const gd = document.querySelector(`#${id} .js-plotly-plot`);
    const map = gd._fullLayout.map._subplot.map;
    const r = map.getCanvas().getBoundingClientRect();
    const pts = [];
    gd._fullData.forEach(tr => { if (tr.customdata && tr.lon) { for (let i = 0; i < tr.lon.length; i++) {
        pts.push(map.project([tr.lon[i], tr.lat[i]])); } } });
    let best = null;
    for (let x = 0.3 * r.width; x < 0.75 * r.width; x += 15) { const y0 = Math.max(0.2 * r.height, 20 - r.top), y1 = Math.min(0.8 * r.height, window.innerHeight - r.top - 20);
    for (let y = y0; y < y1; y += 15) {
        const d = Math.min(...pts.map(p => Math.hypot(p.x - x, p.y - y)));
        if (!best || d > best[2]) { best = [x, y, d]; } } }
    return [r.left + best[0], r.top + best[1], best[2]];
}"""


def _settle(page: Page, graph_id: str) -> None:
    expect(page.locator(f"#{graph_id} .js-plotly-plot")).to_be_visible(timeout=TIMEOUT)
    page.wait_for_function("""id => { const g = document.querySelector(`#${id} .js-plotly-plot`);
        return !!(g && g._fullLayout && g._fullLayout.map && g._fullLayout.map._subplot); }""", arg=graph_id, timeout=TIMEOUT)
    page.wait_for_timeout(1500)




def _big_schools(level_of: tuple[str, ...] = ("primary", "nine_year"), n: int = 6):
    s = services.schools_frame("demo")
    s = s[s["level"].isin(level_of)].sort_values("enrolment", ascending=False)
    return s.head(n)


def test_school_markers_win_over_villages_and_empty_ground_clears(page: Page, live_server, console_errors):
    page.set_viewport_size({"width": 1440, "height": 960})
    page.goto(live_server)
    _settle(page, "map")
    detail = page.locator("#detail")
    schools = _big_schools()
    assert len(schools) >= 4
    for row in schools.itertuples():
        click_lonlat(page, "map", row.geometry.x, row.geometry.y)
        expect(detail).to_contain_text(row.name, timeout=TIMEOUT)
        expect(detail).to_contain_text("服务", timeout=TIMEOUT)  # the school panel (catchment), not a village's
        # the selection is highlighted: a ring trace exists
        assert page.evaluate("() => document.querySelector('#map .js-plotly-plot').data.some(t => t.name === '当前选中')")
    x, y, gap = page.evaluate(_EMPTY_SPOT, ["map"])
    assert gap > 20, "no empty ground on the map"
    page.mouse.click(x, y)
    expect(detail).to_have_text(t("detail_hint", "zh"), timeout=TIMEOUT)
    assert not page.evaluate("() => document.querySelector('#map .js-plotly-plot').data.some(t => t.name === '当前选中')")


@pytest.mark.xfail(strict=False, reason="intermittent bug, issue 12 open: after a school click on the scenario map, a click "
                   "on empty ground sometimes does not fill the new-site coordinates under pytest (passed in 1 of 3 full CI "
                   "runs on 2 Dec 2026); not strict because it is intermittent, so CI cannot hinge on it")
def test_scenario_map_click_fills_school_or_site(page: Page, live_server, console_errors):
    page.set_viewport_size({"width": 1440, "height": 960})
    page.goto(live_server)
    page.get_by_text("布局调整方案", exact=True).click()
    _settle(page, "sc-map")
    row = next(_big_schools(n=1).itertuples())
    click_lonlat(page, "sc-map", row.geometry.x, row.geometry.y)
    expect(page.locator("#act-school")).to_contain_text(row.name, timeout=TIMEOUT)
    # the whole region is in view
    reg = services.region("demo")
    minx, miny, maxx, maxy = reg.districts.total_bounds
    inside = page.evaluate("""([a, b, c, d]) => { const gd = document.querySelector('#sc-map .js-plotly-plot');
        const m = gd._fullLayout.map._subplot.map; const bb = m.getBounds();
        return bb.getWest() <= a && bb.getSouth() <= b && bb.getEast() >= c && bb.getNorth() >= d; }""",
                           [float(minx), float(miny), float(maxx), float(maxy)])
    assert inside, "the scenario map cuts off part of the region"
    x, y, _gap = page.evaluate(_EMPTY_SPOT, ["sc-map"])
    page.mouse.click(x, y)
    lonlat = page.evaluate("""([x, y]) => { const gd = document.querySelector('#sc-map .js-plotly-plot');
        const m = gd._fullLayout.map._subplot.map; const r = m.getCanvas().getBoundingClientRect();
        const p = m.unproject([x - r.left, y - r.top]); return [p.lng, p.lat]; }""", [x, y])
    page.wait_for_function("() => document.querySelector('#act-lon').value !== ''", timeout=TIMEOUT)
    got = (float(page.locator("#act-lon").input_value()), float(page.locator("#act-lat").input_value()))
    assert got == pytest.approx(lonlat, abs=1e-5)


def test_language_switch_keeps_page_scenario_and_map(page: Page, live_server, console_errors):
    page.goto(live_server)
    _settle(page, "map")
    page.evaluate("() => { window.__kept = 42; }")
    page.locator("#threshold").fill("45")
    page.locator("#threshold").press("Enter")
    expect(page.locator("#kpis")).to_contain_text("45 分钟", timeout=TIMEOUT)
    navigations = page.evaluate("() => performance.getEntriesByType('navigation').length")
    page.get_by_text("English", exact=True).click()
    expect(page.locator("#title")).to_have_text("Junheng · school network planning", timeout=TIMEOUT)
    assert page.evaluate("() => window.__kept") == 42, "the page was reloaded"
    assert page.evaluate("() => performance.getEntriesByType('navigation').length") == navigations
    expect(page.locator("#threshold")).to_have_value("45", timeout=TIMEOUT)
    expect(page.locator("#kpis")).to_contain_text("45 min", timeout=TIMEOUT)
    _settle(page, "map")
    # the map's texts follow the language
    expect(page.locator("#map .legend")).to_contain_text("Roads", timeout=TIMEOUT)
    expect(page.locator("#map .annotation-text")).to_contain_text("OpenStreetMap", timeout=TIMEOUT)
    expect(page.locator("#map .annotation-text")).to_contain_text("demo data", timeout=TIMEOUT)
    page.get_by_text("Consolidation scenarios", exact=True).first.click()
    expect(page.locator("#sc-name")).to_have_value("Scenario 1", timeout=TIMEOUT)
    assert "lang=en" in page.url


def test_updates_after_first_load_are_small(page: Page, live_server, console_errors):
    responses: list = []

    lines: list[str] = []

    def record(response) -> None:
        if "_dash-update-component" in response.url:
            responses.append(response)
        elif "/_junheng/lines/" in response.url:
            lines.append(response.url)

    def sizes() -> list[tuple[str, int]]:  # read the bodies outside the event handler
        return [((r.request.post_data or "")[:160], len(r.body())) for r in responses]

    page.on("response", record)
    page.goto(live_server)
    _settle(page, "map")
    page.wait_for_timeout(1000)
    first = sum(n for _, n in sizes())
    assert 10_000 < first <= 2_000_000, f"first load sent {first} bytes"
    # the roads and boundaries came as their own files (kept by the browser), not inside the figures
    assert {u.rsplit("/", 1)[-1] for u in lines} == {"roads.geojson", "districts.geojson"}, lines
    fetched = len(lines)
    responses.clear()
    page.locator("#threshold").fill("40")
    page.locator("#threshold").press("Enter")
    expect(page.locator("#kpis")).to_contain_text("40 分钟", timeout=TIMEOUT)
    page.get_by_text("学校服务范围", exact=True).click()
    page.wait_for_timeout(3000)
    page.get_by_text("学校服务范围", exact=True).click()
    page.get_by_text("步行等时圈", exact=False).first.click()
    page.wait_for_timeout(3000)
    row = next(_big_schools(n=1).itertuples())
    click_lonlat(page, "map", row.geometry.x, row.geometry.y)
    expect(page.locator("#detail")).to_contain_text(row.name, timeout=TIMEOUT)
    page.wait_for_timeout(1000)
    updates = sizes()
    assert len(updates) >= 3, updates
    assert len(lines) == fetched, "a control change fetched the road or boundary file again"
    worst = max(updates, key=lambda s: s[1])
    assert worst[1] <= MAX_UPDATE_BYTES, f"{worst[1]} bytes for {worst[0]}"

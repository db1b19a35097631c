"""Real-browser tests: Playwright drives Debian's chromium against the live dashboard."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser
TIMEOUT = 60_000


def _open(page: Page, url: str) -> None:
    page.goto(url)
    expect(page.locator(".kpi").first).to_be_visible(timeout=TIMEOUT)
    expect(page.locator("#map .maplibregl-canvas, #map canvas").first).to_be_visible(timeout=TIMEOUT)


def _kpi_text(page: Page) -> str:
    return page.locator("#kpis").inner_text()


def _enter_threshold(page: Page, value: str) -> None:
    box = page.locator("#threshold")
    box.fill(value)
    box.press("Enter")


def test_page_loads_with_map_kpis_and_demo_badge(page: Page, live_server, console_errors):
    _open(page, live_server)
    expect(page.locator("h1")).to_have_text("均衡 · 义务教育学校布局规划")
    expect(page.locator("#demo-badge")).to_have_text("演示数据")
    expect(page.locator("#kpis")).to_contain_text("30 分钟内可达学生占比")
    expect(page.locator("#kpis")).to_contain_text(re.compile(r"\d+\.\d %"))
    expect(page.get_by_text("© OpenStreetMap contributors").first).to_be_visible()
    expect(page.locator("#worst-table .ag-row").first).to_be_visible()


def test_changing_threshold_and_mode_changes_kpis(page: Page, live_server, console_errors):
    _open(page, live_server)
    before = _kpi_text(page)
    _enter_threshold(page, "60")
    expect(page.locator("#kpis")).to_contain_text("60 分钟内可达学生占比", timeout=TIMEOUT)
    after_threshold = _kpi_text(page)
    assert after_threshold != before
    page.locator("#mode").click()
    page.get_by_text("校车", exact=True).click()
    expect(page.locator("#kpis")).not_to_have_text(after_threshold, timeout=TIMEOUT)


def test_invalid_threshold_shows_message(page: Page, live_server, console_errors):
    _open(page, live_server)
    _enter_threshold(page, "-5")
    expect(page.locator("#threshold-error")).to_contain_text("1 到 240", timeout=TIMEOUT)


def test_language_switch_changes_labels_and_keeps_choices(page: Page, live_server, console_errors):
    _open(page, live_server)
    _enter_threshold(page, "45")
    expect(page.locator("#kpis")).to_contain_text("45 分钟内可达学生占比", timeout=TIMEOUT)
    page.get_by_text("English", exact=True).click()
    expect(page.locator("h1")).to_have_text("Junheng · school network planning", timeout=TIMEOUT)
    expect(page.locator("#kpis")).to_contain_text("Children within 45 min", timeout=TIMEOUT)
    expect(page.get_by_text("Consolidation scenarios", exact=True)).to_be_visible()
    expect(page.locator("#demo-badge")).to_have_text("demo data")
    page.get_by_text("中文", exact=True).click()
    expect(page.locator("h1")).to_have_text("均衡 · 义务教育学校布局规划", timeout=TIMEOUT)

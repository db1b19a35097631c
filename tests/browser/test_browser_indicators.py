"""Real-browser test of the indicators tab: a closure in a scenario changes the CVs; XLSX downloads."""
from __future__ import annotations

import openpyxl
import pytest
from playwright.sync_api import Page, expect

from geo.region.region import load_region

pytestmark = pytest.mark.browser
TIMEOUT = 60_000


def _cv_bars(page: Page) -> str:
    return page.evaluate("""() => JSON.stringify(document.querySelector('#ind-cv .js-plotly-plot').data.map(t => [t.name, t.x]))""")


def test_indicators_follow_the_scenario_and_download(page: Page, live_server, console_errors, tmp_path):
    schools = load_region("demo").schools
    big = schools[schools["level"] == "primary"].sort_values("students")["name"].iloc[-2]
    page.goto(live_server)
    page.get_by_text("优质均衡指标", exact=True).click()
    expect(page.locator("#ind-table .ag-row").first).to_be_visible(timeout=TIMEOUT)
    expect(page.locator("#ind-summary")).to_contain_text("现状")
    before = _cv_bars(page)
    # close a large primary school in the scenarios tab
    page.get_by_text("布局调整方案", exact=True).click()
    page.locator("#act-school").click()
    page.locator("input.dash-dropdown-search").fill(big)
    page.get_by_role("option").filter(has_text=big).first.click()
    page.get_by_role("button", name="添加措施").click()
    expect(page.locator("#actions-list")).to_contain_text(big, timeout=TIMEOUT)
    page.get_by_text("优质均衡指标", exact=True).click()
    page.wait_for_function("(before) => JSON.stringify(document.querySelector('#ind-cv .js-plotly-plot').data.map(t => [t.name, t.x])) !== before",
                           arg=before, timeout=TIMEOUT)
    with page.expect_download() as info:
        page.get_by_role("button", name="下载指标 XLSX").click()
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    assert path.name.endswith(".xlsx") and "indicators" in path.name
    book = openpyxl.load_workbook(path)
    assert "差异系数" in book.sheetnames

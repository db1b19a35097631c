"""Real-browser test of the scenarios tab: close schools, see KPIs and the impact table change."""
from __future__ import annotations

import json
import re

import pytest
from maphelp import click_lonlat
from playwright.sync_api import Page, expect

from geo.planning.scenario import ScenarioModel
from geo.region.region import load_region

pytestmark = pytest.mark.browser
TIMEOUT = 60_000


def _small_schools(n: int) -> list[str]:
    """Names of the n open schools with the fewest pupils (but some) in the demo baseline."""
    base = ScenarioModel.from_region(load_region("demo")).baseline.schools
    used = base[base["seats_used"] > 0].sort_values(["seats_used", "school_id"])
    return used["name"].head(n).tolist()


def _kpi_cell(page: Page, label: str, column: int) -> str:
    row = page.locator("#sc-kpi tr", has_text=label).first
    return row.locator("td").nth(column).inner_text()


def _choose(page: Page, dropdown_id: str, text: str) -> None:
    """Pick the option containing ``text`` in a Dash 4 dropdown (search box in a popover)."""
    page.locator(f"#{dropdown_id}").click()
    page.locator("input.dash-dropdown-search").fill(text)
    page.get_by_role("option").filter(has_text=text).first.click()
    expect(page.locator(f"#{dropdown_id}")).to_contain_text(text)


def test_close_schools_changes_kpis_and_lists_affected_villages(page: Page, live_server, console_errors, tmp_path):
    names = _small_schools(2)
    page.goto(live_server)
    page.get_by_text("布局调整方案", exact=True).click()
    expect(page.locator("#sc-kpi tr", has_text="学校数")).to_be_visible(timeout=TIMEOUT)
    before = int(_kpi_cell(page, "学校数", 2))
    for name in names:
        _choose(page, "act-school", name)
        page.get_by_role("button", name="添加措施").click()
        expect(page.locator("#actions-list")).to_contain_text(f"撤销 {name}", timeout=TIMEOUT)
    expect(page.locator("#sc-kpi tr", has_text="学校数").locator("td").nth(2)).to_have_text(str(before - 2), timeout=TIMEOUT)
    assert int(_kpi_cell(page, "学校数", 1)) == before  # the baseline column is unchanged
    rows = page.locator("#sc-impact .ag-row")
    expect(rows.first).to_be_visible(timeout=TIMEOUT)
    assert rows.count() >= 1
    # the impact table can be downloaded as CSV with a BOM and Chinese headers
    with page.expect_download() as info:
        page.get_by_role("button", name="下载影响表 CSV").click()
    path = tmp_path / "impact.csv"
    info.value.save_as(path)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("村庄,年级段")
    assert len(text.splitlines()) == rows.count() + 1
    # the scenario downloads as JSON with the two close actions
    with page.expect_download() as info:
        page.get_by_role("button", name="下载方案 JSON").click()
    scenario = json.loads(open(info.value.path(), encoding="utf-8").read())
    assert [a["type"] for a in scenario["actions"]] == ["close", "close"]


def test_scenario_manager_new_duplicate_rename_delete(page: Page, live_server, console_errors):
    page.goto(live_server)
    page.get_by_text("布局调整方案", exact=True).click()
    expect(page.locator("#sc-name")).to_have_value(re.compile("方案"), timeout=TIMEOUT)
    page.get_by_role("button", name="新建").click()
    expect(page.locator("#sc-name")).to_have_value("方案2", timeout=TIMEOUT)
    page.locator("#sc-name").fill("东部撤并")
    page.get_by_role("button", name="✎").click()
    expect(page.locator("#sc-select")).to_contain_text("东部撤并", timeout=TIMEOUT)
    page.get_by_role("button", name="复制").click()
    expect(page.locator("#sc-name")).to_have_value("东部撤并（副本）", timeout=TIMEOUT)
    page.get_by_role("button", name="删除").click()
    expect(page.locator("#sc-name")).not_to_have_value("东部撤并（副本）", timeout=TIMEOUT)




def test_close_a_school_by_clicking_it_on_the_map(page: Page, live_server, console_errors):
    base = ScenarioModel.from_region(load_region("demo")).baseline.schools
    school = base[base["seats_used"] > 0].sort_values(["seats_used", "school_id"]).iloc[0]
    page.goto(live_server)
    page.get_by_text("布局调整方案", exact=True).click()
    expect(page.locator("#sc-kpi tr", has_text="学校数")).to_be_visible(timeout=TIMEOUT)
    page.wait_for_timeout(1500)  # let the map settle at its initial view
    field = page.locator("#act-school")
    for _ in range(4):  # the map may still re-fit its view after the first render: aim again if a click missed
        click_lonlat(page, "sc-map", float(school["lon"]), float(school["lat"]))
        page.wait_for_timeout(3000)
        if school["name"] in field.inner_text():
            break
    expect(field).to_contain_text(school["name"], timeout=TIMEOUT)
    page.get_by_role("button", name="添加措施").click()
    expect(page.locator("#actions-list")).to_contain_text(f"撤销 {school['name']}", timeout=TIMEOUT)
    expect(page.locator("#sc-impact .ag-row").first).to_be_visible(timeout=TIMEOUT)

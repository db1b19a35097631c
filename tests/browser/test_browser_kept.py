"""Real-browser tests of kept scenarios: saved in the browser's localStorage, and uploads checked before they are accepted."""
from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import Browser, Page, expect

from geo.planning.scenario import ScenarioModel
from geo.region.region import load_region

pytestmark = pytest.mark.browser
TIMEOUT = 60_000


def _small_school() -> str:
    """Name of the open school with the fewest pupils (but some) in the demo baseline."""
    base = ScenarioModel.from_region(load_region("demo")).baseline.schools
    return base[base["seats_used"] > 0].sort_values(["seats_used", "school_id"])["name"].iloc[0]


def _open_scenarios(page: Page, url: str) -> None:
    page.set_default_timeout(TIMEOUT)  # a busy 2-core machine draws the first map slowly
    page.goto(url)
    expect(page.locator("#map .maplibregl-canvas, #map canvas").first).to_be_visible(timeout=2 * TIMEOUT)
    page.get_by_text("布局调整方案", exact=True).click()
    expect(page.locator("#sc-name")).to_be_visible(timeout=TIMEOUT)
    expect(page.locator("#sc-name")).to_have_value(re.compile(r"\S"), timeout=TIMEOUT)


def _choose(page: Page, dropdown_id: str, text: str) -> None:
    """Pick the option containing ``text`` in a Dash 4 dropdown (search box in a popover)."""
    page.locator(f"#{dropdown_id}").click()
    page.locator("input.dash-dropdown-search").fill(text)
    page.get_by_role("option").filter(has_text=text).first.click()
    expect(page.locator(f"#{dropdown_id}")).to_contain_text(text)


def test_scenario_kept_in_a_new_browser_context_with_the_same_storage(page: Page, browser: Browser, live_server, console_errors):
    name = _small_school()
    _open_scenarios(page, live_server)
    page.locator("#sc-name").fill("东部撤并")
    page.get_by_role("button", name="✎").click()
    expect(page.locator("#sc-select")).to_contain_text("东部撤并", timeout=TIMEOUT)
    _choose(page, "act-school", name)
    page.get_by_role("button", name="添加措施").click()
    expect(page.locator("#actions-list")).to_contain_text(f"撤销 {name}", timeout=TIMEOUT)
    expect(page.locator("#sc-saved")).to_have_text(re.compile(r"^已保存到本浏览器 · \d\d:\d\d$"), timeout=TIMEOUT)
    state = page.context.storage_state()
    assert any(o["origin"] == live_server for o in state["origins"])

    # a new browser (context) with the same storage, e.g. after a restart: the scenario and its action are there
    other = browser.new_context(storage_state=state)
    try:
        errors: list[str] = []
        fresh = other.new_page()
        fresh.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
        fresh.on("pageerror", lambda exc: errors.append(str(exc)))
        _open_scenarios(fresh, live_server)
        expect(fresh.locator("#sc-name")).to_have_value("东部撤并", timeout=TIMEOUT)
        expect(fresh.locator("#actions-list")).to_contain_text(f"撤销 {name}", timeout=TIMEOUT)
        expect(fresh.locator("#sc-saved")).to_have_text(re.compile(r"^已保存到本浏览器 · \d\d:\d\d$"), timeout=TIMEOUT)
        # Save downloads every scenario as one file
        with fresh.expect_download() as info:
            fresh.get_by_role("button", name=re.compile("^保存")).click()
        saved = json.loads(open(info.value.path(), encoding="utf-8").read())
        assert [s["name"] for s in saved["scenarios"]] == ["东部撤并"]
        assert saved["scenarios"][0]["actions"][0]["type"] == "close"
        assert not errors, errors
    finally:
        other.close()


def test_upload_naming_an_unknown_school_is_refused_in_chinese(page: Page, live_server, console_errors):
    _open_scenarios(page, live_server)
    expect(page.locator("#sc-saved")).to_contain_text("已保存到本浏览器", timeout=TIMEOUT)
    before = page.locator("#sc-select").inner_text()
    bad = {"name": "坏方案", "actions": [{"type": "merge", "school_id": "NOPE42", "into": "NOPE43"}]}
    page.locator("#sc-upload input[type=file]").set_input_files(
        files=[{"name": "bad.json", "mimeType": "application/json", "buffer": json.dumps(bad, ensure_ascii=False).encode()}]
    )
    msg = page.locator("#act-msg")
    expect(msg).to_contain_text("未载入 bad.json", timeout=TIMEOUT)
    text = msg.inner_text()
    assert "第 1 项措施" in text and "NOPE42" in text and "本区域的学校有" in text
    assert not re.search(r"\b(unknown|action|school_id|not loaded)\b", text), text
    # the scenario list is unchanged: still only the first scenario
    assert page.locator("#sc-select").inner_text() == before
    page.locator("#sc-select").click()
    expect(page.get_by_role("option").filter(has_text="方案1")).to_have_count(1)
    expect(page.get_by_role("option").filter(has_text="坏方案")).to_have_count(0)

"""Real-browser test of the Chinese page's messages: checks, form and rule errors are Chinese and name schools and villages.

Closing the demo's two largest schools breaks the build-before-close rule and leaves children unplaced;
every check shown must contain Chinese and no raw school or village id (ids are in the tooltips only).
An incomplete action and an emptied rule must be explained in Chinese, naming the field (never
``target`` or ``None``).
"""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from geo.planning.scenario import ScenarioModel
from geo.region.region import load_region
from layers.i18n import t

pytestmark = pytest.mark.browser
TIMEOUT = 120_000
CJK = re.compile(r"[\u4e00-\u9fff]")
#: A demo school (Sw…, Sn…, Sr…) or village (V…) id standing on its own.
RAW_ID = re.compile(r"(?<![A-Za-z0-9])(?:S[nwr]|V)\d{3,}(?![0-9])")


def _largest_schools(n: int) -> list[str]:
    """Names of the n schools with the most pupils in the demo baseline."""
    base = ScenarioModel.from_region(load_region("demo")).baseline.schools
    return base.sort_values(["seats_used", "school_id"], ascending=False)["name"].head(n).tolist()


def _choose(page: Page, dropdown_id: str, text: str) -> None:
    """Pick the option containing ``text`` in a Dash 4 dropdown (search box in a popover)."""
    page.locator(f"#{dropdown_id}").click()
    search = page.locator("input.dash-dropdown-search")
    if search.count():
        search.fill(text)
    page.get_by_role("option").filter(has_text=text).first.click(timeout=TIMEOUT)
    expect(page.locator(f"#{dropdown_id}")).to_contain_text(text)


def _assert_chinese_without_ids(texts: list[str], what: str) -> None:
    assert texts, f"no {what} shown: nothing to check"
    for text in texts:
        assert CJK.search(text), f"{what} without Chinese: {text!r}"
        assert not RAW_ID.search(text), f"{what} shows a raw id: {text!r}"


def test_chinese_page_shows_checks_and_errors_in_chinese_with_names(page: Page, live_server, console_errors):
    page.goto(live_server)
    page.get_by_text("布局调整方案", exact=True).click()
    # the demo today: two grade 1–3 bus rides beyond the 30-minute trip cap, in Chinese with names and the source
    expect(page.locator("#sc-violations")).to_contain_text(t("rule_trip_cap", "zh"), timeout=TIMEOUT)
    expect(page.locator("#sc-violations")).to_contain_text("国办发〔2018〕27号", timeout=TIMEOUT)
    _assert_chinese_without_ids(page.locator("#sc-violations li").all_inner_texts(), "trip check")

    # an incomplete action names the missing field in Chinese
    _choose(page, "act-type", t("action_merge", "zh"))
    page.get_by_role("button", name="添加措施").click()
    expect(page.locator("#act-msg")).to_contain_text(t("field_into", "zh"), timeout=TIMEOUT)
    form_message = page.locator("#act-msg").inner_text()
    assert "target" not in form_message and "school" not in form_message, form_message

    # closing the two largest schools: every check is Chinese and names schools and villages
    _choose(page, "act-type", t("action_close", "zh"))
    for name in _largest_schools(2):
        _choose(page, "act-school", name)
        page.get_by_role("button", name="添加措施").click()
        expect(page.locator("#actions-list")).to_contain_text(f"撤销 {name}", timeout=TIMEOUT)
    items = page.locator("#sc-violations li")
    expect(items.first).to_be_visible(timeout=TIMEOUT)
    expect(page.locator("#sc-violations")).to_contain_text(t("rule_build_before_close", "zh"), timeout=TIMEOUT)
    texts = items.all_inner_texts()
    _assert_chinese_without_ids(texts, "check")
    assert any(t("rule_unplaced", "zh") in x for x in texts), texts
    titles = [items.nth(i).get_attribute("title") or "" for i in range(min(items.count(), 20))]
    assert all(RAW_ID.search(title) for title in titles), titles  # the ids are in the tooltips
    assert not any(w in " ".join(texts) for w in ("closing", "children", "cannot be placed", "g1_3", "rsn_"))

    # an emptied rule is explained in Chinese, the empty value named as such (never "None")
    rule = page.locator(".rule-input input").first
    page.get_by_text(t("rules", "zh")).click()
    rule.fill("")
    rule.press("Enter")
    expect(page.locator("#rules-msg")).to_contain_text("规则有误", timeout=TIMEOUT)
    rule_message = page.locator("#rules-msg").inner_text()
    _assert_chinese_without_ids([rule_message], "rule error")
    assert "None" not in rule_message and "walk_minutes" not in rule_message and "空" in rule_message, rule_message
    assert not console_errors

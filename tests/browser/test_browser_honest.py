"""Real-browser tests of honest views: the indicators page names failing CVs with values and limits and says why a
school fails (Chinese, then English); the import check of a 600-row file draws one page of problems quickly and its
callback response stays small."""
from __future__ import annotations

import random
import re
import time

import pandas as pd
import pytest
from playwright.sync_api import Page, expect

from geo.indicators.evaluate import evaluate
from geo.indicators.standards import INDICATORS
from geo.region.region import load_region

pytestmark = pytest.mark.browser
TIMEOUT = 60_000
#: The import check's largest callback response allowed, bytes.
MAX_CHECK_BYTES = 300_000


def _failing_cv_names(lang: str) -> list[str]:
    """The demo baseline's CVs over their limit, as the page names them (independently of the page)."""
    result = evaluate(pd.DataFrame(load_region("demo").schools.drop(columns="geometry")), skip_empty=True)
    labels = {i.key: i.label_zh if lang == "zh" else i.label_en for i in INDICATORS}
    return [labels[key] for level in ("primary", "junior") for key, ok in result.cv_pass[level].items() if ok is False]


def _check_page(page: Page, lang: str) -> None:
    words = {"zh": ("差异系数未达标：", "≤ 0.50", "≤ 0.45", "否", "85 %"),
             "en": ("CVs over their limits:", "≤ 0.50", "≤ 0.45", "no", "85 %")}[lang]
    fail_line, primary_limit, junior_limit, no, floor = words
    summary = page.locator("#ind-summary")
    expect(summary).to_contain_text(fail_line, timeout=TIMEOUT)
    names = _failing_cv_names(lang)
    assert names, "the demo region has a CV over its limit"
    for name in names:
        expect(summary).to_contain_text(name)
    assert re.search(r"\d\.\d\d > 0\.\d\d", summary.inner_text())
    table = page.locator("#ind-cv-table")
    expect(table).to_contain_text(primary_limit)
    expect(table).to_contain_text(junior_limit)
    cv_cells = table.locator(".ag-cell.num").all_inner_texts()
    assert sum(bool(re.fullmatch(r"\d\.\d{3}", c)) for c in cv_cells) >= len(INDICATORS) * 2
    assert table.locator(".ag-cell.fail").count() >= 1 and table.locator(".ag-cell.pass").count() >= 1
    # every failing school says why; at least one because of the 85 % floor
    rows = page.locator("#ind-table .ag-row")
    expect(rows.first).to_be_visible(timeout=TIMEOUT)
    failing = rows.filter(has=page.locator(".ag-cell.fail"))
    assert failing.count() >= 1
    reasons = failing.locator(".ag-cell.reason").all_inner_texts()
    assert len(reasons) == failing.count() and all(r.strip() for r in reasons)
    assert any(floor in r for r in reasons), reasons
    assert all(no == c for c in failing.locator(".ag-cell.fail").all_inner_texts())


def test_indicators_page_names_failing_cvs_and_school_reasons_in_both_languages(page: Page, live_server, console_errors):
    page.set_viewport_size({"width": 1440, "height": 960})
    page.goto(live_server)
    page.get_by_text("优质均衡指标", exact=True).click()
    _check_page(page, "zh")
    page.locator("#lang").get_by_text("English", exact=True).click()
    expect(page.locator("#ind-summary")).to_contain_text("Baseline", timeout=TIMEOUT)
    _check_page(page, "en")


def _schools_600(path) -> int:
    """Write a 600-row school list for the demo region (Andorra) with a bad value in every other row; return its rows."""
    rng = random.Random(12)
    lines = ["学校代码,学校名称,学段,城乡,1-3年级在校生数,4-6年级在校生数,7-9年级在校生数,学位数,经度,纬度"]
    for i in range(600):
        lon, lat = 1.45 + rng.random() * 0.3, 42.45 + rng.random() * 0.15
        g13, g46, g79, level = rng.randint(5, 90), rng.randint(5, 90), rng.randint(0, 90), rng.choice(["小学", "初中", "九年一贯制"])
        kind = i % 10
        if kind == 1:
            g46 = -3
        elif kind == 3:
            level = "幼儿园"
        elif kind == 5:
            lon, lat = 116.4, 39.9
        elif kind == 7:
            g13 = "abc"
        lines.append(f"S{i:04d},第{i}学校,{level},乡村,{g13},{g46},{g79},{rng.randint(100, 400)},{lon},{lat}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return 600


def test_import_check_of_600_rows_draws_one_page_quickly_and_sends_little(page: Page, live_server, console_errors, tmp_path):
    path = tmp_path / "schools_600.csv"
    _schools_600(path)
    sizes: list[int] = []

    def is_check(response) -> bool:
        return "_dash-update-component" in response.url and "imp-report" in (response.request.post_data or "")

    page.set_viewport_size({"width": 1440, "height": 960})
    page.goto(live_server)
    # measure after the page's first load (every tab's figures) has finished
    page.wait_for_function("() => { const m = document.querySelector('#map .js-plotly-plot'); return m && m.data && m.data.length > 0; }",
                           timeout=3 * TIMEOUT)
    page.get_by_text("导入数据", exact=True).click(timeout=TIMEOUT)
    expect(page.locator("#imp-upload input[type=file]")).to_be_attached(timeout=TIMEOUT)
    page.locator("#imp-upload input[type=file]").set_input_files(str(path), timeout=TIMEOUT)
    expect(page.locator("#imp-file")).to_contain_text(path.name, timeout=TIMEOUT)
    expect(page.locator(".mapping-row", has_text="经度")).to_contain_text("lon", timeout=TIMEOUT)
    times = []
    for _ in range(3):
        started = time.perf_counter()
        with page.expect_response(is_check, timeout=TIMEOUT) as info:
            page.get_by_role("button", name="检查并预览").click()
        expect(page.locator("#imp-report")).to_contain_text("行有问题", timeout=TIMEOUT)
        expect(page.locator("#imp-table tbody tr").first).to_be_visible(timeout=TIMEOUT)
        # the response is drawn: two animation frames after the table shows
        page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
        times.append(time.perf_counter() - started)
        sizes.append(len(info.value.body()))
        assert sizes[-1] < MAX_CHECK_BYTES, f"check response {sizes[-1]:,} bytes"
    check = sizes
    drawn = page.locator("#imp-table tbody tr").count()
    assert 0 < drawn <= 50
    print(f"\nimport check of 600 rows: click-to-visible {', '.join(f'{s:.2f}' for s in times)} s; "
          f"largest check response {max(check):,} bytes; rows drawn {drawn}")
    # the first check draws its page of problems within seconds even on a loaded 2-core machine (it froze the page
    # 32-42 s before paging); later checks of the same file are slower in the browser (see the issue 12 notes)
    assert times[0] < 8.0
    # the next page comes quickly too
    started = time.perf_counter()
    first = page.locator("#imp-table tbody tr").first.inner_text()
    page.locator("#imp-page-next").click()
    page.wait_for_function("(first) => document.querySelector('#imp-table tbody tr').innerText !== first", arg=first,
                           timeout=TIMEOUT)
    print(f"next page: {time.perf_counter() - started:.2f} s")

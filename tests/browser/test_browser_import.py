"""Real-browser test of the import tab: a CSV with Chinese headers shows its schools on the map."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser
TIMEOUT = 60_000
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "import"


def _upload(page: Page, name: str) -> None:
    page.locator("#imp-upload input[type=file]").set_input_files(str(FIXTURES / name))
    expect(page.locator("#imp-file")).to_contain_text(name, timeout=TIMEOUT)


def test_upload_csv_with_chinese_headers_shows_schools(page: Page, live_server, console_errors, tmp_path):
    rows = pd.read_csv(FIXTURES / "schools_ok.csv")
    page.goto(live_server)
    page.get_by_text("导入数据", exact=True).click()
    _upload(page, "schools_ok.csv")
    # the mapping form recognised the Chinese headers
    expect(page.locator(".mapping-row", has_text="学校名称")).to_contain_text("name", timeout=TIMEOUT)
    expect(page.locator(".mapping-row", has_text="经度")).to_contain_text("lon")
    page.get_by_role("button", name="检查并预览").click()
    expect(page.locator("#imp-report")).to_contain_text(f"全部 {len(rows)} 行检查通过", timeout=TIMEOUT)
    points = page.evaluate("""() => document.querySelector('#imp-preview .js-plotly-plot').data
                                   .filter(t => t.name === '学校').map(t => t.text)""")
    assert sorted(points[0]) == sorted(rows["学校名称"])


def test_upload_with_problems_lists_them_and_downloads_csv(page: Page, live_server, console_errors, tmp_path):
    page.goto(live_server)
    page.get_by_text("导入数据", exact=True).click()
    _upload(page, "schools_negative_count.csv")
    page.get_by_role("button", name="检查并预览").click()
    report = page.locator("#imp-report")
    expect(report).to_contain_text("1 行有问题", timeout=TIMEOUT)
    expect(report.locator("tbody tr").first).to_contain_text("4-6年级在校生数")
    expect(report.locator("tbody tr").first).to_contain_text("-3")
    with page.expect_download(timeout=TIMEOUT) as info:
        page.get_by_role("button", name="下载问题清单 CSV").click()
    raw = Path(info.value.path()).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    lines = raw.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("文件,行号,列,值") and len(lines) == 2


def test_save_as_region_and_open_it(page: Page, live_server, console_errors, tmp_path, monkeypatch):
    import geo.region.region

    monkeypatch.setattr(geo.region.region, "REGIONS_DIR", tmp_path / "regions")
    page.goto(live_server)
    page.get_by_text("导入数据", exact=True).click()
    _upload(page, "schools_ok.csv")
    page.locator("#imp-save-name").fill("测试县")
    page.get_by_role("button", name="保存区域").click()
    expect(page.locator("#imp-save-msg")).to_contain_text("已保存区域“测试县”", timeout=TIMEOUT)
    assert (tmp_path / "regions" / "测试县" / "region.toml").is_file()
    page.locator("#region-picker").click()
    page.get_by_role("option").filter(has_text="测试县").first.click()
    expect(page.locator(".region")).to_contain_text("测试县", timeout=TIMEOUT)
    # the access page works on the new region: its schools are the four imported ones
    page.get_by_text("通学可达性", exact=True).click()
    expect(page.locator("#kpis")).to_contain_text("分钟内可达学生占比", timeout=TIMEOUT)
    names = page.evaluate("""() => document.querySelector('#map .js-plotly-plot').data
                                  .filter(t => (t.name || '').startsWith('学校')).flatMap(t => t.text)""")
    assert len(names) == len(pd.read_csv(FIXTURES / "schools_ok.csv"))

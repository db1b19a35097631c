"""Real-browser tests of the import tab: a CSV with Chinese headers shows its schools on the map; values not understood are mapped in the form."""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser
TIMEOUT = 60_000
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "import"
#: The dashboard tests' own fixture: a school list with level and urban/rural values the import does not know.
LEVEL_WORDS = Path(__file__).resolve().parents[1] / "dashboard" / "fixtures" / "schools_level_words.csv"


def _upload(page: Page, name: str | Path) -> None:
    path = name if isinstance(name, Path) else FIXTURES / name
    page.locator("#imp-upload input[type=file]").set_input_files(str(path))
    expect(page.locator("#imp-file")).to_contain_text(path.name, timeout=TIMEOUT)


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
    first = page.locator("#imp-table tbody tr").first
    expect(first).to_contain_text("4-6年级在校生数")
    expect(first).to_contain_text("-3")
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


def test_values_not_understood_are_mapped_in_the_form_and_downloaded(page: Page, live_server, console_errors):
    page.goto(live_server)
    page.get_by_text("导入数据", exact=True).click()
    _upload(page, LEVEL_WORDS)
    page.get_by_role("button", name="检查并预览").click()
    report = page.locator("#imp-report")
    expect(report).to_contain_text("3 行有问题", timeout=TIMEOUT)
    for value, meaning in (("复式班", "小学"), ("城乡结合部", "城镇")):
        row = page.locator(".value-row", has_text=value)
        expect(row).to_contain_text("请选择含义", timeout=TIMEOUT)
        row.locator(".dd").click()
        page.get_by_role("option").filter(has_text=meaning).first.click()
        expect(row).to_contain_text(meaning)
    page.get_by_role("button", name="检查并预览").click()
    expect(report).to_contain_text("全部 4 行检查通过", timeout=TIMEOUT)
    expect(page.locator(".value-row", has_text="复式班")).to_contain_text("小学")  # the choice stays in the form
    with page.expect_download(timeout=TIMEOUT) as info:
        page.get_by_role("button", name="下载字段对应 JSON").click()
    mapping = json.loads(Path(info.value.path()).read_text(encoding="utf-8"))
    assert mapping["values"] == {"level": {"复式班": "primary"}, "urban_rural": {"城乡结合部": "urban"}}
    assert mapping["columns"]["学段"] == "level"

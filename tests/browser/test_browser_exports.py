"""Real-browser test of the export bar: a GeoJSON and a map image downloaded through the dashboard."""
from __future__ import annotations

import io
import json
import re

import geopandas as gpd
import pytest
from PIL import Image
from playwright.sync_api import Page, expect

from geo.region.region import load_region

pytestmark = pytest.mark.browser
TIMEOUT = 90_000


def _download(page: Page, button: str, tmp_path):
    with page.expect_download(timeout=TIMEOUT) as info:
        page.get_by_role("button", name=button).first.click()
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    return path


def test_download_geojson_and_map_image(page: Page, live_server, console_errors, tmp_path):
    page.goto(live_server)
    expect(page.locator(".kpi").first).to_be_visible(timeout=TIMEOUT)
    geojson = _download(page, "下载图层与表格", tmp_path)
    assert re.fullmatch(r"junheng_demo_baseline_villages_\d{4}-\d{2}-\d{2}\.geojson", geojson.name)
    doc = json.loads(geojson.read_text(encoding="utf-8"))
    assert "crs" not in doc
    villages = gpd.read_file(geojson)
    region = load_region("demo")
    assert sorted(villages["village_id"]) == sorted(region.villages["village_id"])
    # the minutes are the dashboard's: the worst-served village in the table is the slowest in the file
    worst = page.locator("#worst-table .ag-row[row-index='0'] .ag-cell[col-id=c1]").inner_text().removesuffix(" ⚠").strip()
    slowest = villages.sort_values("access_minutes", ascending=False)["name"].iloc[0]
    assert worst == slowest
    image = _download(page, "导出地图", tmp_path)
    assert re.fullmatch(r"junheng_demo_baseline_map_a4_\d{4}-\d{2}-\d{2}\.png", image.name)
    with Image.open(io.BytesIO(image.read_bytes())) as im:
        assert im.size == (3508, 2480)
        assert len(im.convert("RGB").resize((300, 212)).getcolors(1 << 16) or []) > 50

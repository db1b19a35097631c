"""Print-quality map images and the scenario report (geo.export.mapimage, .mapdraw, .printkit, .report; ``python -m geo export map|report``)."""
from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
import warnings
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from geo.export import printkit
from geo.export.mapdraw import draw_map, region_metric_crs, village_catchments
from geo.export.mapimage import render_map
from geo.export.printkit import MapFontError, nice_ceiling, nice_length, print_context
from geo.export.report import build_report, page_count, report_figures, scenario_indicators
from geo.export.reporttext import violation_rows
from geo.planning.results import result_layers
from geo.planning.scenario import Scenario
from geo.region.region import load_region

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = {
    "name": "恩坎普小学撤并",
    "actions": [
        {"type": "close", "school_id": "Sw1144343737"},
        {"type": "merge", "school_id": "Sw1052205127", "into": "Sw1052203196"},
        {"type": "open", "lon": 1.60, "lat": 42.545, "level": "primary", "seats": 900, "name": "恩坎普新区小学"},
    ],
}
A4_PT = (841.89, 595.28)  # landscape, points


@pytest.fixture(scope="module")
def region():
    return load_region("demo")


@pytest.fixture(scope="module")
def layers(region):
    return result_layers(region)


@pytest.fixture(scope="module")
def scenario_layers(region):
    return result_layers(region, scenario=Scenario.from_dict(SCENARIO))


def _png(data: bytes) -> Image.Image:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return Image.open(io.BytesIO(data)).convert("RGB")


def _not_blank(im: Image.Image) -> None:
    colours = im.getcolors(maxcolors=1 << 24)
    assert len(colours) > 200, f"only {len(colours)} distinct colours"
    w, h = im.size
    centre = np.asarray(im.crop((int(w * 0.3), int(h * 0.35), int(w * 0.5), int(h * 0.65))))
    assert (centre < 245).any(axis=2).mean() > 0.05, "the map centre is (nearly) white"


def _media_boxes(pdf: bytes) -> list[tuple[float, float]]:
    boxes = re.findall(rb"/MediaBox\s*\[\s*([-\d.]+)\s+([-\d.]+)\s+([-\d.]+)\s+([-\d.]+)\s*\]", pdf)
    return [(float(x1) - float(x0), float(y1) - float(y0)) for x0, y0, x1, y1 in boxes]


# --------------------------------------------------------------------------- sizes and formats


@pytest.mark.parametrize(("paper", "size"), [("A4", (3508, 2480)), ("A3", (4961, 3508))])
def test_png_has_the_paper_size_at_300_dpi_and_is_not_blank(region, layers, paper, size):
    im = _png(render_map(region, layers=layers, paper=paper, fmt="png", dpi=300))
    assert im.size == size
    _not_blank(im)


def test_pdf_is_one_landscape_a4_page(region, layers):
    pdf = render_map(region, layers=layers, fmt="pdf")
    assert pdf.startswith(b"%PDF")
    boxes = _media_boxes(pdf)
    assert len(boxes) == 1
    assert boxes[0] == pytest.approx(A4_PT, abs=0.05)
    assert b"NotoSansCJK" in pdf  # Chinese text embedded as TrueType (searchable), not drawn as paths


def test_svg_parses_and_keeps_the_attribution_as_text(region, layers):
    svg = render_map(region, layers=layers, fmt="svg", lang="en")
    root = ET.fromstring(svg)
    assert root.tag.endswith("svg")
    assert root.get("width", "").startswith("841.")
    text = " ".join(t for t in root.itertext())
    assert "© OpenStreetMap contributors (ODbL)" in text
    assert "Junheng" in text


# --------------------------------------------------------------------------- fonts and languages


def test_chinese_renders_without_missing_glyphs(region, layers, scenario_layers):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for lay, view in ((layers, "access"), (scenario_layers, "scenario"), (scenario_layers, "difference")):
            _not_blank(_png(render_map(region, layers=lay, view=view, lang="zh", dpi=60)))
        svg = render_map(region, layers=scenario_layers, view="scenario", lang="zh", fmt="svg")
    text = " ".join(ET.fromstring(svg).itertext())
    assert SCENARIO["name"] in text  # the title, kept as text
    assert "恩坎普新区小学" in text  # the new school in the numbered actions


def test_english_render_works(region, scenario_layers):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        im = _png(render_map(region, layers=scenario_layers, view="baseline", lang="en", dpi=60))
    _not_blank(im)


def test_missing_chinese_font_is_a_clear_error(region, layers, scenario_layers, monkeypatch):
    monkeypatch.setattr(printkit, "cjk_family", lambda: None)
    with pytest.raises(MapFontError, match="fonts-noto-cjk"):
        render_map(region, layers=layers, lang="zh", dpi=60)
    # English still works on the Latin font alone, unless Chinese text must be drawn (a Chinese school name)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _not_blank(_png(render_map(region, layers=layers, lang="en", dpi=60)))
    with pytest.raises(MapFontError, match="fonts-noto-cjk"):
        render_map(region, layers=scenario_layers, view="scenario", lang="en", dpi=60)


# --------------------------------------------------------------------------- views and options


def test_difference_view_uses_a_scale_centred_on_zero(region, scenario_layers):
    from matplotlib.figure import Figure

    with print_context("zh"):
        ax = Figure(figsize=(8, 6)).add_axes((0, 0, 1, 1))
        key = draw_map(ax, region, scenario_layers, view="difference", lang="zh", box_mm=(200, 150))
    norm = key.mappable.norm
    assert key.delta and norm.vmin == -norm.vmax
    assert norm.vmax >= np.nanmax(np.abs(scenario_layers.villages["minutes_change"]))
    _not_blank(_png(render_map(region, layers=scenario_layers, view="difference", dpi=60)))


@pytest.mark.parametrize(
    ("option", "value", "allowed"),
    [("fmt", "tiff", "png, pdf, svg"), ("paper", "A5", "A4, A3"), ("view", "diff", "access, baseline, scenario, difference"),
     ("lang", "fr", "zh, en")],
)
def test_bad_options_name_the_allowed_values(region, layers, option, value, allowed):
    with pytest.raises(ValueError, match=re.escape(f"allowed: {allowed}")):
        render_map(region, layers=layers, **{option: value})


def test_scenario_views_need_a_scenario(region, layers):
    with pytest.raises(ValueError, match="needs a scenario"):
        render_map(region, layers=layers, view="difference", dpi=60)


def test_catchments_and_routes_draw(region, layers):
    import geopandas as gpd
    from shapely.geometry import LineString

    catchments = village_catchments(region, layers, view="access")
    assert len(catchments) > 1
    assert set(catchments["school_id"]) <= set(layers.villages["access_school_id"].dropna())
    assert catchments.to_crs(region_metric_crs(region)).geometry.area.gt(1e4).all()
    routes = gpd.GeoDataFrame(geometry=[LineString([(1.52, 42.51), (1.55, 42.53)])], crs="EPSG:4326")
    _not_blank(_png(render_map(region, layers=layers, catchments=catchments, routes=routes, dpi=60)))


def test_nice_lengths():
    assert nice_length(7300) == 5000
    assert nice_length(2100) == 2000
    assert nice_length(999) == 500
    assert nice_ceiling(11.14) == 12
    assert nice_ceiling(8.0) == 8


# --------------------------------------------------------------------------- the report


def test_report_pages(region, scenario_layers):
    indicators = scenario_indicators(region, scenario_layers)
    assert indicators is not None  # the demo schools carry the resource columns
    pdf = build_report(region, layers=scenario_layers, indicators=indicators)
    assert pdf.startswith(b"%PDF")
    boxes = _media_boxes(pdf)
    assert len(boxes) >= 3
    assert all(b == pytest.approx((A4_PT[1], A4_PT[0]), abs=0.05) for b in boxes)  # portrait A4


def test_report_in_english_without_indicators_says_why(region, scenario_layers):
    from matplotlib.text import Text

    with print_context("en"):
        figures = report_figures(region, layers=scenario_layers, lang="en", indicators=None)
        texts = [t.get_text() for fig in figures for t in fig.findobj(Text)]
    assert any("no between-school CVs" in text for text in texts)
    assert any(text == f"Page {len(figures)} of {len(figures)}" for text in texts)
    assert sum("Demo data" in text for text in texts) >= len(figures)  # the demo note on every page


def test_report_needs_a_scenario(region, layers):
    with pytest.raises(ValueError, match="needs layers with a scenario"):
        build_report(region, layers=layers)


def test_report_checks_are_in_the_readers_language_with_names(region):
    """The report's checks come from their message keys: Chinese with school names, never the English detail or an id."""
    closing = Scenario.from_dict({"name": "大撤并", "actions": [{"type": "close", "school_id": s} for s in region.schools["school_id"][:6]]})
    layers = result_layers(region, scenario=closing)
    assert len(layers.scenario.violations) > 0
    for lang in ("zh", "en"):
        rows = violation_rows(layers, region, lang)
        assert len(rows) == len(layers.scenario.violations)
        details = " ".join(r[2] for r in rows)
        ids = [str(x) for x in region.schools["school_id"]]
        assert not any(sid in details for sid in ids), details
        if lang == "zh":
            assert not re.search(r"\b(children|pupils|closing|exceed|seats|beds|nearest)\b", details), details
            assert re.search(r"[\u4e00-\u9fff]", details)
        else:
            assert "附近的学校" not in details and re.search(r"\b(pupils|children)\b", details), details


def test_dashboard_shares_the_map_colours():
    from dashboard import figures
    from geo.export import style as mapstyle

    assert figures.LEVEL_COLOURS is mapstyle.LEVEL_COLOURS
    assert figures.MINUTES_SCALE is mapstyle.MINUTES_SCALE
    assert figures.DELTA_SCALE is mapstyle.DELTA_SCALE
    assert figures.STATUS_COLOURS is mapstyle.STATUS_COLOURS


def test_dashboard_map_and_printed_map_colour_schools_alike(region, layers):
    """The plotly access map and the matplotlib print map, drawn each their own way, give each level one colour."""
    import pandas as pd
    from matplotlib.colors import to_hex
    from matplotlib.figure import Figure

    from dashboard import figures
    from geo.region.region import region_od
    from geo.routing.access import access_table

    od = region_od(region, "walk")
    table = access_table(region.villages, region.schools, od.minutes, level="primary", band="all", threshold=30.0)
    schools = region.schools.assign(enrolment=pd.DataFrame(region.schools.filter(like="enrol_")).sum(axis=1).astype(int))
    dash_fig = figures.access_map(roads=([], []), districts=([], []), bounds=region.villages.total_bounds,
                                  villages=region.villages, schools=schools, table=table, threshold=30.0, lang="zh",
                                  synthetic=True)
    on_screen = {tr.name: tr.marker.color for tr in dash_fig.data if isinstance(tr.marker.color, str)}
    with print_context("zh"):
        key = draw_map(Figure().add_axes((0, 0, 1, 1)), region, layers, view="access", lang="zh", box_mm=(200, 150))
    printed = {h.get_label(): to_hex(h.get_markerfacecolor()) for h in key.handles
               if h.get_label() in on_screen and hasattr(h, "get_markerfacecolor")}
    levels = set(region.schools["level"])
    assert len(levels) >= 2 and len(printed) >= len(levels)
    assert printed == {name: on_screen[name] for name in printed}


# --------------------------------------------------------------------------- CLI


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "geo", *args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=300)


def test_cli_export_map_and_report(tmp_path):
    out = tmp_path / "map.png"
    done = _cli("export", "map", "--region", "demo", "--format", "png", "--dpi", "100", "--out", str(out), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert Image.open(out).size == (1169, 827)
    assert str(out) in done.stdout and "KiB" in done.stdout

    scenario = tmp_path / "s.json"
    scenario.write_text(json.dumps(SCENARIO, ensure_ascii=False), encoding="utf-8")
    report = tmp_path / "r.pdf"
    done = _cli("export", "report", "--region", "demo", "--scenario", str(scenario), "--out", str(report), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    data = report.read_bytes()
    assert data.startswith(b"%PDF") and len(_media_boxes(data)) >= 3
    assert f"PDF, {page_count(data)} A4 pages" in done.stdout
    assert "fontTools" not in done.stderr and "glyph" not in done.stderr.lower()


@pytest.mark.parametrize(
    ("args", "message"),
    [(("map", "--format", "tiff", "--out", "x.tiff"), "allowed: png, pdf, svg"),
     (("map", "--view", "difference", "--out", "x.png"), "needs --scenario"),
     (("report", "--out", "r.pdf"), "needs --scenario")],
)
def test_cli_errors_are_one_line(tmp_path, args, message):
    done = _cli("export", *args[:1], "--region", "demo", *args[1:], cwd=tmp_path)
    assert done.returncode != 0
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:") and message in lines[0], done.stderr
    assert not list(tmp_path.iterdir())

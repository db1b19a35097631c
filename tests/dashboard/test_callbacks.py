"""Dashboard callbacks called as plain functions (no browser), and the string catalogue.

Expected KPI values and catchments are recomputed here from the demo OD
matrix with plain numpy, not taken from the access module.
"""
from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import dash
import numpy as np
import plotly.graph_objects as go
import pytest
from dash import html
from dash_tree import grid_rows, text_of, walk

from dashboard import ids, services
from dashboard.callbacks import access as callbacks
from dashboard.callbacks import shell
from dashboard.i18n import CATALOGUE, t
from geo.build.synthetic import localized_names
from geo.region.region import region_od
from layers.schema import BANDS, LEVELS

DASHBOARD = Path(__file__).resolve().parents[2] / "dashboard"
NO_UPDATE = dash.no_update


# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------
def by_id(tree, cid):
    hits = [c for c in walk(tree) if getattr(c, "id", None) == cid]
    assert len(hits) == 1, f"{cid!r}: {len(hits)} components"
    return hits[0]


def kpi_values(cards) -> list[str]:
    return [text_of(c) for c in walk(cards) if getattr(c, "className", None) == "kpi-value"]


def trace_named(fig: go.Figure, name: str):
    hits = [tr for tr in fig.data if tr.name == name]
    return hits[0] if hits else None


@pytest.fixture(scope="module")
def demo():
    """The demo region and its walk OD matrix, plus plain-numpy nearest-school results for primary."""
    reg = services.region("demo")
    od = region_od(reg, "walk")
    serving = reg.schools["level"].isin(["primary", "nine_year"]).to_numpy()
    if "open" in reg.schools:
        serving &= reg.schools["open"].to_numpy(dtype=bool)
    m = np.where(serving[None, :], od.minutes, np.inf)
    nearest = np.argmin(m, axis=1)
    children = (reg.villages["children_g1_3"] + reg.villages["children_g4_6"]).to_numpy(dtype=float)
    return {"region": reg, "od": od, "minutes": m, "nearest": nearest, "best": m.min(axis=1), "children": children}


def _expected_share(demo, threshold: float) -> str:
    within = demo["best"] <= threshold
    return f"{100 * demo['children'][within].sum() / demo['children'].sum():.1f} %"


# --------------------------------------------------------------------------
# update_results
# --------------------------------------------------------------------------
def test_default_results_map_and_kpis(demo):
    fig, kpis, worst, detail, error, status = callbacks.update_results("primary", "all", "walk", 30, None, "zh")
    assert isinstance(fig, go.Figure)
    assert fig.data and all(isinstance(tr, go.Scattermap) for tr in fig.data)
    assert fig.layout.map.style == "white-bg"
    assert any("© OpenStreetMap contributors" in (a.text or "") for a in fig.layout.annotations)
    assert error == "" and status == ""
    assert kpi_values(kpis)[0] == _expected_share(demo, 30)
    assert "30 分钟" in text_of(kpis)
    # The worst-served table lists villages, the slowest first.
    rows = grid_rows(worst)
    assert 0 < len(rows) <= callbacks.WORST_ROWS
    minutes = [r[-1] for r in rows if isinstance(r[-1], float)]
    assert minutes and minutes == sorted(minutes, reverse=True)
    assert text_of(detail) == t("detail_hint", "zh")


def test_kpis_follow_the_threshold(demo):
    at30 = callbacks.update_results("primary", "all", "walk", 30, None, "en")[1]
    at60 = callbacks.update_results("primary", "all", "walk", "60", None, "en")[1]
    assert kpi_values(at30) != kpi_values(at60)
    assert kpi_values(at60)[0] == _expected_share(demo, 60)
    # more children are within 60 minutes than within 30
    assert float(kpi_values(at60)[0].rstrip(" %")) > float(kpi_values(at30)[0].rstrip(" %"))
    beyond30, beyond60 = (int(kpi_values(k)[3].replace(",", "")) for k in (at30, at60))
    assert beyond60 == int(np.sum((demo["best"] > 60) & (demo["children"] > 0)))
    assert beyond60 < beyond30
    assert "Children within 60 min" in text_of(at60)


@pytest.mark.parametrize("bad", ["abc", -5, 500, None, ""])
def test_invalid_threshold_gives_a_message_and_no_update(bad):
    out = callbacks.update_results("primary", "all", "walk", bad, None, "zh")
    assert out[0] is NO_UPDATE
    assert out[1] is NO_UPDATE and out[2] is NO_UPDATE and out[3] is NO_UPDATE
    assert "1 到 240" in out[4]
    assert str(bad) in out[4]
    en = callbacks.update_results("primary", "all", "walk", bad, None, "en")
    assert "from 1 to 240" in en[4]


def test_unknown_mode_is_reported_in_the_status_line():
    out = callbacks.update_results("primary", "all", "boat", 30, None, "en")
    assert out[0] is NO_UPDATE
    assert "boat" in out[5] and "walk" in out[5]


def test_band_not_taught_falls_back_to_all(demo):
    fig, kpis, *_ = callbacks.update_results("primary", "g7_9", "walk", 30, None, "en")
    assert isinstance(fig, go.Figure)
    assert kpi_values(kpis)[0] == _expected_share(demo, 30)


def test_village_selection_lists_three_schools_and_draws_the_route(demo):
    reg, od = demo["region"], demo["od"]
    i = 3
    vid = reg.villages["village_id"].iloc[i]
    fig, _, _, detail, _, _ = callbacks.update_results("primary", "all", "walk", 30, {"kind": "village", "id": vid}, "en")
    body = [c for c in walk(detail) if isinstance(c, html.Tbody)]
    assert len(body) == 1
    rows = [r for r in body[0].children if isinstance(r, html.Tr)]
    assert len(rows) == 3
    # The three nearest primary-serving schools, nearest first.
    order = np.argsort(demo["minutes"][i], kind="stable")[:3]
    english = localized_names(reg.schools, "school_id", "en")  # unnamed OSM schools are named in the page's language
    names = [english[str(sid)] for sid in reg.schools["school_id"].to_numpy()[order]]
    for row, name, j in zip(rows, names, order):
        cells = [text_of(c) for c in row.children]
        assert cells[1] == name
        assert cells[3] == f"{demo['minutes'][i, j]:.1f}"
    assert reg.villages["name"].iloc[i] in text_of(detail)
    route = trace_named(fig, t("route", "en"))
    assert route is not None and route.mode == "lines"
    v = reg.villages.geometry.iloc[i]
    s = reg.schools.geometry.iloc[int(order[0])]
    assert (route.lon[0], route.lat[0]) == pytest.approx((v.x, v.y), abs=1e-6)
    assert (route.lon[-1], route.lat[-1]) == pytest.approx((s.x, s.y), abs=1e-6)
    assert od.minutes.shape[0] == len(reg.villages)


def test_school_selection_shows_its_catchment(demo):
    reg = demo["region"]
    counts = np.bincount(demo["nearest"][np.isfinite(demo["best"])], minlength=len(reg.schools))
    j = int(np.argmax(counts))
    sid = reg.schools["school_id"].iloc[j]
    fig, _, _, detail, _, _ = callbacks.update_results("primary", "all", "walk", 30, {"kind": "school", "id": sid}, "en")
    served = demo["nearest"] == j
    children = int(demo["children"][served].sum())
    text = text_of(detail)
    assert localized_names(reg.schools, "school_id", "en")[str(sid)] in text
    assert f"{int(served.sum())} villages with {children:,} children" in text
    catchment = trace_named(fig, t("legend_catchment", "en"))
    assert catchment is not None
    assert len(catchment.lon) == int(served.sum())
    assert trace_named(fig, t("route", "en")) is None


@pytest.mark.parametrize("selection", [{"kind": "village", "id": "no-such-village"}, {"kind": "school", "id": "nope"}, {"kind": "lake", "id": "x"}])
def test_unknown_selection_shows_the_hint(selection):
    detail = callbacks.update_results("primary", "all", "walk", 30, selection, "en")[3]
    assert text_of(detail) == t("detail_hint", "en")


# --------------------------------------------------------------------------
# Small callbacks
# --------------------------------------------------------------------------
def test_switch_page_reloads_with_language_and_region_in_the_url():
    assert shell.switch_page("en", None, "") == "?lang=en"
    assert shell.switch_page("zh", None, "?lang=en") == "?lang=zh"
    assert shell.switch_page("en", None, "?lang=en") is NO_UPDATE
    assert shell.switch_page("en", "demo", "?lang=en") == "?lang=en&region=demo"
    assert shell.switch_page("en", "demo", "?region=demo&lang=en") is NO_UPDATE


def test_show_tab_shows_one_box():
    styles = shell.show_tab("indicators")
    assert len(styles) == len(ids.TAB_NAMES)
    assert [s == {} for s in styles] == [name == "indicators" for name in ids.TAB_NAMES]


def test_layout_follows_the_lang_query_parameter():
    from app import create_app

    app = create_app()
    with app.server.test_request_context("/?lang=en"):
        en = app.layout()
    with app.server.test_request_context("/?lang=xx"):
        zh = app.layout()
    with app.server.test_request_context("/_dash-layout", headers={"Referer": "http://127.0.0.1:8050/?lang=en"}):
        assert text_of(by_id(app.layout(), ids.TITLE)) == "Junheng · school network planning"
    assert text_of(by_id(en, ids.TITLE)) == "Junheng · school network planning"
    assert text_of(by_id(zh, ids.TITLE)) == "均衡 · 义务教育学校布局规划"


def test_update_bands():
    options, band = callbacks.update_bands("junior", "g1_3", "zh")
    assert band == "all"
    assert [o["value"] for o in options] == ["all", "g7_9"]
    assert options[1]["label"] == CATALOGUE["band_g7_9"]["zh"]
    options, band = callbacks.update_bands("primary", "g4_6", "en")
    assert band == "g4_6"
    assert [o["value"] for o in options] == ["all", "g1_3", "g4_6"]


@pytest.mark.parametrize(
    "click",
    [None, {}, {"points": []}, {"points": [{}]}, {"points": [{"customdata": None}]}, {"points": [{"customdata": ["village"]}]},
     {"points": "x"}, "junk", {"points": [{"customdata": 7}]}],
)
def test_select_feature_ignores_malformed_clicks(click):
    assert callbacks.select_feature(click) is NO_UPDATE


def test_select_feature_reads_kind_and_id():
    click = {"points": [{"customdata": ["school", "S42", "extra"], "lon": 1.5}]}
    assert callbacks.select_feature(click) == {"kind": "school", "id": "S42"}


def test_select_feature_reads_the_map_click_store():
    assert callbacks.select_feature({"kind": "school", "id": "S42", "lon": 1.5, "lat": 42.5, "n": 3}) == {"kind": "school", "id": "S42"}
    assert callbacks.select_feature({"kind": "village", "id": "V1", "n": 1}) == {"kind": "village", "id": "V1"}
    assert callbacks.select_feature({"kind": "empty", "id": None, "lon": 1.5, "lat": 42.5}) is None  # empty ground clears


def test_pick_from_map_reads_the_map_click_store():
    from dashboard.callbacks import scenario as sc

    assert sc.pick_from_map({"kind": "school", "id": "S42", "lon": 1.5, "lat": 42.5}) == ("S42", NO_UPDATE, NO_UPDATE)
    assert sc.pick_from_map({"kind": "empty", "id": None, "lon": 1.5123456789, "lat": 42.5}) == (NO_UPDATE, 1.512346, 42.5)
    assert sc.pick_from_map({"kind": "empty", "lon": "x"}) == (NO_UPDATE,) * 3


def _json_bytes(value) -> int:
    import json

    import plotly

    return len(json.dumps(value, cls=plotly.utils.PlotlyJSONEncoder))


def test_first_map_holds_the_static_layers_and_later_updates_are_small_patches(demo):
    from dashboard.figures import N_OVERLAY_LAYERS

    first = callbacks.update_results("primary", "all", "walk", 30, None, "zh", [], None)
    fig = first[0]
    assert isinstance(fig, go.Figure)
    layers = fig.layout.map.layers
    assert len(layers) == N_OVERLAY_LAYERS + 2  # the overlay slots, then roads and boundaries
    assert [layer.type for layer in layers[N_OVERLAY_LAYERS:]] == ["line", "line"]
    assert not any(tr.mode == "lines" and tr.lon and len(tr.lon) > 2 for tr in fig.data)  # no road trace any more
    # the roads and boundaries are files named by URL, served by the app and kept by the browser
    from app import create_app

    client = create_app().server.test_client()
    for layer, least in zip(layers[N_OVERLAY_LAYERS:], (100, 3)):
        assert isinstance(layer.source, str) and layer.source.startswith("/_junheng/lines/")
        got = client.get(layer.source)
        assert got.status_code == 200 and "immutable" in got.headers["Cache-Control"]
        assert len(json.loads(got.data)["coordinates"]) >= least
    assert client.get(layers[N_OVERLAY_LAYERS].source.replace("roads", "secrets")).status_code == 404
    assert client.get("/_junheng/lines/no-such-region/0/roads.geojson").status_code == 404
    sizes = {}
    for name, args in {
        "threshold": ("primary", "all", "walk", 45, None, "zh", [], True),
        "school": ("primary", "all", "walk", 30, {"kind": "school", "id": demo["region"].schools["school_id"].iloc[0]}, "zh", [], True),
        "catchments": ("primary", "all", "walk", 30, None, "zh", ["catchments"], True),
        "isochrones": ("primary", "all", "walk", 30, None, "zh", ["isochrones"], True),
    }.items():
        out = callbacks.update_results(*args)
        assert isinstance(out[0], dash.Patch), name
        plotly_json = out[0].to_plotly_json()
        # traces, the attribution line (it follows the language) and the overlay slots; never the static layers or the view
        places = [op["location"] for op in plotly_json["operations"]]
        assert ["data"] in places and ["layout", "annotations"] in places, places
        assert all(p in (["data"], ["layout", "annotations"]) or (p[:3] == ["layout", "map", "layers"] and p[3] < N_OVERLAY_LAYERS)
                   for p in places), places
        sizes[name] = _json_bytes(list(out))
    assert _json_bytes(list(first)) < 300_000  # the geometry is not in the figure
    assert max(sizes.values()) < 300_000, sizes


def test_school_traces_are_drawn_above_villages_and_the_selection_has_a_ring(demo):
    sid = demo["region"].schools["school_id"].iloc[0]
    fig = callbacks.update_results("primary", "all", "walk", 30, {"kind": "school", "id": sid}, "en")[0]
    kinds = [tr.customdata[0][0] if tr.customdata is not None and len(tr.customdata) else None for tr in fig.data]
    last_village = max(i for i, k in enumerate(kinds) if k == "village")
    first_school = min(i for i, k in enumerate(kinds) if k == "school")
    assert first_school > last_village
    ring = trace_named(fig, t("legend_selected", "en"))
    assert ring is not None and len(ring.lon) == 1
    s = demo["region"].schools.geometry.iloc[0]
    assert (ring.lon[0], ring.lat[0]) == pytest.approx((s.x, s.y), abs=1e-6)
    assert all(tr.customdata is None for tr in fig.data if tr.name in ("halo", t("legend_selected", "en")))


def test_overlays_have_a_legend_per_band_and_per_school(demo):
    from dashboard.figures import ISO_STYLE

    fig = callbacks.update_results("primary", "all", "walk", 30, None, "en", ["isochrones", "catchments"])[0]
    names = [tr.name for tr in fig.data]
    bands = [n for n in names if n and n.startswith("Within ") and n.endswith("min walk")]
    assert bands == [t("legend_iso_band", "en", m=m) for m in ISO_STYLE]
    colours = {(c, o) for c, o in ISO_STYLE.values()}
    assert len(colours) == len(ISO_STYLE) and len({c for c, _ in colours}) == len(ISO_STYLE)
    catch = [n for n in names if n and n.startswith("Catchment: ")]
    school_names = set(services.layer_names("demo", "schools", "en").values())
    assert catch and all(n.removeprefix("Catchment: ") in school_names for n in catch)
    visible = [layer for layer in fig.layout.map.layers if layer.type == "fill" and layer.visible]
    assert len(visible) >= len(ISO_STYLE) + 1


def test_scenario_map_draws_villages_with_unplaced_children_as_unplaced(demo):
    from dashboard.figures import UNPLACED_COLOUR, scenario_map

    reg = demo["region"]
    base = services.scenario_results("demo", services.rules_from_store(None), {"name": "x", "actions": []})[0]
    values = services.village_minutes("demo", base)
    unplaced = np.zeros(len(reg.villages), dtype=int)
    unplaced[[1, 4]] = [7, 2]  # two villages with placed children (finite minutes) and some left unplaced
    assert np.isfinite(values[[1, 4]]).all()
    fig = scenario_map(roads=([], []), districts=([], []), bounds=reg.villages.total_bounds, villages=reg.villages, values=values,
                       delta=False, schools=services.schools_with_status("demo", base), threshold=30, lang="en", synthetic=True,
                       unplaced=unplaced)
    short = trace_named(fig, t("legend_unplaced", "en"))
    assert short is not None and short.marker.color == UNPLACED_COLOUR
    assert sorted(c[1] for c in short.customdata) == sorted(reg.villages["village_id"].iloc[[1, 4]])
    assert any("Unplaced children: 7" in text for text in short.text)
    placed = trace_named(fig, t("legend_villages", "en"))
    assert not set(c[1] for c in placed.customdata) & set(reg.villages["village_id"].iloc[[1, 4]])


def test_village_unplaced_counts_the_unassigned_children():
    reg = services.region("demo")
    res = services.scenario_results("demo", services.rules_from_store(None), {"name": "x", "actions": []})[1]
    left = services.village_unplaced("demo", res)
    assert left.shape == (len(reg.villages),)
    assert int(left.sum()) == int(res.unassigned["children"].sum())


def test_every_graph_is_offline_without_cloud_buttons():
    from app import create_app

    app = create_app()
    with app.server.test_request_context("/"):
        tree = app.layout()
    graphs = [c for c in walk(tree) if type(c).__name__ == "Graph"]
    assert len(graphs) >= 4
    for g in graphs:
        assert g.config.get("displaylogo") is False, g.id
        assert g.config.get("displayModeBar") is False, g.id
        assert g.config.get("showSendToCloud") is False and g.config.get("showEditInChartStudio") is False, g.id


def test_language_switch_renders_the_page_in_place_and_keeps_the_controls():
    from dashboard import scenarios

    store = {"regions": {"demo": scenarios.new_store("zh")}}
    body, search, new_store = shell.switch_language("en", "junior", "all", "car", 45, ["isochrones"], "scenarios", None, store,
                                                    "?lang=zh&region=demo")
    assert text_of(by_id(body, ids.TITLE)) == "Junheng · school network planning"
    assert by_id(body, ids.LEVEL).value == "junior" and by_id(body, ids.MODE).value == "car"
    assert by_id(body, ids.THRESHOLD).value == 45 and by_id(body, ids.OVERLAY).value == ["isochrones"]
    assert by_id(body, ids.TABS).value == "scenarios"
    assert dict(__import__("urllib.parse").parse.parse_qsl(search.lstrip("?"))) == {"lang": "en", "region": "demo"}
    assert new_store["regions"]["demo"]["items"]["s1"]["name"] == "Scenario 1"
    renamed = {"regions": {"demo": scenarios.rename_current(scenarios.new_store("zh"), "东部撤并")}}
    assert shell.switch_language("en", "primary", "all", "walk", 30, [], "access", None, renamed, "")[2] is NO_UPDATE


# --------------------------------------------------------------------------
# i18n: every key used in dashboard/*.py exists in both languages
# --------------------------------------------------------------------------
def _prefix_values() -> dict[str, tuple[str, ...]]:
    """Values an f-string key prefix such as ``level_`` can take, from the modules that define them."""
    from dashboard.ids import TAB_NAMES
    from dashboard.layout.export import LAYER_FORMATS, MAP_FORMATS
    from dashboard.layout.importing import VALUE_CHOICES
    from geo.core.settings import MODES
    from geo.planning.scenario import ACTION_TYPES
    from layers.cells import CELL_PROBLEMS
    from layers.importing import COORDS, IMPORT_KINDS
    from layers.importing.values import VALUE_FIELDS
    from layers.schema import LAYER_COLUMNS, URBAN_RURAL

    scenario = Path(__file__).resolve().parents[2] / "geo" / "planning" / "scenario.py"
    rules = tuple(sorted(set(re.findall(r"""["']rule["']\s*:\s*["'](\w+)["']""", scenario.read_text(encoding="utf-8")))))
    return {
        "level_": LEVELS, "mode_": MODES + ("board",), "band_": ("all",) + BANDS, "tab_": tuple(TAB_NAMES),
        "action_": tuple(ACTION_TYPES), "rule_": rules, "status_": ("open", "closed", "new"),
        "view_": ("baseline", "scenario", "difference"), "ind_": tuple(URBAN_RURAL),
        "fmt_": MAP_FORMATS + LAYER_FORMATS,
        "import_problem_": ("file", "row", "column", "value", "problem", "fix"),
        "imp_kind_": IMPORT_KINDS, "imp_coords_": COORDS,
        "crs_hint_": ("gcj02", "bd09", "wgs84"),
        "planner_what_": tuple(f"{kind}_{n}" for kind in ("schools", "villages", "roads") for n in ("one", "many")), "imp_place_": VALUE_FIELDS["place"],
        "imp_sum_field_": ("level", "urban_rural"), "imp_values_": tuple(VALUE_CHOICES),
        "imp_p_": CELL_PROBLEMS, "imp_f_": CELL_PROBLEMS, "imp_one_": tuple(LAYER_COLUMNS), "imp_layer_": tuple(LAYER_COLUMNS),
        "imp_dtype_": ("str", "int64", "Int64", "float64", "bool", "geometry"), "imp_count_": ("schools", "villages", "rows"),
    }


def _loop_values(tree: ast.AST, name: str) -> list[str] | None:
    """String values a loop variable ``name`` takes when it iterates over a literal tuple or list.

    ``for name in ("a", "b")`` and ``for other, name in (("x", "a"), ("y", "b"))`` both give ``["a", "b"]``.
    """
    for node in ast.walk(tree):
        if not isinstance(node, (ast.For, ast.comprehension)) or not isinstance(node.iter, (ast.Tuple, ast.List)):
            continue
        target = node.target
        if isinstance(target, ast.Name) and target.id == name:
            elements = node.iter.elts
        elif isinstance(target, ast.Tuple) and name in [getattr(e, "id", None) for e in target.elts]:
            k = [getattr(e, "id", None) for e in target.elts].index(name)
            elements = [e.elts[k] if isinstance(e, ast.Tuple) and len(e.elts) == len(target.elts) else None
                        for e in node.iter.elts]
        else:
            continue
        values = [e.value for e in elements if isinstance(e, ast.Constant) and isinstance(e.value, str)]
        if len(values) == len(elements):
            return values
    return None


def _dict_values(tree: ast.AST, name: str) -> list[str] | None:
    """String values of a dict literal assigned to ``name`` (``keys = {"a": "key_a", ...}``), or None."""
    for node in ast.walk(tree):
        if (isinstance(node, ast.Assign) and len(node.targets) == 1 and getattr(node.targets[0], "id", None) == name
                and isinstance(node.value, ast.Dict)):
            found = [_keys_of(v, tree, {}) for v in node.value.values]
            return None if any(f is None for f in found) else [k for f in found for k in f]
    return None


#: Calls whose key comes from data, not code: (module, key expression).  Each such key is a
#: check, reason or error key carried by a result row or an exception, and
#: tests/layers/test_messages.py checks that every one of them exists in both languages.
DATA_KEYS = {
    ("scenario.py", "key"),  # a check row's key (dashboard/layout/scenario.py: violations_list)
    ("commands.py", "row['reason_key']"),  # an unplaced row's reason key (geo.planning.outcome.reason_code)
    ("evaluate.py", "key"),  # an indicator fail reason (geo.indicators.evaluate.fail_reasons)
    ("outcome.py", "k"),  # a check row's key (geo.planning.outcome.check_texts)
    ("tables.py", "k"),  # an unplaced row's reason key (geo.export.tables, via geo.planning.outcome.reason_code)
    ("i18n.py", "key"),  # message()/error_text() themselves
    ("i18n.py", "v['key']"),  # a nested message
}


def _keys_of(arg: ast.AST, tree: ast.AST, prefixes: dict[str, tuple[str, ...]]) -> list[str] | None:
    """Every catalogue key the first argument of a ``t(...)`` call can evaluate to, or None if unknown."""
    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
        return [arg.value]
    if isinstance(arg, ast.IfExp):
        a, b = _keys_of(arg.body, tree, prefixes), _keys_of(arg.orelse, tree, prefixes)
        return None if a is None or b is None else a + b
    if isinstance(arg, ast.Name):
        return _loop_values(tree, arg.id)
    if isinstance(arg, ast.Subscript) and isinstance(arg.value, ast.Name):  # keys[p] with keys = {...: "key", ...}
        return _dict_values(tree, arg.value.id)
    prefix = None
    if isinstance(arg, ast.JoinedStr) and len(arg.values) == 2 and isinstance(arg.values[0], ast.Constant):
        prefix = arg.values[0].value
    elif isinstance(arg, ast.BinOp) and isinstance(arg.op, ast.Add) and isinstance(arg.left, ast.Constant):
        prefix = arg.left.value
    if prefix in prefixes:
        return [prefix + v for v in prefixes[prefix]]
    return None


def _key_param(fn: ast.FunctionDef) -> dict[str, int]:
    """Parameter name -> position in a call, for the parameters of ``fn`` (``self`` / ``cls`` not counted)."""
    params = [a.arg for a in fn.args.posonlyargs + fn.args.args]
    skip = 1 if params and params[0] in ("self", "cls") else 0
    return {name: i - skip for i, name in enumerate(params) if i >= skip} | {a.arg: -1 for a in fn.args.kwonlyargs}


def _call_name(node: ast.Call) -> str | None:
    return node.func.id if isinstance(node.func, ast.Name) else node.func.attr if isinstance(node.func, ast.Attribute) else None


def _key_arg(node: ast.Call, position: int, param: str) -> ast.AST | None:
    """The argument of ``node`` at ``position`` or given as keyword ``param``."""
    for kw in node.keywords:
        if kw.arg == param:
            return kw.value
    return node.args[position] if 0 <= position < len(node.args) else None


def _forwarders(trees: list[ast.AST]) -> dict[str, tuple[str, int]]:
    """Functions that pass one of their parameters on as a catalogue key (to ``t`` or another such function).

    Returns ``{function name: (parameter, position in a call)}``; ``t`` itself is ``("key", 0)``.
    """
    found: dict[str, tuple[str, int]] = {"t": ("key", 0)}
    changed = True
    while changed:
        changed = False
        for tree in trees:
            for fn in ast.walk(tree):
                if not isinstance(fn, ast.FunctionDef) or fn.name in found:
                    continue
                params = _key_param(fn)
                for node in ast.walk(fn):
                    name = _call_name(node) if isinstance(node, ast.Call) else None
                    if name in found:
                        arg = _key_arg(node, found[name][1], found[name][0])
                        if isinstance(arg, ast.Name) and arg.id in params:
                            found[fn.name] = (arg.id, params[arg.id])
                            changed = True
                            break
    return found


def _used_keys() -> tuple[set[str], list[str]]:
    """Keys of every ``t(...)`` call in dashboard/*.py, geo/ and layers/ (parsed with ast), and the calls that cannot be resolved.

    Calls of functions that pass a parameter on to ``t`` as its key (such as ``job.note(key, ...)``)
    count as ``t`` calls; the forwarding call inside such a function is not a use.
    """
    keys: set[str] = set()
    unresolved: list[str] = []
    prefixes = _prefix_values()
    root = DASHBOARD.parent
    modules = sorted([*DASHBOARD.rglob("*.py"), *(root / "geo").rglob("*.py"), *(root / "layers").rglob("*.py")])
    parsed = []
    for path in modules:
        text = path.read_text(encoding="utf-8")
        parsed.append((path, ast.parse(text), DASHBOARD in path.parents or "i18n import" in text))
    forwarders = _forwarders([tree for _, tree, _ in parsed])
    for path, tree, uses_t in parsed:
        forwarding: set[int] = set()  # the calls that pass a forwarder's own parameter on
        for fn in ast.walk(tree):
            if isinstance(fn, ast.FunctionDef) and fn.name in forwarders and fn.name != "t":
                param = forwarders[fn.name][0]
                forwarding |= {id(n) for n in ast.walk(fn) if isinstance(n, ast.Name) and n.id == param}
        for node in ast.walk(tree):
            name = _call_name(node) if isinstance(node, ast.Call) else None
            if name not in forwarders or (name == "t" and not (uses_t and isinstance(node.func, ast.Name))):
                continue
            arg = _key_arg(node, forwarders[name][1], forwarders[name][0])
            if arg is None or id(arg) in forwarding:
                continue
            found = _keys_of(arg, tree, prefixes)
            if found is None and (path.name, ast.unparse(arg)) in DATA_KEYS and name == "message":
                continue
            if found is None:
                unresolved.append(f"{path.name}:{node.lineno}: {name}() key cannot be resolved: {ast.unparse(arg)}")
            else:
                keys.update(found)
    return keys, unresolved


def test_every_used_key_exists_in_both_languages():
    keys, unresolved = _used_keys()
    assert not unresolved, "\n".join(unresolved)
    assert {"app_title", "threshold_invalid", "level_nine_year", "mode_bicycle", "band_g7_9", "col_minutes"} <= keys
    missing = sorted(k for k in keys if k not in CATALOGUE)
    assert not missing, f"keys used but not in the catalogue: {missing}"
    empty = sorted(f"{k}[{lang}]" for k in keys for lang in ("zh", "en") if not str(CATALOGUE[k].get(lang, "")).strip())
    assert not empty, f"keys without a translation: {empty}"


def test_catalogue_entries_have_both_languages():
    bad = sorted(k for k, v in CATALOGUE.items() if not (v.get("zh", "").strip() and v.get("en", "").strip()))
    assert not bad, bad


# --------------------------------------------------------------------------
# dashboard.request: the one reader of the page's query parameters
# --------------------------------------------------------------------------
def test_request_reads_region_and_language_from_the_url_or_the_referer(monkeypatch):
    import flask

    from dashboard import request

    monkeypatch.delenv(request.REGION_ENV, raising=False)
    server = flask.Flask(__name__)
    with server.test_request_context("/?lang=en&region=demo"):
        assert (request.page_lang(), request.region_key()) == ("en", "demo")
    with server.test_request_context("/_dash-update-component", headers={"Referer": "http://127.0.0.1/?lang=en&region=nowhere"}):
        assert request.page_param("region") == "nowhere"
        assert request.page_lang() == "en"
        assert request.region_key() == "demo"  # an unknown region falls back to the default
    with server.test_request_context("/?lang=xx"):
        assert request.page_lang() == "zh"
    assert request.page_param("lang") is None  # outside a request
    monkeypatch.setenv(request.REGION_ENV, "elsewhere")
    assert request.region_key() == request.default_region() == "elsewhere"

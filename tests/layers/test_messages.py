"""Every message of the library goes through the catalogue: keys, both languages, names for ids.

* every message key (:data:`layers.catalogue_messages.MESSAGES_CATALOGUE` and every ``imp_`` key)
  formats in Chinese and English with sample parameters inferred from its placeholders;
* every ``key=`` given to an error of ``geo/`` or ``layers/`` (and every nested ``{"key": ...}``) exists;
* the checks of a scenario carry a key and parameters and read in the page's language with names;
* errors of the rules, standards, scenarios and the importer render in both languages;
* schools OSM leaves unnamed get a generated name in both languages.
"""
from __future__ import annotations

import ast
import json
import re
import string
import unicodedata
from pathlib import Path

import pytest

from layers.catalogue_messages import MESSAGES_CATALOGUE
from layers.i18n import CATALOGUE, LANGS, error_text, message, t

ROOT = Path(__file__).resolve().parents[2]
CJK = re.compile(r"[\u4e00-\u9fff]")
#: The message keys: the library's own and the importer's.
MESSAGE_KEYS = sorted(set(MESSAGES_CATALOGUE) | {k for k in CATALOGUE if k.startswith("imp_")})


def _placeholders(text: str) -> dict[str, str] | None:
    """``{name: format spec}`` of the ``{placeholders}`` of a catalogue text; None for a text with literal braces.

    A text whose braces are literal (a JSON example, ``{"name": ...}``) takes no parameters: :func:`layers.i18n.t`
    formats a text only when it is given parameters.
    """
    found = {}
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError:
        return None
    for _, name, spec, conversion in parsed:
        if name is None:
            continue
        if not re.fullmatch(r"[A-Za-z_]\w*", name.split(".")[0].split("[")[0]):
            return None
        found[name.split(".")[0].split("[")[0]] = (spec or "") + ("!" + conversion if conversion else "")
    return found


def _sample(name: str, spec: str) -> object:
    """A sample value for the placeholder ``name`` with the format ``spec``: a number for numeric formats, else text."""
    if name == "band":
        return "g1_3"
    if name == "level":
        return "primary"
    if name == "reason":
        return "rsn_no_seat"
    if spec and spec.lstrip("!r") and any(c in spec for c in "gdf,%"):
        return 12.5
    return "X1"


def _is_template_only(text: str) -> bool:
    """True for a text made of placeholders and punctuation only (``"{text}"``): nothing to translate."""
    return not re.sub(r"\{[^{}]*\}|[\s·:：,，;；、()（）\-–—|/]", "", text)


def _plain(text: str) -> str:
    """``text`` with full-width forms as ASCII and no spaces (a name written the same in both languages compares equal)."""
    return re.sub(r"\s", "", unicodedata.normalize("NFKC", text))


@pytest.mark.parametrize("key", MESSAGE_KEYS)
def test_every_message_key_formats_in_both_languages(key):
    entry = CATALOGUE[key]
    assert set(entry) >= set(LANGS) and all(entry[lang].strip() for lang in LANGS), key
    zh_names, en_names = _placeholders(entry["zh"]), _placeholders(entry["en"])
    assert (zh_names is None) == (en_names is None), (key, "literal braces in one language only")
    names = {**(zh_names or {}), **(en_names or {})}
    params = {n: _sample(n, spec) for n, spec in names.items()} if zh_names is not None else None
    zh, en = (message(key, lang, params) for lang in LANGS)
    if not _is_template_only(entry["zh"]) and _plain(entry["zh"]) != _plain(entry["en"]):  # not a name such as "WGS-84（GPS）"
        assert CJK.search(zh), (key, zh)
    for code, name in (("g1_3", "band"), ("rsn_no_seat", "reason")):  # codes given as parameters are shown as words
        if name in names:
            assert code not in zh and code not in en, (key, code, zh, en)
    if "level" in names:
        assert "primary" not in zh, (key, zh)
    if params:
        assert not re.search(r"\{[A-Za-z_]\w*\}", zh + en), (key, zh, en)  # every placeholder filled


def test_english_texts_have_no_chinese_but_the_policy_documents_and_headers():
    """English messages may quote policy documents (国办发〔2018〕27号) and Chinese column names, nothing else."""
    allowed = re.compile(r"[\u4e00-\u9fff]+〔\d+〕\d+号|先建后撤|经度|纬度|学校|村庄|附近的学校")
    for key in MESSAGES_CATALOGUE:
        rest = allowed.sub("", MESSAGES_CATALOGUE[key]["en"])
        assert not CJK.search(rest), (key, MESSAGES_CATALOGUE[key]["en"])


def _key_nodes(tree: ast.AST):
    """Every ``key=`` keyword of a call to an ``...Error`` and every ``{"key": ...}`` dict entry, with the value node."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if func.endswith("Error"):
                yield from ((func, kw.value) for kw in node.keywords if kw.arg == "key")
        elif isinstance(node, ast.Dict):
            for k, v in zip(node.keys, node.values):
                if isinstance(k, ast.Constant) and k.value == "key":
                    yield "dict", v


def test_every_error_key_in_the_code_exists_in_the_catalogue():
    """An AST walk over geo/ and layers/: constant keys exist; f-string keys start like at least one key."""
    seen = 0
    for path in [*ROOT.glob("geo/**/*.py"), *ROOT.glob("layers/**/*.py")]:
        if path.name.startswith("catalogue"):
            continue
        for where, value in _key_nodes(ast.parse(path.read_text(encoding="utf-8"))):
            rel = f"{path.relative_to(ROOT)}:{value.lineno} ({where})"
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                assert value.value in CATALOGUE, rel + f": key {value.value!r} is not in the catalogue"
                seen += 1
            elif isinstance(value, ast.JoinedStr):
                head = "".join(p.value for p in value.values[:1] if isinstance(p, ast.Constant))
                assert head and any(k.startswith(head) for k in CATALOGUE), rel + f": no key starts with {head!r}"
                seen += 1
            elif isinstance(value, ast.IfExp):
                for branch in (value.body, value.orelse):
                    if isinstance(branch, ast.Constant):
                        assert branch.value in CATALOGUE, rel
                        seen += 1
    assert seen >= 80, seen  # the walk found the keyed raises (it can fail: a broken walk finds none)


# --------------------------------------------------------------------------- rendering


def test_nested_messages_lists_of_ids_and_reasons_render_with_names():
    names = {"schools": {"S1": "一中", "S2": "二中"}, "villages": {"V1": "东村"}}
    params = {"village": "V1", "children": 3, "band": "g1_3", "reason": "rsn_full", "schools": ["S1", "S2"]}
    zh = message("chk_unplaced", "zh", params, names=names)
    en = message("chk_unplaced", "en", params, names={"schools": {"S1": "No. 1", "S2": "No. 2"}, "villages": {"V1": "East"}})
    assert zh.startswith("东村：") and "一中、二中" in zh and "S1" not in zh and "V1" not in zh
    assert en.startswith("East:") and "No. 1, No. 2" in en and "g1_3" not in en
    nested = {"problems": [{"key": "rules_p_threshold", "params": {"value": {"key": "empty_value"}}}, {"key": "rules_p_g1_3_board"}]}
    assert message("rules_e_invalid", "zh", nested) == "规则有误：时间上限须为正数（收到：空）；1–3 年级不得寄宿（国办发〔2018〕27号）。"
    assert "(got: empty)" in message("rules_e_invalid", "en", nested)


def test_error_text_falls_back_to_the_english_message_when_parameters_do_not_fit():
    from layers.errors import JunhengError

    assert error_text(JunhengError("plain"), "zh") == "plain"
    assert error_text(JunhengError("bad params", key="sc_e_unknown_school", params={}), "zh") == "bad params"
    assert error_text(JunhengError("x", key="no_such_key"), "zh") == "x"


def test_rules_errors_name_the_rule_and_say_empty_not_none():
    from geo.planning.rules import Rules, RulesError

    with pytest.raises(RulesError) as info:
        Rules.from_dict({"walk_minutes": {"g1_3": None}, "threshold_minutes": -1})
    zh, en = error_text(info.value, "zh"), error_text(info.value, "en")
    assert t("rule_walk", "zh") in zh and "1–3 年级" in zh and "空" in zh and "None" not in zh and "walk_minutes" not in zh
    assert t("rule_walk", "en") in en and "empty" in en and "None" not in en
    assert "walk_minutes['g1_3'] must be a positive number, got None" in str(info.value)  # the English exception is kept


def test_standards_errors_name_the_indicator_in_both_languages():
    from geo.indicators.standards import INDICATORS, IndicatorError, Standards

    with pytest.raises(IndicatorError) as info:
        Standards.from_dict({"minimum": {"primary": {"teachers_key": -1}}, "min_met": 9})
    ind = next(i for i in INDICATORS if i.key == "teachers_key")
    zh, en = error_text(info.value, "zh"), error_text(info.value, "en")
    assert zh.startswith("指标标准有误：") and ind.label_zh in zh and "teachers_key" not in zh and "小学" in zh
    assert en.startswith("Invalid indicator standards:") and ind.label_en in en and not CJK.search(en)


@pytest.fixture(scope="module")
def demo():
    from geo.planning.scenario import ScenarioModel
    from geo.region.region import load_region

    region = load_region("demo")
    return region, ScenarioModel.from_region(region)


def _names(region, lang):
    from dashboard import services

    return {"schools": services.layer_names("demo", "schools", lang), "villages": services.layer_names("demo", "villages", lang)}


def test_scenario_checks_carry_keys_and_read_in_the_page_language_with_names(demo):
    region, model = demo
    schools = region.schools.assign(total=region.schools[["enrol_g1_3", "enrol_g4_6", "enrol_g7_9"]].sum(axis=1))
    big = schools.sort_values("total")["school_id"].tolist()[-2:]
    res = model.solve({"name": "x", "actions": [{"type": "close", "school_id": s} for s in big]})
    v = res.violations
    assert {"build_before_close", "unplaced"} <= set(v["rule"])  # closing the two largest schools breaks both rules
    assert list(v.columns) == ["rule", "subject", "detail", "key", "params"]
    assert (v["key"] == "chk_" + v["rule"]).all()
    json.dumps(v["params"].tolist())  # plain JSON parameters
    ids = set(region.schools["school_id"]) | set(region.villages["village_id"])
    for lang in LANGS:
        names = _names(region, lang)
        for r in v.itertuples():
            text = message(r.key, lang, r.params, names=names)
            assert not any(re.search(rf"\b{re.escape(i)}\b", text) for i in ids), (lang, text)  # names, not ids
            words = re.sub(r"[\u4e00-\u9fff]+〔\d+〕\d+号|先建后撤|附近的学校", "", text)  # policy documents, generated names
            assert bool(CJK.search(words if lang == "en" else text)) == (lang == "zh"), (lang, text)
            assert "rsn_" not in text and "g1_3" not in text and "{" not in text
    reasons = {p["reason"] for p in v.loc[v["rule"] == "unplaced", "params"]}
    assert reasons and reasons <= {"rsn_full", "rsn_unreachable", "rsn_receiver", "rsn_no_seat", "rsn_not_enrolled"}


def test_reason_codes_of_every_allocation_reason():
    from geo.planning.allocation import NOT_ENROLLED
    from geo.planning.outcome import reason_code

    assert reason_code("receiving school S9 does not teach g1_3 or cannot be reached") == ("rsn_receiver", {"target": "S9"})
    assert reason_code("no open school teaching g7_9 can be reached") == ("rsn_unreachable", {})
    assert reason_code("nearest schools are full: S1 (seats 45/45), S2 (beds 3/3)") == ("rsn_full", {"schools": ["S1", "S2"]})
    assert reason_code("capacity of the reachable schools is exhausted") == ("rsn_no_seat", {})
    assert reason_code(NOT_ENROLLED) == ("rsn_not_enrolled", {})
    assert reason_code("something new") == ("rsn_other", {"text": "something new"})


def test_scenario_errors_render_in_both_languages(demo):
    from geo.planning.scenario import ScenarioError

    _, model = demo
    school = str(model.schools["school_id"].iloc[0])
    cases = [
        ([{"type": "close", "school_id": "NOPE"}], "NOPE"),
        ([{"type": "expand", "school_id": school, "seats": "many"}], "'many'"),
        ([{"type": "set_level", "school_id": school, "level": None}], "空"),
        ([{"type": "demolish", "school_id": school}], "'demolish'"),
        ([{"type": "open", "lon": 120.0, "lat": 30.0, "level": "primary", "seats": 10}], "120.0"),
    ]
    for actions, shown in cases:
        with pytest.raises(ScenarioError) as info:
            model.solve({"name": "x", "actions": actions})
        zh, en = error_text(info.value, "zh"), error_text(info.value, "en")
        assert info.value.key in CATALOGUE and CJK.search(zh) and not CJK.search(en), (zh, en)
        assert shown in zh, (shown, zh)
        assert "None" not in zh and "None" not in en


def test_import_errors_and_notes_render_in_both_languages():
    from layers.importing import load_table
    from layers.importing.spec import MappingSpec

    with pytest.raises(Exception) as info:
        load_table(b"", kind="schools", filename="empty.csv")
    assert info.value.key.startswith("imp_e_") and "empty.csv" in error_text(info.value, "zh")
    assert CJK.search(error_text(info.value, "zh")) and not CJK.search(error_text(info.value, "en"))
    with pytest.raises(Exception) as info:
        MappingSpec.from_dict({"columns": {"校名": "nonsense"}, "other": 1})
    zh = error_text(info.value, "zh")
    assert info.value.key == "imp_e_mapping" and "nonsense" in zh and "other" in zh and "unknown" not in zh
    csv = "学校名称,学段,在校生,经度,纬度\n一小,小学,100,116.4,39.9\n".encode()
    for lang, word in (("zh", "GCJ-02（高德、腾讯）"), ("en", "converted from GCJ-02")):
        result = load_table(csv, kind="schools", filename="a.csv", coords="gcj02", lang=lang)
        assert any(word in note for note in result.notes), result.notes


# --------------------------------------------------------------------------- generated school names


def test_unnamed_schools_are_named_after_the_nearest_village_in_both_languages():
    import geopandas as gpd
    from shapely.geometry import Point

    from geo.build.synthetic import generated_school_name, name_unnamed_schools

    schools = gpd.GeoDataFrame({"school_id": ["Sw1", "Sw2", "Sn3"], "name": ["School w1", "School w2", "一中"]},
                               geometry=[Point(1.5, 42.5), Point(1.5001, 42.5), Point(1.6, 42.6)], crs=4326)
    villages = gpd.GeoDataFrame({"name": ["Encamp", "Ordino"]}, geometry=[Point(1.5, 42.5), Point(1.6, 42.6)], crs=4326)
    name_unnamed_schools(schools, villages, metric_crs="EPSG:3857")
    assert schools["name"].tolist() == ["Encamp 附近的学校（1）", "Encamp 附近的学校（2）", "一中"]
    assert schools["name_generated"].tolist() == [True, True, False]
    assert schools["name_place"].tolist() == ["Encamp", "Encamp", ""] and schools["name_number"].tolist() == [1, 2, 0]
    assert not schools["name"].str.contains("w1|w2|OSM").any()  # the OSM id is the school_id only
    assert generated_school_name("Encamp", 0, "en") == "School near Encamp"


def test_demo_generated_names_in_both_languages():
    from dashboard import services

    schools = services.region("demo").schools
    generated = schools[schools["name_generated"].astype(bool)]
    assert len(generated) == 2  # the two schools OSM leaves unnamed
    zh, en = services.layer_names("demo", "schools"), services.layer_names("demo", "schools", "en")
    for sid in generated["school_id"]:
        assert zh[sid].startswith("Encamp 附近的学校") and en[sid].startswith("School near Encamp")
        assert sid not in zh[sid] and sid[1:] not in en[sid]
    named = schools.loc[~schools["name_generated"].astype(bool), "school_id"].iloc[0]
    assert zh[named] == en[named]  # real names are kept as they are

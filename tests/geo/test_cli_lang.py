"""``python -m geo --lang zh|en``: checks in the scenario JSON and error lines in the chosen language."""
from __future__ import annotations

import json
import re

import pytest

from geo.cli.parser import build_parser

CJK = re.compile(r"[\u4e00-\u9fff]")


def test_lang_is_a_global_option_defaulting_to_chinese_and_kept_after_the_command():
    parser = build_parser()
    assert parser.parse_args(["scenario", "--out", "x.json"]).lang == "zh"
    assert parser.parse_args(["--lang", "en", "scenario", "--out", "x.json"]).lang == "en"
    assert parser.parse_args(["--lang", "en", "export", "map", "--out", "m.png"]).lang == "en"  # not reset by the command
    assert parser.parse_args(["export", "map", "--lang", "en", "--out", "m.png"]).lang == "en"
    with pytest.raises(SystemExit):
        parser.parse_args(["--lang", "fr", "scenario", "--out", "x.json"])


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_scenario_json_checks_are_in_the_chosen_language_with_names(tmp_path, run_geo, lang):
    out = tmp_path / "s.json"
    proc = run_geo("--lang", lang, "scenario", "--region", "demo", "--close", "Sw998008316,Sw1144343737", "--out", str(out),
                   cwd=tmp_path, timeout=300)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["lang"] == lang and data["violations"] and data["unassigned"]
    for row in data["violations"]:
        assert row["key"] == f"chk_{row['rule']}" and isinstance(row["params"], dict)
        text = re.sub(r"[\u4e00-\u9fff]+〔\d+〕\d+号|先建后撤|附近的学校", "", row["message"]) if lang == "en" else row["message"]
        assert bool(CJK.search(text)) == (lang == "zh"), row["message"]
        assert not re.search(r"(?<![A-Za-z0-9])(?:S[nwr]|V)\d{3,}(?![0-9])", row["message"]), row["message"]  # names, not ids
        assert row["detail"].isascii() or "〔" in row["detail"] or "先建后撤" in row["detail"]  # the English detail is kept
    for row in data["unassigned"]:
        assert row["reason_key"].startswith("rsn_") and bool(CJK.search(row["reason_message"])) == (lang == "zh")


def test_error_lines_follow_lang(tmp_path, run_geo):
    bad = tmp_path / "s.json"
    bad.write_text(json.dumps({"name": "x", "actions": [{"type": "demolish", "school_id": "Sw998008316"}]}), encoding="utf-8")
    zh = run_geo("scenario", "--scenario", str(bad), "--out", str(tmp_path / "z.json"), cwd=tmp_path, timeout=300)
    en = run_geo("--lang", "en", "scenario", "--scenario", str(bad), "--out", str(tmp_path / "z.json"), cwd=tmp_path, timeout=300)
    zh_line, en_line = zh.stderr.strip().splitlines()[-1], en.stderr.strip().splitlines()[-1]
    assert zh.returncode == en.returncode == 2
    assert zh_line.startswith("error: 第 1 项措施：未知的措施类型 'demolish'"), zh_line
    assert en_line.startswith("error: Action 1: unknown type 'demolish'") and not CJK.search(en_line), en_line

"""``python -m geo layers check``: the import page's check from the command line, as a JSON report."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

REPORT_KEYS = {"rows", "valid", "mapping", "values", "summary", "problems"}

#: Five schools in the demo region (Andorra), one with a negative enrolment, one far away (Beijing).
SCHOOLS = (
    "学校代码,学校名称,学段,经度,纬度,在校生数,学位数\n"
    "A1,甲小学,小学,1.5145,42.5436,320,400\n"
    "A2,乙初中,初中,1.5298,42.5532,280,350\n"
    "A3,丙小学,小学,1.5224,42.5443,-5,300\n"
    "A4,丁小学,小学,116.39,39.91,100,200\n"
    "A5,戊学校,九年一贯制,1.5300,42.5100,200,300\n"
)


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_report_shape_and_one_line(tmp_path, run_geo):
    write(tmp_path, "schools.csv", SCHOOLS)
    proc = run_geo("layers", "check", "--kind", "schools", "schools.csv", "--lang", "en", "--out", "r.json", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "schools.csv: 4 of 5 rows valid; 1 problems of 1 kinds; report written to r.json"
    report = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert set(report) == REPORT_KEYS
    assert report["rows"] == 5 and report["valid"] == 4
    assert report["mapping"]["学校名称"] == "name" and report["mapping"]["经度"] == "lon"
    assert report["values"]["level"]["九年一贯制"] == "nine_year"
    assert [set(s) for s in report["summary"]] == [{"problem", "count", "rows"}]
    assert report["summary"][0]["count"] == 1 and report["summary"][0]["rows"] == [4]
    assert [(p["row"], p["column"]) for p in report["problems"]] == [(4, "在校生数")]
    assert set(report["problems"][0]) == {"row", "column", "value", "problem", "fix"}


def test_region_makes_far_points_problems_and_chinese_is_the_default(tmp_path, run_geo):
    write(tmp_path, "schools.csv", SCHOOLS)
    proc = run_geo("layers", "check", "--kind", "schools", "schools.csv", "--region", "demo", "--out", "r.json",
                   cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().startswith("schools.csv：共 5 行，3 行有效；")
    report = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert report["valid"] == 3
    assert {p["row"] for p in report["problems"]} == {4, 5}
    assert any(s["rows"] == [5] and "公里" in s["problem"] for s in report["summary"])


def test_mapping_file_and_crs(tmp_path, run_geo):
    write(tmp_path, "s.csv", "Code,Skolnamn,Phase,Lng,Lat,Learners\nK1,A,LOWER SCHOOL,1.5145,42.5436,300\n"
                             "K2,B,upper school,1.5298,42.5532,200\n")
    mapping = {"columns": {"Skolnamn": "name", "Learners": "students"},
               "values": {"level": {"LOWER SCHOOL": "primary", "UPPER SCHOOL": "junior"}}}
    write(tmp_path, "m.json", json.dumps(mapping))
    proc = run_geo("layers", "check", "--kind", "schools", "s.csv", "--mapping", "m.json", "--crs", "bd09", "--lang", "en",
                   "--out", "r.json", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    report = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert report["valid"] == 2 and report["problems"] == []
    assert report["mapping"]["Skolnamn"] == "name" and report["mapping"]["Learners"] == "students"
    assert {v.lower(): c for v, c in report["values"]["level"].items()} == {"lower school": "primary",
                                                                            "upper school": "junior"}

    proc = run_geo("layers", "check", "--kind", "schools", "s.csv", "--mapping", "m.json", "--crs", "auto",
                   "--region", "demo", "--lang", "en", "--out", "auto.json", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "s.csv: --crs auto read them as WGS-84 (" in proc.stderr  # two points: too few, or outside China


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--kind", "schools", "none.csv"], "schools file none.csv does not exist"),
        (["--kind", "roads", "s.csv"], "--kind 'roads': give schools or villages"),
        (["--kind", "schools", "s.csv", "--crs", "amap"], "--crs 'amap': unknown coordinate system"),
        (["--kind", "schools", "s.csv", "--crs", "auto"], "--crs auto needs roads to compare with: give --region"),
        (["--kind", "schools", "s.csv", "--mapping", "none.json"], "--mapping none.json: there is no such file"),
        (["--kind", "schools", "s.csv", "--mapping", "bad.json"], "bad.json"),
        (["--kind", "villages", "s.csv"], "s.csv"),
        (["--kind", "schools", "s.csv", "--lang", "fr"], "--lang 'fr' is not supported"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(tmp_path, run_geo, args, expected):
    write(tmp_path, "s.csv", SCHOOLS)
    write(tmp_path, "bad.json", "{not json")
    proc = run_geo("layers", "check", *args, "--lang", "en", "--out", "r.json", cwd=tmp_path) if "--lang" not in args \
        else run_geo("layers", "check", *args, "--out", "r.json", cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and expected in lines[0], proc.stderr
    assert not (tmp_path / "r.json").exists()

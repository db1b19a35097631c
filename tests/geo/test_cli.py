"""``python -m geo`` run as a subprocess: outputs and one-line errors."""
from __future__ import annotations

import math
import os
import subprocess
import sys
from pathlib import Path

import networkx as nx
import numpy as np
import osmnx as ox
import pandas as pd
import pytest
from osmnx.distance import great_circle

ROOT = Path(__file__).resolve().parents[2]
HEADER = "origin_id,destination_id,mode,minutes,reason"

LON0, LAT0 = 1.5, 42.5
M_PER_DEG_LAT = 111_132.0
M_PER_DEG_LON = 111_320.0 * math.cos(math.radians(LAT0))
WALK_MS = 4.0 / 3.6
DETOUR = 1.3


def run_geo(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "geo", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


def lonlat(east_m: float, north_m: float) -> tuple[float, float]:
    return LON0 + east_m / M_PER_DEG_LON, LAT0 + north_m / M_PER_DEG_LAT


# --------------------------------------------------------------------------
# Region OD
# --------------------------------------------------------------------------
def test_region_od_writes_every_village_school_pair(tmp_path):
    from geo.region.region import load_region, region_od

    out = tmp_path / "od.csv"
    proc = run_geo("od", "--region", "demo", "--mode", "walk", "--out", str(out), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0] == HEADER
    assert len(lines) == 1 + 73 * 16
    table = pd.read_csv(out, dtype={"origin_id": str, "destination_id": str}, keep_default_na=False)
    region = load_region("demo")
    assert table["origin_id"].unique().tolist() == region.villages["village_id"].astype(str).tolist()
    assert sorted(table["destination_id"].unique()) == sorted(region.schools["school_id"].astype(str))
    assert (table["mode"] == "walk").all()
    assert (table["reason"] == "").all()
    minutes = table["minutes"].astype(float).to_numpy().reshape(73, 16)
    assert np.isfinite(minutes).all() and (minutes > 0).all()
    np.testing.assert_allclose(minutes, region_od(region, "walk").minutes, rtol=0, atol=1e-6)


# --------------------------------------------------------------------------
# Graph OD
# --------------------------------------------------------------------------
NODES = {1: (0.0, 0.0), 2: (600.0, 0.0), 3: (600.0, 600.0), 4: (0.0, 600.0)}
# travel_time in seconds: a two-way street 1-2 and a one-way loop 2 -> 3 -> 4 -> 1.
TRAVEL = {(1, 2): 60.0, (2, 1): 60.0, (2, 3): 100.0, (3, 4): 30.0, (4, 1): 40.0}


def _graph(with_travel_time: bool = True) -> nx.MultiDiGraph:
    G = nx.MultiDiGraph(crs="epsg:4326")
    for n, (e, north) in NODES.items():
        x, y = lonlat(e, north)
        G.add_node(n, x=x, y=y)
    for (u, v), seconds in TRAVEL.items():
        data = {"length": float(great_circle(G.nodes[u]["y"], G.nodes[u]["x"], G.nodes[v]["y"], G.nodes[v]["x"])),
                "highway": "residential", "oneway": (v, u) not in TRAVEL, "reversed": False}
        if with_travel_time:
            data["travel_time"] = seconds
        G.add_edge(u, v, **data)
    return G


@pytest.fixture
def files(tmp_path):
    ox.save_graphml(_graph(), tmp_path / "G.graphml")
    ox.save_graphml(_graph(with_travel_time=False), tmp_path / "no_tt.graphml")
    o = [("at-1", *lonlat(*NODES[1])), ("mid-2-3", *lonlat(600.0, 300.0)), ("south-of-1", *lonlat(0.0, -100.0))]
    d = [("at-3", *lonlat(*NODES[3])), ("at-4", *lonlat(*NODES[4]))]
    pd.DataFrame(o, columns=["id", "lon", "lat"]).to_csv(tmp_path / "O.csv", index=False, float_format="%.10f")
    pd.DataFrame(d, columns=["id", "lon", "lat"]).to_csv(tmp_path / "D.csv", index=False, float_format="%.10f")
    return tmp_path


def test_graph_od_matches_hand_computation(files):
    out = files / "X.csv"
    proc = run_geo("od", "--graph", "G.graphml", "--origins", "O.csv", "--destinations", "D.csv", "--out", str(out), cwd=files)
    assert proc.returncode == 0, proc.stderr
    assert out.read_text(encoding="utf-8").splitlines()[0] == HEADER
    table = pd.read_csv(out, keep_default_na=False)
    assert len(table) == 6
    got = {(r.origin_id, r.destination_id): float(r.minutes) for r in table.itertuples()}
    south = great_circle(lonlat(0.0, -100.0)[1], LON0, LAT0, LON0) * DETOUR / WALK_MS
    want = {
        ("at-1", "at-3"): (60 + 100) / 60,  # 1 -> 2 -> 3
        ("at-1", "at-4"): (60 + 100 + 30) / 60,  # 1 -> 2 -> 3 -> 4
        ("mid-2-3", "at-3"): 50 / 60,  # the second half of 2 -> 3
        ("mid-2-3", "at-4"): (50 + 30) / 60,
        ("south-of-1", "at-3"): (south + 160) / 60,  # 100 m walked off-road first
        ("south-of-1", "at-4"): (south + 190) / 60,
    }
    assert set(got) == set(want)
    for pair, minutes in want.items():
        tol = 1e-3 if pair[0] != "south-of-1" else 0.01
        assert got[pair] == pytest.approx(minutes, abs=tol), pair
    assert (table["mode"] == "graph").all()
    assert (table["reason"] == "").all()


# --------------------------------------------------------------------------
# One-line errors
# --------------------------------------------------------------------------
def _assert_one_line_error(proc: subprocess.CompletedProcess, *fragments: str) -> str:
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("error:"), lines[0]
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])
    return lines[0]


def test_unknown_region(tmp_path):
    proc = run_geo("od", "--region", "atlantis", "--mode", "walk", "--out", str(tmp_path / "x.csv"), cwd=tmp_path)
    _assert_one_line_error(proc, "atlantis", "demo")
    assert not (tmp_path / "x.csv").exists()


def test_missing_origins_file(files):
    proc = run_geo("od", "--graph", "G.graphml", "--origins", "nope.csv", "--destinations", "D.csv", "--out", "x.csv", cwd=files)
    _assert_one_line_error(proc, "nope.csv", "does not exist")


def test_origins_without_lat_column(files):
    (files / "bad.csv").write_text("id,lon,latitude\na,1.5,42.5\n", encoding="utf-8")
    proc = run_geo("od", "--graph", "G.graphml", "--origins", "bad.csv", "--destinations", "D.csv", "--out", "x.csv", cwd=files)
    _assert_one_line_error(proc, "bad.csv", "lat")


def test_non_numeric_lon_names_row_and_column(files):
    (files / "bad.csv").write_text("id,lon,lat\na,1.5,42.5\nb,east,42.5\n", encoding="utf-8")
    proc = run_geo("od", "--graph", "G.graphml", "--origins", "bad.csv", "--destinations", "D.csv", "--out", "x.csv", cwd=files)
    _assert_one_line_error(proc, "bad.csv", "row 3", "column lon", "'east'")


def test_graph_without_travel_time(files):
    proc = run_geo("od", "--graph", "no_tt.graphml", "--origins", "O.csv", "--destinations", "D.csv", "--out", "x.csv", cwd=files)
    _assert_one_line_error(proc, "no_tt.graphml", "travel_time")
    assert not (files / "x.csv").exists()


def test_output_folder_missing(files):
    proc = run_geo("od", "--graph", "G.graphml", "--origins", "O.csv", "--destinations", "D.csv",
                   "--out", str(files / "no-such-folder" / "x.csv"), cwd=files)
    _assert_one_line_error(proc, "no-such-folder")
    assert not (files / "no-such-folder").exists()


# --------------------------------------------------------------------------
# Help and fast argument errors
# --------------------------------------------------------------------------
COMMANDS = (("od",), ("access",), ("scenario",), ("indicators",), ("export", "map"), ("export", "layers"),
            ("export", "report"), ("region", "build"))


@pytest.mark.parametrize("command", [(), *COMMANDS], ids=lambda c: " ".join(c) or "geo")
def test_help_of_every_command(tmp_path, command):
    proc = run_geo(*command, "--help", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("usage: python -m geo")
    assert "--out" in proc.stdout or not command


def test_argument_error_returns_before_the_heavy_libraries_load(tmp_path):
    code = (
        "import sys; from geo.cli.main import main; "
        "rc = main(['export', 'map', '--view', 'difference', '--out', 'x.png']); "
        "print(rc, sorted(m for m in ('matplotlib', 'osmnx', 'scipy') if m in sys.modules)); sys.exit(rc)"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert proc.stdout.split(None, 1) == ["2", "[]\n"], (proc.stdout, proc.stderr)
    _assert_one_line_error(proc, "--view difference needs --scenario")
    assert not (tmp_path / "x.png").exists()


def test_main_returns_the_status_of_a_usage_error():
    from geo.cli.main import main

    assert main(["od"]) == 2  # --out is required; argparse prints the usage

"""Shared fixtures: a temporary cache for the whole run, the CLI as a subprocess, a toy road graph.

The product's caches (``data/cache`` in a checkout) are never touched by tests:
:func:`pytest_configure` points ``JUNHENG_CACHE_DIR`` at a fresh temporary folder
before any project module is imported, so settings, subprocesses (``run_geo``)
and the live dashboard server all read and write there.

Browser tests live in ``tests/browser/`` (fixtures in its own conftest).  With
``-m "not browser"`` that folder is not even collected, so playwright need not
be importable.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Callable

import pytest

ROOT = Path(__file__).resolve().parents[1]
_CACHE: dict[str, Path] = {}


def pytest_configure(config: pytest.Config) -> None:
    """Point the project's cache at a temporary folder for this run (unless one was given)."""
    if "JUNHENG_CACHE_DIR" not in os.environ:
        _CACHE["dir"] = Path(tempfile.mkdtemp(prefix="junheng-test-cache-"))
        os.environ["JUNHENG_CACHE_DIR"] = str(_CACHE["dir"])


def pytest_unconfigure(config: pytest.Config) -> None:
    """Remove the temporary cache folder this run made."""
    if "dir" in _CACHE:
        shutil.rmtree(_CACHE.pop("dir"), ignore_errors=True)
        os.environ.pop("JUNHENG_CACHE_DIR", None)


def _browser_deselected(config: pytest.Config) -> bool:
    markexpr = (config.getoption("-m", default="") or "").replace(" ", "")
    return "notbrowser" in markexpr


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """Skip collecting ``tests/browser`` under ``-m "not browser"`` (no playwright import needed)."""
    if _browser_deselected(config) and (ROOT / "tests" / "browser") in (collection_path, *collection_path.parents):
        return True
    return None


@pytest.fixture(scope="session")
def cache_dir() -> Path:
    """The temporary cache folder of this run (what ``DEFAULT_SETTINGS.cache_dir`` points at)."""
    from geo.core.settings import DEFAULT_SETTINGS

    path = Path(os.environ["JUNHENG_CACHE_DIR"])
    assert DEFAULT_SETTINGS.cache_dir == path, "settings were imported before the test cache was set"
    assert ROOT / "data" / "cache" not in (path, *path.parents)
    return path


@pytest.fixture(scope="session", autouse=True)
def _cache_is_temporary(cache_dir: Path) -> None:
    """Every test runs with the temporary cache (fails loudly if the checkout's cache would be used)."""


@pytest.fixture(scope="session")
def run_geo() -> Callable[..., subprocess.CompletedProcess]:
    """Run ``python -m geo ARGS`` in a subprocess (same cache folder); returns the completed process.

    Call it as ``run_geo("od", "--region", "demo", ..., cwd=tmp_path)``.
    """

    def run(*args: str, cwd: Path = ROOT, timeout: float = 300) -> subprocess.CompletedProcess:
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        return subprocess.run([sys.executable, "-m", "geo", *args], cwd=cwd, env=env, capture_output=True, text=True,
                              timeout=timeout)

    return run


@pytest.fixture
def toy_graph():
    """A 3-node one-way road triangle in the Andorra area with lengths in metres (osmnx-like MultiDiGraph)."""
    import networkx as nx

    graph = nx.MultiDiGraph(crs="EPSG:4326")
    for node, (x, y) in {1: (1.500, 42.500), 2: (1.510, 42.500), 3: (1.510, 42.510)}.items():
        graph.add_node(node, x=x, y=y)
    for u, v, length in ((1, 2, 820.0), (2, 3, 1110.0), (3, 1, 1380.0)):
        graph.add_edge(u, v, length=length, highway="residential")
    return graph

"""The Examples of every docstring in layers/, geo/ and dashboard/ run as doctests."""
from __future__ import annotations

import doctest
import importlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MODULES = sorted(
    ".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
    for pkg in ("layers", "geo", "dashboard")
    for p in (ROOT / pkg).rglob("*.py")
    if p.name != "__main__.py"
)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    for test in doctest.DocTestFinder().find(module, name):
        runner.run(test)
    result = runner.summarize(verbose=False)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples in {name} failed (run: python -m pytest --doctest-modules {name.replace('.', '/')}.py)"


def test_the_library_has_examples():
    attempted = 0
    for name in MODULES:
        module = importlib.import_module(name)
        attempted += sum(len(t.examples) for t in doctest.DocTestFinder().find(module, name))
    assert attempted >= 50, f"only {attempted} docstring examples found: the finder is broken"

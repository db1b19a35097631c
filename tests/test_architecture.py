"""The rules of the house, read from the code with ``ast``; each failure names the offending import.

* Packages import only to their left: ``layers -> geo -> dashboard -> app.py``.
* Inside ``geo/``, subpackages import only those below them (:data:`GEO_ORDER`).
* No import cycle between modules, function-level imports included.
* ``argparse`` only under ``geo/cli/``, and nothing imports ``geo.cli`` back.
* Flask's ``request`` is read in one dashboard module (:data:`REQUEST_MODULE`).
* No module over 800 lines; no private name (``_x``) imported from another module.
* One error root: every project exception subclasses ``layers.errors.JunhengError``.

The checks are plain functions of a source tree, so the self-tests at the end run them
on a small tree with a back-import added on purpose and see them fail.
"""
from __future__ import annotations

import ast
import importlib
import inspect
import warnings
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("layers", "geo", "dashboard", "app")
#: Rank of each top-level package: a module may import only packages of lower or equal rank.
PACKAGE_RANK = {name: rank for rank, name in enumerate(PACKAGES)}
#: geo's subpackages from the bottom up; the rooms of later capabilities are placed already.
GEO_ORDER = (
    "core", "network", "routing", "region", "projection", "planning", "transport", "locate",
    "indicators", "communities", "build", "export", "batch", "cli",
)
GEO_RANK = {name: rank for rank, name in enumerate(GEO_ORDER)}
REQUEST_MODULE = "dashboard.request"
MAX_LINES = 800
CODE_DIRS = ("layers", "geo", "dashboard", "tests", "benchmarks", "data")


@dataclass(frozen=True)
class Import:
    """One import statement: who imports what, where."""

    importer: str
    target: str
    names: tuple[str, ...]
    path: Path
    line: int


def module_name(path: Path, root: Path) -> str:
    """``geo/routing/od.py`` -> ``geo.routing.od``; ``geo/core/__init__.py`` -> ``geo.core``."""
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def project_modules(root: Path) -> dict[str, Path]:
    """Every module of the product: the packages layers, geo, dashboard and app.py."""
    found = {module_name(p, root): p for pkg in PACKAGES[:-1] for p in sorted((root / pkg).rglob("*.py"))}
    if (root / "app.py").is_file():
        found["app"] = root / "app.py"
    return found


def code_files(root: Path) -> list[Path]:
    """Every Python file of the checkout that is ours (product, tests, benchmarks, data scripts)."""
    files = [p for d in CODE_DIRS if (root / d).is_dir() for p in (root / d).rglob("*.py")]
    return sorted([*files, *root.glob("*.py")])


def imports_of(path: Path, name: str, modules: dict[str, Path]) -> list[Import]:
    """Every import in ``path`` (module ``name``), at any depth, resolved to project modules where they are ours."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: list[Import] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend(Import(name, alias.name, (), path, node.lineno) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            names = tuple(alias.name for alias in node.names)
            submodules = [f"{base}.{n}" for n in names if f"{base}.{n}" in modules]
            if submodules:
                found.extend(Import(name, sub, (), path, node.lineno) for sub in submodules)
                rest = tuple(n for n in names if f"{base}.{n}" not in modules)
                if rest:
                    found.append(Import(name, base, rest, path, node.lineno))
            else:
                found.append(Import(name, base, names, path, node.lineno))
    return found


def all_imports(root: Path) -> list[Import]:
    modules = project_modules(root)
    return [imp for name, path in modules.items() for imp in imports_of(path, name, modules)]


def _top(module: str) -> str:
    return module.split(".")[0]


def _geo_room(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 2 and parts[0] == "geo" else None


def _rel(imp: Import, root: Path) -> str:
    return f"{imp.path.relative_to(root)}:{imp.line}: {imp.importer} imports {imp.target}"


def layer_violations(root: Path) -> list[str]:
    """Imports that run against ``layers -> geo -> dashboard -> app.py``."""
    bad = []
    for imp in all_imports(root):
        mine, theirs = _top(imp.importer), _top(imp.target)
        if theirs in PACKAGE_RANK and PACKAGE_RANK[theirs] > PACKAGE_RANK[mine]:
            bad.append(f"{_rel(imp, root)} ({theirs} is right of {mine}: packages import only to their left)")
    return bad


def geo_order_violations(root: Path) -> list[str]:
    """Imports from one geo subpackage to a higher one, or into a subpackage not in :data:`GEO_ORDER`."""
    bad = []
    for imp in all_imports(root):
        mine, theirs = _geo_room(imp.importer), _geo_room(imp.target)
        if _top(imp.target) != "geo" or _top(imp.importer) != "geo":
            continue
        for room in (mine, theirs):
            if room is not None and room not in GEO_RANK:
                bad.append(f"{_rel(imp, root)} (geo/{room}/ is not a known room; add it to GEO_ORDER where it belongs)")
        if mine in GEO_RANK and theirs in GEO_RANK and GEO_RANK[theirs] > GEO_RANK[mine]:
            bad.append(f"{_rel(imp, root)} (geo/{theirs}/ is above geo/{mine}/ in {' < '.join(GEO_ORDER)})")
        if theirs == "cli" and mine != "cli" and imp.importer != "geo.__main__":
            bad.append(f"{_rel(imp, root)} (nothing imports geo.cli back)")
    return bad


def import_cycles(root: Path) -> list[str]:
    """Cycles in the module graph of explicit imports (function-level ones included)."""
    modules = project_modules(root)
    graph: dict[str, set[str]] = {name: set() for name in modules}
    lines: dict[tuple[str, str], str] = {}
    for imp in all_imports(root):
        if imp.target in modules and imp.target != imp.importer:
            graph[imp.importer].add(imp.target)
            lines.setdefault((imp.importer, imp.target), _rel(imp, root))
    cycles, state = [], {}

    def visit(node: str, stack: list[str]) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                loop = stack[stack.index(nxt):] + [nxt]
                cycles.append(" -> ".join(loop) + "  [" + lines[(node, nxt)] + "]")
            elif nxt not in state:
                visit(nxt, stack)
        stack.pop()
        state[node] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [])
    return cycles


def argparse_violations(root: Path) -> list[str]:
    """``argparse`` imported outside ``geo/cli/`` (and ``app.py``, the dashboard's own entry point)."""
    return [
        _rel(imp, root) + " (argparse lives only under geo/cli/)"
        for imp in all_imports(root)
        if _top(imp.target) == "argparse" and not imp.importer.startswith("geo.cli") and imp.importer != "app"
    ]


def request_violations(root: Path) -> list[str]:
    """Modules other than :data:`REQUEST_MODULE` that read Flask's ``request``."""
    bad = []
    for name, path in project_modules(root).items():
        if name == REQUEST_MODULE:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            from_flask = isinstance(node, ast.ImportFrom) and node.module == "flask" and any(
                a.name in ("request", "has_request_context") for a in node.names)
            attribute = (isinstance(node, ast.Attribute) and node.attr in ("request", "has_request_context")
                         and isinstance(node.value, ast.Name) and node.value.id == "flask")
            if from_flask or attribute:
                bad.append(f"{path.relative_to(root)}:{node.lineno}: reads Flask's request (only {REQUEST_MODULE} may)")
    return bad


def long_modules(root: Path) -> list[str]:
    """Python files of the checkout over :data:`MAX_LINES` lines."""
    return [
        f"{p.relative_to(root)}: {n} lines (at most {MAX_LINES}: split it by concern)"
        for p in code_files(root)
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    ]


def private_imports(root: Path) -> list[str]:
    """``from module import _name`` of a project module, anywhere in the checkout."""
    modules = project_modules(root)
    bad = []
    for path in code_files(root):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and _top(node.module) in PACKAGE_RANK:
                private = [a.name for a in node.names if a.name.startswith("_") and not a.name.startswith("__")
                           and f"{node.module}.{a.name}" not in modules]
                if private:
                    bad.append(f"{path.relative_to(root)}:{node.lineno}: imports private {', '.join(private)} from {node.module}")
    return bad


# ---------------------------------------------------------------------------------------- the checkout


def test_layer_rule():
    assert not (bad := layer_violations(ROOT)), "\n".join(bad)


def test_geo_subpackages_import_only_downwards():
    assert not (bad := geo_order_violations(ROOT)), "\n".join(bad)


def test_no_import_cycles():
    assert not (bad := import_cycles(ROOT)), "\n".join(bad)


def test_argparse_only_in_cli():
    assert not (bad := argparse_violations(ROOT)), "\n".join(bad)


def test_flask_request_read_in_one_module():
    assert not (bad := request_violations(ROOT)), "\n".join(bad)
    assert (ROOT / "dashboard" / "request.py").is_file()


def test_no_module_over_800_lines():
    assert not (bad := long_modules(ROOT)), "\n".join(bad)


def test_no_private_name_imported_across_modules():
    assert not (bad := private_imports(ROOT)), "\n".join(bad)


def test_every_project_exception_has_the_one_root():
    from layers.errors import JunhengError

    seen, bad = [], []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name in project_modules(ROOT):
            if name == "app" or name.endswith("__main__"):
                continue
            module = importlib.import_module(name)
            for _, obj in inspect.getmembers(module, inspect.isclass):
                if obj.__module__ == name and issubclass(obj, Exception) and not issubclass(obj, Warning):
                    seen.append(obj)
                    if not issubclass(obj, JunhengError):
                        bad.append(f"{name}.{obj.__name__} does not subclass layers.errors.JunhengError")
    assert len(seen) >= 15, f"only {len(seen)} exception classes found: the scan is broken"
    assert not bad, "\n".join(bad)
    assert all(len(cls.__mro__) > 3 for cls in seen), "each error also subclasses a fitting built-in"


# ---------------------------------------------------------------------------------------- the checks can fail


def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    for pkg in ("layers", "geo", "geo/core", "geo/routing", "geo/cli", "dashboard"):
        (tmp_path / pkg).mkdir(parents=True, exist_ok=True)
        (tmp_path / pkg / "__init__.py").touch()
    return tmp_path


def test_checks_catch_a_back_import(tmp_path):
    root = _tree(tmp_path, {
        "layers/schema.py": "def f():\n    from geo.core.settings import X  # back-import on purpose\n",
        "geo/core/settings.py": "from geo.routing.od import Y\nX = 1\n",
        "geo/routing/od.py": "from geo.core.settings import X\nimport argparse\nfrom geo.cli.main import main\nY = 2\n",
        "geo/cli/main.py": "import argparse\n",
        "dashboard/services.py": "import flask\nfrom geo.routing.od import _private\nflask.request.args\n",
    })
    assert any("layers/schema.py:2" in b and "geo is right of layers" in b for b in layer_violations(root))
    assert any("geo.core.settings imports geo.routing.od" in b for b in geo_order_violations(root))
    assert any("nothing imports geo.cli back" in b for b in geo_order_violations(root))
    cycles = import_cycles(root)
    assert len(cycles) == 1 and {"geo.core.settings", "geo.routing.od"} <= set(cycles[0].split(" ")), cycles
    assert [b for b in argparse_violations(root) if "geo/routing/od.py" in b]
    assert not [b for b in argparse_violations(root) if b.startswith("geo/cli")]
    assert [b for b in request_violations(root) if "dashboard/services.py:3" in b]
    assert [b for b in private_imports(root) if "_private" in b]


def test_long_module_is_reported(tmp_path):
    root = _tree(tmp_path, {"geo/core/big.py": "x = 1\n" * (MAX_LINES + 1), "geo/core/ok.py": "x = 1\n" * MAX_LINES})
    bad = long_modules(root)
    assert len(bad) == 1 and "geo/core/big.py: 801 lines" in bad[0]


@pytest.mark.parametrize("line", [
    "from dashboard import ids",
    "import app",
    "from dashboard.services import region",
])
def test_geo_may_not_import_upwards(tmp_path, line):
    root = _tree(tmp_path, {"geo/core/settings.py": line + "\n", "dashboard/ids.py": "", "dashboard/services.py": "", "app.py": ""})
    assert len(layer_violations(root)) == 1

"""Imports run one way (DESIGN.md "Layers"), and no production module assigns to another module's attributes.

Every `import` and `from … import` in toolkit/ (also those inside functions, and
`importlib.import_module("toolkit.…")` with a literal name) is checked against the layer order
below. A package may import its own modules, any package in a lower layer, and, within one layer,
only the pairs listed in SAME_LAYER.

For the lead, to put into DESIGN.md: the lab sits above routing (lab/topology.py builds the
namespaces' addresses and routes with the routing planner and its netlink backend, DESIGN decision 7),
so `lab` is a layer of its own between the registry and dnsserver/routing/checks/cloud.
"""

from __future__ import annotations

import ast
import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2] / "toolkit"

LAYERS = [
    ["__main__"],  # python -m toolkit: the entry point, above everything
    ["cli"],  # it launches the others
    ["tui", "api"],  # front ends, never each other
    ["registry"],
    ["lab"],  # above routing: the lab builds its topology with the routing code
    ["dnsserver", "routing", "checks", "cloud"],
    ["store", "model"],
    ["errors", "config", "clock", "display", "netns", "ruletable", "__init__"],
]
RANK = {name: rank for rank, names in enumerate(LAYERS) for name in names}

SAME_LAYER = {
    ("lab", "routing"),  # see the module docstring: lab is a layer above routing
    ("config", "errors"),  # Settings raise ConfigError
    ("errors", "ruletable"),  # an error's default fix comes from the rule table (which imports nothing)
}
"""Imports allowed between two packages of one layer: (importer, imported)."""

KNOWN: set[tuple[str, str]] = set()
"""Back edges that exist today and are owned by someone: (file under toolkit/, imported module)."""


def modules() -> list[Path]:
    return sorted(p for p in ROOT.rglob("*.py") if "__pycache__" not in p.parts)


def package(path: Path) -> str:
    return path.relative_to(ROOT).parts[0].removesuffix(".py")


def imported(tree: ast.AST) -> list[tuple[int, str]]:
    """(line, module) for every toolkit import in the tree, `from toolkit import x` as toolkit.x."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "toolkit":
                found += [(node.lineno, f"toolkit.{alias.name}") for alias in node.names]
            else:
                found.append((node.lineno, node.module))
        elif isinstance(node, ast.Call) and _is_import_module(node):
            found.append((node.lineno, node.args[0].value))
    return [(line, name) for line, name in found if name.startswith("toolkit.")]


def _is_import_module(node: ast.Call) -> bool:
    func = node.func
    named = isinstance(func, ast.Attribute) and func.attr == "import_module"
    return named and bool(node.args) and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)


def allowed(importer: str, target: str) -> bool:
    return importer == target or RANK[target] > RANK[importer] or (importer, target) in SAME_LAYER


def edges() -> list[tuple[str, int, str, str, str]]:
    """(file, line, importer package, imported package, imported module) for every toolkit import."""
    found = []
    for path in modules():
        for line, name in imported(ast.parse(path.read_text(), str(path))):
            found.append((path.relative_to(ROOT).as_posix(), line, package(path), name.split(".")[1], name))
    return found


def test_every_package_has_a_layer():
    unplaced = {package(p) for p in modules()} - set(RANK)
    assert not unplaced, f"put {sorted(unplaced)} into LAYERS here and in DESIGN.md"


def test_no_module_imports_a_layer_above_it():
    back = [f"toolkit/{file}:{line}: {src} -> {dst} ({name})" for file, line, src, dst, name in edges()
            if dst in RANK and not allowed(src, dst) and (file, name) not in KNOWN]
    assert not back, "back edges (DESIGN.md, Layers):\n" + "\n".join(back)


def test_known_exceptions_still_exist():
    """A KNOWN entry whose import is gone is removed from the list (so it cannot hide a new one)."""
    present = {(file, name) for file, _, _, _, name in edges()}
    assert KNOWN <= present, f"remove from KNOWN: {sorted(KNOWN - present)}"


def test_the_walker_sees_every_import_form():
    tree = ast.parse("import toolkit.cli\nfrom toolkit import tui\ndef f():\n    from toolkit.registry.base import Base\n"
                     "    importlib.import_module('toolkit.api.app')\nfrom . import x\nimport os\n")
    assert [name for _, name in imported(tree)] == ["toolkit.cli", "toolkit.tui", "toolkit.registry.base",
                                                    "toolkit.api.app"]


@pytest.mark.parametrize(("importer", "target", "ok"), [
    ("tui", "api", False), ("api", "tui", False), ("registry", "cli", False), ("checks", "registry", False),
    ("routing", "lab", False), ("lab", "routing", True), ("errors", "config", False), ("config", "errors", True),
    ("cli", "tui", True), ("model", "errors", True), ("store", "model", False),
])
def test_layer_order(importer, target, ok):
    assert allowed(importer, target) is ok


# -- no production module assigns to another module's attributes ---------------------------------
def module_names(tree: ast.AST) -> set[str]:
    """Names a module binds to imported modules (`import x`, `import x.y as z`, `from pkg import module`)."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.asname or alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names |= {alias.asname or alias.name for alias in node.names if _is_module(f"{node.module}.{alias.name}")}
    return names


def _is_module(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


def module_assignments(source: str) -> list[str]:
    """`module.attr = …`, `module.attr += …` and `setattr(module, …)` where module names an imported module."""
    tree = ast.parse(source)
    names, found = module_names(tree), []
    for node in ast.walk(tree):
        targets = node.targets if isinstance(node, ast.Assign) else (
            [node.target] if isinstance(node, (ast.AugAssign, ast.AnnAssign)) else [])
        for target in targets:
            for leaf in ast.walk(target):
                if isinstance(leaf, ast.Attribute) and isinstance(leaf.value, ast.Name) and leaf.value.id in names:
                    found.append(f"{node.lineno}: {leaf.value.id}.{leaf.attr} =")
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "setattr" and \
                node.args and isinstance(node.args[0], ast.Name) and node.args[0].id in names:
            found.append(f"{node.lineno}: setattr({node.args[0].id}, …)")
    return found


def test_no_production_module_assigns_to_another_modules_attributes():
    found = [f"toolkit/{p.relative_to(ROOT).as_posix()}:{hit}" for p in modules()
             for hit in module_assignments(p.read_text())]
    assert not found, "use a seam (a parameter) instead of patching a module:\n" + "\n".join(found)


def test_the_assignment_finder_sees_patching():
    source = ("from toolkit import clock\nimport os.path\nfrom toolkit.model.network import Vpc\n"
              "def f(obj):\n    clock.now = lambda: 'x'\n    os.sep += '/'\n    (clock.a, x) = 1, 2\n"
              "    setattr(clock, 'now', None)\n    obj.now = 1\n    Vpc.x = 1\n")
    assert module_assignments(source) == ["5: clock.now =", "6: os.sep =", "7: clock.a =", "8: setattr(clock, …)"]

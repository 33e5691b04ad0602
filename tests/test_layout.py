"""The layout is the architecture: the layer contracts cover every module, and no module is a grab-bag."""

from __future__ import annotations

import configparser
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PACKAGE = REPO / "symconv"


def _contracts() -> configparser.ConfigParser:
    cfg = configparser.ConfigParser()
    cfg.read(REPO / ".importlinter", encoding="utf-8")
    return cfg


def _listed(section: str, key: str) -> set[str]:
    return {line.strip() for line in _contracts()[section][key].splitlines() if line.strip()}


def test_every_proof_module_but_the_library_is_machinery_the_contract_names():
    machinery = {f"symconv.proofs.{p.stem}" for p in (PACKAGE / "proofs").glob("_*.py") if p.stem != "__init__"}
    assert machinery == _listed("importlinter:contract:library", "source_modules")


def test_every_folder_of_the_package_is_a_layer():
    layers: set[str] = set()
    for row in _listed("importlinter:contract:layers", "layers"):
        layers |= {name.strip() for name in row.split("|")}
    folders = {f"symconv.{p.name}" for p in PACKAGE.iterdir() if (p / "__init__.py").exists()}
    modules = {f"symconv.{p.stem}" for p in PACKAGE.glob("*.py") if p.stem not in ("__init__", "__main__")}
    assert folders | modules == layers


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: str(p.relative_to(REPO)))
def test_no_module_is_over_about_600_lines(path):
    assert len(path.read_text(encoding="utf-8").splitlines()) <= 650, "split it by responsibility"


def _imports() -> dict[str, set[str]]:
    """Every module of the package and the package modules it imports at run time (module level or in functions)."""
    import ast

    graph: dict[str, set[str]] = {}
    for p in PACKAGE.rglob("*.py"):
        name = ".".join(p.relative_to(REPO).with_suffix("").parts).removesuffix(".__init__")
        deps: set[str] = set()
        tree = ast.parse(p.read_text(encoding="utf-8"))
        for block in [n for n in ast.walk(tree) if isinstance(n, ast.If) and ast.unparse(n.test) == "TYPE_CHECKING"]:
            block.body = []  # imports for type annotations only: never executed
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("symconv"):
                deps |= {node.module} | {f"{node.module}.{a.name}" for a in node.names}
            elif isinstance(node, ast.Import):
                deps |= {a.name for a in node.names if a.name.startswith("symconv")}
        graph[name] = deps
    # a package's own __init__ importing its children is how packages work, not a cycle
    return {m: {d for d in ds if d in graph and d != m and not m.startswith(d + ".")} for m, ds in graph.items()}


def test_no_circular_imports_even_inside_functions():
    graph, cycles = _imports(), []
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []

    def visit(v: str) -> None:  # Tarjan's strongly connected components
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                cycles.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    assert not cycles, f"modules that import each other: {cycles}"

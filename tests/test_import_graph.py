"""The house drawn from imports: manual → oracle → {check, derive, grade} → cli.

Every `import` and `from ... import` statement of `manual/` and `reference/` (read with
`ast`, at the top of a module or inside a function: both are counted) is an edge from
the importing module's room to the imported module's room. A room may import only the
rooms on its floor or below, and the rooms may not import each other in a circle.

The cli floor is the command line and the plugins: `reference` itself (its `__init__`
gathers the public API), `reference.__main__`, `reference.cli`, `reference.pytest_plugin`
and each room's own door (`reference.ROOM.cli`, `reference.ROOM.pytest_plugin`). Imports
by name at run time (`importlib.import_module` with a string) are not statements and are
not drawn.
"""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx
import pytest

ROOT = Path(__file__).resolve().parents[1]
FLOORS = {"manual": 0, "oracle": 1, "check": 2, "derive": 2, "grade": 2, "cli": 3}
DOORS = ("cli", "pytest_plugin", "__main__")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def room(module: str) -> str | None:
    """The room of a project module (None: not the project's)."""
    parts = module.split(".")
    if parts[0] == "manual":
        return "manual"
    if parts[0] != "reference":
        return None
    if len(parts) == 1 or parts[1] in DOORS or (len(parts) > 2 and parts[2] in DOORS):
        return "cli"
    return parts[1] if parts[1] in FLOORS else "cli"


def _package(module: str, path: Path) -> str:
    return module if path.name == "__init__.py" else module.rpartition(".")[0]


def imported(path: Path, modules: set[str]) -> set[str]:
    """The project modules `path` imports (a `from P import name` of a submodule counts
    as the submodule)."""
    module = module_name(path)
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                pkg = _package(module, path).split(".")
                pkg = pkg[:len(pkg) - node.level + 1]
                base = ".".join(pkg + ([base] if base else []))
            out.add(base)
            out.update(f"{base}.{a.name}" for a in node.names if f"{base}.{a.name}" in modules)
    return {m for m in out if room(m) is not None}


def house() -> nx.DiGraph:
    """rooms -> rooms, each edge with the module imports that draw it."""
    files = sorted((ROOT / "manual").rglob("*.py")) + sorted((ROOT / "reference").rglob("*.py"))
    modules = {module_name(f) for f in files}
    graph = nx.DiGraph()
    graph.add_nodes_from(FLOORS)
    for f in files:
        source = module_name(f)
        for target in imported(f, modules):
            a, b = room(source), room(target)
            if a != b:
                graph.add_edge(a, b)
                graph.edges[a, b].setdefault("imports", []).append(f"{source} -> {target}")
    return graph


@pytest.fixture(scope="module")
def graph() -> nx.DiGraph:
    return house()


def test_no_room_imports_a_floor_above_it(graph):
    """The oracle importing check's Spec and derive's expression language, and check
    importing the grader's diagnose, were three such imports."""
    upward = [imp for a, b, data in graph.edges(data=True) if FLOORS[b] > FLOORS[a]
              for imp in data["imports"]]
    assert upward == []


def test_no_rooms_import_each_other_in_a_circle(graph):
    cycles = [[(a, b, graph.edges[a, b]["imports"][:3]) for a, b in zip(c, c[1:] + c[:1])]
              for c in nx.simple_cycles(graph)]
    assert cycles == []


def test_the_drawing_sees_the_imports_it_judges():
    """The test can fail: an oracle module importing check is an upward edge, and the
    relative imports of the rooms are resolved (the grader's runner reaches the oracle)."""
    modules = {"reference.oracle.spec", "reference.check.contract"}
    oracle_file = ROOT / "reference" / "oracle" / "autograd.py"
    assert room("reference.oracle.autograd") == "oracle"
    assert room("reference.check.cli") == "cli" and room("reference") == "cli"
    assert "reference.oracle.spec" in imported(oracle_file, modules)
    runner = imported(ROOT / "reference" / "grade" / "runner.py", set())
    assert {room(m) for m in runner} >= {"grade", "oracle"}
    g = nx.DiGraph([("oracle", "check")])
    assert [(a, b) for a, b in g.edges if FLOORS[b] > FLOORS[a]] == [("oracle", "check")]

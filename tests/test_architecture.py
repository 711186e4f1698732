"""The package map of docs/architecture.md, held: no import cycle between wschat's top-level packages and
modules, nothing imports the wiring (wschat.server), and the bottom layer knows no feature.

Imports are read from the source (every ``import``/``from … import``, also inside functions and under
``TYPE_CHECKING``: a cycle hidden there is still a cycle for the reader).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent / "wschat"
ARCHITECTURE = ROOT.parent / "docs" / "architecture.md"
#: Know no feature: what features and the wiring agree on, and plain helpers.
BOTTOM = {"boundary", "clock", "errors", "wire", "records", "config", "database_url", "sealing", "origins"}
BOTTOM |= {"proxies", "limits", "privacy", "housekeeping", "config_parsing", "secret", "smtp"}
BOTTOM |= {"cursors", "spreadsheet"}


def unit_of(module: str) -> str | None:
    """``wschat.chat.routing`` → ``chat``; None for anything outside wschat."""
    parts = module.split(".")
    if parts[0] != "wschat" or len(parts) < 2:
        return None
    return parts[1]


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return found


def package_graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for path in ROOT.rglob("*.py"):
        relative = path.relative_to(ROOT.parent).with_suffix("")
        unit = unit_of(".".join(relative.parts))
        if unit is None:
            continue
        graph.setdefault(unit, set()).update(unit_of(name) or "" for name in imports_of(path))
    units = set(graph)  # ``from wschat import __version__`` names no unit
    return {unit: {t for t in targets if t in units and t != unit} for unit, targets in graph.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected group of more than one node (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycle_between_packages() -> None:
    assert cycles(package_graph()) == []


def test_nothing_imports_the_wiring() -> None:
    importers = sorted(unit for unit, targets in package_graph().items() if "server" in targets)
    assert importers == ["__main__"]


@pytest.mark.parametrize("unit", sorted(BOTTOM))
def test_the_bottom_layer_knows_no_feature(unit: str) -> None:
    graph = package_graph()
    assert unit in graph, f"wschat.{unit} is gone: update BOTTOM and docs/architecture.md"
    assert graph[unit] <= BOTTOM, f"wschat.{unit} imports {sorted(graph[unit] - BOTTOM)}"


def test_the_package_map_in_docs_architecture_md_names_every_package_and_no_other() -> None:
    """The first page a newcomer reads stays true: every top-level package and module of ``wschat`` is
    named in its map, and every entry of the map (``name/`` or ``name.py`` starting a line) exists."""
    block = ARCHITECTURE.read_text().split("## The package map", 1)[1].split("```", 2)[1]
    inside = block.split("\nfrontend/", 1)[0]
    named = set(re.findall(r"\b([a-z_]+)(?:/|\.py)", inside))
    entries = set(re.findall(r"(?m)^  ([a-z_]+)(?:/|\.py)", inside))
    real = {path.name for path in ROOT.iterdir() if path.is_dir() and (path / "__init__.py").exists()}
    real |= {path.stem for path in ROOT.glob("*.py")} - {"__init__", "__main__"}
    assert real - named == set(), "not in docs/architecture.md's map"
    assert entries - real == set(), "in the map but not in wschat/"

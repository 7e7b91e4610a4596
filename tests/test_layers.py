"""Layers point one way: the package-level import graph of bot/ and actions/ has no loops.

The graph is read from the source with ``ast``, never by importing it. Every ``import`` and
``from ... import`` counts wherever it stands: at module level, inside functions (a deferred
import is still a dependency, only hidden from the import-time check) and under
``TYPE_CHECKING`` (a type names the thing it depends on, and a loop there makes the two
packages one unit to read and change all the same). Relative imports are resolved against the
importing module, and ``from bot import calc`` is an import of ``bot.calc``.

A node is a package directly under ``bot`` (``bot.content``, ``bot.calc``, ...), a top-level
module of ``bot`` (``bot.dialogue``, ``bot.replies``, ...), or ``actions``. ``bot/__init__.py``
is ``bot`` itself. An import within one node is not an edge.
"""

from __future__ import annotations

import ast
import itertools
from collections import deque
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ("bot", "actions")


def module_name(path: Path, root: Path = ROOT) -> str:
    """The dotted module name of a source file under root."""
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def node_of(module: str) -> str | None:
    """The graph node a dotted module name belongs to, or None outside bot/ and actions/."""
    parts = module.split(".")
    if parts[0] == "actions":
        return "actions"
    if parts[0] != "bot":
        return None
    return ".".join(parts[:2])


def imported_modules(path: Path, root: Path = ROOT) -> Iterator[str]:
    """Every module a file imports, absolute, from anywhere in the file."""
    name = module_name(path, root)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            if base != "bot":
                yield base
                continue
            # `from bot import calc` names a module; anything else is a name in bot/__init__.py
            for alias in node.names:
                module = root / "bot" / alias.name
                is_module = module.is_dir() or module.with_suffix(".py").is_file()
                yield f"bot.{alias.name}" if is_module else "bot"


def import_graph(root: Path = ROOT) -> dict[str, dict[str, list[str]]]:
    """Node -> imported node -> the importing modules (for messages)."""
    graph: dict[str, dict[str, list[str]]] = {}
    for source in SOURCES:
        for path in sorted((root / source).rglob("*.py")):
            here = node_of(module_name(path, root))
            assert here is not None
            edges = graph.setdefault(here, {})
            for module in imported_modules(path, root):
                there = node_of(module)
                if there is None or there == here:
                    continue
                edges.setdefault(there, []).append(module_name(path, root))
    return graph


def strongly_connected(graph: dict[str, dict[str, list[str]]]) -> list[list[str]]:
    """Tarjan's components with more than one node: the package-level loops."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in sorted(graph.get(node, {})):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def chain(graph: dict[str, dict[str, list[str]]], component: list[str]) -> str:
    """The shortest loop from the component's first node back to it, as
    'a (a.x) -> b (b.y) -> a', naming one importing module for each step."""
    start = component[0]
    came_from: dict[str, str] = {}
    queue = deque([start])
    while queue:
        here = queue.popleft()
        for target in sorted(t for t in graph[here] if t in component):
            if target == start:
                path = [here]
                while path[-1] != start:
                    path.append(came_from[path[-1]])
                path.reverse()
                steps = [f"{a} ({graph[a][b][0]})" for a, b in itertools.pairwise([*path, start])]
                return " -> ".join([*steps, start])
            if target not in came_from:
                came_from[target] = here
                queue.append(target)
    raise AssertionError(f"{component} is not a loop")


def describe(graph: dict[str, dict[str, list[str]]], component: list[str]) -> str:
    edges = [
        f"    {a} -> {b} via {', '.join(sorted(set(graph[a][b])))}"
        for a in component
        for b in sorted(graph[a])
        if b in component
    ]
    return "\n".join([f"  loop {chain(graph, component)}", *edges])


def write(root: Path, name: str, text: str) -> None:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_every_kind_of_import_is_an_edge(tmp_path: Path) -> None:
    write(tmp_path, "bot/__init__.py", "")
    write(tmp_path, "bot/low/__init__.py", "from typing import TYPE_CHECKING\n"
          "if TYPE_CHECKING:\n    from bot.high.thing import Thing\n")
    write(tmp_path, "bot/high/__init__.py", "")
    write(tmp_path, "bot/high/thing.py", "def f():\n    from ..low import x\n")
    write(tmp_path, "bot/top.py", "from bot import high\nimport bot.low.deep\n")
    write(tmp_path, "actions/__init__.py", "from bot.top import y\n")
    graph = import_graph(tmp_path)
    assert set(graph["bot.low"]) == {"bot.high"}
    assert set(graph["bot.high"]) == {"bot.low"}
    assert set(graph["bot.top"]) == {"bot.high", "bot.low"}
    assert set(graph["actions"]) == {"bot.top"}
    loops = strongly_connected(graph)
    assert loops == [["bot.high", "bot.low"]]
    assert chain(graph, loops[0]) == "bot.high (bot.high.thing) -> bot.low (bot.low) -> bot.high"


def test_no_package_level_import_loops() -> None:
    graph = import_graph()
    loops = strongly_connected(graph)
    message = "\n".join(["Package-level import loops:", *(describe(graph, c) for c in loops)])
    if loops:
        print(message)
    assert not loops, message

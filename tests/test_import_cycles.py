"""No import cycle in src/migralint, between modules or between the top-level rooms (issue 12).

The graph is grimp's (import-linter's own graph library): every `import` counts, those inside
functions and under `if TYPE_CHECKING:` included, because a cycle dodged by a late import is still
a cycle (moving that import to the top breaks start-up). A failure names one concrete cycle, each
step with the line that makes it.

grimp finds the package through sys.path, so the graph is built in a subprocess with PYTHONPATH
set: the copy under test is analysed, not whichever migralint is installed.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections import deque
from collections.abc import Iterable, Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# The rooms of the package-level check: the top-level packages and modules, except the four
# modules of the one orchestrator and what wraps it, which are one room (the layers contract
# in pyproject.toml stacks them in one band).
ONE_ROOM = {"api": "api", "cache": "api", "workers": "api", "folder_lint": "api"}

# Known exceptions: (importer, imported) edges left out of both checks, each commented with its
# reason. Empty: every cycle found when this test was written was removed.
ALLOWED: frozenset[tuple[str, str]] = frozenset()

_GRAPH_SCRIPT = """
import json, grimp
graph = grimp.build_graph("migralint", cache_dir=None)
edges = []
for importer in sorted(graph.modules):
    for imported in sorted(graph.find_modules_directly_imported_by(importer)):
        details = graph.get_import_details(importer=importer, imported=imported)
        line = min((d["line_number"] for d in details), default=0)
        edges.append([importer, imported, line])
print(json.dumps(edges))
"""

Edges = Mapping[str, Mapping[str, int]]  # importer -> imported -> the first line importing it


def import_graph(source: Path) -> dict[str, dict[str, int]]:
    env = {**os.environ, "PYTHONPATH": str(source)}
    done = subprocess.run([sys.executable, "-c", _GRAPH_SCRIPT], env=env, capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stderr
    graph: dict[str, dict[str, int]] = {}
    for importer, imported, line in json.loads(done.stdout):
        graph.setdefault(importer, {})
        graph.setdefault(imported, {})
        if (importer, imported) not in ALLOWED:
            graph[importer][imported] = line
    return graph


def strongly_connected(graph: Edges) -> list[list[str]]:
    """Tarjan's algorithm, iterative: the groups of nodes that all reach each other."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, successors = work[-1]
            for nxt in successors:
                if nxt not in index:
                    index[nxt] = low[nxt] = len(index)
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, iter(sorted(graph[nxt]))))
                    break
                if nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    group = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        group.append(member)
                        if member == node:
                            break
                    groups.append(sorted(group))
    return groups


def shortest_cycle(graph: Edges, members: Iterable[str]) -> list[str]:
    """One shortest cycle through the group's first member, as the nodes in order."""
    inside = set(members)
    start = min(inside)
    came_from: dict[str, str] = {}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for nxt in sorted(graph[node]):
            if nxt not in inside:
                continue
            if nxt == start:
                path = [node]
                while path[-1] != start:
                    path.append(came_from[path[-1]])
                return [*reversed(path), start]
            if nxt not in came_from:
                came_from[nxt] = node
                queue.append(nxt)
    raise AssertionError(f"no cycle through {start}")


def cycles(graph: Edges, where: Mapping[tuple[str, str], str]) -> list[str]:
    """Each cycle, written `a -> b (why) -> c (why) -> a (why)`; `where` names each step's import."""
    found = []
    for group in strongly_connected(graph):
        if len(group) == 1 and group[0] not in graph[group[0]]:
            continue
        path = shortest_cycle(graph, group)
        steps = [path[0]] + [f"{b} ({where[a, b]})" for a, b in zip(path, path[1:])]
        found.append(f"{len(group)} in one cycle group, e.g. " + " -> ".join(steps))
    return found


def room(module: str) -> str:
    parts = module.split(".")
    if len(parts) == 1:
        return module
    return ONE_ROOM.get(parts[1], parts[1])


def module_cycles(graph: Edges) -> list[str]:
    where = {(a, b): f"line {line}" for a, targets in graph.items() for b, line in targets.items()}
    return cycles(graph, where)


def room_cycles(graph: Edges) -> list[str]:
    rooms: dict[str, dict[str, int]] = {}
    where: dict[tuple[str, str], str] = {}
    for importer, targets in sorted(graph.items()):
        rooms.setdefault(room(importer), {})
        for imported, line in sorted(targets.items()):
            a, b = room(importer), room(imported)
            rooms.setdefault(b, {})
            if a != b and b not in rooms[a]:
                rooms[a][b] = line
                where[a, b] = f"{importer} -> {imported}, line {line}"
    return cycles(rooms, where)


def test_no_module_imports_itself_back() -> None:
    found = module_cycles(import_graph(ROOT / "src"))
    assert not found, "import cycles between modules:\n" + "\n".join(found)


def test_no_room_imports_itself_back() -> None:
    found = room_cycles(import_graph(ROOT / "src"))
    assert not found, "import cycles between the top-level rooms:\n" + "\n".join(found)


def test_every_allowed_edge_still_exists() -> None:
    """An exception whose import is gone is stale: removing it keeps the list honest."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    done = subprocess.run([sys.executable, "-c", _GRAPH_SCRIPT], env=env, capture_output=True, text=True, timeout=600)
    edges = {(importer, imported) for importer, imported, _ in json.loads(done.stdout)}
    assert ALLOWED <= edges, sorted(ALLOWED - edges)


def test_a_planted_cycle_is_named(tmp_path: Path) -> None:
    """findings.py and source.py (the bottom rooms) importing each other, one of them inside a function, is caught."""
    shutil.copytree(ROOT / "src" / "migralint", tmp_path / "migralint", ignore=shutil.ignore_patterns("__pycache__"))
    findings = tmp_path / "migralint" / "findings.py"
    findings.write_text(findings.read_text() + "\n\ndef _planted() -> None:\n    import migralint.source\n")
    source = tmp_path / "migralint" / "source.py"
    source.write_text(source.read_text() + "\n\nfrom typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n    from migralint.findings import Finding\n")
    graph = import_graph(tmp_path)
    planted = "migralint.findings -> migralint.source (line {}) -> migralint.findings (line {})".format(
        graph["migralint.findings"]["migralint.source"], graph["migralint.source"]["migralint.findings"])
    assert any(planted in cycle for cycle in module_cycles(graph)), module_cycles(graph)
    assert any("findings -> source (migralint.findings -> migralint.source, line" in cycle
               for cycle in room_cycles(graph)), room_cycles(graph)
    assert not any("migralint.source" in cycle for cycle in module_cycles(import_graph(ROOT / "src")))

"""No import circles among the project's modules, function-level imports included (issue 20).

import-linter's layers see only one direction between packages; a circle inside a package, or one
hidden in a function-level import, slips past it. This walks every module's syntax tree, takes
each ``import`` wherever it sits (module level or inside a function), except those under ``if
TYPE_CHECKING:`` (never run), and fails on any strongly connected group of two or more modules.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("bot", "commands", "formatting", "signals")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def project_modules() -> dict[str, Path]:
    return {
        module_name(path): path
        for package in PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
        if "migrations" not in path.parts  # Alembic scripts: loaded by Alembic, never imported
    }


def _typing_only(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imported(tree: ast.AST, known: set[str]) -> Iterator[str]:
    """Project modules ``tree`` imports anywhere except under ``if TYPE_CHECKING:``."""
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.If) and _typing_only(node):
            stack.extend(node.orelse)
            continue
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names if alias.name in known)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                submodule = f"{node.module}.{alias.name}"
                if submodule in known:
                    yield submodule
                elif node.module in known:
                    yield node.module
        stack.extend(ast.iter_child_nodes(node))


def import_graph() -> dict[str, set[str]]:
    modules = project_modules()
    known = set(modules)
    return {
        name: set(imported(ast.parse(path.read_text(), str(path)), known)) - {name}
        for name, path in modules.items()
    }


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
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


def test_the_walk_finds_a_circle_hidden_in_a_function() -> None:
    """The checker itself: a function-level import closes a circle; a typing-only one does not."""
    a = ast.parse("import pkg.b\n")
    b = ast.parse("def f():\n    from pkg import a\n")
    c = ast.parse("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import pkg.a\n")
    known = {"pkg.a", "pkg.b", "pkg.c"}
    graph = {
        name: set(imported(tree, known))
        for name, tree in zip(sorted(known), (a, b, c), strict=True)
    }
    assert circles(graph) == [["pkg.a", "pkg.b"]]
    assert graph["pkg.c"] == set()


def test_no_import_circles() -> None:
    """Every module of bot/, commands/, formatting/ and signals/ is outside any import circle."""
    graph = import_graph()
    assert len(graph) > 100  # the walk found the project
    assert circles(graph) == []

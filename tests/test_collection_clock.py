"""No test reads the clock at import or collection time (module level, decorators, defaults).

A value like ``int(time.time()) + 360`` in a ``parametrize`` list is computed when pytest
collects, which on a loaded machine can be minutes before the test runs: such tests pass alone and
fail in a full run. Read the clock inside the test body (or a fixture) instead.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CLOCK_CALLS = frozenset(
    {
        "time",
        "now",
        "today",
        "utcnow",
        "monotonic",
        "perf_counter",
        "utc_now",
        "last_session_now",
        "last_due_session",
    }
)


def _called(node: ast.Call) -> str:
    func = node.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def collection_time_clock_reads(source: str) -> list[tuple[int, str]]:
    """(line, call) of every clock call evaluated when the module is imported."""
    found: list[tuple[int, str]] = []

    def visit(node: ast.AST, deferred: bool) -> None:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for early in [*node.decorator_list, *node.args.defaults]:
                visit(early, deferred)
            for default in node.args.kw_defaults:
                if default is not None:
                    visit(default, deferred)
            for statement in node.body:
                visit(statement, True)
            return
        if isinstance(node, ast.Lambda):
            visit(node.body, True)
            return
        if isinstance(node, ast.Call) and not deferred and _called(node) in CLOCK_CALLS:
            found.append((node.lineno, ast.unparse(node)))
        for child in ast.iter_child_nodes(node):
            visit(child, deferred)

    visit(ast.parse(source), False)
    return found


def test_the_scanner_finds_a_parametrized_clock_read():
    """The check itself works: a clock read in a parametrize list is found, one in a body not."""
    source = (
        "import time, pytest\n"
        "@pytest.mark.parametrize('ts', [int(time.time()) + 360])\n"
        "def test_a(ts):\n"
        "    assert time.time()\n"
        "f = lambda: time.time()\n"
    )
    assert collection_time_clock_reads(source) == [(2, "time.time()")]


def test_no_clock_read_at_collection_time():
    """Every test module and benchmark reads the clock only when its code runs."""
    offenders = [
        f"{path.relative_to(ROOT)}:{line}: {call}"
        for folder in ("tests", "benchmarks")
        for path in sorted((ROOT / folder).rglob("*.py"))
        for line, call in collection_time_clock_reads(path.read_text())
    ]
    assert offenders == [], "clock read at collection time:\n" + "\n".join(offenders)

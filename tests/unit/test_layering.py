"""The layering holds, as a machine reads it: the library imports no Dagster, no module imports another that
imports it back (at module level or inside a function alike), and no module reaches into another's private
names (`from m import _x`, `m._x`)."""

from __future__ import annotations

import ast
from pathlib import Path

from build import ROOT

PACKAGES = ("yusuan", "pipelines", "assets")


def _modules() -> dict[str, Path]:
    out = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            out[".".join(parts)] = path
    return out


MODULES = _modules()


def _resolve(name: str) -> str | None:
    """The project module an import names (a name imported from a module resolves to the module)."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def _imports(module: str) -> list[tuple[str, list[str], int]]:
    """(module imported, names imported from it, line) for every import of `module`, wherever it stands."""
    path = MODULES[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out += [(a.name, [], node.lineno) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else []))
            for a in node.names:
                full = f"{base}.{a.name}"
                out.append((full if full in MODULES else base, [] if full in MODULES else [a.name], node.lineno))
    return out


def test_the_library_imports_no_dagster() -> None:
    offenders = [f"{m}:{line}" for m in MODULES if m.startswith("yusuan")
                 for name, _, line in _imports(m) if name.split(".")[0] in ("dagster", "dagster_duckdb")]
    assert offenders == []


def _graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for m in MODULES:
        targets = {_resolve(name) for name, _, _ in _imports(m)}
        graph[m] = {t for t in targets if t and t != m and not m.startswith(t + ".")}
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_no_module_imports_one_that_imports_it_back() -> None:
    assert _cycles(_graph()) == []


def test_a_cycle_would_be_found() -> None:
    """The cycle finder itself: a three-module loop is one cycle, a chain none."""
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": {"c"}}) == []


def test_no_module_reaches_into_another_modules_private_names() -> None:
    offenders = []
    for m in MODULES:
        for name, names, line in _imports(m):
            if _resolve(name) and any(n.startswith("_") and not n.startswith("__") for n in names):
                offenders.append(f"{m}:{line} imports {[n for n in names if n.startswith('_')]} from {name}")
        aliases = {a.asname or a.name for node in ast.walk(ast.parse(MODULES[m].read_text(encoding="utf-8")))
                   if isinstance(node, (ast.Import, ast.ImportFrom)) for a in node.names
                   if _resolve(f"{getattr(node, 'module', None) or ''}.{a.name}".lstrip(".")) or _resolve(a.name)}
        for node in ast.walk(ast.parse(MODULES[m].read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in aliases
                    and node.attr.startswith("_") and not node.attr.startswith("__")):
                offenders.append(f"{m}:{node.lineno} uses {node.value.id}.{node.attr}")
    assert offenders == []

"""The package's layering, read from the source with ``ast`` (nothing is imported to check it).

Every ``import`` and ``from ... import`` of every module under ``lancang/`` counts, wherever it is
written (module level, inside a function, under ``TYPE_CHECKING``): a lazy import is still an arrow.
``from pkg import name`` is an arrow to ``pkg.name`` when that is a module, else to ``pkg``.

* no import cycles at all (strongly connected components of the module graph, Tarjan);
* ``corpora/`` (the ground floor) imports nothing of the floors above it;
* nothing outside ``cli/`` imports ``cli/``; a ``cli/`` module imports no sibling but ``cli/common.py``.
"""

from __future__ import annotations

import ast
import functools
from collections.abc import Iterable, Mapping
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "lancang"
ABOVE_CORPORA = ("annotators", "processing", "schemas", "standards", "quality", "pipeline", "store", "serve", "cli")


def module_name(path: Path, root: Path = PACKAGE) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(name: str, path: Path, modules: Iterable[str]) -> set[str]:
    """The modules of the package that ``name`` (source at ``path``) imports."""
    known = set(modules)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[:len(base) - (node.level - 1)]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            for a in node.names:
                sub = f"{mod}.{a.name}"
                found.add(sub if sub in known else mod)
    out = set()
    for m in found:
        while m not in known and "." in m:  # lancang.x.y.attr -> lancang.x.y
            m = m.rpartition(".")[0]
        if m in known and m != name:
            out.add(m)
    return out


@functools.cache
def graph() -> dict[str, set[str]]:
    paths = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    return {name: imports_of(name, p, paths) for name, p in paths.items()}


def cycles(g: Mapping[str, Iterable[str]]) -> list[list[str]]:
    """The import cycles of a graph: its strongly connected components of more than one module, and
    modules that import themselves (Tarjan's algorithm, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in g:
        if root in index:
            continue
        work = [(root, iter(g.get(root, ())))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            v, it = work[-1]
            for w in it:
                if w not in index:
                    index[w] = low[w] = len(index)
                    stack.append(w)
                    on_stack.add(w)
                    work.append((w, iter(g.get(w, ()))))
                    break
                if w in on_stack:
                    low[v] = min(low[v], index[w])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[v])
                if low[v] == index[v]:
                    comp = []
                    while True:
                        w = stack.pop()
                        on_stack.discard(w)
                        comp.append(w)
                        if w == v:
                            break
                    if len(comp) > 1 or v in g.get(v, ()):
                        found.append(sorted(comp))
    return found


def floor(module: str) -> str:
    """The sub-package a module lives in (``lancang.corpora.formats.tmx`` -> ``corpora``)."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def test_the_graph_sees_every_kind_of_import() -> None:
    g = graph()
    assert len(g) > 50
    assert "lancang.annotators.align.model" in g["lancang.annotators.align.gibbs"]  # relative, module level
    assert "lancang.annotators.align" in g["lancang.annotators.align.model"]  # `from . import NAME`
    assert "lancang.annotators.align.records" in g["lancang.cli.align"]  # inside a function
    assert "lancang.corpora.langs" in g["lancang.standards.rules"]


def test_the_cycle_finder_finds_cycles() -> None:
    assert cycles({"a": ["b"], "b": ["c"], "c": ["a"], "d": ["a"]}) == [["a", "b", "c"]]
    assert cycles({"a": ["a"], "b": []}) == [["a"]]
    assert cycles({"a": ["b", "c"], "b": ["c"], "c": []}) == []


def test_no_import_cycles() -> None:
    assert cycles(graph()) == []


def test_corpora_imports_nothing_above_it() -> None:
    up = sorted((m, d) for m, deps in graph().items() if floor(m) == "corpora"
                for d in deps if floor(d) in ABOVE_CORPORA)
    assert up == []


def test_nothing_imports_the_cli() -> None:
    bad = sorted((m, d) for m, deps in graph().items() if floor(m) != "cli" for d in deps if floor(d) == "cli")
    assert bad == []


def test_cli_modules_import_no_sibling_but_common() -> None:
    allowed = {"lancang.cli", "lancang.cli.common"}
    bad = sorted((m, d) for m, deps in graph().items() if floor(m) == "cli"
                 for d in deps if floor(d) == "cli" and d not in allowed)
    assert bad == []

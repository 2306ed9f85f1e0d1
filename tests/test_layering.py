"""How the package's modules may lean on each other, read from the source with ast.

- No import circle at module level: any module can be imported first.
- The only circles through imports made inside functions are the two the design has: an
  op hands a Dask array to ``upsample.dask``, whose plans call the op modules back; and an
  explanation record draws itself with the renderers, which read records.
- No module reaches a private name (``_x``) of another public module, by import or by
  attribute, so a refactor inside a module cannot break another silently.
- No source file over 800 lines.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src"
PACKAGE = SRC / "upsample"


def _modules() -> dict[str, tuple[Path, bool]]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(SRC).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        found[".".join(parts[:-1] if is_package else parts)] = (path, is_package)
    return found


MODULES = _modules()


def _public(module: str) -> bool:
    return not any(part.startswith("_") for part in module.split(".")[1:])


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


class _Imports(ast.NodeVisitor):
    """The upsample modules one module imports (at its top level or inside a function), the
    names it binds to modules, and the private names it takes from other modules."""

    def __init__(self, module: str, is_package: bool) -> None:
        self.module, self.package = module, module if is_package else module.rsplit(".", 1)[0]
        self.edges: set[tuple[str, bool]] = set()  # (module, at top level)
        self.aliases: dict[str, str] = {}
        self.reached: list[str] = []
        self.depth = 0

    def _absolute(self, level: int, name: str | None) -> str:
        if level == 0:
            return name or ""
        base = self.package.split(".")[: len(self.package.split(".")) - (level - 1)]
        return ".".join(base + ([name] if name else []))

    def visit_FunctionDef(self, node: ast.AST) -> None:
        self.depth += 1
        self.generic_visit(node)
        self.depth -= 1

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            if alias.name.split(".")[0] == "upsample":
                self.edges.add((alias.name, self.depth == 0))
                if alias.asname:
                    self.aliases[alias.asname] = alias.name

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        source = self._absolute(node.level, node.module)
        if source.split(".")[0] != "upsample":
            return
        for alias in node.names:
            full = f"{source}.{alias.name}"
            if full in MODULES:
                self.edges.add((full, self.depth == 0))
                self.aliases[alias.asname or alias.name] = full
                continue
            self.edges.add((source, self.depth == 0))
            if _private(alias.name) and _public(source) and source != self.module:
                self.reached.append(f"from {source} import {alias.name}")

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if isinstance(node.value, ast.Name) and _private(node.attr):
            target = self.aliases.get(node.value.id)
            if target is not None and _public(target) and target != self.module:
                self.reached.append(f"{target}.{node.attr} (line {node.lineno})")
        self.generic_visit(node)


def _read() -> dict[str, _Imports]:
    read = {}
    for module, (path, is_package) in MODULES.items():
        visitor = _Imports(module, is_package)
        visitor.visit(ast.parse(path.read_text(), str(path)))
        read[module] = visitor
    return read


READ = _read()


def _circles(top_level_only: bool) -> list[set[str]]:
    """The strongly connected groups of more than one module (Tarjan's algorithm)."""
    graph = {
        m: {t for t, top in v.edges if t in MODULES and t != m and (top or not top_level_only)}
        for m, v in READ.items()
    }
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups: list[set[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = set()
            while True:
                w = stack.pop()
                group.add(w)
                if w == v:
                    break
            if len(group) > 1:
                groups.append(group)

    for v in graph:
        if v not in index:
            visit(v)
    return groups


def test_the_reader_sees_the_package():
    assert len(MODULES) > 40 and "upsample.ops" in MODULES and "upsample.dask.plans" in MODULES
    assert ("upsample.ops", True) in READ["upsample.cli"].edges  # a top-level import
    assert ("upsample.dask", False) in READ["upsample._dispatch"].edges  # one inside a function


def test_no_import_circle_at_module_level():
    assert _circles(top_level_only=True) == []


OPS_ON_DASK = {"upsample._dispatch", "upsample.dask", "upsample.dask.plans", "upsample.dask.graph"}
OP_MODULES = {
    "upsample.convolution",
    "upsample.pool",
    "upsample.interpolation",
    "upsample.nails",
    "upsample.shuffle",
}


def _allowed(group: set[str]) -> bool:
    on_dask = group <= OPS_ON_DASK | OP_MODULES and "upsample._dispatch" in group
    records_and_renderers = all(m.startswith("upsample.explain") for m in group)
    return on_dask or records_and_renderers


def test_the_only_circles_are_dispatch_to_dask_and_records_to_renderers():
    circles = _circles(top_level_only=False)
    assert [sorted(g) for g in circles if not _allowed(g)] == []


def test_the_circle_check_can_fail():
    assert not _allowed({"upsample.cli", "upsample.web.server"})
    assert not _allowed({"upsample.train", "upsample.train.report"})


def test_no_module_reaches_a_private_name_of_another_public_module():
    reached = {m: v.reached for m, v in READ.items() if v.reached}
    assert reached == {}


def test_a_private_reach_is_seen():
    code = "from .. import shapes\nfrom ..pool import _window_args\nshapes._conv_size(1)\n"
    visitor = _Imports("upsample.explain.pooling", False)
    visitor.visit(ast.parse(code))
    assert visitor.reached == [
        "from upsample.pool import _window_args",
        "upsample.shapes._conv_size (line 3)",
    ]


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_source_file_over_800_lines(module):
    path, _ = MODULES[module]
    assert len(path.read_text().splitlines()) <= 800, path

"""The package's shape, as a maintainer relies on it: no import circle, and no module too long
to read whole.

Every import is an arrow: at module level, inside a function, and under `if TYPE_CHECKING:`
(a type a module names is part of what it depends on: a circle of type-only imports is a
circle of concepts, and one moved import away from a run-time circle). A package importing
its own modules is an arrow too, so a module that imports its package's `__init__` while the
`__init__` imports it is a circle."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import sli_rules

PACKAGE = Path(__file__).resolve().parent.parent / "sli_rules"
LONGEST = 600


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, modules: set[str]) -> set[str]:
    """The package's modules that `path` imports, in any place and for any purpose."""
    return imports_of(path.read_text(encoding="utf-8"), _module_name(path), path.name == "__init__.py", modules)


def imports_of(source: str, name: str, is_package: bool, modules: set[str]) -> set[str]:
    package = name if is_package else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                candidate = f"{base}.{alias.name}"
                found.add(candidate if candidate in modules else base)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {module for module in found if module in modules and module != name}


def import_graph() -> dict[str, set[str]]:
    files = sorted(PACKAGE.rglob("*.py"))
    modules = {_module_name(path) for path in files}
    return {_module_name(path): _imports(path, modules) for path in files}


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for other in sorted(graph[node]):
            if state.get(other) == 1:
                return [*stack[stack.index(other) :], other]
            if other not in state and (found := visit(other)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_the_package_has_no_import_circle() -> None:
    graph = import_graph()
    assert graph.get("sli_rules.assessment.engine")
    assert _cycle(graph) is None, " -> ".join(_cycle(graph) or [])


def test_the_import_graph_reader_finds_a_circle() -> None:
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


def test_the_import_graph_reader_sees_every_kind_of_import() -> None:
    """Type-only, function-level and package-root imports are all arrows."""
    modules = {"p", "p.a", "p.b", "p.c", "p.d", "p.sub", "p.sub.e"}
    source = """
from __future__ import annotations
from typing import TYPE_CHECKING
from . import a
if TYPE_CHECKING:
    from .b import Thing
else:
    import p.sub.e
def late():
    from .c import other
    from .. import d
"""
    # In p.sub.x: `from . import a` is p.sub (no module p.sub.a), `from .. import d` is p.d.
    assert imports_of(source, "p.sub.x", False, modules) == {"p.sub", "p.sub.e", "p.d"}
    assert imports_of(source, "p.x", False, modules) == {"p.a", "p.b", "p.sub.e", "p.c"}
    # `from .. import name` in a module of p.sub names p itself when `name` is not a module.
    assert imports_of("from .. import __version__", "p.sub.x", False, modules) == {"p"}
    # A package's own modules are arrows from it, and back to it: a circle.
    graph = {"p": {"p.a"}, "p.a": {"p"}}
    assert _cycle(graph) == ["p", "p.a", "p"]


def test_the_version_is_the_one_pyproject_declares() -> None:
    from sli_rules._version import __version__

    pyproject = (PACKAGE.parent / "pyproject.toml").read_text(encoding="utf-8")
    declared = re.search(r'^\[project\]$(?:\n(?!\[).*)*?\nversion = "([^"]+)"', pyproject, re.MULTILINE)
    assert declared is not None and declared.group(1) == __version__
    assert sli_rules.__version__ == __version__


def test_no_module_is_too_long_to_read_whole() -> None:
    long = {
        str(path.relative_to(PACKAGE.parent)): length
        for path in PACKAGE.rglob("*.py")
        if (length := len(path.read_text(encoding="utf-8").splitlines())) > LONGEST
    }
    assert not long, f"split these modules by concern: {long}"


# The stages, from the bottom of the flow up: a module may import its own stage and those below,
# never one above. The top's shared modules (errors, words, output, _version) are below them all.
STAGES = ("rules", "facts", "assessment", "report", "cycle", "cli")
TOP_MODULES_AT_MOST = 10


def _stage(module: str) -> int:
    parts = module.split(".")
    if len(parts) > 1 and parts[1] in STAGES:
        return STAGES.index(parts[1]) + 1
    if module in {"sli_rules", "sli_rules.__main__", "sli_rules.assessment.ruletest"}:
        return len(STAGES) + 1  # the public face and the rule tests stand on every stage
    return 0


def test_the_top_of_the_package_shows_the_stages() -> None:
    modules = sorted(path.name for path in PACKAGE.glob("*.py"))
    assert len(modules) <= TOP_MODULES_AT_MOST, modules
    packages = {path.name for path in PACKAGE.iterdir() if (path / "__init__.py").exists()}
    assert set(STAGES) <= packages


# Upward imports still to remove, each named: the list only shrinks (it is empty: keep it so).
KNOWN_UPWARD: set[str] = set()


def test_imports_run_down_the_flow() -> None:
    upward = sorted(
        f"{module} -> {other}"
        for module, others in import_graph().items()
        for other in others
        if _stage(other) > _stage(module)
    )
    assert set(upward) <= KNOWN_UPWARD, upward

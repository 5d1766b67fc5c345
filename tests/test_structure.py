"""The package's shape, as a maintainer relies on it: no import circle (run-time imports,
function-level ones included; imports only for type checking are not arrows at run time),
and no module too long to read whole."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "sli_rules"
LONGEST = 600


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(path: Path, modules: set[str]) -> set[str]:
    """The package's modules that `path` imports at run time."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child):
                for item in child.orelse:
                    visit(item)
                continue
            if isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    anchor = package.split(".")
                    anchor = anchor[: len(anchor) - (child.level - 1)]
                    base = ".".join([*anchor, base] if base else anchor)
                for alias in child.names:
                    candidate = f"{base}.{alias.name}"
                    found.add(candidate if candidate in modules else base)
            elif isinstance(child, ast.Import):
                found.update(alias.name for alias in child.names)
            visit(child)

    visit(ast.parse(path.read_text(encoding="utf-8")))
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
            if other.startswith(node + "."):
                continue  # a package importing its own modules is not a circle
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


# Upward imports still to remove, each named: the list only shrinks.
KNOWN_UPWARD = {"sli_rules.assessment.results -> sli_rules.report"}


def test_imports_run_down_the_flow() -> None:
    upward = sorted(
        f"{module} -> {other}"
        for module, others in import_graph().items()
        for other in others
        if _stage(other) > _stage(module)
    )
    assert set(upward) <= KNOWN_UPWARD, upward

"""Load: rule files into a checked Rulebook, every problem in every file reported at once.

Loading is a list of named passes over one shared state (`Loading`), each collecting the
problems it finds: reading the files, then building the catalogue, the triggers, the verdict
levels and the menu, then the checks over the whole rulebook. Every pass runs even when an
earlier one found problems, so that the analyst sees them all at once; a pass that needs a
finished rulebook skips itself when there is none.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import attrs

from ...errors import Problem, Problems, RulebookError
from ..model import Rulebook
from ..source import display_path, load_documents, read_text, walk_files
from . import build, checks, measures, proof, themes
from .state import Loading

__all__ = ["PASSES", "default_rulebook_path", "load_rulebook", "rulebook_warnings", "shipped"]

RULE_SUFFIXES = (".yaml", ".yml")
Pass = Callable[[Loading], None]
PASSES: tuple[tuple[str, Pass], ...] = (
    ("measures", measures.build_measures),
    ("triggers", build.build_triggers),
    ("verdicts", build.build_levels),
    ("menu", build.build_menu),
    ("themes", themes.build_themes),
    ("completeness", build.check_complete),
    ("assembly", build.assemble),
    ("corroboration", proof.check_corroboration),
    ("reachability", checks.check_reachable),
)


PACKAGE = Path(__file__).resolve().parents[2]  # sli_rules/, from sli_rules/rules/load/


def repository_root() -> Path:
    return PACKAGE.parent


def shipped(*parts: str) -> Path:
    """A folder shipped with the package: inside the wheel, or at the repository's top."""
    inside = PACKAGE / "_shipped" / Path(*parts)
    return inside if inside.exists() else repository_root().joinpath(*parts)


def default_rulebook_path() -> Path:
    return shipped("triggers").parent


def load_rulebook(path: str | Path | None = None) -> Rulebook:
    """Load and check a rulebook folder (holding triggers/, menus/ and themes/); default: the shipped one.

    Raises RulebookError with every problem found, each with its file, line and column. The
    rulebook carries the warnings it loaded with (`Rulebook.warnings`).
    """
    root = Path(path) if path is not None else default_rulebook_path()
    problems = Problems()
    files = _rule_files(root, problems)
    if files is None:
        raise RulebookError(problems.items)
    texts: list[tuple[Path, str]] = []
    for file in files:
        text = read_text(file, problems)
        if text is not None:
            texts.append((file, text))
    digest = hashlib.sha256()
    for file, text in texts:
        digest.update(file.relative_to(root).as_posix().encode() + b"\0" + text.encode() + b"\0")
    state = Loading(problems, display_path(root), "sha256:" + digest.hexdigest())
    for file, text in texts:
        before = len(problems.items)
        for document in load_documents(file, problems, text):
            state.texts[document.path] = text
            state.add_document(document)
        if len(problems.items) > before:
            state.unreadable(text)
    for _name, run in PASSES:
        run(state)
    if problems.has_errors or state.rulebook is None:
        raise RulebookError(problems.items)
    warnings = tuple(problem for problem in problems.items if problem.severity == "warning")
    return attrs.evolve(state.rulebook, warnings=warnings)


def rulebook_warnings(path: str | Path | None = None) -> list[Problem]:
    """The warnings a rulebook loads with (unreachable levels and the like)."""
    return list(load_rulebook(path).warnings)


def _rule_files(root: Path, problems: Problems) -> list[Path] | None:
    if not root.exists():
        problems.add(display_path(root), 1, 1, "no such rulebook folder")
        return None
    if root.is_file():
        problems.add(
            display_path(root), 1, 1,
            "a rulebook is a folder holding triggers/ and menus/, not a single file",
        )
        return None
    folders = [root / "triggers", root / "menus", root / "themes"]
    if not any(folder.is_dir() for folder in folders):
        problems.add(display_path(root), 1, 1, "not a rulebook folder: expected triggers/ and menus/ inside it")
        return None
    return [file for folder in folders if folder.is_dir() for file in walk_files(folder, RULE_SUFFIXES)]

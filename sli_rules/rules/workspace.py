"""Where the rules in force come from: the shipped rulebook and example region, an editable
copy of them (`sli-rules init DIR`), and the line that names the rulebook in force.

An installed package reads its own copy of the default rulebook, inside the package; editing
the repository's `triggers/` changes nothing for it. `sli-rules init DIR` writes a copy to edit
(`DIR/triggers/`, `DIR/menus/`, `DIR/themes/`, the rule tests in `DIR/triggers/tests/`, the example region in
`DIR/examples/north-west-2013-14/` and the JSON Schemas the files name for editors in
`DIR/schemas/`), laid out as the repository is, so that every relative path in it (the rule
tests' `region:`, the schema comments) resolves in the copy. Then `--rules DIR` selects it.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..output import write_file
from .load import shipped
from .model import Rulebook
from .schema import KINDS as SCHEMA_KINDS
from .schema import schema_text

EXAMPLE = ("examples", "north-west-2013-14")
COPIED = (("triggers",), ("menus",), ("themes",), EXAMPLE)


def example_path() -> Path:
    """The shipped example region (23 North West councils, 2013-14, illustrative figures),
    wherever the package is installed: `sli_rules.load_facts(sli_rules.example_path())`."""
    return shipped(*EXAMPLE)


def in_force(rulebook: Rulebook) -> str:
    """One line naming the rulebook in force: its absolute path and its content digest."""
    return f"rulebook: {Path(rulebook.path).resolve()} ({rulebook.digest})"


def rulebook_inputs(rules: str | Path | None) -> list[Path]:
    """The folders a rulebook is read from (the shipped one when `rules` is None): what a
    command that loads it must never write over."""
    root = Path(rules) if rules else shipped("triggers").parent
    return [root / "triggers", root / "menus", root / "themes"]


def inputs(arguments: argparse.Namespace) -> list[Path]:
    """Every file and folder a command reading facts and a rulebook reads: its fact paths (the
    shipped example when none), its comparator groups and its rulebook."""
    paths = [Path(path) for path in getattr(arguments, "paths", None) or [shipped(*EXAMPLE)]]
    comparators = getattr(arguments, "comparators", None)
    if comparators and comparators != "council-type":
        paths.append(Path(comparators))
    return [*paths, *rulebook_inputs(getattr(arguments, "rules", None))]


class InitError(Exception):
    """The target of `init` cannot take the copy (not empty, not a folder)."""


def _copied(source: Path) -> list[Path]:
    """The files of a shipped folder to copy, in a stable order, without hidden files or caches."""
    return sorted(
        path
        for path in source.rglob("*")
        if path.is_file()
        and not any(part.startswith(".") or part == "__pycache__" for part in path.relative_to(source).parts)
    )


def init_rulebook(target: Path, *, force: bool = False) -> list[Path]:
    """Write an editable copy of the default rulebook, its rule tests, the example region and
    the schemas into `target`; return the folders written. Refuses a target that is a file, or
    a folder with anything in it unless `force` (which replaces the copied files and leaves
    any others alone). Every file goes through `output.write_file`, so that a copy is never
    written over the shipped file it is copied from."""
    if target.exists() and not target.is_dir():
        raise InitError(f"{target}: not a folder")
    if target.is_dir() and any(target.iterdir()) and not force:
        raise InitError(f"{target}: the folder is not empty (use --force to write over the copied files)")
    sources = [shipped(*parts) for parts in COPIED]
    written = []
    for parts, source in zip(COPIED, sources, strict=True):
        destination = target.joinpath(*parts)
        for file in _copied(source):
            made = destination / file.relative_to(source)
            made.parent.mkdir(parents=True, exist_ok=True)
            write_file(made, file.read_bytes(), reads=sources)
        written.append(destination)
    schemas = target / "schemas"
    schemas.mkdir(parents=True, exist_ok=True)
    for kind in SCHEMA_KINDS:
        write_file(schemas / f"{kind}.schema.json", schema_text(kind), reads=sources)
    written.append(schemas)
    return written


def next_steps(target: Path) -> str:
    rules = str(target)
    example = str(target.joinpath(*EXAMPLE))
    return (
        f"wrote an editable copy of the default rulebook to {rules}:\n"
        f"  {Path(rules, 'triggers')}/        measures, Table 2 triggers, the verdict policy\n"
        f"  {Path(rules, 'triggers', 'tests')}/  the rule tests\n"
        f"  {Path(rules, 'menus')}/           Table 1, the menu of support\n"
        f"  {Path(rules, 'themes')}/          the thematic reviews (MoU 2.1 a)\n"
        f"  {example}/  the example region\n"
        f"  {Path(rules, 'schemas')}/         JSON Schemas for editors\n"
        "Edit the YAML, then:\n"
        f"  sli-rules validate --rules {rules}\n"
        f"  sli-rules test --rules {rules}\n"
        f"  sli-rules assess {example} --rules {rules}\n"
    )


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    init = commands.add_parser("init", help="write an editable copy of the default rulebook, its tests and the example")
    init.add_argument("folder", metavar="DIR", help="the folder to write (created if missing; must be empty)")
    init.add_argument("--force", action="store_true", help="write into a folder that is not empty")


def run(arguments: argparse.Namespace) -> int:
    target = Path(arguments.folder)
    try:
        init_rulebook(target, force=arguments.force)
    except InitError as error:
        print(f"sli-rules: {error}", file=sys.stderr)
        return 2
    sys.stdout.write(next_steps(target))
    return 0

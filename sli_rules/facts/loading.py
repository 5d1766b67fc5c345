"""Loading fact sets: which reader takes each file, then merging, comparator groups and, with
a rulebook, binding: one call from paths to a region."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..errors import FactsError, Problems
from ..model import Rulebook
from ..source import display_path, walk_files
from .ascof import is_ascof_header, read_ascof_csv
from .binding import bind
from .comparators import apply_comparators
from .documents import read_documents
from .factset import PublishedFigures, Record, Region
from .merge import assemble
from .tabular import csv_rows, fold, read_long_csv, read_wide_csv, read_xlsx

FACT_SUFFIXES = (".yaml", ".yml", ".json", ".csv", ".xlsx")
Reader = Callable[..., list[Any]]


def load_facts(
    *paths: str | Path,
    year: str | None = None,
    region: str | None = None,
    rulebook: Rulebook | None = None,
    comparators: str | Path | None = None,
) -> Region:
    """Read fact sets from files or folders (YAML, JSON, CSV, Excel) into a Region.

    Facts for one authority from several files are merged (by ONS code, or by name where no
    code is given); a fact given twice with different values is an error naming both places.
    With several years present, `year` picks the year to assess (default: the latest), and
    the year before it supplies `previous` values. With a rulebook, values are checked
    against its catalogue at once (otherwise `Engine.assess` checks them).

    The official ASCOF CSV is read for one `region` (default: every council in the file)
    and `year` (default: its latest); its measures are kept under their codes, and binding
    leaves out those that the assessing rulebook does not catalogue, with a warning.
    `comparators` is a comparator-group file (YAML or CSV) applied to every authority, added
    to the groups the fact sets list.
    """
    problems = Problems()
    records: list[Record] = []
    published: list[PublishedFigures] = []
    shown_paths: list[str] = []
    if not paths:
        problems.add("<arguments>", 1, 1, "no fact files given")
    for raw in paths:
        path = Path(raw)
        shown_paths.append(display_path(path))
        if not path.exists():
            problems.add(display_path(path), 1, 1, "no such file or folder")
            continue
        files = list(walk_files(path, FACT_SUFFIXES))
        if path.is_dir() and not files:
            problems.add(display_path(path), 1, 1, "folder holds no fact files (.yaml, .yml, .json, .csv, .xlsx)")
        for file in files:
            if path.is_dir() and file.name.lower() in ("readme.md",):
                continue
            reader = reader_for(file)
            if reader is not None:
                for found in reader(file, problems, region=region, year=year):
                    (published if isinstance(found, PublishedFigures) else records).append(found)
            elif file.suffix.lower() in (".yaml", ".yml", ".json"):
                records.extend(read_documents(file, problems))
            else:
                problems.add(display_path(file), 1, 1, f"cannot read {file.suffix or 'this'} files as facts")
    # Keep going after problems: the records that could be read are still merged and, with
    # a rulebook, checked value by value, so that every problem is reported at once.
    result = assemble(records, problems, year=year)
    if comparators is not None:
        result = apply_comparators(result, comparators, problems)
    warnings = tuple(problem for problem in problems.items if problem.severity == "warning")
    references: dict[tuple[str, str], dict[str, Any]] = {}
    reference_paths: dict[tuple[str, str], str] = {}
    for figures in published:
        references.setdefault((figures.scope, figures.year), {}).update(figures.values)
        reference_paths.setdefault((figures.scope, figures.year), figures.path)
    publications = tuple(dict.fromkeys(
        [*(record.location[0] for record in records if record.published), *(figures.path for figures in published)]
    ))
    loaded: Region = Region(result, tuple(shown_paths), warnings, references, publications, reference_paths)
    if rulebook is not None:
        loaded = bind(loaded, rulebook, problems)
    problems.raise_if_errors(FactsError)
    return loaded


def reader_for(file: Path) -> Reader | None:
    """The reader for a spreadsheet-shaped file, or None for YAML and JSON documents.

    A CSV file's layout is told by its header: the official ASCOF columns, the long layout
    (`fact` and `value` columns), or else the wide layout.
    """
    suffix = file.suffix.lower()
    if suffix == ".xlsx":
        return read_xlsx
    if suffix != ".csv":
        return None
    names = {fold(name) for name in _header_of(file)}
    if is_ascof_header(names):
        return read_ascof_csv
    if {"fact", "value"} <= names:
        return read_long_csv
    return read_wide_csv


def _header_of(file: Path) -> list[str]:
    try:
        with file.open("rb") as stream:
            head = stream.read(64 * 1024)
    except OSError:
        return []
    text = head.decode("utf-8-sig", errors="replace")
    for _, fields in csv_rows(text):
        return [str(value) for value, _ in fields]
    return []

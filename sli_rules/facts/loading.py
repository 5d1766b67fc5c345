"""Loading fact sets: which reader takes each file, then merging, comparator groups and, with
a rulebook, binding: one call from paths to a region."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, Union

from ..errors import FactsError, Problems
from ..rules.convert import type_name
from ..rules.model import Rulebook, year_start
from ..rules.source import MEMORY, display_path, memory_document, walk_files
from .ascof import is_ascof_header, read_ascof_csv
from .binding import bind
from .comparators import apply_comparators
from .datareturn import is_data_return, read_data_return
from .documents import document_records, read_documents
from .factset import ALL_YEARS, AuthorityFacts, PublishedFigures, Record, Region, TypeFigures, year_problem
from .merge import assemble
from .oflog import is_oflog_header, read_oflog_csv
from .reference import COUNCIL_TYPE_GROUPS, council_code, known_regions, match_region, region_of
from .tabular import csv_rows, fold, read_long_csv, read_wide_csv, read_xlsx

FACT_SUFFIXES = (".yaml", ".yml", ".json", ".csv", ".xlsx")
Reader = Callable[..., list[Any]]


FactSource = Union[str, "os.PathLike[str]", Mapping[str, Any], Sequence[Mapping[str, Any]]]


def load_facts(
    *sources: FactSource,
    year: str | None = None,
    region: str | None = None,
    rulebook: Rulebook | None = None,
    comparators: str | Path | None = None,
    years: str | Sequence[str] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Region:
    """Read fact sets into a Region: from files or folders (YAML, JSON, CSV, Excel), or from
    data in memory in the fact-set form (one authority's mapping, a list of them, or a
    `kind: region` mapping), checked alike; a problem in memory is placed by its path inside
    the data (`<memory>: authorities[3].facts.ascof.1a: ...`).

    Facts for one authority from several sources are merged (by ONS code, or by name where
    no code is given); a fact given twice with different values is an error naming both
    places. `year` picks the year to assess; without it each authority is assessed in the
    latest year of each source that holds it (so that sources of different years are each
    assessed in their own year), and the year before an assessed year supplies `previous`
    values. With a rulebook, values are checked against its catalogue at once (otherwise
    `Engine.assess` checks them).

    `region` takes one region's councils: from the official ASCOF CSV by its membership in
    the year, from other sources by the region membership of each authority's ONS code (or
    ONS name); an authority whose membership cannot be told is an error. The ASCOF CSV is read
    for one `year` (default: its latest); its measures are kept under their codes, and
    binding leaves out those that the assessing rulebook does not catalogue, with a warning.
    `comparators` is a comparator-group file (YAML or CSV) applied to every authority, added
    to the groups the fact sets list; `comparators="council-type"` is the shipped file of
    each council's same-type neighbours in its region.

    `years` assesses several years at once: `"2019-20..2023-24"`, `"all"` (every year the
    facts hold) or a list of years; each authority is assessed in each of them it has facts
    for. Whatever the years assessed, each authority-year gets the `history` of its earlier
    years (fact → year → value), and its counts where the source gives them.

    `progress`, if given, is called with (done, total) as the sources are read: a file or a
    mapping in memory each counts one, a folder each fact file it holds.
    """
    problems = Problems()
    records: list[Record] = []
    published: list[PublishedFigures] = []
    by_type: list[TypeFigures] = []
    wanted = parse_years(years, problems)
    if year is not None and years is not None:
        problems.add("<arguments>", 1, 1, "give --year or --years, not both")
    shown_paths: list[str] = []
    if not sources:
        problems.add("<arguments>", 1, 1, "no fact files given")
    in_memory = sum(1 for source in sources if not isinstance(source, (str, os.PathLike)))
    # Every folder is walked before the first file is read, so that progress knows the whole.
    walked = [
        list(walk_files(Path(raw), FACT_SUFFIXES)) if isinstance(raw, (str, os.PathLike)) and Path(raw).exists()
        else []
        for raw in sources
    ]
    total = in_memory + sum(len(files) for files in walked)
    done = 0
    for position, (raw, files) in enumerate(zip(sources, walked, strict=True)):
        if not isinstance(raw, (str, os.PathLike)):
            name = MEMORY if in_memory == 1 else f"{MEMORY} {position + 1}"
            shown_paths.append(name)
            _read_memory(raw, name, records, problems)
            done += 1
            if progress is not None:
                progress(done, total)
            continue
        path = Path(raw)
        shown_paths.append(display_path(path))
        if not path.exists():
            problems.add(display_path(path), 1, 1, "no such file or folder")
            continue
        if path.is_dir() and not files:
            problems.add(display_path(path), 1, 1, "folder holds no fact files (.yaml, .yml, .json, .csv, .xlsx)")
        for file in files:
            _read_file(file, path, problems, region, year, wanted, records, published, by_type)
            done += 1
            if progress is not None:
                progress(done, total)
    # Keep going after problems: the records that could be read are still merged and, with
    # a rulebook, checked value by value, so that every problem is reported at once.
    result = assemble(records, problems, year=year, years=wanted)
    publications = tuple(dict.fromkeys(
        [*(record.location[0] for record in records if record.published), *(figures.path for figures in published)]
    ))
    if region is not None:
        result = in_region(result, region, set(publications), problems)
    if not result and not problems.has_errors:
        _nothing_to_assess(shown_paths, region, problems)
    if comparators is not None:
        result = apply_comparators(result, shipped_comparators(comparators), problems)
    warnings = tuple(problem for problem in problems.items if problem.severity == "warning")
    references: dict[tuple[str, str], dict[str, Any]] = {}
    reference_paths: dict[tuple[str, str], str] = {}
    for figures in published:
        references.setdefault((figures.scope, figures.year), {}).update(figures.values)
        reference_paths.setdefault((figures.scope, figures.year), figures.path)
    type_values: dict[tuple[str, str], dict[str, tuple[float, ...]]] = {}
    for of_type in by_type:
        type_values.setdefault((of_type.council_type, of_type.year), {}).update(of_type.values)
    loaded: Region = Region(
        result, tuple(shown_paths), warnings, references, publications, reference_paths, type_values
    )
    if rulebook is not None:
        loaded = bind(loaded, rulebook, problems)
    problems.raise_if_errors(FactsError)
    return loaded


def _read_file(
    file: Path,
    given: Path,
    problems: Problems,
    region: str | None,
    year: str | None,
    wanted: list[str] | None,
    records: list[Record],
    published: list[PublishedFigures],
    by_type: list[TypeFigures],
) -> None:
    """One fact file (of the path `given`), by the reader its kind needs, into the lists."""
    if given.is_dir() and file.name.lower() in ("readme.md",):
        return
    reader = reader_for(file)
    if reader is not None:
        for found in reader(file, problems, region=region, year=year, years=wanted):
            if isinstance(found, PublishedFigures):
                published.append(found)
            elif isinstance(found, TypeFigures):
                by_type.append(found)
            else:
                records.append(found)
    elif file.suffix.lower() in (".yaml", ".yml", ".json"):
        records.extend(read_documents(file, problems))
    else:
        problems.add(display_path(file), 1, 1, f"cannot read {file.suffix or 'this'} files as facts")


def parse_years(years: str | Sequence[str] | None, problems: Problems) -> list[str] | None:
    """`"2019-20..2023-24"`, `"all"` or a list of years as the list of years to assess
    (`["all"]` for every year the facts hold), or None."""
    if years is None:
        return None
    if isinstance(years, str):
        text = years.strip()
        if text.casefold() == "all":
            return [ALL_YEARS]
        first, dots, last = text.partition("..")
        listed = [first.strip(), last.strip()] if dots else [part.strip() for part in text.split(",")]
    else:
        listed = list(years)
    good = True
    for one in listed:
        wrong = year_problem(one)
        if wrong is not None:
            problems.add("<arguments>", 1, 1, f"--years: {wrong[0]}", hint=wrong[1])
            good = False
    if not good or not listed:
        if not listed:
            problems.add("<arguments>", 1, 1, "--years names no year", hint="e.g. 2019-20..2023-24, or all")
        return []
    if isinstance(years, str) and ".." in years:
        start, end = year_start(listed[0]), year_start(listed[1])
        if start > end:
            problems.add("<arguments>", 1, 1, f"--years {years}: the first year is after the last")
            return []
        return [f"{one}-{(one + 1) % 100:02d}" for one in range(start, end + 1)]
    return sorted(set(listed), key=year_start)


def shipped_comparators(comparators: str | Path) -> str | Path:
    """A comparator-group file, or the name of one shipped with the package."""
    if str(comparators) == "council-type" and not Path(comparators).exists():
        return COUNCIL_TYPE_GROUPS
    return comparators


def _read_memory(data: Any, name: str, records: list[Record], problems: Problems) -> None:
    plain = _plain(data)
    if not isinstance(plain, (dict, list)):
        problems.add(
            "<arguments>", 1, 1,
            f"a fact source is a path, a fact set's mapping or a list of them, not {type_name(data)}",
        )
        return
    records.extend(document_records(memory_document(plain, name), problems))


def _plain(data: Any) -> Any:
    """Mappings and sequences of any kind as dicts and lists, as a YAML or JSON file reads."""
    if isinstance(data, Mapping):
        return {key: _plain(value) for key, value in data.items()}
    if isinstance(data, (list, tuple)):
        return [_plain(item) for item in data]
    return data


def _nothing_to_assess(shown_paths: list[str], region: str | None, problems: Problems) -> None:
    """No authority to assess is an error: an empty file is not a region in good health."""
    within = f" in {region}" if region is not None else ""
    for shown in shown_paths or ["<arguments>"]:
        problems.add(shown, 1, 1, f"no fact sets{within}: nothing to assess")


def in_region(
    authorities: tuple[AuthorityFacts, ...], region: str, publications: set[str], problems: Problems
) -> tuple[AuthorityFacts, ...]:
    """The authorities of one region. A national publication's reader has chosen its own;
    the others are told by the region membership of their ONS code in their year, or refused
    when it cannot be told."""
    matched = match_region(region)
    if matched is None:
        known = ", ".join(known_regions())
        problems.add("<arguments>", 1, 1, f"unknown region {region!r}", hint=f"known regions: {known}")
        return ()
    kept = []
    for item in authorities:
        if item.location[0] in publications:
            kept.append(item)
            continue
        code = item.code or council_code(item.authority, item.year)
        found = region_of(code, item.year) if code else None
        if found is None:
            path, line, column = item.location
            why = (
                f"{code} is not an English council's ONS code in {item.year}" if code
                else f"'{item.authority}' is not an English council's ONS name"
            )
            problems.add(
                path, line, column, f"cannot tell whether {item.authority} is in {matched} in {item.year}: {why}",
                hint="give its ONS code, or leave out --region",
            )
        elif found == matched:
            kept.append(item)
    return tuple(kept)


def reader_for(file: Path) -> Reader | None:
    """The reader for a spreadsheet-shaped file, or None for YAML and JSON documents.

    A CSV file's layout is told by its header: the official ASCOF columns, Oflog's adult social
    care metrics, the long layout
    (`fact` and `value` columns), or else the wide layout.
    """
    suffix = file.suffix.lower()
    if suffix == ".xlsx":
        return read_data_return if _is_data_return(file) else read_xlsx
    if suffix != ".csv":
        return None
    names = {fold(name) for name in _header_of(file)}
    if is_ascof_header(names):
        return read_ascof_csv
    if is_oflog_header(names):
        return read_oflog_csv
    if {"fact", "value"} <= names:
        return read_long_csv
    return read_wide_csv


def _is_data_return(file: Path) -> bool:
    """A workbook made by `data-return template` (told by its properties or About sheet)."""
    try:
        import openpyxl

        workbook = openpyxl.load_workbook(file, read_only=True)
    except Exception:  # not openpyxl, or not a workbook: the spreadsheet reader says why
        return False
    try:
        return is_data_return(workbook)
    finally:
        workbook.close()


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

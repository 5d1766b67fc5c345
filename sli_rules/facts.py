"""Fact sets: each authority's facts for a year, read from YAML, JSON or CSV files and
checked against the rulebook's catalogue before anything reaches the engine."""

from __future__ import annotations

import math
import re
import weakref
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, Protocol, TypeVar

import attrs

from .convert import structure, type_name
from .errors import FactsError, Problem, Problems, did_you_mean
from .model import YEAR_PATTERN, Location, Rulebook, place, previous_year, year_start
from .source import Document, Where, display_path, load_documents, walk_files

FACT_SUFFIXES = (".yaml", ".yml", ".json", ".csv", ".xlsx")
CSV_FIXED = ("authority", "code", "year")
MAX_TEXT = 10_000
MAX_UNKNOWN_LISTED = 50  # unknown facts listed one by one for each fact set
_NAME_FOLD = re.compile(r"[^a-z0-9]+")


def name_key(name: str) -> str:
    """Names compared loosely: 'St. Helens', 'St Helens' and 'st helens ' are one council."""
    return _NAME_FOLD.sub(" ", name.casefold()).strip()


class _Named(Protocol):
    @property
    def authority(self) -> str: ...
    @property
    def code(self) -> str | None: ...
    @property
    def year(self) -> str: ...


NamedT = TypeVar("NamedT", bound=_Named)


def latest_named(items: Iterable[NamedT], name_or_code: str) -> NamedT | None:
    """The item of an authority, by ONS code or by name loosely compared, latest year first."""
    wanted = name_key(name_or_code)
    matches = [item for item in items if item.code == name_or_code or name_key(item.authority) == wanted]
    return max(matches, key=lambda item: year_start(item.year)) if matches else None


@attrs.frozen
class AuthorityFacts:
    """One authority's facts for one year, with the place each fact came from."""

    authority: str
    code: str | None
    year: str
    facts: dict[str, Any] = attrs.field(repr=False)
    previous: dict[str, Any] = attrs.field(repr=False, factory=dict)
    comparators: tuple[str, ...] = ()
    notes: dict[str, str] = attrs.field(repr=False, factory=dict)
    sources: dict[str, str] = attrs.field(repr=False, factory=dict)
    location: Location = ("<memory>", 1, 1)
    fact_locations: dict[str, Location] = attrs.field(repr=False, factory=dict, eq=False)
    previous_locations: dict[str, Location] = attrs.field(repr=False, factory=dict, eq=False)
    comparator_locations: tuple[Location, ...] = attrs.field(repr=False, default=(), eq=False)
    # Where each fact's id is written, where it differs from its value's place (a YAML key):
    # a problem with the id itself, such as an unknown fact, is reported there.
    fact_key_locations: dict[str, Location] = attrs.field(repr=False, factory=dict, eq=False)
    previous_key_locations: dict[str, Location] = attrs.field(repr=False, factory=dict, eq=False)

    @property
    def key(self) -> str:
        return self.code or self.authority

    def source_of(self, fact_id: str) -> str | None:
        """The provenance given for a fact: by its id, or by the longest matching prefix."""
        if fact_id in self.sources:
            return self.sources[fact_id]
        best = None
        for pattern, source in self.sources.items():
            matches = pattern.endswith("*") and fact_id.startswith(pattern[:-1])
            if matches and (best is None or len(pattern) > len(best[0])):
                best = (pattern, source)
        return best[1] if best else None


@attrs.frozen
class Region:
    """The authorities to assess together: statistics are taken over them, year by year."""

    authorities: tuple[AuthorityFacts, ...]
    paths: tuple[str, ...] = ()
    warnings: tuple[Problem, ...] = ()
    # Published figures that are not any one authority's: ("national" or "published_region",
    # year) → {fact id: value}, e.g. the England and region rows of the official ASCOF file.
    references: dict[tuple[str, str], dict[str, Any]] = attrs.Factory(dict)

    def __len__(self) -> int:
        return len(self.authorities)

    def __iter__(self) -> Iterator[AuthorityFacts]:
        return iter(self.authorities)

    def __getitem__(self, name_or_code: str) -> AuthorityFacts:
        found = latest_named(self.authorities, name_or_code)
        if found is None:
            raise KeyError(name_or_code)
        return found

    @property
    def years(self) -> list[str]:
        return sorted({item.year for item in self.authorities}, key=year_start)


@attrs.frozen
class FactSetSpec:
    authority: str
    year: str
    facts: dict[str, Any] = attrs.Factory(dict)
    code: str | None = None
    comparators: list[str] = attrs.Factory(list)
    previous: dict[str, Any] = attrs.Factory(dict)
    notes: dict[str, str] = attrs.Factory(dict)
    sources: dict[str, str] = attrs.Factory(dict)


@attrs.frozen
class RegionSpec:
    kind: str
    authorities: list[Any]
    name: str | None = None
    year: str | None = None


# --- reading ---------------------------------------------------------------------------


@attrs.frozen
class PublishedFigures:
    """Figures a reader found that belong to no authority: England's or the region's."""

    scope: str  # "national" or "published_region"
    year: str
    values: dict[str, Any]


@attrs.define
class _Record:
    """A fact set as read from one place, before merging and year selection."""

    authority: str
    code: str | None
    year: str
    facts: dict[str, Any]
    fact_locations: dict[str, Location]
    previous: dict[str, Any]
    previous_locations: dict[str, Location]
    comparators: list[str]
    comparator_locations: list[Location]
    notes: dict[str, str]
    sources: dict[str, str]
    location: Location
    fact_key_locations: dict[str, Location] = attrs.Factory(dict)
    previous_key_locations: dict[str, Location] = attrs.Factory(dict)


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
    and `year` (default: its latest); its measures are filtered by the rulebook's catalogue,
    the default rulebook's when none is given. `comparators` is a comparator-group file
    (YAML or CSV) applied to every authority, added to the groups the fact sets list.
    """
    from . import readers

    problems = Problems()
    records: list[_Record] = []
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
            reader = readers.reader_for(file)
            if reader is not None:
                for found in reader(file, problems, region=region, year=year, rulebook=rulebook):
                    (published if isinstance(found, PublishedFigures) else records).append(found)
            elif file.suffix.lower() in (".yaml", ".yml", ".json"):
                records.extend(_read_documents(file, problems))
            else:
                problems.add(display_path(file), 1, 1, f"cannot read {file.suffix or 'this'} files as facts")
    # Keep going after problems: the records that could be read are still merged and, with
    # a rulebook, checked value by value, so that every problem is reported at once.
    result = assemble(records, problems, year=year)
    if comparators is not None:
        result = readers.apply_comparators(result, comparators, problems)
    warnings = tuple(problem for problem in problems.items if problem.severity == "warning")
    references: dict[tuple[str, str], dict[str, Any]] = {}
    for figures in published:
        references.setdefault((figures.scope, figures.year), {}).update(figures.values)
    loaded = Region(result, tuple(shown_paths), warnings, references)
    if rulebook is not None:
        loaded = bind(loaded, rulebook, problems)
    problems.raise_if_errors(FactsError)
    return loaded


def _read_documents(file: Path, problems: Problems) -> Iterable[_Record]:
    for document in load_documents(file, problems):
        data = document.data
        if isinstance(data, list):
            for index, item in enumerate(data):
                yield from _record(document, (index,), item, problems)
        elif isinstance(data, dict) and "kind" in data:
            if data.get("kind") != "region":
                document.problem(
                    problems, ("kind",),
                    f"a fact file's kind is 'region', not {data.get('kind')!r}",
                    hint="rule files go in the rulebook folder, not among the facts",
                )
                continue
            spec, found = structure(data, RegionSpec)
            for item in found:
                document.problem(problems, item.where, item.message, key=item.at_key, hint=item.hint)
            if spec is None:
                continue
            for index, entry in enumerate(spec.authorities):
                if spec.year is not None and isinstance(entry, dict) and "year" not in entry:
                    entry = {**entry, "year": spec.year}  # noqa: PLW2901 (the region's year fills in)
                yield from _record(document, ("authorities", index), entry, problems)
        else:
            yield from _record(document, (), data, problems)


def _record(document: Document, where: Where, data: Any, problems: Problems) -> Iterable[_Record]:
    if not isinstance(data, dict):
        document.problem(
            problems, where, f"a fact set is a mapping with authority, year and facts, got {type_name(data)}"
        )
        return
    spec, found = structure(data, FactSetSpec)
    for item in found:
        document.problem(problems, (*where, *item.where), item.message, key=item.at_key, hint=item.hint)
    if spec is None:
        return
    if not _check_year(document, (*where, "year"), spec.year, problems):
        return
    fact_keys: dict[str, Location] = {}
    previous_keys: dict[str, Location] = {}
    facts, fact_locations = _flatten(document, (*where, "facts"), spec.facts, problems, fact_keys)
    previous, previous_locations = _flatten(document, (*where, "previous"), spec.previous, problems, previous_keys)
    for name, mapping in (("notes", spec.notes), ("sources", spec.sources)):
        for key, value in mapping.items():
            if not isinstance(value, str):
                document.problem(problems, (*where, name, key), f"expected text, got {type_name(value)}")
    line, column = document.at(where)
    yield _Record(
        authority=spec.authority.strip(),
        code=spec.code.strip() if spec.code else None,
        year=spec.year,
        facts=facts,
        fact_locations=fact_locations,
        previous=previous,
        previous_locations=previous_locations,
        comparators=list(spec.comparators),
        comparator_locations=[
            (document.path, *document.at((*where, "comparators", index)))
            for index in range(len(spec.comparators))
        ],
        notes=dict(spec.notes),
        sources=dict(spec.sources),
        location=(document.path, line, column),
        fact_key_locations=fact_keys,
        previous_key_locations=previous_keys,
    )


def _check_year(document: Document, where: Where, year: str, problems: Problems) -> bool:
    if not YEAR_PATTERN.match(year) or int(year[5:]) != (year_start(year) + 1) % 100:
        document.problem(problems, where, f"year {year!r} is not a financial year like 2013-14")
        return False
    return True


def _flatten(
    document: Document,
    where: Where,
    mapping: dict[str, Any],
    problems: Problems,
    key_locations: dict[str, Location] | None = None,
) -> tuple[dict[str, Any], dict[str, Location]]:
    """Nested mappings as dotted ids, with the place of each value (and, into `key_locations`,
    of the key that names it: the innermost key of a nested id)."""
    facts: dict[str, Any] = {}
    locations: dict[str, Location] = {}

    def visit(prefix: str, inner: Where, value: Any) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                visit(f"{prefix}.{key}" if prefix else str(key), (*inner, key), item)
            return
        if isinstance(value, list):
            document.problem(problems, inner, f"fact '{prefix}' is a list; a fact holds one value")
            return
        if prefix in facts:
            document.problem(problems, inner, f"fact '{prefix}' is given twice")
            return
        facts[prefix] = value
        locations[prefix] = (document.path, *document.at(inner))
        if key_locations is not None:
            key_locations[prefix] = (document.path, *document.key_at(inner))

    for key, value in mapping.items():
        visit(str(key), (*where, key), value)
    return facts, locations


def read_wide_csv(file: Path, problems: Problems, **_: Any) -> list[_Record]:
    """One row per authority and year; a column per fact id; `authority`, `code`, `year`."""
    from .readers import read_wide_csv as read

    return read(file, problems)


def parse_cell(value: str) -> Any:
    """A spreadsheet cell as a value: true/false, a number, or text (typed by the catalogue later)."""
    lowered = value.strip().lower()
    if lowered in ("true", "yes"):
        return True
    if lowered in ("false", "no"):
        return False
    cleaned = value.strip().replace(",", "") if re.fullmatch(r"-?[\d,]+(\.\d+)?", value.strip()) else value.strip()
    try:
        return int(cleaned)
    except ValueError:
        pass
    try:
        number = float(cleaned)
    except ValueError:
        return value.strip()
    return number


# --- merging and choosing the year -----------------------------------------------------


def assemble(records: Sequence[_Record], problems: Problems, year: str | None = None) -> tuple[AuthorityFacts, ...]:
    """Merge records of the same authority and year; attach each year's previous values."""
    codes_by_name: dict[str, str] = {}
    for record in records:
        if record.code:
            known = codes_by_name.setdefault(name_key(record.authority), record.code)
            if known != record.code:
                path, line, column = record.location
                problems.add(
                    path, line, column,
                    f"'{record.authority}' is given code {record.code} here and {known} elsewhere",
                )
    merged: dict[tuple[str, str], _Record] = {}
    order: list[tuple[str, str]] = []
    for record in records:
        key = (record.code or codes_by_name.get(name_key(record.authority)) or name_key(record.authority), record.year)
        if key not in merged:
            merged[key] = _Record(**{**attrs.asdict(record, recurse=False)})
            merged[key].code = record.code or codes_by_name.get(name_key(record.authority))
            order.append(key)
            continue
        _merge_into(merged[key], record, problems)
    by_authority: dict[str, dict[str, _Record]] = {}
    for key in order:
        by_authority.setdefault(key[0], {})[key[1]] = merged[key]
    present_years = sorted({key[1] for key in order}, key=year_start)
    if year is not None and present_years and year not in present_years:
        problems.add("<arguments>", 1, 1, f"no facts for year {year}",
                     hint=f"years present: {', '.join(present_years)}")
        return ()
    chosen: list[AuthorityFacts] = []
    for years in by_authority.values():
        target = year or max(years, key=year_start)
        if target not in years:
            continue
        record = years[target]
        before = years.get(previous_year(target))
        previous = dict(before.facts) if before else {}
        previous_locations = dict(before.fact_locations) if before else {}
        previous_keys = dict(before.fact_key_locations) if before else {}
        previous_keys.update(record.previous_key_locations)
        for fact, value in record.previous.items():
            if fact in previous and previous[fact] != value:
                path, line, column = record.previous_locations[fact]
                other = previous_locations[fact]
                problems.add(
                    path, line, column,
                    f"previous value of '{fact}' is {value!r} here but {previous[fact]!r} at "
                    f"{place(other)}",
                )
            previous[fact] = value
            previous_locations[fact] = record.previous_locations[fact]
        chosen.append(
            AuthorityFacts(
                authority=record.authority,
                code=record.code,
                year=record.year,
                facts=record.facts,
                previous=previous,
                comparators=tuple(record.comparators),
                notes=record.notes,
                sources=record.sources,
                location=record.location,
                fact_locations=record.fact_locations,
                previous_locations=previous_locations,
                comparator_locations=tuple(record.comparator_locations),
                fact_key_locations=record.fact_key_locations,
                previous_key_locations=previous_keys,
            )
        )
    return tuple(chosen)


def _merge_into(target: _Record, record: _Record, problems: Problems) -> None:
    for name, values, locations in (
        ("", record.facts, record.fact_locations),
        ("previous value of ", record.previous, record.previous_locations),
    ):
        into = target.facts if not name else target.previous
        into_locations = target.fact_locations if not name else target.previous_locations
        for fact, value in values.items():
            if fact in into and into[fact] != value:
                path, line, column = locations[fact]
                other = into_locations[fact]
                problems.add(
                    path, line, column,
                    f"{name}'{fact}' for {record.authority} {record.year} is {value!r} here but "
                    f"{into[fact]!r} at {place(other)}",
                )
                continue
            if fact in into and name == "" and record.location[0] == target.location[0]:
                path, line, column = locations[fact]
                other = into_locations[fact]
                problems.add(
                    path, line, column,
                    f"{record.authority} {record.year} is given twice (also at {place(other)})",
                )
                continue
            into[fact] = value
            into_locations[fact] = locations[fact]
            keys = record.fact_key_locations if not name else record.previous_key_locations
            if fact in keys:
                (target.fact_key_locations if not name else target.previous_key_locations)[fact] = keys[fact]
    if record.location[0] == target.location[0] and not record.facts and not record.previous:
        path, line, column = record.location
        other = target.location
        problems.add(
            path, line, column,
            f"{record.authority} {record.year} is given twice (also at {place(other)})",
        )
    for comparator, location in zip(record.comparators, record.comparator_locations, strict=True):
        if comparator not in target.comparators:
            target.comparators.append(comparator)
            target.comparator_locations.append(location)
    target.notes.update(record.notes)
    target.sources.update(record.sources)
    if target.code is None and record.code:
        target.code = record.code


# --- checking against the catalogue ----------------------------------------------------


def bind(region: Region, rulebook: Rulebook, problems: Problems | None = None) -> Region:
    """The region with fact ids resolved to catalogue ids and every value checked.

    Raises FactsError with every problem: unknown facts (with did-you-mean), wrong types,
    values out of range or not finite, unknown category values, duplicate authorities.
    Given `problems`, adds to them instead and leaves raising to the caller.
    """
    collect = problems is not None
    problems = problems if problems is not None else Problems()
    known = [*rulebook.measures, *(alias.id for m in rulebook.measures.values() for alias in m.aliases)]
    seen: dict[tuple[str, str], Location] = {}
    bound: list[AuthorityFacts] = []
    for item in region.authorities:
        marker = (item.key, item.year)
        if marker in seen:
            path, line, column = item.location
            other = seen[marker]
            problems.add(
                path, line, column,
                f"{item.authority} {item.year} appears twice (also at {place(other)})",
            )
            continue
        seen[marker] = item.location
        facts = _bind_values(
            item.facts, item.fact_locations, item.year, rulebook, known, problems, item, item.fact_key_locations
        )
        previous = _bind_values(
            item.previous, item.previous_locations, previous_year(item.year), rulebook, known, problems, item,
            item.previous_key_locations,
        )
        bound.append(
            attrs.evolve(
                item,
                facts=facts,
                previous=previous,
                fact_locations=_rekey(item.fact_locations, item.year, rulebook),
                previous_locations=_rekey(item.previous_locations, previous_year(item.year), rulebook),
                fact_key_locations=_rekey(item.fact_key_locations, item.year, rulebook),
                previous_key_locations=_rekey(item.previous_key_locations, previous_year(item.year), rulebook),
            )
        )
    references: dict[tuple[str, str], dict[str, Any]] = {}
    for (scope, year), values in region.references.items():
        resolved: dict[str, Any] = {}
        for fact, value in values.items():
            canonical = rulebook.resolve(fact, year)
            if canonical is None or value is None:
                continue  # a national file publishes more than any one rulebook reads
            checked = check_value(rulebook.measures[canonical], value)
            if not isinstance(checked, _Invalid):
                resolved[canonical] = checked
        references[(scope, year)] = resolved
    if not collect:
        problems.raise_if_errors(FactsError)
    return Region(tuple(bound), region.paths, region.warnings, references)


_RESOLVED: dict[int, tuple[Any, dict[tuple[str, str | None], str | None]]] = {}
_RESOLVED_LIMIT = 100_000


def _resolve(rulebook: Rulebook, fact: str, year: str | None) -> str | None:
    """`rulebook.resolve`, remembered per rulebook: binding asks the same few questions for
    every authority. The memory is bounded and goes with the rulebook."""
    key = id(rulebook)
    entry = _RESOLVED.get(key)
    if entry is None or entry[0]() is not rulebook:
        entry = (weakref.ref(rulebook, lambda _: _RESOLVED.pop(key, None)), {})
        _RESOLVED[key] = entry
    cache = entry[1]
    try:
        return cache[fact, year]
    except KeyError:
        found = rulebook.resolve(fact, year)
        if len(cache) < _RESOLVED_LIMIT:
            cache[fact, year] = found
        return found


def _rekey(locations: dict[str, Location], year: str, rulebook: Rulebook) -> dict[str, Location]:
    return {_resolve(rulebook, fact, year) or fact: where for fact, where in locations.items()}


def _bind_values(
    values: dict[str, Any],
    locations: dict[str, Location],
    year: str,
    rulebook: Rulebook,
    known: list[str],
    problems: Problems,
    item: AuthorityFacts,
    key_locations: dict[str, Location] | None = None,
) -> dict[str, Any]:
    result: dict[str, Any] = {}
    given_as: dict[str, str] = {}
    keys = key_locations or {}
    unknown = 0
    for fact, value in values.items():
        if value is None:
            continue  # null means "not known": the fact is missing, not an error
        canonical = _resolve(rulebook, fact, year)
        if canonical is None:
            unknown += 1
            if unknown > MAX_UNKNOWN_LISTED:
                continue  # counted, and summed up once below
            other_years = _resolve(rulebook, fact, None)
            if other_years is not None:
                problems.add(*(keys.get(fact) or locations.get(fact, item.location)),
                             f"'{fact}' does not name a measure in {year}",
                             hint=f"it is an id of '{other_years}' in other years")
            else:
                problems.add(*(keys.get(fact) or locations.get(fact, item.location)),
                             f"unknown fact '{fact}'",
                             hint=did_you_mean(fact, known) or "add it to the rulebook's measures")
            continue
        if canonical in given_as:
            problems.add(*(keys.get(fact) or locations.get(fact, item.location)),
                         f"'{fact}' and '{given_as[canonical]}' are the same measure, given twice")
            continue
        given_as[canonical] = fact
        checked = check_value(rulebook.measures[canonical], value)
        if isinstance(checked, _Invalid):
            problems.add(*locations.get(fact, item.location), f"'{fact}': {checked.message}", hint=checked.hint)
            continue
        result[canonical] = checked
    if unknown > MAX_UNKNOWN_LISTED:
        # A file of a million made-up columns gets a readable error, and quickly: each
        # listed one costs a did-you-mean search.
        problems.add(*item.location, f"{unknown - MAX_UNKNOWN_LISTED} more unknown facts for "
                     f"{item.authority} {item.year}, not listed")
    return result


@attrs.frozen
class _Invalid:
    message: str
    hint: str | None = None


def check_value(measure: Any, value: Any) -> Any:
    """The value if it suits the measure, else an _Invalid saying why."""
    if measure.type == "number":
        if type(value) is float and math.isfinite(value) and (
            measure.range is None or measure.range[0] <= value <= measure.range[1]
        ):
            return value  # the common case, decided at once
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            shown = f" {_brief(value)}" if isinstance(value, str) else ""
            return _Invalid(f"expected a number, got {type_name(value)}{shown}")
        if not math.isfinite(value):
            return _Invalid(f"{value} is not a finite number")
        if isinstance(value, int) and abs(value) > 2**53:
            return _Invalid(f"{value} is too large to hold exactly")
        if measure.range is not None and not (measure.range[0] <= value <= measure.range[1]):
            low, high = measure.range
            return _Invalid(f"{value} is outside the measure's range [{_plain(low)}, {_plain(high)}]")
        return float(value) if isinstance(value, float) else value
    if measure.type == "boolean":
        if not isinstance(value, bool):
            return _Invalid(f"expected true or false, got {type_name(value)}")
        return value
    if measure.type == "category":
        if not isinstance(value, str) or value not in measure.values:
            return _Invalid(
                f"{_brief(value)} is not one of the measure's values",
                did_you_mean(str(value)[:200], measure.values) or f"one of: {', '.join(measure.values)}",
            )
        return value
    if not isinstance(value, str):
        return _Invalid(f"expected text, got {type_name(value)}")
    if len(value) > MAX_TEXT:
        return _Invalid(f"text of {len(value)} characters; the limit is {MAX_TEXT}")
    return value


def _brief(value: Any) -> str:
    """A value as shown in a message: long text cut short, so that the error stays readable."""
    text = repr(value)
    return text if len(text) <= 80 else f"{text[:60]}... ({len(str(value))} characters)"


def _plain(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else str(number)

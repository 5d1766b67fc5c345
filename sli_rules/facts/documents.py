"""Fact sets written as YAML or JSON documents: one authority-year each, a list of them, or a
`kind: region` mapping, read with the place of every value for later messages."""

from __future__ import annotations

from collections.abc import Iterable, MutableMapping
from pathlib import Path
from typing import Any

from ..errors import Location, Problems, did_you_mean
from ..rules.convert import structure, type_name
from ..rules.model import year_start
from ..rules.source import Document, Where, load_documents
from .factset import Count, FactSetSpec, PlaceMap, Record, RegionSpec, count_problem, year_problem


def read_documents(file: Path, problems: Problems) -> Iterable[Record]:
    """The fact sets of a YAML or JSON file."""
    for document in load_documents(file, problems, lazy=True):
        yield from document_records(document, problems)


def document_records(document: Document, problems: Problems) -> Iterable[Record]:
    """The fact sets of one document: a fact set, a list of them, or a `kind: region`."""
    data = document.data
    if isinstance(data, list):
        _find_together(document, [(index,) for index in range(len(data))], data)
        for index, item in enumerate(data):
            yield from record(document, (index,), item, problems)
        return
    if not (isinstance(data, dict) and "kind" in data):
        yield from record(document, (), data, problems)
        return
    if data.get("kind") != "region":
        document.problem(
            problems, ("kind",),
            f"a fact file's kind is 'region', not {data.get('kind')!r}",
            hint="rule files go in the rulebook folder, not among the facts",
        )
        return
    spec, found = structure(data, RegionSpec)
    for item in found:
        document.problem(problems, item.where, item.message, key=item.at_key, hint=item.hint)
    if spec is None:
        return
    _find_together(document, [("authorities", index) for index in range(len(spec.authorities))], spec.authorities)
    for index, entry in enumerate(spec.authorities):
        if spec.year is not None and isinstance(entry, dict) and "year" not in entry:
            entry = {**entry, "year": spec.year}  # noqa: PLW2901 (the region's year fills in)
        yield from record(document, ("authorities", index), entry, problems)


def _find_together(document: Document, wheres: list[Where], entries: list[Any]) -> None:
    """Locate the fact sets of a list, and their comparators, in one reading of a large
    file (each record's place is kept; a file read again for each would take hours)."""
    found = list(wheres)
    for where, entry in zip(wheres, entries, strict=True):
        comparators = entry.get("comparators") if isinstance(entry, dict) else None
        if isinstance(comparators, list):
            found.extend((*where, "comparators", index) for index in range(len(comparators)))
    document.locations(found)


def record(document: Document, where: Where, data: Any, problems: Problems) -> Iterable[Record]:
    """One fact set at `where` in a document, checked; nothing when it cannot be read."""
    if not isinstance(data, dict):
        document.problem(
            problems, where, f"a fact set is a mapping with authority, year and facts, got {type_name(data)}"
        )
        return
    year = data.get("year")
    year_is_text = isinstance(year, str)
    if "year" in data and not year_is_text:
        # Reported here with a suggestion, once; the rest of the fact set is still checked.
        check_year(document, (*where, "year"), year, problems)
        data = {**data, "year": "2000-01"}
    spec, found = structure(data, FactSetSpec)
    for item in found:
        document.problem(problems, (*where, *item.where), item.message, key=item.at_key, hint=item.hint)
    if spec is None:
        return
    if not year_is_text or not check_year(document, (*where, "year"), spec.year, problems):
        return
    facts, fact_nested = _flatten(document, (*where, "facts"), spec.facts, problems)
    previous, previous_nested = _flatten(document, (*where, "previous"), spec.previous, problems)
    counts, count_nested = _counts(document, (*where, "counts"), spec.counts, problems)
    history, history_locations = _history(document, (*where, "history"), spec.history, spec.year, problems)
    for name, mapping in (("notes", spec.notes), ("sources", spec.sources)):
        for key, value in mapping.items():
            if not isinstance(value, str):
                document.problem(problems, (*where, name, key), f"expected text, got {type_name(value)}")
    locator = document.locator
    yield Record(
        authority=spec.authority.strip(),
        code=spec.code.strip() if spec.code else None,
        year=spec.year,
        facts=facts,
        fact_locations=PlaceMap.written(locator, (*where, "facts"), facts, fact_nested),
        previous=previous,
        previous_locations=PlaceMap.written(locator, (*where, "previous"), previous, previous_nested),
        comparators=list(spec.comparators),
        comparator_locations=document.locations(
            (*where, "comparators", index) for index in range(len(spec.comparators))
        ),
        notes=dict(spec.notes),
        sources=dict(spec.sources),
        location=document.location(where),
        origin=document.path,
        fact_key_locations=PlaceMap.written(locator, (*where, "facts"), facts, fact_nested, key=True),
        previous_key_locations=PlaceMap.written(locator, (*where, "previous"), previous, previous_nested, key=True),
        counts=counts,
        count_locations=PlaceMap.written(locator, (*where, "counts"), counts, count_nested),
        history=history,
        history_locations=history_locations,
    )


def check_year(document: Document, where: Where, year: Any, problems: Problems) -> bool:
    wrong = year_problem(year)
    if wrong is not None:
        document.problem(problems, where, wrong[0], hint=wrong[1])
        return False
    return True


def _flatten(
    document: Document, where: Where, mapping: dict[str, Any], problems: Problems
) -> tuple[dict[str, Any], dict[str, Where]]:
    """Nested mappings as dotted ids, with the place of each id written nested (an id
    written whole lies at `where` + (id,)): its value's place, and its innermost key's."""
    facts: dict[str, Any] = {}
    nested: dict[str, Where] = {}

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
        if len(inner) != len(where) + 1 or inner[-1] != prefix:
            nested[prefix] = inner

    for key, value in mapping.items():
        visit(str(key), (*where, key), value)
    return facts, nested


_COUNT_KEYS = ("numerator", "denominator")


def _counts(
    document: Document, where: Where, mapping: dict[str, Any], problems: Problems
) -> tuple[dict[str, Count], dict[str, Where]]:
    """`counts: {FACT: {numerator: N, denominator: D}}` (fact ids nested as in `facts`):
    whole numbers, not negative, a numerator at most its denominator."""
    counts: dict[str, Count] = {}
    nested: dict[str, Where] = {}

    def visit(prefix: str, inner: Where, value: Any) -> None:
        if isinstance(value, dict) and not set(value) & set(_COUNT_KEYS):
            for key, item in value.items():
                visit(f"{prefix}.{key}" if prefix else str(key), (*inner, key), item)
            return
        if not isinstance(value, dict):
            document.problem(problems, inner, f"the counts of '{prefix}' are a mapping: numerator and denominator")
            return
        good = True
        for key in value:
            if key not in _COUNT_KEYS:
                document.problem(problems, (*inner, key), f"unknown key '{key}' in the counts of '{prefix}'",
                                 key=True, hint=did_you_mean(str(key), _COUNT_KEYS) or "numerator, denominator")
                good = False
        for key in _COUNT_KEYS:
            if key not in value:
                document.problem(problems, inner, f"the counts of '{prefix}' have no {key}")
                good = False
        if not good:
            return
        wrong = count_problem(value["numerator"], value["denominator"])
        if wrong is not None:
            at = "denominator" if "denominator" in wrong and "numerator" not in wrong else "numerator"
            document.problem(problems, (*inner, at), f"counts of '{prefix}': {wrong}")
            return
        counts[prefix] = Count(int(value["numerator"]), int(value["denominator"]))
        if len(inner) != len(where) + 1 or inner[-1] != prefix:
            nested[prefix] = inner

    for key, value in mapping.items():
        visit(str(key), (*where, key), value)
    return counts, nested


def _history(
    document: Document, where: Where, mapping: dict[str, Any], year: str, problems: Problems
) -> tuple[dict[str, dict[str, Any]], dict[str, MutableMapping[str, Location]]]:
    """`history: {FACT: {YEAR: VALUE}}` (fact ids nested as in `facts`): earlier years only."""
    history: dict[str, dict[str, Any]] = {}
    locations: dict[str, MutableMapping[str, Location]] = {}

    def visit(prefix: str, inner: Where, value: Any) -> None:
        if not isinstance(value, dict):
            document.problem(problems, inner, f"the history of '{prefix}' is a mapping of years to values")
            return
        nested = not all(year_problem(key) is None for key in value) and all(
            isinstance(item, dict) for item in value.values()
        )
        if value and nested:  # a group of fact ids, as under `facts`
            for key, item in value.items():
                visit(f"{prefix}.{key}" if prefix else str(key), (*inner, key), item)
            return
        for when, item in value.items():
            wrong = year_problem(when)
            if wrong is not None:
                document.problem(problems, (*inner, when), wrong[0], key=True, hint=wrong[1])
                continue
            if year_problem(year) is None and year_start(when) >= year_start(year):
                document.problem(problems, (*inner, when), f"history holds earlier years than {year}, not {when}",
                                 key=True)
                continue
            if isinstance(item, (dict, list)):
                document.problem(problems, (*inner, when), f"'{prefix}' in {when} is not one value")
                continue
            history.setdefault(prefix, {})[when] = item
            if prefix not in locations:
                locations[prefix] = PlaceMap.written(document.locator, inner, history[prefix], {})

    for key, value in mapping.items():
        visit(str(key), (*where, key), value)
    return history, locations

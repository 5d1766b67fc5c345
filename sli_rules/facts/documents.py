"""Fact sets written as YAML or JSON documents: one authority-year each, a list of them, or a
`kind: region` mapping, read with the place of every value for later messages."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, MutableMapping
from pathlib import Path
from typing import Any

from ..errors import Location, Problems, did_you_mean
from ..rules.convert import structure, type_name
from ..rules.model import previous_year, year_start
from ..rules.source import Document, Where, load_documents
from .factset import Count, FactSetSpec, Record, RegionSpec, count_problem, year_problem
from .places import PlaceMap


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
    history_counts, history_count_locations = _history_counts(document, where, spec, problems)
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
        history_counts=history_counts,
        history_count_locations=history_count_locations,
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
    if _flat(mapping):
        # Every key text, every value one value: the ids are the keys, each written whole, and
        # nothing is nested, a list or given twice (keys of one mapping are distinct), so the
        # walk below would give this same mapping and report nothing.
        return dict(mapping), {}
    return _flatten_walk(document, where, mapping, problems)


def _flatten_walk(
    document: Document, where: Where, mapping: dict[str, Any], problems: Problems
) -> tuple[dict[str, Any], dict[str, Where]]:
    """`_flatten` by walking every value: what a mapping that is not flat needs."""
    facts: dict[str, Any] = {}
    nested: dict[str, Where] = {}
    for prefix, inner, value in _leaves(where, mapping, _is_mapping):
        if isinstance(value, list):
            document.problem(problems, inner, f"fact '{prefix}' is a list; a fact holds one value")
            continue
        if prefix in facts:
            document.problem(problems, inner, f"fact '{prefix}' is given twice")
            continue
        facts[prefix] = value
        if len(inner) != len(where) + 1 or inner[-1] != prefix:
            nested[prefix] = inner
    return facts, nested


def _leaves(where: Where, mapping: dict[str, Any], group: Callable[[Any], bool]) -> Iterator[tuple[str, Where, Any]]:
    """The ids of a mapping whose groups nest (`a: {b: 1}` is `a.b`), in the order written,
    each with its place and its value; `group` tells a group of ids from what an id holds.

    A module-level walk, not a function nested in its caller that calls itself: such a
    function is a reference cycle, which keeps the whole document it reads alive until the
    collector's next full pass."""
    for key, value in mapping.items():
        yield from _descend(str(key), (*where, key), value, group)


def _descend(prefix: str, inner: Where, value: Any, group: Callable[[Any], bool]) -> Iterator[tuple[str, Where, Any]]:
    if not group(value):
        yield prefix, inner, value
        return
    for key, item in value.items():
        yield from _descend(f"{prefix}.{key}" if prefix else str(key), (*inner, key), item, group)


def _is_mapping(value: Any) -> bool:
    return isinstance(value, dict)


def _is_count_group(value: Any) -> bool:
    """A mapping of fact ids, not one fact's counts."""
    return isinstance(value, dict) and not set(value) & set(_COUNT_KEYS)


def _is_history_group(value: Any) -> bool:
    """A mapping of fact ids, not one fact's years: not all its keys years, all its values mappings."""
    return (
        isinstance(value, dict)
        and bool(value)
        and not all(year_problem(key) is None for key in value)
        and all(isinstance(item, dict) for item in value.values())
    )


def _is_counts_history_group(value: Any) -> bool:
    """A mapping of fact ids, not one fact's years of counts: none of its keys a year."""
    return isinstance(value, dict) and bool(value) and all(year_problem(key) is not None for key in value)


_ONE_VALUE = frozenset({str, int, float, bool, type(None)})


def _flat(mapping: dict[str, Any]) -> bool:
    """Whether a mapping of facts is flat: text keys and single values of the kinds a JSON or
    YAML reader gives (asked of the sets of their types, at C speed: a region file holds
    hundreds of thousands of facts). Exact types: a subclass of dict or list is none of these."""
    return set(map(type, mapping)) <= {str} and set(map(type, mapping.values())) <= _ONE_VALUE


_COUNT_KEYS = ("numerator", "denominator")


def _counts(
    document: Document, where: Where, mapping: dict[str, Any], problems: Problems
) -> tuple[dict[str, Count], dict[str, Where]]:
    """`counts: {FACT: {numerator: N, denominator: D}}` (fact ids nested as in `facts`):
    whole numbers, not negative, a numerator at most its denominator."""
    counts: dict[str, Count] = {}
    nested: dict[str, Where] = {}
    for prefix, inner, value in _leaves(where, mapping, _is_count_group):
        count = _one_count(document, inner, f"'{prefix}'", value, problems)
        if count is None:
            continue
        counts[prefix] = count
        if len(inner) != len(where) + 1 or inner[-1] != prefix:
            nested[prefix] = inner
    return counts, nested


def _one_count(document: Document, inner: Where, what: str, value: Any, problems: Problems) -> Count | None:
    """`{numerator: N, denominator: D}` at `inner`, checked; None (reported) when not counts."""
    if not isinstance(value, dict):
        document.problem(problems, inner, f"the counts of {what} are a mapping: numerator and denominator")
        return None
    good = True
    for key in value:
        if key not in _COUNT_KEYS:
            document.problem(problems, (*inner, key), f"unknown key '{key}' in the counts of {what}",
                             key=True, hint=did_you_mean(str(key), _COUNT_KEYS) or "numerator, denominator")
            good = False
    for key in _COUNT_KEYS:
        if key not in value:
            document.problem(problems, inner, f"the counts of {what} have no {key}")
            good = False
    if not good:
        return None
    wrong = count_problem(value["numerator"], value["denominator"])
    if wrong is not None:
        at = "denominator" if "denominator" in wrong and "numerator" not in wrong else "numerator"
        document.problem(problems, (*inner, at), f"counts of {what}: {wrong}")
        return None
    return Count(int(value["numerator"]), int(value["denominator"]))


def _history(
    document: Document, where: Where, mapping: dict[str, Any], year: str, problems: Problems
) -> tuple[dict[str, dict[str, Any]], dict[str, MutableMapping[str, Location]]]:
    """`history: {FACT: {YEAR: VALUE}}` (fact ids nested as in `facts`): earlier years only."""
    history: dict[str, dict[str, Any]] = {}
    locations: dict[str, MutableMapping[str, Location]] = {}
    for prefix, inner, value in _leaves(where, mapping, _is_history_group):
        if not isinstance(value, dict):
            document.problem(problems, inner, f"the history of '{prefix}' is a mapping of years to values")
            continue
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
    return history, locations


def _history_counts(
    document: Document, where: Where, spec: FactSetSpec, problems: Problems
) -> tuple[dict[str, dict[str, Count]], dict[str, MutableMapping[str, Location]]]:
    """`previous_counts: {FACT: {numerator, denominator}}` (last year's, as `counts` is this
    year's) and `history_counts: {FACT: {YEAR: {numerator, denominator}}}` (earlier years),
    together as fact → year → counts; the same fact and year in both must agree."""
    found: dict[str, dict[str, Count]] = {}
    locations: dict[str, PlaceMap] = {}
    before = previous_year(spec.year)
    previous, nested = _counts(document, (*where, "previous_counts"), spec.previous_counts, problems)
    places = PlaceMap.written(document.locator, (*where, "previous_counts"), previous, nested)
    for fact, last in previous.items():
        found.setdefault(fact, {})[before] = last
        spot = places.spot(fact)
        locations.setdefault(fact, PlaceMap())[before] = spot if spot is not None else document.location(where)
    for fact_key, years in _by_fact(document, (*where, "history_counts"), spec.history_counts, problems):
        fact, inner = fact_key
        for when, value in years.items():
            wrong = year_problem(when)
            if wrong is not None:
                document.problem(problems, (*inner, when), wrong[0], key=True, hint=wrong[1])
                continue
            if year_start(when) >= year_start(spec.year):
                document.problem(problems, (*inner, when), f"history_counts hold earlier years than {spec.year}, "
                                 f"not {when}", key=True)
                continue
            count = _one_count(document, (*inner, when), f"'{fact}' in {when}", value, problems)
            if count is None:
                continue
            if fact in found and when in found[fact] and found[fact][when] != count:
                document.problem(problems, (*inner, when), f"the counts of '{fact}' in {when} differ from "
                                 "its previous_counts")
                continue
            found.setdefault(fact, {})[when] = count
            locations.setdefault(fact, PlaceMap())[when] = document.location((*inner, when))
    return found, dict(locations)


def _by_fact(
    document: Document, where: Where, mapping: dict[str, Any], problems: Problems
) -> Iterable[tuple[tuple[str, Where], dict[str, Any]]]:
    """The fact ids of a mapping keyed by fact then year (ids nested as in `facts`), each
    with its place and its mapping of years."""
    for prefix, inner, value in _leaves(where, mapping, _is_counts_history_group):
        if not isinstance(value, dict):
            document.problem(problems, inner, f"the history_counts of '{prefix}' are a mapping of years to counts")
            continue
        yield (prefix, inner), value

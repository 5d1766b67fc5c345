"""The pass that builds the rulebook's catalogue of measures (with their aliases, scoped to
years, and methods), and the check of a `basis` that every part of the rulebook shares."""

from __future__ import annotations

import math
from typing import Any, cast

from ...errors import Location, did_you_mean, place
from ..model import (
    BASES,
    MEASURE_TYPES,
    METHODS,
    POLARITIES,
    Alias,
    Measure,
    Method,
)
from ..source import Document, Where
from ..specs import (
    AliasSpec,
)
from .state import Loading


def build_measures(state: Loading) -> None:
    first: dict[str, Location] = {}
    for document, parsed in state.measure_docs:
        for index, spec in enumerate(parsed.measures):
            where: Where = ("measures", index)
            line, column = document.at((*where, "id"))
            state.check_id(document, (*where, "id"), spec.id, "measure")
            if spec.id in first:
                other = first[spec.id]
                document.problem(
                    state.problems, (*where, "id"),
                    f"duplicate measure id '{spec.id}' (first defined at "
                    f"{place(other)})",
                )
                continue
            first[spec.id] = Location(document.path, line, column)
            measure = _measure(state, document, where, spec)
            if measure is not None:
                state.measures[measure.id] = measure
    for measure in state.measures.values():
        if measure.group:
            state.groups.setdefault(measure.group, []).append(measure.id)
        for alias in measure.aliases:
            state.aliases.setdefault(alias.id, []).append((measure, alias))
    check_alias_clashes(state)


def _measure(state: Loading, document: Document, where: Where, spec: Any) -> Measure | None:
    ok = True
    if spec.type not in MEASURE_TYPES:
        document.problem(
            state.problems, (*where, "type"), f"unknown measure type {spec.type!r}",
            hint=did_you_mean(spec.type, MEASURE_TYPES) or f"one of: {', '.join(MEASURE_TYPES)}",
        )
        ok = False
    if spec.better not in POLARITIES:
        document.problem(
            state.problems, (*where, "better"), f"unknown polarity {spec.better!r}",
            hint=did_you_mean(spec.better, POLARITIES) or "one of: higher, lower, none",
        )
        ok = False
    if spec.better != "none" and spec.type not in ("number", "category"):
        document.problem(
            state.problems, (*where, "better"),
            f"a {spec.type} measure cannot have a polarity", hint="use better: none",
        )
    values = None
    if spec.type == "category":
        if not spec.values:
            document.problem(
                state.problems, where, "a category measure needs its 'values', in order"
            )
            ok = False
        else:
            if len(set(spec.values)) != len(spec.values):
                document.problem(state.problems, (*where, "values"), "category values repeat")
            values = tuple(spec.values)
    elif spec.values is not None:
        document.problem(
            state.problems, (*where, "values"), "only a category measure has 'values'"
        )
    value_range = None
    if spec.range is not None:
        if spec.type != "number":
            document.problem(state.problems, (*where, "range"), "only a number measure has a range")
        elif len(spec.range) != 2 or spec.range[0] > spec.range[1]:
            document.problem(
                state.problems, (*where, "range"), "range must be [LOW, HIGH] with LOW <= HIGH"
            )
        else:
            value_range = (float(spec.range[0]), float(spec.range[1]))
    aliases = []
    for alias_index, alias in enumerate(spec.aliases):
        alias_where = (*where, "aliases", alias_index)
        if isinstance(alias, str):
            state.check_id(document, alias_where, alias, "alias")
            aliases.append(Alias(alias))
        else:
            assert isinstance(alias, AliasSpec)
            state.check_id(document, (*alias_where, "id"), alias.id, "alias")
            since = state.year(document, (*alias_where, "since"), alias.since)
            until = state.year(document, (*alias_where, "until"), alias.until)
            if since is not None and until is not None and since > until:
                document.problem(state.problems, alias_where, "alias 'since' is after 'until'")
            aliases.append(Alias(alias.id, since, until))
    breaks = frozenset(
        start
        for break_index, year in enumerate(spec.breaks)
        if (start := state.year(document, (*where, "breaks", break_index), year)) is not None
    )
    since = state.year(document, (*where, "since"), spec.since)
    until = state.year(document, (*where, "until"), spec.until)
    year_notes = _year_notes(state, document, where, spec, since, until)
    if not ok:
        return None
    line, column = document.at((*where, "id"))
    return Measure(
        id=spec.id,
        name=spec.name,
        type=spec.type,
        unit=spec.unit,
        better=spec.better,
        group=spec.group,
        aliases=tuple(aliases),
        source=spec.source,
        range=value_range,
        values=values,
        since=since,
        until=until,
        breaks=breaks,
        location=Location(document.path, line, column),
        basis=basis_of(state, document, (*where, "basis"), spec.basis),
        method=_method(state, document, where, spec),
        per=float(spec.per) if isinstance(spec.per, (int, float)) and spec.per > 0 else 1.0,
        year_notes=year_notes,
    )


def _year_notes(
    state: Loading, document: Document, where: Where, spec: Any, since: int | None, until: int | None
) -> tuple[tuple[int, str], ...]:
    """`year_notes: {2020-21: TEXT}`: each year real and within the years the measure is
    published, each note text."""
    found = []
    for year, note in spec.year_notes.items():
        spot = (*where, "year_notes", year)
        start = state.year(document, spot, str(year))
        if start is None:
            continue
        if (since is not None and start < since) or (until is not None and start > until):
            document.problem(
                state.problems, spot, f"a note for {year}, a year in which '{spec.id}' is not published",
                hint=f"it is published {spec.since or 'from the start'} to {spec.until or 'today'}",
            )
            continue
        if not isinstance(note, str) or not note.strip():
            document.problem(state.problems, spot, f"the note for {year} is text, got {note!r}")
            continue
        found.append((start, note.strip()))
    return tuple(sorted(found))


def _method(state: Loading, document: Document, where: Where, spec: Any) -> Method | None:
    if spec.per is not None and not spec.per > 0:
        document.problem(state.problems, (*where, "per"), f"per is a number above 0, got {spec.per!r}")
    if spec.method is None:
        if spec.per is not None:
            document.problem(state.problems, (*where, "per"), "'per' goes with a method: proportion or rate")
        return None
    if spec.method not in METHODS:
        document.problem(
            state.problems, (*where, "method"), f"unknown method {spec.method!r}",
            hint=did_you_mean(str(spec.method), METHODS) or "proportion or rate",
        )
        return None
    if spec.type != "number":
        document.problem(state.problems, (*where, "method"), f"a {spec.type} measure has no confidence interval")
        return None
    return cast(Method, spec.method)


def basis_of(state: Loading, document: Document, where: Where, basis: str | None) -> str | None:
    if basis is not None and basis not in BASES:
        document.problem(
            state.problems, where, f"unknown basis {basis!r}",
            hint=did_you_mean(basis, BASES) or f"one of: {', '.join(BASES)}",
        )
        return None
    return basis


def check_alias_clashes(state: Loading) -> None:
    for alias_id, owners in state.aliases.items():
        for index, (measure, alias) in enumerate(owners):
            for other, other_alias in owners[:index]:
                if _overlap(alias, other_alias) and other.id != measure.id:
                    path, line, column = measure.location
                    state.problems.add(
                        path, line, column,
                        f"alias '{alias_id}' of '{measure.id}' also names '{other.id}' in "
                        "the same years",
                        hint="give the aliases 'since'/'until' years that do not overlap",
                    )
        direct = state.measures.get(alias_id)
        if direct is not None:
            for measure, alias in owners:
                if _overlap(alias, Alias(alias_id, direct.since, direct.until)):
                    path, line, column = measure.location
                    state.problems.add(
                        path, line, column,
                        f"alias '{alias_id}' of '{measure.id}' is also the id of a measure "
                        "in the same years",
                    )


def _overlap(one: Alias, other: Alias) -> bool:
    low = max(one.since if one.since is not None else -math.inf, other.since if other.since is not None else -math.inf)
    high = min(one.until if one.until is not None else math.inf, other.until if other.until is not None else math.inf)
    return low <= high

"""Binding: a region's fact ids resolved to the catalogue ids of one rulebook, in the year of
each value (through year-scoped aliases), and every value checked against its measure."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, MutableMapping
from functools import partial
from typing import Any

import attrs

from ..errors import FactsError, Location, Problem, Problems, Spot, did_you_mean, place, spot_path
from ..errors import locations as find_locations
from ..rules.model import Rulebook, previous_year, year_start
from .checks import EXACT, _Invalid, check_value, plain_number, plainly_suits, same_values
from .factset import AuthorityFacts, BoundRegion, Count, Region
from .places import DeferredPlaces, PlaceMap, history_places, placed, renamed_places, spot_of, within

MAX_UNKNOWN_LISTED = 50  # unknown facts listed one by one for each fact set
# An id's measure in earlier years: (catalogue id, the years it is known to name it in, how
# its values plainly suit it (see `_Binder.quick`), and a number's bounds).
_Span = tuple[str, frozenset[str], Any, float, float]


def bind(region: Region, rulebook: Rulebook, problems: Problems | None = None) -> BoundRegion:
    """The region with fact ids resolved to catalogue ids and every value checked.

    Raises FactsError with every problem: unknown facts (with did-you-mean), wrong types,
    values out of range or not finite, unknown category values, duplicate authorities.
    Given `problems`, adds to them instead and leaves raising to the caller.

    A region already bound to this rulebook is returned as it is; one bound to another is
    bound afresh from what was read. Measures of a national publication that the rulebook
    does not catalogue are left out, with one warning per publication naming them.
    """
    if isinstance(region, BoundRegion):
        if region.rulebook is rulebook:
            return region
        region = region.unbound or region
    collect = problems is not None
    problems = problems if problems is not None else Problems()
    binder = _Binder(rulebook, problems, frozenset(region.publications))
    seen: dict[tuple[str, str], Location] = {}
    bound: list[AuthorityFacts] = []
    for item in region.authorities:
        marker = (item.key, item.year)
        if marker in seen:
            path, line, column = item.location
            problems.add(
                path, line, column,
                f"{item.authority} {item.year} appears twice (also at {place(seen[marker])})",
            )
            continue
        seen[marker] = item.location
        bound.append(binder.authority(item))
    references: dict[tuple[str, str], dict[str, Any]] = {}
    for (scope, year), values in region.references.items():
        references[(scope, year)] = binder.published(values, year, region.reference_paths.get((scope, year)))
    publication = region.publications[0] if region.publications else None
    type_values = {
        (council_type, year): binder.type_values(values, year, publication)
        for (council_type, year), values in region.council_type_values.items()
    }
    warnings = binder.warnings()
    problems.extend(warnings)
    if not collect:
        problems.raise_if_errors(FactsError)
    return BoundRegion(
        tuple(bound),
        region.paths,
        (*region.warnings, *warnings),
        references,
        region.publications,
        region.reference_paths,
        type_values,
        rulebook=rulebook,
        unbound=region if binder.left_out else None,
    )


class _Binder:
    """One binding: the rulebook's answers remembered for the call, the measures left out."""

    def __init__(self, rulebook: Rulebook, problems: Problems, publications: frozenset[str]) -> None:
        self.rulebook = rulebook
        self.problems = problems
        self.publications = publications
        self.resolved: dict[tuple[str, str | None], str | None] = {}
        self.left_out: dict[str, dict[str, set[str]]] = {}  # publication → fact → years
        self.notices: list[Problem] = []  # values of a national file left out, one by one
        self._own_ids: dict[str, frozenset[str]] = {}
        # What a value of each measure plainly is: float (a number, within `bounds`), bool,
        # str (text), or the category's values.
        self.quick: dict[str, Any] = {
            measure.id: {"number": float, "boolean": bool, "text": str}.get(measure.type)
            or frozenset(measure.values or ())
            for measure in rulebook.measures.values()
        }
        # Each number measure's range, within what a float holds exactly: a value inside it
        # suits the measure without further checks (NaN and infinities are never inside).
        self.bounds: dict[str, tuple[float, float]] = {
            measure.id: (
                max(measure.range[0], -EXACT) if measure.range else -EXACT,
                min(measure.range[1], EXACT) if measure.range else EXACT,
            )
            for measure in rulebook.measures.values()
            if measure.type == "number"
        }
        self._known: list[str] | None = None
        # For this binding only (the rulebook and the ids are all they depend on): each list
        # of ids in a year as catalogue ids, or None where one is unknown or two name one
        # measure; each id's measure in earlier years, with the years it is known to name it in.
        self.renamings: dict[
            tuple[tuple[str, ...], str], tuple[tuple[str, ...], tuple[tuple[Any, float, float], ...]] | None
        ] = {}
        self.spans: dict[str, _Span] = {}

    @property
    def known(self) -> list[str]:
        """Every id the catalogue knows, for did-you-mean hints (built when first needed)."""
        if self._known is None:
            measures = self.rulebook.measures.values()
            self._known = [*self.rulebook.measures, *(alias.id for m in measures for alias in m.aliases)]
        return self._known

    def resolve(self, fact: str, year: str | None) -> str | None:
        # The same few questions are asked for every authority: answered once per binding.
        key = (fact, year)
        try:
            return self.resolved[key]
        except KeyError:
            found = self.resolved[key] = self.rulebook.resolve(fact, year)
            return found

    def own_ids(self, year: str) -> frozenset[str]:
        """The measures whose catalogue id is the id to give them in `year`."""
        found = self._own_ids.get(year)
        if found is None:
            found = self._own_ids[year] = frozenset(fact for fact in self.quick if self.resolve(fact, year) == fact)
        return found

    def rekey(self, locations: Mapping[str, Location], year: str) -> Mapping[str, Location]:
        if within(locations, self.own_ids(year)):
            return locations  # every id already its measure's own: nothing to rename
        return renamed_places(placed(locations), lambda fact: self.resolve(fact, year))

    def authority(self, item: AuthorityFacts) -> AuthorityFacts:
        """The fact set bound: at once where nothing needs a place (`plainly`), otherwise
        value by value (`carefully`); the two give the same fact set."""
        bound = self.plainly(item)
        return bound if bound is not None else self.carefully(item)

    def plainly(self, item: AuthorityFacts) -> AuthorityFacts | None:
        """The common case of a national file, decided without looking at a place: every id
        names a measure in its year (each measure by one id a year), every value plainly suits
        its measure, and no counts need renaming. The fact set `carefully` makes, its places
        renamed only when first asked for (a problem found later asks); None otherwise."""
        if item.counts or item.history_counts:
            return None
        before = previous_year(item.year)
        facts = self.renamed_plainly(item.facts, item.year)
        previous = self.renamed_plainly(item.previous, before) if facts is not None else None
        history = self.history_plainly(item.history) if previous is not None else None
        if facts is None or previous is None or history is None:
            return None
        bound: dict[str, Any] = {}
        if facts is not item.facts:
            bound["facts"] = facts
        if previous is not item.previous:
            bound["previous"] = previous
        if history is not item.history:
            bound["history"] = history
            bound["history_locations"] = DeferredPlaces(
                partial(history_places, item.history, item.history_locations, item.location, self.rulebook.resolve)
            )
        for name, year in (
            ("fact_locations", item.year),
            ("previous_locations", before),
            ("fact_key_locations", item.year),
            ("previous_key_locations", before),
            ("count_locations", item.year),
        ):
            locations = getattr(item, name)
            if (type(locations) is dict and not locations) or within(locations, self.own_ids(year)):
                continue  # nothing to rename
            resolve = partial(self.rulebook.resolve, year=year)
            bound[name] = DeferredPlaces(partial(renamed_places, placed(locations), resolve))
        return attrs.evolve(item, **bound) if bound else item

    def renamed_plainly(self, values: dict[str, Any], year: str) -> dict[str, Any] | None:
        """`values` by catalogue id if every id names a measure in `year` (no two the same)
        and every value plainly suits its measure (as `plain` tells), else None. The ids of a
        year are the same for most fact sets: they are resolved once for each list of ids."""
        ids = tuple(values)
        key = (ids, year)
        try:
            renaming = self.renamings[key]
        except KeyError:
            found: list[str] = []
            for fact in ids:
                canonical = self.resolve(fact, year)
                if canonical is None:
                    break  # (a file of a million made-up ids is refused at the first)
                found.append(canonical)
            unique = len(found) == len(ids) and len(set(found)) == len(found)
            renaming = self.renamings[key] = (tuple(found), self.checks(found)) if unique else None
        if renaming is None:
            return None
        renamed, checks = renaming
        for (kind, low, high), value in zip(checks, values.values(), strict=True):
            if kind is float:
                if not ((type(value) is float or type(value) is int) and low <= value <= high):
                    return None
            elif not plainly_suits(kind, value):
                return None
        return values if renamed == ids else dict(zip(renamed, values.values(), strict=True))

    def checks(self, ids: Iterable[str]) -> tuple[tuple[Any, float, float], ...]:
        """How the value of each measure plainly suits it: its kind (see `quick`) and, for a
        number, its bounds."""
        return tuple((self.quick[fact], *self.bounds.get(fact, (0.0, 0.0))) for fact in ids)

    def history_plainly(self, history: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]] | None:
        """Earlier years' values by catalogue id if every id names one measure in every year it
        is given for and every value plainly suits it, else None."""
        if not history:
            return history
        bound: dict[str, dict[str, Any]] = {}
        renamed = False
        spans = self.spans
        for fact, by_year in history.items():
            span = spans.get(fact)
            if span is None or not by_year.keys() <= span[1]:
                span = self.span(fact, by_year)
                if span is None:
                    return None
            canonical, _, kind, low, high = span
            if kind is float:  # (the loop written out: it runs for every value of every history)
                for value in by_year.values():
                    if not ((type(value) is float or type(value) is int) and low <= value <= high):
                        return None
            elif not all(plainly_suits(kind, value) for value in by_year.values()):
                return None
            if canonical != fact:
                renamed = True
            # Each year's values kept as they are (not copied: a fact set's mappings are not
            # changed once made); another year's id of the same measure joins them in a new one.
            bound[canonical] = {**bound[canonical], **by_year} if canonical in bound else by_year
        if not renamed or (bound == history and same_values(bound, history)):
            return history
        return bound

    def span(self, fact: str, by_year: dict[str, Any]) -> _Span | None:
        """The one measure `fact` names in every year of `by_year`, with every year it is
        known to name it in (so that most columns are decided by comparing sets of years)
        and how its values plainly suit it; None where it names none, or different ones, in
        those years."""
        named = {self.resolve(fact, when) for when in by_year}
        canonical = named.pop() if len(named) == 1 else None
        if canonical is None:
            return None
        known = self.spans.get(fact)
        years = frozenset(by_year) | (known[1] if known is not None and known[0] == canonical else frozenset())
        low, high = self.bounds.get(canonical, (0.0, 0.0))
        found = self.spans[fact] = (canonical, years, self.quick[canonical], low, high)
        return found

    def suits(self, ids: tuple[str, ...], values: Iterable[Any]) -> bool:
        """Whether each value plainly suits the measure of the id beside it."""
        bounds, quick = self.bounds, self.quick
        for fact, value in zip(ids, values, strict=True):
            kind = quick[fact]
            if kind is float:
                low, high = bounds[fact]
                if not ((type(value) is float or type(value) is int) and low <= value <= high):
                    return False
            elif not plainly_suits(kind, value):
                return False
        return True

    def suits_all(self, fact: str, values: Iterable[Any]) -> bool:
        """Whether every value plainly suits the one measure `fact`."""
        kind = self.quick[fact]
        if kind is float:
            low, high = self.bounds[fact]
            return all((type(value) is float or type(value) is int) and low <= value <= high for value in values)
        return all(plainly_suits(kind, value) for value in values)

    def carefully(self, item: AuthorityFacts) -> AuthorityFacts:
        """The fact set bound value by value, every problem reported at its place."""
        before = previous_year(item.year)
        if not item.history and not item.counts and not item.history_counts:
            # The common case, decided at once: values that plainly suit their measures, each
            # under its measure's own id, with no history, counts or places to rename.
            own, previous_own = self.own_ids(item.year), self.own_ids(before)
            if (
                self.plain(item.facts, item.year)
                and self.plain(item.previous, before)
                and within(item.fact_locations, own)
                and within(item.fact_key_locations, own)
                and within(item.count_locations, own)
                and within(item.previous_locations, previous_own)
                and within(item.previous_key_locations, previous_own)
            ):
                return item
        left_out: dict[str, dict[str, str]] = {}
        history, history_locations = self.history(item, left_out)
        bound: dict[str, Any] = {
            "facts": self.values(item.facts, item.fact_locations, item.year, item, item.fact_key_locations, left_out),
            "previous": self.values(
                item.previous, item.previous_locations, before, item, item.previous_key_locations, left_out
            ),
            "fact_locations": self.rekey(item.fact_locations, item.year),
            "previous_locations": self.rekey(item.previous_locations, before),
            "fact_key_locations": self.rekey(item.fact_key_locations, item.year),
            "previous_key_locations": self.rekey(item.previous_key_locations, before),
            "counts": self.counts(item),
            "count_locations": self.rekey(item.count_locations, item.year),
            "history": history,
            "history_locations": history_locations,
            **dict(zip(("history_counts", "history_count_locations"), self.history_counts(item), strict=True)),
        }
        if left_out:
            # A value left out takes its counts with it: no interval is taken around a figure
            # that is not believed.
            bound["counts"] = {
                fact: count for fact, count in bound["counts"].items() if item.year not in left_out.get(fact, {})
            }
            bound["left_out"] = left_out
        # Facts given by catalogue id with values that suit their measures bind to themselves:
        # nothing is copied, which for a large region is most of binding's time and memory.
        if all(value is getattr(item, name) for name, value in bound.items()):
            return item
        return attrs.evolve(item, **bound)

    def implausible(
        self, checked: _Invalid, where: Spot, fact: str, canonical: str, year: str, value: Any,
        left_out: dict[str, dict[str, str]] | None,
    ) -> bool:
        """A value of a national file outside its measure's plausible range is left out with a
        warning at its cell, and the reason kept for the gaps it causes: one implausible figure
        among thousands does not stop the run. Hand-written facts keep the error."""
        if not checked.out_of_range or left_out is None or spot_path(where) not in self.publications:
            return False  # (told by the file the value came from, never by how its place is kept)
        low, high = self.rulebook.measures[canonical].range or (0.0, 0.0)
        reason = (
            f"{canonical} for {year} is {plain_number(float(value))}, outside its plausible range "
            f"{plain_number(low)} to {plain_number(high)}: left out"
        )
        path, line, column = find_locations([where])[0]
        if any(notice.message.startswith(reason) and notice.line == line for notice in self.notices):
            return True  # one cell read as this year's value, last year's and history's
        self.notices.append(
            Problem(path, line, column, reason + (f" (given as {fact})" if fact != canonical else ""), "warning")
        )
        left_out.setdefault(canonical, {})[year] = reason
        return True

    def published(self, values: dict[str, Any], year: str, path: str | None) -> dict[str, Any]:
        """Published figures (England's, the region's) by catalogue id; figures the rulebook
        does not read, or that do not suit their measure, are not references."""
        resolved: dict[str, Any] = {}
        for fact, value in values.items():
            canonical = self.resolve(fact, year)
            if canonical is None:
                if path is not None and value is not None:
                    self.left_out.setdefault(path, {}).setdefault(fact, set()).add(year)
                continue
            if value is None:
                continue
            checked = check_value(self.rulebook.measures[canonical], value)
            if not isinstance(checked, _Invalid):
                resolved[canonical] = checked
        return resolved

    def counts(self, item: AuthorityFacts) -> dict[str, Count]:
        """The counts by catalogue id; counts of a fact the catalogue does not know are an
        error, or left out for a national publication."""
        if not item.counts:
            return item.counts
        result: dict[str, Count] = {}
        for fact, count in item.counts.items():
            canonical = self.resolve(fact, item.year)
            if canonical is None:
                where = spot_of(item.count_locations, fact, item.location)
                if spot_path(where) in self.publications:
                    self.left_out.setdefault(spot_path(where), {}).setdefault(fact, set()).add(item.year)
                else:
                    self.problems.add_at(where, f"counts of unknown fact '{fact}'",
                                      hint=did_you_mean(fact, self.known) or "add it to the rulebook's measures")
                continue
            result[canonical] = count
        return item.counts if result.keys() == item.counts.keys() else result

    def history_counts(
        self, item: AuthorityFacts
    ) -> tuple[dict[str, dict[str, Count]], Mapping[str, Mapping[str, Location]]]:
        """Earlier years' counts by catalogue id, each through the aliases of its own year;
        counts of a fact the catalogue does not know are an error, or left out for a national
        publication."""
        if not item.history_counts:
            return item.history_counts, item.history_count_locations
        found: dict[str, dict[str, Count]] = {}
        kept: list[tuple[str, str, str]] = []  # (canonical id, year, id as given), as in `history`
        for fact, by_year in item.history_counts.items():
            for when, count in by_year.items():
                canonical = self.resolve(fact, when)
                if canonical is None:
                    where = spot_of(item.history_count_locations.get(fact, {}), when, item.location)
                    if spot_path(where) in self.publications:
                        self.left_out.setdefault(spot_path(where), {}).setdefault(fact, set()).add(when)
                    else:
                        self.problems.add_at(where, f"counts of '{fact}', which names no measure in {when}",
                                             hint=did_you_mean(fact, self.known) or "add it to the rulebook's measures")
                    continue
                found.setdefault(canonical, {})[when] = count
                kept.append((canonical, when, fact))
        if found == item.history_counts:
            return item.history_counts, item.history_count_locations
        locations: dict[str, MutableMapping[str, Location]] = {}
        for canonical, when, fact in kept:
            placed = locations.get(canonical)
            if not isinstance(placed, PlaceMap):
                placed = locations[canonical] = PlaceMap()
            placed[when] = spot_of(item.history_count_locations.get(fact, {}), when, item.location)
        return found, locations

    def history(
        self, item: AuthorityFacts, left_out: dict[str, dict[str, str]] | None = None
    ) -> tuple[dict[str, dict[str, Any]], Mapping[str, Mapping[str, Location]]]:
        """Earlier years' values by catalogue id, each through the aliases of its own year."""
        if not item.history:
            return item.history, item.history_locations
        history: dict[str, dict[str, Any]] = {}
        kept: list[tuple[str, str, str]] = []  # (canonical id, year, id as given) of each value kept
        for fact, by_year in item.history.items():
            for when, value in by_year.items():
                if value is None:
                    continue
                canonical = self.resolve(fact, when)
                if canonical is None:
                    where = spot_of(item.history_locations.get(fact, {}), when, item.location)
                    if spot_path(where) in self.publications:
                        self.left_out.setdefault(spot_path(where), {}).setdefault(fact, set()).add(when)
                    else:
                        other_years = self.resolve(fact, None)
                        hint = (f"it is an id of '{other_years}' in other years" if other_years is not None
                                else did_you_mean(fact, self.known) or "add it to the rulebook's measures")
                        self.problems.add_at(where, f"'{fact}' does not name a measure in {when}", hint=hint)
                    continue
                checked = check_value(self.rulebook.measures[canonical], value)
                if isinstance(checked, _Invalid):
                    where = spot_of(item.history_locations.get(fact, {}), when, item.location)
                    if not self.implausible(checked, where, fact, canonical, when, value, left_out):
                        self.problems.add_at(where, f"'{fact}' in {when}: {checked.message}", hint=checked.hint)
                    continue
                history.setdefault(canonical, {})[when] = checked
                kept.append((canonical, when, fact))
        # The same facts and years, kept as given: their places are those given (compared by
        # fact and year only, so that no place is looked up). Otherwise each kept value's
        # place is carried over to its canonical id (worked out only then: most histories are
        # kept as given, and an authority has a hundred earlier values).
        if history == item.history and same_values(history, item.history):
            return item.history, item.history_locations
        locations: dict[str, MutableMapping[str, Location]] = {}
        for canonical, when, fact in kept:
            placed = locations.get(canonical)
            if not isinstance(placed, PlaceMap):
                placed = locations[canonical] = PlaceMap()
            placed[when] = spot_of(item.history_locations.get(fact, {}), when, item.location)
        return history, locations

    def type_values(
        self, values: dict[str, tuple[float, ...]], year: str, path: str | None
    ) -> dict[str, tuple[float, ...]]:
        """Every council's values of a council type and year, by catalogue id."""
        resolved: dict[str, tuple[float, ...]] = {}
        for fact, found in values.items():
            canonical = self.resolve(fact, year)
            if canonical is None:
                if path is not None:
                    self.left_out.setdefault(path, {}).setdefault(fact, set()).add(year)
                continue
            if self.suits_all(canonical, found):  # the common case, decided for the column at once
                resolved[canonical] = tuple(found)
                continue
            measure = self.rulebook.measures[canonical]
            resolved[canonical] = tuple(
                value for value in found if not isinstance(check_value(measure, value), _Invalid)
            )
        return resolved

    def plain(self, values: dict[str, Any], year: str) -> bool:
        """The common case, decided at once: every id is its measure's own id in `year`, and
        every value plainly suits its measure."""
        if not values.keys() <= self.own_ids(year):
            return False
        return self.suits(tuple(values), values.values())

    def values(
        self,
        values: dict[str, Any],
        locations: Mapping[str, Location],
        year: str,
        item: AuthorityFacts,
        key_locations: Mapping[str, Location] | None = None,
        left_out: dict[str, dict[str, str]] | None = None,
    ) -> dict[str, Any]:
        if self.plain(values, year):
            return values  # nothing to copy
        bounds = self.bounds
        problems = self.problems
        result: dict[str, Any] = {}
        given_as: dict[str, str] = {}
        keys = key_locations or {}
        unknown = 0
        same = True  # every value kept as it is, under the id it was given
        resolved = self.resolved

        def written(fact: str) -> Spot:  # where the fact's id is written: looked up only for a problem
            return spot_of(keys, fact, spot_of(locations, fact, item.location))

        for fact, value in values.items():
            if value is None:
                continue  # null means "not known": the fact is missing, not an error
            key = (fact, year)
            canonical = resolved[key] if key in resolved else self.resolve(fact, year)
            # A number well inside its measure's range, given by an alias or beside others.
            within = bounds.get(canonical) if canonical is not None else None
            if (
                canonical is not None
                and within is not None
                and (type(value) is float or type(value) is int)
                and within[0] <= value <= within[1]
                and canonical not in given_as
            ):
                given_as[canonical] = fact
                result[canonical] = value
                same = same and canonical == fact
                continue
            if canonical is None:
                where = written(fact)
                if spot_path(where) in self.publications:
                    self.left_out.setdefault(spot_path(where), {}).setdefault(fact, set()).add(year)
                    continue
                unknown += 1
                if unknown > MAX_UNKNOWN_LISTED:
                    continue  # counted, and summed up once below
                other_years = self.resolve(fact, None)
                if other_years is not None:
                    problems.add_at(where, f"'{fact}' does not name a measure in {year}",
                                    hint=f"it is an id of '{other_years}' in other years")
                else:
                    problems.add_at(where, f"unknown fact '{fact}'",
                                    hint=did_you_mean(fact, self.known) or "add it to the rulebook's measures")
                continue
            if canonical in given_as:
                if result.get(canonical) == value:
                    continue  # one value under two of its ids: a return and the publication read together
                first = find_locations([spot_of(locations, given_as[canonical], item.location)])[0]
                problems.add_at(written(fact),
                                f"'{fact}' is {value!r} here but '{given_as[canonical]}', the same measure, is "
                                f"{result.get(canonical)!r} at {place(first)}")
                continue
            given_as[canonical] = fact
            checked = check_value(self.rulebook.measures[canonical], value)
            if isinstance(checked, _Invalid):
                spot = spot_of(locations, fact, item.location)
                if not self.implausible(checked, spot, fact, canonical, year, value, left_out):
                    problems.add_at(spot, f"'{fact}': {checked.message}", hint=checked.hint)
                continue
            result[canonical] = checked
            same = same and canonical == fact and checked is value
        if unknown > MAX_UNKNOWN_LISTED:
            # A file of a million made-up columns gets a readable error, and quickly: each
            # listed one costs a did-you-mean search.
            problems.add(*item.location, f"{unknown - MAX_UNKNOWN_LISTED} more unknown facts for "
                         f"{item.authority} {item.year}, not listed")
        return values if same and len(result) == len(values) else result

    def warnings(self) -> list[Problem]:
        """One warning per publication, naming the measures left out and their years, after
        one per implausible value left out."""
        found = list(self.notices)
        for path, facts in sorted(self.left_out.items()):
            listed = ", ".join(
                f"{fact} ({', '.join(sorted(years, key=year_start))})" for fact, years in sorted(facts.items())
            )
            found.append(Problem(
                path, 1, 1,
                f"{len(facts)} measure{'s' if len(facts) != 1 else ''} not in the rulebook's "
                f"catalogue for their year, left out: {listed}",
                "warning",
            ))
        return found

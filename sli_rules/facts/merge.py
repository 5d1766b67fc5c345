"""Merging fact sets: the records of one authority and year from several places become one,
a fact given twice with different values is an error naming both places, and the year before
the one assessed supplies the `previous` values."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Mapping, MutableMapping, Sequence
from functools import partial
from typing import Any

import attrs

from ..errors import Location, Problems, place
from ..rules.model import previous_year, year_start
from .factset import ALL_YEARS, AuthorityFacts, Count, Record, council_type_of, name_key
from .places import DeferredPlaces, PlaceMap, spot_of
from .reference import council_code


def assemble(
    records: Sequence[Record], problems: Problems, year: str | None = None, years: Sequence[str] | None = None
) -> tuple[AuthorityFacts, ...]:
    """Merge records of the same authority and year; attach each year's previous values and
    the history of its earlier years. `years` assesses each authority in each of those years
    it has facts for; `year` in that one."""
    # A name is given one code in a year; across years one name may be two councils (Dorset
    # County Council, then the unitary Dorset), so a name without a code takes the code the
    # name has in its own year, or the only code it has in any year.
    codes_in_year: dict[tuple[str, str], str] = {}
    codes_of_name: dict[str, set[str]] = {}
    for record in records:
        if record.code:
            name = name_key(record.authority)
            known = codes_in_year.setdefault((name, record.year), record.code)
            codes_of_name.setdefault(name, set()).add(record.code)
            if known != record.code:
                path, line, column = record.location
                problems.add(
                    path, line, column,
                    f"'{record.authority}' is given code {record.code} here and {known} elsewhere",
                )

    def code_of(record: Record) -> str | None:
        if record.code:
            return record.code
        name = name_key(record.authority)
        found = codes_in_year.get((name, record.year))
        if found is None and len(codes_of_name.get(name, ())) == 1:
            (found,) = codes_of_name[name]
        return found

    merged: dict[tuple[str, str], Record] = {}
    order: list[tuple[str, str]] = []
    copied: set[tuple[str, str]] = set()  # the records of several places, merged into a copy
    for record in records:
        code = code_of(record)
        key = (code or name_key(record.authority), record.year)
        if key not in merged:
            # A record given once is taken as it is (most are): copied only to merge into.
            merged[key] = record if record.code == code else attrs.evolve(record, code=code)
            order.append(key)
            continue
        if key not in copied:
            merged[key] = attrs.evolve(merged[key])
            copied.add(key)
        _placeable(merged[key])
        _merge_into(merged[key], record, problems)
    by_authority: dict[str, dict[str, Record]] = {}
    # The latest year of each authority in each place it comes from: those are the years to
    # assess when none is chosen, so that fact sets of different years given together are
    # each assessed in their own year, never one silently dropped.
    latest: dict[str, dict[str, str]] = {}
    for record in records:
        authority = code_of(record) or name_key(record.authority)
        origins = latest.setdefault(authority, {})
        origin = record.origin or record.location[0]
        if origin not in origins or year_start(record.year) > year_start(origins[origin]):
            origins[origin] = record.year
    for key in order:
        by_authority.setdefault(key[0], {})[key[1]] = merged[key]
    present_years = sorted({key[1] for key in order}, key=year_start)
    if year is not None and present_years and year not in present_years:
        problems.add("<arguments>", 1, 1, f"no facts for year {year}",
                     hint=f"years present: {', '.join(present_years)}")
        return ()
    if years is not None and ALL_YEARS not in years and present_years and not set(years) & set(present_years):
        problems.add("<arguments>", 1, 1, f"no facts for the years {', '.join(years)}",
                     hint=f"years present: {', '.join(present_years)}")
        return ()
    chosen: list[AuthorityFacts] = []
    for authority_key, by_year in by_authority.items():
        targets = _years_assessed(by_year, latest.get(authority_key, {}), year, years)
        earlier = _Earlier(by_year, targets[-1]) if targets else None
        for target in targets:
            assert earlier is not None
            chosen.append(_chosen(by_year, target, problems, earlier))
    return tuple(chosen)


class _Earlier:
    """An authority's years in order and each fact's values year by year, gathered once: each
    year assessed takes its history as the part of every fact's values before it (a slice,
    where gathering value by value for every year assessed did the same work seven times)."""

    def __init__(self, years: dict[str, Record], last: str) -> None:
        self.years = years
        # The years before the last assessed: no other year is any history's.
        self.order = sorted((when for when in years if year_start(when) < year_start(last)), key=year_start)
        self.starts = [year_start(when) for when in self.order]
        # fact → (year, value) in year order, and the position in `order` of each of those
        # years (the facts in the order they first appear, as history gathered value by value
        # has them).
        self.columns: dict[str, list[tuple[str, Any]]] = {}
        self.positions: dict[str, list[int]] = {}
        for position, when in enumerate(self.order):
            for fact, value in years[when].facts.items():
                column = self.columns.get(fact)
                if column is None:
                    column = self.columns[fact] = []
                    self.positions[fact] = []
                column.append((when, value))
                self.positions[fact].append(position)

    def history(self, target: str) -> tuple[dict[str, dict[str, Any]], DeferredPlaces[PlaceMap]]:
        """The values of every year before `target`, fact by fact, with their places (worked
        out when first asked for: only a problem asks)."""
        count = bisect_left(self.starts, year_start(target))  # the years before the target
        history: dict[str, dict[str, Any]] = {}
        positions = self.positions
        for fact, column in self.columns.items():
            at = positions[fact]
            if at[-1] < count:  # every year of the fact is before the target
                history[fact] = dict(column)
            elif at[0] < count:
                history[fact] = dict(column[: bisect_left(at, count)])
        earlier = [(when, self.years[when]) for when in self.order[:count]]
        return history, DeferredPlaces(partial(_earlier_places, earlier))


def _earlier_places(earlier: list[tuple[str, Record]]) -> dict[str, PlaceMap]:
    """Where each earlier year's values were written, fact by fact."""
    locations: dict[str, PlaceMap] = {}
    for when, record in earlier:
        for fact in record.facts:
            placed = locations.get(fact)
            if placed is None:
                placed = locations[fact] = PlaceMap()
            placed[when] = spot_of(record.fact_locations, fact, record.location)
    return locations


def _years_assessed(
    years: dict[str, Record], latest: dict[str, str], year: str | None, chosen: Sequence[str] | None
) -> list[str]:
    """The years in which an authority is assessed: those chosen, or else the latest year
    of each place its facts come from, less a year that is the year before another (it is
    that year's previous)."""
    if chosen is not None:
        every = ALL_YEARS in chosen
        return sorted((one for one in years if every or one in chosen), key=year_start)
    if year is not None:
        return [year] if year in years else []
    wanted = set(latest.values()) or {max(years, key=year_start)}
    following = {previous_year(target) for target in wanted}
    return sorted((target for target in wanted if target not in following), key=year_start)


def _chosen(years: dict[str, Record], target: str, problems: Problems, earlier: _Earlier) -> AuthorityFacts:
    """One authority-year to assess, with the year before as its previous values."""
    record = years[target]
    before = years.get(previous_year(target))
    previous: dict[str, Any] = record.previous
    previous_locations: Mapping[str, Location] = record.previous_locations
    previous_keys: Mapping[str, Location] = record.previous_key_locations
    if before is not None and not record.previous and not record.previous_key_locations:
        # The year before's values and places as they are (not copied: a fact set's mappings
        # are not changed once merged).
        previous, previous_locations, previous_keys = before.facts, before.fact_locations, before.fact_key_locations
    elif before is not None:
        # The year before's values, then the fact set's own `previous` (which must agree).
        previous = dict(before.facts)
        previous_places = PlaceMap.of(before.fact_locations)
        key_places = PlaceMap.of(before.fact_key_locations)
        for fact in record.previous_key_locations:
            key_places[fact] = spot_of(record.previous_key_locations, fact, record.location)
        for fact, value in record.previous.items():
            spot = spot_of(record.previous_locations, fact, record.location)
            if fact in previous and previous[fact] != value:
                problems.add_at(
                    spot,
                    f"previous value of '{fact}' is {value!r} here but {previous[fact]!r} at "
                    f"{place(previous_places[fact])}",
                )
            previous[fact] = value
            previous_places[fact] = spot
        previous_locations, previous_keys = previous_places, key_places
    history, history_locations = _history(earlier, target, record, problems)
    history_counts, history_count_locations = _history_counts(years, target, record, problems)
    return AuthorityFacts(
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
        counts=record.counts,
        count_locations=record.count_locations,
        history=history,
        history_locations=history_locations,
        council_type=council_type_of(record.code or council_code(record.authority, target)),
        history_counts=history_counts,
        history_count_locations=history_count_locations,
    )


def _history(
    earlier: _Earlier, target: str, record: Record, problems: Problems
) -> tuple[dict[str, dict[str, Any]], Mapping[str, Mapping[str, Location]]]:
    """Every earlier year's values of the authority, fact by fact, with those the fact set
    gives as its `history`; the same fact and year given twice differently is an error."""
    history, deferred = earlier.history(target)
    if not record.history:
        return history, deferred
    locations = {fact: PlaceMap.of(placed) for fact, placed in deferred.made().items()}
    for fact, values in record.history.items():
        for when, value in values.items():
            where = spot_of(record.history_locations.get(fact, {}), when, record.location)
            known = history.get(fact, {})
            if when in known and known[when] != value:
                problems.add_at(where, f"'{fact}' in {when} is {value!r} here but {known[when]!r} at "
                                f"{place(locations[fact][when])}")
                continue
            history.setdefault(fact, {})[when] = value
            locations.setdefault(fact, PlaceMap())[when] = where
    return history, dict(locations)


def _history_counts(
    years: dict[str, Record], target: str, record: Record, problems: Problems
) -> tuple[dict[str, dict[str, Count]], dict[str, MutableMapping[str, Location]]]:
    """The counts behind every earlier year's values of the authority (the `counts` of its
    earlier fact sets, as the official ASCOF file gives them each year), with those the fact set
    gives as `previous_counts` and `history_counts`; the same fact and year given twice
    differently is an error."""
    found: dict[str, dict[str, Count]] = {}
    locations: dict[str, PlaceMap] = {}
    start = year_start(target)
    for when in sorted(years, key=year_start):
        earlier = years[when]
        if year_start(when) >= start or not earlier.counts:
            continue
        for fact, count in earlier.counts.items():
            found.setdefault(fact, {})[when] = count
            locations.setdefault(fact, PlaceMap())[when] = spot_of(earlier.count_locations, fact, earlier.location)
    for fact, counts in record.history_counts.items():
        for when, count in counts.items():
            where = spot_of(record.history_count_locations.get(fact, {}), when, record.location)
            known = found.get(fact, {})
            if when in known and known[when] != count:
                problems.add_at(where, f"the counts of '{fact}' in {when} are {count.numerator} of "
                                f"{count.denominator} here but {known[when].numerator} of {known[when].denominator} "
                                f"at {place(locations[fact][when])}")
                continue
            found.setdefault(fact, {})[when] = count
            locations.setdefault(fact, PlaceMap())[when] = where
    return found, dict(locations)


def _places(locations: Mapping[str, Location]) -> PlaceMap:
    if not isinstance(locations, PlaceMap):
        raise TypeError("a merged record's places are PlaceMaps")  # see _placeable
    return locations


def _placeable(target: Record) -> None:
    """A merged record's places as PlaceMaps, so that places merged into them from other
    fact sets are moved, not looked up."""
    target.fact_locations = PlaceMap.of(target.fact_locations)
    target.previous_locations = PlaceMap.of(target.previous_locations)
    target.fact_key_locations = PlaceMap.of(target.fact_key_locations)
    target.previous_key_locations = PlaceMap.of(target.previous_key_locations)
    target.count_locations = PlaceMap.of(target.count_locations)
    target.history_locations = {fact: PlaceMap.of(years) for fact, years in target.history_locations.items()}
    target.history_count_locations = {
        fact: PlaceMap.of(years) for fact, years in target.history_count_locations.items()
    }


def _merge_into(target: Record, record: Record, problems: Problems) -> None:
    same_origin = (record.origin or record.location[0]) == (target.origin or target.location[0])
    for name, values, locations in (
        ("", record.facts, record.fact_locations),
        ("previous value of ", record.previous, record.previous_locations),
    ):
        into = target.facts if not name else target.previous
        into_locations = _places(target.fact_locations if not name else target.previous_locations)
        for fact, value in values.items():
            spot = spot_of(locations, fact, record.location)
            if fact in into and into[fact] != value:
                problems.add_at(
                    spot,
                    f"{name}'{fact}' for {record.authority} {record.year} is {value!r} here but "
                    f"{into[fact]!r} at {place(into_locations[fact])}",
                )
                continue
            if fact in into and name == "" and same_origin:
                problems.add_at(
                    spot, f"{record.authority} {record.year} is given twice (also at {place(into_locations[fact])})"
                )
                continue
            into[fact] = value
            into_locations[fact] = spot
            keys = record.fact_key_locations if not name else record.previous_key_locations
            key_places = _places(target.fact_key_locations if not name else target.previous_key_locations)
            if fact in keys:
                key_places[fact] = spot_of(keys, fact, spot)
            elif fact in key_places:  # the target's document does not hold it: its value's place serves
                del key_places[fact]
    if same_origin and not record.facts and not record.previous:
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
    for fact, count in record.counts.items():
        spot = spot_of(record.count_locations, fact, record.location)
        if fact in target.counts and target.counts[fact] != count:
            problems.add_at(spot, f"counts of '{fact}' for {record.authority} {record.year} differ from "
                            f"those at {place(target.count_locations[fact])}")
            continue
        target.counts[fact] = count
        _places(target.count_locations)[fact] = spot
    for fact, values in record.history.items():
        placed = _places(target.history_locations.setdefault(fact, PlaceMap()))
        for when, value in values.items():
            target.history.setdefault(fact, {}).setdefault(when, value)
            if when not in placed:
                placed[when] = spot_of(record.history_locations.get(fact, {}), when, record.location)
    for fact, counts in record.history_counts.items():
        placed = _places(target.history_count_locations.setdefault(fact, PlaceMap()))
        for when, count in counts.items():
            spot = spot_of(record.history_count_locations.get(fact, {}), when, record.location)
            known = target.history_counts.get(fact, {})
            if when in known and known[when] != count:
                problems.add_at(spot, f"the counts of '{fact}' in {when} for {record.authority} {record.year} differ "
                                f"from those at {place(placed[when])}")
                continue
            target.history_counts.setdefault(fact, {})[when] = count
            placed[when] = spot
    target.notes.update(record.notes)
    target.sources.update(record.sources)
    if target.code is None and record.code:
        target.code = record.code


# --- checking against the catalogue ----------------------------------------------------

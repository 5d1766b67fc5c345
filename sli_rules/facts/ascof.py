"""NHS England's official ASCOF CSV: one row per year, area and measure. Read for one region
(or every council) and one year, with the year before; its councils' rows become fact sets,
England's and the region's rows published figures."""

from __future__ import annotations

from collections.abc import Collection, Iterator, MutableMapping, Sequence
from itertools import compress, count
from pathlib import Path
from typing import Any

from ..errors import Location, Problems
from ..rules.model import year_start
from ..rules.source import display_path, read_text
from .ascofrows import AscofRows, ascof_rows
from .factset import (
    Count,
    PublishedFigures,
    Record,
    TypeFigures,
    council_type_of,
    count_problem,
    new_record,
    years_to_read,
)
from .reference import council_name, region_asked, region_codes, region_members


def is_ascof_header(folded_names: set[str]) -> bool:
    return {
        "year",
        "ons code",
        "measure group",
        "measure value",
        "geographical level",
    } <= folded_names


def read_ascof_csv(
    file: Path,
    problems: Problems,
    *,
    region: str | None = None,
    year: str | None = None,
    years: Sequence[str] | None = None,
    **_: Any,
) -> list[Any]:
    """NHS England's ASCOF CSV: the councils of one region (or all of England) in the years
    assessed (`years`, or the one `year`; default: the file's latest), each measure as
    `ascof.<code in lower case>`, with every earlier year of the same councils for their
    previous values and history.

    Councils are keyed by ONS code, and a region's councils are those of the membership table
    in each year assessed; earlier years are read only for them, so a council that replaced
    another has no previous values. Every measure is kept under its code: the records are
    marked as a national publication, so that binding leaves out what the assessing rulebook
    does not catalogue. England's and the region's rows become published figures
    (`{national: ...}`, `{published_region: ...}`); `Numerator` and `Denominator` rows become
    the counts behind a value; every council's values, by council type, become the figures of
    `{council_type: ...}`.
    """
    shown = display_path(file)
    text = read_text(file, problems)
    if text is None:
        return []
    rows = ascof_rows(shown, text, problems)
    if rows is None:
        return []
    return ascof_records(shown, rows, problems, region=region, year=year, years=years)


def ascof_records(
    shown: str,
    rows: AscofRows,
    problems: Problems,
    *,
    region: str | None = None,
    year: str | None = None,
    years: Sequence[str] | None = None,
) -> list[Any]:
    """The records and published figures of an ASCOF file's rows (`read_ascof_csv`)."""
    rows_years = set(rows.years)
    present = sorted(rows_years, key=year_start)
    if not present:
        problems.add(shown, 1, 1, "the ASCOF file holds no council, region or England rows")
        return []
    wanted = years_to_read(shown, "ASCOF", present, year, years, problems)
    region_name = region_asked(region, problems)
    if wanted is None or (region is not None and region_name is None):
        return []
    # Each row's area, kind and year: the rows of the same area, kind and year are read alike.
    # Each row's area as a number, the place of its first row (`setdefault` keeps the first).
    first_of: dict[Area, int] = {}
    area_numbers = list(map(first_of.setdefault, _areas(rows), count()))
    areas = first_of.keys()
    councils = _councils(shown, areas, wanted, region_name, problems)
    if region_name is not None:
        region_code: str | None = region_codes()[region_name][0]
    else:
        # No region named: every council in the file. A region's own extract (one region's
        # rows only, like the shipped example) still supplies its published region figures.
        found_regions = {code for level, _, code, when in areas if level == "region" and when == wanted[-1]}
        region_code = found_regions.pop() if len(found_regions) == 1 else None
    last = max(year_start(one) for one in wanted)
    # The years assessed and the year before the first come first, so that the councils keep
    # the order they have had since the file was first read for one year.
    first = min(year_start(one) for one in wanted) - 1
    source = (
        f"NHS England, Adult Social Care Outcomes Framework ({Path(shown).name}), "
        "Open Government Licence v3.0"
    )
    fact_of = {measure: f"ascof.{measure.lower()}" for measure in set(rows.measures)}
    facts = list(map(fact_of.__getitem__, rows.measures))
    typed, recorded, other = _roles(areas, councils, region_code, last)
    # What the rows of each area are read into, by the area's first row: a council type's
    # figures of the year (shared by every area of that type and year), a record's facts and
    # the rows of its values (placed when asked: `RowPlaces`).
    by_type: dict[tuple[str, str], dict[str, list[float]]] = {}
    typed_into: list[dict[str, list[float]] | None] = [None] * len(area_numbers)
    for area, type_key in typed.items():
        if type_key is not None:
            typed_into[first_of[area]] = by_type.setdefault(type_key, {})
    records: dict[tuple[str, str], Record] = {}
    facts_into: list[dict[str, Any] | None] = [None] * len(area_numbers)
    rows_into: list[dict[str, int | Location]] = [{}] * len(area_numbers)  # (read only where facts_into is set)
    table = _ValuePlaces(shown, rows.lines, rows.value_columns)
    names: dict[str, str | None] = {}
    for area, key in recorded.items():
        if key is None:
            continue
        code, when = key
        if code not in names:
            names[code] = council_name(code)
        at = first_of[area]
        record = records[key] = new_record(
            names[code] or rows.names[at], code, when, Location(shown, rows.lines[at], 1), published=True
        )
        record.sources["ascof.*"] = source
        places = RowPlaces(table)
        record.fact_locations = places
        facts_into[at], rows_into[at] = record.facts, places.rows
    # Every row read once, into its record and its council type's figures (in the order of
    # the file); the rows of neither are read below.
    for at, fact, value, index in zip(area_numbers, facts, rows.values, count(), strict=False):  # (count: endless)
        into = facts_into[at]
        if into is not None:
            into[fact] = value
            rows_into[at][fact] = index
        figures = typed_into[at]
        if figures is not None:
            so_far = figures.get(fact)
            if so_far is None:
                figures[fact] = [value]
            else:
                so_far.append(value)
    published: dict[tuple[str, str], dict[str, Any]] = {}
    counted: dict[tuple[str, str, str], dict[str, int]] = {}
    others = {first_of[area] for area in other}
    for index in compress(range(len(rows.years)), map(others.__contains__, area_numbers)):
        level, kind, code, when = rows.levels[index], rows.kinds[index], rows.codes[index], rows.years[index]
        if kind != "outcome":
            counted.setdefault((code, when, facts[index]), {})[kind] = index
        else:
            scope = "national" if level == "england" else "published_region"
            published.setdefault((scope, when), {})[facts[index]] = rows.values[index]
    _attach_counts(shown, records, counted, rows, problems)
    starts = {when: year_start(when) for when in rows_years}
    found: list[Any] = [
        records[key]
        for key in sorted(records, key=lambda key: (starts[key[1]] < first, starts[key[1]], key[0]))
    ]
    found.extend(
        PublishedFigures(scope, when, values, shown) for (scope, when), values in sorted(published.items())
    )
    found.extend(
        TypeFigures(council_type, when, {fact: tuple(values) for fact, values in figures.items()}, shown)
        for (council_type, when), figures in sorted(by_type.items())
    )
    return found


Area = tuple[str, str, str, str]  # level, kind, code, year


class _ValuePlaces:
    """The place of each row's value in one file, shared by its records."""

    __slots__ = ("columns", "lines", "shown")

    def __init__(self, shown: str, lines: Sequence[int], columns: Sequence[int]) -> None:
        self.shown, self.lines, self.columns = shown, lines, columns

    def location(self, row: int) -> Location:
        return Location(self.shown, self.lines[row], self.columns[row])


class RowPlaces(MutableMapping[str, Location]):
    """Where each value of a record was written: its row, made a location only when asked
    (a problem asks; a valid file never does). A national file has tens of thousands of
    values, and a location for each, made as it is read, took a good part of the reading.
    A place set as a location (a merge) is kept as given."""

    __slots__ = ("_table", "rows")

    def __init__(self, table: _ValuePlaces) -> None:
        self._table = table
        self.rows: dict[str, int | Location] = {}  # each fact's row in `table`, or its location

    def __getitem__(self, fact: str) -> Location:
        row = self.rows[fact]
        return row if isinstance(row, tuple) else self._table.location(row)

    def __setitem__(self, fact: str, where: Location) -> None:
        self.rows[fact] = where

    def __delitem__(self, fact: str) -> None:
        del self.rows[fact]

    def __iter__(self) -> Iterator[str]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    def __contains__(self, fact: object) -> bool:
        return fact in self.rows

    def __repr__(self) -> str:
        return f"RowPlaces({len(self.rows)} places)"


def _areas(rows: AscofRows) -> Iterator[Area]:
    """Each row's area, kind and year, made as it is read (tens of thousands of tuples kept
    at once would each be tracked by the garbage collector)."""
    return zip(rows.levels, rows.kinds, rows.codes, rows.years, strict=True)


def _roles(
    areas: Collection[Area], councils: set[str], region_code: str | None, last: int
) -> tuple[dict[Area, tuple[str, str] | None], dict[Area, tuple[str, str] | None], set[Area]]:
    """What the rows of each area, kind and year are read for, up to the last year read: the
    figures of a council type (its type and year), a council's record (its code and year), and
    the rest kept (England's values, the region's, a council's counts)."""
    typed: dict[Area, tuple[str, str] | None] = {}
    recorded: dict[Area, tuple[str, str] | None] = {}
    other: set[Area] = set()
    starts: dict[str, int] = {}  # each distinct year's start, worked out once (a few thousand areas, a few years)
    for area in areas:
        level, kind, code, when = area
        typed[area] = recorded[area] = None
        start = starts.get(when)
        if start is None:
            start = starts[when] = year_start(when)
        if start > last:
            continue
        if level == "council":
            council_type = council_type_of(code) if kind == "outcome" else None
            if council_type is not None:
                typed[area] = (council_type, when)
            if code not in councils:
                continue
            if kind == "outcome":
                recorded[area] = (code, when)
            else:
                other.add(area)
        elif (level == "england" or code == region_code) and kind == "outcome":
            other.add(area)
    return typed, recorded, other


def _councils(
    shown: str, areas: Collection[Area], wanted: list[str], region_name: str | None, problems: Problems
) -> set[str]:
    """The councils to read: those of the file in a year assessed (of the region, by its
    membership in that year), with a warning naming a member without figures."""
    councils: set[str] = set()
    by_year: dict[str, set[str]] = {}  # the councils of each year, the areas gone through once
    for level, _, code, when in areas:
        if level == "council":
            by_year.setdefault(when, set()).add(code)
    for one in wanted:
        present = set(by_year.get(one, ()))
        if region_name is not None:
            members = region_members(region_name, one)
            missing = sorted(code for code in members if code not in present)
            if missing:
                names = ", ".join(f"{members[code]} ({code})" for code in missing)
                problems.add(
                    shown, 1, 1, f"no {one} figures for {names}, a council of {region_name} in {one}",
                    warning=True,
                )
            present &= set(members)
        councils |= present
    return councils


def _attach_counts(
    shown: str,
    records: dict[tuple[str, str], Record],
    counted: dict[tuple[str, str, str], dict[str, int]],
    rows: AscofRows,
    problems: Problems,
) -> None:
    """The Numerator and Denominator rows of a council's measure (`counted`: the rows by kind)
    as the counts behind its value. A pair that cannot be counts (negative, not whole, a
    numerator above its denominator) is left out with a warning at its row: one bad row of a
    national file does not stop the assessment of every council."""
    for (code, when, fact), pair in counted.items():
        record = records.get((code, when))
        numerator, denominator = pair.get("numerator"), pair.get("denominator")
        if record is None:
            continue
        if numerator is None or denominator is None:
            alone = numerator if numerator is not None else denominator
            assert alone is not None
            problems.add(shown, rows.lines[alone], rows.value_columns[alone],
                         f"counts of {fact} for {record.authority} {when} left out: a {rows.kinds[alone]} "
                         f"without its {'denominator' if numerator is not None else 'numerator'}", warning=True)
            continue
        wrong = count_problem(rows.values[numerator], rows.values[denominator])
        place = Location(shown, rows.lines[numerator], rows.value_columns[numerator])
        if wrong is not None:
            problems.add(*place, f"counts of {fact} for {record.authority} {when} left out: {wrong}", warning=True)
            continue
        record.counts[fact] = Count(int(rows.values[numerator]), int(rows.values[denominator]))
        record.count_locations[fact] = place

"""NHS England's official ASCOF CSV: one row per year, area and measure. Read for one region
(or every council) and one year, with the year before; its councils' rows become fact sets,
England's and the region's rows published figures."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import attrs

from ..errors import Location, Problems
from ..rules.model import YEAR_PATTERN, year_start
from ..rules.source import display_path, read_text
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
from .tabular import NO_FIGURE, csv_records, field_column, fold

_COUNCIL_CODE = re.compile(r"E(0[6-9]|10)\d{6}\Z")
_MEASURE_CODE = re.compile(r"[0-9][A-Za-z0-9]*\Z")


def is_ascof_header(folded_names: set[str]) -> bool:
    return {
        "year",
        "ons code",
        "measure group",
        "measure value",
        "geographical level",
    } <= folded_names


@attrs.define
class _AscofRow:
    line: int
    year: str
    level: str  # council, region, england
    code: str
    name: str
    measure: str
    value: float
    value_column: int
    kind: str = "outcome"  # or "numerator", "denominator"


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
    rows = _ascof_rows(shown, text, problems)
    if rows is None:
        return []
    present = sorted({row.year for row in rows}, key=year_start)
    if not present:
        problems.add(shown, 1, 1, "the ASCOF file holds no council, region or England rows")
        return []
    wanted = years_to_read(shown, "ASCOF", present, year, years, problems)
    region_name = region_asked(region, problems)
    if wanted is None or (region is not None and region_name is None):
        return []
    councils = _councils(shown, rows, wanted, region_name, problems)
    if region_name is not None:
        region_code: str | None = region_codes()[region_name][0]
    else:
        # No region named: every council in the file. A region's own extract (one region's
        # rows only, like the shipped example) still supplies its published region figures.
        found_regions = {row.code for row in rows if row.level == "region" and row.year == wanted[-1]}
        region_code = found_regions.pop() if len(found_regions) == 1 else None
    last = max(year_start(one) for one in wanted)
    # The years assessed and the year before the first come first, so that the councils keep
    # the order they have had since the file was first read for one year.
    first = min(year_start(one) for one in wanted) - 1
    records: dict[tuple[str, str], Record] = {}
    published: dict[tuple[str, str], dict[str, Any]] = {}
    counted: dict[tuple[str, str, str], dict[str, _AscofRow]] = {}
    by_type: dict[tuple[str, str], dict[str, list[float]]] = {}
    source = (
        f"NHS England, Adult Social Care Outcomes Framework ({Path(shown).name}), "
        "Open Government Licence v3.0"
    )
    for row in rows:
        if year_start(row.year) > last:
            continue
        fact = f"ascof.{row.measure.lower()}"
        if row.level == "council" and row.kind == "outcome":
            council_type = council_type_of(row.code)
            if council_type is not None:
                by_type.setdefault((council_type, row.year), {}).setdefault(fact, []).append(row.value)
        if row.level == "council" and row.code not in councils:
            continue
        if row.level == "region" and row.code != region_code:
            continue
        if row.kind != "outcome":
            if row.level == "council":
                counted.setdefault((row.code, row.year, fact), {})[row.kind] = row
            continue
        if row.level == "england":
            published.setdefault(("national", row.year), {})[fact] = row.value
            continue
        if row.level == "region":
            published.setdefault(("published_region", row.year), {})[fact] = row.value
            continue
        record = records.get((row.code, row.year))
        if record is None:
            record = records[(row.code, row.year)] = new_record(
                council_name(row.code) or row.name, row.code, row.year, Location(shown, row.line, 1), published=True
            )
            record.sources["ascof.*"] = source
        record.facts[fact] = row.value
        record.fact_locations[fact] = Location(shown, row.line, row.value_column)
    _attach_counts(shown, records, counted, problems)
    found: list[Any] = [
        records[key]
        for key in sorted(records, key=lambda key: (year_start(key[1]) < first, year_start(key[1]), key[0]))
    ]
    found.extend(
        PublishedFigures(scope, when, values, shown) for (scope, when), values in sorted(published.items())
    )
    found.extend(
        TypeFigures(council_type, when, {fact: tuple(values) for fact, values in figures.items()}, shown)
        for (council_type, when), figures in sorted(by_type.items())
    )
    return found


def _councils(
    shown: str, rows: list[_AscofRow], wanted: list[str], region_name: str | None, problems: Problems
) -> set[str]:
    """The councils to read: those of the file in a year assessed (of the region, by its
    membership in that year), with a warning naming a member without figures."""
    councils: set[str] = set()
    for one in wanted:
        present = {row.code for row in rows if row.level == "council" and row.year == one}
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
    counted: dict[tuple[str, str, str], dict[str, _AscofRow]],
    problems: Problems,
) -> None:
    """The Numerator and Denominator rows of a council's measure as the counts behind its
    value. A pair that cannot be counts (negative, not whole, a numerator above its
    denominator) is left out with a warning at its row: one bad row of a national file
    does not stop the assessment of every council."""
    for (code, when, fact), pair in counted.items():
        record = records.get((code, when))
        numerator, denominator = pair.get("numerator"), pair.get("denominator")
        if record is None:
            continue
        if numerator is None or denominator is None:
            alone = numerator or denominator
            assert alone is not None
            problems.add(shown, alone.line, alone.value_column,
                         f"counts of {fact} for {record.authority} {when} left out: a {alone.kind} "
                         f"without its {'denominator' if numerator else 'numerator'}", warning=True)
            continue
        wrong = count_problem(numerator.value, denominator.value)
        if wrong is not None:
            problems.add(shown, numerator.line, numerator.value_column,
                         f"counts of {fact} for {record.authority} {when} left out: {wrong}", warning=True)
            continue
        record.counts[fact] = Count(int(numerator.value), int(denominator.value))
        record.count_locations[fact] = Location(shown, numerator.line, numerator.value_column)


def _ascof_rows(shown: str, text: str, problems: Problems) -> list[_AscofRow] | None:
    """The file's rows of councils, regions and England: each value and its counts, checked.

    A national file repeats a few years, levels, measures and codes in every one of its tens
    of thousands of rows: each distinct text is read (folded, matched) once and remembered."""
    rows = csv_records(text)
    try:
        header_line, header, _ = next(rows)
    except StopIteration:
        problems.add(shown, 1, 1, "the CSV file is empty")
        return None
    index = {fold(str(name)): position for position, name in enumerate(header)}
    year_at, area_at, code_at = (
        index["year"],
        index.get("geographical description"),
        index["ons code"],
    )
    measure_at, value_at, level_at = (
        index["measure group"],
        index["measure value"],
        index["geographical level"],
    )
    breakdown_at, type_at = index.get("disaggregation level"), index.get("measure type")
    width = len(header)
    found: list[_AscofRow] = []
    seen: dict[tuple[str, str, str, str, str], int] = {}
    folded: dict[str, str] = {}
    good_years: dict[str, bool] = {}
    good_codes: dict[str, bool] = {}
    good_measures: dict[str, bool] = {}

    def fold_once(text: str) -> str:
        word = folded.get(text)
        if word is None:
            word = folded[text] = fold(text)
        return word

    for line, values, start in rows:
        if len(values) != width:
            problems.add(shown, line, 1, f"row has {len(values)} fields; the header (line {header_line}) has {width}")
            continue

        def column(position: int, values: list[str] = values, start: int = start) -> int:
            """Where a field starts, worked out only for a problem or a value kept."""
            return field_column(text, start, values, position)

        level_text = values[level_at].strip()
        level = fold_once(level_text)
        if level == "council type":
            continue  # aggregates by type of council, not any one council
        if level not in ("council", "region", "england"):
            problems.add(
                shown,
                line,
                column(level_at),
                f"unknown Geographical Level {level_text!r}",
                hint="one of Council, Region, England, Council Type",
            )
            continue
        kind = (fold_once(values[type_at].strip()) if type_at is not None else "") or "outcome"
        breakdown = fold_once(values[breakdown_at].strip()) if breakdown_at is not None else ""
        if breakdown not in ("", "total") or kind not in ("outcome", "numerator", "denominator"):
            continue  # a breakdown, or a figure other than the value and its counts
        year = values[year_at].strip()
        good = good_years.get(year)
        if good is None:
            good = good_years[year] = bool(YEAR_PATTERN.match(year)) and int(year[5:]) == (year_start(year) + 1) % 100
        if not good:
            problems.add(shown, line, column(year_at), f"year {year!r} is not a financial year like 2023-24")
            continue
        code = values[code_at].strip()
        if level == "council":
            good = good_codes.get(code)
            if good is None:
                good = good_codes[code] = bool(_COUNCIL_CODE.match(code))
            if not good:
                problems.add(
                    shown,
                    line,
                    column(code_at),
                    f"{code!r} is not a council's ONS code (E06, E08, E09 or E10 and six digits)",
                )
                continue
        elif level == "england":
            code = "E92000001"
        measure = values[measure_at].strip()
        good = good_measures.get(measure)
        if good is None:
            good = good_measures[measure] = bool(_MEASURE_CODE.match(measure))
        if not good:
            problems.add(
                shown,
                line,
                column(measure_at),
                f"{measure!r} is not an ASCOF measure code like 2C or 1C1A",
            )
            continue
        raw = values[value_at].strip()
        if raw.casefold() in NO_FIGURE:
            continue
        try:
            value = float(raw.replace(",", "") if "," in raw else raw)
        except ValueError:
            problems.add(shown, line, column(value_at), f"Measure_Value {raw!r} is not a number")
            continue
        upper = measure.upper()
        key = (year, level, code, upper, kind)
        if key in seen:
            problems.add(
                shown,
                line,
                column(measure_at),
                f"{measure}{'' if kind == 'outcome' else ' ' + kind} for {code or level} in {year} is given twice "
                f"(also on line {seen[key]})",
            )
            continue
        seen[key] = line
        found.append(
            _AscofRow(
                line, year, level, code, values[area_at].strip() if area_at is not None else "", upper, value,
                column(value_at), kind,
            )
        )
    return found

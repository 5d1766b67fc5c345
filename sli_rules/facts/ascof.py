"""NHS England's official ASCOF CSV: one row per year, area and measure. Read for one region
(or every council) and one year, with the year before; its councils' rows become fact sets,
England's and the region's rows published figures."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import attrs

from ..errors import Problems
from ..model import YEAR_PATTERN, previous_year, year_start
from ..source import display_path, read_text
from .factset import PublishedFigures, Record, new_record
from .reference import council_name, known_regions, match_region, region_codes, region_members
from .tabular import NO_FIGURE, csv_rows, fold

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


def read_ascof_csv(
    file: Path,
    problems: Problems,
    *,
    region: str | None = None,
    year: str | None = None,
    **_: Any,
) -> list[Any]:
    """NHS England's ASCOF CSV: the councils of one region (or all of England) in one year,
    with the year before, each measure as `ascof.<code in lower case>`.

    Councils are keyed by ONS code, and a region's councils are those of the membership table
    in the year assessed; the year before is read only for them, so a council that replaced
    another has no previous values. Every measure is kept under its code: the records are
    marked as a national publication, so that binding leaves out what the assessing rulebook
    does not catalogue. England's and the region's rows become published figures
    (`{national: ...}`, `{published_region: ...}`).
    """
    shown = display_path(file)
    text = read_text(file, problems)
    if text is None:
        return []
    rows = _ascof_rows(shown, text, problems)
    if rows is None:
        return []
    years = sorted({row.year for row in rows}, key=year_start)
    if not years:
        problems.add(shown, 1, 1, "the ASCOF file holds no council, region or England rows")
        return []
    if year is None:
        year = years[-1]
    elif year not in years:
        problems.add(
            shown,
            1,
            1,
            f"the ASCOF file has no figures for {year}",
            hint=f"years in the file: {', '.join(years)}",
        )
        return []
    region_name: str | None = None
    if region is not None:
        region_name = match_region(region)
        if region_name is None:
            problems.add(
                "<arguments>",
                1,
                1,
                f"unknown region {region!r}",
                hint=f"known regions: {', '.join(known_regions())}",
            )
            return []
    before = previous_year(year)
    councils = {row.code for row in rows if row.level == "council" and row.year == year}
    if region_name is not None:
        members = region_members(region_name, year)
        missing = sorted(code for code in members if code not in councils)
        if missing:
            names = ", ".join(f"{members[code]} ({code})" for code in missing)
            problems.add(
                shown,
                1,
                1,
                f"no {year} figures for {names}, a council of {region_name} in {year}",
                warning=True,
            )
        councils &= set(members)
    if region_name is not None:
        region_code: str | None = region_codes()[region_name][0]
    else:
        # No region named: every council in the file. A region's own extract (one region's
        # rows only, like the shipped example) still supplies its published region figures.
        found_regions = {row.code for row in rows if row.level == "region" and row.year == year}
        region_code = found_regions.pop() if len(found_regions) == 1 else None
    records: dict[tuple[str, str], Record] = {}
    published: dict[tuple[str, str], dict[str, Any]] = {}
    source = (
        f"NHS England, Adult Social Care Outcomes Framework ({Path(shown).name}), "
        "Open Government Licence v3.0"
    )
    for row in rows:
        if row.year not in (year, before):
            continue
        if row.level == "council" and row.code not in councils:
            continue
        if row.level == "region" and row.code != region_code:
            continue
        fact = f"ascof.{row.measure.lower()}"
        if row.level == "england":
            published.setdefault(("national", row.year), {})[fact] = row.value
            continue
        if row.level == "region":
            published.setdefault(("published_region", row.year), {})[fact] = row.value
            continue
        record = records.get((row.code, row.year))
        if record is None:
            record = records[(row.code, row.year)] = new_record(
                council_name(row.code) or row.name, row.code, row.year, (shown, row.line, 1), published=True
            )
            record.sources["ascof.*"] = source
        record.facts[fact] = row.value
        record.fact_locations[fact] = (shown, row.line, row.value_column)
    found: list[Any] = [
        records[key] for key in sorted(records, key=lambda key: (year_start(key[1]), key[0]))
    ]
    found.extend(
        PublishedFigures(scope, when, values, shown) for (scope, when), values in sorted(published.items())
    )
    return found


def _ascof_rows(shown: str, text: str, problems: Problems) -> list[_AscofRow] | None:
    rows = csv_rows(text)
    try:
        header_line, header = next(rows)
    except StopIteration:
        problems.add(shown, 1, 1, "the CSV file is empty")
        return None
    index = {fold(str(name)): position for position, (name, _) in enumerate(header)}
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
    found: list[_AscofRow] = []
    seen: dict[tuple[str, str, str, str], int] = {}
    for line, fields in rows:
        if len(fields) != len(header):
            problems.add(
                shown,
                line,
                1,
                f"row has {len(fields)} fields; the header (line {header_line}) has {len(header)}",
            )
            continue

        def cell(position: int | None, fields: list[tuple[Any, int]] = fields) -> tuple[str, int]:
            if position is None:
                return "", 1
            value, column = fields[position]
            return str(value).strip(), column

        level_text, level_column = cell(level_at)
        level = fold(level_text)
        if level == "council type":
            continue  # aggregates by type of council, not any one council
        if level not in ("council", "region", "england"):
            problems.add(
                shown,
                line,
                level_column,
                f"unknown Geographical Level {level_text!r}",
                hint="one of Council, Region, England, Council Type",
            )
            continue
        if fold(cell(breakdown_at)[0]) not in ("", "total") or fold(cell(type_at)[0]) not in (
            "",
            "outcome",
        ):
            continue  # a breakdown, numerator or denominator: only totals and outcomes are facts
        year, year_column = cell(year_at)
        if not YEAR_PATTERN.match(year) or int(year[5:]) != (year_start(year) + 1) % 100:
            problems.add(
                shown, line, year_column, f"year {year!r} is not a financial year like 2023-24"
            )
            continue
        code, code_column = cell(code_at)
        if level == "council" and not _COUNCIL_CODE.match(code):
            problems.add(
                shown,
                line,
                code_column,
                f"{code!r} is not a council's ONS code (E06, E08, E09 or E10 and six digits)",
            )
            continue
        if level == "england":
            code = "E92000001"
        measure, measure_column = cell(measure_at)
        if not _MEASURE_CODE.match(measure):
            problems.add(
                shown,
                line,
                measure_column,
                f"{measure!r} is not an ASCOF measure code like 2C or 1C1A",
            )
            continue
        raw, value_column = cell(value_at)
        if raw.casefold() in NO_FIGURE:
            continue
        try:
            value = float(raw.replace(",", ""))
        except ValueError:
            problems.add(shown, line, value_column, f"Measure_Value {raw!r} is not a number")
            continue
        key = (year, level, code, measure.upper())
        if key in seen:
            problems.add(
                shown,
                line,
                measure_column,
                f"{measure} for {code or level} in {year} is given twice "
                f"(also on line {seen[key]})",
            )
            continue
        seen[key] = line
        found.append(
            _AscofRow(
                line, year, level, code, cell(area_at)[0], measure.upper(), value, value_column
            )
        )
    return found


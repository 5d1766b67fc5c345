"""The Office for Local Government's adult social care metrics (Oflog's Local Authority Data
Explorer): one row per year, council and metric, with the council's region in the file. Read
for one region (or every council) and the years assessed, with every earlier year for previous
values and history.

ASC1 to ASC5 repeat ASCOF measures and are read under their ASCOF codes, so that given beside
the ASCOF file they are the same facts: equal values merge, a conflict is an error naming both
places. ASC6 and ASC7 are new: requests for support resulting in a service (SALT) and the
turnover rate of the whole local care workforce (Skills for Care)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import attrs

from ..errors import Location, Problems
from ..rules.model import YEAR_PATTERN, year_start
from ..rules.source import display_path, read_text
from .factset import Record, TypeFigures, council_type_of, new_record, years_to_read
from .reference import council_name, region_asked
from .tabular import NO_FIGURE, csv_rows, fold

_COUNCIL_CODE = re.compile(r"E(0[6-9]|10)\d{6}\Z")

# Oflog's metric code -> the fact it is read as. ASC1 to ASC5 were checked against the ASCOF
# file of the same years (every council-year present in both is equal): ASC2 is ASCOF 1J (the
# impact of services on quality of life, a fraction), not 1A.
METRICS = {
    "ASC1": "ascof.1d",
    "ASC2": "ascof.1j",
    "ASC3": "ascof.3d1",
    "ASC4": "ascof.3d2",
    "ASC5": "ascof.2d",
    "ASC6": "oflog.asc6",
    "ASC7": "oflog.asc7",
}

_REQUIRED = ("financial year", "local authority code", "local authority name", "region", "code", "value")


def is_oflog_header(folded_names: set[str]) -> bool:
    return set(_REQUIRED) <= folded_names


@attrs.frozen
class _OflogRow:
    line: int
    year: str
    code: str
    name: str
    region: str
    fact: str
    value: float
    value_column: int


def read_oflog_csv(
    file: Path,
    problems: Problems,
    *,
    region: str | None = None,
    year: str | None = None,
    years: Sequence[str] | None = None,
    **_: Any,
) -> list[Any]:
    """Oflog's adult social care metrics: the councils of one region (by the file's own Region
    column) or of all England, in the years assessed (`years`, or the one `year`; default: the
    file's latest), each with every earlier year of the same council for previous values and
    history; every council's values, by council type, as the figures of `{council_type: ...}`.

    The records are marked as a national publication, so that binding leaves out a metric the
    assessing rulebook does not catalogue. A year the file does not hold is a warning where the
    file holds earlier years (read as that year's history, Oflog publishing later than ASCOF),
    else an error.
    """
    shown = display_path(file)
    text = read_text(file, problems)
    if text is None:
        return []
    rows = _oflog_rows(shown, text, problems)
    if rows is None:
        return []
    present = sorted({row.year for row in rows}, key=year_start)
    if not present:
        problems.add(shown, 1, 1, "the Oflog file holds no council rows")
        return []
    # Oflog publishes later than ASCOF: beside the ASCOF file of a later year, its earlier years
    # are still that year's history and previous values.
    wanted = years_to_read(shown, "Oflog", present, year, years, problems, history_beyond=True)
    region_name = region_asked(region, problems)
    if wanted is None or (region is not None and region_name is None):
        return []
    last = max(year_start(one) for one in wanted)
    councils = {
        row.code
        for row in rows
        if year_start(row.year) <= last and (region_name is None or fold(row.region) == fold(region_name))
    }
    source = (
        f"Office for Local Government, adult social care metrics ({Path(shown).name}), "
        "Open Government Licence v3.0"
    )
    records: dict[tuple[str, str], Record] = {}
    by_type: dict[tuple[str, str], dict[str, list[float]]] = {}
    for row in rows:
        if year_start(row.year) > last:
            continue
        council_type = council_type_of(row.code)
        # Only Oflog's own metrics: the ASCOF measures' figures by council type come from the
        # ASCOF file, whole, and an extract of Oflog's rows must not stand in for them.
        if council_type is not None and row.fact.startswith("oflog."):
            by_type.setdefault((council_type, row.year), {}).setdefault(row.fact, []).append(row.value)
        if row.code not in councils:
            continue
        record = records.get((row.code, row.year))
        if record is None:
            record = records[(row.code, row.year)] = new_record(
                council_name(row.code) or row.name, row.code, row.year, Location(shown, row.line, 1), published=True
            )
            record.sources["ascof.*"] = source
            record.sources["oflog.*"] = source
        record.facts[row.fact] = row.value
        record.fact_locations[row.fact] = Location(shown, row.line, row.value_column)
    first = min(year_start(one) for one in wanted) - 1
    found: list[Any] = [
        records[key]
        for key in sorted(records, key=lambda key: (year_start(key[1]) < first, year_start(key[1]), key[0]))
    ]
    found.extend(
        TypeFigures(council_type, when, {fact: tuple(values) for fact, values in figures.items()}, shown)
        for (council_type, when), figures in sorted(by_type.items())
    )
    return found


def _oflog_rows(shown: str, text: str, problems: Problems) -> list[_OflogRow] | None:
    rows = csv_rows(text)
    try:
        header_line, header = next(rows)
    except StopIteration:
        problems.add(shown, 1, 1, "the CSV file is empty")
        return None
    index = {fold(str(name)): position for position, (name, _) in enumerate(header)}
    year_at, code_at, name_at, region_at, metric_at, value_at = (index[name] for name in _REQUIRED)
    found: list[_OflogRow] = []
    seen: dict[tuple[str, str, str], int] = {}
    for line, fields in rows:
        if len(fields) != len(header):
            problems.add(
                shown, line, 1, f"row has {len(fields)} fields; the header (line {header_line}) has {len(header)}"
            )
            continue

        def cell(position: int, fields: list[tuple[Any, int]] = fields) -> tuple[str, int]:
            value, column = fields[position]
            return str(value).strip(), column

        metric, metric_column = cell(metric_at)
        fact = METRICS.get(metric.upper())
        if fact is None:
            problems.add(
                shown, line, metric_column, f"unknown Oflog metric {metric!r}",
                hint=f"the adult social care metrics are {', '.join(METRICS)}",
            )
            continue
        year, year_column = cell(year_at)
        if not YEAR_PATTERN.match(year) or int(year[5:]) != (year_start(year) + 1) % 100:
            problems.add(shown, line, year_column, f"year {year!r} is not a financial year like 2022-23")
            continue
        code, code_column = cell(code_at)
        if not _COUNCIL_CODE.match(code):
            problems.add(
                shown, line, code_column,
                f"{code!r} is not a council's ONS code (E06, E08, E09 or E10 and six digits)",
            )
            continue
        raw, value_column = cell(value_at)
        if raw.casefold() in NO_FIGURE:
            continue  # not published (the Isles of Scilly, a year a survey did not run)
        try:
            value = float(raw.replace(",", ""))
        except ValueError:
            problems.add(shown, line, value_column, f"Value {raw!r} is not a number")
            continue
        key = (year, code, fact)
        if key in seen:
            problems.add(
                shown, line, metric_column,
                f"{metric} for {code} in {year} is given twice (also on line {seen[key]})",
            )
            continue
        seen[key] = line
        found.append(_OflogRow(line, year, code, cell(name_at)[0], cell(region_at)[0], fact, value, value_column))
    return found

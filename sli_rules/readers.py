"""Spreadsheet-shaped fact sources: which reader takes a file, and the readers themselves.

- the official ASCOF CSV (NHS England's layout: one row per year, area and measure), read for
  one region and year, with the year before as `previous`;
- wide CSV and Excel `.xlsx` (one row per authority and year, a column per fact id);
- long CSV (one row per fact: `authority, code, year, fact, value`);
- comparator-group files (YAML or CSV: an authority → the authorities it is compared with).

Every reader reports a bad row with the file, the line and the column, and returns a list of
`facts._Record` (one authority-year each) and `facts.PublishedFigures` (England's and the
region's own rows of a national file).
"""

from __future__ import annotations

import csv
import functools
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import attrs

from .errors import Problems
from .facts import AuthorityFacts, PublishedFigures, _Record, parse_cell
from .load import load_rulebook
from .model import YEAR_PATTERN, Location, Rulebook, previous_year, year_start
from .source import display_path, load_documents, read_text

Reader = Callable[..., list[Any]]
Rows = Iterable[tuple[int, list[tuple[Any, int]]]]

REFERENCE = Path(__file__).with_name("reference")
XLSX_HINT = "pip install 'sli-rules[xlsx]'"
# Cells that official statistics use for "no figure" (suppressed, not applicable, not
# available): a missing value, not a bad row.
NO_FIGURE = frozenset(
    {"", "[c]", "[x]", "[z]", "[u]", "[low]", "c", "x", "z", "*", "-", "..", ":", "n/a", "na"}
)
LONG_COLUMNS = ("authority", "code", "year", "fact", "value", "source", "note")
_COUNCIL_CODE = re.compile(r"E(0[6-9]|10)\d{6}\Z")
_MEASURE_CODE = re.compile(r"[0-9][A-Za-z0-9]*\Z")
_FOLD = re.compile(r"[^a-z0-9]+")


def _fold(text: str) -> str:
    return _FOLD.sub(" ", text.casefold()).strip()


def reader_for(file: Path) -> Reader | None:
    """The reader for a spreadsheet-shaped file, or None for YAML and JSON documents.

    A CSV file's layout is told by its header: the official ASCOF columns, the long layout
    (`fact` and `value` columns), or else the wide layout.
    """
    suffix = file.suffix.lower()
    if suffix == ".xlsx":
        return read_xlsx
    if suffix != ".csv":
        return None
    names = {_fold(name) for name in _header_of(file)}
    if is_ascof_header(names):
        return read_ascof_csv
    if {"fact", "value"} <= names:
        return read_long_csv
    return read_wide_csv


def _header_of(file: Path) -> list[str]:
    try:
        with file.open("rb") as stream:
            head = stream.read(64 * 1024)
    except OSError:
        return []
    text = head.decode("utf-8-sig", errors="replace")
    for _, fields in csv_rows(text):
        return [str(value) for value, _ in fields]
    return []


def is_ascof_header(folded_names: set[str]) -> bool:
    return {
        "year",
        "ons code",
        "measure group",
        "measure value",
        "geographical level",
    } <= folded_names


def csv_rows(text: str) -> Iterator[tuple[int, list[tuple[str, int]]]]:
    """Each record of a CSV text as (line, [(value, column), ...]), columns 1-based.

    Written by hand rather than with the csv module because error messages need the column
    where each field starts, which the csv module does not report.
    """
    line = 1
    position = 0
    size = len(text)
    while position < size:
        record_line = line
        fields: list[tuple[str, int]] = []
        line_start = position
        while True:
            column = position - line_start + 1
            if position < size and text[position] == '"':
                position += 1
                chunk: list[str] = []
                while position < size:
                    char = text[position]
                    if char == '"':
                        if position + 1 < size and text[position + 1] == '"':
                            chunk.append('"')
                            position += 2
                            continue
                        position += 1
                        break
                    if char == "\n":
                        line += 1
                        line_start = position + 1
                    chunk.append(char)
                    position += 1
                end = position
                while end < size and text[end] not in ",\r\n":
                    end += 1
                chunk.append(text[position:end])
                position = end
                fields.append(("".join(chunk), column))
            else:
                end = position
                while end < size and text[end] not in ",\r\n":
                    end += 1
                fields.append((text[position:end], column))
                position = end
            if position < size and text[position] == ",":
                position += 1
                continue
            break
        if position < size and text[position] == "\r":
            position += 1
        if position < size and text[position] == "\n":
            position += 1
        line += 1
        if fields != [("", 1)]:
            yield record_line, fields


# --- region membership -----------------------------------------------------------------


@attrs.frozen
class Member:
    region: str
    code: str
    name: str
    since: int | None
    until: int | None

    def in_year(self, year: str) -> bool:
        start = year_start(year)
        return (self.since is None or start >= self.since) and (
            self.until is None or start <= self.until
        )


@functools.lru_cache(maxsize=1)
def membership() -> tuple[Member, ...]:
    """Every council's region, with the years it belonged (sli_rules/reference/regions.csv)."""
    members = []
    with (REFERENCE / "regions.csv").open(encoding="utf-8", newline="") as stream:
        for row in csv.DictReader(stream):
            members.append(
                Member(
                    region=row["region"].strip(),
                    code=row["code"].strip(),
                    name=row["name"].strip(),
                    since=year_start(row["since"]) if row["since"].strip() else None,
                    until=year_start(row["until"]) if row["until"].strip() else None,
                )
            )
    return tuple(members)


@functools.lru_cache(maxsize=1)
def region_codes() -> dict[str, tuple[str, tuple[str, ...]]]:
    """Region name → (its ONS E12 code, the names it is known by)."""
    found: dict[str, tuple[str, tuple[str, ...]]] = {}
    with (REFERENCE / "region-codes.csv").open(encoding="utf-8", newline="") as stream:
        for row in csv.DictReader(stream):
            others = tuple(name.strip() for name in row["also_known_as"].split(";") if name.strip())
            found[row["name"].strip()] = (row["code"].strip(), others)
    return found


def known_regions() -> list[str]:
    return sorted({member.region for member in membership()})


def match_region(name: str) -> str | None:
    """The region's ONS name for a name given loosely ('north west', 'Yorkshire and the
    Humber', 'Eastern', or its E12 code), or None."""
    wanted = _fold(name)
    for region, (code, others) in region_codes().items():
        if wanted in {_fold(region), code.casefold(), *(_fold(other) for other in others)}:
            return region
    for region in known_regions():
        if _fold(region) == wanted:
            return region
    return None


def region_members(region: str, year: str) -> dict[str, str]:
    """The councils of a region (its ONS name) in a year: ONS code → name."""
    return {
        member.code: member.name
        for member in membership()
        if member.region == region and member.in_year(year)
    }


def region_of(code: str, year: str) -> str | None:
    for member in membership():
        if member.code == code and member.in_year(year):
            return member.region
    return None


def council_name(code: str) -> str | None:
    names = [member.name for member in membership() if member.code == code]
    return names[-1] if names else None


# --- the official ASCOF CSV ------------------------------------------------------------


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
    rulebook: Rulebook | None = None,
    **_: Any,
) -> list[Any]:
    """NHS England's ASCOF CSV: the councils of one region (or all of England) in one year,
    with the year before, each measure as `ascof.<code in lower case>`.

    Councils are keyed by ONS code, and a region's councils are those of the membership table
    in the year assessed; the year before is read only for them, so a council that replaced
    another has no previous values. Measures the rulebook's catalogue does not know in their
    year are left out, with one warning naming them. England's and the region's rows become
    published figures (`{national: ...}`, `{published_region: ...}`).
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
    if rulebook is None:
        rulebook = load_rulebook()
    if region_name is not None:
        region_code: str | None = region_codes()[region_name][0]
    else:
        # No region named: every council in the file. A region's own extract (one region's
        # rows only, like the shipped example) still supplies its published region figures.
        found_regions = {row.code for row in rows if row.level == "region" and row.year == year}
        region_code = found_regions.pop() if len(found_regions) == 1 else None
    records: dict[tuple[str, str], _Record] = {}
    published: dict[tuple[str, str], dict[str, Any]] = {}
    unknown: dict[str, set[str]] = {}
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
        if rulebook.resolve(fact, row.year) is None:
            unknown.setdefault(fact, set()).add(row.year)
            continue
        if row.level == "england":
            published.setdefault(("national", row.year), {})[fact] = row.value
            continue
        if row.level == "region":
            published.setdefault(("published_region", row.year), {})[fact] = row.value
            continue
        record = records.get((row.code, row.year))
        if record is None:
            record = records[(row.code, row.year)] = _new_record(
                council_name(row.code) or row.name, row.code, row.year, (shown, row.line, 1)
            )
            record.sources["ascof.*"] = source
        record.facts[fact] = row.value
        record.fact_locations[fact] = (shown, row.line, row.value_column)
    if unknown:
        listed = ", ".join(
            f"{fact} ({', '.join(sorted(found, key=year_start))})"
            for fact, found in sorted(unknown.items())
        )
        problems.add(
            shown,
            1,
            1,
            f"{len(unknown)} measure{'s' if len(unknown) != 1 else ''} not in the rulebook's "
            f"catalogue for their year, left out: {listed}",
            warning=True,
        )
    found: list[Any] = [
        records[key] for key in sorted(records, key=lambda key: (year_start(key[1]), key[0]))
    ]
    found.extend(
        PublishedFigures(scope, when, values) for (scope, when), values in sorted(published.items())
    )
    return found


def _ascof_rows(shown: str, text: str, problems: Problems) -> list[_AscofRow] | None:
    rows = csv_rows(text)
    try:
        header_line, header = next(rows)
    except StopIteration:
        problems.add(shown, 1, 1, "the CSV file is empty")
        return None
    index = {_fold(str(name)): position for position, (name, _) in enumerate(header)}
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
        level = _fold(level_text)
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
        if _fold(cell(breakdown_at)[0]) not in ("", "total") or _fold(cell(type_at)[0]) not in (
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


def _new_record(authority: str, code: str | None, year: str, location: Location) -> _Record:
    return _Record(
        authority=authority,
        code=code,
        year=year,
        facts={},
        fact_locations={},
        previous={},
        previous_locations={},
        comparators=[],
        comparator_locations=[],
        notes={},
        sources={},
        location=location,
    )


# --- wide and long tables: CSV and Excel -----------------------------------------------


def read_wide_csv(file: Path, problems: Problems, **_: Any) -> list[Any]:
    """One row per authority and year; a column per fact id; `authority`, `code`, `year`."""
    shown = display_path(file)
    text = read_text(file, problems)
    if text is None:
        return []
    return wide_records(shown, csv_rows(text), problems)


def read_long_csv(file: Path, problems: Problems, **_: Any) -> list[Any]:
    """One row per fact: `authority, code (optional), year, fact, value` (and optionally
    `source` and `note`)."""
    shown = display_path(file)
    text = read_text(file, problems)
    if text is None:
        return []
    return long_records(shown, csv_rows(text), problems)


def read_xlsx(file: Path, problems: Problems, **_: Any) -> list[Any]:
    """The first sheet of an Excel workbook, in the wide layout (or the long one, told by its
    header). Locations are the sheet's row and column numbers (column C is 3)."""
    shown = display_path(file)
    try:
        import openpyxl
    except ImportError:
        problems.add(
            shown,
            1,
            1,
            "reading Excel .xlsx files needs openpyxl, which is not installed",
            hint=XLSX_HINT,
        )
        return []
    try:
        workbook = openpyxl.load_workbook(file, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many types for a file that is not a workbook
        problems.add(shown, 1, 1, f"cannot read as an Excel .xlsx workbook: {error}")
        return []
    try:
        if not workbook.worksheets:
            problems.add(shown, 1, 1, "the workbook has no sheets")
            return []
        sheet = workbook.worksheets[0]
        rows: list[tuple[int, list[tuple[Any, int]]]] = []
        for line, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            cells = [(_cell_value(value), column) for column, value in enumerate(values, start=1)]
            while cells and cells[-1][0] == "":
                cells.pop()
            if cells:
                rows.append((line, cells))
    finally:
        workbook.close()
    if rows and {"fact", "value"} <= {_fold(str(value)) for value, _ in rows[0][1]}:
        return long_records(shown, rows, problems, strict_width=False)
    return wide_records(shown, rows, problems, strict_width=False)


def _cell_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, (bool, int, float, str)):
        return value
    return str(value)  # dates and times: text, which the catalogue will reject if it wants a number


def _typed(value: Any) -> Any:
    return parse_cell(value) if isinstance(value, str) else value


def _blank(value: Any) -> bool:
    return isinstance(value, str) and value.strip() == ""


def _good_year(shown: str, line: int, column: int, value: Any, problems: Problems) -> str | None:
    year = value.strip() if isinstance(value, str) else str(value)
    if not YEAR_PATTERN.match(year) or int(year[5:]) != (year_start(year) + 1) % 100:
        problems.add(shown, line, column, f"year {year!r} is not a financial year like 2013-14")
        return None
    return year


def _header(
    shown: str, rows: Rows, problems: Problems
) -> tuple[int, list[tuple[str, int]], Iterator[tuple[int, list[tuple[Any, int]]]]] | None:
    iterator = iter(rows)
    try:
        header_line, header = next(iterator)
    except StopIteration:
        problems.add(shown, 1, 1, "the file is empty")
        return None
    names = [(str(name).strip(), column) for name, column in header]
    seen: set[str] = set()
    for name, column in names:
        if not name:
            problems.add(shown, header_line, column, "a column has no name")
        elif name in seen:
            problems.add(shown, header_line, column, f"column '{name}' appears twice")
        seen.add(name)
    return header_line, names, iterator


def _fit(
    shown: str,
    line: int,
    fields: list[tuple[Any, int]],
    width: int,
    problems: Problems,
    *,
    strict: bool,
) -> list[tuple[Any, int]] | None:
    if len(fields) == width:
        return fields
    if not strict:
        extra = [(value, column) for value, column in fields[width:] if not _blank(value)]
        if extra:
            problems.add(shown, line, extra[0][1], "a value in a column with no name")
            return None
        return fields[:width] + [("", width + index + 1) for index in range(width - len(fields))]
    problems.add(shown, line, 1, f"row has {len(fields)} fields; the header has {width}")
    return None


def wide_records(
    shown: str, rows: Rows, problems: Problems, *, strict_width: bool = True
) -> list[Any]:
    """Records from a wide table: `authority`, `code` (optional), `year`, then a column per
    fact id; an empty cell is a fact not given."""
    started = _header(shown, rows, problems)
    if started is None:
        return []
    header_line, header, body = started
    names = [name for name, _ in header]
    if "authority" not in names or "year" not in names:
        problems.add(
            shown,
            header_line,
            1,
            "a wide table needs 'authority' and 'year' columns",
            hint="columns: authority, code, year, then one per fact id; or a long table: "
            "authority, code, year, fact, value",
        )
        return []
    records: list[Any] = []
    for line, row, authority, year in _keyed_rows(shown, body, names, problems, strict_width):
        code = str(row["code"][0]).strip() if "code" in row else ""
        record = _new_record(authority, code or None, year, (shown, line, 1))
        for name, (value, column) in row.items():
            if name in ("authority", "code", "year") or _blank(value):
                continue
            record.facts[name] = _typed(value)
            record.fact_locations[name] = (shown, line, column)
        records.append(record)
    return records


def _keyed_rows(
    shown: str, body: Any, names: list[str], problems: Problems, strict_width: bool
) -> Iterator[tuple[int, dict[str, Any], str, str]]:
    """The rows of a table that name an authority and a good year, by column name.

    Blank rows are skipped; a row of the wrong width, without an authority or with a bad
    year is reported at its place and skipped.
    """
    for line, raw in body:
        if all(_blank(value) for value, _ in raw):
            continue
        fields = _fit(shown, line, raw, len(names), problems, strict=strict_width)
        if fields is None:
            continue
        row = dict(zip(names, fields, strict=True))
        authority = str(row["authority"][0]).strip()
        if not authority:
            problems.add(shown, line, row["authority"][1], "row has no authority")
            continue
        year = _good_year(shown, line, row["year"][1], row["year"][0], problems)
        if year is None:
            continue
        yield line, row, authority, year


def long_records(
    shown: str, rows: Rows, problems: Problems, *, strict_width: bool = True
) -> list[Any]:
    """Records from a long table: one fact per row."""
    started = _header(shown, rows, problems)
    if started is None:
        return []
    header_line, header, body = started
    names = [_fold(name) for name, _ in header]
    for (name, column), folded in zip(header, names, strict=True):
        if folded not in LONG_COLUMNS:
            problems.add(
                shown,
                header_line,
                column,
                f"unknown column '{name}' in a long table",
                hint=f"columns: {', '.join(LONG_COLUMNS)} (code, source and note optional)",
            )
    needed = [name for name in ("authority", "year", "fact", "value") if name not in names]
    if needed:
        problems.add(
            shown,
            header_line,
            1,
            f"a long table needs the column{'s' if len(needed) > 1 else ''} {', '.join(needed)}",
        )
        return []
    records: dict[tuple[str, str], _Record] = {}
    given: dict[tuple[str, str, str], int] = {}
    for line, row, authority, year in _keyed_rows(shown, body, names, problems, strict_width):
        fact, fact_column = str(row["fact"][0]).strip(), row["fact"][1]
        if not fact:
            problems.add(shown, line, fact_column, "row has no fact id")
            continue
        value, value_column = row["value"]
        if _blank(value):
            continue  # an empty value is a fact not given, as in a wide table
        code = str(row["code"][0]).strip() if "code" in row else ""
        key = (code or _fold(authority), year)
        twice = given.get((*key, fact))
        if twice is not None:
            problems.add(
                shown,
                line,
                fact_column,
                f"'{fact}' for {authority} {year} is given twice (also on line {twice})",
            )
            continue
        given[(*key, fact)] = line
        record = records.get(key)
        if record is None:
            record = records[key] = _new_record(authority, code or None, year, (shown, line, 1))
        record.facts[fact] = _typed(value)
        record.fact_locations[fact] = (shown, line, value_column)
        for extra, into in (("source", record.sources), ("note", record.notes)):
            if extra in row and not _blank(row[extra][0]):
                into[fact] = str(row[extra][0]).strip()
    return list(records.values())


# --- comparator groups -----------------------------------------------------------------


Groups = dict[str, list[tuple[str, Location]]]


def read_comparator_groups(file: Path, problems: Problems) -> Groups:
    """A comparator-group file: an authority (ONS code or name) → the authorities it is
    compared with. YAML: a mapping of lists. CSV: columns `authority` and `comparators`
    (several separated by ';'), an authority on as many rows as wanted."""
    shown = display_path(file)
    groups: Groups = {}
    if not file.exists():
        problems.add(shown, 1, 1, "no such comparator-group file")
        return groups
    if file.suffix.lower() == ".csv":
        text = read_text(file, problems)
        if text is None:
            return groups
        started = _header(shown, csv_rows(text), problems)
        if started is None:
            return groups
        header_line, header, body = started
        names = [_fold(name) for name, _ in header]
        key_name = next((name for name in ("authority", "code") if name in names), None)
        list_name = next((name for name in ("comparators", "comparator") if name in names), None)
        if key_name is None or list_name is None:
            problems.add(
                shown,
                header_line,
                1,
                "a comparator-group CSV needs columns 'authority' and 'comparators'",
            )
            return groups
        for line, raw in body:
            if all(_blank(value) for value, _ in raw):
                continue
            fields = _fit(shown, line, raw, len(names), problems, strict=True)
            if fields is None:
                continue
            row = dict(zip(names, fields, strict=True))
            key = str(row[key_name][0]).strip()
            if not key:
                problems.add(shown, line, row[key_name][1], "row has no authority")
                continue
            cell, column = row[list_name]
            members = [part.strip() for part in str(cell).split(";")]
            if not any(members):
                problems.add(shown, line, column, f"no comparators for {key}")
                continue
            for member in members:
                if member:
                    groups.setdefault(key, []).append((member, (shown, line, column)))
        return groups
    for document in load_documents(file, problems):
        data = document.data
        if not isinstance(data, dict):
            document.problem(
                problems,
                (),
                "a comparator-group file maps each authority (ONS code or name) to a list "
                "of comparators",
            )
            continue
        for key, members in data.items():
            if key == "kind":
                if members != "comparators":
                    document.problem(
                        problems,
                        ("kind",),
                        f"a comparator-group file's kind is 'comparators', not {members!r}",
                    )
                continue
            if not isinstance(members, list) or not all(
                isinstance(member, str) and member.strip() for member in members
            ):
                document.problem(
                    problems, (key,), f"the comparators of {key} are a list of ONS codes or names"
                )
                continue
            for position, member in enumerate(members):
                groups.setdefault(str(key).strip(), []).append(
                    (member.strip(), (shown, *document.at((key, position))))
                )
    return groups


def apply_comparators(
    authorities: Sequence[AuthorityFacts], file: str | Path, problems: Problems
) -> tuple[AuthorityFacts, ...]:
    """Each authority's comparator group from a file, added to any listed in its fact set.

    Groups of authorities not being assessed are ignored (a national file covers every
    council); comparators that are not assessed in the same year are left out, with one
    warning naming them, since their statistics cannot be taken.
    """
    path = Path(file)
    groups = read_comparator_groups(path, problems)
    if not groups:
        return tuple(authorities)
    by_year: dict[str, dict[str, AuthorityFacts]] = {}
    for item in authorities:
        lookup = by_year.setdefault(item.year, {})
        lookup[_fold(item.authority)] = item
        if item.code:
            lookup[item.code] = item
    left_out: dict[str, set[str]] = {}
    result = []
    for item in authorities:
        lookup = by_year[item.year]
        entries = (
            groups.get(item.code or "", [])
            or groups.get(item.authority, [])
            or next(
                (members for key, members in groups.items() if _fold(key) == _fold(item.authority)),
                [],
            )
        )
        comparators = list(item.comparators)
        locations = list(item.comparator_locations)
        for member, location in entries:
            other = lookup.get(member) or lookup.get(_fold(member))
            if other is None:
                left_out.setdefault(member, set()).add(item.authority)
                continue
            name = other.code or other.authority
            if other is not item and name not in comparators and other.authority not in comparators:
                comparators.append(name)
                locations.append(location)
        result.append(
            attrs.evolve(
                item, comparators=tuple(comparators), comparator_locations=tuple(locations)
            )
        )
    if left_out:
        listed = ", ".join(sorted(left_out))
        problems.add(
            display_path(path),
            1,
            1,
            "comparators not among the authorities assessed, left out of the comparator "
            f"statistics: {listed}",
            warning=True,
        )
    return tuple(result)

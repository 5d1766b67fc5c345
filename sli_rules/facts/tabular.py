"""Tables of facts: a CSV tokenizer that knows each field's column, the wide layout (a column
per fact id) and the long one (a row per fact), in CSV or Excel `.xlsx`."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator, Sequence
from itertools import repeat
from pathlib import Path
from typing import Any

from ..errors import Location, Problems
from ..rules.source import display_path, read_text
from .factset import Record, new_record, year_problem

Rows = Iterable[tuple[int, list[tuple[Any, int]]]]
XLSX_HINT = "pip install 'sli-rules[xlsx]'"
# Cells that official statistics use for "no figure" (suppressed, not applicable, not
# available): a missing value, not a bad row.
NO_FIGURE = frozenset(
    {"", "[c]", "[x]", "[z]", "[u]", "[low]", "c", "x", "z", "*", "-", "..", ":", "n/a", "na"}
)
LONG_COLUMNS = ("authority", "code", "year", "fact", "value", "source", "note")
_FOLD = re.compile(r"[^a-z0-9]+")
# A line of fields each either quoted whole (doubled quotes inside, no line break) or free of
# quotes and commas: read alike by the csv module and by `_quoted_record`.
# (The quoted field written as a run of plain characters between doubled quotes: the same
# language as a choice of one character or a doubled quote, matched without a step per character.)
_FIELD = r'(?:"[^"\r\n]*(?:""[^"\r\n]*)*"|[^",\r\n]*)'
_PLAIN_QUOTED = re.compile(rf"{_FIELD}(?:,{_FIELD})*\Z")
# A field quoted whole in a text of lines split at line feeds alone: a quote after a comma, a
# line feed or the start, its value, and a quote before a comma, a line feed or the end (the
# first quote is matched first, for the search to go from quote to quote).
_SEPARATORS = (",", "\n")  # what a field quoted whole opens after (or the start) and closes before (or the end)
_WHOLE_QUOTED = re.compile(r'("(?<![^,\n]")[^"\n]*(?:""[^"\n]*)*"(?![^,\n]))')


def fold(text: str) -> str:
    """A column name or label compared loosely: case, spaces and punctuation ignored."""
    return _FOLD.sub(" ", text.casefold()).strip()


def csv_rows(text: str) -> Iterator[tuple[int, list[tuple[str, int]]]]:
    """Each record of a CSV text as (line, [(value, column), ...]), columns 1-based.

    Written by hand rather than with the csv module alone because error messages need the
    column where each field starts, which the csv module does not report.
    """
    for line, values, start in csv_records(text):
        yield line, list(zip(values, record_columns(text, start, values), strict=True))


def record_columns(text: str, start: int, values: list[str]) -> list[int]:
    """The column (1-based) where each field of the record at `start` begins, `values` being
    its values: worked out when a problem or a place asks, not for every record read."""
    end = text.find("\n", start)
    body = text[start : end if end >= 0 else len(text)].rstrip("\r")
    columns = []
    if '"' not in body:
        column = 1
        for value in values:
            columns.append(column)
            column += len(value) + 1
        return columns
    if _PLAIN_QUOTED.match(body):  # each field quoted whole or not at all: its length is known
        position = 0
        for value in values:
            columns.append(position + 1)
            quoted = position < len(body) and body[position] == '"'
            position += (len(value) + value.count('"') + 2 if quoted else len(value)) + 1
        return columns
    return _quoted_record(text, start, 1)[1]


def field_column(text: str, start: int, values: list[str], position: int) -> int:
    """The column where field `position` of the record at `start` begins (`record_columns`
    for one field). A record without a quote has its first quote, if it had one, before the
    end of its values laid end to end: one search tells the two kinds apart."""
    if text.find('"', start, start + sum(map(len, values)) + len(values)) < 0:
        return sum(map(len, values[:position])) + position + 1
    return record_columns(text, start, values)[position]


def csv_columns(text: str) -> tuple[Sequence[int], list[list[str]], dict[str, str]] | None:
    """The records of a CSV text as `csv_records` reads them, a column at a time and at C
    speed: (line numbers, a list of values per field, the values of tokens), the i-th of each
    list the same record; a field quoted whole is given as a token, its value in the last
    (`restore.get(value, value)` is the value read, worked out by the reader only for the
    distinct values it reads). None where a record may span lines or be read otherwise by
    `csv_records` (a lone carriage return, or a quote in a line that is not each field quoted
    whole or not at all), or a record's fields are not as many as the first's, or one field
    wide: read that text with `csv_records`. Where a field begins is worked out when asked,
    from its line (`line_field_column`).

    Such a text is split at its line feeds (a carriage return before one dropped), empty
    lines left out as there. Each field quoted whole is replaced by a token without a comma
    (few texts are quoted, like a measure's description, each many times) and the text split
    at its commas all at once."""
    if "\r" in text:
        if text.count("\r") != text.count("\r\n"):
            return None
        text = text.replace("\r\n", "\n")
    plain = text
    restore: dict[str, str] = {}
    if '"' in text:
        # The tokens' mark. (`find`, not `in`: over a text held two bytes a character, as a
        # text with a character beyond Latin-1 is, `in` took twice as long, in CPython 3.11.)
        if text.find("\0") >= 0:
            return None
        pieces = text.split('"')
        if _whole_fields(pieces):  # (the common case, told without a regular expression)
            quoted = pieces[1::2]
            token_of = {field: f"\0{number}\0" for number, field in enumerate(dict.fromkeys(quoted))}
            pieces[1::2] = map(token_of.__getitem__, quoted)
            plain = "".join(pieces)
            restore = {token: field for field, token in token_of.items()}
        else:
            pieces = _WHOLE_QUOTED.split(text)
            quoted = pieces[1::2]
            token_of = {field: f"\0{number}\0" for number, field in enumerate(dict.fromkeys(quoted))}
            pieces[1::2] = map(token_of.__getitem__, quoted)
            plain = "".join(pieces)
            if '"' in plain:  # a quote that is not a whole field's: read by csv_records
                return None
            restore = {token: field[1:-1].replace('""', '"') for field, token in token_of.items()}
    # (A token is never empty: a line is empty in `plain` where it is in `text`.)
    if plain.endswith("\n"):  # the line feed ending the last line
        plain = plain[:-1]
    if not plain or plain[0] == "\n" or plain[-1] == "\n":
        return _columns_by_line(plain, restore)  # empty lines, left out
    header_end = plain.find("\n")
    width = plain.count(",", 0, header_end if header_end >= 0 else len(plain)) + 1
    count = plain.count("\n") + 1
    values = plain.split(",")
    # Split at commas alone, the end of one record and the start of the next are one value.
    # Every record is `width` fields wide where the line feeds are exactly in every
    # (width-1)-th value: as many such values as line feeds, each holding one. A text read so
    # has no empty line (two line feeds in a row would be in one value), so the search for
    # one, as long as the split, is made only of a text not read so.
    joined = values[width - 1 : -1 : width - 1] if width > 1 else []
    if (
        width == 1
        or len(values) != count * (width - 1) + 1
        or not all(map(str.__contains__, joined, repeat("\n")))
    ):
        return _columns_by_line(plain, restore) if "\n\n" in plain else None  # empty lines, left out
    ends = "\n".join(joined).split("\n") if joined else []  # a record's last field, the next one's first, ...
    columns = [[values[0], *ends[1::2]]]
    columns.extend(values[position :: width - 1] for position in range(1, width - 1))
    del ends[1::2]
    ends.append(values[-1])
    columns.append(ends)
    return range(1, count + 1), columns, restore


def _whole_fields(pieces: list[str]) -> bool:
    """Whether a text split at its quotes (`pieces`) quotes only whole fields, none with a
    doubled quote or a line break: each quoted value (an odd piece) opens after the start, a
    comma or a line feed and closes before a comma, a line feed or the end. Such a text's
    fields quoted whole are its odd pieces, values as they are."""
    if len(pieces) % 2 == 0:
        return False  # a quote left open
    outside = pieces[0::2]
    between = outside[1:-1]
    return (
        "\n" not in "".join(pieces[1::2])
        and (outside[0] == "" or outside[0].endswith(_SEPARATORS))
        and (outside[-1] == "" or outside[-1].startswith(_SEPARATORS))
        and all(map(str.startswith, between, repeat(_SEPARATORS)))
        and all(map(str.endswith, between, repeat(_SEPARATORS)))
    )


def _columns_by_line(
    plain: str, restore: dict[str, str]
) -> tuple[Sequence[int], list[list[str]], dict[str, str]] | None:
    """`csv_columns` of a text with empty lines (`plain`: its quoted fields as tokens, the
    line feed ending it dropped), split into lines first to leave them out."""
    lines = plain.split("\n")
    numbers: Sequence[int] = [number for number, line in enumerate(lines, start=1) if line]
    lines = [line for line in lines if line]
    if not lines:
        return None
    width = lines[0].count(",") + 1
    if width == 1 or set(map(str.count, lines, repeat(","))) != {width - 1}:
        return None
    values = ",".join(lines).split(",")
    return numbers, [values[position::width] for position in range(width)], restore


def text_lines(text: str) -> list[str]:
    """The lines of a text as `csv_columns` numbers them (line n the (n-1)-th), without their
    carriage returns, for `line_field_column`."""
    return text.replace("\r\n", "\n").split("\n")


def line_field_column(line: str, position: int) -> int:
    """The column where field `position` begins in a line of a text `csv_columns` reads (a
    record of one line, its fields quoted whole or not at all), as `record_columns` gives
    it: worked out only for a place asked for."""
    if '"' not in line:  # after the field's `position`-th comma
        end = -1
        for _ in range(position):
            end = line.index(",", end + 1)
        return end + 2
    return record_columns(line, 0, next(csv.reader((line,))))[position]


def csv_records(text: str) -> Iterator[tuple[int, list[str], int]]:
    """Each record of a CSV text as (line, values, start): `start` is where the record begins
    in `text`, for `record_columns`.

    A line without a quote is split as it is, and a line with quotes that close on it is read
    by the csv module, both at C speed; a record whose quoted field holds a line break, or a
    line with a lone carriage return, is read character by character (`_quoted_record`).
    Records end at a line feed, a carriage return or both; empty records are skipped.
    """
    line = 1
    position = 0
    size = len(text)
    while position < size:
        end = text.find("\n", position)
        if end < 0:
            end = size
        body = text[position:end]
        cut = body.find("\r")
        if cut < 0 or cut == len(body) - 1:  # no carriage return but the line's end
            if cut >= 0:
                body = body[:cut]
            if '"' not in body:
                if body:
                    yield line, body.split(","), position
                line += 1
                position = end + 1
                continue
            if _PLAIN_QUOTED.match(body):
                values = next(csv.reader((body,)))
                if values != [""]:
                    yield line, values, position
                line += 1
                position = end + 1
                continue
        record_line = line
        start = position
        values, _, position, line = _quoted_record(text, position, line)
        if values != [""]:
            yield record_line, values, start


def _quoted_record(text: str, position: int, line: int) -> tuple[list[str], list[int], int, int]:
    """One record from `position`, character by character: its values, the columns where
    they start, the position after it and the line after it."""
    size = len(text)
    values: list[str] = []
    columns: list[int] = []
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
            values.append("".join(chunk))
        else:
            end = position
            while end < size and text[end] not in ",\r\n":
                end += 1
            values.append(text[position:end])
            position = end
        columns.append(column)
        if position < size and text[position] == ",":
            position += 1
            continue
        break
    if position < size and text[position] == "\r":
        position += 1
    if position < size and text[position] == "\n":
        position += 1
    return values, columns, position, line + 1


# --- region membership -----------------------------------------------------------------
def parse_cell(value: str) -> Any:
    """A spreadsheet cell as a value: true/false, a number, or text (typed by the catalogue later)."""
    lowered = value.strip().lower()
    if lowered in ("true", "yes"):
        return True
    if lowered in ("false", "no"):
        return False
    cleaned = value.strip().replace(",", "") if re.fullmatch(r"-?[\d,]+(\.\d+)?", value.strip()) else value.strip()
    try:
        return int(cleaned)
    except ValueError:
        pass
    try:
        number = float(cleaned)
    except ValueError:
        return value.strip()
    return number


# --- merging and choosing the year -----------------------------------------------------
# --- wide and long tables: CSV and Excel -----------------------------------------------


def read_wide_csv(file: Path, problems: Problems, **_: Any) -> list[Any]:
    """One row per authority and year; a column per fact id; `authority`, `code`, `year`."""
    shown = display_path(file)
    text = read_text(file, problems)
    if text is None or _other_separator(shown, text, problems):
        return []
    return wide_records(shown, csv_rows(text), problems)


def _other_separator(shown: str, text: str, problems: Problems) -> bool:
    """A file separated by ';' or tabs (as spreadsheets save it in some countries) is said to be
    so, not misread as a table of one column: its decimal commas would be misread too."""
    first = text.split("\n", 1)[0]
    for separator, name in ((";", "';'"), ("\t", "tabs")):
        if separator in first and "," not in first:
            problems.add(
                shown, 1, 1, f"the fields of this file are separated by {name}, not commas",
                hint="save it as CSV UTF-8, with commas between fields and points in decimals",
            )
            return True
    return False


def read_long_csv(file: Path, problems: Problems, **_: Any) -> list[Any]:
    """One row per fact: `authority, code (optional), year, fact, value` (and optionally
    `source` and `note`)."""
    shown = display_path(file)
    text = read_text(file, problems)
    if text is None or _other_separator(shown, text, problems):
        return []
    return long_records(shown, csv_rows(text), problems)


def open_workbook(file: Path, shown: str, problems: Problems) -> Any:
    """An Excel workbook opened read-only, or None with the reason added to `problems` (no
    openpyxl, or not a workbook). The caller closes it."""
    try:
        import openpyxl
    except ImportError:
        problems.add(shown, 1, 1, "reading Excel .xlsx files needs openpyxl, which is not installed", hint=XLSX_HINT)
        return None
    try:
        return openpyxl.load_workbook(file, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many types for a file that is not a workbook
        problems.add(shown, 1, 1, f"cannot read as an Excel .xlsx workbook: {error}")
        return None


def read_xlsx(file: Path, problems: Problems, **_: Any) -> list[Any]:
    """The first sheet of an Excel workbook, in the wide layout (or the long one, told by its
    header). Locations are the sheet's row and column numbers (column C is 3)."""
    shown = display_path(file)
    workbook = open_workbook(file, shown, problems)
    if workbook is None:
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
    if rows and {"fact", "value"} <= {fold(str(value)) for value, _ in rows[0][1]}:
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


def blank(value: Any) -> bool:
    return isinstance(value, str) and value.strip() == ""


def _good_year(shown: str, line: int, column: int, value: Any, problems: Problems) -> str | None:
    year = value.strip() if isinstance(value, str) else str(value)
    wrong = year_problem(year)
    if wrong is not None:
        problems.add(shown, line, column, wrong[0], hint=wrong[1])
        return None
    return year


def read_header(
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


def fit(
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
        extra = [(value, column) for value, column in fields[width:] if not blank(value)]
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
    started = read_header(shown, rows, problems)
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
        record = new_record(authority, code or None, year, Location(shown, line, 1))
        for name, (value, column) in row.items():
            if name in ("authority", "code", "year") or blank(value):
                continue
            record.facts[name] = _typed(value)
            record.fact_locations[name] = Location(shown, line, column)
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
        if all(blank(value) for value, _ in raw):
            continue
        fields = fit(shown, line, raw, len(names), problems, strict=strict_width)
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
    started = read_header(shown, rows, problems)
    if started is None:
        return []
    header_line, header, body = started
    names = [fold(name) for name, _ in header]
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
    records: dict[tuple[str, str], Record] = {}
    given: dict[tuple[str, str, str], int] = {}
    for line, row, authority, year in _keyed_rows(shown, body, names, problems, strict_width):
        fact, fact_column = str(row["fact"][0]).strip(), row["fact"][1]
        if not fact:
            problems.add(shown, line, fact_column, "row has no fact id")
            continue
        value, value_column = row["value"]
        if blank(value):
            continue  # an empty value is a fact not given, as in a wide table
        code = str(row["code"][0]).strip() if "code" in row else ""
        key = (code or fold(authority), year)
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
            record = records[key] = new_record(authority, code or None, year, Location(shown, line, 1))
        record.facts[fact] = _typed(value)
        record.fact_locations[fact] = Location(shown, line, value_column)
        for extra, into in (("source", record.sources), ("note", record.notes)):
            if extra in row and not blank(row[extra][0]):
                into[fact] = str(row[extra][0]).strip()
    return list(records.values())


# --- comparator groups -----------------------------------------------------------------



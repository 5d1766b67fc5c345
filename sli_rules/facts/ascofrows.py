"""The rows of NHS England's ASCOF CSV, checked: each kept value with its place, a column per
field. Read one of two ways with the same rows and problems as the result: column by column
at C speed where each record is one line of fields quoted whole or not at all and no row has a
problem (the official file), each distinct year, level, code and measure checked once;
otherwise row by row, each problem reported at its place."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from itertools import compress, islice, repeat
from typing import Any, TypeVar, overload

import attrs

from ..errors import Problems
from ..rules.model import YEAR_PATTERN, year_start
from .tabular import NO_FIGURE, csv_columns, csv_records, field_column, fold, line_field_column, text_lines

_T = TypeVar("_T")
COUNCIL_CODE = re.compile(r"E(0[6-9]|10)\d{6}\Z")
MEASURE_CODE = re.compile(r"[0-9][A-Za-z0-9]*\Z")
ENGLAND_CODE = "E92000001"
LEVELS = ("council", "region", "england")
KINDS = ("outcome", "numerator", "denominator")
_SKIPPED_LEVEL = "council type"  # aggregates by type of council, not any one council


@attrs.frozen
class AscofRows:
    """The rows kept, a column per field: the i-th of each column is the i-th row kept."""

    lines: Sequence[int]
    years: Sequence[str]
    levels: Sequence[str]  # council, region, england
    codes: Sequence[str]  # England's own for its rows
    names: Sequence[str]
    measures: Sequence[str]  # in upper case
    values: Sequence[float]
    value_columns: Sequence[int]  # where each value begins in its line (`ValueColumns`)
    kinds: Sequence[str]  # outcome, numerator, denominator


class ValueColumns(Sequence[int]):
    """Where the value of each row kept begins in its line, worked out from the line when
    asked: a value's place is asked for only for a problem, and working out every row's
    (tens of thousands) took as long as reading the values."""

    __slots__ = ("_lines", "_numbers", "_position", "_text")

    def __init__(self, text: str, numbers: Sequence[int], position: int) -> None:
        self._text = text  # the file's text, split into its lines when a place is first asked
        self._numbers = numbers  # each row's line number
        self._position = position  # the value's field
        self._lines: list[str] | None = None

    @overload
    def __getitem__(self, index: int) -> int: ...

    @overload
    def __getitem__(self, index: slice) -> list[int]: ...

    def __getitem__(self, index: int | slice) -> int | list[int]:
        if isinstance(index, slice):
            return [self[one] for one in range(*index.indices(len(self)))]
        lines = self._lines
        if lines is None:
            lines = self._lines = text_lines(self._text)
        return line_field_column(lines[self._numbers[index] - 1], self._position)

    def __len__(self) -> int:
        return len(self._numbers)


class RestoredTexts(Sequence[str]):
    """A column's texts as read (`csv_columns`: a quoted text as its token), each restored and
    stripped when asked: an area's name is read only from a record's first row (about one row
    in twenty), and restoring every row's took a set and a pass over the column."""

    __slots__ = ("_column", "_restore")

    def __init__(self, column: Sequence[str], restore: dict[str, str]) -> None:
        self._column, self._restore = column, restore

    @overload
    def __getitem__(self, index: int) -> str: ...

    @overload
    def __getitem__(self, index: slice) -> list[str]: ...

    def __getitem__(self, index: int | slice) -> str | list[str]:
        if isinstance(index, slice):
            return [self[one] for one in range(*index.indices(len(self)))]
        value = self._column[index]
        return self._restore.get(value, value).strip()

    def __len__(self) -> int:
        return len(self._column)


def ascof_rows(shown: str, text: str, problems: Problems) -> AscofRows | None:
    """The file's rows of councils, regions and England: each value and its counts, checked
    (None for a file without a header, with its problem added)."""
    table = csv_columns(text)
    if table is not None:
        quick = quick_rows(text, *table)
        if quick is not None:
            return quick
    return careful_rows(shown, text, problems)


def _is_financial_year(year: str) -> bool:
    return bool(YEAR_PATTERN.match(year)) and int(year[5:]) == (year_start(year) + 1) % 100


def _positions(header: list[str]) -> tuple[int, int | None, int, int, int, int, int | None, int | None]:
    """Where the columns read are: year, area (optional), code, measure, value, level,
    breakdown (optional), measure type (optional)."""
    index = {fold(str(name)): position for position, name in enumerate(header)}
    return (
        index["year"], index.get("geographical description"), index["ons code"], index["measure group"],
        index["measure value"], index["geographical level"], index.get("disaggregation level"),
        index.get("measure type"),
    )


def careful_rows(shown: str, text: str, problems: Problems) -> AscofRows | None:
    """The rows read one at a time, every problem reported at its place.

    A national file repeats a few years, levels, measures and codes in every one of its tens
    of thousands of rows: each distinct text is read (folded, matched) once and remembered."""
    rows = csv_records(text)
    try:
        header_line, header, _ = next(rows)
    except StopIteration:
        problems.add(shown, 1, 1, "the CSV file is empty")
        return None
    year_at, area_at, code_at, measure_at, value_at, level_at, breakdown_at, type_at = _positions(header)
    width = len(header)
    kept: tuple[list[Any], ...] = ([], [], [], [], [], [], [], [], [])  # the fields of AscofRows, in order
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
        if level == _SKIPPED_LEVEL:
            continue
        if level not in LEVELS:
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
        if breakdown not in ("", "total") or kind not in KINDS:
            continue  # a breakdown, or a figure other than the value and its counts
        year = values[year_at].strip()
        good = good_years.get(year)
        if good is None:
            good = good_years[year] = _is_financial_year(year)
        if not good:
            problems.add(shown, line, column(year_at), f"year {year!r} is not a financial year like 2023-24")
            continue
        code = values[code_at].strip()
        if level == "council":
            good = good_codes.get(code)
            if good is None:
                good = good_codes[code] = bool(COUNCIL_CODE.match(code))
            if not good:
                problems.add(
                    shown,
                    line,
                    column(code_at),
                    f"{code!r} is not a council's ONS code (E06, E08, E09 or E10 and six digits)",
                )
                continue
        elif level == "england":
            code = ENGLAND_CODE
        measure = values[measure_at].strip()
        good = good_measures.get(measure)
        if good is None:
            good = good_measures[measure] = bool(MEASURE_CODE.match(measure))
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
        for into, one in zip(
            kept,
            (line, year, level, code, values[area_at].strip() if area_at is not None else "", upper, value,
             column(value_at), kind),
            strict=True,
        ):
            into.append(one)
    return AscofRows(*kept)


def quick_rows(
    text: str, numbers: Sequence[int], columns: list[list[str]], restore: dict[str, str]
) -> AscofRows | None:
    """The rows of `text` read column by column (`csv_columns`: quoted values as tokens, their
    values in `restore`), or None where the careful reading is needed: no rows, or a row with any
    problem (which that reading reports at its place).

    Every check of the careful reading is made of each distinct text: a row's level, type,
    breakdown, code and year (its area: a national file has a few thousand in tens of thousands
    of rows) are read and checked once for the area, a measure once; values are read by
    `float` over the column, and where that fails value by value as the careful reading does."""
    count = len(numbers) - 1
    if count < 1:
        return None
    year_at, area_at, code_at, measure_at, value_at, level_at, breakdown_at, type_at = _positions(
        [restore.get(column[0], column[0]) for column in columns]
    )

    def text_of(value: str) -> str:
        """A distinct value's text, stripped."""
        return restore.get(value, value).strip()

    def field(position: int | None) -> list[str]:
        return columns[position][1:] if position is not None else [""] * count

    def streamed(position: int | None) -> Iterator[str]:
        """A field's values as they are read once (no copy of the column made)."""
        return islice(columns[position], 1, None) if position is not None else repeat("", count)

    # Each row's area as written (level, type, breakdown, code, year), numbered by its first
    # row; each area read once: whether its rows are read (a known level other than a type of
    # council, no breakdown, a value or its counts; an unknown level is a problem), its year
    # (a financial year), its council's code, and the area it is once folded (`same_as`: two
    # ways of writing one area share the first's number, for the check of measures given twice).
    first_of: dict[tuple[str, ...], int] = {}
    area_of_row = list(map(first_of.setdefault, zip(
        streamed(level_at), streamed(type_at), streamed(breakdown_at), streamed(code_at), streamed(year_at), strict=True
    ), range(count)))
    read_of: dict[int, bool] = {}
    year_of: dict[int, str] = {}
    level_of: dict[int, str] = {}
    code_of: dict[int, str] = {}
    kind_of: dict[int, str] = {}
    same_as: dict[int, int] = {}
    folded: dict[tuple[str, str, str, str], int] = {}
    folds: dict[str, str] = {}  # each distinct text of a level, type or breakdown, folded
    good: dict[tuple[str, str], bool] = {}  # each distinct year, and council code, checked

    def folded_text(text: str) -> str:
        word = folds.get(text)
        if word is None:
            word = folds[text] = fold(text_of(text))
        return word

    for (level_text, type_text, breakdown_text, code_text, year_text), area in first_of.items():
        level = folded_text(level_text)
        if level not in LEVELS and level != _SKIPPED_LEVEL:
            return None
        kind = folded_text(type_text) or "outcome"
        read = read_of[area] = (
            level != _SKIPPED_LEVEL and kind in KINDS and folded_text(breakdown_text) in ("", "total")
        )
        if not read:
            continue
        year, code = text_of(year_text), text_of(code_text)
        checks = [("year", year), ("council", code)] if level == "council" else [("year", year)]
        for check in checks:
            fine = good.get(check)
            if fine is None:
                fine = good[check] = (
                    _is_financial_year(year) if check[0] == "year" else bool(COUNCIL_CODE.match(code))
                )
            if not fine:
                return None
        if level == "england":
            code = ENGLAND_CODE
        year_of[area], level_of[area], code_of[area], kind_of[area] = year, level, code, kind
        same_as[area] = folded.setdefault((year, level, code, kind), area)
    chosen = None if all(read_of.values()) else list(map(read_of.__getitem__, area_of_row))

    def only(column: list[_T]) -> list[_T]:
        return column if chosen is None else list(compress(column, chosen))

    measure_texts = only(field(measure_at))
    measure_of = {text: text_of(text) for text in set(measure_texts)}
    if not all(map(MEASURE_CODE.match, measure_of.values())):
        return None
    # The values: a column of numbers is read at once; any other, value by value, leaving
    # out those with no figure (no text of NO_FIGURE reads as a number, so a column read at
    # once has none of them).
    value_texts = only(field(value_at))
    given: list[bool] | None = None
    try:  # (float reads a number between spaces, as str.strip leaves it)
        # Each distinct text read once: a national file writes a few thousand distinct values
        # in tens of thousands of rows, and a set of them is made faster than each is read.
        number_of = {text: float(text) for text in set(value_texts)}
        values = list(map(number_of.__getitem__, value_texts))
    except ValueError:
        given, values = [], []
        for raw in map(text_of, value_texts):
            figure = raw.casefold() not in NO_FIGURE
            given.append(figure)
            if figure:
                try:
                    values.append(float(raw.replace(",", "")))
                except ValueError:
                    return None
        if all(given):
            given = None

    def kept(column: list[_T]) -> list[_T]:
        return column if given is None else list(compress(column, given))

    areas = kept(only(area_of_row))
    upper_of = {text: measure.upper() for text, measure in measure_of.items()}
    measures = list(map(upper_of.__getitem__, kept(measure_texts)))
    # No measure given twice for one area, year and kind: told by the hashes of (area once
    # folded, measure), which differ for keys that differ (keys that share a hash, nearly
    # never, are left to the careful reading, which tells a true duplicate from a clash).
    # Hashes are not tracked by the garbage collector, as tens of thousands of kept keys would be.
    if len(set(map(hash, zip(map(same_as.__getitem__, areas), measures, strict=True)))) != len(areas):
        return None
    names = kept(only(field(area_at))) if area_at is not None else [""] * len(areas)
    lines = _pick(numbers[1:], _selected(chosen, given))
    return AscofRows(
        lines=lines,
        years=list(map(year_of.__getitem__, areas)),
        levels=list(map(level_of.__getitem__, areas)),
        codes=list(map(code_of.__getitem__, areas)),
        names=RestoredTexts(names, restore),
        measures=measures,
        values=values,
        value_columns=ValueColumns(text, lines, value_at),
        kinds=list(map(kind_of.__getitem__, areas)),
    )


def _selected(chosen: list[bool] | None, given: list[bool] | None) -> list[bool] | None:
    """Which rows are kept: those read (`chosen`, None if all) with a figure (`given`, of the
    rows read; None if all)."""
    if given is None:
        return chosen
    if chosen is None:
        return given
    selected = list(chosen)
    for position, figure in zip(compress(range(len(chosen)), chosen), given, strict=True):
        selected[position] = figure
    return selected


def _pick(column: Sequence[_T], selected: list[bool] | None) -> list[_T]:
    return list(column) if selected is None else list(compress(column, selected))

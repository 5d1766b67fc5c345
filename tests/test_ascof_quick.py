"""The ASCOF reader's quick reading, column by column, gives exactly what the careful reading,
row by row, gives: the same rows, records, facts, places, counts and problems, on generated
ASCOF-like files (quoted names with commas, bad rows, breakdowns, counts, duplicates, CRLF)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import sli_rules
from sli_rules.errors import Problems
from sli_rules.facts.ascof import ascof_records
from sli_rules.facts.ascofrows import AscofRows, ValueColumns, ascof_rows, careful_rows, quick_rows
from sli_rules.facts.factset import ALL_YEARS
from sli_rules.facts.tabular import csv_columns

HEADER = [
    "Year", "Geographical Description", "ONS Code", "Measure Group", "Measure Group Description",
    "Measure_Value", "Geographical Level", "Disaggregation Level", "Measure Type",
]
# Each field's good texts (any of which a clean file may hold) and bad ones.
GOOD = {
    "Year": ["2022-23", "2023-24", " 2023-24", "2021-22"],
    "Geographical Description": ["Halton", '"Bristol, City of"', '"Say ""hi"""', " Wirral ", ""],
    "ONS Code": ["E06000006", "E08000015", " E09000002", "E10000017"],
    "Measure Group": ["1A", "2C", "1c1a", " 2A "],
    "Measure Group Description": ["QoL", '"adults, all"', ""],
    "Measure_Value": ["18.9", "[c]", "7", " 3.5 ", "-1", "", "1e3", '"1,234"', "x"],
    "Geographical Level": ["Council", "council", "Council Type", "Council type"],
    "Disaggregation Level": ["Total", "", "Age 65+"],
    "Measure Type": ["Outcome", "Numerator", "Denominator", "", "Other"],
}
AREAS = [("Region", "E12000002"), ("England", ""), ("Region", "E12000007")]
BAD = {
    "Year": ["2023-4", "2023/24"],
    "ONS Code": ["Halton", "E12000002"],
    "Measure Group": ["#", "A1"],
    "Measure_Value": ["lots", '"1.2.3"'],
    "Geographical Level": ["Ward"],
}


@st.composite
def ascof_texts(draw: Any) -> tuple[str, bool]:
    """An ASCOF-like file, and whether it was drawn clean (no row with a problem)."""
    clean = draw(st.booleans())
    header = HEADER if draw(st.booleans()) else HEADER[:7]  # the optional columns, or not
    rows = []
    for _ in range(draw(st.integers(0, 12))):
        fields = {name: draw(st.sampled_from(GOOD[name])) for name in header}
        if draw(st.integers(0, 3)) == 0:  # a region's or England's row
            fields["Geographical Level"], fields["ONS Code"] = draw(st.sampled_from(AREAS))
        if not clean and draw(st.integers(0, 2)) == 0:
            name = draw(st.sampled_from(sorted(BAD)))
            fields[name] = draw(st.sampled_from(BAD[name]))
        values = [fields[name] for name in header]
        if not clean and draw(st.integers(0, 8)) == 0:
            values = values[: draw(st.integers(0, len(values) - 1))]  # too few fields
        rows.append(",".join(values))
        if draw(st.integers(0, 5)) == 0:
            rows.append(rows[-1])  # the same row again
    if not clean and draw(st.integers(0, 5)) == 0:
        rows.insert(draw(st.integers(0, len(rows))), "")  # a blank line
    ending = draw(st.sampled_from(["\n", "\r\n"]))
    text = ending.join([",".join(header), *rows]) + draw(st.sampled_from(["", ending]))
    if not clean and draw(st.integers(0, 6)) == 0:
        text += ("" if text.endswith(ending) else ending) + '2023-24,"two\nlines",E06000006,1A,QoL,1,Council,Total,Outcome'
        # a record over two lines
    return text, clean


def _rows(found: AscofRows | None) -> Any:
    """The rows as plain lists (either reading may keep a column as another sequence)."""
    if found is None:
        return None
    return {field.name: list(getattr(found, field.name)) for field in attrs.fields(AscofRows)}


def _read(rows: AscofRows | None, problems: Problems) -> tuple[list[Any], list[Any]]:
    records = [] if rows is None else ascof_records("f.csv", rows, problems, years=[ALL_YEARS])
    return records, [str(problem) for problem in problems.items]


@settings(max_examples=600, deadline=None)
@given(ascof_texts())
def test_the_quick_reading_gives_what_the_careful_reading_gives(drawn: tuple[str, bool]) -> None:
    text, clean = drawn
    careful_problems, either_problems = Problems(), Problems()
    careful = careful_rows("f.csv", text, careful_problems)
    either = ascof_rows("f.csv", text, either_problems)
    assert _rows(either) == _rows(careful)
    columns = csv_columns(text)
    quick = None if columns is None else quick_rows(text, *columns)
    if quick is not None:  # only where the careful reading finds no problem
        assert _rows(quick) == _rows(careful) and not careful_problems.items
    elif clean:  # a file without a problem is read the quick way, quoted, CRLF or not
        assert len(text.splitlines()) < 2 or _duplicates(careful_problems)
    records, problems = _read(either, either_problems)
    assert (records, problems) == _read(careful, careful_problems)


def _duplicates(problems: Problems) -> bool:
    return any("is given twice" in problem.message for problem in problems.items)


OFFICIAL = Path(os.environ.get(
    "SLI_RULES_ASCOF", Path(__file__).resolve().parents[2] / "shared" / "data" / "ascof" / "ascof-trend-2017-18-to-2023-24.csv"
))
needs_official = pytest.mark.skipif(not OFFICIAL.exists(), reason="the official ASCOF file is not here")


@needs_official
def test_the_official_file_is_read_quickly_with_the_careful_readings_places() -> None:
    """Every value of the official file placed when asked, as the careful reading placed it
    as it read (the records compared whole: facts, names, places)."""
    text = OFFICIAL.read_text(encoding="utf-8-sig")
    quick_problems, careful_problems = Problems(), Problems()
    quick = ascof_rows("f.csv", text, quick_problems)
    assert quick is not None and isinstance(quick.value_columns, ValueColumns)
    careful = careful_rows("f.csv", text, careful_problems)
    assert list(quick.value_columns) == list(careful.value_columns)  # type: ignore[union-attr]
    records, problems = _read(quick, quick_problems)
    assert (records, problems) == _read(careful, careful_problems)
    assert len(records) > 1000


@needs_official
def test_assessing_the_official_file_works_out_no_place(monkeypatch: pytest.MonkeyPatch) -> None:
    """Reading, binding and assessing every council of the official file asks for no value's
    place: each is worked out from its line only for a problem."""
    from sli_rules.facts import ascofrows

    asked: list[int] = []
    real = ascofrows.line_field_column

    def counted(line: str, position: int) -> int:
        asked.append(position)
        return real(line, position)

    monkeypatch.setattr(ascofrows, "line_field_column", counted)
    assessed = sli_rules.Engine().assess(OFFICIAL)
    assert len(assessed) > 100 and all(item.flags is not None for item in assessed)
    assert asked == []
    # (and a place, once asked, is worked out through the same function)
    rows = ascof_rows("f.csv", OFFICIAL.read_text(encoding="utf-8-sig"), Problems())
    assert rows is not None and rows.value_columns[0] > 1 and asked

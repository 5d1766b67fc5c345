"""The CSV tokenizer: lines read at C speed give exactly what reading character by character
gives, values and the columns where they start, on any text."""

from __future__ import annotations

from collections.abc import Iterator

from hypothesis import given, settings
from hypothesis import strategies as st

from sli_rules.facts.tabular import (
    _quoted_record,
    csv_columns,
    csv_records,
    csv_rows,
    field_column,
    line_field_column,
    record_columns,
    text_lines,
)

# The characters that matter to CSV, and a little else.
TEXT = st.lists(st.sampled_from(["a", "b", " ", ",", '"', '""', "\n", "\r", "\r\n", "é"]), max_size=40).map("".join)


def by_character(text: str) -> Iterator[tuple[int, list[tuple[str, int]]]]:
    """The reference: every record read character by character."""
    line, position = 1, 0
    while position < len(text):
        record_line = line
        values, columns, position, line = _quoted_record(text, position, line)
        if values != [""]:
            yield record_line, list(zip(values, columns, strict=True))


@settings(max_examples=3000, deadline=None)
@given(TEXT)
def test_the_quick_tokenizer_reads_as_the_character_by_character_one(text: str) -> None:
    assert list(csv_rows(text)) == list(by_character(text))
    for _, values, start in csv_records(text):
        columns = record_columns(text, start, values)
        assert [field_column(text, start, values, position) for position in range(len(values))] == columns


def test_quoted_fields_keep_their_commas_quotes_and_line_breaks() -> None:
    text = 'name,note,value\r\n"Bristol, City of","said ""no""",1\n"two\nlines",x,2\nplain,,3'
    assert list(csv_rows(text)) == [
        (1, [("name", 1), ("note", 6), ("value", 11)]),
        (2, [("Bristol, City of", 1), ('said "no"', 20), ("1", 34)]),
        (3, [("two\nlines", 1), ("x", 8), ("2", 10)]),  # columns of the line it ends on
        (5, [("plain", 1), ("", 7), ("3", 8)]),
    ]


@settings(max_examples=3000, deadline=None)
@given(TEXT)
def test_the_column_reading_reads_as_the_tokenizer(text: str) -> None:
    """Where the text can be read a column at a time, its records, lines and places are the
    tokenizer's; where it cannot, a record spans lines, a carriage return stands alone, a
    quote is not a whole field's, or the records are not all as wide as the first, or one
    field wide."""
    records = list(csv_records(text))
    found = csv_columns(text)
    if found is None:
        widths = {len(values) for _, values, _ in records}
        assert "\r" in text or '"' in text or len(widths) > 1 or widths == {1} or not records
        return
    numbers, columns, restore = found
    assert list(numbers) == [line for line, _, _ in records]
    read = [[restore.get(value, value) for value in column] for column in columns]
    assert [list(row) for row in zip(*read, strict=True)] == [values for _, values, _ in records]
    lines = text_lines(text)
    for position in range(len(columns)):
        assert [line_field_column(lines[number - 1], position) for number in numbers] == [
            record_columns(text, start, values)[position] for _, values, start in records
        ]

"""Spreadsheet-shaped fact sources: which reader takes a file, and CSV with columns located."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

Reader = Callable[..., list[Any]]


def reader_for(file: Path) -> Reader | None:
    """The reader for a spreadsheet-shaped file, or None for YAML and JSON documents."""
    from .facts import read_wide_csv

    if file.suffix.lower() == ".csv":
        return read_wide_csv
    return None


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

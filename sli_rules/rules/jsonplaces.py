"""Where values were written in a JSON text, found at the json module's C speed.

`find_places` (yamlread) finds places by reading a document's YAML events, which for a region
file of tens of megabytes means millions of events made in Python. A JSON text is walked here
instead: down the places asked for, every other value passed over by the json module's own
scanner. The places are those the YAML reading gives (a test holds them to it); a text whose
lines YAML would count differently (a carriage return, a tab, or a Unicode line break
anywhere in it) is left to `find_places`, as is a text this walk cannot follow. A JSON text
that PyYAML cannot read (an escaped surrogate pair, a control character) is placed in full
here, where the YAML reading placed only what came before the character it stopped at.
"""

from __future__ import annotations

import json
import json.decoder
import json.scanner
import re
from collections.abc import Callable
from typing import Any

from ..errors import Where

# Characters around which YAML counts lines or columns otherwise than by "\n" alone.
_OTHER_BREAKS = ("\r", "\t", "\x85", "\u2028", "\u2029")
_SPACE = re.compile(r"[ \n]*")
# The json module's own C functions (typeshed knows neither by these types): a string's text
# and end, and any value with its end.
_scanstring: Callable[[str, int], tuple[str, int]] = json.decoder.scanstring  # type: ignore[attr-defined]
_skip_value: Callable[[str, int], tuple[Any, int]] = json.scanner.make_scanner(
    json.JSONDecoder()  # type: ignore[arg-type]
)


class _NotFollowed(Exception):
    """The text is not JSON this walk can follow: the YAML reading decides."""


def find_json_places(
    text: str, wanted: set[Where]
) -> tuple[dict[Where, tuple[int, int]], dict[Where, tuple[int, int]]] | None:
    """The line and column of the values (and of the keys naming them) at the places
    `wanted` (each with every place above it) in a JSON text; None when the text is one to
    read as YAML events instead (see the module's words)."""
    if any(mark in text for mark in _OTHER_BREAKS):
        return None
    values: dict[Where, int] = {}
    keys: dict[Where, int] = {}
    try:
        end = _walk(text, _SPACE.match(text, 0).end(), (), wanted, values, keys)  # type: ignore[union-attr]
    except (_NotFollowed, StopIteration, ValueError, IndexError, RecursionError):
        return None
    if _SPACE.match(text, end).end() != len(text):  # type: ignore[union-attr]
        return None
    spots = _lines_and_columns(text, {*values.values(), *keys.values()})
    return ({where: spots[at] for where, at in values.items()}, {where: spots[at] for where, at in keys.items()})


def _walk(
    text: str, start: int, where: Where, wanted: set[Where], values: dict[Where, int], keys: dict[Where, int]
) -> int:
    """Record the place of the value starting at `start` (a wanted place, `where`), and of
    the wanted places inside it; the offset just after the value."""
    values.setdefault(where, start)
    opening = text[start]
    if opening == "{":
        at = _SPACE.match(text, start + 1).end()  # type: ignore[union-attr]
        if text[at] == "}":
            return at + 1
        while True:
            if text[at] != '"':
                raise _NotFollowed
            key, after = _scanstring(text, at + 1)
            colon = _SPACE.match(text, after).end()  # type: ignore[union-attr]
            if text[colon] != ":":
                raise _NotFollowed
            begins = _SPACE.match(text, colon + 1).end()  # type: ignore[union-attr]
            inner = (*where, key)
            if inner in wanted:
                keys.setdefault(inner, at)
                ends = _walk(text, begins, inner, wanted, values, keys)
            else:
                ends = _skip(text, begins)
            at = _SPACE.match(text, ends).end()  # type: ignore[union-attr]
            if text[at] == "}":
                return at + 1
            if text[at] != ",":
                raise _NotFollowed
            at = _SPACE.match(text, at + 1).end()  # type: ignore[union-attr]
    if opening == "[":
        at = _SPACE.match(text, start + 1).end()  # type: ignore[union-attr]
        if text[at] == "]":
            return at + 1
        index = 0
        while True:
            inner = (*where, index)
            ends = _walk(text, at, inner, wanted, values, keys) if inner in wanted else _skip(text, at)
            index += 1
            at = _SPACE.match(text, ends).end()  # type: ignore[union-attr]
            if text[at] == "]":
                return at + 1
            if text[at] != ",":
                raise _NotFollowed
            at = _SPACE.match(text, at + 1).end()  # type: ignore[union-attr]
    return _skip(text, start)


def _skip(text: str, start: int) -> int:
    """The offset just after the JSON value starting at `start`, read by the C scanner."""
    return _skip_value(text, start)[1]


def _lines_and_columns(text: str, offsets: set[int]) -> dict[int, tuple[int, int]]:
    """The line and column (from 1) of each offset, in one sweep of the text."""
    found: dict[int, tuple[int, int]] = {}
    line, line_start, previous = 1, 0, 0
    for offset in sorted(offsets):
        breaks = text.count("\n", previous, offset)
        if breaks:
            line += breaks
            line_start = text.rfind("\n", previous, offset) + 1
        found[offset] = (line, offset - line_start + 1)
        previous = offset
    return found

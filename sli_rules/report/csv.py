"""CSV: one row per verdict, flag value and gap, safe to open in a spreadsheet.

A text cell that a spreadsheet would run as a formula (one starting with `=`, `+`, `-`, `@`, a
tab or a carriage return) gets a leading single quote, as OWASP recommends for CSV injection,
and control characters are shown visibly. Numbers are written as numbers: the `value` column
holds a flag's numeric values unquoted, so that `-8.5` stays a number a spreadsheet can sum;
only text cells are neutralised, and a number that comes as text (a council name "-1") is text.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from ..words import visible
from .common import Stream, show
from .view import build
from .viewmodel import AuthorityView

if TYPE_CHECKING:
    from ..assessment.results import AuthorityAssessment, RegionAssessment

HEADER = (
    "authority",
    "code",
    "year",
    "level",
    "tier",
    "status",
    "record",
    "trigger",
    "heading",
    "signal",
    "counted",
    "says",
    "missing",
    "fact",
    "value",
)
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell(value: Any) -> str:
    """One CSV cell: numbers as they are, text visible and never a formula."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return show(value) if isinstance(value, float) else str(value)
    text = value if isinstance(value, str) else show(value)
    if text.startswith(_FORMULA_STARTS):
        text = "'" + text
    return visible(text)


def render_csv(result: RegionAssessment) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(HEADER)
    for item in build(result).assessments:
        writer.writerows(_rows(item))
    return buffer.getvalue()


def csv_chunks(stream: Stream, items: Iterable[AuthorityAssessment] | None = None) -> Iterator[str]:
    """The text `render_csv` gives for the same region, one assessment at a time (`items`:
    the stream's assessments as the caller passes them on, by default the stream itself)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(HEADER)
    yield buffer.getvalue()
    for assessment in stream if items is None else items:
        one = _One(stream, assessment.to_dict())
        buffer.seek(0)
        buffer.truncate()
        for item in build(one).assessments:
            writer.writerows(_rows(item))
        yield buffer.getvalue()


class _One:
    """One streamed assessment, shaped as the view model reads a region."""

    def __init__(self, stream: Stream, data: dict[str, Any]) -> None:
        self.levels, self.tiers, self.headings = stream.levels, stream.tiers, stream.headings
        rulebook = {"digest": stream.rulebook_digest, "path": stream.rulebook_path}
        self.data = {"rulebook": rulebook, "assessments": [data]}

    def to_dict(self) -> dict[str, Any]:
        return self.data


def _rows(item: AuthorityView) -> Iterator[list[str]]:
    """One assessment's rows: its verdict, each flag with its values, each gap."""
    base = [item.authority, item.code or "", item.year, item.level, item.tier, item.status]
    yield [cell(part) for part in [*base, "verdict", "", "", "", "", "; ".join(item.reasons), "", "", ""]]
    for key, text in item.caveats:
        yield [cell(part) for part in [*base, "caveat", key, "", "", "", text, "", "", ""]]
    for flag in item.flags:
        head = [*base, "flag", flag.trigger, flag.heading, flag.signal, str(flag.counted).lower()]
        yield [cell(part) for part in [*head, flag.says, "", "", ""]]
        for value in flag.values:
            yield [
                cell(part) for part in [*base, "value", flag.trigger, flag.heading, flag.signal, "", "", "", value.fact]
            ] + [cell(value.raw)]
    for gap in item.gaps:
        yield [
            cell(part) for part in [*base, "gap", gap.trigger, gap.heading, "", "", "", "; ".join(gap.missing), "", ""]
        ]

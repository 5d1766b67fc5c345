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
from typing import TYPE_CHECKING, Any

from .common import show, visible
from .view import build

if TYPE_CHECKING:
    from ..results import RegionAssessment

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
    view = build(result)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(HEADER)
    for item in view.assessments:
        base = [item.authority, item.code or "", item.year, item.level, item.tier, item.status]
        writer.writerow(
            [cell(part) for part in [*base, "verdict", "", "", "", "", "; ".join(item.reasons), "", "", ""]]
        )
        for flag in item.flags:
            head = [*base, "flag", flag.trigger, flag.heading, flag.signal, str(flag.counted).lower()]
            writer.writerow([cell(part) for part in [*head, flag.says, "", "", ""]])
            for value in flag.values:
                writer.writerow(
                    [
                        cell(part)
                        for part in [*base, "value", flag.trigger, flag.heading, flag.signal, "", "", "", value.fact]
                    ]
                    + [cell(value.raw)]
                )
        for gap in item.gaps:
            writer.writerow(
                [
                    cell(part)
                    for part in [*base, "gap", gap.trigger, gap.heading, "", "", "", "; ".join(gap.missing), "", ""]
                ]
            )
    return buffer.getvalue()

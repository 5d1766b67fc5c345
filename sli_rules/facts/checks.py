"""A value checked against its measure: the careful check that says why a value does not
suit, and the plain test that lets binding decide a whole fact set at once."""

from __future__ import annotations

import math
from typing import Any

import attrs

from ..errors import did_you_mean
from ..rules.convert import type_name

MAX_TEXT = 10_000
EXACT = 2**53  # integers beyond this cannot be held exactly as floats


@attrs.frozen
class _Invalid:
    message: str
    hint: str | None = None
    out_of_range: bool = False  # a number, finite, but outside the measure's range


def check_value(measure: Any, value: Any) -> Any:
    """The value if it suits the measure, else an _Invalid saying why."""
    if measure.type == "number":
        if type(value) is float and math.isfinite(value) and (
            measure.range is None or measure.range[0] <= value <= measure.range[1]
        ):
            return value  # the common case, decided at once
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            shown = f" {brief(value)}" if isinstance(value, str) else ""
            return _Invalid(f"expected a number, got {type_name(value)}{shown}")
        if not math.isfinite(value):
            return _Invalid(f"{value} is not a finite number")
        if isinstance(value, int) and abs(value) > 2**53:
            return _Invalid(f"{value} is too large to hold exactly")
        if measure.range is not None and not (measure.range[0] <= value <= measure.range[1]):
            low, high = measure.range
            return _Invalid(
                f"{value} is outside the measure's range [{plain_number(low)}, {plain_number(high)}]", out_of_range=True
            )
        return float(value) if isinstance(value, float) else value
    if measure.type == "boolean":
        if not isinstance(value, bool):
            return _Invalid(f"expected true or false, got {type_name(value)}")
        return value
    if measure.type == "category":
        if not isinstance(value, str) or value not in measure.values:
            return _Invalid(
                f"{brief(value)} is not one of the measure's values",
                did_you_mean(str(value)[:200], measure.values) or f"one of: {', '.join(measure.values)}",
            )
        return value
    if not isinstance(value, str):
        return _Invalid(f"expected text, got {type_name(value)}")
    if len(value) > MAX_TEXT:
        return _Invalid(f"text of {len(value)} characters; the limit is {MAX_TEXT}")
    return value


def plainly_suits(kind: Any, value: Any) -> bool:
    """Whether a value plainly suits a measure that is not a number: `kind` is bool, str
    (text) or the category's values (see `_Binder.quick`)."""
    if kind is bool:
        return type(value) is bool
    if kind is str:
        return type(value) is str and len(value) <= MAX_TEXT
    return type(value) is str and value in kind


def brief(value: Any) -> str:
    """A value as shown in a message: long text cut short, so that the error stays readable."""
    text = repr(value)
    return text if len(text) <= 80 else f"{text[:60]}... ({len(str(value))} characters)"


def plain_number(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else str(number)


def same_values(bound: dict[str, dict[str, Any]], given: dict[str, dict[str, Any]]) -> bool:
    """The same objects, not only equal ones: a float subclass (numpy's) is bound as a float."""
    return all(
        value is given[fact][year] for fact, by_year in bound.items() for year, value in by_year.items()
    )

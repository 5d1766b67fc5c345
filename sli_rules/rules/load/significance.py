"""The options of the tests that read counts, checked as conditions are parsed: a significance
test's `confidence`, a trend's `significant` and `confidence`, the method they need of the
measure, and last year taken as a second sample (no `plus` or `times` on it)."""

from __future__ import annotations

from typing import Any, Protocol

import attrs

from ..convert import type_name
from ..model import Measure, PreviousRef, Test
from ..operators import OPERATORS
from ..source import Where

CONFIDENCES = (95, 99.8)  # the public-health indicator methods' two levels
# A trend tested over several years: the stricter level by default, as a run of years offers
# several chances to find one.
TREND_CONFIDENCE = 99.8
TREND_KEYS = frozenset({"years", "significant", "confidence"})


class Fail(Protocol):
    """How a problem is reported at a place of the document parsed."""

    def __call__(self, where: Where, message: str, *, key: bool = False, hint: str | None = None) -> None: ...


def trend_test(fail: Fail, where: Where, op: str, value: dict[str, Any]) -> Test | None:
    """`{years: N}` (a run of years), or `{years: N, significant: true}` with an optional
    `confidence` (99.8 by default): a test of trend on each year's counts."""
    significant = value.get("significant", False)
    if not isinstance(significant, bool):
        fail((*where, "significant"), f"significant is true or false, got {type_name(significant)}")
        return None
    confidence = value.get("confidence", TREND_CONFIDENCE)
    if "confidence" in value and not significant:
        fail((*where, "confidence"), "'confidence' goes with a test of trend: add significant: true", key=True)
        return None
    if isinstance(confidence, bool) or confidence not in CONFIDENCES:
        fail((*where, "confidence"), f"confidence is 95 or 99.8, got {confidence!r}")
        return None
    test = Test(op, (), years=value["years"], significant=significant)
    return attrs.evolve(test, confidence=float(confidence)) if significant else test


def counted_options(
    fail: Fail, where: Where, value: dict[str, Any], op: str, test: Test, measure: Measure
) -> Test | None:
    """A test of one fact that reads counts (a significance test, a test of trend) checked
    against its measure, with the `confidence` written beside it; None (reported) when wrong."""
    reads = OPERATORS[op].reads
    if (reads == "interval" or test.significant) and measure.method is None:
        fail(
            (*where, op), f"'{op}' needs a confidence interval, but '{measure.id}' has no method"
            if reads == "interval" else f"a test of trend needs counts, but '{measure.id}' has no method",
            hint=f"give measure '{measure.id}' method: proportion or method: rate (and per:)",
        )
        return None
    if reads == "interval" and any(
        isinstance(ref, PreviousRef) and (ref.plus, ref.times) != (0.0, 1.0) for ref in test.refs
    ):
        fail((*where, op), f"'{op}' compares two years as two samples: no 'plus' or 'times' on "
             "{previous: true}", hint="write {previous: true}, or compare with a value")
        return None
    if "confidence" not in value:
        return test
    confidence = value["confidence"]
    if reads == "trend" and test.significant:
        if "confidence" in value[op]:
            fail((*where, "confidence"), "confidence is given twice", key=True, hint=f"keep the one inside {op}:")
            return None
    elif reads != "interval" or OPERATORS[op].shape == "flag":
        fail((*where, "confidence"), f"'confidence' goes with a significance test, not '{op}'", key=True,
             hint=f"a test of trend: {op}: {{years: N, significant: true}}" if reads == "trend" else None)
        return None
    if isinstance(confidence, bool) or confidence not in CONFIDENCES:
        fail((*where, "confidence"), f"confidence is 95 or 99.8, got {confidence!r}")
        return None
    return attrs.evolve(test, confidence=float(confidence))

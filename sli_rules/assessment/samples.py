"""The derived columns of the tests that take earlier years as samples: the interval of the
change from last year (two samples) and the test of trend over several years' counts, for the
authorities of one year. Read by derive; each returns one value an authority, None unknown."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Literal

from ..facts import AuthorityFacts
from ..rules.logic import Column
from ..rules.model import Measure, previous_year, year_start
from ..rules.plan import ChangeBoundSlot, TrendSlot
from .uncertainty import NO_CHANGE, change_interval, improving_trend, worsening_trend


def change_bound_column(
    measure: Measure, group: Sequence[AuthorityFacts], year: str, slot: ChangeBoundSlot
) -> Column:
    """A bound of each authority's interval of the change from last year, both years' counts
    taken as samples (Newcombe's difference of proportions on the measure's scale; the exact
    ratio of rates, less 1), measured from no change; None without both years' counts, or
    across a definition break (last year's figure is not comparable with this year's)."""
    if measure.method is None or year_start(year) in measure.breaks:
        return [None] * len(group)
    method = measure.method
    before = previous_year(year)
    column: Column = []
    for item in group:
        now, then = item.counts.get(slot.fact), item.history_counts.get(slot.fact, {}).get(before)
        if now is None or then is None:
            column.append(None)
            continue
        try:
            interval = change_interval(
                method, (now.numerator, now.denominator), (then.numerator, then.denominator),
                confidence=slot.confidence, per=measure.per,
            )
        except ValueError:
            column.append(None)
            continue
        bound = (interval.lower if slot.bound == "lower" else interval.upper) - NO_CHANGE[method]
        # A ratio over a year with no events has no upper limit: the largest number stands for
        # it, which compares with no change as infinity does (the engine takes finite numbers).
        column.append(min(bound, sys.float_info.max))
    return column


def significant_trend_column(
    measure: Measure, group: Sequence[AuthorityFacts], slot: TrendSlot, confidence: float
) -> Column:
    """1 where a test of trend on the counts of the last N + 1 years finds a significant trend
    for the worse (better), 0 where not, None where a year's counts are missing or a year after
    the first starts a definition break."""
    if measure.method is None:
        return [None] * len(group)
    method = measure.method
    breaks = [f"{start}-{(start + 1) % 100:02d}" for start in measure.breaks]
    judge_trend = worsening_trend if slot.trend == "worse" else improving_trend
    better: Literal["higher", "lower"] = "higher" if measure.better == "higher" else "lower"
    column: Column = []
    for item in group:
        earlier = item.history_counts.get(slot.fact)
        now = item.counts.get(slot.fact)
        if not earlier or now is None:  # not even one earlier year's counts: unknown at once
            column.append(None)
            continue
        counts = {when: (count.numerator, count.denominator) for when, count in earlier.items()}
        counts[item.year] = (now.numerator, now.denominator)
        found = judge_trend(
            method, counts, better, slot.years, breaks=breaks, until=item.year, confidence=confidence
        ).holds
        column.append(None if found is None else float(found))
    return column

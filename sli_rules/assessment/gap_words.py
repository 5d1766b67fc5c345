"""The words of a gap (a trigger that could not be judged), in two steps: what an authority's
facts say of each unknown test (its `situation`, a small tuple), then the words of those
situations (`reasons`), which read nothing else.

A region's gaps repeat a few patterns (the same facts absent, the same years missing), so the
explainer keeps each gap written, found by its situations: the words are a function of the
situations alone, because `reasons` is given nothing else to read (the test, fixed by the
rulebook, and the year, which is part of the key).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, Literal, assert_never

import attrs

from ..facts import AuthorityFacts
from ..rules.model import (
    ComparatorsRef,
    CouncilTypeRef,
    FactRef,
    FactTest,
    LiteralRef,
    Measure,
    NationalRef,
    PreviousRef,
    PublishedRegionRef,
    Reference,
    RegionRef,
    previous_year,
    year_start,
)
from ..rules.operators import OPERATORS
from ..rules.plan import Plan, RefSlot
from .reference_words import STAT_SCOPES
from .uncertainty import worsening, worsening_trend, years_before

# What the facts say of a test, the first part of its situation (the branches of `reasons`).
ABSENT, NO_COUNTS, SAMPLES, SIGNIFICANT, TREND, CHANGE, PLAIN = range(7)
Situation = tuple[Any, ...]


@attrs.frozen
class TestRead:
    """What a test's situation reads, worked out once per test of the rulebook."""

    test: FactTest
    measure: Measure
    fact: str
    # The branch of `situation` for a fact given: SAMPLES or NO_COUNTS (an interval test that
    # compares with last year), NO_COUNTS or the next (another interval test), SIGNIFICANT,
    # TREND, CHANGE or PLAIN.
    kind: int
    interval: bool  # an interval test: it needs the counts
    change: bool  # a test of the change on last year
    refs: tuple[tuple[Reference, int], ...]  # references other than literals, with their slot
    slots: tuple[int, ...]  # the slots of `refs`
    comparators: bool  # whether one of `refs` is the comparators' figure
    breaks: tuple[str, ...]  # the years that start a definition break, as written

    @classmethod
    def of(cls, test: FactTest, measure: Measure, plan: Plan) -> TestRead:
        reads = OPERATORS[test.test.op].reads
        refs = tuple(
            (ref, plan.slot_index[RefSlot(test.fact, test.change, ref)])
            for ref in test.test.refs
            if not isinstance(ref, LiteralRef) and RefSlot(test.fact, test.change, ref) in plan.slot_index
        )
        if reads == "interval" and any(isinstance(ref, PreviousRef) for ref in test.test.refs):
            kind = SAMPLES
        elif reads == "trend":
            kind = SIGNIFICANT if test.test.significant else TREND
        else:
            kind = CHANGE if test.change else PLAIN
        return cls(
            test, measure, test.fact, kind, reads == "interval", bool(test.change),
            refs, tuple(slot for _, slot in refs), any(isinstance(ref, ComparatorsRef) for ref, _ in refs),
            tuple(f"{start}-{(start + 1) % 100:02d}" for start in measure.breaks),
        )


_NONE_UNKNOWN = ((), None)  # what a test without references adds to its situation
_ABSENT_UNSAID = (ABSENT, None)  # a value absent, with no reason given for leaving it out
_ABSENT_ALONE = (*_ABSENT_UNSAID, *_NONE_UNKNOWN)  # the same, of a test without references


def situation(read: TestRead, item: AuthorityFacts, row: Sequence[float | None]) -> Situation:
    """What `item` (and its values, `row`) says of one unknown test: everything `reasons`
    words, and nothing more, so that equal situations (in the same year) are the same words.

    Complete by construction: it holds each value that `reasons` reads, item by item, as the
    branches of `reasons` read them: the branch taken; under it the text binding left out a
    value with, whether last year's counts are given, the counts or the years whose values are
    known over a trend's span (with the years given, which a trend checks), whether and why
    last year's value is absent or 0; then which referenced figures are unknown, and, where a
    comparators' figure is unknown, whether the authority has a group at all (else its name,
    which the words then give; None where no comparators' figure is unknown)."""
    fact = read.fact
    kind = read.kind
    first: Situation
    if fact not in item.facts:
        if not item.left_out:  # no reason given for any value left out: the commonest gap
            if not read.slots:
                return _ABSENT_ALONE
            first = _ABSENT_UNSAID
        else:
            first = (ABSENT, item.left_out.get(fact, {}).get(item.year))
    elif read.interval and fact not in item.counts:
        first = (NO_COUNTS,)
    elif kind == SAMPLES:
        # The previous value itself is not what this test compares with: no references.
        return (SAMPLES, previous_year(item.year) in item.history_counts.get(fact, {}))
    elif kind == SIGNIFICANT:
        counts = {each: (c.numerator, c.denominator) for each, c in item.history_counts.get(fact, {}).items()}
        if fact in item.counts:
            counts[item.year] = (item.counts[fact].numerator, item.counts[fact].denominator)
        first = (SIGNIFICANT, tuple(counts.items()))
    elif kind == TREND:
        # The span ends at the year assessed, whose value is this year's; the years before it
        # are read from the history. Only whether each is known is read (`reasons`).
        history = item.history.get(fact, {})
        earlier = history.get
        known = [
            each for each in years_before(item.year, read.test.test.years)
            if (value := earlier(each)) is not None and math.isfinite(value)
        ]
        if (value := item.facts[fact]) is not None and math.isfinite(value):
            known.append(item.year)
        first = (TREND, tuple(history), tuple(known))
    elif kind == CHANGE:
        if fact not in item.previous:
            first = (CHANGE, False, item.left_out.get(fact, {}).get(previous_year(item.year)))
        else:
            first = (CHANGE, True, item.previous[fact] == 0)
    else:
        first = (PLAIN,)
    if not read.slots:
        return (*first, *_NONE_UNKNOWN)
    unknown = tuple([row[slot] is None for slot in read.slots])
    group = (bool(item.comparators) or item.authority) if read.comparators and True in unknown else None
    return (*first, unknown, group)


def reasons(read: TestRead, found: Situation, year: str, missing: list[str], why: list[str]) -> None:
    """The facts missing and why, for a test in a situation (`situation`) in `year`."""
    test = read.test
    fact = test.fact
    measure = read.measure
    kind = found[0]
    if kind == ABSENT:
        _add(missing, fact)
        why.append(found[1] or f"no value for {fact}")
    elif kind == NO_COUNTS:
        why.append(
            "no counts (numerator and denominator) behind the values: a significance test needs "
            "them, as the official download gives them"
        )
    elif kind == SAMPLES:
        before = previous_year(year)
        if year_start(year) in measure.breaks:
            why.append(f"the definition of {fact} changed in {year}: last year's figure is not comparable")
        elif not found[1]:
            why.append(
                f"no counts behind {fact} in {before}: comparing two years is a two-sample test, "
                "which needs the counts of both"
            )
        return
    elif kind == SIGNIFICANT:
        polarity: Literal["higher", "lower"] = "higher" if measure.better == "higher" else "lower"
        if measure.method is not None:
            trend = worsening_trend(
                measure.method, dict(found[1]), polarity, test.test.years, breaks=read.breaks, until=year
            )
            if trend.reason:
                why.append(f"a test of trend in {fact} over {test.test.years + 1} years: {trend.reason}")
    elif kind == TREND:
        better: Literal["higher", "lower"] = "higher" if measure.better == "higher" else "lower"
        # Only which years are known is read: a known value stands in for each.
        values = dict.fromkeys((*found[1], year), None) | {each: 0.0 for each in found[2]}
        trend = worsening(values, better, test.test.years, breaks=read.breaks, until=year)
        if trend.reason:
            why.append(f"{fact} over {test.test.years + 1} years: {trend.reason}")
    elif kind == CHANGE:
        if year_start(year) in measure.breaks:
            why.append(f"the definition of {fact} changed in {year}: no change can be computed across it")
        elif not found[1]:
            _add(missing, fact)
            why.append(found[2] or f"no previous-year value for {fact}")
        elif found[2] and test.change == "percent":
            why.append(f"the previous value of {fact} is 0: no percentage change")
    group = found[-1]  # True, or the name of an authority without a comparator group
    for (ref, _), absent in zip(read.refs, found[-2], strict=True):
        if not absent:
            continue
        match ref:
            case PreviousRef():
                _add(missing, fact)
                why.append(f"no previous-year value for {fact}")
            case FactRef():
                _add(missing, ref.fact)
                why.append(f"no value for {ref.fact}")
            case NationalRef():
                why.append(f"no national figure for {fact} in the facts given")
            case PublishedRegionRef():
                why.append(f"no published region figure for {fact} in the facts given")
            case ComparatorsRef() if group is not True:
                why.append(
                    f"{group} has no comparator group: give one with --comparators FILE, "
                    "or list 'comparators' in its fact set"
                )
            case RegionRef() | ComparatorsRef() | CouncilTypeRef():
                statistic = ref.stat.replace("_", " ")
                why.append(f"the {STAT_SCOPES[type(ref)]} {statistic} of {fact} needs at least 2 values")
            case _:
                assert_never(ref)


def _add(missing: list[str], fact: str) -> None:
    if fact not in missing:
        missing.append(fact)

"""A gap's words written straight from an authority's facts, test by test, with nothing kept:
the reference the explainer's kept gaps are held to (tests/test_words_cache.py).

The explainer writes a gap's words from a small summary of each unknown test (its
situation) and gives the same gap again wherever the same summaries recur; this reads the
authority itself for every gap, as the explainer did before it kept them, so that a summary
(or a key) that missed something the words depend on shows as a difference."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from sli_rules.assessment.explain import Explainer
from sli_rules.assessment.reference_words import STAT_SCOPES
from sli_rules.assessment.uncertainty import worsening, worsening_trend
from sli_rules.facts import AuthorityFacts
from sli_rules.rules.model import (
    ComparatorsRef,
    CouncilTypeRef,
    Count,
    FactRef,
    FactTest,
    LiteralRef,
    NationalRef,
    PreviousRef,
    PublishedRegionRef,
    RegionRef,
    Trigger,
    previous_year,
    year_start,
)
from sli_rules.rules.operators import OPERATORS
from sli_rules.rules.plan import RefSlot


def gap_words(
    explainer: Explainer, trigger: Trigger, item: AuthorityFacts, record: Any, texts: dict[str, float]
) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """The facts missing, why the trigger could not be judged, and what could be judged."""
    missing: list[str] = []
    why: list[str] = []
    row = record.row
    plan = explainer.plan
    for test in explainer.undecided(trigger.when, record):
        if isinstance(test, FactTest):
            _why_test(explainer, test, item, row, missing, why)
            continue
        decided = sum(1 for outcome in record.parts[plan.count_slots[test]] if outcome is not None)
        if decided and test.min_data > decided:
            why.append(
                f"only {decided} of the {len(test.facts)} counted facts could be judged this year, fewer "
                f"than the {test.min_data} the count needs (min_data): a pattern is never read from fewer"
            )
            continue
        why.append(f"none of the {len(test.facts)} counted facts could be judged")
        start = year_start(item.year)
        for each in _each(test):
            measure = explainer.rulebook.measures[each.fact]
            if (measure.since is not None and start < measure.since) or (
                measure.until is not None and start > measure.until
            ):
                continue
            _why_test(explainer, each, item, row, missing, why)
    known = tuple(
        explainer._test_text(test, row, texts) if isinstance(test, FactTest)
        else explainer._count_text(test, record, texts)
        for test in explainer.held(trigger.when, record)
    )
    return tuple(missing), tuple(dict.fromkeys(why)), known


def _each(count: Count) -> list[FactTest]:
    return [FactTest(fact, count.change, where, count.location) for fact in count.facts for where in count.wheres]


def _add(missing: list[str], fact: str) -> None:
    if fact not in missing:
        missing.append(fact)


def _why_test(
    explainer: Explainer,
    test: FactTest,
    item: AuthorityFacts,
    row: Sequence[float | None],
    missing: list[str],
    why: list[str],
) -> None:
    measure = explainer.rulebook.measures[test.fact]
    reads = OPERATORS[test.test.op].reads
    if test.fact not in item.facts:
        _add(missing, test.fact)
        why.append(item.left_out.get(test.fact, {}).get(item.year) or f"no value for {test.fact}")
    elif reads == "interval" and test.fact not in item.counts:
        why.append(
            "no counts (numerator and denominator) behind the values: a significance test needs "
            "them, as the official download gives them"
        )
    elif reads == "interval" and any(isinstance(ref, PreviousRef) for ref in test.test.refs):
        before = previous_year(item.year)
        if year_start(item.year) in measure.breaks:
            why.append(f"the definition of {test.fact} changed in {item.year}: last year's figure is not comparable")
        elif before not in item.history_counts.get(test.fact, {}):
            why.append(
                f"no counts behind {test.fact} in {before}: comparing two years is a two-sample test, "
                "which needs the counts of both"
            )
        return
    elif reads == "trend" and test.test.significant:
        polarity: Literal["higher", "lower"] = "higher" if measure.better == "higher" else "lower"
        counts = {year: (c.numerator, c.denominator) for year, c in item.history_counts.get(test.fact, {}).items()}
        if test.fact in item.counts:
            counts[item.year] = (item.counts[test.fact].numerator, item.counts[test.fact].denominator)
        breaks = [f"{start}-{(start + 1) % 100:02d}" for start in measure.breaks]
        if measure.method is not None:
            found = worsening_trend(measure.method, counts, polarity, test.test.years, breaks=breaks, until=item.year)
            if found.reason:
                why.append(f"a test of trend in {test.fact} over {test.test.years + 1} years: {found.reason}")
    elif reads == "trend":
        better: Literal["higher", "lower"] = "higher" if measure.better == "higher" else "lower"
        values = {**item.history.get(test.fact, {}), item.year: item.facts.get(test.fact)}
        breaks = [f"{start}-{(start + 1) % 100:02d}" for start in measure.breaks]
        trend = worsening(values, better, test.test.years, breaks=breaks, until=item.year)
        if trend.reason:
            why.append(f"{test.fact} over {test.test.years + 1} years: {trend.reason}")
    elif test.change:
        if year_start(item.year) in measure.breaks:
            why.append(f"the definition of {test.fact} changed in {item.year}: no change can be computed across it")
        elif test.fact not in item.previous:
            _add(missing, test.fact)
            why.append(
                item.left_out.get(test.fact, {}).get(previous_year(item.year))
                or f"no previous-year value for {test.fact}"
            )
        elif item.previous[test.fact] == 0 and test.change == "percent":
            why.append(f"the previous value of {test.fact} is 0: no percentage change")
    slots = explainer.plan.slot_index
    for ref in test.test.refs:
        slot = slots.get(RefSlot(test.fact, test.change, ref))
        if isinstance(ref, LiteralRef) or slot is None or row[slot] is not None:
            continue
        if isinstance(ref, PreviousRef):
            _add(missing, test.fact)
            why.append(f"no previous-year value for {test.fact}")
        elif isinstance(ref, FactRef):
            _add(missing, ref.fact)
            why.append(f"no value for {ref.fact}")
        elif isinstance(ref, NationalRef):
            why.append(f"no national figure for {test.fact} in the facts given")
        elif isinstance(ref, PublishedRegionRef):
            why.append(f"no published region figure for {test.fact} in the facts given")
        elif isinstance(ref, ComparatorsRef) and not item.comparators:
            why.append(
                f"{item.authority} has no comparator group: give one with --comparators FILE, "
                "or list 'comparators' in its fact set"
            )
        else:
            assert isinstance(ref, (RegionRef, ComparatorsRef, CouncilTypeRef))
            statistic = ref.stat.replace("_", " ")
            why.append(f"the {STAT_SCOPES[type(ref)]} {statistic} of {test.fact} needs at least 2 values")

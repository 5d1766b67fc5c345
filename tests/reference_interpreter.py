"""A reference interpreter of the rule format, written straight from `rule-format.md` over the
model's conditions, with none of the package's lowering, slots, atoms or logic module.

It is slow and simple on purpose: the evaluators (scalar, column, durable-rules) and the
record that explanations read are all checked against it, so that a wrong lowering (polarity,
a range, a negation) or a wrong statistic shows as a disagreement, not only a wrong encoding.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from typing import Any

from sli_rules.assessment.uncertainty import NO_CHANGE, change_interval, confidence_interval, linear_trend
from sli_rules.rules.model import (
    AllOf,
    AnyOf,
    ComparatorsRef,
    Condition,
    CouncilTypeRef,
    Count,
    FactRef,
    FactTest,
    LiteralRef,
    Measure,
    NationalRef,
    NotOf,
    PreviousRef,
    Ref,
    RegionRef,
    Rulebook,
    Test,
)
from sli_rules.rules.operators import OPERATORS

Outcome = bool | None


def _kleene_all(outcomes: Sequence[Outcome]) -> Outcome:
    if any(outcome is False for outcome in outcomes):
        return False
    return None if any(outcome is None for outcome in outcomes) else True


def _kleene_any(outcomes: Sequence[Outcome]) -> Outcome:
    if any(outcome is True for outcome in outcomes):
        return True
    return None if any(outcome is None for outcome in outcomes) else False


def _year_start(year: str) -> int:
    return int(year[:4])


def _previous_year(year: str) -> str:
    start = _year_start(year) - 1
    return f"{start}-{(start + 1) % 100:02d}"


class Reference:
    """Decides conditions for the authorities of a bound region (each checked against the
    rulebook's catalogue, facts keyed by catalogue id)."""

    def __init__(
        self, rulebook: Rulebook, authorities: Sequence[Any], references: dict[Any, Any],
        type_values: dict[Any, Any] | None = None,
    ) -> None:
        self.rulebook = rulebook
        self.authorities = list(authorities)
        self.references = references
        self.type_values = type_values or {}

    # -- values ----------------------------------------------------------------------

    def _number(self, measure: Measure, value: Any) -> Any:
        """A value made comparable: a category's position, a boolean as 0/1, text as is."""
        if value is None:
            return None
        if measure.type == "category":
            assert measure.values is not None
            return measure.values.index(value) if value in measure.values else None
        if measure.type == "boolean":
            return 1 if value else 0
        return value

    def _literal(self, measure: Measure, value: Any) -> Any:
        if isinstance(value, bool):
            return 1 if value else 0
        if measure.type == "category" and isinstance(value, str):
            assert measure.values is not None
            return measure.values.index(value)
        return value

    def subject(self, item: Any, fact: str, change: str | None) -> Any:
        measure = self.rulebook.measures[fact]
        now = self._number(measure, item.facts.get(fact))
        if change is None:
            return now
        if _year_start(item.year) in measure.breaks:
            return None
        before = self._number(measure, item.previous.get(fact))
        if now is None or before is None:
            return None
        if change == "absolute":
            return now - before
        return None if before == 0 else (now - before) / abs(before) * 100.0

    def _same_year(self, item: Any) -> list[Any]:
        return [other for other in self.authorities if other.year == item.year]

    def _stat(self, values: list[float], name: str, measure: Measure) -> float | None:
        if len(values) < 2:
            return None
        if name in ("q1", "q3", "worst_quartile", "best_quartile"):
            q1, _, q3 = statistics.quantiles(values, n=4, method="inclusive")
            if name == "worst_quartile":
                name = "q1" if measure.better == "higher" else "q3"
            elif name == "best_quartile":
                name = "q3" if measure.better == "higher" else "q1"
            return q1 if name == "q1" else q3
        return {
            "mean": statistics.fmean,
            "median": statistics.median,
            "min": min,
            "max": max,
        }[name](values)

    def operand(self, item: Any, fact: str, change: str | None, ref: Ref) -> Any:
        measure = self.rulebook.measures[fact]
        if isinstance(ref, LiteralRef):
            return self._literal(measure, ref.value)
        if isinstance(ref, RegionRef):
            values = [v for other in self._same_year(item) if (v := self.subject(other, fact, change)) is not None]
            found = self._stat(values, ref.stat, measure)
        elif isinstance(ref, ComparatorsRef):
            names = {item.authority, *item.comparators}
            group = [other for other in self._same_year(item) if other.authority in names or other.code in names]
            values = [v for other in group if (v := self.subject(other, fact, change)) is not None]
            found = self._stat(values, ref.stat, measure)
        elif isinstance(ref, CouncilTypeRef):
            found = self._stat(
                list(self.type_values.get((item.council_type, item.year), {}).get(fact, ())), ref.stat, measure
            )
        elif isinstance(ref, PreviousRef):
            found = self._number(measure, item.previous.get(fact))
        elif isinstance(ref, FactRef):
            found = self.subject(item, ref.fact, change)
        else:  # a published figure
            scope = "national" if isinstance(ref, NationalRef) else "published_region"
            now = self.references.get((scope, item.year), {}).get(fact)
            if change is None:
                found = now
            else:
                before = self.references.get((scope, _previous_year(item.year)), {}).get(fact)
                if now is None or before is None or _year_start(item.year) in measure.breaks:
                    found = None
                elif change == "absolute":
                    found = now - before
                else:
                    found = None if before == 0 else (now - before) / abs(before) * 100.0
        if found is None:
            return None
        return found * ref.times + ref.plus if (ref.times != 1.0 or ref.plus != 0.0) else found

    # -- tests -------------------------------------------------------------------------

    def _interval(self, item: Any, fact: str, confidence: float) -> tuple[float, float] | None:
        measure = self.rulebook.measures[fact]
        counts = item.counts.get(fact)
        if counts is None or measure.method is None:
            return None
        interval = confidence_interval(
            measure.method, counts.numerator, counts.denominator, confidence=confidence, per=measure.per
        )
        return interval.lower, interval.upper

    def _change_interval(self, item: Any, fact: str, confidence: float) -> tuple[float, float] | None:
        """The interval of the change from last year (a difference of proportions, a ratio of
        rates), from both years' counts; None without them or across a definition break."""
        measure = self.rulebook.measures[fact]
        now = item.counts.get(fact)
        before = item.history_counts.get(fact, {}).get(_previous_year(item.year))
        if now is None or before is None or measure.method is None or _year_start(item.year) in measure.breaks:
            return None
        interval = change_interval(
            measure.method, (now.numerator, now.denominator), (before.numerator, before.denominator),
            confidence=confidence, per=measure.per,
        )
        return interval.lower, interval.upper

    def _significant_trend(self, item: Any, fact: str, test: Test) -> Outcome:
        """The test of trend over the last `years` + 1 years' counts: significant at the
        confidence and in the worse (better) direction; unknown when a year's counts are
        missing or a year after the first starts a definition break."""
        measure = self.rulebook.measures[fact]
        start = _year_start(item.year)
        span = [f"{y}-{(y + 1) % 100:02d}" for y in range(start - test.years, start + 1)]
        if measure.method is None or any(_year_start(year) in measure.breaks for year in span[1:]):
            return None
        counts = [item.history_counts.get(fact, {}).get(year) for year in span[:-1]] + [item.counts.get(fact)]
        if any(count is None for count in counts):
            return None
        _, p_value, direction = linear_trend(measure.method, [(c.numerator, c.denominator) for c in counts])
        rising = (measure.better == "higher") == (test.op == "improving")
        return p_value < 1 - test.confidence / 100 and (direction > 0 if rising else direction < 0)

    def _series(self, item: Any, fact: str, years: int) -> list[float] | None:
        """The values of the last `years` years and this one, oldest first; None when one is
        missing or a year of the span starts a definition break."""
        measure = self.rulebook.measures[fact]
        start = _year_start(item.year)
        span = [f"{y}-{(y + 1) % 100:02d}" for y in range(start - years, start + 1)]
        if any(_year_start(year) in measure.breaks for year in span[1:]):
            return None
        values = [item.history.get(fact, {}).get(year) for year in span[:-1]] + [item.facts.get(fact)]
        return None if any(value is None for value in values) else values

    def test(self, item: Any, fact: str, change: str | None, test: Test) -> Outcome:
        value = self.subject(item, fact, change)
        op = OPERATORS[test.op]
        better = self.rulebook.measures[fact].better
        if op.reads == "trend" and test.significant:
            return self._significant_trend(item, fact, test)
        if op.reads == "trend":
            series = self._series(item, fact, test.years)
            return None if series is None else op.decide(series, (), better)
        if op.reads == "national":
            return (self.operand(item, fact, None, NationalRef()) is not None) == test.present
        if op.reads == "interval" and any(isinstance(ref, PreviousRef) for ref in test.refs):
            # Two years, two samples: the interval of the change on one side of no change.
            change = self._change_interval(item, fact, test.confidence)
            return None if change is None else op.decide(change, [NO_CHANGE[self.rulebook.measures[fact].method]], better)
        if op.reads == "interval":
            interval = self._interval(item, fact, test.confidence)
            if op.shape == "flag":
                return (interval is not None) == test.present
            operands = [self.operand(item, fact, change, ref) for ref in test.refs]
            if interval is None or any(operand is None for operand in operands):
                return None
            return op.decide(interval, operands, better)
        if op.shape == "flag":
            return (value is not None) == test.present
        operands = [self.operand(item, fact, change, ref) for ref in test.refs]
        if value is None or any(operand is None for operand in operands):
            return None
        return op.decide(value, operands, self.rulebook.measures[fact].better)

    def _published(self, fact: str, year: str) -> bool:
        measure = self.rulebook.measures[fact]
        start = _year_start(year)
        return (measure.since is None or start >= measure.since) and (measure.until is None or start <= measure.until)

    def count(self, item: Any, count: Count) -> Outcome:
        facts = [fact for fact in count.facts if self._published(fact, item.year)]
        outcomes = [
            _kleene_all([self.test(item, fact, count.change, test) for test in count.wheres]) for fact in facts
        ]
        if count.scale == "all":  # every fact of the year holds: false on one failure
            if False in outcomes:
                return False
            decided_true = sum(1 for outcome in outcomes if outcome is True)
            return None if None in outcomes or not outcomes or decided_true < count.min_data else True
        decided = [outcome for outcome in outcomes if outcome is not None]
        if len(decided) < count.min_data:
            return None
        number = sum(1 for outcome in decided if outcome)
        subject = number / len(decided) if count.scale == "share" else number
        op = OPERATORS[count.test.op]
        return op.decide(subject, count.test.numbers, "none")

    def decide(self, condition: Condition, item: Any) -> Outcome:
        if isinstance(condition, AllOf):
            return _kleene_all([self.decide(part, item) for part in condition.items])
        if isinstance(condition, AnyOf):
            return _kleene_any([self.decide(part, item) for part in condition.items])
        if isinstance(condition, NotOf):
            inner = self.decide(condition.item, item)
            return None if inner is None else not inner
        if isinstance(condition, FactTest):
            return self.test(item, condition.fact, condition.change, condition.test)
        return self.count(item, condition)

"""Derive: the comparative values that triggers read, computed once per region and year.

Slot values are computed a column at a time (one slot over every authority of a year), so
that a region statistic is taken once, not once per authority or per trigger.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from typing import Any, Literal

import attrs

from .errors import FactsError, Problems
from .facts import AuthorityFacts, Region, name_key
from .logic import Column, Node, evaluate_column
from .model import Measure, Rulebook, previous_year, year_start
from .plan import Plan, Slot, encode_literal
from .uncertainty import confidence_interval, improving, worsening


@attrs.frozen
class Derived:
    """Each authority's slot values, in the region's order, and the text codes used."""

    rows: tuple[tuple[float | None, ...], ...]
    texts: dict[str, float]
    members: tuple[tuple[int, ...], ...]  # each authority's comparator group (indexes), self included
    years: dict[str, tuple[int, ...]]  # year → indexes of its authorities
    # Each authority's counts, fact by fact: count slot → the outcome of its test on each fact.
    parts: tuple[dict[int, tuple[bool | None, ...]], ...] = ()


def stat(values: Sequence[float], name: str, measure: Measure | None) -> float | None:
    """A statistic of the values present; None with fewer than two."""
    if len(values) < 2:
        return None
    if name == "mean":
        return statistics.fmean(values)
    if name == "median":
        return float(statistics.median(values))
    if name == "min":
        return min(values)
    if name == "max":
        return max(values)
    q1, _, q3 = statistics.quantiles(values, n=4, method="inclusive")
    if name == "q1":
        return q1
    if name == "q3":
        return q3
    higher_is_better = measure is not None and measure.better == "higher"
    if name == "worst_quartile":
        return q1 if higher_is_better else q3
    return q3 if higher_is_better else q1  # best_quartile


def encode(value: Any, measure: Measure, texts: dict[str, float]) -> float | None:
    if value is None:
        return None
    if measure.type == "text":
        return texts.setdefault(value, float(len(texts)))
    return encode_literal(value, measure, texts)


def change_of(current: float | None, previous: float | None, kind: str) -> float | None:
    if current is None or previous is None:
        return None
    if kind == "absolute":
        return current - previous
    if previous == 0:
        return None
    return (current - previous) / abs(previous) * 100.0


def comparator_groups(region: Region, years: dict[str, list[int]]) -> tuple[tuple[int, ...], ...]:
    """Each authority's comparator group as indexes into the region, itself included."""
    problems = Problems()
    groups: list[tuple[int, ...]] = [()] * len(region.authorities)
    for indexes in years.values():
        lookup: dict[str, int] = {}
        for index in indexes:
            item = region.authorities[index]
            lookup[name_key(item.authority)] = index
            if item.code:
                lookup[item.code] = index
        for index in indexes:
            item = region.authorities[index]
            members = [index]
            for position, name in enumerate(item.comparators):
                other = lookup.get(name, lookup.get(name_key(name)))
                if other is None:
                    path, line, column = (
                        item.comparator_locations[position]
                        if position < len(item.comparator_locations)
                        else item.location
                    )
                    problems.add(
                        path, line, column,
                        f"comparator '{name}' of {item.authority} is not among the authorities "
                        f"assessed for {item.year}",
                    )
                elif other not in members:
                    members.append(other)
            groups[index] = tuple(members)
    problems.raise_if_errors(FactsError)
    return tuple(groups)


def derive(plan: Plan, rulebook: Rulebook, region: Region) -> Derived:
    texts = dict(plan.texts)
    years: dict[str, list[int]] = {}
    for index, item in enumerate(region.authorities):
        years.setdefault(item.year, []).append(index)
    members = comparator_groups(region, years)
    rows: list[tuple[float | None, ...]] = [()] * len(region.authorities)
    parts: list[dict[int, tuple[bool | None, ...]]] = [{}] * len(region.authorities)
    for year, indexes in years.items():
        group = [region.authorities[index] for index in indexes]
        local_members = _local_members(indexes, members)
        year_columns = _YearColumns(plan, rulebook, group, year, texts, local_members, region.references)
        year_columns.type_values = region.council_type_values
        columns = year_columns.columns()
        for position, row in enumerate(zip(*columns, strict=True)) if columns else enumerate([()] * len(group)):
            rows[indexes[position]] = row
        for position, index in enumerate(indexes):
            parts[index] = {
                slot: tuple(column[position] for column in outcomes)
                for slot, outcomes in year_columns.part_outcomes.items()
            }
    return Derived(
        rows=tuple(rows),
        texts=texts,
        members=members,
        parts=tuple(parts),
        years={year: tuple(indexes) for year, indexes in years.items()},
    )


def _local_members(indexes: list[int], members: tuple[tuple[int, ...], ...]) -> list[list[int]]:
    where = {index: position for position, index in enumerate(indexes)}
    return [[where[other] for other in members[index] if other in where] for index in indexes]


class _YearColumns:
    """The slot columns of one year's authorities."""

    def __init__(
        self,
        plan: Plan,
        rulebook: Rulebook,
        group: list[AuthorityFacts],
        year: str,
        texts: dict[str, float],
        members: list[list[int]],
        references: dict[tuple[str, str], dict[str, Any]],
    ) -> None:
        self.plan = plan
        self.rulebook = rulebook
        self.group = group
        self.start = year_start(year)
        self.texts = texts
        self.members = members
        self.year = year
        self.references = references
        self.subjects: dict[tuple[str, str | None], Column] = {}
        self.computed: list[Column] = []
        self.part_outcomes: dict[int, list[list[bool | None]]] = {}  # count slot → a column per fact
        # Every council's values by (council type, year) in the whole file read, by fact.
        self.type_values: dict[tuple[str, str], dict[str, tuple[float, ...]]] = {}

    def columns(self) -> list[Column]:
        for slot in self.plan.slots:
            self.computed.append(self.slot_column(slot))
        return self.computed

    def subject(self, fact: str, change: str | None) -> Column:
        key = (fact, change)
        column = self.subjects.get(key)
        if column is not None:
            return column
        measure = self.rulebook.measures[fact]
        current = self.encoded([item.facts.get(fact) for item in self.group], measure)
        if change is None:
            column = current
        elif self.start in measure.breaks:
            column = [None] * len(self.group)  # a change across a definition break is unknown
        else:
            previous = self.previous(fact)
            column = [change_of(now, before, change) for now, before in zip(current, previous, strict=True)]
        self.subjects[key] = column
        return column

    def previous(self, fact: str) -> Column:
        measure = self.rulebook.measures[fact]
        return self.encoded([item.previous.get(fact) for item in self.group], measure)

    def encoded(self, values: list[Any], measure: Measure) -> Column:
        if measure.type == "number":  # bound values: int or float, never bool
            texts = self.texts
            return [
                float(value) if type(value) is float or type(value) is int
                else encode(value, measure, texts)
                for value in values
            ]
        return [encode(value, measure, self.texts) for value in values]

    def published(self, scope: str, fact: str, change: str | None) -> float | None:
        measure = self.rulebook.measures[fact]
        current = encode(self.references.get((scope, self.year), {}).get(fact), measure, self.texts)
        if change is None:
            return current
        if self.start in measure.breaks:
            return None
        before = self.references.get((scope, previous_year(self.year)), {}).get(fact)
        return change_of(current, encode(before, measure, self.texts), change)

    def slot_column(self, slot: Slot) -> Column:
        size = len(self.group)
        if slot.kind == "value":
            assert slot.fact is not None
            return self.subject(slot.fact, slot.change)
        if slot.kind == "count":
            return self.count_column(slot)
        if slot.kind == "bound":
            return self.bound_column(slot)
        if slot.kind == "trend":
            return self.trend_column(slot)
        ref = slot.ref
        assert ref is not None and slot.fact is not None
        measure = self.rulebook.measures[slot.fact]
        if ref.kind == "region":
            values = [value for value in self.subject(slot.fact, slot.change) if value is not None]
            assert ref.stat is not None
            found = stat(values, ref.stat, measure)
            return [_adjust(found, ref.times, ref.plus)] * size
        if ref.kind == "comparators":
            column = self.subject(slot.fact, slot.change)
            result: Column = []
            for members in self.members:
                present = [value for member in members if (value := column[member]) is not None]
                assert ref.stat is not None
                result.append(_adjust(stat(present, ref.stat, measure), ref.times, ref.plus))
            return result
        if ref.kind == "council_type":
            assert ref.stat is not None
            found_by_type: dict[str | None, float | None] = {}
            for item in self.group:
                kind = item.council_type
                if kind not in found_by_type:
                    typed = self.type_values.get((kind, self.year), {}).get(slot.fact, ()) if kind else ()
                    found_by_type[kind] = _adjust(stat(list(typed), ref.stat, measure), ref.times, ref.plus)
            return [found_by_type[item.council_type] for item in self.group]
        if ref.kind == "previous":
            return [_adjust(value, ref.times, ref.plus) for value in self.previous(slot.fact)]
        if ref.kind in ("national", "published_region"):
            return [_adjust(self.published(ref.kind, slot.fact, slot.change), ref.times, ref.plus)] * size
        assert ref.fact is not None
        return [_adjust(value, ref.times, ref.plus) for value in self.subject(ref.fact, slot.change)]

    def bound_column(self, slot: Slot) -> Column:
        """A bound of each authority's confidence interval, from the counts behind its value;
        None without counts (or for counts an interval cannot be taken from)."""
        assert slot.fact is not None and slot.bound is not None
        measure = self.rulebook.measures[slot.fact]
        if measure.method is None:
            # A count over a group reaches measures with no method (scores): never an interval.
            return [None] * len(self.group)
        column: Column = []
        for item in self.group:
            counts = item.counts.get(slot.fact)
            if counts is None:
                column.append(None)
                continue
            try:
                interval = confidence_interval(
                    measure.method, counts.numerator, counts.denominator,
                    confidence=slot.confidence, per=measure.per,
                )
            except ValueError:
                column.append(None)  # counts bound to the wrong measure-year are refused at reading
                continue
            column.append(interval.lower if slot.bound == "lower" else interval.upper)
        return column

    def trend_column(self, slot: Slot) -> Column:
        """1 where the value was worse (better) than the year before in each of the last N
        years, 0 where not, None where a value is missing or a year crosses a definition
        break."""
        assert slot.fact is not None
        measure = self.rulebook.measures[slot.fact]
        breaks = [f"{start}-{(start + 1) % 100:02d}" for start in measure.breaks]
        judge_trend = worsening if slot.trend == "worse" else improving
        column: Column = []
        for item in self.group:
            values = {**item.history.get(slot.fact, {}), item.year: item.facts.get(slot.fact)}
            better: Literal["higher", "lower"] = "higher" if measure.better == "higher" else "lower"
            found = judge_trend(values, better, slot.years, breaks=breaks, until=item.year).holds
            column.append(None if found is None else float(found))
        return column

    def count_column(self, slot: Slot) -> Column:
        """What a count tests, for every authority at once: how many of its facts pass the
        test (`number`), which share of the facts decided pass it (`share`), or 1 when all the
        facts of the year pass it and 0 when one does not (`all`). None where fewer than
        `min_data` facts could be decided (or, for `all`, where none failed but some are
        missing)."""
        count = slot.count
        assert count is not None
        size = len(self.group)
        trues = [0] * size
        falses = [0] * size
        missing = [0] * size
        recorded = self.part_outcomes[len(self.computed)] = []  # this slot's index: the next column
        for fact, part in zip(count.facts, slot.parts, strict=True):
            outcomes = self.outcome_column(part)
            recorded.append(outcomes)
            measure = self.rulebook.measures[fact]
            if not _in_year(measure, self.start):
                continue  # not published that year: neither decided nor missing
            for index, outcome in enumerate(outcomes):
                if outcome is True:
                    trues[index] += 1
                elif outcome is False:
                    falses[index] += 1
                else:
                    missing[index] += 1
        column: Column = []
        for true, false, unknown in zip(trues, falses, missing, strict=True):
            decided = true + false
            if count.scale == "all":
                column.append(0.0 if false else (None if unknown or not decided else 1.0))
            elif decided < count.min_data:
                column.append(None)
            else:
                column.append(true / decided if count.scale == "share" else float(true))
        return column

    def outcome_column(self, node: Node) -> list[bool | None]:
        """A tree's three-valued outcome for every authority at once."""
        return evaluate_column(node, self.plan.atoms, self.computed, len(self.group))


def _in_year(measure: Measure, start: int) -> bool:
    return (measure.since is None or start >= measure.since) and (measure.until is None or start <= measure.until)


def _adjust(value: float | None, times: float, plus: float) -> float | None:
    if value is None:
        return None
    return value * times + plus if (times != 1.0 or plus != 0.0) else value

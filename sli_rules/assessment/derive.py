"""Derive: the comparative values that triggers read, computed once per region and year.

Slot values are computed a column at a time (one slot over every authority of a year), so
that a region statistic is taken once, not once per authority or per trigger.
"""

from __future__ import annotations

import itertools
import math
import statistics
from array import array
from collections.abc import Sequence
from typing import Any, Literal, assert_never, cast

from ..errors import FactsError, Problem, Problems
from ..facts import AuthorityFacts, Region, name_key
from ..rules.logic import Column, Node, Not, evaluate_column
from ..rules.model import (
    ComparatorsRef,
    CouncilTypeRef,
    FactRef,
    Measure,
    NationalRef,
    PreviousRef,
    PublishedRegionRef,
    RegionRef,
    Rulebook,
    previous_year,
    year_start,
)
from ..rules.plan import (
    BoundSlot,
    ChangeBoundSlot,
    CountSlot,
    Plan,
    RefSlot,
    Slot,
    TrendSlot,
    ValueSlot,
    encode_literal,
)
from .derived import OUTCOME_CODES, Constant, Derived, Values
from .samples import change_bound_column, significant_trend_column
from .uncertainty import confidence_interval, trend_column


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
        exact: dict[str, int] = {}  # names as written: most comparators are named so
        for index in indexes:
            item = region.authorities[index]
            lookup[name_key(item.authority)] = index
            exact[item.authority] = index
            if item.code:
                lookup[item.code] = index
        for index in indexes:
            item = region.authorities[index]
            members = [index]
            for position, name in enumerate(item.comparators):
                other = lookup.get(name)
                if other is None:
                    other = exact.get(name)
                if other is None:
                    other = lookup.get(name_key(name))
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
    count_slots = [index for index, slot in enumerate(plan.slots) if isinstance(slot, CountSlot)]
    varying = tuple(index for index, slot in enumerate(plan.slots) if not _one_per_year(slot))
    blocks: list[tuple[array[float], ...]] = []
    stored: list[tuple[int, ...]] = []
    templates: list[tuple[float | None, ...]] = []
    places: list[tuple[int, int]] = [(0, 0)] * len(region.authorities)
    part_columns: list[dict[int, tuple[bytes, ...]]] = []
    for year, indexes in years.items():
        group = [region.authorities[index] for index in indexes]
        local_members = _local_members(indexes, members)
        year_columns = _YearColumns(plan, rulebook, group, year, texts, local_members, region.references)
        year_columns.type_values = region.council_type_values
        kept, block, template = year_columns.block(varying)
        stored.append(kept)
        blocks.append(block)
        templates.append(template)
        for position, index in enumerate(indexes):
            places[index] = (len(blocks) - 1, position)
        part_columns.append({slot: tuple(year_columns.part_outcomes[slot]) for slot in count_slots})
    return Derived(
        texts=texts,
        members=members,
        years={year: tuple(indexes) for year, indexes in years.items()},
        varying=tuple(stored),
        templates=tuple(templates),
        blocks=tuple(blocks),
        places=tuple(places),
        part_columns=tuple(part_columns),
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
        self.present: dict[tuple[str, str | None], list[float]] = {}  # sorted, for region figures
        self.facts = [item.facts for item in group]
        self._comparators: list[tuple[int, list[int], list[list[int]]]] | None = None
        self._with_counts: frozenset[str] | None = None
        self._with_history: frozenset[str] | None = None
        self.computed: list[Values] = []
        self.part_outcomes: dict[int, list[bytes]] = {}  # count slot → a column per fact, OUTCOME_CODES
        # Every council's values by (council type, year) in the whole file read, by fact.
        self.type_values: dict[tuple[str, str], dict[str, tuple[float, ...]]] = {}

    def block(
        self, varying: tuple[int, ...]
    ) -> tuple[tuple[int, ...], tuple[array[float], ...], tuple[float | None, ...]]:
        """The year's values: the slots stored column by column and their columns of doubles
        (NaN where a value is unknown), and a row of the values that are the same for every
        authority (a region figure, or unknown for all: in place; None elsewhere). Each column
        is packed as soon as it is computed and let go unless a later count reads it."""
        stored = frozenset(varying)
        kept: list[int] = []
        columns: list[array[float]] = []
        template: list[float | None] = [None] * len(self.plan.slots)
        read_until = _last_count_reading(self.plan)
        released_after: dict[int, list[int]] = {}
        for read, until in read_until.items():
            released_after.setdefault(until, []).append(read)
        last_read = {key: index for index, slot in enumerate(self.plan.slots) for key in _subjects_read(slot)}
        for index, slot in enumerate(self.plan.slots):
            column = self.slot_column(slot)
            for key in _subjects_read(slot):
                if last_read[key] == index:  # no later slot reads this fact's values: let them go
                    self.subjects.pop(key, None)
                    self.present.pop(key, None)
            if index not in stored:
                assert isinstance(column, Constant)
                template[index] = _checked(column.value, slot, self.year)
                self.computed.append(column)
                continue
            unknown = column.count(None)
            if unknown < len(column):  # a column unknown for every authority takes no room
                filled = [_UNKNOWN if value is None else value for value in column] if unknown else column
                packed: array[float] = array("d", cast("Sequence[float]", filled))
                # A computed value that came out as NaN would pass for unknown: refused instead.
                if not isinstance(slot, ValueSlot) and sum(map(math.isnan, packed)) != unknown:
                    _checked(math.nan, slot, self.year)
                kept.append(index)
                columns.append(packed)
            self.computed.append(column if index in read_until else _RELEASED)
            for read in released_after.get(index, ()):  # the last count reading them is done
                self.computed[read] = _RELEASED
        return tuple(kept), tuple(columns), tuple(template)

    def subject(self, fact: str, change: str | None) -> Column:
        key = (fact, change)
        column = self.subjects.get(key)
        if column is not None:
            return column
        measure = self.rulebook.measures[fact]
        current = self.encoded(list(map(dict.get, self.facts, itertools.repeat(fact))), measure)
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
        kinds = set(map(type, values))
        if measure.type == "boolean" and kinds <= _BOOL_OR_NONE:
            return list(map(_BOOLEAN_CODES.get, values))
        if measure.type == "number":  # bound values: int or float, never bool
            if kinds <= _FLOAT_OR_NONE:  # as bound: nothing to convert
                return values
            texts = self.texts
            return [
                float(value) if type(value) is float or type(value) is int
                else encode(value, measure, texts)
                for value in values
            ]
        return [encode(value, measure, self.texts) for value in values]

    def published(self, scope: str, fact: str, change: str | None) -> float | None:
        """A published figure (`national`, `published_region`: as the facts give them)."""
        measure = self.rulebook.measures[fact]
        current = encode(self.references.get((scope, self.year), {}).get(fact), measure, self.texts)
        if change is None:
            return current
        if self.start in measure.breaks:
            return None
        before = self.references.get((scope, previous_year(self.year)), {}).get(fact)
        return change_of(current, encode(before, measure, self.texts), change)

    def slot_column(self, slot: Slot) -> Values:
        match slot:
            case ValueSlot():
                return self.subject(slot.fact, slot.change)
            case RefSlot():
                return self.ref_column(slot)
            case CountSlot():
                return self.count_column(slot)
            case BoundSlot():
                return self.bound_column(slot)
            case ChangeBoundSlot():
                return self.change_bound_column(slot)
            case TrendSlot():
                return self.trend_column(slot)
            case _:
                assert_never(slot)

    def ref_column(self, slot: RefSlot) -> Values:
        size = len(self.group)
        ref = slot.ref
        measure = self.rulebook.measures[slot.fact]
        match ref:
            case RegionRef():
                # Sorted once for every statistic of the same values (each sorts them anyway).
                key = (slot.fact, slot.change)
                values = self.present.get(key)
                if values is None:
                    values = self.present[key] = sorted(
                        value for value in self.subject(slot.fact, slot.change) if value is not None
                    )
                return Constant(_adjust(stat(values, ref.stat, measure), ref.times, ref.plus), size)
            case ComparatorsRef():
                return self.comparators_column(self.subject(slot.fact, slot.change), ref, measure)
            case CouncilTypeRef():
                found_by_type: dict[str | None, float | None] = {}
                for item in self.group:
                    kind = item.council_type
                    if kind not in found_by_type:
                        typed = self.type_values.get((kind, self.year), {}).get(slot.fact, ()) if kind else ()
                        found_by_type[kind] = _adjust(stat(list(typed), ref.stat, measure), ref.times, ref.plus)
                return [found_by_type[item.council_type] for item in self.group]
            case PreviousRef():
                return [_adjust(value, ref.times, ref.plus) for value in self.previous(slot.fact)]
            case NationalRef():
                return Constant(_adjust(self.published("national", slot.fact, slot.change), ref.times, ref.plus), size)
            case PublishedRegionRef():
                published = self.published("published_region", slot.fact, slot.change)
                return Constant(_adjust(published, ref.times, ref.plus), size)
            case FactRef():
                return [_adjust(value, ref.times, ref.plus) for value in self.subject(ref.fact, slot.change)]
            case _:
                assert_never(ref)

    def comparators_column(self, column: Column, ref: ComparatorsRef, measure: Measure) -> Column:
        """A statistic of each authority's comparator group (itself included), the groups
        of each size read a member at a time."""
        result: Column = [None] * len(self.group)
        mean = ref.stat == "mean"
        for size, authorities, members in self.comparator_positions():
            values = zip(*[map(column.__getitem__, member) for member in members], strict=True)
            found: Column
            if mean and size > 1:  # a group with no value missing: its mean at once
                found = [
                    math.fsum(group) / size if None not in group else _present_stat(group, ref.stat, measure)
                    for group in values
                ]
            else:
                found = [_present_stat(group, ref.stat, measure) for group in values]
            if len(authorities) == len(result):  # every authority's group is this size: in order
                result = found
            else:
                for authority, value in zip(authorities, found, strict=True):
                    result[authority] = value
        if ref.times != 1.0 or ref.plus != 0.0:
            result = [_adjust(value, ref.times, ref.plus) for value in result]
        return result

    def comparator_positions(self) -> list[tuple[int, list[int], list[list[int]]]]:
        """The comparator groups by size: (size, the authorities whose group it is, and for
        each place in the group the member there of each of them)."""
        if self._comparators is None:
            by_size: dict[int, list[int]] = {}
            for authority, members in enumerate(self.members):
                by_size.setdefault(len(members), []).append(authority)
            groups = self.members
            self._comparators = [
                (size, authorities, [[groups[authority][place] for authority in authorities] for place in range(size)])
                for size, authorities in sorted(by_size.items())
                if size
            ]
        return self._comparators

    def bound_column(self, slot: BoundSlot) -> Column:
        """A bound of each authority's confidence interval, from the counts behind its value;
        None without counts (or for counts an interval cannot be taken from)."""
        measure = self.rulebook.measures[slot.fact]
        if self._with_counts is None:
            self._with_counts = frozenset(fact for item in self.group for fact in item.counts)
        if measure.method is None or slot.fact not in self._with_counts:
            # No counts given for the fact this year, or a measure with no method (a count
            # over a group reaches scores too): never an interval.
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

    def change_bound_column(self, slot: ChangeBoundSlot) -> Column:
        """A bound of each authority's interval of the change from last year (two samples)."""
        if self._with_counts is None:
            self._with_counts = frozenset(fact for item in self.group for fact in item.counts)
        if slot.fact not in self._with_counts:  # no counts this year for any authority
            return [None] * len(self.group)
        return change_bound_column(self.rulebook.measures[slot.fact], self.group, self.year, slot)

    def trend_column(self, slot: TrendSlot) -> Column:
        """1 where the value was worse (better) than the year before in each of the last N
        years, 0 where not, None where a value is missing or a year crosses a definition
        break; with a confidence, whether a test of trend on the counts of those years finds
        a significant trend for the worse (better)."""
        if slot.confidence is not None:  # a test of trend on each year's counts
            if self._with_counts is None:
                self._with_counts = frozenset(fact for item in self.group for fact in item.counts)
            if slot.fact not in self._with_counts:
                return [None] * len(self.group)
            return significant_trend_column(self.rulebook.measures[slot.fact], self.group, slot, slot.confidence)
        if self._with_history is None:
            self._with_history = frozenset(fact for item in self.group for fact, years in item.history.items() if years)
        if slot.fact not in self._with_history:  # no authority has so much as the year before
            return [None] * len(self.group)
        measure = self.rulebook.measures[slot.fact]
        breaks = [f"{start}-{(start + 1) % 100:02d}" for start in measure.breaks]
        better: Literal["higher", "lower"] = "higher" if measure.better == "higher" else "lower"
        fact = slot.fact
        found = trend_column(
            "worsening" if slot.trend == "worse" else "improving",
            [item.history.get(fact) for item in self.group],
            [item.facts.get(fact) for item in self.group],
            better, slot.years, breaks=breaks, until=self.year,
        )
        return list(map(_BOOLEAN_CODES.__getitem__, found))

    def count_column(self, slot: CountSlot) -> Column:
        """What a count tests, for every authority at once: how many of its facts pass the
        test (`number`), which share of the facts decided pass it (`share`), or 1 when all the
        facts of the year pass it and 0 when one does not (`all`). None where fewer than
        `min_data` facts could be decided (or, for `all`, where none failed but some are
        missing)."""
        count = slot.count
        size = len(self.group)
        recorded = self.part_outcomes[len(self.computed)] = []  # this slot's index: the next column
        counted = []  # the facts published this year (others are neither decided nor missing)
        for fact, part in zip(count.facts, slot.parts, strict=True):
            packed = bytes(map(OUTCOME_CODES.__getitem__, self.outcome_column(part)))
            recorded.append(packed)
            if _in_year(self.rulebook.measures[fact], self.start):
                counted.append(packed)
        facts = len(counted)

        def value(true: int, false: int) -> float | None:
            unknown, decided = facts - true - false, true + false
            if count.scale == "all":
                # False on one failure; a pattern of fewer than `min_data` facts never holds.
                return 0.0 if false else (None if unknown or decided < max(count.min_data, 1) else 1.0)
            if decided < count.min_data or (count.scale == "share" and not decided):
                return None
            return true / decided if count.scale == "share" else float(true)

        # The value for every number of facts passed and failed, read for each authority.
        values = [[value(true, false) for false in range(facts + 1 - true)] for true in range(facts + 1)]
        return [
            values[true][false]
            for true, false in zip(_tally(counted, True, size), _tally(counted, False, size), strict=True)
        ]

    def outcome_column(self, node: Node) -> list[bool | None]:
        """A tree's three-valued outcome for every authority at once."""
        return evaluate_column(node, self.plan.atoms, self.computed, len(self.group))


class _Released(Sequence[float | None]):
    """A column already packed into the block that no count reads: reading it is a bug."""

    def __len__(self) -> int:
        raise AssertionError("a released column was read")

    def __getitem__(self, index: Any) -> Any:
        raise AssertionError("a released column was read")


_RELEASED = _Released()
_FLOAT_OR_NONE = frozenset({float, type(None)})
_BOOL_OR_NONE = frozenset({bool, type(None)})
_BOOLEAN_CODES: dict[bool | None, float | None] = {True: 1.0, False: 0.0, None: None}  # as encode_literal
_UNKNOWN = math.nan


def _last_count_reading(plan: Plan) -> dict[int, int]:
    """Each slot that a count's tests of each fact compare, and the last count slot that
    does: its column is kept while deriving until that count is computed."""
    last: dict[int, int] = {}

    def walk(node: Node, count: int) -> None:
        if isinstance(node, int):
            atom = plan.atoms[node]
            last[atom.left] = count
            if atom.right is not None:
                last[atom.right] = count
        elif isinstance(node, Not):
            walk(node.item, count)
        else:
            for item in node.items:
                walk(item, count)

    for index, slot in enumerate(plan.slots):
        if isinstance(slot, CountSlot):
            for part in slot.parts:
                walk(part, index)
    return last


def _subjects_read(slot: Slot) -> list[tuple[str, str | None]]:
    """The (fact, change) columns a slot is computed from."""
    if isinstance(slot, RefSlot) and isinstance(slot.ref, FactRef):
        return [(slot.ref.fact, slot.change)]
    if isinstance(slot, (ValueSlot, RefSlot)):
        return [(slot.fact, slot.change)]
    return []


def _one_per_year(slot: Slot) -> bool:
    """A slot whose value is the same for every authority of a year: a region or national figure."""
    return isinstance(slot, RefSlot) and isinstance(slot.ref, (RegionRef, NationalRef, PublishedRegionRef))


def _checked(value: float | None, slot: Slot, year: str) -> float | None:
    """A derived value, refused where it came out as not a number (NaN stands for unknown)."""
    if value is not None and math.isnan(value):
        raise FactsError([Problem(
            "<derived>", 1, 1,
            f"a value derived for {year} came out as not a number ({slot}): "
            "values this extreme cannot be compared",
        )])
    return value


def _tally(columns: Sequence[bytes], outcome: bool, size: int) -> Sequence[int]:
    """How many of the columns (OUTCOME_CODES, one byte an authority) have `outcome`, for each
    authority: each column read as one number in base 256, a digit an authority, with a 1
    where the outcome is `outcome`; their sum has each authority's count as its digit."""
    if len(columns) > 255:  # a digit would carry into the next authority's
        code = OUTCOME_CODES[outcome]
        return [codes.count(code) for codes in zip(*columns, strict=True)]
    table = _ONE_WHERE[outcome]
    total = sum(int.from_bytes(column.translate(table), "little") for column in columns)
    return total.to_bytes(size, "little")


_ONE_WHERE = {
    outcome: bytes(1 if code == OUTCOME_CODES[outcome] else 0 for code in range(256)) for outcome in (True, False)
}


def _present_stat(values: Sequence[float | None], name: str, measure: Measure) -> float | None:
    present = [value for value in values if value is not None]
    if name == "mean" and len(present) > 1:  # statistics.fmean's own sum, without its call
        return math.fsum(present) / len(present)
    return stat(present, name, measure)


def _in_year(measure: Measure, start: int) -> bool:
    return (measure.since is None or start >= measure.since) and (measure.until is None or start <= measure.until)


def _adjust(value: float | None, times: float, plus: float) -> float | None:
    if value is None:
        return None
    return value * times + plus if (times != 1.0 or plus != 0.0) else value

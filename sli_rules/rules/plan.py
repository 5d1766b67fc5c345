"""The rulebook lowered for evaluation: slots and atoms, shared by both evaluators.

A *slot* is one number derived for each authority (a fact's value or change, a region or
comparator statistic, a previous value, a count). An *atom* compares a slot with a literal
or with another slot. Every trigger's condition becomes a tree of atoms under and/or/not.
Both the durable-rules program and the plain-Python evaluator run these same trees, so they
can be checked against each other on every case.

Every slot holds a float or nothing: categories become their position in the measure's
ordered values, booleans 0 or 1, text an index into a table of strings. The engine then only
ever sees finite numbers, which is the one kind of value it compares correctly.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Literal

import attrs

from .logic import And, Atom, Node, Not, Or
from .model import (
    AllOf,
    AnyOf,
    Change,
    Condition,
    Count,
    FactTest,
    LiteralRef,
    Measure,
    NationalRef,
    NotOf,
    NumberTest,
    PreviousRef,
    Ref,
    Reference,
    Rulebook,
    Test,
)
from .operators import OPERATORS, Bound, Trend

__all__ = [
    "And", "Atom", "BoundSlot", "ChangeBoundSlot",
    "CountSlot", "Node", "Not", "Or", "Plan", "RefSlot", "Slot", "TrendSlot", "ValueSlot",
    "encode_literal", "leaves", "make_plan",
]


# A slot is one of five kinds, each holding only what it needs. Slots are equal by value
# (and hashable), so that the planner makes each one once however many tests read it.


@attrs.frozen
class ValueSlot:
    """A fact's value this year, or its change from the year before."""

    fact: str
    change: Change | None = None


@attrs.frozen
class RefSlot:
    """What a test of a fact compares it with, other than a value written in the rule: the
    reference is taken of the same change as the fact tested."""

    fact: str
    change: Change | None
    ref: Reference


@attrs.frozen
class CountSlot:
    """What a count counts: a number of facts, a share, or whether all passed (1 or 0)."""

    count: Count
    parts: tuple[Node, ...]  # the count's test of each of its facts, in order


@attrs.frozen
class BoundSlot:
    """A bound of the confidence interval of a fact's value, from the counts behind it."""

    fact: str
    bound: Bound
    confidence: float


@attrs.frozen
class ChangeBoundSlot:
    """A bound of the confidence interval of the change in a fact from last year to this, from
    the counts of both years taken as two samples, measured from no change (so that 0 is no
    change whatever the method): the difference of two proportions (on the measure's scale), or
    the ratio of two rates less 1 (the relative change)."""

    fact: str
    bound: Bound
    confidence: float


@attrs.frozen
class TrendSlot:
    """Whether a fact's value was worse (better) than the year before in each of the last
    `years` years (`confidence` None); or, with a `confidence`, whether a test of trend on the
    counts of those years + 1 finds a significant trend for the worse (better): 1, 0 or
    unknown."""

    fact: str
    trend: Trend
    years: int
    confidence: float | None = None


Slot = ValueSlot | RefSlot | CountSlot | BoundSlot | ChangeBoundSlot | TrendSlot


@attrs.frozen
class Plan:
    """Every slot, every atom and each trigger's tree of atoms."""

    slots: tuple[Slot, ...]
    atoms: tuple[Atom, ...]
    trees: tuple[Node, ...]  # one per trigger, in rulebook order
    texts: dict[str, float]  # text literals and their codes
    trigger_slots: tuple[frozenset[int], ...]  # the slots each trigger reads
    # Each test of one fact and each count, as written, with its tree of atoms: the evaluation
    # records their outcomes, from which explanations are written.
    tests: tuple[FactTest | Count, ...] = attrs.field(eq=False, repr=False)
    test_trees: tuple[Node, ...] = attrs.field(eq=False, repr=False)
    trigger_tests: tuple[tuple[int, ...], ...] = attrs.field(eq=False, repr=False)  # in `leaves` order
    test_index: dict[FactTest | Count, int] = attrs.field(eq=False, repr=False)
    count_slots: dict[Count, int] = attrs.field(eq=False, repr=False)  # the slot holding each count
    slot_index: dict[Slot, int] = attrs.field(eq=False, repr=False)


class _Planner:
    def __init__(self, rulebook: Rulebook) -> None:
        self.rulebook = rulebook
        self.slots: list[Slot] = []
        self.slot_index: dict[Slot, int] = {}
        self.atoms: list[Atom] = []
        self.atom_index: dict[Atom, int] = {}
        self.texts: dict[str, float] = {}
        self.used: set[int] = set()
        self.nodes: dict[FactTest | Count, Node] = {}
        self.count_slots: dict[Count, int] = {}

    def slot(self, slot: Slot) -> int:
        index = self.slot_index.get(slot)
        if index is None:
            index = self.slot_index[slot] = len(self.slots)
            self.slots.append(slot)
        self.used.add(index)
        return index

    def atom(self, atom: Atom) -> int:
        index = self.atom_index.get(atom)
        if index is None:
            index = self.atom_index[atom] = len(self.atoms)
            self.atoms.append(atom)
        return index

    def lower(self, condition: Condition) -> Node:
        if isinstance(condition, AllOf):
            return And(tuple(self.lower(item) for item in condition.items))
        if isinstance(condition, AnyOf):
            return Or(tuple(self.lower(item) for item in condition.items))
        if isinstance(condition, NotOf):
            return Not(self.lower(condition.item))
        if isinstance(condition, FactTest):
            measure = self.rulebook.measures[condition.fact]
            subject = self.slot(ValueSlot(condition.fact, condition.change))
            node = self.test(subject, condition.test, measure, condition.fact, condition.change)
            self.nodes[condition] = node
            return node
        parts = []
        for fact in condition.facts:
            measure = self.rulebook.measures[fact]
            part_subject = self.slot(ValueSlot(fact, condition.change))
            tests = [self.test(part_subject, test, measure, fact, condition.change) for test in condition.wheres]
            parts.append(tests[0] if len(tests) == 1 else And(tuple(tests)))
        subject = self.count_slots[condition] = self.slot(CountSlot(condition, tuple(parts)))
        node = self.number_test(subject, condition.test)
        self.nodes[condition] = node
        return node

    def operand(
        self, ref: Ref, measure: Measure, fact: str, change: Change | None
    ) -> tuple[int | None, float | None]:
        if isinstance(ref, LiteralRef):
            return None, encode_literal(ref.value, measure, self.texts)
        return self.slot(RefSlot(fact, change, ref)), None

    def test(self, subject: int, test: Test, measure: Measure, fact: str, change: Change | None) -> Node:
        operands = [self.operand(ref, measure, fact, change) for ref in test.refs]
        lowering = _Lowering(self, subject, operands, fact, test)
        return OPERATORS[test.op].lower(lowering, len(operands), measure.better, test.present)

    def number_test(self, subject: int, test: NumberTest) -> Node:
        operands: list[tuple[int | None, float | None]] = [(None, float(number)) for number in test.numbers]
        lowering = _Lowering(self, subject, operands, None, None)
        return OPERATORS[test.op].lower(lowering, len(operands), "none", True)


class _Lowering:
    """The atoms one test lowers into, made for the operator table's `lower`."""

    def __init__(
        self, planner: _Planner, subject: int, operands: list[tuple[int | None, float | None]], fact: str | None,
        test: Test | None,  # None (and no fact) for a number counted, whose operators read only its value
    ) -> None:
        self.planner = planner
        self.subject = subject
        self.operands = operands
        self.fact = fact
        self.test = test

    def compare(self, kind: str, operand: int, subject: Literal["value"] | Bound = "value") -> Node:
        left = self.subject
        right, literal = self.operands[operand]
        if subject != "value":
            fact, test = self._of_fact()
            if right is not None and _is_previous(self.planner.slots[right]):
                # Last year is a sample too: the interval of the change lies wholly on one
                # side of no change, not this year's interval on one side of last year's value.
                left = self.planner.slot(ChangeBoundSlot(fact, subject, test.confidence))
                right, literal = None, 0.0
            else:
                left = self.planner.slot(BoundSlot(fact, subject, test.confidence))
        return self.planner.atom(Atom(kind, left, right, literal))

    def _of_fact(self) -> tuple[str, Test]:
        """The fact tested and its test, for an interval or a trend: only a test of a fact reads
        one (the tests a number counted may take read its value alone)."""
        assert self.fact is not None and self.test is not None
        return self.fact, self.test

    def present(self, flag: bool, subject: Literal["value", "national"] | Bound = "value") -> Node:
        left = self.subject
        if subject == "national":
            fact, test = self._of_fact()
            left = self.planner.slot(RefSlot(fact, None, NationalRef()))
        elif subject != "value":
            fact, test = self._of_fact()
            left = self.planner.slot(BoundSlot(fact, subject, test.confidence))
        return self.planner.atom(Atom("present" if flag else "absent", left))

    def holds(self, subject: Trend) -> Node:
        fact, test = self._of_fact()
        trend = self.planner.slot(TrendSlot(fact, subject, test.years, test.confidence if test.significant else None))
        return self.planner.atom(Atom("eq", trend, None, 1.0))


def _is_previous(slot: Slot) -> bool:
    return isinstance(slot, RefSlot) and isinstance(slot.ref, PreviousRef)


def encode_literal(value: Any, measure: Measure | None, texts: dict[str, float]) -> float:
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, str):
        if measure is not None and measure.type == "category" and measure.values:
            return float(measure.values.index(value))
        return texts.setdefault(value, float(len(texts)))
    return float(value)


def make_plan(rulebook: Rulebook) -> Plan:
    planner = _Planner(rulebook)
    trees = []
    trigger_slots = []
    for trigger in rulebook.triggers:
        planner.used = set()
        trees.append(planner.lower(trigger.when))
        trigger_slots.append(frozenset(planner.used))
    tests = tuple(planner.nodes)
    test_index = {test: index for index, test in enumerate(tests)}
    return Plan(
        slots=tuple(planner.slots),
        atoms=tuple(planner.atoms),
        trees=tuple(trees),
        texts=dict(planner.texts),
        trigger_slots=tuple(trigger_slots),
        tests=tests,
        test_trees=tuple(planner.nodes.values()),
        trigger_tests=tuple(
            tuple(test_index[test] for test in leaves(trigger.when)) for trigger in rulebook.triggers
        ),
        test_index=test_index,
        count_slots=planner.count_slots,
        slot_index=planner.slot_index,
    )


def leaves(condition: Condition) -> Iterator[FactTest | Count]:
    """The tests of one fact and the counts in a condition, in the order written."""
    if isinstance(condition, (AllOf, AnyOf)):
        for item in condition.items:
            yield from leaves(item)
    elif isinstance(condition, NotOf):
        yield from leaves(condition.item)
    else:
        yield condition

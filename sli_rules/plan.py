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
from typing import Any

import attrs

from .logic import And, Atom, Node, Not, Or
from .model import AllOf, AnyOf, Condition, Count, FactTest, Measure, NotOf, Ref, Rulebook, Test
from .operators import OPERATORS

__all__ = ["And", "Atom", "Node", "Not", "Or", "Plan", "Slot", "encode_literal", "leaves", "make_plan"]


@attrs.frozen
class Slot:
    """A value derived per authority. kind: value | ref | count | bound | trend."""

    kind: str
    fact: str | None = None
    change: str | None = None
    ref: Ref | None = None
    count: Count | None = None
    parts: tuple[Node, ...] = ()  # a count's test of each of its facts
    bound: str | None = None  # an interval's lower or upper bound (kind bound)
    confidence: float = 95.0
    trend: str | None = None  # worse or better year on year (kind trend): 1, 0 or unknown
    years: int = 0


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
            subject = self.slot(Slot("value", condition.fact, condition.change))
            node = self.test(subject, condition.test, measure, condition.fact, condition.change)
            self.nodes[condition] = node
            return node
        parts = []
        for fact in condition.facts:
            measure = self.rulebook.measures[fact]
            part_subject = self.slot(Slot("value", fact, condition.change))
            parts.append(self.test(part_subject, condition.where, measure, fact, condition.change))
        subject = self.count_slots[condition] = self.slot(Slot("count", count=condition, parts=tuple(parts)))
        node = self.test(subject, condition.test, None, None, None)
        self.nodes[condition] = node
        return node

    def operand(
        self, ref: Ref, measure: Measure | None, fact: str | None, change: str | None
    ) -> tuple[int | None, float | None]:
        if ref.kind == "literal":
            return None, encode_literal(ref.literal, measure, self.texts)
        return self.slot(Slot("ref", fact, change, ref)), None

    def test(self, subject: int, test: Test, measure: Measure | None, fact: str | None, change: str | None) -> Node:
        operands = [self.operand(ref, measure, fact, change) for ref in test.refs]
        better = measure.better if measure is not None else "none"
        lowering = _Lowering(self, subject, operands, fact, test)
        return OPERATORS[test.op].lower(lowering, len(operands), better, test.present)


class _Lowering:
    """The atoms one test lowers into, made for the operator table's `lower`."""

    def __init__(
        self, planner: _Planner, subject: int, operands: list[tuple[int | None, float | None]], fact: str | None,
        test: Test,
    ) -> None:
        self.planner = planner
        self.subject = subject
        self.operands = operands
        self.fact = fact
        self.test = test

    def compare(self, kind: str, operand: int, subject: str = "value") -> Node:
        left = self.subject
        if subject != "value":
            left = self.planner.slot(Slot("bound", self.fact, bound=subject, confidence=self.test.confidence))
        right, literal = self.operands[operand]
        return self.planner.atom(Atom(kind, left, right, literal))

    def present(self, flag: bool, subject: str = "value") -> Node:
        left = self.subject
        if subject != "value":
            left = self.planner.slot(Slot("bound", self.fact, bound=subject, confidence=self.test.confidence))
        return self.planner.atom(Atom("present" if flag else "absent", left))

    def holds(self, subject: str) -> Node:
        trend = self.planner.slot(Slot("trend", self.fact, trend=subject, years=self.test.years))
        return self.planner.atom(Atom("eq", trend, None, 1.0))


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

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

from typing import Any, Union

import attrs

from .model import AllOf, AnyOf, Condition, Count, FactTest, Measure, NotOf, Ref, Rulebook, Test

NEGATION = {
    "gt": "le", "ge": "lt", "lt": "ge", "le": "gt", "eq": "ne", "ne": "eq",
    "present": "absent", "absent": "present",
}
COMPARE = {"above": "gt", "below": "lt", "at_least": "ge", "at_most": "le", "equals": "eq", "not_equals": "ne"}


@attrs.frozen
class Slot:
    """A value derived per authority. kind: value | ref | count."""

    kind: str
    fact: str | None = None
    change: str | None = None
    ref: Ref | None = None
    count: Count | None = None
    parts: tuple[Node, ...] = ()  # a count's test of each of its facts


@attrs.frozen
class Atom:
    op: str  # gt ge lt le eq ne present absent
    left: int
    right: int | None = None  # a slot, or None when comparing with `literal`
    literal: float | None = None


@attrs.frozen
class And:
    items: tuple[Node, ...]


@attrs.frozen
class Or:
    items: tuple[Node, ...]


@attrs.frozen
class Not:
    item: Node


Node = Union[int, And, Or, Not]  # noqa: UP007 (an int is an index into Plan.atoms)


@attrs.frozen
class Plan:
    """Every slot, every atom and each trigger's tree of atoms."""

    slots: tuple[Slot, ...]
    atoms: tuple[Atom, ...]
    trees: tuple[Node, ...]  # one per trigger, in rulebook order
    texts: dict[str, float]  # text literals and their codes
    trigger_slots: tuple[frozenset[int], ...]  # the slots each trigger reads
    nodes: dict[FactTest | Count, Node] = attrs.field(eq=False, repr=False)  # for explanations
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
        subject = self.slot(Slot("count", count=condition, parts=tuple(parts)))
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
        op = test.op
        if op == "present":
            return self.atom(Atom("present" if test.present else "absent", subject))
        operands = [self.operand(ref, measure, fact, change) for ref in test.refs]

        def compare(kind: str, operand: tuple[int | None, float | None]) -> int:
            return self.atom(Atom(kind, subject, operand[0], operand[1]))

        if op in COMPARE:
            return compare(COMPARE[op], operands[0])
        if op in ("worse_than", "better_than"):
            assert measure is not None
            worse, better = ("lt", "gt") if measure.better == "higher" else ("gt", "lt")
            return compare(worse if op == "worse_than" else better, operands[0])
        if op == "between":
            return And((compare("ge", operands[0]), compare("le", operands[1])))
        if op == "outside":
            return Or((compare("lt", operands[0]), compare("gt", operands[1])))
        if op == "one_of":
            return Or(tuple(compare("eq", operand) for operand in operands))
        if op == "none_of":
            return And(tuple(compare("ne", operand) for operand in operands))
        raise AssertionError(f"unplanned test {op}")


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
    return Plan(
        slots=tuple(planner.slots),
        atoms=tuple(planner.atoms),
        trees=tuple(trees),
        texts=dict(planner.texts),
        trigger_slots=tuple(trigger_slots),
        nodes=planner.nodes,
        slot_index=planner.slot_index,
    )


def atom_holds(atom: Atom, values: list[float | None]) -> bool | None:
    """One atom over one authority's slot values: True, False, or None when unknown."""
    left = values[atom.left]
    if atom.op == "present":
        return left is not None
    if atom.op == "absent":
        return left is None
    right = atom.literal if atom.right is None else values[atom.right]
    if left is None or right is None:
        return None
    op = atom.op
    if op == "gt":
        return left > right
    if op == "ge":
        return left >= right
    if op == "lt":
        return left < right
    if op == "le":
        return left <= right
    if op == "eq":
        return left == right
    return left != right


def evaluate(node: Node, atoms: tuple[Atom, ...], values: list[float | None]) -> bool | None:
    """Kleene three-valued logic over a tree of atoms."""
    if isinstance(node, int):
        return atom_holds(atoms[node], values)
    if isinstance(node, And):
        result: bool | None = True
        for item in node.items:
            outcome = evaluate(item, atoms, values)
            if outcome is False:
                return False
            if outcome is None:
                result = None
        return result
    if isinstance(node, Or):
        result = False
        for item in node.items:
            outcome = evaluate(item, atoms, values)
            if outcome is True:
                return True
            if outcome is None:
                result = None
        return result
    inner = evaluate(node.item, atoms, values)
    return None if inner is None else not inner

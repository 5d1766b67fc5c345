"""Three-valued logic, once: the comparisons atoms make, Kleene's and/or/not, and a tree of
atoms decided one authority at a time (scalar) or every authority at once (column).

Every place that decides a condition uses this module: the Python evaluator, the counts
computed while deriving, explanations, and the translation into durable-rules (which reads
each comparison's negation and engine operator from `COMPARISONS`).
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Sequence
from typing import Union

import attrs

Outcome = Union[bool, None]  # noqa: UP007 (used at run time in aliases below)
Column = list[Union[float, None]]  # noqa: UP007


@attrs.frozen
class Comparison:
    """What an atom does with its two numbers, its negation (for "certainly false"), and the
    durable-rules operator that does the same (None where equality is written bare)."""

    name: str
    holds: Callable[[float, float], bool]
    negation: str
    engine: str | None


COMPARISONS: dict[str, Comparison] = {
    comparison.name: comparison
    for comparison in (
        Comparison("gt", operator.gt, "le", "$gt"),
        Comparison("ge", operator.ge, "lt", "$gte"),
        Comparison("lt", operator.lt, "ge", "$lt"),
        Comparison("le", operator.le, "gt", "$lte"),
        Comparison("eq", operator.eq, "ne", None),
        Comparison("ne", operator.ne, "eq", "$neq"),
    )
}
# Presence is decided on the value alone and is never unknown.
PRESENCE = {"present": "absent", "absent": "present"}


def negation(kind: str) -> str:
    return PRESENCE[kind] if kind in PRESENCE else COMPARISONS[kind].negation


@attrs.frozen
class Atom:
    """One comparison of a slot with a literal (`right` None) or with another slot."""

    op: str  # a key of COMPARISONS, or present / absent
    left: int
    right: int | None = None
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


Node = Union[int, And, Or, Not]  # noqa: UP007 (an int is an index into the plan's atoms)


def kleene_and(outcomes: Sequence[Outcome]) -> Outcome:
    if False in outcomes:
        return False
    return None if None in outcomes else True


def kleene_or(outcomes: Sequence[Outcome]) -> Outcome:
    if True in outcomes:
        return True
    return None if None in outcomes else False


def kleene_not(outcome: Outcome) -> Outcome:
    return None if outcome is None else not outcome


def atom_holds(atom: Atom, values: Sequence[float | None]) -> Outcome:
    """One atom over one authority's slot values."""
    left = values[atom.left]
    if atom.op == "present":
        return left is not None
    if atom.op == "absent":
        return left is None
    right = atom.literal if atom.right is None else values[atom.right]
    if left is None or right is None:
        return None
    return COMPARISONS[atom.op].holds(left, right)


def decide(node: Node, atom_outcome: Callable[[int], Outcome]) -> Outcome:
    """A tree's outcome, given each atom's: and/or short-cut on a decided False/True."""
    if isinstance(node, int):
        return atom_outcome(node)
    if isinstance(node, Not):
        return kleene_not(decide(node.item, atom_outcome))
    stop = isinstance(node, Or)  # the outcome that decides an or (True) or an and (False)
    result: Outcome = not stop
    for item in node.items:
        outcome = decide(item, atom_outcome)
        if outcome is stop:
            return stop
        if outcome is None:
            result = None
    return result


def evaluate(node: Node, atoms: Sequence[Atom], values: Sequence[float | None]) -> Outcome:
    """A tree over one authority's slot values."""
    return decide(node, lambda index: atom_holds(atoms[index], values))


def compile_tree(node: Node, atoms: Sequence[Atom]) -> Callable[[Sequence[float | None]], Outcome]:
    """A tree as nested closures: the same logic as `evaluate`, without walking the tree on
    every call (the evaluator's hot path)."""
    if isinstance(node, int):
        atom = atoms[node]
        return lambda row: atom_holds(atom, row)
    if isinstance(node, Not):
        inner = compile_tree(node.item, atoms)
        return lambda row: kleene_not(inner(row))
    parts = [compile_tree(item, atoms) for item in node.items]
    stop = isinstance(node, Or)

    def combined(row: Sequence[float | None]) -> Outcome:
        result: Outcome = not stop
        for part in parts:
            outcome = part(row)
            if outcome is stop:
                return stop
            if outcome is None:
                result = None
        return result

    return combined


def atom_column(atom: Atom, columns: Sequence[Sequence[float | None]], size: int) -> list[Outcome]:
    """`atom_holds` for every authority at once."""
    left = columns[atom.left]
    if atom.op == "present":
        return [value is not None for value in left]
    if atom.op == "absent":
        return [value is None for value in left]
    holds = COMPARISONS[atom.op].holds
    if atom.right is None:
        literal = atom.literal
        if literal is None:
            return [None] * size
        return [None if value is None else holds(value, literal) for value in left]
    right = columns[atom.right]
    return [None if a is None or b is None else holds(a, b) for a, b in zip(left, right, strict=True)]


def evaluate_column(
    node: Node, atoms: Sequence[Atom], columns: Sequence[Sequence[float | None]], size: int
) -> list[Outcome]:
    """`evaluate` for every authority at once, a column of outcomes per node."""
    if isinstance(node, int):
        return atom_column(atoms[node], columns, size)
    if isinstance(node, Not):
        return [kleene_not(value) for value in evaluate_column(node.item, atoms, columns, size)]
    parts = [evaluate_column(item, atoms, columns, size) for item in node.items]
    if not parts:
        return [isinstance(node, And)] * size
    combine = kleene_and if isinstance(node, And) else kleene_or
    return [combine(values) for values in zip(*parts, strict=True)]

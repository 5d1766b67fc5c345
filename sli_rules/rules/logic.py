"""Three-valued logic, once: the comparisons atoms make, and one Kleene rule (`_kleene`: how an
`and` or an `or` combines its parts), applied in column form (`kleene_column`, the rule written
out in its loop), which decides a tree for every authority at once, and to one authority's row
by a tree worked out once into plain calls (`compile_tree`), which is what the record of each
test asks thousands of times. A test holds the two forms to each other and to a truth table.

Every place that decides a condition uses this module: the Python evaluator, the record of
each test, the counts computed while deriving, explanations (over the tests' recorded
outcomes), and the translation into durable-rules (which reads each comparison's negation and
engine operator from `COMPARISONS`).

Unknown is `None` everywhere the engine reasons: a slot's value, an atom's, a test's or a
trigger's outcome. Two packings store it otherwise, for size, and are read back into `None`
where they are unpacked: the derived values (`assessment/derived.py`: doubles, NaN for
unknown) and outcomes kept by the byte (`OUTCOME_CODES`: 2 for unknown). durable-rules, which
knows no unknown, is given a fact without the property (`assessment/backends/durable.py`).
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


def kleene_column(node: Node, leaf: Callable[[int], Sequence[Outcome]], size: int) -> list[Outcome]:
    """The three-valued (Kleene) evaluator in column form: a tree's outcome for `size`
    authorities at once, given the column of outcomes of each of its leaves (an index, into
    the plan's atoms or whatever `leaf` reads). An `and` is false where any part is false,
    else unknown where any is unknown; an `or` the same way round; `not` keeps unknown."""
    if isinstance(node, int):
        return list(leaf(node))
    if isinstance(node, Not):
        return [None if value is None else not value for value in kleene_column(node.item, leaf, size)]
    stop = isinstance(node, Or)  # the outcome that decides an or (True) or an and (False)
    parts = [kleene_column(item, leaf, size) for item in node.items]
    if not parts:
        return [not stop] * size
    if len(parts) == 1:
        return parts[0]
    combined: list[Outcome] = []
    for values in zip(*parts, strict=True):  # `_kleene`, written out: no call for each authority
        if stop in values:
            combined.append(stop)
        elif None in values:
            combined.append(None)
        else:
            combined.append(not stop)
    return combined


def _kleene(values: Sequence[Outcome], stop: bool) -> Outcome:
    """The parts' outcomes of an `or` (`stop` True) or an `and` (`stop` False) combined."""
    if stop in values:
        return stop
    if None in values:
        return None
    return not stop


def atom_column(atom: Atom, columns: Sequence[Sequence[float | None]], size: int) -> list[Outcome]:
    """An atom's outcome for every authority at once, from the slots' columns."""
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
    """A tree of atoms over the slots' columns, for every authority at once."""
    return kleene_column(node, lambda index: atom_column(atoms[index], columns, size), size)


Row = Sequence[Union[float, None]]  # noqa: UP007
RowTest = Callable[[Row], Outcome]


def compile_tree(node: Node, atoms: Sequence[Atom]) -> RowTest:
    """A tree of atoms worked out once into a test of one authority's slot values: each atom
    as `atom_column` decides it, each `and`/`or` by the one Kleene rule."""
    if isinstance(node, int):
        return _atom_test(atoms[node])
    if isinstance(node, Not):
        inner = compile_tree(node.item, atoms)

        def negated(row: Row) -> Outcome:
            value = inner(row)
            return None if value is None else not value

        return negated
    stop = isinstance(node, Or)
    parts = tuple(compile_tree(item, atoms) for item in node.items)

    def combined(row: Row) -> Outcome:
        return _kleene([part(row) for part in parts], stop)

    return combined


def _atom_test(atom: Atom) -> RowTest:
    """`atom_column` for one authority's row."""
    left = atom.left
    if atom.op == "present":
        return lambda row: row[left] is not None
    if atom.op == "absent":
        return lambda row: row[left] is None
    holds = COMPARISONS[atom.op].holds
    if atom.right is None:
        literal = atom.literal
        if literal is None:
            return lambda row: None
        return lambda row: None if (value := row[left]) is None else holds(value, literal)
    right = atom.right

    def compared(row: Row) -> Outcome:
        a, b = row[left], row[right]
        return None if a is None or b is None else holds(a, b)

    return compared


def evaluate(node: Node, atoms: Sequence[Atom], row: Sequence[float | None]) -> Outcome:
    """A tree of atoms over one authority's slot values."""
    return compile_tree(node, atoms)(row)


def evaluate_rows(
    nodes: Sequence[Node], atoms: Sequence[Atom], rows: Sequence[Sequence[float | None]]
) -> list[list[Outcome]]:
    """Each tree's outcome for each row (an authority's slot values), decided column by column."""
    if not rows:
        return []
    columns = list(zip(*rows, strict=True))
    by_tree = [evaluate_column(node, atoms, columns, len(rows)) for node in nodes]
    return [list(outcomes) for outcomes in zip(*by_tree, strict=True)] if by_tree else [[] for _ in rows]

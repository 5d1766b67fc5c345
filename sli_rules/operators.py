"""The tests a rule may apply, each declared once.

An entry says everything the rest of the package needs to know about one test: the shape of
its operand, the measure types it applies to, whether it reads the measure's polarity, whether
it may test a number of flags or facts, its words for people, how it lowers into atoms for the
evaluators, and what it means on plain numbers (for the verdict policy and the reference
interpreter the tests check the evaluators against). The loader, the schema, the planner, the
evaluators, the judge and the explainer all read this table: adding a test is one entry here,
and its cases in `tests/cases/conditions.yaml`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Literal

import attrs

from .logic import And, Node, Or

Shape = Literal["value", "pair", "list", "flag"]
# Makes the atom comparing the subject with operand `index` (None for a test of presence).
AtomMaker = Callable[[str, "int | None"], Node]
ORDERED = frozenset({"number", "category"})
EVERY_TYPE = frozenset({"number", "category", "boolean", "text"})


@attrs.frozen
class Operator:
    """One test of the rule format."""

    name: str
    shape: Shape  # value: one operand; pair: [LOW, HIGH]; list: [V, ...]; flag: true or false
    types: frozenset[str]  # measure types it applies to (a change is a number)
    numeric: bool  # may test a number counted (counts, the verdict policy)
    polarity: bool  # reads the measure's `better`: an error on `better: none`
    words: str  # said of one subject: "is above"
    number_words: str  # said of a number in verdict reasons: "≥ {0}", "between {0} and {1}", "one of {all}"
    # How it lowers: (make an atom, number of operands, the measure's better, the flag given).
    lower: Callable[[AtomMaker, int, str, bool], Node]
    # What it means on plain numbers: (subject, operands, the measure's better).
    decide: Callable[[float, Sequence[float], str], bool]

    def say_numbers(self, values: Sequence[str]) -> str:
        return self.number_words.format(*values, all=", ".join(values))

    @property
    def plural(self) -> str:
        """The words said of several subjects: 'are above', 'do not equal'."""
        if self.words.startswith("is "):
            return "are" + self.words[2:]
        return self.words.replace("does not", "do not")


def _worse(better: str) -> str:
    return "lt" if better == "higher" else "gt"


def _better(better: str) -> str:
    return "gt" if better == "higher" else "lt"


def _is_worse(x: float, v: float, better: str) -> bool:
    return x < v if better == "higher" else x > v


def _one(kind: str) -> Callable[[AtomMaker, int, str, bool], Node]:
    return lambda atom, _n, _better, _flag: atom(kind, 0)


OPERATORS: dict[str, Operator] = {
    op.name: op
    for op in (
        Operator("equals", "value", EVERY_TYPE, True, False, "equals", "= {0}",
                 _one("eq"), lambda x, v, _: x == v[0]),
        Operator("not_equals", "value", EVERY_TYPE, True, False, "does not equal", "≠ {0}",
                 _one("ne"), lambda x, v, _: x != v[0]),
        Operator("above", "value", ORDERED, True, False, "is above", "> {0}",
                 _one("gt"), lambda x, v, _: x > v[0]),
        Operator("below", "value", ORDERED, True, False, "is below", "< {0}",
                 _one("lt"), lambda x, v, _: x < v[0]),
        Operator("at_least", "value", ORDERED, True, False, "is at least", "≥ {0}",
                 _one("ge"), lambda x, v, _: x >= v[0]),
        Operator("at_most", "value", ORDERED, True, False, "is at most", "≤ {0}",
                 _one("le"), lambda x, v, _: x <= v[0]),
        Operator("between", "pair", ORDERED, True, False, "is between", "between {0} and {1}",
                 lambda atom, _n, _b, _f: And((atom("ge", 0), atom("le", 1))),
                 lambda x, v, _: v[0] <= x <= v[1]),
        Operator("outside", "pair", ORDERED, True, False, "is outside", "outside {0} to {1}",
                 lambda atom, _n, _b, _f: Or((atom("lt", 0), atom("gt", 1))),
                 lambda x, v, _: x < v[0] or x > v[1]),
        Operator("one_of", "list", EVERY_TYPE, True, False, "is one of", "one of {all}",
                 lambda atom, n, _b, _f: Or(tuple(atom("eq", index) for index in range(n))),
                 lambda x, v, _: x in v),
        Operator("none_of", "list", EVERY_TYPE, True, False, "is none of", "none of {all}",
                 lambda atom, n, _b, _f: And(tuple(atom("ne", index) for index in range(n))),
                 lambda x, v, _: x not in v),
        Operator("worse_than", "value", ORDERED, False, True, "is worse than", "worse than {0}",
                 lambda atom, _n, better, _f: atom(_worse(better), 0),
                 lambda x, v, better: _is_worse(x, v[0], better)),
        Operator("better_than", "value", ORDERED, False, True, "is better than", "better than {0}",
                 lambda atom, _n, better, _f: atom(_better(better), 0),
                 lambda x, v, better: _is_worse(v[0], x, better)),
        Operator("no_better_than", "value", ORDERED, False, True, "is no better than", "no better than {0}",
                 lambda atom, _n, better, _f: atom("le" if better == "higher" else "ge", 0),
                 lambda x, v, better: not _is_worse(v[0], x, better)),
        Operator("present", "flag", EVERY_TYPE, False, False, "is present", "present",
                 lambda atom, _n, _b, flag: atom("present" if flag else "absent", None),
                 lambda _x, _v, _b: True),
    )
}
NUMERIC = tuple(name for name, op in OPERATORS.items() if op.numeric)


def operator_named(name: str) -> Operator:
    return OPERATORS[name]

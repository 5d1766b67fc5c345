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

import itertools
from collections.abc import Callable, Sequence
from typing import Any, Literal, Protocol

import attrs

from .logic import And, Node, Or

Shape = Literal["value", "pair", "list", "flag", "years"]
Reads = Literal["value", "interval", "trend", "national"]  # "national": whether England's figure is given
Bound = Literal["lower", "upper"]  # of a confidence interval
Trend = Literal["worse", "better"]  # year on year


class Lowering(Protocol):
    """What an operator lowers with: atoms comparing its subject with an operand."""

    def compare(self, kind: str, operand: int, subject: Literal["value"] | Bound = "value") -> Node:
        """The subject (`value`; an interval's `lower` or `upper` bound) compared with operand
        number `operand` by `kind` (gt, ge, lt, le, eq, ne)."""
        ...

    def present(self, flag: bool, subject: Literal["value", "national"] | Bound = "value") -> Node:
        """The subject (`value`; an interval's `lower` bound; the published England figure of
        the fact, `national`) is present (or absent): never unknown."""
        ...

    def holds(self, subject: Trend) -> Node:
        """A yes-or-no subject (a trend: `worse` or `better`) holds."""
        ...

ORDERED = frozenset({"number", "category"})
NUMBERS = frozenset({"number"})
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
    # How it lowers: (the lowering, number of operands, the measure's better, the flag given).
    lower: Callable[[Lowering, int, str, bool], Node]
    # What it means: (subject, operands, the measure's better). The subject is the value; for
    # an operator that reads an interval, (lower, upper); for a trend, the values of the
    # years it spans, oldest first.
    decide: Callable[[Any, Sequence[float], str], bool]
    reads: Reads = "value"

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


def _one(kind: str) -> Callable[[Lowering, int, str, bool], Node]:
    return lambda low, _n, _better, _flag: low.compare(kind, 0)


def _near(better: str, *, worse: bool) -> Bound:
    """The bound of an interval that must clear a reference for it to lie wholly on the worse
    (or better) side: for higher-is-better, the upper bound to be worse, the lower to be better."""
    return ("upper" if worse else "lower") if better == "higher" else ("lower" if worse else "upper")


def _bound(interval: Sequence[float], better: str, *, worse: bool) -> float:
    return interval[1] if _near(better, worse=worse) == "upper" else interval[0]


def _series(values: Sequence[float], better: str, worse: bool) -> bool:
    """Each year worse (or better) than the year before, strictly, by polarity."""
    pairs = list(itertools.pairwise(values))
    return bool(pairs) and all(
        _is_worse(now, then, better) if worse else _is_worse(then, now, better) for then, now in pairs
    )


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
                 lambda low, _n, _b, _f: And((low.compare("ge", 0), low.compare("le", 1))),
                 lambda x, v, _: v[0] <= x <= v[1]),
        Operator("outside", "pair", ORDERED, True, False, "is outside", "outside {0} to {1}",
                 lambda low, _n, _b, _f: Or((low.compare("lt", 0), low.compare("gt", 1))),
                 lambda x, v, _: x < v[0] or x > v[1]),
        Operator("one_of", "list", EVERY_TYPE, True, False, "is one of", "one of {all}",
                 lambda low, n, _b, _f: Or(tuple(low.compare("eq", index) for index in range(n))),
                 lambda x, v, _: x in v),
        Operator("none_of", "list", EVERY_TYPE, True, False, "is none of", "none of {all}",
                 lambda low, n, _b, _f: And(tuple(low.compare("ne", index) for index in range(n))),
                 lambda x, v, _: x not in v),
        Operator("worse_than", "value", ORDERED, False, True, "is worse than", "worse than {0}",
                 lambda low, _n, better, _f: low.compare(_worse(better), 0),
                 lambda x, v, better: _is_worse(x, v[0], better)),
        Operator("better_than", "value", ORDERED, False, True, "is better than", "better than {0}",
                 lambda low, _n, better, _f: low.compare(_better(better), 0),
                 lambda x, v, better: _is_worse(v[0], x, better)),
        Operator("no_better_than", "value", ORDERED, False, True, "is no better than", "no better than {0}",
                 lambda low, _n, better, _f: low.compare("le" if better == "higher" else "ge", 0),
                 lambda x, v, better: not _is_worse(v[0], x, better)),
        Operator("present", "flag", EVERY_TYPE, False, False, "is present", "present",
                 lambda low, _n, _b, flag: low.present(flag),
                 lambda _x, _v, _b: True),
        # The interval lies wholly on the worse (better) side: for higher-is-better, its upper
        # (lower) bound is below (above) the reference.
        Operator("significantly_worse_than", "value", NUMBERS, False, True, "is significantly worse than",
                 "significantly worse than {0}",
                 lambda low, _n, better, _f: low.compare(_worse(better), 0, _near(better, worse=True)),
                 lambda interval, v, better: _is_worse(_bound(interval, better, worse=True), v[0], better),
                 "interval"),
        Operator("significantly_better_than", "value", NUMBERS, False, True, "is significantly better than",
                 "significantly better than {0}",
                 lambda low, _n, better, _f: low.compare(_better(better), 0, _near(better, worse=False)),
                 lambda interval, v, better: _is_worse(v[0], _bound(interval, better, worse=False), better),
                 "interval"),
        # Whether the counts behind the value are given, so that an interval can be taken:
        # never unknown, so that a rule can fall back to another test where they are not.
        Operator("has_counts", "flag", NUMBERS, False, False, "is backed by counts", "backed by counts",
                 lambda low, _n, _b, flag: low.present(flag, "lower"),
                 lambda _interval, _v, _b: True, "interval"),
        # Whether England's published figure of the measure is given that year: never
        # unknown, so that "worse than England too" can fall back where a file gives none.
        Operator("has_national", "flag", NUMBERS, False, False, "is published with an England figure",
                 "with an England figure",
                 lambda low, _n, _b, flag: low.present(flag, "national"),
                 lambda _x, _v, _b: True, "national"),
        Operator("worsening", "years", NUMBERS, False, True, "has worsened year on year", "worsening",
                 lambda low, _n, _b, _f: low.holds("worse"),
                 lambda series, _v, better: _series(series, better, worse=True), "trend"),
        Operator("improving", "years", NUMBERS, False, True, "has improved year on year", "improving",
                 lambda low, _n, _b, _f: low.holds("better"),
                 lambda series, _v, better: _series(series, better, worse=False), "trend"),
    )
}
NUMERIC = tuple(name for name, op in OPERATORS.items() if op.numeric)


def trend_words(op: str, years: int, significant: bool, confidence: float, *, plural: bool = False) -> str:
    """What a trend test says of one fact (or, `plural`, of several): a run of years says it
    is not a statistical test, a test of trend names its level."""
    way = "worse" if op == "worsening" else "better"
    if significant:
        shown = f"{confidence:g}"
        verb = "show" if plural else "shows"
        return f"{verb} a significant trend for the {way} over {years + 1} years (a test of trend, at {shown}%)"
    verb = "were" if plural else "was"
    span = "the last year" if years == 1 else f"each of the last {years} years"
    return f"{verb} {way} than the year before in {span} (a run of years, not a statistical test)"


def operator_named(name: str) -> Operator:
    return OPERATORS[name]

"""Conditions as written (`when` of triggers and verdict levels) parsed into the model's
condition trees, every test type-checked against the operator table and the catalogue."""

from __future__ import annotations

import math
from typing import Any, Literal, cast

from ...errors import Location, did_you_mean
from ..convert import type_name
from ..model import (
    CHANGES,
    STATS,
    AllOf,
    AnyOf,
    Change,
    ComparatorsRef,
    Condition,
    CouncilTypeRef,
    Count,
    CountScale,
    FactRef,
    FactTest,
    LiteralRef,
    Measure,
    NationalRef,
    NotOf,
    NumberTest,
    PreviousRef,
    PublishedRegionRef,
    Ref,
    RegionRef,
    Test,
)
from ..operators import NUMERIC, OPERATORS
from ..source import Document, Where
from ..verdict_keys import MAX_YEARS
from .significance import TREND_KEYS, counted_options, trend_test
from .state import Loading

TESTS = tuple(OPERATORS)
REFERENCE_KEYS = ("region", "comparators", "council_type", "previous", "fact", "national", "published_region")
STATISTICS: dict[str, type[RegionRef | ComparatorsRef | CouncilTypeRef]] = {
    "region": RegionRef, "comparators": ComparatorsRef, "council_type": CouncilTypeRef,
}
PUBLISHED: dict[str, type[NationalRef | PublishedRegionRef]] = {
    "national": NationalRef, "published_region": PublishedRegionRef,
}
MAX_DEPTH = 64  # far beyond any rule a person writes; keeps recursion well inside Python's


class ConditionParser:
    """Parses `when` trees into Condition objects, type-checking every test it can."""

    def __init__(self, state: Loading, document: Document) -> None:
        self.state = state
        self.document = document
        self.problems = state.problems

    def fail(self, where: Where, message: str, *, key: bool = False, hint: str | None = None) -> None:
        self.document.problem(self.problems, where, message, key=key, hint=hint)

    def location(self, where: Where) -> Location:
        line, column = self.document.at(where)
        return Location(self.document.path, line, column)

    def condition(self, where: Where, value: Any, depth: int = 0) -> Condition | None:
        if depth > MAX_DEPTH:
            self.fail(where, f"conditions nested more than {MAX_DEPTH} deep")
            return None
        if not isinstance(value, dict) or not value:
            self.fail(where, f"a condition is a mapping, got {type_name(value)}",
                      hint="e.g. {fact: ID, above: 3} or {all: [...]}")
            return None
        keys = set(value)
        handled, combined = self.state.combination(
            self.document, where, value,
            lambda inner, item: self.condition(inner, item, depth + 1),
            (AllOf, AnyOf, NotOf),
        )
        if handled:
            return combined  # type: ignore[no-any-return]
        if "count" in keys:
            return self.count(where, value)
        if "fact" in keys:
            return self.fact_test(where, value)
        for key in sorted(keys):
            self.fail(
                (*where, key), f"unknown key '{key}' in a condition", key=True,
                hint=did_you_mean(key, ("all", "any", "not", "count", "fact", "change", *TESTS)),
            )
        if keys <= set(TESTS) | {"change"}:
            self.fail(where, "a test needs the fact it tests", hint="add 'fact: ID'")
        return None

    def _one_test(self, where: Where, value: dict[str, Any], allowed: set[str]) -> str | None:
        unknown = sorted(set(value) - allowed - set(TESTS))
        for key in unknown:
            self.fail(
                (*where, key), f"unknown key '{key}'", key=True,
                hint=did_you_mean(key, (*allowed, *TESTS)),
            )
        tests = [key for key in value if key in TESTS]
        if unknown:
            return None
        if len(tests) != 1:
            if tests:
                self.fail(
                    (*where, tests[1]),
                    f"one test per condition, found {', '.join(tests)}", key=True,
                    hint="combine several tests with 'all'",
                )
            else:
                self.fail(where, "the condition has no test", hint=f"one of: {', '.join(TESTS)}")
            return None
        return tests[0]

    def _measure(self, where: Where, fact: Any) -> Measure | None:
        if not isinstance(fact, str):
            self.fail(where, f"a fact id is text, got {type_name(fact)}")
            return None
        measure = self.state.resolve(fact)
        if measure is None and self.state.known("measures", fact):
            return None
        if measure is None:
            self.fail(
                where, f"unknown fact '{fact}'",
                hint=did_you_mean(fact, self.state.known_ids()) or "add it to a measures file",
            )
        return measure

    def fact_test(self, where: Where, value: dict[str, Any]) -> FactTest | None:
        op = self._one_test(where, value, {"fact", "change", "confidence"})
        measure = self._measure((*where, "fact"), value["fact"])
        change = self._change(where, value, measure)
        if op is None or measure is None or change is False:
            return None
        test = self.test((*where, op), op, value[op], measure, change)
        if test is None:
            return None
        reads = OPERATORS[op].reads
        if reads != "value" and change:
            self.fail((*where, "change"), f"'{op}' reads the fact itself, not its change", key=True)
            return None
        checked = counted_options(self.fail, where, value, op, test, measure)
        if checked is None:
            return None
        test = checked
        written = cast(Change, change) if isinstance(change, str) else None
        return FactTest(measure.id, written, test, self.location(where))

    def _change(self, where: Where, value: dict[str, Any], measure: Measure | None) -> str | bool | None:
        change = value.get("change")
        if change is None:
            return None
        if change not in CHANGES:
            self.fail(
                (*where, "change"), f"unknown change {change!r}",
                hint=did_you_mean(str(change), CHANGES) or "absolute or percent",
            )
            return False
        if measure is not None and measure.type != "number":
            self.fail((*where, "change"), f"'change' needs a number measure; '{measure.id}' is a {measure.type}")
            return False
        return str(change)

    def count(self, where: Where, value: dict[str, Any]) -> Count | None:
        op = self._one_test(where, value, {"count", "min_data"})
        spec = value["count"]
        if not isinstance(spec, dict):
            self.fail((*where, "count"), f"'count' takes a mapping with facts and where, got {type_name(spec)}")
            return None
        known = {"facts", "where", "change", "min_data"}
        for key in sorted(set(spec) - known):
            self.fail((*where, "count", key), f"unknown key '{key}' in a count", key=True,
                      hint=did_you_mean(key, known))
        if "facts" not in spec or "where" not in spec:
            self.fail((*where, "count"), "a count needs 'facts' and 'where'")
            return None
        facts = self._fact_set((*where, "count", "facts"), spec["facts"])
        where_specs = self._where_tests((*where, "count", "where"), spec["where"])
        if op is None or facts is None or where_specs is None:
            return None
        change = spec.get("change")
        if change is not None and change not in CHANGES:
            self.fail((*where, "count", "change"), f"unknown change {change!r}",
                      hint=did_you_mean(str(change), CHANGES))
            return None
        for fact in facts:
            measure = self.state.measures[fact]
            if change is not None and measure.type != "number":
                self.fail((*where, "count", "change"), f"'change' needs number measures; '{fact}' is a {measure.type}")
                return None
        wheres: list[Test] = []
        for spot, where_spec, where_op in where_specs:
            tests = [
                self.test((*spot, where_op), where_op, where_spec[where_op], self.state.measures[fact], change,
                          about=fact)
                for fact in facts
            ]
            if any(test is None for test in tests):
                return None
            reads_counts = OPERATORS[where_op].reads == "interval" or any(test.significant for test in tests if test)
            if reads_counts and all(self.state.measures[f].method is None for f in facts):
                self.fail((*spot, where_op), f"'{where_op}' needs a confidence interval, but none of "
                          "the facts counted has a method", hint="give the measures method: proportion or rate")
                return None
            wheres.append(tests[0])  # type: ignore[arg-type]
        min_data = self._min_data(where, value, spec)
        if value[op] == "all":
            if op != "at_least":
                self.fail((*where, op), f"'all' goes with at_least, not {op}", hint="write at_least: all")
                return None
            outer: NumberTest | None = NumberTest("at_least", (1.0,))
            scale: CountScale = "all"
        else:
            outer, shares = self.number_test(where, {op: value[op]}, shares="percent")
            scale = "share" if shares else "number"
        if outer is None or min_data is None:
            return None
        return Count(
            tuple(facts), change, wheres[0], outer, self.location(where), scale, min_data, tuple(wheres[1:])
        )

    def _where_tests(self, where: Where, value: Any) -> list[tuple[Where, dict[str, Any], str]] | None:
        """A count's `where`: one test, or `all: [test, ...]` that each fact must pass together
        (each with its place and its operator)."""
        if isinstance(value, dict) and set(value) == {"all"}:
            items = value["all"]
            if not isinstance(items, list) or not items:
                self.fail((*where, "all"), "'all' in a count's where takes a list of tests")
                return None
            found = []
            for index, item in enumerate(items):
                spot = (*where, "all", index)
                if not isinstance(item, dict):
                    self.fail(spot, f"each test of 'all' is a mapping, got {type_name(item)}")
                    return None
                op = self._one_test(spot, item, set())
                if op is None:
                    return None
                found.append((spot, item, op))
            return found
        if not isinstance(value, dict):
            self.fail(where, f"'where' takes one test, or all: [tests], got {type_name(value)}")
            return None
        op = self._one_test(where, value, set())
        return None if op is None else [(where, value, op)]

    def _min_data(self, where: Where, value: dict[str, Any], spec: dict[str, Any]) -> int | None:
        """`min_data: N`, beside the count's test or inside `count:` (not both)."""
        if "min_data" in value and "min_data" in spec:
            self.fail((*where, "min_data"), "min_data is given twice", hint="keep the one inside count:")
            return None
        spot, given = ((*where, "min_data"), value["min_data"]) if "min_data" in value else (
            (*where, "count", "min_data"), spec.get("min_data", 1)
        )
        if isinstance(given, bool) or not isinstance(given, int) or given < 1:
            self.fail(spot, f"min_data is a whole number of 1 or more, got {given!r}")
            return None
        return given

    def _fact_set(self, where: Where, value: Any) -> list[str] | None:
        if isinstance(value, dict):
            if set(value) != {"group"}:
                self.fail(where, "facts is a list of ids or {group: NAME}")
                return None
            group = value["group"]
            members = self.state.groups.get(group) if isinstance(group, str) else None
            if not members and self.state.known("groups", group):
                return None
            if not members:
                self.fail((*where, "group"), f"unknown group {group!r}",
                          hint=did_you_mean(str(group), self.state.groups))
                return None
            return list(members)
        if isinstance(value, list) and value:
            found = []
            for index, fact in enumerate(value):
                measure = self._measure((*where, index), fact)
                if measure is None:
                    return None
                found.append(measure.id)
            return found
        self.fail(where, f"facts is a non-empty list of ids or {{group: NAME}}, got {type_name(value)}")
        return None

    def number_test(
        self, where: Where, value: Any, shares: Literal["none", "percent", "fraction"] = "none"
    ) -> tuple[NumberTest | None, bool]:
        """A numeric test with literal numbers, as used on counts and in verdicts, and whether
        it tests a share. `shares="percent"`: a count, whose literals are numbers or all
        percentages ('35%'); `"fraction"`: coverage, a percentage or a number from 0 to 1.
        Shares are kept as fractions."""
        if not isinstance(value, dict):
            self.fail(where, f"expected a numeric test such as {{at_least: 2}}, got {type_name(value)}")
            return None, False
        op = self._one_test(where, value, set())
        if op is None:
            return None, False
        if op not in NUMERIC:
            self.fail((*where, op), f"'{op}' cannot test a number of flags or facts", key=True,
                      hint="use at_least, at_most, above, below, equals, between...")
            return None, False
        operands = self._operands((*where, op), op, value[op])
        if operands is None:
            return None, False
        numbers: list[float] = []
        percents = [isinstance(operand, str) and operand.endswith("%") for operand in operands]
        is_share = shares == "fraction" or (shares == "percent" and any(percents))
        for index, operand in enumerate(operands):
            spot = (*where, op, index) if OPERATORS[op].shape in ("pair", "list") else (*where, op)
            number = _percent(operand) if percents[index] and shares != "none" else operand
            if shares == "percent" and any(percents) and not percents[index]:
                self.fail(spot, f"expected a percentage like 35%, got {operand!r}",
                          hint="a count's test takes numbers of facts or shares, not both")
                return None, False
            if not _is_number(number):
                wanted = "a number or a percentage like 35%" if shares != "none" else "a number"
                got = repr(operand) if isinstance(operand, str) and shares != "none" else type_name(operand)
                self.fail(spot, f"expected {wanted}, got {got}")
                return None, False
            if is_share and not percents[index] and not 0 <= number <= 1:
                self.fail(spot, f"a share is from 0 to 1 (or 0% to 100%), got {operand!r}")
                return None, False
            if is_share and percents[index] and not 0 <= number <= 1:
                self.fail(spot, f"a percentage is from 0% to 100%, got {operand!r}")
                return None, False
            numbers.append(number)
        test = NumberTest(op, tuple(numbers))
        if _always_holds(test, is_share):
            self.document.problem(
                self.problems, (*where, op),
                f"'{op}' always holds on a {'share' if is_share else 'number'} (from 0"
                f"{' to 100%' if is_share else ' up'}), so it tests nothing",
                hint="give a bound that some authorities do not reach", warning=True,
            )
        return test, is_share

    def _operands(self, where: Where, op: str, value: Any) -> list[Any] | None:
        shape = OPERATORS[op].shape
        if shape == "pair":
            if not isinstance(value, list) or len(value) != 2:
                self.fail(where, f"'{op}' takes [LOW, HIGH], got {type_name(value)}")
                return None
            return list(value)
        if shape == "list":
            if not isinstance(value, list) or not value:
                self.fail(where, f"'{op}' takes a non-empty list, got {type_name(value)}")
                return None
            return list(value)
        return [value]

    def test(
        self,
        where: Where,
        op: str,
        value: Any,
        measure: Measure,
        change: str | bool | None,
        about: str | None = None,
    ) -> Test | None:
        subject = f"'{measure.id}'" + (f" ({change} change)" if change else "")
        operator = OPERATORS[op]
        if operator.shape == "flag":
            if not isinstance(value, bool):
                self.fail(where, f"'{op}' takes true or false, got {type_name(value)}")
                return None
            return Test(op, (), value)
        if operator.shape == "years":
            if (
                not isinstance(value, dict) or "years" not in value or not set(value) <= TREND_KEYS
                or not whole_years(value["years"])
            ):
                given = isinstance(value, dict) and "years" in value and set(value) <= TREND_KEYS
                spot = (*where, "years") if given else where
                self.fail(spot, f"'{op}' takes {{years: N}}, N a whole number from 1 to {MAX_YEARS}, got {value!r}",
                          hint="a test of trend: {years: N, significant: true}")
                return None
            trend = trend_test(self.fail, where, op, value)
            if trend is None:
                return None
            if measure.better == "none":
                self.fail(
                    where, f"'{op}' needs a polarity, but {subject} has better: none",
                    hint=f"set 'better' on measure '{measure.id}'",
                )
                return None
            return trend
        if operator.polarity and measure.better == "none":
            self.fail(
                where, f"'{op}' needs a polarity, but {subject} has better: none",
                hint=f"set 'better' on measure '{measure.id}', or use above/below",
            )
            return None
        kind = "number" if change else measure.type
        if kind not in operator.types:
            usable = [name for name, other in OPERATORS.items() if kind in other.types and other.shape != "flag"]
            self.fail(
                where, f"'{op}' cannot apply to {subject}, a {kind}",
                hint=f"use {', '.join(usable[:-1])} or {usable[-1]}",
            )
            return None
        operands = self._operands(where, op, value)
        if operands is None:
            return None
        refs = []
        for index, operand in enumerate(operands):
            spot = (*where, index) if operator.shape in ("pair", "list") else where
            ref = self.ref(spot, operand, measure, kind, change)
            if ref is None:
                return None
            refs.append(ref)
        literals = [ref.value for ref in refs if isinstance(ref, LiteralRef)]
        if operator.shape == "pair" and len(literals) == len(refs):
            low, high = (_order(measure, literal) for literal in literals)
            if low is not None and high is not None and low > high:
                self.fail(where, f"'{op}' takes [LOW, HIGH] with LOW <= HIGH")
                return None
        return Test(op, tuple(refs))

    def ref(self, where: Where, value: Any, measure: Measure, kind: str, change: str | bool | None) -> Ref | None:
        if isinstance(value, dict):
            return self._reference(where, value, measure, kind, change)
        if kind == "number":
            if not _is_number(value):
                self.fail(where, f"expected a number for '{measure.id}', got {type_name(value)}")
                return None
            if measure.range is not None and not change and not (measure.range[0] <= value <= measure.range[1]):
                self.fail(
                    where, f"{value} is outside the range of '{measure.id}' "
                    f"[{_plain(measure.range[0])}, {_plain(measure.range[1])}]",
                )
                return None
            return LiteralRef(value)
        if kind == "boolean":
            if not isinstance(value, bool):
                self.fail(where, f"expected true or false for '{measure.id}', got {type_name(value)}")
                return None
            return LiteralRef(value)
        if kind == "category":
            assert measure.values is not None
            if value not in measure.values:
                self.fail(
                    where, f"{value!r} is not a value of '{measure.id}'",
                    hint=did_you_mean(str(value), measure.values)
                    or f"one of: {', '.join(measure.values)}",
                )
                return None
            return LiteralRef(value)
        if not isinstance(value, str):
            self.fail(where, f"expected text for '{measure.id}', got {type_name(value)}")
            return None
        return LiteralRef(value)

    def _reference(
        self, where: Where, value: dict[str, Any], measure: Measure, kind: str, change: str | bool | None
    ) -> Ref | None:
        known = (*REFERENCE_KEYS, "plus", "times")
        for key in sorted(set(value) - set(known)):
            self.fail((*where, key), f"unknown key '{key}' in a reference", key=True,
                      hint=did_you_mean(key, known))
            return None
        chosen = [key for key in REFERENCE_KEYS if key in value]
        if len(chosen) != 1:
            self.fail(where, "a reference names exactly one of: " + ", ".join(REFERENCE_KEYS))
            return None
        (what,) = chosen
        plus, times = value.get("plus", 0.0), value.get("times", 1.0)
        for name, number in (("plus", plus), ("times", times)):
            if not _is_number(number):
                self.fail((*where, name), f"'{name}' takes a number, got {type_name(number)}")
                return None
        if (plus != 0 or times != 1) and kind != "number":
            self.fail(where, "'plus' and 'times' apply only to numbers")
            return None
        target = value[what]
        if what == "council_type" and change:
            self.fail((*where, what), "a council type statistic is of this year's values: no 'change'")
            return None
        if what in STATISTICS:
            if target not in STATS:
                self.fail((*where, what), f"unknown statistic {target!r}",
                          hint=did_you_mean(str(target), STATS) or f"one of: {', '.join(STATS)}")
                return None
            if kind != "number":
                self.fail((*where, what), f"a {what} statistic needs a number; '{measure.id}' is a {kind}")
                return None
            if target in ("worst_quartile", "best_quartile") and measure.better == "none":
                self.fail(
                    (*where, what), f"'{target}' needs a polarity, but '{measure.id}' has better: none",
                    hint=f"set 'better' on measure '{measure.id}'",
                )
                return None
            return STATISTICS[what](target, float(plus), float(times))
        if what in PUBLISHED:
            if target != "value":
                self.fail((*where, what), f"write {{{what}: value}}: the published figure of the same measure")
                return None
            if kind != "number":
                self.fail(
                    (*where, what),
                    f"a published {what.replace('_', ' ')} figure needs a number; '{measure.id}' is a {kind}",
                )
                return None
            return PUBLISHED[what](float(plus), float(times))
        if what == "previous":
            if target is not True:
                self.fail((*where, what), "write {previous: true}")
                return None
            if change:
                self.fail(where, "'previous' cannot be used with 'change': the change already uses it")
                return None
            return PreviousRef(float(plus), float(times))
        other = self._measure((*where, "fact"), target)
        if other is None:
            return None
        if other.type != measure.type or (other.type == "category" and other.values != measure.values):
            self.fail(
                (*where, "fact"), f"'{other.id}' ({other.type}) cannot be compared with "
                f"'{measure.id}' ({measure.type})",
            )
            return None
        if other.id == measure.id and not change:
            self.document.problem(
                self.problems, (*where, "fact"), f"'{measure.id}' is compared with itself",
                hint="compare it with another fact, a statistic, a figure or last year's value", warning=True,
            )
        return FactRef(other.id, float(plus), float(times))


def _percent(value: Any) -> Any:
    """'35%' as 0.35; anything else as it is, for the number check to refuse."""
    if isinstance(value, str) and value.endswith("%"):
        try:
            return float(value[:-1]) / 100.0
        except ValueError:
            return value
    return value


def _always_holds(test: NumberTest, share: bool) -> bool:
    """Whether a test of a count (a whole number from 0) or a share (from 0 to 1) holds
    whatever it is given: tried at each end, at each literal and either side of it."""
    decide = OPERATORS[test.op].decide
    top = 1.0 if share else max((*test.numbers, 0.0)) + 2
    step = 1e-9 if share else 1.0
    tried = {0.0, top}
    for number in test.numbers:
        near = (number, number - step, number + step) if share else (number, math.floor(number), math.ceil(number))
        tried.update(value for value in (*near, math.floor(number) - 1, math.ceil(number) + 1) if 0 <= value <= top)
    if not share:
        tried = {float(math.floor(value)) for value in tried}  # counts are whole numbers
    return all(decide(value, test.numbers, "none") for value in tried)


def whole_years(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_YEARS


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _order(measure: Measure, value: Any) -> float | None:
    if measure.type == "category" and measure.values and value in measure.values:
        return float(measure.values.index(value))
    return float(value) if _is_number(value) else None


def _plain(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else str(number)


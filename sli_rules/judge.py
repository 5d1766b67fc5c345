"""Judge: the "in the round" verdict, the first level of the policy whose condition holds."""

from __future__ import annotations

from collections import Counter as Multiset
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

import attrs

from .model import (
    Counter,
    Flagged,
    Level,
    Test,
    Trigger,
    VerdictAll,
    VerdictAny,
    VerdictCondition,
    VerdictNot,
)

if TYPE_CHECKING:
    from .results import Flag

COUNTER_WORDS = {
    "concerns": "counted concerns",
    "concern_headings": "headings with a counted concern",
    "excellence": "areas of excellence",
    "gaps": "triggers that could not be judged",
}
TEST_WORDS = {
    "equals": "=",
    "not_equals": "≠",
    "above": ">",
    "below": "<",
    "at_least": "≥",
    "at_most": "≤",
}


@attrs.frozen
class Tally:
    """What the verdict policy counts: counted concerns and excellence by heading, gaps."""

    concerns: dict[str, int]
    excellence: dict[str, int]
    gaps: int
    flagged: frozenset[str]

    @classmethod
    def empty(cls) -> Tally:
        return cls({}, {}, 0, frozenset())

    @classmethod
    def of_single(cls, trigger: Trigger) -> Tally:
        """The tally when `trigger` is the only one flagged (a gated one alone never counts)."""
        if trigger.is_concern:
            if trigger.gated:
                return cls.empty()
            return cls({trigger.heading: 1}, {}, 0, frozenset({trigger.id}))
        return cls({}, {trigger.heading: 1}, 0, frozenset({trigger.id}))

    @classmethod
    def of_flags(cls, flags: Iterable[Flag], gaps: int) -> Tally:
        concerns: Multiset[str] = Multiset()
        excellence: Multiset[str] = Multiset()
        flagged = set()
        for flag in flags:
            if not flag.counted:
                continue
            flagged.add(flag.trigger)
            (concerns if flag.signal == "concern" else excellence)[flag.heading] += 1
        return cls(dict(concerns), dict(excellence), gaps, frozenset(flagged))

    def number(self, what: str, heading: str | None) -> int:
        if what == "concerns":
            return self.concerns.get(heading, 0) if heading else sum(self.concerns.values())
        if what == "excellence":
            return self.excellence.get(heading, 0) if heading else sum(self.excellence.values())
        if what == "concern_headings":
            return sum(1 for count in self.concerns.values() if count > 0)
        return self.gaps


def test_number(test: Test, number: float) -> bool:
    values = [ref.literal for ref in test.refs]
    op = test.op
    if op == "equals":
        return bool(number == values[0])
    if op == "not_equals":
        return bool(number != values[0])
    if op == "above":
        return bool(number > values[0])
    if op == "below":
        return bool(number < values[0])
    if op == "at_least":
        return bool(number >= values[0])
    if op == "at_most":
        return bool(number <= values[0])
    if op == "between":
        return bool(values[0] <= number <= values[1])
    if op == "outside":
        return bool(number < values[0] or number > values[1])
    if op == "one_of":
        return number in values
    if op == "none_of":
        return number not in values
    raise AssertionError(op)


def holds(condition: VerdictCondition, tally: Tally) -> bool:
    if isinstance(condition, VerdictAll):
        return all(holds(item, tally) for item in condition.items)
    if isinstance(condition, VerdictAny):
        return any(holds(item, tally) for item in condition.items)
    if isinstance(condition, VerdictNot):
        return not holds(condition.item, tally)
    if isinstance(condition, Flagged):
        return condition.trigger in tally.flagged
    return test_number(condition.test, tally.number(condition.what, condition.heading))


def choose_level(levels: Sequence[Level], tally: Tally) -> Level:
    for level in levels:
        if level.when is None or holds(level.when, tally):
            return level
    return levels[-1]


def describe(condition: VerdictCondition, tally: Tally, headings: dict[str, str]) -> list[str]:
    """The parts of a level's condition that held, in words, with the numbers found."""
    if isinstance(condition, VerdictAll):
        return [text for item in condition.items for text in describe(item, tally, headings)]
    if isinstance(condition, VerdictAny):
        for item in condition.items:
            if holds(item, tally):
                return describe(item, tally, headings)
        return []
    if isinstance(condition, VerdictNot):
        return ["not (" + "; ".join(_words(condition.item, headings)) + ")"]
    if isinstance(condition, Flagged):
        return [f"'{condition.trigger}' is flagged"]
    found = tally.number(condition.what, condition.heading)
    return [f"{_words(condition, headings)[0]} (found {found})"]


def _words(condition: VerdictCondition, headings: dict[str, str]) -> list[str]:
    if isinstance(condition, Counter):
        what = COUNTER_WORDS[condition.what]
        if condition.heading:
            what += f" under {headings.get(condition.heading, condition.heading)}"
        return [f"{what} {_test_words(condition.test)}"]
    if isinstance(condition, Flagged):
        return [f"'{condition.trigger}' is flagged"]
    if isinstance(condition, VerdictNot):
        return ["not (" + "; ".join(_words(condition.item, headings)) + ")"]
    joiner = " and " if isinstance(condition, VerdictAll) else " or "
    return [joiner.join(text for item in condition.items for text in _words(item, headings))]


def _test_words(test: Test) -> str:
    values = [_plain(ref.literal) for ref in test.refs]
    if test.op in TEST_WORDS:
        return f"{TEST_WORDS[test.op]} {values[0]}"
    if test.op == "between":
        return f"between {values[0]} and {values[1]}"
    if test.op == "outside":
        return f"outside {values[0]} to {values[1]}"
    return f"{test.op.replace('_', ' ')} {', '.join(values)}"


def _plain(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else str(number)


def reasons(
    level: Level, tally: Tally, flags: Sequence[Flag], gaps: int, headings: dict[str, str]
) -> list[str]:
    """Why this verdict: the condition that held, then the flags that led to it."""
    found: list[str] = []
    if level.when is None:
        found.append(f"{level.title}: no earlier level's condition held")
    else:
        found.append(f"{level.title}: " + "; ".join(describe(level.when, tally, headings)))
    by_heading: dict[str, list[str]] = {}
    for flag in flags:
        if flag.signal == "concern" and flag.counted:
            by_heading.setdefault(flag.heading, []).append(flag.trigger)
    for heading, triggers in by_heading.items():
        found.append(f"Concerns under {headings.get(heading, heading)}: {', '.join(triggers)}")
    uncounted = [flag.trigger for flag in flags if flag.signal == "concern" and not flag.counted]
    if uncounted:
        found.append(
            f"Flagged but not counted (only in the event of other concerns): {', '.join(uncounted)}"
        )
    excellent = [flag.trigger for flag in flags if flag.signal == "excellence"]
    if excellent:
        found.append(f"Excellence to celebrate: {', '.join(excellent)}")
    if gaps:
        found.append(
            f"{gaps} trigger{'s' if gaps != 1 else ''} could not be judged for want of data: "
            "the verdict may understate the concerns"
        )
    return found

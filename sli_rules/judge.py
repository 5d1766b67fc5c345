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
    Rulebook,
    Test,
    VerdictAll,
    VerdictAny,
    VerdictCondition,
    VerdictNot,
)
from .operators import OPERATORS
from .policy import Tally, choose_level, holds

__all__ = ["Tally", "Verdict", "choose_level", "counted", "describe", "judge", "reasons", "tally"]

if TYPE_CHECKING:
    from .results import Flag, Gap

COUNTER_WORDS = {
    "concerns": "counted concerns",
    "concern_headings": "headings with a counted concern",
    "excellence": "areas of excellence",
    "gaps": "triggers that could not be judged",
}


def tally(flags: Iterable[Flag], gaps: int) -> Tally:
    """What the policy counts, from an authority's flags: only counted ones."""
    concerns: Multiset[str] = Multiset()
    excellence: Multiset[str] = Multiset()
    flagged = set()
    for flag in flags:
        if not flag.counted:
            continue
        flagged.add(flag.trigger)
        (concerns if flag.signal == "concern" else excellence)[flag.heading] += 1
    return Tally(dict(concerns), dict(excellence), gaps, frozenset(flagged))


def counted(rulebook: Rulebook, flags: Sequence[Flag]) -> tuple[Flag, ...]:
    """The flags, each marked whether it counts in the round: a gated one (only in the event
    of other concerns) counts only beside a concern without that mark."""
    gated = {flag.trigger for flag in flags if rulebook.trigger(flag.trigger).gated}
    others = any(flag.signal == "concern" and flag.trigger not in gated for flag in flags)
    return tuple(
        flag if flag.counted == (flag.trigger not in gated or others)
        else attrs.evolve(flag, counted=not flag.counted)
        for flag in flags
    )


@attrs.frozen
class Verdict:
    """One authority judged in the round: its flags (counted or not), its gaps, the level the
    policy chose, what the policy counted, and why."""

    authority: str
    code: str | None
    year: str
    level: Level
    flags: tuple[Flag, ...]
    gaps: tuple[Gap, ...]
    tally: Tally
    reasons: tuple[str, ...]


def judge(
    rulebook: Rulebook, authority: str, code: str | None, year: str, flags: Sequence[Flag], gaps: Sequence[Gap]
) -> Verdict:
    """The verdict on one authority's findings: the first level of the policy that holds."""
    judged = counted(rulebook, flags)
    found = tally(judged, len(gaps))
    level = choose_level(rulebook.levels, found)
    why = reasons(level, found, judged, len(gaps), rulebook.headings)
    return Verdict(authority, code, year, level, judged, tuple(gaps), found, tuple(why))


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
    return OPERATORS[test.op].say_numbers([_plain(ref.literal) for ref in test.refs])


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

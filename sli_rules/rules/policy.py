"""The verdict policy's meaning: what it counts (a Tally) and which level a tally selects.

Kept apart from the judge so that the loader can prove things about a policy (no tier that
needs corroboration is reachable on one piece of evidence; every level can be reached) with
exactly the logic the judge applies, without depending on the judging stage.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

import attrs

from .model import Flagged, Level, NumberTest, VerdictAll, VerdictAny, VerdictCondition, VerdictNot
from .operators import OPERATORS


@attrs.frozen
class Tally:
    """What the verdict policy counts for one authority.

    `concerns` and `excellence` are counted flags by heading; `entries` the distinct pieces of
    evidence (Table 2 entries) with a counted concern, by heading; `judged` and `totals` the
    concern triggers judged (flagged or cleared) and all of them, by heading; `gaps` the
    triggers that could not be judged; `flagged` the counted flags' triggers; `unacknowledged`
    the counted concerns the authority's own self-assessment marked as no concern;
    `persistent` the counted concerns also flagged the year before.
    """

    concerns: dict[str, int]
    excellence: dict[str, int]
    gaps: int
    flagged: frozenset[str]
    entries: dict[str, frozenset[str]] = attrs.Factory(dict)
    judged: dict[str, int] = attrs.Factory(dict)
    totals: dict[str, int] = attrs.Factory(dict)
    unacknowledged: int = 0
    persistent: int = 0
    # `persisting[n - 1]`: the entries with a counted concern this year and in each of the n-1
    # years before, as far back as the years are known (read by `persistent` with `years`).
    persisting: tuple[int, ...] = ()

    def persistent_over(self, years: int) -> int:
        """Entries with a counted concern in this year and each of the `years - 1` before
        (0 where those years are not known)."""
        return self.persisting[years - 1] if len(self.persisting) >= years else 0

    @classmethod
    def empty(cls) -> Tally:
        return cls({}, {}, 0, frozenset())

    def coverage(self, heading: str | None = None) -> float:
        """The share of concern triggers judged (0 where there are none to judge)."""
        if heading is not None:
            total = self.totals.get(heading, 0)
            return self.judged.get(heading, 0) / total if total else 0.0
        total = sum(self.totals.values())
        return sum(self.judged.values()) / total if total else 0.0

    def number(self, what: str, heading: str | None) -> float:
        if what == "concerns":
            return self.concerns.get(heading, 0) if heading else sum(self.concerns.values())
        if what == "excellence":
            return self.excellence.get(heading, 0) if heading else sum(self.excellence.values())
        if what == "concern_headings":
            return sum(1 for count in self.concerns.values() if count > 0)
        if what == "concern_entries":
            if heading:
                return len(self.entries.get(heading, frozenset()))
            return len(frozenset().union(*self.entries.values()))
        if what == "coverage":
            return self.coverage(heading)
        if what == "judged_headings":
            return sum(1 for count in self.judged.values() if count > 0)
        if what == "unacknowledged":
            return self.unacknowledged
        if what == "persistent":
            return self.persistent
        return self.gaps


def test_number(test: NumberTest, number: float) -> bool:
    return OPERATORS[test.op].decide(number, test.numbers, "none")


class Counts(Protocol):
    """What a verdict condition reads: a Tally, or a situation the loader's proofs try."""

    @property
    def flagged(self) -> frozenset[str]: ...

    def number(self, what: str, heading: str | None) -> float: ...


def holds(condition: VerdictCondition, tally: Counts) -> bool:
    if isinstance(condition, VerdictAll):
        return all(holds(item, tally) for item in condition.items)
    if isinstance(condition, VerdictAny):
        return any(holds(item, tally) for item in condition.items)
    if isinstance(condition, VerdictNot):
        return not holds(condition.item, tally)
    if isinstance(condition, Flagged):
        return condition.trigger in tally.flagged
    return test_number(condition.test, _counted(tally, condition.what, condition.heading, condition.years))


def _counted(tally: Counts, what: str, heading: str | None, years: int) -> float:
    """What a counter reads: `persistent` over `years` from a tally that knows the years
    before; anything else (and a situation the loader's proofs try, which bounds `persistent`
    however it is counted) by what and heading."""
    if years and isinstance(tally, Tally):
        return tally.persistent_over(years)
    return tally.number(what, heading)


def choose_level(levels: Sequence[Level], tally: Counts) -> Level:
    for level in levels:
        if level.when is None or holds(level.when, tally):
            return level
    return levels[-1]


Test = Callable[[Counts], bool]


def compile_condition(condition: VerdictCondition) -> Test:
    """`holds` for one condition, worked out once: what the judge asks of every authority."""
    # Explicit loops rather than all()/any() over a generator: no object made for each authority.
    if isinstance(condition, VerdictAll):
        every = tuple(compile_condition(item) for item in condition.items)

        def all_hold(tally: Counts) -> bool:
            for part in every:  # noqa: SIM110
                if not part(tally):
                    return False
            return True

        return all_hold
    if isinstance(condition, VerdictAny):
        either = tuple(compile_condition(item) for item in condition.items)

        def any_holds(tally: Counts) -> bool:
            for part in either:  # noqa: SIM110
                if part(tally):
                    return True
            return False

        return any_holds
    if isinstance(condition, VerdictNot):
        inner = compile_condition(condition.item)
        return lambda tally: not inner(tally)
    if isinstance(condition, Flagged):
        trigger = condition.trigger
        return lambda tally: trigger in tally.flagged
    decide, numbers = OPERATORS[condition.test.op].decide, condition.test.numbers
    what, heading, years = condition.what, condition.heading, condition.years
    if years:
        return lambda tally: decide(_counted(tally, what, heading, years), numbers, "none")
    return lambda tally: decide(tally.number(what, heading), numbers, "none")


class LevelChooser:
    """`choose_level` for one policy, its conditions worked out once."""

    def __init__(self, levels: Sequence[Level]) -> None:
        self.levels = tuple(levels)
        self.tests = tuple(
            (level, compile_condition(level.when) if level.when is not None else None) for level in self.levels
        )

    def __call__(self, tally: Counts) -> Level:
        for level, test in self.tests:
            if test is None or test(tally):
                return level
        return self.levels[-1]

"""The verdict policy's meaning: what it counts (a Tally) and which level a tally selects.

Kept apart from the judge so that the loader can prove things about a policy (no tier that
needs corroboration is reachable on one piece of evidence; every level can be reached) with
exactly the logic the judge applies, without depending on the judging stage.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Protocol

import attrs

from .model import Flagged, Level, VerdictAll, VerdictAny, VerdictCondition, VerdictNot
from .operators import OPERATORS
from .verdict_keys import VERDICT_KEYS, verdict_key


@attrs.frozen
class Tally:
    """What the verdict policy counts for one authority.

    `concerns` and `excellence` are counted flags by heading; `entries` the distinct pieces of
    evidence (Table 2 entries) with a counted concern, by heading; `judged` and `totals` the
    concern triggers judged (flagged or cleared) and all of them, by heading; `gaps` the
    triggers that could not be judged; `flagged` the counted flags' triggers; `unacknowledged`
    the counted concerns the authority's own self-assessment marked as no concern;
    `persistent` the counted concerns also flagged the year before; `persisting`, the entries
    with a counted concern this year and in each year before, one year further back each. What each
    verdict key reads of it is declared in `verdict_keys`.
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
        return VERDICT_KEYS["coverage"].read(self, heading, 0)

    def number(self, what: str, heading: str | None, years: int = 0) -> float:
        """What the verdict key `what` counts (an error for a key that is not one)."""
        return verdict_key(what).read(self, heading, years)


class Counts(Protocol):
    """What a verdict condition reads: a Tally, or a situation the loader's proofs try."""

    @property
    def flagged(self) -> frozenset[str]: ...

    def number(self, what: str, heading: str | None, years: int = 0) -> float: ...


def holds(condition: VerdictCondition, tally: Counts) -> bool:
    """Whether a verdict condition holds of a tally (or of a situation a proof tries)."""
    return _compiled(condition)(tally)


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
    return lambda tally: decide(tally.number(what, heading, years), numbers, "none")


@functools.lru_cache(maxsize=4096)
def _compiled(condition: VerdictCondition) -> Test:
    """A condition worked out once, however often it is asked (the proofs ask thousands of times)."""
    return compile_condition(condition)


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

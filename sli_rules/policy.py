"""The verdict policy's meaning: what it counts (a Tally) and which level a tally selects.

Kept apart from the judge so that the loader can prove things about a policy (no tier that
needs corroboration is reachable on one piece of evidence; every level can be reached) with
exactly the logic the judge applies, without depending on the judging stage.
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs

from .model import Flagged, Level, Test, VerdictAll, VerdictAny, VerdictCondition, VerdictNot
from .operators import OPERATORS


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

    def number(self, what: str, heading: str | None) -> int:
        if what == "concerns":
            return self.concerns.get(heading, 0) if heading else sum(self.concerns.values())
        if what == "excellence":
            return self.excellence.get(heading, 0) if heading else sum(self.excellence.values())
        if what == "concern_headings":
            return sum(1 for count in self.concerns.values() if count > 0)
        return self.gaps


def test_number(test: Test, number: float) -> bool:
    return OPERATORS[test.op].decide(number, [ref.literal for ref in test.refs], "none")


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

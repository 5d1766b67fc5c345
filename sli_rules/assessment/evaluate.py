"""Records of what decided each authority's triggers, for explanations.

The outcomes themselves come from a backend (assessment/backends: durable-rules by default, or the
Python evaluator over the same plan); the Recorder then decides, once, each test of the
triggers that held or could not be judged, which is what the explanations read.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import attrs

from ..rules.logic import compile_tree
from ..rules.plan import Plan
from .backends import Outcome

if TYPE_CHECKING:
    from .derived import Derived


@attrs.frozen
class Record:
    """What decided one authority's triggers, made once and read by every explanation: each
    trigger's outcome, the outcome of each test of the triggers that held or could not be
    judged (by `Plan.tests` index), the slot values compared, and each count's outcome fact
    by fact (by count slot, from deriving)."""

    outcomes: tuple[Outcome, ...]
    tests: dict[int, Outcome]
    _row: tuple[float | None, ...] | None = attrs.field(alias="row")
    _parts: Mapping[int, tuple[Outcome, ...]] | None = attrs.field(alias="parts")
    # Where the row and the counts are kept packed (the derived values, the authority's
    # index): a detached record reads them from there when asked, instead of holding them.
    source: tuple[Derived, int] | None = attrs.field(default=None, eq=False, repr=False)

    @property
    def row(self) -> tuple[float | None, ...]:
        if self._row is not None:
            return self._row
        assert self.source is not None
        derived, index = self.source
        return derived.row(index)

    @property
    def parts(self) -> Mapping[int, tuple[Outcome, ...]]:
        if self._parts is not None:
            return self._parts
        assert self.source is not None
        derived, index = self.source
        return derived.parts_of(index)

    def detached(self) -> Record:
        """The record without its own copy of the row and counts (read again from the packed
        derived values when asked): what words written later keep, at a few bytes a record."""
        if self.source is None:
            return self
        return Record(self.outcomes, self.tests, None, None, self.source)


class Recorder:
    """Decides each test of the triggers that held or could not be judged, once."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        # Each test's tree worked out once (by its index in `plan.tests`: one plan, one tree).
        self.tests = tuple(compile_tree(tree, plan.atoms) for tree in plan.test_trees)

    def record(
        self,
        outcomes: Sequence[Outcome],
        row: tuple[float | None, ...],
        parts: Mapping[int, tuple[Outcome, ...]],
        source: tuple[Derived, int] | None = None,
    ) -> Record:
        tests: dict[int, Outcome] = {}
        decide = self.tests
        trigger_tests = self.plan.trigger_tests
        for trigger, outcome in enumerate(outcomes):
            if outcome is False:
                continue
            for index in trigger_tests[trigger]:
                if index not in tests:
                    tests[index] = decide[index](row)
        return Record(tuple(outcomes), tests, row, parts, source)

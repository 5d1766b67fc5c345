"""The Python backend: the plan decided by the one three-valued evaluator (`rules.logic`).

It needs nothing compiled, so it is the fallback where durable-rules' compiled module cannot
be imported; it is also the oracle the durable backend is checked against (`Engine(check=True)`
and the tests), and it decides, inside the durable backend, the triggers too large for one
durable-rules fact."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ...rules.logic import compile_tree, evaluate_rows
from ...rules.plan import Plan
from .protocol import Column, Outcome, Row

NAME = "python"


class PythonProgram:
    """The plan decided in column form, a batch of authorities at once; one authority by each
    trigger's tree worked out once (`logic.compile_tree`)."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.tests = tuple(compile_tree(tree, plan.atoms) for tree in plan.trees)  # each trigger's, once

    def run(self, row: Row) -> list[Outcome]:
        """Every trigger's outcome for one authority's slot values."""
        return [test(row) for test in self.tests]

    def check(self, index: int) -> Callable[[Row], Outcome]:
        """Trigger `index`'s outcome for one authority's slot values."""
        return self.tests[index]

    def run_batch(
        self, column: Callable[[int], Column], size: int, rows: Callable[[], Sequence[Row]]
    ) -> list[list[Outcome]]:
        return evaluate_rows(self.plan.trees, self.plan.atoms, rows())

    def close(self) -> None:
        """Nothing is held outside Python."""


def compile_plan(plan: Plan) -> PythonProgram:
    return PythonProgram(plan)

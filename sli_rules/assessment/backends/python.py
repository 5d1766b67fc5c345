"""The Python backend: the plan as plain Python closures.

It needs nothing compiled, so it is the fallback where durable-rules' compiled module cannot
be imported; it is also the oracle the durable backend is checked against (`Engine(check=True)`
and the tests), and it decides, inside the durable backend, the triggers too large for one
durable-rules fact."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ...rules.logic import compile_tree
from ...rules.plan import Plan
from .protocol import Column, Outcome, Row

NAME = "python"


class PythonProgram:
    """The plan as Python closures, one a trigger, each deciding from an authority's row."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.checks: list[Callable[[Row], Outcome]] = [compile_tree(tree, plan.atoms) for tree in plan.trees]

    def run(self, row: Row) -> list[Outcome]:
        return [check(row) for check in self.checks]

    def run_batch(
        self, column: Callable[[int], Column], size: int, rows: Callable[[], Sequence[Row]]
    ) -> list[list[Outcome]]:
        return [self.run(row) for row in rows()]

    def close(self) -> None:
        """Nothing is held outside Python."""


def compile_plan(plan: Plan) -> PythonProgram:
    return PythonProgram(plan)

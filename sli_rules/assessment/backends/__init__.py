"""The engine seam: what decides each trigger for a batch of authorities.

A backend compiles a rulebook's plan (`sli_rules.plan.Plan`) into a `Program`; the Engine asks
the program for the outcomes of each batch of at most `BATCH` authorities and never learns
how they were found. Two backends, one plan:

- `durable` (the default): the plan compiled into durable-rules rulesets, asked through the
  compiled module `durable_rules_engine` (backends/durable.py, which alone touches it);
- `python`: the plan walked as plain Python closures (backends/python.py). It needs nothing
  compiled: where `durable_rules_engine` cannot be imported, an Engine made without naming a
  backend evaluates with it, and says so in an `EngineFallbackWarning`.

Both give the same outcomes for every plan (the tests run them side by side, and
`Engine(check=True)` does so in production).
"""

from __future__ import annotations

import functools
import importlib
import warnings
from typing import TYPE_CHECKING, Protocol

from ...errors import Problem, SliRulesError
from .protocol import BATCH, Column, EngineFailure, Outcome, Program, Row

if TYPE_CHECKING:
    from ...rules.plan import Plan

__all__ = [
    "BATCH",
    "DEFAULT",
    "NAMES",
    "Backend",
    "BackendUnavailable",
    "Column",
    "EngineFailure",
    "EngineFallbackWarning",
    "Outcome",
    "Program",
    "Row",
    "backend",
    "choose",
    "durable_missing",
]

NAMES = ("durable", "python")
DEFAULT = "durable"


class BackendUnavailable(SliRulesError):
    """The backend asked for cannot run here (its compiled module cannot be imported)."""


class EngineFallbackWarning(UserWarning):
    """No backend was named and the default one cannot run: the Python evaluator decides."""


class Backend(Protocol):
    """A way to evaluate a plan: a module of this package with these two names."""

    NAME: str

    def compile_plan(self, plan: Plan) -> Program: ...


def backend(name: str) -> Backend:
    """The backend called `name`; BackendUnavailable when it cannot run here."""
    if name not in NAMES:
        raise ValueError(f"backend is one of {NAMES}, not {name!r}")
    if name == "durable":
        missing = durable_missing()
        if missing is not None:
            raise BackendUnavailable([_unavailable(missing)])
        from . import durable

        return durable
    from . import python

    return python


def choose(name: str | None, *, stacklevel: int = 2) -> str:
    """The backend an Engine uses when asked for `name`: the one named (which must be able
    to run here), or with no name the default, or the Python evaluator with a warning when
    the default cannot run."""
    if name is not None:
        backend(name)  # raises when it cannot run here
        return name
    missing = durable_missing()
    if missing is None:
        return DEFAULT
    warnings.warn(
        "durable-rules' compiled module (durable_rules_engine) cannot be imported "
        f"({missing}): the rules are evaluated by the Python evaluator instead, which gives the "
        "same results more slowly. Install durable-rules==2.0.28 (it builds from source with a "
        "C compiler) to use the default engine, or pass backend='python' to choose the Python "
        "evaluator and silence this warning.",
        EngineFallbackWarning,
        stacklevel=stacklevel + 1,
    )
    return "python"


@functools.cache
def durable_missing() -> str | None:
    """Why durable-rules' compiled module cannot be imported here, or None when it can.

    Only the compiled module itself is tried here: a mistake inside backends/durable.py is
    then an ordinary error, never mistaken for a missing engine."""
    try:
        importlib.import_module("durable_rules_engine")
    except ImportError as error:
        return str(error) or type(error).__name__
    return None


def _unavailable(reason: str) -> Problem:
    return Problem(
        "backend 'durable'",
        0,
        0,
        f"durable-rules' compiled module (durable_rules_engine) cannot be imported ({reason})",
        hint="install durable-rules==2.0.28, which builds from source with a C compiler, or use backend='python'",
    )

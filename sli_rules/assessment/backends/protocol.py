"""What every backend shares with the Engine: the outcome of a trigger, an authority's row, a
slot's column, the batch, the compiled `Program` and the failure of a backend. A module of its
own, so that a backend imports it and never its package (which imports the backends)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

Outcome = bool | None  # a trigger certainly holds, certainly does not, or cannot be judged
Row = Sequence[float | None]  # an authority's slot values, None where unknown
# What one slot holds for a batch of authorities: their values (NaN where unknown), or one value
# for them all (a region's figure), or None (unknown for them all).
Column = Sequence[float] | float | None

BATCH = 64  # authorities asked about at once


class EngineFailure(RuntimeError):
    """A backend did something it must not: a bug, never a matter of input."""


class Program(Protocol):
    """A plan compiled by one backend, evaluated many times, from any thread."""

    def run_batch(self, column: Callable[[int], Column], size: int, rows: Callable[[], Sequence[Row]]) -> list[
        list[Outcome]
    ]:
        """The trigger outcomes (in plan order) of a batch of `size` authorities, at most
        `BATCH`: `column(slot)` gives a slot's values for the batch, `rows()` each authority's
        row; a backend reads whichever suits it."""
        ...

    def close(self) -> None:
        """Free what the program holds outside Python (it is freed when dropped otherwise)."""
        ...

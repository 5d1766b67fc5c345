"""Values as people read them, for every stage that writes a sentence."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

T = TypeVar("T")


def show(value: Any) -> str:
    """A value as people read it: 12.5, not 12.500000000001; true/false for booleans."""
    if value is None:
        return "unknown"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        text = f"{value:.2f}".rstrip("0").rstrip(".")
        return text if text not in ("0", "-0") else f"{value:.3g}"
    return str(value)


class Deferred(Generic[T]):
    """A value made when first read, then kept: the words of a result (an assessment's flags
    and gaps, a verdict's reasons), handed to it still to be written (`results.Later`).
    Nothing is decided on it, so a program that only wants the verdicts never pays for the
    words; a report that reads them gets exactly what an eager result would hold. Compares,
    prints and pickles as its value."""

    __slots__ = ("_pending", "_value")

    def __init__(self, make: Callable[..., T], *args: Any) -> None:
        # A function and its arguments rather than a closure: fewer objects for each of the
        # many results a large region makes. Kept as one attribute, read in one step, so that
        # a thread never sees the function without its arguments.
        self._pending: tuple[Callable[..., T], tuple[Any, ...]] | None = (make, args)
        self._value: T | None = None

    def get(self) -> T:
        pending = self._pending
        if pending is not None:
            # Another thread may make it too: the same value, so either result is kept. The
            # value is set before the work is let go, so no thread reads it unset.
            make, args = pending
            self._value = make(*args)
            self._pending = None  # the function and what it reads (the record) are let go
        return self._value  # type: ignore[return-value]

    @property
    def is_made(self) -> bool:
        """Whether the value has been made (read at least once)."""
        return self._pending is None

    def __eq__(self, other: object) -> bool:
        return self.get() == (other.get() if isinstance(other, Deferred) else other)

    def __hash__(self) -> int:
        return hash(self.get())

    def __repr__(self) -> str:
        return repr(self.get())

    def __reduce__(self) -> tuple[Callable[[T], T], tuple[T]]:
        return (_made, (self.get(),))


class Part(Deferred[T]):
    """One item of a deferred tuple, made when the whole is: an assessment's flags and its
    gaps, made together from one record."""

    __slots__ = ("_position", "_whole")

    def __init__(self, whole: Deferred[Any], position: int) -> None:
        self._whole = whole
        self._position = position

    def get(self) -> T:
        return self._whole.get()[self._position]  # type: ignore[no-any-return]

    @property
    def is_made(self) -> bool:
        return self._whole.is_made


def _made(value: T) -> T:
    return value

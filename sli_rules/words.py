"""Values as people read them, for every stage that writes a sentence, and text from a person
made safe to print.

Names, notes, reasons and comments come from people and from files anyone may write. Printed
as they are, a line break in a note would start what looks like a new line of a history, an
escape sequence would reach the terminal, and a right-to-left override would reverse what a
reader sees. `visible` is the one place that shows every such character as a visible mark;
every text output passes text from a person through it, while what is stored stays as given.

`Deferred` holds words still to be written (an assessment's flags and gaps, a verdict's
reasons): the stage that owns them hands one to the result, which writes them when first read.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, Generic, TypeVar

import attrs

T = TypeVar("T")

# Bidirectional embeddings, overrides and isolates (the "Trojan Source" characters), invisible
# marks that change how text reads without showing, and the Unicode line and paragraph
# separators, which some readers break lines at.
_INVISIBLE = (
    "\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u2060\ufeff"
    "\u2028\u2029"
)
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f" + _INVISIBLE + "]")


def _visible_character(match: re.Match[str]) -> str:
    character = match.group()
    code = ord(character)
    if code < 0x20:
        return chr(0x2400 + code)  # the Control Pictures block: ␀ … ␟ (a line break is ␊, ESC is ␛)
    if code == 0x7F:
        return "\u2421"  # ␡
    return f"[U+{code:04X}]"


def visible(text: str) -> str:
    """Text with every control and invisible formatting character shown as a visible mark:
    a line break as ␊, a carriage return as ␍, an escape as ␛, an override as [U+202E]."""
    if type(text) is str and text.isprintable():
        # Every character `_UNSAFE` matches is one Python counts unprintable (a test holds it
        # to that, character by character): printable text has none, and is known so at C speed.
        # Plain text only: a subclass (markup, say) comes back plain, as from the substitution.
        return text
    return _UNSAFE.sub(_visible_character, text)


def visible_all(value: Any) -> Any:
    """A copy of a record (frozen attrs objects, dicts, lists, tuples) with every string in it
    made `visible`, keys included: what a text renderer reads before it writes a line."""
    if isinstance(value, str):
        return visible(value)
    if attrs.has(type(value)):
        return attrs.evolve(
            value, **{field.alias: visible_all(getattr(value, field.name)) for field in attrs.fields(type(value))
                      if field.init}
        )
    if isinstance(value, dict):
        return {visible_all(key): visible_all(item) for key, item in value.items()}
    if isinstance(value, tuple) and hasattr(value, "_fields"):  # a named tuple
        return type(value)(*(visible_all(item) for item in value))
    if isinstance(value, (list, tuple, frozenset)):
        return type(value)(visible_all(item) for item in value)
    return value


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

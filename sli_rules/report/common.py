"""What every renderer shares: values as people read them, and text made safe to show.

Text in a result comes partly from fact files that anyone may write (council names, notes,
sources), so every renderer shows control characters and bidirectional overrides visibly
instead of letting them act: a right-to-left override must not reverse what a reader sees.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, Protocol

from ..words import visible

if TYPE_CHECKING:
    from ..assessment.results import AuthorityAssessment


def show(value: Any) -> str:
    """A value as people read it: 12.5, not 12.500000000001; yes and no for booleans."""
    if value is None:
        return "unknown"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        text = f"{value:.2f}".rstrip("0").rstrip(".")
        return text if text not in ("0", "-0") else f"{value:.3g}"
    if isinstance(value, (list, tuple)):
        return ", ".join(show(item) for item in value)
    return visible(str(value))


def plural(count: int, word: str, words: str | None = None) -> str:
    """`1 concern`, `2 concerns`."""
    return f"{count} {word if count == 1 else (words or word + 's')}"


def listing(names: list[str]) -> str:
    """`A`, `A and B`, `A, B and C`."""
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


class ExtraMissing(RuntimeError):
    """An output needs an optional part that is not installed: the message says how to get it."""


class Stream(Protocol):
    """What a streamed writer reads of a region assessed one authority at a time
    (`Engine.assess_iter`): the header at once, the assessments in turn, the summary last."""

    rulebook_digest: str
    rulebook_path: str
    levels: tuple[tuple[str, str], ...]
    tiers: tuple[tuple[str, str], ...]
    headings: dict[str, str]

    def __iter__(self) -> Iterator[AuthorityAssessment]: ...

    def summary(self) -> dict[str, Any]: ...

"""Errors that carry their location: every problem with a file, a line and a column."""

from __future__ import annotations

import difflib
from collections.abc import Collection, Iterable
from typing import NamedTuple, Protocol

import attrs


class Location(NamedTuple):
    """Where something was written: a file (or `<memory>` and a path into the data), a line
    and a column, both from 1; line 0 where there is no line to point at."""

    path: str
    line: int
    column: int

    def __str__(self) -> str:
        return place(self)


Where = tuple[str | int, ...]  # a place inside data: keys and indexes from the top


class Locator(Protocol):
    """Finds where values of one document were written, many at once (a large file is read
    again to find them, so every place asked for together costs one reading)."""

    @property
    def path(self) -> str: ...

    def locate(self, wanted: Collection[tuple[Where, bool]]) -> dict[tuple[Where, bool], Location]:
        """The location of each (place, is-its-key) asked for."""
        ...


@attrs.frozen(slots=True, eq=False)
class Place:
    """Where a value was written, found only when asked for: a large fact file holds millions
    of values, and only those with a problem are ever looked for."""

    locator: Locator
    where: Where
    key: bool = False  # the key naming the value, rather than the value

    @property
    def path(self) -> str:
        return self.locator.path

    def location(self) -> Location:
        return self.locator.locate([(self.where, self.key)])[(self.where, self.key)]


Spot = Location | Place  # a place known, or one to find when needed


def spot_path(spot: Spot) -> str:
    """The file a spot is in, without looking for its line."""
    return spot.path if isinstance(spot, Place) else spot[0]


def locations(spots: Iterable[Spot]) -> list[Location]:
    """The locations of many spots, each document's read once for all of its own."""
    listed = list(spots)
    by_locator: dict[int, tuple[Locator, set[tuple[Where, bool]]]] = {}
    for spot in listed:
        if isinstance(spot, Place):
            by_locator.setdefault(id(spot.locator), (spot.locator, set()))[1].add((spot.where, spot.key))
    found = {key: locator.locate(wanted) for key, (locator, wanted) in by_locator.items()}
    return [
        found[id(spot.locator)][(spot.where, spot.key)] if isinstance(spot, Place) else spot for spot in listed
    ]


def place(location: Location) -> str:
    """A location as people read it in messages: path:line:column."""
    return f"{location[0]}:{location[1]}:{location[2]}" if location[1] else location[0]


@attrs.frozen(order=False)
class Problem:
    """One thing wrong with an input, at a place a person can go to."""

    path: str
    line: int
    column: int
    message: str
    severity: str = "error"  # "error" or "warning"
    hint: str | None = None

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.path, self.line, self.column, self.message)

    def __str__(self) -> str:
        # Line 0: a place with no line, such as a value of a fact set built in memory, whose
        # path then says where it is (`<memory>: authorities[3].facts.ascof.1a`).
        where = f"{self.path}:{self.line}:{self.column}" if self.line else self.path
        label = "warning: " if self.severity == "warning" else ""
        text = f"{where}: {label}{self.message}"
        if self.hint:
            text += f" ({self.hint})"
        return text


class SliRulesError(Exception):
    """Bad input: holds every problem found, sorted by place."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: list[Problem] = sorted(set(problems), key=Problem.sort_key)
        super().__init__(str(self))

    def __str__(self) -> str:
        return "\n".join(str(problem) for problem in self.problems)

    @property
    def errors(self) -> list[Problem]:
        return [problem for problem in self.problems if problem.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [problem for problem in self.problems if problem.severity == "warning"]


class RulebookError(SliRulesError):
    """A rule file (measures, triggers, verdicts, menu, tests) is wrong."""


class FactsError(SliRulesError):
    """A fact set is wrong."""


class Problems:
    """Collects problems while a stage runs, so that all of them are reported at once."""

    def __init__(self) -> None:
        self._items: list[Problem] = []
        # Problems whose place is still to be found: found together, when first read.
        self._deferred: list[tuple[Place, str, str, str | None]] = []

    @property
    def items(self) -> list[Problem]:
        if self._deferred:
            deferred, self._deferred = self._deferred, []
            found = locations(spot for spot, *_ in deferred)
            for (path, line, column), (_, message, severity, hint) in zip(found, deferred, strict=True):
                self._items.append(Problem(path, line, column, message, severity, hint))
        return self._items

    def add_at(
        self, spot: Spot, message: str, *, hint: str | None = None, warning: bool = False
    ) -> None:
        """A problem at a spot, which is looked for (with every other) when problems are read."""
        if isinstance(spot, Place):
            self._deferred.append((spot, message, "warning" if warning else "error", hint))
        else:
            self.add(*spot, message, hint=hint, warning=warning)

    def add(
        self,
        path: str,
        line: int,
        column: int,
        message: str,
        *,
        hint: str | None = None,
        warning: bool = False,
    ) -> None:
        self._items.append(
            Problem(path, line, column, message, "warning" if warning else "error", hint)
        )

    def extend(self, problems: Iterable[Problem]) -> None:
        self._items.extend(problems)

    @property
    def has_errors(self) -> bool:
        return any(problem.severity == "error" for problem in self._items) or any(
            severity == "error" for _, _, severity, _ in self._deferred
        )

    def raise_if_errors(self, error_type: type[SliRulesError]) -> None:
        if self.has_errors:
            raise error_type(self.items)


def did_you_mean(word: str, choices: Iterable[str]) -> str | None:
    """A hint naming the closest known word, or None when nothing is close."""
    matches = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"did you mean '{matches[0]}'?" if matches else None

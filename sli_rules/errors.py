"""Errors that carry their location: every problem with a file, a line and a column."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

import attrs


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
        self.items: list[Problem] = []

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
        self.items.append(
            Problem(path, line, column, message, "warning" if warning else "error", hint)
        )

    def extend(self, problems: Iterable[Problem]) -> None:
        self.items.extend(problems)

    @property
    def has_errors(self) -> bool:
        return any(problem.severity == "error" for problem in self.items)

    def raise_if_errors(self, error_type: type[SliRulesError]) -> None:
        if self.has_errors:
            raise error_type(self.items)


def did_you_mean(word: str, choices: Iterable[str]) -> str | None:
    """A hint naming the closest known word, or None when nothing is close."""
    matches = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"did you mean '{matches[0]}'?" if matches else None

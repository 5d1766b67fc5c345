"""Progress of the command line's long steps, on standard error (standard output stays the
command's result).

On a terminal a step is one line redrawn in place: a bar where the amount of work is known
(`counter`), its name and the time taken so far where it is not (`step`), cleared when the step
ends. Anywhere else (a log, a pipe, a CI job) it is plain lines, each written once and whole, and
only when asked for (`--progress`): no carriage return ever reaches a log.

A small module of our own rather than a progress library: what is needed is one bar, one
status line and the plain-line form, and the libraries that draw bars write carriage returns
into logs unless told otherwise.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
import time
from collections.abc import Callable, Iterator
from typing import TextIO

FILES_READ = "files read"  # the counter of loading the facts: a line "files read 3/23"
_CLEAR = "\r\x1b[K"  # back to the line's start, and erase it
_REDRAW = 0.1  # seconds between two drawings of a bar on a terminal
_LOG_STEPS = 10  # a plain line each tenth of the work


class Progress:
    """Where a command's progress goes: a terminal, a log, or nowhere."""

    def __init__(self, stream: TextIO, *, terminal: bool, enabled: bool) -> None:
        self.stream = stream
        self.terminal = terminal
        self.enabled = enabled

    @classmethod
    def for_command(cls, asked: bool, stream: TextIO | None = None) -> Progress:
        """A bar on a terminal always; plain lines elsewhere when asked for (`--progress`)."""
        stream = stream if stream is not None else sys.stderr
        terminal = _is_terminal(stream)
        return cls(stream, terminal=terminal, enabled=terminal or asked)

    @classmethod
    def for_arguments(cls, arguments: object) -> Progress:
        """For a command whose parsed arguments may hold `progress` (its `--progress`)."""
        return cls.for_command(bool(getattr(arguments, "progress", False)))

    @contextlib.contextmanager
    def step(self, what: str) -> Iterator[None]:
        """A step whose amount of work is not known beforehand (loading a file, printing a PDF):
        its name while it runs, and in a log how long it took."""
        if not self.enabled:
            yield
            return
        started = time.monotonic()
        if self.terminal:
            self._draw(f"{what}…")
        else:
            self._line(f"{what}...")
        try:
            yield
        except BaseException:
            if self.terminal:
                self._draw("")
            else:
                self._line(f"{what}: stopped after {time.monotonic() - started:.1f} s")
            raise
        if self.terminal:
            self._draw("")
        else:
            self._line(f"{what}: done in {time.monotonic() - started:.1f} s")

    def counter(self, what: str) -> Callable[[int, int], None]:
        """A function to call with (done, total) as the work goes: a bar on a terminal (cleared
        at the end), a plain `what done/total` line each tenth of the work in a log."""
        if not self.enabled:
            return _ignore
        started = time.monotonic()
        shown = {"at": 0.0, "step": -1}

        def report(done: int, total: int) -> None:
            finished = done >= total
            if self.terminal:
                now = time.monotonic()
                if finished:
                    self._draw("")
                elif now - shown["at"] >= _REDRAW:
                    shown["at"] = now
                    self._draw(bar(what, done, total, now - started, _width(self.stream)))
                return
            step = _LOG_STEPS if finished else (done * _LOG_STEPS // total if total else 0)
            if step > shown["step"]:
                shown["step"] = step
                self._line(f"{what} {done}/{total}")

        return report

    def _draw(self, text: str) -> None:
        self.stream.write(_CLEAR + text)
        self.stream.flush()

    def _line(self, text: str) -> None:
        self.stream.write(text + "\n")
        self.stream.flush()


def rendering(form: str) -> str:
    """What writing a result in `form` is called while it runs."""
    return "printing to PDF" if form == "pdf" else f"writing {form}"


def bar(what: str, done: int, total: int, elapsed: float, width: int) -> str:
    """One line of a bar, at most `width` characters: `assessing [#####.....] 512/1,063 4 s`."""
    share = done / total if total else 1.0
    tail = f" {done:,}/{total:,} {elapsed:.0f} s"
    room = max(0, min(40, width - len(what) - len(tail) - 4))
    filled = round(room * share)
    return f"{what} [{'#' * filled}{'.' * (room - filled)}]{tail}"[: max(width - 1, 0)]


def _ignore(done: int, total: int) -> None:
    """Progress asked for by no one."""


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # a closed or unusual stream: not a terminal
        return False


def _width(stream: TextIO) -> int:
    """The terminal's width; where it says none (a new pseudo-terminal says 0), $COLUMNS or 80."""
    try:
        columns = os.get_terminal_size(stream.fileno()).columns
    except (AttributeError, OSError, ValueError):
        columns = 0
    return columns if columns > 0 else shutil.get_terminal_size().columns

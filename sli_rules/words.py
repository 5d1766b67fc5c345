"""Values as people read them, for every stage that writes a sentence, and text from a person
made safe to print.

Names, notes, reasons and comments come from people and from files anyone may write. Printed
as they are, a line break in a note would start what looks like a new line of a history, an
escape sequence would reach the terminal, and a right-to-left override would reverse what a
reader sees. `visible` is the one place that shows every such character as a visible mark;
every text output passes text from a person through it, while what is stored stays as given.
"""

from __future__ import annotations

import re
from typing import Any

import attrs

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

"""Values as people read them, for every stage that writes a sentence."""

from __future__ import annotations

from typing import Any


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

"""The regional picture's chart: each element's spread of levels over the region as one bar
of inline SVG (the page stays self-contained), and the helpers its templates call."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..facts.picture import ElementPicture, ThemePicture

SPREAD_WIDTH = 240
# From below the minimum (the Board report's deep red) through amber to the top level's green.
_SHADES = ("#8c1d18", "#e8935a", "#fde9c9", "#cfe8c9", "#7fbf7b", "#2e7d32")


def shade(index: int, answers: int) -> str:
    """The colour of an answer: `not-met` red, then the levels from pale to the top's green."""
    if index == 0:
        return _SHADES[0]
    steps = _SHADES[1:]
    position = round((index - 1) * (len(steps) - 1) / max(answers - 2, 1))
    return steps[position]


def bars(element: ElementPicture, picture: ThemePicture) -> list[dict[str, Any]]:
    """The spread chart's segments: one per answer given, as wide as its share of the reviews."""
    total = sum(count for _, count in element.counts)
    found, x = [], 0.0
    for index, (answer, count) in enumerate(element.counts):
        if not count:
            continue
        width = SPREAD_WIDTH * count / total
        found.append({"x": round(x, 1), "width": round(width, 1), "fill": shade(index, len(element.counts)),
                      "answer": answer, "count": count})
        x += width
    return found


def titles(picture: ThemePicture, ids: tuple[str, ...]) -> list[str]:
    named = {element.id: element.title for element in picture.elements}
    return [named.get(item, item) for item in ids]


THEME_GLOBALS: dict[str, Any] = {"bars": bars, "shade": shade, "titles": titles, "spread_width": SPREAD_WIDTH}

"""The region's picture of one theme (MoU 2.1 a) as HTML (a self-contained page from the
report's templates), Markdown, JSON or PDF. Renderers only: the picture is made in
`sli_rules.facts.themes`."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from .html import environment

if TYPE_CHECKING:
    from ..facts.themes import ElementPicture, ThemePicture

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


def theme_html(picture: ThemePicture) -> str:
    template = environment().get_template("theme.html.j2")
    return template.render(picture=picture, **THEME_GLOBALS).rstrip("\n") + "\n"


def theme_markdown(picture: ThemePicture) -> str:
    lines = [f"# Thematic review: {picture.title}, {picture.year}", ""]
    lines += [*picture.summary, ""]
    if picture.reviewed:
        lines += [f"Levels: {', '.join(picture.levels)} ({picture.levels[0]} is the minimum standard; "
                  "not-met is below it). Key elements are marked ◆.", ""]
        lines.append("| Element | " + " | ".join(picture.answers) + " |")
        lines.append("|---|" + "---:|" * len(picture.answers))
        for element in picture.elements:
            mark = "◆ " if element.key else ""
            lines.append(f"| {mark}{_cell(element.title)} | " + " | ".join(str(count) for _, count in element.counts)
                         + " |")
        lines += ["", "## Strengths", ""]
        lines += [f"- {_cell(name)}: {'; '.join(titles(picture, found))}" for name, found in picture.strengths] or [
            "No authority rates itself at the top level on any element."]
        lines += ["", "## Areas for development", ""]
        for name, key, other in picture.development:
            parts = ([f"**key: {'; '.join(titles(picture, key))}**"] if key else []) + titles(picture, other)
            lines.append(f"- {_cell(name)}: {'; '.join(parts)}")
        if not picture.development:
            lines.append("No authority is below the minimum standard on any element.")
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    # A table cell or list item shows what was typed: no pipe ends a cell, no line break a row.
    return text.replace("|", "\\|").replace("\n", " ").replace("\r", " ")


def theme_bytes(picture: ThemePicture, form: str) -> bytes:
    """The picture in `form`: html, markdown, json or pdf."""
    if form == "html":
        return theme_html(picture).encode("utf-8")
    if form == "json":
        return (json.dumps(picture.to_dict(), indent=2, ensure_ascii=False) + "\n").encode("utf-8")
    if form == "pdf":
        from .pdf import print_pdf

        return print_pdf(theme_html(picture))
    return theme_markdown(picture).encode("utf-8")

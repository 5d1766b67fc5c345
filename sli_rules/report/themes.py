"""The region's picture of one theme (MoU 2.1 a) as HTML (a self-contained page from the
report's templates), Markdown, JSON or PDF. Renderers only: the picture is made in
`sli_rules.facts.themes`."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from .html import environment
from .spread import THEME_GLOBALS, titles

if TYPE_CHECKING:
    from ..facts.picture import ThemePicture

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

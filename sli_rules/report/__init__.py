"""Report: renderers over finished results, one module per format. None of them computes anything.

Nothing here imports the stages that make a result (results, engine, ...) at run time, and
nothing there imports this: `AuthorityAssessment.explain` is `explain_text`, registered by the
package root, so every import runs one way only.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from .common import ExtraMissing
from .csv import csv_chunks, render_csv
from .html import html_bytes, render_html
from .json import json_chunks, render_json
from .markdown import render_markdown
from .pdf import render_pdf
from .text import explain_text, render_text

if TYPE_CHECKING:
    from ..assessment.results import RegionAssessment
    from ..facts.picture import ThemePicture

FORMATS = ("text", "json", "markdown", "html", "csv", "pdf")
TEXT_FORMATS = FORMATS[:-1]
# Written one assessment at a time from Engine.assess_iter: a region of any size in bounded
# memory. The others show the region as a whole (summary first) and are report-sized.
STREAMED_FORMATS = {"json": json_chunks, "csv": csv_chunks}

__all__ = [
    "FORMATS",
    "STREAMED_FORMATS",
    "TEXT_FORMATS",
    "ExtraMissing",
    "csv_chunks",
    "explain_text",
    "json_chunks",
    "render",
    "render_bytes",
    "render_csv",
    "render_html",
    "render_json",
    "render_markdown",
    "render_pdf",
    "render_text",
]


def render(result: RegionAssessment, form: str, *, verbose: bool = False) -> str:
    """The result in a text format (every format but `pdf`, which is bytes: see `render_bytes`)."""
    renderers: dict[str, Callable[[RegionAssessment], str]] = {
        "text": lambda result: render_text(result, verbose=verbose),
        "json": render_json,
        "markdown": render_markdown,
        "html": render_html,
        "csv": render_csv,
    }
    if form not in renderers:
        raise ValueError(f"{form!r} is not a text format; use render_bytes for it")
    return renderers[form](result)


def render_bytes(
    result: RegionAssessment,
    form: str,
    *,
    verbose: bool = False,
    extras: Mapping[str, Mapping[str, Any]] | None = None,
    themes: Sequence[ThemePicture] = (),
) -> bytes:
    """The result in any format, as the bytes of the file to write (text as UTF-8); the Board
    report (html, pdf) with a section per theme's regional picture."""
    if form == "pdf":
        return render_pdf(result, extras, themes)
    if form == "html":
        return html_bytes(result, extras, themes)
    return render(result, form, verbose=verbose).encode("utf-8")

"""HTML: the regional Board report, one self-contained page rendered from Jinja2 templates.

Autoescaping is on for every template, a Content-Security-Policy forbids scripts and any
request out of the page, and the view model has already made control characters and
bidirectional overrides visible: text from a fact file is shown, never run or reordered.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

from .common import ExtraMissing
from .view import build
from .viewmodel import HistoryPoint

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

    import jinja2

    from ..assessment.results import RegionAssessment
    from ..facts.picture import ThemePicture
    from .viewmodel import AuthorityView, RegionView

CHARACTERS_JOINED = 1 << 16  # the page's pieces are joined and encoded about this many characters at a time
EXTRA_HINT = "install the report extra: pip install 'sli-rules[report]'"
TREND_WIDTH, TREND_HEIGHT, TREND_PAD = 132, 40, 6


@cache
def environment() -> jinja2.Environment:
    try:
        import jinja2
    except ImportError as error:
        raise ExtraMissing(f"HTML and PDF reports need Jinja2, which is not installed; {EXTRA_HINT}") from error
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("sli_rules.report", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["trend"] = trend_points
    return env


def trend_points(history: tuple[HistoryPoint, ...], levels: int) -> list[dict[str, Any]]:
    """Where each year's verdict sits in the small trend chart: more serious is higher."""
    top = max(levels - 1, 1)
    step = (TREND_WIDTH - 2 * TREND_PAD) / max(len(history) - 1, 1)
    return [
        {
            "x": round(TREND_PAD + index * step, 1),
            "y": round(TREND_PAD + (top - point.rank) * (TREND_HEIGHT - 2 * TREND_PAD) / top, 1),
            "point": point,
        }
        for index, point in enumerate(history)
    ]


def trend_chart(view: RegionView) -> Callable[[AuthorityView], str]:
    """What writes an authority's trend chart on the page of `view`: the trend template."""
    template = environment().get_template("trend.svg.j2")

    def chart(item: AuthorityView) -> str:
        return template.render(item=item, view=view, trend_width=TREND_WIDTH, trend_height=TREND_HEIGHT)

    return chart


def render_html(
    result: RegionAssessment,
    extras: Mapping[str, Mapping[str, Any]] | None = None,
    themes: Sequence[ThemePicture] = (),
) -> str:
    """The Board report; with `themes`, a section per theme's regional picture."""
    return html_bytes(result, extras, themes).decode("utf-8")


def html_bytes(
    result: RegionAssessment,
    extras: Mapping[str, Mapping[str, Any]] | None = None,
    themes: Sequence[ThemePicture] = (),
) -> bytes:
    """The Board report as the UTF-8 bytes of its file: `render_html`'s text, encoded."""
    template = environment().get_template("report.html.j2")  # the report extra, or ExtraMissing
    from .rows import article, heat_row  # markupsafe: installed with Jinja2
    from .spread import THEME_GLOBALS

    view = build(result, extras)
    # The page's pieces joined some 65,000 characters at a time and encoded batch by batch:
    # a page of 5,000 authorities held whole as its pieces, or as text (two or four bytes a
    # character, for a page with a single ▲ in it), costs several times its UTF-8 bytes.
    pieces = template.generate(
        view=view, trend_width=TREND_WIDTH, trend_height=TREND_HEIGHT, themes=themes, heat_row=heat_row,
        article=article, trend_chart=trend_chart(view), **THEME_GLOBALS
    )
    chunks, batch, size = [], [], 0
    for piece in pieces:
        batch.append(piece)
        size += len(piece)
        if size >= CHARACTERS_JOINED:
            chunks.append("".join(batch).encode("utf-8"))
            batch, size = [], 0
    chunks.append("".join(batch).encode("utf-8"))
    del view, batch  # the page is made: what it was made from is let go before its copies are made
    page = b"".join(chunks)
    del chunks
    # One line break at the end (a line break is the byte 10 alone in UTF-8: no character's
    # bytes end in it). A page that already ends so is not copied to say it.
    if page.endswith(b"\n") and not page.endswith(b"\n\n"):
        return page
    return page.rstrip(b"\n") + b"\n"

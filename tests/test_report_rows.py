"""The Board page's heat map rows and authority articles are written in Python (report/rows.py)
for speed; they must be the markup the templates they replaced gave, byte for byte. Those
templates are kept here (tests/reference_templates) and rendered beside the Python over many
views, including every optional part and text that needs escaping."""

from __future__ import annotations

from pathlib import Path

import jinja2
from hypothesis import given, settings
from hypothesis import strategies as st
from markupsafe import escape

from sli_rules.report import html, rows
from sli_rules.report.viewmodel import (
    AuthorityView,
    CellView,
    FlagView,
    GapView,
    HistoryPoint,
    RegionView,
    ValueView,
)

REFERENCE = Path(__file__).parent / "reference_templates"
TEXT = st.text(alphabet=st.sampled_from("ab <>&\"'é▲;:,.\n"), max_size=6)
MAYBE = st.none() | TEXT


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader([jinja2.FileSystemLoader(str(REFERENCE)),
                                    jinja2.PackageLoader("sli_rules.report", "templates")]),
        autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
    )
    env.globals["trend"] = html.trend_points
    return env


ENVIRONMENT = _environment()

values = st.builds(ValueView, TEXT, TEXT, st.none(), MAYBE, MAYBE, MAYBE)
flags = st.builds(
    FlagView, trigger=TEXT, title=TEXT, heading=TEXT, heading_title=TEXT,
    signal=st.sampled_from(["concern", "excellence"]), counted=st.booleans(), says=TEXT,
    sources=st.lists(TEXT, max_size=3).map(tuple), values=st.lists(values, max_size=3).map(tuple),
    tests=st.lists(st.tuples(TEXT, st.sampled_from(["true", "false", "unknown"])), max_size=3).map(tuple),
    area=MAYBE, entry=MAYBE, basis=MAYBE, own_view=MAYBE, own_comment=MAYBE,
)
gaps = st.builds(GapView, trigger=TEXT, title=TEXT, heading=TEXT, heading_title=st.sampled_from(["H1", "H<2>"]),
                 missing=st.lists(TEXT, max_size=3).map(tuple))
counts = st.integers(0, 3)
cells = st.builds(CellView, TEXT, TEXT, counts, counts, counts, st.none() | counts, st.none() | counts)
points = st.builds(HistoryPoint, st.sampled_from(["2011-12", "2012-13", "2013-14"]), TEXT, TEXT, st.integers(0, 3))
authorities = st.builds(
    AuthorityView,
    authority=TEXT, code=MAYBE, year=TEXT, anchor=TEXT, level=TEXT, level_title=TEXT, rank=st.integers(0, 3),
    tier=TEXT, tier_title=TEXT, status=TEXT, reasons=st.lists(TEXT, max_size=3).map(tuple),
    concerns=st.lists(flags, max_size=2).map(tuple), excellence=st.lists(flags, max_size=2).map(tuple),
    gaps=st.lists(gaps, max_size=3).map(tuple), cells=st.lists(cells, max_size=4).map(tuple),
    support=st.lists(st.tuples(TEXT, MAYBE, st.lists(TEXT, max_size=2).map(tuple)), max_size=3).map(tuple),
    peers=st.lists(st.tuples(TEXT, TEXT, TEXT), max_size=2).map(tuple),
    tier_note=MAYBE, coverage=st.none() | st.tuples(counts, counts), previous=MAYBE,
    discussion=st.lists(TEXT, max_size=2).map(tuple), final=MAYBE,
    history=st.lists(points, max_size=3).map(tuple),
    caveats=st.lists(st.tuples(TEXT, TEXT), max_size=2).map(tuple),
)


def _region(item: AuthorityView, has_history: bool) -> RegionView:
    return RegionView(
        assessments=(item,), authorities=(item,), headings=(), levels=(), tiers=(), celebrations=(), sources=(),
        years=(), illustrative=False, rulebook_digest="", rulebook_path="", generated="", warnings=(), gaps=0,
        coverage=None, level_count=4, has_history=has_history,
    )


@settings(max_examples=300, deadline=None)
@given(authorities, st.booleans())
def test_an_article_and_a_row_are_the_templates_markup(item: AuthorityView, has_history: bool) -> None:
    view = _region(item, has_history)
    context = {"item": item, "view": view, "trend_width": html.TREND_WIDTH, "trend_height": html.TREND_HEIGHT}
    chart = html.trend_chart(view)
    assert rows.article(item, chart) == ENVIRONMENT.get_template("authority.html.j2").render(context)
    assert rows.heat_row(item, view, chart) == ENVIRONMENT.get_template("heat_row.html.j2").render(context)
    # Written again, from what was kept of the first writing, they are the same.
    assert rows.article(item, chart) == ENVIRONMENT.get_template("authority.html.j2").render(context)


@given(st.text() | st.integers() | st.none())
def test_a_value_is_escaped_as_a_template_escapes_it(value: object) -> None:
    assert rows.esc(value) == str(escape(value))
    assert rows.esc(value) == str(escape(value))  # kept, the same
    assert rows.esc(escape(value)) == str(escape(value))  # markup as it is, never escaped twice

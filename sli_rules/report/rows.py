"""The Board page's parts written once per authority, its heat map row and its article, in
Python rather than through the template engine: a page of 5,000 authorities is a million
template expressions, each a call to look it up and a call to escape it. Here each part is one
string made from the view model, and each distinct text is escaped once (a region's headings,
titles, sources and sentences repeat from authority to authority).

The markup is the templates' own, byte for byte: `tests/test_report_rows.py` renders the
templates these replaced (kept beside the tests) over many views and compares.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

from markupsafe import Markup, escape

if TYPE_CHECKING:
    from collections.abc import Callable

    from .viewmodel import AuthorityView, CellView, FlagView, RegionView

ESCAPED_KEPT = 4096  # distinct texts kept escaped, the most recent: the recurring ones (titles, sources) stay
_GLYPHS = {
    "high": '<span class="glyph" aria-hidden="true">▲▲</span>',
    "some": '<span class="glyph" aria-hidden="true">▲</span>',
    "good": '<span class="glyph" aria-hidden="true">★</span>',
}
_VALUES_HEAD = (
    '<table class="values">\n<caption class="muted">Values</caption>\n<thead><tr><th scope="col">Fact</th>'
    '<th scope="col">Value</th><th scope="col">Note</th><th scope="col">Data from</th></tr></thead>\n<tbody>\n'
)


@functools.lru_cache(maxsize=ESCAPED_KEPT)
def _escaped_text(text: str) -> str:
    # Keyed on the text alone, which is all its escaped form depends on (plain text only: see
    # `esc`); bounded, for a process that renders report after report.
    return str(escape(text))


def esc(value: Any) -> str:
    """A value as the templates show it: its text, HTML-escaped (markup as it is)."""
    if type(value) is str:
        return _escaped_text(value)
    return str(escape(value))  # markup (kept as it is), a number, None: as a template shows them


def heat_row(item: AuthorityView, view: RegionView, trend: Callable[[AuthorityView], str]) -> Markup:
    """An authority's row of the heat map (`trend` writes its trend chart, where shown)."""
    parts = [
        f'<tr>\n<th scope="row"><a href="#{esc(item.anchor)}"><bdi>{esc(item.authority)}</bdi></a></th>\n'
        f'<td class="verdict tone-{esc(item.tone(view.level_count))}">{esc(item.level_title)}</td>\n'
    ]
    parts.extend(_cell(cell) for cell in item.cells)
    if view.has_history:
        parts.append(f"<td>{trend(item)}</td>")
    parts.append("</tr>")
    return Markup("".join(parts))


@functools.lru_cache(maxsize=1024)
def _cell(cell: CellView) -> str:
    # Keyed on the whole cell (frozen, compared field by field), which is all its markup is
    # made from; a region's cells take a few dozen distinct values.
    tone = cell.tone
    words = "".join(f"<span>{esc(words)}</span>" for words in cell.words)
    return f'<td class="cell tone-{esc(tone)}">{_GLYPHS.get(tone, "")}{words}</td>\n'


def article(item: AuthorityView, trend: Callable[[AuthorityView], str]) -> Markup:
    """An authority's article: its verdict, why, its flags with their evidence, what could not
    be judged, the support suited and its peers (`trend` writes its trend chart, where shown)."""
    anchor = esc(item.anchor)
    code = f' <span class="muted">({esc(item.code)})</span>' if item.code else ""
    note = f" {esc(item.tier_note)}" if item.tier_note else ""
    parts = [
        f'<article class="authority" id="{anchor}" aria-labelledby="{anchor}-title">\n'
        f'<h3 id="{anchor}-title"><bdi>{esc(item.authority)}</bdi>{code}, {esc(item.year)}</h3>\n'
        f'<p class="summary-line"><strong>Verdict:</strong> <span class="verdict">{esc(item.level_title)}</span> '
        f"({esc(item.status)}). <strong>Recommended support:</strong> {esc(item.tier_title)}.{note}</p>\n"
    ]
    parts.extend(
        f'<p class="caveat" data-caveat="{esc(key)}"><strong>Caveat:</strong> {esc(text)}</p>\n'
        for key, text in item.caveats
    )
    if item.coverage:
        parts.append(
            f"<p><strong>Coverage:</strong> {esc(item.coverage[0])} of {esc(item.coverage[1])} concern triggers "
            "judged.</p>"
        )
    if item.previous:
        parts.append(f"<p><strong>Last year:</strong> {esc(item.previous)}</p>")
    if len(item.history) > 1:
        years = "; ".join(f"{esc(point.year)}: {esc(point.level_title)}" for point in item.history)
        parts.append(f'<p><strong>Trend:</strong> {trend(item)} <span class="muted">{years}</span></p>')
    if item.discussion:
        notes = "".join(f"<li>{esc(note)}</li>" for note in item.discussion)
        parts.append(f"<h4>Discussed with the authority</h4>\n<ul>{notes}</ul>\n")
    if item.final:
        parts.append(f"<p><strong>Final view:</strong> {esc(item.final)}</p>")
    reasons = "".join(f"<li>{esc(reason)}</li>" for reason in item.reasons)
    parts.append(f"<h4>Why</h4>\n<ul>{reasons}</ul>\n")
    for group, flags in (("Concerns", item.concerns), ("Excellence", item.excellence)):
        if flags:
            parts.append(f"<h4>{group}</h4>\n")
            parts.extend(_flag(flag, item.year) for flag in flags)
    if item.gaps:
        parts.append("<h4>Not judged for want of data</h4>\n<ul>\n")
        for heading, gaps in item.gaps_by_heading():
            listed = "; ".join(f"{esc(gap.title)} (missing {esc(', '.join(gap.missing) or 'a statistic')})"
                               for gap in gaps)
            parts.append(f"<li><strong>{esc(heading)}</strong>: {listed}</li>\n")
        parts.append("</ul>\n")
    if item.support:
        options = "".join(
            f"<li>{esc(title)}{': ' + esc(via) if via else ''}{_suits(suits)}</li>"
            for title, via, suits in item.support
        )
        parts.append(f"<h4>Support options, best suited first</h4>\n<ul>{options}</ul>\n")
    if item.peers:
        peers = "".join(
            f'<li><a href="#{esc(anchor)}"><bdi>{esc(name)}</bdi></a> ({esc(area)})</li>'
            for name, area, anchor in item.peers
        )
        parts.append(f"<h4>Peers with strengths where this authority has concerns</h4>\n<ul>{peers}</ul>\n")
    parts.append("</article>")
    return Markup("".join(parts))


def _suits(suits: tuple[str, ...]) -> str:
    return f' <span class="muted">(suits {esc(", ".join(suits))})</span>' if suits else ""


def _flag(flag: FlagView, year: str) -> str:
    uncounted = not flag.counted
    parts = [
        f'<div class="flag {esc(flag.signal)}{" uncounted" if uncounted else ""}">\n'
        f'<p><strong>{esc(flag.title)}</strong> <span class="muted">({esc(flag.heading_title)}; '
        f"{esc(flag.trigger)})</span>"
        f"{' <em>Not counted: only beside a concern from another entry of Table 2.</em>' if uncounted else ''}</p>\n"
        f"<p>{esc(flag.says)}</p>\n"
    ]
    if flag.values:
        parts.append(_VALUES_HEAD)
        for value in flag.values:
            note = esc(value.note or "")
            if value.year_note:
                note += f'{"<br>" if value.note else ""}<span class="data-note">Data note, {esc(year)}: ' \
                        f"{esc(value.year_note)}</span>"
            parts.append(
                f'<tr><th scope="row"><code>{esc(value.fact)}</code></th><td class="value">{esc(value.value)}</td>'
                f"<td>{note}</td><td>{esc(value.source or '')}</td></tr>\n"
            )
        parts.append("</tbody>\n</table>\n")
    parts.append("<dl>\n")
    if flag.tests:
        tests = "<br>".join(f"{esc(test)}: {esc(outcome)}" for test, outcome in flag.tests)
        parts.append(f"<dt>Tests</dt><dd>{tests}</dd>")
    parts.append(f"<dt>Sources</dt><dd>{esc('; '.join(flag.sources))}</dd>\n")
    if flag.entry:
        parts.append(f"<dt>Table 2 entry</dt><dd>{esc(flag.entry)}</dd>")
    if flag.basis:
        parts.append(f"<dt>Basis</dt><dd>{esc(flag.basis)}</dd>")
    if flag.own_view:
        comment = f": {esc(flag.own_comment)}" if flag.own_comment else ""
        parts.append(f"<dt>Authority's view</dt><dd>{esc(flag.own_view)}{comment}</dd>")
    parts.append("</dl>\n</div>\n")
    return "".join(parts)

"""Markdown: the summary table and each authority, safe to paste into any Markdown viewer.

Text from fact files is escaped: HTML cannot pass through (`<script>` shows as text), table
pipes cannot open a column, and link and emphasis syntax shows as written.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from .text import BANNER, ILLUSTRATIVE
from .view import build

if TYPE_CHECKING:
    from ..assessment.results import RegionAssessment

_SPECIAL = re.compile(r"([\\`*_\[\]|~])")


def md(text: str) -> str:
    """Text as Markdown shows it literally: HTML as entities, syntax characters escaped,
    line breaks kept inside the cell (control characters were made visible by the view)."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _SPECIAL.sub(r"\\\1", text)
    return text.replace("\r\n", " ").replace("\n", " ")


def render_markdown(result: RegionAssessment) -> str:
    view = build(result)
    out = ["# Sector Led Improvement risk assessment", "", f"> {md(BANNER)}"]
    if view.illustrative:
        out.append(f"> {md(ILLUSTRATIVE)}")
    out += [f"> **Caveat ({md(key)}):** {md(text)}" for key, text in view.caveats]
    out += ["", f"Rulebook `{view.rulebook_digest}`; years {md(', '.join(view.years))}; run on {view.generated}.", ""]
    out += ["## Verdicts", "", "| Verdict | Authorities | Names |", "| --- | ---: | --- |"]
    for level in view.levels:
        out.append(f"| {md(level.title)} | {level.count} | {md(', '.join(level.authorities))} |")
    out += ["", "## Authorities", ""]
    out.append("| Authority | Year | Verdict | Support | Concerns | Excellence | Not judged |")
    out.append("| --- | --- | --- | --- | ---: | ---: | ---: |")
    for item in view.assessments:
        out.append(
            f"| {md(item.authority)} | {md(item.year)} | {md(item.level_title)} | {md(item.tier_title)} "
            f"| {item.counted_concerns} | {len(item.excellence)} | {len(item.gaps)} |"
        )
    for item in view.assessments:
        out += ["", f"### {md(item.authority)} ({md(item.year)})", ""]
        out.append(f"**Verdict:** {md(item.level_title)} ({md(item.status)}). **Support:** {md(item.tier_title)}.")
        if item.previous:
            out.append(f"**Last year:** {md(item.previous)}.")
        out += [f"**Caveat ({md(key)}):** {md(text)}" for key, text in item.caveats]
        out.append("")
        out += [f"- {md(reason)}" for reason in item.reasons]
        if item.flags:
            out += [
                "",
                "| Signal | Trigger | Heading | Says | Values | Sources |",
                "| --- | --- | --- | --- | --- | --- |",
            ]
            for flag in item.flags:
                signal = flag.signal + ("" if flag.counted else " (not counted)")
                values = "; ".join(f"{value.fact} {value.value}" for value in flag.values)
                out.append(
                    f"| {signal} | {md(flag.title)} | {md(flag.heading_title)} | {md(flag.says)} "
                    f"| {md(values)} | {md('; '.join(flag.sources))} |"
                )
            notes = [(value.fact, value.note) for flag in item.flags for value in flag.values if value.note]
            if notes:
                out += [""] + [f"- Note on {md(fact)}: {md(note or '')}" for fact, note in notes]
            data_notes = dict.fromkeys(
                (value.fact, value.year_note) for flag in item.flags for value in flag.values if value.year_note
            )
            if data_notes:
                out += [""] + [
                    f"- Data note on {md(fact)} in {md(item.year)}: {md(note or '')}" for fact, note in data_notes
                ]
        if item.gaps:
            out += ["", "Not judged for want of data:", ""]
            for heading, gaps in item.gaps_by_heading():
                titles = "; ".join(f"{gap.title} (missing {', '.join(gap.missing) or 'a statistic'})" for gap in gaps)
                out.append(f"- {md(heading)}: {md(titles)}")
        if item.support:
            out += ["", "Support options: " + ", ".join(md(title) for title, _, _ in item.support)]
        if item.peers:
            out += [
                "",
                "Peers with strengths here: " + ", ".join(f"{md(name)} ({md(area)})" for name, area, _ in item.peers),
            ]
    return "\n".join(out) + "\n"

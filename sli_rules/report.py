"""Report: renderers over finished results. None of them computes anything."""

from __future__ import annotations

import csv
import html
import io
import json
from collections.abc import Callable
from typing import TYPE_CHECKING

from .words import show

if TYPE_CHECKING:  # results call their renderer (explain()): no run-time import back
    from .results import AuthorityAssessment, RegionAssessment

FORMATS = ("text", "json", "markdown", "html", "csv")


def render(result: RegionAssessment, form: str) -> str:
    renderers: dict[str, Callable[[RegionAssessment], str]] = {
        "text": render_text,
        "json": render_json,
        "markdown": render_markdown,
        "html": render_html,
        "csv": render_csv,
    }
    return renderers[form](result)


def render_json(result: RegionAssessment) -> str:
    return json.dumps(result.to_dict(), indent=2, ensure_ascii=False) + "\n"


def _values(values: dict[str, object]) -> str:
    return ", ".join(f"{fact} = {show(value)}" for fact, value in values.items())


def render_text(result: RegionAssessment) -> str:
    lines: list[str] = []
    for item in result.assessments:
        code = f" ({item.code})" if item.code else ""
        lines.append(f"{item.authority}{code}, {item.year}")
        lines.append(f"  verdict: {item.level_title} [{item.level}, {item.status}]")
        lines.append(f"  support: {item.tier_title} [{item.tier}]")
        if item.coverage is not None:
            lines.append(f"  evidence: {_coverage(item, result.headings)}")
        for flag in item.flags:
            mark = "+" if flag.signal == "excellence" else ("!" if flag.counted else "?")
            heading = result.headings.get(flag.heading, flag.heading)
            lines.append(f"  {mark} {flag.title} ({heading}; {flag.trigger})")
            lines.append(f"      {flag.says}")
            if flag.values:
                lines.append(f"      values: {_values(flag.values)}")
            lines.append(f"      source: {'; '.join(flag.sources)}" + (f" (basis: {flag.basis})" if flag.basis else ""))
            if not flag.counted:
                lines.append("      not counted: only in the event of other concerns")
            for fact, note in flag.notes.items():
                lines.append(f"      note on {fact}: {note}")
            for fact, source in flag.provenance.items():
                lines.append(f"      {fact} from: {source}")
        for gap in item.gaps:
            lines.append(
                f"  ~ could not judge: {gap.title} ({gap.trigger}): missing {', '.join(gap.missing) or 'a statistic'}"
            )
        if item.support:
            options = ", ".join(option.title for option in item.support[:3])
            lines.append(f"  options: {options}")
        if item.peers:
            peers = ", ".join(f"{peer.authority} ({peer.area})" for peer in item.peers)
            lines.append(f"  peers with strengths here: {peers}")
        lines.append("")
    lines.extend(_summary_lines(result))
    return "\n".join(lines) + "\n"


def _coverage(item: AuthorityAssessment, headings: dict[str, str]) -> str:
    coverage = item.coverage
    assert coverage is not None
    by_heading = "; ".join(
        f"{headings.get(heading, heading)} {judged.judged} of {judged.total}"
        for heading, judged in coverage.headings.items()
    )
    return (
        f"{coverage.judged} of {coverage.total} concern triggers judged "
        f"({round(coverage.share * 100)}%): {by_heading}"
    )


def _summary_lines(result: RegionAssessment) -> list[str]:
    summary = result.summary()
    lines = [f"Region summary: {summary['authorities']} authorities"]
    titles = dict(result.levels)
    for level, count in summary["levels"].items():
        names = [item.authority for item in result.assessments if item.level == level]
        listed = f": {', '.join(names)}" if names and level != result.levels[-1][0] else ""
        lines.append(f"  {titles.get(level, level)}: {count}{listed}")
    tier_titles = dict(result.tiers)
    lines.append("  support: " + ", ".join(f"{tier_titles.get(t, t)} {n}" for t, n in summary["tiers"].items()))
    if summary["excellence"]:
        lines.append(f"  excellence to celebrate: {', '.join(summary['excellence'])}")
    lines.append(f"  gaps (triggers not judged for want of data): {summary['gaps']}")
    lines.append("  Every verdict is provisional until discussed with the authority.")
    for warning in result.warnings:
        lines.append(f"  warning: {warning}")
    return lines


def render_markdown(result: RegionAssessment) -> str:
    out = ["# Sector Led Improvement risk assessment", ""]
    out.append("| Authority | Year | Verdict | Support | Concerns | Excellence | Gaps |")
    out.append("| --- | --- | --- | --- | --- | --- | --- |")
    for item in result.assessments:
        concerns = sum(1 for flag in item.flags if flag.signal == "concern" and flag.counted)
        out.append(
            f"| {_md(item.authority)} | {item.year} | {_md(item.level_title)} | {_md(item.tier_title)} "
            f"| {concerns} | {len(item.excellence)} | {len(item.gaps)} |"
        )
    for item in result.assessments:
        out += ["", f"## {_md(item.authority)} ({item.year})", ""]
        out.append(f"**Verdict:** {_md(item.level_title)} ({item.status}). **Support:** {_md(item.tier_title)}.")
        out.append("")
        for reason in item.reasons:
            out.append(f"- {_md(reason)}")
        if item.flags:
            out += ["", "| Signal | Trigger | Heading | Says | Sources |", "| --- | --- | --- | --- | --- |"]
            for flag in item.flags:
                signal = flag.signal + ("" if flag.counted else " (not counted)")
                out.append(
                    f"| {signal} | {_md(flag.title)} | {_md(result.headings.get(flag.heading, flag.heading))} "
                    f"| {_md(flag.says)} | {_md('; '.join(flag.sources))} |"
                )
        if item.gaps:
            out += ["", "Could not be judged:", ""]
            for gap in item.gaps:
                out.append(f"- {_md(gap.title)}: missing {_md(', '.join(gap.missing) or 'a statistic')}")
        if item.support:
            out += ["", "Support options: " + ", ".join(_md(option.title) for option in item.support)]
    out += ["", "## Region summary", ""]
    out += [line.strip() if not line.startswith("  ") else "- " + _md(line.strip()) for line in _summary_lines(result)]
    return "\n".join(out) + "\n"


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_csv(result: RegionAssessment) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(
        [
            "authority",
            "code",
            "year",
            "level",
            "tier",
            "status",
            "record",
            "trigger",
            "heading",
            "signal",
            "counted",
            "says",
            "missing",
        ]
    )
    for item in result.assessments:
        base = [item.authority, item.code or "", item.year, item.level, item.tier, item.status]
        writer.writerow([*base, "verdict", "", "", "", "", "; ".join(item.reasons), ""])
        for flag in item.flags:
            writer.writerow(
                [*base, "flag", flag.trigger, flag.heading, flag.signal, str(flag.counted).lower(), flag.says, ""]
            )
        for gap in item.gaps:
            writer.writerow([*base, "gap", gap.trigger, gap.heading, "", "", "", "; ".join(gap.missing)])
    return buffer.getvalue()


def render_html(result: RegionAssessment) -> str:
    esc = html.escape
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8"><title>Sector Led Improvement risk assessment</title>',
        "<style>body{font-family:sans-serif;max-width:60em;margin:auto}table{border-collapse:collapse}"
        "td,th{border:1px solid #999;padding:.2em .5em;text-align:left}"
        ".concern{color:#a00}.excellence{color:#060}</style>",
        "</head><body><h1>Sector Led Improvement risk assessment</h1>",
        "<table><tr><th>Authority</th><th>Year</th><th>Verdict</th><th>Support</th></tr>",
    ]
    for item in result.assessments:
        parts.append(
            f'<tr><td><a href="#a{esc(item.code or item.authority)}">{esc(item.authority)}</a></td>'
            f"<td>{esc(item.year)}</td><td>{esc(item.level_title)}</td><td>{esc(item.tier_title)}</td></tr>"
        )
    parts.append("</table>")
    for item in result.assessments:
        parts.append(f'<h2 id="a{esc(item.code or item.authority)}">{esc(item.authority)} ({esc(item.year)})</h2>')
        parts.append(
            f"<p><b>Verdict:</b> {esc(item.level_title)} ({esc(item.status)}). "
            f"<b>Support:</b> {esc(item.tier_title)}.</p><ul>"
        )
        parts += [f"<li>{esc(reason)}</li>" for reason in item.reasons]
        parts.append("</ul><ul>")
        for flag in item.flags:
            parts.append(
                f'<li class="{esc(flag.signal)}">{esc(flag.title)}: {esc(flag.says)} '
                f"<small>({esc('; '.join(flag.sources))})</small></li>"
            )
        for gap in item.gaps:
            parts.append(f"<li>Could not judge {esc(gap.title)}: missing {esc(', '.join(gap.missing))}</li>")
        parts.append("</ul>")
    parts.append("<h2>Region summary</h2><ul>")
    parts += [f"<li>{esc(line.strip())}</li>" for line in _summary_lines(result)]
    parts.append("</ul></body></html>")
    return "\n".join(parts) + "\n"


def explain_text(item: AuthorityAssessment) -> str:
    """One authority's verdict explained, for `sli-rules explain` and `.explain()`."""
    lines = [
        f"{item.authority}{f' ({item.code})' if item.code else ''}, {item.year}",
        f"Verdict: {item.level_title} [{item.level}] — {item.status}, to be discussed with the "
        "authority before a final view is taken.",
        f"Recommended support: {item.tier_title} [{item.tier}]" + (f". {item.tier_note}" if item.tier_note else ""),
    ]
    if item.coverage is not None:
        lines.append(f"Evidence: {_coverage(item, {})}")
    lines += ["", "Why:"]
    lines += [f"  - {reason}" for reason in item.reasons]
    for title, flags in (("Concerns", item.concerns), ("Excellence", item.excellence)):
        if not flags:
            continue
        lines += ["", f"{title}:"]
        for flag in flags:
            counted = "" if flag.counted else " (not counted: only in the event of other concerns)"
            lines.append(f"  {flag.title} [{flag.trigger}]{counted}")
            lines.append(f"    {flag.says}")
            for evidence in flag.evidence:
                lines.append(f"    - {evidence.text}: {evidence.outcome}")
            lines.append(f"    sources: {'; '.join(flag.sources)}")
            if flag.entry or flag.basis:
                basis = f" (basis: {flag.basis})" if flag.basis else ""
                lines.append(f"    reads: {flag.entry or flag.trigger}{basis}")
            for fact, note in flag.notes.items():
                lines.append(f"    note on {fact}: {note}")
            for fact, source in flag.provenance.items():
                lines.append(f"    {fact} from: {source}")
    if item.gaps:
        lines += ["", "Could not be judged (data missing):"]
        for gap in item.gaps:
            lines.append(f"  {gap.title} [{gap.trigger}]: missing {', '.join(gap.missing) or 'a statistic'}")
            for why in gap.why:
                lines.append(f"    - {why}")
            for known in gap.known:
                lines.append(f"    - known: {known}")
    if item.support:
        lines += ["", "Support options (best suited first):"]
        for option in item.support:
            suits = f" — suits {', '.join(option.suits)}" if option.suits else ""
            via = f": {option.via}" if option.via else ""
            lines.append(f"  {option.title}{via}{suits}")
    if item.peers:
        lines += ["", "Peers with strengths where this authority has concerns:"]
        for peer in item.peers:
            lines.append(f"  {peer.authority} ({peer.area}: {peer.trigger})")
    return "\n".join(lines) + "\n"

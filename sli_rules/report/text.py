"""Text for people at a terminal: one screen of summary, then a few lines per authority.

The full detail (every value, test, source and gap) is in `--verbose` and `explain`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .common import listing, plural
from .view import authority_view, build
from .viewmodel import AuthorityView, RegionView

if TYPE_CHECKING:
    from ..assessment.results import AuthorityAssessment, RegionAssessment

BANNER = (
    "Provisional: every verdict stands until it has been discussed with the authority. "
    "This is sector-led improvement, not an inspection rating."
)
ILLUSTRATIVE = "The figures are illustrative, not real data: no verdict here says anything about a real council."


def render_text(result: RegionAssessment, verbose: bool = False) -> str:
    view = build(result)
    lines = summary_lines(view)
    if verbose:  # each authority exactly as `explain` gives it
        return "\n".join(lines) + "\n" + "".join("\n" + explain_text(item) for item in result.assessments)
    over_years = _over_the_years(view)
    for item in view.assessments:
        lines.append("")
        key = item.code or item.authority
        if key in over_years:
            lines.append(over_years.pop(key))
        lines.extend(_brief(item))
    return "\n".join(lines) + "\n"


def _over_the_years(view: RegionView) -> dict[str, str]:
    """For each authority assessed in several years, one line of its verdicts year by year,
    with the concerns it carried over from the year before."""
    by_authority: dict[str, list[AuthorityView]] = {}
    for item in view.assessments:
        by_authority.setdefault(item.code or item.authority, []).append(item)
    found = {}
    for key, items in by_authority.items():
        if len(items) < 2:
            continue
        parts = []
        for item in sorted(items, key=lambda item: item.year):
            persistent = [flag.title for flag in item.flags if flag.last_year and flag.counted]
            carried = f" (persistent: {'; '.join(persistent)})" if persistent else ""
            parts.append(f"{item.year} {item.level_title}{carried}")
        found[key] = f"{items[0].authority} over the years: " + " · ".join(parts)
    return found


def summary_lines(view: RegionView) -> list[str]:
    years = listing(list(view.years))
    lines = [
        f"Sector Led Improvement risk assessment: {plural(len(view.authorities), 'authority', 'authorities')}, {years}"
    ]
    lines.append(BANNER)
    if view.illustrative:
        lines.append(ILLUSTRATIVE)
    lines += [f"Caveat ({key}): {text}" for key, text in view.caveats]
    lines += ["", "Verdicts (each authority's latest year):" if len(view.years) > 1 else "Verdicts:"]
    width = max((len(level.title) for level in view.levels), default=0)
    for level in view.levels:
        names = f"  {', '.join(level.authorities)}" if level.authorities and level.id != view.levels[-1].id else ""
        lines.append(f"  {level.title:<{width}}  {level.count:>3}{names}")
    lines += ["", "Who needs what:"]
    for tier in reversed(view.tiers):
        if not tier.count:
            continue
        names = ", ".join(tier.authorities) if tier.count <= 8 else plural(tier.count, "authority", "authorities")
        lines.append(f"  {tier.title}: {names}")
    lines.append("")
    if view.coverage is not None:
        judged, total = view.coverage
        share = f" ({judged * 100 // total}%)" if total else ""
        lines.append(f"Coverage: {judged} of {total} concern triggers judged{share}.")
    lines.append(f"Not judged for want of data: {plural(view.gaps, 'trigger')}" + (" in all." if view.gaps else "."))
    if view.celebrations:
        lines.append("Excellence to celebrate: " + ", ".join(item.authority for item in view.celebrations) + ".")
    lines.append(f"Rulebook {view.rulebook_digest}; run on {view.generated}.")
    for warning in view.warnings:
        lines.append(f"Warning: {warning}")
    return lines


def _brief(item: AuthorityView) -> list[str]:
    code = f" ({item.code})" if item.code else ""
    lines = [f"{item.authority}{code}, {item.year}: {item.level_title}; {item.tier_title}"]
    if item.coverage is not None:
        lines.append(f"  Evidence: {coverage_words(item)}")
    lines += [f"  Caveat ({key}): {text}" for key, text in item.caveats]
    for flag in item.flags:
        note = "" if flag.counted else " (not counted: only beside a concern from another entry of Table 2)"
        if flag.last_year:
            note += " (flagged last year too)"
        lines.append(f"  {flag.mark} {flag.title} [{flag.heading_title}]{note}")
    if item.gaps:
        counts = [f"{title} {len(gaps)}" for title, gaps in item.gaps_by_heading()]
        lines.append(f"  Not judged for want of data: {', '.join(counts)}")
    return lines


def _explain(item: AuthorityView) -> list[str]:
    code = f" ({item.code})" if item.code else ""
    lines = [
        f"{item.authority}{code}, {item.year}",
        f"Verdict: {item.level_title} [{item.level}] — {item.status}, to be discussed with the "
        "authority before a final view is taken.",
        f"Recommended support: {item.tier_title} [{item.tier}]" + (f". {item.tier_note}" if item.tier_note else ""),
    ]
    if item.coverage is not None:
        lines.append(f"Evidence: {coverage_words(item)}")
    lines += [f"Caveat ({key}): {text}" for key, text in item.caveats]
    if item.previous:
        lines.append(f"Last year: {item.previous}")
    if item.final:
        lines.append(f"Final view: {item.final}")
    for note in item.discussion:
        lines.append(f"Discussed: {note}")
    lines += ["", "Why:"]
    lines += [f"  - {reason}" for reason in item.reasons]
    for title, flags in (("Concerns", item.concerns), ("Excellence", item.excellence)):
        if not flags:
            continue
        lines += ["", f"{title}:"]
        for flag in flags:
            counted = "" if flag.counted else " (not counted: only beside a concern from another entry of Table 2)"
            lines.append(f"  {flag.title} [{flag.trigger}]{counted}")
            lines.append(f"    {flag.says}")
            for test, outcome in flag.tests:
                lines.append(f"    - {test}: {outcome}")
            lines.append(f"    sources: {'; '.join(flag.sources)}")
            if flag.entry or flag.basis:
                basis = f" (basis: {flag.basis})" if flag.basis else ""
                lines.append(f"    reads: {flag.entry or flag.trigger}{basis}")
            if flag.values:
                lines.append("    values: " + "; ".join(f"{value.fact} = {value.value}" for value in flag.values))
            for value in flag.values:
                if value.note:
                    lines.append(f"    note on {value.fact}: {value.note}")
                if value.year_note:
                    lines.append(f"    data note on {value.fact} in {item.year}: {value.year_note}")
            if flag.data_sources and list(flag.data_sources) != list(flag.sources):
                lines.append(f"    data from: {'; '.join(flag.data_sources)}")
            if flag.own_view:
                lines.append(f"    {flag.own_view}" + (f": {flag.own_comment}" if flag.own_comment else ""))
            if flag.last_year is not None:
                lines.append("    flagged last year too" if flag.last_year else "    not flagged last year")
    if item.gaps:
        lines += ["", "Could not be judged (data missing):"]
        for gap in item.gaps:
            lines.append(f"  {gap.title} [{gap.trigger}]: missing {', '.join(gap.missing) or 'a statistic'}")
            lines += [f"    - {why}" for why in gap.why]
            lines += [f"    - known: {known}" for known in gap.known]
    if item.support:
        lines += ["", "Support options (best suited first):"]
        for title, via, suits in item.support:
            lines.append(f"  {title}" + (f": {via}" if via else "") + (f" — suits {', '.join(suits)}" if suits else ""))
    if item.peers:
        lines += ["", "Peers with strengths where this authority has concerns:"]
        lines += [f"  {name} ({area})" for name, area, _ in item.peers]
    return lines


def coverage_words(item: AuthorityView) -> str:
    """`32 of 32 concern triggers judged (100%): Outcomes 6 of 6; ...`."""
    judged, total = item.coverage or (0, 0)
    share = round(judged * 100 / total) if total else 0
    headings = "; ".join(f"{title} {part} of {whole}" for title, part, whole in item.coverage_headings)
    return f"{judged} of {total} concern triggers judged ({share}%)" + (f": {headings}" if headings else "")


def explain_text(item: AuthorityAssessment) -> str:
    """One authority's verdict explained, for `sli-rules explain`, `--verbose` and `.explain()`."""
    return "\n".join(_explain(authority_view(item))) + "\n"

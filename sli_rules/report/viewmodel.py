"""The report's view model: plain frozen classes holding what the renderers show, in words,
built by `view` from a result (nothing here decides anything)."""

from __future__ import annotations

from typing import Any

import attrs

OWN_VIEW_WORDS = {
    "concern": "the authority agrees there is a concern",
    "no_concern": "the authority does not see a concern",
    "unsure": "the authority is unsure",
}


@attrs.frozen
class ValueView:
    fact: str
    value: str
    raw: Any
    note: str | None = None
    source: str | None = None
    year_note: str | None = None  # the catalogue's note on the measure in the year assessed


@attrs.frozen
class FlagView:
    trigger: str
    title: str
    heading: str
    heading_title: str
    signal: str
    counted: bool
    says: str
    sources: tuple[str, ...]
    values: tuple[ValueView, ...]
    tests: tuple[tuple[str, str], ...] = ()  # (what was compared, outcome)
    area: str | None = None
    entry: str | None = None
    basis: str | None = None
    own_view: str | None = None  # in words
    own_comment: str | None = None
    last_year: bool | None = None  # flagged the year before too; None: not known
    data_sources: tuple[str, ...] = ()  # the fact set's own sources for the values shown

    @property
    def mark(self) -> str:
        if self.signal == "excellence":
            return "+"
        return "!" if self.counted else "?"


@attrs.frozen
class GapView:
    trigger: str
    title: str
    heading: str
    heading_title: str
    missing: tuple[str, ...]
    why: tuple[str, ...] = ()
    known: tuple[str, ...] = ()  # the tests that could be decided, with their values


@attrs.frozen
class CellView:
    """One authority under one heading: what the heat map shows."""

    heading: str
    heading_title: str
    concerns: int
    excellence: int
    gaps: int
    judged: int | None = None
    total: int | None = None

    @property
    def tone(self) -> str:
        if self.concerns >= 2:
            return "high"
        if self.concerns == 1:
            return "some"
        return "good" if self.excellence else "none"

    @property
    def words(self) -> tuple[str, ...]:
        parts = [f"{self.concerns} concern{'s' if self.concerns != 1 else ''}"]
        if self.excellence:
            parts.append(f"{self.excellence} excellence")
        if self.judged is not None and self.total is not None:
            parts.append(f"{self.judged}/{self.total} judged")
        elif self.gaps:
            parts.append(f"{self.gaps} not judged")
        return tuple(parts)


@attrs.frozen
class HistoryPoint:
    year: str
    level: str
    level_title: str
    rank: int  # 0 is the least serious level
    status: str | None = None


@attrs.frozen
class Celebration:
    """An authority's excellence, and who has concerns where it is strong."""

    authority: str
    anchor: str
    strengths: tuple[str, ...]
    could_help: tuple[str, ...]
    offers: tuple[str, ...]


@attrs.frozen
class AuthorityView:
    authority: str
    code: str | None
    year: str
    anchor: str
    level: str
    level_title: str
    rank: int
    tier: str
    tier_title: str
    status: str
    reasons: tuple[str, ...]
    concerns: tuple[FlagView, ...]
    excellence: tuple[FlagView, ...]
    gaps: tuple[GapView, ...]
    cells: tuple[CellView, ...]
    support: tuple[tuple[str, str | None, tuple[str, ...]], ...]  # (title, via, suits)
    peers: tuple[tuple[str, str, str], ...]  # (authority, area, anchor)
    tier_note: str | None = None
    coverage: tuple[int, int] | None = None
    coverage_headings: tuple[tuple[str, int, int], ...] = ()  # (heading title, judged, total)
    previous: str | None = None  # last year's verdict, in words
    discussion: tuple[str, ...] = ()
    final: str | None = None
    history: tuple[HistoryPoint, ...] = ()
    caveats: tuple[tuple[str, str], ...] = ()  # (id, text): what to know before relying on it

    @property
    def flags(self) -> tuple[FlagView, ...]:
        return self.concerns + self.excellence

    def tone(self, levels: int) -> str:
        """The verdict's shade: the policy's most serious levels darkest, its last (the least
        serious) plain; however many levels a rulebook has."""
        if self.rank == 0:
            return "plain"
        return f"top-{min(levels - 1 - self.rank, 3)}"

    @property
    def counted_concerns(self) -> int:
        return sum(1 for flag in self.concerns if flag.counted)

    def gaps_by_heading(self) -> tuple[tuple[str, tuple[GapView, ...]], ...]:
        grouped: dict[str, list[GapView]] = {}
        for gap in self.gaps:
            grouped.setdefault(gap.heading_title, []).append(gap)
        return tuple((title, tuple(gaps)) for title, gaps in grouped.items())


@attrs.frozen
class Count:
    id: str
    title: str
    count: int
    authorities: tuple[str, ...]


@attrs.frozen
class RegionView:
    assessments: tuple[AuthorityView, ...]  # every authority-year, in the result's order
    authorities: tuple[AuthorityView, ...]  # the latest year of each authority
    headings: tuple[tuple[str, str], ...]
    levels: tuple[Count, ...]
    tiers: tuple[Count, ...]
    celebrations: tuple[Celebration, ...]
    sources: tuple[str, ...]
    years: tuple[str, ...]
    illustrative: bool
    rulebook_digest: str
    rulebook_path: str
    generated: str
    warnings: tuple[str, ...]
    gaps: int
    coverage: tuple[int, int] | None
    level_count: int
    # Some authority has more than one year: the page shows a trend column. Decided once here,
    # since the page asks for every row (asking the authorities each time was quadratic).
    has_history: bool = False
    # The caveats every authority with a counted concern carries (the run's verdicts rest on
    # ASCOF alone, say): shown once, in the banner.
    caveats: tuple[tuple[str, str], ...] = ()
    # How many of the authorities shown stand on a final view on record (`report --db`): the
    # banner never calls a finalised year provisional.
    finals: int = 0

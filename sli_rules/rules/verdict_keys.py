"""What a verdict condition may count, each key declared once.

An entry says everything the rest of the package needs to know about one key of the verdict
policy (`concerns: {at_least: 2}`, `coverage: {below: 50%}`, ...): what it means, its words
in a verdict's reasons, whether it may be limited to a heading (`in:`) or a number of years
(`years:`), whether it is a share, how it is read from what the judge counted (a
`policy.Tally`), and what it can be when the concerns counted are fixed and everything else is
left open (its bounds in a `Scene`, for the loader's proofs). The loader, the schema, the
judge, the policy and the proofs all read this table: adding a key is one entry here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Protocol

import attrs

MAX_YEARS = 20  # `years` in `persistent` (as in `worsening` and `improving`) is 1 to this


class Counted(Protocol):
    """What the judge counted for one authority, as the keys read it (`policy.Tally`).

    Counts by heading are keyed by heading id; `entries` holds, by heading, the distinct
    pieces of evidence (Table 2 entries) with a counted concern; `persistent_over(N)` is the
    number of entries with a counted concern this year and in each of the N-1 years before."""

    @property
    def concerns(self) -> Mapping[str, int]: ...
    @property
    def excellence(self) -> Mapping[str, int]: ...
    @property
    def gaps(self) -> int: ...
    @property
    def entries(self) -> Mapping[str, frozenset[str]]: ...
    @property
    def judged(self) -> Mapping[str, int]: ...
    @property
    def totals(self) -> Mapping[str, int]: ...
    @property
    def unacknowledged(self) -> int: ...
    @property
    def persistent(self) -> int: ...

    def persistent_over(self, years: int) -> int: ...


@attrs.frozen
class Scene:
    """One situation the loader's proofs try: the counted concerns fixed (by heading, with the
    entries they read and how many years running those entries have had one), and the other
    quantities as free as the rulebook allows. `gaps` are the concern triggers that could not
    be judged, by heading; `excellence` the excellence flags by heading; `excellence_triggers`
    how many excellence triggers there are (those not flagged may be gaps too)."""

    concerns: Mapping[str, int]
    entries: Mapping[str, int]  # distinct entries with a counted concern, by heading
    all_entries: int  # distinct entries with a counted concern (an entry may span headings)
    totals: Mapping[str, int]  # concern triggers, by heading
    gaps: Mapping[str, int]  # concern triggers not judged, by heading
    excellence: Mapping[str, int]
    excellence_triggers: int
    run: int  # years running (this one included) the entries counted have had a counted concern

    def judged(self, heading: str) -> int:
        return self.totals.get(heading, 0) - self.gaps.get(heading, 0)


Bounds = tuple[float, float]  # the lowest and highest a key can be in a scene (equal when fixed)


@attrs.frozen
class VerdictKey:
    """One key of the verdict policy."""

    name: str
    meaning: str  # for docs and the schema
    words: str  # in a verdict's reasons: "counted concerns ≥ 2 (found 3)"
    read: Callable[[Counted, str | None, int], float]  # from a tally (heading, years; 0: none given)
    reach: Callable[[Scene, str | None, int], Bounds]  # in a proof's scene (heading, years)
    by_heading: bool = False  # may take `in: HEADING`
    share: bool = False  # a share (0 to 1, or a percentage)
    years: bool = False  # may take `years: N`
    years_words: str = ""  # its words with `years: N`, "{years}" standing for N


def _by_heading(counts: Mapping[str, int], heading: str | None) -> int:
    return counts.get(heading, 0) if heading else sum(counts.values())


def _entries(counted: Counted, heading: str | None, years: int) -> int:
    if heading:
        return len(counted.entries.get(heading, frozenset()))
    return len(frozenset().union(*counted.entries.values()))


def _coverage(judged: Mapping[str, int], totals: Mapping[str, int], heading: str | None) -> float:
    if heading is not None:
        total = totals.get(heading, 0)
        return judged.get(heading, 0) / total if total else 0.0
    total = sum(totals.values())
    return sum(judged.values()) / total if total else 0.0


def _scene_coverage(scene: Scene, heading: str | None) -> Bounds:
    headings = [heading] if heading else list(scene.totals)
    share = _coverage({h: scene.judged(h) for h in headings}, {h: scene.totals.get(h, 0) for h in headings}, heading)
    return share, share


def _fixed(value: float) -> Bounds:
    return value, value


def _persistent(counted: Counted, heading: str | None, years: int) -> float:
    return counted.persistent_over(years) if years else counted.persistent


def _scene_persistent(scene: Scene, heading: str | None, years: int) -> Bounds:
    if not years:  # any of the concerns counted may have been flagged the year before
        return 0, sum(scene.concerns.values())
    return _fixed(scene.all_entries if scene.run >= years else 0)


def _scene_gaps(scene: Scene, heading: str | None, years: int) -> Bounds:
    concern_gaps = sum(scene.gaps.values())
    unflagged_excellence = scene.excellence_triggers - sum(scene.excellence.values())
    return concern_gaps, concern_gaps + unflagged_excellence


KEYS: tuple[VerdictKey, ...] = (
    VerdictKey(
        "concerns", "number of counted concern flags (under one heading)", "counted concerns",
        lambda c, heading, years: _by_heading(c.concerns, heading),
        lambda s, heading, years: _fixed(_by_heading(s.concerns, heading)),
        by_heading=True,
    ),
    VerdictKey(
        "concern_headings", "number of distinct headings with a counted concern", "headings with a counted concern",
        lambda c, heading, years: sum(1 for count in c.concerns.values() if count > 0),
        lambda s, heading, years: _fixed(sum(1 for count in s.concerns.values() if count > 0)),
    ),
    VerdictKey(
        "concern_entries", "number of distinct entries with a counted concern (under one heading)",
        "pieces of evidence (Table 2 entries) with a counted concern",
        _entries,
        lambda s, heading, years: _fixed(s.entries.get(heading, 0) if heading else s.all_entries),
        by_heading=True,
    ),
    VerdictKey(
        "excellence", "number of excellence flags (under one heading)", "areas of excellence",
        lambda c, heading, years: _by_heading(c.excellence, heading),
        lambda s, heading, years: _fixed(_by_heading(s.excellence, heading)),
        by_heading=True,
    ),
    VerdictKey(
        "gaps", "number of triggers that could not be judged for want of data", "triggers that could not be judged",
        lambda c, heading, years: c.gaps,
        _scene_gaps,
    ),
    VerdictKey(
        "coverage", "share of the concern triggers that could be judged (flagged or cleared), under one heading",
        "share of concern triggers judged",
        lambda c, heading, years: _coverage(c.judged, c.totals, heading),
        lambda s, heading, years: _scene_coverage(s, heading),
        by_heading=True, share=True,
    ),
    VerdictKey(
        "judged_headings", "number of headings with at least one concern trigger judged",
        "headings with a concern trigger judged",
        lambda c, heading, years: sum(1 for count in c.judged.values() if count > 0),
        lambda s, heading, years: _fixed(sum(1 for h in s.totals if s.judged(h) > 0)),
    ),
    VerdictKey(
        "unacknowledged", "counted concerns that the authority's own self-assessment marked as no concern",
        "counted concerns the authority's own view marks as no concern",
        lambda c, heading, years: c.unacknowledged,
        lambda s, heading, years: (0, sum(s.concerns.values())),
    ),
    VerdictKey(
        "persistent", "counted concerns also flagged the year before; with `years: N`, entries with a counted "
        "concern this year and in each of the N-1 years before",
        "counted concerns also flagged the year before",
        _persistent,
        _scene_persistent,
        years=True,
        years_words="pieces of evidence with a counted concern in each of the last {years} years",
    ),
)
VERDICT_KEYS: dict[str, VerdictKey] = {key.name: key for key in KEYS}


def verdict_key(name: str) -> VerdictKey:
    """The key of that name; an error, never a quiet default, for one this table lacks."""
    try:
        return VERDICT_KEYS[name]
    except KeyError:
        raise ValueError(f"unknown verdict key {name!r}: one of {', '.join(VERDICT_KEYS)}") from None


def key_words(name: str, years: int) -> str:
    """A key's words in a verdict's reasons."""
    key = verdict_key(name)
    return key.years_words.format(years=years) if years and key.years_words else key.words

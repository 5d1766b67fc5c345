"""Judge: the "in the round" verdict, the first level of the policy whose condition holds."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

import attrs

from ..rules.model import (
    HEADINGS,
    Counter,
    Flagged,
    Level,
    NumberTest,
    Rulebook,
    VerdictAll,
    VerdictAny,
    VerdictCondition,
    VerdictNot,
)
from ..rules.operators import OPERATORS
from ..rules.policy import Tally, choose_level, holds
from ..rules.verdict_keys import VERDICT_KEYS, key_words

__all__ = [
    "ASCOF_ALONE", "Tally", "Verdict", "caveats", "choose_level", "counted", "describe", "judge", "reasons", "tally",
]

from ..words import Deferred
from .results import Caveat, Later, written

if TYPE_CHECKING:
    from .results import Flag, Gap



def tally(
    rulebook: Rulebook,
    flags: Iterable[Flag],
    gaps: Iterable[Gap],
    *,
    views: Mapping[str, str] | None = None,
    last_year: Collection[str] | None = None,
    year: str | None = None,
    years_before: Sequence[Collection[str]] = (),
) -> Tally:
    """What the policy counts, from an authority's flags (only counted ones) and gaps, with
    its own view of each trigger (`views`: trigger → concern, no_concern or unsure) and the
    concerns flagged for it the year before, where those are known."""
    concerns: dict[str, int] = {}
    excellence: dict[str, int] = {}
    entries: dict[str, set[str]] = {}
    flagged = []
    unacknowledged = persistent = 0
    entry_of = rulebook.entries
    for flag in flags:
        if not flag.counted:
            continue
        trigger, heading = flag.trigger, flag.heading
        flagged.append(trigger)
        if flag.signal != "concern":
            excellence[heading] = excellence.get(heading, 0) + 1
            continue
        concerns[heading] = concerns.get(heading, 0) + 1
        found = entries.get(heading)
        if found is None:
            entries[heading] = {entry_of[trigger]}
        else:
            found.add(entry_of[trigger])
        if views is not None and views.get(trigger) == "no_concern":
            unacknowledged += 1
        if last_year is not None and trigger in last_year:
            persistent += 1
    totals = rulebook.concern_totals_in(year)  # only the triggers that apply in the year
    judged = totals.copy()
    gaps_seen = 0
    concern_triggers = rulebook.concern_triggers
    for gap in gaps:
        gaps_seen += 1
        if gap.trigger in concern_triggers and gap.heading in judged:
            judged[gap.heading] -= 1
    return Tally(
        concerns,
        excellence,
        gaps_seen,
        frozenset(flagged),
        {heading: frozenset(found) for heading, found in entries.items()},
        judged,
        totals,  # the rulebook's own, the same for every authority: read, never changed
        unacknowledged,
        persistent,
        _persisting(entry_of, entries, years_before),
    )


def _persisting(
    entry_of: Mapping[str, str], entries: Mapping[str, set[str]], years_before: Sequence[Collection[str]]
) -> tuple[int, ...]:
    """How many entries with a counted concern this year were also flagged in each of the
    1, 2, ... years before (`years_before`: each year's counted concern triggers, last year
    first), the first number this year's own. By entry: a problem read by two sibling
    triggers in turn is still the same problem persisting."""
    running = set().union(*entries.values()) if entries else set()
    found = [len(running)]
    for triggers in years_before:
        if not running:
            break
        running &= {entry_of[trigger] for trigger in triggers if trigger in entry_of}
        found.append(len(running))
    return tuple(found)


def counted(rulebook: Rulebook, flags: Sequence[Flag]) -> tuple[Flag, ...]:
    """The flags, each marked whether it counts in the round: a gated one (only in the event
    of other concerns) counts only beside a concern without that mark."""
    gated = {flag.trigger for flag in flags if flag.trigger in rulebook.gated} if rulebook.gated else set()
    if not gated:
        for flag in flags:
            if not flag.counted:
                break
        else:
            return tuple(flags)  # the common case: every flag counts, as it says
    # The entries with a concern that needs no other: a gated flag counts beside one of them
    # from another entry, never beside its own entry's siblings or another gated flag.
    vouching = {
        rulebook.trigger(flag.trigger).entry for flag in flags if flag.signal == "concern" and flag.trigger not in gated
    }

    def counts(flag: Flag) -> bool:
        return flag.trigger not in gated or bool(vouching - {rulebook.trigger(flag.trigger).entry})

    return tuple(flag if flag.counted == counts(flag) else attrs.evolve(flag, counted=counts(flag)) for flag in flags)


def _annotated(
    flag: Flag,
    views: Mapping[str, str] | None,
    comments: Mapping[str, str | None] | None,
    last_year: Collection[str] | None,
) -> Flag:
    """A concern flag with the authority's own view of it and whether it was flagged (and
    counted) the year before, where those are known."""
    if flag.signal != "concern" or (views is None and last_year is None):
        return flag
    return attrs.evolve(
        flag,
        view=views.get(flag.trigger) if views is not None else None,
        view_comment=(comments or {}).get(flag.trigger),
        last_year=(flag.trigger in last_year) if last_year is not None else None,
    )


@attrs.frozen
class Verdict:
    """One authority judged in the round: its flags (counted or not), its gaps, the level the
    policy chose, what the policy counted, and why."""

    authority: str
    code: str | None
    year: str
    level: Level
    flags: tuple[Flag, ...]
    gaps: tuple[Gap, ...]
    tally: Tally
    _reasons: tuple[str, ...] | Later[tuple[str, ...]] = attrs.field(alias="reasons")
    caveats: tuple[Caveat, ...] = ()
    before: Collection[str] | None = None  # the concerns counted the year before, where known

    @property
    def reasons(self) -> tuple[str, ...]:
        return written(self._reasons)

    @property
    def deferred_reasons(self) -> tuple[str, ...] | Later[tuple[str, ...]]:
        """The reasons, still to be written if they have not been read: to hand on as they are."""
        return self._reasons


def judge(
    rulebook: Rulebook,
    authority: str,
    code: str | None,
    year: str,
    flags: Sequence[Flag],
    gaps: Sequence[Gap],
    *,
    views: Mapping[str, str] | None = None,
    comments: Mapping[str, str | None] | None = None,
    last_year: Collection[str] | None = None,
    years_before: Sequence[Collection[str]] = (),
    choose: Callable[[Tally], Level] | None = None,
    out_of_span: tuple[str, ...] | None = None,
) -> Verdict:
    """The verdict on one authority's findings: the first level of the policy that holds
    (`choose`, the policy worked out once, a `LevelChooser` of the rulebook's levels, for a
    caller judging many authorities). `years_before`: the counted concerns flagged in each
    year before this one, last year first, as far back as they are known (for `persistent`
    with `years`). `out_of_span`: `out_of_span_words(rulebook, year)`, for a caller that has it
    already."""
    judged = counted(rulebook, flags)
    if views is not None or last_year is not None:
        judged = tuple(_annotated(flag, views, comments, last_year) for flag in judged)
    found = tally(rulebook, judged, gaps, views=views, last_year=last_year, year=year, years_before=years_before)
    level = choose(found) if choose is not None else choose_level(rulebook.levels, found)
    why: Deferred[tuple[str, ...]] = Deferred(
        _reasons, level, found, judged, len(gaps), rulebook.headings,
        out_of_span if out_of_span is not None else out_of_span_words(rulebook, year),
    )
    return Verdict(
        authority, code, year, level, judged, tuple(gaps), found, why, caveats(rulebook, judged), last_year
    )


# The Department of Health and Social Care on the framework's use: its measures are one view of
# outcomes, not a judgement of a council. Shown wherever a verdict's concerns rest on them alone.
ASCOF_ALONE = Caveat(
    "ascof-alone",
    "ASCOF measures alone cannot be used to judge how effective an authority is (Department of "
    "Health and Social Care): every concern counted here comes from ASCOF, so read this verdict "
    "beside the authority's finances, workforce, stakeholders and local intelligence before "
    "taking a view.",
)


def caveats(rulebook: Rulebook, flags: Sequence[Flag]) -> tuple[Caveat, ...]:
    """What a reader must know before relying on the verdict: `ascof-alone` where there are
    counted concerns and every one of them reads ASCOF measures alone."""
    concerns = [flag.trigger for flag in flags if flag.counted and flag.signal == "concern"]
    if concerns and all(trigger in rulebook.ascof_only for trigger in concerns):
        return (ASCOF_ALONE,)
    return ()


def describe(condition: VerdictCondition, tally: Tally, headings: dict[str, str]) -> list[str]:
    """The parts of a level's condition that held, in words, with the numbers found."""
    if isinstance(condition, VerdictAll):
        return [text for item in condition.items for text in describe(item, tally, headings)]
    if isinstance(condition, VerdictAny):
        for item in condition.items:
            if holds(item, tally):
                return describe(item, tally, headings)
        return []
    if isinstance(condition, VerdictNot):
        return ["not (" + "; ".join(_words(condition.item, headings)) + ")"]
    if isinstance(condition, Flagged):
        return [f"'{condition.trigger}' is flagged"]
    found = tally.number(condition.what, condition.heading, condition.years)
    shown = f"{_plain(found * 100)}%" if VERDICT_KEYS[condition.what].share else _plain(found)
    return [f"{_words(condition, headings)[0]} (found {shown})"]


def _words(condition: VerdictCondition, headings: dict[str, str]) -> list[str]:
    if isinstance(condition, Counter):
        what = key_words(condition.what, condition.years)
        if condition.heading:
            what += f" under {headings.get(condition.heading, condition.heading)}"
        return [f"{what} {_test_words(condition.test, percent=VERDICT_KEYS[condition.what].share)}"]
    if isinstance(condition, Flagged):
        return [f"'{condition.trigger}' is flagged"]
    if isinstance(condition, VerdictNot):
        return ["not (" + "; ".join(_words(condition.item, headings)) + ")"]
    joiner = " and " if isinstance(condition, VerdictAll) else " or "
    return [joiner.join(text for item in condition.items for text in _words(item, headings))]


def _test_words(test: NumberTest, *, percent: bool = False) -> str:
    if percent:
        return OPERATORS[test.op].say_numbers([f"{_plain(number * 100)}%" for number in test.numbers])
    return OPERATORS[test.op].say_numbers([_plain(number) for number in test.numbers])


def _plain(number: float) -> str:
    rounded = round(float(number), 1)
    return str(int(rounded)) if rounded.is_integer() else str(rounded)


def evidence_seen(tally: Tally, headings: dict[str, str]) -> str:
    """How much the verdict saw: concern triggers judged, overall and by heading."""
    judged, total = sum(tally.judged.values()), sum(tally.totals.values())
    parts = [
        f"{headings.get(heading, heading)} {tally.judged.get(heading, 0)} of {tally.totals[heading]}"
        for heading in HEADINGS
        if heading in tally.totals
    ]
    seen = sum(1 for heading in tally.totals if tally.judged.get(heading, 0))
    return (
        f"Evidence judged: {judged} of {total} concern triggers ({_plain(tally.coverage() * 100)}%), "
        f"under {seen} of {len(tally.totals)} headings ({'; '.join(parts)})"
    )


def out_of_span_words(rulebook: Rulebook, year: str) -> tuple[str, ...]:
    """The triggers not applicable in `year`, each with its span, in words."""
    return tuple(f"{trigger.id} ({trigger.span})" for trigger in rulebook.not_applicable_in(year))


def _reasons(
    level: Level, tally: Tally, flags: Sequence[Flag], gaps: int, headings: dict[str, str],
    out_of_span: tuple[str, ...] = (),
) -> tuple[str, ...]:
    found = reasons(level, tally, flags, gaps, headings)
    if out_of_span:
        found.append(
            "Not applicable this year, outside their span of years (neither judged nor counted in the "
            f"evidence): {', '.join(out_of_span)}"
        )
    return tuple(found)


def reasons(
    level: Level, tally: Tally, flags: Sequence[Flag], gaps: int, headings: dict[str, str]
) -> list[str]:
    """Why this verdict: the condition that held, then the flags that led to it."""
    found: list[str] = []
    if level.when is None:
        found.append(f"{level.title}: no earlier level's condition held")
    else:
        found.append(f"{level.title}: " + "; ".join(describe(level.when, tally, headings)))
    if level.note:
        found.append(level.note)
    found.append(evidence_seen(tally, headings))
    by_heading: dict[str, list[str]] = {}
    for flag in flags:
        if flag.signal == "concern" and flag.counted:
            by_heading.setdefault(flag.heading, []).append(flag.trigger)
    for heading, triggers in by_heading.items():
        found.append(f"Concerns under {headings.get(heading, heading)}: {', '.join(triggers)}")
    uncounted = [flag.trigger for flag in flags if flag.signal == "concern" and not flag.counted]
    if uncounted:
        found.append(
            f"Flagged but not counted (only beside a concern from another entry of Table 2): {', '.join(uncounted)}"
        )
    excellent = [flag.trigger for flag in flags if flag.signal == "excellence"]
    if excellent:
        found.append(f"Excellence to celebrate: {', '.join(excellent)}")
    found += mixed_evidence(flags)
    if gaps:
        found.append(
            f"{gaps} trigger{'s' if gaps != 1 else ''} could not be judged for want of data: "
            "the verdict may understate the concerns"
        )
    return found


def mixed_evidence(flags: Sequence[Flag]) -> list[str]:
    """A concern and a strength read from the same entry, told so in words: the evidence
    points both ways, and the strength is not offered to others while the concern stands."""
    concerns: dict[str, list[str]] = {}
    for flag in flags:
        if flag.signal == "concern" and flag.entry:
            concerns.setdefault(flag.entry, []).append(flag.trigger)
    found = []
    for flag in flags:
        if flag.signal == "excellence" and flag.entry in concerns:
            found.append(
                f"Mixed evidence from {flag.entry}: the concern {', '.join(concerns[flag.entry])} and the strength "
                f"{flag.trigger} read the same evidence, poor on part of it and among the best on another; "
                "the strength is celebrated but not offered to other authorities while the concern stands"
            )
    return found

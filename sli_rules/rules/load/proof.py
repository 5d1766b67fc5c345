"""The proof that no tier needing corroboration is reachable on the evidence of one entry.

For each Table 2 entry, and each set of its concern triggers flagged (a gated trigger never
counts on its own entry's evidence, so only the others are tried), the concerns counted are
fixed: by heading, the headings and entries they make (an entry's triggers may sit under
several headings), the triggers named by `flagged`. Everything else is left as free as the
rulebook allows: every other concern trigger cleared or a gap, in any number under each
heading; any excellence flagged, the rest cleared or a gap; any number of the concerns
counted unacknowledged or persistent; the entry persisting any number of years. What each
verdict key is in such a situation is declared with the key (`verdict_keys.VerdictKey.reach`).

The free quantities are enumerated exactly, heading by heading, keeping only what the policy
can tell apart: a quantity compared only with literals behaves alike between two neighbouring
literals, so trying each bound, each literal and the numbers either side decides every case.
The proof is therefore sound and, but for one thing, exact: the count of concerns flagged the
year before (`persistent`) and the years an entry has persisted (`persistent` with `years`)
are taken as independent, which can only make the proof more cautious.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator, Sequence
from typing import NamedTuple

import attrs

from ..model import (
    HEADINGS,
    Counter,
    Flagged,
    Level,
    Rulebook,
    Trigger,
    VerdictAll,
    VerdictAny,
    VerdictCondition,
    VerdictNot,
)
from ..policy import LevelChooser
from ..verdict_keys import VERDICT_KEYS, Scene
from .state import Loading

_BUDGET = 2_000_000  # situations tried for the whole rulebook before giving up


class Quantity(NamedTuple):
    """A verdict key as a condition reads it: limited to a heading or a number of years.

    A named tuple, so that a situation's value is found by the plain tuple of what a condition
    reads, without making a Quantity for every question."""

    what: str
    heading: str | None = None
    years: int = 0  # `persistent` with `years: N`; 0 where none is given

    @property
    def share(self) -> bool:
        return VERDICT_KEYS[self.what].share

    def said(self) -> str:
        return self.what + (f" in {self.heading}" if self.heading else "") + (
            f" over {self.years} years" if self.years else ""
        )


@attrs.frozen
class Situation:
    """One situation the policy can tell apart: a value for each quantity it tests and the
    triggers flagged. Read by `policy.holds` as a tally is."""

    values: dict[Quantity, float]
    flagged: frozenset[str]

    def number(self, what: str, heading: str | None, years: int = 0) -> float:
        value: float = self.values.get((what, heading, years), 0.0)  # type: ignore[call-overload]
        return value

    def shown(self, skip: frozenset[str] = frozenset()) -> str:
        return ", ".join(
            f"{quantity.said()} = {plain(value, quantity.share)}"
            for quantity, value in sorted(
                self.values.items(), key=lambda item: (item[0].what, item[0].heading or "", item[0].years)
            )
            if quantity.what not in skip
        )


@attrs.frozen
class Policy:
    """What a verdict policy reads: its quantities with the literals each is compared with,
    and the triggers it asks about by name."""

    literals: dict[Quantity, tuple[float, ...]]
    flagged: frozenset[str]

    @classmethod
    def of(cls, levels: Sequence[Level]) -> Policy:
        literals: dict[Quantity, list[float]] = {}
        flagged: set[str] = set()

        def visit(condition: VerdictCondition) -> None:
            if isinstance(condition, (VerdictAll, VerdictAny)):
                for item in condition.items:
                    visit(item)
            elif isinstance(condition, VerdictNot):
                visit(condition.item)
            elif isinstance(condition, Flagged):
                flagged.add(condition.trigger)
            else:
                assert isinstance(condition, Counter)
                found = literals.setdefault(Quantity(condition.what, condition.heading, condition.years), [])
                found.extend(float(number) for number in condition.test.numbers)

        for level in levels:
            if level.when is not None:
                visit(level.when)
        return cls({key: tuple(values) for key, values in literals.items()}, frozenset(flagged))

    def reads(self, *names: str) -> bool:
        return any(quantity.what in names for quantity in self.literals)

    def reads_in(self, name: str, heading: str) -> bool:
        return Quantity(name, heading) in self.literals


def points(low: float, high: float, literals: Sequence[float], share: bool) -> list[float]:
    """The values of a quantity in [low, high] that decide every comparison with `literals`."""
    found = {low, high}
    for literal in literals:
        if share:
            candidates = [literal, literal - 1e-9, literal + 1e-9]
        else:
            low_whole, high_whole = math.floor(literal), math.ceil(literal)
            candidates = [literal, low_whole, high_whole, low_whole - 1, high_whole + 1]
        found.update(value for value in candidates if low <= value <= high)
    return sorted(found)


def _side(value: float, literals: Sequence[float]) -> tuple[int, ...]:
    """Where a value lies against each literal: all a numeric test can tell of it."""
    return tuple((value > literal) - (value < literal) for literal in literals)


@attrs.frozen
class _World:
    """The rulebook's sizes that bound what can happen beside the concerns counted."""

    totals: dict[str, int]  # concern triggers by heading
    excellence: dict[str, tuple[str, ...]]  # excellence triggers by heading

    @classmethod
    def of(cls, rulebook: Rulebook) -> _World:
        return cls(
            {h: sum(1 for t in rulebook.triggers if t.is_concern and t.heading == h) for h in HEADINGS},
            {h: tuple(t.id for t in rulebook.triggers if not t.is_concern and t.heading == h) for h in HEADINGS},
        )


def _gap_rows(policy: Policy, world: _World, concerns: dict[str, int]) -> list[dict[str, int]]:
    """Concern gaps by heading, one row for each distinct thing the policy can see of them:
    the sum (gaps, coverage), the headings left with a trigger judged, each heading's coverage.
    Rows are tried in order of the gaps under each heading in turn, the first row of each
    thing seen standing for it."""
    sums = policy.reads("gaps") or Quantity("coverage") in policy.literals
    headings = policy.reads("judged_headings")
    rows: dict[tuple[object, ...], tuple[int, ...]] = {(): ()}  # what is seen -> the gaps by heading
    for heading in HEADINGS:
        total = world.totals[heading]
        own = policy.literals.get(Quantity("coverage", heading)) if total else None
        # What the policy sees of each number of gaps under this heading, beside their sum.
        seen = [
            (gaps < total if headings else None, _side((total - gaps) / total, own) if own is not None else None)
            for gaps in range(total - concerns.get(heading, 0) + 1)
        ]
        grown: dict[tuple[object, ...], tuple[int, ...]] = {}
        for key, row in rows.items():
            for gaps, (judged, side) in enumerate(seen):
                if sums:  # the sum so far first
                    found: tuple[object, ...] = ((key[0] if key else 0) + gaps, *key[1:], judged, side)  # type: ignore[operator]
                else:
                    found = (*key, None, judged, side)
                if found not in grown:
                    grown[found] = (*row, gaps)
        rows = grown
    overall = Quantity("coverage")
    if sums and not policy.reads("gaps"):
        # Only the share judged overall reads the sum: of two sums on the same side of each of
        # its literals, the policy sees no difference, and the later row (whose every scene
        # the proof would pass over as one already tried) is left out.
        everything = sum(world.totals.values())
        kept: dict[tuple[object, ...], tuple[int, ...]] = {}
        for key, row in rows.items():
            gaps_in_all = key[0]
            assert isinstance(gaps_in_all, int)
            share = (everything - gaps_in_all) / everything if everything else 0.0
            kept.setdefault((_side(share, policy.literals[overall]), *key[1:]), row)
        rows = kept
    return [dict(zip(HEADINGS, row, strict=True)) for row in rows.values()]


def _summed(key: tuple[object, ...], seen: tuple[object, ...]) -> tuple[object, ...]:
    """A row's key with the gaps summed (their sum is all that gaps and coverage read)."""
    total = (key[0] if key else 0) + seen[0]  # type: ignore[operator]
    return (total, *key[1:], *seen[1:])


def _excellence_rows(policy: Policy, world: _World, named: frozenset[str]) -> list[dict[str, int]]:
    """Excellence flags by heading (at least the ones named flagged), one row for each thing
    the policy can see of them: the sum (excellence, and the gaps the rest may be) and each
    heading's count."""
    sums = policy.reads("gaps") or Quantity("excellence") in policy.literals
    rows: dict[tuple[object, ...], dict[str, int]] = {(): {}}
    for heading in HEADINGS:
        triggers = world.excellence[heading]
        own = Quantity("excellence", heading)
        grown: dict[tuple[object, ...], dict[str, int]] = {}
        for key, row in rows.items():
            for flags in range(sum(1 for t in triggers if t in named), len(triggers) + 1):
                seen: tuple[object, ...] = (
                    flags if sums else None,
                    _side(flags, policy.literals[own]) if own in policy.literals else None,
                )
                grown.setdefault((*key, *seen) if not sums else _summed(key, seen), {**row, heading: flags})
        rows = grown
    return list(rows.values())


def _runs(policy: Policy, counted: bool) -> list[int]:
    """The years running an entry's concern may have lasted, as far as the policy can tell."""
    if not counted:
        return [0]
    longest = max((q.years for q in policy.literals if q.what == "persistent" and q.years), default=1)
    return list(range(1, longest + 1))


def situations(
    policy: Policy, world: _World, chosen: Sequence[Trigger], excellence_named: Sequence[str]
) -> Iterator[Situation]:
    """Every situation to try with `chosen` (concern triggers of one entry) counted."""
    quantities = tuple(policy.literals)
    for flagged, values in _tries(policy, world, chosen, excellence_named, {}):
        yield Situation(dict(zip(quantities, values, strict=True)), flagged)


_Try = tuple[frozenset[str], tuple[float, ...]]  # the triggers flagged; each quantity's value, in the policy's order


def _tries(
    policy: Policy,
    world: _World,
    chosen: Sequence[Trigger],
    excellence_named: Sequence[str],
    gap_rows: dict[tuple[int, ...], list[dict[str, int]]],
) -> Iterator[_Try]:
    """`situations`, each as the triggers flagged and the values of the policy's quantities in
    the order of `policy.literals` (what `Situation` is made of, without making it).

    `gap_rows` keeps the concern gaps' rows between the entries of one rulebook's proof: they
    depend on the policy and the world, fixed for a proof, and on the concerns counted only
    through how many triggers each heading has left to be gaps, which is their key."""
    concerns: dict[str, int] = {h: sum(1 for t in chosen if t.heading == h) for h in HEADINGS}
    entries: dict[str, int] = {h: 1 if count else 0 for h, count in concerns.items()}
    named_concerns = frozenset(t.id for t in chosen)
    counted = 1 if chosen else 0
    excellence_triggers = sum(len(found) for found in world.excellence.values())
    # Each quantity's reach, worked out once rather than looked up for every scene.
    reading = [
        (index, VERDICT_KEYS[quantity.what].reach, quantity.heading, quantity.years, literals, quantity.share)
        for index, (quantity, literals) in enumerate(policy.literals.items())
    ]
    left = tuple(world.totals[h] - concerns.get(h, 0) for h in HEADINGS)
    rows = gap_rows.get(left)
    if rows is None:
        rows = gap_rows[left] = _gap_rows(policy, world, concerns)
    runs = _runs(policy, bool(chosen))
    seen: set[tuple[object, ...]] = set()
    # A quantity's candidates and what a test can tell of them follow from its bounds alone.
    tried: dict[tuple[int, float, float], tuple[list[float], frozenset[tuple[int, ...]]]] = {}
    for size in range(len(excellence_named) + 1):
        for named in itertools.combinations(excellence_named, size):
            flagged = named_concerns | frozenset(named)
            excellence_rows = _excellence_rows(policy, world, frozenset(named))
            for gaps in rows:
                for excellence in excellence_rows:
                    for run in runs:
                        scene = Scene(
                            concerns, entries, counted, world.totals, gaps, excellence, excellence_triggers, run
                        )
                        choices: list[list[float]] = []
                        sides: list[frozenset[tuple[int, ...]]] = []
                        for index, reach, heading, years, literals, share in reading:
                            low, high = reach(scene, heading, years)
                            found = tried.get((index, low, high))
                            if found is None:
                                candidates = points(low, high, literals, share)
                                found = tried[index, low, high] = (
                                    candidates, frozenset(_side(value, literals) for value in candidates)
                                )
                            choices.append(found[0])
                            sides.append(found[1])
                        shape = (flagged, tuple(sides))
                        if shape in seen:
                            continue
                        seen.add(shape)
                        for values in itertools.product(*choices):
                            yield flagged, values


def check_corroboration(state: Loading) -> None:
    """No tier that needs corroboration may be reached on the evidence of one entry."""
    rulebook = state.rulebook
    if rulebook is None:
        return
    required = {tier.id for tier in rulebook.tiers if tier.corroboration}
    if not required:
        return
    policy = Policy.of(rulebook.levels)
    world = _World.of(rulebook)
    excellence_named = sorted(t.id for t in rulebook.triggers if not t.is_concern and t.id in policy.flagged)
    by_entry: dict[str, list[Trigger]] = {}
    for trigger in rulebook.triggers:
        if trigger.is_concern:
            by_entry.setdefault(trigger.entry, []).append(trigger)
    scenarios: list[tuple[str | None, Sequence[Trigger], tuple[Trigger, ...]]] = [(None, (), ())]
    for entry_id, members in by_entry.items():
        # A gated trigger counts only beside a concern from another entry: alone, never.
        counting = [trigger for trigger in members if not trigger.gated]
        for size in range(1, len(counting) + 1):
            for chosen in itertools.combinations(counting, size):
                scenarios.append((entry_id, members, chosen))
    choose = LevelChooser(rulebook.levels)
    quantities = tuple(policy.literals)
    # The level each situation selects, shared between entries: the policy reads a situation
    # only through its quantities' values (the key's tuple, in the policy's order: a quantity
    # the policy does not test is never read) and whether the triggers its `flagged`
    # conditions name are flagged (the key's set). Bounded by the budget of situations.
    levels: dict[tuple[frozenset[str], tuple[float, ...]], tuple[Level, str]] = {}
    gap_rows: dict[tuple[int, ...], list[dict[str, int]]] = {}
    reported: set[str] = set()
    tried: set[tuple[object, ...]] = set()
    budget = _BUDGET
    for entry, team, counted in scenarios:
        key = (
            tuple(sum(1 for t in counted if t.heading == h) for h in HEADINGS),
            frozenset(t.id for t in counted if t.id in policy.flagged),
        )
        if key in tried:
            continue
        tried.add(key)
        for flagged, values in _tries(policy, world, counted, excellence_named, gap_rows):
            budget -= 1
            if budget < 0:
                _report(state, rulebook.levels[0], entry, team, None, "too many situations to prove it")
                return
            asked = (flagged & policy.flagged, values)
            found = levels.get(asked)
            if found is None:
                level = choose(Situation(dict(zip(quantities, values, strict=True)), flagged))
                found = levels[asked] = (level, rulebook.tier_for(level.id).id)
            level, tier = found
            if tier in required:
                if level.id not in reported:
                    reported.add(level.id)
                    situation = Situation(dict(zip(quantities, values, strict=True)), flagged)
                    _report(state, level, entry, team, situation, tier)
                break


def _report(
    state: Loading,
    level: Level,
    entry: str | None,
    members: Sequence[Trigger],
    situation: Situation | None,
    tier: str,
) -> None:
    path, line, column = level.location
    if situation is None:
        state.problems.add(
            path, line, column,
            f"the corroboration of the verdict policy cannot be proved: {tier}",
            hint="simplify the policy's conditions",
        )
        return
    fixed = frozenset({"concerns", "concern_headings", "concern_entries"})  # set by the evidence flagged
    shown = situation.shown(fixed)
    witness = f" (for instance {shown})" if shown else ""
    if entry is None:
        state.problems.add(
            path, line, column,
            f"with no concern flagged the verdict can be '{level.id}'{witness}, whose tier '{tier}' "
            "requires corroboration",
            hint="no tier that needs corroboration may be reached without concerns from several pieces of evidence",
        )
        return
    first = members[0]
    where = f"{first.location[0]}:{first.location[1]}:{first.location[2]}"
    names = ", ".join(trigger.id for trigger in members)
    state.problems.add(
        path, line, column,
        f"entry '{entry}' ({names}; {where}), flagged on its own, reaches verdict '{level.id}' and tier "
        f"'{tier}', which requires corroboration{witness}",
        hint="no single piece of evidence is a sign of failure: corroborate across entries "
        "(concern_entries) and headings, not across triggers of one entry or gaps",
    )


def plain(value: float, share: bool) -> str:
    if share:
        return f"{round(value * 100, 1):g}%"
    return str(int(value)) if float(value).is_integer() else f"{value:g}"

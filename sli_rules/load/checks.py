"""The checks over the whole rulebook, once it is built: no tier that needs corroboration is
reachable on one piece of evidence, and every verdict level can be reached."""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

from ..model import HEADINGS, Flagged, Level, Trigger, VerdictAll, VerdictAny, VerdictCondition, VerdictNot
from ..policy import Tally, choose_level, holds
from .state import Loading


def check_corroboration(state: Loading) -> None:
    rulebook = state.rulebook
    if rulebook is None:
        return
    """No tier that needs corroboration may be reached by one trigger on its own."""
    required = {tier.id for tier in rulebook.tiers if tier.corroboration}
    if not required:
        return
    alone: list[tuple[Trigger | None, Tally]] = [(None, Tally.empty())]
    for single in rulebook.triggers:
        alone.append((single, _alone(single)))
    # One problem per level, at the level (where the fix goes), naming the triggers.
    reached: dict[str, list[Trigger]] = {}
    for trigger, tally in alone:
        level = choose_level(rulebook.levels, tally)
        tier = rulebook.tier_for(level.id)
        if tier.id not in required:
            continue
        if trigger is None:
            path, line, column = level.location
            state.problems.add(
                path, line, column,
                f"with nothing flagged the verdict is '{level.id}', whose tier "
                f"'{tier.id}' requires corroboration",
            )
            continue
        reached.setdefault(level.id, []).append(trigger)
    for level in rulebook.levels:
        found = reached.get(level.id)
        if not found or level.when is None:
            continue
        tier = rulebook.tier_for(level.id)
        first = found[0]
        place = f"{first.location[0]}:{first.location[1]}:{first.location[2]}"
        if len(found) == 1:
            named = f"trigger '{first.id}' ({place}), flagged on its own, reaches"
        else:
            named = (
                f"{len(found)} triggers, each flagged on its own, reach (the first: "
                f"'{first.id}' at {place})"
            )
        path, line, column = level.location
        state.problems.add(
            path, line, column,
            f"{named} verdict '{level.id}' and tier '{tier.id}', which requires "
            "corroboration",
            hint="no single trigger is a sign of failure: tighten this level's condition",
        )


def check_reachable(state: Loading) -> None:
    if state.rulebook is None:
        return
    levels = state.rulebook.levels
    """Warn of a level that can never be chosen: an earlier level always holds first."""
    tallies = _verdict_tallies(levels)
    if tallies is None or len(levels) < 2:
        return
    chosen: set[str] = set()
    holding: dict[str, list[Tally]] = {level.id: [] for level in levels}
    for tally in tallies:
        choice = choose_level(levels, tally)
        chosen.add(choice.id)
        for level in levels:
            if level.when is None or holds(level.when, tally):
                holding[level.id].append(tally)
    for index, level in enumerate(levels):
        if level.id in chosen:
            continue
        path, line, column = level.location
        if not holding[level.id]:
            state.problems.add(
                path, line, column, f"level '{level.id}' can never be reached: its "
                "condition cannot hold", hint="check its numbers", warning=True,
            )
            continue
        cover = next(
            (
                earlier
                for earlier in levels[:index]
                if earlier.when is None
                or all(holds(earlier.when, tally) for tally in holding[level.id])
            ),
            None,
        )
        because = (
            f"whenever its condition holds, the earlier level '{cover.id}' holds too"
            if cover is not None
            else "whenever its condition holds, an earlier level holds too"
        )
        state.problems.add(
            path, line, column, f"level '{level.id}' can never be reached: {because}",
            hint="levels are tried in order, most serious first: give the earlier level a "
            "narrower condition, or this one a condition the earlier levels do not cover",
            warning=True,
        )


def _alone(trigger: Trigger) -> Tally:
    """The tally when `trigger` is the only one flagged (a gated one alone never counts)."""
    if trigger.is_concern:
        if trigger.gated:
            return Tally.empty()
        return Tally({trigger.heading: 1}, {}, 0, frozenset({trigger.id}))
    return Tally({}, {trigger.heading: 1}, 0, frozenset({trigger.id}))


_TALLY_BUDGET = 20_000


def _verdict_tallies(levels: Sequence[Level]) -> list[Tally] | None:
    """Every distinct situation the verdict policy can tell apart, or None when too many.

    Verdict tests compare counts with literal numbers, so counts above the largest literal
    behave alike: counts from 0 to one past it cover every case exactly.
    """
    literals: list[float] = [0.0]
    flagged: set[str] = set()
    concern_in: set[str] = set()
    excellence_in: set[str] = set()
    counters: set[str] = set()

    def visit(condition: VerdictCondition) -> None:
        if isinstance(condition, (VerdictAll, VerdictAny)):
            for item in condition.items:
                visit(item)
        elif isinstance(condition, VerdictNot):
            visit(condition.item)
        elif isinstance(condition, Flagged):
            flagged.add(condition.trigger)
        else:
            counters.add(condition.what)
            literals.extend(float(ref.literal) for ref in condition.test.refs)
            if condition.heading is not None:
                named = concern_in if condition.what == "concerns" else excellence_in
                named.add(condition.heading)

    for level in levels:
        if level.when is not None:
            visit(level.when)
    values = range(math.floor(max(literals)) + 2)
    rows = itertools.product(values, repeat=len(HEADINGS)) if concern_in else (
        itertools.combinations_with_replacement(values, len(HEADINGS))
    )
    concern_rows: list[dict[str, int]] = [dict(zip(HEADINGS, row, strict=True)) for row in rows]
    if "excellence" in counters:
        buckets = [*sorted(excellence_in), "\x00other"]
        excellence_rows = [
            dict(zip(buckets, row, strict=True))
            for row in itertools.product(values, repeat=len(buckets))
        ]
    else:
        excellence_rows = [{}]
    gap_values = list(values) if "gaps" in counters else [0]
    flag_sets = [
        frozenset(chosen)
        for size in range(len(flagged) + 1)
        for chosen in itertools.combinations(sorted(flagged), size)
    ]
    total = len(concern_rows) * len(excellence_rows) * len(gap_values) * len(flag_sets)
    if total > _TALLY_BUDGET:
        return None
    return [
        Tally(concerns, excellence, gaps, flags)
        for concerns in concern_rows
        for excellence in excellence_rows
        for gaps in gap_values
        for flags in flag_sets
    ]



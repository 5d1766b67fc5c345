"""The checks over the whole rulebook, once it is built, that warn of what nobody meant: a
verdict level that can never be reached. (The proof of corroboration is in `proof`.)

A search over what the policy can tell apart. A verdict condition compares quantities
(concerns, entries, coverage, gaps...) with literal numbers, so a quantity behaves alike
between two neighbouring literals: trying each bound of its range, each literal and the whole
numbers either side of it decides every case. The quantities are taken as independent within
their ranges, except concerns by heading, which are enumerated together with the headings they
make; that over-approximates what an authority can show, so a level this calls unreachable
never is reached, and a level that could only be reached in a situation that cannot happen may
pass unwarned.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator, Sequence

import attrs

from ..model import (
    HEADINGS,
    Rulebook,
)
from ..policy import choose_level, holds
from ..verdict_keys import MAX_YEARS
from .proof import Policy, Quantity, Situation, points
from .state import Loading

_BUDGET = 200_000  # situations tried


@attrs.frozen
class _Shape:
    """The rulebook's sizes that bound each quantity. Concerns that can count are those of
    triggers without a gate, and gated ones where some concern of another entry has none (a
    gated flag counts only beside such a concern); every concern trigger can be judged."""

    concern_triggers: dict[str, int]  # by heading
    countable: dict[str, int]  # concern triggers that can count, by heading
    entries: dict[str, int]  # distinct entries of those, by heading
    all_entries: int
    excellence: dict[str, int]
    triggers: int
    never_counted: frozenset[str]  # concern triggers that can never count

    @classmethod
    def of(cls, rulebook: Rulebook) -> _Shape:
        concern = [trigger for trigger in rulebook.triggers if trigger.is_concern]
        vouching = {t.entry for t in concern if not t.gated}  # entries with a concern that needs no other
        countable = [t for t in concern if not t.gated or vouching - {t.entry}]
        return cls(
            {h: sum(1 for t in concern if t.heading == h) for h in HEADINGS},
            {h: sum(1 for t in countable if t.heading == h) for h in HEADINGS},
            {h: len({t.entry for t in countable if t.heading == h}) for h in HEADINGS},
            len({t.entry for t in countable}),
            {h: sum(1 for t in rulebook.triggers if not t.is_concern and t.heading == h) for h in HEADINGS},
            len(rulebook.triggers),
            frozenset(t.id for t in concern) - {t.id for t in countable},
        )


def _free_bounds(shape: _Shape, free_totals: bool) -> dict[Quantity, tuple[float, float]]:
    """Bounds of each quantity, taken alone."""
    all_concerns = sum(shape.countable.values())
    bounds: dict[Quantity, tuple[float, float]] = {
        Quantity("excellence"): (0, sum(shape.excellence.values())),
        Quantity("gaps"): (0, shape.triggers),
        Quantity("judged_headings"): (0, sum(1 for count in shape.concern_triggers.values() if count)),
        Quantity("coverage"): (0.0, 1.0 if sum(shape.concern_triggers.values()) else 0.0),
        Quantity("unacknowledged"): (0, all_concerns),
        Quantity("persistent"): (0, all_concerns),
        Quantity("concern_entries"): (0, shape.all_entries),
    }
    for heading in HEADINGS:
        bounds[Quantity("excellence", heading)] = (0, shape.excellence[heading])
        bounds[Quantity("coverage", heading)] = (0.0, 1.0 if shape.concern_triggers[heading] else 0.0)
        bounds[Quantity("concern_entries", heading)] = (0, shape.entries[heading])
    for years in range(1, MAX_YEARS + 1):
        bounds[Quantity("persistent", None, years)] = (0, shape.all_entries)
    if free_totals:
        bounds[Quantity("concerns")] = (0, all_concerns)
        bounds[Quantity("concern_headings")] = (0, sum(1 for count in shape.countable.values() if count))
    return bounds


def _situations(
    policy: Policy,
    shape: _Shape,
    concern_rows: Sequence[dict[str, int]],
    free_flags: Sequence[str],
    free_totals: bool = False,
) -> Iterator[Situation] | None:
    """Every situation to try, or None when there are more than the budget."""
    free: list[tuple[Quantity, list[float]]] = []
    if not concern_rows:
        return iter(())
    bounds = _free_bounds(shape, free_totals)
    used = [quantity for quantity in policy.literals if quantity in bounds]
    for quantity in used:
        low, high = bounds[quantity]
        free.append((quantity, points(low, high, policy.literals[quantity], quantity.share)))
    total = len(concern_rows) * math.prod(len(candidates) for _, candidates in free) * 2 ** len(free_flags)
    if total > _BUDGET:
        return None

    def made() -> Iterator[Situation]:
        for row in concern_rows:
            base: dict[Quantity, float] = {}
            if not free_totals:  # the totals follow from the concerns by heading
                base[Quantity("concerns")] = sum(row.values())
                base[Quantity("concern_headings")] = sum(1 for count in row.values() if count)
                for heading, count in row.items():
                    base[Quantity("concerns", heading)] = count
            for values in itertools.product(*(candidates for _, candidates in free)):
                chosen = dict(base)
                chosen.update((quantity, value) for (quantity, _), value in zip(free, values, strict=True))
                if not _consistent(chosen):
                    continue
                for size in range(len(free_flags) + 1):
                    for extra in itertools.combinations(free_flags, size):
                        yield Situation(
                            {q: v for q, v in chosen.items() if q in policy.literals}, frozenset(extra)
                        )

    return made()


_TOTALS = {what: Quantity(what) for what in (
    "concerns", "concern_headings", "concern_entries", "judged_headings", "unacknowledged", "persistent"
)}


def _consistent(values: dict[Quantity, float]) -> bool:
    """Whether the quantities given can stand together (those not given can be anything)."""

    def known(what: str) -> float | None:
        return values.get(_TOTALS[what])

    concerns, headings = known("concerns"), known("concern_headings")
    entries, judged = known("concern_entries"), known("judged_headings")
    # A concern is under some heading and reads some entry: none of one without the others.
    # (One entry may have concerns under several headings: entries may be fewer than headings.)
    if concerns is not None and headings is not None and (headings > concerns or (concerns > 0) != (headings > 0)):
        return False
    if entries is not None and concerns is not None and (entries > concerns or (concerns > 0) != (entries > 0)):
        return False
    if entries is not None and headings is not None and (entries > 0) != (headings > 0):
        return False
    if judged is not None and headings is not None and judged < headings:
        return False
    return all(
        concerns is None or (known(what) or 0) <= concerns for what in ("unacknowledged", "persistent")
    )


def check_reachable(state: Loading) -> None:
    """Warn of a level that can never be chosen: an earlier level always holds first."""
    if state.rulebook is None:
        return
    levels = state.rulebook.levels
    if len(levels) < 2:
        return
    policy = Policy.of(levels)
    shape = _Shape.of(state.rulebook)
    concern_literals = [
        value for quantity, values in policy.literals.items() if quantity.what == "concerns" for value in values
    ]
    # Concerns by heading are enumerated together with the headings they make only where the
    # policy asks about one heading's concerns; otherwise the totals are quantities like any.
    uses_rows = any(q.what == "concerns" and q.heading for q in policy.literals)
    top = math.floor(max(concern_literals, default=0.0)) + 1
    if uses_rows:
        ranges = [range(min(shape.countable[h], top) + 1) for h in HEADINGS]
        rows: list[dict[str, int]] = [dict(zip(HEADINGS, row, strict=True)) for row in itertools.product(*ranges)]
    else:
        rows = [dict.fromkeys(HEADINGS, 0)]
    if len(rows) > _BUDGET:
        return
    named = sorted(policy.flagged - shape.never_counted)
    situations = _situations(policy, shape, rows, named, free_totals=not uses_rows)
    if situations is None:
        return
    chosen: set[str] = set()
    holding: dict[str, list[Situation]] = {level.id: [] for level in levels}
    for situation in situations:
        chosen.add(choose_level(levels, situation).id)
        for level in levels:
            if level.when is None or holds(level.when, situation):
                holding[level.id].append(situation)
    for index, level in enumerate(levels):
        if level.id in chosen:
            continue
        path, line, column = level.location
        if not holding[level.id]:
            state.problems.add(
                path, line, column, f"level '{level.id}' can never be reached: its "
                "condition cannot hold", warning=True,
                hint="no concern can ever count: a concern with only_with_other_concerns counts only beside "
                "one without it from another entry" if shape.never_counted and not any(shape.countable.values())
                else "check its numbers",
            )
            continue
        cover = next(
            (
                earlier
                for earlier in levels[:index]
                if earlier.when is None
                or all(holds(earlier.when, situation) for situation in holding[level.id])
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


"""The checks over the whole rulebook, once it is built: no tier that needs corroboration is
reachable on one piece of evidence, and every verdict level can be reached.

Both are proofs by exhaustion over what the policy can tell apart. A verdict condition
compares quantities (concerns, entries, coverage, gaps...) with literal numbers, so a quantity
behaves alike between two neighbouring literals: trying each bound of its range, each literal
and the whole numbers either side of it decides every case. The quantities are taken as
independent within their ranges, except concerns by heading, which are enumerated together
with the headings they make; that over-approximates what an authority can show, so the proof
of corroboration is sound (a policy it accepts cannot be broken) and may at worst reject an
odd policy with a witness that cannot really happen, shown in the message.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator, Sequence

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
from ..policy import choose_level, holds
from .state import Loading

_BUDGET = 200_000  # situations tried for one scenario
SHARES = ("coverage",)


@attrs.frozen
class Quantity:
    what: str
    heading: str | None = None


@attrs.frozen
class Situation:
    """One situation the policy can tell apart: a value for each quantity it tests and the
    triggers flagged. Read by `policy.holds` as a tally is."""

    values: dict[Quantity, float]
    flagged: frozenset[str]

    def number(self, what: str, heading: str | None) -> float:
        return self.values.get(Quantity(what, heading), 0.0)

    def shown(self, skip: frozenset[str] = frozenset()) -> str:
        return ", ".join(
            f"{q.what}{f' in {q.heading}' if q.heading else ''} = {_plain(v, q.what in SHARES)}"
            for q, v in sorted(self.values.items(), key=lambda item: (item[0].what, item[0].heading or ""))
            if q.what not in skip
        )


@attrs.frozen
class _Policy:
    """What a verdict policy reads: its quantities with the literals each is compared with,
    and the triggers it asks about by name."""

    literals: dict[Quantity, tuple[float, ...]]
    flagged: frozenset[str]

    @classmethod
    def of(cls, levels: Sequence[Level]) -> _Policy:
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
                found = literals.setdefault(Quantity(condition.what, condition.heading), [])
                found.extend(float(number) for number in condition.test.numbers)

        for level in levels:
            if level.when is not None:
                visit(level.when)
        return cls({key: tuple(values) for key, values in literals.items()}, frozenset(flagged))


def _points(low: float, high: float, literals: Sequence[float], share: bool) -> list[float]:
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


@attrs.frozen
class _Shape:
    """The rulebook's sizes that bound each quantity."""

    concern_triggers: dict[str, int]  # by heading
    entries: dict[str, int]  # distinct concern entries by heading
    excellence: dict[str, int]
    triggers: int

    @classmethod
    def of(cls, rulebook: Rulebook) -> _Shape:
        concern = [trigger for trigger in rulebook.triggers if trigger.is_concern]
        return cls(
            {h: sum(1 for t in concern if t.heading == h) for h in HEADINGS},
            {h: len({t.entry for t in concern if t.heading == h}) for h in HEADINGS},
            {h: sum(1 for t in rulebook.triggers if not t.is_concern and t.heading == h) for h in HEADINGS},
            len(rulebook.triggers),
        )


def _free_bounds(
    shape: _Shape, concerns: dict[str, int] | None, free_totals: bool = False
) -> dict[Quantity, tuple[float, float]]:
    """Bounds of the quantities that the evidence of the flags does not fix: excellence,
    gaps, coverage, headings judged; and, when `concerns` (by heading) is None, the concerns."""
    counted = sum(concerns.values()) if concerns is not None else None
    all_concerns = sum(shape.concern_triggers.values())
    judged_headings = sum(1 for count in shape.concern_triggers.values() if count)
    bounds: dict[Quantity, tuple[float, float]] = {
        Quantity("excellence"): (0, sum(shape.excellence.values())),
        Quantity("gaps"): (0, shape.triggers - (counted or 0)),
        Quantity("judged_headings"): (
            sum(1 for count in (concerns or {}).values() if count), judged_headings
        ),
        Quantity("coverage"): ((counted or 0) / all_concerns if all_concerns else 0.0, 1.0 if all_concerns else 0.0),
        Quantity("unacknowledged"): (0, counted if counted is not None else all_concerns),
        Quantity("persistent"): (0, counted if counted is not None else all_concerns),
    }
    for heading in HEADINGS:
        total = shape.concern_triggers[heading]
        flagged = (concerns or {}).get(heading, 0)
        bounds[Quantity("excellence", heading)] = (0, shape.excellence[heading])
        bounds[Quantity("coverage", heading)] = (flagged / total if total else 0.0, 1.0 if total else 0.0)
    if free_totals:
        bounds[Quantity("concerns")] = (0, all_concerns)
        bounds[Quantity("concern_headings")] = (0, judged_headings)
    if concerns is None:
        bounds[Quantity("concern_entries")] = (0, sum(shape.entries.values()))
        for heading in HEADINGS:
            bounds[Quantity("concern_entries", heading)] = (0, shape.entries[heading])
    return bounds


def _situations(
    policy: _Policy,
    shape: _Shape,
    concern_rows: Sequence[dict[str, int]],
    fixed_entries: dict[str, int] | None,
    flagged: frozenset[str],
    free_flags: Sequence[str],
    free_totals: bool = False,
) -> Iterator[Situation] | None:
    """Every situation to try, or None when there are more than the budget."""
    free: list[tuple[Quantity, list[float]]] = []
    if not concern_rows:
        return iter(())
    bounds = _free_bounds(shape, concern_rows[0] if fixed_entries is not None else None, free_totals)
    used = [quantity for quantity in policy.literals if quantity in bounds]
    for quantity in used:
        low, high = bounds[quantity]
        free.append((quantity, _points(low, high, policy.literals[quantity], quantity.what in SHARES)))
    total = len(concern_rows) * math.prod(len(points) for _, points in free) * 2 ** len(free_flags)
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
            if fixed_entries is not None:
                base[Quantity("concern_entries")] = 1 if any(row.values()) else 0
                for heading in HEADINGS:
                    base[Quantity("concern_entries", heading)] = fixed_entries.get(heading, 0)
            for values in itertools.product(*(points for _, points in free)):
                chosen = dict(base)
                chosen.update((quantity, value) for (quantity, _), value in zip(free, values, strict=True))
                if not _consistent(chosen):
                    continue
                for size in range(len(free_flags) + 1):
                    for extra in itertools.combinations(free_flags, size):
                        yield Situation(
                            {q: v for q, v in chosen.items() if q in policy.literals}, flagged | frozenset(extra)
                        )

    return made()


def _consistent(values: dict[Quantity, float]) -> bool:
    """Whether the quantities given can stand together (those not given can be anything)."""

    def known(what: str) -> float | None:
        return values.get(Quantity(what))

    concerns, headings = known("concerns"), known("concern_headings")
    entries, judged = known("concern_entries"), known("judged_headings")
    # A concern is under some heading and reads some entry: none of one without the others.
    if concerns is not None and headings is not None and (headings > concerns or (concerns > 0) != (headings > 0)):
        return False
    if entries is not None and concerns is not None and (entries > concerns or (concerns > 0) != (entries > 0)):
        return False
    if entries is not None and headings is not None and entries < headings:
        return False
    if judged is not None and headings is not None and judged < headings:
        return False
    return all(
        concerns is None or (known(what) or 0) <= concerns for what in ("unacknowledged", "persistent")
    )


def check_corroboration(state: Loading) -> None:
    """No tier that needs corroboration may be reached on the evidence of one entry: with
    any of its concern triggers flagged, every other concern trigger cleared or a gap in any
    number, any excellence, any coverage, and any unacknowledged or persistent count up to the
    number flagged."""
    rulebook = state.rulebook
    if rulebook is None:
        return
    required = {tier.id for tier in rulebook.tiers if tier.corroboration}
    if not required:
        return
    policy = _Policy.of(rulebook.levels)
    shape = _Shape.of(rulebook)
    excellence = sorted(t.id for t in rulebook.triggers if not t.is_concern and t.id in policy.flagged)
    entries: dict[str, list[Trigger]] = {}
    for trigger in rulebook.triggers:
        if trigger.is_concern:
            entries.setdefault(trigger.entry, []).append(trigger)
    scenarios: list[tuple[str | None, list[Trigger], tuple[Trigger, ...]]] = [(None, [], ())]
    for entry_id, members in entries.items():
        # A gated trigger counts only beside a concern from another entry: alone, never.
        counting = [trigger for trigger in members if not trigger.gated]
        for size in range(1, len(counting) + 1):
            for chosen in itertools.combinations(counting, size):
                scenarios.append((entry_id, members, chosen))
    reported: set[str] = set()
    tried: set[tuple[object, ...]] = set()
    for entry, members, chosen in scenarios:
        row: dict[str, int] = {heading: sum(1 for t in chosen if t.heading == heading) for heading in HEADINGS}
        named = frozenset(t.id for t in chosen if t.id in policy.flagged)
        key = (tuple(row.items()), named)
        if key in tried:
            continue
        tried.add(key)
        situations = _situations(
            policy, shape, [row], {h: 1 for h, count in row.items() if count}, frozenset(t.id for t in chosen),
            excellence,
        )
        if situations is None:
            _report(state, rulebook.levels[0], entry, members, None, "too many situations to prove it", rulebook)
            return
        for situation in situations:
            level = choose_level(rulebook.levels, situation)
            tier = rulebook.tier_for(level.id)
            if tier.id in required and level.id not in reported:
                reported.add(level.id)
                _report(state, level, entry, members, situation, tier.id, rulebook)
                break


def _report(
    state: Loading,
    level: Level,
    entry: str | None,
    members: Sequence[Trigger],
    situation: Situation | None,
    tier: str,
    rulebook: Rulebook,
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


def check_reachable(state: Loading) -> None:
    """Warn of a level that can never be chosen: an earlier level always holds first."""
    if state.rulebook is None:
        return
    levels = state.rulebook.levels
    if len(levels) < 2:
        return
    policy = _Policy.of(levels)
    shape = _Shape.of(state.rulebook)
    concern_literals = [
        value for quantity, values in policy.literals.items() if quantity.what == "concerns" for value in values
    ]
    # Concerns by heading are enumerated together with the headings they make only where the
    # policy asks about one heading's concerns; otherwise the totals are quantities like any.
    uses_rows = any(q.what == "concerns" and q.heading for q in policy.literals)
    top = math.floor(max(concern_literals, default=0.0)) + 1
    if uses_rows:
        ranges = [range(min(shape.concern_triggers[h], top) + 1) for h in HEADINGS]
        rows: list[dict[str, int]] = [dict(zip(HEADINGS, row, strict=True)) for row in itertools.product(*ranges)]
    else:
        rows = [dict.fromkeys(HEADINGS, 0)]
    if len(rows) > _BUDGET:
        return
    situations = _situations(policy, shape, rows, None, frozenset(), sorted(policy.flagged), free_totals=not uses_rows)
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
                "condition cannot hold", hint="check its numbers", warning=True,
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


def _plain(value: float, share: bool) -> str:
    if share:
        return f"{round(value * 100, 1):g}%"
    return str(int(value)) if float(value).is_integer() else f"{value:g}"

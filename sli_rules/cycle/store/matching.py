"""The matching tool of Table 1: offers of the excellence directory matched to the concerns of
the year's verdicts.

The problem is a capacitated assignment (a b-matching, a transportation problem with side
constraints): each need, a counted concern of an authority in an area, is answered by at most
one offer; an offer answers as many needs as its days allow (`days_each` days a match); no
provider is matched more than the menu's `cap` times in a year (MoU 2.1g: time given "will not
be excessive"); no authority receives more than the menu's `per_authority` matches. The
provider and recipient limits couple the offers, so it is not a plain assignment that the
Hungarian method (`scipy.optimize.linear_sum_assignment`) could solve; it is a small 0-1 integer
programme, solved exactly by HiGHS through `scipy.optimize.milp`, a well-kept solver, rather
than by a hand-written search. The objective answers as many needs as possible, weighting the
needs of authorities in more intensive tiers higher, so that scarce time goes first where the
Board's concern is greatest.

Offers are never drawn from an authority whose own tier is above the least intensive (self
help), nor from one with a concern in the offer's area; an authority never answers its own
needs. A need is answered only with an option of its authority's tier as it stands (the
Board's decision, else the final view, else the provisional verdict: Table 1's options of that
tier); an authority that declined the Board's decision is matched with nothing (MoU 2.1i); where
the menu caps the days an authority gives in a year, a provider is matched only within the days
it has left after the support on record.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from .records import Match, MatchPlan, Need, Offer, Verdict


@attrs.frozen
class Standing:
    """An authority's standing in the year: its tier as it stands (the decided one), its
    concerns as they stand (the needs: the final view's, else the counted ones), the areas and
    headings of all its concern flags, and whether it declined the Board's decision."""

    authority: str
    code: str | None
    tier: str
    needs: tuple[Need, ...]
    concern_areas: dict[str, str]  # area or heading -> the first concern trigger found there
    declined: bool = False

    @classmethod
    def of(cls, verdict: Verdict, assessment: Mapping[str, Any], rules: Mapping[str, Any]) -> Standing:
        tier = verdict.decided_tier
        concern_areas: dict[str, str] = {}
        for flag in assessment.get("flags", ()):
            if flag.get("signal") != "concern":
                continue
            area = flag.get("area") or flag["heading"]
            concern_areas.setdefault(area, flag["trigger"])
            concern_areas.setdefault(flag["heading"], flag["trigger"])
        triggers = rules["triggers"]
        needs = []
        for trigger in verdict.concerns:
            about = triggers.get(trigger)
            if about is None:
                continue
            area = about.get("area") or about["heading"]
            concern_areas.setdefault(area, trigger)
            concern_areas.setdefault(about["heading"], trigger)
            needs.append(Need(verdict.authority, verdict.code, tier, trigger, about["heading"], area))
        return cls(verdict.authority, verdict.code, tier, tuple(needs), concern_areas, verdict.declined)


def plan_matches(
    year: str,
    standings: Sequence[Standing],
    offers: Sequence[Offer],
    *,
    least_tier: str,
    tiers: Sequence[str],
    tier_options: Mapping[str, Sequence[str]] | None = None,
    cap: int,
    per_authority: int,
    days_each: int,
    days_left: Mapping[str, int] | None = None,
) -> MatchPlan:
    """The best matching of `offers` to the needs of `standings` within every limit.
    `tier_options` gives each tier's options (a need is answered only with one of its tier's);
    `days_left`, the days each provider may still give in the year under the menu's cap."""
    by_key = {(s.code or s.authority): s for s in standings}
    usable: list[Offer] = []
    excluded: list[tuple[int, str]] = []
    for offer in offers:
        provider = by_key.get(offer.code or offer.authority)
        if provider is None:
            excluded.append((offer.id, f"{offer.authority} has no recorded verdict for {year}"))
        elif provider.tier != least_tier:
            excluded.append((offer.id, f"{offer.authority}'s own tier is {provider.tier}, above {least_tier}"))
        elif offer.area in provider.concern_areas:
            trigger = provider.concern_areas[offer.area]
            excluded.append((offer.id, f"{offer.authority} has a concern in {offer.area} ({trigger})"))
        elif offer.days < days_each:
            excluded.append((offer.id, f"{offer.days} days offered, fewer than the {days_each} a match needs"))
        elif days_left is not None and days_left.get(offer.code or offer.authority, 0) < days_each:
            left = days_left.get(offer.code or offer.authority, 0)
            excluded.append((offer.id, f"{offer.authority} has {left} days left under the menu's days cap"))
        else:
            usable.append(offer)
    needs = [need for standing in standings if not standing.declined for need in standing.needs]
    declined = [need for standing in standings if standing.declined for need in standing.needs]

    def allowed(offer: Offer, need: Need) -> bool:
        return tier_options is None or offer.option in tier_options.get(need.tier, ())

    pairs = [
        (o, n)
        for o, offer in enumerate(usable)
        for n, need in enumerate(needs)
        if (need.code or need.authority) != (offer.code or offer.authority)
        and offer.area in (need.area, need.heading)
        and allowed(offer, need)
    ]
    provider_cap = {
        (offer.code or offer.authority): min(cap, (days_left or {}).get(offer.code or offer.authority, cap * days_each)
                                             // days_each)
        for offer in usable
    }
    chosen = _solve(usable, needs, pairs, tiers=tiers, cap=provider_cap, per_authority=per_authority,
                    days_each=days_each)
    matches = []
    answered = set()
    for o, n in chosen:
        offer, need = usable[o], needs[n]
        answered.add(n)
        matches.append(
            Match(
                offer=offer.id,
                provider=offer.authority,
                provider_code=offer.code,
                recipient=need.authority,
                recipient_code=need.code,
                option=offer.option,
                area=offer.area,
                trigger=need.trigger,
                days=days_each,
                contact=offer.contact,
            )
        )
    matches.sort(key=lambda m: (m.recipient, m.trigger, m.provider, m.offer))
    return MatchPlan(
        year=year,
        days_each=days_each,
        matches=tuple(matches),
        unanswered=(*(need for n, need in enumerate(needs) if n not in answered), *declined),
        excluded=tuple(excluded),
    )


def _solve(
    offers: Sequence[Offer],
    needs: Sequence[Need],
    pairs: Sequence[tuple[int, int]],
    *,
    tiers: Sequence[str],
    cap: Mapping[str, int],
    per_authority: int,
    days_each: int,
) -> list[tuple[int, int]]:
    """The pairs chosen by the 0-1 programme: maximise the weighted needs answered."""
    if not pairs:
        return []
    import numpy as np
    from scipy.optimize import Bounds, LinearConstraint, milp
    from scipy.sparse import lil_matrix

    rank = {tier: index for index, tier in enumerate(tiers)}
    # A need in a more intensive tier outweighs any number of needs in less intensive ones
    # only through its weight: 1 + the tier's rank (self help 1, targeted 2, intervention 3).
    weights = np.array([1.0 + rank.get(needs[n].tier, 0) for _, n in pairs])
    rows: list[tuple[list[int], float]] = []
    for n in range(len(needs)):
        rows.append(([i for i, (_, m) in enumerate(pairs) if m == n], 1))
    for o, offer in enumerate(offers):
        rows.append(([i for i, (p, _) in enumerate(pairs) if p == o], offer.days // days_each))
    providers = {(offer.code or offer.authority) for offer in offers}
    for provider in sorted(providers):
        rows.append(
            ([i for i, (o, _) in enumerate(pairs) if (offers[o].code or offers[o].authority) == provider],
             cap[provider])
        )
    recipients = {(need.code or need.authority) for need in needs}
    for recipient in sorted(recipients):
        rows.append(
            ([i for i, (_, n) in enumerate(pairs) if (needs[n].code or needs[n].authority) == recipient],
             per_authority)
        )
    rows = [(columns, bound) for columns, bound in rows if columns]
    matrix = lil_matrix((len(rows), len(pairs)))
    upper = np.empty(len(rows))
    for r, (columns, bound) in enumerate(rows):
        for column in columns:
            matrix[r, column] = 1
        upper[r] = bound
    solution = milp(
        c=-weights,
        constraints=LinearConstraint(matrix.tocsr(), -np.inf, upper),
        integrality=np.ones(len(pairs)),
        bounds=Bounds(0, 1),
    )
    if solution.x is None:  # HiGHS failed on a problem that always has a solution (nothing chosen)
        raise RuntimeError(f"the matching solver failed: {solution.message}")
    return [pair for pair, value in zip(pairs, solution.x, strict=True) if value > 0.5]

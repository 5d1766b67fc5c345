"""The matching tool: every limit holds on the example region, and the solver's plan is as good
as the best found by trying every combination on small cases."""

from __future__ import annotations

import itertools
import random
from collections import Counter

import pytest

import sli_rules

from .storage import db  # noqa: F401 (fixture)

pytest.importorskip("scipy", reason="the matching tool needs the store extra: pip install 'sli-rules[store]'")
pytest.importorskip("sqlalchemy", reason="the store's tests need the store extra: pip install 'sli-rules[store]'")

from sli_rules.cycle.store import MatchPlan, Need, Offer
from sli_rules.cycle.store.api import Store
from sli_rules.cycle.store.matching import Standing, plan_matches

YEAR = "2013-14"
TIERS = ("self_help", "targeted_support", "intervention")


def test_the_example_regions_matching_keeps_every_limit(
    db: str, default_engine: sli_rules.Engine, example_region: sli_rules.Region  # noqa: F811
) -> None:
    result = default_engine.assess(example_region)
    rulebook = default_engine.rulebook
    with Store(db) as store:
        store.record(result, rulebook=rulebook)
        offers = {
            "wigan": store.offer("Wigan", YEAR, area="workforce", option="peer-mentoring", days=5, contact="Head"),
            "trafford": store.offer("Trafford", YEAR, area="outcomes-data", option="shadowing", days=2),
            "stockport": store.offer("Stockport", YEAR, area="outcomes", option="sharing-good-practice", days=9),
            "rochdale": store.offer("Rochdale", YEAR, area="outcomes-data", option="shadowing", days=4),
            "oldham": store.offer("Oldham", YEAR, area="stakeholders", option="buddying", days=3),
            "cheshire": store.offer("Cheshire East", YEAR, area="finance", option="peer-consultancy", days=1),
        }
        # A final view that lifts Trafford above self help takes it out of the directory.
        store.finalise("Trafford", YEAR, tier="targeted_support", reason="Board's own concerns", by="Assessor")
        plan = store.match(YEAR, days_each=1)
    excluded = dict(plan.excluded)
    assert excluded[offers["rochdale"]] == "Rochdale's own tier is intervention, above self_help"
    assert excluded[offers["trafford"]] == "Trafford's own tier is targeted_support, above self_help"
    assert excluded[offers["oldham"]] == "Oldham has a concern in stakeholders (public-health-interface)"
    assert set(excluded) == {offers["rochdale"], offers["trafford"], offers["oldham"]}
    _check_limits(plan, result, rulebook, days={o: d for o, d in zip(offers.values(), (5, 2, 9, 4, 3, 1), strict=True)})
    by_offer = Counter(match.offer for match in plan.matches)
    # A need is answered only with an option of its authority's tier (Table 1): Wigan's peer
    # mentoring is a targeted support option, so it answers the workforce needs of authorities
    # in targeted support, and no more of them than the cap.
    options = {tier.id: tier.options for tier in rulebook.tiers}
    for match in plan.matches:
        assert match.option in options[result[match.recipient].tier], match
    def needs(tier: str, area: str) -> int:
        return sum(1 for item in result if item.tier == tier
                   for flag in item.concerns if flag.counted and area in (flag.area, flag.heading))

    assert needs("targeted_support", "workforce") >= 1
    assert by_offer[offers["wigan"]] == min(needs("targeted_support", "workforce"), rulebook.peers.cap)
    # Peer 'consultancy' is an intervention option; no authority in intervention has a finance
    # concern, so Cheshire East's day answers nothing, though targeted support needs exist there.
    assert needs("intervention", "finance") == 0 and needs("targeted_support", "finance") >= 1
    assert by_offer[offers["cheshire"]] == 0
    assert len(plan.matches) + len(plan.unanswered) == sum(
        1 for item in result for flag in item.concerns if flag.counted
    )


def _check_limits(plan: MatchPlan, result: sli_rules.RegionAssessment, rulebook: sli_rules.Rulebook,
                  days: dict[int, int]) -> None:
    assert plan.matches
    by_offer = Counter(match.offer for match in plan.matches)
    for offer, count in by_offer.items():
        assert count * plan.days_each <= days[offer]
    assert max(Counter(match.provider for match in plan.matches).values()) <= rulebook.peers.cap
    assert max(Counter(match.recipient for match in plan.matches).values()) <= rulebook.peers.per_authority
    answered = Counter((match.recipient, match.trigger) for match in plan.matches)
    assert max(answered.values()) == 1
    for match in plan.matches:
        assert match.provider != match.recipient
        flag = next(flag for flag in result[match.recipient].concerns if flag.trigger == match.trigger)
        assert flag.counted and match.area in (flag.area, flag.heading)


def _brute_force(standings: list[Standing], offers: list[Offer], cap: int, per_authority: int,
                 days_each: int) -> float:
    """The best weight any combination of eligible pairs reaches within every limit."""
    plan = plan_matches(YEAR, standings, offers, least_tier="self_help", tiers=TIERS, cap=cap,
                        per_authority=per_authority, days_each=days_each)
    usable = [offer for offer in offers if offer.id not in dict(plan.excluded)]
    needs = [need for standing in standings for need in standing.needs]
    pairs = [(o, n) for o in usable for n in needs
             if n.authority != o.authority and o.area in (n.area, n.heading)]
    best = 0.0
    for size in range(len(pairs) + 1):
        for chosen in itertools.combinations(pairs, size):
            if max(Counter(id(n) for _, n in chosen).values(), default=0) > 1:
                continue
            if any(count * days_each > o.days for o, count in Counter(o for o, _ in chosen).items()):
                continue
            if max(Counter(o.authority for o, _ in chosen).values(), default=0) > cap:
                continue
            if max(Counter(n.authority for _, n in chosen).values(), default=0) > per_authority:
                continue
            best = max(best, sum(1 + TIERS.index(n.tier) for _, n in chosen))
    return best


@pytest.mark.parametrize("seed", range(12))
def test_the_solver_finds_the_best_plan_on_small_cases(seed: int) -> None:
    randomness = random.Random(seed)
    areas = ["workforce", "finance"]
    # Three providers in self help without concerns, four authorities with needs (whose own
    # offers the tool must refuse or use, as their standing says).
    standings = [Standing(f"P{index}", None, "self_help", (), {}) for index in range(3)]
    for index in range(4):
        name = f"R{index}"
        tier = randomness.choice(TIERS)
        needs = tuple(
            Need(name, None, tier, f"t{index}{k}", "resources", randomness.choice(areas))
            for k in range(randomness.randint(1, 3))
        )
        standings.append(Standing(name, None, tier, needs, {need.area: need.trigger for need in needs}))
    offers = [
        Offer(id=i, authority=randomness.choice(["P0", "P1", "P2", "R0"]), code=None, year=YEAR,
              area=randomness.choice(areas), option="buddying", days=randomness.randint(1, 4), contact=None)
        for i in range(3)
    ]
    cap, per_authority, days_each = randomness.randint(1, 2), randomness.randint(1, 2), randomness.randint(1, 2)
    plan = plan_matches(YEAR, standings, offers, least_tier="self_help", tiers=TIERS, cap=cap,
                        per_authority=per_authority, days_each=days_each)
    tier_of = {s.authority: s.tier for s in standings}
    weight = sum(1 + TIERS.index(tier_of[match.recipient]) for match in plan.matches)
    assert weight == _brute_force(standings, offers, cap, per_authority, days_each)

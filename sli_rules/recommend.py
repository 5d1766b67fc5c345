"""Recommend: the tier a verdict selects, its options ranked for the authority, and peers.

Options are ranked by how many of the authority's concern headings and areas they suit,
keeping the menu's order among equals. Peers are authorities with excellence under the same
area or heading; suggestions are spread so that no authority is asked for a
disproportionate amount of time (MoU 2.1 g): the least-asked candidate comes first.
"""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Sequence

import attrs

from .judge import Verdict
from .model import Rulebook, Tier
from .results import Flag, Peer, SupportOption

PEERS_PER_AUTHORITY = 3


def concern_topics(flags: Sequence[Flag]) -> list[str]:
    """The headings and areas of the counted concerns, in the order first flagged."""
    topics: list[str] = []
    for flag in flags:
        if flag.signal != "concern" or not flag.counted:
            continue
        for topic in (flag.heading, flag.area):
            if topic and topic not in topics:
                topics.append(topic)
    return topics


def support_options(rulebook: Rulebook, tier: Tier, flags: Sequence[Flag]) -> tuple[SupportOption, ...]:
    topics = concern_topics(flags)
    ranked = []
    for position, option_id in enumerate(tier.options):
        option = rulebook.options[option_id]
        suits = tuple(topic for topic in topics if topic in option.suits)
        ranked.append((-len(suits), position, SupportOption(option.id, option.title, option.via, suits)))
    ranked.sort(key=lambda item: (item[0], item[1]))
    return tuple(item[2] for item in ranked)


def match_peers(
    needs: Sequence[tuple[str, Sequence[Flag]]],
    strengths: Sequence[tuple[str, str | None, Sequence[Flag]]],
) -> dict[str, tuple[Peer, ...]]:
    """For each authority in need (key, flags), peers from those with excellence.

    `needs` come most serious first, so that they are served first; `strengths` are
    (authority, code, flags).
    """
    asked: Counter[str] = Counter()
    # Per topic, each authority's first flag under it, in the order given: the candidate that
    # a stable sort by (times asked, name) would put first among that authority's flags.
    offers: dict[str, dict[str, tuple[str | None, Flag]]] = {}
    for name, code, excellent in strengths:
        for flag in excellent:
            for topic in {flag.area, flag.heading}:
                if topic:
                    offers.setdefault(topic, {}).setdefault(name, (code, flag))
    # A heap per topic of (times asked, name); entries go stale as counts rise and are
    # refreshed when they come to the top. This is the order the sort gave, without sorting
    # every candidate for every authority in need.
    heaps: dict[str, list[tuple[int, str]]] = {}
    found: dict[str, tuple[Peer, ...]] = {}
    for key, flags in needs:
        topics = concern_topics(flags)
        chosen: list[Peer] = []
        used: set[str] = set()
        for topic in topics:
            candidates = offers.get(topic)
            if not candidates:
                continue
            heap = heaps.get(topic)
            if heap is None:
                heap = heaps[topic] = [(asked[name], name) for name in candidates]
                heapq.heapify(heap)
            passed: list[tuple[int, str]] = []
            while heap:
                times, name = heap[0]
                if times != asked[name]:
                    heapq.heapreplace(heap, (asked[name], name))
                    continue
                if name == key or name in used:
                    passed.append(heapq.heappop(heap))
                    continue
                code, flag = candidates[name]
                chosen.append(Peer(name, code, topic, flag.trigger))
                used.add(name)
                asked[name] += 1
                heapq.heapreplace(heap, (asked[name], name))
                break
            for entry in passed:
                heapq.heappush(heap, entry)
            if len(chosen) >= PEERS_PER_AUTHORITY:
                break
        found[key] = tuple(chosen)
    return found


@attrs.frozen
class Recommendation:
    """What the verdict selects for one authority: the tier, its options ranked for the
    authority's concerns, and peers who could help."""

    tier: Tier
    support: tuple[SupportOption, ...]
    peers: tuple[Peer, ...]


def recommend(rulebook: Rulebook, verdicts: Sequence[Verdict]) -> list[Recommendation]:
    """A recommendation for each verdict, in the same order. Peers are matched year by year
    across the region, the most serious verdicts served first."""
    severity = {level.id: position for position, level in enumerate(rulebook.levels)}
    by_year: dict[str, list[Verdict]] = {}
    for verdict in verdicts:
        by_year.setdefault(verdict.year, []).append(verdict)
    peers: dict[tuple[str, str], tuple[Peer, ...]] = {}
    for year in sorted(by_year):
        same_year = by_year[year]
        # Sorting is stable, so equally serious verdicts keep the region's order.
        needs = [
            (verdict.authority, verdict.flags)
            for verdict in sorted(same_year, key=lambda verdict: severity[verdict.level.id])
        ]
        strengths = [
            (verdict.authority, verdict.code, [flag for flag in verdict.flags if flag.signal == "excellence"])
            for verdict in same_year
        ]
        for name, found in match_peers(needs, strengths).items():
            peers[(name, year)] = found
    made = []
    for verdict in verdicts:
        tier = rulebook.tier_for(verdict.level.id)
        made.append(
            Recommendation(
                tier=tier,
                support=support_options(rulebook, tier, verdict.flags),
                peers=peers.get((verdict.authority, verdict.year), ()),
            )
        )
    return made

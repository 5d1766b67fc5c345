"""Recommend: the tier a verdict selects, its options ranked for the authority, and peers.

Options are ranked by how many of the authority's concern headings and areas they suit,
keeping the menu's order among equals. Peers are authorities not in difficulty themselves with
excellence in the area of a concern (its heading only where no one has that area), each
suggestion naming the concern it answers. A peer never has a concern under the heading it
would help with, was judged on at least half of that heading's concern triggers, and was not
flagged there the year before, however it was matched; no authority is asked for a
disproportionate amount of time (MoU 2.1 g): the least-asked candidate comes first, and the
menu caps how often.
"""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Collection, Mapping, Sequence

import attrs

from ..rules.model import Rulebook, Tier
from .judge import Verdict
from .results import Flag, Peer, SupportOption


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
    rulebook: Rulebook,
    needs: Sequence[tuple[str, Sequence[Flag]]],
    offers: Sequence[tuple[str, str | None, Sequence[Flag]]],
    unfit: Mapping[str, Collection[str]] | None = None,
) -> dict[str, tuple[Peer, ...]]:
    """Peers for each authority in need, from authorities able to offer (one year's region).

    `needs` are (authority, flags), most serious first, so that they are served first;
    `offers` are (authority, code, flags) of the authorities whose own tier is the least
    intensive one: an authority in difficulty is never asked to help. Each counted concern is
    matched by its area first, by its heading only when no authority has excellence in that
    area; never to an authority with a concern under the same heading (or in the same area)
    itself, nor to one `unfit` for it (authority → the topics, `area:x` or `heading:y`, it may
    not help with: judged on too little of the heading, flagged there last year), whichever
    way it is matched. Excellence read from the same entry as one of the authority's own
    concerns is not offered. The least-asked candidate comes first, and no authority is named
    more than the menu's `cap` times, nor more than `per_authority` peers suggested to one
    authority (MoU 2.1g).
    """
    limits = rulebook.peers
    asked: Counter[str] = Counter()
    # Per topic ("area:x" or "heading:y"), each able authority's first excellence flag there.
    able: dict[str, dict[str, tuple[str | None, Flag]]] = {}
    # authority -> the topics it may not help with: its own concerns' areas and headings, and
    # what the caller found unfit.
    troubled: dict[str, set[str]] = {name: set(topics) for name, topics in (unfit or {}).items()}
    for name, code, flags in offers:
        concern_entries = set()
        for flag in flags:
            if flag.signal == "concern":
                mine = troubled.setdefault(name, set())
                mine.add(f"heading:{flag.heading}")
                if flag.area:
                    mine.add(f"area:{flag.area}")
                concern_entries.add(flag.entry)
        for flag in flags:
            if flag.signal == "concern" or (flag.entry is not None and flag.entry in concern_entries):
                continue  # a strength of the same evidence as its own concern is not offered
            for topic in (f"area:{flag.area}" if flag.area else None, f"heading:{flag.heading}"):
                if topic:
                    able.setdefault(topic, {}).setdefault(name, (code, flag))
    # A heap of (times asked, position, name) per topic and concern area, holding only the
    # candidates without a concern in that area: stale entries are refreshed when they come to
    # the top, so that no candidate list is sorted, nor passed over, for every authority in need.
    order = {name: position for position, (name, _, _) in enumerate(offers)}
    heaps: dict[tuple[str, ...], list[tuple[int, int, str]]] = {}
    found: dict[str, tuple[Peer, ...]] = {}
    # The topics tried for a concern of a heading and area, in order (written once, not per flag).
    tried: dict[tuple[str, str | None], tuple[str, ...]] = {}
    for key, flags in needs:
        chosen: list[Peer] = []
        used: set[str] = set()
        for flag in flags:
            if flag.signal != "concern" or not flag.counted or len(chosen) >= limits.per_authority:
                continue
            topics = tried.get((flag.heading, flag.area))
            if topics is None:
                area_topic = f"area:{flag.area}" if flag.area else None
                topics = tried[(flag.heading, flag.area)] = (
                    (area_topic,) if area_topic and able.get(area_topic) else ()
                ) + (f"heading:{flag.heading}",)
            if not any(topic in able for topic in topics):
                continue  # no one has excellence there
            for topic in topics:
                peer = _next_peer(topic, able, heaps, asked, order, limits.cap, key, used, troubled, flag)
                if peer is not None:
                    chosen.append(peer)
                    used.add(peer.authority)
                    break
        found[key] = tuple(chosen)
    return found


def _next_peer(
    topic: str,
    able: dict[str, dict[str, tuple[str | None, Flag]]],
    heaps: dict[tuple[str, ...], list[tuple[int, int, str]]],
    asked: Counter[str],
    order: dict[str, int],
    cap: int,
    key: str,
    used: set[str],
    troubled: dict[str, set[str]],
    concern: Flag,
) -> Peer | None:
    candidates = able.get(topic)
    if not candidates:
        return None
    # Unfit for this concern: a concern (or an unfitness) in its area or under its heading.
    concern_topics = (f"heading:{concern.heading}", *((f"area:{concern.area}",) if concern.area else ()))
    heap = heaps.get((topic, *concern_topics))
    if heap is None:
        heap = heaps[(topic, *concern_topics)] = [
            (asked[name], order[name], name)
            for name in candidates
            if not any(found in troubled.get(name, ()) for found in concern_topics)
        ]
        heapq.heapify(heap)
    passed: list[tuple[int, int, str]] = []  # at most the authority itself and its peers so far
    chosen: Peer | None = None
    while heap:
        times, position, name = heap[0]
        if asked[name] >= cap:
            heapq.heappop(heap)  # at its cap for the year: never again
            continue
        if times != asked[name]:
            heapq.heapreplace(heap, (asked[name], position, name))
            continue
        if name == key or name in used:
            passed.append(heapq.heappop(heap))
            continue
        code, flag = candidates[name]
        chosen = Peer(name, code, topic.split(":", 1)[1], flag.trigger, concern.trigger)
        asked[name] += 1
        heapq.heapreplace(heap, (asked[name], position, name))
        break
    for entry in passed:
        heapq.heappush(heap, entry)
    return chosen


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
    peers = match_all_peers(rulebook, verdicts)
    ranked: Ranked = {}
    return [
        recommendation(rulebook, verdict, peers.get((verdict.authority, verdict.year), ()), ranked)
        for verdict in verdicts
    ]


def match_all_peers(rulebook: Rulebook, verdicts: Sequence[Verdict]) -> dict[tuple[str, str], tuple[Peer, ...]]:
    """The peers of every authority in need, by (authority, year). Only each verdict's level
    and flags (trigger, heading, area, signal, counted) are read."""
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
        least = rulebook.tiers[0].id
        able = [verdict for verdict in same_year if rulebook.tier_for(verdict.level.id).id == least]
        offers = [(verdict.authority, verdict.code, verdict.flags) for verdict in able]
        unfit = {verdict.authority: unfit_topics(rulebook, verdict) for verdict in able}
        for name, found in match_peers(rulebook, needs, offers, unfit).items():
            peers[(name, year)] = found
    return peers


def unfit_topics(rulebook: Rulebook, verdict: Verdict) -> set[str]:
    """What an authority may not help others with, beyond its own concerns this year: a
    heading of which it was judged on less than half the concern triggers (its strength there
    is seen on too little), and the areas and headings of the concerns counted for it the year
    before (a problem of last year is not yet a strength to lend)."""
    found = {
        f"heading:{heading}"
        for heading, total in verdict.tally.totals.items()
        if total and verdict.tally.judged.get(heading, 0) * 2 < total
    }
    for trigger_id in verdict.before or ():
        try:
            trigger = rulebook.trigger(trigger_id)
        except KeyError:
            continue  # a trigger of last year's rulebook that this one no longer has
        found.add(f"heading:{trigger.heading}")
        if trigger.area:
            found.add(f"area:{trigger.area}")
    return found


# The options of a tier ranked for a list of concern topics: the same for every authority
# with the same tier and topics, so ranked once for them all (the options are frozen).
Ranked = dict[tuple[str, tuple[str, ...]], tuple[SupportOption, ...]]


def recommendation(
    rulebook: Rulebook, verdict: Verdict, peers: tuple[Peer, ...], ranked: Ranked | None = None
) -> Recommendation:
    """The tier a verdict selects, its options ranked for the authority's concerns, its peers.
    `ranked` keeps the rankings already made, for a caller recommending many authorities."""
    tier = rulebook.tier_for(verdict.level.id)
    if ranked is None:
        return Recommendation(tier=tier, support=support_options(rulebook, tier, verdict.flags), peers=peers)
    key = (tier.id, tuple(concern_topics(verdict.flags)))
    support = ranked.get(key)
    if support is None:
        support = ranked[key] = support_options(rulebook, tier, verdict.flags)
    return Recommendation(tier=tier, support=support, peers=peers)

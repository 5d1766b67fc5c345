"""Recommend: the tier a verdict selects, its options ranked for the authority, and peers.

Options are ranked by how many of the authority's concern headings and areas they suit,
keeping the menu's order among equals. Peers are authorities with excellence under the same
area or heading; suggestions are spread so that no authority is asked for a
disproportionate amount of time (MoU 2.1 g): the least-asked candidate comes first.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

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
    found: dict[str, tuple[Peer, ...]] = {}
    for key, flags in needs:
        topics = concern_topics(flags)
        chosen: list[Peer] = []
        used: set[str] = set()
        for topic in topics:
            candidates = [
                (asked[name], name, code, flag)
                for name, code, excellent in strengths
                if name != key
                for flag in excellent
                if topic in (flag.area, flag.heading)
            ]
            candidates.sort(key=lambda item: (item[0], item[1]))
            for _, name, code, flag in candidates:
                if name in used:
                    continue
                chosen.append(Peer(name, code, topic, flag.trigger))
                used.add(name)
                asked[name] += 1
                break
            if len(chosen) >= PEERS_PER_AUTHORITY:
                break
        found[key] = tuple(chosen)
    return found

"""The order of the cycle (MoU 2.1 b, g, i), checked before an act is written: a final view
after a discussion, a Board decision on a final view, support under an accepted decision and
within its tier's options, from a provider not itself in difficulty and within the menu's days
cap, and a year recorded again only with a reason to supersede what was decided on it.

Each check raises StoreError saying what must come first; none writes anything.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import attrs
import sqlalchemy as sa

from ...facts import name_key
from . import lookup, tables
from .checks import Row, choose
from .errors import StoreError
from .records import Event, Verdict

# What a final view and a decision are, in the words of a refusal.
_ACTS = {"finalise": "a final view", "decide": "a Board decision"}


def standing(connection: sa.Connection, target: lookup.Target) -> Verdict:
    """An authority's year as it stands: its latest run's verdict after every act on it."""
    assert target.row is not None
    return lookup.build_verdict(connection, target.row, latest=True, results={})


def least_tier(rules: Row) -> str:
    return str(rules["tiers"][0]["id"])


def tier_options(rules: Row, tier: str) -> list[str]:
    return next((list(item["options"]) for item in rules["tiers"] if item["id"] == tier), [])


def may_finalise(verdict: Verdict, rules: Row, day: str, events: Sequence[Event]) -> None:
    """A final view needs the year's discussion first where the provisional verdict found
    anything (a counted concern, or a level above the least serious); a decision taken on the
    present final view stands in the way of another."""
    least_level = rules["levels"][-1][0]
    discussions = [event for event in events if event.kind == "discuss"]
    if (verdict.flags or verdict.provisional_level != least_level) and not discussions:
        found = f"{len(verdict.flags)} counted concern{'s' if len(verdict.flags) != 1 else ''}"
        raise StoreError(
            f"{verdict.authority} {verdict.year}: discuss the verdict with the authority before taking a final view "
            f"(MoU 2.1b): the provisional verdict is {verdict.provisional_level} with {found}, and no discussion "
            "is on record for the year"
        )
    if discussions and day < max(event.on for event in discussions):
        latest = max(event.on for event in discussions)
        raise StoreError(
            f"{verdict.authority} {verdict.year}: a final view dated {day} would come before the discussion of "
            f"{latest} it follows"
        )
    if verdict.decision is not None:
        raise StoreError(
            f"{verdict.authority} {verdict.year}: the Board decided on the final view (event {verdict.decision.id}, "
            f"{verdict.decision.on}); to take another, record the year again with supersede= (--supersede REASON)"
        )


def may_discuss(verdict: Verdict, day: str) -> None:
    """A discussion is the step before a final view: one dated before a final view already on
    record would make the history say the view followed a discussion it was taken without."""
    if verdict.final is not None and day < verdict.final.on:
        raise StoreError(
            f"{verdict.authority} {verdict.year}: a discussion dated {day} would come before the final view of "
            f"{verdict.final.on} (event {verdict.final.id}), taken without it; a discussion after the final view "
            "is recorded on or after that date"
        )


def may_decide(verdict: Verdict, tier: str, reason: str | None, day: str) -> None:
    """A decision needs a final view; a tier other than the final view's needs a reason."""
    if verdict.final is None:
        raise StoreError(
            f"{verdict.authority} {verdict.year}: take the final view (finalise) before the Board decides: the "
            f"verdict is provisional, {verdict.level}, {verdict.tier}"
        )
    if tier != verdict.tier and reason is None:
        raise StoreError(
            f"{verdict.authority} {verdict.year}: deciding {tier} on a final view of {verdict.tier} needs a reason "
            "(reason=, --reason)"
        )
    if day < verdict.final.on:
        raise StoreError(
            f"{verdict.authority} {verdict.year}: a decision dated {day} would come before the final view of "
            f"{verdict.final.on} it follows"
        )


def may_support(verdict: Verdict, rules: Row, option: str, day: str) -> None:
    """Support needs an accepted decision, or a final view of the least intensive tier with
    no decision declined; its option must be one of the decided tier's."""
    least = least_tier(rules)
    decision = verdict.decision
    if decision is not None and not decision.data["accepted"]:
        raise StoreError(
            f"{verdict.authority} {verdict.year}: the authority declined the Board's decision of "
            f"{decision.data['tier']} (event {decision.id}, {decision.on}): no support is recorded under it"
        )
    if decision is None and (verdict.final is None or verdict.tier != least):
        needed = "a final view and " if verdict.final is None else ""
        raise StoreError(
            f"{verdict.authority} {verdict.year}: support needs {needed}the Board's decision, accepted by the "
            f"authority (MoU 2.1i): the verdict is {verdict.status}, {verdict.level}, {verdict.tier}"
            + ("" if verdict.final is None else f"; only {least} needs no decision")
        )
    tier = verdict.decided_tier
    options = tier_options(rules, tier)
    if option not in options:
        raise StoreError(
            f"{verdict.authority} {verdict.year}: {option} is not an option of {tier} (Table 1): "
            f"{', '.join(options)}"
        )
    follows = decision if decision is not None else verdict.final
    assert follows is not None
    if day < follows.on:
        what = "decision" if decision is not None else "final view"
        raise StoreError(
            f"{verdict.authority} {verdict.year}: support dated {day} would come before the {what} of "
            f"{follows.on} it follows"
        )


def may_provide(connection: sa.Connection, provider: lookup.Target, recipient: lookup.Target, rules: Row) -> None:
    """A provider is not the authority helped, nor an authority above the least intensive tier
    in the year (MoU 2.1f: those with strengths help others)."""
    if provider.key == recipient.key:
        raise StoreError(f"{recipient.authority} cannot provide support to itself")
    if provider.row is None:
        return
    theirs = standing(connection, provider)
    least = least_tier(rules)
    if theirs.decided_tier != least:
        raise StoreError(
            f"{theirs.authority} cannot provide support in {theirs.year}: its own tier is {theirs.decided_tier}, "
            f"above {least}"
        )


def given_days(connection: sa.Connection, provider: lookup.Target, year: str) -> dict[tuple[str, str], int]:
    """The days a provider gives in a year, by (recipient, option): the latest record of each
    support stands (a status recorded again replaces the one before), cancelled support and
    support on a superseded run count for nothing."""
    events = lookup.read_events(
        connection, sa.and_(tables.events.c.year == year, tables.events.c.kind == "support")
    )
    latest_run = latest_runs(connection, year)
    by_support: dict[tuple[str, str], Event] = {}
    for event in events:
        data = event.data
        if (data.get("provider_code") or data.get("provider")) != (provider.code or provider.authority):
            continue
        if latest_run.get(event.code or event.authority) != event.run:
            continue
        by_support[(event.code or event.authority, data["option"])] = event
    return {
        key: int(event.data["days"] or 0)
        for key, event in by_support.items()
        if event.data.get("status") != "cancelled"
    }


def latest_runs(connection: sa.Connection, year: str) -> dict[str, int]:
    """Each authority's latest run of a year, by key."""
    rows = connection.execute(
        sa.select(tables.verdicts.c.key, sa.func.max(tables.verdicts.c.run_id))
        .where(tables.verdicts.c.year == year)
        .group_by(tables.verdicts.c.key)
    ).all()
    return {key: run for key, run in rows}


def days_over_cap(
    connection: sa.Connection,
    provider: lookup.Target,
    recipient: lookup.Target,
    option: str,
    days: int,
    rules: Row,
    reason: str | None,
) -> dict[str, Any] | None:
    """Where the menu caps a provider's days in a year (MoU 2.1g) and this support goes past
    it: refused without a reason; with one, the challenge to record (total and cap)."""
    cap = rules.get("peers", {}).get("days_cap")
    if cap is None:
        return None
    given = given_days(connection, provider, recipient.year)
    given.pop((recipient.key, option), None)  # this support recorded again: its new days count
    total = sum(given.values()) + days
    if total <= cap:
        return None
    if reason is None:
        raise StoreError(
            f"{provider.authority} would give {total} days of support in {recipient.year}, over the menu's cap of "
            f"{cap} (MoU 2.1g: time asked is not excessive): give a reason with over_cap= (--over-cap REASON), "
            "recorded as a challenge"
        )
    return {"total": total, "cap": cap}


def check_concerns(concerns: Iterable[str] | None) -> list[str] | None:
    if concerns is None:
        return None
    if isinstance(concerns, str) or not all(isinstance(item, str) for item in concerns):
        raise StoreError(f"concerns must be a list of trigger ids, not {concerns!r}")
    return list(dict.fromkeys(concerns))


def known_concerns(concerns: list[str], rules: Row) -> list[str]:
    triggers = rules["triggers"]
    known = [trigger for trigger, item in triggers.items() if item["signal"] == "concern"]
    for trigger in concerns:
        choose(trigger, known, "concern trigger")
    return concerns


@attrs.frozen
class Acted:
    """An authority-year whose latest run has a final view or decision: what a new run of the
    year would supersede."""

    target: lookup.Target
    run: int
    events: tuple[int, ...]
    kinds: tuple[str, ...]


def acted_on(connection: sa.Connection, rows: Sequence[Row]) -> list[Acted]:
    """Of the authority-years a new run records, those whose latest run has a final view or a
    Board decision on record."""
    years = sorted({row["year"] for row in rows})
    events = lookup.read_events(
        connection,
        sa.and_(tables.events.c.year.in_(years), tables.events.c.kind.in_(tuple(_ACTS))),
    )
    if not events:
        return []
    wanted = {(row["key"], row["year"]): row for row in rows}
    latest: dict[tuple[str, str], int] = {}
    for year in years:
        for key, run in latest_runs(connection, year).items():
            latest[(key, year)] = run
    found: dict[tuple[str, str], list[Event]] = {}
    for event in events:
        place = (event.code or event.authority, event.year)
        if place in wanted and latest.get(place) == event.run:
            found.setdefault(place, []).append(event)
    acted = []
    for place, of_place in sorted(found.items(), key=lambda item: (name_key(wanted[item[0]]["authority"]), item[0])):
        row = wanted[place]
        target = lookup.Target(None, row["authority"], row["code"], row["year"])
        earlier = of_place[0].run
        assert earlier is not None
        acted.append(
            Acted(target, earlier, tuple(e.id for e in of_place), tuple(dict.fromkeys(e.kind for e in of_place)))
        )
    return acted


def supersede_refusal(acted: Sequence[Acted]) -> str:
    shown = [
        f"{item.target.authority} {item.target.year} ({' and '.join(_ACTS[kind] for kind in item.kinds)} on run "
        f"{item.run})"
        for item in acted[:3]
    ]
    more = f" and {len(acted) - 3} more" if len(acted) > 3 else ""
    return (
        f"recording again would supersede what is on record for {', '.join(shown)}{more}: give the reason with "
        "supersede= (--supersede REASON); the earlier acts stay in the history, marked superseded"
    )


def named_authority(connection: sa.Connection, authority: str, code: str | None, year: str) -> lookup.Target:
    """The authority a self-assessment names: by name and by code, which must agree."""
    by_name = lookup.known_authority(connection, authority, year)
    if code is None or code == by_name.code:
        return by_name
    by_code = lookup.find(connection, code, None)
    if by_code is None or by_code.code != code:
        raise StoreError(f"the self-assessment names {authority} with code {code!r}, which the store does not know"
                         + (f" ({by_name.authority}'s code is {by_name.code})" if by_name.code else ""))
    raise StoreError(
        f"the self-assessment names {authority} but gives {code}, which is {by_code.authority}'s code"
        + (f" ({by_name.authority}'s is {by_name.code})" if by_name.code else "")
        + ": name and code disagree, so it is not recorded"
    )

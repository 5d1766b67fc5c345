"""The store's larger reads, each on a connection the Store opened: the runs, an authority's
history, what next year remembers of a year, and the matching of a year's directory to its
needs. Every one reads the record as it stands: a run's verdict after every act on it."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from ...assessment.results import LastYear, SupportGiven
from ...rules.model import year_start
from . import lookup, order, tables
from .records import Event, History, MatchPlan, Offer, Run, Source, YearRecord

if TYPE_CHECKING:
    from ...facts.selfassess import SelfAssessment


def runs(connection: sa.Connection) -> tuple[Run, ...]:
    rows = connection.execute(sa.select(tables.runs).order_by(tables.runs.c.id)).mappings().all()
    years = connection.execute(sa.select(tables.verdicts.c.run_id, tables.verdicts.c.year).distinct()).all()
    by_run: dict[int, set[str]] = {}
    for run_id, year in years:
        by_run.setdefault(run_id, set()).add(year)
    return tuple(
        Run(
            id=row["id"],
            recorded_at=row["recorded_at"],
            recorded_by=row["recorded_by"],
            rulebook_digest=row["rulebook_digest"],
            rulebook_path=row["rulebook_path"],
            package_version=row["package_version"],
            sources=tuple(Source(**item) for item in json.loads(row["sources"])),
            years=tuple(sorted(by_run.get(row["id"], ()), key=year_start)),
            authorities=len(json.loads(row["result"])["assessments"]),
        )
        for row in rows
    )


def history(connection: sa.Connection, authority: str) -> History:
    found = lookup.find(connection, authority, None)
    if found is None:
        lookup.refuse_unknown_authority(connection, authority, None)
    assert found is not None
    rows = (
        connection.execute(
            sa.select(tables.verdicts)
            .where(tables.verdicts.c.key == found.key)
            .order_by(tables.verdicts.c.run_id, tables.verdicts.c.position)
        )
        .mappings()
        .all()
    )
    events = lookup.read_events(connection, sa.and_(tables.events.c.key == found.key))
    results: dict[int, dict[str, Any]] = {}
    years = sorted({row["year"] for row in rows} | {event.year for event in events}, key=year_start)
    records = []
    for year in years:
        of_year = [row for row in rows if row["year"] == year]
        latest = max((row["run_id"] for row in of_year), default=None)
        verdicts = tuple(
            lookup.build_verdict(connection, row, latest=row["run_id"] == latest, results=results, events=events)
            for row in of_year
        )
        records.append(
            YearRecord(
                year=year,
                verdicts=verdicts,
                self_assessments=tuple(e for e in events if e.year == year and e.kind == "self_assessment"),
                offers=tuple(e for e in events if e.year == year and e.kind == "offer"),
                challenges=tuple(e for e in events if e.year == year and e.kind == "challenge"),
                thematic_reviews=tuple(e for e in events if e.year == year and e.kind == "thematic_review"),
            )
        )
    return History(found.authority, found.code, tuple(records))


def self_assessments(connection: sa.Connection, year: str) -> tuple[SelfAssessment, ...]:
    from ...facts.selfassess import OwnView, SelfAssessment

    events = lookup.read_events(
        connection, sa.and_(tables.events.c.year == year, tables.events.c.kind == "self_assessment")
    )
    latest = {event.code or event.authority: event for event in events}  # a later form supersedes
    return tuple(
        SelfAssessment(
            event.authority,
            event.code,
            event.year,
            {trigger: OwnView(item["view"], item["comment"]) for trigger, item in event.data["views"].items()},
        )
        for event in sorted(latest.values(), key=lambda event: event.authority)
    )


def offers(connection: sa.Connection, year: str) -> tuple[Offer, ...]:
    events = lookup.read_events(connection, sa.and_(tables.events.c.year == year, tables.events.c.kind == "offer"))
    return tuple(
        Offer(
            id=event.id,
            authority=event.authority,
            code=event.code,
            year=event.year,
            area=event.data["area"],
            option=event.data["option"],
            days=event.data["days"],
            contact=event.data.get("contact"),
        )
        for event in events
    )


def _events_by_key(connection: sa.Connection, year: str) -> dict[str, list[Event]]:
    by_key: dict[str, list[Event]] = {}
    for event in lookup.read_events(connection, tables.events.c.year == year):
        by_key.setdefault(event.code or event.authority, []).append(event)
    return by_key


def last_year(connection: sa.Connection, before: str) -> dict[str, LastYear]:
    """Each authority's year `before` as it stands, by key."""
    found: dict[str, LastYear] = {}
    by_key = _events_by_key(connection, before)
    results: dict[int, dict[str, Any]] = {}
    for row in lookup.latest_rows(connection, before):
        verdict = lookup.build_verdict(connection, row, latest=True, results=results, events=by_key.get(row["key"], []))
        found[row["key"]] = LastYear(
            year=before,
            status=verdict.status,
            level=verdict.level,
            tier=verdict.tier,
            concerns=verdict.concerns,
            decision=verdict.decision.data["tier"] if verdict.decision else None,
            declined=verdict.declined,
            support=tuple(
                SupportGiven(
                    option=event.data["option"],
                    provider=event.data.get("provider"),
                    days=event.data.get("days"),
                    status=event.data.get("status"),
                    outcome=event.data.get("outcome"),
                )
                for event in verdict.support
            ),
        )
    return found


def match(connection: sa.Connection, year: str, offers: tuple[Offer, ...], days_each: int) -> MatchPlan:
    from .matching import Standing, plan_matches

    rows = lookup.latest_rows(connection, year)
    if not rows:
        lookup.refuse_no_run(connection, year)
    results: dict[int, dict[str, Any]] = {}
    rules = lookup.rules_of_run(connection, max(row["run_id"] for row in rows))
    by_key = _events_by_key(connection, year)
    standings = []
    for row in rows:
        verdict = lookup.build_verdict(connection, row, latest=True, results=results, events=by_key.get(row["key"], []))
        standings.append(Standing.of(verdict, lookup.assessment_of(connection, row, results), rules))
    days_cap = rules["peers"].get("days_cap")
    days_left = None
    if days_cap is not None:
        days_left = {}
        for offer in offers:
            key = offer.code or offer.authority
            if key not in days_left:
                provider = lookup.Target(None, offer.authority, offer.code, year)
                days_left[key] = max(days_cap - sum(order.given_days(connection, provider, year).values()), 0)
    return plan_matches(
        year,
        standings,
        offers,
        least_tier=rules["tiers"][0]["id"],
        tiers=[item["id"] for item in rules["tiers"]],
        tier_options={item["id"]: list(item["options"]) for item in rules["tiers"]},
        cap=rules["peers"]["cap"],
        per_authority=rules["peers"]["per_authority"],
        days_each=days_each,
        days_left=days_left,
    )

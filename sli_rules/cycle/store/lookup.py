"""Finding what an act is about: an authority's verdict row for a year (by name, loosely, or by
ONS code), with a clear refusal when there is none; the events on record; a verdict as it
stands, built from its run and the events on it."""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa

from ...errors import did_you_mean
from ...facts import name_key
from ...rules.model import year_start
from . import tables
from .checks import Row, authority_key, check_year, counted_concerns, now, required, who
from .database import inserted_id
from .errors import StoreError
from .kinds import undeclared
from .records import Event, Verdict


class Target:
    """An authority's latest verdict row for a year (or its identity, when no run holds it)."""

    def __init__(self, row: Row | None, authority: str, code: str | None, year: str) -> None:
        self.row = row
        self.authority = authority
        self.code = code
        self.year = year
        self.key = authority_key(authority, code)
        self.run: int | None = row["run_id"] if row is not None else None


def append_event(
    connection: sa.Connection,
    kind: str,
    target: Target,
    *,
    by: str | None,
    on: str,
    note: str | None,
    data: dict[str, Any],
    run: int | None = None,
) -> int:
    """Write one act; `on` is its date, checked by the caller against the year and the acts
    it follows; `run` the run it is on when not the target's."""
    wrong = undeclared(kind, data)
    if wrong is not None:
        raise TypeError(wrong)  # a fault of the package, not of the act's arguments
    row = {
        "kind": kind,
        "run_id": run if run is not None else target.run,
        "key": target.key,
        "authority": target.authority,
        "code": target.code,
        "year": target.year,
        "by": who(by),
        "on": on,
        "at": now(),
        "note": note,
        "data": json.dumps(data, sort_keys=True),
    }
    return inserted_id(connection.execute(tables.events.insert().values(**row)))


def latest_rows(connection: sa.Connection, year: str) -> list[Row]:
    """Each authority's verdict row in its latest run of `year`, by name."""
    rows = (
        connection.execute(
            sa.select(tables.verdicts).where(tables.verdicts.c.year == year).order_by(tables.verdicts.c.run_id)
        )
        .mappings()
        .all()
    )
    latest: dict[str, Row] = {}
    for row in rows:
        latest[row["key"]] = row
    return sorted(latest.values(), key=lambda row: name_key(row["authority"]))


def find(connection: sa.Connection, authority: str, year: str | None) -> Target | None:
    """An authority by name (loosely compared) or ONS code: its latest verdict row of
    `year` (of any year when None), or None."""
    wanted = name_key(authority)
    query = (
        sa.select(tables.verdicts)
        .order_by(tables.verdicts.c.run_id.desc())
        .where(
            sa.or_(
                tables.verdicts.c.code == authority,
                tables.verdicts.c.key == authority,
                tables.verdicts.c.authority == authority,
            )
        )
    )
    if year is not None:
        query = query.where(tables.verdicts.c.year == year)
    row = connection.execute(query.limit(1)).mappings().first()
    if row is None:
        # Loose names ("St. Helens" for "St Helens") are compared in Python.
        loose = sa.select(tables.verdicts).order_by(tables.verdicts.c.run_id.desc())
        if year is not None:
            loose = loose.where(tables.verdicts.c.year == year)
        for candidate in connection.execute(loose).mappings():
            if name_key(candidate["authority"]) == wanted:
                row = candidate
                break
    if row is None:
        return None
    if year is None:
        return Target(None, row["authority"], row["code"], row["year"])
    return Target(row, row["authority"], row["code"], year)


def target_of(connection: sa.Connection, authority: str, year: str) -> Target:
    """The latest verdict of an authority for a year, or a StoreError saying what is wrong."""
    check_year(year)
    found = find(connection, required(authority, "the authority"), year)
    if found is None:
        if not connection.execute(
            sa.select(tables.verdicts.c.run_id).where(tables.verdicts.c.year == year).limit(1)
        ).first():
            refuse_no_run(connection, year)
        refuse_unknown_authority(connection, authority, year)
    assert found is not None
    return found


def known_authority(connection: sa.Connection, authority: str, year: str) -> Target:
    """An authority known to the store in any year, for acts that need no run of `year`
    (self-assessments, offers); bound to the year's latest run when there is one."""
    check_year(year)
    found = find(connection, required(authority, "the authority"), year)
    if found is not None:
        return found
    anywhere = find(connection, authority, None)
    if anywhere is None:
        refuse_unknown_authority(connection, authority, None)
    assert anywhere is not None
    return Target(None, anywhere.authority, anywhere.code, year)


def refuse_no_run(connection: sa.Connection, year: str) -> None:
    years = sorted({row[0] for row in connection.execute(sa.select(tables.verdicts.c.year).distinct())}, key=year_start)
    held = f"it holds {', '.join(years)}" if years else "it holds no runs yet"
    raise StoreError(f"no run for {year} in the store: {held}")


def refuse_unknown_authority(connection: sa.Connection, authority: str, year: str | None) -> None:
    query = sa.select(tables.verdicts.c.authority).distinct()
    if year is not None:
        query = query.where(tables.verdicts.c.year == year)
    names = sorted(row[0] for row in connection.execute(query))
    if not names:
        raise StoreError(f"no authority {authority!r}: the store holds no runs yet")
    hint = did_you_mean(authority, names)
    where = f"the runs of {year}" if year else "the store"
    raise StoreError(f"no authority {authority!r} in {where}" + (f" ({hint})" if hint else ""))


def rules_of_run(connection: sa.Connection, run: int | None) -> dict[str, Any]:
    text = connection.execute(sa.select(tables.runs.c.rulebook).where(tables.runs.c.id == run)).scalar()
    if text is None:
        raise StoreError(f"no run {run} in the store")
    return json.loads(text)  # type: ignore[no-any-return]


def latest_rules(connection: sa.Connection) -> dict[str, Any]:
    text = connection.execute(sa.select(tables.runs.c.rulebook).order_by(tables.runs.c.id.desc()).limit(1)).scalar()
    if text is None:
        raise StoreError("the store holds no runs yet: record one first")
    return json.loads(text)  # type: ignore[no-any-return]


def read_events(connection: sa.Connection, where: Any) -> list[Event]:
    rows = connection.execute(sa.select(tables.events).where(where).order_by(tables.events.c.id)).mappings().all()
    return [
        Event(
            id=row["id"],
            kind=row["kind"],
            authority=row["authority"],
            code=row["code"],
            year=row["year"],
            by=row["by"],
            on=row["on"],
            at=row["at"],
            run=row["run_id"],
            note=row["note"],
            data=json.loads(row["data"]),
        )
        for row in rows
    ]


def assessment_of(connection: sa.Connection, row: Row, results: dict[int, dict[str, Any]]) -> dict[str, Any]:
    run_id = row["run_id"]
    if run_id not in results:
        text = connection.execute(sa.select(tables.runs.c.result).where(tables.runs.c.id == run_id)).scalar()
        results[run_id] = json.loads(text or "{}")
    return results[run_id]["assessments"][row["position"]]  # type: ignore[no-any-return]


def year_events(connection: sa.Connection, key: str, year: str) -> list[Event]:
    """Every act on record for an authority's year, in the order written."""
    return read_events(connection, sa.and_(tables.events.c.key == key, tables.events.c.year == year))


def build_verdict(
    connection: sa.Connection,
    row: Row,
    *,
    latest: bool,
    results: dict[int, dict[str, Any]],
    events: list[Event] | None = None,
) -> Verdict:
    """A run's verdict for an authority-year, as it stands after every act on that run."""
    if events is None:
        events = year_events(connection, row["key"], row["year"])
    of_year = [event for event in events if event.year == row["year"]]
    mine = [event for event in of_year if event.run == row["run_id"]]
    finals = tuple(event for event in mine if event.kind == "finalise")
    decisions = tuple(event for event in mine if event.kind == "decide")
    final = finals[-1] if finals else None
    item = assessment_of(connection, row, results)
    counted = tuple(counted_concerns(item))
    superseding = [event for event in of_year if event.kind == "supersede"]
    return Verdict(
        authority=row["authority"],
        code=row["code"],
        year=row["year"],
        run=row["run_id"],
        latest=latest,
        status="final" if final else "provisional",
        level=final.data["level"] if final else row["level"],
        tier=final.data["tier"] if final else row["tier"],
        provisional_level=row["level"],
        provisional_tier=row["tier"],
        overridden=bool(final and final.data["overridden"]),
        discussions=tuple(event for event in mine if event.kind == "discuss"),
        final=final,
        finals=finals,
        decision=decisions[-1] if decisions else None,
        decisions=decisions,
        support=tuple(event for event in mine if event.kind == "support"),
        flags=counted,
        provisional=item,
        concerns=tuple(final.data.get("concerns", counted)) if final else counted,
        supersedes=next((event for event in superseding if event.run == row["run_id"]), None),
        superseded_by=next((event for event in superseding if event.data.get("run") == row["run_id"]), None),
    )

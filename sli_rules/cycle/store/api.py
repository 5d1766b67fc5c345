"""The Store: the yearly cycle on record, in any database SQLAlchemy reaches.

Every act is a row appended to `events`; a recorded assessment is a row of `runs` holding the
whole result. What a verdict is now (provisional or final, its level and tier, the Board's
decision, the support given) is derived from those rows when asked, never stored in place, so
the history is never lost.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from ..._version import __version__
from ...assessment.results import RegionAssessment
from ...rules.model import Rulebook, previous_year, year_start
from . import lookup, tables
from .checks import (
    Row,
    SourceLike,
    check_year,
    choose,
    counted_concerns,
    now,
    required,
    rulebook_for,
    rulebook_summary,
    sources_of,
    verdict_rows,
    who,
)
from .database import first_line, inserted_id, make_engine, migrate, shown_url, store_url
from .errors import StoreError
from .records import SUPPORT_STATUSES, History, MatchPlan, Offer, Run, Source, Verdict, YearRecord
from .transfer import check_export, export_document, import_document

if TYPE_CHECKING:
    from ...facts.selfassess import SelfAssessment


class Store:
    """The SLI cycle on record for a region: runs, the acts on their verdicts, self-assessments,
    the excellence directory. `where` is a path (a SQLite file, made if missing) or a
    SQLAlchemy URL (`postgresql+psycopg://...`); the schema migrates itself on open."""

    def __init__(self, where: str | Path) -> None:
        self.url = store_url(where)
        self._engine = make_engine(self.url)
        try:
            migrate(self._engine)
        except sa.exc.OperationalError as error:
            raise StoreError(f"cannot open the store {shown_url(self._engine.url)}: {first_line(error)}") from None
        except sa.exc.DatabaseError as error:
            raise StoreError(f"{shown_url(self._engine.url)} is not a store: {first_line(error)}") from None

    def close(self) -> None:
        self._engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    @contextmanager
    def _transaction(self) -> Iterator[sa.Connection]:
        try:
            with self._engine.begin() as connection:
                yield connection
        except sa.exc.OperationalError as error:
            raise StoreError(f"the store {shown_url(self._engine.url)} failed: {first_line(error)}") from None

    # --- recording -----------------------------------------------------------------------

    def record(
        self,
        result: RegionAssessment,
        *,
        rulebook: Rulebook | None = None,
        sources: Iterable[SourceLike] = (),
        by: str | None = None,
    ) -> int:
        """Store a whole assessment (every authority's verdict starts provisional) with the
        rulebook's digest, the sources read and the package version; return the run's id."""
        if not len(result):
            raise StoreError("the result assesses no authority: nothing to record")
        rulebook = rulebook_for(result, rulebook)
        found = sources_of(sources)
        data = result.to_dict()
        row = {
            "recorded_at": now(),
            "recorded_by": who(by),
            "rulebook_digest": result.rulebook_digest,
            "rulebook_path": result.rulebook_path,
            "package_version": __version__,
            "sources": json.dumps([{"path": s.path, "sha256": s.sha256} for s in found]),
            "rulebook": json.dumps(rulebook_summary(rulebook)),
            "result": json.dumps(data, sort_keys=True),
        }
        with self._transaction() as connection:
            run_id = inserted_id(connection.execute(tables.runs.insert().values(**row)))
            connection.execute(tables.verdicts.insert(), verdict_rows(run_id, data))
        return run_id

    # --- acts on a verdict ---------------------------------------------------------------

    def discuss(self, authority: str, year: str, *, note: str, by: str | None = None, on: str | None = None) -> int:
        """Record a discussion of the verdict with the authority (MoU 2.1b); its event id."""
        note = required(note, "a note of the discussion")
        with self._transaction() as connection:
            target = lookup.target_of(connection, authority, year)
            return lookup.append_event(connection, "discuss", target, by=by, on=on, note=note, data={})

    def finalise(
        self,
        authority: str,
        year: str,
        *,
        by: str | None = None,
        reason: str | None = None,
        level: str | None = None,
        tier: str | None = None,
        on: str | None = None,
    ) -> int:
        """Take the final view on the latest run's verdict: confirm it, or override its level
        or tier (a reason is then required). Unknown levels and tiers are refused."""
        with self._transaction() as connection:
            target = lookup.target_of(connection, authority, year)
            assert target.row is not None
            rules = lookup.rules_of_run(connection, target.run)
            if level is not None:
                choose(level, [item[0] for item in rules["levels"]], "level")
            if tier is not None:
                choose(tier, [item["id"] for item in rules["tiers"]], "tier")
            final_level = level if level is not None else target.row["level"]
            if tier is not None:
                final_tier = tier
            elif level is not None:
                final_tier = next(item["id"] for item in rules["tiers"] if level in item["verdicts"])
            else:
                final_tier = target.row["tier"]
            overridden = (final_level, final_tier) != (target.row["level"], target.row["tier"])
            if overridden and (reason is None or not reason.strip()):
                raise StoreError(
                    f"overriding {target.authority}'s {target.row['level']}, {target.row['tier']} with "
                    f"{final_level}, {final_tier} needs a reason"
                )
            data = {
                "level": final_level,
                "tier": final_tier,
                "overridden": overridden,
                "provisional_level": target.row["level"],
                "provisional_tier": target.row["tier"],
            }
            note = reason.strip() if reason and reason.strip() else None
            return lookup.append_event(connection, "finalise", target, by=by, on=on, note=note, data=data)

    def decide(
        self,
        authority: str,
        year: str,
        *,
        tier: str,
        accepted: bool,
        by: str | None = None,
        note: str | None = None,
        on: str | None = None,
    ) -> int:
        """Record the Towards Excellence Board's decision of a tier, and whether the authority
        accepted it (MoU 2.1i)."""
        with self._transaction() as connection:
            target = lookup.target_of(connection, authority, year)
            rules = lookup.rules_of_run(connection, target.run)
            choose(tier, [item["id"] for item in rules["tiers"]], "tier")
            data = {"tier": tier, "accepted": bool(accepted)}
            return lookup.append_event(connection, "decide", target, by=by, on=on, note=note, data=data)

    def support(
        self,
        authority: str,
        year: str,
        *,
        option: str,
        provider: str | None = None,
        days: int | None = None,
        status: str = "planned",
        outcome: str | None = None,
        by: str | None = None,
        on: str | None = None,
    ) -> int:
        """Record support given to an authority: a menu option, who gave it, the days, where
        it stands and its outcome."""
        with self._transaction() as connection:
            target = lookup.target_of(connection, authority, year)
            rules = lookup.rules_of_run(connection, target.run)
            choose(option, rules["options"], "option")
            choose(status, SUPPORT_STATUSES, "status")
            if days is not None and (not isinstance(days, int) or days < 1):
                raise StoreError(f"days must be a whole number of at least 1, not {days!r}")
            provider_name, provider_code = provider, None
            if provider is not None:
                found = lookup.find(connection, required(provider, "the provider"), year)
                if found is not None:
                    provider_name, provider_code = found.authority, found.code
            data = {
                "option": option,
                "provider": provider_name,
                "provider_code": provider_code,
                "days": days,
                "status": status,
                "outcome": outcome,
            }
            return lookup.append_event(connection, "support", target, by=by, on=on, note=outcome, data=data)

    def self_assess(self, own: SelfAssessment, *, by: str | None = None, on: str | None = None) -> int:
        """Record an authority's self-assessment (a `SelfAssessment`, MoU 2.1h)."""
        with self._transaction() as connection:
            target = lookup.known_authority(connection, own.code or own.authority, own.year)
            data = {
                "views": {
                    trigger: {"view": item.view, "comment": item.comment} for trigger, item in sorted(own.views.items())
                }
            }
            return lookup.append_event(connection, "self_assessment", target, by=by, on=on, note=None, data=data)

    def offer(
        self,
        authority: str,
        year: str,
        *,
        area: str,
        option: str,
        days: int,
        contact: str | None = None,
        by: str | None = None,
        on: str | None = None,
    ) -> int:
        """Add an entry to the excellence directory: days of officer or member time an
        authority gives to others in an area (MoU 2.1f); its id."""
        with self._transaction() as connection:
            target = lookup.known_authority(connection, authority, year)
            rules = lookup.latest_rules(connection)
            areas = sorted(set(rules["headings"]) | {t["area"] for t in rules["triggers"].values() if t["area"]})
            choose(area, areas, "area")
            choose(option, rules["options"], "option")
            if isinstance(days, bool) or not isinstance(days, int) or days < 1:
                raise StoreError(f"days must be a whole number of at least 1, not {days!r}")
            data = {"area": area, "option": option, "days": days, "contact": contact}
            return lookup.append_event(connection, "offer", target, by=by, on=on, note=contact, data=data)

    # --- reading -------------------------------------------------------------------------

    def runs(self) -> tuple[Run, ...]:
        """Every recorded run, oldest first."""
        with self._engine.connect() as connection:
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

    def result(self, run: int) -> dict[str, Any]:
        """A run's whole result, as recorded (`RegionAssessment.to_dict()`)."""
        with self._engine.connect() as connection:
            text = connection.execute(sa.select(tables.runs.c.result).where(tables.runs.c.id == run)).scalar()
        if text is None:
            raise StoreError(f"no run {run} in the store")
        return json.loads(text)  # type: ignore[no-any-return]

    def current(self, authority: str, year: str) -> Verdict:
        """The verdict as it stands: the latest run's, after every act on it."""
        with self._engine.connect() as connection:
            target = lookup.target_of(connection, authority, year)
            assert target.row is not None
            return lookup.build_verdict(connection, target.row, latest=True, results={})

    def history(self, authority: str) -> History:
        """Everything on record for an authority, every year: the provisional and final
        verdicts of each run, flags, discussions, decisions, support, self-assessments, offers."""
        with self._engine.connect() as connection:
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
                    lookup.build_verdict(
                        connection, row, latest=row["run_id"] == latest, results=results, events=events
                    )
                    for row in of_year
                )
                records.append(
                    YearRecord(
                        year=year,
                        verdicts=verdicts,
                        self_assessments=tuple(e for e in events if e.year == year and e.kind == "self_assessment"),
                        offers=tuple(e for e in events if e.year == year and e.kind == "offer"),
                    )
                )
        return History(found.authority, found.code, tuple(records))

    def authorities(self) -> tuple[str, ...]:
        """Every authority the store knows (its latest name), sorted."""
        with self._engine.connect() as connection:
            rows = connection.execute(
                sa.select(tables.verdicts.c.key, tables.verdicts.c.authority).order_by(tables.verdicts.c.run_id)
            ).all()
        names = {key: name for key, name in rows}
        return tuple(sorted(names.values()))

    def flagged_last_year(self, year: str) -> dict[str, frozenset[str]]:
        """For the year before `year`: the counted concern triggers of each authority in its
        latest recorded run of that year, keyed by ONS code (by name where it has none)."""
        check_year(year)
        before = previous_year(year)
        flagged: dict[str, frozenset[str]] = {}
        with self._engine.connect() as connection:
            for row in lookup.latest_rows(connection, before):
                item = lookup.assessment_of(connection, row, {})
                flagged[row["key"]] = frozenset(counted_concerns(item))
        return flagged

    def self_assessments(self, year: str) -> tuple[SelfAssessment, ...]:
        """The latest self-assessment recorded for each authority in `year`, by name: what
        `Engine.assess(region, self_assessments=...)` takes."""
        from ...facts.selfassess import OwnView, SelfAssessment

        check_year(year)
        with self._engine.connect() as connection:
            events = lookup.read_events(
                connection, sa.and_(tables.events.c.year == year, tables.events.c.kind == "self_assessment")
            )
        latest = {event.code or event.authority: event for event in events}
        return tuple(
            SelfAssessment(
                event.authority,
                event.code,
                event.year,
                {trigger: OwnView(item["view"], item["comment"]) for trigger, item in event.data["views"].items()},
            )
            for event in sorted(latest.values(), key=lambda event: event.authority)
        )

    def offers(self, year: str) -> tuple[Offer, ...]:
        """The excellence directory of a year, in the order offered."""
        check_year(year)
        with self._engine.connect() as connection:
            events = lookup.read_events(
                connection, sa.and_(tables.events.c.year == year, tables.events.c.kind == "offer")
            )
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

    def match(self, year: str, *, days_each: int = 1) -> MatchPlan:
        """Offers of the directory matched to the needs of the year's latest recorded verdicts
        (see `sli_rules.cycle.store.matching`)."""
        from .matching import Standing, plan_matches

        check_year(year)
        if isinstance(days_each, bool) or not isinstance(days_each, int) or days_each < 1:
            raise StoreError(f"days each must be a whole number of at least 1, not {days_each!r}")
        offers = self.offers(year)
        with self._engine.connect() as connection:
            rows = lookup.latest_rows(connection, year)
            if not rows:
                lookup.refuse_no_run(connection, year)
            results: dict[int, dict[str, Any]] = {}
            standings = []
            rules = lookup.rules_of_run(connection, max(row["run_id"] for row in rows))
            for row in rows:
                verdict = lookup.build_verdict(connection, row, latest=True, results=results)
                item = lookup.assessment_of(connection, row, results)
                standings.append(Standing.of(verdict, item))
        return plan_matches(
            year,
            standings,
            offers,
            least_tier=rules["tiers"][0]["id"],
            tiers=[item["id"] for item in rules["tiers"]],
            cap=rules["peers"]["cap"],
            per_authority=rules["peers"]["per_authority"],
            days_each=days_each,
        )

    # --- export and import ---------------------------------------------------------------

    def export(self) -> dict[str, Any]:
        """The whole store as JSON-ready data: every run and every event, with their ids, the
        schema revision and the digest of the content (see `sli_rules.store.document`)."""
        with self._engine.connect() as connection:
            return export_document(connection)

    def import_(self, data: Row) -> tuple[int, int]:
        """Restore an export into this store, which must be empty; (runs, events) restored.
        The whole document is checked first (every problem listed, nothing written), then
        written in one transaction. (`import` is a Python keyword; the command line calls it
        `import`.)"""
        check_export(data)
        with self._transaction() as connection:
            return import_document(connection, data)

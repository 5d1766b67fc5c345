"""The Store: the yearly cycle on record, in any database SQLAlchemy reaches.

Every act is a row appended to `events`; a recorded assessment is a row of `runs` holding the
whole result. What a verdict is now (provisional or final, its level and tier, the Board's
decision, the support given) is derived from those rows when asked, never stored in place, so
the history is never lost.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from ..._version import __version__
from ...assessment.results import LastYear, RegionAssessment
from ...rules.model import Rulebook, previous_year
from ...rules.verdict_keys import MAX_YEARS
from . import lookup, order, reading, tables
from .checks import (
    Row,
    SourceLike,
    check_date,
    check_days,
    check_flag,
    check_year,
    choose,
    now,
    optional_text,
    required,
    rulebook_for,
    rulebook_summary,
    sources_of,
    verdict_rows,
    who,
)
from .database import (
    first_line,
    inserted_id,
    make_engine,
    migrate,
    serialise_postgresql_writes,
    shown_url,
    store_url,
)
from .errors import StoreError
from .records import SUPPORT_STATUSES, History, MatchPlan, Offer, Run, Verdict
from .transfer import check_export, export_document, import_document

if TYPE_CHECKING:
    from ...facts.selfassess import SelfAssessment
    from ...facts.themes import ThematicReview
    from .themes import ToConfirm


class Store:
    """The SLI cycle on record for a region: runs, the acts on their verdicts, self-assessments,
    the excellence directory. `where` is a path (a SQLite file, made if missing) or a
    SQLAlchemy URL (`postgresql+psycopg://...`); the schema migrates itself on open.

    The store keeps the cycle's order (see docs/cycle.md): an act out of order, an argument of
    the wrong kind and a database that fails are each a StoreError saying why, with nothing
    written."""

    def __init__(self, where: str | Path) -> None:
        self.url = store_url(where)
        self._engine = make_engine(self.url)
        try:
            migrate(self._engine)
        except StoreError:
            self._engine.dispose()
            raise
        except sa.exc.OperationalError as error:
            self._engine.dispose()
            raise StoreError(f"cannot open the store {shown_url(self._engine.url)}: {first_line(error)}") from None
        except sa.exc.DatabaseError as error:
            self._engine.dispose()
            raise StoreError(f"{shown_url(self._engine.url)} is not a store: {first_line(error)}") from None
        except (sa.exc.SQLAlchemyError, ValueError, OSError) as error:
            self._engine.dispose()
            raise StoreError(f"cannot open the store {shown_url(self._engine.url)}: {first_line(error)}") from None

    def close(self) -> None:
        self._engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    @contextmanager
    def _transaction(self) -> Iterator[sa.Connection]:
        """One write, whole or not at all; writes are taken one at a time, so that the checks
        of the cycle's order read what the act follows, with no other writer in between."""
        with self._failures(), self._engine.begin() as connection:
            serialise_postgresql_writes(connection)
            yield connection

    @contextmanager
    def _reading(self) -> Iterator[sa.Connection]:
        with self._failures(), self._engine.connect() as connection:
            yield connection

    @contextmanager
    def _failures(self) -> Iterator[None]:
        """Any error of the database (a server gone, a value it refuses) as a StoreError."""
        try:
            yield
        except sa.exc.OperationalError as error:
            raise StoreError(f"the store {shown_url(self._engine.url)} failed: {first_line(error)}") from None
        except sa.exc.DataError as error:
            raise StoreError(f"the store {shown_url(self._engine.url)} refused a value: {first_line(error)}") from None
        except sa.exc.SQLAlchemyError as error:
            raise StoreError(f"the store {shown_url(self._engine.url)} failed: {first_line(error)}") from None
        except OverflowError as error:  # SQLite's driver, before the database sees a number too large
            raise StoreError(f"the store {shown_url(self._engine.url)} refused a value: {error}") from None

    # --- recording -----------------------------------------------------------------------

    def record(
        self,
        result: RegionAssessment,
        *,
        rulebook: Rulebook | None = None,
        sources: Iterable[SourceLike] = (),
        by: str | None = None,
        supersede: str | None = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> int:
        """Store a whole assessment (every authority's verdict starts provisional) with the
        rulebook's digest, the sources read and the package version; return the run's id.

        Recording a year again where a final view or a Board decision is on record for it
        needs `supersede`, the reason: the earlier acts stay in the history, marked superseded.
        `progress`, if given, is called with (done, total) as the assessments are made ready."""
        if not isinstance(result, RegionAssessment):
            raise StoreError(f"record takes a RegionAssessment (Engine.assess), not {type(result).__name__}")
        if rulebook is not None and not isinstance(rulebook, Rulebook):
            raise StoreError(f"rulebook must be a Rulebook, not {type(rulebook).__name__}")
        if not len(result):
            raise StoreError("the result assesses no authority: nothing to record")
        recorded_by = who(by)
        reason = optional_text(supersede, "the reason to supersede")
        rulebook = rulebook_for(result, rulebook)
        found = sources_of(sources)
        data = result.to_dict(progress=progress)
        row = {
            "recorded_at": now(),
            "recorded_by": recorded_by,
            "rulebook_digest": result.rulebook_digest,
            "rulebook_path": result.rulebook_path,
            "package_version": __version__,
            "sources": json.dumps([{"path": s.path, "sha256": s.sha256} for s in found]),
            "rulebook": json.dumps(rulebook_summary(rulebook)),
            "result": json.dumps(data, sort_keys=True),
        }
        rows = verdict_rows(0, data)
        with self._transaction() as connection:
            acted = order.acted_on(connection, rows)
            if acted and reason is None:
                raise StoreError(order.supersede_refusal(acted))
            run_id = inserted_id(connection.execute(tables.runs.insert().values(**row)))
            connection.execute(tables.verdicts.insert(), [{**item, "run_id": run_id} for item in rows])
            on = check_date(None, rows[0]["year"])
            for earlier in acted:
                lookup.append_event(
                    connection, "supersede", earlier.target, by=recorded_by, on=on, note=reason,
                    data={"run": earlier.run, "events": list(earlier.events)}, run=run_id,
                )
        return run_id

    def check_recording(self, places: Iterable[tuple[str, str | None, str]], *, supersede: str | None = None) -> None:
        """Refuse, before any work is done, a recording of these (authority, code, year) that
        would supersede a final view or decision without a reason (what `record` checks)."""
        reason = optional_text(supersede, "the reason to supersede")
        rows = [
            {"key": code or authority, "authority": authority, "code": code, "year": check_year(year)}
            for authority, code, year in places
        ]
        with self._reading() as connection:
            acted = order.acted_on(connection, rows)
        if acted and reason is None:
            raise StoreError(order.supersede_refusal(acted))

    # --- acts on a verdict ---------------------------------------------------------------

    def discuss(
        self, authority: str, year: str, *, note: str, by: str | None = None, on: str | date | None = None
    ) -> int:
        """Record a discussion of the verdict with the authority (MoU 2.1b); its event id. It
        is not dated before a final view already on record for the year."""
        check_year(year)
        note = required(note, "a note of the discussion")
        day = check_date(on, year)
        with self._transaction() as connection:
            target = lookup.target_of(connection, authority, year)
            order.may_discuss(order.standing(connection, target), day)
            return lookup.append_event(connection, "discuss", target, by=who(by), on=day, note=note, data={})

    def finalise(
        self,
        authority: str,
        year: str,
        *,
        by: str | None = None,
        reason: str | None = None,
        level: str | None = None,
        tier: str | None = None,
        concerns: Iterable[str] | None = None,
        on: str | date | None = None,
    ) -> int:
        """Take the final view on the latest run's verdict: confirm it, or override its level
        or tier (a reason is then required). Unknown levels and tiers are refused.

        Where the provisional verdict has a counted concern or a level above the least serious,
        a discussion with the authority must be on record for the year first (MoU 2.1b).
        `concerns` are the concern triggers the final view confirms (default: the counted
        ones); next year's `persistent` reads them."""
        check_year(year)
        by = who(by)
        note = optional_text(reason, "the reason")
        day = check_date(on, year)
        wanted = order.check_concerns(concerns)
        with self._transaction() as connection:
            target = lookup.target_of(connection, authority, year)
            assert target.row is not None
            rules = lookup.rules_of_run(connection, target.run)
            if level is not None:
                choose(level, [item[0] for item in rules["levels"]], "level")
            if tier is not None:
                choose(tier, [item["id"] for item in rules["tiers"]], "tier")
            standing = order.standing(connection, target)
            order.may_finalise(standing, rules, day, lookup.year_events(connection, target.key, year))
            final_level = level if level is not None else target.row["level"]
            if tier is not None:
                final_tier = tier
            elif level is not None:
                final_tier = next(item["id"] for item in rules["tiers"] if level in item["verdicts"])
            else:
                final_tier = target.row["tier"]
            overridden = (final_level, final_tier) != (target.row["level"], target.row["tier"])
            if overridden and note is None:
                raise StoreError(
                    f"overriding {target.authority}'s {target.row['level']}, {target.row['tier']} with "
                    f"{final_level}, {final_tier} needs a reason"
                )
            confirmed = list(standing.flags) if wanted is None else order.known_concerns(wanted, rules)
            data = {
                "level": final_level,
                "tier": final_tier,
                "overridden": overridden,
                "provisional_level": target.row["level"],
                "provisional_tier": target.row["tier"],
                "concerns": confirmed,
            }
            return lookup.append_event(connection, "finalise", target, by=by, on=day, note=note, data=data)

    def decide(
        self,
        authority: str,
        year: str,
        *,
        tier: str,
        accepted: bool,
        by: str | None = None,
        note: str | None = None,
        reason: str | None = None,
        on: str | date | None = None,
    ) -> int:
        """Record the Towards Excellence Board's decision of a tier on the final view, and
        whether the authority accepted it (MoU 2.1i). A tier other than the final view's needs
        `reason`."""
        check_year(year)
        check_flag(accepted, "accepted")
        by = who(by)
        note = optional_text(note, "the note")
        why = optional_text(reason, "the reason")
        day = check_date(on, year)
        with self._transaction() as connection:
            target = lookup.target_of(connection, authority, year)
            rules = lookup.rules_of_run(connection, target.run)
            choose(tier, [item["id"] for item in rules["tiers"]], "tier")
            standing = order.standing(connection, target)
            order.may_decide(standing, tier, why, day)
            data: dict[str, Any] = {"tier": tier, "accepted": accepted}
            if why is not None:
                data["reason"] = why
            return lookup.append_event(connection, "decide", target, by=by, on=day, note=note, data=data)

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
        over_cap: str | None = None,
        by: str | None = None,
        on: str | date | None = None,
    ) -> int:
        """Record support given to an authority: a menu option of the decided tier, who gave it,
        the days, where it stands and its outcome. Needs an accepted decision (or a final view
        of the least intensive tier); a provider above that tier is refused; days beyond the
        menu's `peers.days_cap` for the provider's year need `over_cap`, the reason."""
        check_year(year)
        by = who(by)
        if days is not None:
            check_days(days)
        outcome = optional_text(outcome, "the outcome")
        beyond = optional_text(over_cap, "the reason to go over the cap")
        provider = optional_text(provider, "the provider")
        day = check_date(on, year)
        with self._transaction() as connection:
            target = lookup.target_of(connection, authority, year)
            rules = lookup.rules_of_run(connection, target.run)
            choose(option, rules["options"], "option")
            choose(status, SUPPORT_STATUSES, "status")
            standing = order.standing(connection, target)
            order.may_support(standing, rules, option, day)
            provider_name, provider_code, provider_target = provider, None, None
            if provider is not None:
                provider_target = lookup.find(connection, provider, year)
                if provider_target is not None:
                    provider_name, provider_code = provider_target.authority, provider_target.code
                    order.may_provide(connection, provider_target, target, rules)
            data: dict[str, Any] = {
                "option": option,
                "provider": provider_name,
                "provider_code": provider_code,
                "days": days,
                "status": status,
                "outcome": outcome,
            }
            challenge = None
            if provider_target is not None and days is not None and status != "cancelled":
                challenge = order.days_over_cap(connection, provider_target, target, option, days, rules, beyond)
                if challenge is not None:
                    data["over_cap"] = {**challenge, "reason": beyond}
            event = lookup.append_event(connection, "support", target, by=by, on=day, note=outcome, data=data)
            if challenge is not None and provider_target is not None:
                lookup.append_event(
                    connection, "challenge", provider_target, by=by, on=day, note=beyond,
                    data={**challenge, "support": event, "recipient": target.authority,
                          "recipient_code": target.code},
                )
            return event

    def self_assess(
        self,
        own: SelfAssessment,
        *,
        by: str | None = None,
        on: str | date | None = None,
        supersede: str | None = None,
    ) -> int:
        """Record an authority's self-assessment (a `SelfAssessment`, MoU 2.1h). Its name and
        code must name one authority; a form with no view answered is refused; a second form
        for the same year needs `supersede`, the reason."""
        from ...facts.selfassess import SelfAssessment

        if not isinstance(own, SelfAssessment):
            raise StoreError(f"self_assess takes a SelfAssessment, not {type(own).__name__}")
        check_year(own.year)
        by = who(by)
        reason = optional_text(supersede, "the reason to supersede")
        day = check_date(on, own.year)
        if not own.views:
            raise StoreError(f"{own.authority}'s self-assessment for {own.year} answers no view: nothing to record")
        with self._transaction() as connection:
            target = order.named_authority(connection, own.authority, own.code, own.year)
            earlier = [
                event for event in lookup.year_events(connection, target.key, own.year)
                if event.kind == "self_assessment"
            ]
            if earlier and reason is None:
                raise StoreError(
                    f"{target.authority}'s self-assessment for {own.year} is on record (event {earlier[-1].id}, "
                    f"{earlier[-1].on}): a second form needs supersede= (--supersede REASON)"
                )
            data: dict[str, Any] = {
                "views": {
                    trigger: {"view": item.view, "comment": item.comment} for trigger, item in sorted(own.views.items())
                }
            }
            if earlier:
                data["supersedes"] = earlier[-1].id
            return lookup.append_event(
                connection, "self_assessment", target, by=by, on=day, note=reason if earlier else None, data=data
            )

    def thematic_review(
        self, review: ThematicReview, *, by: str, on: str | None = None, supersede: str | None = None
    ) -> int:
        """Record an authority's thematic review (MoU 2.1 a): at most two themes a year, a
        second form for a theme only with `supersede` (the reason), by a named person, dated
        within the year; its event id."""
        from . import themes

        date = themes.check_act(by, on, review.year)
        with self._transaction() as connection:
            target = themes.target_of(connection, review)
            superseded = themes.check_order(connection, target, review.theme, supersede)
            data = {**review.to_data(), "supersedes": superseded}
            return lookup.append_event(connection, themes.KIND, target, by=by, on=date, note=supersede, data=data)

    def thematic_reviews(self, year: str) -> tuple[ThematicReview, ...]:
        """The reviews in force in `year` (a superseded form left out), by authority and theme."""
        from . import themes

        with self._reading() as connection:
            return tuple(themes.reviews_of(connection, year))

    def offers_to_confirm(self, year: str) -> tuple[ToConfirm, ...]:
        """Strengths of the year's thematic reviews waiting in the directory for their
        authority to confirm them as an offer (`offer`) in the theme's area."""
        from . import themes

        with self._reading() as connection:
            return tuple(themes.offers_to_confirm(connection, year))

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
        on: str | date | None = None,
    ) -> int:
        """Add an entry to the excellence directory: days of officer or member time an
        authority gives to others in an area (MoU 2.1f); its id."""
        check_year(year)
        check_days(days)
        by = who(by)
        contact = optional_text(contact, "the contact")
        day = check_date(on, year)
        with self._transaction() as connection:
            target = lookup.known_authority(connection, authority, year)
            rules = lookup.latest_rules(connection)
            areas = sorted(set(rules["headings"]) | {t["area"] for t in rules["triggers"].values() if t["area"]})
            choose(area, areas, "area")
            choose(option, rules["options"], "option")
            data = {"area": area, "option": option, "days": days, "contact": contact}
            return lookup.append_event(connection, "offer", target, by=by, on=day, note=contact, data=data)

    # --- reading -------------------------------------------------------------------------

    def runs(self) -> tuple[Run, ...]:
        """Every recorded run, oldest first."""
        with self._reading() as connection:
            return reading.runs(connection)

    def result(self, run: int) -> dict[str, Any]:
        """A run's whole result, as recorded (`RegionAssessment.to_dict()`)."""
        if isinstance(run, bool) or not isinstance(run, int):
            raise StoreError(f"run must be a run's id (a whole number), not {run!r}")
        with self._reading() as connection:
            text = connection.execute(sa.select(tables.runs.c.result).where(tables.runs.c.id == run)).scalar()
        if text is None:
            raise StoreError(f"no run {run} in the store")
        return json.loads(text)  # type: ignore[no-any-return]

    def current(self, authority: str, year: str) -> Verdict:
        """The verdict as it stands: the latest run's, after every act on it: `status`
        (provisional or final), `level` and `tier` (the final view's where one was taken, with
        the provisional verdict beside it), the Board's `decision` (`declined` kept)."""
        check_year(year)
        with self._reading() as connection:
            target = lookup.target_of(connection, authority, year)
            assert target.row is not None
            return lookup.build_verdict(connection, target.row, latest=True, results={})

    def history(self, authority: str) -> History:
        """Everything on record for an authority, every year: the provisional and final
        verdicts of each run, flags, discussions, decisions, support, self-assessments, thematic
        reviews, offers, and support it gave beyond the menu's days cap."""
        required(authority, "the authority")
        with self._reading() as connection:
            return reading.history(connection, authority)

    def authorities(self) -> tuple[str, ...]:
        """Every authority the store knows (its latest name), sorted."""
        with self._reading() as connection:
            rows = connection.execute(
                sa.select(tables.verdicts.c.key, tables.verdicts.c.authority).order_by(tables.verdicts.c.run_id)
            ).all()
        names = {key: name for key, name in rows}
        return tuple(sorted(names.values()))

    def flagged_last_year(self, year: str) -> dict[str, frozenset[str]]:
        """For the year before `year`: each authority's concerns as they stand, keyed by ONS
        code (by name where it has none): those its final view confirmed, else the counted
        concerns of its latest run (what the verdict key `persistent` reads)."""
        return {key: frozenset(found.concerns) for key, found in self.last_year(year).items()}

    def years_before(self, year: str, depth: int = MAX_YEARS - 1) -> dict[str, list[frozenset[str]]]:
        """For each authority, its concerns as they stand on record in each year before `year`,
        last year first, as far back as its record runs without a missing year (at most `depth`
        years): what `persistent` with `years` reads, from the final view where one was taken."""
        found: dict[str, list[frozenset[str]]] = {}
        running: set[str] | None = None
        for _ in range(depth):
            known = self.flagged_last_year(year)
            running = set(known) if running is None else running & set(known)
            if not running:
                break
            for key in running:
                found.setdefault(key, []).append(known[key])
            year = previous_year(year)
        return found

    def last_year(self, year: str) -> dict[str, LastYear]:
        """For the year before `year`: each authority's year as it stands on record, keyed by
        ONS code (by name where it has none): the final view where one was taken, else the
        provisional verdict (said so); the Board's decision, declined or not; the support."""
        check_year(year)
        with self._reading() as connection:
            return reading.last_year(connection, previous_year(year))

    def self_assessments(self, year: str) -> tuple[SelfAssessment, ...]:
        """The latest self-assessment recorded for each authority in `year`, by name: what
        `Engine.assess(region, self_assessments=...)` takes."""
        check_year(year)
        with self._reading() as connection:
            return reading.self_assessments(connection, year)

    def offers(self, year: str) -> tuple[Offer, ...]:
        """The excellence directory of a year, in the order offered."""
        check_year(year)
        with self._reading() as connection:
            return reading.offers(connection, year)

    def match(self, year: str, *, days_each: int = 1) -> MatchPlan:
        """Offers of the directory matched to the needs of the year's verdicts as they stand
        (see `sli_rules.cycle.store.matching`): each need only with options of its decided tier
        (else its final, else its provisional tier); none for an authority that declined the
        Board's decision; no provider past the menu's days cap with the support already given."""
        check_year(year)
        check_days(days_each, "days each")
        offers = self.offers(year)
        with self._reading() as connection:
            return reading.match(connection, year, offers, days_each)

    # --- export and import ---------------------------------------------------------------

    def export(self) -> dict[str, Any]:
        """The whole store as JSON-ready data: every run and every event, with their ids, the
        schema revision and the digest of the content (see `sli_rules.store.document`)."""
        with self._reading() as connection:
            return export_document(connection)

    def import_(self, data: Row) -> tuple[int, int]:
        """Restore an export into this store, which must be empty; (runs, events) restored.
        The whole document is checked first (every problem listed, nothing written), then
        written in one transaction. (`import` is a Python keyword; the command line calls it
        `import`.)"""
        check_export(data)
        with self._transaction() as connection:
            return import_document(connection, data)

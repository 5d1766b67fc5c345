"""The Store: the yearly cycle on record, in any database SQLAlchemy reaches.

Every act is a row appended to `events`; a recorded assessment is a row of `runs` holding the
whole result. What a verdict is now (provisional or final, its level and tier, the Board's
decision, the support given) is derived from those rows when asked, never stored in place, so
the history is never lost.
"""

from __future__ import annotations

import datetime
import getpass
import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from .. import __version__
from ..errors import did_you_mean
from ..facts import name_key
from ..model import YEAR_PATTERN, Rulebook, previous_year, year_start
from ..results import RegionAssessment
from . import tables
from .errors import POSTGRES_HINT, StoreError
from .records import (
    SUPPORT_STATUSES,
    Event,
    History,
    MatchPlan,
    Offer,
    Run,
    Source,
    Verdict,
    YearRecord,
)
from .transfer import EXPORT_FORMAT

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# Two processes opening a new PostgreSQL store at once must not both create its tables.
_MIGRATION_LOCK = 0x5C1_2013

SourceLike = Source | tuple[str, str] | str | Path
Row = Mapping[Any, Any]  # a result row's mapping, by column name


def _now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="microseconds")


def _today() -> str:
    return datetime.datetime.now(datetime.timezone.utc).date().isoformat()


def store_url(where: str | Path) -> str:
    """A SQLAlchemy URL for `where`: a URL as given, or a path to a SQLite file."""
    text = str(where)
    if "://" in text:
        return text
    path = Path(text).expanduser()
    if not path.parent.is_dir():
        raise StoreError(f"no such folder for the store: {path.parent}")
    return f"sqlite:///{path.resolve()}"


def _shown(url: sa.URL) -> str:
    return url.render_as_string(hide_password=True)


def _alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def schema_head() -> str:
    """The newest schema revision this version of the package writes."""
    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    assert head is not None
    return head


def migrate(engine: sa.Engine, revision: str = "head") -> None:
    """Bring a database to `revision` (the newest by default), in one transaction."""
    config = _alembic_config()
    script = ScriptDirectory.from_config(config)
    known = {item.revision for item in script.walk_revisions()}
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(sa.text("select pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK})
        current = MigrationContext.configure(connection).get_current_revision()
        if current is not None and current not in known:
            requires = None
            if sa.inspect(connection).has_table("meta"):
                requires = connection.execute(
                    sa.select(tables.meta.c.value).where(tables.meta.c.key == "requires")
                ).scalar()
            needed = f"sli-rules {requires} or newer" if requires else "a newer sli-rules"
            raise StoreError(
                f"{_shown(engine.url)} has schema revision {current}, written by a newer version: it needs "
                f"{needed}; this is sli-rules {__version__}, which knows schema revisions up to {schema_head()}"
            )
        if current == (schema_head() if revision == "head" else revision):
            return
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def _make_engine(url_text: str) -> sa.Engine:
    try:
        url = sa.make_url(url_text)
    except sa.exc.ArgumentError:
        raise StoreError(f"not a path or a database URL: {url_text!r}") from None
    try:
        if url.get_backend_name() == "sqlite":
            engine = sa.create_engine(url, connect_args={"timeout": 60})
            _serialise_sqlite_writes(engine)
            return engine
        return sa.create_engine(url, pool_pre_ping=True)
    except (ImportError, sa.exc.NoSuchModuleError) as error:
        hint = POSTGRES_HINT if url.get_backend_name() == "postgresql" else "install the database's driver"
        raise StoreError(f"no driver for {_shown(url)} ({error}): {hint}") from None


def _serialise_sqlite_writes(engine: sa.Engine) -> None:
    """SQLite: every transaction takes the write lock at its start (BEGIN IMMEDIATE), so that
    two processes never both read and then both fail to upgrade to a write; WAL lets readers
    in while one writes; the busy timeout makes the second writer wait rather than fail."""

    @sa.event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # the driver's own BEGIN would be deferred
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA busy_timeout = 60000")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _begin(connection: sa.Connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def _digest_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def sources_of(items: Iterable[SourceLike]) -> tuple[Source, ...]:
    """Sources as recorded: given (path, sha256) pairs kept as they are; a file path read and
    hashed; a folder: every file below it."""
    found: list[Source] = []
    for item in items:
        if isinstance(item, Source):
            found.append(item)
        elif isinstance(item, tuple):
            found.append(Source(str(item[0]), str(item[1])))
        else:
            path = Path(item)
            files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
            found.extend(Source(str(file), _digest_of(file)) for file in files)
    return tuple(found)


def rulebook_summary(rulebook: Rulebook) -> dict[str, Any]:
    """What later acts on a run are checked against: its levels, tiers, options, areas, in the
    rulebook's own order (kept unsorted, so that messages list them as the rulebook does)."""
    return {
        "digest": rulebook.digest,
        "levels": [[level.id, level.title] for level in rulebook.levels],
        "tiers": [
            {"id": tier.id, "title": tier.title, "verdicts": list(tier.verdicts), "options": list(tier.options)}
            for tier in rulebook.tiers
        ],
        "options": {option.id: option.title for option in rulebook.options.values()},
        "headings": dict(rulebook.headings),
        "triggers": {
            trigger.id: {"heading": trigger.heading, "area": trigger.area, "signal": trigger.signal}
            for trigger in rulebook.triggers
        },
        "peers": {"cap": rulebook.peers.cap, "per_authority": rulebook.peers.per_authority},
    }


def _rulebook_for(result: RegionAssessment, rulebook: Rulebook | None) -> Rulebook:
    if rulebook is None:
        from ..load import load_rulebook

        path = Path(result.rulebook_path)
        if not path.is_dir():
            raise StoreError(
                f"the rulebook that made this result ({result.rulebook_path}) is not at hand: pass rulebook="
            )
        rulebook = load_rulebook(path)
    if rulebook.digest != result.rulebook_digest:
        raise StoreError(
            f"the rulebook given ({rulebook.digest}) is not the one that made this result ({result.rulebook_digest})"
        )
    return rulebook


def _key(authority: str, code: str | None) -> str:
    return code or authority


def _check_year(year: str) -> None:
    match = YEAR_PATTERN.match(year)
    if not match or int(match.group(2)) != (int(match.group(1)) + 1) % 100:
        raise StoreError(f"year {year!r} is not a financial year like 2013-14")


def _check_date(on: str | None) -> str:
    if on is None:
        return _today()
    try:
        return datetime.date.fromisoformat(on).isoformat()
    except ValueError:
        raise StoreError(f"date {on!r} is not a date like 2013-10-01") from None


def _who(by: str | None) -> str:
    if by is None:
        try:
            return getpass.getuser()
        except Exception:  # no user name in this environment (a container without one)
            return "unknown"
    if not by.strip():
        raise StoreError("say who acted: 'by' is empty")
    return by.strip()


def _required(text: str | None, what: str) -> str:
    if text is None or not text.strip():
        raise StoreError(f"{what} is required")
    return text.strip()


def _choice(value: str, choices: Iterable[str], what: str) -> None:
    known = list(choices)
    if value not in known:
        hint = did_you_mean(value, known)
        raise StoreError(
            f"unknown {what} {value!r}" + (f" ({hint})" if hint else "") + f"; known: {', '.join(known)}"
        )


class _Target:
    """An authority's latest verdict row for a year (or its identity, when no run holds it)."""

    def __init__(self, row: Row | None, authority: str, code: str | None, year: str) -> None:
        self.row = row
        self.authority = authority
        self.code = code
        self.year = year
        self.key = _key(authority, code)
        self.run: int | None = row["run_id"] if row is not None else None


class Store:
    """The SLI cycle on record for a region: runs, the acts on their verdicts, self-assessments,
    the excellence directory. `where` is a path (a SQLite file, made if missing) or a
    SQLAlchemy URL (`postgresql+psycopg://...`); the schema migrates itself on open."""

    def __init__(self, where: str | Path) -> None:
        self.url = store_url(where)
        self._engine = _make_engine(self.url)
        try:
            migrate(self._engine)
        except sa.exc.OperationalError as error:
            raise StoreError(f"cannot open the store {_shown(self._engine.url)}: {_first_line(error)}") from None
        except sa.exc.DatabaseError as error:
            raise StoreError(f"{_shown(self._engine.url)} is not a store: {_first_line(error)}") from None

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
            raise StoreError(f"the store {_shown(self._engine.url)} failed: {_first_line(error)}") from None

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
        rulebook = _rulebook_for(result, rulebook)
        found = sources_of(sources)
        data = result.to_dict()
        row = {
            "recorded_at": _now(),
            "recorded_by": _who(by),
            "rulebook_digest": result.rulebook_digest,
            "rulebook_path": result.rulebook_path,
            "package_version": __version__,
            "sources": json.dumps([{"path": s.path, "sha256": s.sha256} for s in found]),
            "rulebook": json.dumps(rulebook_summary(rulebook)),
            "result": json.dumps(data, sort_keys=True),
        }
        with self._transaction() as connection:
            run_id = _inserted_id(connection.execute(tables.runs.insert().values(**row)))
            connection.execute(tables.verdicts.insert(), _verdict_rows(run_id, data))
        return run_id

    # --- acts on a verdict ---------------------------------------------------------------

    def discuss(self, authority: str, year: str, *, note: str, by: str | None = None, on: str | None = None) -> int:
        """Record a discussion of the verdict with the authority (MoU 2.1b); its event id."""
        note = _required(note, "a note of the discussion")
        with self._transaction() as connection:
            target = self._target(connection, authority, year)
            return self._append(connection, "discuss", target, by=by, on=on, note=note, data={})

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
            target = self._target(connection, authority, year)
            assert target.row is not None
            rules = self._rulebook_of_run(connection, target.run)
            if level is not None:
                _choice(level, [item[0] for item in rules["levels"]], "level")
            if tier is not None:
                _choice(tier, [item["id"] for item in rules["tiers"]], "tier")
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
            return self._append(connection, "finalise", target, by=by, on=on, note=note, data=data)

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
            target = self._target(connection, authority, year)
            rules = self._rulebook_of_run(connection, target.run)
            _choice(tier, [item["id"] for item in rules["tiers"]], "tier")
            data = {"tier": tier, "accepted": bool(accepted)}
            return self._append(connection, "decide", target, by=by, on=on, note=note, data=data)

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
            target = self._target(connection, authority, year)
            rules = self._rulebook_of_run(connection, target.run)
            _choice(option, rules["options"], "option")
            _choice(status, SUPPORT_STATUSES, "status")
            if days is not None and (not isinstance(days, int) or days < 1):
                raise StoreError(f"days must be a whole number of at least 1, not {days!r}")
            provider_name, provider_code = provider, None
            if provider is not None:
                found = self._find(connection, _required(provider, "the provider"), year)
                if found is not None:
                    provider_name, provider_code = found.authority, found.code
            data = {"option": option, "provider": provider_name, "provider_code": provider_code,
                    "days": days, "status": status, "outcome": outcome}
            return self._append(connection, "support", target, by=by, on=on, note=outcome, data=data)

    def self_assess(self, own: Any, *, by: str | None = None, on: str | None = None) -> int:
        """Record an authority's self-assessment (a `SelfAssessment`, MoU 2.1h)."""
        with self._transaction() as connection:
            target = self._known(connection, own.code or own.authority, own.year)
            data = {
                "views": {
                    trigger: {"view": item.view, "comment": item.comment}
                    for trigger, item in sorted(own.views.items())
                }
            }
            return self._append(connection, "self_assessment", target, by=by, on=on, note=None, data=data)

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
            target = self._known(connection, authority, year)
            rules = self._latest_rules(connection)
            areas = sorted(set(rules["headings"]) | {t["area"] for t in rules["triggers"].values() if t["area"]})
            _choice(area, areas, "area")
            _choice(option, rules["options"], "option")
            if isinstance(days, bool) or not isinstance(days, int) or days < 1:
                raise StoreError(f"days must be a whole number of at least 1, not {days!r}")
            data = {"area": area, "option": option, "days": days, "contact": contact}
            return self._append(connection, "offer", target, by=by, on=on, note=contact, data=data)

    # --- reading -------------------------------------------------------------------------

    def runs(self) -> tuple[Run, ...]:
        """Every recorded run, oldest first."""
        with self._engine.connect() as connection:
            rows = connection.execute(sa.select(tables.runs).order_by(tables.runs.c.id)).mappings().all()
            years = connection.execute(
                sa.select(tables.verdicts.c.run_id, tables.verdicts.c.year).distinct()
            ).all()
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
            target = self._target(connection, authority, year)
            assert target.row is not None
            return self._verdict(connection, target.row, latest=True, results={})

    def history(self, authority: str) -> History:
        """Everything on record for an authority, every year: the provisional and final
        verdicts of each run, flags, discussions, decisions, support, self-assessments, offers."""
        with self._engine.connect() as connection:
            found = self._find(connection, authority, None)
            if found is None:
                self._unknown_authority(connection, authority, None)
            assert found is not None
            rows = connection.execute(
                sa.select(tables.verdicts)
                .where(tables.verdicts.c.key == found.key)
                .order_by(tables.verdicts.c.run_id, tables.verdicts.c.position)
            ).mappings().all()
            events = self._events(connection, sa.and_(tables.events.c.key == found.key))
            results: dict[int, dict[str, Any]] = {}
            years = sorted({row["year"] for row in rows} | {event.year for event in events}, key=year_start)
            records = []
            for year in years:
                of_year = [row for row in rows if row["year"] == year]
                latest = max((row["run_id"] for row in of_year), default=None)
                verdicts = tuple(
                    self._verdict(connection, row, latest=row["run_id"] == latest, results=results, events=events)
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
        _check_year(year)
        before = previous_year(year)
        flagged: dict[str, frozenset[str]] = {}
        with self._engine.connect() as connection:
            for row in self._latest_rows(connection, before):
                item = self._assessment(connection, row, {})
                flagged[row["key"]] = frozenset(_counted_concerns(item))
        return flagged

    def offers(self, year: str) -> tuple[Offer, ...]:
        """The excellence directory of a year, in the order offered."""
        _check_year(year)
        with self._engine.connect() as connection:
            events = self._events(
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
        (see `sli_rules.store.matching`)."""
        from .matching import Standing, plan_matches

        _check_year(year)
        if isinstance(days_each, bool) or not isinstance(days_each, int) or days_each < 1:
            raise StoreError(f"days each must be a whole number of at least 1, not {days_each!r}")
        offers = self.offers(year)
        with self._engine.connect() as connection:
            rows = self._latest_rows(connection, year)
            if not rows:
                self._no_run(connection, year)
            results: dict[int, dict[str, Any]] = {}
            standings = []
            rules = self._rulebook_of_run(connection, max(row["run_id"] for row in rows))
            for row in rows:
                verdict = self._verdict(connection, row, latest=True, results=results)
                item = self._assessment(connection, row, results)
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
        """The whole store as JSON-ready data: every run and every event, with their ids."""
        with self._engine.connect() as connection:
            runs = connection.execute(sa.select(tables.runs).order_by(tables.runs.c.id)).mappings().all()
            events = connection.execute(sa.select(tables.events).order_by(tables.events.c.id)).mappings().all()
        return {
            "format": EXPORT_FORMAT,
            "schema": schema_head(),
            "package_version": __version__,
            "runs": [
                {
                    **{name: row[name] for name in _RUN_TEXT},
                    "sources": json.loads(row["sources"]),
                    "rulebook": json.loads(row["rulebook"]),
                    "result": json.loads(row["result"]),
                }
                for row in runs
            ],
            "events": [
                {**{name: row[name] for name in _EVENT_PLAIN}, "data": json.loads(row["data"])} for row in events
            ],
        }

    def import_(self, data: Row) -> tuple[int, int]:
        """Restore an export into this store, which must be empty; (runs, events) restored.
        (`import` is a Python keyword; the command line calls it `import`.)"""
        from .transfer import check_export

        check_export(data)
        with self._transaction() as connection:
            if connection.execute(sa.select(sa.func.count()).select_from(tables.runs)).scalar() or (
                connection.execute(sa.select(sa.func.count()).select_from(tables.events)).scalar()
            ):
                raise StoreError("the store to import into is not empty")
            for run in data["runs"]:
                connection.execute(
                    tables.runs.insert().values(
                        **{name: run[name] for name in _RUN_TEXT},
                        sources=json.dumps(run["sources"]),
                        rulebook=json.dumps(run["rulebook"]),
                        result=json.dumps(run["result"], sort_keys=True),
                    )
                )
                rows = _verdict_rows(run["id"], run["result"])
                if rows:
                    connection.execute(tables.verdicts.insert(), rows)
            if data["events"]:
                connection.execute(
                    tables.events.insert(),
                    [
                        {**{name: event[name] for name in _EVENT_PLAIN}, "data": json.dumps(event["data"])}
                        for event in data["events"]
                    ],
                )
            if connection.dialect.name == "postgresql":
                # Ids were given, so the sequences did not move: move them past the ids restored.
                for table in (tables.runs, tables.events):
                    connection.execute(
                        sa.text(
                            f"select setval(pg_get_serial_sequence('{table.name}', 'id'), "
                            f"coalesce((select max(id) from {table.name}), 0) + 1, false)"
                        )
                    )
        return len(data["runs"]), len(data["events"])

    # --- helpers -------------------------------------------------------------------------

    def _append(
        self,
        connection: sa.Connection,
        kind: str,
        target: _Target,
        *,
        by: str | None,
        on: str | None,
        note: str | None,
        data: dict[str, Any],
    ) -> int:
        row = {
            "kind": kind,
            "run_id": target.run,
            "key": target.key,
            "authority": target.authority,
            "code": target.code,
            "year": target.year,
            "by": _who(by),
            "on": _check_date(on),
            "at": _now(),
            "note": note,
            "data": json.dumps(data, sort_keys=True),
        }
        return _inserted_id(connection.execute(tables.events.insert().values(**row)))

    def _latest_rows(self, connection: sa.Connection, year: str) -> list[Row]:
        """Each authority's verdict row in its latest run of `year`, by name."""
        rows = connection.execute(
            sa.select(tables.verdicts).where(tables.verdicts.c.year == year).order_by(tables.verdicts.c.run_id)
        ).mappings().all()
        latest: dict[str, Row] = {}
        for row in rows:
            latest[row["key"]] = row
        return sorted(latest.values(), key=lambda row: name_key(row["authority"]))

    def _find(self, connection: sa.Connection, authority: str, year: str | None) -> _Target | None:
        """An authority by name (loosely compared) or ONS code: its latest verdict row of
        `year` (of any year when None), or None."""
        wanted = name_key(authority)
        query = sa.select(tables.verdicts).order_by(tables.verdicts.c.run_id.desc()).where(
            sa.or_(tables.verdicts.c.code == authority, tables.verdicts.c.key == authority,
                   tables.verdicts.c.authority == authority)
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
            return _Target(None, row["authority"], row["code"], row["year"])
        return _Target(row, row["authority"], row["code"], year)

    def _target(self, connection: sa.Connection, authority: str, year: str) -> _Target:
        """The latest verdict of an authority for a year, or a StoreError saying what is wrong."""
        _check_year(year)
        found = self._find(connection, _required(authority, "the authority"), year)
        if found is None:
            if not connection.execute(
                sa.select(tables.verdicts.c.run_id).where(tables.verdicts.c.year == year).limit(1)
            ).first():
                self._no_run(connection, year)
            self._unknown_authority(connection, authority, year)
        assert found is not None
        return found

    def _known(self, connection: sa.Connection, authority: str, year: str) -> _Target:
        """An authority known to the store in any year, for acts that need no run of `year`
        (self-assessments, offers); bound to the year's latest run when there is one."""
        _check_year(year)
        found = self._find(connection, _required(authority, "the authority"), year)
        if found is not None:
            return found
        anywhere = self._find(connection, authority, None)
        if anywhere is None:
            self._unknown_authority(connection, authority, None)
        assert anywhere is not None
        return _Target(None, anywhere.authority, anywhere.code, year)

    def _no_run(self, connection: sa.Connection, year: str) -> None:
        years = sorted(
            {row[0] for row in connection.execute(sa.select(tables.verdicts.c.year).distinct())}, key=year_start
        )
        held = f"it holds {', '.join(years)}" if years else "it holds no runs yet"
        raise StoreError(f"no run for {year} in the store: {held}")

    def _unknown_authority(self, connection: sa.Connection, authority: str, year: str | None) -> None:
        query = sa.select(tables.verdicts.c.authority).distinct()
        if year is not None:
            query = query.where(tables.verdicts.c.year == year)
        names = sorted(row[0] for row in connection.execute(query))
        if not names:
            raise StoreError(f"no authority {authority!r}: the store holds no runs yet")
        hint = did_you_mean(authority, names)
        where = f"the runs of {year}" if year else "the store"
        raise StoreError(f"no authority {authority!r} in {where}" + (f" ({hint})" if hint else ""))

    def _rulebook_of_run(self, connection: sa.Connection, run: int | None) -> dict[str, Any]:
        text = connection.execute(sa.select(tables.runs.c.rulebook).where(tables.runs.c.id == run)).scalar()
        if text is None:
            raise StoreError(f"no run {run} in the store")
        return json.loads(text)  # type: ignore[no-any-return]

    def _latest_rules(self, connection: sa.Connection) -> dict[str, Any]:
        text = connection.execute(
            sa.select(tables.runs.c.rulebook).order_by(tables.runs.c.id.desc()).limit(1)
        ).scalar()
        if text is None:
            raise StoreError("the store holds no runs yet: record one first")
        return json.loads(text)  # type: ignore[no-any-return]

    def _events(self, connection: sa.Connection, where: Any) -> list[Event]:
        rows = connection.execute(
            sa.select(tables.events).where(where).order_by(tables.events.c.id)
        ).mappings().all()
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

    def _assessment(
        self, connection: sa.Connection, row: Row, results: dict[int, dict[str, Any]]
    ) -> dict[str, Any]:
        run_id = row["run_id"]
        if run_id not in results:
            text = connection.execute(sa.select(tables.runs.c.result).where(tables.runs.c.id == run_id)).scalar()
            results[run_id] = json.loads(text or "{}")
        return results[run_id]["assessments"][row["position"]]  # type: ignore[no-any-return]

    def _verdict(
        self,
        connection: sa.Connection,
        row: Row,
        *,
        latest: bool,
        results: dict[int, dict[str, Any]],
        events: list[Event] | None = None,
    ) -> Verdict:
        if events is None:
            events = self._events(
                connection, sa.and_(tables.events.c.key == row["key"], tables.events.c.year == row["year"])
            )
        mine = [event for event in events if event.run == row["run_id"] and event.year == row["year"]]
        finals = tuple(event for event in mine if event.kind == "finalise")
        decisions = tuple(event for event in mine if event.kind == "decide")
        final = finals[-1] if finals else None
        item = self._assessment(connection, row, results)
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
            flags=tuple(_counted_concerns(item)),
            provisional=item,
        )


_RUN_TEXT = ("id", "recorded_at", "recorded_by", "rulebook_digest", "rulebook_path", "package_version")
_EVENT_PLAIN = ("id", "kind", "run_id", "key", "authority", "code", "year", "by", "on", "at", "note")


def _counted_concerns(item: Row) -> list[str]:
    return [
        flag["trigger"] for flag in item.get("flags", ()) if flag.get("signal") == "concern" and flag.get("counted")
    ]


def _verdict_rows(run_id: int, data: Row) -> list[dict[str, Any]]:
    return [
        {
            "run_id": run_id,
            "position": position,
            "key": _key(item["authority"], item.get("code")),
            "authority": item["authority"],
            "code": item.get("code"),
            "year": item["year"],
            "level": item["level"],
            "tier": item["tier"],
        }
        for position, item in enumerate(data["assessments"])
    ]


def _inserted_id(result: sa.CursorResult[Any]) -> int:
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def _first_line(error: Exception) -> str:
    original = getattr(error, "orig", None) or error
    return str(original).strip().splitlines()[0] if str(original).strip() else type(original).__name__

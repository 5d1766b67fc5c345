"""Opening a store: the URL, the engine (SQLite's writes serialised), and the schema brought to
the newest revision, or refused when it is newer than this package knows."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from ..._version import __version__
from . import tables
from .errors import POSTGRES_HINT, StoreError

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# Two processes opening a new PostgreSQL store at once must not both create its tables.
MIGRATION_LOCK = 0x5C1_2013
WRITE_LOCK = 0x5C1_2014


def store_url(where: object) -> str:
    """A SQLAlchemy URL for `where`: a URL as given, or a path to a SQLite file."""
    if isinstance(where, os.PathLike):
        where = os.fspath(where)
    if not isinstance(where, str):
        raise StoreError(f"the store is a path or a database URL, not {type(where).__name__} {where!r}")
    text = where.strip()
    if not text:
        raise StoreError("the store is a path or a database URL, not empty text")
    if "\x00" in text:
        raise StoreError(f"the store's path or URL holds a NUL character: {text!r}")
    slip = _url_slip(text)
    if slip:
        raise StoreError(slip)
    if "://" in text:
        return text
    path = Path(text).expanduser()
    if not path.parent.is_dir():
        raise StoreError(f"no such folder for the store: {path.parent}")
    return f"sqlite:///{path.resolve()}"


def _url_slip(text: str) -> str | None:
    """A URL mistyped in a way SQLAlchemy would take for something else, with what was meant."""
    scheme, sep, rest = text.partition(":")
    if not sep or not scheme.lower().startswith("sqlite"):
        return None
    if rest.startswith("//") and not rest.startswith("///") and rest[2:]:
        path = rest[2:]  # sqlite://sli.db: two slashes make "sli.db" a host name, and SQLite has none
    elif not rest.startswith("//"):
        path = rest.lstrip("/")
    else:
        return None
    return f"not a SQLite URL: {text!r} (did you mean '{scheme}:///{path}'? three slashes, then the path)"


def shown_url(url: sa.URL) -> str:
    return url.render_as_string(hide_password=True)


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def schema_head() -> str:
    """The newest schema revision this version of the package writes."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def known_revisions() -> set[str]:
    """Every schema revision this version of the package knows."""
    return {item.revision for item in ScriptDirectory.from_config(alembic_config()).walk_revisions()}


def migrate(engine: sa.Engine, revision: str = "head") -> None:
    """Bring a database to `revision` (the newest by default), in one transaction."""
    config = alembic_config()
    script = ScriptDirectory.from_config(config)
    known = {item.revision for item in script.walk_revisions()}
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(sa.text("select pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
        current = MigrationContext.configure(connection).get_current_revision()
        if current is not None and current not in known:
            requires = None
            if sa.inspect(connection).has_table("meta"):
                requires = connection.execute(
                    sa.select(tables.meta.c.value).where(tables.meta.c.key == "requires")
                ).scalar()
            needed = f"sli-rules {requires} or newer" if requires else "a newer sli-rules"
            raise StoreError(
                f"{shown_url(engine.url)} has schema revision {current}, written by a newer version: it needs "
                f"{needed}; this is sli-rules {__version__}, which knows schema revisions up to {schema_head()}"
            )
        if current == (schema_head() if revision == "head" else revision):
            return
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def make_engine(url_text: str) -> sa.Engine:
    try:
        url = sa.make_url(url_text)
    except sa.exc.ArgumentError:
        raise StoreError(f"not a path or a database URL: {url_text!r}") from None
    except ValueError:
        # SQLAlchemy reads what follows the host's last colon as the port: "h:abc", "[::1".
        raise StoreError(
            f"not a database URL: {_hidden(url_text)} (its host and port do not read: a port is a number, an "
            "IPv6 address stands in brackets, like postgresql+psycopg://user@[::1]:5432/db)"
        ) from None
    if url.port is not None and not 0 < url.port < 65536:
        raise StoreError(f"not a database URL: {shown_url(url)} (port {url.port} is not from 1 to 65535)")
    try:
        if url.get_backend_name() == "sqlite":
            engine = sa.create_engine(url, connect_args={"timeout": 60})
            serialise_sqlite_writes(engine)
            return engine
        return sa.create_engine(url, pool_pre_ping=True)
    except sa.exc.NoSuchModuleError as error:
        if url.drivername.split("+")[0] == "postgres":
            raise StoreError(
                f"no database kind 'postgres' in {shown_url(url)}: did you mean "
                f"'{shown_url(url.set(drivername='postgresql+psycopg'))}'?"
            ) from None
        hint = POSTGRES_HINT if url.get_backend_name() == "postgresql" else "install the database's driver"
        raise StoreError(f"no driver for {shown_url(url)} ({error}): {hint}") from None
    except sa.exc.ArgumentError as error:
        raise StoreError(f"not a database URL SQLAlchemy can use: {shown_url(url)}: {first_line(error)}") from None
    except ImportError as error:
        hint = POSTGRES_HINT if url.get_backend_name() == "postgresql" else "install the database's driver"
        raise StoreError(f"no driver for {shown_url(url)} ({error}): {hint}") from None


def serialise_sqlite_writes(engine: sa.Engine) -> None:
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


def serialise_postgresql_writes(connection: sa.Connection) -> None:
    """PostgreSQL: a write transaction waits for any other to end (a lock held to its end),
    as SQLite's BEGIN IMMEDIATE does, so that the checks of the cycle's order see every act
    written before."""
    if connection.dialect.name == "postgresql":
        connection.execute(sa.text("select pg_advisory_xact_lock(:key)"), {"key": WRITE_LOCK})


def _hidden(url_text: str) -> str:
    """A URL that could not be read, with any password in it hidden."""
    head, at, tail = url_text.rpartition("@")
    if not at:
        return url_text
    scheme, sep, user = head.partition("://")
    name, colon, _ = user.partition(":")
    return f"{scheme}{sep}{name}{':***' if colon else ''}@{tail}"


def inserted_id(result: sa.CursorResult[Any]) -> int:
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def first_line(error: Exception) -> str:
    original = getattr(error, "orig", None) or error
    return str(original).strip().splitlines()[0] if str(original).strip() else type(original).__name__

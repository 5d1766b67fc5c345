"""The store's tests run on SQLite and on a real PostgreSQL server: the `db` fixture gives an
empty store's address on each (a schema of its own on PostgreSQL)."""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

POSTGRES_VARIABLE = "SLI_RULES_TEST_POSTGRES"
POSTGRES_SKIP = (
    f"PostgreSQL store tests skipped: {POSTGRES_VARIABLE} is not set. Run .ci/postgres (as root) and "
    f'export {POSTGRES_VARIABLE}="$(.ci/postgres)"; .ci/run does both'
)
BACKENDS = ("sqlite", "postgresql")


def _postgres_schema() -> Iterator[str]:
    sqlalchemy = pytest.importorskip("sqlalchemy", reason="the store's tests need the store extra")
    url = os.environ.get(POSTGRES_VARIABLE)
    if not url:
        pytest.skip(POSTGRES_SKIP)
    schema = f"t_{uuid.uuid4().hex[:12]}"
    engine = sqlalchemy.create_engine(url)
    with engine.begin() as connection:
        connection.execute(sqlalchemy.text(f"create schema {schema}"))
    separator = "&" if "?" in url else "?"
    try:
        yield f"{url}{separator}options=-csearch_path%3D{schema}"
    finally:
        with engine.begin() as connection:
            connection.execute(sqlalchemy.text(f"drop schema {schema} cascade"))
        engine.dispose()


@pytest.fixture(params=BACKENDS)
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty store's address: a SQLite path, or a PostgreSQL URL with its own schema."""
    if request.param == "sqlite":
        pytest.importorskip("sqlalchemy", reason="the store's tests need the store extra")
        yield str(tmp_path / "sli.db")
    else:
        yield from _postgres_schema()


@pytest.fixture
def other_db(request: pytest.FixtureRequest, db: str, tmp_path: Path) -> Iterator[str]:
    """A second empty store on the same backend as `db`."""
    if "://" in db:
        yield from _postgres_schema()
    else:
        yield str(tmp_path / "other.db")


def snapshot(db: str) -> dict[str, Any]:
    """Everything in a store, as exported: to show that a refused act wrote nothing."""
    from sli_rules.cycle.store.api import Store

    with Store(db) as store:
        return json.loads(json.dumps(store.export()))

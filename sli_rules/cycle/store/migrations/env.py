"""Alembic's environment for the store: always run on a connection the Store opened, inside
its transaction, so that a migration and the open that asked for it succeed or fail together."""

from __future__ import annotations

from alembic import context

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=None, transaction_per_migration=False)
with context.begin_transaction():
    context.run_migrations()

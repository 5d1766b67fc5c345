"""Runs (whole recorded results) and events (every act on a verdict), append-only.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    meta = op.create_table(
        "meta",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
    )
    op.create_table(
        "runs",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("recorded_at", sa.String(40), nullable=False),
        sa.Column("recorded_by", sa.Text, nullable=False),
        sa.Column("rulebook_digest", sa.String(80), nullable=False),
        sa.Column("rulebook_path", sa.Text, nullable=False),
        sa.Column("package_version", sa.String(40), nullable=False),
        sa.Column("sources", sa.Text, nullable=False),
        sa.Column("rulebook", sa.Text, nullable=False),
        sa.Column("result", sa.Text, nullable=False),
    )
    op.create_table(
        "events",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id")),
        sa.Column("key", sa.Text, nullable=False),
        sa.Column("authority", sa.Text, nullable=False),
        sa.Column("code", sa.Text),
        sa.Column("year", sa.String(16), nullable=False),
        sa.Column("by", sa.Text, nullable=False),
        sa.Column("on", sa.String(10), nullable=False),
        sa.Column("at", sa.String(40), nullable=False),
        sa.Column("note", sa.Text),
        sa.Column("data", sa.Text, nullable=False),
    )
    op.create_index("events_by_authority", "events", ["key", "year"])
    op.create_index("events_by_year", "events", ["year", "kind"])
    op.bulk_insert(meta, [{"key": "requires", "value": "0.1.0"}])


def downgrade() -> None:
    op.drop_table("events")
    op.drop_table("runs")
    op.drop_table("meta")

"""The store's tables (SQLAlchemy Core), as the newest migration leaves them.

Nothing is updated in place: `runs` and `events` only ever gain rows; `verdicts` is an index
of each run's verdicts, written in the same transaction as its run; `meta` says which version
of the package a store's schema needs.
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

meta = sa.Table(
    "meta",
    metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)

runs = sa.Table(
    "runs",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("recorded_at", sa.String(40), nullable=False),
    sa.Column("recorded_by", sa.Text, nullable=False),
    sa.Column("rulebook_digest", sa.String(80), nullable=False),
    sa.Column("rulebook_path", sa.Text, nullable=False),
    sa.Column("package_version", sa.String(40), nullable=False),
    sa.Column("sources", sa.Text, nullable=False),  # JSON: [{"path": ..., "sha256": ...}]
    sa.Column("rulebook", sa.Text, nullable=False),  # JSON: what later acts are checked against
    sa.Column("result", sa.Text, nullable=False),  # JSON: RegionAssessment.to_dict()
)

verdicts = sa.Table(
    "verdicts",
    metadata,
    sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id"), primary_key=True),
    sa.Column("position", sa.Integer, primary_key=True),
    sa.Column("key", sa.Text, nullable=False),  # the ONS code, else the name
    sa.Column("authority", sa.Text, nullable=False),
    sa.Column("code", sa.Text),
    sa.Column("year", sa.String(16), nullable=False),
    sa.Column("level", sa.Text, nullable=False),
    sa.Column("tier", sa.Text, nullable=False),
    sa.Index("verdicts_by_authority", "key", "year"),
    sa.Index("verdicts_by_year", "year"),
)

events = sa.Table(
    "events",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id")),  # the run an act was made on
    sa.Column("key", sa.Text, nullable=False),
    sa.Column("authority", sa.Text, nullable=False),
    sa.Column("code", sa.Text),
    sa.Column("year", sa.String(16), nullable=False),
    sa.Column("by", sa.Text, nullable=False),
    sa.Column("on", sa.String(10), nullable=False),  # the date of the act (a meeting, a decision)
    sa.Column("at", sa.String(40), nullable=False),  # when it was written into the store
    sa.Column("note", sa.Text),
    sa.Column("data", sa.Text, nullable=False),  # JSON: the act's own fields
    sa.Index("events_by_authority", "key", "year"),
    sa.Index("events_by_year", "year", "kind"),
)

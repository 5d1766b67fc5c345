"""An index of each run's verdicts (authority, year, level, tier), so that the current verdict
of an authority is found without reading every recorded result; filled from the runs already
recorded.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    verdicts = op.create_table(
        "verdicts",
        sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id"), primary_key=True),
        sa.Column("position", sa.Integer, primary_key=True),
        sa.Column("key", sa.Text, nullable=False),
        sa.Column("authority", sa.Text, nullable=False),
        sa.Column("code", sa.Text),
        sa.Column("year", sa.String(16), nullable=False),
        sa.Column("level", sa.Text, nullable=False),
        sa.Column("tier", sa.Text, nullable=False),
    )
    op.create_index("verdicts_by_authority", "verdicts", ["key", "year"])
    op.create_index("verdicts_by_year", "verdicts", ["year"])
    runs = sa.table("runs", sa.column("id", sa.Integer), sa.column("result", sa.Text))
    connection = op.get_bind()
    rows = []
    for run_id, result in connection.execute(sa.select(runs.c.id, runs.c.result)):
        for position, item in enumerate(json.loads(result)["assessments"]):
            rows.append(
                {
                    "run_id": run_id,
                    "position": position,
                    "key": item.get("code") or item["authority"],
                    "authority": item["authority"],
                    "code": item.get("code"),
                    "year": item["year"],
                    "level": item["level"],
                    "tier": item["tier"],
                }
            )
    if rows:
        op.bulk_insert(verdicts, rows)
    meta = sa.table("meta", sa.column("key", sa.String), sa.column("value", sa.Text))
    op.execute(meta.update().where(meta.c.key == "requires").values(value="0.1.0"))


def downgrade() -> None:
    op.drop_table("verdicts")

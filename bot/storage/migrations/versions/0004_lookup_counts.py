"""Lookups written as counts: one row per workspace, term (or miss) and flush, with `times`.

`/define` is the busiest request there is.  Writing one row per lookup cost
the flusher thread about 5% of the bot's interpreter time at 2,800 `/define`
a second (py-spy, `bench/load.py`), and grew the table by a row each time.
Rows written before this migration count once each (`times` defaults to 1).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("lookups") as batch:
        batch.add_column(sa.Column("times", sa.Integer, nullable=False, server_default="1"))


def downgrade() -> None:
    with op.batch_alter_table("lookups") as batch:
        batch.drop_column("times")

"""Workspaces on every row; fenced claims; counted and practice quizzes; shared rate budgets.

* Every table gains `enterprise_id` and `team_id` (empty for rows of release
  0.1, which `bot.storage.workspace_records.adopt_unowned` gives to the token's
  workspace in single-workspace mode), and every unique key and index a query
  filters by includes them.
* Quizzes and weekly posts gain a fence (a counter bumped by every retaken
  claim) and the time of their first claim (the anchor of the window searched
  for an earlier post).  Quizzes gain `counted` (a practice round is not) and
  `failure`; answers copy `counted` so the leaderboard reads one table.
* Practice answers gain the nonce of the question shown, unique.
* New tables: `workspaces` (install state and per-workspace settings) and
  `rate_budgets` (Slack rate tiers shared by every process).
* `schema_version`, release 0.1's own bookkeeping, gives way to Alembic's.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.storage.engine import UtcDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def _ws() -> list[sa.Column[str]]:
    return [
        sa.Column("enterprise_id", sa.String(32), nullable=False, server_default=""),
        sa.Column("team_id", sa.String(32), nullable=False, server_default=""),
    ]


def _replace_primary_key(table: str, columns: list[str], name: str) -> None:
    """SQLite rebuilds the table around the new key; PostgreSQL swaps the constraint."""
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        new = sa.Table(table, sa.MetaData(), autoload_with=bind)
        for column in new.columns:
            column.primary_key = column.name in columns
        new.append_constraint(sa.PrimaryKeyConstraint(*columns, name=name))
        with op.batch_alter_table(table, recreate="always", copy_from=new):
            pass
    else:
        op.drop_constraint(f"{table}_pkey", table, type_="primary")
        op.create_primary_key(name, table, columns)


def upgrade() -> None:
    op.drop_table("schema_version")
    op.create_table(
        "workspaces",
        *_ws(),
        sa.Column("is_enterprise_install", sa.Boolean, nullable=False, server_default="0"),
        sa.Column("installed_at", UtcDateTime, nullable=False),
        sa.Column("uninstalled_at", UtcDateTime),
        sa.Column("quiz_admins", sa.Text),
        sa.Column("glossary_owners", sa.Text),
        sa.Column("review_channel", sa.String(32)),
        sa.Column("default_timezone", sa.String(64)),
        sa.Column("updated_at", UtcDateTime, nullable=False),
        sa.PrimaryKeyConstraint("enterprise_id", "team_id"),
    )
    op.create_table(
        "rate_budgets",
        *_ws(),
        sa.Column("name", sa.String(40), nullable=False),
        sa.Column("window_start", UtcDateTime, nullable=False),
        sa.Column("used", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("enterprise_id", "team_id", "name", name="pk_rate_budgets"),
    )

    with op.batch_alter_table("schedules") as batch:
        for column in _ws():
            batch.add_column(column)
        batch.add_column(sa.Column("last_error", sa.String(64)))
        batch.add_column(sa.Column("last_error_at", UtcDateTime))
    _replace_primary_key("schedules", ["enterprise_id", "team_id", "channel_id"], "pk_schedules")

    with op.batch_alter_table("quizzes") as batch:
        for column in _ws():
            batch.add_column(column)
        batch.add_column(sa.Column("counted", sa.Boolean, nullable=False, server_default=sa.true()))
        batch.add_column(sa.Column("fence", sa.Integer, nullable=False, server_default="1"))
        batch.add_column(sa.Column("first_claimed_at", UtcDateTime))
        batch.add_column(sa.Column("failure", sa.String(64)))
        batch.drop_constraint("uq_quizzes_channel_slot", type_="unique")
        batch.create_unique_constraint(
            "uq_quizzes_ws_channel_slot", ["enterprise_id", "team_id", "channel_id", "slot"]
        )
        batch.drop_index("ix_quizzes_channel_id")
        batch.create_index("ix_quizzes_ws_channel", ["enterprise_id", "team_id", "channel_id", "id"])
        batch.create_index("ix_quizzes_first_claimed", ["first_claimed_at"])
    op.execute("UPDATE quizzes SET first_claimed_at = claimed_at")

    with op.batch_alter_table("answers") as batch:
        for column in _ws():
            batch.add_column(column)
        batch.add_column(sa.Column("counted", sa.Boolean, nullable=False, server_default=sa.true()))
        batch.drop_index("ix_answers_channel_time")
        batch.drop_index("ix_answers_channel_user_time")
        batch.drop_index("ix_answers_user")
        batch.create_index(
            "ix_answers_ws_channel_time", ["enterprise_id", "team_id", "channel_id", "answered_at"]
        )
        batch.create_index(
            "ix_answers_ws_channel_user_time",
            ["enterprise_id", "team_id", "channel_id", "user_id", "answered_at"],
        )
        batch.create_index("ix_answers_ws_user", ["enterprise_id", "team_id", "user_id"])

    with op.batch_alter_table("weekly_posts") as batch:
        for column in _ws():
            batch.add_column(column)
        batch.add_column(sa.Column("fence", sa.Integer, nullable=False, server_default="1"))
        batch.add_column(sa.Column("first_claimed_at", UtcDateTime))
        batch.drop_constraint("uq_weekly_posts_channel_week", type_="unique")
        batch.create_unique_constraint(
            "uq_weekly_posts_ws_channel_week", ["enterprise_id", "team_id", "channel_id", "week"]
        )
        batch.create_index("ix_weekly_posts_week", ["week"])
    op.execute("UPDATE weekly_posts SET first_claimed_at = claimed_at")

    with op.batch_alter_table("lookups") as batch:
        for column in _ws():
            batch.add_column(column)
        batch.drop_index("ix_lookups_time")
        batch.create_index("ix_lookups_ws_time", ["enterprise_id", "team_id", "looked_up_at"])

    with op.batch_alter_table("practice_cards") as batch:
        for column in _ws():
            batch.add_column(column)
    _replace_primary_key(
        "practice_cards", ["enterprise_id", "team_id", "user_id", "term"], "pk_practice_cards"
    )

    with op.batch_alter_table("practice_answers") as batch:
        for column in _ws():
            batch.add_column(column)
        batch.add_column(sa.Column("nonce", sa.String(40)))
        batch.create_unique_constraint("uq_practice_answers_nonce", ["nonce"])
        batch.drop_index("ix_practice_answers_user")
        batch.create_index(
            "ix_practice_answers_ws_user", ["enterprise_id", "team_id", "user_id", "answered_at"]
        )


def downgrade() -> None:
    raise NotImplementedError("forward only: restore a backup to go back")

"""The schema of release 0.1.0, exactly as its `metadata.create_all()` made it.

A database made by that release has a `schema_version` table and no
`alembic_version`; `bot.storage.migrate` stamps it with this revision, so only
later revisions run on it.  A fresh database runs this one first.

Revision ID: 0001
Revises:
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.storage.engine import UtcDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "schema_version",
        sa.Column("version", sa.Integer, primary_key=True),
        sa.Column("applied_at", UtcDateTime, nullable=False),
    )
    op.create_table(
        "schedules",
        sa.Column("channel_id", sa.String(32), primary_key=True),
        sa.Column("local_time", sa.String(5), nullable=False),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("days", sa.String(40), nullable=False),
        sa.Column("updated_by", sa.String(32), nullable=False),
        sa.Column("updated_at", UtcDateTime, nullable=False),
    )
    op.create_table(
        "quizzes",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("channel_id", sa.String(32), nullable=False),
        sa.Column("slot", sa.String(32), nullable=False),
        sa.Column("term", sa.Text, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("prompt", sa.Text, nullable=False),
        sa.Column("choices", sa.Text, nullable=False),
        sa.Column("correct", sa.Integer, nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("message_ts", sa.String(32)),
        sa.Column("claimed_by", sa.String(64), nullable=False),
        sa.Column("claimed_at", UtcDateTime, nullable=False),
        sa.Column("posted_at", UtcDateTime),
        sa.Column("closes_at", UtcDateTime, nullable=False),
        sa.Column("closed_at", UtcDateTime),
        sa.Column("shown_count", sa.Integer, nullable=False, server_default="0"),
        sa.Column("count_updated_at", UtcDateTime),
        sa.UniqueConstraint("channel_id", "slot", name="uq_quizzes_channel_slot"),
    )
    op.create_index("ix_quizzes_state_closes", "quizzes", ["state", "closes_at"])
    op.create_index("ix_quizzes_channel_id", "quizzes", ["channel_id", "id"])
    op.create_table(
        "answers",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("quiz_id", sa.Integer, sa.ForeignKey("quizzes.id"), nullable=False),
        sa.Column("channel_id", sa.String(32), nullable=False),
        sa.Column("user_id", sa.String(32), nullable=False),
        sa.Column("choice", sa.Integer, nullable=False),
        sa.Column("correct", sa.Boolean, nullable=False),
        sa.Column("answered_at", UtcDateTime, nullable=False),
        sa.UniqueConstraint("quiz_id", "user_id", name="uq_answers_quiz_user"),
    )
    op.create_index("ix_answers_channel_time", "answers", ["channel_id", "answered_at"])
    op.create_index("ix_answers_channel_user_time", "answers", ["channel_id", "user_id", "answered_at"])
    op.create_index("ix_answers_user", "answers", ["user_id"])
    op.create_table(
        "weekly_posts",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("channel_id", sa.String(32), nullable=False),
        sa.Column("week", sa.String(10), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("message_ts", sa.String(32)),
        sa.Column("claimed_by", sa.String(64), nullable=False),
        sa.Column("claimed_at", UtcDateTime, nullable=False),
        sa.Column("posted_at", UtcDateTime),
        sa.UniqueConstraint("channel_id", "week", name="uq_weekly_posts_channel_week"),
    )
    op.create_table(
        "lookups",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("term", sa.Text),
        sa.Column("miss", sa.String(200)),
        sa.Column("looked_up_at", UtcDateTime, nullable=False),
    )
    op.create_index("ix_lookups_time", "lookups", ["looked_up_at"])
    op.create_table(
        "practice_cards",
        sa.Column("user_id", sa.String(32), primary_key=True),
        sa.Column("term", sa.String(200), primary_key=True),
        sa.Column("box", sa.Integer, nullable=False),
        sa.Column("due_at", UtcDateTime, nullable=False),
        sa.Column("misses", sa.Integer, nullable=False, server_default="0"),
        sa.Column("updated_at", UtcDateTime, nullable=False),
    )
    op.create_table(
        "practice_answers",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("user_id", sa.String(32), nullable=False),
        sa.Column("term", sa.Text, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("correct", sa.Boolean, nullable=False),
        sa.Column("answered_at", UtcDateTime, nullable=False),
    )
    op.create_index("ix_practice_answers_user", "practice_answers", ["user_id", "answered_at"])


def downgrade() -> None:
    raise NotImplementedError("forward only: restore a backup to go back")

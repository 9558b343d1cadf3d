"""Glossary suggestions and the approved overlay, per workspace.

* `suggestions`: a term or an edit proposed from Slack, waiting for an owner
  (pending → approved or rejected, with who decided, when and why).
* `glossary_changes`: approved changes, the overlay every process applies on
  top of the glossary file; kept with their history and retired once the file
  holds them (or conflicts with them).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.storage.engine import UtcDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def _ws() -> list[sa.Column[str]]:
    return [
        sa.Column("enterprise_id", sa.String(32), nullable=False, server_default=""),
        sa.Column("team_id", sa.String(32), nullable=False, server_default=""),
    ]


def upgrade() -> None:
    op.create_table(
        "suggestions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        *_ws(),
        sa.Column("author_id", sa.String(32), nullable=False),
        sa.Column("term_key", sa.String(200), nullable=False),
        sa.Column("base_term", sa.Text),
        sa.Column("fields", sa.Text, nullable=False),
        sa.Column("base_fields", sa.Text),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("decided_by", sa.String(32)),
        sa.Column("decided_at", UtcDateTime),
        sa.Column("reason", sa.Text),
        sa.Column("review_channel", sa.String(32)),
        sa.Column("review_ts", sa.String(32)),
    )
    op.create_index(
        "ix_suggestions_ws_state", "suggestions", ["enterprise_id", "team_id", "state", "author_id"]
    )
    op.create_table(
        "glossary_changes",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        *_ws(),
        sa.Column("suggestion_id", sa.Integer, sa.ForeignKey("suggestions.id"), nullable=False),
        sa.Column("term_key", sa.String(200), nullable=False),
        sa.Column("fields", sa.Text, nullable=False),
        sa.Column("base_fields", sa.Text),
        sa.Column("author_id", sa.String(32), nullable=False),
        sa.Column("approved_by", sa.String(32), nullable=False),
        sa.Column("approved_at", UtcDateTime, nullable=False),
        sa.Column("retired_at", UtcDateTime),
        sa.Column("retired_why", sa.String(32)),
        sa.UniqueConstraint("suggestion_id", name="uq_glossary_changes_suggestion"),
    )
    op.create_index("ix_glossary_changes_ws", "glossary_changes", ["enterprise_id", "team_id", "retired_at"])


def downgrade() -> None:
    raise NotImplementedError("forward only: restore a backup to go back")

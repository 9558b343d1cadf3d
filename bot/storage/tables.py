"""The bot's own tables, as they stand at the newest migration (SQLAlchemy Core).

Every table carries `enterprise_id` and `team_id` (see `bot.domain.workspace`), part of
every unique key and index that a query filters by.  Alembic migrations in
`migrations/versions` build exactly these tables from any earlier release;
`tests/storage/test_migrations.py` checks that the two agree.  The OAuth tables
(`slack_installations`, `slack_bots`, `slack_oauth_states`) belong to slack_sdk's
stores and are created by them.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
    true,
)

from bot.storage.engine import UtcDateTime

metadata = MetaData()


def _workspace_columns(primary: bool = False) -> list[Column[str]]:
    return [
        Column("enterprise_id", String(32), nullable=False, server_default="", primary_key=primary),
        Column("team_id", String(32), nullable=False, server_default="", primary_key=primary),
    ]


workspaces = Table(
    "workspaces",
    metadata,
    *_workspace_columns(primary=True),
    Column("is_enterprise_install", Boolean, nullable=False, server_default="0"),
    Column("installed_at", UtcDateTime, nullable=False),
    Column("uninstalled_at", UtcDateTime),
    Column("quiz_admins", Text),  # comma-separated user ids; NULL: the environment's default
    Column("glossary_owners", Text),
    Column("review_channel", String(32)),
    Column("default_timezone", String(64)),
    Column("updated_at", UtcDateTime, nullable=False),
)

schedules = Table(
    "schedules",
    metadata,
    *_workspace_columns(),
    Column("channel_id", String(32), nullable=False),
    Column("local_time", String(5), nullable=False),
    Column("timezone", String(64), nullable=False),
    Column("days", String(40), nullable=False),
    Column("updated_by", String(32), nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("last_error", String(64)),  # why the last scheduled post failed, for /quiz status
    Column("last_error_at", UtcDateTime),
    PrimaryKeyConstraint("enterprise_id", "team_id", "channel_id", name="pk_schedules"),
)

quizzes = Table(
    "quizzes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("channel_id", String(32), nullable=False),
    Column("slot", String(32), nullable=False),
    Column("term", Text, nullable=False),
    Column("kind", String(16), nullable=False),
    Column("prompt", Text, nullable=False),
    Column("choices", Text, nullable=False),  # JSON list of strings
    Column("correct", Integer, nullable=False),
    Column("state", String(16), nullable=False),  # bot.storage.statuses.QuizState
    Column("message_ts", String(32)),
    Column("claimed_by", String(64), nullable=False),
    Column("claimed_at", UtcDateTime, nullable=False),
    Column("posted_at", UtcDateTime),
    Column("closes_at", UtcDateTime, nullable=False),
    Column("closed_at", UtcDateTime),
    Column("shown_count", Integer, nullable=False, server_default="0"),
    Column("count_updated_at", UtcDateTime),
    *_workspace_columns(),
    Column("counted", Boolean, nullable=False, server_default=true()),  # False: a practice round
    Column("fence", Integer, nullable=False, server_default="1"),  # +1 on every retaken claim
    Column("first_claimed_at", UtcDateTime),  # the recovery window's anchor
    Column("failure", String(64)),  # Slack's error when it could never be posted
    UniqueConstraint("enterprise_id", "team_id", "channel_id", "slot", name="uq_quizzes_ws_channel_slot"),
    Index("ix_quizzes_state_closes", "state", "closes_at"),
    Index("ix_quizzes_ws_channel", "enterprise_id", "team_id", "channel_id", "id"),
    Index("ix_quizzes_first_claimed", "first_claimed_at"),
)

answers = Table(
    "answers",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("quiz_id", Integer, ForeignKey("quizzes.id"), nullable=False),
    Column("channel_id", String(32), nullable=False),
    Column("user_id", String(32), nullable=False),
    Column("choice", Integer, nullable=False),
    Column("correct", Boolean, nullable=False),
    Column("answered_at", UtcDateTime, nullable=False),
    *_workspace_columns(),
    Column("counted", Boolean, nullable=False, server_default=true()),  # copied from the quiz
    UniqueConstraint("quiz_id", "user_id", name="uq_answers_quiz_user"),
    Index("ix_answers_ws_channel_time", "enterprise_id", "team_id", "channel_id", "answered_at"),
    Index(
        "ix_answers_ws_channel_user_time", "enterprise_id", "team_id", "channel_id", "user_id", "answered_at"
    ),
    Index("ix_answers_ws_user", "enterprise_id", "team_id", "user_id"),
)

weekly_posts = Table(
    "weekly_posts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("channel_id", String(32), nullable=False),
    Column("week", String(10), nullable=False),  # ISO week, e.g. 2026-W48
    Column("state", String(16), nullable=False),  # bot.storage.statuses.PostState
    Column("message_ts", String(32)),
    Column("claimed_by", String(64), nullable=False),
    Column("claimed_at", UtcDateTime, nullable=False),
    Column("posted_at", UtcDateTime),
    *_workspace_columns(),
    Column("fence", Integer, nullable=False, server_default="1"),
    Column("first_claimed_at", UtcDateTime),
    UniqueConstraint(
        "enterprise_id", "team_id", "channel_id", "week", name="uq_weekly_posts_ws_channel_week"
    ),
    Index("ix_weekly_posts_week", "week"),
)

lookups = Table(
    "lookups",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("term", Text),  # the term found, or NULL
    Column("miss", String(200)),  # the normalised search text that found nothing
    Column("looked_up_at", UtcDateTime, nullable=False),  # the last of them, when several
    Column("times", Integer, nullable=False, server_default="1"),  # lookups of it in one flush
    *_workspace_columns(),
    Index("ix_lookups_ws_time", "enterprise_id", "team_id", "looked_up_at"),
)

practice_cards = Table(
    "practice_cards",
    metadata,
    *_workspace_columns(),
    Column("user_id", String(32), nullable=False),
    Column("term", String(200), nullable=False),
    Column("box", Integer, nullable=False),
    Column("due_at", UtcDateTime, nullable=False),
    Column("misses", Integer, nullable=False, server_default="0"),
    Column("updated_at", UtcDateTime, nullable=False),
    PrimaryKeyConstraint("enterprise_id", "team_id", "user_id", "term", name="pk_practice_cards"),
)

practice_answers = Table(
    "practice_answers",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("user_id", String(32), nullable=False),
    Column("term", Text, nullable=False),
    Column("kind", String(16), nullable=False),
    Column("correct", Boolean, nullable=False),
    Column("answered_at", UtcDateTime, nullable=False),
    *_workspace_columns(),
    Column("nonce", String(40)),  # the question shown; a second submission of it changes nothing
    UniqueConstraint("nonce", name="uq_practice_answers_nonce"),
    Index("ix_practice_answers_ws_user", "enterprise_id", "team_id", "user_id", "answered_at"),
)

rate_budgets = Table(
    "rate_budgets",
    metadata,
    *_workspace_columns(),
    Column("name", String(40), nullable=False),  # e.g. views.publish
    Column("window_start", UtcDateTime, nullable=False),
    Column("used", Integer, nullable=False),
    PrimaryKeyConstraint("enterprise_id", "team_id", "name", name="pk_rate_budgets"),
)

suggestions = Table(
    "suggestions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    *_workspace_columns(),
    Column("author_id", String(32), nullable=False),
    Column("term_key", String(200), nullable=False),  # the chain of changes it joins (see glossary_edits)
    Column("base_term", Text),  # the term an edit changes; NULL for a new term
    Column("fields", Text, nullable=False),  # JSON: the term as suggested
    Column("base_fields", Text),  # JSON: the term as it was when suggested (edits)
    Column("state", String(16), nullable=False),  # bot.storage.statuses.SuggestionState
    Column("created_at", UtcDateTime, nullable=False),
    Column("decided_by", String(32)),
    Column("decided_at", UtcDateTime),
    Column("reason", Text),
    Column("review_channel", String(32)),
    Column("review_ts", String(32)),
    Index("ix_suggestions_ws_state", "enterprise_id", "team_id", "state", "author_id"),
)

glossary_changes = Table(
    "glossary_changes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    *_workspace_columns(),
    Column("suggestion_id", Integer, ForeignKey("suggestions.id"), nullable=False),
    Column("term_key", String(200), nullable=False),  # the normalised name of the term changed
    Column("fields", Text, nullable=False),
    Column("base_fields", Text),
    Column("author_id", String(32), nullable=False),
    Column("approved_by", String(32), nullable=False),
    Column("approved_at", UtcDateTime, nullable=False),
    Column("retired_at", UtcDateTime),  # the file holds it now (or contradicts it)
    Column("retired_why", String(32)),
    UniqueConstraint("suggestion_id", name="uq_glossary_changes_suggestion"),
    Index("ix_glossary_changes_ws", "enterprise_id", "team_id", "retired_at"),
)

# Tables holding a workspace's data, children before parents: what forgetting a workspace deletes.
WORKSPACE_TABLES = (
    glossary_changes,
    suggestions,
    answers,
    quizzes,
    weekly_posts,
    schedules,
    lookups,
    practice_answers,
    practice_cards,
    rate_budgets,
)

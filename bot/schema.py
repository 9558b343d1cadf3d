"""Database tables, engine set-up and forward-only migrations (SQLAlchemy Core).

One schema serves SQLite (the default) and PostgreSQL.  `open_engine(url)`
configures each for concurrent use: SQLite gets WAL mode, a busy timeout and
`BEGIN IMMEDIATE` transactions (so two writers queue instead of failing with
"database is locked"); PostgreSQL gets pre-ping, so connections broken by a
server restart are replaced.  `migrate(engine)` brings any earlier schema
forward under a lock and never drops data; each step is recorded in
`schema_version`.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Connection,
    DateTime,
    Engine,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
    create_engine,
    event,
    insert,
    select,
    text,
)


class UtcDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in Python, stored naive in UTC so both databases agree."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database; pass an aware one")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return value.replace(tzinfo=UTC) if value is not None else None


metadata = MetaData()

schema_version = Table(
    "schema_version",
    metadata,
    Column("version", Integer, primary_key=True),
    Column("applied_at", UtcDateTime, nullable=False),
)

schedules = Table(
    "schedules",
    metadata,
    Column("channel_id", String(32), primary_key=True),
    Column("local_time", String(5), nullable=False),
    Column("timezone", String(64), nullable=False),
    Column("days", String(40), nullable=False),
    Column("updated_by", String(32), nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
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
    Column("state", String(16), nullable=False),  # claimed, posted, closing, closed, failed
    Column("message_ts", String(32)),
    Column("claimed_by", String(64), nullable=False),
    Column("claimed_at", UtcDateTime, nullable=False),
    Column("posted_at", UtcDateTime),
    Column("closes_at", UtcDateTime, nullable=False),
    Column("closed_at", UtcDateTime),
    Column("shown_count", Integer, nullable=False, server_default="0"),
    Column("count_updated_at", UtcDateTime),
    UniqueConstraint("channel_id", "slot", name="uq_quizzes_channel_slot"),
    Index("ix_quizzes_state_closes", "state", "closes_at"),
    Index("ix_quizzes_channel_id", "channel_id", "id"),
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
    UniqueConstraint("quiz_id", "user_id", name="uq_answers_quiz_user"),
    Index("ix_answers_channel_time", "channel_id", "answered_at"),
    Index("ix_answers_channel_user_time", "channel_id", "user_id", "answered_at"),
    Index("ix_answers_user", "user_id"),
)

weekly_posts = Table(
    "weekly_posts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("channel_id", String(32), nullable=False),
    Column("week", String(10), nullable=False),  # ISO week, e.g. 2026-W48
    Column("state", String(16), nullable=False),  # claimed, posted, failed
    Column("message_ts", String(32)),
    Column("claimed_by", String(64), nullable=False),
    Column("claimed_at", UtcDateTime, nullable=False),
    Column("posted_at", UtcDateTime),
    UniqueConstraint("channel_id", "week", name="uq_weekly_posts_channel_week"),
)

lookups = Table(
    "lookups",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("term", Text),  # the term found, or NULL
    Column("miss", String(200)),  # the normalised search text that found nothing
    Column("looked_up_at", UtcDateTime, nullable=False),
    Index("ix_lookups_time", "looked_up_at"),
)

practice_cards = Table(
    "practice_cards",
    metadata,
    Column("user_id", String(32), primary_key=True),
    Column("term", String(200), primary_key=True),
    Column("box", Integer, nullable=False),
    Column("due_at", UtcDateTime, nullable=False),
    Column("misses", Integer, nullable=False, server_default="0"),
    Column("updated_at", UtcDateTime, nullable=False),
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
    Index("ix_practice_answers_user", "user_id", "answered_at"),
)


def _create_v1(conn: Connection) -> None:
    metadata.create_all(conn, checkfirst=True)


# Forward-only steps: (version, what it does). Append; never edit a released step.
MIGRATIONS: list[tuple[int, Callable[[Connection], None]]] = [
    (1, _create_v1),
]
LATEST = MIGRATIONS[-1][0]


def open_engine(url: str, pool_size: int = 10) -> Engine:
    """An engine configured for several threads and processes sharing one database."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _sqlite_connect(dbapi_conn: Any, _record: Any) -> None:
            dbapi_conn.isolation_level = None  # let the "begin" hook below start transactions
            cursor = dbapi_conn.cursor()
            cursor.execute("PRAGMA busy_timeout=30000")
            _use_wal(cursor)
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        # This process's transactions queue on a Python lock for SQLite's write
        # lock: SQLite's busy handler polls with sleeps that grow to 100 ms, which
        # gives long tails when several threads wait at once.  Other processes
        # still wait in the busy handler.
        writer = threading.Lock()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn: Connection) -> None:
            if not writer.acquire(timeout=30):
                raise sqlite3.OperationalError("database is locked (30 s waiting in this process)")
            conn.info["holds_writer"] = True
            try:
                # Take the write lock up front: a deferred transaction that later
                # writes can fail at once with "database is locked".
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            except BaseException:
                conn.info.pop("holds_writer", None)
                writer.release()
                raise

        @event.listens_for(engine, "commit")
        @event.listens_for(engine, "rollback")
        def _sqlite_end(conn: Connection) -> None:
            if conn.info.pop("holds_writer", False):
                writer.release()

        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=pool_size, max_overflow=pool_size * 2)


def _use_wal(cursor: Any) -> None:
    """Switch the file to WAL once; the mode is stored in the file, so later connections find it set.

    Changing the mode needs a lock that SQLite's busy handler does not wait for,
    so a first start with several connections at once retries briefly.
    """
    for attempt in range(50):
        if cursor.execute("PRAGMA journal_mode").fetchone()[0].lower() == "wal":
            return
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
        except sqlite3.OperationalError:
            time.sleep(0.02 * (attempt + 1))
    raise sqlite3.OperationalError("could not switch the SQLite database to WAL mode")


def migrate(engine: Engine, now: datetime | None = None) -> int:
    """Apply every migration not yet applied; return the schema version."""
    applied_at = now or datetime.now(UTC)
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            # Two processes starting together must not both create the tables.
            conn.execute(text("SELECT pg_advisory_xact_lock(4242001)"))
        schema_version.create(conn, checkfirst=True)
        done = set(conn.execute(select(schema_version.c.version)).scalars())
        for version, step in MIGRATIONS:
            if version not in done:
                step(conn)
                conn.execute(insert(schema_version).values(version=version, applied_at=applied_at))
    return LATEST

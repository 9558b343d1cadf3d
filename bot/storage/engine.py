"""Opening the database: one engine per process, configured for concurrent use.

SQLite (the default) gets WAL mode, a busy timeout and `BEGIN IMMEDIATE`
transactions queued on a process lock, so two writers queue instead of failing
with "database is locked" and without the busy handler's growing sleeps.
PostgreSQL gets pre-ping, so connections broken by a server restart are
replaced.  `UtcDateTime` stores aware datetimes as naive UTC in both.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, DateTime, Engine, TypeDecorator, create_engine, event


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


def normalise_url(url: str) -> str:
    """`postgres://` and `postgresql://` URLs use psycopg 3, the driver this project installs."""
    if url.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def open_engine(url: str, pool_size: int = 10) -> Engine:
    """An engine configured for several threads and processes sharing one database."""
    url = normalise_url(url)
    if not url.startswith("sqlite"):
        return create_engine(url, pool_pre_ping=True, pool_size=pool_size, max_overflow=pool_size * 2)
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

    # This process's transactions queue on a Python lock for SQLite's write lock:
    # SQLite's busy handler polls with sleeps that grow to 100 ms, which gives long
    # tails when several threads wait at once.  Other processes still wait in it.
    writer = threading.Lock()

    @event.listens_for(engine, "begin")
    def _sqlite_begin(conn: Connection) -> None:
        if not writer.acquire(timeout=30):
            raise sqlite3.OperationalError("database is locked (30 s waiting in this process)")
        conn.info["holds_writer"] = True
        try:
            # Take the write lock up front: a deferred transaction that later writes
            # can fail at once with "database is locked".
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

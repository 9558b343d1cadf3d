"""Opening the database: one engine per process, configured for concurrent use.

SQLite (the default) gets WAL mode, a busy timeout, and transactions that say
up front whether they will write, following SQLAlchemy's documented pysqlite
recipe ("Serializable isolation / Savepoints / Transactional DDL"): the driver's
own transaction handling is turned off and a "begin" event listener emits the
BEGIN.  Which BEGIN is the caller's choice, made with the `WRITES` execution
option (`Database.read()` sets it to False):

* a writer (the default) begins with `BEGIN IMMEDIATE`, taking SQLite's write
  lock up front; a deferred transaction that later writes can fail at once with
  "database is locked" when another connection wrote meanwhile;
* a reader begins with a deferred `BEGIN`, which in WAL mode reads a snapshot
  without waiting for any writer.

PostgreSQL gets pre-ping, so connections broken by a server restart are
replaced, and ignores `WRITES` (its transactions lock rows as they go; storage
uses SELECT ... FOR UPDATE where it reads before writing).  `UtcDateTime` stores
aware datetimes as naive UTC in both.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, DateTime, Engine, TypeDecorator, create_engine, event
from sqlalchemy.exc import DisconnectionError

log = logging.getLogger(__name__)


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
    # A pool as large as the threads that may hold a connection at once (the request and
    # Slack threads): SQLAlchemy's default for SQLite (5, and 10 more opened and closed on
    # demand) opened a connection, with its PRAGMAs, for most clicks of a burst (py-spy: 7%
    # of the bot's interpreter time in `bench/clicks.py`).
    engine = create_engine(
        url,
        connect_args={"timeout": 30, "check_same_thread": False},
        pool_size=SQLITE_POOL,
        max_overflow=SQLITE_POOL,
    )

    @event.listens_for(engine, "connect")
    def _sqlite_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # the driver's own BEGIN off: `_sqlite_begin` emits it
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA busy_timeout=30000")
        _use_wal(cursor)
        cursor.execute("PRAGMA synchronous=FULL")  # an acknowledged answer survives power loss
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _sqlite_begin(conn: Connection) -> None:
        writes = conn.get_execution_options().get(WRITES, True)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if writes else "BEGIN")

    @event.listens_for(engine, "before_cursor_execute")
    def _sqlite_statement(
        conn: Connection, _cursor: Any, statement: str, _params: Any, _context: Any, _many: bool
    ) -> None:
        if len(statement) > 2 * OVERSIZED and statement.count("?") > OVERSIZED:
            conn.info[_OVERSIZED] = True

    # SQLite keeps each connection's last 128 prepared statements.  A statement with a long
    # IN list is a new statement for every length, and big: a week's leaderboard names every
    # player twice.  Cached 128 at a time on every pooled connection, they grew a soak's RSS
    # from 106 to 226 MiB (`bench/soak.py`).  A connection that ran one is closed at its next
    # checkout, which frees its cache, and the pool opens a fresh one.
    @event.listens_for(engine, "checkout")
    def _sqlite_checkout(_dbapi_conn: Any, record: Any, _proxy: Any) -> None:
        if record.info.pop(_OVERSIZED, False):
            raise DisconnectionError("closing a connection that cached an oversized statement")

    return engine


WRITES = "study_lab_writes"  # execution option: False begins a SQLite transaction as a reader
_OVERSIZED = "sqlite_oversized"
SQLITE_POOL = 32  # pooled SQLite connections (and as many more on demand)
# Each pooled connection keeps a page cache of its own, which fills as the database grows: at
# SQLite's default (2,000 KiB) the pool's caches could reach 128 MB.  A soak's hot pages fit in
# 512 KiB, and a miss is a read from the operating system's cache (`bench/soak.py`).
SQLITE_CACHE_KIB = 512
OVERSIZED = 200  # bound parameters in one statement beyond which its connection is replaced


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

"""Opening the database: one engine per process, configured for concurrent use.

SQLite (the default) gets WAL mode, a busy timeout, and transactions that say
up front whether they will write.  A transaction whose first statement is a
plain SELECT is a reader: a deferred `BEGIN`, which in WAL mode reads a
snapshot without waiting for anyone.  Any other first statement (a write, or a
SELECT ... FOR UPDATE, which storage uses for read-then-write transactions, as
PostgreSQL needs too) makes a writer: `BEGIN IMMEDIATE`, queued on a process
lock, so two writers queue instead of failing with "database is locked" and
without the busy handler's growing sleeps.  A reader that writes after all is
upgraded (and logged): SQLite refuses that upgrade if another connection wrote
since the reader began.

Readers used to queue on the writer lock too.  With every `/define` reading a
workspace setting, sixteen request threads convoyed on it: a thread woken to
take the lock must then wait for the GIL, so the lock stayed held across GIL
hand-offs (`bench/load.py`).

PostgreSQL gets pre-ping, so connections broken by a server restart are
replaced.  `UtcDateTime` stores aware datetimes as naive UTC in both.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, DateTime, Engine, Select, TypeDecorator, create_engine, event
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
        dbapi_conn.isolation_level = None  # transactions are begun by the hooks below
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA busy_timeout=30000")
        _use_wal(cursor)
        cursor.execute("PRAGMA synchronous=FULL")  # an acknowledged answer survives power loss
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
        cursor.close()

    # This process's writers queue on a Python lock for SQLite's write lock:
    # SQLite's busy handler polls with sleeps that grow to 100 ms, which gives long
    # tails when several threads wait at once.  Other processes still wait in it.
    writer = threading.Lock()

    def take_writer(conn: Connection) -> None:
        if not writer.acquire(timeout=30):
            raise sqlite3.OperationalError("database is locked (30 s waiting in this process)")
        conn.info[_HOLDS_WRITER] = True

    @event.listens_for(engine, "begin")
    def _sqlite_begin(conn: Connection) -> None:
        conn.info[_STATE] = _PENDING  # BEGIN waits for the first statement, which says which kind

    @event.listens_for(engine, "before_cursor_execute")
    def _sqlite_statement(
        conn: Connection, cursor: Any, statement: str, _params: Any, context: Any, _many: bool
    ) -> None:
        if len(statement) > 2 * OVERSIZED and statement.count("?") > OVERSIZED:
            conn.info[_OVERSIZED] = True
        state = conn.info.get(_STATE)
        if state is None or state == _WRITER:
            return  # no transaction (DDL in autocommit), or already a writer
        if not _writes(statement, context):
            if state == _PENDING:
                cursor.execute("BEGIN")
                conn.info[_STATE] = _READER
            return
        take_writer(conn)
        try:
            if state == _PENDING:
                # Take the write lock up front: a deferred transaction that later writes
                # can fail at once with "database is locked".
                cursor.execute("BEGIN IMMEDIATE")
            elif not getattr(context, "isddl", False):  # schema set-up checks, then creates: expected
                log.warning("a transaction read before writing without FOR UPDATE: %.80s", statement)
        except BaseException:
            conn.info.pop(_HOLDS_WRITER, None)
            writer.release()
            raise
        conn.info[_STATE] = _WRITER

    # SQLite keeps each connection's last 128 prepared statements.  A statement with a long
    # IN list is a new statement for every length, and big: a week's leaderboard names every
    # player twice.  Cached 128 at a time on every pooled connection, they grew a soak's RSS
    # from 106 to 226 MiB (`bench/soak.py`).  A connection that ran one is closed at its next
    # checkout, which frees its cache, and the pool opens a fresh one.
    @event.listens_for(engine, "checkout")
    def _sqlite_checkout(_dbapi_conn: Any, record: Any, _proxy: Any) -> None:
        if record.info.pop(_OVERSIZED, False):
            raise DisconnectionError("closing a connection that cached an oversized statement")

    # SQLAlchemy announces a commit or rollback before it makes it.  A writer ends its
    # transaction here, first, and only then lets the next writer in: released any
    # earlier, the next BEGIN IMMEDIATE would meet SQLite's lock and sleep in its busy
    # handler.  SQLAlchemy's own commit then finds no transaction open and does nothing;
    # if ours failed, it tries again and reports the error as usual.
    @event.listens_for(engine, "commit")
    def _sqlite_commit(conn: Connection) -> None:
        _end(conn, "commit")

    @event.listens_for(engine, "rollback")
    def _sqlite_rollback(conn: Connection) -> None:
        _end(conn, "rollback")

    def _end(conn: Connection, how: str) -> None:
        conn.info.pop(_STATE, None)
        if conn.info.pop(_HOLDS_WRITER, False):
            try:
                getattr(conn.connection.dbapi_connection, how)()
            except sqlite3.Error:
                pass  # SQLAlchemy's own commit or rollback meets it again, and reports it
            finally:
                writer.release()

    return engine


_STATE, _HOLDS_WRITER, _OVERSIZED = "sqlite_transaction", "holds_writer", "sqlite_oversized"
SQLITE_POOL = 32  # pooled SQLite connections (and as many more on demand)
# Each pooled connection keeps a page cache of its own, which fills as the database grows: at
# SQLite's default (2,000 KiB) the pool's caches could reach 128 MB.  A soak's hot pages fit in
# 512 KiB, and a miss is a read from the operating system's cache (`bench/soak.py`).
SQLITE_CACHE_KIB = 512
OVERSIZED = 200  # bound parameters in one statement beyond which its connection is replaced
_PENDING, _READER, _WRITER = "pending", "reader", "writer"


def _writes(statement: str, context: Any) -> bool:
    """Whether a statement may write, or is a read that locks (SELECT ... FOR UPDATE / FOR SHARE).

    Unknown statements count as writes: the safe side, if not the fast one.
    """
    if "slack_" in statement:
        return True  # slack_sdk's OAuth stores read, then write, without FOR UPDATE
    compiled = getattr(context, "compiled", None)
    if compiled is not None and not getattr(context, "isddl", False):
        if context.is_crud:
            return True
        element = getattr(compiled, "statement", None)
        if isinstance(element, Select):
            return element._for_update_arg is not None
    head = statement.lstrip()[:6].upper()
    if head == "PRAGMA":
        return "=" in statement  # PRAGMA table_info(...) reads; PRAGMA x=y sets
    return head != "SELECT"


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

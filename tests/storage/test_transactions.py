"""SQLite transactions chosen by the caller (`bot.storage.engine`): `Database.begin()` writes,
`Database.read()` reads.  SQLite only: PostgreSQL has no such choice to make."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.storage.database import Database


@pytest.fixture
def db(sqlite_url: str) -> Iterator[Database]:
    opened = Database.open(sqlite_url)
    with opened.begin() as conn:
        conn.execute(text("CREATE TABLE counter (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)"))
        conn.execute(text("INSERT INTO counter VALUES (1, 0)"))
    yield opened
    opened.close()


def other_connection(sqlite_url: str) -> sqlite3.Connection:
    """A second connection that does not wait for a lock (timeout 0), in autocommit mode."""
    return sqlite3.connect(Path(sqlite_url.removeprefix("sqlite:///")), timeout=0, isolation_level=None)


def test_a_writer_holds_the_write_lock_from_its_begin(db: Database, sqlite_url: str) -> None:
    other = other_connection(sqlite_url)
    try:
        # No statement yet: the lock is taken by BEGIN IMMEDIATE itself.
        with db.begin(), pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("BEGIN IMMEDIATE")
        other.execute("BEGIN IMMEDIATE")  # free again once the writer ended
        other.execute("ROLLBACK")
    finally:
        other.close()


def test_a_reader_reads_while_another_connection_writes(db: Database, sqlite_url: str) -> None:
    other = other_connection(sqlite_url)
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("UPDATE counter SET n = 5")
        began = time.monotonic()
        with db.read() as conn:
            assert conn.execute(text("SELECT n FROM counter")).scalar_one() == 0  # the last commit
        assert time.monotonic() - began < 1  # it did not wait for the writer (busy timeout: 30 s)
        other.execute("COMMIT")
    finally:
        other.close()


def test_writers_that_read_first_never_lose_an_update(db: Database) -> None:
    """Read, then write, in threads at once: a deferred BEGIN would fail some with "database is
    locked" (SQLite cannot upgrade a reader once another connection has written)."""
    errors: list[BaseException] = []

    def add_one(times: int) -> None:
        try:
            for _ in range(times):
                with db.begin() as conn:
                    n = conn.execute(text("SELECT n FROM counter WHERE id = 1")).scalar_one()
                    time.sleep(0.001)  # let another thread read the same value meanwhile
                    conn.execute(text("UPDATE counter SET n = :n WHERE id = 1"), {"n": n + 1})
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=add_one, args=(25,)) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with db.read() as conn:
        assert conn.execute(text("SELECT n FROM counter")).scalar_one() == 100

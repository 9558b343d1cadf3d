"""`Database`: the engine every storage module shares, plus the few SQL pieces they all use.

`Database.open(url)` opens the engine (`engine.open_engine`); `migrate()` brings
the schema to the newest revision.  `in_workspace` and `workspace_values` are how
every module keeps rows apart by workspace; `right_answers` is the one
definition of "points".
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import ColumnElement, Connection, Engine, MetaData, Table, and_, case, func
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from bot.domain.workspace import Workspace
from bot.storage.engine import WRITES, open_engine
from bot.storage.migrate import migrate


class Database:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._reader = engine.execution_options(**{WRITES: False})  # same pool, same events

    @classmethod
    def open(cls, url: str) -> Database:
        return cls(open_engine(url))

    def migrate(self, also: Sequence[MetaData] = ()) -> str:
        return migrate(self.engine, also)

    @property
    def is_postgres(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        """A transaction that may write (on SQLite, `BEGIN IMMEDIATE`: it takes the write lock now)."""
        with self.engine.begin() as conn:
            yield conn

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A transaction that only reads (on SQLite, a deferred `BEGIN`: it waits for no writer).

        Writing in one is a mistake: SQLite may refuse it with "database is locked".
        """
        with self._reader.begin() as conn:
            yield conn

    def insert(self, table: Table) -> Any:
        """An INSERT that supports `.on_conflict_do_nothing()` on either database."""
        return (pg_insert if self.is_postgres else sqlite_insert)(table)

    def close(self) -> None:
        self.engine.dispose()


def in_workspace(table: Table, ws: Workspace) -> ColumnElement[bool]:
    return and_(table.c.enterprise_id == ws.enterprise_id, table.c.team_id == ws.team_id)


def workspace_values(ws: Workspace) -> dict[str, str]:
    return {"enterprise_id": ws.enterprise_id, "team_id": ws.team_id}


def right_answers(correct: Any) -> Any:
    """How many rows have `correct` true: the points of a board, the "right" of a progress."""
    return func.coalesce(func.sum(case((correct, 1), else_=0)), 0)

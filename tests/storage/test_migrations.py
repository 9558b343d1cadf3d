"""Alembic migrations on SQLite and PostgreSQL: a fresh database gets exactly the tables the
code declares, and a database made by release 0.1.0 (`release_0_1/`, dumped from that
release with rows in every table) upgrades in place with every row kept."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, create_engine, text

from bot.domain.workspace import UNOWNED, Workspace
from bot.storage import Storage
from bot.storage.engine import open_engine
from bot.storage.migrate import head, migrate
from bot.storage.tables import metadata
from tests.storage.test_storage import together

RELEASE = Path(__file__).parent / "release_0_1"
# What release 0.1's dump holds, table by table (see release_0_1/sqlite.sql).
RELEASE_ROWS = {
    "schedules": 2,
    "quizzes": 2,
    "answers": 3,
    "weekly_posts": 1,
    "lookups": 2,
    "practice_cards": 2,
    "practice_answers": 2,
}


def load_release(url: str, tmp_path: Path) -> None:
    """Make the database release 0.1 made: its own schema and rows, from its dump."""
    if url.startswith("sqlite"):
        path = url.removeprefix("sqlite:///")
        with sqlite3.connect(path) as conn:
            conn.executescript((RELEASE / "sqlite.sql").read_text())
        return
    statements = [
        line for line in (RELEASE / "postgresql.sql").read_text().splitlines() if not line.startswith("\\")
    ]
    engine = create_engine(url)
    raw = engine.raw_connection()
    try:
        raw.cursor().execute("\n".join(statements))
        raw.commit()
    finally:
        raw.close()
        engine.dispose()


def rows(engine: Engine, table: str) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(text(f"SELECT * FROM {table}"))]  # noqa: S608 - our names


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    opened = open_engine(database_url)
    yield opened
    opened.dispose()


def test_a_fresh_database_gets_exactly_the_declared_tables(engine: Engine) -> None:
    assert migrate(engine) == head()
    with engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), metadata)
    assert differences == []


def test_migrating_again_changes_nothing(engine: Engine) -> None:
    migrate(engine)
    assert migrate(engine) == head()


def test_concurrent_migrations_agree(database_url: str) -> None:
    engines = [open_engine(database_url) for _ in range(4)]
    try:
        assert together(4, lambda i: migrate(engines[i])) == [head()] * 4
    finally:
        for e in engines:
            e.dispose()


def test_release_0_1_database_upgrades_in_place_with_every_row(database_url: str, tmp_path: Path) -> None:
    load_release(database_url, tmp_path)
    old = open_engine(database_url)
    before = {table: rows(old, table) for table in RELEASE_ROWS}
    old.dispose()
    assert {table: len(found) for table, found in before.items()} == RELEASE_ROWS
    storage = Storage.open(database_url)
    try:
        engine = storage.db.engine
        with engine.connect() as conn:
            differences = compare_metadata(MigrationContext.configure(conn), metadata)
        assert differences == []
        for table, old_rows in before.items():
            new_rows = rows(engine, table)
            assert len(new_rows) == len(old_rows), table
            for old in old_rows:  # every old column keeps its value; new columns start empty
                assert any(all(new[k] == v for k, v in old.items()) for new in new_rows), (table, old)
            assert all(r["team_id"] == "" and r["enterprise_id"] == "" for r in new_rows), table
        [quiz] = [q for q in rows(engine, "quizzes") if q["state"] == "posted"]
        assert (quiz["counted"], quiz["fence"], quiz["first_claimed_at"]) == (True, 1, quiz["claimed_at"])
        # Single-workspace mode then gives them to the token's workspace (bot.runtime does this at start).
        ws = Workspace("T1")
        assert storage.workspaces.adopt_unowned(ws) == sum(RELEASE_ROWS.values())
        assert storage.workspaces.adopt_unowned(ws) == 0
        assert storage.schedules.in_workspace(UNOWNED) == []
        assert len(storage.schedules.in_workspace(ws)) == 2
        posted_quiz = storage.quizzes.get(ws, quiz["id"])
        assert posted_quiz is not None and posted_quiz.message_ts == "1763886600.000001"
        assert storage.answers.tally(quiz["id"]) == (3, 1)
        assert storage.practice.cards(ws, "U1")["Drain"].box == 2
    finally:
        storage.close()

"""`python -m bot migrate`, the deployment's one-shot step, on SQLite and PostgreSQL: a fresh
database gets the newest schema, a second run changes nothing, and a database that does not
answer is named in one line."""

from __future__ import annotations

import socket

from sqlalchemy import create_engine, inspect

from bot.storage.migrate import head
from tests.support.cli import run_bot


def test_migrate_brings_a_fresh_database_to_the_newest_schema_once(database_url: str) -> None:
    first = run_bot("migrate", env={"DATABASE_URL": database_url})
    assert first.returncode == 0, first.stderr
    assert first.stdout.strip().endswith(f"schema at revision {head()}, the newest")
    assert f"database schema upgraded from an empty database to {head()}" in first.stderr
    engine = create_engine(database_url)
    try:
        assert {"alembic_version", "quizzes", "answers"} <= set(inspect(engine).get_table_names())
    finally:
        engine.dispose()
    again = run_bot("migrate", env={"DATABASE_URL": database_url})
    assert again.returncode == 0 and again.stderr == "", again.stderr


def test_migrate_names_a_database_that_does_not_answer() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"postgresql+psycopg://studylab:pw-s3cret@127.0.0.1:{port}/studylab"
    out = run_bot("migrate", env={"DATABASE_URL": url})
    assert out.returncode == 1
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1, out.stderr
    assert lines[0].startswith(
        f"DATABASE_URL postgresql+psycopg://studylab:***@127.0.0.1:{port}/studylab cannot"
    )
    assert "pw-s3cret" not in out.stderr and "Traceback" not in out.stderr

"""Shared fixtures: the fake Slack, databases (SQLite always, PostgreSQL when
TEST_DATABASE_URL is set) and the running bot."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.support.bot import RunningBot
from tests.support.slack_fake import SlackFake

PG_URL = os.environ.get("TEST_DATABASE_URL", "")
PG_SKIP = "TEST_DATABASE_URL is not set: PostgreSQL tests skipped (.ci/run sets it)"


def _pg_url() -> str:
    url = PG_URL
    if url.startswith(("postgresql://", "postgres://")):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def reset_postgres(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture
def pg_url() -> str:
    if not PG_URL:
        pytest.skip(PG_SKIP)
    url = _pg_url()
    reset_postgres(url)
    return url


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'bot.db'}"
    if not PG_URL:
        pytest.skip(PG_SKIP)
    url = _pg_url()
    reset_postgres(url)
    return url


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'bot.db'}"


@pytest.fixture
def fake() -> Iterator[SlackFake]:
    server = SlackFake()
    yield server
    server.close()


@pytest.fixture
def bot(fake: SlackFake, sqlite_url: str) -> Iterator[RunningBot]:
    running = RunningBot.start(fake, sqlite_url)
    yield running
    running.close()

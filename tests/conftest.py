"""Shared fixtures: the Slack stand-in, databases (SQLite always, PostgreSQL when
TEST_DATABASE_URL is set) and the running bot."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from bot.config import load_settings
from bot.runtime import Runtime, build_runtime
from bot.standin import Person, SlackStandIn
from bot.storage.engine import normalise_url
from tests.support.bot import FakeClock, RunningBot, bot_env

PG_URL = os.environ.get("TEST_DATABASE_URL", "")
PG_SKIP = "TEST_DATABASE_URL is not set: PostgreSQL tests skipped (.ci/run sets it)"
# Channels the bot of workspace T1 has been invited to; any other channel refuses its posts.
JOINED = ("C100", "C200", "C300", "C400", "C900")


def _pg_url() -> str:
    return normalise_url(PG_URL)


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
def fake() -> Iterator[SlackStandIn]:
    server = SlackStandIn()
    for channel in JOINED:
        server.join(channel)
    # A workspace admin (users.info says so): with QUIZ_ADMINS unset, the one who may manage the quiz.
    server.state.add_person(Person("U100", "Quinn Admin", is_admin=True))
    yield server
    server.close()


@pytest.fixture
def start_bot(fake: SlackStandIn, sqlite_url: str) -> Iterator[Callable[..., RunningBot]]:
    """Start the bot on this test's database with a clock the test moves (the stand-in's clock
    follows it, so Slack's timestamps agree); every bot started is closed at the end."""
    started: list[RunningBot] = []

    def start(clock: FakeClock, **options: Any) -> RunningBot:
        fake.clock = lambda: clock().timestamp()
        running = RunningBot.start(fake, sqlite_url, clock=clock, **options)
        started.append(running)
        return running

    yield start
    for running in started:
        running.close()


@pytest.fixture
def bot(fake: SlackStandIn, sqlite_url: str) -> Iterator[RunningBot]:
    running = RunningBot.start(fake, sqlite_url)
    yield running
    running.close()


@pytest.fixture
def runtime(fake: SlackStandIn, database_url: str) -> Iterator[Runtime]:
    """The wired bot (services, storage, app) on each database, without an HTTP server: for tests
    that call listeners and services directly."""
    built = build_runtime(load_settings(bot_env(fake, database_url)))
    yield built
    built.close()

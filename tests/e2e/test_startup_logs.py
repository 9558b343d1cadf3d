"""What `python -m bot run` logs when it starts: one start line, the migration once, no scheduler chatter.

The bot runs as a process against the stand-in; on PostgreSQL (when
TEST_DATABASE_URL is set) its URL carries a password, which the start line hides.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy import make_url

from bot.standin import SlackStandIn
from tests.support.bot import bot_env
from tests.support.cli import start_bot

IDLE_SECONDS = 2  # the scheduler adds its jobs at start, and runs the first ones at once


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def logs_of_a_start(database_url: str, level: str = "INFO") -> str:
    fake = SlackStandIn()
    port = free_port()
    env = bot_env(fake, database_url, PORT=str(port), LOG_LEVEL=level)
    proc = start_bot(env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    assert json.loads(r.read())["ok"] is True
                    break
            except OSError:
                assert proc.poll() is None and time.monotonic() < deadline, "the bot did not start"
                time.sleep(0.2)
        time.sleep(IDLE_SECONDS)
    finally:
        proc.terminate()
        logs, _ = proc.communicate(timeout=20)
        fake.close()
    return logs


def assert_quiet_start(logs: str, shown_database: str) -> None:
    started = [line for line in logs.splitlines() if "Study Lab started:" in line]
    assert len(started) == 1, logs
    assert (
        "HTTP mode on port" in started[0]
        and f"database {shown_database};" in started[0]
        and "glossary 16 terms from" in started[0]
        and started[0].endswith("workspace T1")
    ), started[0]
    assert "apscheduler" not in logs and "alembic" not in logs, logs
    assert len(logs.strip().splitlines()) <= 2, (
        logs
    )  # the migration's line (first start only) and the start line


def test_sqlite_first_and_second_start(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/bot.db"
    first = logs_of_a_start(url)
    assert_quiet_start(first, url)
    assert [line for line in first.splitlines() if "schema" in line][0].endswith(
        "database schema upgraded from an empty database to 0004"
    )
    second = logs_of_a_start(url)
    assert_quiet_start(second, url)
    assert "schema" not in second  # nothing to migrate: nothing said


def test_postgres_password_hidden() -> None:
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        pytest.skip("TEST_DATABASE_URL not set")
    url = make_url(base).set(password="pw-s3cret")  # trust auth takes any password
    logs = logs_of_a_start(url.render_as_string(hide_password=False))
    assert "pw-s3cret" not in logs
    assert_quiet_start(logs, url.render_as_string(hide_password=True))


def test_debug_level_shows_the_scheduler_and_alembic(tmp_path: Path) -> None:
    logs = logs_of_a_start(f"sqlite:///{tmp_path}/bot.db", level="DEBUG")
    assert "apscheduler" in logs and "alembic.runtime.migration" in logs

"""The playground never opens a database it did not create: `DATABASE_URL` (the environment's or
`.env`'s) is ignored, and a file given with `--database` must be one the playground made, so its
recovery and scheduler never close a real workspace's open quiz or fail its due slot."""

from __future__ import annotations

import hashlib
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, select

from bot.playground import run_playground
from bot.playground.session import NotAPlaygroundDatabase
from bot.standin import SlackStandIn
from bot.storage.tables import quizzes, schedules
from tests.support.bot import GLOSSARY, FakeClock, RunningBot
from tests.support.cli import run_bot, start_bot

CHANNEL = "C100"
NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)  # Thursday 10:00 Berlin: the 09:30 slot is due


def rows(url: str) -> list[Any]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return [
                *conn.execute(select(quizzes).order_by(quizzes.c.id)).all(),
                *conn.execute(select(schedules)).all(),
            ]
    finally:
        engine.dispose()


@pytest.fixture
def production(fake: SlackStandIn, database_url: str) -> str:
    """A real workspace's database (T1, the playground's own team id): an open quiz in one channel,
    and a channel whose 09:30 slot is due and not yet posted."""
    clock = FakeClock(NOW - timedelta(hours=2))
    fake.clock = lambda: clock().timestamp()
    bot = RunningBot.start(fake, database_url, clock=clock)
    try:
        assert "Posted a question" in bot.say("/quiz", "now", channel=CHANNEL)
        assert "Scheduled" in bot.say("/quiz", "schedule 09:30 Europe/Berlin daily", channel="C200")
        bot.after_ack_done()
        [open_quiz] = bot.open_quizzes(CHANNEL)
        assert open_quiz.closes_at > NOW
    finally:
        bot.close()
    return database_url


def test_the_playground_ignores_database_url(production: str, tmp_path: Path) -> None:
    before = rows(production)
    playground = run_playground(0, GLOSSARY, env={"DATABASE_URL": production}, start=NOW)
    try:
        assert playground.runtime.settings.database_url != production
        assert playground.database == "a fresh SQLite file, deleted on exit"
        playground.next_week()  # runs the recovery job
        assert playground.wait_idle()
    finally:
        playground.close()
    assert rows(production) == before  # the open quiz is still open, the due slot still due


def test_a_database_the_playground_did_not_make_is_refused_untouched(
    fake: SlackStandIn, tmp_path: Path
) -> None:
    real = tmp_path / "study-lab.db"
    bot = RunningBot.start(fake, f"sqlite:///{real}", clock=FakeClock(NOW))
    bot.say("/quiz", "now", channel=CHANNEL)
    bot.after_ack_done()
    bot.close()
    digest = hashlib.sha256(real.read_bytes()).hexdigest()
    with pytest.raises(NotAPlaygroundDatabase, match="not created by the playground"):
        run_playground(0, GLOSSARY, database=real, env={}, start=NOW)
    out = run_bot("playground", "--port", "0", "--database", str(real))
    assert out.returncode == 2 and "not created by the playground" in out.stderr, out.stderr
    assert "Traceback" not in out.stderr
    assert hashlib.sha256(real.read_bytes()).hexdigest() == digest


def test_a_file_the_playground_made_is_kept_and_opened_again(tmp_path: Path) -> None:
    mine = tmp_path / "mine" / "playground.db"
    for _ in range(2):
        playground = run_playground(0, GLOSSARY, database=mine, env={}, start=NOW)
        try:
            assert playground.database == str(mine)
            assert playground.runtime.storage.workspaces.all() == [playground.runtime.workspace]
        finally:
            playground.close()
    assert mine.exists()


def test_the_command_line_never_uses_database_url(tmp_path: Path) -> None:
    real = tmp_path / "study-lab.db"
    real.write_bytes(b"")  # what the playground would have opened: left alone
    process = start_bot(
        "playground", "--port", "0", env={"DATABASE_URL": f"sqlite:///{real}"}, stdout=subprocess.PIPE
    )
    try:
        assert process.stdout is not None
        lines = [process.stdout.readline(), process.stdout.readline()]
    finally:
        process.terminate()
        process.communicate(timeout=30)  # and closes its pipe
    assert "data in a fresh SQLite file" in lines[1], lines
    assert real.read_bytes() == b""

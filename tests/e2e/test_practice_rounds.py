"""A member's practice round (`/quiz now` by someone who is not a quiz admin) is free: it never
blocks an admin's counted quiz, and it never uses up the channel's rotation of terms.  Over signed
HTTP against the stand-in, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from bot.standin import Person, SlackStandIn
from bot.storage.statuses import QuizState
from tests.support.bot import FakeClock, RunningBot

CHANNEL = "C100"
MEMBER = "U555"
START = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)  # Thursday 09:00 Berlin


@pytest.fixture
def clock(fake: SlackStandIn) -> FakeClock:
    clock = FakeClock(START)
    fake.clock = lambda: clock().timestamp()
    fake.state.add_person(Person(MEMBER, "Sam Member"))
    return clock


@pytest.fixture
def pbot(fake: SlackStandIn, database_url: str, clock: FakeClock) -> Iterator[RunningBot]:
    running = RunningBot.start(fake, database_url, clock=clock)
    yield running
    running.close()


def posted_quiz_ids(bot: RunningBot) -> list[int]:
    return [int(m["metadata"]["event_payload"]["quiz_id"]) for m in bot.fake.posted(CHANNEL)]


def test_a_practice_round_never_blocks_an_admins_counted_quiz(pbot: RunningBot) -> None:
    assert "Posted a practice round" in pbot.say("/quiz", "now", user=MEMBER)
    pbot.after_ack_done()
    [practice_id] = posted_quiz_ids(pbot)
    assert "Posted a question here. It counts" in pbot.say("/quiz", "now", user="U100")
    pbot.after_ack_done()
    [_, counted_id] = posted_quiz_ids(pbot)
    assert pbot.quiz(counted_id).counted and pbot.quiz(counted_id).state == QuizState.POSTED
    assert pbot.quiz(practice_id).state == QuizState.CLOSED  # revealed, not left hanging
    # while a counted quiz is open, a member is pointed at it rather than posting a round over it
    assert "already an open quiz" in pbot.say("/quiz", "now", user=MEMBER)


def test_practice_rounds_never_advance_the_channels_rotation(pbot: RunningBot, clock: FakeClock) -> None:
    assert "Scheduled" in pbot.say("/quiz", "schedule 09:30 Europe/Berlin daily", channel=CHANNEL)
    assert "Posted a practice round" in pbot.say("/quiz", "now", user=MEMBER)
    pbot.after_ack_done()
    terms = len(pbot.runtime.glossaries.base.glossary.terms)
    counted: list[str] = []
    for day in range(terms):  # one full pass through the glossary, one slot a day
        clock.set(START + timedelta(days=day, minutes=31))
        quiz = pbot.run_slot(CHANNEL)
        assert quiz is not None and quiz.counted
        counted.append(quiz.question.term)
    assert len(set(counted)) == terms, f"a term came back before the pass ended: {json.dumps(counted)}"

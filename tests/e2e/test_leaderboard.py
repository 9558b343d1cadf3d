"""The weekly leaderboard end to end: /leaderboard, sharing, the weekly results
post (exactly once, before that day's quiz) and the terminal command."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.standin import Person, SlackStandIn
from tests.support.bot import FakeClock, RunningBot
from tests.support.cli import run_bot

CHANNEL = "C200"
THURSDAY = datetime(2026, 11, 26, 8, 30, tzinfo=UTC)  # 09:30 Berlin, ISO week 2026-W48
NEXT_MONDAY_0900 = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
ROOT = Path(__file__).resolve().parents[2]


def shown(blocks: object) -> str:
    return json.dumps(blocks, ensure_ascii=False)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(THURSDAY)


@pytest.fixture
def lbot(fake: SlackStandIn, start_bot: Callable[..., RunningBot], clock: FakeClock) -> RunningBot:
    fake.state.add_person(Person("U1", "Una One"))
    fake.state.add_person(Person("U9", "Nine"))
    running = start_bot(clock)
    assert "Scheduled" in running.say("/quiz", "schedule 09:30 Europe/Berlin daily", channel=CHANNEL)
    return running


def play(bot: RunningBot, answers: dict[str, bool]) -> int:
    """Post today's quiz and have each user answer right or wrong; return the quiz id."""
    quiz = bot.run_slot(CHANNEL)
    assert quiz is not None
    for user, right in answers.items():
        choice = quiz.question.correct if right else (quiz.question.correct + 1) % 4
        before = len(bot.fake.responses)
        assert (
            bot.click(f"quiz_answer_{choice}", f"{quiz.id}:{choice}", user=user, channel=CHANNEL).status
            == 200
        )
        bot.fake.wait_responses(before + 1)
    return int(quiz.id)


def test_leaderboard_ranks_with_shared_ties_and_streaks(lbot: RunningBot, clock: FakeClock) -> None:
    play(lbot, {"U1": True, "U2": True, "U3": False, "U4": True})
    clock.advance(days=1)
    play(lbot, {"U1": True, "U2": False, "U3": True})
    body = lbot.command("/leaderboard", "", user="U3", channel=CHANNEL).json()
    assert body["response_type"] == "ephemeral"
    text = shown(body["blocks"])
    assert "Leaderboard · 23–29 Nov" in text and "· 2026-W48" not in text  # dates, not the ISO week
    assert "1. <@U1>: 2 points (2 answered) · :fire: 2" in text
    assert "2. <@U2>: 1 point (2 answered)" in text
    assert "2. <@U3>: 1 point (2 answered)" in text
    assert "2. <@U4>: 1 point (1 answered)" in text
    assert "Share in channel" in text


def test_caller_outside_top_ten_sees_own_rank(lbot: RunningBot) -> None:
    answers = {f"U{n:03d}": True for n in range(12)}
    answers["UME"] = False
    play(lbot, answers)
    text = shown(lbot.command("/leaderboard", "", user="UME", channel=CHANNEL).json()["blocks"])
    assert text.count("<@U0") == 10
    assert "Your rank: 13 with 0 points (1 answered)" in text


def test_last_week_and_bad_argument(lbot: RunningBot, clock: FakeClock) -> None:
    play(lbot, {"U1": True})
    clock.set(NEXT_MONDAY_0900 - timedelta(hours=2))
    last = shown(lbot.command("/leaderboard", "last", channel=CHANNEL).json()["blocks"])
    assert "Leaderboard · 23–29 Nov" in last and "<@U1>" in last
    this = shown(lbot.command("/leaderboard", "", channel=CHANNEL).json()["blocks"])
    assert "Leaderboard · 30 Nov – 6 Dec" in this and "No answers yet this week" in this
    assert "/leaderboard last" in lbot.command("/leaderboard", "yesterday", channel=CHANNEL).json()["text"]


def test_share_posts_the_board_in_the_channel(lbot: RunningBot) -> None:
    play(lbot, {"U1": True})
    before = len(lbot.fake.responses)
    lbot.click("leaderboard_share", f"{CHANNEL}|2026-W48", user="U9", channel=CHANNEL, ephemeral=True)
    shared = lbot.fake.wait_responses(before + 1)[-1].body
    assert shared["response_type"] == "in_channel"
    board = shown(shared["blocks"])
    assert "1. Una One: 1 point" in board and "Shared by Nine" in board
    assert "<@" not in board  # names, not mentions: sharing notifies nobody
    # a value naming another channel is refused
    lbot.click("leaderboard_share", "COTHER|2026-W48", user="U9", channel=CHANNEL, ephemeral=True)
    refused = lbot.fake.wait_responses(before + 2)[-1].body
    assert refused["response_type"] == "ephemeral"


def test_weekly_results_post_once_before_that_days_quiz(lbot: RunningBot, clock: FakeClock) -> None:
    play(lbot, {"U1": True, "U2": False, "U3": False})
    clock.set(NEXT_MONDAY_0900 - timedelta(minutes=1))
    lbot.run_weekly(CHANNEL)
    assert len(lbot.fake.posted(CHANNEL)) == 1  # not yet due
    clock.set(NEXT_MONDAY_0900)
    lbot.run_weekly(CHANNEL)
    lbot.run_weekly(CHANNEL)
    clock.set(NEXT_MONDAY_0900 + timedelta(minutes=30))
    lbot.run_slot(CHANNEL)
    posted = lbot.fake.posted(CHANNEL)
    kinds = [m["metadata"]["event_type"] for m in posted]
    assert kinds == ["study_lab_quiz", "study_lab_weekly", "study_lab_quiz"]
    weekly = shown(posted[1]["blocks"])
    assert "Weekly results · 23–29 Nov" in weekly
    assert "1. Una One: 1 point" in weekly and "<@" not in weekly  # nobody is notified
    assert "Most missed this week" in weekly and "(2 wrong answers)" in weekly


def test_weekly_results_missed_on_monday_post_later_in_the_week_once(
    lbot: RunningBot, clock: FakeClock
) -> None:
    play(lbot, {"U1": True})
    clock.set(NEXT_MONDAY_0900 + timedelta(days=1))  # the bot was down all Monday
    lbot.recover()
    lbot.recover()
    weekly = [m for m in lbot.fake.posted(CHANNEL) if m["metadata"]["event_type"] == "study_lab_weekly"]
    assert len(weekly) == 1


def test_terminal_leaderboard_json(lbot: RunningBot, clock: FakeClock, sqlite_url: str) -> None:
    play(lbot, {"U1": True, "U2": False})
    env = {"DATABASE_URL": sqlite_url, "QUIZ_TIMEZONE": "Europe/Berlin"}
    out = run_bot("leaderboard", CHANNEL, "--week", "2026-W48", "--json", env=env)
    assert out.returncode == 0, out.stderr
    rows = json.loads(out.stdout)
    assert rows == [
        {"user": "U1", "points": 1, "answered": 1, "rank": 1, "streak": 1},
        {"user": "U2", "points": 0, "answered": 1, "rank": 2, "streak": 0},
    ]
    bad = run_bot("leaderboard", CHANNEL, "--week", "2026-W99", env=env)
    assert bad.returncode == 2 and "not a week" in bad.stderr and "Traceback" not in bad.stderr

"""Two bot processes, each with its own scheduler, sharing one PostgreSQL database:
one question per slot, one weekly result, and every answer counted once,
whichever process Slack happens to send it to."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from bot.standin import SlackStandIn
from bot.storage import Storage
from bot.workspace import Workspace
from tests.support.bot import SlackSender, bot_env
from tests.support.replica import Replica

CHANNEL = "C900"
FIRST_SLOT = datetime(2026, 11, 23, 8, 30, tzinfo=UTC)  # Monday 09:30 Berlin, ISO week 2026-W48
RESULTS_DUE = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)  # next Monday 09:00 Berlin
WS = Workspace("T1")


@pytest.fixture
def replicas(pg_url: str, fake: SlackStandIn) -> Iterator[list[Replica]]:
    env = bot_env(fake, pg_url, QUIZ_CLOSE_AFTER_MINUTES="600")
    started = [Replica(env, FIRST_SLOT - timedelta(hours=1)) for _ in range(2)]
    yield started
    for replica in started:
        replica.stop()


def on_both(replicas: list[Replica], command: str, arg: object = None) -> list[object]:
    """Send the same command to both processes at once and collect their answers."""
    results: list[object] = [None, None]

    def run(i: int) -> None:
        results[i] = replicas[i].ask(command, arg)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_two_processes_post_once_and_count_every_answer_once(
    replicas: list[Replica], fake: SlackStandIn, pg_url: str
) -> None:
    storage = Storage.open(pg_url)
    a, b = (SlackSender(r.url, fake) for r in replicas)
    assert "Scheduled" in a.say("/quiz", "schedule 09:30 Europe/Berlin daily", channel=CHANNEL)
    jobs = sorted(
        [
            "counts",
            "glossary",
            "homes",
            "recover",
            "retention",
            "sync",
            f"quiz:-:T1:{CHANNEL}",
            f"results:-:T1:{CHANNEL}",
        ]
    )
    assert on_both(replicas, "sync") == [jobs, jobs]
    users = [f"U{n:03d}" for n in range(30)]
    for day in range(5):
        for r in replicas:
            r.set_clock(FIRST_SLOT + timedelta(days=day))
        assert on_both(replicas, "fire", f"quiz:-:T1:{CHANNEL}") == [True, True]
        posted = [m for m in fake.posted(CHANNEL) if m["metadata"]["event_type"] == "study_lab_quiz"]
        assert len(posted) == day + 1
        quiz_id = posted[-1]["metadata"]["event_payload"]["quiz_id"]
        # every user clicks choice 0 on both processes at once (a double click, a Slack retry)
        before = len(fake.responses)
        clicks = [
            threading.Thread(
                target=sender.click,
                args=("quiz_answer_0", f"{quiz_id}:0"),
                kwargs={"user": user, "channel": CHANNEL},
            )
            for user in users
            for sender in (a, b)
        ]
        for t in clicks:
            t.start()
        for t in clicks:
            t.join()
        fake.wait_responses(before + 2 * len(users), timeout=30)
        # every user's answer is stored exactly once, with the choice they made
        stored = {user: storage.answers.of_user(WS, quiz_id, user) for user in users}
        assert stored == dict.fromkeys(users, 0)
        assert storage.answers.tally(quiz_id)[0] == len(users)
    for r in replicas:
        r.set_clock(RESULTS_DUE)
    assert on_both(replicas, "fire", f"results:-:T1:{CHANNEL}") == [True, True]
    weekly = [m for m in fake.posted(CHANNEL) if m["metadata"]["event_type"] == "study_lab_weekly"]
    assert len(weekly) == 1
    board = a.command("/leaderboard", "last", channel=CHANNEL).json()
    text = str(board["blocks"])
    # each of the 30 users answered 5 quizzes exactly once
    assert text.count("(5 answered)") == 10
    storage.close()

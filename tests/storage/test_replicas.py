"""Two bot processes, each with its own scheduler, sharing one PostgreSQL database:
one question per slot, one weekly result, and every answer counted once,
whichever process Slack happens to send it to."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from bot.domain.workspace import Workspace
from bot.standin import Identity, Person, SlackStandIn
from bot.standin.slack_requests import Actor, form_body, view_submission
from bot.storage import Storage
from tests.support.bot import SlackSender, bot_env, oauth_env
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


def test_two_processes_serve_two_installed_workspaces_exactly_once(pg_url: str, fake: SlackStandIn) -> None:
    """OAuth mode on PostgreSQL: each workspace installed through one process, each scheduled
    through the other; both processes fire every job; every slot is posted once, with its own
    workspace's token, and every click on either process is stored once for its workspace."""
    channels = {"T1": "C901", "T2": "C902"}
    for team, channel in channels.items():
        fake.join(channel, team_id=team)
        fake.state.add_person(Person(f"UADM{team}", "Admin", team_id=team, is_admin=True))
    env = oauth_env(fake, pg_url, QUIZ_CLOSE_AFTER_MINUTES="600")
    started = [Replica(env, FIRST_SLOT - timedelta(hours=1)) for _ in range(2)]
    storage = Storage.open(pg_url)
    try:
        senders = {team: [SlackSender(r.url, fake, team=team) for r in started] for team in channels}
        tokens = {
            "T1": senders["T1"][0].install(Identity("T1")),
            "T2": senders["T2"][1].install(Identity("T2", bot_id="BBOT2", bot_user_id="UBOT2")),
        }
        for i, (team, channel) in enumerate(channels.items()):
            text = senders[team][1 - i].say(
                "/quiz", "schedule 09:30 Europe/Berlin daily", user=f"UADM{team}", channel=channel
            )
            assert "Scheduled" in text
        jobs = [f"quiz:-:{team}:{channel}" for team, channel in channels.items()]
        for answer in on_both(started, "sync"):
            assert set(jobs) <= set(answer)  # type: ignore[arg-type]
        for day in range(3):
            for r in started:
                r.set_clock(FIRST_SLOT + timedelta(days=day))
            for job in jobs:
                assert on_both(started, "fire", job) == [True, True]
        for team, channel in channels.items():
            posts = fake.posted(channel)
            assert len(posts) == 3
            assert {c.token for c in fake.calls_to("chat.postMessage") if c.body["channel"] == channel} == {
                tokens[team]
            }
            quiz_id = posts[-1]["metadata"]["event_payload"]["quiz_id"]
            ws = Workspace(team)
            clicks = [
                threading.Thread(
                    target=sender.click,
                    args=("quiz_answer_1", f"{quiz_id}:1"),
                    kwargs={"user": f"U{n}", "channel": channel},
                )
                for n in range(10)
                for sender in senders[team]
            ]
            for t in clicks:
                t.start()
            for t in clicks:
                t.join()
            assert {f"U{n}": storage.answers.of_user(ws, quiz_id, f"U{n}") for n in range(10)} == {
                f"U{n}": 1 for n in range(10)
            }
            assert storage.answers.tally(quiz_id)[0] == 10
    finally:
        storage.close()
        for r in started:
            r.stop()


def test_a_term_approved_on_one_process_is_served_by_the_other_within_5_seconds(
    pg_url: str, fake: SlackStandIn
) -> None:
    fake.join("C300")
    env = bot_env(fake, pg_url, GLOSSARY_OWNERS="UOWN1", GLOSSARY_REVIEW_CHANNEL="C300")
    started = [Replica(env, FIRST_SLOT) for _ in range(2)]
    try:
        a, b = (SlackSender(r.url, fake) for r in started)
        assert "No term matches" in b.command("/define", "canary release").body
        miss = a.command("/define", "canary release", user="U5").json()
        assert "Suggest this term" in json.dumps(miss)
        view = json.loads(json.dumps(suggestion_modal_for(fake, a)))
        values = {
            block: {"value": {"type": "plain_text_input", "value": text}}
            for block, text in {
                "sg_term": "Canary release",
                "sg_new_category": "Deploy",
                "sg_definition": "Sending a small share of traffic to a new release first.",
                "sg_trap": "Thinking a quiet canary proves the release safe everywhere.",
            }.items()
        }
        payload = view_submission(Actor("U5"), {**view, "id": "V9", "hash": "h"}, values, "1.2.3")
        assert (
            a.post(form_body(payload), "application/x-www-form-urlencoded").json()["response_action"]
            == "update"
        )
        review = fake.wait_for(lambda: fake.posted("C300"))[-1]
        approve = next(
            e
            for blk in review["blocks"]
            for e in blk.get("elements", [])
            if e.get("action_id") == "review_approve"
        )
        a.click("review_approve", approve["value"], user="UOWN1", channel="C300", message_ts=review["ts"])
        approved_at = time.monotonic()
        while "Sending a small share" not in b.command("/define", "canary release").body:
            assert time.monotonic() - approved_at < 5, (
                "the other process did not serve the approved term within 5 s"
            )
            time.sleep(0.2)
    finally:
        for r in started:
            r.stop()


def suggestion_modal_for(fake: SlackStandIn, sender: SlackSender) -> dict:
    """Click "Suggest this term" and return the modal the bot opened."""
    before = len(fake.calls_to("views.open"))
    sender.click("suggest_new", "canary release", user="U5", ephemeral=True)
    view = fake.wait_calls("views.open", before + 1)[-1].body["view"]
    return json.loads(view) if isinstance(view, str) else view

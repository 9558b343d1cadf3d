"""Faults: Slack refusing or dropping calls, the bot killed mid-burst, PostgreSQL
restarted under clicks, and a replica killed around a slot."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import threading
import time
import urllib.request
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import update

from bot.domain.workspace import Workspace
from bot.standin import SlackStandIn
from bot.storage import Storage
from bot.storage.statuses import QuizState
from bot.storage.tables import quizzes
from tests.support.bot import FakeClock, RunningBot, SlackSender, bot_env
from tests.support.cli import start_bot
from tests.support.replica import Replica

ROOT = Path(__file__).resolve().parents[2]
CHANNEL = "C400"
SLOT = datetime(2026, 11, 26, 8, 30, tzinfo=UTC)  # Thursday 09:30 Berlin


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(SLOT)


@pytest.fixture
def fbot(start_bot: Callable[..., RunningBot], clock: FakeClock) -> RunningBot:
    running = start_bot(clock)
    assert "Scheduled" in running.say("/quiz", "schedule 09:30 Europe/Berlin daily", channel=CHANNEL)
    return running


def answer(bot: RunningBot, quiz_id: int, user: str) -> dict:
    before = len(bot.fake.responses)
    assert bot.click("quiz_answer_0", f"{quiz_id}:0", user=user, channel=CHANNEL).status == 200
    return bot.fake.wait_responses(before + 1)[-1].body


@pytest.mark.parametrize("fault", [429, 500, 0], ids=["rate-limited", "server-error", "dropped"])
def test_count_update_and_home_publish_are_retried(fbot: RunningBot, clock: FakeClock, fault: int) -> None:
    quiz = fbot.run_slot(CHANNEL)
    fbot.event({"type": "app_home_opened", "user": "U1", "channel": "D1", "tab": "home", "event_ts": "1.0"})
    fbot.fake.wait_calls("views.publish", 1)  # U1 has the Home open: answering refreshes it
    fbot.after_ack_done()
    fbot.fake.fail("chat.update", fault, count=1, retry_after=0)
    fbot.fake.fail("views.publish", fault, count=1, retry_after=0)
    reply = answer(fbot, quiz.id, "U1")
    assert "Common trap" in json.dumps(reply)  # the user still gets their feedback
    fbot.flush_counts()
    assert len(fbot.fake.calls_to("chat.update")) == 2
    assert "1 answered" in json.dumps(fbot.fake.posted(CHANNEL)[0]["blocks"])
    assert fbot.services.home.publish_stale() == 1
    assert len(fbot.fake.calls_to("views.publish")) == 3


def test_dropped_quiz_post_is_never_posted_twice(fbot: RunningBot, clock: FakeClock) -> None:
    fbot.fake.fail("chat.postMessage", 0, count=1)  # the connection drops before Slack does anything
    fbot.run_slot(CHANNEL)
    assert fbot.fake.posted(CHANNEL) == []
    assert len(fbot.fake.calls_to("chat.postMessage")) == 1  # not retried blindly
    clock.advance(minutes=5)
    fbot.recover()
    fbot.recover()
    assert len(fbot.fake.posted(CHANNEL)) == 1


def test_failed_count_update_is_tried_again_later(fbot: RunningBot, clock: FakeClock) -> None:
    quiz = fbot.run_slot(CHANNEL)
    answer(fbot, quiz.id, "U1")
    fbot.fake.fail("chat.update", 500, count=3)  # more than the client's retries
    fbot.flush_counts()
    assert "1 answered" not in json.dumps(fbot.fake.posted(CHANNEL)[0]["blocks"])
    clock.advance(seconds=5)
    fbot.flush_counts()
    assert "1 answered" in json.dumps(fbot.fake.posted(CHANNEL)[0]["blocks"])


# -- the database going away ----------------------------------------------------------


def pg_cluster(action: str) -> None:
    version = os.listdir("/etc/postgresql")[0]
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", action],
        check=True,
        capture_output=True,
        timeout=60,
    )


def pg_ready() -> bool:
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex(("127.0.0.1", 5432)) == 0


@pytest.mark.skipif(
    not shutil.which("pg_ctlcluster") or not os.path.isdir("/etc/postgresql"),
    reason="needs a local PostgreSQL cluster this test may stop and start",
)
def test_postgres_restart_while_clicks_arrive(fake: SlackStandIn, pg_url: str, clock: FakeClock) -> None:
    fake.clock = lambda: clock().timestamp()
    bot = RunningBot.start(fake, pg_url, clock=clock)
    try:
        assert "Scheduled" in bot.say("/quiz", "schedule 09:30 Europe/Berlin daily", channel=CHANNEL)
        quiz = bot.run_slot(CHANNEL)
        pg_cluster("stop")
        try:
            reply = answer(bot, quiz.id, "U1")
            assert "Please try again" in reply["text"]
            with urllib.request.urlopen(bot.url + "/healthz", timeout=10) as r:
                raise AssertionError(f"healthy while the database is down: {r.read()!r}")
        except urllib.error.HTTPError as exc:
            assert exc.code == 503
        finally:
            pg_cluster("start")
        deadline = time.monotonic() + 30
        while not pg_ready():
            assert time.monotonic() < deadline
            time.sleep(0.2)
        # recovers by itself: the next click is stored
        reply = answer(bot, quiz.id, "U1")
        assert "Right!" in json.dumps(reply) or "Not quite" in json.dumps(reply)
        assert bot.storage.answers.tally(quiz.id)[0] == 1
    finally:
        if not pg_ready():
            pg_cluster("start")
        bot.close()


# -- kill -9 ---------------------------------------------------------------------------


def wait_healthy(url: str) -> None:
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=2):
                return
        except OSError:
            assert time.monotonic() < deadline, "the bot did not come up"
            time.sleep(0.1)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_kill_9_during_click_burst_loses_no_acknowledged_click(fake: SlackStandIn, tmp_path: Path) -> None:
    database = f"sqlite:///{tmp_path}/bot.db"
    port = free_port()
    env = bot_env(fake, database, PORT=str(port))
    url = f"http://127.0.0.1:{port}"
    sender = SlackSender(url, fake)
    proc = start_bot(env=env)
    try:
        wait_healthy(url)
        assert "Posted" in sender.say("/quiz", "now", channel=CHANNEL)
        message = fake.wait_for(lambda: fake.posted(CHANNEL))[0]
        quiz_id = message["metadata"]["event_payload"]["quiz_id"]
        users = [f"U{n:03d}" for n in range(150)]
        acknowledged: set[str] = set()
        lock = threading.Lock()

        def click(user: str) -> None:
            try:
                if sender.click("quiz_answer_1", f"{quiz_id}:1", user=user, channel=CHANNEL).status == 200:
                    with lock:
                        acknowledged.add(user)
            except OSError:
                pass  # the process died under this click: Slack would show an error, and nothing is promised

        with ThreadPoolExecutor(max_workers=16) as pool:
            futures = [pool.submit(click, user) for user in users for _ in range(2)]
            while len(acknowledged) < 40:
                time.sleep(0.005)
            proc.send_signal(signal.SIGKILL)
            proc.wait(10)
            for f in futures:
                f.result()
        assert 40 <= len(acknowledged) < len(users)
        # the quiz fell due while the bot was down: the restart must close it
        storage = Storage.open(database)
        ws = Workspace("T1")
        with storage.db.begin() as conn:
            conn.execute(
                update(quizzes)
                .where(quizzes.c.id == quiz_id)
                .values(closes_at=datetime.now(UTC) - timedelta(minutes=1))
            )
        proc = start_bot(env=env)
        wait_healthy(url)
        fake.wait_for(lambda: storage.closes.state_of(quiz_id) == QuizState.CLOSED, timeout=20)
        stored = {u for u in users if storage.answers.of_user(ws, quiz_id, u) is not None}
        assert acknowledged <= stored  # every click answered 200 is stored
        assert storage.answers.tally(quiz_id)[0] == len(stored)  # and once (one row per user)
        assert any("closed" in str(c.body.get("text")) for c in fake.calls_to("chat.update"))
        storage.close()
    finally:
        proc.kill()
        proc.wait(10)


# -- a replica killed around a slot ---------------------------------------------------------


@pytest.mark.parametrize("kill_after", [0.0, 0.15, 0.6], ids=["before-post", "during-post", "after-post"])
def test_replica_killed_around_a_slot_still_one_post(
    fake: SlackStandIn, pg_url: str, kill_after: float
) -> None:
    fake.delays["chat.postMessage"] = 0.3
    fake.clock = lambda: SLOT.timestamp()
    env = bot_env(fake, pg_url)
    doomed, survivor = Replica(env, SLOT), Replica(env, SLOT)
    try:
        assert "Scheduled" in SlackSender(survivor.url, fake).say(
            "/quiz", "schedule 09:30 Europe/Berlin daily", channel=CHANNEL
        )
        doomed.ask("sync")
        survivor.ask("sync")
        doomed.fire_and_forget(f"quiz:-:T1:{CHANNEL}")
        time.sleep(kill_after)
        doomed.kill()
        assert survivor.ask("fire", f"quiz:-:T1:{CHANNEL}") is True
        time.sleep(0.5)  # let a post already sent to Slack land
        survivor.set_clock(SLOT + timedelta(minutes=5))  # past the claim lease
        assert survivor.ask("fire", "recover") is True
        assert survivor.ask("fire", "recover") is True
        assert len(fake.posted(CHANNEL)) == 1
    finally:
        doomed.kill()
        survivor.stop()


def test_a_slow_slack_never_delays_an_acknowledgement(fbot: RunningBot) -> None:
    """Every Slack call after an acknowledgement runs in the bot's own pool: with Slack taking 2 s
    for each call, five different requests are still all answered before one such call returns."""
    slow = ("chat.postMessage", "views.publish", "views.open", "users.info", "conversations.info", "response")
    for method in slow:
        fbot.fake.delays[method] = 2.0
    home = {"type": "app_home_opened", "user": "U100", "channel": "D1", "tab": "home", "event_ts": "1.0"}
    started = time.monotonic()
    replies = [
        fbot.command("/quiz", "now", channel=CHANNEL),
        fbot.event(home, event_id="EvSlow"),
        fbot.click("define_share", "Drain", ephemeral=True),
        fbot.click("home_practice", "start", view={"type": "home"}),
        fbot.command("/define", "drain"),
    ]
    answered_in = time.monotonic() - started
    assert [r.status for r in replies] == [200] * 5
    assert answered_in < 2.0, f"acknowledgements waited for Slack ({answered_in:.2f} s)"
    fbot.after_ack_done(timeout=30)  # and the work after them was done
    assert len(fbot.fake.posted(CHANNEL)) == 1
    assert fbot.fake.calls_to("views.publish") and fbot.fake.calls_to("views.open")

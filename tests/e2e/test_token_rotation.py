"""Token rotation against a stand-in as strict as Slack: every refresh hands out a new refresh token
and retires the one just used, and an expired access token is refused (`token_expired`).  A
workspace installed with rotation keeps working across refreshes made by Bolt's authorize (for
requests) and by the bot's own clients (for posts), and across a restart, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import threading
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from bot.standin import Identity, SlackStandIn
from tests.support.bot import CLIENT_ID, CLIENT_SECRET, FakeClock, RunningBot

START = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)
LIFETIME = 3600  # under the two hours before expiry at which the bot refreshes: every use refreshes


def call(fake: SlackStandIn, method: str, token: str = "", **args: str) -> dict[str, object]:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(fake.api_url + method, json.dumps(args).encode(), headers, method="POST")
    with urllib.request.urlopen(request, timeout=10) as response:
        return dict(json.loads(response.read()))


def refresh(fake: SlackStandIn, refresh_token: str) -> dict[str, object]:
    return call(
        fake,
        "oauth.v2.access",
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        grant_type="refresh_token",
        refresh_token=refresh_token,
    )


@pytest.fixture
def clock(fake: SlackStandIn) -> FakeClock:
    clock = FakeClock(START)
    fake.clock = lambda: clock().timestamp()
    fake.state.clients[CLIENT_ID] = CLIENT_SECRET
    fake.state.rotated_lifetime = LIFETIME
    return clock


def test_the_stand_in_retires_a_used_refresh_token_and_expires_access_tokens(
    fake: SlackStandIn, clock: FakeClock
) -> None:
    fake.state.offer_install(
        "c1", Identity("T1", refresh_token="xoxe-1-first", expires_at=START.timestamp() + 60)
    )
    first = call(fake, "oauth.v2.access", client_id=CLIENT_ID, client_secret=CLIENT_SECRET, code="c1")
    assert first["ok"] and first["refresh_token"] == "xoxe-1-first"
    again = refresh(fake, "xoxe-1-first")
    assert again["ok"] and again["refresh_token"] != "xoxe-1-first" and again["expires_in"] == LIFETIME
    assert refresh(fake, "xoxe-1-first") == {"ok": False, "error": "invalid_refresh_token"}
    assert call(fake, "auth.test", str(again["access_token"]))["ok"]
    clock.advance(seconds=61)
    assert call(fake, "auth.test", str(first["access_token"])) == {"ok": False, "error": "token_expired"}
    assert call(fake, "auth.test", str(again["access_token"]))["ok"]  # still within its hour
    clock.advance(seconds=LIFETIME)
    assert call(fake, "auth.test", str(again["access_token"])) == {"ok": False, "error": "token_expired"}
    newest = refresh(fake, str(again["refresh_token"]))
    assert newest["ok"] and call(fake, "auth.test", str(newest["access_token"]))["ok"]


@pytest.fixture
def bots(fake: SlackStandIn, database_url: str, clock: FakeClock) -> Iterator[list[RunningBot]]:
    started: list[RunningBot] = []
    yield started
    for running in started:
        running.close()


def start(fake: SlackStandIn, database_url: str, clock: FakeClock, bots: list[RunningBot]) -> RunningBot:
    running = RunningBot.start(fake, database_url, clock=clock, oauth=True)
    bots.append(running)
    return running


def refresh_calls(fake: SlackStandIn) -> list[str]:
    return [
        str(c.body["refresh_token"])
        for c in fake.calls_to("oauth.v2.access")
        if c.body.get("grant_type") == "refresh_token"
    ]


def test_a_rotating_workspace_keeps_working_across_refreshes_and_a_restart(
    fake: SlackStandIn, database_url: str, clock: FakeClock, bots: list[RunningBot]
) -> None:
    bot = start(fake, database_url, clock, bots)
    bot.install(Identity("T1", refresh_token="xoxe-1-first", expires_at=START.timestamp() + LIFETIME))
    for round_, channel in enumerate(("C100", "C200", "C300")):
        if round_ == 1:  # the bot restarts: nothing is left in memory, the database has the tokens
            bot.close()
            bot = start(fake, database_url, clock, bots)
        # Bolt's authorize refreshes for the request; the bot's own client refreshes for the post
        assert "drain" in bot.say("/define", "drain").lower()
        assert "Posted a question" in bot.say("/quiz", "now", channel=channel)
        bot.after_ack_done()
        [post] = fake.posted(channel)
        assert post["metadata"]["event_type"] == "study_lab_quiz"
    used = refresh_calls(fake)
    assert len(used) >= 3 and len(set(used)) == len(used)  # a retired refresh token was never sent again
    tokens = {c.token for c in fake.calls_to("chat.postMessage")}
    assert len(tokens) >= 2 and all(t.startswith("xoxe.xoxb-") for t in tokens)
    [installation] = [
        bot.runtime.services.workspaces.installations.find_installation(enterprise_id=None, team_id="T1")  # type: ignore[union-attr]
    ]
    bot_row = bot.runtime.services.workspaces.installations.find_bot(enterprise_id=None, team_id="T1")  # type: ignore[union-attr]
    assert installation is not None and bot_row is not None
    assert (
        installation.bot_refresh_token
        == bot_row.bot_refresh_token
        == fake.state.tokens[installation.bot_token or ""].refresh_token
    )  # the one refresh token Slack accepts now


def test_refreshes_at_the_same_moment_spend_each_refresh_token_once(
    fake: SlackStandIn, database_url: str, clock: FakeClock, bots: list[RunningBot]
) -> None:
    """A request (Bolt's authorize) and a post (the bot's own client) refresh at once, in one process,
    and on PostgreSQL in two processes sharing the database: each refresh token reaches Slack once;
    whoever waited uses the tokens just saved, and nothing fails."""
    first = start(fake, database_url, clock, bots)
    first.install(Identity("T1", refresh_token="xoxe-1-first", expires_at=START.timestamp() + LIFETIME))
    second = start(fake, database_url, clock, bots) if database_url.startswith("postgresql") else first
    fake.slow("oauth.v2.access", 0.5, count=20)  # a slow refresh: the window in which both would spend it
    answers: dict[str, str] = {}

    def ask(name: str, bot: RunningBot, *said: str, channel: str = "C100") -> None:
        answers[name] = bot.say(*said, channel=channel)

    threads = [
        threading.Thread(target=ask, args=("define", first, "/define", "drain")),
        threading.Thread(target=ask, args=("quiz", second, "/quiz", "now"), kwargs={"channel": "C200"}),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    first.after_ack_done()
    second.after_ack_done()
    assert "drain" in answers["define"].lower() and "Posted a question" in answers["quiz"]
    [post] = fake.posted("C200")
    assert post["metadata"]["event_type"] == "study_lab_quiz"
    used = refresh_calls(fake)
    assert used and len(set(used)) == len(used)  # no refresh token was sent twice

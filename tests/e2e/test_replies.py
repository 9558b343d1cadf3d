"""Replies to `response_url`s as Slack receives them: over kept-alive connections, sent again when
Slack asks for a wait, never sent twice, and the URL (a credential) never in a log."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from bot.standin import SlackStandIn
from bot.views import ids
from tests.support import cli
from tests.support.bot import FakeClock, RunningBot, SlackSender, bot_env

CHANNEL = "C400"
THREADS = 4


def _quiz(start_bot: Callable[..., RunningBot]) -> tuple[RunningBot, int]:
    bot = start_bot(FakeClock(datetime(2026, 11, 26, 8, 30, tzinfo=UTC)), SLACK_THREADS=str(THREADS))
    assert "Posted a question" in bot.say("/quiz", "now", channel=CHANNEL)
    bot.after_ack_done()
    return bot, int(bot.fake.posted(CHANNEL)[0]["metadata"]["event_payload"]["quiz_id"])


def test_replies_to_many_clicks_share_a_few_kept_alive_connections(
    start_bot: Callable[..., RunningBot],
) -> None:
    bot, quiz_id = _quiz(start_bot)
    for n in range(30):
        assert bot.click("quiz_answer_1", f"{quiz_id}:1", user=f"U{n:03d}", channel=CHANNEL).status == 200
    bot.after_ack_done()
    replies = [call for call in bot.fake.responses if "/act-U" in call.method]
    assert len(replies) == 30 and all("Your answer" in str(c.body) or c.body.get("blocks") for c in replies)
    # Every reply has its own response_url; they all went over at most one connection per pool thread.
    assert len({call.connection for call in replies}) <= THREADS


def test_a_rate_limited_reply_is_sent_again_after_retry_after(start_bot: Callable[..., RunningBot]) -> None:
    bot, quiz_id = _quiz(start_bot)
    bot.fake.fail("response", 429, retry_after=1)
    started = time.monotonic()
    assert bot.click("quiz_answer_2", f"{quiz_id}:2", user="U7", channel=CHANNEL).status == 200
    bot.after_ack_done()
    [reply] = [call for call in bot.fake.responses if call.method.endswith("/act-U7")]
    assert reply.at - started >= 1.0  # Slack's Retry-After was waited out
    assert "C" in str(reply.body["blocks"])  # the answer itself, naming the choice


def test_a_reply_whose_answer_was_lost_is_not_sent_twice(start_bot: Callable[..., RunningBot]) -> None:
    """Slack took the reply, then the connection dropped: sending it again would show it twice."""
    bot, quiz_id = _quiz(start_bot)
    bot.fake.fail("response", -1)
    assert bot.click("quiz_answer_0", f"{quiz_id}:0", user="U8", channel=CHANNEL).status == 200
    bot.after_ack_done()
    assert len([call for call in bot.fake.responses if call.method.endswith("/act-U8")]) == 1


def test_a_reply_url_never_reaches_the_log_even_at_debug(tmp_path: Path) -> None:
    """A response_url is a credential: neither the bot nor the libraries under it may log one."""
    fake = SlackStandIn()
    fake.fail("response", 500)  # the refusal is logged too, with the host only
    port = cli.free_port()
    env = bot_env(fake, f"sqlite:///{tmp_path}/bot.db", PORT=str(port), LOG_LEVEL="DEBUG")
    proc = cli.start_bot(env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        sender = SlackSender(f"http://127.0.0.1:{port}", fake)
        deadline = time.monotonic() + 30
        while not _healthy(sender):
            assert time.monotonic() < deadline, "the bot did not start"
            time.sleep(0.2)
        assert sender.click(f"{ids.DEFINE_SHOW}_0", "Drain", user="U9").status == 200
        assert sender.click(f"{ids.DEFINE_SHOW}_0", "Canary", user="U10").status == 200
        fake.wait_responses(1, timeout=10)  # the second reply went through; the first was refused
    finally:
        proc.terminate()
        logs, _ = proc.communicate(timeout=20)
        fake.close()
    assert "DEBUG" in logs and "refused: HTTP 500" in logs
    assert "/response/" not in logs and "act-U9" not in logs and "act-U10" not in logs


def _healthy(sender: SlackSender) -> bool:
    try:
        return sender.get("/healthz").status == 200
    except OSError:  # not listening yet
        return False

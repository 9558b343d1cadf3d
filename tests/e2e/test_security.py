"""Requests Slack never sends: forged, replayed, altered or oversized. All refused, nothing stored."""

from __future__ import annotations

import json
import time
import urllib.error
from urllib.parse import urlencode

import pytest

from tests.support.bot import RunningBot, sign


def schedule_body() -> bytes:
    return urlencode(
        {
            "command": "/quiz",
            "text": "schedule 09:30",
            "user_id": "U1",
            "channel_id": "C1",
            "team_id": "T1",
            "response_url": "http://127.0.0.1:9/x",
            "trigger_id": "t",
        }
    ).encode()


FORM = "application/x-www-form-urlencoded"


def forged_headers(kind: str) -> dict[str, str]:
    """Headers computed when the test runs, so timestamps are relative to now."""
    now = int(time.time())
    return {
        "wrong-secret": lambda: sign(schedule_body(), now, secret="wrong-secret"),
        "stale": lambda: sign(schedule_body(), now - 6 * 60),
        "future": lambda: sign(schedule_body(), now + 6 * 60),
        "no-headers": lambda: {},
        "no-signature": lambda: {"X-Slack-Request-Timestamp": str(now)},
        "no-timestamp": lambda: {"X-Slack-Signature": "v0=" + "0" * 64},
    }[kind]()


@pytest.mark.parametrize(
    "kind", ["wrong-secret", "stale", "future", "no-headers", "no-signature", "no-timestamp"]
)
def test_unsigned_or_badly_signed_requests_get_401_and_change_nothing(bot: RunningBot, kind: str) -> None:
    reply = bot.post(schedule_body(), FORM, headers=forged_headers(kind), signed=False)
    assert reply.status == 401
    assert bot.store.get_schedule("C1") is None


def test_body_changed_after_signing_is_refused(bot: RunningBot) -> None:
    headers = sign(schedule_body(), int(time.time()))
    altered = schedule_body().replace(b"U1", b"U2")
    assert bot.post(altered, FORM, headers=headers, signed=False).status == 401
    assert bot.store.get_schedule("C1") is None


def test_properly_signed_request_is_accepted(bot: RunningBot) -> None:
    reply = bot.post(schedule_body(), FORM)
    assert reply.status == 200
    assert bot.store.get_schedule("C1") is not None


def test_oversized_body_is_refused(bot: RunningBot) -> None:
    body = b"payload=" + b"x" * 2_000_000
    try:
        status = bot.post(body, FORM).status
    except (urllib.error.URLError, ConnectionError):
        status = 413  # waitress answered 413 and closed before the client finished sending
    assert status == 413
    assert bot.post(schedule_body(), FORM).status == 200  # and the server still serves


def test_url_verification_is_answered(bot: RunningBot) -> None:
    body = json.dumps({"type": "url_verification", "challenge": "abc123", "token": "t"}).encode()
    reply = bot.post(body, "application/json")
    assert reply.status == 200 and "abc123" in reply.body


def test_user_id_comes_only_from_the_signed_payload(bot: RunningBot) -> None:
    bot.command("/quiz", "now", channel="C1")
    quiz = bot.fake.wait_for(lambda: bot.store.open_quizzes("C1"))[0]
    # a value that tries to name another user is simply not a valid quiz value
    bot.click("quiz_answer_0", f"{quiz.id}:0:UVICTIM", user="UATTACKER", channel="C1")
    bot.fake.wait_for(lambda: [r for r in bot.fake.responses if r.method.endswith("act-UATTACKER")])
    assert bot.store.user_answer(quiz.id, "UVICTIM") is None
    assert bot.store.user_answer(quiz.id, "UATTACKER") is None


def test_unknown_paths_and_methods(bot: RunningBot) -> None:
    assert bot.post(b"{}", "application/json", path="/nope").status == 404
    assert bot.post(b"", FORM, signed=False).status == 401
    assert bot.post(b"", FORM).status == 404  # signed but about nothing: not handled, never a 500

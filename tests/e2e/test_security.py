"""Requests Slack never sends: forged, replayed, altered or oversized. All refused, nothing stored."""

from __future__ import annotations

import http.client
import json
import time
from urllib.parse import parse_qs, urlencode

import pytest

from tests.support.bot import RunningBot, click_body, sign


def define_body() -> bytes:
    return urlencode(
        {
            "command": "/define",
            "text": "drain",
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
        "wrong-secret": lambda: sign(define_body(), now, secret="wrong-secret"),
        "stale": lambda: sign(define_body(), now - 6 * 60),
        "future": lambda: sign(define_body(), now + 6 * 60),
        "no-headers": lambda: {},
        "no-signature": lambda: {"X-Slack-Request-Timestamp": str(now)},
        "no-timestamp": lambda: {"X-Slack-Signature": "v0=" + "0" * 64},
    }[kind]()


@pytest.mark.parametrize(
    "kind", ["wrong-secret", "stale", "future", "no-headers", "no-signature", "no-timestamp"]
)
def test_unsigned_or_badly_signed_requests_get_401_and_change_nothing(bot: RunningBot, kind: str) -> None:
    reply = bot.post(define_body(), FORM, headers=forged_headers(kind), signed=False)
    assert reply.status == 401 and "no-new-work" not in reply.body
    assert bot.storage.stats.top_terms(bot.ws, bot.clock().replace(year=2000)) == []  # not even counted


def test_body_changed_after_signing_is_refused(bot: RunningBot) -> None:
    headers = sign(define_body(), int(time.time()))
    altered = define_body().replace(b"U1", b"U2")
    assert bot.post(altered, FORM, headers=headers, signed=False).status == 401
    assert bot.storage.stats.top_terms(bot.ws, bot.clock().replace(year=2000)) == []


def test_properly_signed_request_is_accepted(bot: RunningBot) -> None:
    reply = bot.post(define_body(), FORM)
    assert reply.status == 200
    assert "A no-new-work posture" in reply.body


def test_oversized_body_is_refused_with_413(bot: RunningBot) -> None:
    """A body over 1 MB is refused before it is read: announce 2 MB, send the headers, and read
    the answer the server gives at once (a client that kept sending would see it closed)."""
    host, port = bot.url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        conn.putrequest("POST", "/slack/events")
        conn.putheader("Content-Type", FORM)
        conn.putheader("Content-Length", str(2_000_000))
        for name, value in sign(b"payload=" + b"x" * 100, int(time.time())).items():
            conn.putheader(name, value)
        conn.endheaders()
        conn.send(b"payload=" + b"x" * 65_536)
        response = conn.getresponse()
        assert response.status == 413
    finally:
        conn.close()
    assert bot.post(define_body(), FORM).status == 200  # and the server still serves


def test_url_verification_is_answered(bot: RunningBot) -> None:
    body = json.dumps({"type": "url_verification", "challenge": "abc123", "token": "t"}).encode()
    reply = bot.post(body, "application/json")
    assert reply.status == 200 and "abc123" in reply.body


def test_user_id_comes_only_from_the_signed_payload(bot: RunningBot) -> None:
    assert "Posted" in bot.say("/quiz", "now", channel="C100")
    [quiz] = bot.open_quizzes("C100")
    # a well-formed value, sent by the attacker while the victim's id travels elsewhere in the body
    body = click_body(
        "quiz_answer_0", f"{quiz.id}:0", "UATTACKER", "C100", bot.fake.response_url("act-UATTACKER")
    )
    payload = json.loads(parse_qs(body.decode())["payload"][0])
    payload["user_id"] = "UVICTIM"  # the field a slash command would carry
    payload["actions"][0]["user"] = {"id": "UVICTIM"}
    payload["message"]["user"] = "UVICTIM"
    assert bot.post(urlencode({"payload": json.dumps(payload)}).encode(), FORM).status == 200
    bot.fake.wait_for(lambda: [r for r in bot.fake.responses if r.method.endswith("act-UATTACKER")])
    assert bot.storage.answers.of_user(bot.ws, quiz.id, "UATTACKER") == 0  # counted for who clicked
    assert bot.storage.answers.of_user(bot.ws, quiz.id, "UVICTIM") is None
    # and a value that tries to name another user is not a quiz value at all
    bot.click("quiz_answer_0", f"{quiz.id}:0:UVICTIM", user="U2", channel="C100")
    bot.fake.wait_for(lambda: [r for r in bot.fake.responses if r.method.endswith("act-U2")])
    assert bot.storage.answers.of_user(bot.ws, quiz.id, "U2") is None


def test_unknown_paths_and_methods(bot: RunningBot) -> None:
    assert bot.post(b"{}", "application/json", path="/nope").status == 404
    assert bot.post(b"", FORM, signed=False).status == 401
    assert bot.post(b"", FORM).status == 404  # signed but about nothing: not handled, never a 500

"""Property tests over HTTP: any slash-command text and any interaction payload,
however malformed, gets a 200 (or a 4xx for what is not a Slack request) and a
clear answer within Block Kit's limits; never a 500, never a crash, never a
mention or broadcast echoed back."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.standin import SlackStandIn
from bot.standin.checks import MESSAGE_BLOCKS as MESSAGE_LIMIT
from bot.standin.checks import blocks_error
from tests.support.bot import RunningBot

PROPERTY = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
MENTION = re.compile(r"<[@!#][^>]*>")

slack_text = st.one_of(
    st.text(max_size=300),
    st.text(alphabet=st.sampled_from("<>&@!#|:/ drainDRAIN-_?\n\t\x00\u200b🚀é"), max_size=200),
    st.builds(
        lambda a, b: f"{a}<!channel>{b}<@U123|bob><#C1|general><https://evil.example|click>",
        st.text(max_size=20),
        st.text(max_size=20),
    ),
    st.just("x" * 5000),
)


@pytest.fixture(scope="module")
def shared_bot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningBot]:
    fake = SlackStandIn()
    database = tmp_path_factory.mktemp("bad-input") / "bot.db"
    bot = RunningBot.start(fake, f"sqlite:///{database}")
    yield bot
    bot.close()
    fake.close()


def echoed_mentions(blocks: Any) -> list[str]:
    return MENTION.findall(json.dumps(blocks, ensure_ascii=False))


@PROPERTY
@given(text=slack_text)
def test_define_answers_any_text(shared_bot: RunningBot, text: str) -> None:
    reply = shared_bot.command("/define", text)
    assert reply.status == 200
    body = reply.json()
    assert body["response_type"] == "ephemeral"
    assert blocks_error(body["blocks"], MESSAGE_LIMIT) is None
    assert echoed_mentions(body["blocks"]) == []


@PROPERTY
@given(text=slack_text)
def test_quiz_and_leaderboard_answer_any_text(shared_bot: RunningBot, text: str) -> None:
    for command in ("/quiz", "/leaderboard"):
        if command == "/quiz" and text.strip().lower().startswith("now"):
            continue  # posting is covered elsewhere; here only the answers matter
        body = shared_bot.answer(command, text, channel="CBAD")  # in the ack, or via response_url
        assert body.get("text")
        assert blocks_error(body.get("blocks"), MESSAGE_LIMIT) is None
        assert echoed_mentions(body.get("blocks")) == []


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=50),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)
action_ids = st.sampled_from(
    [
        "quiz_answer_0",
        "quiz_answer_9",
        "define_show_0",
        "define_share",
        "define_pick",
        "leaderboard_share",
        "home_practice",
        "home_pick",
        "practice_answer_1",
        "practice_next",
        "unknown_action",
        "",
    ]
)


@st.composite
def block_actions(draw: st.DrawFn) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "type": "block_actions",
        "user": draw(st.one_of(st.just({"id": "U1", "name": "x"}), json_values)),
        "api_app_id": "A1",
        "team": {"id": "T1"},
        "actions": [
            {
                "type": "button",
                "action_id": draw(action_ids),
                "block_id": "b",
                "value": draw(st.one_of(st.text(max_size=3000), json_values)),
                "action_ts": "1.0",
            }
        ],
        "container": draw(st.one_of(st.just({"type": "message", "channel_id": "C1"}), json_values)),
        "trigger_id": draw(st.one_of(st.just("t"), json_values)),
    }
    if draw(st.booleans()):
        payload["view"] = draw(st.one_of(st.just({"id": "V1", "private_metadata": "{}"}), json_values))
    for key in draw(st.lists(st.sampled_from(sorted(payload)), max_size=3)):
        payload.pop(key, None)  # missing fields
    return payload


@PROPERTY
@given(payload=block_actions())
def test_malformed_interactions_never_500(shared_bot: RunningBot, payload: dict[str, Any]) -> None:
    body = urlencode({"payload": json.dumps(payload)}).encode()
    reply = shared_bot.post(body, "application/x-www-form-urlencoded")
    assert reply.status in (200, 400, 404)  # 400: malformed; 404: no listener for that shape; never 500


@PROPERTY
@given(raw=st.text(max_size=500))
def test_garbage_bodies_never_500(shared_bot: RunningBot, raw: str) -> None:
    for content_type in ("application/x-www-form-urlencoded", "application/json"):
        reply = shared_bot.post(raw.encode(), content_type)
        assert reply.status < 500

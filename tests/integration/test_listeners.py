"""Listeners called as plain functions with a stub `ack` (as Slack's starter template tests them),
over the real services of a runtime whose Slack is the stand-in."""

from __future__ import annotations

from typing import Any

import pytest
from slack_bolt import BoltContext
from slack_bolt.authorization import AuthorizeResult
from sqlalchemy.exc import OperationalError

from bot.listeners import define, home, quiz, suggest
from bot.listeners.context import KEY
from bot.runtime import Runtime
from bot.standin import Person, SlackStandIn


class Recorder:
    """A stub for `ack`: records every call."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    def __call__(self, *args: Any, **kwargs: Any) -> None:
        self.calls.append({"args": args, **kwargs})


def context_of(runtime: Runtime) -> BoltContext:
    context = BoltContext()
    context[KEY] = runtime.bot
    context["authorize_result"] = AuthorizeResult(enterprise_id=None, team_id="T1", bot_token="xoxb-x")
    return context


def command(text: str, response_url: str = "", user: str = "U100", channel: str = "C100") -> dict[str, str]:
    return {
        "command": "/x",
        "text": text,
        "user_id": user,
        "channel_id": channel,
        "team_id": "T1",
        "response_url": response_url,
    }


def replies(fake: SlackStandIn, name: str) -> list[dict[str, Any]]:
    """What reached the stand-in's response_url `name`."""
    return [call.body for call in fake.responses if call.method.endswith("/" + name)]


def test_define_answers_in_its_acknowledgement(runtime: Runtime) -> None:
    ack = Recorder()
    define.define(ack=ack, command=command("draen"), context=context_of(runtime))  # type: ignore[arg-type]
    [answer] = ack.calls
    assert answer["response_type"] == "ephemeral"
    assert "A no-new-work posture" in str(answer["blocks"]) and "Showing *Drain*" in str(answer["blocks"])


def test_quiz_help_and_status_are_answered_at_once(runtime: Runtime, fake: SlackStandIn) -> None:
    for text, expected in (("help", "/quiz schedule HH:MM"), ("status", "No term of the day here yet")):
        ack = Recorder()
        url = fake.response_url(text)
        quiz.quiz(ack=ack, command=command(text, url), context=context_of(runtime))  # type: ignore[arg-type]
        [answer] = ack.calls
        assert runtime.core.after_ack.wait_idle(10)
        assert expected in answer["text"] and replies(fake, text) == []


def test_quiz_schedule_acknowledges_first_and_answers_from_the_pool(
    runtime: Runtime, fake: SlackStandIn
) -> None:
    fake.state.add_person(Person("U100", "Quinn Admin", is_admin=True))
    ack = Recorder()
    said = command("schedule 09:30 Japan daily", fake.response_url("schedule"))
    quiz.quiz(ack=ack, command=said, context=context_of(runtime))  # type: ignore[arg-type]
    assert ack.calls == [{"args": ()}]  # an empty acknowledgement: nothing slow before it
    assert runtime.core.after_ack.wait_idle(10)
    [answer] = replies(fake, "schedule")
    assert "Scheduled: 09:30 Japan, daily" in answer["text"] and answer["response_type"] == "ephemeral"


def test_an_invalid_quiz_button_is_acknowledged_and_stores_nothing(
    runtime: Runtime, fake: SlackStandIn
) -> None:
    ack = Recorder()
    body = {
        "user": {"id": "U1"},
        "actions": [{"value": "12:99:UVICTIM"}],
        "response_url": fake.response_url("invalid"),
    }
    quiz.answer_quiz(ack=ack, body=body, context=context_of(runtime))  # type: ignore[arg-type]
    assert ack.calls == [{"args": ()}]
    assert runtime.core.after_ack.wait_idle(10)
    [answer] = replies(fake, "invalid")
    assert "not valid" in answer["text"]


def test_a_quiz_subcommand_that_fails_after_the_ack_still_answers(
    runtime: Runtime, fake: SlackStandIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The database goes away between the acknowledgement and the work: the person is told."""

    def unreachable(*args: object) -> bool:
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    monkeypatch.setattr(runtime.services.admins, "may_manage", unreachable)
    ack = Recorder()
    quiz.quiz(ack=ack, command=command("off", fake.response_url("off")), context=context_of(runtime))  # type: ignore[arg-type]
    assert runtime.core.after_ack.wait_idle(10)
    [answer] = replies(fake, "off")
    assert "database is not reachable" in answer["text"]


@pytest.mark.parametrize("listener", ["practice_start", "practice_next", "suggest"])
def test_clicks_that_open_a_modal_are_acknowledged_before_the_database_is_read(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch, listener: str
) -> None:
    """A slow or unreachable database must not hold the acknowledgement (Slack's 3 seconds)."""

    def unreachable(*args: object, **kwargs: object) -> object:
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    monkeypatch.setattr(runtime.services.practice, "next_question", unreachable)
    monkeypatch.setattr(runtime.services.suggestions, "modal", unreachable)
    body = {
        "type": "block_actions",
        "user": {"id": "U100"},
        "team": {"id": "T1"},
        "trigger_id": "1.2.abc",
        "view": {"id": "V1", "type": "modal"},
        "actions": [{"action_id": "suggest_new", "value": "canary release"}],
    }
    ack = Recorder()
    kwargs: dict[str, Any] = {"ack": ack, "body": body, "context": context_of(runtime)}
    getattr(home if listener != "suggest" else suggest, listener)(**kwargs)
    assert ack.calls == [{"args": ()}]
    assert runtime.core.after_ack.wait_idle(10)

"""The stand-in's people side against a stub app (no browser): what it sends, and what it does with answers.

The stub app records each request (after checking Slack's signature) and
answers as the test says, so every rule of `bot.standin.interactions` is
checked on its own: acknowledgements, response_url semantics and limits,
trigger ids, menus, and modal submissions.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

import pytest
from slack_sdk.signature import SignatureVerifier

from bot.playground.seed import BOT, CHANNEL, COMMANDS, SHORTCUTS, seed
from bot.standin import SlackStandIn
from bot.standin.interactions import RESPONSE_URL_USES, SLACKBOT, Interactions

SECRET = "stub-signing-secret"
Answer = tuple[int, Any]


@dataclass
class StubApp:
    """A loopback app: records what Slack sent it, answers with `reply(payload)`."""

    reply: Callable[[dict[str, Any]], Answer] = lambda payload: (200, None)
    received: list[dict[str, Any]] = field(default_factory=list)
    delay: float = 0.0

    def __post_init__(self) -> None:
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                raw = self.rfile.read(int(self.headers["Content-Length"]))
                valid = SignatureVerifier(SECRET).is_valid(
                    raw, self.headers["X-Slack-Request-Timestamp"], self.headers["X-Slack-Signature"]
                )
                if "json" in self.headers["Content-Type"]:
                    payload = json.loads(raw)
                else:
                    form = {k: v[0] for k, v in parse_qs(raw.decode(), keep_blank_values=True).items()}
                    payload = json.loads(form["payload"]) if "payload" in form else form
                stub.received.append(payload)
                time.sleep(stub.delay)
                status, body = (401, None) if not valid else stub.reply(payload)
                data = b"" if body is None else json.dumps(body).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except BrokenPipeError:
                    pass  # Slack stopped waiting (the timeout test)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/slack/events"
        threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@dataclass
class World:
    slack: SlackStandIn
    app: StubApp
    people: Interactions
    token: str

    def call(self, method: str, **args: Any) -> dict[str, Any]:
        """The app calling Slack's Web API with its token."""
        return self.slack.answer(method, args, self.token)

    def seen_by(self, user: str) -> list[dict[str, Any]]:
        return [e for e in self.slack.state.ephemerals if e["user"] == user]

    def post(self, blocks: list[dict[str, Any]]) -> str:
        answer = self.call("chat.postMessage", channel=CHANNEL, text="t", blocks=blocks)
        assert answer["ok"], answer
        return str(answer["ts"])

    def respond(self, url: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        return self.slack.respond(url.removeprefix(self.slack.base_url), body)


@pytest.fixture
def world() -> Iterator[World]:
    slack, app = SlackStandIn(), StubApp()
    token = seed(slack)
    people = Interactions(slack, app.url, SECRET, BOT, COMMANDS, ack_seconds=1.0, shortcuts=SHORTCUTS)
    yield World(slack, app, people, token)
    app.close()
    slack.close()


BUTTON_MESSAGE = [
    {"type": "section", "text": {"type": "mrkdwn", "text": "hi"}},
    {
        "type": "actions",
        "block_id": "acts",
        "elements": [
            {"type": "button", "action_id": "go", "value": "v1", "text": {"type": "plain_text", "text": "Go"}}
        ],
    },
]


def test_a_command_is_signed_escaped_and_its_acknowledgement_shown_only_to_its_sender(world: World) -> None:
    world.app.reply = lambda p: (200, {"response_type": "ephemeral", "text": "only *you*"})
    assert world.people.say("U0BEN", CHANNEL, "/quiz admins @ada <b> & co").ok
    [sent] = world.app.received
    assert sent["command"] == "/quiz" and sent["user_id"] == "U0BEN" and sent["user_name"] == "ben"
    assert sent["text"] == "admins <@U0ADA|ada> &lt;b&gt; &amp; co"  # /quiz has should_escape
    assert sent["channel_name"] == "study-lab" and sent["response_url"].startswith(world.slack.base_url)
    assert [e["text"] for e in world.seen_by("U0BEN")] == ["only *you*"]
    assert world.seen_by("U0ADA") == [] and world.slack.state.messages.get(CHANNEL, []) == []


def test_an_in_channel_acknowledgement_is_posted_as_the_app(world: World) -> None:
    world.app.reply = lambda p: (200, {"response_type": "in_channel", "text": "for all"})
    world.people.say("U0BEN", CHANNEL, "/leaderboard")
    [message] = world.slack.state.messages[CHANNEL]
    assert message["text"] == "for all" and message["bot_id"] == BOT.bot_id


def test_an_app_that_fails_or_is_slow_gets_slackbots_failure_notice(world: World) -> None:
    world.app.reply = lambda p: (500, None)
    outcome = world.people.say("U0BEN", CHANNEL, "/define drain")
    assert not outcome.ok and "dispatch_failed" in outcome.note
    world.app.reply, world.app.delay = (lambda p: (200, None)), 1.5
    outcome = world.people.say("U0BEN", CHANNEL, "/define drain")
    assert not outcome.ok and "operation_timeout" in outcome.note
    notices = world.seen_by("U0BEN")
    assert [n["author"] for n in notices] == [SLACKBOT, SLACKBOT]
    assert [r["error"] for r in world.slack.state.refusals] == ["dispatch_failed", "operation_timeout"]


def test_unknown_commands_never_reach_the_app(world: World) -> None:
    outcome = world.people.say("U0BEN", CHANNEL, "/nope x")
    assert not outcome.ok and "not a valid command" in outcome.note and world.app.received == []


def test_a_plain_message_is_posted_by_the_person_and_not_sent_to_the_app(world: World) -> None:
    assert world.people.say("U0ADA", CHANNEL, "hello <@here> @ben").ok
    [message] = world.slack.state.messages[CHANNEL]
    assert message["user"] == "U0ADA" and "bot_id" not in message
    assert message["text"] == "hello &lt;@here&gt; <@U0BEN|ben>"
    assert world.app.received == []  # the manifest subscribes to no message events


def test_invalid_blocks_in_an_acknowledgement_are_refused(world: World) -> None:
    world.app.reply = lambda p: (200, {"text": "x", "blocks": [{"type": "section"}]})
    outcome = world.people.say("U0BEN", CHANNEL, "/define x")
    assert not outcome.ok and "invalid_blocks" in outcome.note
    assert [e["author"] for e in world.seen_by("U0BEN")] == [SLACKBOT]


def test_a_click_sends_the_element_as_the_app_sent_it(world: World) -> None:
    ts = world.post(BUTTON_MESSAGE)
    assert world.people.act("U0BEN", {"kind": "message", "channel": CHANNEL, "ts": ts}, 1, 0, None).ok
    [sent] = world.app.received
    assert sent["type"] == "block_actions" and sent["message"]["ts"] == ts
    assert sent["actions"][0]["value"] == "v1" and sent["actions"][0]["block_id"] == "acts"
    assert sent["container"] == {
        "type": "message",
        "message_ts": ts,
        "channel_id": CHANNEL,
        "is_ephemeral": False,
    }
    assert sent["trigger_id"] in world.slack.state.triggers


def test_response_url_replaces_deletes_and_posts_as_slack_does(world: World) -> None:
    world.app.reply = lambda p: (200, {"text": "a card", "blocks": BUTTON_MESSAGE})
    world.people.say("U0BEN", CHANNEL, "/define drain")
    [card] = world.seen_by("U0BEN")
    where = {"kind": "ephemeral", "channel": CHANNEL, "ts": card["ts"]}
    world.app.reply = lambda p: (200, None)
    world.people.act("U0BEN", where, 1, 0, None)
    url = world.app.received[-1]["response_url"]
    assert "message" not in world.app.received[-1]  # an ephemeral message is not sent back to the app
    assert world.respond(url, {"text": "replaced", "replace_original": True})[0] == 200
    assert [e["text"] for e in world.seen_by("U0BEN")] == ["replaced"]
    assert world.respond(url, {"text": "shared", "response_type": "in_channel"})[0] == 200
    assert [m["text"] for m in world.slack.state.messages[CHANNEL]] == ["shared"]
    assert world.respond(url, {"text": "more", "replace_original": False})[0] == 200
    assert [e["text"] for e in world.seen_by("U0BEN")] == ["replaced", "more"]
    assert world.respond(url, {"delete_original": True})[0] == 200
    assert [e["text"] for e in world.seen_by("U0BEN")] == ["more"]


def test_response_url_refuses_a_sixth_use_and_unknown_urls(world: World) -> None:
    world.people.say("U0BEN", CHANNEL, "/define drain")
    url = world.app.received[-1]["response_url"]
    for _ in range(RESPONSE_URL_USES):
        assert world.respond(url, {"text": "again"})[0] == 200
    assert world.respond(url, {"text": "again"}) == (404, {"ok": False, "error": "used_url"})
    assert world.respond(world.slack.response_url("made-up"), {"text": "x"})[0] == 404
    assert world.respond(url, {"text": "x", "blocks": [{"type": "nonsense"}]})[0] == 400


def test_a_trigger_opens_a_modal_for_its_person_once_and_briefly(world: World) -> None:
    ts = world.post(BUTTON_MESSAGE)
    world.people.act("U0CHIDI", {"kind": "message", "channel": CHANNEL, "ts": ts}, 1, 0, None)
    trigger = world.app.received[-1]["trigger_id"]
    modal = {"type": "modal", "title": {"type": "plain_text", "text": "M"}, "blocks": []}
    opened = world.call("views.open", trigger_id=trigger, view=modal)
    assert opened["ok"] and world.slack.state.modals[("T1", "U0CHIDI")] == [opened["view"]["id"]]
    assert world.call("views.open", trigger_id=trigger, view=modal)["error"] == "invalid_trigger_id"
    late = world.slack.state.mint_trigger("T1", "U0CHIDI")
    world.slack.state.triggers[late].expires_at = time.monotonic() - 1
    assert world.call("views.open", trigger_id=late, view=modal)["error"] == "expired_trigger_id"


def test_menus_send_the_option_picked_and_refuse_options_they_do_not_have(world: World) -> None:
    overflow = {
        "type": "overflow",
        "action_id": "more",
        "options": [{"text": {"type": "plain_text", "text": "Archive"}, "value": "archive"}],
    }
    select = {
        "type": "static_select",
        "action_id": "pick",
        "placeholder": {"type": "plain_text", "text": "Pick"},
        "option_groups": [
            {
                "label": {"type": "plain_text", "text": "G"},
                "options": [{"text": {"type": "plain_text", "text": "X"}, "value": "x"}],
            }
        ],
    }
    ts = world.post([{"type": "actions", "block_id": "m", "elements": [overflow, select]}])
    where = {"kind": "message", "channel": CHANNEL, "ts": ts}
    assert world.people.act("U0BEN", where, 0, 0, "archive").ok
    assert world.app.received[-1]["actions"][0]["type"] == "overflow"
    assert world.app.received[-1]["actions"][0]["selected_option"]["value"] == "archive"
    assert world.people.act("U0BEN", where, 0, 1, "x").ok
    picked = world.app.received[-1]
    assert picked["state"]["values"]["m"]["pick"]["selected_option"]["value"] == "x"
    assert not world.people.act("U0BEN", where, 0, 1, "not-an-option").ok
    assert len(world.app.received) == 2


def test_external_select_options_come_from_the_app(world: World) -> None:
    menu = {
        "type": "external_select",
        "action_id": "find",
        "placeholder": {"type": "plain_text", "text": "Search"},
        "min_query_length": 0,
    }
    ts = world.post(
        [{"type": "section", "block_id": "cat_0", "text": {"type": "mrkdwn", "text": "T"}, "accessory": menu}]
    )
    where = {"kind": "message", "channel": CHANNEL, "ts": ts}
    option = {"text": {"type": "plain_text", "text": "Drain"}, "value": "Drain"}
    world.app.reply = lambda p: (200, {"options": [option]} if p["type"] == "block_suggestion" else None)
    assert not world.people.act("U0BEN", where, 0, -1, "Drain").ok  # not offered yet
    found = world.people.suggest("U0BEN", where, 0, -1, "dra")
    assert found.ok and found.data["options"] == [option]
    asked = world.app.received[-1]
    assert asked["type"] == "block_suggestion" and asked["value"] == "dra" and asked["block_id"] == "cat_0"
    assert world.people.act("U0BEN", where, 0, -1, "Drain").ok
    assert world.app.received[-1]["actions"][0]["selected_option"] == option


def test_modal_submission_follows_the_response_action(world: World) -> None:
    form = {
        "type": "modal",
        "callback_id": "suggest",
        "title": {"type": "plain_text", "text": "Suggest"},
        "submit": {"type": "plain_text", "text": "Send"},
        "blocks": [
            {
                "type": "input",
                "block_id": "name",
                "label": {"type": "plain_text", "text": "Term"},
                "element": {"type": "plain_text_input", "action_id": "v"},
            }
        ],
    }
    opened = world.call("views.open", trigger_id=world.slack.state.mint_trigger("T1", "U0BEN"), view=form)
    view_id = opened["view"]["id"]
    world.app.reply = lambda p: (200, {"response_action": "errors", "errors": {"name": "Too short"}})
    outcome = world.people.submit_view("U0BEN", view_id, {"0": "x"})
    assert not outcome.ok and outcome.data["errors"] == {"name": "Too short"}
    sent = world.app.received[-1]
    assert sent["type"] == "view_submission" and sent["view"]["callback_id"] == "suggest"
    assert sent["view"]["state"]["values"] == {"name": {"v": {"type": "plain_text_input", "value": "x"}}}
    thanks = {"type": "modal", "title": {"type": "plain_text", "text": "Thanks"}, "blocks": []}
    world.app.reply = lambda p: (200, {"response_action": "update", "view": thanks})
    assert world.people.submit_view("U0BEN", view_id, {"0": "Drain"}).ok
    assert world.slack.state.views[view_id]["title"]["text"] == "Thanks"
    assert not world.people.submit_view("U0BEN", view_id, {}).ok  # the update has no submit button
    assert world.people.close_view("U0BEN", view_id).ok
    assert world.slack.state.modals[("T1", "U0BEN")] == []
    assert not world.people.close_view("U0ADA", view_id).ok  # not hers


def test_opening_home_sends_the_view_once_published(world: World) -> None:
    world.people.open_home("U0ADA")
    first = world.app.received[-1]
    assert first["type"] == "event_callback" and first["event"]["type"] == "app_home_opened"
    assert "view" not in first["event"]
    home = {"type": "home", "blocks": [{"type": "divider"}]}
    assert world.call("views.publish", user_id="U0ADA", view=home)["ok"]
    world.people.open_home("U0ADA")
    again = world.app.received[-1]
    assert again["event"]["view"]["type"] == "home" and again["event_id"] != first["event_id"]


def test_a_message_shortcut_sends_the_message_as_slack_does(world: World) -> None:
    world.people.say("U0BEN", CHANNEL, "drain <!channel> & the @Ada cell")
    [message] = world.slack.state.messages[CHANNEL]
    outcome = world.people.shortcut(
        "U0ADA", {"kind": "message", "channel": CHANNEL, "ts": message["ts"]}, "explain_terms"
    )
    assert outcome.ok, outcome
    [payload] = world.app.received
    assert payload["type"] == "message_action" and payload["callback_id"] == "explain_terms"
    assert payload["user"]["id"] == "U0ADA" and payload["team"]["id"] == BOT.team_id
    assert payload["channel"] == {"id": CHANNEL, "name": "study-lab"}
    assert payload["message_ts"] == message["ts"] and payload["trigger_id"] and payload["action_ts"]
    assert payload["message"]["type"] == "message" and payload["message"]["user"] == "U0BEN"
    assert payload["message"]["text"] == message["text"]  # as Slack wrote it: entities, mentions
    assert "&lt;!channel&gt; &amp;" in message["text"] and "<@U0ADA" in message["text"]
    assert "actions" not in payload and "container" not in payload
    # The answer to its response_url is private to the person who used the shortcut.
    status, _ = world.respond(payload["response_url"], {"text": "Drain, Cell"})
    assert status == 200
    [shown] = world.seen_by("U0ADA")
    assert shown["text"] == "Drain, Cell" and world.seen_by("U0BEN") == []


def test_a_shortcut_the_app_does_not_declare_or_on_no_message_is_refused(world: World) -> None:
    world.people.say("U0BEN", CHANNEL, "drain")
    [message] = world.slack.state.messages[CHANNEL]
    where = {"kind": "message", "channel": CHANNEL, "ts": message["ts"]}
    assert not world.people.shortcut("U0ADA", where, "nope").ok
    assert not world.people.shortcut("U0ADA", {**where, "ts": "1.1"}, "explain_terms").ok
    assert world.app.received == []

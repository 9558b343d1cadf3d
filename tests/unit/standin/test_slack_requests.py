"""The request bodies the stand-in sends an app, against the shapes Slack sends (slack-payloads.md)."""

from __future__ import annotations

import json
import time
from urllib.parse import parse_qs

from slack_sdk.signature import SignatureVerifier

from bot.standin.slack_requests import (
    TRIGGER_ID,
    Actor,
    MessageSurface,
    ViewSurface,
    app_home_opened,
    block_actions,
    block_suggestion,
    button_action,
    click_body,
    command_body,
    event_callback,
    form_body,
    option,
    select_action,
    signature_headers,
    view_closed,
    view_submission,
)

SLASH_FIELDS = {
    "token",
    "team_id",
    "team_domain",
    "channel_id",
    "channel_name",
    "user_id",
    "user_name",
    "command",
    "text",
    "api_app_id",
    "is_enterprise_install",
    "response_url",
    "trigger_id",
}
INTERACTION_FIELDS = {"type", "user", "api_app_id", "token", "team", "enterprise", "is_enterprise_install"}


def payload_of(body: bytes) -> dict:
    fields = parse_qs(body.decode())
    assert list(fields) == ["payload"]
    return json.loads(fields["payload"][0])


def test_a_slash_command_carries_every_field_slack_sends() -> None:
    body = command_body("/define", "drain & co", "U1", "C1", "http://x/response/1", channel_name="study-lab")
    fields = {k: v[0] for k, v in parse_qs(body.decode(), keep_blank_values=True).items()}
    assert set(fields) == SLASH_FIELDS
    assert fields["text"] == "drain & co" and fields["channel_name"] == "study-lab"
    assert fields["trigger_id"] == TRIGGER_ID and fields["is_enterprise_install"] == "false"


def test_an_empty_command_text_is_still_sent() -> None:
    fields = parse_qs(command_body("/quiz", "", "U1", "C1", "u").decode(), keep_blank_values=True)
    assert fields["text"] == [""]


def test_a_click_in_a_channel_message_carries_the_message_and_a_response_url() -> None:
    payload = payload_of(click_body("quiz_answer_1", "7:1", "U1", "C1", "http://x/r", message_ts="5.000001"))
    assert set(payload) >= INTERACTION_FIELDS and payload["type"] == "block_actions"
    assert payload["container"] == {
        "type": "message",
        "message_ts": "5.000001",
        "channel_id": "C1",
        "is_ephemeral": False,
    }
    assert payload["channel"]["id"] == "C1" and payload["response_url"] == "http://x/r"
    assert payload["message"]["ts"] == "5.000001"
    [action] = payload["actions"]
    assert action["type"] == "button" and action["value"] == "7:1" and action["action_id"] == "quiz_answer_1"
    assert payload["user"] == {"id": "U1", "username": "someone", "name": "someone", "team_id": "T1"}


def test_a_click_in_an_ephemeral_message_has_no_message() -> None:
    payload = payload_of(click_body("define_show_0", "Drain", "U1", "C1", "http://x/r", ephemeral=True))
    assert payload["container"]["is_ephemeral"] is True
    assert "message" not in payload and payload["response_url"] == "http://x/r"


def test_a_click_in_a_view_has_no_channel_and_no_response_url() -> None:
    payload = payload_of(
        click_body("home_practice", "start", "U1", "", "", view={"type": "home", "id": "V9"})
    )
    assert payload["container"] == {"type": "view", "view_id": "V9"}
    assert payload["view"]["type"] == "home" and payload["view"]["hash"]
    assert "channel" not in payload and "response_url" not in payload and "message" not in payload


def test_menu_picks_carry_the_selected_option() -> None:
    picked = option("Drain", "Drain")
    for kind in ("static_select", "external_select", "overflow"):
        action = select_action(kind, "a", "b", picked, now=1.5)
        assert action == {
            "type": kind,
            "action_id": "a",
            "block_id": "b",
            "selected_option": picked,
            "action_ts": "1.500000",
        }
    menu = payload_of(click_body("define_pick", "", "U1", "C1", "r", selected="Drain"))
    assert menu["actions"][0]["selected_option"]["value"] == "Drain"


def test_block_actions_carry_state_and_the_trigger_given() -> None:
    surface = MessageSurface("C1", "1.0", "http://x/r", channel_name="study-lab")
    state = {"b": {"a": {"type": "static_select", "selected_option": option("X", "x")}}}
    payload = block_actions(Actor("U1", handle="ada"), button_action("a", "v", "b"), surface, "trig", state)
    assert payload["trigger_id"] == "trig" and payload["state"] == {"values": state}
    assert payload["channel"] == {"id": "C1", "name": "study-lab"}
    assert "message" not in payload  # no message given: Slack sends one only when the app can read it


def test_a_suggestion_request_names_the_menu_and_what_was_typed() -> None:
    surface = MessageSurface("C1", "1.0", "http://x/r", ephemeral=True)
    payload = block_suggestion(Actor("U1"), "define_pick", "cat_0", "dra", surface)
    assert payload["type"] == "block_suggestion" and payload["value"] == "dra"
    assert payload["action_id"] == "define_pick" and payload["block_id"] == "cat_0"
    assert "response_url" not in payload and "trigger_id" not in payload
    in_view = block_suggestion(
        Actor("U1"), "home_pick", "cat_1", "", ViewSurface({"id": "V1", "type": "home"})
    )
    assert in_view["container"] == {"type": "view", "view_id": "V1"}


def test_view_submission_and_closing() -> None:
    view = {"id": "V1", "type": "modal", "callback_id": "cb", "private_metadata": "m"}
    values = {"b": {"a": {"type": "plain_text_input", "value": "hi"}}}
    submitted = view_submission(Actor("U1"), view, values, "trig")
    assert submitted["type"] == "view_submission" and submitted["trigger_id"] == "trig"
    assert submitted["view"]["state"] == {"values": values} and submitted["view"]["callback_id"] == "cb"
    closed = view_closed(Actor("U1"), view)
    assert closed["type"] == "view_closed" and closed["view"]["id"] == "V1" and "trigger_id" not in closed


def test_home_opened_event_has_the_view_only_after_the_first_publish() -> None:
    first = event_callback(app_home_opened("U1"), "T1", "Ev1", now=10)
    assert first["type"] == "event_callback" and first["event_id"] == "Ev1" and first["event_time"] == 10
    assert first["event"]["type"] == "app_home_opened" and first["event"]["tab"] == "home"
    assert "view" not in first["event"]
    again = app_home_opened("U1", {"id": "V1", "type": "home"})
    assert again["view"]["id"] == "V1"


def test_form_body_is_one_payload_field() -> None:
    assert payload_of(form_body({"type": "x", "text": "a&b=c"})) == {"type": "x", "text": "a&b=c"}


def test_signature_is_what_slack_sdk_verifies() -> None:
    body, now = b"payload=%7B%7D", int(time.time())
    headers = signature_headers(body, now, "secret-123")
    verifier = SignatureVerifier("secret-123")
    assert verifier.is_valid(body, headers["X-Slack-Request-Timestamp"], headers["X-Slack-Signature"])
    assert not SignatureVerifier("other").is_valid(
        body, headers["X-Slack-Request-Timestamp"], headers["X-Slack-Signature"]
    )

"""What Slack sends an app: request bodies, built as Slack builds them, and Slack's signature.

Pure functions, shared by the tests, the benchmarks and the playground, so
that every caller sends the bot the same shapes (see
`/work/shared/docs/slack-payloads.md` for the abridged reference):

* `command_body`: a slash command's form body;
* `block_actions`, `block_suggestion`, `view_submission`, `view_closed`: the
  JSON `payload` of an interaction, from a channel message, an ephemeral
  message (`MessageSurface`) or a view (`ViewSurface`); `form_body` wraps one
  into the form field Slack posts;
* `message_action`: a message shortcut used on a message (`message_of` builds a
  person's message as Slack holds it);
* `event_callback`: an Events API delivery (`app_home_opened`);
* `click_body`: the tests' short way to a `block_actions` form body;
* `signature_headers`: `X-Slack-Signature` and its timestamp, made with
  slack_sdk's `SignatureVerifier`, exactly as Slack signs.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from slack_sdk.signature import SignatureVerifier

Payload = dict[str, Any]
# A trigger id as Slack writes them; tests that do not open views share this one.
TRIGGER_ID = "13345224609.738474920.8088930838d88f008e0"
APP_ID = "A1"
DOMAIN = "vango"


@dataclass(frozen=True)
class Actor:
    """The person acting, as an interaction payload names them."""

    user: str
    team: str = "T1"
    handle: str = "someone"  # Slack's `username`/`name`: the short handle, not the display name
    domain: str = DOMAIN

    def user_field(self) -> dict[str, str]:
        return {"id": self.user, "username": self.handle, "name": self.handle, "team_id": self.team}

    def common(self, kind: str, trigger_id: str | None, app_id: str = APP_ID) -> Payload:
        """The fields every interaction payload carries."""
        fields: Payload = {
            "type": kind,
            "user": self.user_field(),
            "api_app_id": app_id,
            "token": "legacy-ignored",
            "team": {"id": self.team, "domain": self.domain},
            "enterprise": None,
            "is_enterprise_install": False,
        }
        if trigger_id is not None:
            fields["trigger_id"] = trigger_id
        return fields


@dataclass(frozen=True)
class MessageSurface:
    """A message the interaction happened in: a channel message, or an ephemeral one.

    Slack sends the `message` only when the app can read it back, so never for
    an ephemeral message; `response_url` is always there.
    """

    channel: str
    ts: str | None
    response_url: str
    ephemeral: bool = False
    channel_name: str = "general"
    message: dict[str, Any] | None = None

    def fields(self) -> Payload:
        fields: Payload = {
            "container": {
                "type": "message",
                "message_ts": self.ts,
                "channel_id": self.channel,
                "is_ephemeral": self.ephemeral,
            },
            "channel": {"id": self.channel, "name": self.channel_name},
            "response_url": self.response_url,
        }
        if not self.ephemeral and self.message is not None:
            fields["message"] = self.message
        return fields


@dataclass(frozen=True)
class ViewSurface:
    """The Home tab or a modal: no channel, no response_url; the view as Slack holds it."""

    view: dict[str, Any]

    def fields(self) -> Payload:
        return {
            "container": {"type": "view", "view_id": self.view.get("id", "")},
            "view": self.view,
        }


Surface = MessageSurface | ViewSurface


def action_ts(now: float | None = None) -> str:
    return f"{time.time() if now is None else now:.6f}"


def button_action(
    action_id: str, value: str | None, block_id: str, text: str = "A", now: float | None = None
) -> Payload:
    action: Payload = {
        "type": "button",
        "action_id": action_id,
        "block_id": block_id,
        "text": {"type": "plain_text", "text": text, "emoji": True},
        "action_ts": action_ts(now),
    }
    if value is not None:
        action["value"] = value
    return action


def option(text: str, value: str) -> Payload:
    return {"text": {"type": "plain_text", "text": text, "emoji": True}, "value": value}


def select_action(
    kind: str, action_id: str, block_id: str, selected: Payload, now: float | None = None
) -> Payload:
    """A pick in a `static_select`, `external_select` or `overflow` menu."""
    return {
        "type": kind,
        "action_id": action_id,
        "block_id": block_id,
        "selected_option": selected,
        "action_ts": action_ts(now),
    }


def block_actions(
    actor: Actor,
    action: Payload,
    surface: Surface,
    trigger_id: str = TRIGGER_ID,
    state: dict[str, Any] | None = None,
    app_id: str = APP_ID,
) -> Payload:
    """A `block_actions` payload: one element used on `surface`."""
    return {
        **actor.common("block_actions", trigger_id, app_id),
        "actions": [action],
        "state": {"values": state or {}},
        **surface.fields(),
    }


def block_suggestion(
    actor: Actor, action_id: str, block_id: str, typed: str, surface: Surface, app_id: str = APP_ID
) -> Payload:
    """An external select asking for its options, with what the person has typed so far."""
    payload = {
        **actor.common("block_suggestion", None, app_id),
        "action_id": action_id,
        "block_id": block_id,
        "value": typed,
        **surface.fields(),
    }
    payload.pop("response_url", None)  # Slack sends none with a suggestion
    return payload


def view_submission(
    actor: Actor, view: dict[str, Any], values: dict[str, Any], trigger_id: str, app_id: str = APP_ID
) -> Payload:
    return {
        **actor.common("view_submission", trigger_id, app_id),
        "view": {**view, "state": {"values": values}},
        "response_urls": [],
    }


def view_closed(actor: Actor, view: dict[str, Any], app_id: str = APP_ID) -> Payload:
    return {**actor.common("view_closed", None, app_id), "view": view, "is_cleared": False}


def message_action(
    actor: Actor,
    callback_id: str,
    channel: str,
    response_url: str,
    message: dict[str, Any],
    channel_name: str = "general",
    trigger_id: str = TRIGGER_ID,
    now: float | None = None,
    app_id: str = APP_ID,
) -> Payload:
    """A message shortcut used on `message` (as Slack holds it: `type`, `user` or `bot_id`, `ts`,
    `text`, `blocks`, `team`): no `actions` and no `container`, the message itself instead."""
    return {
        **actor.common("message_action", trigger_id, app_id),
        "callback_id": callback_id,
        "action_ts": action_ts(now),
        "channel": {"id": channel, "name": channel_name},
        "response_url": response_url,
        "message_ts": message.get("ts"),
        "message": {"type": "message", **message},
    }


def message_of(
    text: str, user: str, ts: str, team: str = "T1", blocks: list[Any] | None = None
) -> dict[str, Any]:
    """A person's message as Slack returns it in a `message_action`."""
    return {"type": "message", "user": user, "ts": ts, "text": text, "team": team, "blocks": blocks or []}


def form_body(payload: Payload) -> bytes:
    """An interaction as Slack posts it: one form field, `payload`, holding the JSON."""
    return urlencode({"payload": json.dumps(payload)}).encode()


def command_body(
    command: str, text: str, user: str, channel: str, response_url: str, team: str = "T1", **extra: str
) -> bytes:
    """A slash command's form body, with every field Slack sends (`extra` overrides any)."""
    fields = {
        "token": "legacy-ignored",
        "team_id": team,
        "team_domain": DOMAIN,
        "channel_id": channel,
        "channel_name": "general",
        "user_id": user,
        "user_name": "someone",
        "command": command,
        "text": text,
        "api_app_id": APP_ID,
        "is_enterprise_install": "false",
        "response_url": response_url,
        "trigger_id": TRIGGER_ID,
    }
    fields.update(extra)
    return urlencode(fields).encode()


def click_body(
    action_id: str,
    value: str,
    user: str,
    channel: str,
    response_url: str,
    message_ts: str | None = "1.0",
    ephemeral: bool = False,
    block_id: str = "b1",
    view: dict[str, Any] | None = None,
    selected: str | None = None,
    team: str = "T1",
) -> bytes:
    """A block_actions form body: a button (or a menu pick) in a message, an ephemeral message or a view."""
    action = (
        select_action("static_select", action_id, block_id, option(selected, selected))
        if selected is not None
        else button_action(action_id, value, block_id)
    )
    surface: Surface
    if view is not None:
        surface = ViewSurface({"id": "V1", "hash": "h1", "callback_id": view.get("callback_id", ""), **view})
    else:
        message: Payload = {"ts": message_ts, "text": "", "blocks": [], "user": "UBOT", "bot_id": "BBOT"}
        surface = MessageSurface(channel, message_ts, response_url, ephemeral, message=message)
    return form_body(block_actions(Actor(user, team), action, surface))


def event_callback(
    event: dict[str, Any], team: str = "T1", event_id: str = "Ev1", now: float | None = None
) -> Payload:
    """An Events API delivery wrapping `event`."""
    return {
        "type": "event_callback",
        "token": "legacy",
        "team_id": team,
        "api_app_id": APP_ID,
        "event_id": event_id,
        "event_time": int(time.time() if now is None else now),
        "event": event,
    }


def app_home_opened(user: str, view: dict[str, Any] | None = None, now: float | None = None) -> Payload:
    """The person opened the app's Home tab; `view` is their current Home, absent the first time."""
    event: Payload = {
        "type": "app_home_opened",
        "user": user,
        "channel": "D" + user.lstrip("UW")[:10],
        "tab": "home",
        "event_ts": action_ts(now),
    }
    if view is not None:
        event["view"] = view
    return event


def signature_headers(body: bytes, timestamp: int, secret: str) -> dict[str, str]:
    """Slack's signature of `body` at `timestamp` (seconds since the epoch)."""
    signature = SignatureVerifier(secret).generate_signature(timestamp=str(timestamp), body=body.decode())
    return {"X-Slack-Request-Timestamp": str(timestamp), "X-Slack-Signature": str(signature)}

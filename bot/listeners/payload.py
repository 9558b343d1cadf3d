"""Pure helpers that read what Slack sent: one place, used by every listener.

Slack's payloads differ by surface (a slash command's form fields, a block
action's nested JSON from a message, an ephemeral message, the Home tab or a
modal); these functions read each value wherever it is and never raise on a
missing or mistyped field.  The user id always comes from the signed payload,
never from a button's value.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

from slack_bolt import BoltContext

from bot.domain.text import strip_control
from bot.domain.workspace import Workspace

MAX_TEXT = 2000
_QUIZ_VALUE = re.compile(r"^(\d{1,12}):(\d{1,2})$")
_CHANNEL = re.compile(r"<#([CG][A-Z0-9]{2,})(?:\|[^>]*)?>|\b([CG][A-Z0-9]{6,})\b")
_MENTION = re.compile(r"<@([UW][A-Z0-9]{2,})(?:\|[^>]*)?>|\b([UW][A-Z0-9]{6,})\b")


def field(body: dict[str, Any], key: str) -> dict[str, Any]:
    value = body.get(key)
    return value if isinstance(value, dict) else {}


def action(body: dict[str, Any]) -> dict[str, Any]:
    acts = body.get("actions")
    first = acts[0] if isinstance(acts, list) and acts else None
    return first if isinstance(first, dict) else {}


def action_value(body: dict[str, Any]) -> str:
    """A button's value, or the value of the option picked in a menu."""
    act = action(body)
    selected = act.get("selected_option")
    if isinstance(selected, dict):
        return str(selected.get("value", ""))[:MAX_TEXT]
    return str(act.get("value", ""))[:MAX_TEXT]


def user_id(body: dict[str, Any]) -> str:
    """The acting user: `user.id` in interactions, `user_id` in slash commands."""
    return str(field(body, "user").get("id") or body.get("user_id") or "")


def channel_id(body: dict[str, Any]) -> str:
    return str(
        field(body, "channel").get("id")
        or field(body, "container").get("channel_id")
        or body.get("channel_id")
        or ""
    )


def command_text(body: dict[str, Any]) -> str:
    """What the person typed after the command.  Slack sends `&`, `<` and `>` as entities (so that
    `<@U…>` mentions stand out); they are turned back here, once, and escaped again on output."""
    text = str(body.get("text") or "").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return strip_control(text)[:MAX_TEXT]


MAX_MESSAGE = 40_000  # Slack's own limit on a message's text


def message_text(body: dict[str, Any]) -> str:
    """The text of the message a message shortcut was used on, as Slack wrote it (markup and
    entities included: the shortcut reads it, never echoes it)."""
    return strip_control(str(field(body, "message").get("text") or ""))[:MAX_MESSAGE]


def view(body: dict[str, Any]) -> dict[str, Any]:
    return field(body, "view")


def form_values(body: dict[str, Any]) -> dict[str, str]:
    """A modal's submitted inputs, by block id: the text typed, or the value of the option picked."""
    values = field(view(body), "state").get("values")
    found: dict[str, str] = {}
    for block_id, actions in (values if isinstance(values, dict) else {}).items():
        for element in (actions if isinstance(actions, dict) else {}).values():
            if not isinstance(element, dict):
                continue
            picked = element.get("selected_option")
            text = picked.get("value") if isinstance(picked, dict) else element.get("value")
            found[str(block_id)] = str(text or "")[:MAX_TEXT]
    return found


def private_metadata(body: dict[str, Any]) -> dict[str, Any]:
    """The view's private metadata, when it is a JSON object."""
    try:
        data = json.loads(str(view(body).get("private_metadata") or "{}"))
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def trigger_id(body: dict[str, Any]) -> str:
    return str(body.get("trigger_id") or "")


def quiz_answer(body: dict[str, Any]) -> tuple[int, int] | None:
    """(quiz id, choice) from a quiz button's value, or None when it is not one."""
    match = _QUIZ_VALUE.match(action_value(body))
    return (int(match.group(1)), int(match.group(2))) if match else None


def choice_index(body: dict[str, Any]) -> int:
    try:
        return int(action_value(body))
    except ValueError:
        return -1


def mentioned_users(text: str) -> frozenset[str]:
    """User ids from `<@U123|name>` mentions (and bare ids) in command text."""
    return frozenset(a or b for a, b in _MENTION.findall(text))


def mentioned_channel(text: str) -> str | None:
    """The first channel named in command text: `<#C123|name>` (or a bare id)."""
    found = _CHANNEL.search(text)
    return (found.group(1) or found.group(2)) if found else None


def event_time(body: dict[str, Any]) -> datetime | None:
    """When Slack says an event happened (its `event_time`, seconds since the epoch)."""
    raw = body.get("event_time")
    return datetime.fromtimestamp(raw, UTC) if isinstance(raw, int | float) and raw > 0 else None


def workspace(context: BoltContext) -> Workspace:
    """The installation that authorised the request: its workspace owns everything the request touches."""
    result = context.authorize_result
    team = (result.team_id if result is not None else None) or context.team_id
    enterprise = (result.enterprise_id if result is not None else None) or context.enterprise_id
    return Workspace.of_install(team, enterprise, bool(context.is_enterprise_install))

"""What Slack does when a person acts: it sends the app a signed request, and shows the answer.

`Interactions` is the people's side of the stand-in.  A person types in the
message box, clicks a button, picks from a menu, opens the Home tab, closes
or submits a modal; it builds the very payload Slack would send
(`bot.standin.slack_requests`), signs it with the app's signing secret, POSTs it to
the app's request URL, and then does what Slack does with the answer:

* a slash command's acknowledgement body is shown to that person only (or
  posted in the channel with `response_type: in_channel`); an app that does not
  answer with 200 within 3 seconds gets Slackbot's "failed with the error";
* each interaction gets its own `response_url` (5 uses within 30 minutes, as
  Slack allows), and what the app posts there is applied as Slack applies it:
  a new private message for that person, a channel message, or
  `replace_original` / `delete_original` on the message the click came from;
* each interaction gets a fresh `trigger_id`, so `views.open` opens the modal
  for the person who clicked, and only within 3 seconds;
* the element acted on is read from what the app sent (the stored message or
  view), never from the page: a page can only say which element was used.

Text a person types reaches the app in Slack's format: `&`, `<` and `>`
become entities, and for commands the manifest marks `should_escape`,
`@handle` and `#channel` become `<@U…|handle>` and `<#C…|name>`.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import time
import urllib.error
import urllib.request
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.standin.checks import MESSAGE_BLOCKS, VIEW_BLOCKS, blocks_problem
from bot.standin.server import SlackStandIn
from bot.standin.slack_requests import (
    APP_ID,
    Actor,
    MessageSurface,
    Payload,
    Surface,
    ViewSurface,
    app_home_opened,
    block_actions,
    block_suggestion,
    button_action,
    command_body,
    event_callback,
    form_body,
    message_action,
    select_action,
    signature_headers,
    view_closed,
    view_submission,
)
from bot.standin.state import Channel, Identity, Person

SLACKBOT = "USLACKBOT"
ACK_SECONDS = 3.0
RESPONSE_URL_USES = 5
RESPONSE_URL_SECONDS = 30 * 60
SELECTS = ("static_select", "external_select", "overflow")
_HANDLE = re.compile(r"(?<![\w<])@([\w.\-]+)")
_CHANNEL = re.compile(r"(?<![\w<])#([\w\-]+)")


def slack_text(typed: str, people: Iterable[Person], channels: Iterable[Channel], link_names: bool) -> str:
    """Typed text as Slack sends it to apps: `&<>` as entities; with `link_names`, mentions as ids."""
    text = typed.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if not link_names:
        return text
    by_handle = {p.as_slack()["name"]: p for p in people}
    by_name = {c.name: c for c in channels}

    def person(match: re.Match[str]) -> str:
        found = by_handle.get(match.group(1).lower())
        return f"<@{found.id}|{match.group(1).lower()}>" if found else match.group(0)

    def channel(match: re.Match[str]) -> str:
        found = by_name.get(match.group(1).lower())
        return f"<#{found.id}|{found.name}>" if found else match.group(0)

    return _CHANNEL.sub(channel, _HANDLE.sub(person, text))


def block_id_of(index: int, block: Mapping[str, Any]) -> str:
    """The block's id; Slack gives a block sent without one a short id of its own."""
    given = block.get("block_id")
    if isinstance(given, str) and given:
        return given
    digest = hashlib.sha1(json.dumps([index, block], sort_keys=True).encode()).hexdigest()
    return digest[:5]


def find_element(
    blocks: Any, block_index: int, element_index: int
) -> tuple[str, dict[str, Any], dict[str, Any]] | None:
    """(block id, block, element) at the page's address: an actions/context element, or the accessory (-1)."""
    if not isinstance(blocks, list) or not 0 <= block_index < len(blocks):
        return None
    block = blocks[block_index]
    if not isinstance(block, dict):
        return None
    if element_index < 0:
        element = block.get("accessory") if element_index == -1 else block.get("element")
    else:
        elements = block.get("elements")
        element = (
            elements[element_index] if isinstance(elements, list) and element_index < len(elements) else None
        )
    if not isinstance(element, dict):
        return None
    return block_id_of(block_index, block), block, element


def options_of(element: Mapping[str, Any]) -> list[dict[str, Any]]:
    """A menu's options, option groups flattened."""
    found = [o for o in element.get("options") or [] if isinstance(o, dict)]
    for group in element.get("option_groups") or []:
        if isinstance(group, dict):
            found += [o for o in group.get("options") or [] if isinstance(o, dict)]
    return found


def _truthy(value: Any) -> bool:
    return value is True or str(value).lower() in ("true", "1")


@dataclass
class ResponseTarget:
    """What one `response_url` answers: whose interaction, where, and the message it came from."""

    team: str
    user: str
    channel: str
    source: tuple[str, str] | None  # ("message" | "ephemeral", ts)
    expires_at: float
    uses: int = 0


@dataclass
class Outcome:
    """What became of a person's action; `note` is what Slack would tell them when it went wrong."""

    ok: bool
    note: str = ""
    data: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {"ok": self.ok, "note": self.note, **self.data}


@dataclass(frozen=True)
class Command:
    name: str
    description: str = ""
    usage_hint: str = ""
    should_escape: bool = False


@dataclass(frozen=True)
class Shortcut:
    """A message shortcut the app declares (manifest `features.shortcuts`, type message)."""

    name: str
    callback_id: str
    description: str = ""


class Interactions:
    def __init__(
        self,
        slack: SlackStandIn,
        request_url: str,
        signing_secret: str,
        bot: Identity,
        commands: Iterable[Command],
        events: Iterable[str] = ("app_home_opened",),
        app_id: str = APP_ID,
        ack_seconds: float = ACK_SECONDS,
        shortcuts: Iterable[Shortcut] = (),
    ) -> None:
        self.slack = slack
        self.state = slack.state
        self.request_url = request_url
        self._secret = signing_secret
        self.bot = bot
        self.commands = {c.name: c for c in commands}
        self.shortcuts = {s.callback_id: s for s in shortcuts}
        self.events = frozenset(events)
        self.app_id = app_id
        self.ack_seconds = ack_seconds
        self._targets: dict[str, ResponseTarget] = {}
        self._suggested: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
        self._event_ids = 0
        self.state.strict_triggers = True
        slack.on_response = self.on_response

    # -- sending the app what Slack sends ------------------------------------------------

    def _send(self, body: bytes, content_type: str) -> tuple[int, Any]:
        """POST signed to the app; (HTTP status, parsed answer), or (0, Slack's error) when it did not answer."""
        headers = {"Content-Type": content_type, **signature_headers(body, int(time.time()), self._secret)}
        request = urllib.request.Request(self.request_url, data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=self.ack_seconds) as response:
                status, raw = response.status, response.read().decode(errors="replace")
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode(errors="replace")
        except TimeoutError:
            return 0, "operation_timeout"
        except urllib.error.URLError as exc:
            return 0, "operation_timeout" if isinstance(exc.reason, TimeoutError) else "dispatch_failed"
        except OSError:
            return 0, "dispatch_failed"
        try:
            return status, json.loads(raw) if raw.strip() else None
        except ValueError:
            return status, raw

    def _actor(self, user: str) -> Actor:
        return Actor(user, self.bot.team_id, self.state.person(user, self.bot.team_id).as_slack()["name"])

    def _channel_name(self, channel: str) -> str:
        found = self.state.channel(channel, create=False)
        return found.name if found else channel.lower()

    def _mint_response_url(self, user: str, channel: str, source: tuple[str, str] | None) -> str:
        name, now = secrets.token_urlsafe(12), time.monotonic()
        with self.state.lock:
            if len(self._targets) > 1000:  # a long session: forget the ones that can no longer be used
                self._targets = {k: t for k, t in self._targets.items() if t.expires_at > now}
            self._targets[name] = ResponseTarget(
                self.bot.team_id, user, channel, source, time.monotonic() + RESPONSE_URL_SECONDS
            )
        return self.slack.response_url(name)

    # -- the message box -------------------------------------------------------------------

    def say(self, user: str, channel: str, typed: str) -> Outcome:
        """What the person typed and sent with Enter: a slash command, or a message in the channel."""
        typed = typed.strip()
        if not typed:
            return Outcome(False, "Type a message or a command such as /define drain.")
        if typed.startswith("/"):
            name, _, text = typed.partition(" ")
            return self.command(user, channel, name.lower(), text.strip())
        people, channels = list(self.state.people.values()), list(self.state.channels.values())
        message = {
            "type": "message",
            "ts": self.state.new_ts(),
            "text": slack_text(typed, people, channels, link_names=True),
            "user": user,
            "team": self.bot.team_id,
        }
        with self.state.lock:
            self.state.messages.setdefault(channel, []).append(message)
        self.slack.notify()
        return Outcome(True)

    def command(self, user: str, channel: str, name: str, text: str) -> Outcome:
        command = self.commands.get(name)
        if command is None:
            note = f"{name[:40]} is not a valid command. In Slack, messages that start with “/” are commands."
            self._slackbot(user, channel, note)
            return Outcome(False, note)
        people, channels = list(self.state.people.values()), list(self.state.channels.values())
        actor = self._actor(user)
        body = command_body(
            name,
            slack_text(text, people, channels, link_names=command.should_escape),
            user,
            channel,
            self._mint_response_url(user, channel, None),
            actor.team,
            channel_name=self._channel_name(channel),
            user_name=actor.handle,
            trigger_id=self.state.mint_trigger(actor.team, user),
            api_app_id=self.app_id,
        )
        status, answer = self._send(body, "application/x-www-form-urlencoded")
        if status != 200:
            return self._failed(user, channel, name, status, answer)
        if isinstance(answer, str) and answer.strip():
            answer = {"text": answer}
        if isinstance(answer, dict) and (answer.get("text") or answer.get("blocks")):
            target = ResponseTarget(actor.team, user, channel, None, 0.0)
            refused = self._deliver(target, answer, what=f"{name} acknowledgement")
            if refused:
                note = f"{name} failed with the error “{refused['error']}”"
                self._slackbot(user, channel, note)
                return Outcome(False, note)
        return Outcome(True)

    def _failed(self, user: str, channel: str, name: str, status: int, answer: Any) -> Outcome:
        error = str(answer) if status == 0 else "dispatch_failed"
        note = f"{name} failed with the error “{error}”"
        self.state.refuse(name, error, f"the app answered HTTP {status}" if status else "")
        self._slackbot(user, channel, note)
        return Outcome(False, note)

    def _slackbot(self, user: str, channel: str, text: str) -> None:
        """A private notice from Slack itself (not from the app)."""
        with self.state.lock:
            self.state.ephemerals.append(
                {
                    "ts": self.state.new_ts(),
                    "channel": channel,
                    "user": user,
                    "author": SLACKBOT,
                    "text": text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"),
                    "blocks": None,
                }
            )
        self.slack.notify()

    # -- response_url ---------------------------------------------------------------------------

    def on_response(self, path: str, body: dict[str, Any]) -> dict[str, Any] | None:
        """A POST to a response_url (already checked for Block Kit by the stand-in); a refusal or None."""
        name = path.removeprefix("/response/")
        with self.state.lock:
            target = self._targets.get(name)
            if target is not None:
                target.uses += 1
        if target is None:
            error = "invalid_url"
        elif time.monotonic() > target.expires_at:
            error = "expired_url"
        elif target.uses > RESPONSE_URL_USES:
            error = "used_url"
        else:
            return self._deliver(target, body, what="response_url")
        self.state.refuse("response_url", error)
        self.slack.notify()
        return {"ok": False, "error": error}

    def _deliver(self, target: ResponseTarget, body: Mapping[str, Any], what: str) -> dict[str, Any] | None:
        """Show an answer to `target` as Slack does; a refusal (Slack's error) or None."""
        problem = blocks_problem(body.get("blocks"), MESSAGE_BLOCKS)
        if problem:
            self.state.refuse(what, problem[0], problem[1])
            self.slack.notify()
            return {"ok": False, "error": problem[0]}
        text, blocks = body.get("text"), body.get("blocks")
        if _truthy(body.get("delete_original")) and target.source is not None:
            self._delete(target)
        elif not text and not blocks:
            self.state.refuse(what, "no_text")
            self.slack.notify()
            return {"ok": False, "error": "no_text"}
        elif _truthy(body.get("replace_original")) and target.source is not None:
            self._replace(target, text, blocks)
        elif body.get("response_type") == "in_channel":
            message = {
                "type": "message",
                "ts": self.state.new_ts(),
                "text": text,
                "blocks": blocks,
                "bot_id": self.bot.bot_id,
                "user": self.bot.bot_user_id,
                "team": target.team,
            }
            with self.state.lock:
                self.state.messages.setdefault(target.channel, []).append(message)
        else:
            with self.state.lock:
                self.state.ephemerals.append(
                    {
                        "ts": self.state.new_ts(),
                        "channel": target.channel,
                        "user": target.user,
                        "author": self.bot.bot_user_id,
                        "text": text,
                        "blocks": blocks,
                    }
                )
        self.slack.notify()
        return None

    def _replace(self, target: ResponseTarget, text: Any, blocks: Any) -> None:
        assert target.source is not None
        kind, ts = target.source
        with self.state.lock:
            if kind == "ephemeral":
                for ephemeral in self.state.ephemerals:
                    if ephemeral["ts"] == ts and ephemeral.get("user") == target.user:
                        ephemeral.update(text=text, blocks=blocks)
            else:
                message = self.state.find_message(target.channel, ts)
                if message is not None:
                    message.update(text=text, blocks=blocks, edited=self.state.new_ts())

    def _delete(self, target: ResponseTarget) -> None:
        assert target.source is not None
        kind, ts = target.source
        with self.state.lock:
            if kind == "ephemeral":
                self.state.ephemerals[:] = [
                    e for e in self.state.ephemerals if not (e["ts"] == ts and e.get("user") == target.user)
                ]
            else:
                messages = self.state.messages.get(target.channel, [])
                messages[:] = [m for m in messages if m["ts"] != ts]

    # -- interactive elements ----------------------------------------------------------------

    def _surface(self, user: str, where: Mapping[str, Any]) -> tuple[Surface, list[Any]] | None:
        """The surface the person acted on, as Slack describes it to the app, and its blocks."""
        kind = where.get("kind")
        if kind == "view":
            view = self._view_for(user, str(where.get("view_id", "")))
            return (ViewSurface(view), view.get("blocks") or []) if view else None
        channel, ts = str(where.get("channel", "")), str(where.get("ts", ""))
        if kind == "ephemeral":
            with self.state.lock:
                found = next(
                    (
                        e
                        for e in self.state.ephemerals
                        if e["ts"] == ts and e.get("user") == user and e.get("channel") == channel
                    ),
                    None,
                )
            if found is None or found.get("author", self.bot.bot_user_id) != self.bot.bot_user_id:
                return None
            url = self._mint_response_url(user, channel, ("ephemeral", ts))
            surface = MessageSurface(channel, ts, url, True, self._channel_name(channel))
            return surface, found.get("blocks") or []
        message = self.state.find_message(channel, ts)
        if message is None or message.get("bot_id") != self.bot.bot_id:
            return None
        url = self._mint_response_url(user, channel, ("message", ts))
        shown = {k: message.get(k) for k in ("type", "ts", "text", "blocks", "user", "bot_id", "team")}
        return MessageSurface(channel, ts, url, False, self._channel_name(channel), shown), message.get(
            "blocks"
        ) or []

    def _view_for(self, user: str, view_id: str) -> dict[str, Any] | None:
        """A view the person can see (their Home or one of their modals), as a payload carries it."""
        team = self.bot.team_id
        with self.state.lock:
            mine = view_id == self.state.homes.get((team, user)) or view_id in self.state.modals.get(
                (team, user), []
            )
            stored = self.state.views.get(view_id) if mine else None
            stack = self.state.modals.get((team, user), [])
            root = stack[0] if view_id in stack else view_id
        if stored is None:
            return None
        return {
            "private_metadata": "",
            "callback_id": "",
            "external_id": "",
            "clear_on_close": False,
            "notify_on_close": False,
            "previous_view_id": None,
            **stored,
            "team_id": team,
            "app_id": self.app_id,
            "bot_id": self.bot.bot_id,
            "app_installed_team_id": team,
            "root_view_id": root,
            "state": {"values": {}},
        }

    def act(
        self, user: str, where: Mapping[str, Any], block: int, element: int, picked: str | None
    ) -> Outcome:
        """A button clicked, or an option picked (`picked`: its value) in a menu, on a message or a view."""
        found_surface = self._surface(user, where)
        if found_surface is None:
            return Outcome(False, "That message or view is no longer there.")
        surface, blocks = found_surface
        found = find_element(blocks, block, element)
        if found is None:
            return Outcome(False, "That element is not in the message.")
        block_id, _, el = found
        kind, action_id = str(el.get("type")), str(el.get("action_id") or "")
        state: dict[str, Any] = {}
        if kind == "button":
            text = (el.get("text") or {}).get("text", "")
            action = button_action(action_id, el.get("value"), block_id, str(text))
            if el.get("style"):
                action["style"] = el["style"]
        elif kind in SELECTS:
            choices = (
                self._suggested.get((user, block_id, action_id), [])
                if kind == "external_select"
                else options_of(el)
            )
            option = next((o for o in choices if o.get("value") == picked), None)
            if option is None:
                return Outcome(False, "That option is not in the menu.")
            action = select_action(kind, action_id, block_id, option)
            if kind != "overflow":
                state = {block_id: {action_id: {"type": kind, "selected_option": option}}}
        else:
            return Outcome(False, f"This page cannot use a {kind[:40]} element.")
        trigger = self.state.mint_trigger(self.bot.team_id, user)
        payload = block_actions(self._actor(user), action, surface, trigger, state, self.app_id)
        return self._interaction(payload, "block_actions")

    def _interaction(self, payload: Payload, what: str) -> Outcome:
        status, answer = self._send(form_body(payload), "application/x-www-form-urlencoded")
        if status != 200:
            error = str(answer) if status == 0 else f"HTTP {status}"
            self.state.refuse(what, error, "the app did not acknowledge it")
            self.slack.notify()
            return Outcome(False, f"The app did not answer ({error}).", {"answer": None})
        return Outcome(True, data={"answer": answer})

    def shortcut(self, user: str, where: Mapping[str, Any], callback_id: str) -> Outcome:
        """A message shortcut from a message's "More actions" menu: Slack sends the message itself
        (as it holds it) and a response_url; there is none on an ephemeral message."""
        if callback_id not in self.shortcuts:
            return Outcome(False, "The app has no such shortcut.")
        channel, ts = str(where.get("channel", "")), str(where.get("ts", ""))
        message = self.state.find_message(channel, ts) if where.get("kind") == "message" else None
        if message is None:
            return Outcome(False, "That message is no longer there.")
        fields = ("type", "ts", "text", "blocks", "user", "bot_id", "team")
        shown: dict[str, Any] = {k: message[k] for k in fields if k in message}
        shown.setdefault("blocks", [])
        url = self._mint_response_url(user, channel, None)
        trigger = self.state.mint_trigger(self.bot.team_id, user)
        payload = message_action(
            self._actor(user),
            callback_id,
            channel,
            url,
            shown,
            self._channel_name(channel),
            trigger,
            app_id=self.app_id,
        )
        return self._interaction(payload, "message_action")

    def suggest(self, user: str, where: Mapping[str, Any], block: int, element: int, typed: str) -> Outcome:
        """An external select asks the app for options matching what the person typed."""
        found_surface = self._surface(user, where)
        if found_surface is None:
            return Outcome(False, "That message or view is no longer there.")
        surface, blocks = found_surface
        found = find_element(blocks, block, element)
        if found is None or found[2].get("type") != "external_select":
            return Outcome(False, "That menu is not in the message.")
        block_id, _, el = found
        action_id = str(el.get("action_id") or "")
        payload = block_suggestion(self._actor(user), action_id, block_id, typed[:150], surface, self.app_id)
        outcome = self._interaction(payload, "block_suggestion")
        answer = outcome.data.get("answer")
        if not outcome.ok:
            return outcome
        if not isinstance(answer, dict):
            answer = {}
        groups = answer.get("option_groups")
        options = (
            [o for g in groups if isinstance(g, dict) for o in g.get("options") or []]
            if isinstance(groups, list)
            else answer.get("options") or []
        )
        options = [o for o in options if isinstance(o, dict) and isinstance(o.get("value"), str)][:100]
        with self.state.lock:
            self._suggested[(user, block_id, action_id)] = options
        return Outcome(True, data={"options": options})

    # -- the Home tab and modals -----------------------------------------------------------------

    def open_home(self, user: str) -> Outcome:
        """The person opened the app's Home tab: `app_home_opened`, with their Home if it was published."""
        if "app_home_opened" not in self.events:
            return Outcome(True)
        team = self.bot.team_id
        with self.state.lock:
            view_id = self.state.homes.get((team, user))
            self._event_ids += 1
            event_id = f"Ev{self._event_ids:08d}{secrets.token_hex(2).upper()}"
        view = self._view_for(user, view_id) if view_id else None
        body = event_callback(app_home_opened(user, view), team, event_id)
        status, answer = self._send(json.dumps(body).encode(), "application/json")
        if status != 200:
            error = str(answer) if status == 0 else f"HTTP {status}"
            self.state.refuse("app_home_opened", error, "the app did not acknowledge the event")
            self.slack.notify()
            return Outcome(False, f"The app did not answer ({error}).")
        return Outcome(True)

    def close_view(self, user: str, view_id: str) -> Outcome:
        """The person closed a modal (and any stacked above it); `view_closed` if the modal asked."""
        key = (self.bot.team_id, user)
        view = self._view_for(user, view_id)
        with self.state.lock:
            stack = self.state.modals.get(key, [])
            if view_id not in stack:
                return Outcome(False, "That modal is not open.")
            del stack[stack.index(view_id) :]
        self.slack.notify()
        if view is not None and view.get("notify_on_close"):
            return self._interaction(view_closed(self._actor(user), view, self.app_id), "view_closed")
        return Outcome(True)

    def submit_view(self, user: str, view_id: str, inputs: Mapping[str, Any]) -> Outcome:
        """The person pressed the modal's submit button; `inputs` maps an input block's index to its value."""
        view = self._view_for(user, view_id)
        with self.state.lock:
            stack = self.state.modals.get((self.bot.team_id, user), [])
            on_top = bool(stack) and stack[-1] == view_id
        if view is None or not on_top or not view.get("submit"):
            return Outcome(False, "That modal cannot be submitted.")
        values = self._input_values(view.get("blocks") or [], inputs)
        trigger = self.state.mint_trigger(self.bot.team_id, user)
        outcome = self._interaction(
            view_submission(self._actor(user), view, values, trigger, self.app_id), "view_submission"
        )
        if not outcome.ok:
            return outcome
        return self._after_submission(user, view_id, outcome.data.get("answer"))

    def _input_values(self, blocks: list[Any], inputs: Mapping[str, Any]) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for index, block in enumerate(blocks):
            if not isinstance(block, dict) or block.get("type") != "input":
                continue
            element = block.get("element") if isinstance(block.get("element"), dict) else {}
            assert isinstance(element, dict)
            kind, given = str(element.get("type")), inputs.get(str(index))
            value: dict[str, Any] = {"type": kind}
            if kind == "plain_text_input":
                value["value"] = str(given) if given is not None else None
            elif kind == "static_select":
                value["selected_option"] = next(
                    (o for o in options_of(element) if o.get("value") == given), None
                )
            values[block_id_of(index, block)] = {str(element.get("action_id") or ""): value}
        return values

    def _after_submission(self, user: str, view_id: str, answer: Any) -> Outcome:
        """Slack's `response_action`: errors, update, push, clear; none closes the modal."""
        key = (self.bot.team_id, user)
        action = answer.get("response_action") if isinstance(answer, dict) else None
        if action == "errors":
            errors = answer.get("errors") if isinstance(answer.get("errors"), dict) else {}
            return Outcome(False, "The app found problems in what was entered.", {"errors": errors})
        if action in ("update", "push"):
            view = answer.get("view")
            problem = (
                blocks_problem(view.get("blocks"), VIEW_BLOCKS, message=False)
                if isinstance(view, dict)
                else ("invalid_arguments", "")
            )
            if problem or not isinstance(view, dict):
                error, detail = problem or ("invalid_arguments", "")
                self.state.refuse(f"view_submission {action}", error, detail)
                self.slack.notify()
                return Outcome(False, f"Slack refused the app's view ({error}).")
            with self.state.lock:
                new_id = view_id if action == "update" else self.state.new_id("V")
                self.state.views[new_id] = {**view, "id": new_id, "hash": secrets.token_hex(4)}
                if action == "push":
                    self.state.modals.setdefault(key, []).append(new_id)
        else:
            with self.state.lock:
                stack = self.state.modals.get(key, [])
                if action == "clear":
                    stack.clear()
                elif view_id in stack:
                    stack.remove(view_id)
        self.slack.notify()
        return Outcome(True)

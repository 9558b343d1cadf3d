"""What the stand-in Slack knows: workspaces and their tokens, channels, messages, people, views.

Everything is kept in memory under one lock by `SlackState`; the Web API
methods (`bot.standin.methods`) read and change it.  Like Slack, it keeps the
workspaces apart: a token belongs to one workspace (what `auth.test` says), a
bot can post only in channels it is a member of, and an OAuth code is
exchanged once for that workspace's token.  With token rotation it is as strict
as Slack: a refresh hands out a new access token and a new refresh token and
retires the refresh token just used (`invalid_refresh_token` if sent again),
and an access token past its expiry gets `token_expired`.  It also remembers what a person
sees and Slack's own bookkeeping around it: the modals open for each person
(a `trigger_id` names who a `views.open` is for, once and for 3 seconds), and
every refusal Slack answered (`refusals`), which the playground's page shows.
"""

from __future__ import annotations

import itertools
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Identity:
    """Who a token speaks for."""

    team_id: str
    enterprise_id: str = ""
    bot_user_id: str = "UBOT"
    bot_id: str = "BBOT"
    is_enterprise_install: bool = False
    team_name: str = "Vango"
    refresh_token: str = ""  # with token rotation: the one refresh token Slack accepts now
    expires_at: float = 0.0  # with token rotation: when the token issued at install expires
    revoked: bool = False


@dataclass
class Channel:
    id: str
    name: str
    private: bool = False
    archived: bool = False
    members: set[str] = field(default_factory=set)  # team ids whose bot is in the channel


@dataclass
class Person:
    id: str
    name: str
    team_id: str = "T1"
    is_admin: bool = False
    is_owner: bool = False
    tz: str = "Europe/Berlin"

    def as_slack(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "team_id": self.team_id,
            "name": self.name.lower().replace(" ", "."),
            "real_name": self.name,
            "is_admin": self.is_admin,
            "is_owner": self.is_owner,
            "is_primary_owner": False,
            "tz": self.tz,
            "profile": {"display_name": self.name, "real_name": self.name},
        }


@dataclass
class Trigger:
    """A trigger_id Slack handed an app with an interaction: whose it is, and until when it works."""

    team_id: str
    user_id: str
    expires_at: float  # time.monotonic()


TRIGGER_SECONDS = 3.0
ROTATED_TOKEN_SECONDS = 43200  # Slack's rotated access tokens live 12 hours


@dataclass
class Install:
    """A pending OAuth install: the code Slack hands the browser, and whose token it becomes."""

    identity: Identity
    token: str
    scopes: str


class SlackState:
    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self.lock = threading.RLock()
        self.clock = clock
        self.tokens: dict[str, Identity] = {}
        self.token_expiry: dict[str, float] = {}  # rotated tokens: access token -> when it expires
        self.rotated_lifetime = ROTATED_TOKEN_SECONDS  # what a refresh hands out (Slack: 12 hours)
        self.default_identity: Identity | None = Identity(team_id="T1")  # any unknown token speaks for T1
        self.channels: dict[str, Channel] = {}
        self.messages: dict[str, list[dict[str, Any]]] = {}
        self.ephemerals: list[dict[str, Any]] = []
        self.people: dict[str, Person] = {}
        self.views: dict[str, dict[str, Any]] = {}
        self.homes: dict[tuple[str, str], str] = {}  # (team, user) -> view id
        self.installs: dict[str, Install] = {}  # OAuth code -> install
        self.clients: dict[str, str] = {}  # OAuth client id -> secret
        self.history_limit: int | None = None  # Tier 1 apps: at most 15 messages a page
        self.triggers: dict[str, Trigger] = {}
        # Only triggers minted here open views (the playground); tests send a fixed one.
        self.strict_triggers = False
        self.modals: dict[tuple[str, str], list[str]] = {}  # (team, user) -> open modal view ids, top last
        self.refusals: list[dict[str, Any]] = []  # what Slack refused: method, error, when
        self.files: dict[str, Any] = {}  # file id -> `bot.standin.files.Upload`
        self.direct_messages: dict[str, tuple[str, str]] = {}  # D… id -> (team, user), conversations.open
        self.upload_base = ""  # where upload URLs point (the stand-in's own address)
        self.permalink_base = "https://vango.slack.com/archives/"
        self._ts = itertools.count(1)
        self._ids = itertools.count(1)

    # -- set-up ---------------------------------------------------------------------

    def add_token(self, token: str, identity: Identity) -> None:
        with self.lock:
            self.tokens[token] = identity

    def expired(self, token: str) -> bool:
        """A rotated access token past its expiry: Slack answers `token_expired`."""
        with self.lock:
            expiry = self.token_expiry.get(token)
        return expiry is not None and self.clock() >= expiry

    def identity(self, token: str | None) -> Identity | None:
        with self.lock:
            found = self.tokens.get(token or "")
            if found is None and token and token.startswith("xoxb-"):
                found = self.default_identity
            return None if found is None or found.revoked else found

    def channel(self, channel_id: str, create: bool = True) -> Channel | None:
        """A channel by id; an unknown public channel id (C…) exists, with the bot not in it."""
        with self.lock:
            found = self.channels.get(channel_id)
            if found is None and create and channel_id.startswith("C") and not channel_id.startswith("CGONE"):
                found = self.channels[channel_id] = Channel(channel_id, channel_id.lower())
            return found

    def join(self, channel_id: str, team_id: str = "T1", name: str = "", private: bool = False) -> Channel:
        """Put the bot of `team_id` into the channel (as `/invite @Study Lab` does)."""
        with self.lock:
            found = self.channels.get(channel_id) or Channel(channel_id, name or channel_id.lower(), private)
            if name:
                found.name = name
            found.members.add(team_id)
            self.channels[channel_id] = found
            return found

    def person(self, user_id: str, team_id: str = "T1") -> Person:
        with self.lock:
            return self.people.get(user_id) or Person(user_id, f"user {user_id.lower()}", team_id)

    def add_person(self, person: Person) -> None:
        with self.lock:
            self.people[person.id] = person

    def new_ts(self) -> str:
        return f"{int(self.clock())}.{next(self._ts):06d}"

    def new_id(self, prefix: str) -> str:
        return f"{prefix}{next(self._ids):06d}"

    def mint_trigger(self, team_id: str, user_id: str) -> str:
        """A fresh trigger_id for an interaction by `user_id`, valid once for `TRIGGER_SECONDS`."""
        trigger, now = f"{int(self.clock())}.{next(self._ids)}.{secrets.token_hex(16)}", time.monotonic()
        with self.lock:
            if len(self.triggers) > 1000:  # most are never used: forget the expired ones
                self.triggers = {k: t for k, t in self.triggers.items() if t.expires_at > now}
            self.triggers[trigger] = Trigger(team_id, user_id, now + TRIGGER_SECONDS)
        return trigger

    def use_trigger(self, trigger_id: str) -> Trigger | str:
        """The trigger's owner, used up now; else Slack's error (`invalid_trigger_id`, `expired_trigger_id`)."""
        with self.lock:
            found = self.triggers.pop(trigger_id, None)
        if found is None:
            return "invalid_trigger_id"
        if time.monotonic() > found.expires_at:
            return "expired_trigger_id"
        return found

    def refuse(self, what: str, error: str, detail: str = "") -> None:
        """Remember a refusal Slack answered, for whoever shows them (the playground's page)."""
        with self.lock:
            self.refusals.append({"what": what, "error": error, "detail": detail, "at": self.clock()})
            del self.refusals[:-100]

    def offer_install(self, code: str, identity: Identity, scopes: str = "commands,chat:write") -> str:
        """Make `code` a valid OAuth code for installing into `identity`'s workspace; the token it gives."""
        token = f"xoxb-{identity.team_id or identity.enterprise_id}-{secrets.token_hex(6)}"
        with self.lock:
            self.installs[code] = Install(identity, token, scopes)
        return token

    # -- reading -------------------------------------------------------------------------

    def posted(self, channel_id: str) -> list[dict[str, Any]]:
        with self.lock:
            return [dict(m) for m in self.messages.get(channel_id, [])]

    def find_message(self, channel_id: str, ts: str) -> dict[str, Any] | None:
        with self.lock:
            return next((m for m in self.messages.get(channel_id, []) if m["ts"] == ts), None)

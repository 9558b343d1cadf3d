"""Running the real bot for end-to-end tests, and talking to it as Slack does.

`RunningBot` builds the production runtime (`bot.runtime.build_runtime`) with
its Web API pointed at the project's Slack stand-in (`bot.standin`), serves it
with the production waitress server on port 0, and sends it requests signed
exactly as Slack signs them (`slack_sdk.signature.SignatureVerifier`).  The
clock is a `FakeClock` the test moves; nothing sleeps to wait for time to pass.
Its few shortcuts (`run_slot`, `recover`, …) call the very service functions
the scheduler's jobs call, for the bot's one workspace.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.config import Settings, load_settings
from bot.domain.workspace import Workspace
from bot.runtime import Runtime, build_runtime
from bot.services import Services
from bot.slack.server import make_server, make_wsgi, run_until_closed
from bot.standin import Identity, SlackStandIn
from bot.standin.slack_requests import (
    Actor,
    click_body,
    command_body,
    event_callback,
    form_body,
    message_action,
    message_of,
    signature_headers,
)
from bot.storage import Storage
from bot.storage.quiz_records import QuizRecord

SECRET = "test-signing-secret-0123456789"
TOKEN = "xoxb-test-0000-secret-token"
GLOSSARY = Path(__file__).resolve().parents[2] / "data" / "glossary.yml"


class FakeClock:
    def __init__(self, start: datetime) -> None:
        self.now = start
        self._lock = threading.Lock()

    def __call__(self) -> datetime:
        with self._lock:
            return self.now

    def set(self, moment: datetime) -> None:
        with self._lock:
            self.now = moment

    def advance(self, **delta: float) -> None:
        with self._lock:
            self.now += timedelta(**delta)


@dataclass
class Reply:
    status: int
    body: str
    headers: dict[str, str] = field(default_factory=dict)

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


def sign(body: bytes, timestamp: int, secret: str = SECRET) -> dict[str, str]:
    return signature_headers(body, timestamp, secret)


CLIENT_ID = "1111.2222"
CLIENT_SECRET = "test-client-secret-0123456789"


def oauth_env(fake: SlackStandIn, database_url: str, **extra: str) -> dict[str, str]:
    """Settings for many workspaces installed through OAuth: a client id and secret, no bot token."""
    fake.state.clients[CLIENT_ID] = CLIENT_SECRET
    env = bot_env(fake, database_url, SLACK_CLIENT_ID=CLIENT_ID, SLACK_CLIENT_SECRET=CLIENT_SECRET, **extra)
    del env["SLACK_BOT_TOKEN"]
    return env


def bot_env(fake: SlackStandIn, database_url: str, **extra: str) -> dict[str, str]:
    env = {
        "SLACK_BOT_TOKEN": TOKEN,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": fake.api_url,
        "DATABASE_URL": database_url,
        "GLOSSARY_PATH": str(GLOSSARY),
        "COUNT_UPDATE_SECONDS": "1",
    }
    env.update(extra)
    return env


class SlackSender:
    """Sends a bot at `url` what Slack would send, signed; response_urls point at `fake`."""

    def __init__(self, url: str, fake: SlackStandIn, team: str = "T1") -> None:
        self.url = url
        self.fake = fake
        self.team = team

    def post(
        self,
        body: bytes,
        content_type: str,
        headers: dict[str, str] | None = None,
        path: str = "/slack/events",
        signed: bool = True,
        timestamp: int | None = None,
    ) -> Reply:
        all_headers = {"Content-Type": content_type}
        if signed:
            all_headers.update(sign(body, timestamp if timestamp is not None else int(time.time())))
        all_headers.update(headers or {})
        request = urllib.request.Request(self.url + path, data=body, headers=all_headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return Reply(response.status, response.read().decode(), dict(response.headers))
        except urllib.error.HTTPError as exc:
            return Reply(exc.code, exc.read().decode(), dict(exc.headers))

    def command(
        self, command: str, text: str = "", user: str = "U100", channel: str = "C100", **extra: str
    ) -> Reply:
        extra.setdefault("team", self.team)
        body = command_body(command, text, user, channel, self.fake.response_url(f"cmd-{user}"), **extra)
        return self.post(body, "application/x-www-form-urlencoded")

    def click(
        self,
        action_id: str,
        value: str,
        user: str = "U100",
        channel: str = "C100",
        message_ts: str | None = "1.0",
        ephemeral: bool = False,
        block_id: str = "b1",
        view: dict[str, Any] | None = None,
        selected: str | None = None,
        team: str | None = None,
    ) -> Reply:
        response_url = self.fake.response_url(f"act-{user}")
        body = click_body(
            action_id,
            value,
            user,
            channel,
            response_url,
            message_ts,
            ephemeral,
            block_id,
            view,
            selected,
            team or self.team,
        )
        return self.post(body, "application/x-www-form-urlencoded")

    def shortcut(
        self,
        callback_id: str,
        text: str,
        user: str = "U100",
        author: str = "U200",
        channel: str = "C100",
        ts: str = "1712345678.000100",
    ) -> Reply:
        """A message shortcut used by `user` on `author`'s message `text`, as Slack sends it."""
        response_url = self.fake.response_url(f"shortcut-{user}")
        message = message_of(text, author, ts, self.team)
        payload = message_action(Actor(user, self.team), callback_id, channel, response_url, message)
        return self.post(form_body(payload), "application/x-www-form-urlencoded")

    def get(self, path: str, headers: dict[str, str] | None = None) -> Reply:
        request = urllib.request.Request(self.url + path, headers=headers or {}, method="GET")
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return Reply(response.status, response.read().decode(), dict(response.headers))
        except urllib.error.HTTPError as exc:
            return Reply(exc.code, exc.read().decode(), dict(exc.headers))

    def install(self, identity: Identity) -> str:
        """Install the app into `identity`'s workspace the way a browser does: the install page
        sets the state cookie, Slack redirects back with a code; returns the bot token Slack issued."""
        code = f"code-{identity.team_id or identity.enterprise_id}-{len(self.fake.state.installs)}"
        token = self.fake.state.offer_install(code, identity)
        page = self.get("/slack/install")
        assert page.status == 200 and "Add to Slack" in page.body
        assert f"{self.fake.base_url}/oauth/v2/authorize?" in page.body  # SLACK_API_URL's host, not slack.com
        cookie = page.headers["Set-Cookie"].split(";")[0]
        state = cookie.split("=", 1)[1]
        done = self.get(f"/slack/oauth_redirect?code={code}&state={state}", headers={"Cookie": cookie})
        assert done.status == 200, done.body
        return token

    def as_team(self, team: str) -> SlackSender:
        """The same bot, reached by requests from another workspace."""
        return SlackSender(self.url, self.fake, team=team)

    def answer(
        self, command: str, text: str = "", user: str = "U100", channel: str = "C100", **extra: str
    ) -> dict[str, Any]:
        """The private answer to a slash command: the acknowledgement's body, or else what the bot
        sent to the command's response_url afterwards."""
        path = f"/response/cmd-{user}"
        before = len([r for r in self.fake.responses if r.method == path])
        reply = self.command(command, text, user, channel, **extra)
        assert reply.status == 200, reply
        body = reply.json()
        if body and body.get("text"):
            return dict(body)
        later = self.fake.wait_for(lambda: [r for r in self.fake.responses if r.method == path][before:])
        return dict(later[0].body)

    def say(
        self, command: str, text: str = "", user: str = "U100", channel: str = "C100", **extra: str
    ) -> str:
        """The text of the private answer to a slash command (see `answer`)."""
        return str(self.answer(command, text, user, channel, **extra)["text"])

    def event(
        self, event: dict[str, Any], event_id: str = "Ev1", headers: dict[str, str] | None = None
    ) -> Reply:
        body = event_callback(event, self.team, event_id, now=self.fake.clock())  # Slack's clock
        return self.post(json.dumps(body).encode(), "application/json", headers=headers)


class RunningBot(SlackSender):
    def __init__(
        self, fake: SlackStandIn, settings: Settings, clock: FakeClock, claim_lease: timedelta
    ) -> None:
        self.clock = clock
        self.runtime: Runtime = build_runtime(settings, clock=clock, claim_lease=claim_lease)
        self.server = make_server(make_wsgi(self.runtime.app, self.runtime.storage.db.engine), "127.0.0.1", 0)
        super().__init__(f"http://127.0.0.1:{self.server.effective_port}", fake)
        self._closing = threading.Event()
        self._thread = threading.Thread(
            target=run_until_closed, args=(self.server, self._closing), name="http", daemon=True
        )  # named as `bot.slack.server.serve` names the loop's thread
        self._thread.start()

    @classmethod
    def start(
        cls,
        fake: SlackStandIn,
        database_url: str,
        clock: FakeClock | None = None,
        claim_lease: timedelta = timedelta(seconds=30),
        oauth: bool = False,
        **env: str,
    ) -> RunningBot:
        settings = load_settings((oauth_env if oauth else bot_env)(fake, database_url, **env))
        return cls(fake, settings, clock or FakeClock(datetime(2026, 11, 26, 10, 0, tzinfo=UTC)), claim_lease)

    def close(self) -> None:
        # Let in-flight requests finish writing; waitress's wake-up pipe is gone after close().
        deadline = time.monotonic() + 5
        while self.server.active_channels and time.monotonic() < deadline:
            time.sleep(0.02)
        self._closing.set()
        self.server.close()
        self.runtime.close()

    @property
    def services(self) -> Services:
        return self.runtime.services

    @property
    def storage(self) -> Storage:
        return self.runtime.storage

    @property
    def ws(self) -> Workspace:
        """The bot's workspace in single-workspace mode (T1 when installed through OAuth)."""
        return self.runtime.workspace or Workspace(self.team)

    # -- the scheduler's jobs, called now -------------------------------------------------

    def run_slot(self, channel: str) -> QuizRecord | None:
        return self.services.posting.run_slot(self.ws, channel)

    def run_weekly(self, channel: str) -> None:
        self.services.weekly.run(self.ws, channel)

    def recover(self) -> None:
        self.services.posting.recover()

    def flush_counts(self) -> None:
        self.services.closing.flush_counts()

    def close_due(self) -> None:
        self.services.closing.close_due()

    def quiz(self, quiz_id: int) -> QuizRecord:
        found = self.storage.quizzes.get(self.ws, quiz_id)
        assert found is not None
        return found

    def open_quizzes(self, channel: str) -> list[QuizRecord]:
        return [q for q in self.storage.quizzes.open_in(self.ws, channel) if q.message_ts is not None]

    def after_ack_done(self, timeout: float = 10.0) -> None:
        """Wait until the bot's own pool has run everything it was given so far."""
        assert self.runtime.core.after_ack.wait_idle(timeout), "the bot's pool did not finish in time"


__all__ = [
    "FakeClock",
    "RunningBot",
    "SlackStandIn",
    "bot_env",
    "click_body",
    "command_body",
    "load_settings",
    "sign",
]

"""A Slack-like web page over the stand-in: what each person sees, and the way they act on it.

`SlackPage` adds routes to a `SlackStandIn`, so the page talks only to
"Slack" (never to the app):

| route                 | what                                                            |
| --------------------- | --------------------------------------------------------------- |
| `GET /`, `/static/…`  | the page (static files shipped in the package)                   |
| `GET /ui/state`       | one person's view: channel, their ephemerals, DMs, Home, modals  |
| `GET /ui/events`      | the same, pushed as server-sent events whenever it changes       |
| `POST /ui/say`        | the message box (slash commands and messages)                    |
| `POST /ui/act`        | a button or a menu pick, addressed by block and element index   |
| `POST /ui/suggest`    | an external select's options as the person types                 |
| `POST /ui/home`       | open the Home tab                                                |
| `POST /ui/view/close`, `/ui/view/submit` | a modal closed or submitted                   |
| `POST /ui/control`    | a control of the host (the playground's clock)                   |

Everything shown is what the app sent to the stand-in, passed on as data; the
page inserts it as text.  Responses carry a restrictive Content-Security-Policy.
Requests must name this server as their Host (no DNS rebinding), and POSTs
must be JSON from this origin (no cross-site form posts).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler
from importlib.resources.abc import Traversable
from typing import Any
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

from bot.standin.interactions import SLACKBOT, Interactions, Outcome
from bot.standin.server import SlackStandIn

log = logging.getLogger(__name__)
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Cache-Control": "no-store",
}
STATIC = {
    "app.js": "text/javascript; charset=utf-8",
    "app.css": "text/css; charset=utf-8",
    "favicon.svg": "image/svg+xml",
}
MAX_BODY = 64_000
KEEPALIVE_SECONDS = 15.0
COALESCE_SECONDS = 0.03


@dataclass(frozen=True)
class Control:
    """A button of the host (not of Slack): its name, its label, and what it does (a sentence back)."""

    name: str
    label: str
    run: Callable[[], str]
    description: str = ""


def _ts_key(ts: str) -> tuple[int, int]:
    seconds, _, counter = str(ts).partition(".")
    try:
        return int(seconds), int(counter or 0)
    except ValueError:
        return 0, 0


class SlackPage:
    def __init__(
        self,
        slack: SlackStandIn,
        interactions: Interactions,
        static: Traversable,
        channel: str,
        zone: Callable[[], ZoneInfo],
        controls: Sequence[Control] = (),
        bot_name: str = "Study Lab",
    ) -> None:
        self.slack = slack
        self.state = slack.state
        self.interactions = interactions
        self.static = static
        self.channel = channel
        self.zone = zone  # asked each time: the channel's schedule may change it
        self.controls = {c.name: c for c in controls}
        self.bot_name = bot_name
        self.hosts = {f"127.0.0.1:{slack.port}", f"localhost:{slack.port}"}
        self.origins = {f"http://{host}" for host in self.hosts}

    def install(self) -> None:
        self.slack.routes["/"] = self._dispatch  # every path not the Web API's or a response_url's

    # -- what one person sees -------------------------------------------------------------

    def _people(self) -> list[dict[str, Any]]:
        team = self.interactions.bot.team_id
        with self.state.lock:
            people = [p for p in self.state.people.values() if p.team_id == team]
        return [
            {"id": p.id, "name": p.name, "handle": p.as_slack()["name"], "admin": p.is_admin or p.is_owner}
            for p in people
        ]

    def _names(self) -> dict[str, str]:
        names = {p["id"]: p["name"] for p in self._people()}
        names[self.interactions.bot.bot_user_id] = self.bot_name
        names[SLACKBOT] = "Slackbot"
        return names

    def _entry(
        self, kind: str, raw: dict[str, Any], names: dict[str, str], zone: ZoneInfo, channel: str = ""
    ) -> dict[str, Any]:
        author = str(raw.get("author") or raw.get("user") or "")
        if kind == "message" and raw.get("bot_id"):
            author = self.interactions.bot.bot_user_id
        return {
            "key": f"{kind}:{raw['ts']}",
            "kind": kind,
            "ts": raw["ts"],
            "time": datetime.fromtimestamp(_ts_key(raw["ts"])[0], UTC).astimezone(zone).strftime("%a %H:%M"),
            "author": {
                "id": author,
                "name": names.get(author, author),
                "app": author == self.interactions.bot.bot_user_id,
                "slackbot": author == SLACKBOT,
            },
            "text": raw.get("text") if isinstance(raw.get("text"), str) else "",
            "blocks": raw.get("blocks") if isinstance(raw.get("blocks"), list) else None,
            "edited": bool(raw.get("edited")),
            "where": {"kind": kind, "channel": channel or self.channel, "ts": raw["ts"]},
        }

    def snapshot(self, user: str) -> dict[str, Any]:
        """Everything `user` sees now, as data for the page."""
        team = self.interactions.bot.team_id
        names, zone = self._names(), self.zone()
        with self.state.lock:
            messages = [dict(m) for m in self.state.messages.get(self.channel, [])]
            ephemerals = [
                dict(e)
                for e in self.state.ephemerals
                if e.get("user") == user and e.get("channel") == self.channel
            ]
            home_id = self.state.homes.get((team, user))
            home = self.state.views.get(home_id) if home_id else None
            modals = [
                self.state.views[v] for v in self.state.modals.get((team, user), []) if v in self.state.views
            ]
            refusals = [dict(r) for r in self.state.refusals[-20:]]
            direct = [dict(m) for m in self.state.messages.get(user, [])]  # the app's DMs: channel=user id
            channels = [
                {"id": c.id, "name": c.name}
                for c in self.state.channels.values()
                if team in c.members and not c.private
            ]
        entries = [self._entry("message", m, names, zone) for m in messages]
        entries += [self._entry("ephemeral", e, names, zone) for e in ephemerals]
        entries.sort(key=lambda e: _ts_key(e["ts"]))
        dms = sorted(
            (self._entry("message", m, names, zone, user) for m in direct), key=lambda e: _ts_key(e["ts"])
        )
        for refusal in refusals:
            refusal["time"] = (
                datetime.fromtimestamp(float(refusal["at"]), UTC).astimezone(zone).strftime("%H:%M")
            )
            refusal.pop("at", None)
        now = datetime.fromtimestamp(self.state.clock(), UTC).astimezone(zone)
        channel = self.state.channel(self.channel, create=False)
        return {
            "user": user,
            "workspace": self.interactions.bot.team_name,
            "app": {"id": self.interactions.bot.bot_user_id, "name": self.bot_name},
            "channel": {"id": self.channel, "name": channel.name if channel else self.channel},
            "channels": channels,
            "people": self._people(),
            "names": names,
            "messages": entries,
            "direct_messages": dms,
            "home": home,
            "modals": modals,
            "refusals": refusals,
            "clock": now.strftime("%a %d %b %Y, %H:%M ") + str(zone),
            "controls": [
                {"name": c.name, "label": c.label, "description": c.description}
                for c in self.controls.values()
            ],
            "commands": [
                {"name": c.name, "hint": c.usage_hint, "description": c.description}
                for c in self.interactions.commands.values()
            ],
            "shortcuts": [
                {"name": s.name, "callback_id": s.callback_id, "description": s.description}
                for s in self.interactions.shortcuts.values()
            ],
        }

    # -- HTTP -------------------------------------------------------------------------------

    def _dispatch(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        if handler.headers.get("Host", "") not in self.hosts:
            self._send(handler, 403, b"Forbidden: unknown host", "text/plain; charset=utf-8")
            return
        url = urlsplit(handler.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        try:
            if method == "GET":
                self._get(handler, url.path, query)
            elif method == "POST":
                self._post(handler, url.path)
            else:
                self._send(handler, 405, b"Method Not Allowed", "text/plain; charset=utf-8")
        except (BrokenPipeError, ConnectionResetError):
            pass  # the page went away

    def _get(self, handler: BaseHTTPRequestHandler, path: str, query: dict[str, str]) -> None:
        if path in ("/", "/index.html"):
            self._file(handler, "index.html", "text/html; charset=utf-8")
        elif path.startswith("/static/") and path.removeprefix("/static/") in STATIC:
            name = path.removeprefix("/static/")
            self._file(handler, name, STATIC[name])
        elif path == "/ui/people":
            self._json(handler, 200, self._people())
        elif path.startswith("/archives/"):  # permalinks: the page scrolls to the message
            self._file(handler, "index.html", "text/html; charset=utf-8")
        elif path == "/ui/state" and self._known(query.get("user", "")):
            self._json(handler, 200, self.snapshot(query["user"]))
        elif path == "/ui/events" and self._known(query.get("user", "")):
            self._events(handler, query["user"])
        else:
            self._send(handler, 404, b"Not Found", "text/plain; charset=utf-8")

    def _post(self, handler: BaseHTTPRequestHandler, path: str) -> None:
        origin = handler.headers.get("Origin")
        try:
            length = int(handler.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        refusal = (
            (403, "cross-origin requests are refused")
            if origin is not None and origin not in self.origins
            else (415, "send JSON")
            if not (handler.headers.get("Content-Type") or "").startswith("application/json")
            else (413, "send less")
            if not 0 <= length <= MAX_BODY
            else None
        )
        if refusal is not None:
            handler.close_connection = True  # its body is left unread
            self._json(handler, refusal[0], {"ok": False, "note": refusal[1]})
            return
        try:
            body = json.loads(handler.rfile.read(length) or b"{}")
        except ValueError:
            body = None
        if not isinstance(body, dict):
            self._json(handler, 400, {"ok": False, "note": "send a JSON object"})
            return
        try:
            outcome = self._action(path, body)
        except Exception:  # noqa: BLE001 - the page gets a sentence; the log gets the traceback
            log.exception("the playground's %s failed", path)
            outcome = Outcome(False, "Something went wrong in the playground; its terminal has the details.")
        if outcome is None:
            self._json(handler, 404, {"ok": False, "note": "no such action"})
        else:
            self._json(handler, 200, outcome.as_json())

    def _action(self, path: str, body: dict[str, Any]) -> Outcome | None:
        if path == "/ui/control":
            control = self.controls.get(str(body.get("name", "")))
            if control is None:
                return None
            note = control.run()
            self.slack.notify()
            return Outcome(True, note)
        user = str(body.get("user", ""))
        if not self._known(user):
            return Outcome(False, "Pick a person first.")
        where = body.get("where") if isinstance(body.get("where"), dict) else {}
        assert isinstance(where, dict)

        def index(name: str) -> int:
            value = body.get(name)
            return value if isinstance(value, int) else -99

        act = self.interactions
        if path == "/ui/say":
            return act.say(user, self.channel, str(body.get("text", ""))[:4000])
        if path == "/ui/act":
            value = body.get("value")
            return act.act(
                user, where, index("block"), index("element"), None if value is None else str(value)
            )
        if path == "/ui/shortcut":
            return act.shortcut(user, where, str(body.get("callback_id", ""))[:255])
        if path == "/ui/suggest":
            return act.suggest(user, where, index("block"), index("element"), str(body.get("typed", "")))
        if path == "/ui/home":
            return act.open_home(user)
        if path == "/ui/view/close":
            return act.close_view(user, str(body.get("view_id", "")))
        if path == "/ui/view/submit":
            inputs = body.get("inputs") if isinstance(body.get("inputs"), dict) else {}
            assert isinstance(inputs, dict)
            return act.submit_view(user, str(body.get("view_id", "")), inputs)
        return None

    def _known(self, user: str) -> bool:
        return any(p["id"] == user for p in self._people())

    def _events(self, handler: BaseHTTPRequestHandler, user: str) -> None:
        """Server-sent events: the person's whole view each time it changes, a comment now and then."""
        handler.send_response(200)
        handler.send_header("Content-Type", "text/event-stream; charset=utf-8")
        for name, value in SECURITY_HEADERS.items():
            handler.send_header(name, value)
        handler.send_header("Connection", "close")
        handler.end_headers()
        handler.close_connection = True
        last = ""
        while not self.slack.closing.is_set():
            seen = self.slack.version
            shown = json.dumps(self.snapshot(user), separators=(",", ":"))
            handler.wfile.write(
                f"event: state\ndata: {shown}\n\n".encode() if shown != last else b": still here\n\n"
            )
            handler.wfile.flush()
            last = shown
            self.slack.wait_change(seen, KEEPALIVE_SECONDS)
            time.sleep(COALESCE_SECONDS)  # a burst of changes becomes one update

    def _file(self, handler: BaseHTTPRequestHandler, name: str, content_type: str) -> None:
        self._send(handler, 200, self.static.joinpath(name).read_bytes(), content_type)

    def _json(self, handler: BaseHTTPRequestHandler, status: int, payload: Any) -> None:
        self._send(handler, status, json.dumps(payload).encode(), "application/json")

    def _send(self, handler: BaseHTTPRequestHandler, status: int, data: bytes, content_type: str) -> None:
        handler.send_response(status)
        handler.send_header("Content-Type", content_type)
        handler.send_header("Content-Length", str(len(data)))
        for name, value in SECURITY_HEADERS.items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(data)

"""A loopback fake of the Slack Web API, owned by the tests.

It binds port 0, records every call (method and parsed body), answers the
methods the bot uses the way Slack does, refuses malformed Block Kit with
`invalid_blocks` (checked with slack_sdk's own models, as Slack would refuse
it), keeps each channel's messages with their metadata for
`conversations.history`, serves `response_url`s, and can be told to answer 429
with Retry-After, 500, or to drop the connection.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

from slack_sdk.models.blocks import Block

MESSAGE_LIMIT = 50
VIEW_LIMIT = 100


@dataclass
class Call:
    method: str
    body: dict[str, Any]
    at: float = field(default_factory=time.monotonic)


@dataclass
class Fault:
    method: str
    status: int  # 429, 500; 0 drops the connection; -1 does the work, then drops it
    count: int
    retry_after: int = 1


def blocks_error(blocks: Any, limit: int) -> str | None:
    """What Slack would say about these blocks, or None if it would take them."""
    if blocks is None:
        return None
    if isinstance(blocks, str):
        blocks = json.loads(blocks)
    if not isinstance(blocks, list) or len(blocks) > limit:
        return "invalid_blocks"
    ids = [b.get("block_id") for b in blocks if b.get("block_id")]
    if len(ids) != len(set(ids)):
        return "invalid_blocks"
    total = 0
    for raw in blocks:
        try:
            block = Block.parse(raw)
            if block is None:
                return "invalid_blocks"
            block.validate_json()
            for element in raw.get("elements", []) if raw.get("type") == "actions" else []:
                action_ids = [e.get("action_id") for e in raw["elements"]]
                if len(action_ids) != len(set(action_ids)):
                    return "invalid_blocks"
                if len(element.get("text", {}).get("text", "")) > 75 or len(element.get("value", "")) > 2000:
                    return "invalid_blocks"
        except Exception:  # noqa: BLE001 - any model failure is Slack's invalid_blocks
            return "invalid_blocks"
        total += len(json.dumps(raw))
    if total > 40000:
        return "msg_blocks_too_long"
    return None


class _Server(ThreadingHTTPServer):
    request_queue_size = 256  # a click burst must not overflow the listen backlog (default 5)


class SlackFake:
    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.responses: list[Call] = []  # POSTs to response_urls
        self.messages: dict[str, list[dict[str, Any]]] = {}
        self.faults: list[Fault] = []
        self.delays: dict[str, float] = {}
        self.socket_url = ""  # what apps.connections.open hands out (Socket Mode)  # method -> seconds to wait before doing the work
        self._cond = threading.Condition()
        self._ts = itertools.count(1)
        # Slack stamps messages with its own wall clock; tests that move the
        # bot's clock move this one too, so `ts` and `oldest` stay comparable.
        self.clock: Callable[[], float] = time.time
        self._server = _Server(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.api_url = self.base_url + "/api/"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    # -- what tests use --------------------------------------------------------

    def response_url(self, name: str = "r") -> str:
        return f"{self.base_url}/response/{name}"

    def fail(self, method: str, status: int, count: int = 1, retry_after: int = 1) -> None:
        with self._cond:
            self.faults.append(Fault(method, status, count, retry_after))

    def calls_to(self, method: str) -> list[Call]:
        with self._cond:
            return [c for c in self.calls if c.method == method]

    def wait_for(self, predicate: Callable[[], Any], timeout: float = 5.0) -> Any:
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                result = predicate()
                if result:
                    return result
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError("timed out waiting for the fake Slack to receive the expected call")
                self._cond.wait(min(left, 0.05))  # predicates may also look at the bot's database

    def wait_calls(self, method: str, n: int = 1, timeout: float = 5.0) -> list[Call]:
        return self.wait_for(lambda: len(self.calls_to(method)) >= n and self.calls_to(method), timeout)

    def wait_responses(self, n: int = 1, timeout: float = 5.0) -> list[Call]:
        return self.wait_for(lambda: len(self.responses) >= n and list(self.responses), timeout)

    def posted(self, channel: str) -> list[dict[str, Any]]:
        with self._cond:
            return list(self.messages.get(channel, []))

    # -- the server ---------------------------------------------------------------

    def _take_fault(self, method: str) -> Fault | None:
        with self._cond:
            for fault in self.faults:
                if fault.method == method and fault.count > 0:
                    fault.count -= 1
                    return fault
        return None

    def _record(self, target: list[Call], call: Call) -> None:
        with self._cond:
            target.append(call)
            self._cond.notify_all()

    def _answer(self, method: str, body: dict[str, Any]) -> dict[str, Any]:
        if method == "apps.connections.open":
            if not self.socket_url:
                return {"ok": False, "error": "invalid_auth"}
            return {"ok": True, "url": self.socket_url}
        if method == "auth.test":
            return {"ok": True, "user_id": "UBOT", "bot_id": "BBOT", "team_id": "T1", "user": "studylab"}
        if method in ("chat.postMessage", "chat.update", "chat.postEphemeral"):
            error = blocks_error(body.get("blocks"), MESSAGE_LIMIT)
            if error:
                return {"ok": False, "error": error}
            channel = str(body.get("channel", ""))
            if not channel:
                return {"ok": False, "error": "channel_not_found"}
            if channel.startswith("CGONE"):
                return {"ok": False, "error": "channel_not_found"}
            if method == "chat.update":
                with self._cond:
                    for message in self.messages.get(channel, []):
                        if message["ts"] == body.get("ts"):
                            message.update(blocks=body.get("blocks"), text=body.get("text"))
                            return {"ok": True, "channel": channel, "ts": body.get("ts")}
                return {"ok": False, "error": "message_not_found"}
            ts = f"{int(self.clock())}.{next(self._ts):06d}"
            if method == "chat.postEphemeral":
                return {"ok": True, "message_ts": ts}
            metadata = body.get("metadata")
            if isinstance(metadata, str):
                metadata = json.loads(metadata)
            message = {
                "type": "message",
                "ts": ts,
                "text": body.get("text"),
                "blocks": body.get("blocks"),
                "bot_id": "BBOT",
                "metadata": metadata,
            }
            with self._cond:
                self.messages.setdefault(channel, []).append(message)
            return {"ok": True, "channel": channel, "ts": ts, "message": message}
        if method == "conversations.history":
            channel = str(body.get("channel", ""))
            oldest = float(body.get("oldest") or 0)
            include = str(body.get("include_all_metadata", "")).lower() in ("1", "true")
            with self._cond:
                found = [dict(m) for m in self.messages.get(channel, []) if float(m["ts"]) > oldest]
            for m in found:
                if not include:
                    m.pop("metadata", None)
            return {"ok": True, "messages": list(reversed(found)), "has_more": False}
        if method in ("views.publish", "views.open", "views.update"):
            view = body.get("view")
            if isinstance(view, str):
                view = json.loads(view)
            error = blocks_error((view or {}).get("blocks"), VIEW_LIMIT)
            if error or not view:
                return {"ok": False, "error": "invalid_arguments" if not view else error}
            return {"ok": True, "view": {"id": "V1", **view}}
        if method == "users.info":
            return {"ok": True, "user": {"id": body.get("user"), "name": "someone", "tz": "Europe/Berlin"}}
        return {"ok": False, "error": "unknown_method"}

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def _body(self) -> dict[str, Any]:
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
                if "json" in (self.headers.get("Content-Type") or ""):
                    return json.loads(raw or "{}")
                return {k: v[0] for k, v in parse_qs(raw).items()}

            def _send(
                self, status: int, payload: dict[str, Any], headers: dict[str, str] | None = None
            ) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                body = self._body()
                if self.path.startswith("/response/"):
                    fake._record(fake.responses, Call(self.path, body))
                    error = blocks_error(body.get("blocks"), MESSAGE_LIMIT)
                    self._send(
                        400 if error else 200, {"ok": not error, "error": error} if error else {"ok": True}
                    )
                    return
                method = self.path.removeprefix("/api/")
                if fake.delays.get(method):
                    time.sleep(fake.delays[method])
                fault = fake._take_fault(method)
                fake._record(fake.calls, Call(method, body))
                if fault is not None:
                    if fault.status == -1:
                        fake._answer(method, body)
                    if fault.status <= 0:
                        self.close_connection = True
                        self.connection.close()
                        return
                    headers = {"Retry-After": str(fault.retry_after)} if fault.status == 429 else {}
                    self._send(
                        fault.status,
                        {"ok": False, "error": "ratelimited" if fault.status == 429 else "fatal_error"},
                        headers,
                    )
                    return
                self._send(200, fake._answer(method, body))

        return Handler

"""`SlackStandIn`: a loopback stand-in for the Slack Web API and `response_url`s.

Shared by the tests and the playground, so both talk to one Slack.  It binds
port 0 (or a given port) on 127.0.0.1, records every call (method, arguments,
the token that made it), answers the methods the bot uses the way Slack does
(`bot.standin.methods`, over the state in `bot.standin.state`), refuses
malformed Block Kit, and can be told to answer 429 with Retry-After, 500, or
to drop the connection, or to wait before answering.
"""

from __future__ import annotations

import io
import json
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from bot.standin.checks import MESSAGE_BLOCKS, VIEW_BLOCKS, blocks_problem
from bot.standin.files import UPLOAD_PATH, unknown_slack_file, upload_route
from bot.standin.methods import METHODS, oauth_access
from bot.standin.state import SlackState


@dataclass
class Call:
    method: str
    body: dict[str, Any]
    token: str = ""
    at: float = field(default_factory=time.monotonic)
    connection: int = 0  # the caller's port: calls on one kept-alive connection share it


@dataclass
class Fault:
    method: str
    status: int  # 429, 500; 0 drops the connection; -1 does the work, then drops it; 200 answers late
    count: int
    retry_after: int = 1
    delay: float = 0.0


# Methods whose refusals change what people see; each refusal is remembered in `state.refusals`.
SHOWN_METHODS = frozenset(
    {
        "chat.postMessage",
        "chat.update",
        "chat.delete",
        "chat.postEphemeral",
        "views.publish",
        "views.open",
        "views.push",
        "views.update",
    }
)


def refusal_detail(method: str, body: dict[str, Any], error: str) -> str:
    """Where Slack's error lies, when it is about blocks (as Slack's `response_metadata` says)."""
    if error not in ("invalid_blocks", "msg_blocks_too_long"):
        return ""
    view = body.get("view")
    if method.startswith("views.") and isinstance(view, str):
        try:
            view = json.loads(view)
        except ValueError:
            view = None
    if method.startswith("views."):
        blocks = view.get("blocks") if isinstance(view, dict) else None
        problem = blocks_problem(blocks, VIEW_BLOCKS, message=False)
    else:
        problem = blocks_problem(body.get("blocks"))
    return problem[1] if problem else ""


class _Server(ThreadingHTTPServer):
    request_queue_size = 256  # a click burst must not overflow the listen backlog (default 5)
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            return  # the client went away (a page closed, a caller timed out): nothing to report
        super().handle_error(request, client_address)


class SlackStandIn:
    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.state = SlackState(clock=lambda: self.clock())
        self.calls: list[Call] = []
        self.responses: list[Call] = []  # POSTs to response_urls
        self.faults: list[Fault] = []
        self.delays: dict[str, float] = {}  # method -> seconds to wait before doing the work
        self.socket_url = ""  # what apps.connections.open hands out (Socket Mode)
        self.on_response: Callable[[str, dict[str, Any]], dict[str, Any] | None] | None = None
        self.routes: dict[str, Callable[[BaseHTTPRequestHandler, str], None]] = {}  # extra GET/POST pages
        # Slack stamps messages with its own wall clock; tests that move the bot's clock move this too.
        self.clock: Callable[[], float] = time.time
        self._cond = threading.Condition()
        self.version = 0  # grows with every change anyone may be watching for (`wait_change`)
        self.closing = threading.Event()
        self._server = _Server((host, port), self._handler())
        self.port = int(self._server.server_address[1])
        self.base_url = f"http://{host}:{self.port}"
        self.api_url = self.base_url + "/api/"
        self.state.upload_base = self.base_url
        self.routes[UPLOAD_PATH] = upload_route(self.state)
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="slack-standin",
            daemon=True,
        )
        self._thread.start()

    def close(self) -> None:
        self.closing.set()
        self.notify()
        self._server.shutdown()
        self._server.server_close()

    # -- what tests use ----------------------------------------------------------------

    @property
    def messages(self) -> dict[str, list[dict[str, Any]]]:
        return self.state.messages

    def join(self, channel_id: str, team_id: str = "T1", name: str = "", private: bool = False) -> None:
        self.state.join(channel_id, team_id, name, private)

    def response_url(self, name: str = "r") -> str:
        return f"{self.base_url}/response/{name}"

    def fail(self, method: str, status: int, count: int = 1, retry_after: int = 1) -> None:
        """Fail the next `count` calls of `method` (or "response", a POST to any response_url)."""
        with self._cond:
            self.faults.append(Fault(method, status, count, retry_after))

    def slow(self, method: str, seconds: float, count: int = 1) -> None:
        """Answer the next `count` calls of `method` (or "response") `seconds` late, and correctly."""
        with self._cond:
            self.faults.append(Fault(method, 200, count, delay=seconds))

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
                    raise AssertionError(
                        "timed out waiting for the stand-in Slack to receive the expected call"
                    )
                self._cond.wait(min(left, 0.05))  # predicates may also look at the bot's database

    def wait_calls(self, method: str, n: int = 1, timeout: float = 5.0) -> list[Call]:
        found: list[Call] = self.wait_for(
            lambda: len(self.calls_to(method)) >= n and self.calls_to(method), timeout
        )
        return found

    def wait_responses(self, n: int = 1, timeout: float = 5.0) -> list[Call]:
        found: list[Call] = self.wait_for(lambda: len(self.responses) >= n and list(self.responses), timeout)
        return found

    def posted(self, channel: str) -> list[dict[str, Any]]:
        return self.state.posted(channel)

    def notify(self) -> None:
        with self._cond:
            self.version += 1
            self._cond.notify_all()

    def wait_change(self, seen: int, timeout: float) -> int:
        """Wait until `version` moves past `seen` (or `timeout`, or closing); the version now."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self.version == seen and not self.closing.is_set():
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._cond.wait(left)
            return self.version

    # -- the server ------------------------------------------------------------------------

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
            self.version += 1
            self._cond.notify_all()

    def answer(self, method: str, body: dict[str, Any], token: str, basic_auth: str = "") -> dict[str, Any]:
        if method == "apps.connections.open":
            return (
                {"ok": True, "url": self.socket_url}
                if self.socket_url
                else {"ok": False, "error": "invalid_auth"}
            )
        if method == "oauth.v2.access":
            return oauth_access(self.state, body, basic_auth)
        handler = METHODS.get(method)
        if handler is None:
            return {"ok": False, "error": "unknown_method"}
        token = token or str(body.get("token") or "")
        if self.state.expired(token):
            return {"ok": False, "error": "token_expired"}
        who = self.state.identity(token)
        if who is None:
            return {"ok": False, "error": "invalid_auth" if token else "not_authed"}
        answer = handler(self.state, who, body)
        if not answer.get("ok") and method in SHOWN_METHODS:
            error = str(answer.get("error"))
            self.state.refuse(method, error, refusal_detail(method, body, error))
        self.notify()
        return answer

    def respond(self, path: str, body: dict[str, Any], connection: int = 0) -> tuple[int, dict[str, Any]]:
        """A POST to a response_url: recorded, checked like a message, handed to `on_response`."""
        self._record(self.responses, Call(path, body, connection=connection))
        problem = blocks_problem(body.get("blocks"), MESSAGE_BLOCKS)
        unknown = None if problem else unknown_slack_file(self.state, body.get("blocks"))
        problem = problem or (("invalid_blocks", unknown) if unknown else None)
        if problem:
            self.state.refuse("response_url", problem[0], problem[1])
            self.notify()
            return 400, {"ok": False, "error": problem[0]}
        if self.on_response is not None:
            refused = self.on_response(path, body)
            if refused:
                return 404, refused
        return 200, {"ok": True}

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        standin = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as Slack's servers
            # Each answer leaves in one segment, at once: written through a buffer that http.server
            # flushes after each request, with Nagle's algorithm off.  Headers and body written
            # apart, on a kept-alive connection, would wait for the client's delayed ACK (40 ms).
            wbufsize = io.DEFAULT_BUFFER_SIZE
            disable_nagle_algorithm = True

            def log_message(self, *args: Any) -> None:
                pass

            def _body(self) -> dict[str, Any]:
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
                if "json" in (self.headers.get("Content-Type") or ""):
                    parsed = json.loads(raw or "{}")
                    return parsed if isinstance(parsed, dict) else {}
                return {k: v[0] for k, v in parse_qs(raw).items()}

            def send_json(
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

            def _route(self) -> bool:
                path = urlsplit(self.path).path
                for prefix, route in standin.routes.items():
                    if path == prefix or (prefix.endswith("/") and path.startswith(prefix)):
                        route(self, self.command)
                        return True
                return False

            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                if not self._route():
                    self.send_json(404, {"ok": False, "error": "not_found"})

            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                if not self.path.startswith(("/api/", "/response/")) and self._route():
                    return
                body = self._body()
                if self.path.startswith("/response/"):
                    fault = standin._take_fault("response")
                    time.sleep(standin.delays.get("response", 0) + (fault.delay if fault else 0))
                    if fault is not None and fault.status == 0:  # dropped before anything was done
                        self.close_connection = True
                        self.connection.close()
                    elif fault is not None and fault.status == -1:  # done, then the answer is lost
                        standin.respond(self.path, body, self.client_address[1])
                        self.close_connection = True
                        self.connection.close()
                    elif fault is not None and fault.status != 200:  # refused, nothing done
                        headers = {"Retry-After": str(fault.retry_after)} if fault.status == 429 else {}
                        error = "rate_limited" if fault.status == 429 else "internal_error"
                        self.send_json(fault.status, {"ok": False, "error": error}, headers)
                    else:
                        self.send_json(*standin.respond(self.path, body, self.client_address[1]))
                    return
                method = self.path.removeprefix("/api/")
                if standin.delays.get(method):
                    time.sleep(standin.delays[method])
                auth = self.headers.get("Authorization") or ""
                token = auth.removeprefix("Bearer ").strip() if auth.startswith("Bearer ") else ""
                basic = auth.removeprefix("Basic ").strip() if auth.startswith("Basic ") else ""
                fault = standin._take_fault(method)
                if fault is not None and fault.status == 200:
                    time.sleep(fault.delay)
                    fault = None
                standin._record(standin.calls, Call(method, body, token or str(body.get("token") or "")))
                if fault is not None:
                    if fault.status == -1:
                        standin.answer(method, body, token, basic)
                    if fault.status <= 0:
                        self.close_connection = True
                        self.connection.close()
                        return
                    headers = {"Retry-After": str(fault.retry_after)} if fault.status == 429 else {}
                    error = "ratelimited" if fault.status == 429 else "fatal_error"
                    self.send_json(fault.status, {"ok": False, "error": error}, headers)
                    return
                self.send_json(200, standin.answer(method, body, token, basic))

        return Handler

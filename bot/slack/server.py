"""Serving the bot: Bolt's WSGI adapter behind waitress, `/healthz`, and Socket Mode.

Slack posts commands, interactivity and events to `/slack/events`; in OAuth
mode `/slack/install` and `/slack/oauth_redirect` serve the install.
`/healthz` answers 200 while the database answers (and, in Socket Mode, while
the socket is connected), 503 otherwise, so the hosting platform can restart a
stuck bot.  Bodies over `MAX_BODY` bytes are refused by waitress with 413
before Bolt reads them.  `serve(runtime, host, port)` starts serving in
background threads and returns a `Serving` to stop it; in Socket Mode Bolt's
client reconnects by itself (checked every `ping_interval` seconds).
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from slack_bolt import App
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_bolt.adapter.wsgi import SlackRequestHandler
from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError
from waitress.server import create_server

from bot.storage.engine import WRITES

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIEnvironment

    from bot.runtime import Runtime

log = logging.getLogger(__name__)
MAX_BODY = 1_000_000
EVENTS_PATH = "/slack/events"
SLACK_PATHS = (EVENTS_PATH, "/slack/install", "/slack/oauth_redirect")


def health(engine: Engine, connected: Callable[[], bool] | None = None) -> tuple[bool, dict[str, str]]:
    checks: dict[str, str] = {}
    try:
        with engine.connect().execution_options(**{WRITES: False}) as conn:
            conn.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except SQLAlchemyError:
        checks["database"] = "unreachable"
    if connected is not None:
        checks["socket_mode"] = "connected" if connected() else "disconnected"
    healthy = checks["database"] == "ok" and checks.get("socket_mode", "connected") == "connected"
    return healthy, checks


def make_wsgi(app: App | None, engine: Engine, connected: Callable[[], bool] | None = None) -> Any:
    bolt = SlackRequestHandler(app, path=EVENTS_PATH) if app is not None else None

    def wsgi(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == "/healthz":
            healthy, checks = health(engine, connected)
            body = json.dumps({"ok": healthy, **checks}).encode()
            start_response(
                "200 OK" if healthy else "503 Service Unavailable", [("Content-Type", "application/json")]
            )
            return [body]
        if bolt is not None and path in SLACK_PATHS:
            try:
                return bolt(environ, start_response)
            except Exception as exc:  # noqa: BLE001 - the HTTP edge: a malformed request is a 400, never a 500
                # Bolt parses the body and reads ids from it before any listener (and
                # before our error handler) runs: a body that is not JSON or form data,
                # or a payload with fields of the wrong type, would otherwise be a 500.
                log.warning("malformed request refused: %s", type(exc).__name__)
                start_response("400 Bad Request", [("Content-Type", "text/plain")])
                return [b"Bad Request"]
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"Not Found"]

    return wsgi


def make_server(wsgi: Any, host: str, port: int, threads: int = 16) -> Any:
    """A waitress server (not yet serving); `.effective_port` tells the port when 0 was asked."""
    return create_server(
        wsgi,
        host=host,
        port=port,
        threads=threads,
        max_request_body_size=MAX_BODY,
        ident="study-lab",
        connection_limit=1000,
        channel_timeout=30,
    )


def run_until_closed(server: Any, closing: threading.Event) -> None:
    """waitress's loop, ending quietly once `closing` is set (close() pulls the socket away under it)."""
    try:
        server.run()
    except (OSError, ValueError):
        if not closing.is_set():
            raise


@dataclass
class Serving:
    server: Any
    handler: SocketModeHandler | None
    closing: threading.Event

    @property
    def port(self) -> int:
        return int(self.server.effective_port)

    def close(self, drain: float = 5.0) -> None:
        """Stop serving, after letting requests in flight finish writing (for up to `drain` seconds)."""
        deadline = time.monotonic() + drain
        while _busy(self.server) and time.monotonic() < deadline:
            time.sleep(0.02)
        self.closing.set()
        if self.handler is not None:
            self.handler.close()  # type: ignore[no-untyped-call]
        self.server.close()


def _busy(server: Any) -> bool:
    """Whether a connection has a request being answered or an answer not yet written.

    Idle keep-alive connections do not count: waitress would keep them for `channel_timeout`.
    """
    return any(
        channel.requests or channel.total_outbufs_len for channel in list(server.active_channels.values())
    )


def serve_wsgi(wsgi: Any, host: str, port: int, threads: int = 16) -> Serving:
    server = make_server(wsgi, host, port, threads)
    closing = threading.Event()
    threading.Thread(target=run_until_closed, args=(server, closing), name="http", daemon=True).start()
    return Serving(server, None, closing)


def serve(runtime: Runtime, host: str, port: int, ping_interval: float = 10) -> Serving:
    engine = runtime.storage.db.engine
    threads = runtime.settings.web_threads
    if not runtime.settings.socket_mode:
        return serve_wsgi(make_wsgi(runtime.app, engine), host, port, threads)
    handler = SocketModeHandler(runtime.app, runtime.settings.app_token, ping_interval=ping_interval)
    handler.connect()  # type: ignore[no-untyped-call]
    serving = serve_wsgi(make_wsgi(None, engine, handler.client.is_connected), host, port, threads)
    serving.handler = handler
    return serving

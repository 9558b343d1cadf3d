"""The production HTTP server: Bolt's WSGI adapter behind waitress, plus /healthz.

Slack posts commands, interactivity and events to `/slack/events`.  `/healthz`
answers 200 while the database answers (and, in Socket Mode, while the socket
is connected), 503 otherwise, so the hosting platform can restart a stuck bot.
Bodies over `MAX_BODY` bytes are refused by waitress with 413 before Bolt reads
them.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from waitress.server import create_server

from bot.store import Store

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIEnvironment

log = logging.getLogger(__name__)
MAX_BODY = 1_000_000
EVENTS_PATH = "/slack/events"


def health(store: Store, connected: Callable[[], bool] | None = None) -> tuple[bool, dict[str, str]]:
    checks: dict[str, str] = {}
    try:
        with store.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except SQLAlchemyError:
        checks["database"] = "unreachable"
    if connected is not None:
        checks["socket_mode"] = "connected" if connected() else "disconnected"
    healthy = checks["database"] == "ok" and checks.get("socket_mode", "connected") == "connected"
    return healthy, checks


def make_wsgi(app: App | None, store: Store, connected: Callable[[], bool] | None = None) -> Any:
    bolt = SlackRequestHandler(app, path=EVENTS_PATH) if app is not None else None

    def wsgi(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == "/healthz":
            healthy, checks = health(store, connected)
            body = json.dumps({"ok": healthy, **checks}).encode()
            start_response(
                "200 OK" if healthy else "503 Service Unavailable", [("Content-Type", "application/json")]
            )
            return [body]
        if bolt is not None and path == EVENTS_PATH:
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

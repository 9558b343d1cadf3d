"""Running the app: HTTP mode (waitress) or Socket Mode (Bolt's built-in client).

`serve(runtime, host, port)` starts serving in background threads and returns a
`Serving` to stop it.  In Socket Mode the HTTP server still answers `/healthz`,
which reports 503 while the socket is disconnected; Bolt's client reconnects by
itself (checked every `ping_interval` seconds).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from slack_bolt.adapter.socket_mode import SocketModeHandler

from bot.runtime import Runtime
from bot.web import make_server, make_wsgi


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

    def close(self) -> None:
        self.closing.set()
        if self.handler is not None:
            self.handler.close()  # type: ignore[no-untyped-call]
        self.server.close()


def serve(runtime: Runtime, host: str, port: int, ping_interval: float = 10) -> Serving:
    handler = None
    if runtime.settings.socket_mode:
        handler = SocketModeHandler(runtime.app, runtime.settings.app_token, ping_interval=ping_interval)
        handler.connect()  # type: ignore[no-untyped-call]
        wsgi = make_wsgi(None, runtime.store, handler.client.is_connected)
    else:
        wsgi = make_wsgi(runtime.app, runtime.store)
    server = make_server(wsgi, host, port)
    closing = threading.Event()
    threading.Thread(target=run_until_closed, args=(server, closing), name="http", daemon=True).start()
    return Serving(server, handler, closing)

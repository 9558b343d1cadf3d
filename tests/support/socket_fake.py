"""A loopback fake of Slack's Socket Mode endpoint (a WebSocket server).

Each connection gets a `hello`; the test pushes envelopes (a slash command, as
Slack sends it in Socket Mode) and reads the app's acknowledgements; `drop()`
cuts the current connection without a close frame's courtesy, as a network
failure would.
"""

from __future__ import annotations

import json
import queue
import threading
import uuid
from typing import Any

from websockets.exceptions import ConnectionClosed
from websockets.sync.server import ServerConnection, serve


class SocketModeFake:
    def __init__(self) -> None:
        self.connections = 0
        self.acks: queue.Queue[dict[str, Any]] = queue.Queue()
        self._current: ServerConnection | None = None
        self._lock = threading.Lock()
        self._server = serve(self._handle, "127.0.0.1", 0, compression=None)
        self.url = f"ws://127.0.0.1:{self._server.socket.getsockname()[1]}/link"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def _handle(self, ws: ServerConnection) -> None:
        with self._lock:
            self.connections += 1
            self._current = ws
        ws.send(json.dumps({"type": "hello", "num_connections": 1, "connection_info": {"app_id": "A1"}}))
        try:
            for raw in ws:
                self.acks.put(json.loads(raw))
        except ConnectionClosed:
            pass

    def send_command(self, text: str, user: str = "U1", channel: str = "C1") -> str:
        envelope_id = str(uuid.uuid4())
        payload = {
            "token": "legacy",
            "team_id": "T1",
            "team_domain": "v",
            "channel_id": channel,
            "channel_name": "general",
            "user_id": user,
            "user_name": "x",
            "command": "/define",
            "text": text,
            "api_app_id": "A1",
            "is_enterprise_install": "false",
            "response_url": "http://127.0.0.1:9/unused",
            "trigger_id": "t",
        }
        message = {
            "envelope_id": envelope_id,
            "type": "slash_commands",
            "accepts_response_payload": True,
            "payload": payload,
        }
        with self._lock:
            assert self._current is not None
            self._current.send(json.dumps(message))
        return envelope_id

    def ack_for(self, envelope_id: str, timeout: float = 10) -> dict[str, Any]:
        while True:
            ack = self.acks.get(timeout=timeout)
            if ack.get("envelope_id") == envelope_id:
                return ack

    def drop(self) -> None:
        with self._lock:
            if self._current is not None:
                self._current.socket.close()
                self._current = None

    def close(self) -> None:
        self._server.shutdown()

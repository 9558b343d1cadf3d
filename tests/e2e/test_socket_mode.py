"""Socket Mode: the bot answers over the socket, reconnects after a dropped
connection, and its health check reports the dead connection meanwhile."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from pathlib import Path

from bot.config import load_settings
from bot.runtime import build_runtime
from bot.slack.server import serve
from bot.standin import SlackStandIn
from tests.support.bot import bot_env
from tests.support.socket_fake import SocketModeFake


def health(port: int) -> int:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as r:
            return int(r.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)


def wait_until(check, timeout: float = 20) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.05)


def test_socket_mode_answers_reconnects_and_reports_health(fake: SlackStandIn, tmp_path: Path) -> None:
    socket = SocketModeFake()
    fake.socket_url = socket.url
    env = bot_env(fake, f"sqlite:///{tmp_path}/b.db", SLACK_APP_TOKEN="xapp-1-test-token")
    env.pop("SLACK_SIGNING_SECRET")
    runtime = build_runtime(load_settings(env))
    serving = serve(runtime, "127.0.0.1", 0, ping_interval=0.5)
    try:
        wait_until(lambda: socket.connections == 1)
        ack = socket.ack_for(socket.send_command("draen"))
        assert "A no-new-work posture" in json.dumps(ack["payload"])
        assert health(serving.port) == 200

        socket.drop()
        wait_until(lambda: health(serving.port) == 503 or socket.connections >= 2)
        wait_until(lambda: socket.connections >= 2 and health(serving.port) == 200)
        assert len(fake.calls_to("apps.connections.open")) >= 2
        ack = socket.ack_for(socket.send_command("what is a route epoch"))
        assert "A monotonic route ownership version" in json.dumps(ack["payload"])
    finally:
        serving.close()
        runtime.close()
        socket.close()
